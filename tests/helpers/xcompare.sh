#!/usr/bin/env bash
# xcompare.sh MYHOST MYPORT MYDB PG_URI PGSCHEMA - independent equality
# check of a MySQL/MariaDB database and a PostgreSQL schema holding the
# same tables (either one migrated from the other), written without any
# dbmig code. Every MySQL value is exported as hex of its exact text (FLOAT
# as its double, BIT as bits, binary and geometry as raw bytes, zero dates
# as NULL), loaded into a PostgreSQL temporary table, cast by PostgreSQL's
# own input functions to the PostgreSQL column's type (JSON arrays compared
# with to_jsonb of PostgreSQL arrays, json as jsonb), and the two row
# multisets are compared with EXCEPT ALL both ways. Columns are matched by
# name; a column on one side only is listed and left out.
# Exit 0 when every table is equal, 1 otherwise.
set -euo pipefail
myhost=$1 myport=$2 mydb=$3 pguri=$4 schema=$5
my() { "${MY_CLIENT:-mariadb}" --no-defaults -h "$myhost" -P "$myport" -u"${MY_USER:-root}" -N -B --raw "$mydb" "$@"; }
pq() { psql -X -q -At -v ON_ERROR_STOP=1 "$pguri" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0 n=0
# A failed query must fail the check, not compare nothing.
tables=$(my -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE '\\_dbmig\\_%' ORDER BY 1") || {
	echo "cannot list the MySQL tables"; exit 2; }
for t in $tables; do
	n=$((n + 1))
	pq -F '|' -c "SELECT attname, format_type(atttypid, atttypmod), attgenerated <> '' FROM pg_attribute WHERE attrelid = '\"$schema\".\"$t\"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum" >"$tmp/pgcols"
	my -e "SELECT COLUMN_NAME, DATA_TYPE, COALESCE(NUMERIC_PRECISION, 0), (SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS k WHERE k.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.CHECK_CLAUSE = CONCAT('json_valid(\`', c.COLUMN_NAME, '\`)')) FROM information_schema.COLUMNS c WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$t'" >"$tmp/mycols"
	myexprs="" defs="" casts="" cols="" i=0
	while IFS='|' read -r name type gen; do
		line=$(awk -F'\t' -v c="$name" '$1 == c' "$tmp/mycols")
		if [ -z "$line" ]; then
			echo "note: $t.$name exists only in PostgreSQL${gen/t/ (generated)}; not compared"
			continue
		fi
		IFS=$'\t' read -r _ mytype myprec isjson <<<"$line"
		i=$((i + 1))
		q="\`${name//\`/\`\`}\`"
		case "$mytype" in
		float) e="CONVERT(CAST($q AS DOUBLE) USING utf8mb4)" ;;
		bit) e="LPAD(BIN($q), $myprec, '0')" ;;
		geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection) e="ST_AsWKB($q)" ;;
		date|datetime|timestamp) e="IF(YEAR($q) = 0 OR MONTH($q) = 0 OR DAY($q) = 0, NULL, CONVERT($q USING utf8mb4))" ;;
		binary|varbinary|tinyblob|blob|mediumblob|longblob) e="$q" ;;
		*) e="CONVERT($q USING utf8mb4)" ;;
		esac
		myexprs="$myexprs${myexprs:+, }IFNULL(HEX($e), 'N')"
		defs="$defs${defs:+, }c$i text"
		txt="convert_from(decode(c$i, 'hex'), 'UTF8')"
		pgcol="\"${name//\"/\"\"}\""
		json=0
		[ "$mytype" = json ] || [ "$isjson" != 0 ] && json=1
		case "$type" in
		bytea) v="decode(c$i, 'hex')" ;;
		json|jsonb) v="($txt)::jsonb"; pgcol="$pgcol::jsonb" ;;
		*\[\])
			if [ "$json" = 1 ]; then v="($txt)::jsonb"; pgcol="to_jsonb($pgcol)"
			else v="string_to_array($txt, ',')"; fi ;;
		text|character*)	# byte for byte, whatever the column's collation
			v="($txt)::$type"; pgcol="$pgcol COLLATE \"C\"" ;;
		*) v="($txt)::$type" ;;
		esac
		casts="$casts${casts:+, }CASE WHEN c$i = 'N' THEN NULL ELSE $v END"
		cols="$cols${cols:+, }$pgcol"
	done <"$tmp/pgcols"
	my -e "SET SESSION group_concat_max_len = 1048576; SET time_zone = '+00:00'; SELECT $myexprs FROM \`$t\`" >"$tmp/my.tsv"
	out=$(pq -c "SET TimeZone = 'UTC'" -c "CREATE TEMP TABLE x ($defs)" -c "\\copy x FROM '$tmp/my.tsv'" \
		-c "SELECT (SELECT count(*) FROM x), (SELECT count(*) FROM \"$schema\".\"$t\"),
		  (SELECT count(*) FROM (SELECT $casts FROM x EXCEPT ALL SELECT $cols FROM \"$schema\".\"$t\") a),
		  (SELECT count(*) FROM (SELECT $cols FROM \"$schema\".\"$t\" EXCEPT ALL SELECT $casts FROM x) b)")
	IFS='|' read -r nmy npg only_my only_pg <<<"$out"
	if [ "$nmy" != "$npg" ] || [ "$only_my" != 0 ] || [ "$only_pg" != 0 ]; then
		echo "table $t differs: MySQL $nmy rows, PostgreSQL $npg rows, $only_my only in MySQL, $only_pg only in PostgreSQL"
		rc=1
	fi
done
[ $rc = 0 ] && echo "equal: $n tables, every row"
exit $rc
