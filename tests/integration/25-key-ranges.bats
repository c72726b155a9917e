#!/usr/bin/env bats
# Big tables are read in key ranges by several connections at once, inside
# the one snapshot: composite text keys in collations that are not byte
# order (PostgreSQL en_US-style, MariaDB case-insensitive) load equal, and
# what MySQL ranges saw in the values (profiles) adds up across ranges.
# (Without the merge, the range that saw the one 2 or the one zero date
# would be lost whenever it did not finish last.)

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
}

@test "PostgreSQL: a composite text key cut into ranges, read by 2 connections, loads equal" {
	src=$(new_db kr_src)
	psql_at "$src" "CREATE TABLE ck (a text, b int, v text, PRIMARY KEY (a, b));
		INSERT INTO ck SELECT CASE WHEN g % 2 = 0 THEN 'Key ' ELSE 'key ' END || (g % 997)
		  || CASE WHEN g % 3 = 0 THEN ' Ä' ELSE 'a' END, g, repeat(md5(g::text), 4)
		FROM generate_series(1, 60000) g;
		ANALYZE ck; CREATE TABLE small (id int PRIMARY KEY); INSERT INTO small VALUES (1)"
	run -0 dbmig dump -j 2 --chunk-size 256k "$src" -o "$BATS_TEST_TMPDIR/d"
	assert_output --regexp "reading public.ck in [0-9]+ key ranges"
	assert_output --partial "dumped public.ck: 60000 rows in"
	dst=$(new_db kr_dst)
	# keys go into the chunk pool: small's is built while ck still loads
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "2 keys and indexes were built while rows loaded"
	run -0 dbmig verify -q --mode=rows "$src" "$dst"
	run -0 pgcompare "$src" "$dst"
	# Every row exactly once: as many rows as the source, no key twice.
	run -0 psql_at "$dst" "SELECT count(*), count(DISTINCT (a, b)) FROM ck"
	assert_output "60000|60000"
}

@test "MySQL: ranges in a case-insensitive collation; tinyint(1) and zero dates seen across ranges" {
	new_mydb kr_my >/dev/null
	my_sql kr_my -e "CREATE TABLE ck (a varchar(40), b int, flag tinyint(1), d date, v text,
		PRIMARY KEY (a, b)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_general_ci;
		SET max_recursive_iterations = 100000, sql_mode = '';
		INSERT INTO ck WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 60000)
		SELECT CONCAT(IF(g % 2, 'Key ', 'key '), g % 997, IF(g % 3 = 0, ' Ä', 'a')), g, IF(g = 30001, 2, g % 2),
		       IF(g = 59999, '0000-00-00', '2024-01-01'), REPEAT(MD5(g), 4) FROM s;
		ANALYZE TABLE ck" >/dev/null
	run -0 dbmig dump -j 2 --chunk-size 256k "$(my_uri kr_my)" -o "$BATS_TEST_TMPDIR/m"
	assert_output --regexp "reading kr_my.ck in [0-9]+ key ranges"
	assert_output --partial "column kr_my.ck.d holds 1 zero date such as '0000-00-00',"
	run -0 dbmig -q load -j 2 "$BATS_TEST_TMPDIR/m" "$(new_mydb kr_my2)"
	run -0 dbmig verify -q "$(my_uri kr_my)" "$(my_uri kr_my2)"
	run -0 my_sql kr_my2 -e "SELECT COUNT(*), COUNT(DISTINCT a, b) FROM ck"
	assert_output "$(printf '60000\t60000')"
	# to PostgreSQL: one range saw a 2, so the flag is not boolean
	dst=$(new_db kr_mypg)
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/m" "$dst"
	assert_output --partial "kr_my.ck.flag: tinyint(1) stays numeric (smallint)"
	run -0 dbmig verify -q "$(my_uri kr_my)" "$dst"
}
