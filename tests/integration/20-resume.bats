#!/usr/bin/env bats
# Exactly once: a load killed with SIGKILL at any point and run again
# finishes with no duplicates and no gaps; a target that drops the
# connection mid-load is resumed the same way; SIGTERM stops a dump
# cleanly and leaves nothing that looks like a dump.

load '../helpers/common'

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	bench=$(new_db bench_src)
	pgbench -q -i -s 1 "$bench" >/dev/null 2>&1
	psql -X -q -v ON_ERROR_STOP=1 "$bench" \
		-c "CREATE TABLE extra (id bigserial PRIMARY KEY, aid int REFERENCES pgbench_accounts, note text)" \
		-c "INSERT INTO extra (aid, note) SELECT g, repeat('x', g % 50) FROM generate_series(1, 20000) g" >/dev/null
	dbmig -q dump -j 2 --chunk-size 256k "$bench" -o "$BATS_FILE_TMPDIR/dump" >/dev/null
}


ledger_chunks() {	# ledger_chunks URI: chunks committed so far
	psql -X -At "$1" -c "SELECT count(*) FROM _dbmig.load_ledger WHERE item LIKE 'chunk:%'" 2>/dev/null || echo 0
}

# kill_load_after URI N: start a slowed load, SIGKILL it once N chunks committed.
kill_load_after() {
	local uri=$1 n=$2 pid
	DBMIG_TEST_CHUNK_DELAY_MS=150 dbmig -q load -j 2 "$BATS_FILE_TMPDIR/dump" "$uri" \
		>"$BATS_TEST_TMPDIR/killed.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do
		[ "$(ledger_chunks "$uri")" -ge "$n" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait "$pid" || true
}

@test "a load killed with SIGKILL three times and rerun gives identical data" {
	dst=$(new_db resume_dst)
	total=$(jq '[.schema.tables[].chunks[]] | length' "$BATS_FILE_TMPDIR/dump/manifest.json")
	[ "$total" -gt 20 ]
	kill_load_after "$dst" 3
	first=$(ledger_chunks "$dst")
	# One condition a line: errexit does not stop on a failure before
	# the last '&&' of a list, so a chain here could never fail.
	[ "$first" -ge 3 ]
	[ "$first" -lt "$total" ]
	kill_load_after "$dst" $((first + 5))
	second=$(ledger_chunks "$dst")
	[ "$second" -gt "$first" ]
	[ "$second" -lt "$total" ]
	kill_load_after "$dst" $((second + 5))
	run -0 dbmig load -j 2 "$BATS_FILE_TMPDIR/dump" "$dst"
	assert_output --partial "already loaded"
	run -0 pgcompare "$(pg_uri bench_src)" "$dst"
	assert_output --partial "equal: 5 tables"
	# Every chunk is in the ledger exactly once.
	run -0 psql_at "$dst" "SELECT count(*), count(DISTINCT item) FROM _dbmig.load_ledger WHERE item LIKE 'chunk:%'"
	assert_output "$total|$total"
}

@test "a load whose target connections are terminated mid-chunk resumes to identical data" {
	dst=$(new_db drop_dst)
	DBMIG_TEST_CHUNK_DELAY_MS=300 dbmig load -j 2 "$BATS_FILE_TMPDIR/dump" "$dst" \
		>"$BATS_TEST_TMPDIR/load.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do
		[ "$(ledger_chunks "$dst")" -ge 2 ] && break
		sleep 0.05
	done
	# The server ends every session of the load, as a restart would.
	psql_at "$dst" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'drop_dst' AND pid <> pg_backend_pid()" >/dev/null
	st=0
	wait "$pid" || st=$?
	assert_equal "$st" 4
	run cat "$BATS_TEST_TMPDIR/load.log"
	assert_output --partial "run the same command again to resume"
	run -0 dbmig load -j 2 "$BATS_FILE_TMPDIR/dump" "$dst"
	run -0 pgcompare "$(pg_uri bench_src)" "$dst"
}

@test "SIGTERM during a dump stops it with exit 8 and removes the partial dump" {
	out="$BATS_TEST_TMPDIR/partial"
	# Tiny chunks and the biggest compression level keep it busy.
	dbmig dump --compress-level 19 --chunk-size 8k "$(pg_uri bench_src)" -o "$out" \
		>"$BATS_TEST_TMPDIR/dump.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do
		[ -n "$(ls "$out" 2>/dev/null)" ] && break
		sleep 0.02
	done
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	assert_equal "$st" 8
	run cat "$BATS_TEST_TMPDIR/dump.log"
	assert_output --partial "interrupted"
	[ ! -e "$out" ]
}
