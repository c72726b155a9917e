#!/usr/bin/env bats
# Bad input gets a one-line message naming the object and the next step,
# the documented exit code, and leaves nothing that looks complete.

load '../helpers/common'

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db err_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/typezoo.sql" >/dev/null
	bench=$(new_db err_bench)
	pgbench -q -i -s 1 "$bench" >/dev/null 2>&1
	# Incompressible rows, so a small disk really fills up.
	psql_at "$bench" "CREATE TABLE noise AS SELECT g, md5(g::text) || md5((g * 7)::text) AS h FROM generate_series(1, 60000) g" >/dev/null
	dbmig -q dump "$src" -o "$BATS_FILE_TMPDIR/good" >/dev/null
}

teardown() {
	if mountpoint -q "$BATS_TEST_TMPDIR/small" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/small"
	fi
}

@test "unreachable host: exit 3, names host and port, says what to check" {
	run -3 dbmig dump "postgresql://postgres@127.0.0.1:1/x?connect_timeout=3" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "cannot connect to source (host=127.0.0.1 port=1"
	assert_output --partial "check host and port"
	one_error_line
	[ ! -e "$BATS_TEST_TMPDIR/d" ]
	run -4 dbmig load "$BATS_FILE_TMPDIR/good" "host=127.0.0.1 port=1 dbname=x connect_timeout=3"
	assert_output --partial "cannot connect to target"
}

@test "wrong password: exit 3 or 4, never prints the password" {
	PGPASSWORD=not-the-pw-4711 run -3 dbmig dump "host=127.0.0.1 port=$PG_PORT user=$PG_PW_ROLE dbname=err_src" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "password authentication failed"
	assert_output --partial "PGPASSWORD, ~/.pgpass"
	refute_output --partial "not-the-pw-4711"
	run -4 dbmig load "$BATS_FILE_TMPDIR/good" "postgresql://$PG_PW_ROLE:sekrit-4711@127.0.0.1:$PG_PORT/err_src"
	assert_output --partial "password authentication failed"
	assert_output --partial "process list"
	refute_output --partial "sekrit-4711"
	# The right password through the environment works.
	PGPASSWORD=$PG_PW_PASSWORD run -3 dbmig dump "host=127.0.0.1 port=$PG_PORT user=$PG_PW_ROLE dbname=err_src" -o "$BATS_TEST_TMPDIR/d"
	# ... up to the privilege it lacks:
	assert_output --partial "permission denied"
	# So does a password file, the libpq way.
	echo "127.0.0.1:$PG_PORT:*:$PG_PW_ROLE:$PG_PW_PASSWORD" >"$BATS_TEST_TMPDIR/pgpass"
	chmod 600 "$BATS_TEST_TMPDIR/pgpass"
	PGPASSFILE="$BATS_TEST_TMPDIR/pgpass" run -3 dbmig dump "postgresql://$PG_PW_ROLE@127.0.0.1:$PG_PORT/err_src" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "permission denied"
	refute_output --partial "password authentication failed"
}

@test "a password on the command line is blanked out of the process list" {
	psql_at "$PG_URI" "SELECT pg_sleep(0)" >/dev/null
	DBMIG_TEST_CHUNK_DELAY_MS=2000 dbmig -q load "$BATS_FILE_TMPDIR/good" \
		"postgresql://postgres:hunter2-4711@127.0.0.1:$PG_PORT/$(basename "$(new_db pw_ps)")" \
		>/dev/null 2>&1 &
	pid=$!
	sleep 1
	run -0 cat "/proc/$pid/cmdline"
	refute_output --partial "hunter2-4711"
	assert_output --partial "xxxxxxxxxxxx"
	kill "$pid"
	wait "$pid" || true
}

@test "missing database: exit 3 with the next step" {
	run -3 dbmig dump "$(pg_uri no_such_db)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial 'database "no_such_db" does not exist'
	assert_output --partial "the source must be an existing database"
	one_error_line
}

@test "missing privilege on the source names the table; on the target the ledger" {
	psql_at "$(pg_uri err_src)" "DROP ROLE IF EXISTS weak; CREATE ROLE weak LOGIN; GRANT USAGE ON SCHEMA zoo TO weak; GRANT SELECT ON ALL TABLES IN SCHEMA zoo TO weak; GRANT SELECT ON ALL SEQUENCES IN SCHEMA zoo TO weak; REVOKE SELECT ON zoo.child FROM weak"
	run -3 dbmig dump "host=127.0.0.1 port=$PG_PORT user=weak dbname=err_src" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "permission denied for table child"
	assert_output --partial "grant the privilege"
	[ ! -e "$BATS_TEST_TMPDIR/d" ]
	dst=$(new_db weak_dst)
	psql_at "$dst" "REVOKE CREATE ON DATABASE weak_dst FROM PUBLIC; REVOKE CREATE ON SCHEMA public FROM PUBLIC"
	run -4 dbmig load "$BATS_FILE_TMPDIR/good" "host=127.0.0.1 port=$PG_PORT user=weak dbname=weak_dst"
	assert_output --partial "cannot create the load ledger"
	assert_output --partial "permission denied"
}

@test "a non-empty output directory is refused and left untouched" {
	mkdir "$BATS_TEST_TMPDIR/d"
	echo precious >"$BATS_TEST_TMPDIR/d/notes.txt"
	run -6 dbmig dump "$(pg_uri err_src)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "output directory '$BATS_TEST_TMPDIR/d' is not empty"
	assert_output --partial "choose another directory"
	run -0 cat "$BATS_TEST_TMPDIR/d/notes.txt"
	assert_output precious
	run -0 ls "$BATS_TEST_TMPDIR/d"
	assert_output notes.txt
	# A finished dump is called that.
	run -6 dbmig dump "$(pg_uri err_src)" -o "$BATS_FILE_TMPDIR/good"
	assert_output --partial "holds a complete dump"
}

@test "a corrupted chunk makes load refuse, naming the chunk, loading none of its rows" {
	cp -r "$BATS_FILE_TMPDIR/good" "$BATS_TEST_TMPDIR/bad"
	chunk=$(jq -r '.schema.tables[] | select(.name=="child") | .chunks[0].file' "$BATS_TEST_TMPDIR/bad/manifest.json")
	# Flip one byte in the middle of the chunk.
	f="$BATS_TEST_TMPDIR/bad/$chunk"
	size=$(stat -c %s "$f")
	printf '\xff' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
	dst=$(new_db corrupt_dst)
	run -5 dbmig load "$BATS_TEST_TMPDIR/bad" "$dst"
	assert_output --partial "chunk '$BATS_TEST_TMPDIR/bad/$chunk' is corrupt"
	run -0 psql_at "$dst" "SELECT count(*) FROM zoo.child"
	assert_output 0
	run -0 psql_at "$dst" "SELECT count(*) FROM _dbmig.load_ledger WHERE item = 'chunk:$chunk'"
	assert_output 0
}

@test "a truncated chunk, a missing chunk and a missing manifest are refused with exit 5" {
	cp -r "$BATS_FILE_TMPDIR/good" "$BATS_TEST_TMPDIR/t"
	chunk=$(jq -r '.schema.tables[] | select(.name=="child") | .chunks[0].file' "$BATS_TEST_TMPDIR/t/manifest.json")
	truncate -s -10 "$BATS_TEST_TMPDIR/t/$chunk"
	run -5 dbmig load "$BATS_TEST_TMPDIR/t" "$(new_db trunc_dst)"
	assert_output --partial "$chunk' is corrupt or truncated"
	rm "$BATS_TEST_TMPDIR/t/$chunk"
	run -5 dbmig load "$BATS_TEST_TMPDIR/t" "$(new_db trunc_dst)"
	assert_output --partial "cannot open chunk"
	rm "$BATS_TEST_TMPDIR/t/manifest.json"
	run -5 dbmig load "$BATS_TEST_TMPDIR/t" "$(new_db trunc_dst)"
	assert_output --partial "has no manifest.json"
	assert_output --partial "did not finish"
}

@test "a manifest naming a file outside the dump is refused" {
	cp -r "$BATS_FILE_TMPDIR/good" "$BATS_TEST_TMPDIR/h"
	# (sed, not jq: jq 1.6 rounds 64-bit integers.)
	# The digest goes too (a manifest from before dbmig had one), so the
	# name check is what refuses it.
	sed -e 's|"file": "t00000_c00000.zst"|"file": "../../../etc/passwd"|' \
	    -e '/"manifest_xxh3_128"/d' "$BATS_FILE_TMPDIR/good/manifest.json" >"$BATS_TEST_TMPDIR/h/manifest.json"
	run -0 grep -c passwd "$BATS_TEST_TMPDIR/h/manifest.json"
	run -5 dbmig load "$BATS_TEST_TMPDIR/h" "$(new_db hostile_dst)"
	assert_output --partial "not a valid chunk file name"
}

@test "a full disk: exit 6, names the file, and no dump is left behind" {
	if [ "$(id -u)" != 0 ]; then skip "needs root to mount a small tmpfs"; fi
	mnt="$BATS_TEST_TMPDIR/small"
	mkdir "$mnt"
	mount -t tmpfs -o size=512k tmpfs "$mnt" || skip "cannot mount tmpfs here"
	run -6 dbmig dump --compress-level 1 "$(pg_uri err_bench)" -o "$mnt/d"
	assert_output --partial "No space left on device"
	assert_output --partial "free some space"
	assert_output --regexp "'$mnt/d/[^']+'"
	run -0 ls -A "$mnt"
	assert_output ""
}

@test "usage errors exit 2 with a pointer to --help" {
	run -2 dbmig dump
	assert_output --partial "Try 'dbmig dump --help'."
	run -2 dbmig dump --no-such-option
	run -2 dbmig dump -j 0 "$(pg_uri err_src)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "-j wants a number"
	run -2 dbmig dump --schema-only --data-only "$(pg_uri err_src)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "cannot be used together"
	run -2 dbmig load "$BATS_FILE_TMPDIR/good"
	run -2 dbmig load --schema-only --data-only "$BATS_FILE_TMPDIR/good" "$(pg_uri x)"
	run -2 dbmig dump "mysql://root@127.0.0.1/x?bogus=1" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "unknown URI parameter 'bogus'"
	run -2 dbmig dump "mysql://root@127.0.0.1" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "name the database in the URI"
	run -4 dbmig load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/good" "mysql://root@127.0.0.1:1/x?connect-timeout=3"
	assert_output --partial "cannot connect to target (host=127.0.0.1 port=1 database=x"
	run -2 dbmig dump "postgresql://[bad" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "invalid connection string"
	run -2 dbmig frobnicate
	assert_output --partial "'frobnicate' is not a dbmig command"
}

@test "-t that matches no table is an error naming the pattern, in dump, copy and verify" {
	run -2 dbmig dump -t acounts "$(pg_uri err_bench)" -o "$BATS_TEST_TMPDIR/t1"
	assert_output --partial "-t 'acounts' matches no table of the source"
	[ ! -e "$BATS_TEST_TMPDIR/t1" ]
	run -2 dbmig dump -t pgbench_accounts -t 'nosuch*' "$(pg_uri err_bench)" -o "$BATS_TEST_TMPDIR/t2"
	assert_output --partial "-t 'nosuch*' matches no table"
	run -2 dbmig copy -t acounts "$(pg_uri err_bench)" "$(new_db err_t_copy)"
	assert_output --partial "-t 'acounts'"
	run -2 dbmig verify -t nosuch "$(pg_uri err_bench)" "$(pg_uri err_bench)"
	assert_output --partial "-t 'nosuch' matches no table"
	run -2 dbmig verify -t nosuch "$BATS_FILE_TMPDIR/good" "$(pg_uri err_src)"
	assert_output --partial "-t 'nosuch' matches no table"
	# what matches still works
	run -0 dbmig dump -t 'pgbench_a*' "$(pg_uri err_bench)" -o "$BATS_TEST_TMPDIR/t3"
}
