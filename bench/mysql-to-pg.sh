#!/usr/bin/env bash
# mysql-to-pg.sh [ROWS_PER_TABLE] - MySQL/MariaDB -> PostgreSQL on sysbench
# data (4 tables x ROWS, default 250000): dbmig dump -j 2 + load -j 2
# beside pgloader tuned for 2 cores (workers = 2, concurrency = 1,
# prefetch rows = 25000, as ../shared/bench found best), on throwaway
# servers. Prints wall seconds and peak RSS per step, and checks dbmig's
# copy row by row (tests/helpers/xcompare.sh) and pgloader's by counts.
# A script that prints figures, not a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rows=${1:-250000}
bench_start pg mysql
my -e "CREATE DATABASE sbtest; CREATE USER bench@'%' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO bench@'%'"
for db in dbmig_sb pgl_sb; do psql -X -q "$pgb/postgres" -c "CREATE DATABASE $db"; done
sysbench oltp_read_write --tables=4 --table-size="$rows" --threads=2 --rand-seed=20240601 \
	--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MY_PORT" --mysql-user=bench \
	--mysql-password=bench --mysql-db=sbtest prepare >"$work/sysbench.log" 2>&1

measure() {	# measure LABEL CMD...
	local label=$1; shift
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || { tail -5 "$work/out"; echo "$label FAILED"; return 1; }
	read -r wall rss <"$work/time"
	printf '%-44s %8.2f s %9.1f MB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)"
}
echo "sysbench 4 x $rows rows, MariaDB $(my -N -e 'SELECT VERSION()') -> PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'), $(nproc) cores"
printf '%-44s %10s %12s\n' step wall "peak RSS"
measure "dbmig dump -j 2" env MYSQL_PWD=bench ./dbmig -q dump -j 2 "mysql://bench@127.0.0.1:$MY_PORT/sbtest" -o "$work/dump"
measure "dbmig load -j 2" ./dbmig -q load -j 2 "$work/dump" "$pgb/dbmig_sb"
cat >"$work/pgloader.load" <<EOF2
LOAD DATABASE FROM mysql://bench:bench@127.0.0.1:$MY_PORT/sbtest INTO $pgb/pgl_sb
WITH include drop, create tables, create indexes, reset sequences, foreign keys,
     downcase identifiers, workers = 2, concurrency = 1, prefetch rows = 25000;
EOF2
if command -v pgloader >/dev/null; then
	measure "pgloader 2 workers, concurrency 1" pgloader --root-dir "$work/pgl" "$work/pgloader.load" || true
else
	echo "pgloader: not installed (apt-get install pgloader)"
fi
printf 'dbmig dump size: %s\n' "$(du -sh "$work/dump" | cut -f1)"
tests/helpers/xcompare.sh 127.0.0.1 "$MY_PORT" sbtest "$pgb/dbmig_sb" sbtest | sed 's/^/dbmig copy vs source: /'
for t in sbtest1 sbtest2 sbtest3 sbtest4; do
	printf '%s rows: source %s, dbmig %s, pgloader %s\n' "$t" \
		"$(my -N -e "SELECT COUNT(*) FROM sbtest.$t")" \
		"$(psql -X -At "$pgb/dbmig_sb" -c "SELECT count(*) FROM sbtest.$t")" \
		"$(psql -X -At "$pgb/pgl_sb" -c "SELECT count(*) FROM sbtest.$t" 2>/dev/null || echo '-')"
done
