#!/usr/bin/env bats
# dbmig verify from MySQL/MariaDB: to MySQL and to PostgreSQL, equal after
# a migration in both modes; every kind of injected difference named by
# key and column; a changed value in every column of the MySQL type zoo.

load '../helpers/common'
load '../helpers/verify'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	new_mydb vmsrc >/dev/null
	my_sql vmsrc <"$REPO_ROOT/tests/fixtures/mysql_typezoo.sql"
	# PostgreSQL text cannot hold the zoo's NUL byte: without it, so the
	# PostgreSQL copy is exact (the NUL case has its own test in 80).
	my_sql vmsrc -e "UPDATE texts SET t = REPLACE(t, CHAR(0), '')"
	vt_source_my vmsrc
	dbmig -q dump -j 2 "$(my_uri vmsrc)" -o "$BATS_FILE_TMPDIR/d" >/dev/null
}

@test "MySQL to MySQL: equal in both modes, and the dump against its load" {
	dst=$(new_mydb vm_eq)
	dbmig -q load -j 2 "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	run -0 dbmig verify -j 2 "$(my_uri vmsrc)" "$dst"
	assert_output --regexp "source: mysql .*database=vmsrc .*binlog [^ ]+:[0-9]+, GTID [0-9]+-[0-9]+-[0-9]+"
	assert_output --regexp "vmsrc.vt +3000 +3000 +1 +0 +0 .* checksum"
	assert_output --regexp "vmsrc.times +5 +5 "
	assert_output --partial "equal: 10 tables"
	run -0 dbmig verify -q --mode=rows "$(my_uri vmsrc)" "$dst"
	run -0 dbmig verify -q "$BATS_FILE_TMPDIR/d" "$dst"
	run -0 dbmig verify -q --mode=rows "$BATS_FILE_TMPDIR/d" "$dst"
}

@test "MySQL to MySQL: every injected difference is named by key and column" {
	dst=$(new_mydb vm_diff)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	vt_inject_my vm_diff
	for mode in checksum rows; do
		run -1 dbmig verify --mode=$mode -t 'vt*' -t vnopk "$(my_uri vmsrc)" "$dst"
		assert_vt_differences
	done
	run -1 dbmig verify --chunk-rows 50 -t vt -t vnopk "$(my_uri vmsrc)" "$dst"
	assert_vt_differences
	run -1 dbmig verify -t vt -t vnopk "$BATS_FILE_TMPDIR/d" "$dst"
	assert_vt_differences
}

@test "MySQL to MySQL: a changed value in every column of the type zoo is found" {
	dst=$(new_mydb vm_cols)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	for t in ints times texts; do
		run -0 each_column_changed mysql vm_cols "$t" id "$(my_uri vmsrc)" "$dst"
		assert_line --regexp "^[0-9]+ checks, 0 missed$"
	done
}

@test "MySQL to PostgreSQL: equal in both modes, zero dates against NULL" {
	dst=$(new_db vm_pg)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	run -0 dbmig verify "$(my_uri vmsrc)" "$dst"
	assert_output --regexp "vmsrc.times +5 +5 "
	assert_output --partial "equal: 10 tables"
	run -0 dbmig verify -q --mode=rows "$(my_uri vmsrc)" "$dst"
	run -0 dbmig verify -q "$BATS_FILE_TMPDIR/d" "$dst"
}

@test "MySQL to PostgreSQL: every injected difference is named by key and column" {
	dst=$(new_db vm_pgdiff)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	vt_inject_pg "$dst" vmsrc
	for mode in checksum rows; do
		run -1 dbmig verify --mode=$mode -t vt -t vnopk "$(my_uri vmsrc)" "$dst"
		assert_vt_differences
	done
}

@test "MySQL to PostgreSQL: a changed value in every column of the type zoo is found" {
	dst=$(new_db vm_pgcols)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	for t in ints times texts; do
		run -0 each_column_changed pg "$dst" "vmsrc.$t" id "$(my_uri vmsrc)" "$dst"
		assert_line --regexp "^[0-9]+ checks, 0 missed$"
	done
}
