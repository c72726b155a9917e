#!/usr/bin/env bats
# A hostile or damaged dump must not hurt: a FIFO where a chunk or the
# manifest should be is refused at once instead of hanging the open; a
# chunk that inflates beyond the size its manifest declares is stopped as
# soon as it passes it, in bounded memory. And verify copes with a chunk
# range that is empty on one side.

load '../helpers/common'

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db hd_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY, v text);
		INSERT INTO t SELECT g, 'value ' || g FROM generate_series(1, 2000) g;
		CREATE TABLE blob (v text);
		INSERT INTO blob VALUES ('small')" >/dev/null
	dbmig -q dump "$src" -o "$BATS_FILE_TMPDIR/d" >/dev/null
}

# copy_dump NAME: a private copy of the dump to damage.
copy_dump() {
	cp -a "$BATS_FILE_TMPDIR/d" "$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

chunk_of() {	# chunk_of DIR TABLE: the first chunk file of TABLE
	jq -r --arg t "$2" '.schema.tables[] | select(.name == $t) | .chunks[0].file' "$1/manifest.json"
}

@test "a FIFO in place of a chunk is refused at once, by load and by verify" {
	d=$(copy_dump fifo_chunk)
	c=$(chunk_of "$d" t)
	rm "$d/$c"
	mkfifo -m 600 "$d/$c"
	run -5 timeout 30 dbmig load "$d" "$(new_db hd_fifo)"
	assert_output --partial "$c"
	assert_output --partial "not a regular file"
	run -5 timeout 30 dbmig verify -q "$d" "$(pg_uri hd_src)"
	assert_output --partial "not a regular file"
}

@test "a FIFO named manifest.json is refused at once" {
	d=$(copy_dump fifo_manifest)
	rm "$d/manifest.json"
	mkfifo -m 600 "$d/manifest.json"
	run -5 timeout 30 dbmig load "$d" "$(new_db hd_fifo_m)"
	assert_output --partial "not a regular file"
	run -5 timeout 30 dbmig verify -q "$d" "$(pg_uri hd_src)"
}

@test "a chunk that inflates past its declared size is stopped there (a decompression bomb)" {
	d=$(copy_dump bomb)
	c=$(chunk_of "$d" blob)
	# One row of one 300 MB text value: a few kilobytes once compressed.
	"$REPO_ROOT/tests/helpers/bomb_chunk.py" $((300 << 20)) | zstd -q -19 --check -o "$d/$c.new"
	mv "$d/$c.new" "$d/$c"
	size=$(stat -c %s "$d/$c")
	[ "$size" -lt 100000 ]
	jq --arg f "$c" --argjson s "$size" '(.schema.tables[].chunks[] | select(.file == $f) | .bytes) = $s | del(.manifest_xxh3_128)' \
		"$d/manifest.json" >"$d/m.new" && mv "$d/m.new" "$d/manifest.json"
	start=$(date +%s)
	run -5 timeout 60 dbmig load "$d" "$(new_db hd_bomb)"
	assert_output --partial "decompresses to more than the"
	[ $(($(date +%s) - start)) -lt 20 ]
}

@test "a chunk whose declared uncompressed size is too small is refused" {
	d=$(copy_dump understated)
	c=$(chunk_of "$d" t)
	jq --arg f "$c" '(.schema.tables[].chunks[] | select(.file == $f) | .raw_bytes) = 100 | del(.manifest_xxh3_128)' \
		"$d/manifest.json" >"$d/m.new" && mv "$d/m.new" "$d/manifest.json"
	run -5 dbmig load "$d" "$(new_db hd_under)"
	assert_output --partial "decompresses to more than the 100 bytes the manifest declares"
}

@test "verify: a range empty on one side is named row by row (no sort of nothing)" {
	dst=$(new_db hd_empty)
	run -0 dbmig load --schema-only "$BATS_FILE_TMPDIR/d" "$dst"
	# chunks of leaf size are fetched, whatever their counts (larger ones
	# that differ this much are counted per range instead)
	for mode in checksum rows; do
		run -1 dbmig verify --mode=$mode --chunk-rows 50 -t t --max-diffs 3 "$(pg_uri hd_src)" "$dst"
		assert_output --partial "public.t: missing on target: id=1"
		assert_output --partial "DIFFERENT"
	done
}

@test "a damaged chunk whose rows still parse is reported as damage (exit 5), not as the target's refusal" {
	d=$(copy_dump damaged)
	c=$(chunk_of "$d" t)
	zstd -q -d "$d/$c" -o "$BATS_TEST_TMPDIR/raw"
	# An integer payload "1500" becomes "15a0": the stream still parses,
	# PostgreSQL refuses the value, the checksums say why.
	python3 -c '
import sys
p = sys.argv[1]
b = open(p, "rb").read()
i = b.index(b"\x01\x041500")
open(p, "wb").write(b[:i] + b"\x01\x0415a0" + b[i + 6:])
' "$BATS_TEST_TMPDIR/raw"
	rm "$d/$c"
	zstd -q -19 --check "$BATS_TEST_TMPDIR/raw" -o "$d/$c"
	size=$(stat -c %s "$d/$c")
	jq --arg f "$c" --argjson s "$size" '(.schema.tables[].chunks[] | select(.file == $f) | .bytes) = $s | del(.manifest_xxh3_128)' \
		"$d/manifest.json" >"$d/m.new" && mv "$d/m.new" "$d/manifest.json"
	run -5 dbmig load "$d" "$(new_db hd_damaged)"
	assert_output --partial "is corrupt or truncated (checksum mismatch)"
	assert_output --partial "$c"
}

@test "a manifest edited after the dump is refused before anything is created" {
	d=$(copy_dump edited)
	head -3 "$d/manifest.json" | grep -q '"manifest_xxh3_128": "[0-9a-f]\{32\}"'
	# One byte: a column renamed.
	sed -i 's/"name": "v",/"name": "w",/' "$d/manifest.json"
	dst=$(new_db hd_edited)
	run -5 dbmig load "$d" "$dst"
	assert_output --partial "does not match its digest"
	run -0 psql_at "$dst" "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
	assert_output 0
	run -5 dbmig verify -q "$d" "$dst"
	assert_output --partial "does not match its digest"
	# A field deleted, likewise.
	d=$(copy_dump deleted)
	sed -i '/"default": /d' "$d/manifest.json"
	run -5 dbmig load "$d" "$(new_db hd_deleted)"
}

@test "a type name that is not one never reaches SQL, digest or not" {
	for bad in 'integer); DROP TABLE t; --' 'integer, evil text' 'text COLLATE "C" )'; do
		d=$(copy_dump "inject_$RANDOM")
		BAD="$bad" python3 -c '
import json, os, sys
p = sys.argv[1]
m = json.load(open(p))
m.pop("manifest_xxh3_128")
for t in m["schema"]["tables"]:
    for c in t["columns"]:
        if c["name"] == "v":
            c["native_type"] = os.environ["BAD"]
json.dump(m, open(p, "w"), indent=1)
' "$d/manifest.json"
		run -5 dbmig load "$d" "$(new_db hd_inject)"
		assert_output --partial "native_type is not a type name"
	done
	# and the types the engines print pass
	run -0 dbmig load "$BATS_FILE_TMPDIR/d" "$(new_db hd_fine)"
}
