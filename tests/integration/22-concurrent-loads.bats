#!/usr/bin/env bats
# Exactly once under concurrency: two loads of one dump into one target
# started at the same instant, ten times on each engine: both succeed,
# one waits for the other, and no row is ever loaded twice (a table
# without a primary key would show it). And on MariaDB, a chunk the ledger
# already holds is never committed again, whatever the ledger's state says.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db cl_src)
	psql_at "$src" "CREATE TABLE events (a int, b text, c timestamptz);
		INSERT INTO events SELECT g, repeat('x', 40) || g, '2024-01-01'::timestamptz + g * interval '1 s'
		  FROM generate_series(1, 40000) g;
		CREATE TABLE child (id int PRIMARY KEY, e int);
		INSERT INTO child SELECT g, g FROM generate_series(1, 500) g" >/dev/null
	dbmig -q dump -j 2 --chunk-size 256k "$src" -o "$BATS_FILE_TMPDIR/d" >/dev/null
}

# (A loop variable named i is not safe around bats' run, which sets its own.)
# two_loads URI: two loads of the dump into URI at once; both must exit 0.
two_loads() {
	local p1 p2 s1=0 s2=0
	dbmig -q load -j 2 "$BATS_FILE_TMPDIR/d" "$1" >"$BATS_TEST_TMPDIR/l1.log" 2>&1 &
	p1=$!
	dbmig -q load -j 2 "$BATS_FILE_TMPDIR/d" "$1" >"$BATS_TEST_TMPDIR/l2.log" 2>&1 &
	p2=$!
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	if [ "$s1" != 0 ] || [ "$s2" != 0 ]; then
		cat "$BATS_TEST_TMPDIR/l1.log" "$BATS_TEST_TMPDIR/l2.log"
		return 1
	fi
}

@test "two loads of one dump at once into MariaDB, ten times: both succeed, no row twice" {
	total=$(jq '[.schema.tables[].chunks[]] | length' "$BATS_FILE_TMPDIR/d/manifest.json")
	[ "$total" -gt 4 ]
	for trial in $(seq 1 10); do
		dst=$(new_mydb "cl_my_$trial")
		two_loads "$dst"
		run -0 my_sql "cl_my_$trial" -e "SELECT COUNT(*), COUNT(DISTINCT a) FROM events"
		assert_output "$(printf '40000\t40000')"
		run -0 my_sql "cl_my_$trial" -e "SELECT COUNT(*) FROM _dbmig_load_ledger WHERE item LIKE 'chunk:%' AND state = 'done'"
		assert_output "$total"
	done
}

@test "two loads of one dump at once into PostgreSQL, ten times: both succeed, no row twice" {
	total=$(jq '[.schema.tables[].chunks[]] | length' "$BATS_FILE_TMPDIR/d/manifest.json")
	for trial in $(seq 1 10); do
		dst=$(new_db "cl_pg_$trial")
		two_loads "$dst"
		run -0 psql_at "$dst" "SELECT count(*), count(DISTINCT a) FROM events"
		assert_output "40000|40000"
		run -0 psql_at "$dst" "SELECT count(*) FROM _dbmig.load_ledger WHERE item LIKE 'chunk:%'"
		assert_output "$total"
	done
}

@test "the second load says it waited and found the work done" {
	dst=$(new_db cl_pg_wait)
	DBMIG_TEST_CHUNK_DELAY_MS=100 dbmig load -j 2 "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null 2>&1 &
	p1=$!
	sleep 0.5
	run -0 dbmig load "$BATS_FILE_TMPDIR/d" "$dst"
	wait "$p1"
	assert_output --partial "another load of dump"
	assert_output --partial "chunks loaded 0"
}

@test "MariaDB: a chunk the ledger holds is never committed twice" {
	dst=$(new_mydb cl_my_twice)
	run -0 dbmig load "$BATS_FILE_TMPDIR/d" "$dst"
	id=$(jq -r .dump_id "$BATS_FILE_TMPDIR/d/manifest.json")
	# As if the ledger had lost track of one chunk being done:
	chunk=$(jq -r '.schema.tables[] | select(.name == "events") | .chunks[1].file' "$BATS_FILE_TMPDIR/d/manifest.json")
	my_sql cl_my_twice -e "UPDATE _dbmig_load_ledger SET state = 'started' WHERE dump_id = '$id' AND item = 'chunk:$chunk'"
	run -4 dbmig load "$BATS_FILE_TMPDIR/d" "$dst"
	assert_output --partial "Duplicate entry"
	run -0 my_sql cl_my_twice -e "SELECT COUNT(*) FROM child"
	assert_output 500
	run -0 my_sql cl_my_twice -e "SELECT COUNT(*) FROM events"
	assert_output 40000
}

@test "MariaDB: a chunk undone by a lock wait timeout is tried again, said, and loads" {
	dst=$(new_mydb cl_my_wait)
	run -0 dbmig load --schema-only "$BATS_FILE_TMPDIR/d" "$dst"
	my_sql -e "SET GLOBAL innodb_lock_wait_timeout = 1"
	# Another session holds a row lock on child's key 1 for 3 seconds.
	my_sql cl_my_wait -e "BEGIN; INSERT INTO child VALUES (1, 0); SELECT SLEEP(3); ROLLBACK" >/dev/null &
	holder=$!
	sleep 0.5
	run dbmig load --data-only "$BATS_FILE_TMPDIR/d" "$dst"
	wait "$holder"
	my_sql -e "SET GLOBAL innodb_lock_wait_timeout = 50"
	assert_success
	assert_output --partial "Lock wait timeout exceeded"
	assert_output --partial "trying again (2 of 4)"
	run -0 my_sql cl_my_wait -e "SELECT COUNT(*) FROM child"
	assert_output 500
}

