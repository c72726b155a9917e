#!/usr/bin/env bats
# Change capture from PostgreSQL applied to MariaDB: the same events, with
# the values converted as the load converted the rows.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
}

@test "under pgbench: online dump, load and tail into MariaDB leave the target equal to the source" {
	dst=$(new_mydb lmy_dst)
	online_under_load "$dst" lmy
}

@test "into MariaDB: a batch applies net per row (a hot row once, TOAST values kept); a unique value handed between rows applies as it came" {
	dst=$(new_mydb fold_my_dst)
	batch_folding "$dst" fold_my
	run -0 my_sql fold_my_dst -e "SELECT n, length(big) FROM hot WHERE id = 1"
	assert_output "2000	100000"
}

@test "into MariaDB: key updates, deletes, truncates, unchanged TOAST values and keyless tables apply exactly" {
	online_pair ops_my "CREATE TABLE a (id int PRIMARY KEY, v text, big text, n numeric(10,2), b bool,
			ts timestamptz, u uuid, j jsonb, arr int[], raw bytea);
		INSERT INTO a SELECT g, 'v' || g, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)),
			g, true, now(), gen_random_uuid(), '{\"a\": 1}', '{1,2}', '\\x0001' FROM generate_series(1, 10) g;
		CREATE TABLE nk (x int, y text); ALTER TABLE nk REPLICA IDENTITY FULL;
		INSERT INTO nk VALUES (1, 'a'), (1, 'a'), (2, 'b')" "$(new_mydb ops_my_dst)"
	psql_at "$src" "INSERT INTO a VALUES (100, 'new', 'b', 1, false, '2024-01-01 12:00+02', gen_random_uuid(), '{\"b\": [1, 2]}', '{}', '\\xff00')" >/dev/null
	psql_at "$src" "UPDATE a SET v = 'upd' WHERE id = 1" >/dev/null
	psql_at "$src" "UPDATE a SET id = 200 WHERE id = 2" >/dev/null
	psql_at "$src" "DELETE FROM a WHERE id = 3" >/dev/null
	psql_at "$src" "DELETE FROM nk WHERE ctid = (SELECT min(ctid) FROM nk WHERE x = 1)" >/dev/null
	psql_at "$src" "UPDATE nk SET y = 'c' WHERE x = 2" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "6 transactions, 6 changes applied"
	run -0 my_sql ops_my_dst -e "SELECT id, v, ts, LENGTH(big) FROM a WHERE id IN (1, 100, 200) ORDER BY id"
	assert_line --index 1 --partial "$(printf '100\tnew\t2024-01-01 10:00:00.000000\t1')"
	run -0 dbmig verify "$src" "$dst"
	psql_at "$src" "TRUNCATE nk" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 my_sql ops_my_dst -e "SELECT count(*) FROM nk"
	assert_output 0
	# the target lacking a row the source deletes stops the tail,
	# whichever of the statements sent together it is
	my_sql ops_my_dst -e "DELETE FROM a WHERE id = 5"
	psql_at "$src" "INSERT INTO a (id, v) SELECT g, 'x' FROM generate_series(300, 310) g;
		UPDATE a SET v = 'y' WHERE id = 4; DELETE FROM a WHERE id = 5; UPDATE a SET v = 'z' WHERE id = 6" >/dev/null
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "a DELETE of a row of a found no such row on the target"
	run -0 my_sql ops_my_dst -e "SELECT count(*) FROM a WHERE id >= 300 OR v IN ('y', 'z')"
	assert_output 0
	# and so does one it updates (counted as found, not as changed: an
	# UPDATE to the values a row holds finds it)
	my_sql ops_my_dst -e "INSERT INTO a (id, v) VALUES (5, 'x'); DELETE FROM a WHERE id = 7"
	psql_at "$src" "UPDATE a SET v = v WHERE id = 8; UPDATE a SET v = 'w' WHERE id = 7" >/dev/null
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "an UPDATE of a row of a found no such row on the target"
	big=$(psql_at "$src" "SELECT big FROM a WHERE id = 7")
	my_sql ops_my_dst -e "INSERT INTO a (id, v, big) VALUES (7, 'x', '$big')"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "into MariaDB: a tail killed at random instants under writes, run again each time, applies every transaction once" {
	online_pair tkm "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)" "$(new_mydb tkm_dst)"
	# every id once, and an update of each that must apply once
	ledger_writes "$src" 2000
	tail_killed "$src" "$dst" 20
	wait "$writer"
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 my_sql tkm_dst -e "SELECT COUNT(*), SUM(n), MIN(n), MAX(n) FROM ledger"
	assert_output "$(printf '2000\t2000\t1\t1')"
	run -0 dbmig verify "$src" "$dst"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "into MariaDB: changes to PostgreSQL partitions apply to the one MySQL table the load made of them" {
	src=$(new_db part_cdc_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/partitions.sql" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dst=$(new_mydb part_cdc_dst)
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null 2>&1
	psql_at "$src" "INSERT INTO events VALUES (900001, '2024-02-20', 'z', 1, 'p');
		UPDATE events SET at = '2024-01-05' WHERE id = 900001; DELETE FROM h WHERE id < 100;
		UPDATE l SET region = 'us' WHERE id = 1" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 dbmig verify "$src" "$dst"
	run -0 my_sql part_cdc_dst -e "SELECT at FROM events WHERE id = 900001"
	assert_output 2024-01-05
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "into MariaDB: a second tail into the same target is refused, naming why; the first goes on" {
	online_pair two_my "CREATE TABLE t (id int PRIMARY KEY)" "$(new_mydb two_my_dst)"
	dbmig -q cdc-tail "$src" "$dst" 2>"$BATS_TEST_TMPDIR/first.log" &
	first=$!
	sleep 1
	run -3 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "another cdc-tail is applying the changes of dump"
	assert_output --partial "to this target: dbmig cdc-tail pid=$first host=$(hostname) (connection "
	assert_output --partial ", running. One tail at a time"
	psql_at "$src" "INSERT INTO t VALUES (1)" >/dev/null
	sleep 1.5
	kill -TERM "$first"
	wait "$first"
	run -0 my_sql two_my_dst -e "SELECT count(*) FROM t"
	assert_output 1
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
}

@test "into MariaDB: NaN, infinities and infinite dates: refused by load and tail alike, naming the way; --special-values=null makes both store NULL; numeric as text keeps them" {
	src=$(new_db sv_src)
	psql_at "$src" "CREATE TABLE s (id int PRIMARY KEY, f float8, r real, n numeric(10,2), nt numeric,
		ts timestamp, d date, tz timestamptz, ra real[]);
		INSERT INTO s VALUES (1, 'NaN', '-Infinity', 'NaN', 'Infinity', 'infinity', '-infinity',
			'infinity', '{0.5,NaN}'), (2, 1.5, 0.1, 2.25, 7.125, '2020-01-01 10:00', '2020-01-02',
			'2020-01-03 00:00+00', '{0.1}')" >/dev/null
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/d0" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	# by default the load stops at the first, naming it and the way past
	dst=$(new_mydb sv_refuse)
	run -7 dbmig load --unbounded-numeric=text "$BATS_TEST_TMPDIR/d0" "$dst"
	assert_output --partial "row 1 column f: MySQL cannot store NaN (a load or copy with --special-values=null"
	# chosen, it stores NULL; numeric held as text keeps its text
	dst=$(new_mydb sv_dst)
	run -0 dbmig load --unbounded-numeric=text --special-values=null "$BATS_TEST_TMPDIR/d" "$dst"
	psql_at "$src" "INSERT INTO s VALUES (3, '-Infinity', 'NaN', 'NaN', '-Infinity', '-infinity',
		'infinity', '-infinity', '{Infinity,1.5}'); UPDATE s SET f = 'Infinity', nt = 'NaN' WHERE id = 2" >/dev/null
	run -0 dbmig cdc-tail "$src" "$dst" --until-caught-up
	run -0 my_sql sv_dst -e "SELECT id, IFNULL(f, 'N'), IFNULL(r, 'N'), IFNULL(n, 'N'), nt,
		IFNULL(ts, 'N'), IFNULL(d, 'N'), IFNULL(tz, 'N'), ra FROM s ORDER BY id"
	assert_output "$(printf '%s\n' "1	N	N	N	Infinity	N	N	N	[0.5,null]" \
		"2	N	0.1	2.25	NaN	2020-01-01 10:00:00.000000	2020-01-02	2020-01-03 00:00:00.000000	[0.1]" \
		"3	N	N	N	-Infinity	N	N	N	[null,1.5]")"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
	# a target loaded before any such value: the tail refuses as the load
	# would have, exit 4, naming the table, column and the way past
	src=$(new_db sv2_src)
	psql_at "$src" "CREATE TABLE s (id int PRIMARY KEY, f float8)" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d2" >/dev/null
	dst=$(new_mydb sv2_dst)
	dbmig -q load "$BATS_TEST_TMPDIR/d2" "$dst" >/dev/null 2>&1
	psql_at "$src" "INSERT INTO s VALUES (1, 'NaN')" >/dev/null
	run -4 dbmig cdc-tail "$src" "$dst" --until-caught-up
	assert_output --partial "column f"
	assert_output --partial "MySQL cannot store NaN (a load or copy with --special-values=null"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d2" --drop >/dev/null
}
