#!/usr/bin/env bash
# cutover.sh [RUNS] - the write pause of a cutover through PgBouncer, and
# the clients' errors: RUNS times (default 5), a PostgreSQL source
# (pgbench scale 10) is migrated online to a second PostgreSQL server
# (dump --online, load, cdc-tail, a live verify), then, under pgbench -c 4
# writing through PgBouncer (transaction pooling), switched with
#   dbmig cutover-plan --execute --proxy ... --proxy-config ...
# Prints each run's write pause (PAUSE to RESUME, as cutover-plan
# measures it), the lag the readiness probe measured just before, and
# pgbench's failed transactions and aborted clients; then the median and
# the spread, beside the figure the README claims. A script that prints
# figures, not a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
runs=${1:-5}
bench_start pg
bench_target_pg
newpg app_boot
servers_start_pgbouncer app app_boot >/dev/null
admin="postgresql://postgres@127.0.0.1:$PGB_PORT/pgbouncer"

printf '%-4s %12s %10s %18s %16s\n' run "write pause" "lag" "failed tx" "aborted clients"
: >"$work/pauses"
errors_total=0
for i in $(seq 1 "$runs"); do
	newpg "src$i"
	newtpg "dst$i"
	pgbench -q -i -s 10 "$pgb/src$i" >/dev/null 2>&1
	./dbmig -q dump --online --replica-identity-full "$pgb/src$i" -o "$work/d$i" >/dev/null
	./dbmig -q load "$work/d$i" "$tpgb/dst$i" >/dev/null 2>&1
	./dbmig cdc-tail --progress=none "$pgb/src$i" "$tpgb/dst$i" 2>"$work/tail$i.log" &
	tail_pid=$!
	sed -i "s|^app = .*|app = host=127.0.0.1 port=$PG_PORT dbname=src$i|" "$PGB_CONFIG"
	psql -X -q "$admin" -c RELOAD >/dev/null
	pgbench -n -c 4 -T 25 "$PGB_URI" >"$work/bench$i.log" 2>&1 &
	bench=$!
	sleep 5
	./dbmig -q verify "$pgb/src$i" "$tpgb/dst$i"
	./dbmig cutover-plan "$pgb/src$i" "$tpgb/dst$i" --execute --proxy "$PGB_ADMIN_URI" \
		--proxy-config "$PGB_CONFIG" >"$work/cut$i.log" 2>&1 || { cat "$work/cut$i.log"; exit 1; }
	wait "$bench" || true
	wait "$tail_pid" || true
	pause=$(sed -n 's/^write pause: \([0-9.]*\) s.*/\1/p' "$work/cut$i.log")
	lag=$(sed -n 's/.*applied on the target \([0-9.]*\) s later.*/\1/p' "$work/cut$i.log")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/bench$i.log")
	aborted=$(grep -c "aborted" "$work/bench$i.log" || true)
	errors_total=$((errors_total + ${failed:-0} + aborted))
	echo "$pause" >>"$work/pauses"
	printf '%-4s %10s s %8s s %18s %16s\n' "$i" "$pause" "$lag" "${failed:-?}" "$aborted"
done
sort -n "$work/pauses" >"$work/sorted"
median=$(awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$work/sorted")
echo
printf 'write pause: median %s s, spread %s to %s s, over %d runs; client errors: %d\n' \
	"$median" "$(head -1 "$work/sorted")" "$(tail -1 "$work/sorted")" "$runs" "$errors_total"
echo "README claims: $(grep -o 'write pause of [^.]*' README.md | head -1)"
