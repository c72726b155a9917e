#!/usr/bin/env bats
# dbmig verify from PostgreSQL to MySQL/MariaDB: equal after a migration in
# both modes (uuid as char(36) and as binary(16)); every kind of injected
# difference named by key and column; a changed value in every column of
# the PostgreSQL -> MySQL zoo.

load '../helpers/common'
load '../helpers/verify'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db vpsrc)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/pg_to_mysql.sql" >/dev/null
	vt_source_pg "$src" app
	dbmig -q dump -j 2 "$src" -o "$BATS_FILE_TMPDIR/d" >/dev/null
}

@test "PostgreSQL to MySQL: equal in both modes, and the dump against its load" {
	for uuid in char binary; do
		dst=$(new_mydb "vp_eq_$uuid")
		dbmig -q load --unbounded-numeric=decimal --uuid=$uuid "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
		run -0 dbmig verify "$(pg_uri vpsrc)" "$dst"
		assert_output --regexp "app.kinds +3 +3 "
		refute_output --partial "not compared"
		assert_output --partial "equal: 5 tables"
		run -0 dbmig verify -q --mode=rows "$(pg_uri vpsrc)" "$dst"
		run -0 dbmig verify -q "$BATS_FILE_TMPDIR/d" "$dst"
	done
}

@test "PostgreSQL to MySQL: a schema-qualified -t pattern pairs the tables by name" {
	dst=$(new_mydb vp_pat)
	dbmig -q load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	for pattern in 'app.v*' 'app.vt' '*.vnopk'; do
		run -0 dbmig verify -t "$pattern" "$(pg_uri vpsrc)" "$dst"
		refute_output --partial "only on"
		assert_output --regexp "equal: [12] tables?"
	done
	run -0 dbmig verify -t 'vp_pat.v*' "$dst" "$(pg_uri vpsrc)"
	assert_output --partial "equal: 2 tables"
	refute_output --partial "only on"
	run -0 dbmig verify -t 'app.v*' -T 'app.vnopk' "$(pg_uri vpsrc)" "$dst"
	assert_output --partial "equal: 1 table"
	refute_output --partial "only on"
}

@test "PostgreSQL to MySQL: a tampered array is found; what cannot be compared is incomplete, not equal" {
	dst=$(new_mydb vp_arr)
	dbmig -q load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	my_sql vp_arr <<<"UPDATE kinds SET \`at\` = '[\"tampered\"]' WHERE id = 2"
	run -1 dbmig verify -q -t kinds "$(pg_uri vpsrc)" "$dst"
	assert_output --partial "app.kinds: changed: id=2: at"
	run -1 dbmig verify -q -t kinds "$BATS_FILE_TMPDIR/d" "$dst"
	assert_output --partial "app.kinds: changed: id=2: at"
	# a column whose pair has no common rendering: incomplete (9), named
	dst=$(new_mydb vp_arr2)
	dbmig -q load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	my_sql vp_arr2 <<<"ALTER TABLE kinds DROP \`i4\`, ADD \`i4\` date"
	run -9 dbmig verify -q -t kinds "$(pg_uri vpsrc)" "$dst"
	assert_output --regexp "app.kinds: column i4 not compared: "
	assert_output --partial "INCOMPLETE: no difference in 1 table, but 1 column of 1 table could not be compared"
	run -9 --separate-stderr dbmig verify --json -t kinds "$(pg_uri vpsrc)" "$dst"
	[ "$(jq -r .result <<<"$output")" = incomplete ]
	[ "$(jq -r .exit_status <<<"$output")" = 9 ]
	run -0 dbmig verify -q --allow-uncompared -t kinds "$(pg_uri vpsrc)" "$dst"
	run -0 dbmig verify --allow-uncompared -t kinds "$(pg_uri vpsrc)" "$dst"
	assert_output --partial "some columns not compared (allowed)"
}

@test "PostgreSQL to MySQL: real[] and double precision[] arrive as PostgreSQL's to_json writes them; verify finds one written widened" {
	src=$(new_db vp_float)
	psql_at "$src" "CREATE TABLE f (id int PRIMARY KEY, ra real[], da double precision[]);
		INSERT INTO f VALUES (1, '{0.1,3.1415927,1e30,-0,3.4028235e38,1.1754944e-38,1234567}',
			'{0.1,1e300,0.30000000000000004,5e-324}'), (2, '{{1.5,2.5},{0.2,NULL}}', '{}')" >/dev/null
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dst=$(new_mydb vp_float)
	dbmig -q load "$BATS_TEST_TMPDIR/d" "$dst" >/dev/null
	# the text MariaDB holds is the text PostgreSQL's to_json writes
	run -0 my_sql vp_float -e "SELECT id, ra, da FROM f ORDER BY id"
	assert_output "$(psql_at "$src" "SELECT id, to_json(ra), to_json(da) FROM f ORDER BY id" | tr '|' '\t')"
	run -0 dbmig verify -q "$src" "$dst"
	run -0 dbmig verify -q --mode=rows "$src" "$dst"
	# each float4 widened to a double, as loads before wrote it: found
	my_sql vp_float -e "UPDATE f SET ra = '[0.10000000149011612,3.1415927410125732,1.0000000150474662e+30,-0,3.4028234663852886e+38,1.1754943508222875e-38,1234567]' WHERE id = 1"
	run -1 dbmig verify -q "$src" "$dst"
	assert_output --partial "public.f: changed: id=1: ra"
	run -1 dbmig verify -q --mode=rows "$src" "$dst"
	assert_output --partial "public.f: changed: id=1: ra"
}

@test "PostgreSQL to MySQL: every injected difference is named by key and column" {
	dst=$(new_mydb vp_diff)
	dbmig -q load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	vt_inject_my vp_diff
	for mode in checksum rows; do
		run -1 dbmig verify --mode=$mode -t vt -t vnopk "$(pg_uri vpsrc)" "$dst"
		assert_vt_differences
	done
	run -1 dbmig verify -t vt -t vnopk "$BATS_FILE_TMPDIR/d" "$dst"
	assert_vt_differences
}

@test "PostgreSQL to MySQL: a changed value in every column of the zoo is found" {
	dst=$(new_mydb vp_cols)
	dbmig -q load --unbounded-numeric=decimal "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	run -0 each_column_changed mysql vp_cols kinds id "$(pg_uri vpsrc)" "$dst"
	assert_line --regexp "^[0-9]+ checks, 0 missed$"
	# arrays became JSON arrays, compared as JSON
	for c in ai at a2 af ab; do
		assert_line "found $c (checksum)"
		assert_line "found $c (rows)"
	done
	refute_output --partial "not compared"
}
