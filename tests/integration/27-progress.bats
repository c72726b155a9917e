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

@test "--progress=json: stderr holds JSON only, for every command, and the summary comes last" {
	run -0 --separate-stderr dbmig dump --progress=json "$(pg_uri pr_src)" -o "$BATS_TEST_TMPDIR/d"
	jq -e -s 'last | .event == "summary"' <<<"$stderr"
	jq -e -s '[.[] | select(.event == "log")] | length > 0' <<<"$stderr"
	for cmd in "load $BATS_TEST_TMPDIR/d" "copy $(pg_uri pr_src)"; do
		run -0 --separate-stderr dbmig $cmd --progress=json "$(new_db pr_json_${cmd%% *})"
		# every line parses; the keys are built, and said, before the summary
		jq -e -s '(last | .event == "summary" and .rows == 40002) and
			([.[] | select(.event == "step") | .what] | any(test("^building key .* on public\\.big$")))' <<<"$stderr"
	done
	run -0 --separate-stderr dbmig verify --progress=json "$(pg_uri pr_src)" "$(pg_uri pr_json_load)"
	jq -e -s '(last | .event == "summary" and .rows == 40002) and
		([.[] | select(.event == "table_done") | .table] | sort == ["public.big", "public.small"])' <<<"$stderr"
	# an error is an event too
	run -3 --separate-stderr dbmig dump --progress=json "$(pg_uri pr_no_such_db)" -o "$BATS_TEST_TMPDIR/e"
	jq -e -s 'last | .event == "log" and .level == "error" and (.message | test("pr_no_such_db"))' <<<"$stderr"
}

@test "load counts rows as they stream, before the chunk commits" {
	dbmig -q dump --chunk-size 64M "$(pg_uri pr_src)" -o "$BATS_TEST_TMPDIR/d"
	DBMIG_TEST_CHUNK_DELAY_MS=1500 DBMIG_TEST_PROGRESS_MS=100 \
		run -0 --separate-stderr dbmig load --progress=json "$BATS_TEST_TMPDIR/d" "$(new_db pr_stream)"
	# between the rows going out and the commit, the rows are counted
	jq -e -s '(map(.event) | index("chunk_done")) as $first_done |
		[.[0:$first_done][] | select(.event == "progress" and .rows >= 40000)] | length > 0' <<<"$stderr"
}

@test "dump's percentage is the fraction of the rows it shows, not of the bytes on disk" {
	DBMIG_TEST_PROGRESS_MS=5 run -0 --separate-stderr dbmig dump --chunk-size 1M --progress=json \
		"$(pg_uri pr_src)" -o "$BATS_TEST_TMPDIR/d"
	jq -e -s '[.[] | select(.event == "progress" and .rows > 0 and .rows < 40000)] | length > 0' <<<"$stderr"
	jq -e -s 'all(.[] | select(.event == "progress" and .rows > 0 and .rows <= 40000);
		(.percent - 100 * .rows / 40000 | fabs) < 2 and .estimated)' <<<"$stderr"
}
