#!/usr/bin/env bash
# mycompare.sh HOST PORT DB_A DB_B - an independent equality check of two
# MySQL/MariaDB databases on one server, written without dbmig code: every
# table's rows rendered exactly (FLOAT as its double, binary as hex, BIT
# in binary, geometry as WKB hex) and sorted byte-wise, plus each table's
# SHOW CREATE TABLE. Ignores dbmig's ledger. Exit 0 equal, 1 different.
set -euo pipefail
host=$1 port=$2 a=$3 b=$4
my() { "${MY_CLIENT:-mariadb}" --no-defaults -h "$host" -P "$port" -u"${MY_USER:-root}" -N -B --raw "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tables() { my "$1" -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE '\\_dbmig\\_%' ORDER BY 1"; }
tables "$a" >"$tmp/ta" || { echo "cannot list tables of $a"; exit 2; }
tables "$b" >"$tmp/tb" || { echo "cannot list tables of $b"; exit 2; }
rc=0
if ! diff -u "$tmp/ta" "$tmp/tb"; then echo "table lists differ"; rc=1; fi
n=0
while read -r t; do
	n=$((n + 1))
	exprs=$(my "$a" -e "SELECT GROUP_CONCAT(CASE
		WHEN DATA_TYPE = 'float' THEN CONCAT('CAST(\`', COLUMN_NAME, '\` AS DOUBLE)')
		WHEN DATA_TYPE = 'bit' THEN CONCAT('BIN(\`', COLUMN_NAME, '\`)')
		WHEN DATA_TYPE IN ('geometry','point','linestring','polygon','multipoint','multilinestring','multipolygon','geometrycollection') THEN CONCAT('HEX(ST_AsWKB(\`', COLUMN_NAME, '\`))')
		WHEN DATA_TYPE IN ('binary','varbinary','tinyblob','blob','mediumblob','longblob') THEN CONCAT('HEX(\`', COLUMN_NAME, '\`)')
		ELSE CONCAT('\`', COLUMN_NAME, '\`') END ORDER BY ORDINAL_POSITION SEPARATOR ', ')
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$t'")
	for db in "$a" "$b"; do
		my "$db" -e "SET SESSION group_concat_max_len = 1048576; SET time_zone = '+00:00'; SELECT $exprs FROM \`$t\`" | LC_ALL=C sort | md5sum >"$tmp/rows.$db"
		my "$db" -e "SHOW CREATE TABLE \`$t\`" | cut -f2- >"$tmp/ddl.$db"
	done
	if ! cmp -s "$tmp/rows.$a" "$tmp/rows.$b"; then echo "table $t: rows differ"; rc=1; fi
	if ! diff -u "$tmp/ddl.$a" "$tmp/ddl.$b" >"$tmp/ddl.diff"; then echo "table $t: definition differs"; cat "$tmp/ddl.diff"; rc=1; fi
done <"$tmp/ta"
[ $rc = 0 ] && echo "equal: $n tables, rows and definitions"
exit $rc
