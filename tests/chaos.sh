#!/usr/bin/env bash
# chaos.sh - the larger versions of the fault and hostile-input tests that
# `make check` runs on small data: loads killed at random instants, two
# loads of one dump at once, connections cut mid-load, FIFOs, a
# decompression bomb, and random damage to manifests and chunks. Prints
# one row per case with its trials and outcomes; exits 1 if any trial
# broke a promise (a duplicate, a lost row, a hang, an exit status other
# than the documented one). The online cases (cdc-tail under faults) are
# in tests/chaos_online.bash.
#
#   tests/chaos.sh            CHAOS_TRIALS=N trials per case (default 10)
#                             CHAOS_ROWS=N rows per source table (default 200000)
#                             CHAOS_CASES=offline|online|all (default all)
#
# Runs against throwaway servers from tests/servers.sh (or the ones named
# by DBMIG_TEST_PG_URI / DBMIG_TEST_MYSQL_URI), like the test suites.
set -u
cd "$(dirname "$0")/.." || exit 2
export PATH="$PWD:$PATH" REPO_ROOT=$PWD
export PGOPTIONS="-c client_min_messages=warning"	# no NOTICE from DROP ... IF EXISTS
. tests/servers.sh
. tests/helpers/db.bash
. tests/chaos_online.bash

TRIALS=${CHAOS_TRIALS:-10}
ROWS=${CHAOS_ROWS:-200000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dbmig-chaos.XXXXXX")
broken=0
rows_out=()

cleanup() {
	online_cleanup
	servers_stop_all >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# row CASE TRIALS OUTCOME BROKEN: one line of the final table
row() {
	rows_out+=("$(printf '%-52s %6s  %-44s %s' "$1" "$2" "$3" "$4")")
	[ "$4" = 0 ] || broken=1
	printf '  %-52s %6s  %-44s broken: %s\n' "$1" "$2" "$3" "$4" >&2
}

rand_ms() {	# rand_ms LO HI: a random number of milliseconds in [LO, HI)
	echo $(($1 + RANDOM % ($2 - $1)))
}

sleep_ms() {
	sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
}

setup_data() {
	echo "chaos: starting servers and making $ROWS-row sources" >&2
	servers_start_pg >/dev/null && servers_start_mysql >/dev/null || {
		echo "chaos: cannot start the servers" >&2; exit 2; }
	new_db csrc >/dev/null
	psql_at "$(pg_uri csrc)" "
		CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2),
			opened timestamptz, tags text[]);
		INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, timestamptz '2024-01-01' + g * interval '1 min',
			ARRAY['t' || g % 7] FROM generate_series(1, $ROWS) g;
		CREATE TABLE blob (v text);
		INSERT INTO blob VALUES ('small');
		CREATE TABLE events (a int, b text, c timestamptz);
		INSERT INTO events SELECT g % 1000, md5(g::text), timestamptz '2024-01-01' + g * interval '1 s'
			FROM generate_series(1, $ROWS) g;
		ANALYZE" >/dev/null
	new_mydb cmsrc >/dev/null
	my_sql cmsrc -e "SET max_recursive_iterations = 10000000;
		CREATE TABLE orders (id int PRIMARY KEY, customer varchar(40) NOT NULL, amount decimal(12,2),
			placed datetime(6), paid tinyint(1) NOT NULL DEFAULT 0);
		INSERT INTO orders WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $ROWS)
			SELECT n, CONCAT('customer ', n % 5000), n * 0.25, '2024-01-01' + INTERVAL n SECOND, n % 2 FROM g;
		CREATE TABLE clicks (a int, b varchar(64));
		INSERT INTO clicks WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $ROWS)
			SELECT n % 1000, MD5(n) FROM g;
		ANALYZE TABLE orders, clicks" >/dev/null
	dbmig -q dump -j 2 --chunk-size 2M "$(pg_uri csrc)" -o "$WORK/pg" >/dev/null
	dbmig -q dump -j 2 --chunk-size 2M "$(my_uri cmsrc)" -o "$WORK/my" >/dev/null
}

# kill_trials LABEL DUMP SOURCE NEWDB: loads killed with SIGKILL at a random
# instant, then run again; the target must verify equal to the source.
kill_trials() {
	local label=$1 dump=$2 src=$3 newdb=$4 equal=0 other=0 dst ms t
	for t in $(seq 1 "$TRIALS"); do
		dst=$($newdb "ck_$t")
		ms=$(rand_ms 100 2500)
		dbmig -q load -j 2 --unbounded-numeric=decimal "$dump" "$dst" >/dev/null 2>&1 &
		sleep_ms "$ms"
		kill -9 $! 2>/dev/null
		wait $! 2>/dev/null
		if dbmig -q load -j 2 --unbounded-numeric=decimal "$dump" "$dst" >"$WORK/out" 2>&1 &&
			dbmig -q verify "$src" "$dst" >>"$WORK/out" 2>&1; then
			equal=$((equal + 1))
		else
			other=$((other + 1))
			echo "chaos: $label trial $t (killed at $ms ms):" >&2
			sed 's/^/    /' "$WORK/out" >&2
		fi
	done
	row "$label" "$TRIALS" "equal after a rerun: $equal" "$other"
}

# concurrent_trials LABEL DUMP SOURCE NEWDB: two loads of one dump into one
# target at the same instant; both must succeed and nothing be doubled.
concurrent_trials() {
	local label=$1 dump=$2 src=$3 newdb=$4 equal=0 other=0 dst t a b
	for t in $(seq 1 "$TRIALS"); do
		dst=$($newdb "cc_$t")
		dbmig -q load -j 2 "$dump" "$dst" >"$WORK/a" 2>&1 &
		a=$!
		dbmig -q load -j 2 "$dump" "$dst" >"$WORK/b" 2>&1 &
		b=$!
		wait $a; ra=$?
		wait $b; rb=$?
		if [ $ra = 0 ] && [ $rb = 0 ] && dbmig -q verify "$src" "$dst" >"$WORK/out" 2>&1; then
			equal=$((equal + 1))
		else
			other=$((other + 1))
			echo "chaos: $label pair $t: exits $ra and $rb" >&2
			cat "$WORK/a" "$WORK/b" "$WORK/out" | sed 's/^/    /' >&2
		fi
	done
	row "$label" "$TRIALS" "both exit 0, target equal: $equal" "$other"
}

# cut_trials: the target's connections terminated mid-load; the load must
# fail with exit 4 and a rerun finish equal.
cut_trials() {
	local ok=0 cut=0 other=0 dst t rc ms
	for t in $(seq 1 "$TRIALS"); do
		dst=$(new_db "cut_$t")
		ms=$(rand_ms 200 1500)
		DBMIG_TEST_CHUNK_DELAY_MS=300 dbmig -q load -j 2 "$WORK/pg" "$dst" >"$WORK/out" 2>&1 &
		sleep_ms "$ms"
		psql_at "$PG_URI" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = 'cut_$t' AND pid <> pg_backend_pid()" >/dev/null
		wait $!; rc=$?
		if { [ $rc = 4 ] || [ $rc = 0 ]; } && dbmig -q load -j 2 "$WORK/pg" "$dst" >>"$WORK/out" 2>&1 &&
			dbmig -q verify "$(pg_uri csrc)" "$dst" >>"$WORK/out" 2>&1; then
			ok=$((ok + 1))
			[ $rc = 4 ] && cut=$((cut + 1))
		else
			other=$((other + 1))
			echo "chaos: cut trial $t: exit $rc" >&2
			sed 's/^/    /' "$WORK/out" >&2
		fi
	done
	row "PG target: connections cut mid-load, rerun" "$TRIALS" \
		"cut (exit 4): $cut, equal after rerun: $ok" "$other"
}

fifo_trials() {
	local ok=0 other=0 d c rc t0 t
	for t in $(seq 1 "$TRIALS"); do
		rm -rf "$WORK/fifo"
		cp -a "$WORK/pg" "$WORK/fifo"
		if [ $((t % 2)) = 0 ]; then
			c=manifest.json
		else
			c=$(jq -r '[.schema.tables[].chunks[].file] | .[length * '"$RANDOM"' / 32768 | floor]' \
				"$WORK/fifo/manifest.json")
		fi
		rm "$WORK/fifo/$c"
		mkfifo -m 600 "$WORK/fifo/$c"
		t0=$(date +%s)
		timeout 60 dbmig -q load "$WORK/fifo" "$(new_db "fifo_$t")" >"$WORK/out" 2>&1; rc=$?
		timeout 60 dbmig -q verify "$WORK/fifo" "$(pg_uri csrc)" >>"$WORK/out" 2>&1; rv=$?
		if [ $rc = 5 ] && [ $rv = 5 ] && [ $(($(date +%s) - t0)) -lt 30 ] &&
			grep -q "not a regular file" "$WORK/out"; then
			ok=$((ok + 1))
		else
			other=$((other + 1))
			echo "chaos: FIFO trial $t ($c): load $rc, verify $rv" >&2
			sed 's/^/    /' "$WORK/out" >&2
		fi
	done
	row "a FIFO as a chunk or as manifest.json" "$TRIALS" "refused at once, exit 5: $ok" "$other"
}

bomb_trial() {
	local d=$WORK/bomb c size rc rss ms t0
	rm -rf "$d"
	cp -a "$WORK/pg" "$d"
	c=$(jq -r '.schema.tables[] | select(.name == "blob") | .chunks[0].file' "$d/manifest.json")
	# one row of one 1 GiB text value: about 32 kB compressed
	tests/helpers/bomb_chunk.py $((1 << 30)) | zstd -q -19 --check -o "$d/$c.new"
	mv "$d/$c.new" "$d/$c"
	size=$(stat -c %s "$d/$c")
	jq --arg f "$c" --argjson s "$size" \
		'(.schema.tables[].chunks[] | select(.file == $f) | .bytes) = $s | del(.manifest_xxh3_128)' \
		"$d/manifest.json" >"$d/m.new" && mv "$d/m.new" "$d/manifest.json"
	t0=$(date +%s%N)
	"$(command -v gtime || echo /usr/bin/time)" -f '%M' -o "$WORK/rss" timeout 120 dbmig -q load "$d" "$(new_db bomb)" >"$WORK/out" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	rss=$(($(tail -1 "$WORK/rss") / 1024))
	if [ $rc = 5 ] && [ "$rss" -lt 256 ] && grep -q "decompresses to more than" "$WORK/out"; then
		row "decompression bomb: ${size} B chunk, 1 GiB value" 1 \
			"exit 5 in $((ms / 1000)).$((ms % 1000 / 100)) s, peak RSS $rss MB" 0
	else
		row "decompression bomb: ${size} B chunk, 1 GiB value" 1 "exit $rc, peak RSS $rss MB" 1
		sed 's/^/    /' "$WORK/out" >&2
	fi
}

# edit_trials: one random byte of manifest.json changed (to another
# printable byte); every such dump must be refused with exit 5 before
# anything is created on the target.
edit_trials() {
	local refused=0 other=0 d=$WORK/edit n pos t rc dst
	n=$(stat -c %s "$WORK/pg/manifest.json")
	for t in $(seq 1 "$TRIALS"); do
		rm -rf "$d"
		cp -a "$WORK/pg" "$d"
		pos=$(( (RANDOM * 32768 + RANDOM) % n ))
		python3 -c '
import sys, random
p, pos = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
old = b[pos]
b[pos] = random.choice([c for c in range(0x21, 0x7f) if c != old])
open(p, "wb").write(b)' "$d/manifest.json" "$pos"
		dst=$(new_db "edit_$t")
		dbmig -q load "$d" "$dst" >"$WORK/out" 2>&1; rc=$?
		if [ $rc = 5 ] && [ "$(psql_at "$dst" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ]; then
			refused=$((refused + 1))
		else
			other=$((other + 1))
			echo "chaos: manifest edit at byte $pos: exit $rc" >&2
			sed 's/^/    /' "$WORK/out" >&2
		fi
	done
	row "manifest.json: one byte changed at random" "$TRIALS" "refused before any DDL, exit 5: $refused" "$other"
}

# flip_trials: one random byte of one random chunk changed; the load must
# stop with exit 5 naming the chunk, and none of that chunk's rows stay.
flip_trials() {
	local refused=0 other=0 d=$WORK/flip t c n pos rc
	for t in $(seq 1 "$TRIALS"); do
		rm -rf "$d"
		cp -a "$WORK/pg" "$d"
		c=$(jq -r '[.schema.tables[].chunks[].file] | .[length * '"$RANDOM"' / 32768 | floor]' "$d/manifest.json")
		n=$(stat -c %s "$d/$c")
		pos=$(( (RANDOM * 32768 + RANDOM) % n ))
		python3 -c '
import sys
p, pos = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[pos] ^= 0x5a
open(p, "wb").write(b)' "$d/$c" "$pos"
		dbmig -q load -j 2 "$d" "$(new_db "flip_$t")" >"$WORK/out" 2>&1; rc=$?
		if [ $rc = 5 ] && grep -q "$c" "$WORK/out"; then
			refused=$((refused + 1))
		else
			other=$((other + 1))
			echo "chaos: chunk $c byte $pos flipped: exit $rc" >&2
			sed 's/^/    /' "$WORK/out" >&2
		fi
	done
	row "a chunk: one byte flipped at random" "$TRIALS" "refused naming the chunk, exit 5: $refused" "$other"
}

start=$(date +%s)
cases=${CHAOS_CASES:-all}
if [ "$cases" != online ]; then
	setup_data
else
	servers_start_pg >/dev/null && servers_start_mysql >/dev/null || {
		echo "chaos: cannot start the servers" >&2; exit 2; }
fi
echo "chaos: $TRIALS trials per case" >&2
if [ "$cases" != online ]; then
	kill_trials "kill -9 mid-load, rerun: PostgreSQL -> PostgreSQL" "$WORK/pg" "$(pg_uri csrc)" new_db
	kill_trials "kill -9 mid-load, rerun: MariaDB -> PostgreSQL" "$WORK/my" "$(my_uri cmsrc)" new_db
	kill_trials "kill -9 mid-load, rerun: PostgreSQL -> MariaDB" "$WORK/pg" "$(pg_uri csrc)" new_mydb
	concurrent_trials "two loads of one dump at once: into PostgreSQL" "$WORK/pg" "$(pg_uri csrc)" new_db
	concurrent_trials "two loads of one dump at once: into MariaDB" "$WORK/my" "$(my_uri cmsrc)" new_mydb
	cut_trials
	fifo_trials
	bomb_trial
	edit_trials
	flip_trials
fi
[ "$cases" != offline ] && online_cases

echo
printf '%-52s %6s  %-44s %s\n' "case" "trials" "outcome" "broken"
printf '%s\n' "${rows_out[@]}"
echo
echo "$ROWS rows per source table, $(($(date +%s) - start)) s in all; $(dbmig --version 2>/dev/null | head -1)"
exit $broken
