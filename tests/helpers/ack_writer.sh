#!/usr/bin/env bash
# ack_writer.sh URI TABLE LOG - a client that inserts 1, 2, 3, ... into
# TABLE (column n) through URI, one transaction each, and appends each
# number to LOG once the server has acknowledged its commit; runs until
# killed. Every number in LOG must end up on the new primary after a
# cutover. A failed insert is counted in LOG.errors and retried with
# the next number, as an application would go on.
uri=$1 table=$2 log=$3
: >"$log"
: >"$log.errors"
n=0
while :; do
	n=$((n + 1))
	if psql -X -q -v ON_ERROR_STOP=1 "$uri" -c "INSERT INTO $table (n) VALUES ($n)" \
		>/dev/null 2>>"$log.errors.txt"; then
		echo "$n" >>"$log"
	else
		echo "$n" >>"$log.errors"
	fi
done
