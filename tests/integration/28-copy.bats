#!/usr/bin/env bats
# dbmig copy: source to target directly, no dump in between unless kept.
# A copy must make exactly what a dump and a load make (same tables, same
# rows), a kept dump must be exactly what was loaded, and a failed copy
# must say what it left behind.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	src=$(new_db cp_src)
	# a composite text key in a collation that is not byte order, big
	# enough to be cut into key ranges; a child with a foreign key; an
	# empty table; an identity column whose sequence value must follow
	psql_at "$src" "CREATE TABLE ck (a text, b int, v text, PRIMARY KEY (a, b));
		INSERT INTO ck SELECT CASE WHEN g % 2 = 0 THEN 'Key ' ELSE 'key ' END || (g % 997)
		  || CASE WHEN g % 3 = 0 THEN ' Ä' ELSE 'a' END, g, repeat(md5(g::text), 4)
		FROM generate_series(1, 60000) g;
		CREATE INDEX ck_v ON ck (v);
		CREATE TABLE child (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text, b int,
		  note text, FOREIGN KEY (a, b) REFERENCES ck);
		INSERT INTO child (a, b, note) SELECT a, b, 'n' || b FROM ck WHERE b % 10 = 0;
		CREATE TABLE empty_t (x int);
		ANALYZE"
}

@test "PostgreSQL -> PostgreSQL: a direct copy in key ranges equals its source" {
	dst=$(new_db cp_dst)
	run -0 dbmig copy -j 2 --chunk-size 256k "$(pg_uri cp_src)" "$dst"
	assert_output --regexp "reading public.ck in [0-9]+ key ranges"
	assert_output --partial "copied public.ck: 60000 rows in"
	assert_output --regexp "[0-9]+ keys and indexes were built while rows were copied"
	assert_output --regexp "copy complete: 3 tables, 66000 rows in [0-9]+ chunks"
	run -0 dbmig verify -q --mode=rows "$(pg_uri cp_src)" "$dst"
	run -0 pgcompare "$(pg_uri cp_src)" "$dst"
	# every row exactly once, and the identity goes on after the source's
	run -0 psql_at "$dst" "SELECT count(*), count(DISTINCT (a, b)) FROM ck"
	assert_output "60000|60000"
	run -0 psql_at "$dst" "INSERT INTO child (a, b) VALUES ('key 1a', 1) RETURNING id"
	assert_output 6001
}

@test "--keep-dump keeps exactly what was loaded: private files, verify, load finds all done" {
	dst=$(new_db cp_keep)
	dir="$BATS_TEST_TMPDIR/kept"
	run -0 dbmig copy -j 2 --chunk-size 256k --keep-dump "$dir" "$(pg_uri cp_src)" "$dst"
	assert_output --partial "dump kept in $dir"
	assert_equal "$(stat -c %a "$dir")" 700
	assert_equal "$(find "$dir" -type f ! -perm 0600 | wc -l)" 0
	run -0 dbmig verify -q "$dir" "$dst"
	# the kept dump's id and chunk names are the ledger's
	run -0 dbmig load "$dir" "$dst"
	assert_output --regexp "rows 0, chunks loaded 0, already loaded [1-9][0-9]*, steps run 0"
	other=$(new_db cp_keep2)
	run -0 dbmig load -j 2 "$dir" "$other"
	run -0 pgcompare "$(pg_uri cp_src)" "$other"
}

@test "MySQL -> PostgreSQL: the copy makes the tables a dump and load make, and equal rows" {
	new_mydb cp_my >/dev/null
	my_sql cp_my -e "SET sql_mode = '';
		CREATE TABLE p (id int PRIMARY KEY, flag tinyint(1), flag2 tinyint(1), d date,
		  ts datetime, tm time, s varchar(20));
		INSERT INTO p VALUES (1, 1, 0, '2024-01-01', '2024-01-01 10:00:00', '10:00:00', 'a'),
		  (2, 0, 2, '0000-00-00', '0000-00-00 00:00:00', '25:00:00', 'b'),
		  (3, NULL, NULL, '2024-05-00', NULL, '24:00:00', NULL)"
	copied=$(new_db cp_mypg1)
	run -0 dbmig copy "$(my_uri cp_my)" "$copied"
	assert_output --partial "cp_my.p.flag: tinyint(1) becomes boolean"
	assert_output --partial "cp_my.p.flag2: tinyint(1) stays numeric (smallint)"
	assert_output --partial "cp_my.p.d: 2 MySQL zero dates become NULL"
	assert_output --partial "cp_my.p.tm: time becomes interval"
	run -0 dbmig dump "$(my_uri cp_my)" -o "$BATS_TEST_TMPDIR/d"
	loaded=$(new_db cp_mypg2)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$loaded"
	cols="SELECT column_name, data_type, is_nullable FROM information_schema.columns
	      WHERE table_schema = 'cp_my' ORDER BY table_name, ordinal_position"
	assert_equal "$(psql_at "$copied" "$cols")" "$(psql_at "$loaded" "$cols")"
	run -0 psql_at "$copied" "SELECT data_type FROM information_schema.columns WHERE column_name = 'flag'"
	assert_output boolean
	run -0 dbmig verify -q "$(my_uri cp_my)" "$copied"
	run -0 pgcompare "$copied" "$loaded"
	# Both record the same column transforms in the target's state, and a
	# copy's kept dump carries them in its manifest.
	xf="SELECT item FROM _dbmig.load_ledger WHERE item LIKE 'transform:%' ORDER BY item"
	assert_equal "$(psql_at "$copied" "$xf")" "$(psql_at "$loaded" "$xf")"
	run -0 psql_at "$loaded" "$xf"
	assert_output "$(printf '%s\n' transform:cp_my.p.d=zero-date-null transform:cp_my.p.flag=bool-from-int \
		transform:cp_my.p.tm=time-interval transform:cp_my.p.ts=zero-date-null)"
	kept="$BATS_TEST_TMPDIR/kept"
	run -0 dbmig copy --keep-dump "$kept" "$(my_uri cp_my)" "$(new_db cp_mypg3)"
	run -0 jq -r '.schema.tables[].columns[] | select(.transform) | "\(.name)=\(.transform)"' "$kept/manifest.json"
	assert_output "$(printf '%s\n' flag=bool-from-int d=zero-date-null ts=zero-date-null tm=time-interval)"
	# A dump's own manifest has none: the load decides them.
	run -0 jq '[.schema.tables[].columns[] | select(.transform)] | length' "$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output 0
}

@test "PostgreSQL -> MySQL and MySQL -> MySQL copies equal their sources" {
	# (MySQL keys hold 3072 bytes: ck's text key does not fit)
	src=$(new_db cp_src_my)
	psql_at "$src" "CREATE TABLE m (a varchar(40), b int, v text, d numeric(12,2), PRIMARY KEY (a, b));
		INSERT INTO m SELECT 'k' || (g % 499), g, repeat(md5(g::text), 4), g / 7.0
		FROM generate_series(1, 40000) g; ANALYZE"
	run -0 dbmig copy -j 2 --chunk-size 256k "$src" "$(new_mydb cp_pgmy)"
	assert_output --regexp "reading public.m in [0-9]+ key ranges"
	run -0 dbmig verify -q "$src" "$(my_uri cp_pgmy)"
	run -0 dbmig copy -j 2 --chunk-size 256k "$(my_uri cp_pgmy)" "$(new_mydb cp_mymy)"
	run -0 dbmig verify -q "$(my_uri cp_pgmy)" "$(my_uri cp_mymy)"
	run -0 mycompare cp_pgmy cp_mymy
}

@test "a failed copy: the source goes away (exit 3), the kept dump goes, the target says what it kept" {
	dst=$(new_db cp_fail)
	dir="$BATS_TEST_TMPDIR/kept"
	# each chunk waits 300 ms before it commits: time to cut the source off
	DBMIG_TEST_CHUNK_DELAY_MS=300 dbmig copy -j 2 --chunk-size 256k --keep-dump "$dir" \
		"$(pg_uri cp_src)" "$dst" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 50); do
		[ "$(psql_at "$dst" "SELECT count(*) FROM _dbmig.load_ledger WHERE item LIKE 'chunk:%'" 2>/dev/null)" \
		  -gt 0 ] 2>/dev/null && break
		sleep 0.1
	done
	psql_at "$(pg_uri postgres)" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = 'cp_src' AND pid <> pg_backend_pid()" >/dev/null
	st=0
	wait "$pid" || st=$?
	assert_equal "$st" 3
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output --regexp "dbmig: error: source \(.*dbname=cp_src.*public\.(ck|child|empty_t)"
	assert_output --partial "the target keeps what this copy did before it failed"
	[ ! -e "$dir" ]
	# a second copy is stopped before it writes, naming the way out
	run -4 dbmig copy "$(pg_uri cp_src)" "$dst"
	assert_output --partial "already exists"
	# the target refuses a row: the readers stop too (no hang), exit 4 names
	# the chunk and the table, the kept dump goes
	chk=$(new_db cp_check)
	psql_at "$chk" "CREATE TABLE ck (a text, b int CHECK (b < 30000), v text, PRIMARY KEY (a, b))"
	run -4 timeout 120 dbmig copy -j 2 --chunk-size 256k --data-only -t ck --keep-dump "$dir" \
		"$(pg_uri cp_src)" "$chk"
	assert_output --regexp "chunk t00000_c[0-9]+\.zst of public\.ck: .*check constraint"
	[ ! -e "$dir" ]
	# into a table that holds rows: refused, naming the table
	psql_at "$(new_db cp_rows)" "CREATE TABLE empty_t (x int); INSERT INTO empty_t VALUES (1)"
	run -4 dbmig copy --data-only -t empty_t "$(pg_uri cp_src)" "$(pg_uri cp_rows)"
	assert_output --partial "target table public.empty_t already holds rows"
	run -0 dbmig copy --data-only --truncate -t empty_t "$(pg_uri cp_src)" "$(pg_uri cp_rows)"
	run -0 psql_at "$(pg_uri cp_rows)" "SELECT count(*) FROM empty_t"
	assert_output 0
}

@test "--progress=json of a copy: a chunk_done per chunk, and a summary with every row" {
	run -0 --separate-stderr dbmig copy -j 2 --chunk-size 256k --progress=json \
		--keep-dump "$BATS_TEST_TMPDIR/k" "$(pg_uri cp_src)" "$(new_db cp_prog)"
	events=$(grep '^{' <<<"$stderr")
	jq -e -s 'length > 0 and (last | .event == "summary" and .ok == true and .rows == 66000)' <<<"$events"
	chunks=$(jq '[.schema.tables[].chunks[]] | length' "$BATS_TEST_TMPDIR/k/manifest.json")
	jq -e -s --argjson n "$chunks" '[.[] | select(.event == "chunk_done")] | length == $n' <<<"$events"
}

@test "copy: usage errors exit 2; a bad target is refused before the source is read" {
	run -2 dbmig copy "$(pg_uri cp_src)"
	assert_output --partial "give the source and the target"
	run -2 dbmig copy --chunk-size lots "$(pg_uri cp_src)" "$(pg_uri cp_x)"
	run -2 dbmig copy --schema-only --data-only "$(pg_uri cp_src)" "$(pg_uri cp_x)"
	run -2 dbmig copy "$(pg_uri cp_src)" "oracle://scott@tiger/db"
	# load given a database instead of a dump: pointed to copy, password kept out
	run -2 dbmig load "postgresql://u:sekrit@127.0.0.1:1/db" "$(pg_uri cp_x)"
	assert_output --partial "use 'dbmig copy SOURCE TARGET'"
	refute_output --partial sekrit
	run -2 dbmig load "host=127.0.0.1 dbname=db" "$(pg_uri cp_x)"
}

@test "binary COPY in and out: edge values of every type arrive exactly, as with text" {
	src=$(new_db cp_bin_src)
	psql_at "$src" "CREATE TABLE e (id int PRIMARY KEY, s smallint, i int, b bigint, f4 real,
		  f8 double precision, ok boolean, t text, c char(5), v varchar(10), by bytea);
		INSERT INTO e VALUES
		  (1, -32768, -2147483648, -9223372036854775808, '-Infinity', '-0', false,
		   E'tab\there\nnl \\\\ bs', 'ab', E'\\u00e4\\u20ac', E'\\\\x00ff0a09'),
		  (2, 32767, 2147483647, 9223372036854775807, 'NaN', 1e-320, true, '', '', '', ''),
		  (3, -1, -7, -42, 3.4028235e38, 2.2250738585072014e-308, NULL, NULL, NULL, NULL, NULL),
		  (4, NULL, NULL, NULL, NULL, NULL, NULL, '\\N', 'x    ', 'NULL', E'\\\\x5c4e')"
	bin=$(new_db cp_bin1)
	run -0 dbmig -v copy "$src" "$bin"
	assert_output --partial "into public.e as binary COPY"
	txt=$(new_db cp_bin2)
	DBMIG_NO_BINARY_COPY=1 run -0 dbmig -v copy "$src" "$txt"
	assert_output --partial "into public.e as text COPY"
	run -0 pgcompare "$src" "$bin"
	run -0 pgcompare "$txt" "$bin"
	# read binary or as text, the canonical rows are the same bytes
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/b"
	DBMIG_NO_BINARY_COPY=1 run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/t"
	sums() { jq -r '.schema.tables[].chunks[] | .rows, .checksum' "$1/manifest.json"; }
	[ -n "$(sums "$BATS_TEST_TMPDIR/b")" ]
	assert_equal "$(sums "$BATS_TEST_TMPDIR/b")" "$(sums "$BATS_TEST_TMPDIR/t")"
	run -0 dbmig verify -q --mode=rows "$src" "$bin"
	# -0 keeps its sign (pgcompare compares text, where it prints as -0)
	run -0 psql_at "$bin" "SELECT f8::text, f4::text FROM e WHERE id = 1"
	assert_output "-0|-Infinity"
	# MySQL -> PostgreSQL: tinyint(1) as boolean, unsigned int as bigint, blobs
	new_mydb cp_bin_my >/dev/null
	my_sql cp_bin_my -e "CREATE TABLE m (id int PRIMARY KEY, flag tinyint(1), u int unsigned,
		  d double, bl blob, vc varchar(20));
		INSERT INTO m VALUES (1, 1, 4294967295, -0.0, x'00ff', 'a\tb'), (2, 0, 0, 1e308, '', ''),
		  (3, NULL, NULL, NULL, NULL, NULL)"
	mypg=$(new_db cp_bin_mypg)
	run -0 dbmig -v copy "$(my_uri cp_bin_my)" "$mypg"
	assert_output --partial "into cp_bin_my.m as binary COPY"
	run -0 dbmig verify -q --mode=rows "$(my_uri cp_bin_my)" "$mypg"
	run -0 psql_at "$mypg" "SELECT flag, u, encode(bl, 'hex') FROM cp_bin_my.m WHERE id = 1"
	assert_output "t|4294967295|00ff"
}
