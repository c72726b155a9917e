#!/usr/bin/env bats
# cdc-tail --format=debezium: the records Debezium's PostgreSQL connector
# makes (key, tab, value), checked against the expected values of
# Debezium's own tests and documentation under tests/fixtures/debezium/.

load '../helpers/common'

FIX="$BATS_TEST_DIRNAME/../fixtures/debezium"

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
}

# dbz_tail SRC DUMP [--debezium X ...]: the records up to now
dbz_tail() {
	local src=$1 dump=$2
	shift 2
	dbmig -q cdc-tail "$src" --from "$dump" --format=debezium "$@" -o - --until-caught-up 2>/dev/null
}

# table TAB after, from records without schemas, one per record
afters() {
	while IFS=$'\t' read -r _ value; do
		[ -n "$value" ] || continue
		table=$(jq -r .source.table <<<"$value")
		# the text as written: jq would round integers beyond 2^53
		after=$(sed -E 's/^\{"before":[^{]*(\{[^}]*\})?[^{]*,"after":(.*),"source":\{.*$/\2/' <<<"$value")
		printf '%s\t%s\n' "$table" "$after"
	done
}

@test "--format=debezium: values in Debezium's default modes are those of Debezium's own tests" {
	src=$(new_db dbz_types)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$FIX/types.sql" >/dev/null
	# two online dumps: a slot serves one consumer
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d2" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$FIX/types-rows.sql" >/dev/null
	run -0 dbz_tail "$src" "$BATS_TEST_TMPDIR/d" --debezium schemas.enable=false
	printf '%s\n' "$output" | afters >"$BATS_TEST_TMPDIR/got"
	run -0 diff "$FIX/types.defaults.expected" "$BATS_TEST_TMPDIR/got"
	# the other modes Debezium offers
	run -0 dbz_tail "$src" "$BATS_TEST_TMPDIR/d2" --debezium schemas.enable=false \
		--debezium decimal.handling.mode=string --debezium time.precision.mode=connect \
		--debezium binary.handling.mode=hex --debezium interval.handling.mode=string
	printf '%s\n' "$output" | afters >"$BATS_TEST_TMPDIR/got2"
	run -0 diff "$FIX/types.modes.expected" "$BATS_TEST_TMPDIR/got2"
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d2" --drop >/dev/null
}

# key TAB value with the fields that vary from run to run masked
masked() {
	while IFS=$'\t' read -r key value; do
		[ -n "$value" ] || { printf '%s\tTOMBSTONE\n' "$(jq -c .payload <<<"$key")"; continue; }
		jq -c '.payload | .ts_ms = "T" | .ts_us = "T" | .ts_ns = "T" | .source.ts_ms = "T"
			| .source.ts_us = "T" | .source.ts_ns = "T" | .source.txId = "X"
			| .source.lsn = "L" | .source.sequence = "S" | .source.version = "V"' <<<"$value" |
			sed "s/^/$(jq -c .payload <<<"$key" | sed 's/[\/&]/\\&/g')\t/"
	done
}

@test "--format=debezium: keys, a key update as delete, tombstone and create, tombstones, the TOAST placeholder, each change's LSN" {
	src=$(new_db dbz_env)
	psql_at "$src" "CREATE TABLE customers (id SERIAL, first_name VARCHAR(255) NOT NULL,
			last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL, PRIMARY KEY(id));
		CREATE TABLE docs (id int PRIMARY KEY, body text, n int)" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	dbmig -q dump --online "$src" -o "$BATS_TEST_TMPDIR/d2" >/dev/null
	start=$(jq -r .snapshot.position "$BATS_TEST_TMPDIR/d/manifest.json")
	psql -X -q -v ON_ERROR_STOP=1 "$src" >/dev/null <<-'SQL'
		INSERT INTO customers VALUES (1, 'Anne', 'Kretchmar', 'annek@noanswer.org');
		UPDATE customers SET first_name = 'Anne Marie' WHERE id = 1;
		BEGIN; UPDATE customers SET id = 2 WHERE id = 1; DELETE FROM customers WHERE id = 2; COMMIT;
		-- a body that TOAST keeps out of line, then an update that leaves it
		INSERT INTO docs SELECT 1, string_agg(md5(i::text), ''), 0 FROM generate_series(1, 400) i;
		UPDATE docs SET n = 1;
		TRUNCATE docs;
	SQL
	# named as in Debezium's documentation
	run -0 dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --format=debezium \
		--debezium topic.prefix=PostgreSQL_server -o "$BATS_TEST_TMPDIR/c.out" --until-caught-up
	masked <"$BATS_TEST_TMPDIR/c.out" >"$BATS_TEST_TMPDIR/got"
	run -0 diff "$FIX/customers.records" "$BATS_TEST_TMPDIR/got"
	# the key's and the value's schemas
	run -0 diff <(jq -S . "$FIX/customers.key.json") <(head -1 "$BATS_TEST_TMPDIR/c.out" | cut -f1 | jq -S .schema)
	run -0 diff <(jq -S . "$FIX/customers.value-schema.json") <(head -1 "$BATS_TEST_TMPDIR/c.out" | cut -f2 | jq -S .schema)
	# each change its own LSN, rising (a key update's delete and create
	# share theirs); the sequence pairs it with the previous
	# transaction's end, the first with where the dump started
	run -0 bash -c "cut -f2 '$BATS_TEST_TMPDIR/c.out' | grep . | jq -r '.payload.source | [.txId, .lsn, .sequence] | @tsv'"
	lsns=$(cut -f2 <<<"$output")
	[ "$lsns" = "$(sort -n <<<"$lsns")" ]
	[ "$(wc -l <<<"$lsns")" -eq 7 ]
	[ "$(sort -u <<<"$lsns" | wc -l)" -eq 6 ]
	first_seq=$(head -1 <<<"$output" | cut -f3)
	hi=${start%/*} lo=${start#*/}
	[ "$first_seq" = "[\"$((16#$hi * 4294967296 + 16#$lo))\",\"$(head -1 <<<"$lsns")\"]" ]
	while IFS=$'\t' read -r _ lsn seq; do [[ $seq == *",\"$lsn\"]" ]]; done <<<"$output"
	# a restart after a file that ends in a tombstone continues it
	psql_at "$src" "INSERT INTO customers VALUES (3, 'B', 'C', 'D'); DELETE FROM customers WHERE id = 3" >/dev/null
	run -0 dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --format=debezium \
		--debezium topic.prefix=PostgreSQL_server -o "$BATS_TEST_TMPDIR/c.out" --until-caught-up
	tail -n 3 "$BATS_TEST_TMPDIR/c.out" | masked | cut -c1-60 >"$BATS_TEST_TMPDIR/last"
	run -0 cat "$BATS_TEST_TMPDIR/last"
	assert_output "$(printf '%s\n' '{"id":3}	{"before":null,"after":{"id":3,"first_name":"B","la' \
		'{"id":3}	{"before":{"id":3,"first_name":null,"last_name":nul' '{"id":3}	TOMBSTONE')"
	# no tombstones, no schemas, truncates kept, another topic prefix
	run -0 dbz_tail "$src" "$BATS_TEST_TMPDIR/d2" --debezium tombstones.on.delete=false \
		--debezium schemas.enable=false --debezium skipped.operations=none \
		--debezium topic.prefix=shop
	[ "$(grep -c $'\t$' <<<"$output")" -eq 0 ]
	run -0 bash -c "printf '%s\n' \"\$1\" | cut -f2 | jq -c '[.op, .source.name, .source.table]' | uniq -c | sed 's/^ *//'" _ "$output"
	assert_output '1 ["c","shop","customers"]
1 ["u","shop","customers"]
1 ["d","shop","customers"]
1 ["c","shop","customers"]
1 ["d","shop","customers"]
1 ["c","shop","docs"]
1 ["u","shop","docs"]
1 ["t","shop","docs"]
1 ["c","shop","customers"]
1 ["d","shop","customers"]'
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d" --drop >/dev/null
	dbmig -q cdc-tail "$src" --from "$BATS_TEST_TMPDIR/d2" --drop >/dev/null
}

@test "--debezium: a property or value dbmig does not know is a usage error naming it" {
	run -2 dbmig cdc-tail postgresql://x/y --from /nonexistent --format=debezium -o - --debezium decimal.handling.mode=exact
	assert_output --partial "decimal.handling.mode: 'exact' is not one of Debezium's values"
	run -2 dbmig cdc-tail postgresql://x/y --from /nonexistent --format=debezium -o - --debezium snapshot.mode=never
	assert_output --partial "does not know Debezium's property 'snapshot.mode'"
	run -2 dbmig cdc-tail postgresql://x/y --from /nonexistent -o - --debezium schemas.enable=false
	assert_output --partial "add --format=debezium"
}
