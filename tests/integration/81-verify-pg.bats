#!/usr/bin/env bats
# dbmig verify, PostgreSQL to PostgreSQL: equal after a migration in both
# modes and against the dump; every kind of injected difference named by
# key and column; a changed value in every column of the type zoo; a dump
# altered after the fact; and the interface cron uses.

load '../helpers/common'
load '../helpers/verify'

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db vsrc)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/typezoo.sql" >/dev/null
	vt_source_pg "$src"
	dbmig -q dump -j 2 "$src" -o "$BATS_FILE_TMPDIR/d" >/dev/null
}

@test "equal after a migration: exit 0 in both modes, and the dump against its load" {
	dst=$(new_db v_eq)
	dbmig -q load -j 2 "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	run -0 dbmig verify -j 2 "$(pg_uri vsrc)" "$dst"
	assert_output --partial "equal: 8 tables, 4214 rows"
	assert_output --regexp "source: postgresql .*dbname=vsrc .*WAL LSN [0-9A-F]+/[0-9A-F]+ or later"
	assert_output --regexp "public.vt +3000 +3000 .* checksum"
	assert_output --partial "public.vnopk: no primary key: compared as a multiset of rows"
	run -0 dbmig verify --mode=rows "$(pg_uri vsrc)" "$dst"
	assert_output --regexp "public.vt +3000 +3000 .* rows"
	run -0 dbmig verify "$BATS_FILE_TMPDIR/d" "$dst"
	assert_output --regexp "source: postgresql .*dump .*/d \(taken 20"
	run -0 dbmig verify --mode=rows "$BATS_FILE_TMPDIR/d" "$dst"
}

@test "every injected difference is named by key and column, in both modes and from the dump" {
	dst=$(new_db v_diff)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	vt_inject_pg "$dst" public
	for mode in checksum rows; do
		run -1 dbmig verify --mode=$mode -t 'public.*' "$(pg_uri vsrc)" "$dst"
		assert_vt_differences
	done
	# Small chunks: the bisection goes several levels down.
	run -1 dbmig verify --chunk-rows 50 -t 'public.*' "$(pg_uri vsrc)" "$dst"
	assert_vt_differences
	assert_output --regexp "public.vt +3000 +3000 +61 +[0-9]+ +7 "
	run -1 dbmig verify -t 'public.*' "$BATS_FILE_TMPDIR/d" "$dst"
	assert_vt_differences
	run -1 dbmig verify -q --max-diffs 2 -t vt "$(pg_uri vsrc)" "$dst"
	assert_output --partial "public.vt: more differences not listed (--max-diffs 2)"
}

@test "a changed value in every column of the type zoo is found, by row and column" {
	dst=$(new_db v_cols)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	run -0 each_column_changed pg "$dst" zoo.scalars id "$(pg_uri vsrc)" "$dst"
	assert_line --regexp "^[0-9]+ checks, 0 missed$"
	refute_output --partial "skipped"
	run -0 each_column_changed pg "$dst" zoo.arrays id "$(pg_uri vsrc)" "$dst"
	run -0 each_column_changed pg "$dst" vt id "$(pg_uri vsrc)" "$dst"
}

@test "a duplicated row in a table without a primary key is one extra row" {
	dst=$(new_db v_dup)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	psql_at "$dst" "INSERT INTO zoo.nopk SELECT * FROM zoo.nopk LIMIT 1; DELETE FROM vnopk WHERE a = 3"
	for mode in checksum rows; do
		run -1 dbmig verify -q --mode=$mode -t nopk -t vnopk "$(pg_uri vsrc)" "$dst"
		assert_output --partial "zoo.nopk: extra on target: (a, b)=("
		assert_output --partial "public.vnopk: missing on target: (a, b)=(3, 'z')"
		assert_output --partial "DIFFERENT: 2 differences in 2 of 2 tables"
	done
}

@test "a dump with a row re-encoded after the fact, checksums valid, is caught against the database" {
	dst=$(new_db v_tamper)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	# The same dump, but vt's chunk re-encoded (by dbmig) with one value
	# changed: every checksum in it is valid, so only verify can tell.
	tmp=$(new_db v_tamper_src)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$tmp" >/dev/null
	psql_at "$tmp" "UPDATE vt SET v = 'tampered' WHERE id = 5"
	dbmig -q dump -t public.vt "$tmp" -o "$BATS_TEST_TMPDIR/d2" >/dev/null
	cp -r "$BATS_FILE_TMPDIR/d" "$BATS_TEST_TMPDIR/t"
	chmod -R u+w "$BATS_TEST_TMPDIR/t"
	python3 "$REPO_ROOT/tests/helpers/splice_chunk.py" "$BATS_TEST_TMPDIR/t" "$BATS_TEST_TMPDIR/d2" public.vt
	run -0 dbmig -q load "$BATS_TEST_TMPDIR/t" "$(new_db v_tamper_ok)"
	run -1 dbmig verify -q "$BATS_TEST_TMPDIR/t" "$dst"
	assert_output --partial "public.vt: changed: id=5: v (v: 'tampered' -> 'v5')"
	assert_output --partial "DIFFERENT: 1 difference in 1 of 8 tables"
}

@test "for cron: -q is silent when equal, --json parses, exit codes say what happened" {
	dst=$(new_db v_cron)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	run -0 dbmig verify -q "$(pg_uri vsrc)" "$dst"
	assert_output ""
	# the global -q too, as the synopsis allows
	run -0 dbmig -q verify "$(pg_uri vsrc)" "$dst"
	assert_output ""
	run -0 dbmig -q verify --json "$(pg_uri vsrc)" "$dst"
	echo "$output" | jq -e '.result == "equal" and .differences == 0 and
		(.source.position | test("^[0-9A-F]+/[0-9A-F]+$")) and
		(.tables | length) == 8 and
		(.tables[] | select(.source == "public.vt") | .rows_source == 3000 and .chunks == 1)'
	psql_at "$dst" "CREATE TABLE public.only_here (x int); UPDATE vt SET v = NULL WHERE id = 7"
	run -1 dbmig -q verify --json "$(pg_uri vsrc)" "$dst"
	echo "$output" | jq -e '.result == "different" and .only_on_target == ["public.only_here"] and
		([.tables[].differences[]] == [{"kind": "changed", "key": {"id": 7}, "key_text": "id=7",
		  "columns": ["v"], "detail": "v: '"'v7'"' -> NULL"}])'
	run -1 dbmig verify -q "$(pg_uri vsrc)" "$dst"
	assert_output --partial "public.only_here: table only on the target"
	run -2 dbmig verify "$(pg_uri vsrc)"
	run -2 dbmig verify --mode=fast "$(pg_uri vsrc)" "$dst"
	run -3 dbmig verify "postgresql://nobody@127.0.0.1:1/x" "$dst"
	assert_output --partial "cannot connect to source"
	run -4 dbmig verify "$(pg_uri vsrc)" "postgresql://$PG_PW_ROLE:wrong-secret@$PG_HOST:$PG_PORT/v_cron"
	refute_output --partial "wrong-secret"
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -5 dbmig verify "$BATS_TEST_TMPDIR/empty" "$dst"
	assert_output --partial "manifest"
}

@test "a table the role may not read fails alone, named; a corrupt dump chunk stops the run" {
	dst=$(new_db v_priv)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	psql_at "$dst" "DROP ROLE IF EXISTS v_reader; CREATE ROLE v_reader LOGIN;
		GRANT USAGE ON SCHEMA zoo TO v_reader; GRANT SELECT ON ALL TABLES IN SCHEMA public, zoo TO v_reader;
		GRANT SELECT ON ALL SEQUENCES IN SCHEMA public, zoo TO v_reader;
		REVOKE SELECT ON zoo.parent FROM v_reader"
	run -4 dbmig verify "$(pg_uri vsrc)" "postgresql://v_reader@$PG_HOST:$PG_PORT/v_priv"
	assert_output --partial "zoo.parent: not compared: "
	assert_output --partial "permission denied for table parent"
	assert_output --regexp "zoo.scalars +5 +5 .* checksum"
	assert_output --partial "FAILED: 1 of 8 tables could not be compared"
	# --json says the same (it said "equal" here before)
	run --separate-stderr dbmig verify --json "$(pg_uri vsrc)" "postgresql://v_reader@$PG_HOST:$PG_PORT/v_priv"
	[ "$status" -eq 4 ]
	jq -e '.result == "error" and .exit_status == 4 and (.message | test("permission denied"))' <<<"$output"
	cp -r "$BATS_FILE_TMPDIR/d" "$BATS_TEST_TMPDIR/c"
	chunk=$(ls "$BATS_TEST_TMPDIR/c"/t*_c*.zst | head -1)
	printf '\xff' | dd of="$chunk" bs=1 seek=40 conv=notrunc 2>/dev/null
	run -5 dbmig verify "$BATS_TEST_TMPDIR/c" "$dst"
	assert_output --partial "$(basename "$chunk")"
}

@test "counts agree with their nouns: 1 table, 1 row" {
	dst=$(new_db v_one)
	psql_at "$(pg_uri vsrc)" "CREATE TABLE IF NOT EXISTS one_row (id int PRIMARY KEY); INSERT INTO one_row VALUES (1) ON CONFLICT DO NOTHING" >/dev/null
	run -0 dbmig copy -t one_row "$(pg_uri vsrc)" "$dst"
	assert_output --partial "copy complete: 1 table, 1 row in 1 chunk,"
	run -0 dbmig verify -t one_row "$(pg_uri vsrc)" "$dst"
	assert_output --partial "equal: 1 table, 1 row"
	psql_at "$dst" "UPDATE one_row SET id = 2"
	run -1 dbmig verify -t one_row "$(pg_uri vsrc)" "$dst"
	assert_output --partial "in 1 of 1 table ("
	psql_at "$(pg_uri vsrc)" "DROP TABLE one_row" >/dev/null
}

@test "--json prints one document on stdout that agrees with the exit status, for every status" {
	dst=$(new_db v_json)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/notadump"
	# json_is STATUS RESULT ARGS...: verify --json ARGS exits STATUS, and
	# stdout is one JSON document saying RESULT and STATUS.
	json_is() {
		local st=$1 result=$2
		shift 2
		run --separate-stderr dbmig verify --json "$@"
		[ "$status" -eq "$st" ] || { echo "exit $status, wanted $st: $stderr"; return 1; }
		jq -e --arg r "$result" --argjson s "$st" \
			'.result == $r and .exit_status == $s and (($s < 2) or (.message | length > 0))' <<<"$output"
	}
	json_is 0 equal "$(pg_uri vsrc)" "$dst"
	psql_at "$dst" "UPDATE vt SET v = 'tampered' WHERE id = 9"
	json_is 1 different "$(pg_uri vsrc)" "$dst"
	json_is 2 error -t nosuch "$(pg_uri vsrc)" "$dst"
	json_is 3 error "postgresql://nobody@127.0.0.1:1/x?connect_timeout=3" "$dst"
	json_is 4 error "$(pg_uri vsrc)" "postgresql://nobody@127.0.0.1:1/x?connect_timeout=3"
	json_is 5 error "$BATS_TEST_TMPDIR/notadump" "$dst"
	# usage errors while the options are parsed, before or after --json
	run --separate-stderr dbmig verify --mode=bogus --json "$(pg_uri vsrc)" "$dst"
	[ "$status" -eq 2 ]
	jq -e '.result == "error" and .exit_status == 2 and (.message | test("--mode"))' <<<"$output"
	json_is 2 error --max-diffs=-1 "$(pg_uri vsrc)" "$dst"
	json_is 2 error --no-such-option "$(pg_uri vsrc)" "$dst"
	json_is 2 error "$(pg_uri vsrc)"
	# a column no rendering pairs with its source: incomplete, never equal
	dst=$(new_db v_json9)
	dbmig -q load "$BATS_FILE_TMPDIR/d" "$dst" >/dev/null
	psql_at "$dst" "ALTER TABLE vt ALTER COLUMN ts TYPE date"
	json_is 9 incomplete "$(pg_uri vsrc)" "$dst"
	json_is 0 equal --allow-uncompared "$(pg_uri vsrc)" "$dst"
}

@test "a target holding many extra rows: counted per range, not bisected row by row" {
	src=$(new_db v_many_src)
	dst=$(new_db v_many_dst)
	for db in "$src" "$dst"; do
		psql -X -q "$db" -c "CREATE TABLE ev (id int PRIMARY KEY, v text)" \
			-c "CREATE TABLE tk (k text PRIMARY KEY, v int)"
	done
	psql -X -q "$src" -c "INSERT INTO ev SELECT g, 'v' || g FROM generate_series(1, 3000) g" \
		-c "INSERT INTO tk SELECT 'k' || g, g FROM generate_series(1, 3000) g"
	# the target: every source row but id 17, and 6000 more after them;
	# the text-keyed table twice the rows, spread over every hash bucket
	psql -X -q "$dst" -c "INSERT INTO ev SELECT g, 'v' || g FROM generate_series(1, 9000) g WHERE g <> 17" \
		-c "INSERT INTO tk SELECT 'k' || g, g FROM generate_series(1, 6000) g"
	run -1 dbmig verify --chunk-rows 500 -t ev "$src" "$dst"
	assert_output --partial "public.ev: missing on target: id=17"
	assert_output --regexp "public.ev: row counts differ: id [0-9]+\.\.[0-9]+ \(0 rows on the source, [0-9]+ on the target\)"
	assert_output --partial "DIFFERENT: 6001 differences in 1 of 1 table"
	assert_output --regexp "public.ev +3000 +8999 .* 6001 "
	run -1 dbmig verify --chunk-rows 500 -t tk "$src" "$dst"
	assert_output --regexp "public.tk: row counts differ: key hash [0-9]+ mod [0-9]+ \([0-9]+ rows on the source, [0-9]+ on the target\)"
	assert_output --partial "DIFFERENT: 3000 differences in 1 of 1 table"
	refute_output --partial "extra on target"
	run -1 --separate-stderr dbmig verify --json --chunk-rows 500 -t tk "$src" "$dst"
	[ "$(jq -r '.tables[0].counted' <<<"$output")" = 3000 ]
	[ "$(jq -r '.tables[0].differences[0].kind' <<<"$output")" = count ]
	jq -e '.tables[0].differences[0].key.key_hash | (.bucket | type) == "number" and .of > 1' <<<"$output"
	[ "$(jq -r '.tables[0].differences | map(.rows_target - .rows_source) | add' <<<"$output")" = 3000 ]
	# an empty target: one line per range, every missing row counted
	psql -X -q "$dst" -c "TRUNCATE ev"
	run -1 dbmig verify -q --chunk-rows 1000 -t ev "$src" "$dst"
	assert_output --partial "public.ev: row counts differ: id 1..750 (750 rows on the source, 0 on the target)"
	assert_output --partial "DIFFERENT: 3000 differences in 1 of 1 table"
	run -1 --separate-stderr dbmig verify --json --chunk-rows 1000 -t ev "$src" "$dst"
	jq -e '.tables[0].differences[0] | .key == {"id": {"from": 1, "to": 750}} and
		.rows_source == 750 and .rows_target == 0' <<<"$output"
}
