#!/usr/bin/env bash
# change_each_column.sh ENGINE CONN TABLE KEY SRC TGT [verify options]
#
# For every column of TABLE on the target (ENGINE pg: CONN is a psql URI
# and TABLE schema.table; ENGINE mysql: CONN is a database name), copies
# into one row the value another row holds (or NULL where a unique key
# forbids the copy); then runs `dbmig verify --json` once in each mode
# and checks that every change is reported as a change of exactly its
# row and column, and nothing else is; then puts the values back. (All
# columns at once: a verify per column and mode made this the slowest
# test of the suite.) Prints one line per column and mode and exits 1 if
# any change went unreported or anything unchanged was reported.
set -u
engine=$1 conn=$2 table=$3 key=$4 src=$5 tgt=$6
shift 6
name=${table##*.}
missed=0 checked=0 changed=''

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
		# among a few rows (the first and last by key, and a NULL):
		# pairing every row with every other took minutes on 3000 rows
		cand="(SELECT * FROM (SELECT * FROM $table ORDER BY \"$key\" LIMIT 40) f UNION ALL
			SELECT * FROM (SELECT * FROM $table WHERE \"$qc\" IS NULL ORDER BY \"$key\" LIMIT 1) n
			UNION ALL SELECT * FROM (SELECT * FROM $table ORDER BY \"$key\" DESC LIMIT 40) l)"
		pair=$(pg "SELECT a.\"$key\", b.\"$key\" FROM $cand a, $cand b
			   WHERE a.\"$qc\"::text IS DISTINCT FROM b.\"$qc\"::text
			   AND NOT (coalesce(a.\"$qc\"::text, '') IN ('0', '-0') AND coalesce(b.\"$qc\"::text, '') IN ('0', '-0'))
			   ORDER BY (a.\"$qc\" IS NULL) <> (b.\"$qc\" IS NULL) DESC, 1, 2 LIMIT 1" | tr '|' ' ')
		read -r i j <<<"$pair"
		[ -n "${i:-}" ] || { echo "skipped $c: every row holds the same value"; continue; }
		pg "UPDATE $table SET \"$qc\" = (SELECT \"$qc\" FROM vcopy.t WHERE \"$key\" = $j) WHERE \"$key\" = $i" >/dev/null ||
			pg "UPDATE $table SET \"$qc\" = NULL WHERE \"$key\" = $i" >/dev/null ||
			{ echo "skipped $c: cannot change row $i"; continue; }
	else
		cand="((SELECT * FROM \`$table\` ORDER BY \`$key\` LIMIT 40) UNION ALL
			(SELECT * FROM \`$table\` WHERE \`$bq\` IS NULL ORDER BY \`$key\` LIMIT 1) UNION ALL
			(SELECT * FROM \`$table\` ORDER BY \`$key\` DESC LIMIT 40))"
		pair=$(my "SELECT a.\`$key\`, b.\`$key\` FROM $cand a JOIN $cand b
			   ON NOT (a.\`$bq\` <=> b.\`$bq\`)
			   ORDER BY (a.\`$bq\` IS NULL) <> (b.\`$bq\` IS NULL) DESC, 1, 2 LIMIT 1")
		read -r i j <<<"$pair"
		[ -n "${i:-}" ] || { echo "skipped $c: every row holds the same value"; continue; }
		my "UPDATE \`$table\` SET \`$bq\` = (SELECT \`$bq\` FROM vcopy.t WHERE \`$key\` = $j) WHERE \`$key\` = $i" ||
			my "UPDATE \`$table\` SET \`$bq\` = NULL WHERE \`$key\` = $i" ||
			{ echo "skipped $c: cannot change row $i"; continue; }
	fi
	changed+="$i	$c"$'\n'
done <<<"$cols"

# one verify per mode: each change reported as its row and column, and
# nothing else
for mode in checksum rows; do
	got=$(dbmig -q verify --json --mode=$mode -t "$name" "$@" "$src" "$tgt" |
	      jq -r '.tables[].differences[] | if .kind == "changed" then
		(.key_text as $k | (.columns // [])[] | "\($k)\t\(.)") else "\(.kind) \(.key_text)" end' |
	      sed -E "s/^$key='?([^'\t]*)'?\t/\1\t/")
	while IFS=$'\t' read -r i c; do
		[ -n "$c" ] || continue
		checked=$((checked + 1))
		if grep -qxF "$i	$c" <<<"$got"; then
			echo "found $c ($mode)"
		else
			echo "MISSED $c ($mode): row $key=$i"
			missed=$((missed + 1))
		fi
	done <<<"$changed"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if ! grep -qxF "$line" <<<"$changed"; then
			echo "UNEXPECTED ($mode): $line"
			missed=$((missed + 1))
		fi
	done <<<"$got"
done

while IFS=$'\t' read -r i c; do
	[ -n "$c" ] || continue
	qc=${c//\"/\"\"}
	bq=${c//\`/\`\`}
	if [ "$engine" = pg ]; then
		pg "UPDATE $table SET \"$qc\" = (SELECT \"$qc\" FROM vcopy.t WHERE \"$key\" = $i) WHERE \"$key\" = $i" >/dev/null
	else
		my "UPDATE \`$table\` SET \`$bq\` = (SELECT \`$bq\` FROM vcopy.t WHERE \`$key\` = $i) WHERE \`$key\` = $i"
	fi
done <<<"$changed"
echo "$checked checks, $missed missed"
[ "$missed" -eq 0 ] && [ "$checked" -gt 0 ]
