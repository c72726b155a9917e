#!/usr/bin/env bats
# PostgreSQL -> PostgreSQL: dump and load, checked by an independent
# comparison (tests/helpers/pgcompare.sh: sorted COPY output of every
# table, columns, constraints, indexes, sequences), never by row counts.

load '../helpers/common'

setup_file() {
	start_pg_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	zoo=$(new_db zoo_src)
	psql -X -q -v ON_ERROR_STOP=1 "$zoo" -f "$REPO_ROOT/tests/fixtures/typezoo.sql" >/dev/null
	bench=$(new_db bench_src)
	pgbench -q -i -s 1 "$bench" >/dev/null 2>&1
	# pgbench leaves history empty and has no sequences: give it some.
	psql -X -q -v ON_ERROR_STOP=1 "$bench" \
		-c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" \
		-c "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) SELECT 1 + g % 10, 1, g, g % 1000 - 500, '2024-01-01'::timestamp + g * interval '1 ms' FROM generate_series(1, 5000) g" >/dev/null
}


@test "type zoo: dump and load PG->PG gives identical tables, types, keys, indexes and sequences" {
	dst=$(new_db zoo_dst1)
	run -0 dbmig dump "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "dump complete"
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "load complete"
	run -0 pgcompare "$(pg_uri zoo_src)" "$dst"
	assert_output --partial "equal: 6 tables"
}

@test "type zoo with -j 2 on both sides and tiny chunks" {
	dst=$(new_db zoo_dst2)
	run -0 dbmig dump -j 2 --chunk-size 1k "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/d"
	# small chunks really split the tables
	[ "$(ls "$BATS_TEST_TMPDIR/d" | grep -c '^t00001_')" -gt 1 ]
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 pgcompare "$(pg_uri zoo_src)" "$dst"
}

@test "pgbench: dump -j 2 and load -j 2 give identical contents, indexes and sequences" {
	dst=$(new_db bench_dst)
	run -0 dbmig dump -j 2 --chunk-size 2M "$(pg_uri bench_src)" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "rows 105"
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 pgcompare "$(pg_uri bench_src)" "$dst"
	assert_output --partial "equal: 4 tables"
	run -0 psql_at "$dst" "SELECT last_value FROM pgbench_history_id_seq"
	assert_output 5000
	# The same values set again outside the load (what cutover will do),
	# after the target's sequence moved on by itself.
	psql_at "$dst" "SELECT setval('pgbench_history_id_seq', 7)" >/dev/null
	run -0 "$REPO_ROOT/tests/tools/seqsync" "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 psql_at "$dst" "SELECT last_value, is_called FROM pgbench_history_id_seq"
	assert_output "5000|t"
}

@test "the dump is private and its manifest records what it must" {
	umask 022
	run -0 dbmig dump "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/d"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/d")" = 700 ]
	for f in "$BATS_TEST_TMPDIR"/d/*; do
		[ "$(stat -c %a "$f")" = 600 ]
	done
	m="$BATS_TEST_TMPDIR/d/manifest.json"
	run -0 jq -r '[.format, .format_version, .source.engine, .source.database, .snapshot.kind] | join(" ")' "$m"
	assert_output "dbmig-dump 1 postgresql zoo_src pg-exported-snapshot"
	run -0 jq -r '.snapshot.position' "$m"
	assert_output --regexp '^[0-9A-F]+/[0-9A-F]+$'
	run -0 jq -r '.source.server_version' "$m"
	assert_output --regexp '^1[0-9]'
	run -0 jq -r '.schema.tables[] | select(.name=="child") | .chunks[0] | [.file, .rows, (.bytes > 0), (.xxh3_128 | length)] | join(" ")' "$m"
	assert_output --regexp '^t[0-9]{5}_c00000\.zst 1000 true 32$'
	run -0 jq -r '.schema.tables[] | select(.name=="scalars") | .columns[] | select(.name=="tstz") | .type.t' "$m"
	assert_output timestamptz
	# No temporaries left behind.
	run -0 bash -c "ls -A '$BATS_TEST_TMPDIR/d' | grep -c tmp || true"
	assert_output 0
}

@test "include and exclude patterns choose the tables" {
	run -0 dbmig dump -t 'zoo.par*' -t child "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/a"
	run -0 jq -r '[.schema.tables[].name] | join(",")' "$BATS_TEST_TMPDIR/a/manifest.json"
	assert_output "child,parent"
	run -0 dbmig dump -T 'zoo.*rr*' -T nopk "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/b"
	run -0 jq -r '[.schema.tables[].name] | join(",")' "$BATS_TEST_TMPDIR/b/manifest.json"
	assert_output "child,empty_table,parent,scalars"
	dst=$(new_db zoo_part)
	run -0 dbmig load "$BATS_TEST_TMPDIR/a" "$dst"
	run -0 psql_at "$dst" "SELECT count(*) FROM zoo.child"
	assert_output 1000
}

@test "--schema-only then --data-only dumps load into an equal database" {
	dst=$(new_db zoo_split)
	run -0 dbmig dump --schema-only "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/s"
	run -0 jq -r '[.has_schema, .has_data, ([.schema.tables[].chunks[]] | length)] | join(" ")' "$BATS_TEST_TMPDIR/s/manifest.json"
	assert_output "true false 0"
	run -0 dbmig dump --data-only "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/da"
	run -0 dbmig load "$BATS_TEST_TMPDIR/s" "$dst"
	run -0 psql_at "$dst" "SELECT count(*) FROM zoo.child"
	assert_output 0
	# The data-only load goes into the existing, indexed tables; the
	# FK order does not matter because constraints are already there
	# only on the schema-only side; keys are checked row by row.
	run -0 dbmig load "$BATS_TEST_TMPDIR/da" "$dst"
	run -0 pgcompare "$(pg_uri zoo_src)" "$dst"
	# Sequences are set by the schema load (from the schema-only dump).
	assert_output --partial "equal: "
}

@test "load --schema-only and --data-only split one dump" {
	dst=$(new_db zoo_split2)
	run -0 dbmig dump "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/d"
	run -0 dbmig load --schema-only "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 psql_at "$dst" "SELECT count(*) FROM zoo.parent"
	assert_output 0
	run -0 dbmig load --data-only "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 pgcompare "$(pg_uri zoo_src)" "$dst"
}

@test "a second load of a finished dump does nothing and changes nothing" {
	dst=$(new_db zoo_twice)
	run -0 dbmig dump "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/d"
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "chunks loaded 0, already loaded 5"
	assert_output --partial "steps run 0"
	run -0 pgcompare "$(pg_uri zoo_src)" "$dst"
}

@test "a non-empty target table the ledger does not know is refused, --truncate empties it" {
	dst=$(new_db zoo_nonempty)
	run -0 dbmig dump --schema-only "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/s"
	run -0 dbmig dump --data-only "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/da"
	run -0 dbmig load "$BATS_TEST_TMPDIR/s" "$dst"
	psql_at "$dst" "INSERT INTO zoo.nopk VALUES (99, 'stranger')"
	run -4 dbmig load "$BATS_TEST_TMPDIR/da" "$dst"
	assert_output --partial "target table zoo.nopk already holds rows"
	assert_output --partial "--truncate"
	# Nothing was loaded by the refused run.
	run -0 psql_at "$dst" "SELECT count(*) FROM zoo.child"
	assert_output 0
	run -0 dbmig load --truncate "$BATS_TEST_TMPDIR/da" "$dst"
	run -0 psql_at "$dst" "SELECT count(*) FROM zoo.nopk WHERE a = 99"
	assert_output 0
	run -0 pgcompare "$(pg_uri zoo_src)" "$dst"
}

@test "loading a full dump over existing tables names the table and the way out" {
	dst=$(new_db zoo_exists)
	run -0 dbmig dump "$(pg_uri zoo_src)" -o "$BATS_TEST_TMPDIR/d"
	psql_at "$dst" "CREATE SCHEMA zoo; CREATE TABLE zoo.parent (x int)"
	run -4 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "already exists"
	assert_output --partial "--data-only"
	# The failed schema step left nothing half-made.
	run -0 psql_at "$dst" "SELECT count(*) FROM pg_class WHERE relname = 'scalars'"
	assert_output 0
}

@test "-T on a partitioned table leaves out its partitions too" {
	src=$(new_db part_t_src)
	psql_at "$src" "CREATE TABLE m (id int, d date) PARTITION BY RANGE (d); CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); CREATE TABLE plain (x int)"
	run -0 dbmig dump -T m "$src" -o "$BATS_TEST_TMPDIR/d"
	run -0 jq -r '[.schema.tables[].name] | join(",")' "$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output plain
}

@test "an unmapped type is dumped as its text form, tagged; back to PostgreSQL it is its type again" {
	src=$(new_db odd_src)
	psql_at "$src" "CREATE TABLE public.geo (id int PRIMARY KEY, p point, m money); INSERT INTO geo VALUES (1, '(1.5,2)', 12.34), (2, NULL, NULL)"
	psql_at "$src" "CREATE VIEW public.geo_v AS SELECT id FROM geo"
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	run -0 jq -r '.schema.tables[0].columns[1] | [.type.t, .unmapped_from] | join(" ")' "$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output "text point"
	run -0 jq -r '.schema.warnings | length' "$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output 2
	# The view is kept by definition, and recreated by the load.
	run -0 jq -r '.schema.objects[] | select(.kind != "owner of" and .kind != "role") | [.kind, .schema, .name] | join(" ")' \
		"$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output "view public geo_v"
	dst=$(new_db odd_dst)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 psql_at "$dst" "SELECT count(*) FROM public.geo_v"
	assert_output 2
	run -0 pgcompare "$src" "$dst"
}

@test "all workers read one snapshot: pgbench's balances agree in a dump taken under load" {
	src=$(new_db busy_src)
	pgbench -q -i -s 2 "$src" >/dev/null 2>&1
	# TPC-B moves the same delta into accounts, tellers, branches and
	# history in one transaction: the four sums agree in any consistent
	# snapshot, and drift apart if tables were read at different times.
	pgbench -n -c 4 -T 6 "$src" >/dev/null 2>&1 &
	bench=$!
	sleep 1
	run -0 dbmig dump -j 2 --chunk-size 512k "$src" -o "$BATS_TEST_TMPDIR/d"
	wait "$bench"
	dst=$(new_db busy_dst)
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 psql_at "$dst" "SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(tbalance) FROM pgbench_tellers) AND (SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT sum(bbalance) FROM pgbench_branches) AND (SELECT sum(bbalance) FROM pgbench_branches) = (SELECT coalesce(sum(delta), 0) FROM pgbench_history)"
	assert_output t
	# ... and the dump caught the source mid-flight, not before or after.
	run -0 psql_at "$dst" "SELECT count(*) > 0 FROM pgbench_history"
	assert_output t
	run -0 psql_at "$src" "SELECT (SELECT count(*) FROM pgbench_history) > $(psql_at "$dst" 'SELECT count(*) FROM pgbench_history')"
	assert_output t
}

@test "functions, views, materialized views and triggers are recreated; what fails is reported" {
	src=$(new_db obj_src)
	psql_at "$src" "CREATE TABLE t (id int PRIMARY KEY, v int, changed timestamptz);
		CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
		CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.changed := now(); RETURN NEW; END \$\$;
		CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
		CREATE VIEW v1 AS SELECT id, double_it(v) AS v2 FROM t;
		CREATE VIEW v2 AS SELECT id FROM v1 WHERE v2 > 2;
		CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM t;
		INSERT INTO t VALUES (1, 1, NULL), (2, 2, NULL)"
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_db obj_dst)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	refute_output --partial "not migrated"
	run -0 psql_at "$dst" "SELECT string_agg(id::text, ',') FROM v2"
	assert_output 2
	run -0 psql_at "$dst" "SELECT n FROM mv"
	assert_output 2
	run -0 psql_at "$dst" "UPDATE t SET v = 5 WHERE id = 1 RETURNING changed IS NOT NULL"
	assert_output t
	# A view the target cannot take is reported, and the load still succeeds.
	dst2=$(new_db obj_dst2)
	psql_at "$dst2" "CREATE TABLE public.v1 (x int)"
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst2"
	assert_output --partial "view public.v1 was not migrated"
	assert_output --partial "already exists"
	assert_output --partial "objects not migrated: views, routines, triggers, owners or grants (reported above)"
}

@test "publications and collations are carried; what is not (a foreign data wrapper, an operator class) is named" {
	src=$(new_db named_src)
	psql_at "$src" "CREATE TABLE t (x int); GRANT SELECT ON t TO PUBLIC; CREATE PUBLICATION pub_all FOR ALL TABLES;
		CREATE COLLATION c_de (provider = icu, locale = 'de'); CREATE FOREIGN DATA WRAPPER named_fdw;
		CREATE OPERATOR CLASS rev_ops FOR TYPE int USING btree AS OPERATOR 1 >, FUNCTION 1 btint4cmp(int, int)"
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	refute_output --partial "privileges on public.t"
	refute_output --partial "pub_all"
	refute_output --partial "c_de"
	assert_output --partial "foreign data wrapper named_fdw: not carried"
	assert_output --partial "operator class public.rev_ops USING btree: not carried"
	run -0 jq -r '.schema.warnings | length' "$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output 2
	dst=$(new_db named_dst)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 psql_at "$dst" "SELECT pubname, puballtables FROM pg_publication; SELECT collname FROM pg_collation WHERE collname = 'c_de'"
	assert_output "pub_all|t
c_de"
}

@test "owners and GRANTs carry as pg_dump carries them; --no-owner and --no-privileges leave them out; a missing role is named" {
	for db in own_src own_dst own_none; do
		psql_at "$PG_URI" "DROP DATABASE IF EXISTS $db" >/dev/null
	done
	psql_at "$PG_URI" "DROP ROLE IF EXISTS own_app; DROP ROLE IF EXISTS own_reader;
		CREATE ROLE own_app; CREATE ROLE own_reader" >/dev/null
	src=$(new_db own_src)
	psql_at "$src" "CREATE TABLE t (id serial PRIMARY KEY, v text); ALTER TABLE t OWNER TO own_app;
		GRANT SELECT ON t TO own_reader; GRANT SELECT, UPDATE ON t TO PUBLIC;
		CREATE VIEW tv AS SELECT * FROM t; GRANT SELECT ON tv TO own_reader WITH GRANT OPTION;
		CREATE SEQUENCE s; GRANT USAGE ON SEQUENCE s TO own_reader; INSERT INTO t (v) VALUES ('a');
		CREATE SCHEMA app AUTHORIZATION own_app; GRANT USAGE ON SCHEMA app TO own_reader;
		CREATE FUNCTION app.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
		ALTER FUNCTION app.f(int) OWNER TO own_reader; REVOKE ALL ON FUNCTION app.f(int) FROM PUBLIC;
		GRANT EXECUTE ON FUNCTION app.f(int) TO own_app;
		CREATE TYPE app.mood AS ENUM ('a', 'b'); ALTER TYPE app.mood OWNER TO own_reader;
		CREATE DOMAIN app.pos AS int CHECK (VALUE > 0); GRANT USAGE ON DOMAIN app.pos TO own_app;
		CREATE TABLE app.none (x app.pos); REVOKE ALL ON app.none FROM PUBLIC, postgres" >/dev/null
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_db own_dst)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	refute_output --partial "not migrated"
	# schemas, functions and types too, and an ACL that grants nothing
	run -0 pg_schemas_agree "$src" "$dst"
	dst=$(new_db own_none)
	run -0 dbmig load --no-owner --no-privileges "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 psql_at "$dst" "SELECT string_agg(relname || ':' || pg_get_userbyid(relowner) || ':' ||
		coalesce(relacl::text, '-'), ' ' ORDER BY relname) FROM pg_class WHERE relname IN ('t', 'tv', 's')"
	assert_output "s:postgres:- t:postgres:- tv:postgres:-"
}

@test "roles the target lacks are named before anything is created; --roles creates them without passwords, --strict refuses" {
	psql_at "$PG_URI" "DROP ROLE IF EXISTS own_gone; CREATE ROLE own_gone LOGIN CREATEDB PASSWORD 'secret-pw';
		DROP ROLE IF EXISTS own_owner; CREATE ROLE own_owner" >/dev/null
	src=$(new_db own_src2)
	psql_at "$src" "CREATE TABLE g (x int); GRANT SELECT ON g TO own_gone; ALTER TABLE g OWNER TO own_owner" >/dev/null
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/d2" >/dev/null
	run ! grep -r secret-pw "$BATS_TEST_TMPDIR/d2"
	psql_at "$PG_URI" "DROP DATABASE own_src2" >/dev/null
	psql_at "$PG_URI" "DROP ROLE own_gone; DROP ROLE own_owner" >/dev/null
	# said first, with the way out; the load goes on and names what it could not set
	dst=$(new_db own_missing)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d2" "$dst"
	assert_line --index 0 --partial "the target lacks roles own_gone, own_owner, which the source's objects are owned by or granted to"
	assert_output --partial "pass --roles to create them (without passwords), or --no-owner --no-privileges"
	assert_output --partial "privileges on public.g was not migrated"
	assert_output --partial 'role "own_owner" does not exist'
	# --strict: refused before the target is touched
	dst=$(new_db own_strict)
	run -7 dbmig load --strict "$BATS_TEST_TMPDIR/d2" "$dst"
	assert_output --partial "the target lacks roles own_gone, own_owner"
	run -0 psql_at "$dst" "SELECT count(*) FROM pg_class WHERE relname = 'g'"
	assert_output 0
	# --roles: created with their attributes, no password, then owner and grants hold
	dst=$(new_db own_roles)
	run -0 dbmig load --roles "$BATS_TEST_TMPDIR/d2" "$dst"
	assert_output --partial "creating 2 roles the target lacks (--roles, without passwords): own_gone, own_owner"
	refute_output --partial "not migrated"
	run -0 psql_at "$dst" "SELECT rolname || ':' || rolcanlogin || ':' || rolcreatedb || ':' ||
		(rolpassword IS NULL) FROM pg_authid WHERE rolname IN ('own_gone', 'own_owner') ORDER BY 1"
	assert_output "own_gone:true:true:true
own_owner:false:false:true"
	run -0 psql_at "$dst" "SELECT pg_get_userbyid(relowner) || ' ' || relacl::text FROM pg_class WHERE relname = 'g'"
	assert_output "own_owner {own_owner=arwdDxt/own_owner,own_gone=r/own_owner}"
	# a second load with the roles there: nothing to create, nothing said
	run -0 dbmig load --roles "$BATS_TEST_TMPDIR/d2" "$(new_db own_roles2)"
	refute_output --partial "roles the target lacks"
	for db in own_missing own_strict own_roles own_roles2; do
		psql_at "$PG_URI" "DROP DATABASE $db" >/dev/null
	done
	psql_at "$PG_URI" "DROP ROLE own_gone; DROP ROLE own_owner" >/dev/null
}

@test "every PostgreSQL type carries natively, extensions and composite types included: pg_dump -s of both sides agree" {
	src=$(new_db nat_src)
	psql_at "$src" "CREATE EXTENSION citext; CREATE EXTENSION hstore;
		CREATE TYPE pt AS (x int, y int);
		CREATE DOMAIN short_text AS text CHECK (char_length(VALUE) < 10);
		CREATE TABLE d (id int PRIMARY KEY, tv tsvector, q tsquery, r int4range, tr tstzrange,
			mr int4multirange, c citext UNIQUE, h hstore, p pt, pa pt[], ra int4range[],
			s short_text, b bit(4), vb varbit(8), pnt point, m money);
		CREATE INDEX d_tv ON d USING gin (tv);
		INSERT INTO d VALUES (1, to_tsvector('english', 'the quick brown fox'), 'fox & dog',
			'[1,5)', '[2024-01-01 00:00+00,2024-02-01 00:00+00)', '{[1,3),[5,7)}', 'MiXed',
			'a=>1, b=>\"x y\"', '(1,2)', ARRAY['(3,4)'::pt, NULL], '{\"[1,2)\",empty}', 'short',
			B'1010', B'11', '(1.5,2)', 12.34), (2, NULL, NULL, NULL, NULL, NULL, 'other', NULL,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)" >/dev/null
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_db nat_dst)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 dbmig verify "$src" "$dst"
	assert_output --partial "equal: 1 table, 2 rows"
	# the schema, as pg_dump prints it, line for line (its per-run
	# \restrict key aside, and dbmig's own _dbmig schema left out)
	run -0 pg_schemas_agree "$src" "$dst"
	# citext's case-insensitive uniqueness holds on the target
	run -1 psql_at "$dst" "INSERT INTO d (id, c) VALUES (3, 'mixed')"
	assert_output --partial "duplicate key"
}

@test "a target without an extension the tables use is refused, naming it, before any table is created" {
	src=$(new_db ext_src)
	psql_at "$src" "CREATE EXTENSION citext; CREATE TABLE e (id int PRIMARY KEY, c citext)" >/dev/null
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/d" >/dev/null
	# an edited dump naming an extension no server has (the digest is dropped,
	# so it is read with a warning), as a target without the package would be
	jq '.schema.objects |= map(if .kind == "extension" and .name == "citext" then
		.name = "no_such_ext" | .definition = "CREATE EXTENSION IF NOT EXISTS no_such_ext WITH SCHEMA public" else . end)
		| del(.manifest_xxh3_128)' "$BATS_TEST_TMPDIR/d/manifest.json" >"$BATS_TEST_TMPDIR/m" &&
		mv "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/d/manifest.json"
	dst=$(new_db ext_dst)
	run -4 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	assert_output --partial "the target cannot create extension no_such_ext"
	assert_output --partial "postgresql-contrib"
	run -0 psql_at "$dst" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
	assert_output 0
}

@test "partitioned tables at any depth: pg_dump -s of both sides agree, rows verify, read per partition" {
	src=$(new_db part_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/partitions.sql" >/dev/null
	run -0 dbmig dump -j 2 "$src" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "tables 13, rows 31053"
	# a partitioned table has no chunks of its own; its partitions do
	run -0 jq -r '.schema.tables[] | select(.name == "events") | [.partition_key, (.chunks | length)] | join(" ")' \
		"$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output "RANGE (at) 0"
	run -0 jq -r '.schema.tables[] | select(.name == "events_2024_02_rest") | [.partition_of, .partition_bound] | join(" ")' \
		"$BATS_TEST_TMPDIR/d/manifest.json"
	assert_output "public.events_2024_02 DEFAULT"
	for how in load copy; do
		dst=$(new_db "part_$how")
		if [ $how = load ]; then
			run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
		else
			run -0 dbmig copy -j 2 "$src" "$dst"
		fi
		# compared as one table each: the roots
		run -0 dbmig verify "$src" "$dst"
		assert_output --partial "equal: 4 tables, 31053 rows"
		refute_output --partial "events_2024"
		run -0 pg_schemas_agree "$src" "$dst"
	done
	# against the dump, partition by partition
	run -0 dbmig verify -q "$BATS_TEST_TMPDIR/d" "$(pg_uri part_load)"
	# -t names the root: its partitions come with it
	run -0 dbmig dump -t events "$src" -o "$BATS_TEST_TMPDIR/e"
	run -0 jq -r '[.schema.tables[].name] | sort | join(",")' "$BATS_TEST_TMPDIR/e/manifest.json"
	assert_output "events,events_2024_01,events_2024_02,events_2024_02_a,events_2024_02_rest,events_other"
}

@test "the whole schema at once: pg_dump -s of the source and of the target agree line for line" {
	src=$(new_db parity_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/pg_parity.sql" >/dev/null
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_db parity_dst)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	refute_output --partial "not migrated"
	run -0 pg_schemas_agree "$src" "$dst"
	run -0 dbmig verify "$src" "$dst"
	run -0 pgcompare "$src" "$dst"
	# the sequences continue where the source's stand
	run -0 psql_at "$dst" "SELECT nextval('shop.ord_seq'), nextval('shop.free_seq')"
	assert_output "3|100"
}

@test "every object class pg_dump -s prints (aggregates, operators, casts, text search, collations, rules, statistics, policies, publications, event triggers, comments): pg_dump -s of both sides agree" {
	src=$(new_db objs_src)
	psql -X -q -v ON_ERROR_STOP=1 "$src" -f "$REPO_ROOT/tests/fixtures/pg_objects.sql" >/dev/null
	run -0 dbmig dump "$src" -o "$BATS_TEST_TMPDIR/d"
	refute_output --partial "warnings recorded"
	dst=$(new_db objs_dst)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	refute_output --partial "not migrated"
	run -0 pg_schemas_agree "$src" "$dst"
	# Pagila's: the view over the aggregate, the SQL function naming a
	# table without its schema
	run -0 psql_at "$dst" "SELECT titles FROM app.film_list WHERE rating = 'PG';
		SET search_path = app; SELECT count(*) FROM film_in_stock(1, 1)"
	assert_output "ACADEMY DINOSAUR
1"
	run -0 dbmig verify "$src" "$dst"
}

@test "load --schema-only, then load: the rows go in under the foreign keys the first load made" {
	src=$(new_db so_src)
	psql_at "$src" "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p);
		CREATE TABLE cc (id int PRIMARY KEY, c int REFERENCES c);
		INSERT INTO p SELECT generate_series(1, 100); INSERT INTO c SELECT g, g FROM generate_series(1, 100) g;
		INSERT INTO cc SELECT g, g FROM generate_series(1, 100) g" >/dev/null
	dbmig -q dump "$src" -o "$BATS_TEST_TMPDIR/so"
	dst=$(new_db so_dst)
	run -0 dbmig load --schema-only "$BATS_TEST_TMPDIR/so" "$dst"
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/so" "$dst"
	assert_output --partial "rows 300"
	run -0 dbmig verify "$BATS_TEST_TMPDIR/so" "$dst"
	run -0 psql_at "$dst" "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated"
	assert_output 2
}
