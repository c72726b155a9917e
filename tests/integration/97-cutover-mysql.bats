#!/usr/bin/env bats
# cutover-plan from a MariaDB source: the fence is the server's read_only,
# the marker a row of dbmig's own through the binlog. A client that logs
# every acknowledged write follows a --switch-cmd (it reads where to write
# from a file the command rewrites, as a redeployed application would);
# every acknowledged write must end up on the new primary, the old one
# takes none after its fence, and --rollback over the reverse stream loses
# none either. MariaDB to MariaDB runs between two servers: read_only
# fences a whole server.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	if ! servers_start_mysql2 >"$BATS_FILE_TMPDIR/mysql2.log" 2>&1; then
		cat "$BATS_FILE_TMPDIR/mysql2.log" >&3
		return 1
	fi
	declare -p MY2_PORT MY2_URI | sed 's/^declare -[a-z-]* /export /' >>"$BATS_FILE_TMPDIR/env"
}

teardown() {
	[ -n "${writer:-}" ] && kill "$writer" 2>/dev/null
	[ -n "${tail_pid:-}" ] && kill "$tail_pid" 2>/dev/null
	[ -n "${rtail_pid:-}" ] && kill "$rtail_pid" 2>/dev/null
	wait 2>/dev/null
	# a failed test must not leave a server fenced for the next
	my_sql -e "SET GLOBAL read_only = OFF" 2>/dev/null
	my2 -e "SET GLOBAL read_only = OFF" 2>/dev/null
	true
}

my2() {
	"${MY_CLIENT:-mariadb}" --no-defaults -h 127.0.0.1 -P "$MY2_PORT" -uroot -N -B "$@"
}

# app_user PORT DB: a client role without the privileges that pass read_only.
app_user() {
	"${MY_CLIENT:-mariadb}" --no-defaults -h 127.0.0.1 -P "$1" -uroot -e "
		CREATE USER IF NOT EXISTS app@'%' IDENTIFIED BY 'apppw';
		GRANT SELECT, INSERT, UPDATE, DELETE ON \`$2\`.* TO app@'%'"
}

# mysql_pair DB TARGET_URI: MariaDB database DB with accounts and acks,
# dumped online, loaded into TARGET_URI, its tail running ($tail_pid),
# a live verify equal. Sets $src.
mysql_pair() {
	new_mydb "$1" >/dev/null
	my_sql "$1" -e "CREATE TABLE accounts (id int AUTO_INCREMENT PRIMARY KEY, bal int NOT NULL);
		INSERT INTO accounts (bal) SELECT seq FROM seq_1_to_2000;
		CREATE TABLE acks (n int PRIMARY KEY, at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))"
	app_user "$MY_PORT" "$1"
	src=$(my_uri "$1")
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$2" >/dev/null 2>&1
	dbmig cdc-tail --progress=none "$src" "$2" 2>"$BATS_TEST_TMPDIR/tail.log" &
	tail_pid=$!
	sleep 1
	dbmig -q verify "$src" "$2"
}

# switch_cmd SOURCE_APP_URI TARGET_APP_URI: the command that redeploys
# the client (rewrites its endpoint file) either way.
switch_cmd() {
	printf '#!/bin/sh\ncase "$DBMIG_CUTOVER_ACTION" in\nrollback) echo "%s" >"%s" ;;\n*) echo "%s" >"%s" ;;\nesac\n' \
		"$1" "$BATS_TEST_TMPDIR/endpoint" "$2" "$BATS_TEST_TMPDIR/endpoint" >"$BATS_TEST_TMPDIR/switch.sh"
	chmod +x "$BATS_TEST_TMPDIR/switch.sh"
	echo "$1" >"$BATS_TEST_TMPDIR/endpoint"
}

# acked_missing_my PORT DB: the acknowledged numbers not in DB's acks.
acked_missing_my() {
	sort -n "$BATS_TEST_TMPDIR/acks" >"$BATS_TEST_TMPDIR/acked"
	"${MY_CLIENT:-mariadb}" --no-defaults -h 127.0.0.1 -P "$1" -uroot -N -B "$2" \
		-e "SELECT n FROM acks ORDER BY n" | sort -n >"$BATS_TEST_TMPDIR/there"
	comm -23 "$BATS_TEST_TMPDIR/acked" "$BATS_TEST_TMPDIR/there" | wc -l
}

@test "MariaDB to PostgreSQL with --switch-cmd and --reverse: every acknowledged write on the new primary, none on the fenced source; --rollback loses none" {
	dst=$(new_db cmp_dst)
	mysql_pair cmp_src "$dst"
	switch_cmd "mysql://app@127.0.0.1:$MY_PORT/cmp_src" "$dst"
	MYSQL_PWD=apppw "$REPO_ROOT/tests/helpers/ack_writer_at.sh" "$BATS_TEST_TMPDIR/endpoint" acks \
		"$BATS_TEST_TMPDIR/acks" &
	writer=$!
	sleep 2
	run -0 dbmig cutover-plan "$src" "$dst"
	assert_output --partial "ok     slot       the source keeps a binary log"
	assert_output --partial "ready for the cutover"
	run -0 dbmig cutover-plan "$src" "$dst" --execute --dry-run --reverse --switch-cmd true
	assert_output --partial "SET GLOBAL read_only = ON"
	run -0 dbmig cutover-plan "$src" "$dst" --execute --reverse --fenced-verify=counts \
		--switch-cmd "$BATS_TEST_TMPDIR/switch.sh"
	assert_output --regexp "fence +done"
	assert_output --regexp "marker +done +written at binlog\.[0-9]+:[0-9]+"
	assert_output --regexp "verify +done +every table has as many rows on both sides"
	assert_output --regexp "reverse +done"
	assert_output --regexp "switch +done"
	assert_output --partial "nothing committed on the old primary between its fence and the switch"
	wait "$tail_pid"
	tail_pid=
	grep -q "stopped: the pair was cut over" "$BATS_TEST_TMPDIR/tail.log"
	# the fence holds the client's role: the source takes no write
	MYSQL_PWD=apppw run "${MY_CLIENT:-mariadb}" --no-defaults -h 127.0.0.1 -P "$MY_PORT" -uapp cmp_src \
		-e "INSERT INTO acks (n) VALUES (-1)"
	assert_output --partial "read-only"
	# the way back: the new primary's writes reach the old one
	dbmig cdc-tail --progress=none "$dst" "$src" 2>"$BATS_TEST_TMPDIR/rtail.log" &
	rtail_pid=$!
	sleep 3
	[ "$(acked_missing_my "$MY_PORT" cmp_src)" -lt "$(wc -l <"$BATS_TEST_TMPDIR/acks")" ]
	run -0 dbmig cutover-plan "$src" "$dst" --rollback --switch-cmd "$BATS_TEST_TMPDIR/switch.sh"
	assert_output --regexp "back-marker +done"
	assert_output --partial "rolled back to the old primary"
	wait "$rtail_pid"
	rtail_pid=
	sleep 2
	kill "$writer"
	wait "$writer" 2>/dev/null || true
	writer=
	[ "$(wc -l <"$BATS_TEST_TMPDIR/acks")" -gt 10 ]
	# every acknowledged number, before and after both switches, is on the old primary again
	[ "$(acked_missing_my "$MY_PORT" cmp_src)" = 0 ]
	run -0 my_sql -e "SELECT @@global.read_only"
	assert_output 0
	run -0 dbmig verify "$src" "$dst" -T acks
}

@test "MariaDB to MariaDB between two servers with --switch-cmd and --reverse: every acknowledged write on the new primary; --rollback loses none" {
	my2 -e "DROP DATABASE IF EXISTS cmm_dst; CREATE DATABASE cmm_dst"
	app_user "$MY2_PORT" cmm_dst
	dst="mysql://root@127.0.0.1:$MY2_PORT/cmm_dst"
	mysql_pair cmm_src "$dst"
	switch_cmd "mysql://app@127.0.0.1:$MY_PORT/cmm_src" "mysql://app@127.0.0.1:$MY2_PORT/cmm_dst"
	MYSQL_PWD=apppw "$REPO_ROOT/tests/helpers/ack_writer_at.sh" "$BATS_TEST_TMPDIR/endpoint" acks \
		"$BATS_TEST_TMPDIR/acks" &
	writer=$!
	sleep 2
	run -0 dbmig cutover-plan "$src" "$dst" --execute --reverse --switch-cmd "$BATS_TEST_TMPDIR/switch.sh"
	assert_output --regexp "fence +done"
	assert_output --regexp "reverse +done"
	assert_output --regexp "sequences +done"
	wait "$tail_pid"
	tail_pid=
	sleep 2
	# the new primary takes the client's writes, its AUTO_INCREMENT past the source's
	last=$(my_sql cmm_src -e "SELECT MAX(id) FROM accounts")
	my2 cmm_dst -e "INSERT INTO accounts (bal) VALUES (0)"
	[ "$(my2 cmm_dst -e "SELECT MAX(id) FROM accounts")" -gt "$last" ]
	[ "$(acked_missing_my "$MY2_PORT" cmm_dst)" = 0 ]
	dbmig cdc-tail --progress=none "$dst" "$src" 2>"$BATS_TEST_TMPDIR/rtail.log" &
	rtail_pid=$!
	sleep 3
	run -0 dbmig cutover-plan "$src" "$dst" --rollback --switch-cmd "$BATS_TEST_TMPDIR/switch.sh"
	assert_output --partial "rolled back to the old primary"
	wait "$rtail_pid"
	rtail_pid=
	sleep 2
	kill "$writer"
	wait "$writer" 2>/dev/null || true
	writer=
	[ "$(wc -l <"$BATS_TEST_TMPDIR/acks")" -gt 10 ]
	[ "$(acked_missing_my "$MY_PORT" cmm_src)" = 0 ]
	run -0 my_sql -e "SELECT @@global.read_only"
	assert_output 0
	# the abandoned new primary stays fenced: one writable primary
	run -0 my2 -e "SELECT @@global.read_only"
	assert_output 1
}
