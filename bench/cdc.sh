#!/usr/bin/env bash
# cdc.sh [TRANSACTIONS] - change capture catch-up: a backlog of pgbench
# transactions (default 250000, 4 row changes each: 1,000,000 changes)
# made after an online dump and its load, then applied by
#   dbmig cdc-tail --until-caught-up   into MariaDB and into PostgreSQL,
#   PostgreSQL's own logical replication (CREATE SUBSCRIPTION, one apply
#   worker),
#   pgcopydb follow (when installed, with wal2json),
# all on the same backlog, printing changes per second and peak RSS; then
# the steady lag of a tail that keeps pace with pgbench -c 4 for 60 s: p50
# and p99 of the tail's own lag in seconds (--progress=json, every 1 s:
# since the oldest transaction not yet applied committed on the source)
# and of the WAL between the source and the slot (sampled every 0.5 s).
# The PostgreSQL targets are on a server of their own, so that no slot
# on the source reads the WAL of another consumer's apply. Each result
# is checked with dbmig verify. A script that prints figures, not a
# test; run it several times (the machine's speed varies from run to
# run, the peers' too) and compare within a run.
set -euo pipefail
. "$(dirname "$0")/common.sh"
tx=${1:-250000}
bench_start pg mysql
bench_target_pg
changes=$((tx * 4))

report() {	# report LABEL WALL RSS_KB
	printf '%-46s %8.2f s %10.0f changes/s %11s\n' "$1" "$2" "$(echo "$changes / $2" | bc -l)" "$3"
}

measure() {	# measure LABEL CMD...
	local label=$1; shift
	settle
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || { tail -5 "$work/out"; echo "$label FAILED"; return 1; }
	read -r wall rss <"$work/time"
	report "$label" "$wall" "$(echo "$rss / 1024" | bc -l | xargs printf '%.1f MB')"
}

# until_lsn URI SQL LSN [LIMIT]: waits until SQL (an LSN on URI)
# reaches LSN; prints the seconds, or fails after LIMIT seconds
until_lsn() {
	local start; start=$(date +%s.%N)
	until [ "$(psql -X -At "$1" -c "SELECT coalesce(($2) >= '$3'::pg_lsn, false)")" = t ]; do
		sleep 0.1
		[ -z "${4:-}" ] || [ "$(echo "$(date +%s.%N) - $start > $4" | bc -l)" = 0 ] || return 1
	done
	echo "$(date +%s.%N) - $start" | bc -l
}

# One source and a backlog after two online dumps of its pgbench tables
# (one slot serves one target), loaded into PostgreSQL and into MariaDB;
# the peers start from loads of the same snapshot, their slots made
# before the backlog too.
newpg src
pgbench -q -i -s 10 "$pgb/src" >/dev/null 2>&1
./dbmig -q dump --online --replica-identity-full -t 'public.*' -j 2 "$pgb/src" -o "$work/d" >/dev/null
./dbmig -q dump --online --replica-identity-full -t 'public.*' -j 2 "$pgb/src" -o "$work/dm" >/dev/null
./dbmig -q dump --online --replica-identity-full -t 'public.*' -j 2 "$pgb/src" -o "$work/dj" >/dev/null
# the peers' targets take the same snapshot's rows from a copy of the
# dump made before its load: load records the one target an online dump
# serves, and the peers need no slot of dbmig's
cp -a "$work/d" "$work/dp"
newtpg dst_pg
./dbmig -q load -j 2 "$work/d" "$tpgb/dst_pg" >/dev/null
newmy dst_my
./dbmig -q load -j 2 "$work/dm" "$myu/dst_my" >/dev/null 2>&1
newtpg dst_sub
./dbmig -q load -j 2 "$work/dp" "$tpgb/dst_sub" >/dev/null
psql -X -q "$pgb/src" -c "CREATE PUBLICATION bench_pub FOR TABLES IN SCHEMA public" \
	-c "SELECT pg_create_logical_replication_slot('bench_sub', 'pgoutput')" >/dev/null
# the slot made apart: a subscription into the same cluster would wait on itself
psql -X -q "$tpgb/dst_sub" -c "CREATE SUBSCRIPTION bench_sub CONNECTION '$pgb/src' PUBLICATION bench_pub WITH (copy_data = false, enabled = false, create_slot = false, slot_name = 'bench_sub')"
pgcopydb_ok=
if command -v pgcopydb >/dev/null && [ -e "$(pg_config --pkglibdir 2>/dev/null)/wal2json.so" -o -e /usr/lib/postgresql/"$(psql -X -At "$pgb/postgres" -c 'SHOW server_version_num' | cut -c1-2)"/lib/wal2json.so ]; then
	newtpg dst_pgc
	cp -a "$work/dp" "$work/dpc"
	./dbmig -q load -j 2 "$work/dpc" "$tpgb/dst_pgc" >/dev/null
	pgcopydb stream setup --source "$pgb/src" --target "$tpgb/dst_pgc" --dir "$work/pgc" \
		--slot-name bench_pgc --origin bench_pgc --not-consistent >"$work/pgc.log" 2>&1 &&
	pgcopydb stream sentinel set apply --source "$pgb/src" >>"$work/pgc.log" 2>&1 && pgcopydb_ok=1
fi
pgbench -c 4 -t "$((tx / 4))" -n "$pgb/src" >"$work/pgbench.log" 2>&1
# the backlog's last transaction commits after this position
last=$(psql -X -At "$pgb/src" -c "SELECT pg_current_wal_insert_lsn()")
psql -X -q "$pgb/src" -c "UPDATE pgbench_branches SET filler = 'end' WHERE bid = 1"
# the backlog's dead rows vacuumed now, not by autovacuum in the middle
# of one consumer's run (every slot reads past the vacuum's WAL alike)
psql -X -q "$pgb/src" -c VACUUM
echo "backlog: $tx pgbench transactions (scale 10), $changes row changes; PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'), MariaDB $(my -N -e 'SELECT VERSION()'), $(nproc) cores"
printf '%-46s %10s %20s %11s\n' "catch-up" wall rate "peak RSS"
# the same changes as JSON lines in a file: one thread reads, decodes
# and encodes each change (no target)
measure "dbmig cdc-tail -o FILE (JSON lines)" ./dbmig -q cdc-tail "$pgb/src" --from "$work/dj" -o "$work/changes.jsonl" --until-caught-up
# the two into PostgreSQL one after the other, before MariaDB's (whose
# server goes on writing for a while after its apply)
measure "dbmig cdc-tail -> PostgreSQL" ./dbmig -q cdc-tail "$pgb/src" "$tpgb/dst_pg" --until-caught-up
settle
psql -X -q "$tpgb/dst_sub" -c "ALTER SUBSCRIPTION bench_sub ENABLE"
report "PostgreSQL subscription (1 apply worker)" \
	"$(until_lsn "$pgb/src" "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'bench_sub'" "$last")" "(server)"
measure "dbmig cdc-tail -> MariaDB" ./dbmig -q cdc-tail "$pgb/src" "$myu/dst_my" --until-caught-up
if [ -n "$pgcopydb_ok" ]; then
	# follow does not stop by itself at --endpos: done when its origin
	# on the target passed the backlog's last commit
	settle
	setsid pgcopydb follow --source "$pgb/src" --target "$tpgb/dst_pgc" --dir "$work/pgc" --slot-name bench_pgc \
		--origin bench_pgc --resume --not-consistent >>"$work/pgc.log" 2>&1 &
	pgc_pid=$!
	pgc_label="pgcopydb follow $(pgcopydb --version 2>&1 | grep -o 'version [0-9][0-9.-]*' | head -1 | cut -d' ' -f2)"
	# given as long as 10000 changes/s would take, and 60 s at least
	limit=$(echo "l = $changes / 10000; if (l < 60) l = 60; l" | bc)
	if pgc_wall=$(until_lsn "$tpgb/dst_pgc" "SELECT pg_replication_origin_progress('bench_pgc', true)" "$last" "$limit"); then
		report "$pgc_label" "$pgc_wall" "(server)"
	else
		printf '%-46s did not catch up within %s s: %s\n' "$pgc_label" "$limit" \
			"$(grep -m1 -o 'ERROR BUG.*' "$work/pgc.log" || grep -m1 -o 'ERROR .*' "$work/pgc.log" || echo 'no error logged')"
		pgcopydb_ok=
	fi
	# (it ignores SIGTERM while its children run)
	kill -KILL -- "-$pgc_pid" 2>/dev/null; wait "$pgc_pid" 2>/dev/null || true
else
	echo "pgcopydb follow: not measured (needs pgcopydb and wal2json: apt-get install pgcopydb postgresql-$(psql -X -At "$pgb/postgres" -c 'SHOW server_version_num' | cut -c1-2)-wal2json)"
fi
for t in "$tpgb/dst_pg" "$myu/dst_my" "$tpgb/dst_sub" ${pgcopydb_ok:+"$tpgb/dst_pgc"}; do
	./dbmig -q verify -t 'public.*' "$pgb/src" "$t" >/dev/null && echo "verify ${t##*/}: equal" || echo "verify ${t##*/}: DIFFERENT"
done

# steady lag under pgbench -c 4 for 60 s, into PostgreSQL; first what
# the source wrote since the catch-up, so the figures are the steady
# state's
./dbmig -q cdc-tail "$pgb/src" "$tpgb/dst_pg" --until-caught-up
# and the dead rows the catch-ups left, vacuumed now rather than by
# autovacuum within the 60 s
psql -X -q "$pgb/src" -c VACUUM
for db in dst_pg dst_sub; do psql -X -q "$tpgb/$db" -c VACUUM; done
settle
./dbmig cdc-tail --progress=json "$pgb/src" "$tpgb/dst_pg" 2>"$work/tail.json" &
tail_pid=$!
sleep 1
pgbench -c 4 -T 60 -n "$pgb/src" >"$work/pgbench2.log" 2>&1 &
bench_pid=$!
: >"$work/lag"
while kill -0 "$bench_pid" 2>/dev/null; do
	psql -X -At "$pgb/src" -c "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), confirmed_flush_lsn) FROM pg_replication_slots WHERE slot_name = 'dbmig_$(jq -r .dump_id "$work/d/manifest.json")'" >>"$work/lag"
	sleep 0.5
done
kill -TERM "$tail_pid"; wait "$tail_pid" || true
tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench2.log" | head -1)
jq -r 'select(.event == "cdc_progress") | .lag_seconds' "$work/tail.json" | sort -n | awk -v tps="$tps" '{ v[NR] = $1 } END {
	printf "steady lag under pgbench -c 4 for 60 s (%s): p50 %.2f s, p99 %.2f s, max %.2f s behind the source'"'"'s commits (%d samples)", tps, v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1], v[NR], NR }'
sort -n "$work/lag" | awk '{ v[NR] = $1 } END { printf "; p50 %.0f, p99 %.0f bytes of WAL\n", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }'
psql -X -q "$tpgb/dst_sub" -c "ALTER SUBSCRIPTION bench_sub DISABLE" -c "ALTER SUBSCRIPTION bench_sub SET (slot_name = NONE)" -c "DROP SUBSCRIPTION bench_sub"
