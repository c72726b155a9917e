#!/usr/bin/env bats
# Progress for machines and people: --progress=json is one JSON object per
# line and event, consistent with the dump's manifest; log mode ends with
# the per-table summary; -q shows none of it.

load '../helpers/common'

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db pr_src)
	psql_at "$src" "CREATE TABLE big (id int PRIMARY KEY, v text);
		INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 40000) g;
		ANALYZE big; CREATE TABLE small (id int PRIMARY KEY); INSERT INTO small VALUES (1), (2)"
}

@test "--progress=json: table_start, chunk_done, table_done per table, then the summary" {
	run -0 --separate-stderr dbmig dump -j 2 --chunk-size 1M --progress=json "$(pg_uri pr_src)" \
		-o "$BATS_TEST_TMPDIR/d"
	events=$(grep '^{' <<<"$stderr")
	# every line parses, and the last is the summary
	jq -e -s 'length > 0 and (last | .event == "summary" and .ok == true and .rows == 40002)' <<<"$events"
	for t in public.big public.small; do
		jq -e -s --arg t "$t" '[.[] | select(.table == $t and .event == "table_start")] | length == 1' <<<"$events"
		jq -e -s --arg t "$t" '[.[] | select(.table == $t and .event == "table_done")] | length == 1' <<<"$events"
	done
	chunks=$(jq '[.schema.tables[].chunks[]] | length' "$BATS_TEST_TMPDIR/d/manifest.json")
	[ "$chunks" -gt 2 ]
	jq -e -s --argjson n "$chunks" '[.[] | select(.event == "chunk_done")] | length == $n' <<<"$events"
	jq -e -s '[.[] | select(.event == "chunk_done") | .rows] | add == 40002' <<<"$events"

	dst=$(new_db pr_dst)
	run -0 --separate-stderr dbmig load -j 2 --progress=json "$BATS_TEST_TMPDIR/d" "$dst"
	events=$(grep '^{' <<<"$stderr")
	jq -e -s --argjson n "$chunks" '([.[] | select(.event == "chunk_done")] | length == $n)
		and (last | .event == "summary" and .rows == 40002)
		and ([.[] | select(.event == "table_done") | .table] | sort == ["public.big", "public.small"])' <<<"$events"
}

@test "log progress ends with a summary table; -q and --progress=none show nothing" {
	run -0 --separate-stderr dbmig dump --progress=log "$(pg_uri pr_src)" -o "$BATS_TEST_TMPDIR/a"
	assert_equal "$(grep -cE '^public\.(big|small) +[0-9]+ ' <<<"$stderr")" 2
	grep -qE '^total +40002 ' <<<"$stderr"
	run -0 --separate-stderr dbmig -q dump "$(pg_uri pr_src)" -o "$BATS_TEST_TMPDIR/b"
	assert_equal "$stderr" ""
	run -0 --separate-stderr dbmig load --progress=none "$BATS_TEST_TMPDIR/b" "$(new_db pr_none)"
	run grep -c '^total ' <<<"$stderr"
	assert_output 0
	run -2 dbmig dump --progress=fancy "$(pg_uri pr_src)" -o "$BATS_TEST_TMPDIR/c"
}
