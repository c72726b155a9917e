#!/usr/bin/env bats
# MySQL/MariaDB -> PostgreSQL: the MySQL type zoo arrives exactly, checked
# independently (tests/helpers/xcompare.sh casts every MySQL value with
# PostgreSQL's own input functions and compares the row multisets), and
# every lossy or approximate mapping is reported by name.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	new_mydb zoo >/dev/null
	my_sql zoo <"$REPO_ROOT/tests/fixtures/mysql_typezoo.sql"
	# PostgreSQL text cannot hold NUL; that case has its own test.
	my_sql zoo -e "UPDATE texts SET t = REPLACE(t, CHAR(0), '') WHERE id = 3"
	my_sql zoo -e "CREATE TABLE flags (id int AUTO_INCREMENT PRIMARY KEY, active tinyint(1) NOT NULL DEFAULT 1, t time);
		INSERT INTO flags (active, t) VALUES (1, '08:30:00'), (0, '23:59:59.5'), (1, NULL)"
	dbmig -q dump -j 2 "$(my_uri zoo)" -o "$BATS_FILE_TMPDIR/zoo" >/dev/null
}

@test "MySQL type zoo to PostgreSQL: every row equal, checked by PostgreSQL's own casts" {
	dst=$(new_db from_mysql)
	run -0 dbmig load -j 2 "$BATS_FILE_TMPDIR/zoo" "$dst"
	assert_output --partial "rows 3323"
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" zoo "$dst" zoo
	assert_output "equal: 9 tables, every row"
}

@test "every lossy or approximate mapping is reported by table and column" {
	dst=$(new_db report)
	run -0 dbmig load "$BATS_FILE_TMPDIR/zoo" "$dst"
	assert_output --partial "zoo.ints.t1: tinyint(1) stays numeric (smallint): it holds values other than 0 and 1"
	assert_output --partial "zoo.flags.active: tinyint(1) becomes boolean"
	assert_output --partial "zoo.times.d: 2 MySQL zero dates become NULL"
	assert_output --partial "zoo.times.t: time becomes interval"
	assert_output --partial "zoo.texts.s: set becomes text[]"
	assert_output --partial "zoo.texts.g: geometry becomes bytea holding WKB"
	assert_output --partial "zoo.child: index ft_note (FULLTEXT) is not carried"
	assert_output --partial "zoo.parent: index k_code (BTREE, on a column prefix) is not carried"
	refute_output --partial "zoo.child: check constraint"	# chk_qty crosses now
	assert_output --partial "zoo.parent: ON UPDATE CURRENT_TIMESTAMP becomes trigger"
	assert_output --partial "zoo.child.id: bigint unsigned AUTO_INCREMENT becomes bigint identity"
	assert_output --partial "type mappings reported above"
	# Under -q nothing is reported above, and no line says it is.
	run -0 dbmig -q load "$BATS_FILE_TMPDIR/zoo" "$(new_db report_q)"
	refute_output --partial "reported above"
	# The dump's manifest says what the data showed, too.
	run -0 jq -r '.schema.warnings[]' "$BATS_FILE_TMPDIR/zoo/manifest.json"
	assert_output --partial "column zoo.times.d holds 2 zero dates such as '0000-00-00', which a target without zero dates stores as NULL"
	assert_output --partial "column zoo.times.t holds TIME values below 0 or beyond 24 hours"
}

@test "types, keys, identities and triggers on the PostgreSQL side" {
	dst=$(new_db shape)
	run -0 dbmig load "$BATS_FILE_TMPDIR/zoo" "$dst"
	run -0 psql_at "$dst" "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'zoo.flags'::regclass AND attnum > 0"
	assert_output "id integer, active boolean, t time(0) without time zone"
	run -0 psql_at "$dst" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'zoo.ints'::regclass AND attname IN ('biu', 'd65', 'f', 'b64', 'y') ORDER BY attnum"
	assert_output "$(printf 'numeric(20,0)\nnumeric(65,30)\nreal\nbit(64)\nsmallint')"
	# AUTO_INCREMENT continues where MySQL would have.
	run -0 psql_at "$dst" "INSERT INTO zoo.ints (ti) VALUES (5) RETURNING id"
	assert_output 1000
	run -0 psql_at "$dst" "INSERT INTO zoo.flags DEFAULT VALUES RETURNING id, active"
	assert_output "4|t"
	# Foreign keys hold; ON UPDATE CURRENT_TIMESTAMP still fires.
	run -1 psql_at "$dst" "INSERT INTO zoo.child (parent_id) VALUES (99999)"
	run -0 psql_at "$dst" "UPDATE zoo.parent SET name = 'renamed' WHERE id = 1 RETURNING created > '2025-01-01'"
	assert_output t
	run -0 psql_at "$dst" "SELECT enum_range(NULL::zoo.texts_e)::text"
	assert_output '{a,"b,c",d'"'"'e,"with \"quote\"",""}'
}

@test "a NUL byte in MySQL text is refused naming the table, row and column" {
	new_mydb nul >/dev/null
	my_sql nul -e "CREATE TABLE t (id int PRIMARY KEY, v varchar(10)); INSERT INTO t VALUES (1, 'ok'), (2, CONCAT('a', CHAR(0), 'b'))"
	run -0 dbmig dump "$(my_uri nul)" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_db nul_dst)
	run -7 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "table nul.t, row 2 of this chunk, column v: the value holds a NUL byte"
	assert_output --partial "--strip-nul"
	run -0 psql_at "$dst" "SELECT count(*) FROM nul.t"
	assert_output 0
	run -0 dbmig load --strip-nul "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "nul.t: 1 NUL byte dropped from text values (--strip-nul)"
	run -0 psql_at "$dst" "SELECT v FROM nul.t WHERE id = 2"
	assert_output ab
}

@test "a resumed load must convert as the first run did: other mapping options are refused" {
	dst=$(new_db xf_resume)
	run -0 dbmig load --schema-only "$BATS_FILE_TMPDIR/zoo" "$dst"
	run -0 psql_at "$dst" "SELECT item FROM _dbmig.load_ledger WHERE item LIKE 'transform:zoo.flags.%' OR item LIKE 'transform:zoo.texts.j=%' ORDER BY item"
	assert_output "$(printf '%s\n' transform:zoo.flags.active=bool-from-int transform:zoo.texts.j=jsonb)"
	# The rows would be converted otherwise than the schema was made for.
	run -2 dbmig load --tinyint-numeric "$BATS_FILE_TMPDIR/zoo" "$dst"
	assert_output --partial "converting zoo.flags.active as 'bool-from-int'; this run would convert it as '(as is)'"
	run -2 dbmig load --json=json "$BATS_FILE_TMPDIR/zoo" "$dst"
	assert_output --partial "zoo.texts.j as 'jsonb'"
	run -0 dbmig load --data-only "$BATS_FILE_TMPDIR/zoo" "$dst"
	assert_output --partial "rows 3323"
}

@test "two tables whose names differ only in case keep their own keys and rows" {
	new_mydb casey >/dev/null
	my_sql casey -e "CREATE TABLE \`U\` (id int PRIMARY KEY, a int, KEY ka (a));
		CREATE TABLE \`u\` (k int, id2 int, b varchar(5), PRIMARY KEY (k, id2), UNIQUE KEY ub (b));
		INSERT INTO \`U\` VALUES (1, 10), (2, 20); INSERT INTO \`u\` VALUES (1, 1, 'x'), (1, 2, 'y')"
	run -0 dbmig dump "$(my_uri casey)" -o "$BATS_TEST_TMPDIR/d"
	run -0 jq -r '.schema.tables[] | "\(.name): \([.constraints[] | "\(.kind) \(.columns | join(","))"] | join("; "))"' \
		"$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output --partial 'U: p id'
	assert_output --partial 'u: p k,id2; u b'
	dst=$(new_db casey_pg)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 psql_at "$dst" "SELECT conrelid::regclass, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'casey'::regnamespace ORDER BY 1::text COLLATE \"C\", 2"
	assert_output "$(printf 'casey.\"U\"|PRIMARY KEY (id)\ncasey.u|PRIMARY KEY (k, id2)\ncasey.u|UNIQUE (b)')"
	run -0 dbmig verify -q "$(my_uri casey)" "$dst"
}

@test "--json=json keeps MySQL JSON text exactly" {
	dst=$(new_db json_plain)
	run -0 dbmig load --json=json "$BATS_FILE_TMPDIR/zoo" "$dst"
	run -0 psql_at "$dst" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'zoo.texts'::regclass AND attname = 'j'"
	assert_output json
	run -0 psql_at "$dst" "SELECT j FROM zoo.texts WHERE id = 3"
	assert_output '{"a": "\u00e9\ud83d\ude00", "n": [1, 2.50, null], "s": "x"}'
}

@test "--strict refuses lossy mappings, --zero-dates=error refuses zero dates, --tinyint-numeric keeps numbers" {
	dst=$(new_db strict)
	run -7 dbmig load --strict "$BATS_FILE_TMPDIR/zoo" "$dst"
	assert_output --partial "lossy or approximate mappings (the first:"
	assert_output --partial "--strict refuses them"
	run -0 psql_at "$dst" "SELECT count(*) FROM pg_namespace WHERE nspname = 'zoo'"
	assert_output 0
	run -7 dbmig load --zero-dates=error "$BATS_FILE_TMPDIR/zoo" "$dst"
	assert_output --partial "zoo.times.d holds 2 zero dates such as '0000-00-00', which --zero-dates=error refuses"
	run -2 dbmig load --zero-dates=maybe "$BATS_FILE_TMPDIR/zoo" "$dst"
	run -0 dbmig load --tinyint-numeric "$BATS_FILE_TMPDIR/zoo" "$dst"
	refute_output --partial "tinyint(1) becomes boolean"
	run -0 psql_at "$dst" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'zoo.flags'::regclass AND attname = 'active'"
	assert_output smallint
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" zoo "$dst" zoo
}

@test "a MySQL view PostgreSQL accepts is recreated; one it does not is reported" {
	new_mydb views >/dev/null
	my_sql views -e "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10), (2, NULL);
		CREATE VIEW plain AS SELECT id, v * 2 AS v2 FROM t;
		CREATE VIEW mysqlish AS SELECT id, IFNULL(v, 0) AS v FROM t"
	run -0 dbmig dump "$(my_uri views)" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_db views_pg)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "view views.mysqlish was not migrated"
	run -0 psql_at "$dst" "SELECT string_agg(coalesce(v2::text, 'null'), ',' ORDER BY id) FROM views.plain"
	assert_output "20,null"
}

@test "a row of defaults only holds on PostgreSQL what it holds on MySQL, for every kind of default" {
	new_mydb dflt_my >/dev/null
	my_sql dflt_my <"$REPO_ROOT/tests/fixtures/defaults_mysql.sql"
	dst=$(new_db dflt_pg)
	run -0 dbmig copy "$(my_uri dflt_my)" "$dst"
	refute_output --partial "is not carried"
	# a row of defaults on both sides
	my_sql dflt_my -e "INSERT INTO dflt (id) VALUES (2)"
	psql -X -q "$dst" -c "INSERT INTO dflt_my.dflt (id) VALUES (2)"
	run -0 dbmig verify "$(my_uri dflt_my)" "$dst"
	assert_output --partial "equal: 1 table, 2 rows"
	refute_output --partial "not compared"
}

@test "index names arrive unchanged where the schema allows; a repeated name takes its table's" {
	new_mydb idxn >/dev/null
	my_sql idxn -e "CREATE TABLE customers (id int PRIMARY KEY, tier int, email varchar(80),
			KEY idx_customers_tier (tier), UNIQUE KEY email (email));
		CREATE TABLE users (id int PRIMARY KEY, email varchar(80), UNIQUE KEY email (email))"
	dst=$(new_db idxn_pg)
	run -0 dbmig copy "$(my_uri idxn)" "$dst"
	run -0 psql_at "$dst" "SELECT indexname FROM pg_indexes WHERE schemaname = 'idxn' ORDER BY 1"
	assert_output "$(printf '%s\n' customers_email customers_pkey idx_customers_tier users_email users_pkey)"
}

@test "expression defaults: UTC_TIMESTAMP and UUID() keep their meaning on PostgreSQL" {
	new_mydb xdef_my >/dev/null
	my_sql xdef_my -e "CREATE TABLE ev (id int PRIMARY KEY, at datetime(6) DEFAULT UTC_TIMESTAMP(6),
		u char(36) DEFAULT (UUID()), day date DEFAULT (CURDATE()))"
	dst=$(new_db xdef_pg)
	run -0 dbmig copy "$(my_uri xdef_my)" "$dst"
	refute_output --partial "is not carried"
	run -0 psql_at "$dst" "SET timezone = 'Etc/GMT-2'; INSERT INTO xdef_my.ev (id) VALUES (1);
		SELECT abs(extract(epoch FROM at - (now() AT TIME ZONE 'UTC'))) < 10, length(u) = 36,
		       day IS NOT NULL FROM xdef_my.ev"
	assert_output "t|t|t"
}

@test "CHECK constraints cross to PostgreSQL and are enforced there; one without a sure equivalent is reported" {
	new_mydb chk_my >/dev/null
	my_sql chk_my -e "CREATE TABLE acc (id int PRIMARY KEY, price decimal(10,2) CHECK (price >= 0),
		kind varchar(5), name varchar(20), j json, code varchar(10),
		CONSTRAINT kind_ok CHECK (kind IN ('a', 'b') AND CHAR_LENGTH(name) > 0),
		CONSTRAINT code_sum CHECK (CRC32(code) > 0));
		INSERT INTO acc VALUES (1, 5, 'a', 'n', '{}', 'AB')"
	dst=$(new_db chk_pg)
	run -0 dbmig copy "$(my_uri chk_my)" "$dst"
	assert_output --partial "chk_my.acc: check constraint code_sum is not carried"
	refute_output --partial "json_valid"
	for bad in "price = -5" "kind = 'c'" "name = ''"; do
		run -1 my_sql chk_my -e "UPDATE acc SET $bad WHERE id = 1"
		run -1 psql_at "$dst" "UPDATE chk_my.acc SET $bad WHERE id = 1"
		assert_output --partial "violates check constraint"
	done
	run -0 psql_at "$dst" "UPDATE chk_my.acc SET price = 7, kind = 'b' WHERE id = 1"
}

@test "generated columns cross to PostgreSQL, translated, and PostgreSQL computes them" {
	new_mydb gen_my >/dev/null
	my_sql gen_my -e "CREATE TABLE li (id int PRIMARY KEY, price decimal(10,2), qty int,
		total decimal(12,2) AS (price * qty) STORED, up varchar(10), n int AS (CHAR_LENGTH(up)) VIRTUAL);
		INSERT INTO li (id, price, qty, up) VALUES (1, 1.5, 2, 'ab')"
	dst=$(new_db gen_pg)
	run -0 dbmig copy "$(my_uri gen_my)" "$dst"
	refute_output --partial "carried as written"
	run -0 dbmig verify "$(my_uri gen_my)" "$dst"
	run -0 psql_at "$dst" "INSERT INTO gen_my.li (id, price, qty, up) VALUES (2, 2, 5, 'xyz');
		SELECT total, n FROM gen_my.li WHERE id = 2"
	assert_output "10.00|3"
}

@test "a case-insensitive collation stays case-insensitive: the same duplicate is refused on both sides" {
	my_sql -e "DROP DATABASE IF EXISTS ci_my; CREATE DATABASE ci_my CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	my_sql ci_my -e "CREATE TABLE users (id int PRIMARY KEY, email varchar(80) NOT NULL,
		code varchar(10) COLLATE utf8mb4_bin, UNIQUE KEY email (email));
		INSERT INTO users VALUES (1, 'user1@example.com', 'Ab')"
	dst=$(new_db ci_pg)
	run -0 dbmig copy "$(my_uri ci_my)" "$dst"
	assert_output --partial "ci_my.users.email: collation utf8mb4_unicode_ci becomes the nondeterministic ICU collation dbmig_ci"
	refute_output --partial "users.code: collation"
	run -1 my_sql ci_my -e "INSERT INTO users VALUES (2, 'USER1@example.com', 'x')"
	assert_output --partial "Duplicate entry"
	run -1 psql_at "$dst" "INSERT INTO ci_my.users VALUES (2, 'USER1@example.com', 'x')"
	assert_output --partial "duplicate key"
	# equality ignores case as on MySQL; a binary column stays binary
	run -0 psql_at "$dst" "SELECT count(*) FROM ci_my.users WHERE email = 'USER1@EXAMPLE.COM'"
	assert_output 1
	run -0 psql_at "$dst" "SELECT count(*) FROM ci_my.users WHERE code = 'ab'"
	assert_output 0
	run -0 dbmig verify "$(my_uri ci_my)" "$dst"
	# --ci-collation=binary: case-sensitive, said per column, and LIKE works
	dst=$(new_db ci_bin)
	run -0 dbmig copy --ci-collation=binary "$(my_uri ci_my)" "$dst"
	assert_output --partial "ci_my.users.email: collation utf8mb4_unicode_ci is not carried: the column is case-sensitive (--ci-collation=binary)"
	run -0 psql_at "$dst" "SELECT count(*) FROM ci_my.users WHERE email LIKE 'user1@%'"
	assert_output 1
	run -0 psql_at "$dst" "INSERT INTO ci_my.users VALUES (2, 'USER1@example.com', 'x')"
	run -2 dbmig copy --ci-collation=loose "$(my_uri ci_my)" "$dst"
	assert_output --partial "--ci-collation wants icu or binary, not 'loose'"
}

@test "partitioned MySQL tables become declarative partitions where they translate, one table where not; every row verifies" {
	new_mydb part_my >/dev/null
	my_sql part_my -e "CREATE TABLE ev (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d))
		(PARTITION p2023 VALUES LESS THAN (2024), PARTITION pmax VALUES LESS THAN MAXVALUE);
		INSERT INTO ev VALUES (1, '2023-05-01'), (3, '2030-01-01');
		CREATE TABLE r (id int, at datetime, note varchar(20) COMMENT 'PARTITION BY HASH',
			PRIMARY KEY (id, at)) PARTITION BY RANGE COLUMNS(at)
		(PARTITION r2023 VALUES LESS THAN ('2024-01-01'), PARTITION r2024 VALUES LESS THAN ('2025-01-01'),
		 PARTITION rmax VALUES LESS THAN (MAXVALUE));
		INSERT INTO r VALUES (1, '2023-02-01', 'a'), (2, '2024-03-04 05:06:07', 'b'), (3, '2031-01-01', 'c');
		CREATE TABLE li (id int, region varchar(10), PRIMARY KEY (id, region)) PARTITION BY LIST COLUMNS(region)
		(PARTITION eu VALUES IN ('de','fr'), PARTITION q VALUES IN ('it''s'), PARTITION other DEFAULT);
		INSERT INTO li VALUES (1, 'de'), (2, 'it''s'), (3, 'zz');
		CREATE TABLE h (id int PRIMARY KEY, v text) PARTITION BY HASH (id) PARTITIONS 4;
		INSERT INTO h VALUES (1, 'a'), (2, 'b'), (3, 'c'), (10, 'd');
		CREATE TABLE k (code varchar(10) PRIMARY KEY) PARTITION BY LINEAR KEY () PARTITIONS 3;
		INSERT INTO k VALUES ('a'), ('b');
		CREATE TABLE sp (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE COLUMNS(d)
			SUBPARTITION BY HASH (id) SUBPARTITIONS 2
		(PARTITION s1 VALUES LESS THAN ('2024-01-01'), PARTITION s2 VALUES LESS THAN (MAXVALUE));
		INSERT INTO sp VALUES (1, '2023-01-01'), (2, '2025-01-01')"
	dst=$(new_db part_pg)
	run -0 dbmig copy "$(my_uri part_my)" "$dst"
	assert_output --partial "part_my.ev: MySQL partitioning (PARTITION BY RANGE (year(\`d\`))) is not carried: the table becomes one PostgreSQL table holding every row, since its key is an expression"
	assert_output --partial "part_my.sp: MySQL partitioning (PARTITION BY RANGE  COLUMNS(\`d\`)) is not carried: the table becomes one PostgreSQL table holding every row, since it has sub-partitions"
	run -0 psql_at "$dst" "SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_class c
		WHERE c.relispartition AND c.relkind IN ('r', 'p') ORDER BY 1"
	assert_output "h_p0 FOR VALUES WITH (modulus 4, remainder 0)
h_p1 FOR VALUES WITH (modulus 4, remainder 1)
h_p2 FOR VALUES WITH (modulus 4, remainder 2)
h_p3 FOR VALUES WITH (modulus 4, remainder 3)
k_p0 FOR VALUES WITH (modulus 3, remainder 0)
k_p1 FOR VALUES WITH (modulus 3, remainder 1)
k_p2 FOR VALUES WITH (modulus 3, remainder 2)
li_eu FOR VALUES IN ('de', 'fr')
li_other DEFAULT
li_q FOR VALUES IN ('it''s')
r_r2023 FOR VALUES FROM (MINVALUE) TO ('2024-01-01 00:00:00')
r_r2024 FOR VALUES FROM ('2024-01-01 00:00:00') TO ('2025-01-01 00:00:00')
r_rmax FOR VALUES FROM ('2025-01-01 00:00:00') TO (MAXVALUE)"
	# each row in the partition its bound says, the key on every partition
	run -0 psql_at "$dst" "SELECT tableoid::regclass || ' ' || id FROM part_my.r ORDER BY id"
	assert_output "part_my.r_r2023 1
part_my.r_r2024 2
part_my.r_rmax 3"
	run -0 psql_at "$dst" "SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'h_p%' AND indexdef LIKE '%UNIQUE%'"
	assert_output 4
	run -0 dbmig verify "$(my_uri part_my)" "$dst"
	assert_output --partial "equal: 6 tables, 16 rows"
	# a MySQL dump against the partitioned tables: compared as one table each
	dbmig -q dump "$(my_uri part_my)" -o "$BATS_TEST_TMPDIR/md"
	run -0 dbmig verify "$BATS_TEST_TMPDIR/md" "$dst"
	assert_output --partial "equal: 6 tables, 16 rows"
	psql_at "$dst" "UPDATE part_my.r SET note = 'x' WHERE id = 3"
	run -1 dbmig verify "$BATS_TEST_TMPDIR/md" "$dst"
	assert_output --partial "part_my.r: changed"
}
