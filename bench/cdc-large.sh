#!/usr/bin/env bash
# cdc-large.sh [ROWS] [RUNS] - one large source transaction: ROWS rows
# (default 2,000,000, about 130 bytes each) inserted by one INSERT ...
# SELECT, then applied by
#   dbmig cdc-tail --until-caught-up   into PostgreSQL and into MariaDB,
#   PostgreSQL's own logical replication (CREATE SUBSCRIPTION with
#   streaming = on, one apply worker),
#   pg_recvlogical into /dev/null (pgoutput, streaming on): the source's
#   decoding and sending alone, the floor under every consumer.
# The targets are on a PostgreSQL server of their own, so that no
# consumer reads the WAL of another's apply. Each consumer is timed
# from its start until the source's slot has it confirmed past the
# transaction's commit (dbmig confirms after its target's commit, the
# subscription after its flush); the tail's own wall time is given too:
# it goes on until the source frees the WAL it kept (up to 20 s, see
# dbmig-cdc-tail(1)), and the apply alone: from the commit's arrival
# (the server streams the transaction while it runs, and the tail keeps
# it until its commit) to caught up. RUNS times (default 3), each a new transaction of
# new rows: the median and the range. A script that prints figures, not
# a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rows=${1:-2000000}
runs=${2:-3}
bench_start pg mysql
bench_target_pg

newpg src
psql -X -q "$pgb/src" -c "CREATE TABLE big (id bigint PRIMARY KEY, k int NOT NULL, c text, pad text)"
./dbmig -q dump --online "$pgb/src" -o "$work/d" >/dev/null
./dbmig -q dump --online "$pgb/src" -o "$work/dm" >/dev/null
newtpg dst_pg
./dbmig -q load "$work/d" "$tpgb/dst_pg" >/dev/null 2>&1
newmy dst_my
./dbmig -q load "$work/dm" "$myu/dst_my" >/dev/null 2>&1
newtpg dst_sub
psql -X -q "$tpgb/dst_sub" -c "CREATE TABLE big (id bigint PRIMARY KEY, k int NOT NULL, c text, pad text)"
psql -X -q "$pgb/src" -c "CREATE PUBLICATION bench_pub FOR TABLE big" \
	-c "SELECT pg_create_logical_replication_slot('bench_sub', 'pgoutput')" \
	-c "SELECT pg_create_logical_replication_slot('bench_recv', 'pgoutput')" >/dev/null
psql -X -q "$tpgb/dst_sub" -c "CREATE SUBSCRIPTION bench_sub CONNECTION '$pgb/src' PUBLICATION bench_pub WITH (copy_data = false, enabled = false, create_slot = false, slot_name = 'bench_sub', streaming = on)"
slot_pg=dbmig_$(jq -r .dump_id "$work/d/manifest.json")
slot_my=dbmig_$(jq -r .dump_id "$work/dm/manifest.json")

# confirmed SLOT LSN: waits until the source's slot confirmed LSN;
# prints the seconds since START
confirmed() {
	until [ "$(psql -X -At "$pgb/src" -c "SELECT coalesce(confirmed_flush_lsn >= '$2'::pg_lsn, false) FROM pg_replication_slots WHERE slot_name = '$1'")" = t ]; do
		sleep 0.05
	done
	echo "$(date +%s.%N) - $start" | bc -l
}

# tail LABEL SLOT TARGET: one catch-up by dbmig cdc-tail
tail_run() {
	local label=$1 slot=$2 target=$3 pid
	start=$(date +%s.%N)
	# each line of its progress stamped as it comes
	( /usr/bin/time -f '%e %M' -o "$work/time" ./dbmig cdc-tail --progress=json "$pgb/src" "$target" --until-caught-up 2>&1 |
		while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N)" "$l"; done >"$work/out" ) &
	pid=$!
	applied=$(confirmed "$slot" "$last")
	wait "$pid" || { tail -5 "$work/out"; echo "$label FAILED"; exit 1; }
	read -r wall rss <"$work/time"
	# the apply itself: from the commit's arrival to its confirmation
	apply=$(awk -v end="$(echo "$start + $applied" | bc -l)" '/committed: applying it/ && !a { a = $1 }
		END { if (a) printf "%.2f", end - a; else printf "-" }' "$work/out")
	echo "$label|$applied|$wall|$rss|$apply" >>"$work/results"
}

: >"$work/results"
for run in $(seq 1 "$runs"); do
	psql -X -q "$pgb/src" -c "INSERT INTO big SELECT g, g % 1000, md5(g::text), repeat('x', 60) FROM generate_series($(( (run - 1) * rows + 1 )), $(( run * rows ))) g"
	last=$(psql -X -At "$pgb/src" -c "SELECT pg_current_wal_insert_lsn()")
	[ "$run" = 1 ] && echo "one transaction of $rows rows ($(psql -X -At "$pgb/src" -c "SELECT pg_size_pretty(pg_table_size('big') / $run)") of table); PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'), MariaDB $(my -N -e 'SELECT VERSION()'), $(nproc) cores; $runs runs"
	settle
	start=$(date +%s.%N)
	/usr/bin/time -f '%e %M' -o "$work/time" pg_recvlogical -d "$pgb/src" --slot bench_recv --start \
		-o proto_version=2 -o publication_names=bench_pub -o streaming=on --endpos="$last" -f /dev/null
	read -r wall rss <"$work/time"
	echo "pg_recvlogical > /dev/null (the floor)|$wall|$wall|$rss" >>"$work/results"
	settle
	tail_run "dbmig cdc-tail -> PostgreSQL" "$slot_pg" "$tpgb/dst_pg"
	settle
	tail_run "dbmig cdc-tail -> MariaDB" "$slot_my" "$myu/dst_my"
	settle
	start=$(date +%s.%N)
	psql -X -q "$tpgb/dst_sub" -c "ALTER SUBSCRIPTION bench_sub ENABLE"
	applied=$(confirmed bench_sub "$last")
	psql -X -q "$tpgb/dst_sub" -c "ALTER SUBSCRIPTION bench_sub DISABLE"
	echo "PostgreSQL subscription (streaming = on)|$applied|-|(server)" >>"$work/results"
done

printf '%-40s %22s %12s %22s %10s\n' consumer "applied: median" "rows/s" "range" "peak RSS"
for label in "pg_recvlogical > /dev/null (the floor)" "dbmig cdc-tail -> PostgreSQL" "dbmig cdc-tail -> MariaDB" "PostgreSQL subscription (streaming = on)"; do
	grep -F "$label|" "$work/results" | cut -d'|' -f2 | sort -n | awk -v l="$label" -v rows="$rows" \
		-v rss="$(grep -F "$label|" "$work/results" | cut -d'|' -f4 | sort -n | tail -1)" '
		{ v[NR] = $1 } END {
			m = v[int((NR + 1) / 2)]
			printf "%-40s %20.2f s %12.0f %9.2f s - %.2f s %10s\n", l, m, rows / m, v[1], v[NR],
				rss ~ /^[0-9]+$/ ? sprintf("%.1f MB", rss / 1024) : rss }'
done
for label in "dbmig cdc-tail -> PostgreSQL" "dbmig cdc-tail -> MariaDB"; do
	echo "$label: after the commit came, applied in $(grep -F "$label|" "$work/results" | cut -d'|' -f5 | sort -n | tr '\n' ' ')s; whole run, with the wait for the source to free its WAL: $(grep -F "$label|" "$work/results" | cut -d'|' -f3 | sort -n | tr '\n' ' ')s"
done
for t in "$tpgb/dst_pg" "$myu/dst_my" "$tpgb/dst_sub"; do
	./dbmig -q verify -t public.big "$pgb/src" "$t" >/dev/null && echo "verify ${t##*/}: equal" || echo "verify ${t##*/}: DIFFERENT"
done
psql -X -q "$tpgb/dst_sub" -c "ALTER SUBSCRIPTION bench_sub SET (slot_name = NONE)" -c "DROP SUBSCRIPTION bench_sub"
