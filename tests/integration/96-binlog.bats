#!/usr/bin/env bats
# Change capture from MariaDB: dump --online records the binlog position
# of its snapshot, load stores it in the target, and cdc-tail reads the
# binlog from there with dbmig's own decoder, into PostgreSQL and into
# MariaDB, exactly once.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
}

# my_online NAME TARGET_URI [LOAD_OPTS]: database NAME holds the type zoo;
# an online dump of it ($BATS_TEST_TMPDIR/NAME) is loaded into TARGET_URI.
my_online() {
	new_mydb "$1" >/dev/null
	my_sql "$1" <"$REPO_ROOT/tests/fixtures/mysql_typezoo.sql"
	dbmig -q dump --online "$(my_uri "$1")" -o "$BATS_TEST_TMPDIR/$1" >/dev/null
	dbmig -q load ${3:-} "$BATS_TEST_TMPDIR/$1" "$2" >/dev/null 2>&1
}

# zoo_phase DB N: the changes of phase N of the type zoo's values, each
# phase followed by the caller's tail and check: 1, every row of the
# value tables deleted and inserted again (every type's extremes through
# INSERT and DELETE); 2, every column of every row changed (the values
# kept aside in zoo_keep_*); 3, every column changed back; and plain
# changes to the other tables (a keyless one, a MyISAM one).
zoo_phase() {
	local t back=""
	case $2 in
	1)
		{
			echo "SET NAMES utf8mb4; SET time_zone = '+00:00'; SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO';"
			echo "DELETE FROM ints; DELETE FROM times; DELETE FROM texts;"
			awk '/^INSERT INTO (ints|times|texts) VALUES/{p=1} p{print} p && /;$/{p=0}' \
				"$REPO_ROOT/tests/fixtures/mysql_typezoo.sql"
			echo "UPDATE parent SET name = CONCAT(name, '!') WHERE id <= 100; DELETE FROM child WHERE id % 5 = 0;"
			echo "UPDATE nopk SET b = 'one' WHERE a IS NULL; DELETE FROM nopk WHERE a IS NULL;"
			echo "INSERT INTO nopk VALUES (3, 'new'); INSERT INTO myisam_t VALUES (3, 'my');"
		} | my_sql "$1" ;;
	2)
		# the values to come back to, in a database of their own (not migrated)
		my_sql -e "DROP DATABASE IF EXISTS $1_keep; CREATE DATABASE $1_keep"
		for t in ints times texts; do
			my_sql -e "CREATE TABLE $1_keep.$t AS SELECT * FROM $1.$t"
		done
		{
			echo "SET time_zone = '+00:00'; SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO';"
			echo "UPDATE ints SET ti = 1, tiu = 2, t1 = 0, si = 3, siu = 4, mi = 5, miu = 6, i = 7, iu = 8,"
			echo "  bi = 9, biu = 10, d65 = 1.5, d10 = 2.25, d0 = 3, f = 0.5, db = 2.5, b1 = b'1', b64 = b'11', y = 1999;"
			echo "UPDATE times SET d = '2001-02-03', dt = '2001-02-03 04:05:06', dt6 = '2001-02-03 04:05:06.5',"
			echo "  ts = '2001-02-03 04:05:06', ts3 = '2001-02-03 04:05:06.25', t = '-01:02:03', t6 = '01:02:03.4';"
			echo "UPDATE texts SET c = 'zz', vc = 'zz', t = 'zz', mt = 'zz', lt = 'zz', lat = 'zz', bn = 'zz', vb = 'zz',"
			echo "  bl = 'zz', lb = 'zz', e = 'a', s = 'x', j = '[]', g = ST_GeomFromText('POINT(0 0)');"
		} | my_sql "$1" ;;
	3)
		for t in ints times texts; do
			back+="UPDATE $t JOIN $1_keep.$t k USING (id) SET $(my_sql "$1" -e "SELECT
				GROUP_CONCAT(CONCAT('$t.\`', COLUMN_NAME, '\` = k.\`', COLUMN_NAME, '\`'))
				FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME = '$t'
				AND COLUMN_NAME <> 'id'");"$'\n'
		done
		{
			echo "SET time_zone = '+00:00'; SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO';"
			echo "$back"
		} | my_sql "$1"
		my_sql -e "DROP DATABASE $1_keep" ;;
	esac
}

@test "MariaDB to PostgreSQL: every type of the zoo through INSERT, UPDATE of every column and back, and DELETE; the target equals the source after each phase" {
	dst=$(new_db zoo_pg_dst)
	my_online zoo_pg "$dst" --strip-nul
	for phase in 1 2 3; do
		zoo_phase zoo_pg "$phase"
		run -0 dbmig cdc-tail "$(my_uri zoo_pg)" "$dst" --until-caught-up
		assert_output --partial "cdc-tail done"
		run dbmig verify "$(my_uri zoo_pg)" "$dst"
		if [ "$phase" = 2 ]; then
			assert_output --partial "equal: 8 tables"
		else
			# the one difference is the NUL byte --strip-nul dropped, as the load did
			[ "$status" = 1 ]
			assert_output --partial "zoo_pg.texts: changed: id=3: t"
			assert_output --partial "DIFFERENT: 1 difference in 1 of 8 tables"
		fi
	done
	# without the NUL (a change too), nothing differs, by verify and
	# by PostgreSQL's own casts
	my_sql zoo_pg -e "UPDATE texts SET t = REPLACE(t, CHAR(0), '') WHERE id = 3"
	run -0 dbmig cdc-tail "$(my_uri zoo_pg)" "$dst" --until-caught-up
	run -0 dbmig verify "$(my_uri zoo_pg)" "$dst"
	assert_output --partial "equal: 8 tables"
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "$MY_HOST" "$MY_PORT" zoo_pg "$dst" zoo_pg
}

@test "MariaDB to MariaDB: every type of the zoo through INSERT, UPDATE of every column and back, and DELETE; the target equals the source after each phase" {
	dst=$(new_mydb zoo_my_dst)
	my_online zoo_my "$dst"
	for phase in 1 2 3; do
		zoo_phase zoo_my "$phase"
		run -0 dbmig cdc-tail "$(my_uri zoo_my)" "$dst" --until-caught-up
		assert_output --partial "cdc-tail done"
		run -0 dbmig verify "$(my_uri zoo_my)" "$dst"
		assert_output --partial "equal: 8 tables"
		run -0 mycompare zoo_my zoo_my_dst
	done
}

@test "MariaDB source: DDL stops the tail (exit 6) naming the statement and position; after the fix the rerun resumes there" {
	dst=$(new_db ddl_dst)
	new_mydb ddl_src >/dev/null
	my_sql ddl_src -e "CREATE TABLE t (id int PRIMARY KEY, v varchar(10)); INSERT INTO t VALUES (1, 'a')"
	dbmig -q dump --online "$(my_uri ddl_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	my_sql ddl_src -e "INSERT INTO t VALUES (2, 'b'); ALTER TABLE t ADD COLUMN n int; INSERT INTO t VALUES (3, 'c', 3)"
	run -6 dbmig cdc-tail "$(my_uri ddl_src)" "$dst" --until-caught-up
	assert_output --partial "ALTER TABLE t ADD COLUMN n int"
	assert_output --regexp "binlog\.[0-9]+:[0-9]+"
	# what came before the DDL is applied, nothing after
	run -0 psql_at "$dst" "SELECT string_agg(id::text, ',' ORDER BY id) FROM ddl_src.t"
	assert_output "1,2"
	psql_at "$dst" "ALTER TABLE ddl_src.t ADD COLUMN n int" >/dev/null
	run -0 dbmig cdc-tail "$(my_uri ddl_src)" "$dst" --until-caught-up
	assert_output --partial "came before this run"
	run -0 dbmig verify "$(my_uri ddl_src)" "$dst"
}

@test "MariaDB source: a binlog rotated mid-stream (FLUSH BINARY LOGS) is followed into the next file" {
	dst=$(new_mydb rot_dst)
	new_mydb rot_src >/dev/null
	my_sql rot_src -e "CREATE TABLE t (id int PRIMARY KEY, v int)"
	dbmig -q dump --online "$(my_uri rot_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	for i in 1 2 3; do
		my_sql rot_src -e "INSERT INTO t SELECT seq + $i * 1000, seq FROM seq_1_to_100; FLUSH BINARY LOGS"
	done
	run -0 dbmig cdc-tail "$(my_uri rot_src)" "$dst" --until-caught-up
	assert_output --partial "3 transactions, 300 changes applied"
	refute_output --partial "rot_dst"
	run -0 my_sql rot_dst -e "SELECT COUNT(*) FROM t"
	assert_output 300
	my_sql rot_src -e "UPDATE t SET v = -v WHERE id % 2 = 0; FLUSH BINARY LOGS; DELETE FROM t WHERE id % 3 = 0"
	run -0 dbmig cdc-tail "$(my_uri rot_src)" "$dst" --until-caught-up
	run -0 dbmig verify "$(my_uri rot_src)" "$dst"
}

@test "MariaDB source pre-flight: statement format, a row image without whole rows, no replication privilege and a purged start file are refused (exit 3) with the fix" {
	new_mydb pf_src >/dev/null
	my_sql pf_src -e "CREATE TABLE t (id int PRIMARY KEY)"
	my_sql -e "SET GLOBAL binlog_format = 'STATEMENT'"
	run -3 dbmig dump --online "$(my_uri pf_src)" -o "$BATS_TEST_TMPDIR/a"
	my_sql -e "SET GLOBAL binlog_format = 'ROW'"
	assert_output --partial "SET GLOBAL binlog_format = 'ROW'"
	[ ! -e "$BATS_TEST_TMPDIR/a/manifest.json" ]
	my_sql -e "SET GLOBAL binlog_row_image = 'MINIMAL'"
	run -3 dbmig dump --online "$(my_uri pf_src)" -o "$BATS_TEST_TMPDIR/b"
	my_sql -e "SET GLOBAL binlog_row_image = 'FULL'"
	assert_output --partial "binlog_row_image = 'FULL'"
	my_sql -e "SET GLOBAL log_bin_compress = ON"
	run -3 dbmig dump --online "$(my_uri pf_src)" -o "$BATS_TEST_TMPDIR/b2"
	my_sql -e "SET GLOBAL log_bin_compress = OFF"
	assert_output --partial "SET GLOBAL log_bin_compress = OFF"
	my_sql -e "DROP USER IF EXISTS pf_reader@'%'; CREATE USER pf_reader@'%' IDENTIFIED BY 'pfpw';
		GRANT SELECT ON pf_src.* TO pf_reader@'%'"
	MYSQL_PWD=pfpw run -3 dbmig dump --online "mysql://pf_reader@$MY_HOST:$MY_PORT/pf_src" -o "$BATS_TEST_TMPDIR/c"
	assert_output --partial "GRANT REPLICATION SLAVE"
	refute_output --partial "pfpw"
	# the start file purged before the tail read it
	dst=$(new_db pf_dst)
	dbmig -q dump --online "$(my_uri pf_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	# a tail that would register with the source's own server_id
	run -3 dbmig cdc-tail "$(my_uri pf_src)" "$dst" --until-caught-up --server-id 1
	assert_output --partial "the source's own server_id is 1"
	run -2 dbmig cdc-tail "$(my_uri pf_src)" "$dst" --server-id 0
	start=$(sed -nE 's/.*"position": "([^:]+):.*/\1/p' "$BATS_TEST_TMPDIR/d/manifest.json")
	my_sql pf_src -e "INSERT INTO t VALUES (1); FLUSH BINARY LOGS; FLUSH BINARY LOGS"
	last=$(my_sql -e "SHOW MASTER STATUS" | cut -f1)
	# (MariaDB keeps a file until its binlog checkpoint has passed it)
	for _ in $(seq 1 50); do
		my_sql -e "PURGE BINARY LOGS TO '$last'"
		my_sql -e "SHOW BINARY LOGS" | grep -q "^$start" || break
		sleep 0.2
	done
	run -3 dbmig cdc-tail "$(my_uri pf_src)" "$dst" --until-caught-up
	assert_output --partial "no longer has binlog file $start"
	assert_output --partial "Take a new online dump"
}

# my_ledger_writes DB N: in the background (pid in $writer), N source
# transactions, each inserting one id and updating it once.
my_ledger_writes() {
	( for i in $(seq 1 "$2"); do
		echo "BEGIN; INSERT INTO ledger VALUES ($i, 0); UPDATE ledger SET n = n + 1 WHERE id = $i; COMMIT;"
	  done | my_sql "$1" ) &
	writer=$!
}

@test "MariaDB source: a tail killed at random instants under writes, into PostgreSQL and into MariaDB, applies every transaction once" {
	for target in pg my; do
		new_mydb "k9_$target" >/dev/null
		my_sql "k9_$target" -e "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)"
		if [ "$target" = pg ]; then dst=$(new_db k9_pg_dst); else dst=$(new_mydb k9_my_dst); fi
		dbmig -q dump --online "$(my_uri "k9_$target")" -o "$BATS_TEST_TMPDIR/d_$target" >/dev/null
		dbmig -q load "$BATS_TEST_TMPDIR/d_$target" "$dst" >/dev/null
		my_ledger_writes "k9_$target" 1500
		tail_killed "$(my_uri "k9_$target")" "$dst" 20
		wait "$writer"
		run -0 dbmig cdc-tail "$(my_uri "k9_$target")" "$dst" --until-caught-up
		if [ "$target" = pg ]; then
			run -0 psql_at "$dst" "SELECT count(*), sum(n), min(n), max(n) FROM k9_pg.ledger"
			assert_output "1500|1500|1|1"
		else
			run -0 my_sql k9_my_dst -e "SELECT COUNT(*), SUM(n), MIN(n), MAX(n) FROM ledger"
			assert_output "$(printf '1500\t1500\t1\t1')"
		fi
		run -0 dbmig verify "$(my_uri "k9_$target")" "$dst"
	done
}

@test "MariaDB source restarted mid-stream: the tail exits 3 naming it; the same command resumes and applies every transaction once" {
	new_mydb rs_src >/dev/null
	my_sql rs_src -e "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)"
	dst=$(new_db rs_dst)
	dbmig -q dump --online "$(my_uri rs_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	my_ledger_writes rs_src 400
	dbmig cdc-tail --progress=none "$(my_uri rs_src)" "$dst" 2>"$BATS_TEST_TMPDIR/tail.log" &
	tail_pid=$!
	sleep 1
	wait "$writer" || true	# (the writer may see the restart too)
	servers_restart_mysql fast 1
	run wait "$tail_pid"
	[ "$status" = 3 ]
	grep -q "the source ended the binlog stream" "$BATS_TEST_TMPDIR/tail.log"
	grep -q "run the same command again" "$BATS_TEST_TMPDIR/tail.log"
	# what the writer got in before the restart, and more after it
	my_ledger_writes rs_src 400
	wait "$writer" || true
	run -0 dbmig cdc-tail "$(my_uri rs_src)" "$dst" --until-caught-up
	run -0 dbmig verify "$(my_uri rs_src)" "$dst"
	run -0 psql_at "$dst" "SELECT count(*) = (SELECT count(*) FROM rs_src.ledger WHERE n = 1) FROM rs_src.ledger"
	assert_output t
}

@test "MariaDB source: a transaction of 2,000,000 rows applies with bounded memory" {
	new_mydb big_src >/dev/null
	my_sql big_src -e "CREATE TABLE t (id int PRIMARY KEY, v int, s varchar(20))"
	dst=$(new_db big_dst)
	dbmig -q dump --online "$(my_uri big_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	my_sql big_src -e "INSERT INTO t SELECT seq, seq % 1000, CONCAT('row ', seq) FROM seq_1_to_2000000"
	/usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" dbmig -q cdc-tail "$(my_uri big_src)" "$dst" \
		--until-caught-up 2>/dev/null
	run -0 psql_at "$dst" "SELECT count(*), sum(v) FROM big_src.t"
	assert_output "2000000|999000000"
	# the transaction is streamed a rows event at a time: far below its size
	# (a sanitizer build keeps freed memory in quarantine: no bound there)
	echo "# peak RSS $(cat "$BATS_TEST_TMPDIR/rss") kB" >&3
	grep -q -- -fsanitize "$REPO_ROOT/.build-flags" 2>/dev/null ||
		[ "$(cat "$BATS_TEST_TMPDIR/rss")" -lt 102400 ]
}

@test "sysbench oltp_write_only and oltp_read_write on MariaDB during dump --online, load and cdc-tail: PostgreSQL and MariaDB targets end equal" {
	command -v sysbench >/dev/null || skip "sysbench is not installed (optional: apt-get install sysbench)"
	for target in pg my; do
		db=sbo_$target
		new_mydb "$db" >/dev/null
		sb() {
			sysbench "$1" --tables=2 --table-size=10000 --rand-seed=7 --db-driver=mysql \
				--mysql-host="${MY_HOST:-127.0.0.1}" --mysql-port="$MY_PORT" \
				--mysql-user="${MY_USER:-root}" ${MYSQL_PWD:+--mysql-password="$MYSQL_PWD"} \
				--mysql-db="$db" "${@:2}"
		}
		sb oltp_read_write prepare >/dev/null 2>&1
		sb oltp_write_only --threads=2 --time=8 run >"$BATS_TEST_TMPDIR/sb1.log" 2>&1 &
		sb1=$!
		sb oltp_read_write --threads=2 --time=8 run >"$BATS_TEST_TMPDIR/sb2.log" 2>&1 &
		sb2=$!
		sleep 1
		if [ "$target" = pg ]; then dst=$(new_db "${db}_dst"); else dst=$(new_mydb "${db}_dst"); fi
		dbmig -q dump --online -j 2 "$(my_uri "$db")" -o "$BATS_TEST_TMPDIR/d_$target" >/dev/null
		dbmig -q load -j 2 "$BATS_TEST_TMPDIR/d_$target" "$dst" >/dev/null
		# a first tail while the writers run, stopped by a signal
		dbmig -q cdc-tail "$(my_uri "$db")" "$dst" 2>"$BATS_TEST_TMPDIR/tail.log" &
		tail_pid=$!
		sleep 2
		kill -TERM "$tail_pid"
		wait "$tail_pid"
		wait "$sb1"
		wait "$sb2"
		grep -q "transactions:" "$BATS_TEST_TMPDIR/sb1.log"
		run -0 dbmig cdc-tail "$(my_uri "$db")" "$dst" --until-caught-up
		run -0 dbmig verify "$(my_uri "$db")" "$dst"
		assert_output --partial "equal: 2 tables"
		if [ "$target" = pg ]; then
			run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" "$db" "$dst" "$db"
		else
			run -0 mycompare "$db" "${db}_dst"
		fi
	done
}

@test "MariaDB source: --format=debezium writes the MySQL connector's source block, and dbmig's lines resume after a restart of the writer" {
	new_mydb dz_src >/dev/null
	my_sql dz_src -e "CREATE TABLE t (id int PRIMARY KEY, d date, tm time(6), y year, s set('a','b'))"
	dbmig -q dump --online "$(my_uri dz_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	my_sql dz_src -e "INSERT INTO t VALUES (1, '0000-00-00', '-12:00:00.5', 2024, 'a,b'); UPDATE t SET y = 1999 WHERE id = 1"
	gtid=$(my_sql -e "SELECT @@gtid_binlog_pos")
	run -0 dbmig cdc-tail "$(my_uri dz_src)" --from "$BATS_TEST_TMPDIR/d" -o "$BATS_TEST_TMPDIR/dbz" \
		--format=debezium --until-caught-up
	assert_output --partial "2 changes written"
	run -0 jq -r '.payload.source | [.connector, .db, .table, .server_id, (.file | test("^binlog\\.[0-9]+$")), (.pos > 0), .row] | @tsv' \
		< <(cut -f2 "$BATS_TEST_TMPDIR/dbz" | head -1)
	assert_output "$(printf 'mysql\tdz_src\tt\t1\ttrue\ttrue\t0')"
	run -0 jq -r '.payload | [.op, (.after.d // "null"), .after.tm, .after.y, .after.s] | @tsv' \
		< <(cut -f2 "$BATS_TEST_TMPDIR/dbz" | head -1)
	assert_output "$(printf 'c\tnull\t-43200500000\t2024\ta,b')"
	# the update's GTID is the source's last
	run -0 jq -r '.payload | [.op, .source.gtid] | @tsv' < <(cut -f2 "$BATS_TEST_TMPDIR/dbz" | tail -1)
	assert_output "$(printf 'u\t%s' "$gtid")"
	# dbmig's lines: a second run writes on after the first's last transaction
	run -0 dbmig cdc-tail "$(my_uri dz_src)" --from "$BATS_TEST_TMPDIR/d" -o "$BATS_TEST_TMPDIR/lines" --until-caught-up
	my_sql dz_src -e "DELETE FROM t WHERE id = 1"
	run -0 dbmig cdc-tail "$(my_uri dz_src)" --from "$BATS_TEST_TMPDIR/d" -o "$BATS_TEST_TMPDIR/lines" --until-caught-up
	assert_output --partial "1 change written"
	[ "$(jq -r 'select(.op != "commit") | .op' "$BATS_TEST_TMPDIR/lines" | tr '\n' ' ')" = "insert update delete " ]
}

@test "MariaDB source: generated columns, VIRTUAL and STORED, are computed by the target, never written by the tail" {
	new_mydb gv_src >/dev/null
	my_sql gv_src -e "CREATE TABLE g (id int PRIMARY KEY, a int, b int AS (a * 2) VIRTUAL,
		c int AS (a + 1) STORED, d varchar(5)); INSERT INTO g (id, a, d) VALUES (1, 1, 'x')"
	dst=$(new_db gv_dst)
	dbmig -q dump --online "$(my_uri gv_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null 2>&1
	my_sql gv_src -e "INSERT INTO g (id, a, d) VALUES (2, 5, 'y'); UPDATE g SET a = 10, d = 'z' WHERE id = 1;
		DELETE FROM g WHERE id = 2; INSERT INTO g (id, a) VALUES (3, 7)"
	run -0 dbmig cdc-tail "$(my_uri gv_src)" "$dst" --until-caught-up
	assert_output --partial "4 changes applied"
	run -0 psql_at "$dst" "SELECT string_agg(concat_ws(',', id, a, b, c, d), ';' ORDER BY id) FROM gv_src.g"
	assert_output "1,10,20,11,z;3,7,14,8"
	run -0 dbmig verify "$(my_uri gv_src)" "$dst"
}

@test "MariaDB source: a 2 into a tinyint(1) the load made boolean stops the tail (exit 7) naming the row; nothing is changed silently" {
	new_mydb tb_src >/dev/null
	my_sql tb_src -e "CREATE TABLE f (id int PRIMARY KEY, active tinyint(1) NOT NULL);
		INSERT INTO f VALUES (1, 1), (2, 0)"
	dst=$(new_db tb_dst)
	dbmig -q dump --online "$(my_uri tb_src)" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null 2>&1
	my_sql tb_src -e "UPDATE f SET active = 0 WHERE id = 1; UPDATE f SET active = 2 WHERE id = 2"
	run -7 dbmig cdc-tail "$(my_uri tb_src)" "$dst" --until-caught-up
	assert_output --partial "sets tb_src.f.active to 2 in the row id=2"
	assert_output --partial "--tinyint-numeric"
	# the change before it is applied, the one it could not hold is not
	run -0 psql_at "$dst" "SELECT string_agg(id || ':' || active, ',' ORDER BY id) FROM tb_src.f"
	assert_output "1:false,2:false"
}
