#!/usr/bin/env bats
# cutover-plan: the readiness report, and the fenced switch through a
# real PgBouncer (Debian's pgbouncer, run as an unprivileged user) or a
# switch command, with clients writing all along: every acknowledged
# write arrives, nothing is written on the old primary after its fence,
# failures and kill -9 at each step end in one writable primary.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	psql -X -q "$PG_URI" -c "CREATE DATABASE app_boot" >/dev/null
	if ! servers_start_pgbouncer app app_boot >"$BATS_FILE_TMPDIR/pgbouncer.log" 2>&1; then
		if [ "${CI:-}" = true ]; then
			cat "$BATS_FILE_TMPDIR/pgbouncer.log" >&3
			return 1
		fi
		echo "pgbouncer could not be started: apt-get install pgbouncer" >"$BATS_FILE_TMPDIR/skip"
		return 0
	fi
	declare -p PGB_PORT PGB_CONFIG PGB_ADMIN_URI PGB_URI | sed 's/^declare -[a-z-]* /export /' \
		>>"$BATS_FILE_TMPDIR/env"
}

teardown() {
	# clients and tails of a failed test must not outlive it
	[ -n "${writer:-}" ] && kill "$writer" 2>/dev/null
	[ -n "${bench:-}" ] && kill "$bench" 2>/dev/null
	[ -n "${tail_pid:-}" ] && kill "$tail_pid" 2>/dev/null
	[ -n "${rtail_pid:-}" ] && kill "$rtail_pid" 2>/dev/null
	wait 2>/dev/null
	# no slot outlives its test (the server has few)
	psql -X -q "$PG_URI" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
		WHERE NOT active" >/dev/null 2>&1
	true
}

# proxy_point DB: the clients' entry "app" points at database DB.
proxy_point() {
	sed -i "s|^app = .*|app = host=127.0.0.1 port=$PG_PORT dbname=$1|" "$PGB_CONFIG"
	psql -X -q "postgresql://${PG_SUPERUSER:-postgres}@127.0.0.1:$PGB_PORT/pgbouncer" \
		-c RELOAD >/dev/null
}

# proxy_db: the database the clients reach through the proxy now.
proxy_db() {
	psql -X -At "$PGB_URI" -c "SELECT current_database()"
}

# pair NAME TARGET_URI: a source NAME_src with accounts (serial) and acks
# tables, dumped online, loaded into TARGET_URI, its tail running
# ($tail_pid), and a live verify equal. Sets $src.
pair() {
	src=$(new_db "$1_src")
	psql_at "$src" "CREATE TABLE accounts (id serial PRIMARY KEY, bal int NOT NULL);
		INSERT INTO accounts (bal) SELECT g FROM generate_series(1, 2000) g;
		CREATE TABLE acks (n int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d_$1" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d_$1" "$2" >/dev/null 2>&1
	dbmig cdc-tail --progress=none "$src" "$2" 2>"$BATS_TEST_TMPDIR/tail_$1.log" &
	tail_pid=$!
	sleep 1
	dbmig -q verify "$src" "$2"
}

# acked_missing LOG URI: the acknowledged numbers of LOG not in URI's acks.
acked_missing() {
	sort -n "$1" >"$BATS_TEST_TMPDIR/acked"
	psql_at "$2" "SELECT n FROM acks ORDER BY n" | sort -n >"$BATS_TEST_TMPDIR/there"
	comm -23 "$BATS_TEST_TMPDIR/acked" "$BATS_TEST_TMPDIR/there" | wc -l
}

# source_writable URI: a new session there may write.
source_writable() {
	psql_at "$1" "INSERT INTO accounts (bal) VALUES (-1) RETURNING 'writable'"
}

@test "PostgreSQL to PostgreSQL through PgBouncer under pgbench: every acknowledged write arrives, none after the fence, then --rollback loses none either" {
	dst=$(new_db co_pg_dst)
	pair co_pg "$dst"
	proxy_point co_pg_src
	# clients: a writer of numbered rows and a pgbench script, through the proxy
	"$REPO_ROOT/tests/helpers/ack_writer.sh" "$PGB_URI" acks "$BATS_TEST_TMPDIR/acks" &
	writer=$!
	printf '%s\n' '\set id random(1, 2000)' \
		'UPDATE accounts SET bal = bal + 1 WHERE id = :id;' >"$BATS_TEST_TMPDIR/bench.sql"
	pgbench -n -c 4 -T 15 -f "$BATS_TEST_TMPDIR/bench.sql" "$PGB_URI" \
		>"$BATS_TEST_TMPDIR/bench.log" 2>&1 &
	bench=$!
	sleep 2
	run -0 dbmig verify "$src" "$dst"
	assert_output --regexp "equal at [0-9A-F]+/[0-9A-F]+"
	run -0 dbmig cutover-plan "$src" "$dst" --proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --regexp "ok     lag        a probe written on the source was applied on the target [0-9.]+ s later"
	assert_output --partial "ok     verify     equal at"
	assert_output --partial "info   clients    "
	assert_output --partial "ready for the cutover"
	assert_output --partial "--execute --proxy pgbouncer://postgres@127.0.0.1:$PGB_PORT/app --proxy-config $PGB_CONFIG --reverse"
	run -0 --separate-stderr dbmig cutover-plan --json "$src" "$dst"
	[ "$(jq -r '[.ready, (.checks | length > 5), (.runbook | length > 5)] | @tsv' <<<"$output")" = "true	true	true" ]
	run -0 dbmig cutover-plan "$src" "$dst" --execute --dry-run --reverse \
		--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --partial "ALTER DATABASE \"co_pg_src\" SET default_transaction_read_only = on"
	assert_output --partial "PAUSE \"app\""
	[ "$(proxy_db)" = co_pg_src ]
	sleep 1
	run -0 dbmig cutover-plan "$src" "$dst" --execute --reverse \
		--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --regexp "pause +done +clients of \"app\" wait"
	assert_output --regexp "fence +done"
	assert_output --regexp "marker +done +written at [0-9A-F]+/[0-9A-F]+, applied"
	assert_output --regexp "reverse +done"
	assert_output --regexp "switch +done +entry now dbname=co_pg_dst"
	assert_output --partial "nothing committed on the old primary between its fence and the switch"
	assert_output --regexp "write pause: [0-9.]+ s \(PAUSE to RESUME\)"
	# the same connection string now reaches the new primary
	[ "$(proxy_db)" = co_pg_dst ]
	wait "$tail_pid"
	tail_pid=
	grep -q "stopped: the pair was cut over" "$BATS_TEST_TMPDIR/tail_co_pg.log"
	# the source took no client write after its fence
	run psql_at "$src" "INSERT INTO acks VALUES (-1)"
	assert_output --partial "read-only transaction"
	# the way back stays open: the new primary's writes go to the old one
	dbmig cdc-tail --progress=none "$dst" "$src" 2>"$BATS_TEST_TMPDIR/rtail.log" &
	rtail_pid=$!
	sleep 3
	[ "$(acked_missing "$BATS_TEST_TMPDIR/acks" "$dst")" = 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/acks")" -gt 10 ]
	# a rollback killed half way, then run again: undone, then done
	DBMIG_TEST_CUTOVER_KILL=back-marker run -137 dbmig cutover-plan "$src" "$dst" --rollback \
		--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	run -0 dbmig cutover-plan "$src" "$dst" --rollback \
		--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --partial "a rollback of this pair stopped at step back-marker (done) without finishing: undoing it first"
	assert_output --regexp "back-marker +done"
	assert_output --regexp "back-unfence +done"
	assert_output --partial "rolled back to the old primary"
	[ "$(proxy_db)" = co_pg_src ]
	wait "$rtail_pid"
	rtail_pid=
	sleep 2
	kill "$writer"
	wait "$writer" 2>/dev/null || true
	writer=
	wait "$bench" || true
	bench=
	# every acknowledged number, before and after both switches, is on the old primary again
	[ "$(acked_missing "$BATS_TEST_TMPDIR/acks" "$src")" = 0 ]
	# the clients waited, they did not fail
	[ ! -s "$BATS_TEST_TMPDIR/acks.errors" ]
	grep -q "number of failed transactions: 0 " "$BATS_TEST_TMPDIR/bench.log"
	run -0 source_writable "$src"
}

@test "PostgreSQL to MariaDB with --switch-cmd: fence, marker, AUTO_INCREMENT past the source's, the command run; no acknowledged write lost; --reverse carries the new primary's writes back" {
	dst=$(new_mydb co_my_dst)
	pair co_my "$dst"
	"$REPO_ROOT/tests/helpers/ack_writer.sh" "$src" acks "$BATS_TEST_TMPDIR/acks" &
	writer=$!
	sleep 2
	run -0 dbmig cutover-plan "$src" "$dst"
	assert_output --partial "# 3. the switch, across engines: no proxy translates postgresql's protocol into mysql's"
	assert_output --partial "--execute --switch-cmd ./switch-clients.sh --reverse"
	psql_at "$src" "INSERT INTO accounts (bal) SELECT 0 FROM generate_series(1, 50)" >/dev/null
	run -0 dbmig cutover-plan "$src" "$dst" --execute --fenced-verify=counts --reverse \
		--switch-cmd "env | grep ^DBMIG_CUTOVER_ | sort >'$BATS_TEST_TMPDIR/switched'"
	assert_output --regexp "fence +done"
	assert_output --regexp "reverse +done"
	assert_output --regexp "verify +done +every table has as many rows on both sides"
	assert_output --regexp "sequences +done"
	assert_output --regexp "switch +done +--switch-cmd succeeded"
	grep -q "^DBMIG_CUTOVER_ACTION=switch$" "$BATS_TEST_TMPDIR/switched"
	grep -q "^DBMIG_CUTOVER_PRIMARY=.*co_my_dst" "$BATS_TEST_TMPDIR/switched"
	grep -q "^DBMIG_CUTOVER_POSITION=[0-9A-F]*/[0-9A-F]*$" "$BATS_TEST_TMPDIR/switched"
	sleep 1
	kill "$writer"
	wait "$writer" 2>/dev/null || true
	writer=
	# the writer went on against the fenced source: its writes were refused, never lost
	grep -q "read-only transaction" "$BATS_TEST_TMPDIR/acks.errors.txt"
	sort -n "$BATS_TEST_TMPDIR/acks" >"$BATS_TEST_TMPDIR/acked"
	my_sql co_my_dst -e "SELECT n FROM acks ORDER BY n" | sort -n >"$BATS_TEST_TMPDIR/there"
	[ "$(comm -23 "$BATS_TEST_TMPDIR/acked" "$BATS_TEST_TMPDIR/there" | wc -l)" = 0 ]
	# the next id the application gets on MariaDB is past the source's last
	last=$(psql_at "$src" "SELECT max(id) FROM accounts")
	my_sql co_my_dst -e "INSERT INTO accounts (bal) VALUES (0)"
	next=$(my_sql co_my_dst -e "SELECT max(id) FROM accounts")
	[ "$next" -gt "$last" ]
	# the way back: MariaDB's binlog carries that write to the old primary
	run -0 dbmig cdc-tail "$dst" "$src" --until-caught-up
	[ "$(psql_at "$src" "SELECT count(*) FROM accounts WHERE id = $next")" = 1 ]
}

@test "planted problems: each is found with its fix, and --execute refuses it" {
	dst=$(new_db co_bad_dst)
	pair co_bad "$dst"
	# no passing verify within --verify-age
	sleep 1
	run -1 dbmig cutover-plan "$src" "$dst" --verify-age 0.0001
	assert_output --regexp "BLOCKS verify     the last verify \(equal at [0-9A-F/]+\) is 0.0 h old, over --verify-age"
	assert_output --partial "fix: verify the live pair"
	# lag over the limit
	run -1 dbmig cutover-plan "$src" "$dst" --max-lag 0.000001
	assert_output --partial "BLOCKS lag "
	assert_output --partial "fix: wait until the tail catches up"
	run -1 dbmig cutover-plan "$src" "$dst" --execute --max-lag 0.000001 --switch-cmd true
	assert_output --partial "refused: 1 readiness check blocks the cutover"
	run -0 source_writable "$src"
	# a table with no key and no replica identity, made after the dump
	psql_at "$src" "CREATE TABLE nokey (x int)"
	run -1 dbmig cutover-plan "$src" "$dst"
	assert_output --partial "BLOCKS tables     table public.nokey has no primary key and no replica identity"
	assert_output --partial "ALTER TABLE \"public\".\"nokey\" REPLICA IDENTITY FULL, or add a primary key"
	psql_at "$src" "DROP TABLE nokey"
	# a table made after the dump, which the target lacks
	psql_at "$src" "CREATE TABLE late (id int PRIMARY KEY)"
	run -1 dbmig cutover-plan "$src" "$dst"
	assert_output --partial "BLOCKS tables     table public.late is on the source but not on the target (made after the dump?)"
	assert_output --partial "fix: its changes would stop the tail"
	psql_at "$src" "DROP TABLE late"
	# a missing privilege: a role that owns nothing and may not end sessions
	psql_at "$PG_URI" "DROP ROLE IF EXISTS co_weak; CREATE ROLE co_weak LOGIN" >/dev/null
	psql_at "$src" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO co_weak;
		GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO co_weak" >/dev/null
	run -1 dbmig cutover-plan "postgresql://co_weak@$PG_HOST:$PG_PORT/co_bad_src" "$dst"
	assert_output --partial "BLOCKS privileges the fence (ALTER DATABASE co_bad_src SET default_transaction_read_only) needs the database's owner"
	assert_output --partial "fix: GRANT pg_signal_backend TO co_weak"
	assert_output --partial "fix: ALTER ROLE co_weak REPLICATION"
	# no tail running
	kill "$tail_pid"
	wait "$tail_pid" || true
	tail_pid=
	run -1 dbmig cutover-plan "$src" "$dst"
	assert_output --partial "BLOCKS stream     no cdc-tail is applying dump"
	assert_output --partial "fix: start it and leave it running: dbmig cdc-tail SOURCE TARGET"
	run -1 dbmig cutover-plan "$src" "$dst" --execute --switch-cmd true
	assert_output --partial "refused:"
	# a slot that lost the WAL the tail needs
	psql -X -q "$PG_URI" -c "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'" \
		-c "SELECT pg_reload_conf()" >/dev/null
	for _ in 1 2 3 4; do
		psql -X -q "$src" -c "INSERT INTO accounts (bal) SELECT g FROM generate_series(1, 30000) g" \
			-c "SELECT pg_switch_wal()" -c "CHECKPOINT" >/dev/null
	done
	run -1 dbmig cutover-plan "$src" "$dst"
	psql -X -q "$PG_URI" -c "ALTER SYSTEM RESET max_slot_wal_keep_size" \
		-c "SELECT pg_reload_conf()" >/dev/null
	assert_output --partial "BLOCKS slot       replication slot dbmig_"
	assert_output --partial "wal_status lost"
	assert_output --partial "fix: the source removed WAL the tail had not read"
	run -0 source_writable "$src"
}

@test "a failure injected at each step undoes the cutover: the source writable, the proxy resumed, the tail applying" {
	dst=$(new_db co_fail_dst)
	pair co_fail "$dst"
	proxy_point co_fail_src
	for step in pause fence marker sequences reverse switch; do
		DBMIG_TEST_CUTOVER_FAIL=$step run -4 dbmig cutover-plan "$src" "$dst" --execute \
			--reverse --proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
		assert_output --partial "failure injected at step $step"
		assert_output --regexp "rolled-back +done +step $step failed"
		run -0 source_writable "$PGB_URI"
		[ "$(proxy_db)" = co_fail_src ]
		kill -0 "$tail_pid"
	done
	# a client transaction longer than the pause may wait: given up, resumed
	psql -X -q "$PGB_URI" -c "BEGIN; SELECT pg_sleep(8); COMMIT" >/dev/null &
	long=$!
	sleep 1
	run -4 dbmig cutover-plan "$src" "$dst" --execute --max-lag 1 \
		--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --partial "PgBouncer could not pause \"app\" within 5 s"
	run -0 source_writable "$PGB_URI"
	wait "$long"
	# a difference on the fenced pair stops the switch too
	psql_at "$dst" "DELETE FROM accounts WHERE id = 7" >/dev/null
	run -4 dbmig cutover-plan "$src" "$dst" --execute --fenced-verify=checksum \
		--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --partial "the fenced pair differs: 1 difference"
	[ "$(proxy_db)" = co_fail_src ]
	run -0 source_writable "$src"
	# mended, verified live again, and then it goes through
	psql -X -q "$src" -c "COPY (SELECT * FROM accounts WHERE id = 7) TO STDOUT" |
		psql -X -q "$dst" -c "COPY accounts FROM STDIN"
	dbmig -q verify "$src" "$dst"
	run -0 dbmig cutover-plan "$src" "$dst" --execute --fenced-verify=checksum \
		--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --regexp "verify +done +the fenced pair is equal"
	[ "$(proxy_db)" = co_fail_dst ]
}

@test "kill -9 of --execute at each step, then the same command: one writable primary, the switch finished or undone" {
	# killed before the switch: the rerun undoes it first (its own new
	# attempt made to fail at once, so that one pair serves each step)
	dst=$(new_db co_k_dst)
	pair co_k "$dst"
	proxy_point co_k_src
	for step in pause fence marker sequences; do
		DBMIG_TEST_CUTOVER_KILL=$step run -137 dbmig cutover-plan "$src" "$dst" --execute \
			--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
		DBMIG_TEST_CUTOVER_FAIL=pause run -4 dbmig cutover-plan "$src" "$dst" --execute \
			--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
		assert_output --partial "a cutover of this pair stopped at step $step (done) without finishing: undoing it first"
		assert_output --partial "an interrupted cutover was undone"
		[ "$(proxy_db)" = co_k_src ]
		run -0 source_writable "$PGB_URI"
		kill -0 "$tail_pid"
	done
	run -0 dbmig cutover-plan "$src" "$dst" --execute --proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
	assert_output --regexp "done +done +cut over"
	[ "$(proxy_db)" = co_k_dst ]
	wait "$tail_pid" || true
	tail_pid=
	# killed once the switch began: the rerun finishes it
	for step in switch resume; do
		dst=$(new_db "co_k_${step}_dst")
		pair "co_k_$step" "$dst"
		proxy_point "co_k_${step}_src"
		DBMIG_TEST_CUTOVER_KILL=$step run -137 dbmig cutover-plan "$src" "$dst" --execute \
			--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
		run -0 dbmig cutover-plan "$src" "$dst" --execute \
			--proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"
		assert_output --partial "killed during its switch: finishing it"
		assert_output --regexp "done +done +cut over"
		# the new primary takes the clients' writes, the old one none
		[ "$(proxy_db)" = "co_k_${step}_dst" ]
		run -0 source_writable "$PGB_URI"
		run psql_at "$src" "INSERT INTO acks VALUES (-1)"
		assert_output --partial "read-only transaction"
		wait "$tail_pid" || true
		tail_pid=
	done
}
