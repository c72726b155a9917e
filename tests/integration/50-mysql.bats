#!/usr/bin/env bats
# MySQL/MariaDB -> MySQL/MariaDB: the MySQL type zoo round-trips exactly,
# checked independently (tests/helpers/mycompare.sh: every row rendered
# exactly and sorted, and every SHOW CREATE TABLE); the snapshot records
# its binlog position; resume, refusals and LOAD DATA's silent warnings.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	new_mydb zoo >/dev/null
	my_sql zoo <"$REPO_ROOT/tests/fixtures/mysql_typezoo.sql"
	new_mydb big >/dev/null
	my_sql big -e "CREATE TABLE acc (id int PRIMARY KEY, bal bigint NOT NULL, pad char(60) NOT NULL) ENGINE=InnoDB;
		INSERT INTO acc SELECT seq, seq * 7 % 1000, REPEAT(CHAR(65 + seq % 26), 60) FROM seq_1_to_60000;
		CREATE TABLE hist (id int AUTO_INCREMENT PRIMARY KEY, acc_id int NOT NULL, delta int NOT NULL,
		  KEY k_acc (acc_id), CONSTRAINT fk_acc FOREIGN KEY (acc_id) REFERENCES acc (id)) ENGINE=InnoDB;
		INSERT INTO hist (acc_id, delta) SELECT 1 + seq % 60000, CAST(seq % 100 AS SIGNED) - 50 FROM seq_1_to_30000;"
	dbmig -q dump -j 2 --chunk-size 256k "$(my_uri big)" -o "$BATS_FILE_TMPDIR/big" >/dev/null
	dbmig -q dump "$(my_uri zoo)" -o "$BATS_FILE_TMPDIR/zoo_dump" >/dev/null
}

@test "MySQL type zoo: dump -j 2 and load -j 2 give identical rows and table definitions" {
	dst=$(new_mydb zoo_copy)
	run -0 dbmig dump -j 2 "$(my_uri zoo)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "tables 8, rows 3320"
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 mycompare zoo zoo_copy
	assert_output "equal: 8 tables, rows and definitions"
}

@test "the manifest records the exact binlog position and GTID of the snapshot" {
	run -0 dbmig dump -j 2 "$(my_uri zoo)" -o "$BATS_TEST_TMPDIR/d"
	m="$BATS_TEST_TMPDIR/d/manifest.json"
	run -0 jq -r '[.source.engine, .snapshot.kind, .snapshot.position_exact] | join(" ")' "$m"
	assert_output "mysql mysql-consistent-snapshot true"
	run -0 jq -r '.snapshot.position' "$m"
	assert_output --regexp '^binlog\.[0-9]{6}:[0-9]+$'
	# It is the position of the snapshot: the server's position now.
	run -0 my_sql -e "SHOW MASTER STATUS"
	assert_output --partial "$(jq -r '.snapshot.position | split(":")[1]' "$m")"
	run -0 jq -r '.snapshot.gtid' "$m"
	assert_output --regexp '^[0-9]+-[0-9]+-[0-9]+$'
	run -0 jq -r '.schema.tables[] | select(.name=="ints") | .columns[] | select(.name=="biu") | .type | [.t, .unsigned] | join(" ")' "$m"
	assert_output "uint64 true"
}

@test "a MySQL load killed with SIGKILL twice and rerun gives identical data" {
	dst=$(new_mydb big_copy)
	total=$(jq '[.schema.tables[].chunks[]] | length' "$BATS_FILE_TMPDIR/big/manifest.json")
	[ "$total" -gt 8 ]
	prev=0
	for n in 2 5; do
		DBMIG_TEST_CHUNK_DELAY_MS=200 dbmig -q load -j 2 "$BATS_FILE_TMPDIR/big" "$dst" >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 1 300); do
			got=$(my_sql big_copy -e "SELECT COUNT(*) FROM _dbmig_load_ledger WHERE item LIKE 'chunk:%' AND state = 'done'" 2>/dev/null || echo 0)
			[ "$got" -ge "$n" ] && break
			sleep 0.05
		done
		# The load must still be running when killed: otherwise this
		# tests a finished load, not a resume.
		kill -KILL "$pid"
		wait "$pid" || true
		got=$(my_sql big_copy -e "SELECT COUNT(*) FROM _dbmig_load_ledger WHERE item LIKE 'chunk:%' AND state = 'done'")
		[ "$got" -gt "$prev" ]
		[ "$got" -lt "$total" ]
		prev=$got
	done
	run -0 dbmig load -j 2 "$BATS_FILE_TMPDIR/big" "$dst"
	assert_output --partial "already loaded"
	run -0 mycompare big big_copy
	run -0 my_sql big_copy -e "SELECT COUNT(*), COUNT(DISTINCT item) FROM _dbmig_load_ledger WHERE item LIKE 'chunk:%'"
	assert_output "$(printf '%s\t%s' "$total" "$total")"
}

@test "a table half-created by an interrupted load is undone and made again" {
	dst=$(new_mydb undo_copy)
	run -0 dbmig load --schema-only "$BATS_FILE_TMPDIR/big" "$dst"
	id=$(jq -r .dump_id "$BATS_FILE_TMPDIR/big/manifest.json")
	# As if killed between marking 'table:hist' started and finishing it:
	my_sql undo_copy -e "DROP TABLE hist; CREATE TABLE hist (wrong int);
		UPDATE _dbmig_load_ledger SET state = 'started' WHERE dump_id = '$id' AND item = 'table:hist';
		DELETE FROM _dbmig_load_ledger WHERE dump_id = '$id' AND item LIKE 'index:hist.%';
		DELETE FROM _dbmig_load_ledger WHERE dump_id = '$id' AND item LIKE 'constraint:hist.%'"
	run -0 dbmig load "$BATS_FILE_TMPDIR/big" "$dst"
	run -0 mycompare big undo_copy
}

@test "a table that was there before is refused by name and never dropped" {
	dst=$(new_mydb theirs)
	my_sql theirs -e "CREATE TABLE acc (mine int); INSERT INTO acc VALUES (42)"
	run -4 dbmig load "$BATS_FILE_TMPDIR/big" "$dst"
	assert_output --partial "already exists"
	run -4 dbmig load "$BATS_FILE_TMPDIR/big" "$dst"
	run -0 my_sql theirs -e "SELECT mine FROM acc"
	assert_output 42
}

@test "a value LOAD DATA would silently change fails the chunk and keeps none of it" {
	dst=$(new_mydb narrow)
	run -0 dbmig dump -t texts "$(my_uri zoo)" -o "$BATS_TEST_TMPDIR/d"
	run -0 dbmig load --schema-only "$BATS_TEST_TMPDIR/d" "$dst"
	my_sql narrow -e "ALTER TABLE texts MODIFY vc varchar(5)"
	run -4 dbmig load --data-only "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "loading table texts"
	assert_output --partial "warnings"
	assert_output --partial "nothing of this chunk was kept"
	run -0 my_sql narrow -e "SELECT COUNT(*) FROM texts"
	assert_output 0
}

@test "a role without the global read lock privilege dumps consistently on one connection" {
	my_sql -e "DROP USER IF EXISTS 'weak'@'%'; CREATE USER 'weak'@'%' IDENTIFIED BY 'weakpw';
		GRANT SELECT, SHOW VIEW, REPLICATION CLIENT ON *.* TO 'weak'@'%'"
	MYSQL_PWD=weakpw run -0 dbmig dump -j 2 "mysql://weak@127.0.0.1:$MY_PORT/big" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "reading with 1 connection instead of 2"
	run -0 jq -r '[.snapshot.position_exact, .snapshot.consistent] | join(" ")' "$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output "true true"
	# Only on request: parallel readers, each at its own instant, and said so.
	MYSQL_PWD=weakpw run -0 dbmig dump -j 2 --allow-inconsistent "mysql://weak@127.0.0.1:$MY_PORT/big" -o "$BATS_TEST_TMPDIR/e"
	assert_output --partial "NOT consistent across tables"
	run -0 jq -r '[.snapshot.position_exact, .snapshot.consistent] | join(" ")' "$BATS_TEST_TMPDIR/e/manifest.json"
	assert_output "false false"
}

@test "MySQL connection errors: wrong password exit 3 without the password, unknown database" {
	run -3 dbmig dump "mysql://root:wrong-4711@127.0.0.1:$MY_PORT/zoo" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "Access denied"
	assert_output --partial "check the user and password"
	refute_output --partial "wrong-4711"
	run -3 dbmig dump "$(my_uri no_such_db)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "Unknown database"
	run -3 dbmig dump "mysql://root@127.0.0.1:1/zoo?connect-timeout=2" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "check host and port"
}

@test "a MariaDB type without a mapping comes back to MariaDB as itself; to PostgreSQL only as text, on request" {
	dst=$(new_mydb odd_copy)
	new_mydb odd >/dev/null
	my_sql odd -e "CREATE TABLE net (id int PRIMARY KEY, a inet6); INSERT INTO net VALUES (1, '::1'), (2, NULL);
		CREATE VIEW v AS SELECT id FROM net"
	run -0 dbmig dump "$(my_uri odd)" -o "$BATS_TEST_TMPDIR/d"
	# into the other engine only on request, as text
	run -7 dbmig load "$BATS_TEST_TMPDIR/d" "$(new_db odd_pg)"
	assert_output --partial "column odd.net.a has type 'inet6', which postgresql has no type for; pass --unmapped-as-text"
	run -0 dbmig load --unmapped-as-text "$BATS_TEST_TMPDIR/d" "$(new_db odd_pg2)"
	assert_output --partial "type 'inet6' has no mapping: carried as text"
	run -0 jq -r '.schema.objects[] | [.kind, .name] | join(" ")' "$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output "view v"
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 mycompare odd odd_copy
}

@test "MySQL views, triggers and routines are recreated in the target database" {
	new_mydb objs >/dev/null
	my_sql objs -e "CREATE TABLE t (id int PRIMARY KEY, v int, n int DEFAULT 0);
		CREATE VIEW v AS SELECT id, v * 2 AS v2 FROM t;
		CREATE TRIGGER t_bump BEFORE UPDATE ON t FOR EACH ROW SET NEW.n = OLD.n + 1;
		CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;
		INSERT INTO t VALUES (1, 10, 0)"
	run -0 dbmig dump "$(my_uri objs)" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_mydb objs_copy)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	refute_output --partial "not migrated"
	run -0 my_sql objs_copy -e "SELECT v2 FROM v; SELECT twice(21)"
	assert_output "$(printf '20\n42')"
	# The view reads the copy, not the source database.
	my_sql objs -e "UPDATE t SET v = 99"
	run -0 my_sql objs_copy -e "UPDATE t SET v = 11; SELECT v2, n FROM v JOIN t USING (id)"
	assert_output "$(printf '22\t1')"
}

@test "the password can come from an option file's [client] group" {
	my_sql -e "DROP USER IF EXISTS 'optf'@'%'; CREATE USER 'optf'@'%' IDENTIFIED BY 'from-file-4711';
		GRANT SELECT, SHOW VIEW, RELOAD, REPLICATION CLIENT ON *.* TO 'optf'@'%'"
	printf '[client]\npassword=from-file-4711\n' >"$BATS_TEST_TMPDIR/my.cnf"
	chmod 600 "$BATS_TEST_TMPDIR/my.cnf"
	# (not the test server's own password, when DBMIG_TEST_MYSQL_URI set one)
	run -0 env -u MYSQL_PWD dbmig dump "mysql://optf@${MY_HOST:-127.0.0.1}:$MY_PORT/big?option-file=$BATS_TEST_TMPDIR/my.cnf" -o "$BATS_TEST_TMPDIR/d"
	refute_output --partial "from-file-4711"
	run -3 env -u MYSQL_PWD dbmig dump "mysql://optf@${MY_HOST:-127.0.0.1}:$MY_PORT/big" -o "$BATS_TEST_TMPDIR/e"
	assert_output --partial "Access denied"
}

@test "a server that forbids LOAD DATA LOCAL gets multi-row INSERTs, just as exact" {
	my_sql -e "SET GLOBAL local_infile = 0"
	dst=$(new_mydb zoo_insert)
	run dbmig load -j 2 "$BATS_FILE_TMPDIR/zoo_dump" "$dst"
	my_sql -e "SET GLOBAL local_infile = 1"
	assert_success
	assert_output --partial "forbids LOAD DATA LOCAL"
	assert_output --partial "multi-row INSERT"
	run -0 mycompare zoo zoo_insert
	assert_output "equal: 8 tables, rows and definitions"
}

@test "MySQL to MySQL: mysqldump --no-data of the target equals the source's, AUTO_INCREMENT counters aside" {
	new_mydb mpar >/dev/null
	my_sql mpar <"$REPO_ROOT/tests/fixtures/mysql_typezoo.sql"
	# a view made under another client charset, a trigger and a function
	# under another sql_mode: MySQL keeps both with the object
	my_sql --default-character-set=utf8mb3 mpar -e "CREATE VIEW v AS SELECT 1 AS x"
	my_sql mpar -e "SET sql_mode = 'ANSI_QUOTES'; CREATE TABLE cc (id int PRIMARY KEY AUTO_INCREMENT,
		e varchar(20) COLLATE utf8mb4_unicode_ci, n int, CONSTRAINT ck CHECK (n > 0)) COMMENT='hello';
		CREATE TRIGGER cc_bi BEFORE INSERT ON cc FOR EACH ROW SET NEW.e = UPPER(NEW.e);
		CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;
		INSERT INTO cc (e, n) VALUES ('a', 1)"
	dbmig -q dump "$(my_uri mpar)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dst=$(new_mydb mpar_copy)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	refute_output --partial "not migrated"
	mysqldump_of() {
		"${MY_DUMP:-mysqldump}" --no-defaults -h "${MY_HOST:-127.0.0.1}" -P "$MY_PORT" -u"${MY_USER:-root}" \
			--no-data --skip-dump-date --routines --triggers --ignore-table="$1._dbmig_load_ledger" "$1" |
			sed -e 's/ AUTO_INCREMENT=[0-9]*//' -e "s/\b$1\b/DB/g"
	}
	mysqldump_of mpar >"$BATS_TEST_TMPDIR/src.sql"
	mysqldump_of mpar_copy >"$BATS_TEST_TMPDIR/dst.sql"
	run -0 diff "$BATS_TEST_TMPDIR/src.sql" "$BATS_TEST_TMPDIR/dst.sql"
	# the counters separately: the copy continues where the source stands
	run -0 my_sql mpar -e "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mpar' AND TABLE_NAME = 'cc'"
	want=$output
	run -0 my_sql mpar_copy -e "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mpar_copy' AND TABLE_NAME = 'cc'"
	assert_output "$want"
}
