#!/usr/bin/env bash
# cdc-mysql.sh [TRANSACTIONS] - change capture from MariaDB, catch-up and
# steady lag: a backlog of sysbench oltp_write_only transactions (default
# 250000, 4 row changes each: 1,000,000 changes) made after online dumps
# and their loads, then applied by
#   dbmig cdc-tail -o FILE           (read and decode only)
#   dbmig cdc-tail --until-caught-up into PostgreSQL and into MariaDB,
#   MariaDB's own replication: a second server as a replica of the
#   source from the dump's binlog position (its SQL thread, with
#   slave_parallel_threads 0 and 4, the best one counts),
# on the same backlog, printing changes per second and peak RSS; then the
# steady lag of a tail into PostgreSQL under oltp_write_only --threads=4
# for 60 s: p50 and p99 of the tail's own lag (--progress=json, each
# second). Each result is checked with dbmig verify. A script that prints
# figures, not a test; run it several times and compare within a run.
set -euo pipefail
. "$(dirname "$0")/common.sh"
tx=${1:-250000}
bench_start pg mysql
servers_start_mysql2 >/dev/null
changes=$((tx * 4))
src="$myu/src"
my2() { mariadb --no-defaults -h 127.0.0.1 -P "$MY2_PORT" -uroot "$@"; }
sb() {
	sysbench "$1" --tables=4 --table-size=100000 --rand-seed=11 --db-driver=mysql \
		--mysql-host=127.0.0.1 --mysql-port="$MY_PORT" --mysql-user=root --mysql-db=src "${@:2}"
}

report() {	# report LABEL WALL RSS
	printf '%-50s %8.2f s %10.0f changes/s %11s\n' "$1" "$2" "$(echo "$changes / $2" | bc -l)" "$3"
}

measure() {	# measure LABEL CMD...
	local label=$1; shift
	settle
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || { tail -5 "$work/out"; echo "$label FAILED"; return 1; }
	read -r wall rss <"$work/time"
	report "$label" "$wall" "$(echo "$rss / 1024" | bc -l | xargs printf '%.1f MB')"
}

# the source, and one online dump per consumer (one load per dump)
newmy src
sb oltp_write_only prepare >/dev/null 2>&1
./dbmig -q dump --online -j 2 "$src" -o "$work/dp" >/dev/null
cp -a "$work/dp" "$work/dm"
cp -a "$work/dp" "$work/dj"
cp -a "$work/dp" "$work/dr"
newpg dst_pg
./dbmig -q load -j 2 "$work/dp" "$pgb/dst_pg" >/dev/null 2>&1
my2 -e "CREATE DATABASE dst_my; CREATE DATABASE src"
./dbmig -q load -j 2 "$work/dm" "mysql://root@127.0.0.1:$MY2_PORT/dst_my" >/dev/null 2>&1
# the native replica's copy of the same snapshot, then its source position
./dbmig -q load -j 2 "$work/dr" "mysql://root@127.0.0.1:$MY2_PORT/src" >/dev/null 2>&1
my2 -e "DROP TABLE IF EXISTS src._dbmig_load_ledger, src._dbmig_cdc_state"
pos=$(jq -r .snapshot.position "$work/dp/manifest.json")
my2 -e "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $MY_PORT, MASTER_USER = 'root',
	MASTER_LOG_FILE = '${pos%:*}', MASTER_LOG_POS = ${pos##*:}; SET GLOBAL replicate_do_db = 'src'"

sb oltp_write_only --threads=8 --events="$tx" --time=0 run >"$work/sb.log" 2>&1
end=$(my -N -e "SHOW MASTER STATUS" | cut -f1,2)
echo "backlog: $tx sysbench oltp_write_only transactions (4 tables of 100000 rows), $changes row changes; MariaDB $(my -N -e 'SELECT VERSION()'), PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'), $(nproc) cores"
printf '%-50s %10s %20s %11s\n' "catch-up" wall rate "peak RSS"
measure "dbmig cdc-tail -o FILE (JSON lines)" ./dbmig -q cdc-tail "$src" --from "$work/dj" -o "$work/changes.jsonl" --until-caught-up
measure "dbmig cdc-tail -> PostgreSQL" ./dbmig -q cdc-tail "$src" "$pgb/dst_pg" --until-caught-up
measure "dbmig cdc-tail -> MariaDB" ./dbmig -q cdc-tail "$src" "mysql://root@127.0.0.1:$MY2_PORT/dst_my" --until-caught-up

# the native replica: from START SLAVE until its SQL thread executed the
# backlog's end, with slave_parallel_threads 0, then 4 (the same
# backlog again, from the dump's position on a reloaded copy)
best=
for threads in 0 4; do
	if [ "$threads" != 0 ]; then
		my2 -e "STOP SLAVE; RESET SLAVE; DROP DATABASE src; CREATE DATABASE src"
		rm -f "$work/dr/online-target"
		./dbmig -q load -j 2 "$work/dr" "mysql://root@127.0.0.1:$MY2_PORT/src" >/dev/null 2>&1
		my2 -e "DROP TABLE IF EXISTS src._dbmig_load_ledger, src._dbmig_cdc_state"
		my2 -e "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $MY_PORT, MASTER_USER = 'root',
			MASTER_LOG_FILE = '${pos%:*}', MASTER_LOG_POS = ${pos##*:}"
	fi
	my2 -e "SET GLOBAL slave_parallel_threads = $threads"
	settle
	t0=$(date +%s.%N)
	my2 -e "START SLAVE"
	read -r efile epos <<<"$end"
	until my2 -e "SHOW SLAVE STATUS\G" | awk -v f="$efile" -v p="$epos" '
		/ Relay_Master_Log_File:/ { rf = $2 } / Exec_Master_Log_Pos:/ { ep = $2 }
		/ Last_SQL_Error: ./ { print "ERROR " $0 > "/dev/stderr"; exit 2 }
		END { exit !(rf == f && ep >= p) }'; do
		sleep 0.2
	done
	wall=$(echo "$(date +%s.%N) - $t0" | bc -l)
	report "MariaDB replica (slave_parallel_threads=$threads)" "$wall" "(server)"
	if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc -l)" = 1 ]; then best=$wall; fi
	my2 -e "STOP SLAVE"
done
for t in "$pgb/dst_pg" "mysql://root@127.0.0.1:$MY2_PORT/dst_my" "mysql://root@127.0.0.1:$MY2_PORT/src"; do
	./dbmig -q verify "$src" "$t" >/dev/null && echo "verify ${t##*/}: equal" || echo "verify ${t##*/}: DIFFERENT"
done

# steady lag into PostgreSQL under oltp_write_only --threads=4 for 60 s
settle
/usr/bin/time -f '%M' -o "$work/rss" ./dbmig cdc-tail --progress=json "$src" "$pgb/dst_pg" 2>"$work/tail.json" &
tail_pid=$!
sleep 2
sb oltp_write_only --threads=4 --time=60 run >"$work/sb2.log" 2>&1
sleep 2
kill -TERM "$(pgrep -P "$tail_pid" dbmig || echo "$tail_pid")" 2>/dev/null || true
wait "$tail_pid" || true
tps=$(grep -o 'transactions: *[0-9]* *([0-9.]* per sec' "$work/sb2.log" | grep -o '[0-9.]* per sec' || echo '?')
jq -r 'select(.event == "cdc_progress") | .lag_seconds' "$work/tail.json" | sort -n | awk -v tps="$tps" -v rss="$(cat "$work/rss" 2>/dev/null || echo 0)" '{ v[NR] = $1 } END {
	printf "steady lag into PostgreSQL under oltp_write_only --threads=4 for 60 s (%s): p50 %.2f s, p99 %.2f s, max %.2f s (%d samples); peak RSS %.1f MB\n", tps, v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1], v[NR], NR, rss / 1024 }'
