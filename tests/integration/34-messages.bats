#!/usr/bin/env bats
# Messages an operator can act on: each failure below is one line that
# names the object and the next step (issue 11, group 3), on both engines.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db msg_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" >/dev/null <<'SQL'
CREATE TABLE accounts (id int PRIMARY KEY, owner text CHECK (owner ~ '^o'), balance numeric(12,2),
	opened timestamptz, tags text[]);
INSERT INTO accounts SELECT g, 'o' || g, g, '2024-01-01', '{a}' FROM generate_series(1, 500) g;
CREATE TABLE ledger (id int PRIMARY KEY, account int REFERENCES accounts, at date);
INSERT INTO ledger SELECT g, g % 500 + 1, '2024-01-02' FROM generate_series(1, 500) g;
CREATE VIEW rich AS SELECT * FROM accounts WHERE balance > 100 WITH CHECK OPTION;
SQL
	dbmig -q dump "$src" -o "$BATS_FILE_TMPDIR/d" >/dev/null
}

@test "a load or copy into a database that holds the tables names the table and the way out" {
	fresh=$(new_db msg_full3)
	psql_at "$fresh" "CREATE TABLE accounts (id int)"
	for cmd in "load $BATS_FILE_TMPDIR/d" "copy $(pg_uri msg_src)"; do
		run -4 dbmig $cmd "$fresh"
		assert_output --partial "table public.accounts already exists on the target (host="
		assert_output --partial "drop it, load into an empty database, or load only the rows into the existing tables with --data-only"
		refute_output --partial "CREATE"
		one_error_line
	done
	new_mydb msg_myfull >/dev/null
	my_sql msg_myfull -e "CREATE TABLE ledger (id int)"
	run -4 dbmig load "$BATS_FILE_TMPDIR/d" "$(my_uri msg_myfull)"
	assert_output --partial "table public.ledger already exists on the target"
	one_error_line
}

@test "a MariaDB target says that the tables a failed run created stay, and that a rerun continues" {
	psql_at "$(pg_uri msg_src)" "CREATE TABLE zbad (id int PRIMARY KEY, d date); INSERT INTO zbad VALUES (1, 'infinity')"
	dbmig -q dump -t zbad -t accounts "$(pg_uri msg_src)" -o "$BATS_TEST_TMPDIR/bad" >/dev/null
	psql_at "$(pg_uri msg_src)" "DROP TABLE zbad"
	dst=$(new_mydb msg_kept)
	run -7 dbmig -q load "$BATS_TEST_TMPDIR/bad" "$dst"
	assert_output --partial "zbad"
	assert_output --partial "stay on the target, recorded: the same command continues from there, or drop them to start over"
	one_error_line
}

@test "a URI of one engine at the other's port says which server answered" {
	run -3 dbmig dump "mysql://root@127.0.0.1:$PG_PORT/x?connect-timeout=3" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "port $PG_PORT answers as a PostgreSQL server, not as MySQL; use a postgresql:// URI"
	refute_output --partial "resume"
	one_error_line
	[ ! -e "$BATS_TEST_TMPDIR/d" ]
	run -3 dbmig dump "postgresql://postgres@127.0.0.1:$MY_PORT/x" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "port $MY_PORT answers as a MySQL/MariaDB server"
	assert_output --partial "use a mysql:// URI"
	refute_output --partial "SSL negotiation"
	one_error_line
}

@test "a missing database: the source's is checked, the target's created; libpq's advice is not repeated" {
	run -3 dbmig dump "$(pg_uri no_such_src)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "the source must be an existing database (psql -l lists them)"
	refute_output --partial "create the database"
	run -4 dbmig load "$BATS_FILE_TMPDIR/d" "$(pg_uri no_such_dst)"
	assert_output --partial "create the database first (createdb)"
	run -3 dbmig dump "$(my_uri no_such_src)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "the source must be an existing database (SHOW DATABASES lists them)"
	run -4 dbmig load "$BATS_FILE_TMPDIR/d" "$(my_uri no_such_dst)"
	assert_output --partial "create the database first (CREATE DATABASE)"
	run -3 dbmig dump "postgresql://postgres@127.0.0.1:1/x?connect_timeout=3" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "check host and port"
	refute_output --partial "Is the server running"
	one_error_line
}

@test "verify of a path that does not exist says so; a scheme without // is named" {
	run -5 dbmig verify "$BATS_TEST_TMPDIR/no/such/dir" "$(pg_uri msg_src)"
	assert_output --partial "dump directory '$BATS_TEST_TMPDIR/no/such/dir' does not exist"
	refute_output --partial "cannot tell the engine"
	run -2 dbmig verify "mysql:/x" "$(pg_uri msg_src)"
	assert_output --partial "starts with 'mysql:' but not 'mysql://'"
}

@test "copy's messages speak of copy: no manifest that does not exist, no -o it does not have" {
	dst=$(new_mydb msg_copy)
	run -0 dbmig copy "$(pg_uri msg_src)" "$dst"
	assert_output --partial "public.rich: PostgreSQL view is not migrated to MySQL; recreate it by hand from its definition on the source"
	refute_output --partial "is in the dump's manifest"
	mkdir "$BATS_TEST_TMPDIR/kd"
	touch "$BATS_TEST_TMPDIR/kd/x"
	run -6 dbmig copy --keep-dump "$BATS_TEST_TMPDIR/kd" "$(pg_uri msg_src)" "$(new_db msg_copy2)"
	assert_output --partial "is not empty"
	refute_output --partial " -o"
}

@test "a wrong password is the one message: it comes before any mapping warning" {
	new_mydb msg_pw >/dev/null
	run -4 dbmig load "$BATS_FILE_TMPDIR/d" "mysql://nobody:wrong-4711@127.0.0.1:$MY_PORT/msg_pw"
	assert_line --index 0 --partial "holds a password, which other users could see"
	assert_line --index 1 --partial "cannot connect to target"
	refute_output --partial "becomes"
	refute_output --partial "wrong-4711"
}

@test "the count lines say what they count; the CHECK not carried is not a type mapping" {
	run -0 dbmig load "$BATS_FILE_TMPDIR/d" "$(new_mydb msg_counts)"
	maps=$(grep -c "becomes" <<<"$output")
	assert_output --partial "  $maps type mapping"
	assert_output --partial "  1 constraint, index or default not carried (reported above)"
	assert_output --partial "  1 object not migrated: views, routines, triggers, owners or grants (reported above)"
	run -0 dbmig -q load "$BATS_FILE_TMPDIR/d" "$(new_mydb msg_counts_q)"
	refute_output --partial "reported above"
}

@test "SIGINT: one line with the next step, the table named once" {
	dst=$(new_db msg_int)
	DBMIG_TEST_CHUNK_DELAY_MS=3000 dbmig load "$BATS_FILE_TMPDIR/d" "$dst" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	sleep 1.5
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 8 ]
	run -0 grep "error:" "$BATS_TEST_TMPDIR/out"
	assert_output --partial "load interrupted"
	assert_output --partial "run the same command again to resume"
	[ "$(grep -o "public\.accounts" <<<"$output" | wc -l)" -le 1 ]
	run -0 dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst"
	run -0 dbmig -q verify "$(pg_uri msg_src)" "$dst"
}
