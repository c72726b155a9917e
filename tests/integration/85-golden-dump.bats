#!/usr/bin/env bats
# Golden dumps: two version-1 dumps committed as files
# (tests/fixtures/golden-v1, never regenerated) load today into databases
# equal to ones made from the same SQL, checked independently of dbmig.
# A change made to both the dump writer and reader passes every other
# suite and fails here: the README promises that older dumps stay readable.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	g="$REPO_ROOT/tests/fixtures/golden-v1"
	psql -X -q -v ON_ERROR_STOP=1 "$(new_db gold_pg_src)" -f "$g/pg.sql" >/dev/null
	new_mydb gold_my_src >/dev/null
	my_sql gold_my_src <"$g/my.sql"
	# Copies: the dump directory must be private, git checks files out 0644.
	cp -r "$g/pg" "$g/my" "$BATS_FILE_TMPDIR/"
	chmod 700 "$BATS_FILE_TMPDIR/pg" "$BATS_FILE_TMPDIR/my"
	chmod 600 "$BATS_FILE_TMPDIR"/pg/* "$BATS_FILE_TMPDIR"/my/*
}

@test "the golden dumps are format version 1, as written" {
	for d in pg my; do
		run -0 jq -r '.format_version' "$BATS_FILE_TMPDIR/$d/manifest.json"
		assert_output 1
	done
	run -0 jq -r '.tool_version' "$BATS_FILE_TMPDIR/pg/manifest.json"
	assert_output 0.1.0
}

@test "PostgreSQL golden dump: loads equal to the database its SQL makes, and verifies" {
	dst=$(new_db gold_pg_dst)
	run -0 dbmig load -j 2 "$BATS_FILE_TMPDIR/pg" "$dst"
	assert_output --partial "rows 1211"
	run -0 pgcompare "$(pg_uri gold_pg_src)" "$dst"
	assert_output --partial "equal: 6 tables"
	run -0 dbmig verify -q "$BATS_FILE_TMPDIR/pg" "$dst"
	run -0 dbmig verify -q "$BATS_FILE_TMPDIR/pg" "$(pg_uri gold_pg_src)"
}

@test "MySQL golden dump: loads equal into MariaDB and into PostgreSQL" {
	dst=$(new_mydb gold_my_dst)
	run -0 dbmig load -j 2 "$BATS_FILE_TMPDIR/my" "$dst"
	assert_output --partial "rows 3320"
	run -0 mycompare gold_my_src gold_my_dst
	run -0 dbmig verify -q "$BATS_FILE_TMPDIR/my" "$dst"
	# PostgreSQL text holds no NUL: stripped on load, and so at the source
	# compared against.
	my_sql gold_my_src -e "UPDATE texts SET t = REPLACE(t, CHAR(0), '') WHERE id = 3"
	pgdst=$(new_db gold_my_pg)
	run -0 dbmig load --strip-nul "$BATS_FILE_TMPDIR/my" "$pgdst"
	# (assert_success prints what differed: this failed once in a full
	# check under load, and never alone)
	run "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" gold_my_src "$pgdst" golden
	assert_success
	assert_output "equal: 8 tables, every row"
}
