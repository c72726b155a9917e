#!/usr/bin/env bats
# PostgreSQL -> MySQL/MariaDB: PostgreSQL types arrive exactly where MySQL
# can hold them (checked independently by tests/helpers/xcompare.sh),
# every approximate mapping is reported, and values MySQL cannot hold stop
# the load naming the table, row and column.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db app_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/pg_to_mysql.sql" >/dev/null
	dbmig -q dump -j 2 "$src" -o "$BATS_FILE_TMPDIR/app" >/dev/null
}

@test "PostgreSQL types to MySQL: every row equal, checked by PostgreSQL's own casts" {
	dst=$(new_mydb app_my)
	run -0 dbmig load -j 2 --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/app" "$dst"
	assert_output --partial "rows 3303"
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" app_my "$(pg_uri app_src)" app
	assert_output "equal: 3 tables, every row"
}

@test "keys, AUTO_INCREMENT, foreign keys and comments on the MySQL side; mappings reported" {
	dst=$(new_mydb app_shape)
	run -0 dbmig load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/app" "$dst"
	assert_output --partial "app.kinds.tstz: timestamptz becomes datetime(6) holding UTC"
	assert_output --partial "app.kinds.iv: interval becomes varchar(64)"
	assert_output --partial "app.kinds.ai: integer[] becomes a JSON array"
	assert_output --partial "app.parent.name: text in a key becomes varchar(768)"
	assert_output --partial "app.kinds.nu: numeric becomes decimal(65,30)"
	run -0 my_sql app_shape -e "INSERT INTO parent (name) VALUES ('new'); SELECT LAST_INSERT_ID()"
	assert_output 301
	# Set again outside the load (what cutover will do): the counter
	# goes back to the source's, the lowest InnoDB takes above the rows.
	my_sql app_shape -e "DELETE FROM parent WHERE id = 301"
	run -0 "$REPO_ROOT/tests/tools/seqsync" "$BATS_FILE_TMPDIR/app" "$dst"
	run -0 my_sql app_shape -e "INSERT INTO parent (name) VALUES ('new'); SELECT LAST_INSERT_ID()"
	assert_output 301
	my_sql app_shape -e "DELETE FROM parent WHERE id = 301"
	run -1 my_sql app_shape -e "INSERT INTO child (id, parent_id) VALUES (99999, 99999)"
	run -0 my_sql app_shape -e "SELECT COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app_shape' AND TABLE_NAME = 'child' AND COLUMN_NAME = 'qty'"
	assert_output "how many"
	run -0 my_sql app_shape -e "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app_shape' AND TABLE_NAME = 'kinds' AND COLUMN_NAME IN ('b', 'mood', 'u') ORDER BY ORDINAL_POSITION"
	assert_output "$(printf "tinyint(1)\nchar(36)\nenum('sad','ok','it''s \"complicated\"')")"
	# Text compares as PostgreSQL's C collation does: 'a' and 'A' both fit a unique key.
	run -0 my_sql app_shape -e "INSERT INTO parent (name) VALUES ('Name 1')"
}

@test "values MySQL cannot hold stop the load naming table, row and column" {
	src=$(new_db odd_src)
	psql_at "$src" "CREATE TABLE v (id int PRIMARY KEY, n numeric, d date); INSERT INTO v VALUES (1, 1, '2000-01-01'), (2, 'NaN', '2000-01-01')"
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/a"
	dst=$(new_mydb odd_my)
	run -7 dbmig load --unbounded-numeric=decimal "$BATS_TEST_TMPDIR/a" "$dst"
	assert_output --partial "table v row 2 column n: MySQL cannot store the number 'NaN'"
	run -0 my_sql odd_my -e "SELECT COUNT(*) FROM v"
	assert_output 0
	psql_at "$src" "UPDATE v SET n = 2, d = '0044-03-15 BC' WHERE id = 2"
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/b"
	run -7 dbmig load --unbounded-numeric=decimal "$BATS_TEST_TMPDIR/b" "$(new_mydb odd_my2)"
	assert_output --partial "MySQL cannot store the date '0044-03-15 BC'"
}

@test "a dump of several PostgreSQL schemas is refused for MySQL, naming them and the way out" {
	src=$(new_db multi_src)
	psql_at "$src" "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (x int); CREATE TABLE b.t (x int)"
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	run -7 dbmig load "$BATS_TEST_TMPDIR/d" "$(new_mydb multi_my)"
	assert_output --partial "several PostgreSQL schemas (a, b)"
	assert_output --partial "-t 'schema.*'"
	run -0 dbmig dump -t 'a.*' "$src" -o "$BATS_TEST_TMPDIR/a"
	run -0 dbmig load "$BATS_TEST_TMPDIR/a" "$(new_mydb multi_my)"
	# or, as the user chooses, one database with prefixed names
	psql_at "$src" "ALTER TABLE a.t ADD PRIMARY KEY (x); CREATE TABLE b.r (x int REFERENCES a.t); INSERT INTO a.t VALUES (1); INSERT INTO b.r VALUES (1)"
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/p"
	run -0 dbmig load --schema-prefix "$BATS_TEST_TMPDIR/p" "$(new_mydb multi_pref)"
	run -0 my_sql multi_pref -e "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'multi_pref' AND TABLE_NAME NOT LIKE '\\_dbmig%'"
	assert_output "a_t,b_r,b_t"
	run -0 my_sql multi_pref -e "SELECT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'multi_pref'"
	assert_output a_t
}

@test "numeric beyond MySQL's decimal is refused until the user chooses a mapping" {
	run -7 dbmig load "$BATS_FILE_TMPDIR/app" "$(new_mydb app_num)"
	assert_output --partial "column app.kinds.nu is numeric, which MySQL cannot hold exactly; choose with --unbounded-numeric"
	run -0 dbmig load --unbounded-numeric=text "$BATS_FILE_TMPDIR/app" "$(new_mydb app_num2)"
	assert_output --partial "app.kinds.nu: numeric becomes varchar(1000) holding the exact digits"
	run -0 my_sql app_num2 -e "SELECT nu FROM kinds ORDER BY id"
	assert_output "$(printf '123.456\n-0.000001\nNULL')"
}

@test "a domain's check becomes the column's on MySQL, and is enforced there" {
	run -0 dbmig load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/app" "$(new_mydb app_dom)"
	assert_output --partial "app.kinds.pos: domain app.posint becomes its base type; its check becomes the column's"
	run -1 my_sql app_dom -e "UPDATE kinds SET pos = 0 WHERE id = 1"
	assert_output --partial "CONSTRAINT \`pos_posint_check\` failed"
}

@test "CHECK constraints cross to MySQL and are enforced there; one without a sure equivalent is reported" {
	src=$(new_db chk_src)
	psql_at "$src" "CREATE TABLE acc (id int PRIMARY KEY, balance numeric(12,2) CHECK (balance >= 0),
		kind text CHECK (kind IN ('a', 'b')), name text CHECK (char_length(name) BETWEEN 1 AND 20),
		code text CHECK (code ~ '^[A-Z]+\$'));
		INSERT INTO acc VALUES (1, 5, 'a', 'n', 'AB')" >/dev/null
	dst=$(new_mydb chk_my)
	run -0 dbmig copy "$src" "$dst"
	assert_output --partial "public.acc: check constraint acc_code_check is not carried: CHECK ((code ~ '^[A-Z]+\$'::text)) has no MySQL equivalent"
	refute_output --partial "acc_balance_check is not carried"
	# what the source refuses, the target refuses
	for bad in "balance = -5" "kind = 'bogus'" "name = ''"; do
		run -1 psql_at "$src" "UPDATE acc SET $bad WHERE id = 1"
		run -1 my_sql chk_my -e "UPDATE acc SET $bad WHERE id = 1"
		assert_output --partial "CONSTRAINT"
	done
	run -0 my_sql chk_my -e "UPDATE acc SET balance = 7, kind = 'b' WHERE id = 1"
}

@test "--uuid=binary stores uuid as its 16 bytes" {
	run -0 dbmig load --uuid=binary --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/app" "$(new_mydb app_uuid)"
	assert_output --partial "app.kinds.u: uuid becomes binary(16) (--uuid=binary)"
	run -0 my_sql app_uuid -e "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app_uuid' AND TABLE_NAME = 'kinds' AND COLUMN_NAME = 'u'"
	assert_output "binary(16)"
	run -0 my_sql app_uuid -e "SELECT LOWER(HEX(u)) FROM kinds ORDER BY id"
	assert_output "$(printf '00000000000000000000000000000000\na0eebc999c0b4ef8bb6d6bb9bd380a11\nNULL')"
	# The target's state says so, for the change stream that follows.
	run -0 my_sql app_uuid -e "SELECT item FROM _dbmig_load_ledger WHERE item LIKE 'transform:%'"
	assert_output "transform:app.kinds.u=uuid-binary"
}

@test "a row of defaults only holds on MySQL what it holds on PostgreSQL, for every kind of default" {
	src=$(new_db dflt_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/defaults_pg.sql" >/dev/null
	for uuid in char binary; do
		dst=$(new_mydb "dflt_$uuid")
		psql -X -q "$src" -c "DELETE FROM dflt WHERE id = 2"
		run -0 dbmig copy --uuid=$uuid "$src" "$dst"
		refute_output --partial "is not carried"
		# a row of defaults on both sides
		psql -X -q "$src" -c "INSERT INTO dflt (id) VALUES (2)"
		my_sql "dflt_$uuid" -e "INSERT INTO dflt (id) VALUES (2)"
		run -0 dbmig verify "$src" "$dst"
		assert_output --partial "equal: 1 table, 2 rows"
		refute_output --partial "not compared"
	done
	# the empty array is a JSON array, not an object
	run -0 my_sql dflt_char -N -e "SELECT ta, ia, \`by\` = X'00ff' FROM dflt WHERE id = 2"
	assert_output "$(printf '[]\t[1,2]\t1')"
}

@test "expression defaults: a new row's now() is the same instant on both sides, whatever the session's zone" {
	src=$(new_db xdef_src)
	psql_at "$src" "CREATE TABLE ev (id int PRIMARY KEY, at timestamptz DEFAULT now(), local timestamp DEFAULT now(),
		day date DEFAULT CURRENT_DATE, u uuid DEFAULT gen_random_uuid())" >/dev/null
	for uuid in char binary; do
		dst=$(new_mydb "xdef_$uuid")
		run -0 dbmig copy --uuid=$uuid "$src" "$dst"
		refute_output --partial "is not carried"
		# a session two hours east of UTC: the timestamptz column still gets UTC
		run -0 my_sql "xdef_$uuid" -e "SET time_zone = '+02:00'; INSERT INTO ev (id) VALUES (1);
			SELECT ABS(TIMESTAMPDIFF(SECOND, at, UTC_TIMESTAMP())) < 10,
			       ABS(TIMESTAMPDIFF(SECOND, local, NOW())) < 10, day IS NOT NULL,
			       LENGTH(u) = IF('$uuid' = 'char', 36, 16) FROM ev"
		assert_output "$(printf '1\t1\t1\t1')"
	done
}

@test "a nextval() default on a sequence the column does not own becomes AUTO_INCREMENT, continuing from the sequence" {
	src=$(new_db seq_src)
	psql_at "$src" "CREATE SEQUENCE ord_seq START 1000;
		CREATE TABLE orders (id int PRIMARY KEY DEFAULT nextval('ord_seq'), v text);
		INSERT INTO orders (v) VALUES ('a'), ('b'), ('c');
		SELECT setval('ord_seq', 2000);
		CREATE SEQUENCE shared_seq;
		CREATE TABLE a (id bigint PRIMARY KEY DEFAULT nextval('shared_seq'));
		CREATE TABLE b (id bigint PRIMARY KEY DEFAULT nextval('shared_seq'));
		INSERT INTO a VALUES (DEFAULT); INSERT INTO b VALUES (DEFAULT);
		CREATE SEQUENCE idle_seq; SELECT setval('idle_seq', 42)" >/dev/null
	dst=$(new_mydb seq_my)
	run -0 dbmig copy "$src" "$dst"
	refute_output --partial "identity/serial"
	refute_output --partial "orders.id"
	assert_output --partial "sequence public.shared_seq (last value 2) becomes a MariaDB SEQUENCE continuing after it"
	assert_output --partial "it feeds 2 columns, and each that is its table's key becomes AUTO_INCREMENT"
	assert_output --partial "sequence public.idle_seq (last value 42) becomes a MariaDB SEQUENCE"
	assert_output --partial "it feeds no column"
	refute_output --partial "sequence public.ord_seq"
	# the application's next INSERT without an id works, after the sequence's value
	run -0 my_sql seq_my -e "INSERT INTO orders (v) VALUES ('d'); SELECT MAX(id) FROM orders"
	assert_output 2001
	# a sequence AUTO_INCREMENT cannot stand for is MariaDB's, continuing
	run -0 my_sql seq_my -e "SELECT NEXTVAL(idle_seq), NEXTVAL(shared_seq)"
	assert_output "$(printf '43\t3')"
}

@test "generated columns cross to MySQL when their expression translates, and MySQL computes them" {
	src=$(new_db gen_src)
	psql_at "$src" "CREATE TABLE li (id serial PRIMARY KEY, price numeric(10,2), qty int,
		total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED, up text,
		upname text GENERATED ALWAYS AS (upper(up)) STORED,
		twice int GENERATED ALWAYS AS (id * 2) STORED);
		INSERT INTO li (price, qty, up) VALUES (1.5, 2, 'ab'), (3, 4, 'cd')" >/dev/null
	dst=$(new_mydb gen_my)
	run -0 dbmig copy "$src" "$dst"
	assert_output --partial "public.li.twice: generated column is not carried"
	refute_output --partial "li.total: generated"
	run -0 dbmig verify "$src" "$dst"
	run -0 my_sql gen_my -e "INSERT INTO li (price, qty, up) VALUES (2, 5, 'x');
		SELECT total, upname FROM li WHERE qty = 5"
	assert_output "$(printf '10.00\tX')"
}

@test "text in a key: the key's columns share InnoDB's 3072 bytes; a key that cannot fit is refused before anything is created" {
	src=$(new_db key_src)
	psql_at "$src" "CREATE TABLE tags (name text, n int, PRIMARY KEY (name, n));
		CREATE TABLE pairs (id int PRIMARY KEY, a text, b text, note text, UNIQUE (a, b));
		CREATE INDEX pairs_note ON pairs (note);
		INSERT INTO tags VALUES (repeat('x', 700), 1);
		INSERT INTO pairs VALUES (1, repeat('a', 300), repeat('b', 300), repeat('n', 5000))" >/dev/null
	dst=$(new_mydb key_my)
	run -0 dbmig copy "$src" "$dst"
	assert_output --partial "public.tags.name: text in a key becomes varchar(767) (the key's columns share InnoDB's 3072 bytes, sized from the longest values, here 700 characters)"
	assert_output --partial "public.pairs.a: text in a key becomes varchar(384)"
	run -0 dbmig verify "$src" "$dst"
	# the plain index is a prefix of the longtext, which keeps every character
	run -0 my_sql key_my -e "SELECT DATA_TYPE, (SELECT SUB_PART FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = 'key_my' AND INDEX_NAME = 'pairs_note') FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = 'key_my' AND TABLE_NAME = 'pairs' AND COLUMN_NAME = 'note'"
	assert_output "$(printf 'longtext\t768')"
	# four char(255) columns in one key cannot fit: refused, naming the key, nothing created
	psql_at "$src" "CREATE TABLE wide (a char(255), b char(255), c char(255), d char(255), PRIMARY KEY (a, b, c, d))" >/dev/null
	dst=$(new_mydb key_wide)
	run -7 dbmig copy "$src" "$dst"
	assert_output --partial "key wide_pkey of table wide needs about 4080 bytes"
	run -0 my_sql key_wide -e "SHOW TABLES"
	assert_output ""
}

@test "text in a key is sized from the data's longest values, by dump and by copy; values too long together are refused before anything is created" {
	src=$(new_db keylen_src)
	psql_at "$src" "CREATE TABLE k4 (a text, b text, c text, d text, PRIMARY KEY (a, b, c, d));
		INSERT INTO k4 SELECT repeat('x', 500), 'b' || g, 'c', 'd' FROM generate_series(1, 3) g" >/dev/null
	# an even share (192 characters each) would refuse the 500-character value
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/k"
	run -0 jq -r '[.schema.tables[0].columns[].max_len] | join(" ")' "$BATS_TEST_TMPDIR/k/manifest.json"
	assert_output "500 2 1 1"
	run -0 dbmig load "$BATS_TEST_TMPDIR/k" "$(new_mydb keylen_load)"
	assert_output --partial "public.k4.a: text in a key becomes varchar(566) (the key's columns share InnoDB's 3072 bytes, sized from the longest values, here 500 characters)"
	dst=$(new_mydb keylen_copy)
	run -0 dbmig copy "$src" "$dst"
	assert_output --partial "public.k4.a: text in a key becomes varchar(566)"
	run -0 dbmig verify "$src" "$dst"
	# 400 + 400 characters need 3200 bytes: refused, naming the key, nothing created
	psql_at "$src" "CREATE TABLE kbig (a text, b text, PRIMARY KEY (a, b));
		INSERT INTO kbig VALUES (repeat('y', 400), repeat('z', 400))" >/dev/null
	dst=$(new_mydb keylen_big)
	run -7 dbmig copy "$src" "$dst"
	assert_output --partial "key kbig_pkey of table kbig needs 3200 bytes for its longest values"
	run -0 my_sql keylen_big -e "SHOW TABLES"
	assert_output ""
}

@test "partitioned tables into MySQL: RANGE, LIST and HASH partitioning where they translate, one table where not; every row verifies" {
	src=$(new_db part_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/partitions.sql" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 "$src" <<-'EOF'
		CREATE TABLE m (id serial, at timestamptz NOT NULL DEFAULT now(), v text,
			PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
		CREATE TABLE m_2024_01 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
		CREATE TABLE m_2024_02 PARTITION OF m FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
		CREATE TABLE m_old PARTITION OF m FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
		CREATE TABLE m_rest PARTITION OF m DEFAULT;
		INSERT INTO m (at, v) SELECT timestamptz '2023-12-15' + g * interval '1 hour', 'v' || g
			FROM generate_series(1, 2000) g;
		CREATE TABLE ld (id int, k text, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
		CREATE TABLE ld_a PARTITION OF ld FOR VALUES IN ('a', 'it''s');
		CREATE TABLE ld_d PARTITION OF ld DEFAULT;
		INSERT INTO ld VALUES (1, 'a'), (2, 'it''s'), (3, 'zz');
		CREATE TABLE gap (id int, PRIMARY KEY (id)) PARTITION BY RANGE (id);
		CREATE TABLE gap_1 PARTITION OF gap FOR VALUES FROM (0) TO (10);
		CREATE TABLE gap_2 PARTITION OF gap FOR VALUES FROM (20) TO (30);
		INSERT INTO gap VALUES (1), (25);
	EOF
	dst=$(new_mydb part_my)
	run -0 dbmig copy "$src" "$dst"
	# ranges chained in order, the DEFAULT as the MAXVALUE partition
	run -0 my_sql part_my -e "SELECT GROUP_CONCAT(partition_name, ':', partition_method, ':',
		partition_description, ':', table_rows ORDER BY partition_ordinal_position SEPARATOR ' ')
		FROM information_schema.partitions WHERE table_schema = 'part_my' AND table_name = 'm'"
	assert_output "m_old:RANGE COLUMNS:'2024-01-01 00:00:00':407 m_2024_01:RANGE COLUMNS:'2024-02-01 00:00:00':744 m_2024_02:RANGE COLUMNS:'2024-03-01 00:00:00':696 m_rest:RANGE COLUMNS:MAXVALUE:153"
	run -0 my_sql part_my -e "SHOW CREATE TABLE ld; SHOW CREATE TABLE h; SHOW CREATE TABLE l"
	assert_output --partial "PARTITION BY LIST  COLUMNS(\`k\`)"
	assert_output --partial "PARTITION \`ld_a\` VALUES IN ('a','it''s')"
	assert_output --partial "PARTITION \`ld_d\` DEFAULT"
	assert_output --partial "PARTITION BY HASH (\`id\`)"
	assert_output --partial "PARTITION \`l_us\` VALUES IN ('us')"
	# what does not translate is one table, and the load says why
	run -0 dbmig copy "$src" "$(new_mydb part_my2)"
	assert_output --partial "public.events: partitioned by RANGE (at), becomes one MySQL table holding every partition's rows, since InnoDB's partitioned tables can neither have nor be referenced by foreign keys, and events_customer_fkey is one"
	assert_output --partial "public.gap: partitioned by RANGE (id), becomes one MySQL table holding every partition's rows, since its ranges leave gaps"
	run -0 my_sql part_my -e "SELECT count(*) FROM information_schema.partitions WHERE table_schema = 'part_my' AND table_name IN ('events', 'gap') AND partition_name IS NOT NULL"
	assert_output 0
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 7 tables, 33058 rows"
	# the AUTO_INCREMENT of a partitioned table continues the sequence
	run -0 my_sql part_my -e "INSERT INTO m (v) VALUES ('new'); SELECT LAST_INSERT_ID()"
	assert_output 2001
	my_sql part_my -e "DELETE FROM m WHERE id = 2001"
	# a dump of partitions against the partitioned MySQL tables: read as
	# their roots, and a change in a partition is found
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/pd"
	run -0 dbmig verify "$BATS_TEST_TMPDIR/pd" "$dst"
	assert_output --partial "equal: 7 tables, 33058 rows"
	my_sql part_my -e "UPDATE m SET v = 'x' WHERE id = 5; DELETE FROM h WHERE id = 7"
	run -1 dbmig verify "$BATS_TEST_TMPDIR/pd" "$dst"
	assert_output --partial "public.h: missing on target: id=7"
	assert_output --partial "public.m: changed: (id, at)=(5, '2023-12-15 05:00:00.000000'): v (v: 'v5' -> 'x')"
}

@test "partitioned tables into MySQL: a load killed between partitions' chunks reruns to the same rows" {
	src=$(new_db part_kill)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/partitions.sql" >/dev/null
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/pk"
	dst=$(new_mydb part_kill)
	DBMIG_TEST_CHUNK_DELAY_MS=300 dbmig -q load -j 1 "$BATS_TEST_TMPDIR/pk" "$dst" 2>/dev/null &
	pid=$!
	for _ in $(seq 1 300); do
		got=$(my_sql part_kill -e "SELECT COUNT(*) FROM _dbmig_load_ledger WHERE item LIKE 'chunk:%' AND state = 'done'" 2>/dev/null || echo 0)
		[ "$got" -ge 3 ] && break
		sleep 0.05
	done
	# still running when killed: a resume, not a finished load
	kill -0 "$pid"
	kill -KILL "$pid"
	wait "$pid" || true
	run -0 dbmig load "$BATS_TEST_TMPDIR/pk" "$dst"
	assert_output --partial "already loaded"
	run -0 dbmig verify "$BATS_TEST_TMPDIR/pk" "$dst"
	assert_output --partial "equal: 4 tables, 31053 rows"
}
