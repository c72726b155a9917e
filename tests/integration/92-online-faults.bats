#!/usr/bin/env bats
# The online path under faults: a target that restarts or hangs in the
# middle of a batch, a state or a .pos that was tampered with, a restart
# right after kill -9, a table dropped on the source, lag during a
# catch-up. Each case ends with the target checked row by row and a
# ledger that proves every source transaction applied once.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	# a PostgreSQL target of its own, which the tests restart
	if [ -z "${DBMIG_TEST_PG_URI:-}" ]; then
		( unset SERVERS_DIR
		  servers_start_pg >/dev/null 2>&1 || exit 1
		  echo "export TPG_DIR=$SERVERS_DIR TPG_PORT=$PG_PORT" ) >>"$BATS_FILE_TMPDIR/env"
	fi
}

teardown_file() {
	stop_servers_for_file
	[ -n "${TPG_DIR:-}" ] && servers_stop_all "$TPG_DIR"
	return 0
}

needs_own_servers() {
	if [ -n "${DBMIG_TEST_PG_URI:-}" ] || [ -n "${DBMIG_TEST_MYSQL_URI:-}" ]; then
		skip "restarts servers: needs servers of its own"
	fi
}

# tdb NAME: a fresh database on the restartable PostgreSQL target.
tdb() {
	psql -X -q -h 127.0.0.1 -p "$TPG_PORT" -U postgres -d postgres \
		-c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null
	echo "postgresql://postgres@127.0.0.1:$TPG_PORT/$1"
}

# ledger_backlog SRC N [FIRST]: N source transactions, each inserting one
# id (from FIRST, 1 by default) and adding 1 to it: applied once each,
# every row of ledger holds n = 1.
ledger_backlog() {
	psql_at "$1" "DO \$\$ BEGIN FOR i IN ${3:-1}..$((${3:-1} + $2 - 1)) LOOP
		INSERT INTO ledger VALUES (i); UPDATE ledger SET n = n + 1 WHERE id = i; COMMIT;
		END LOOP; END \$\$" >/dev/null
}

# ledger_once DST N: the target holds ids 1..N, each with n = 1.
ledger_once() {
	local q="SELECT count(*), count(DISTINCT id), min(n), max(n), min(id), max(id) FROM ledger"
	if [[ $1 == postgresql* ]]; then
		run -0 psql_at "$1" "$q"
	else
		run -0 my_sql -e "$q" "${1##*/}"
		output=${output//$'\t'/|}
	fi
	assert_output "$2|$2|1|1|1|$2"
}

# state_moved DST FROM: waits (at most 30 s) until the target's state
# is past the position FROM: the tail has committed a batch.
state_moved() {
	local at
	for _ in $(seq 1 300); do
		at=$(state_position "$1" 2>/dev/null)
		if [ -n "$at" ] && [ "$at" != "$2" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

state_position() {	# state_position DST
	if [[ $1 == postgresql* ]]; then
		psql_at "$1" "SELECT position FROM _dbmig.cdc_state"
	else
		my_sql -e "SELECT position FROM _dbmig_cdc_state" "${1##*/}"
	fi
}

# A target restarted (MODE: fast, immediate, kill) while the tail applies
# a backlog: the tail exits 4 within seconds, naming the target, and the
# same command, once the target is back, ends with every transaction
# applied once.
target_restart_mid_batch() {	# target_restart_mid_batch ENGINE MODE
	local n=100000 pid start rc
	src=$(new_db "rs_src")
	psql_at "$src" "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)" >/dev/null
	rm -rf "$BATS_TEST_TMPDIR/d"
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	if [ "$1" = pg ]; then dst=$(tdb rs_dst); else dst=$(new_mydb rs_dst); fi
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null 2>&1
	from=$(state_position "$dst")
	ledger_backlog "$src" "$n"
	# (a tail that hangs fails the test instead of hanging it)
	timeout -s KILL 90 dbmig cdc-tail "$src" "$dst" --until-caught-up 2>"$BATS_TEST_TMPDIR/tail.log" &
	pid=$!
	state_moved "$dst" "$from"
	if [ "$1" = pg ]; then
		( SERVERS_DIR=$TPG_DIR servers_restart_pg "$2" )
	else
		servers_restart_mysql "$2"
	fi
	start=$SECONDS
	rc=0
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/tail.log"
	# the restart came while it applied: it stops, and says where
	[ "$rc" -eq 4 ]
	(( SECONDS - start <= 10 ))
	grep -q "error: .*target (host=127.0.0.1 port=" "$BATS_TEST_TMPDIR/tail.log"
	grep -q "run the same command again" "$BATS_TEST_TMPDIR/tail.log"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	ledger_once "$dst" "$n"
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 1 table"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a PostgreSQL target restarted in the middle of a batch (fast, immediate): the tail exits 4 within seconds naming it; the same command then applies every transaction once" {
	needs_own_servers
	target_restart_mid_batch pg fast
	target_restart_mid_batch pg immediate
}

@test "a MariaDB target restarted in the middle of a batch: the tail exits 4 naming it; the same command then applies every transaction once" {
	needs_own_servers
	target_restart_mid_batch my fast
}

@test "a target that stops answering in the middle of a batch: SIGTERM stops the tail within its grace (exit 8), a second SIGTERM at once; nothing is lost" {
	needs_own_servers
	local n=100000 pid start rc
	src=$(new_db "hang_src")
	psql_at "$src" "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dst=$(tdb hang_dst)
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null 2>&1
	ledger_backlog "$src" "$n"
	for signals in 1 2; do
		from=$(state_position "$dst")
		dbmig cdc-tail "$src" "$dst" 2>"$BATS_TEST_TMPDIR/tail.log" &
		pid=$!
		( sleep 60; kill -KILL "$pid" ) 2>/dev/null &
		killer=$!
		state_moved "$dst" "$from"
		# the target's sessions of the tail stop answering, their
		# sockets open: a server hung, or a network that drops packets
		backends=$(psql -X -At -h 127.0.0.1 -p "$TPG_PORT" -U postgres -d postgres -c \
			"SELECT pid FROM pg_stat_activity WHERE datname = 'hang_dst' AND application_name LIKE 'dbmig%'")
		[ -n "$backends" ]
		kill -STOP $backends
		sleep 0.5
		kill -TERM "$pid"
		[ "$signals" = 2 ] && { sleep 0.2; kill -TERM "$pid"; }
		start=$SECONDS
		rc=0
		wait "$pid" || rc=$?
		kill -CONT $backends
		kill "$killer" 2>/dev/null || true
		cat "$BATS_TEST_TMPDIR/tail.log"
		[ "$rc" -eq 8 ]
		if [ "$signals" = 1 ]; then (( SECONDS - start <= 13 )); else (( SECONDS - start <= 3 )); fi
		grep -q "stopped by a signal: the batch in flight to the target (host=127.0.0.1 port=$TPG_PORT dbname=hang_dst" "$BATS_TEST_TMPDIR/tail.log"
	done
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	ledger_once "$dst" "$n"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a damaged position in the target's state is refused with exit 3 naming it and the slot's; nothing is applied or confirmed; put back, the tail is exact" {
	online_pair tamper "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)"
	ledger_backlog "$src" 50
	slot_at() { psql_at "$src" "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name LIKE 'dbmig\_%' AND database = 'tamper_src'"; }
	before=$(slot_at)
	saved=$(psql_at "$dst" "SELECT position || ' ' || seal FROM _dbmig.cdc_state")
	# a position ahead, inside the source's WAL: after the 50th transaction
	mid=$(psql_at "$src" "SELECT pg_current_wal_lsn()")
	ledger_backlog "$src" 50 51
	for bad in "$mid" "FFFFFFFF/FFFFFFFF" "garbage" "" "1/ZZ" "binlog.000001:4"; do
		psql_at "$dst" "UPDATE _dbmig.cdc_state SET position = '$bad'" >/dev/null
		run -3 timeout 60 dbmig cdc-tail "$src" "$dst" --until-caught-up
		assert_output --partial "the target's state for dump"
		assert_output --partial "holds position '$bad'"
		assert_output --partial "the source's slot dbmig_"
		assert_output --partial "has confirmed $before"
		refute_output --partial "another"
		refute_output --partial "?.?"
		run -0 psql_at "$dst" "SELECT count(*) FROM ledger"
		assert_output 0
		run -0 slot_at
		assert_output "$before"
	done
	psql_at "$dst" "UPDATE _dbmig.cdc_state SET position = '${saved% *}', seal = '${saved#* }'" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	ledger_once "$dst" 100
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "-o FILE: a FILE.pos that does not match the file (deleted, rotated, cut, edited) is refused with exit 6, nothing written; the way out it names continues exactly" {
	online_pair posfile "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)"
	out="$BATS_TEST_TMPDIR/c.jsonl"
	ledger_backlog "$src" 20
	run -0 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$out" --until-caught-up
	read -r len at <"$out.pos"
	[ "$len" -eq "$(stat -c %s "$out")" ]
	cp "$out" "$BATS_TEST_TMPDIR/orig"
	cp "$out.pos" "$BATS_TEST_TMPDIR/orig.pos"
	try_refused() {	# the tail refuses, and neither file changes
		cp "$out.pos" "$BATS_TEST_TMPDIR/before.pos"
		[ -e "$out" ] && cp "$out" "$BATS_TEST_TMPDIR/before"
		run -6 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$out" --until-caught-up
		assert_output --partial "$out.pos says $out holds"
		assert_output --partial "put \"0 $(cut -d' ' -f2 "$out.pos")\" into $out.pos"
		cmp "$out.pos" "$BATS_TEST_TMPDIR/before.pos"
		if [ -e "$BATS_TEST_TMPDIR/before" ]; then cmp "$out" "$BATS_TEST_TMPDIR/before"; else [ ! -e "$out" ]; fi
		rm -f "$BATS_TEST_TMPDIR/before"
	}
	ledger_backlog "$src" 10 21
	# deleted
	rm "$out"
	try_refused
	assert_output --partial "the file does not exist"
	# rotated: a new, shorter file
	head -3 "$BATS_TEST_TMPDIR/orig" >"$out"
	try_refused
	assert_output --partial "the file has"
	# a .pos edited: longer than the file, or in the middle of a line
	cp "$BATS_TEST_TMPDIR/orig" "$out"
	echo "$((len + 28493197)) $at" >"$out.pos"
	try_refused
	echo "$((len - 5)) $at" >"$out.pos"
	try_refused
	assert_output --partial "no whole line ends there"
	# the last whole line is of a later transaction than the .pos says
	echo "$len $(jq -r .position <<<"$(head -1 "$out")")" >"$out.pos"
	try_refused
	assert_output --partial "not of a transaction up to its position"
	# the way out: a new file after the position, with "0 POSITION"
	cp "$BATS_TEST_TMPDIR/orig.pos" "$out.pos"
	mv "$out" "$out.1"
	echo "0 $at" >"$out.pos"
	run -0 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" -o "$out" --until-caught-up
	# the 10 later transactions, once each, and none of the first 20
	run -0 bash -c "cat '$out.1' '$out' | jq -r 'select(.op == \"insert\") | .key.id' | sort -n | uniq -c | awk '\$1 != 1' | wc -l"
	assert_output 0
	run -0 bash -c "jq -r 'select(.op == \"insert\") | .key.id' '$out' | sort -n | tr '\\n' ' '"
	assert_output "21 22 23 24 25 26 27 28 29 30 "
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

# A tail killed while its target session waits (on a row another
# session holds): the server keeps its apply lock until that session
# ends. The same command started at once waits for it, saying whose it
# is, then applies every transaction once.
restart_after_kill() {	# restart_after_kill pg|my
	local pid killed locker
	if [ "$1" = pg ]; then
		online_pair "rk_$1" "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)"
	else
		online_pair "rk_$1" "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)" "$(new_mydb rk_my_dst)"
	fi
	ledger_backlog "$src" 100
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	# row 50 held on the target for 8 s
	if [ "$1" = pg ]; then
		psql -X -q "$dst" -c "BEGIN" -c "SELECT n FROM ledger WHERE id = 50 FOR UPDATE" -c "SELECT pg_sleep(8)" -c "COMMIT" >/dev/null &
	else
		my_sql rk_my_dst -e "BEGIN; SELECT n FROM ledger WHERE id = 50 FOR UPDATE; SELECT SLEEP(8); COMMIT" >/dev/null &
	fi
	locker=$!
	sleep 0.5
	psql_at "$src" "UPDATE ledger SET n = n + 1 WHERE id = 50" >/dev/null
	ledger_backlog "$src" 50 101
	dbmig -q cdc-tail "$src" "$dst" 2>/dev/null &
	killed=$!
	sleep 2
	kill -KILL "$killed"
	wait "$killed" || true
	run -0 timeout 60 dbmig cdc-tail "$src" "$dst" --until-caught-up
	wait "$locker"
	assert_output --partial "is held by dbmig cdc-tail pid=$killed host=$(hostname)"
	assert_output --partial "a tail that is gone: the server lets go of its lock once it has ended its session: waiting"
	assert_output --partial "cdc-tail done"
	run -0 psql_at "$src" "SELECT n FROM ledger WHERE id = 50"
	assert_output 2
	psql_at "$src" "UPDATE ledger SET n = 1 WHERE id = 50" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	ledger_once "$dst" 150
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "restarted right after kill -9 while the target still holds the killed tail's lock: the tail waits for it, naming it, then applies every transaction once (PostgreSQL)" {
	restart_after_kill pg
}

@test "restarted right after kill -9 while the target still holds the killed tail's lock: the tail waits for it, naming it, then applies every transaction once (MariaDB)" {
	restart_after_kill my
}

@test "into MariaDB: a NOT NULL refusal (SQLSTATE 23000, not a duplicate key) stops the tail as it is, not taken for a fold's duplicate" {
	online_pair nn "CREATE TABLE t (id int PRIMARY KEY, v text)" "$(new_mydb nn_dst)"
	my_sql nn_dst -e "ALTER TABLE t MODIFY v varchar(10) NOT NULL"
	psql_at "$src" "INSERT INTO t VALUES (1, 'a'); INSERT INTO t VALUES (2, NULL)" >/dev/null
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "(error 1048)"
	refute_output --partial "met a duplicate key"
	run -0 my_sql nn_dst -e "SELECT count(*) FROM t"
	assert_output 0
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "--progress=json during a catch-up: lag is the source's position now against the last applied commit, refreshed every second, in bytes and seconds" {
	needs_own_servers
	# a target on a server of its own: its writes are not the source's WAL
	online_pair lag "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)" "$(tdb lag_dst)"
	start=$(psql_at "$dst" "SELECT position FROM _dbmig.cdc_state")
	ledger_backlog "$src" 100000
	sleep 2	# the backlog's last commit is 2 s old when the tail starts
	backlog=$(psql_at "$src" "SELECT pg_current_wal_lsn() - '$start'::pg_lsn")
	run -0 --separate-stderr dbmig cdc-tail "$src" "$dst" --until-caught-up --progress=json
	echo "$stderr" >"$BATS_TEST_TMPDIR/progress.jsonl"
	cat "$BATS_TEST_TMPDIR/progress.jsonl"
	# the first event: about the whole backlog behind, the source's
	# position at or past where the run started, seconds behind
	run -0 jq -s -r --arg start "$start" --argjson backlog "$backlog" '
		map(select(.event == "cdc_progress")) | .[0] |
		[(.lag_bytes > $backlog * 0.5), (.lag_seconds >= 2), (.source_position != "")] | @tsv' \
		"$BATS_TEST_TMPDIR/progress.jsonl"
	assert_output "$(printf 'true\ttrue\ttrue')"
	# events come every second or so while it runs, each with the lag
	n=$(jq -s 'map(select(.event == "cdc_progress")) | length' "$BATS_TEST_TMPDIR/progress.jsonl")
	(( n >= 2 ))
	run -0 jq -s 'map(select(.event == "cdc_progress" and .lag_bytes > 1000000 and .lag_seconds < 1)) | length' \
		"$BATS_TEST_TMPDIR/progress.jsonl"
	assert_output 0
	# the summary: caught up
	run -0 jq -s -r 'map(select(.event == "cdc_summary")) | .[0] | [.lag_seconds, (.lag_bytes < 1000000)] | @tsv' \
		"$BATS_TEST_TMPDIR/progress.jsonl"
	assert_output "$(printf '0\ttrue')"
	ledger_once "$dst" 100000
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

# A table dropped on the source with changes not yet applied: they are
# applied to the target's table, said once, and the tail goes on; a
# table both sides dropped has its changes skipped, said once.
dropped_table() {	# dropped_table TARGET_URI
	local dst=$1 q
	src=$(new_db "drop_src")
	psql_at "$src" "CREATE TABLE keep (id int PRIMARY KEY);
		CREATE TABLE gone (id int PRIMARY KEY, v text, d date, a int[]);
		INSERT INTO gone VALUES (1, 'a', '2024-01-02', '{1}'), (2, 'b', NULL, NULL);
		CREATE TABLE gone2 (id int PRIMARY KEY)" >/dev/null
	rm -rf "$BATS_TEST_TMPDIR/d"
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null 2>&1
	psql_at "$src" "INSERT INTO keep VALUES (1); INSERT INTO gone VALUES (3, 'c', '2025-05-06', '{2,3}');
		UPDATE gone SET v = 'A' WHERE id = 1; DELETE FROM gone WHERE id = 2;
		INSERT INTO gone2 VALUES (7); DROP TABLE gone; DROP TABLE gone2; INSERT INTO keep VALUES (2)" >/dev/null
	if [[ $dst == postgresql* ]]; then
		psql_at "$dst" "DROP TABLE gone2" >/dev/null
	else
		my_sql "${dst##*/}" -e "DROP TABLE gone2"
	fi
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "warning: the source's table public.gone is not there any more (dropped or renamed after the dump): its changes up to then are applied"
	assert_output --partial "the target has no table"
	assert_output --partial "gone2 either: its changes are skipped"
	[ "$(grep -c "public.gone is not there any more" <<<"$output")" -eq 1 ]
	refute_output --partial "?.?"
	q="SELECT id, v, d FROM gone ORDER BY id"
	if [[ $dst == postgresql* ]]; then
		run -0 psql_at "$dst" "$q"
		assert_output "1|A|2024-01-02
3|c|2025-05-06"
		run -0 psql_at "$dst" "SELECT count(*) FROM keep"
	else
		run -0 my_sql "${dst##*/}" -e "$q"
		assert_output "$(printf '1\tA\t2024-01-02\n3\tc\t2025-05-06')"
		run -0 my_sql "${dst##*/}" -e "SELECT count(*) FROM keep"
	fi
	assert_output 2
	# the tail goes on
	psql_at "$src" "INSERT INTO keep VALUES (3)" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "1 transaction, 1 change applied"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a table dropped on the source: its changes before the drop apply to the target's table, said once, and the tail goes on (PostgreSQL target)" {
	dropped_table "$(new_db drop_dst)"
}

@test "a table dropped on the source: its changes before the drop apply to the target's table, said once, and the tail goes on (MariaDB target)" {
	dropped_table "$(new_mydb drop_dst)"
}

@test "the source restarted, or its WAL sender terminated, under a running tail: exit 3 saying so and that the same command resumes; it does, exactly" {
	needs_own_servers
	online_pair srcre "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)" "$(tdb srcre_dst)"
	ledger_backlog "$src" 100
	for how in restart terminate; do
		dbmig cdc-tail "$src" "$dst" 2>"$BATS_TEST_TMPDIR/tail.log" &
		pid=$!
		( sleep 60; kill -KILL "$pid" ) 2>/dev/null &
		killer=$!
		sleep 1.5
		if [ "$how" = restart ]; then
			servers_restart_pg fast
		else
			psql_at "$src" "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = 'srcre_src'" >/dev/null
		fi
		rc=0
		wait "$pid" || rc=$?
		kill "$killer" 2>/dev/null || true
		cat "$BATS_TEST_TMPDIR/tail.log"
		[ "$rc" -eq 3 ]
		grep -q "error: the source ended the replication stream from slot dbmig_[0-9a-f]*: [^;]" "$BATS_TEST_TMPDIR/tail.log"
		grep -q "run the same command again once the source is back" "$BATS_TEST_TMPDIR/tail.log"
		! grep -q "stream: ;" "$BATS_TEST_TMPDIR/tail.log"
		ledger_backlog "$src" 100 $(( $(psql_at "$src" "SELECT max(id) FROM ledger") + 1 ))
	done
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	ledger_once "$dst" 300
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "into MariaDB: a change larger than the target's max_allowed_packet names the setting, on the first run and on the rerun" {
	needs_own_servers
	online_pair packet "CREATE TABLE j (id int PRIMARY KEY, doc jsonb)" "$(new_mydb packet_dst)"
	my_sql -e "SET GLOBAL max_allowed_packet = 1048576"
	psql_at "$src" "INSERT INTO j SELECT 1, jsonb_build_object('big', repeat('x', 3000000))" >/dev/null
	for _ in 1 2; do
		run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
		assert_output --partial "a change of j takes"
		assert_output --partial "more than the target's max_allowed_packet (1048576 bytes): raise it on the target"
		refute_output --partial "gone away"
	done
	my_sql -e "SET GLOBAL max_allowed_packet = 67108864"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 my_sql packet_dst -e "SELECT length(json_value(doc, '$.big')) FROM j"
	assert_output 3000000
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a slot the source invalidated (max_slot_wal_keep_size): exit 3 saying a new online dump is the way out, and how to drop the dead slot" {
	needs_own_servers
	online_pair inval "CREATE TABLE t (id int PRIMARY KEY, pad text)"
	psql_at "$PG_URI" "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'" >/dev/null
	psql_at "$PG_URI" "SELECT pg_reload_conf()" >/dev/null
	for _ in 1 2 3; do
		psql_at "$src" "INSERT INTO t SELECT g, repeat(md5(g::text), 8) FROM generate_series((SELECT coalesce(max(id), 0) + 1 FROM t), (SELECT coalesce(max(id), 0) + 100000 FROM t)) g; SELECT pg_switch_wal()" >/dev/null
		psql_at "$src" "CHECKPOINT" >/dev/null
	done
	psql_at "$PG_URI" "ALTER SYSTEM RESET max_slot_wal_keep_size" >/dev/null
	psql_at "$PG_URI" "SELECT pg_reload_conf()" >/dev/null
	run -0 psql_at "$src" "SELECT wal_status FROM pg_replication_slots WHERE database = 'inval_src'"
	assert_output lost
	run -3 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "was invalidated by the source (wal_status lost"
	assert_output --partial "Take a new online dump (dbmig dump --online)"
	assert_output --partial "drop the dead slot with dbmig cdc-tail SOURCE --from DIR --drop"
	run -0 dbmig cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop
	run -0 psql_at "$src" "SELECT count(*) FROM pg_replication_slots WHERE database = 'inval_src'"
	assert_output 0
}

@test "copy --online keeps no dump, yet its slot can be dropped: from the pair, or by --slot NAME, which it prints; the REPLICA IDENTITY FULL it set is offered back" {
	src=$(new_db cpdrop_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE nk (x int)" >/dev/null
	dst=$(new_db cpdrop_dst)
	run -0 dbmig copy --online --replica-identity-full --until-caught-up "$src" "$dst"
	slot=$(psql_at "$src" "SELECT slot_name FROM pg_replication_slots WHERE database = 'cpdrop_src'")
	[ -n "$slot" ]
	assert_output --partial "replication slot $slot keeps the source's WAL until dropped"
	assert_output --partial "dbmig cdc-tail SOURCE TARGET --drop"
	assert_output --partial "dbmig cdc-tail SOURCE --slot $slot --drop"
	# from the pair: the target's state names the slot
	run -0 dbmig cdc-tail "$src" "$dst" --drop
	assert_output --partial "dropped replication slot and publication $slot"
	assert_output --partial "undo it on the source: ALTER TABLE public.nk REPLICA IDENTITY DEFAULT;"
	assert_output --partial "the target keeps dbmig's bookkeeping (its schema _dbmig"
	run -0 psql_at "$src" "SELECT (SELECT count(*) FROM pg_replication_slots WHERE database = 'cpdrop_src') + (SELECT count(*) FROM pg_publication)"
	assert_output 0
	# by name, from the source alone
	dst2=$(new_db cpdrop_dst2)
	run -0 dbmig copy --online --until-caught-up "$src" "$dst2"
	slot=$(psql_at "$src" "SELECT slot_name FROM pg_replication_slots WHERE database = 'cpdrop_src'")
	run -0 dbmig cdc-tail "$src" --slot "$slot" --drop
	run -0 psql_at "$src" "SELECT count(*) FROM pg_replication_slots WHERE database = 'cpdrop_src'"
	assert_output 0
	# never another tool's slot, and --drop must know what to drop
	run -2 dbmig cdc-tail "$src" --slot sub_xyz --drop
	assert_output --partial "--slot sub_xyz is not a slot dbmig made"
	run -2 dbmig cdc-tail "$src" --drop
	assert_output --partial "--drop needs to know what to drop"
}

@test "load of an online dump refuses a second target up front, nothing made there; the same target again loads" {
	online_pair twotg "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"
	other=$(new_db twotg_other)
	run -2 dbmig load "$BATS_TEST_TMPDIR/d" "$other"
	assert_output --partial "was loaded into another target (host=127.0.0.1 port=$PG_PORT dbname=twotg_dst"
	assert_output --partial "Each target needs its own online dump"
	run -0 psql_at "$other" "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
	assert_output 0
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/d/online-target")" = 600 ]
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "verify of a pair the tail keeps in step names each sequence behind its source, with the statement that syncs it, and in --json" {
	online_pair seqs "CREATE TABLE t (id serial PRIMARY KEY, v text); INSERT INTO t (v) VALUES ('a'), ('b')"
	psql_at "$src" "INSERT INTO t (v) SELECT 'x' FROM generate_series(1, 40)" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "sequence public.t_id_seq: 42 on the source, 2 on the target: its next value on the target would collide"
	assert_output --partial "SELECT setval('\"public\".\"t_id_seq\"', 42);"
	assert_output --partial "equal: 1 table"
	run -0 --separate-stderr dbmig verify --json "$src" "$dst"
	run -0 jq -c '.sequence_differences | map([.sequence, .fix])' <<<"$output"
	assert_output '[["public.t_id_seq","SELECT setval('"'"'\"public\".\"t_id_seq\"'"'"', 42);"]]'
	# the statement it gives syncs it: the application's insert then goes in
	psql_at "$dst" "SELECT setval('\"public\".\"t_id_seq\"', 42)" >/dev/null
	run -0 dbmig verify "$src" "$dst"
	refute_output --partial "sequence public"
	run -0 psql_at "$dst" "INSERT INTO t (v) VALUES ('app') RETURNING id"
	assert_output 43
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "verify of a target a few hundred rows behind costs about what a clean run does: a keyless table's differing buckets are read in a few scans, not one per bucket" {
	src=$(new_db vbehind_src)
	psql_at "$src" "CREATE TABLE h (a int, b text, c timestamptz);
		INSERT INTO h SELECT g % 1000, md5(g::text), '2026-01-01'::timestamptz + g * interval '1 s' FROM generate_series(1, 30000) g" >/dev/null
	dst=$(new_db vbehind_dst)
	dbmig -q copy "$src" "$dst" >/dev/null
	start=$SECONDS
	run -0 dbmig -q verify "$src" "$dst"
	clean=$((SECONDS - start))
	# 300 rows the target lacks, spread over the table
	psql_at "$src" "INSERT INTO h SELECT g, 'new' || g, now() FROM generate_series(1, 300) g" >/dev/null
	scans0=$(psql_at "$dst" "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'h'")
	start=$SECONDS
	run -1 dbmig verify --max-diffs 1000 "$src" "$dst"
	behind=$((SECONDS - start))
	assert_output --partial "DIFFERENT: 300 differences in 1 of 1 table"
	[ "$(grep -c 'missing on target' <<<"$output")" -eq 300 ]
	sleep 0.6	# the statistics collector
	scans1=$(psql_at "$dst" "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'h'")
	echo "clean ${clean}s, behind ${behind}s, scans of the target's table $((scans1 - scans0))"
	(( scans1 - scans0 <= 12 ))
	(( behind <= 3 * clean + 3 ))
}

@test "a table made on the source after the dump (and still there) stops the tail with exit 6 naming it; made on the target too, the rerun applies it" {
	online_pair newtab "CREATE TABLE keep (id int PRIMARY KEY)"
	psql_at "$src" "CREATE TABLE later (id int PRIMARY KEY); INSERT INTO later VALUES (1), (2); INSERT INTO keep VALUES (1)" >/dev/null
	run -6 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "the source's table public.later changed at"
	assert_output --partial "the target has no table later (made on the source after the dump?)"
	refute_output --partial "?.?"
	refute_output --partial "not there any more"
	psql_at "$dst" "CREATE TABLE later (id int PRIMARY KEY)" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 psql_at "$dst" "SELECT count(*) FROM later"
	assert_output 2
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "--until-caught-up after a large transaction: the tail confirms until the source lets go of its WAL, so the slot does not keep it" {
	online_pair settle "CREATE TABLE big (id int PRIMARY KEY, pad text)"
	psql_at "$src" "INSERT INTO big SELECT g, repeat('p', 300) FROM generate_series(1, 300000) g" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "confirming until the source lets go of it"
	run -0 psql_at "$src" "SELECT pg_wal_lsn_diff(confirmed_flush_lsn, restart_lsn) < 64 * 1024 * 1024 FROM pg_replication_slots WHERE database = 'settle_src'"
	assert_output t
	run -0 psql_at "$dst" "SELECT count(*) FROM big"
	assert_output 300000
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "a long run of inserts into one table goes by COPY inside the target's transaction, awkward values exact; a row the target refuses fails the whole batch, and the rerun is exact" {
	online_pair copyrun "CREATE TABLE t (id int PRIMARY KEY, s text, b bytea, j jsonb, a text[], ts timestamptz);
		CREATE TABLE idt (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)"
	# on the target, each statement that inserts notes what it was
	psql_at "$dst" "CREATE SCHEMA note; CREATE TABLE note.seen (tbl text, stmt text);
		CREATE FUNCTION note.note() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
		INSERT INTO note.seen VALUES (TG_TABLE_NAME, split_part(current_query(), ' ', 1)); RETURN NULL; END \$\$;
		CREATE TRIGGER note AFTER INSERT ON t FOR EACH STATEMENT EXECUTE FUNCTION note.note();
		ALTER TABLE t ENABLE ALWAYS TRIGGER note;
		CREATE TRIGGER note AFTER INSERT ON idt FOR EACH STATEMENT EXECUTE FUNCTION note.note();
		ALTER TABLE idt ENABLE ALWAYS TRIGGER note" >/dev/null
	rows="SELECT g, CASE g % 6 WHEN 0 THEN E'tab\\there' WHEN 1 THEN E'new\\nline\\r' WHEN 2 THEN E'back\\\\slash \\\\N'
		WHEN 3 THEN '\\N' WHEN 4 THEN NULL ELSE '' END, CASE WHEN g % 5 = 0 THEN NULL ELSE
		decode(md5(g::text), 'hex') || '\\x00090a5c'::bytea END, jsonb_build_object('k', E'q\"\\\\\\t', 'g', g),
		ARRAY[E'x,y', 'NULL', NULL, E'\"q\"', E'\\\\'], '2020-01-01 00:00:00+00'::timestamptz + g * interval '1 s'"
	# a batch's run (3,000 rows), then a transaction too large for a batch
	# (applied as it comes) whose run an UPDATE breaks
	psql_at "$src" "INSERT INTO t $rows FROM generate_series(1, 3000) g" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	psql_at "$src" "BEGIN; INSERT INTO t $rows FROM generate_series(3001, 53000) g; UPDATE t SET s = 'mid' WHERE id = 5;
		INSERT INTO t $rows FROM generate_series(53001, 54000) g; INSERT INTO idt (v) SELECT 'v' || g FROM generate_series(1, 1000) g;
		COMMIT" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	same="SELECT count(*), md5(string_agg(t::text, ',' ORDER BY id)) FROM t"
	run -0 psql_at "$src" "$same"
	assert_output "$(psql_at "$dst" "$same")"
	run -0 psql_at "$src" "SELECT md5(string_agg(idt::text, ',' ORDER BY id)) FROM idt"
	assert_output "$(psql_at "$dst" "SELECT md5(string_agg(idt::text, ',' ORDER BY id)) FROM idt")"
	# the runs went by COPY, a run's first rows by INSERT
	run -0 psql_at "$dst" "SELECT tbl, stmt FROM note.seen GROUP BY 1, 2 ORDER BY 1, 2"
	assert_output "idt|COPY
idt|INSERT
t|COPY
t|INSERT"
	run -0 psql_at "$dst" "SELECT count(*) FROM note.seen WHERE tbl = 't' AND stmt = 'COPY'"
	(( output >= 3 ))
	# a row the target already has: the COPY is refused, and with it
	# the batch; nothing of it is kept, nothing confirmed past it
	psql_at "$dst" "INSERT INTO t (id, s) VALUES (60000, 'on the target')" >/dev/null
	psql_at "$src" "INSERT INTO t $rows FROM generate_series(55001, 61000) g" >/dev/null
	ended=$(psql_at "$src" "SELECT pg_current_wal_insert_lsn()")
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial 'Key (id)=(60000) already exists'
	assert_output --partial "applying a change to t"
	run -0 psql_at "$dst" "SELECT count(*) FROM t WHERE id > 55000"
	assert_output 1
	# (the state may pass WAL with nothing to apply, never the refused
	# transaction; the slot never passes the state)
	at=$(psql_at "$dst" "SELECT position FROM _dbmig.cdc_state")
	run -0 psql_at "$src" "SELECT '$at'::pg_lsn < '$ended'::pg_lsn, confirmed_flush_lsn <= '$at'::pg_lsn FROM pg_replication_slots WHERE database = 'copyrun_src'"
	assert_output "t|t"
	psql_at "$dst" "DELETE FROM t WHERE id = 60000" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 psql_at "$src" "$same"
	assert_output "$(psql_at "$dst" "$same")"
	# stopped by two signals while a COPY is open (the target holds it at
	# one row for 8 s): exit 8 at once, nothing kept; the rerun, once the
	# server ended the cut session, is exact
	psql_at "$dst" "CREATE FUNCTION note.hold() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
		IF NEW.id = 70000 THEN PERFORM pg_sleep(8); END IF; RETURN NEW; END \$\$;
		CREATE TRIGGER hold BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION note.hold();
		ALTER TABLE t ENABLE ALWAYS TRIGGER hold" >/dev/null
	psql_at "$src" "INSERT INTO t $rows FROM generate_series(61001, 120000) g" >/dev/null
	dbmig cdc-tail "$src" "$dst" --until-caught-up 2>"$BATS_TEST_TMPDIR/held.log" &
	tail_pid=$!
	for _ in $(seq 1 300); do
		if [ "$(psql_at "$dst" "SELECT count(*) FROM pg_stat_activity WHERE datname = 'copyrun_dst' AND wait_event = 'PgSleep'")" = 1 ]; then
			break
		fi
		sleep 0.1
	done
	kill -TERM "$tail_pid"
	sleep 0.2
	kill -TERM "$tail_pid"
	start=$SECONDS
	rc=0
	wait "$tail_pid" || rc=$?
	(( rc == 8 ))
	(( SECONDS - start <= 3 ))
	run -0 cat "$BATS_TEST_TMPDIR/held.log"
	assert_output --partial "was not done at a second signal, so its connection was cut"
	run -0 psql_at "$dst" "SELECT count(*) FROM t WHERE id > 61000"
	assert_output 0
	psql_at "$dst" "DROP TRIGGER hold ON t" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 psql_at "$src" "$same"
	assert_output "$(psql_at "$dst" "$same")"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}
