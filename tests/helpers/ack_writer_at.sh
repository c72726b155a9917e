#!/usr/bin/env bash
# ack_writer_at.sh ENDPOINT TABLE LOG - ack_writer.sh for a client that
# follows a redeploy: before each insert it reads the URI to write to
# from the file ENDPOINT (what a --switch-cmd rewrites), a mysql:// one
# through the mariadb client (MYSQL_PWD for its password), any other
# through psql. Each number is appended to LOG once its commit was
# acknowledged; a refused one to LOG.errors (the reason to LOG.errors.txt).
endpoint=$1 table=$2 log=$3
: >"$log"
: >"$log.errors"
re='^(mysql|mariadb)://([^:@/]+)@([^:/]+):([0-9]+)/(.*)$'
n=0
while :; do
	n=$((n + 1))
	uri=$(cat "$endpoint")
	if [[ "$uri" =~ $re ]]; then
		"${MY_CLIENT:-mariadb}" --no-defaults -u"${BASH_REMATCH[2]}" -h "${BASH_REMATCH[3]}" \
			-P "${BASH_REMATCH[4]}" "${BASH_REMATCH[5]}" -e "INSERT INTO $table (n) VALUES ($n)" \
			>/dev/null 2>>"$log.errors.txt"
	else
		psql -X -q -v ON_ERROR_STOP=1 "$uri" -c "INSERT INTO $table (n) VALUES ($n)" \
			>/dev/null 2>>"$log.errors.txt"
	fi && echo "$n" >>"$log" || echo "$n" >>"$log.errors"
done
