#!/usr/bin/env bats
# The golden test of verify's normalization: for every type of both type
# zoos, in all four directions, the SQL each server runs to render a value
# yields exactly the bytes dbmig renders from the value it reads
# (dbmig verify --rendering-check), so digests computed inside a server
# and in dbmig agree.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	local d=$BATS_FILE_TMPDIR
	# PostgreSQL zoo to PostgreSQL
	psql -X -q -v ON_ERROR_STOP=1 "$(new_db gz_pg)" -f "$REPO_ROOT/tests/fixtures/typezoo.sql" >/dev/null
	dbmig -q dump "$(pg_uri gz_pg)" -o "$d/pg" >/dev/null
	dbmig -q load "$d/pg" "$(new_db gz_pg2)" >/dev/null
	# MySQL zoo to MySQL and to PostgreSQL
	new_mydb gz_my >/dev/null
	my_sql gz_my <"$REPO_ROOT/tests/fixtures/mysql_typezoo.sql"
	dbmig -q dump "$(my_uri gz_my)" -o "$d/my" >/dev/null
	dbmig -q load "$d/my" "$(new_mydb gz_my2)" >/dev/null
	dbmig -q load --strip-nul "$d/my" "$(new_db gz_mypg)" >/dev/null
	# PostgreSQL types to MySQL, uuid as char(36) and as binary(16)
	psql -X -q -v ON_ERROR_STOP=1 "$(new_db gz_app)" -f "$REPO_ROOT/tests/fixtures/pg_to_mysql.sql" >/dev/null
	dbmig -q dump "$(pg_uri gz_app)" -o "$d/app" >/dev/null
	dbmig -q load --unbounded-numeric=decimal "$d/app" "$(new_mydb gz_app_my)" >/dev/null
	dbmig -q load --unbounded-numeric=decimal --uuid=binary "$d/app" "$(new_mydb gz_app_bin)" >/dev/null
}

@test "PostgreSQL zoo: the server's SQL renders every value as dbmig does" {
	run -0 dbmig verify --rendering-check "$(pg_uri gz_pg)" "$(pg_uri gz_pg2)"
	assert_output --regexp "zoo.scalars +5 +5 .* rendering check"
	assert_output --partial "equal: 6 tables"
	refute_output --partial "rendering differs"
}

@test "MySQL zoo: MariaDB's SQL renders every value as dbmig does" {
	run -0 dbmig verify --rendering-check "$(my_uri gz_my)" "$(my_uri gz_my2)"
	assert_output --regexp "gz_my.ints +5 +5 "
	assert_output --regexp "gz_my.times +5 +5 "
	assert_output --regexp "gz_my.texts +5 +5 "
	refute_output --partial "rendering differs"
}

@test "MySQL zoo against PostgreSQL: both renderings of every cross-engine pair agree" {
	# zero dates as NULL, time against interval, set against text[],
	# tinyint(1) against boolean, year, bit, geometry, JSON against jsonb
	run -0 dbmig verify --rendering-check "$(my_uri gz_my)" "$(pg_uri gz_mypg)"
	assert_output --regexp "gz_my.times +5 +5 "
	refute_output --partial "rendering differs"
}

@test "PostgreSQL types against MySQL: uuid as char(36) and as binary(16)" {
	run -0 dbmig verify --rendering-check "$(pg_uri gz_app)" "$(my_uri gz_app_my)"
	assert_output --regexp "app.kinds +3 +3 "
	refute_output --partial "rendering differs"
	run -0 dbmig verify --rendering-check "$(pg_uri gz_app)" "$(my_uri gz_app_bin)"
	assert_output --regexp "app.kinds +3 +3 "
}

@test "and the zoos compare equal in both modes, in all four directions" {
	for pair in "$(pg_uri gz_pg) $(pg_uri gz_pg2)" "$(my_uri gz_my) $(my_uri gz_my2)" \
		    "$(pg_uri gz_app) $(my_uri gz_app_my)" "$(pg_uri gz_app) $(my_uri gz_app_bin)"; do
		for mode in checksum rows; do
			# shellcheck disable=SC2086
			run -0 dbmig verify -q --mode=$mode $pair
			assert_output ""
		done
	done
	# MySQL -> PostgreSQL with --strip-nul: the dropped NUL byte is a change.
	run -1 dbmig verify -q "$(my_uri gz_my)" "$(pg_uri gz_mypg)"
	assert_output --partial "gz_my.texts: changed: id=3: t ("
	assert_output --partial "DIFFERENT: 1 difference in 1 of 8 tables"
}
