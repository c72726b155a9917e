#!/usr/bin/env bash
# peers.sh [ROWS_PER_TABLE] - dbmig beside the peer tools on the same data,
# on throwaway servers, in one run: sysbench 4 x ROWS (default 500000) on
# MariaDB and PostgreSQL, moved MySQL->PG (dbmig, pgloader tuned for 2
# cores), PG->PG (dbmig, pg_dump -Fd -j2 + pg_restore -j2, pgcopydb clone),
# MySQL->MySQL (dbmig, mydumper + myloader), and one table through the raw
# one-stream pipes (COPY | COPY, SELECT | COPY, COPY | LOAD DATA) beside
# dbmig on that table. Each result is checked equal to its source with
# dbmig verify. Prints one table: path, tool, wall s, rows/s, MB/s (of the
# source's data), peak RSS of the largest client process, equal, and the
# peer's wall over dbmig's. Peers missing on the machine are skipped with
# the command that installs them. A script that prints figures, not a test.
set -uo pipefail
. "$(dirname "$0")/common.sh"
rows=${1:-500000}
bench_start pg mysql

my -e "CREATE DATABASE sbtest"
newpg sbtest
sb() { sysbench oltp_read_write --tables=4 --table-size="$rows" --threads=2 --rand-seed=20240601 "$@" prepare >>"$work/sysbench.log" 2>&1; }
sb --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MY_PORT" --mysql-user=root --mysql-db=sbtest
sb --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$PG_PORT" --pgsql-user=postgres --pgsql-db=sbtest
total=$((4 * rows))
mybytes=$(my -N -e "SELECT SUM(data_length) FROM information_schema.tables WHERE table_schema = 'sbtest'")
pgbytes=$(psql -X -At "$pgb/sbtest" -c "SELECT sum(pg_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
my1=$(my -N -e "SELECT data_length FROM information_schema.tables WHERE table_schema = 'sbtest' AND table_name = 'sbtest1'")
pg1=$(psql -X -At "$pgb/sbtest" -c "SELECT pg_relation_size('sbtest1')")

# run LABEL CMD...: one timed step; adds to WALL and keeps the largest RSS
WALL=0 RSS=0 FAILED=0
run() {
	local label=$1 w m; shift
	if ! /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/$label.log" 2>&1; then
		FAILED=1
		tail -3 "$work/$label.log" | sed "s/^/    $label: /" >&2
	fi
	read -r w m < <(grep -E '^[0-9.]+ [0-9]+$' "$work/time")
	WALL=$(echo "$WALL + $w" | bc)
	((m > RSS)) && RSS=$m
}
begin() { WALL=0 RSS=0 FAILED=0; }
# row PATH TOOL ROWS BYTES VERIFY-SRC VERIFY-TGT [DBMIG-WALL]
declare -A dbmig_wall
row() {
	local path=$1 tool=$2 n=$3 bytes=$4 eq ratio=""
	if ((FAILED)); then eq=FAILED
	elif [ -n "$5" ]; then
		./dbmig -q verify -q -j 2 -t "${7:-*}" "$5" "$6" >"$work/verify.log" 2>&1
		case $? in 0) eq=equal ;; 1) eq=DIFFERENT ;; *) eq="verify-error" ;; esac
	else eq=-; fi
	if [ "$tool" = dbmig ]; then dbmig_wall[$path]=$WALL
	elif [ -n "${dbmig_wall[$path]:-}" ]; then ratio=$(printf '%.2fx' "$(echo "$WALL / ${dbmig_wall[$path]}" | bc -l)")
	fi
	printf '%-22s %-34s %8.2f %10.0f %8.1f %9.1f  %-10s %s\n' "$path" "$tool" "$WALL" \
		"$(echo "$n / $WALL" | bc -l)" "$(echo "$bytes / 1048576 / $WALL" | bc -l)" \
		"$(echo "$RSS / 1024" | bc -l)" "$eq" "$ratio"
}
missing() { printf '%-22s %-34s %s\n' "$1" "$2" "not installed: apt-get install $3"; }
# dbmig_copy PATH ROWS BYTES SRC TGT JOBS [TABLE]: dbmig dump + load, timed, checked
dbmig_copy() {
	local dir
	dir=$(mktemp -d "$work/dump.XXXXXX") && rmdir "$dir"
	begin
	run dump ./dbmig -q dump -j "$6" ${7:+-t "$7"} "$4" -o "$dir"
	run load ./dbmig -q load -j "$6" "$dir" "$5"
	row "$1" dbmig "$2" "$3" "$4" "$5" "${7:-}"
}

echo "sysbench 4 x $rows rows; MariaDB $(my -N -e 'SELECT VERSION()'), PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'); $(nproc) cores; servers with fsync off"
printf '%-22s %-34s %8s %10s %8s %9s  %-10s %s\n' path tool "wall s" rows/s MB/s "RSS MB" result "peer/dbmig"

# MySQL -> PostgreSQL
newpg d_mp
dbmig_copy "MySQL->PG" $total "$mybytes" "$myu/sbtest" "$pgb/d_mp" 2
if command -v pgloader >/dev/null; then
	newpg p_mp
	cat >"$work/pgl.load" <<EOF2
LOAD DATABASE FROM $myu/sbtest INTO $pgb/p_mp
WITH include drop, create tables, create indexes, reset sequences, foreign keys,
     downcase identifiers, workers = 2, concurrency = 1, prefetch rows = 25000;
EOF2
	begin
	run pgloader pgloader --root-dir "$work/pgl" "$work/pgl.load"
	row "MySQL->PG" "pgloader (2 workers, tuned)" $total "$mybytes" "$myu/sbtest" "$pgb/p_mp"
else missing "MySQL->PG" pgloader pgloader; fi

# PostgreSQL -> PostgreSQL
newpg d_pp
dbmig_copy "PG->PG" $total "$pgbytes" "$pgb/sbtest" "$pgb/d_pp" 2
newpg p_pp
begin
run pg_dump pg_dump -Fd -j 2 -f "$work/pgd" "$pgb/sbtest"
run pg_restore pg_restore -j 2 -d "$pgb/p_pp" "$work/pgd"
row "PG->PG" "pg_dump -Fd -j2 + pg_restore -j2" $total "$pgbytes" "$pgb/sbtest" "$pgb/p_pp"
if command -v pgcopydb >/dev/null; then
	newpg c_pp
	begin
	run pgcopydb env PGCOPYDB_SOURCE_PGURI="$pgb/sbtest" PGCOPYDB_TARGET_PGURI="$pgb/c_pp" \
		pgcopydb clone --table-jobs 2 --index-jobs 2 --dir "$work/pgcopydb"
	row "PG->PG" "pgcopydb clone, 2 jobs" $total "$pgbytes" "$pgb/sbtest" "$pgb/c_pp"
else missing "PG->PG" pgcopydb pgcopydb; fi

# MySQL -> MySQL
newmy d_mm
dbmig_copy "MySQL->MySQL" $total "$mybytes" "$myu/sbtest" "$myu/d_mm" 2
if command -v mydumper >/dev/null && command -v myloader >/dev/null; then
	newmy m_mm
	begin
	run mydumper mydumper -h 127.0.0.1 -P "$MY_PORT" -u root -B sbtest -t 2 -c -o "$work/myd"
	run myloader myloader -h 127.0.0.1 -P "$MY_PORT" -u root -B m_mm -s sbtest -t 2 -d "$work/myd"
	row "MySQL->MySQL" "mydumper -t2 -c + myloader -t2" $total "$mybytes" "$myu/sbtest" "$myu/m_mm"
else missing "MySQL->MySQL" "mydumper + myloader" mydumper; fi

# One table, one stream: dbmig beside the raw pipe that is its lower bound
pg_dump -s -t sbtest1 "$pgb/sbtest" >"$work/sbtest1.sql"
newpg d1_pp
dbmig_copy "PG->PG sbtest1" "$rows" "$pg1" "$pgb/sbtest" "$pgb/d1_pp" 1 sbtest1
newpg raw_pp; psql -X -q "$pgb/raw_pp" -f "$work/sbtest1.sql" >/dev/null
begin
run pipe bash -c "psql -X -c 'COPY sbtest1 TO STDOUT' '$pgb/sbtest' | psql -X -c 'COPY sbtest1 FROM STDIN' '$pgb/raw_pp'"
row "PG->PG sbtest1" "COPY TO | COPY FROM" "$rows" "$pg1" "$pgb/sbtest" "$pgb/raw_pp" sbtest1

newpg d1_mp
dbmig_copy "MySQL->PG sbtest1" "$rows" "$my1" "$myu/sbtest" "$pgb/d1_mp" 1 sbtest1
newpg raw_mp; psql -X -q "$pgb/raw_mp" -f "$work/sbtest1.sql" >/dev/null
begin
run pipe bash -c "mariadb --no-defaults -h 127.0.0.1 -P $MY_PORT -uroot -N -B -e 'SELECT * FROM sbtest.sbtest1' | psql -X -c 'COPY sbtest1 FROM STDIN' '$pgb/raw_mp'"
row "MySQL->PG sbtest1" "SELECT | COPY FROM" "$rows" "$my1" "$myu/sbtest" "$pgb/raw_mp" sbtest1

newmy d1_pm
dbmig_copy "PG->MySQL sbtest1" "$rows" "$pg1" "$pgb/sbtest" "$myu/d1_pm" 1 sbtest1

newmy raw_pm; my raw_pm -e "CREATE TABLE sbtest1 LIKE sbtest.sbtest1"
begin
run pipe bash -c "psql -X -c 'COPY sbtest1 TO STDOUT' '$pgb/sbtest' | mariadb --no-defaults --local-infile=1 -h 127.0.0.1 -P $MY_PORT -uroot raw_pm -e \"LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE sbtest1\""
row "PG->MySQL sbtest1" "COPY TO | LOAD DATA" "$rows" "$pg1" "$pgb/sbtest" "$myu/raw_pm" sbtest1
