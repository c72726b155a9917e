#!/usr/bin/env bats
# dump --online and cdc-tail --output: change capture from PostgreSQL that
# starts exactly at the dump's snapshot, written as JSON lines exactly once
# across restarts, and nothing left on the source when a run fails or is
# given up.

load '../helpers/common'

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
}

slots() {	# the replication slots and publications dbmig left on the server
	psql_at "$PG_URI" "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'dbmig\_%'"
}

@test "dump --online: a slot and a publication named from the dump id, and every row written during the dump is in the dump or in the stream, once" {
	before=$(slots)
	src=$(new_db on_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE u (id int PRIMARY KEY);
		INSERT INTO u SELECT generate_series(1, 20000)" >/dev/null
	# one row per transaction while the dump's slot is made and read
	( for i in $(seq 1 1500); do echo "INSERT INTO t VALUES ($i, 'v$i');"; done | psql -X -q "$src" ) &
	writer=$!
	sleep 0.3
	run -0 dbmig dump --online -j 2 "$src" -o "$BATS_TEST_TMPDIR/d"
	wait "$writer"
	id=$(jq -r .dump_id "$BATS_TEST_TMPDIR/d/manifest.json")
	run -0 jq -r '.snapshot | [.kind, .slot, .publication, .position_exact] | join(" ")' \
		"$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output "pg-logical-slot dbmig_$id dbmig_$id true"
	run -0 psql_at "$PG_URI" "SELECT slot_name || ' ' || plugin FROM pg_replication_slots WHERE slot_name = 'dbmig_$id'"
	assert_output "dbmig_$id pgoutput"
	run -0 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$BATS_TEST_TMPDIR/c.jsonl" --until-caught-up
	# every line is JSON
	run -0 jq -e . "$BATS_TEST_TMPDIR/c.jsonl"
	dst=$(new_db on_dst)
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	in_dump=$(psql_at "$dst" "SELECT count(*) FROM t")
	in_stream=$(jq -r 'select(.op == "insert" and .table == "t") | .key.id' "$BATS_TEST_TMPDIR/c.jsonl" | wc -l)
	[ "$in_dump" -gt 0 ] || [ "$in_stream" -gt 0 ]
	assert_equal "$((in_dump + in_stream))" 1500
	# no id in both: the stream starts exactly where the snapshot ends
	psql_at "$dst" "SELECT id FROM t" | sort >"$BATS_TEST_TMPDIR/dump_ids"
	jq -r 'select(.op == "insert" and .table == "t") | .key.id' "$BATS_TEST_TMPDIR/c.jsonl" | sort >"$BATS_TEST_TMPDIR/stream_ids"
	run -0 comm -12 "$BATS_TEST_TMPDIR/dump_ids" "$BATS_TEST_TMPDIR/stream_ids"
	assert_output ""
	run -0 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop
	assert_output --partial "dropped replication slot and publication dbmig_$id"
	run -0 psql_at "$src" "SELECT count(*) FROM pg_publication WHERE pubname = 'dbmig_$id'"
	assert_output 0
	run -0 slots
	assert_output "$before"
}

@test "cdc-tail --output: inserts, updates of the key, deletes, truncates and unchanged TOAST values, in commit order, with commit lines" {
	src=$(new_db ops_src)
	psql_at "$src" "CREATE TABLE a (id int PRIMARY KEY, v text, big text, n numeric(10,2), f float8, arr int[]);
		INSERT INTO a SELECT g, 'v' || g, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)), 1.5, 0.25, '{1,2}'
		FROM generate_series(1, 5) g" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	psql_at "$src" "INSERT INTO a VALUES (100, 'new', 'b', 2.25, 1e300, '{}')" >/dev/null
	psql_at "$src" "UPDATE a SET v = 'upd' WHERE id = 1" >/dev/null
	psql_at "$src" "UPDATE a SET id = 200 WHERE id = 2" >/dev/null
	psql_at "$src" "BEGIN; DELETE FROM a WHERE id = 3; DELETE FROM a WHERE id = 4; COMMIT" >/dev/null
	psql_at "$src" "TRUNCATE a" >/dev/null
	run -0 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$BATS_TEST_TMPDIR/c.jsonl" --until-caught-up
	run -0 jq -c '[.op, .key, .before] ' "$BATS_TEST_TMPDIR/c.jsonl"
	assert_output '["insert",{"id":100},null]
["commit",null,null]
["update",{"id":1},null]
["commit",null,null]
["update",{"id":200},{"id":2}]
["commit",null,null]
["delete",{"id":3},{"id":3}]
["delete",{"id":4},{"id":4}]
["commit",null,null]
["truncate",null,null]
["commit",null,null]'
	# the TOASTed value that did not change is left out, and named
	run -0 jq -c 'select(.key.id == 1) | [.after.v, (.after | has("big")), .unchanged]' "$BATS_TEST_TMPDIR/c.jsonl"
	assert_output '["upd",false,["big"]]'
	run -0 jq -c 'select(.key.id == 100) | .after | [.n, .f, .arr, .big]' "$BATS_TEST_TMPDIR/c.jsonl"
	assert_output '["2.25",1e+300,[],"b"]'
	# one xid per transaction, positions rising
	run -0 bash -c "jq -r 'select(.op == \"commit\") | .xid' '$BATS_TEST_TMPDIR/c.jsonl' | sort | uniq -d"
	assert_output ""
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a tail killed at any instant, run again, writes every transaction once: FILE.pos holds where the last whole one ends" {
	src=$(new_db kill_src)
	psql_at "$src" "CREATE TABLE k (id int PRIMARY KEY, pad text)" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	for i in $(seq 1 400); do
		echo "BEGIN; INSERT INTO k VALUES ($i, repeat('p', 2000)); INSERT INTO k VALUES ($((i + 100000)), 'q'); COMMIT;"
	done | psql -X -q "$src" >/dev/null
	out="$BATS_TEST_TMPDIR/k.jsonl"
	for _ in 1 2 3 4 5; do
		dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$out" --until-caught-up 2>/dev/null &
		pid=$!
		sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
	done
	# a transaction half written when the tail died (as after a crash)
	printf '{"op":"insert","schema":"public","table":"k","key":{"id":' >>"$out"
	run -0 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$out" --until-caught-up
	run -0 jq -e . "$out"
	run -0 bash -c "jq -r 'select(.op == \"commit\") | .xid' '$out' | sort | uniq -d | wc -l"
	assert_output 0
	run -0 bash -c "jq -r 'select(.op == \"commit\")' '$out' | jq -s length"
	assert_output 400
	run -0 bash -c "jq -r 'select(.op == \"insert\") | .key.id' '$out' | sort -u | wc -l"
	assert_output 800
	run -0 bash -c "jq -r 'select(.op == \"insert\")' '$out' | jq -s length"
	assert_output 800
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "pre-flight: a table without a key is refused, naming it and the ways out; --replica-identity-full sets it; a role without REPLICATION is refused; nothing is left behind" {
	src=$(new_db pre_src)
	psql_at "$src" "CREATE TABLE keyed (id int PRIMARY KEY); CREATE TABLE loose (x int)" >/dev/null
	before=$(slots)
	run -3 dbmig dump --online "$src" -o "$BATS_TEST_TMPDIR/d1"
	assert_output --partial "table public.loose has neither a primary key nor a replica identity"
	assert_output --partial "Leave it out with -T, or pass --replica-identity-full"
	[ ! -e "$BATS_TEST_TMPDIR/d1/manifest.json" ]
	run -0 dbmig dump --online -T loose "$src" -o "$BATS_TEST_TMPDIR/d2"
	run -0 psql_at "$src" "SELECT string_agg(c.relname, ',') FROM pg_publication_tables p JOIN pg_class c ON c.relname = p.tablename"
	assert_output "keyed"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d2" --drop >/dev/null
	run -0 dbmig dump --online --replica-identity-full "$src" -o "$BATS_TEST_TMPDIR/d3"
	assert_output --partial "setting REPLICA IDENTITY FULL on public.loose"
	run -0 psql_at "$src" "SELECT relreplident FROM pg_class WHERE relname = 'loose'"
	assert_output f
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d3" --drop >/dev/null
	# a role that may read but not replicate
	psql_at "$PG_URI" "DROP ROLE IF EXISTS on_plain; CREATE ROLE on_plain LOGIN" >/dev/null
	psql_at "$src" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO on_plain" >/dev/null
	run -3 dbmig dump --online "postgresql://on_plain@$PG_HOST:$PG_PORT/pre_src" -o "$BATS_TEST_TMPDIR/d4"
	assert_output --partial "role on_plain has neither REPLICATION nor superuser"
	assert_output --partial "ALTER ROLE on_plain REPLICATION"
	run -0 slots
	assert_output "$before"
}

@test "a failed online dump drops the slot and the publication it made" {
	src=$(new_db fail_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
	before=$(slots)
	mkdir "$BATS_TEST_TMPDIR/full"
	touch "$BATS_TEST_TMPDIR/full/something"
	run -6 dbmig dump --online "$src" -o "$BATS_TEST_TMPDIR/full"
	run -0 slots
	assert_output "$before"
	run -0 psql_at "$src" "SELECT count(*) FROM pg_publication"
	assert_output 0
}

@test "DDL on the source stops the tail with exit 6, naming the table, the change and the position" {
	src=$(new_db ddl_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY, v text)" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	psql_at "$src" "INSERT INTO t VALUES (1, 'a')" >/dev/null
	psql_at "$src" "ALTER TABLE t ADD COLUMN w int; INSERT INTO t VALUES (2, 'b', 7)" >/dev/null
	run -6 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$BATS_TEST_TMPDIR/c.jsonl" --until-caught-up
	assert_output --partial "the source's table public.t changed at"
	assert_output --partial "column w was added"
	# what came before the change is written, and stays
	run -0 jq -c 'select(.op == "insert") | .key' "$BATS_TEST_TMPDIR/c.jsonl"
	assert_output '{"id":1}'
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "under pgbench: online dump, load and tail into PostgreSQL leave the target equal to the source" {
	dst=$(new_db load_pg_dst)
	online_under_load "$dst" load_pg
	run -0 pgcompare "$(pg_uri load_pg_src)" "$dst"
}

@test "a tail killed at random instants under writes, run again each time, applies every transaction once" {
	online_pair tk "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)"
	# every id once, and an update of each that must apply once
	ledger_writes "$src" 3000
	tail_killed "$src" "$dst" 20
	wait "$writer"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 psql_at "$dst" "SELECT count(*), sum(n), min(n), max(n) FROM ledger"
	assert_output "3000|3000|1|1"
	run -0 dbmig verify "$src" "$dst"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "on an idle source the tail confirms the keepalives' positions: the slot does not hold WAL others write" {
	online_pair idle "CREATE TABLE t (id int PRIMARY KEY)"
	slot=$(jq -r .snapshot.slot "$BATS_TEST_TMPDIR/d/manifest.json")
	before=$(psql_at "$PG_URI" "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '$slot'")
	dbmig -q cdc-tail "$src" "$dst" 2>"$BATS_TEST_TMPDIR/tail.log" &
	pid=$!
	# WAL written by another database only
	other=$(new_db idle_other)
	psql_at "$other" "CREATE TABLE w AS SELECT g FROM generate_series(1, 200000) g; CHECKPOINT" >/dev/null
	moved=0
	for _ in $(seq 1 40); do
		now=$(psql_at "$PG_URI" "SELECT confirmed_flush_lsn > '$before' FROM pg_replication_slots WHERE slot_name = '$slot'")
		[ "$now" = t ] && { moved=1; break; }
		sleep 0.5
	done
	kill -TERM "$pid"
	wait "$pid"
	[ "$moved" = 1 ]
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "copy --online: copies under writes, then applies the changes since, until caught up" {
	src=$(new_db copy_on_src)
	pgbench -q -i -s 1 "$src" >/dev/null 2>&1
	pgbench -c 2 -T 3 -n "$src" >/dev/null 2>&1 &
	bench=$!
	sleep 0.5
	dst=$(new_db copy_on_dst)
	run -0 dbmig copy --online --replica-identity-full --until-caught-up -j 2 "$src" "$dst"
	assert_output --partial "changes applied:"
	wait "$bench"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 4 tables"
	slot=$(psql_at "$dst" "SELECT slot FROM _dbmig.cdc_state")
	psql_at "$src" "SELECT pg_drop_replication_slot('$slot')" >/dev/null
	# a copy that fails leaves no slot
	before=$(slots)
	run -4 dbmig copy --online "$src" "$dst"
	run -0 slots
	assert_output "$before"
}

@test "one slot serves one target: a second target's tail is refused once the slot moved past it, naming why" {
	src=$(new_db two_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	a=$(new_db two_a)
	b=$(new_db two_b)
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$a" >/dev/null
	# the load refuses the second target (92-online-faults.bats); a copy
	# of the dump made before the first load does not know of it, and
	# the tail's check on the slot still holds
	run -2 dbmig -q load "$BATS_TEST_TMPDIR/d" "$b"
	cp -r "$BATS_TEST_TMPDIR/d" "$BATS_TEST_TMPDIR/d2"
	rm "$BATS_TEST_TMPDIR/d2/online-target"
	dbmig -q load "$BATS_TEST_TMPDIR/d2" "$b" >/dev/null
	psql_at "$src" "INSERT INTO t VALUES (1)" >/dev/null
	run -0 dbmig cdc-tail "$src" "$a" --until-caught-up
	run -3 dbmig cdc-tail "$src" "$b" --until-caught-up
	assert_output --partial "another tail used the slot (one slot serves one target)"
	run -0 psql_at "$b" "SELECT count(*) FROM t"
	assert_output 0
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "cdc-tail --progress=json: stderr is JSON only, with position, lag and retained WAL, and a summary last" {
	online_pair pj "CREATE TABLE t (id int PRIMARY KEY)"
	psql_at "$src" "INSERT INTO t SELECT generate_series(1, 1000)" >/dev/null
	dbmig cdc-tail --progress=json "$src" "$dst" --until-caught-up 2>"$BATS_TEST_TMPDIR/err" >/dev/null
	run -0 jq -e . "$BATS_TEST_TMPDIR/err"
	run -0 bash -c "tail -1 '$BATS_TEST_TMPDIR/err' | jq -c '[.event, (.lag_bytes >= 0), (.lag_seconds >= 0), .transactions, .changes, (.retained_bytes >= 0), (.position | test(\"^[0-9A-F]+/[0-9A-F]+$\"))]'"
	assert_output '["cdc_summary",true,true,1,1000,true,true]'
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a transaction of 300000 rows applies whole with bounded memory (peak RSS measured)" {
	online_pair big "CREATE TABLE b (id int PRIMARY KEY, pad text)"
	psql_at "$src" "INSERT INTO b SELECT g, repeat('x', 100) FROM generate_series(1, 300000) g" >/dev/null
	/usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" dbmig -q cdc-tail "$src" "$dst" --until-caught-up 2>/dev/null
	rss_kb=$(cat "$BATS_TEST_TMPDIR/rss")
	echo "# peak RSS ${rss_kb} kB" >&3
	# (a sanitizer build keeps freed memory in quarantine: no bound there)
	grep -q -- -fsanitize "$REPO_ROOT/.build-flags" 2>/dev/null || [ "$rss_kb" -lt 100000 ]
	run -0 psql_at "$dst" "SELECT count(*) FROM b"
	assert_output 300000
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "into PostgreSQL: key updates, deletes, truncates, unchanged TOAST values, identity columns and keyless tables apply exactly" {
	online_pair ops_pg "CREATE TABLE a (id int PRIMARY KEY, v text, big text, n numeric(10,2), arr int[]);
		INSERT INTO a SELECT g, 'v' || g, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)),
			g, '{1,2}' FROM generate_series(1, 10) g;
		CREATE TABLE idt (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
		CREATE TABLE nk (x int, y text); ALTER TABLE nk REPLICA IDENTITY FULL;
		INSERT INTO nk VALUES (1, 'a'), (1, 'a'), (2, 'b')"
	psql_at "$src" "INSERT INTO a VALUES (100, 'new', 'b', 1, '{}'); INSERT INTO idt (v) VALUES ('x'), ('y')" >/dev/null
	psql_at "$src" "UPDATE a SET v = 'upd' WHERE id = 1" >/dev/null
	psql_at "$src" "UPDATE a SET id = 200 WHERE id = 2" >/dev/null
	psql_at "$src" "DELETE FROM a WHERE id = 3" >/dev/null
	psql_at "$src" "DELETE FROM nk WHERE ctid = (SELECT min(ctid) FROM nk WHERE x = 1)" >/dev/null
	psql_at "$src" "UPDATE nk SET y = 'c' WHERE x = 2" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	# (sequences are not in the change stream: cutover sets them)
	run -0 psql_at "$dst" "SELECT string_agg(id || v, ',' ORDER BY id) FROM idt"
	assert_output "1x,2y"
	# the TOASTed value nobody changed is still there, whole
	run -0 psql_at "$dst" "SELECT v, length(big) FROM a WHERE id = 1"
	assert_output "upd|12800"
	psql_at "$src" "TRUNCATE nk, a" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 psql_at "$dst" "SELECT (SELECT count(*) FROM nk) + (SELECT count(*) FROM a)"
	assert_output 0
	# the target differing from the source stops the tail, naming the table
	psql_at "$src" "INSERT INTO a VALUES (5, 'five', 'b', 1, '{}')" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	psql_at "$dst" "DELETE FROM a WHERE id = 5" >/dev/null
	psql_at "$src" "UPDATE a SET v = 'changed' WHERE id = 5" >/dev/null
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "an UPDATE of a row of public.a found no such row on the target"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "partitioned tables publish through their root: changes to partitions apply to the table the load made" {
	src=$(new_db part_on_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/partitions.sql" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	run -0 psql_at "$src" "SELECT pubviaroot FROM pg_publication"
	assert_output t
	dst=$(new_db part_on_dst)
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	psql_at "$src" "INSERT INTO events VALUES (900001, '2024-02-20', 'z', 1, 'p'), (900002, '2030-01-01', 'z', 2, 'q');
		UPDATE events SET at = '2024-01-05' WHERE id = 900001; DELETE FROM h WHERE id < 100;
		UPDATE l SET region = 'us' WHERE id = 1" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	run -0 psql_at "$dst" "SELECT tableoid::regclass FROM events WHERE id = 900001"
	assert_output events_2024_01
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "DDL on the source stops the apply with exit 6 after the transactions before it; once the target changed too, the rerun resumes there" {
	online_pair ddl_ap "CREATE TABLE t (id int PRIMARY KEY, v text)"
	for i in 1 2 3; do psql_at "$src" "INSERT INTO t VALUES ($i, 'a')" >/dev/null; done
	psql_at "$src" "ALTER TABLE t ADD COLUMN w int; INSERT INTO t VALUES (4, 'b', 7)" >/dev/null
	psql_at "$src" "INSERT INTO t VALUES (5, 'c', 8)" >/dev/null
	run -6 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "the source's table public.t changed at"
	assert_output --partial "column w, which the target's table lacks, was added"
	assert_output --partial "Change the target's table the same way (ALTER TABLE), then run the same command again"
	# the three transactions before the change are in, none after
	run -0 psql_at "$dst" "SELECT string_agg(id::text, ',' ORDER BY id) FROM t"
	assert_output "1,2,3"
	psql_at "$dst" "ALTER TABLE t ADD COLUMN w int" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 1 table, 5 rows"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "--stop-at POSITION: stops before the first transaction at or after it; the rerun goes on from there" {
	online_pair stop "CREATE TABLE t (id int PRIMARY KEY)"
	psql_at "$src" "INSERT INTO t VALUES (1)" >/dev/null
	psql_at "$src" "INSERT INTO t VALUES (2)" >/dev/null
	at=$(psql_at "$src" "SELECT pg_current_wal_insert_lsn()")
	psql_at "$src" "INSERT INTO t VALUES (3)" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --stop-at "$at"
	run -0 psql_at "$dst" "SELECT string_agg(id::text, ',' ORDER BY id) FROM t"
	assert_output "1,2"
	run -2 dbmig cdc-tail "$src" "$dst" --stop-at "not-a-position"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 psql_at "$dst" "SELECT string_agg(id::text, ',' ORDER BY id) FROM t"
	assert_output "1,2,3"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "pre-flight: no free replication slot is refused, naming the setting and the fix, before anything is made" {
	src=$(new_db slots_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
	free=$(psql_at "$PG_URI" "SELECT current_setting('max_replication_slots')::int - count(*) FROM pg_replication_slots")
	for i in $(seq 1 "$free"); do
		psql_at "$src" "SELECT pg_create_logical_replication_slot('fill_$i', 'pgoutput')" >/dev/null
	done
	run -3 dbmig dump --online "$src" -o "$BATS_TEST_TMPDIR/d"
	for i in $(seq 1 "$free"); do
		psql_at "$src" "SELECT pg_drop_replication_slot('fill_$i')" >/dev/null
	done
	assert_output --partial "replication slots of the source are in use (max_replication_slots)"
	assert_output --partial "raise max_replication_slots and restart the server"
	run -0 psql_at "$src" "SELECT count(*) FROM pg_publication"
	assert_output 0
}

@test "--online with --schema-only is a usage error: the changes need the rows they follow" {
	run -2 dbmig dump --online --schema-only "postgresql://nobody@127.0.0.1:1/x" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "--online needs the rows the changes follow: leave out --schema-only"
	run -2 dbmig copy --online --schema-only "postgresql://nobody@127.0.0.1:1/x" "postgresql://nobody@127.0.0.1:1/y"
	assert_output --partial "--online needs the rows the changes follow"
	run -2 dbmig dump --replica-identity-full "postgresql://nobody@127.0.0.1:1/x" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "--replica-identity-full goes with --online"
}

# A throwaway server of its own with other settings: prints its URI, and
# its directory on the second line (stopped by stop_other).
other_pg() {	# other_pg VAR=VALUE...
	( unset DBMIG_TEST_PG_URI SERVERS_DIR
	  export "$@"
	  servers_start_pg >/dev/null 2>&1 || exit 1
	  echo "$PG_URI"
	  echo "$SERVERS_DIR" )
}

stop_other() {	# stop_other DIR
	( SERVERS_DIR=$1; servers_stop_all >/dev/null 2>&1 )
}

@test "pre-flight on servers of their own: wal_level and WAL senders are refused, each naming its fix" {
	[ -z "${DBMIG_TEST_PG_URI:-}" ] || skip "needs to start servers of its own"
	out=$(other_pg SERVERS_PG_OPTS="-c wal_level=replica")
	uri=$(head -1 <<<"$out")
	psql_at "$uri" "CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
	run -3 dbmig dump --online "$uri" -o "$BATS_TEST_TMPDIR/a"
	stop_other "$(tail -1 <<<"$out")"
	assert_output --partial "the source's wal_level is 'replica'; change capture needs 'logical': run ALTER SYSTEM SET wal_level = logical; and restart the server"

	out=$(other_pg SERVERS_PG_OPTS="-c max_wal_senders=0")
	uri=$(head -1 <<<"$out")
	psql_at "$uri" "CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
	run -3 dbmig dump --online "$uri" -o "$BATS_TEST_TMPDIR/b"
	stop_other "$(tail -1 <<<"$out")"
	assert_output --partial "WAL senders of the source are busy (max_wal_senders): raise max_wal_senders"
}

@test "large transactions stream while they run (protocol 2): interleaved chunks, rolled-back savepoints and aborted transactions apply exactly; a tail killed mid-stream reruns exactly" {
	src=$(new_db stream_src)
	# a tiny decoding budget for this database makes the server stream
	# every transaction above 64 kB before its commit
	psql_at "$PG_URI" "ALTER DATABASE stream_src SET logical_decoding_work_mem = '64kB'" >/dev/null
	psql_at "$src" "CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id int PRIMARY KEY, w text)" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dst=$(new_db stream_dst)
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	# one transaction open across another's whole life: their chunks
	# interleave, and the later-begun one commits first
	psql -X -q "$src" -c "BEGIN" -c "INSERT INTO a SELECT g, 'long' FROM generate_series(1, 3000) g" \
		-c "SELECT pg_sleep(2)" -c "INSERT INTO a SELECT g, 'long, late' FROM generate_series(3001, 6000) g" \
		-c "COMMIT" >/dev/null &
	long=$!
	sleep 0.5
	psql -X -q -v ON_ERROR_STOP=1 "$src" >/dev/null <<-'SQL'
	BEGIN;
	INSERT INTO b SELECT g, 'kept' FROM generate_series(1, 3000) g;
	SAVEPOINT s1;
	INSERT INTO b SELECT g, 'rolled back' FROM generate_series(3001, 6000) g;
	UPDATE b SET w = 'rolled back' WHERE id <= 100;
	ROLLBACK TO s1;
	SAVEPOINT s2;
	SAVEPOINT s3;
	INSERT INTO b SELECT g, 'released' FROM generate_series(6001, 9000) g;
	RELEASE s3;
	INSERT INTO b SELECT g, 'in s2, rolled back' FROM generate_series(9001, 12000) g;
	ROLLBACK TO s2;
	UPDATE b SET w = 'updated' WHERE id <= 1000;
	DELETE FROM b WHERE id > 2500;
	-- an exception block per row: a subtransaction each, every 3rd rolled back
	DO $$ BEGIN FOR i IN 20001..22000 LOOP
		BEGIN INSERT INTO b VALUES (i, 'per row'); IF i % 3 = 0 THEN RAISE EXCEPTION 'no'; END IF;
		EXCEPTION WHEN raise_exception THEN NULL; END;
	END LOOP; END $$;
	COMMIT;
	BEGIN;
	INSERT INTO b SELECT g, 'aborted' FROM generate_series(30001, 40000) g;
	ROLLBACK;
	SQL
	wait "$long"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "cdc-tail done: 2 transactions"
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 2 tables"
	run -0 psql_at "$dst" "SELECT count(*), count(*) FILTER (WHERE w = 'updated') FROM b"
	assert_output "3833|1000"
	# the server did stream them (protocol 2), not hold them to the commit
	run -0 psql_at "$src" "SELECT stream_txns >= 3 FROM pg_stat_replication_slots WHERE slot_name IN (SELECT slot_name FROM pg_replication_slots WHERE database = 'stream_src')"
	assert_output t
	# killed while chunks of an open transaction sit in its spool (an
	# unlinked file: nothing left behind), the rerun gets all of it again
	psql -X -q "$src" -c "BEGIN" -c "INSERT INTO a SELECT g, 'killed' FROM generate_series(10001, 30000) g" \
		-c "SELECT pg_sleep(3)" -c "UPDATE a SET v = 'after the kill' WHERE id = 10001" -c "COMMIT" >/dev/null &
	long=$!
	mkdir "$BATS_TEST_TMPDIR/spool"
	TMPDIR="$BATS_TEST_TMPDIR/spool" dbmig -q cdc-tail "$src" "$dst" 2>/dev/null &
	tail_pid=$!
	sleep 2
	run -0 bash -c "ls -l /proc/$tail_pid/fd | grep -c 'spool/dbmig-tx.*(deleted)'"
	kill -KILL "$tail_pid"
	wait "$tail_pid" || true
	run -0 ls -A "$BATS_TEST_TMPDIR/spool"
	assert_output ""
	wait "$long"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 2 tables"
	run -0 psql_at "$dst" "SELECT count(*), max(v) FROM a WHERE id > 10000"
	assert_output "20000|killed"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a batch applies net per row (a hot row once, TOAST values kept); a unique value handed between rows applies as it came" {
	dst=$(new_db fold_dst)
	batch_folding "$dst" fold
	run -0 psql_at "$dst" "SELECT n, length(big) FROM hot WHERE id = 1"
	assert_output "2000|100000"
}

@test "a second tail into the same target, or on a slot another tail reads, is refused, naming why; the first goes on" {
	online_pair two "CREATE TABLE t (id int PRIMARY KEY)"
	dbmig -q cdc-tail "$src" "$dst" 2>"$BATS_TEST_TMPDIR/first.log" &
	first=$!
	sleep 1
	run -3 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "another cdc-tail is applying the changes of dump"
	assert_output --partial "to this target: dbmig cdc-tail pid=$first host=$(hostname) (server process "
	assert_output --partial ", running. One tail at a time"
	# another target's tail on the same slot, or an output: the slot says no
	run -3 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$BATS_TEST_TMPDIR/out.jsonl" --until-caught-up
	assert_output --partial "is active for PID"
	assert_output --partial "another cdc-tail reads this slot"
	psql_at "$src" "INSERT INTO t VALUES (1)" >/dev/null
	sleep 1.5
	kill -TERM "$first"
	wait "$first"
	run -0 psql_at "$dst" "SELECT count(*) FROM t"
	assert_output 1
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "--until-caught-up leaves the slot at the source's position it caught up with: no WAL held back once it ends" {
	online_pair cu "CREATE TABLE t (id int PRIMARY KEY)"
	psql_at "$src" "INSERT INTO t VALUES (1)" >/dev/null
	# WAL after the last change, from another database
	other=$(new_db cu_other)
	psql_at "$other" "CREATE TABLE w AS SELECT g FROM generate_series(1, 50000) g" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	until=$(sed -n 's/.*until the source.s position at the start, \([0-9A-F/]*\).*/\1/p' <<<"$output")
	[ -n "$until" ]
	run -0 psql_at "$src" "SELECT confirmed_flush_lsn >= '$until' FROM pg_replication_slots WHERE database = 'cu_src'"
	assert_output t
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a batch the target refuses while the next is read stops the tail: nothing after it applied or confirmed; the rerun, the target fixed, is exact" {
	online_pair bgfail "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'x' FROM generate_series(1, 10) g"
	# batches of 20000 changes: the refused one is committing while
	# the tail reads the 20000 transactions after it
	psql_at "$dst" "DELETE FROM t WHERE id = 5" >/dev/null
	psql_at "$src" "DO \$\$BEGIN FOR i IN 11..25010 LOOP INSERT INTO t VALUES (i, 'x'); COMMIT; END LOOP; END\$\$" >/dev/null
	psql_at "$src" "UPDATE t SET v = 'y' WHERE id = 5" >/dev/null
	psql_at "$src" "DO \$\$BEGIN FOR i IN 25011..50010 LOOP INSERT INTO t VALUES (i, 'x'); COMMIT; END LOOP; END\$\$" >/dev/null
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "an UPDATE of a row of public.t found no such row on the target"
	# what the target committed is a prefix of the source's, and the
	# slot is not ahead of it
	run -0 psql_at "$dst" "SELECT count(*) = max(id) - 1 AND max(id) <= 25010 FROM t"
	assert_output t
	pos=$(psql_at "$dst" "SELECT position FROM _dbmig.cdc_state")
	run -0 psql_at "$src" "SELECT confirmed_flush_lsn <= '$pos' FROM pg_replication_slots WHERE database = 'bgfail_src'"
	assert_output t
	psql_at "$dst" "INSERT INTO t VALUES (5, 'x')" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 1 table"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "into PostgreSQL: a run of net changes of one shape goes several rows to a statement, typed as the table's columns; a row it misses stops the tail" {
	online_pair multi "CREATE TABLE m (k1 int, k2 text, v text, j jsonb, a int[], n numeric(12,3), big text, PRIMARY KEY (k1, k2));
		ALTER TABLE m ALTER COLUMN big SET STORAGE EXTERNAL;
		INSERT INTO m SELECT g, 'k' || g, 'v', '{\"x\": 1}', '{1,2}', g / 3.0,
			CASE WHEN g <= 50 THEN repeat('b', 5000) END FROM generate_series(1, 150) g"
	# rows 1..50 keep their TOASTed value (not sent), 51..100 send it:
	# two shapes of UPDATE; 50 DELETEs; 100 INSERTs with NULLs and
	# quotes, tabs and backslashes
	psql_at "$src" "BEGIN;
		UPDATE m SET v = 'u' || k1, j = '{\"y\": [1, null]}', a = NULL, n = -n WHERE k1 <= 100;
		DELETE FROM m WHERE k1 > 100;
		INSERT INTO m SELECT g, 'k' || g, E'tab\\there \"q\" \\\\ ''s', CASE WHEN g % 3 = 0 THEN '[]'::jsonb END,
			CASE WHEN g % 2 = 0 THEN '{7,NULL}'::int[] END, NULL, NULL FROM generate_series(200, 299) g;
		COMMIT" >/dev/null
	psql_at "$dst" "DELETE FROM m WHERE k1 = 120" >/dev/null
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --regexp "a DELETE of a row of public\.m \(one of [0-9]+ in one statement\) found no such row on the target"
	run -0 psql_at "$dst" "SELECT count(*) FROM m"
	assert_output 149
	psql_at "$dst" "INSERT INTO m VALUES (120, 'k120', 'v', NULL, NULL, NULL, NULL)" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 1 table"
	run -0 psql_at "$dst" "SELECT count(*), sum(length(big)), count(*) FILTER (WHERE v LIKE E'tab\\t%') FROM m"
	assert_output "200|250000|100"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}
