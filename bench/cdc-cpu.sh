#!/usr/bin/env bash
# cdc-cpu.sh [TRANSACTIONS] - where a catch-up into PostgreSQL spends its
# CPU: a backlog of pgbench transactions (default 100000, 4 row changes
# each) applied by dbmig cdc-tail --until-caught-up, with the CPU seconds
# of the source's walsender, the tail and the target's backend over the
# run, sampled from /proc. Which of the three is the limit says what to
# make faster; on two cores their sum over the wall time says how much
# they overlap. A script that prints figures, not a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
tx=${1:-100000}
bench_start pg
newpg src
pgbench -q -i -s 10 "$pgb/src" >/dev/null 2>&1
./dbmig -q dump --online --replica-identity-full -t 'public.*' -j 2 "$pgb/src" -o "$work/d" >/dev/null
newpg dst
./dbmig -q load -j 2 "$work/d" "$pgb/dst" >/dev/null
pgbench -c 4 -t "$((tx / 4))" -n "$pgb/src" >"$work/pgbench.log" 2>&1
psql -X -q "$pgb/src" -c CHECKPOINT
sync

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
start=$(date +%s.%N)
./dbmig -q cdc-tail "$pgb/src" "$pgb/dst" --until-caught-up >"$work/out" 2>&1 &
tail_pid=$!
ws= tb=
until [ -n "$ws" ] && [ -n "$tb" ]; do
	ws=$(psql -X -At "$pgb/postgres" -c "SELECT active_pid FROM pg_replication_slots WHERE active AND database = 'src'")
	tb=$(psql -X -At "$pgb/postgres" -c "SELECT pid FROM pg_stat_activity WHERE datname = 'dst' AND backend_type = 'client backend' LIMIT 1")
	kill -0 "$tail_pid" 2>/dev/null || break
done
declare -A first last
for p in "$ws" "$tb" "$tail_pid"; do first[$p]=$(ticks "$p"); last[$p]=${first[$p]}; done
while kill -0 "$tail_pid" 2>/dev/null; do
	for p in "$ws" "$tb" "$tail_pid"; do
		t=$(ticks "$p") && [ -n "$t" ] && last[$p]=$t
	done
	sleep 0.1
done
wait "$tail_pid"
wall=$(echo "$(date +%s.%N) - $start" | bc -l)
hz=$(getconf CLK_TCK)
cpu() { echo "(${last[$1]} - ${first[$1]}) / $hz" | bc -l | xargs printf '%.2f'; }
printf 'backlog %d changes: wall %.2f s (%.0f changes/s, with start-up); CPU seconds: walsender %s, dbmig %s, target backend %s\n' \
	"$((tx * 4))" "$wall" "$(echo "$tx * 4 / $wall" | bc -l)" "$(cpu "$ws")" "$(cpu "$tail_pid")" "$(cpu "$tb")"
grep 'cdc-tail done' "$work/out" || cat "$work/out"
