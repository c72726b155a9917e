#!/usr/bin/env bash
# verify.sh [ROWS_PER_TABLE] - how fast dbmig verify compares sysbench
# tables (4 x ROWS, default 250000) after a migration, MySQL -> PostgreSQL
# and PostgreSQL -> PostgreSQL, in both modes, with 1 and 2 jobs, beside
# the time of SELECT count(*) over the same tables on both sides (what a
# row-count "verification" costs). Prints wall seconds, rows/s (rows of
# the source compared per second) and peak RSS. Also times the checksum
# mode with one changed row, which adds the bisection and the fetch.
# A script that prints figures, not a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rows=${1:-250000}
bench_start pg mysql
my -e "CREATE DATABASE sbtest; CREATE USER bench@'%' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO bench@'%'"
for db in sb_my_pg sb_pg sb_pg_pg; do psql -X -q "$pgb/postgres" -c "CREATE DATABASE $db"; done
sb() { sysbench oltp_read_write --tables=4 --table-size="$rows" --threads=2 --rand-seed=20240601 "$@" prepare >>"$work/sysbench.log" 2>&1; }
sb --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MY_PORT" --mysql-user=bench \
	--mysql-password=bench --mysql-db=sbtest
sb --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$PG_PORT" --pgsql-user=postgres --pgsql-db=sb_pg
./dbmig -q dump -j 2 "mysql://root@127.0.0.1:$MY_PORT/sbtest" -o "$work/my" >/dev/null
./dbmig -q load -j 2 "$work/my" "$pgb/sb_my_pg" >/dev/null
./dbmig -q dump -j 2 "$pgb/sb_pg" -o "$work/pg" >/dev/null
./dbmig -q load -j 2 "$work/pg" "$pgb/sb_pg_pg" >/dev/null
total=$((4 * rows))

measure() {	# measure PATH LABEL CMD...: wall, rows/s, peak RSS
	local path=$1 label=$2 rc=0; shift 2
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || rc=$?
	read -r wall rss < <(grep -E '^[0-9.]+ [0-9]+$' "$work/time")
	printf '%-14s %-34s %8.2f s %12.0f %9.1f MB  exit %d\n' "$path" "$label" "$wall" \
		"$(echo "$total / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$rc"
}
counts() {	# counts PATH SRC-KIND SRC DST: count(*) of the 4 tables on both sides
	local t0 t1
	t0=$(date +%s.%N)
	for t in sbtest1 sbtest2 sbtest3 sbtest4; do
		if [ "$2" = mysql ]; then my -N -e "SELECT COUNT(*) FROM sbtest.$t" >/dev/null
		else psql -X -At "$3" -c "SELECT count(*) FROM $t" >/dev/null; fi
		psql -X -At "$4" -c "SELECT count(*) FROM $5$t" >/dev/null
	done
	t1=$(date +%s.%N)
	printf '%-14s %-34s %8.2f s %12.0f\n' "$1" "SELECT count(*), both sides" \
		"$(echo "$t1 - $t0" | bc -l)" "$(echo "$total / ($t1 - $t0)" | bc -l)"
}

echo "dbmig verify on sysbench 4 x $rows rows: MariaDB $(my -N -e 'SELECT VERSION()'), PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'), $(nproc) cores"
printf '%-14s %-34s %10s %12s %12s\n' path what wall rows/s "peak RSS"
for pair in "MySQL->PG|mysql://root@127.0.0.1:$MY_PORT/sbtest|$pgb/sb_my_pg" \
	    "PG->PG|$pgb/sb_pg|$pgb/sb_pg_pg"; do
	IFS='|' read -r path src dst <<<"$pair"
	for j in 1 2; do
		measure "$path" "verify --mode=checksum -j $j" ./dbmig -q verify -q -j "$j" "$src" "$dst"
		measure "$path" "verify --mode=rows -j $j" ./dbmig -q verify -q --mode=rows -j "$j" "$src" "$dst"
	done
	if [ "$path" = PG-\>PG ]; then
		measure "$path" "verify dump against target -j 2" ./dbmig -q verify -q -j 2 "$work/pg" "$dst"
		counts "$path" pg "$src" "$dst" ""
	else
		measure "$path" "verify dump against target -j 2" ./dbmig -q verify -q -j 2 "$work/my" "$dst"
		counts "$path" mysql "$src" "$dst" "sbtest."
	fi
done
psql -X -q "$pgb/sb_pg_pg" -c "UPDATE sbtest3 SET c = 'changed' WHERE id = 4242"
measure "PG->PG" "checksum, 1 changed row (exit 1)" ./dbmig -q verify -q -j 2 "$pgb/sb_pg" "$pgb/sb_pg_pg"
grep -m1 "changed" "$work/out" || true
