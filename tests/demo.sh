#!/usr/bin/env bash
# demo.sh - `make demo`: start throwaway servers, make a sample database,
# migrate it PostgreSQL -> PostgreSQL with dbmig, and show it is equal by
# an independent comparison. Everything is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/servers.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dbmig-demo.XXXXXX")
trap 'servers_stop_all; rm -rf "$work"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "starting a throwaway PostgreSQL server on loopback"
servers_start_pg
echo "PostgreSQL at 127.0.0.1:$PG_PORT (data in $SERVERS_DIR)"
src="postgresql://postgres@127.0.0.1:$PG_PORT/shop"
dst="postgresql://postgres@127.0.0.1:$PG_PORT/shop_copy"
psql -X -q "$PG_URI" -c "CREATE DATABASE shop" -c "CREATE DATABASE shop_copy"

say "making the sample database 'shop': pgbench (scale 5) and a type zoo"
pgbench -q -i -s 5 "$src" 2>&1 | tail -1
psql -X -q -v ON_ERROR_STOP=1 "$src" -f tests/fixtures/typezoo.sql >/dev/null
psql -X -q "$src" -c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY"

say "dbmig dump -j 2 $src -o $work/shop"
./dbmig dump -j 2 "$src" -o "$work/shop"
ls -l "$work/shop" | head -8

say "dbmig load -j 2 $work/shop $dst"
./dbmig load -j 2 "$work/shop" "$dst"

say "comparing every table, column, constraint, index and sequence (tests/helpers/pgcompare.sh)"
tests/helpers/pgcompare.sh "$src" "$dst"

say "demo finished: the migrated database is identical to its source"
