# common.sh - sourced by the bench scripts: throwaway servers and a work
# directory, both removed on exit, and the few helpers every script uses.
#
#   bench_start pg|mysql...   start those servers; sets work, pgb (a
#                             PostgreSQL base URI), myu (a MySQL base URI)
#   my ARGS...                the mariadb client, as root
#   newpg DB / newmy DB       a fresh, empty database
#   bench_target_pg, newtpg DB  a second PostgreSQL for targets (tpgb)
#   settle                    checkpoints and syncs before a timed run

cd "$(dirname "$0")/.."
. tests/servers.sh

bench_start() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/dbmig-bench.XXXXXX")
	trap 'servers_stop_all; rm -rf "$work"' EXIT
	for s in "$@"; do
		case $s in
		pg) servers_start_pg >/dev/null ;;
		mysql) servers_start_mysql >/dev/null ;;
		esac
	done
	pgb="postgresql://postgres@127.0.0.1:${PG_PORT:-}"
	myu="mysql://root@127.0.0.1:${MY_PORT:-}"
}

# bench_target_pg: a PostgreSQL server of its own for the targets, so
# that no consumer's slot on the source reads the WAL of another's apply
# (a slot reads all of its cluster's WAL); sets tpgb, its base URI
bench_target_pg() {
	local t
	t=$( unset SERVERS_DIR; servers_start_pg >/dev/null; echo "$SERVERS_DIR $PG_PORT" )
	read -r tpg_dir tpg_port <<<"$t"
	trap 'servers_stop_all "$tpg_dir"; servers_stop_all; rm -rf "$work"' EXIT
	tpgb="postgresql://postgres@127.0.0.1:$tpg_port"
}
newtpg() { psql -X -q "$tpgb/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }

# settle: each consumer starts alike, with no dirty pages of the one
# before it being written meanwhile (the servers share the disk)
settle() {
	psql -X -q "$pgb/postgres" -c CHECKPOINT
	[ -z "${tpgb:-}" ] || psql -X -q "$tpgb/postgres" -c CHECKPOINT
	[ -z "${MY_PORT:-}" ] || my -e "FLUSH TABLES" 2>/dev/null || true
	sync
	sleep 1
}

my() { mariadb --no-defaults -h 127.0.0.1 -P "$MY_PORT" -uroot "$@"; }
newpg() { psql -X -q "$pgb/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }
newmy() { my -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"; }
