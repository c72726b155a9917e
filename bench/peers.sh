#!/usr/bin/env bash
# peers.sh [ROWS_PER_TABLE] - dbmig beside the peer tools on the same data,
# on throwaway servers, in one run: sysbench 4 x ROWS (default 500000) on
# MariaDB and PostgreSQL, moved MySQL->PG (dbmig, pgloader tuned for 2
# cores), PG->PG (dbmig, pg_dump -Fd -j2 + pg_restore -j2, pgcopydb clone),
# MySQL->MySQL (dbmig, mydumper + myloader), and one table through the raw
# one-stream pipes (COPY | COPY, SELECT | COPY, COPY | LOAD DATA; like dbmig,
# they load the bare table and then build its keys) beside
# dbmig on that table. dbmig runs both ways: dump + load, and copy (direct).
#
# Every trial runs BENCH_REPS times (default 3) into a fresh database and
# the median wall time is printed; RSS is the largest of the runs. The
# sources are vacuumed and read once before any trial, so no tool pays for
# hint bits or a cold cache that the next one finds warm. Each result of
# the last run is checked equal to its source with dbmig verify.
#
# Prints one table: path, tool, median wall s, rows/s, MB/s (of the
# source's data), peak RSS of the largest client process, equal, and the
# peer's wall over dbmig dump+load's and over dbmig copy's (for the raw
# pipes: dbmig's over the pipe's). Peers missing on the machine are skipped
# with the command that installs them. A script that prints figures, not a
# test.
set -uo pipefail
. "$(dirname "$0")/common.sh"
rows=${1:-500000}
reps=${BENCH_REPS:-3}
bench_start pg mysql

my -e "CREATE DATABASE sbtest"
newpg sbtest
sb() { sysbench oltp_read_write --tables=4 --table-size="$rows" --threads=2 --rand-seed=20240601 "$@" prepare >>"$work/sysbench.log" 2>&1; }
sb --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MY_PORT" --mysql-user=root --mysql-db=sbtest
sb --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$PG_PORT" --pgsql-user=postgres --pgsql-db=sbtest
psql -X -q "$pgb/sbtest" -c "VACUUM (FREEZE, ANALYZE)"
for t in 1 2 3 4; do
	my -N sbtest -e "ANALYZE TABLE sbtest$t; SELECT SUM(LENGTH(c)) FROM sbtest$t" >/dev/null
	psql -X -q -At "$pgb/sbtest" -c "SELECT sum(length(c)) FROM sbtest$t" >/dev/null
done
total=$((4 * rows))
mybytes=$(my -N -e "SELECT SUM(data_length) FROM information_schema.tables WHERE table_schema = 'sbtest'")
pgbytes=$(psql -X -At "$pgb/sbtest" -c "SELECT sum(pg_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
my1=$(my -N -e "SELECT data_length FROM information_schema.tables WHERE table_schema = 'sbtest' AND table_name = 'sbtest1'")
pg1=$(psql -X -At "$pgb/sbtest" -c "SELECT pg_relation_size('sbtest1')")
# the raw pipes do what dbmig does: the bare table, the rows, then its keys
pg_dump -s --section=pre-data -t sbtest1 "$pgb/sbtest" >"$work/sbtest1.sql"
pg_dump -s --section=post-data -t sbtest1 "$pgb/sbtest" >"$work/sbtest1-post.sql"

# run LABEL CMD...: one timed step of a trial; adds to WALL, keeps the largest RSS
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

# trial PATH TOOL ROWS BYTES VSRC VTGT VTABLE FN ARGS...: FN prepares a
# fresh target and runs the timed steps; runs it $reps times and prints the
# median. VSRC/VTGT: what dbmig verify compares after the last run ("" = no check).
declare -A dl_wall cp_wall
trial() {
	local path=$1 tool=$2 n=$3 bytes=$4 vsrc=$5 vtgt=$6 vtab=$7 fn=$8 walls=() rss=0 failed=0 med eq r1="" r2=""
	shift 8
	for ((i = 0; i < reps; i++)); do
		WALL=0 RSS=0 FAILED=0
		"$fn" "$@"
		walls+=("$WALL")
		((RSS > rss)) && rss=$RSS
		((FAILED)) && failed=1
	done
	med=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((reps + 1) / 2))p")
	if ((failed)); then eq=FAILED
	elif [ -n "$vsrc" ]; then
		./dbmig -q verify -q -j 2 -t "${vtab:-*}" "$vsrc" "$vtgt" >"$work/verify.log" 2>&1
		case $? in 0) eq=equal ;; 1) eq=DIFFERENT ;; *) eq="verify-error" ;; esac
	else eq=-; fi
	case $tool in
	"dbmig dump + load") dl_wall[$path]=$med ;;
	"dbmig copy") cp_wall[$path]=$med ;;
	*)
		if [ -n "${dl_wall[$path]:-}" ]; then r1=$(printf '%.2fx' "$(echo "$med / ${dl_wall[$path]}" | bc -l)"); fi
		if [ -n "${cp_wall[$path]:-}" ]; then r2=$(printf '%.2fx' "$(echo "$med / ${cp_wall[$path]}" | bc -l)"); fi
		# the raw pipes are a lower bound: show dbmig over the pipe instead
		if [[ $tool == *"|"* ]]; then
			r1=$(printf '%.2fx' "$(echo "${dl_wall[$path]} / $med" | bc -l)")
			r2=$(printf '%.2fx' "$(echo "${cp_wall[$path]} / $med" | bc -l)")
		fi ;;
	esac
	printf '%-18s %-34s %7.2f %10.0f %7.1f %7.1f  %-9s %9s %9s\n' "$path" "$tool" "$med" \
		"$(echo "$n / $med" | bc -l)" "$(echo "$bytes / 1048576 / $med" | bc -l)" \
		"$(echo "$rss / 1024" | bc -l)" "$eq" "$r1" "$r2"
}
missing() { printf '%-18s %-34s %s\n' "$1" "$2" "not installed: apt-get install $3"; }
fresh() { case $1 in postgresql:*) newpg "${1##*/}" ;; mysql:*) newmy "${1##*/}" ;; esac; }

# dbmig, both ways: SRC TGT JOBS [TABLE]
t_dump_load() {
	local dir
	fresh "$2"
	dir=$(mktemp -d "$work/dump.XXXXXX") && rmdir "$dir"
	run dump ./dbmig -q dump -j "$3" ${4:+-t "$4"} "$1" -o "$dir"
	run load ./dbmig -q load -j "$3" "$dir" "$2"
	rm -rf "$dir"
}
t_copy() {
	fresh "$2"
	run copy ./dbmig -q copy -j "$3" ${4:+-t "$4"} "$1" "$2"
}
dbmig_both() {	# PATH ROWS BYTES SRC TGT JOBS [TABLE]
	trial "$1" "dbmig dump + load" "$2" "$3" "$4" "$5" "${7:-}" t_dump_load "$4" "$5" "$6" "${7:-}"
	trial "$1" "dbmig copy" "$2" "$3" "$4" "$5" "${7:-}" t_copy "$4" "$5" "$6" "${7:-}"
}

echo "sysbench 4 x $rows rows; MariaDB $(my -N -e 'SELECT VERSION()'), PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'); $(nproc) cores; servers with fsync off; median of $reps runs"
printf '%-18s %-34s %7s %10s %7s %7s  %-9s %9s %9s\n' path tool "wall s" rows/s MB/s "RSS MB" result "÷dump+ld" "÷copy"

# MySQL -> PostgreSQL
dbmig_both "MySQL->PG" $total "$mybytes" "$myu/sbtest" "$pgb/d_mp" 2
if command -v pgloader >/dev/null; then
	t_pgloader() {
		newpg p_mp; rm -rf "$work/pgl"
		run pgloader pgloader --root-dir "$work/pgl" "$work/pgl.load"
	}
	cat >"$work/pgl.load" <<EOF2
LOAD DATABASE FROM $myu/sbtest INTO $pgb/p_mp
WITH include drop, create tables, create indexes, reset sequences, foreign keys,
     downcase identifiers, workers = 2, concurrency = 1, prefetch rows = 25000;
EOF2
	trial "MySQL->PG" "pgloader (2 workers, tuned)" $total "$mybytes" "$myu/sbtest" "$pgb/p_mp" "" t_pgloader
else missing "MySQL->PG" pgloader pgloader; fi

# PostgreSQL -> PostgreSQL
dbmig_both "PG->PG" $total "$pgbytes" "$pgb/sbtest" "$pgb/d_pp" 2
t_pgdump() {
	newpg p_pp; rm -rf "$work/pgd"
	run pg_dump pg_dump -Fd -j 2 -f "$work/pgd" "$pgb/sbtest"
	run pg_restore pg_restore -j 2 -d "$pgb/p_pp" "$work/pgd"
}
trial "PG->PG" "pg_dump -Fd -j2 + pg_restore -j2" $total "$pgbytes" "$pgb/sbtest" "$pgb/p_pp" "" t_pgdump
if command -v pgcopydb >/dev/null; then
	t_pgcopydb() {
		newpg c_pp; rm -rf "$work/pgcopydb"
		run pgcopydb env PGCOPYDB_SOURCE_PGURI="$pgb/sbtest" PGCOPYDB_TARGET_PGURI="$pgb/c_pp" \
			pgcopydb clone --table-jobs 2 --index-jobs 2 --dir "$work/pgcopydb"
	}
	trial "PG->PG" "pgcopydb clone, 2 jobs" $total "$pgbytes" "$pgb/sbtest" "$pgb/c_pp" "" t_pgcopydb
else missing "PG->PG" pgcopydb pgcopydb; fi

# MySQL -> MySQL
dbmig_both "MySQL->MySQL" $total "$mybytes" "$myu/sbtest" "$myu/d_mm" 2
if command -v mydumper >/dev/null && command -v myloader >/dev/null; then
	t_mydumper() {
		newmy m_mm; rm -rf "$work/myd"
		run mydumper mydumper -h 127.0.0.1 -P "$MY_PORT" -u root -B sbtest -t 2 -c -o "$work/myd"
		run myloader myloader -h 127.0.0.1 -P "$MY_PORT" -u root -B m_mm -s sbtest -t 2 -d "$work/myd"
	}
	trial "MySQL->MySQL" "mydumper -t2 -c + myloader -t2" $total "$mybytes" "$myu/sbtest" "$myu/m_mm" "" t_mydumper
else missing "MySQL->MySQL" "mydumper + myloader" mydumper; fi

# One table, one stream: dbmig beside the raw pipe that is its lower bound
dbmig_both "PG->PG 1 table" "$rows" "$pg1" "$pgb/sbtest" "$pgb/d1_pp" 1 sbtest1
t_raw_pp() {
	newpg raw_pp; psql -X -q "$pgb/raw_pp" -f "$work/sbtest1.sql" >/dev/null
	run pipe bash -c "psql -X -c 'COPY sbtest1 TO STDOUT' '$pgb/sbtest' | psql -X -c 'COPY sbtest1 FROM STDIN' '$pgb/raw_pp'"
	run keys psql -X -q -f "$work/sbtest1-post.sql" "$pgb/raw_pp"
}
trial "PG->PG 1 table" "COPY TO | COPY FROM" "$rows" "$pg1" "$pgb/sbtest" "$pgb/raw_pp" sbtest1 t_raw_pp

dbmig_both "MySQL->PG 1 table" "$rows" "$my1" "$myu/sbtest" "$pgb/d1_mp" 1 sbtest1
t_raw_mp() {
	newpg raw_mp; psql -X -q "$pgb/raw_mp" -f "$work/sbtest1.sql" >/dev/null
	run pipe bash -c "mariadb --no-defaults -h 127.0.0.1 -P $MY_PORT -uroot -N -B -e 'SELECT * FROM sbtest.sbtest1' | psql -X -c 'COPY sbtest1 FROM STDIN' '$pgb/raw_mp'"
	run keys psql -X -q -f "$work/sbtest1-post.sql" "$pgb/raw_mp"
}
trial "MySQL->PG 1 table" "SELECT | COPY FROM" "$rows" "$my1" "$myu/sbtest" "$pgb/raw_mp" sbtest1 t_raw_mp

dbmig_both "PG->MySQL 1 table" "$rows" "$pg1" "$pgb/sbtest" "$myu/d1_pm" 1 sbtest1
t_raw_pm() {
	newmy raw_pm; my raw_pm -e "CREATE TABLE sbtest1 LIKE sbtest.sbtest1; ALTER TABLE sbtest1 DROP INDEX k_1"
	run pipe bash -c "psql -X -c 'COPY sbtest1 TO STDOUT' '$pgb/sbtest' | mariadb --no-defaults --local-infile=1 -h 127.0.0.1 -P $MY_PORT -uroot raw_pm -e \"LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE sbtest1\""
	run keys mariadb --no-defaults -h 127.0.0.1 -P "$MY_PORT" -uroot raw_pm -e "ALTER TABLE sbtest1 ADD INDEX k_1 (k)"
}
trial "PG->MySQL 1 table" "COPY TO | LOAD DATA" "$rows" "$pg1" "$pgb/sbtest" "$myu/raw_pm" sbtest1 t_raw_pm
echo "(÷dump+ld, ÷copy: the peer's wall over dbmig's; on the raw-pipe rows, dbmig's wall over the pipe's)"
