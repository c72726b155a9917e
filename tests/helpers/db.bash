# db.bash - making databases and running SQL on the test servers
# (tests/servers.sh exports where they are); sourced by the bats suites
# (through common.bash) and by tests/chaos.sh.

# my_uri DB: a URI for database DB on the test MariaDB (root, or the
# user of DBMIG_TEST_MYSQL_URI; its password travels in MYSQL_PWD).
my_uri() {
	echo "mysql://${MY_USER:-root}@${MY_HOST:-127.0.0.1}:$MY_PORT/$1"
}

# my_sql [DB] SQL...: run SQL through the mariadb (or mysql) client.
my_sql() {
	"${MY_CLIENT:-mariadb}" --no-defaults -h "${MY_HOST:-127.0.0.1}" -P "$MY_PORT" \
		-u"${MY_USER:-root}" -N -B "$@"
}

# new_mydb NAME: a fresh, empty database; prints its URI.
new_mydb() {
	my_sql -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`"
	my_uri "$1"
}

# pg_uri DB: a URI for database DB on the test server (superuser).
pg_uri() {
	echo "postgresql://${PG_SUPERUSER:-postgres}@$PG_HOST:$PG_PORT/$1"
}

# new_db NAME: a fresh, empty database; prints its URI.
new_db() {
	local base=${PG_URI}
	psql -X -q -v ON_ERROR_STOP=1 "$base" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null
	pg_uri "$1"
}

psql_at() {	# psql_at URI SQL: unaligned, tuples only
	psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"
}

# pg_schemas_agree SRC DST: pg_dump -s of both databases, line for line;
# the target's _dbmig schema (the load ledger) and pg_dump's per-run
# \restrict key are left out. Prints the diff when they differ.
pg_schemas_agree() {
	local d=${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}
	pg_dump -s "$1" | grep -v '^\\\(un\)\?restrict ' >"$d/schema_src.sql"
	pg_dump -s -N _dbmig "$2" | grep -v '^\\\(un\)\?restrict ' >"$d/schema_dst.sql"
	diff "$d/schema_src.sql" "$d/schema_dst.sql"
}

# ledger_writes SRC N: in the background (pid in $writer), N source
# transactions, each inserting one id and updating it once: applied once
# each, the target's ledger holds N rows whose n is 1.
ledger_writes() {
	( for i in $(seq 1 "$2"); do
		echo "BEGIN; INSERT INTO ledger VALUES ($i); UPDATE ledger SET n = n + 1 WHERE id = $i; COMMIT;"
	  done | psql -X -q "$1" >/dev/null ) &
	writer=$!
}

# tail_killed SRC DST N: runs cdc-tail SRC DST N times, each killed
# (kill -9) at a random instant within 0.3 s.
tail_killed() {
	local pid
	for _ in $(seq 1 "$3"); do
		dbmig -q cdc-tail "$1" "$2" 2>/dev/null &
		pid=$!
		sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
	done
}

# The whole procedure under write load: pgbench writes during the online
# dump, the load and the tail; once it stops, the tail catches up and the
# target equals the source, checked by verify and independently.
online_under_load() {	# online_under_load TARGET_URI NAME
	src=$(new_db "$2_src")
	pgbench -q -i -s 1 "$src" >/dev/null 2>&1
	# and a table with a TOASTed column, updated (that column changed or
	# not) and deleted by a custom script
	psql_at "$src" "CREATE TABLE docs (id int PRIMARY KEY, title text, doc text);
		ALTER TABLE docs ALTER COLUMN doc SET STORAGE EXTERNAL;
		INSERT INTO docs SELECT g, 'first', repeat(md5(g::text), 300) FROM generate_series(1, 1000) g" >/dev/null
	pgbench -c 4 -T 6 -n "$src" >/dev/null 2>&1 &
	bench=$!
	pgbench -c 2 -T 6 -n -f "$REPO_ROOT/tests/fixtures/cdc_toast.pgbench" "$src" >/dev/null 2>&1 &
	bench2=$!
	sleep 1
	dbmig -q dump --online --replica-identity-full -j 2 "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load -j 2 "$BATS_TEST_TMPDIR/d" "$1" >/dev/null
	# a first tail while the writers still run, stopped by a signal
	dbmig -q cdc-tail "$src" "$1" 2>"$BATS_TEST_TMPDIR/tail.log" &
	tail_pid=$!
	sleep 2
	kill -TERM "$tail_pid"
	# SIGTERM: the transaction in hand is finished, then exit 0
	wait "$tail_pid" || { cat "$BATS_TEST_TMPDIR/tail.log"; false; }
	grep -q "cdc-tail stopped by a signal" "$BATS_TEST_TMPDIR/tail.log"
	wait "$bench"
	wait "$bench2"
	run -0 dbmig cdc-tail "$src" "$1" --until-caught-up
	assert_output --partial "cdc-tail done"
	run -0 dbmig verify "$src" "$1"
	assert_output --partial "equal: 5 tables"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}
