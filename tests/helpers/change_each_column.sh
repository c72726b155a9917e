#!/usr/bin/env bash
# change_each_column.sh ENGINE CONN TABLE KEY SRC TGT [verify options]
#
# For every column of TABLE on the target (ENGINE pg: CONN is a psql URI
# and TABLE schema.table; ENGINE mysql: CONN is a database name), copies
# into one row the value another row holds (or NULL where a unique key
# forbids the copy), runs `dbmig verify --json` in both modes and checks
# that the difference is reported as a change of exactly that row and
# column; then puts the value back. Prints one line per column and exits
# 1 if any change went unreported.
set -u
engine=$1 conn=$2 table=$3 key=$4 src=$5 tgt=$6
shift 6
name=${table##*.}
missed=0 checked=0

pg() { psql -X -q -At -v ON_ERROR_STOP=1 "$conn" -c "$1" 2>/dev/null; }
my() { "${MY_CLIENT:-mariadb}" --no-defaults -h "${MY_HOST:-127.0.0.1}" -P "$MY_PORT" -u"${MY_USER:-root}" -N -B "$conn" -e "$1" 2>/dev/null; }

if [ "$engine" = pg ]; then
	pg "DROP SCHEMA IF EXISTS vcopy CASCADE; CREATE SCHEMA vcopy; CREATE TABLE vcopy.t AS TABLE $table"
	cols=$(pg "SELECT attname FROM pg_attribute WHERE attrelid = '$table'::regclass AND attnum > 0
		   AND NOT attisdropped AND attgenerated = '' AND attname <> '$key' ORDER BY attnum")
else
	my "DROP DATABASE IF EXISTS vcopy; CREATE DATABASE vcopy; CREATE TABLE vcopy.t AS SELECT * FROM \`$table\`"
	cols=$(my "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
		   AND TABLE_NAME = '$table' AND EXTRA NOT LIKE '%GENERATED%' AND COLUMN_NAME <> '$key'
		   ORDER BY ORDINAL_POSITION")
fi

notes=$(dbmig -q verify --json -t "$name" "$@" "$src" "$tgt" | jq -r '.tables[].notes[]')
while IFS= read -r c; do
	[ -n "$c" ] || continue
	qc=${c//\"/\"\"}	# quoted for SQL below
	bq=${c//\`/\`\`}
	if grep -q "^column $c not compared" <<<"$notes"; then
		echo "not compared $c: $(grep "^column $c not compared" <<<"$notes")"
		continue
	fi
	if [ "$engine" = pg ]; then
		# Prefer a NULL against a value; never -0 against 0 (not compared).
		pair=$(pg "SELECT a.\"$key\", b.\"$key\" FROM $table a, $table b
			   WHERE a.\"$qc\"::text IS DISTINCT FROM b.\"$qc\"::text
			   AND NOT (coalesce(a.\"$qc\"::text, '') IN ('0', '-0') AND coalesce(b.\"$qc\"::text, '') IN ('0', '-0'))
			   ORDER BY (a.\"$qc\" IS NULL) <> (b.\"$qc\" IS NULL) DESC, 1, 2 LIMIT 1" | tr '|' ' ')
		read -r i j <<<"$pair"
		[ -n "${i:-}" ] || { echo "skipped $c: every row holds the same value"; continue; }
		pg "UPDATE $table SET \"$qc\" = (SELECT \"$qc\" FROM vcopy.t WHERE \"$key\" = $j) WHERE \"$key\" = $i" >/dev/null ||
			pg "UPDATE $table SET \"$qc\" = NULL WHERE \"$key\" = $i" >/dev/null ||
			{ echo "skipped $c: cannot change row $i"; continue; }
	else
		pair=$(my "SELECT a.\`$key\`, b.\`$key\` FROM \`$table\` a JOIN \`$table\` b
			   ON NOT (a.\`$bq\` <=> b.\`$bq\`)
			   ORDER BY (a.\`$bq\` IS NULL) <> (b.\`$bq\` IS NULL) DESC, 1, 2 LIMIT 1")
		read -r i j <<<"$pair"
		[ -n "${i:-}" ] || { echo "skipped $c: every row holds the same value"; continue; }
		my "UPDATE \`$table\` SET \`$bq\` = (SELECT \`$bq\` FROM vcopy.t WHERE \`$key\` = $j) WHERE \`$key\` = $i" ||
			my "UPDATE \`$table\` SET \`$bq\` = NULL WHERE \`$key\` = $i" ||
			{ echo "skipped $c: cannot change row $i"; continue; }
	fi
	for mode in checksum rows; do
		got=$(dbmig -q verify --json --mode=$mode -t "$name" "$@" "$src" "$tgt" |
		      jq -r '.tables[].differences[] | "\(.kind) \(.key_text) \(.columns // [] | join(","))"')
		checked=$((checked + 1))
		if [ "$got" = "changed $key=$i $c" ] || [ "$got" = "changed $key='$i' $c" ]; then
			echo "found $c ($mode)"
		else
			echo "MISSED $c ($mode): row $key=$i, got: ${got:-nothing}"
			missed=$((missed + 1))
		fi
	done
	if [ "$engine" = pg ]; then
		pg "UPDATE $table SET \"$qc\" = (SELECT \"$qc\" FROM vcopy.t WHERE \"$key\" = $i) WHERE \"$key\" = $i" >/dev/null
	else
		my "UPDATE \`$table\` SET \`$bq\` = (SELECT \`$bq\` FROM vcopy.t WHERE \`$key\` = $i) WHERE \`$key\` = $i"
	fi
done <<<"$cols"
echo "$checked checks, $missed missed"
[ "$missed" -eq 0 ] && [ "$checked" -gt 0 ]
