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

# A source database NAME_src made by SQL, dumped online into
# $BATS_TEST_TMPDIR/d and loaded into dst: NAME_dst on PostgreSQL, or the
# TARGET_URI given. Sets src and dst.
online_pair() {	# online_pair NAME SQL [TARGET_URI]
	src=$(new_db "$1_src")
	psql_at "$src" "$2" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dst=${3:-$(new_db "$1_dst")}
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null 2>&1
}

# A backlog the tail applies in one batch, folded per row: a hot row
# updated 2000 times (its TOASTed column never sent), rows inserted,
# updated and deleted in separate transactions, a keyless table, and a
# unique value handed from row to row, which folded would collide: the
# batch is then applied as it came.
batch_folding() {	# batch_folding TARGET_URI NAME
	src=$(new_db "$2_src")
	psql_at "$src" "CREATE TABLE hot (id int PRIMARY KEY, n int, big text);
		ALTER TABLE hot ALTER COLUMN big SET STORAGE EXTERNAL;
		INSERT INTO hot VALUES (1, 0, repeat('t', 100000));
		CREATE TABLE u (id int PRIMARY KEY, code varchar(10) UNIQUE);
		INSERT INTO u VALUES (1, 'a'), (2, 'b');
		CREATE TABLE nk (x int, y text); ALTER TABLE nk REPLICA IDENTITY FULL" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$1" >/dev/null 2>&1
	{
		for _ in $(seq 1 2000); do echo "UPDATE hot SET n = n + 1 WHERE id = 1;"; done
		echo "INSERT INTO hot VALUES (2, 0, 'two'); UPDATE hot SET n = 5 WHERE id = 2; DELETE FROM hot WHERE id = 2;"
		echo "INSERT INTO hot VALUES (3, 0, 'three'); UPDATE hot SET n = 7 WHERE id = 3;"
		echo "DELETE FROM hot WHERE id = 3; INSERT INTO hot VALUES (3, 9, 'again');"
		echo "INSERT INTO nk VALUES (1, 'a'), (1, 'a'); DELETE FROM nk WHERE ctid = (SELECT min(ctid) FROM nk); INSERT INTO nk VALUES (2, 'b');"
	} | psql -X -q "$src" >/dev/null
	run -0 dbmig cdc-tail "$src" "$1" --until-caught-up
	refute_output --partial "as they came"
	# (how many batches the backlog makes depends on how fast it comes)
	assert_output --regexp "2010 transactions, 2011 changes applied \(as [0-9]+ row writes, net\)"
	[[ $output =~ \(as\ ([0-9]+)\ row ]] && (( BASH_REMATCH[1] < 1000 ))
	run -0 dbmig verify "$src" "$1"
	assert_output --partial "equal: 3 tables"
	psql_at "$src" "UPDATE hot SET n = n + 1 WHERE id = 3;
		BEGIN; UPDATE u SET code = 'tmp' WHERE id = 1; UPDATE u SET code = 'a' WHERE id = 2;
		UPDATE u SET code = 'b' WHERE id = 1; COMMIT" >/dev/null
	run -0 dbmig cdc-tail "$src" "$1" --until-caught-up
	assert_output --partial "met a duplicate key: applying them as they came"
	assert_output --partial "1 transaction, 4 changes applied, up to"
	run -0 dbmig verify "$src" "$1"
	assert_output --partial "equal: 3 tables"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

# live_verify TARGET_URI NAME: pgbench writes to a source while a tail
# applies its changes to TARGET; verify of the pair, with the tail
# stopped (SIGSTOP: it cannot hold, rows in flight show), running (equal
# at one position, in both modes), with a difference planted on the
# target (found and named), and after the tail ended.
live_verify() {
	src=$(new_db "$2_src")
	pgbench -q -i -s 1 "$src" >/dev/null 2>&1
	psql_at "$src" "CREATE TABLE quiet (id int PRIMARY KEY, v text);
		INSERT INTO quiet SELECT g, 'v' || g FROM generate_series(1, 100) g" >/dev/null
	dbmig -q dump --online --replica-identity-full "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$1" >/dev/null 2>&1
	dbmig cdc-tail --progress=none "$src" "$1" 2>"$BATS_TEST_TMPDIR/tail.log" &
	tail_pid=$!
	pgbench -c 4 -T 15 -n "$src" >/dev/null 2>&1 &
	bench=$!
	sleep 2
	kill -STOP "$tail_pid"
	sleep 1
	run -1 dbmig verify -t 'pgbench_*' "$src" "$1"
	assert_output --partial "did not answer the request to hold"
	assert_output --partial "DIFFERENT:"
	kill -CONT "$tail_pid"
	run -0 dbmig verify "$src" "$1"
	assert_output --regexp "live pair: the target's cdc-tail held at [0-9A-F]+/[0-9A-F]+"
	assert_output --regexp "equal at [0-9A-F]+/[0-9A-F]+: 5 tables"
	run -0 dbmig verify -q --mode=rows "$src" "$1"
	run -0 --separate-stderr dbmig verify --json "$src" "$1"
	[ "$(jq -r '[.result, .live, (.at | test("^[0-9A-F]+/[0-9A-F]+$"))] | @tsv' <<<"$output")" = "equal	true	true" ]
	# recorded on the target, at that position, for cutover-plan
	at=$(jq -r .at <<<"$output")
	run -0 recorded_result "$1"
	assert_output "equal $at 0"
	plant_difference "$1"
	run -1 dbmig verify -q "$src" "$1"
	assert_output --partial "quiet: changed: id=7: v"
	run -0 recorded_result "$1"
	assert_output --regexp "^different [0-9A-F]+/[0-9A-F]+ 1$"
	refute_output --partial "pgbench_"
	wait "$bench"
	kill -TERM "$tail_pid"
	wait "$tail_pid"
	grep -q "holding at .* for a verify" "$BATS_TEST_TMPDIR/tail.log"
	run -1 dbmig verify "$src" "$1"
	assert_output --partial "the target's cdc-tail is not running: the target is compared as it stands"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}
