#!/usr/bin/env bash
# xcompare.sh MYHOST MYPORT MYDB PG_URI PGSCHEMA - independent equality
# check of a MySQL/MariaDB database and its PostgreSQL copy, written
# without any dbmig code. Every MySQL value is exported as hex of its exact
# text (FLOAT as its double, BIT as bits, binary and geometry as raw bytes,
# zero dates as NULL), loaded into a PostgreSQL temporary table, cast by
# PostgreSQL's own input functions to the target column's type, and the two
# row multisets are compared with EXCEPT ALL both ways.
# Exit 0 when every table is equal, 1 otherwise.
set -euo pipefail
myhost=$1 myport=$2 mydb=$3 pguri=$4 schema=$5
my() { mariadb --no-defaults -h "$myhost" -P "$myport" -uroot -N -B --raw "$mydb" "$@"; }
pq() { psql -X -q -At -v ON_ERROR_STOP=1 "$pguri" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0 n=0
# A failed query must fail the check, not compare nothing.
tables=$(my -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> '_dbmig_load_ledger' ORDER BY 1") || {
	echo "cannot list the MySQL tables"; exit 2; }
for t in $tables; do
	n=$((n + 1))
	# MySQL side: one hex field per column, N for NULL (generated columns included).
	exprs=$(my -e "SELECT GROUP_CONCAT(CONCAT('IFNULL(HEX(', CASE
		WHEN DATA_TYPE = 'float' THEN CONCAT('CONVERT(CAST(\`', COLUMN_NAME, '\` AS DOUBLE) USING utf8mb4)')
		WHEN DATA_TYPE = 'bit' THEN CONCAT('LPAD(BIN(\`', COLUMN_NAME, '\`), ', NUMERIC_PRECISION, ', ''0'')')
		WHEN DATA_TYPE IN ('geometry','point','linestring','polygon','multipoint','multilinestring','multipolygon','geometrycollection') THEN CONCAT('ST_AsWKB(\`', COLUMN_NAME, '\`)')
		WHEN DATA_TYPE IN ('date','datetime','timestamp') THEN CONCAT('IF(YEAR(\`', COLUMN_NAME, '\`) = 0 OR MONTH(\`', COLUMN_NAME, '\`) = 0 OR DAY(\`', COLUMN_NAME, '\`) = 0, NULL, CONVERT(\`', COLUMN_NAME, '\` USING utf8mb4))')
		WHEN DATA_TYPE IN ('binary','varbinary','tinyblob','blob','mediumblob','longblob') THEN CONCAT('\`', COLUMN_NAME, '\`')
		ELSE CONCAT('CONVERT(\`', COLUMN_NAME, '\` USING utf8mb4)') END, '), ''N'')') ORDER BY ORDINAL_POSITION SEPARATOR ', ')
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$t'")
	my -e "SET SESSION group_concat_max_len = 1048576; SET time_zone = '+00:00'; SELECT $exprs FROM \`$t\`" >"$tmp/my.tsv"
	# PostgreSQL side: the target's columns and types.
	pq -F '|' -c "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"$schema\".\"$t\"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum" >"$tmp/cols"
	defs="" casts="" cols=""
	i=0
	while IFS='|' read -r name type; do
		i=$((i + 1))
		defs="$defs${defs:+, }c$i text"
		txt="convert_from(decode(c$i, 'hex'), 'UTF8')"
		case "$type" in
		bytea) v="decode(c$i, 'hex')" ;;
		text\[\]) v="string_to_array($txt, ',')" ;;
		*) v="($txt)::$type" ;;
		esac
		casts="$casts${casts:+, }CASE WHEN c$i = 'N' THEN NULL ELSE $v END"
		cols="$cols${cols:+, }\"${name//\"/\"\"}\""
	done <"$tmp/cols"
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
