# verify.bash - the table every verify suite (81-84) migrates, and the
# differences each suite injects into the target, one per kind the issue
# names: a missing row, an extra row, a timestamp off by one microsecond,
# a float off by one unit in the last place, a trailing space in a
# varchar, NULL against the empty string, one byte changed inside a
# 1 MiB blob, and a duplicated row in a table without a primary key.

# vt_source_pg URI [SCHEMA]: creates vt and vnopk on PostgreSQL.
vt_source_pg() {
	psql -X -q -v ON_ERROR_STOP=1 "$1" >/dev/null <<SQL
SET search_path = "${2:-public}";
CREATE TABLE vt (id int PRIMARY KEY, v varchar(20), ts timestamp(6), f double precision,
		 n text, b bytea);
INSERT INTO vt SELECT g, 'v' || g, timestamp '2024-01-01' + g * interval '1.000001 second',
	g / 7.0, CASE WHEN g % 10 <> 0 THEN 'n' || g END, NULL
	FROM generate_series(1, 3000) g;
UPDATE vt SET f = 0.1 WHERE id = 30;
UPDATE vt SET b = decode(repeat(md5('blob'), 65536), 'hex') WHERE id = 1;
CREATE TABLE vnopk (a int, b varchar(10));
INSERT INTO vnopk VALUES (1, 'x'), (2, 'y'), (3, 'z');
SQL
}

# vt_source_my DB: the same on MySQL/MariaDB.
vt_source_my() {
	my_sql "$1" <<'SQL'
CREATE TABLE vt (id int PRIMARY KEY, v varchar(20), ts datetime(6), f double, n text,
		 b longblob);
SET max_recursive_iterations = 100000;
INSERT INTO vt WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 3000)
	SELECT g, CONCAT('v', g), TIMESTAMP'2024-01-01 00:00:00' + INTERVAL g SECOND
	+ INTERVAL g MICROSECOND, g / 7e0, IF(g % 10 <> 0, CONCAT('n', g), NULL), NULL FROM s;
UPDATE vt SET f = 0.1 WHERE id = 30;
UPDATE vt SET b = REPEAT(UNHEX(MD5('blob')), 65536) WHERE id = 1;
CREATE TABLE vnopk (a int, b varchar(10));
INSERT INTO vnopk VALUES (1, 'x'), (2, 'y'), (3, 'z');
SQL
}

# vt_inject_pg URI SCHEMA: the differences, on a PostgreSQL target.
vt_inject_pg() {
	psql -X -q -v ON_ERROR_STOP=1 "$1" >/dev/null <<SQL
SET search_path = "$2";
DELETE FROM vt WHERE id = 10;
INSERT INTO vt (id, v) VALUES (100000, 'extra');
UPDATE vt SET ts = ts + interval '1 microsecond' WHERE id = 20;
UPDATE vt SET f = 0.10000000000000002 WHERE id = 30;
UPDATE vt SET v = v || ' ' WHERE id = 40;
UPDATE vt SET n = '' WHERE id = 50;
UPDATE vt SET b = set_byte(b, 500000, get_byte(b, 500000) # 1) WHERE id = 1;
INSERT INTO vnopk VALUES (1, 'x');
SQL
}

# vt_inject_my DB: the same differences on a MySQL target.
vt_inject_my() {
	my_sql "$1" <<'SQL'
DELETE FROM vt WHERE id = 10;
INSERT INTO vt (id, v) VALUES (100000, 'extra');
UPDATE vt SET ts = ts + INTERVAL 1 MICROSECOND WHERE id = 20;
UPDATE vt SET f = 0.10000000000000002 WHERE id = 30;
UPDATE vt SET v = CONCAT(v, ' ') WHERE id = 40;
UPDATE vt SET n = '' WHERE id = 50;
UPDATE vt SET b = CONCAT(LEFT(b, 500000), CHAR(ASCII(SUBSTRING(b, 500001, 1)) ^ 1),
			 SUBSTRING(b, 500002)) WHERE id = 1;
INSERT INTO vnopk VALUES (1, 'x');
SQL
}

# assert_vt_differences: $output names each injected difference, by key
# and column, and nothing else.
assert_vt_differences() {
	assert_output --partial "vt: missing on target: id=10"
	assert_output --partial "vt: extra on target: id=100000"
	assert_output --partial "vt: changed: id=20: ts ("
	assert_output --partial "vt: changed: id=30: f (f: 0.10000000000000001 -> 0.10000000000000002)"
	assert_output --partial "vt: changed: id=40: v (v: 'v40' -> 'v40 ')"
	assert_output --partial "vt: changed: id=50: n (n: NULL -> '')"
	assert_output --partial "vt: changed: id=1: b ("
	assert_output --partial "vnopk: extra on target: (a, b)=(1, 'x')"
	assert_output --partial "DIFFERENT: 8 differences in 2 of 2 tables"
}

# each_column_changed ENGINE CONN TABLE KEY SRC TGT [verify options]:
# changes one value of every column of TABLE on the target in turn and
# checks that verify names that row and that column in both modes.
each_column_changed() {
	"$REPO_ROOT/tests/helpers/change_each_column.sh" "$@"
}
