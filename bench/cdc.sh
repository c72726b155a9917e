#!/usr/bin/env bash
# cdc.sh [TRANSACTIONS] - change capture catch-up: a backlog of pgbench
# transactions (default 50000, 4 row changes each: 200000 changes) made
# after an online dump and its load, then applied by
#   dbmig cdc-tail --until-caught-up   into PostgreSQL and into MariaDB,
#   PostgreSQL's own logical replication (CREATE SUBSCRIPTION, one apply
#   worker) on the same backlog,
# printing changes per second and peak RSS; then the steady lag of a tail
# that keeps pace with pgbench -c 4 for 30 s (p50 and p99 of the gap
# between the source's position and the tail's, sampled every 0.5 s).
# Each result is checked with dbmig verify. A script that prints figures,
# not a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
tx=${1:-50000}
bench_start pg mysql
changes=$((tx * 4))

measure() {	# measure LABEL CMD...
	local label=$1; shift
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || { tail -5 "$work/out"; echo "$label FAILED"; return 1; }
	read -r wall rss <"$work/time"
	printf '%-52s %8.2f s %10.0f changes/s %8.1f MB\n' "$label" "$wall" \
		"$(echo "$changes / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

# one source with a backlog after two online dumps (one slot serves one
# target), loaded into PostgreSQL and into MariaDB
newpg src
pgbench -q -i -s 4 "$pgb/src" >/dev/null 2>&1
./dbmig -q dump --online --replica-identity-full -j 2 "$pgb/src" -o "$work/d" >/dev/null
./dbmig -q dump --online --replica-identity-full -j 2 "$pgb/src" -o "$work/dm" >/dev/null
newpg dst_pg
./dbmig -q load -j 2 "$work/d" "$pgb/dst_pg" >/dev/null
newmy dst_my
./dbmig -q load -j 2 "$work/dm" "$myu/dst_my" >/dev/null 2>&1
# PostgreSQL's own subscription starts from a copy of the same snapshot
newpg dst_sub
./dbmig -q load -j 2 "$work/d" "$pgb/dst_sub" >/dev/null
psql -X -q "$pgb/src" -c "CREATE PUBLICATION bench_pub FOR ALL TABLES" \
	-c "SELECT pg_create_logical_replication_slot('bench_sub', 'pgoutput')" >/dev/null
# the slot made apart: a subscription into the same cluster would wait on itself
psql -X -q "$pgb/dst_sub" -c "CREATE SUBSCRIPTION bench_sub CONNECTION '$pgb/src' PUBLICATION bench_pub WITH (copy_data = false, enabled = false, create_slot = false, slot_name = 'bench_sub')"
pgbench -c 4 -t "$((tx / 4))" -n "$pgb/src" >"$work/pgbench.log" 2>&1
echo "backlog: $tx pgbench transactions, $changes row changes; PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'), MariaDB $(my -N -e 'SELECT VERSION()'), $(nproc) cores"
printf '%-52s %10s %20s %11s\n' "catch-up" wall rate "peak RSS"
measure "dbmig cdc-tail -> MariaDB" ./dbmig -q cdc-tail "$pgb/src" "$myu/dst_my" --until-caught-up
measure "dbmig cdc-tail -> PostgreSQL" ./dbmig -q cdc-tail "$pgb/src" "$pgb/dst_pg" --until-caught-up
end=$(psql -X -At "$pgb/src" -c "SELECT pg_current_wal_insert_lsn()")
sub_start=$(date +%s.%N)
psql -X -q "$pgb/dst_sub" -c "ALTER SUBSCRIPTION bench_sub ENABLE"
until [ "$(psql -X -At "$pgb/src" -c "SELECT coalesce(bool_and(confirmed_flush_lsn >= '$end'), false) FROM pg_replication_slots WHERE slot_name = 'bench_sub'")" = t ]; do sleep 0.2; done
sub_wall=$(echo "$(date +%s.%N) - $sub_start" | bc -l)
printf '%-52s %8.2f s %10.0f changes/s %11s\n' "PostgreSQL subscription (1 apply worker)" "$sub_wall" "$(echo "$changes / $sub_wall" | bc -l)" "(server)"
if command -v pgcopydb >/dev/null; then
	echo "pgcopydb follow: installed, not measured by this script yet"
else
	echo "pgcopydb follow: not installed (apt-get install pgcopydb)"
fi
for t in "$pgb/dst_pg" "$myu/dst_my" "$pgb/dst_sub"; do
	./dbmig -q verify "$pgb/src" "$t" >/dev/null && echo "verify $t: equal" || echo "verify $t: DIFFERENT"
done

# steady lag under pgbench -c 4 for 30 s, into PostgreSQL
./dbmig -q cdc-tail "$pgb/src" "$pgb/dst_pg" 2>"$work/tail.log" &
tail_pid=$!
pgbench -c 4 -T 30 -n "$pgb/src" >"$work/pgbench2.log" 2>&1 &
bench_pid=$!
: >"$work/lag"
while kill -0 "$bench_pid" 2>/dev/null; do
	psql -X -At "$pgb/src" -c "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), confirmed_flush_lsn) FROM pg_replication_slots WHERE slot_name = 'dbmig_$(jq -r .dump_id "$work/d/manifest.json")'" >>"$work/lag"
	sleep 0.5
done
kill -TERM "$tail_pid"; wait "$tail_pid" || true
tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench2.log" | head -1)
sort -n "$work/lag" | awk -v tps="$tps" '{ v[NR] = $1 } END {
	printf "steady lag under pgbench -c 4 (%s): p50 %.0f bytes, p99 %.0f bytes of WAL\n",
		tps, v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }'
psql -X -q "$pgb/dst_sub" -c "ALTER SUBSCRIPTION bench_sub DISABLE" -c "ALTER SUBSCRIPTION bench_sub SET (slot_name = NONE)" -c "DROP SUBSCRIPTION bench_sub"
