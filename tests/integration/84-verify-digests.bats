#!/usr/bin/env bats
# dbmig verify's digests in every pair of engines: the engine's own hash
# between two servers of one engine (hashtextextended, CRC32+CRC32C),
# CRC32+CRC32C of the common rendering across engines (MariaDB's in its
# server, PostgreSQL's in dbmig), --digest=md5|sha256 everywhere;
# a table digested in key ranges on several connections; and in each, the
# same injected differences named by key and column as 81-83 name them.

load '../helpers/common'
load '../helpers/verify'

setup_file() {
	start_mysql_for_file	# and PostgreSQL
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db vdp)
	vt_source_pg "$src"
	new_mydb vdm >/dev/null
	vt_source_my vdm
	dbmig -q dump "$src" -o "$BATS_FILE_TMPDIR/dp" >/dev/null
	dbmig -q dump "$(my_uri vdm)" -o "$BATS_FILE_TMPDIR/dm" >/dev/null
	# a target of each pair, with the differences 81-83 inject
	dst=$(new_db vd_pp)
	dbmig -q load "$BATS_FILE_TMPDIR/dp" "$dst" >/dev/null
	vt_inject_pg "$dst" public
	dst=$(new_db vd_mp)
	dbmig -q load "$BATS_FILE_TMPDIR/dm" "$dst" >/dev/null
	vt_inject_pg "$dst" vdm
	dst=$(new_mydb vd_mm)
	dbmig -q load "$BATS_FILE_TMPDIR/dm" "$dst" >/dev/null
	vt_inject_my vd_mm
	dst=$(new_mydb vd_pm)
	dbmig -q load "$BATS_FILE_TMPDIR/dp" "$dst" >/dev/null
	vt_inject_my vd_pm
}

# pair NAME: sets src and dst for PostgreSQL->PostgreSQL (pp), MariaDB->
# MariaDB (mm), MariaDB->PostgreSQL (mp) and PostgreSQL->MariaDB (pm)
pair() {
	case $1 in
	pp) src=$(pg_uri vdp) dst=$(pg_uri vd_pp) ;;
	mm) src=$(my_uri vdm) dst=$(my_uri vd_mm) ;;
	mp) src=$(my_uri vdm) dst=$(pg_uri vd_mp) ;;
	pm) src=$(pg_uri vdp) dst=$(my_uri vd_pm) ;;
	esac
}

@test "every pair, mode and digest, in ranges or whole: each difference named by key and column" {
	for p in pp mm mp pm; do
		pair $p
		for opts in "" "--digest=md5" "--digest=sha256" "--mode=rows" \
			    "-j 2 --chunk-rows 100" "-j 3 --chunk-rows 50 --digest=sha256" \
			    "--mode=rows -j 2" "--chunk-rows 100 --digest=md5"; do
			# shellcheck disable=SC2086
			run -1 dbmig verify $opts "$src" "$dst"
			echo "pair $p, options '$opts'"
			assert_vt_differences
		done
	done
}

@test "--json names the digest of each table, chosen by the pair and --digest, and its ranges" {
	digest() {	# digest PAIR OPTIONS...: vt's digest and ranges, as "digest/ranges"
		pair "$1"
		shift
		run -1 --separate-stderr dbmig verify --json "$@" "$src" "$dst"
		jq -r '.tables[] | select(.source | endswith(".vt"))
		       | "\(.digest)/\(if .ranges > 1 then "ranges" else .ranges end)"' <<<"$output"
	}
	[ "$(digest pp)" = hashtextextended/1 ]
	[ "$(digest mm)" = crc32c/1 ]
	# across engines MariaDB hashes CRCs in its server, PostgreSQL's
	# rows are hashed by dbmig, range by range as MariaDB's: chunks of
	# 100 rows where dbmig reads a side, so 3000 rows make ranges
	[ "$(digest mp)" = crc32+crc32c/ranges ]
	[ "$(digest pm)" = crc32+crc32c/ranges ]
	[ "$(digest pp --digest=md5)" = md5/1 ]
	[ "$(digest mm --digest=sha256)" = sha256/1 ]
	[ "$(digest mp --mode=rows)" = null/0 ]
	# 3000 rows in chunks of 100: some 30 chunks, digested in ranges of 8
	[ "$(digest pp --chunk-rows 100 -j 2)" = hashtextextended/ranges ]
	[ "$(digest mp --chunk-rows 100 --digest=md5)" = md5/ranges ]
	run -2 dbmig verify --digest=crc "$src" "$dst"
	assert_output --partial "--digest wants auto, md5 or sha256, not 'crc'"
}

@test "progress moves as the ranges of one table finish, also where dbmig digests one side" {
	for p in pp mp; do
		pair $p
		run -1 --separate-stderr dbmig verify -q --progress=json --chunk-rows 50 -t vt "$src" "$dst"
		# more than one range, each done with its rows before the table is
		echo "pair $p"
		jq -s -e '[.[] | select(.table // "" | endswith("vt"))] as $e
			  | ($e | map(.event) | index("table_done")) as $d
			  | [$e[:$d][] | select(.event == "chunk_done")]
			  | length > 3 and all(.chunk | test("^range [0-9]+ of [0-9]+$"))
			    and (map(.rows) | add) >= 3000' <<<"$stderr"
	done
}

@test "one engine, types that differ: those columns rendered, the rest as stored; json's spacing is no difference" {
	src=$(new_db vdt_src)
	dst=$(new_db vdt_dst)
	for db in "$src" "$dst"; do
		psql -X -q -v ON_ERROR_STOP=1 "$db" -c "CREATE TABLE t (id int PRIMARY KEY, k int,
			j json, v text, f float8 DEFAULT 0)"
	done
	psql -X -q -v ON_ERROR_STOP=1 "$dst" -c "ALTER TABLE t ALTER k TYPE bigint"
	psql -X -q -v ON_ERROR_STOP=1 "$src" \
		-c "INSERT INTO t SELECT g, g * 3, '{\"a\": 1, \"b\": [1, 2]}', 'v' || g FROM generate_series(1, 500) g"
	psql -X -q -v ON_ERROR_STOP=1 "$dst" \
		-c "INSERT INTO t SELECT g, g * 3, '{\"b\":[1,2],\"a\":1}', 'v' || g FROM generate_series(1, 500) g"
	run -0 --separate-stderr dbmig verify --json "$src" "$dst"
	jq -e '.tables[0].digest == "hashtextextended" and .differences == 0' <<<"$output"
	# stored as -0 on one side: equal as verify compares floats, said in a note
	psql -X -q -v ON_ERROR_STOP=1 "$dst" -c "UPDATE t SET f = '-0' WHERE id = 5"
	run -0 --separate-stderr dbmig verify --json "$src" "$dst"
	jq -e '.tables[0].stored_apart and .differences == 0' <<<"$output"
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "public.t: some values are stored differently on the two sides"
	psql -X -q -v ON_ERROR_STOP=1 "$dst" -c "UPDATE t SET k = k + 1 WHERE id = 77" \
		-c "UPDATE t SET v = 'w' WHERE id = 300"
	run -1 dbmig verify "$src" "$dst"
	assert_output --partial "t: changed: id=77: k (k: 231 -> 232)"
	assert_output --partial "t: changed: id=300: v (v: 'v300' -> 'w')"
	assert_output --partial "DIFFERENT: 2 differences in 1 of 1 table"
}

@test "across engines MariaDB's latin1 text is hashed as stored and PostgreSQL's converted to it: equal, and every changed value found" {
	new_mydb vdl >/dev/null
	my_sql vdl -e "CREATE TABLE t (id int PRIMARY KEY, a varchar(20), b char(10), c text,
		u varchar(10) CHARACTER SET utf8mb4) CHARSET latin1;
		INSERT INTO t VALUES (1, 'café', 'naïve', 'x', 'ü'), (2, NULL, '', '', NULL),
		(3, CONCAT('€', CONVERT(UNHEX('81') USING latin1), 'Ÿ'), 'a b', 'tab\there', '☃'), (4, 'plain', 'p', 'p', 'p')"
	dst=$(new_db vdl)
	dbmig -q copy "$(my_uri vdl)" "$dst" >/dev/null
	for dir in ltr rtl; do
		if [ $dir = ltr ]; then src=$(my_uri vdl) tgt=$dst; else src=$dst tgt=$(my_uri vdl); fi
		run -0 --separate-stderr dbmig verify --json "$src" "$tgt"
		jq -e '.tables[0].digest == "crc32+crc32c" and .differences == 0' <<<"$output"
	done
	# a character latin1 has not, one it has, and the C1 byte it keeps
	psql -X -q -v ON_ERROR_STOP=1 "$dst" -c "UPDATE vdl.t SET a = 'café☃' WHERE id = 1" \
		-c "UPDATE vdl.t SET c = 'ÿ' WHERE id = 4" \
		-c "UPDATE vdl.t SET a = '€' || chr(129) || 'Z' WHERE id = 3"
	run -1 dbmig verify "$(my_uri vdl)" "$dst"
	assert_output --partial "vdl.t: changed: id=1: a (a: 'café' -> 'café☃')"
	assert_output --partial "vdl.t: changed: id=4: c (c: 'p' -> 'ÿ')"
	assert_output --partial "vdl.t: changed: id=3: a"
	assert_output --partial "DIFFERENT: 3 differences in 1 of 1 table"
	assert_output --partial "checksum (target's digests by dbmig), crc32+crc32c"
}
