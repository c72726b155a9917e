#!/usr/bin/env bash
# demo.sh - `make demo`: start throwaway servers, make sample databases,
# migrate MySQL/MariaDB -> PostgreSQL and PostgreSQL -> PostgreSQL with
# dbmig, and show each copy equal to its source by an independent
# comparison; then an online migration with its cutover through
# PgBouncer while clients write, ending with the write pause and the
# proof that every acknowledged write arrived. Everything is removed at
# the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/servers.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/dbmig-demo.XXXXXX")
trap 'servers_stop_all; rm -rf "$work"' EXIT

# Bold headings on a terminal only: a log file or a CI page gets plain text.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi

say "starting throwaway PostgreSQL and MariaDB servers on loopback"
servers_start_pg
servers_start_mysql
echo "PostgreSQL at 127.0.0.1:$PG_PORT, MariaDB at 127.0.0.1:$MY_PORT (data in $SERVERS_DIR)"

my() { mariadb --no-defaults --default-character-set=utf8mb4 -h 127.0.0.1 -P "$MY_PORT" -uroot "$@"; }
say "making the MariaDB sample database 'store': a type zoo and 200,000 orders"
my -e "CREATE DATABASE store CHARACTER SET utf8mb4"
my store <tests/fixtures/mysql_typezoo.sql
my store -e "UPDATE texts SET t = REPLACE(t, CHAR(0), '') WHERE id = 3;
	CREATE TABLE orders (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, parent_id int NOT NULL,
	  placed datetime(6) NOT NULL, amount decimal(12,2) NOT NULL, paid tinyint(1) NOT NULL DEFAULT 0,
	  note varchar(200), KEY k_placed (placed),
	  CONSTRAINT fk_orders_parent FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
	INSERT INTO orders (parent_id, placed, amount, paid, note)
	  SELECT 1 + seq % 300, '2024-01-01' + INTERVAL seq * 7 SECOND + INTERVAL seq % 1000 MICROSECOND,
	         (seq * 37 % 100000) / 100, seq % 2, IF(seq % 5 = 0, NULL, CONCAT('order ', seq, ' ✓'))
	  FROM seq_1_to_200000"
mysrc="mysql://root@127.0.0.1:$MY_PORT/store"
mydst="postgresql://postgres@127.0.0.1:$PG_PORT/store_pg"
psql -X -q "$PG_URI" -c "CREATE DATABASE store_pg"

say "dbmig dump -j 2 $mysrc -o $work/store"
./dbmig dump -j 2 "$mysrc" -o "$work/store"

say "dbmig load -j 2 $work/store $mydst"
./dbmig load -j 2 "$work/store" "$mydst"

say "dbmig verify -j 2 $mysrc $mydst"
./dbmig verify -j 2 "$mysrc" "$mydst"

say "a change behind dbmig's back: dbmig verify names the row and the column (exit 1)"
psql -X -q "$mydst" -c "UPDATE store.orders SET amount = amount + 0.01 WHERE id = 4242"
./dbmig verify -q -t orders "$mysrc" "$mydst" || echo "(exit status $?)"
psql -X -q "$mydst" -c "UPDATE store.orders SET amount = amount - 0.01 WHERE id = 4242"

say "and independently: every MariaDB row against its PostgreSQL copy (tests/helpers/xcompare.sh)"
tests/helpers/xcompare.sh 127.0.0.1 "$MY_PORT" store "$mydst" store
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

say "dbmig verify --mode=rows $src $dst"
./dbmig verify --mode=rows "$src" "$dst"

say "and independently: every table, column, constraint, index and sequence (tests/helpers/pgcompare.sh)"
tests/helpers/pgcompare.sh "$src" "$dst"

if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
	say "the online act needs pgbouncer (apt-get install pgbouncer): skipped"
	say "demo finished: both migrated databases are identical to their sources"
	exit 0
fi

say "online: clients write to 'live' through PgBouncer (pgbench -c 4, and a writer of numbered rows)"
live="postgresql://postgres@127.0.0.1:$PG_PORT/live"
live_new="postgresql://postgres@127.0.0.1:$PG_PORT/live_new"
psql -X -q "$PG_URI" -c "CREATE DATABASE live" -c "CREATE DATABASE live_new"
pgbench -q -i -s 1 "$live" 2>&1 | tail -1
psql -X -q "$live" -c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" \
	-c "CREATE TABLE acks (n int PRIMARY KEY)"
servers_start_pgbouncer app live
echo "PgBouncer at 127.0.0.1:$PGB_PORT; the clients connect to $PGB_URI"
pgbench -n -c 4 -T 15 "$PGB_URI" >"$work/pgbench.log" 2>&1 &
bench=$!
tests/helpers/ack_writer.sh "$PGB_URI" acks "$work/acks" &
writer=$!
trap 'kill $bench $writer ${tail_pid:-} 2>/dev/null || true; servers_stop_all; rm -rf "$work"' EXIT

say "dbmig dump --online $live -o $work/live; dbmig load $work/live $live_new"
./dbmig dump --online "$live" -o "$work/live" 2>&1 | grep -v ' info: ' | tail -3
./dbmig load "$work/live" "$live_new" 2>&1 | tail -1

say "dbmig cdc-tail $live $live_new (left running)"
./dbmig cdc-tail --progress=none "$live" "$live_new" 2>"$work/tail.log" &
tail_pid=$!
sleep 3

say "dbmig verify $live $live_new: the live pair, at one position"
./dbmig verify "$live" "$live_new" 2>&1 | tail -1

say "dbmig cutover-plan $live $live_new: readiness and the runbook"
./dbmig cutover-plan "$live" "$live_new" --proxy "$PGB_ADMIN_URI" --proxy-config "$PGB_CONFIG"

say "dbmig cutover-plan --execute --proxy ... --proxy-config ...: the switch, the clients still writing"
./dbmig cutover-plan "$live" "$live_new" --execute --proxy "$PGB_ADMIN_URI" \
	--proxy-config "$PGB_CONFIG" | grep -v '^ok\|^info\|^ready'
wait "$tail_pid" 2>/dev/null || true
sleep 2
kill "$writer"
wait "$bench" || true
echo "the clients' connection string $PGB_URI now reaches: $(psql -X -At "$PGB_URI" -c 'SELECT current_database()')"

say "every acknowledged write is on the new primary"
sort -n "$work/acks" >"$work/acked"
psql -X -At "$live_new" -c "SELECT n FROM acks ORDER BY n" | sort -n >"$work/there"
missing=$(comm -23 "$work/acked" "$work/there" | wc -l)
echo "$(wc -l <"$work/acked") numbered rows acknowledged to the writer, $missing missing on $live_new;" \
	"pgbench: $(sed -n 's/^number of failed transactions: //p' "$work/pgbench.log") failed"
[ "$missing" = 0 ]

say "demo finished: both migrated databases are identical to their sources, and the live one was switched with no write lost"
