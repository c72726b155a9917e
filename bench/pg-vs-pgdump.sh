#!/usr/bin/env bash
# pg-vs-pgdump.sh [SCALE] - dbmig dump/load against pg_dump -Fd / pg_restore
# on a pgbench database of the given scale (default 10: 1,000,000 accounts),
# both with 2 jobs, on a throwaway server. Prints wall seconds, peak RSS and
# dump size per step, and checks both copies equal the source. A script
# that prints figures, not a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
scale=${1:-10}
bench_start pg
base=$pgb
for db in src dst_dbmig dst_pgdump; do psql -X -q "$base/postgres" -c "CREATE DATABASE $db"; done
pgbench -q -i -s "$scale" "$base/src" >/dev/null 2>&1
psql -X -q "$base/src" -c "VACUUM ANALYZE" -c "CHECKPOINT"

measure() {	# measure LABEL CMD...: prints "label  wall  rss"
	local label=$1; shift
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
	read -r wall rss <"$work/time"
	printf '%-34s %8.2f s %9.1f MB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)"
}

bindir=$(servers__pg_bindir)
echo "pgbench scale $scale ($(psql -X -At "$base/src" -c 'SELECT count(*) FROM pgbench_accounts') accounts), PostgreSQL $(psql -X -At "$base/src" -c 'SHOW server_version'), $(nproc) cores"
printf '%-34s %10s %12s\n' step wall "peak RSS"
measure "dbmig dump -j 2" ./dbmig -q dump -j 2 "$base/src" -o "$work/dbmig"
measure "dbmig load -j 2" ./dbmig -q load -j 2 "$work/dbmig" "$base/dst_dbmig"
measure "pg_dump -Fd -j 2" "$bindir/pg_dump" -Fd -j 2 -f "$work/pgdump" "$base/src"
measure "pg_restore -j 2" "$bindir/pg_restore" -j 2 -d "$base/dst_pgdump" "$work/pgdump"
printf 'dump size: dbmig %s, pg_dump %s\n' "$(du -sh "$work/dbmig" | cut -f1)" "$(du -sh "$work/pgdump" | cut -f1)"
tests/helpers/pgcompare.sh "$base/src" "$base/dst_dbmig" | sed 's/^/dbmig copy: /'
tests/helpers/pgcompare.sh "$base/src" "$base/dst_pgdump" | sed 's/^/pg_dump copy: /'
