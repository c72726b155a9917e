#!/usr/bin/env bash
# verify.sh [ROWS_PER_TABLE] [BIG_ROWS] - dbmig verify against its floor,
# on throwaway servers, in one run.
#
# Data: sysbench 4 x ROWS (default 500000, as bench/peers.sh) on MariaDB
# and PostgreSQL, migrated by dbmig into PostgreSQL->PostgreSQL,
# MariaDB->PostgreSQL and MariaDB->MariaDB pairs; and one table of
# BIG_ROWS (default 2000000) in each engine, for -j inside one table.
#
# The floor: the raw hash SQL over the same rows, on both sides at once,
# one session a side running the four tables in turn:
# sum(hashtextextended(t::text, 0)) in PostgreSQL (with its parallel
# workers), sum(crc32(concat_ws('|', ...))) in MariaDB. It is no exact
# comparison (CRC32 is 32 bits; concat_ws skips NULLs and cannot tell
# 'a|b','c' from 'a','b|c'), only what reading and hashing the rows costs.
#
# Each trial runs BENCH_REPS times (default 3), warmed by one run first,
# in rounds that run the floor and each trial of a pair in turn; printed: the median wall time, the range, the median over the floor's
# median, the peak RSS of dbmig over the runs, and how busy the machine's
# cores were (median of the runs; 100% is every core, servers and dbmig
# together: -j cannot help a run that is there already). A script that
# prints figures, not a test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rows=${1:-500000}
big=${2:-2000000}
reps=${BENCH_REPS:-3}
bench_start pg mysql

my -e "CREATE DATABASE sbtest; CREATE DATABASE sbbig"
newpg sbtest
newpg sbbig
sb() {	# sb TABLES ROWS DRIVER-OPTIONS...
	local n=$1 r=$2; shift 2
	sysbench oltp_read_write --tables="$n" --table-size="$r" --threads=2 \
		--rand-seed=20240601 "$@" prepare >>"$work/sysbench.log" 2>&1
}
sbmy() { sb "$1" "$2" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MY_PORT" --mysql-user=root --mysql-db="$3"; }
sbpg() { sb "$1" "$2" --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$PG_PORT" --pgsql-user=postgres --pgsql-db="$3"; }
sbmy 4 "$rows" sbtest
sbpg 4 "$rows" sbtest
sbmy 1 "$big" sbbig
sbpg 1 "$big" sbbig
# the pairs: each source migrated by dbmig
migrate() {	# SRC TGT
	./dbmig -q dump -j 2 "$1" -o "$work/d" >/dev/null
	./dbmig -q load -j 2 "$work/d" "$2" >/dev/null
	rm -rf "$work/d"
}
for db in pp mp pbig mpbig; do newpg "$db"; done
for db in mm mmbig; do newmy "$db"; done
migrate "$pgb/sbtest" "$pgb/pp"
migrate "$myu/sbtest" "$pgb/mp"
migrate "$myu/sbtest" "$myu/mm"
migrate "$pgb/sbbig" "$pgb/pbig"
migrate "$myu/sbbig" "$pgb/mpbig"
migrate "$myu/sbbig" "$myu/mmbig"
for db in sbtest sbbig pp mp pbig mpbig; do psql -X -q "$pgb/$db" -c "VACUUM (FREEZE, ANALYZE)"; done
for db in sbtest sbbig mm mmbig; do
	for t in $(my -N -e "SELECT table_name FROM information_schema.tables WHERE table_schema = '$db'"); do
		my -N "$db" -e "ANALYZE TABLE $t" >/dev/null
	done
done
settle

# floor_side ENGINE URI-OR-DB SCHEMA TABLES...: one session, each table's raw hash
floor_side() {
	local engine=$1 where=$2 schema=$3 q="" t; shift 3
	for t in "$@"; do
		if [ "$engine" = pg ]; then q="$q SELECT sum(hashtextextended(t::text, 0)) FROM $schema$t t;"
		else q="$q SELECT sum(crc32(concat_ws('|', id, k, c, pad))) FROM $t;"; fi
	done
	if [ "$engine" = pg ]; then psql -X -q -At "$where" -c "$q" >/dev/null
	else my -N "$where" -e "$q" >/dev/null; fi
}

# cpu_ticks: busy and total jiffies of all cores (/proc/stat)
cpu_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# timed LABEL CMD...: one run's wall seconds into $work/LABEL.w, RSS (KB)
# into .m, and how busy the machine's cores were (percent) into .c
timed() {
	local label=$1 rc=0 b0 t0 b1 t1; shift
	read -r b0 t0 < <(cpu_ticks)
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || rc=$?
	read -r b1 t1 < <(cpu_ticks)
	echo "$(( 100 * (b1 - b0) / (t1 - t0 > 0 ? t1 - t0 : 1) ))" >>"$work/$label.c"
	if [ "$rc" -gt 1 ]; then	# 1: differences, which one trial plants
		echo "  $label: exit $rc" >&2
		tail -3 "$work/out" | sed 's/^/    /' >&2
	fi
	read -r w m < <(grep -E '^[0-9.]+ [0-9]+$' "$work/time")
	echo "$w" >>"$work/$label.w"
	echo "$m" >>"$work/$label.m"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
lowest() { sort -n "$1" | head -1; }
highest() { sort -n "$1" | tail -1; }

# trials LABEL CMDLINE [LABEL CMDLINE]...: each command line (bash) run once
# to warm up, then reps rounds that run each in turn: the floor runs in the
# same minutes as what it is the floor of, since this machine's speed drifts
# over minutes by more than the differences measured
trials() {
	local -a labels=() cmds=()
	local i r
	while [ $# -gt 0 ]; do labels+=("$1"); cmds+=("$2"); shift 2; done
	for i in "${!labels[@]}"; do
		rm -f "$work/${labels[$i]}.w" "$work/${labels[$i]}.m" "$work/${labels[$i]}.c"
		bash -c "${cmds[$i]}" >/dev/null 2>&1 || true
	done
	for ((r = 0; r < reps; r++)); do
		for i in "${!labels[@]}"; do timed "${labels[$i]}" bash -c "${cmds[$i]}"; done
	done
}

# report PAIR WHAT LABEL FLOOR-LABEL ROWS
report() {
	local m f rss
	m=$(median "$work/$3.w")
	f=$(median "$work/$4.w")
	rss=$(highest "$work/$3.m")
	printf '%-12s %-36s %8.2f s  %6.2f-%-6.2f %6.2fx %11.0f %8.1f MB %5s%%\n' "$1" "$2" "$m" \
		"$(lowest "$work/$3.w")" "$(highest "$work/$3.w")" "$(echo "$m / $f" | bc -l)" \
		"$(echo "$5 / $m" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(median "$work/$3.c")"
}
report_floor() {	# PAIR LABEL ROWS
	local m
	m=$(median "$work/$2.w")
	printf '%-12s %-36s %8.2f s  %6.2f-%-6.2f %6s %11.0f %11s %5s%%\n' "$1" "floor: raw hash SQL, both sides" \
		"$m" "$(lowest "$work/$2.w")" "$(highest "$work/$2.w")" "1.00x" "$(echo "$3 / $m" | bc -l)" "-" \
		"$(median "$work/$2.c")"
}

total=$((4 * rows))
tables="sbtest1 sbtest2 sbtest3 sbtest4"
floor_pair() {	# SRC-ENGINE SRC SRC-SCHEMA TGT-ENGINE TGT TGT-SCHEMA TABLES...
	local se=$1 s=$2 ss=$3 te=$4 t=$5 ts=$6; shift 6
	floor_side "$se" "$s" "$ss" "$@" & local pid=$!
	floor_side "$te" "$t" "$ts" "$@"
	wait "$pid"
}
# timed runs a program: the floor is this script's functions in a shell
export -f floor_pair floor_side my
export MY_PORT

# pair_read "NAME|SRC-ENGINE|SRC|SRC-SCHEMA|TGT-ENGINE|TGT|TGT-SCHEMA": sets
# those, and src and dst as dbmig takes them
pair_read() {
	IFS='|' read -r name se s ss te t ts <<<"$1"
	src=$s dst=$t
	if [ "$se" = my ]; then src="$myu/$s"; fi
	if [ "$te" = my ]; then dst="$myu/$t"; fi
}

echo "dbmig verify on sysbench 4 x $rows rows and 1 x $big: MariaDB $(my -N -e 'SELECT VERSION()'), PostgreSQL $(psql -X -At "$pgb/postgres" -c 'SHOW server_version'), $(nproc) cores; median of $reps runs"
printf '%-12s %-36s %10s  %-13s %7s %11s %11s %6s\n' pair what "wall" "range" "÷floor" "rows/s" "peak RSS" "CPU"
for pair in "PG->PG|pg|$pgb/sbtest||pg|$pgb/pp|" \
	    "MariaDB->PG|my|sbtest||pg|$pgb/mp|sbtest." \
	    "MariaDB->MDB|my|sbtest||my|mm|"; do
	pair_read "$pair"
	key=$(echo "$name" | tr -dc 'a-zA-Z')
	trials "$key-floor" "floor_pair $se '$s' '$ss' $te '$t' '$ts' $tables" \
	       "$key-ck1" "exec ./dbmig -q verify -q '$src' '$dst'" \
	       "$key-ck2" "exec ./dbmig -q verify -q -j 2 '$src' '$dst'" \
	       "$key-md5" "exec ./dbmig -q verify -q --digest=md5 '$src' '$dst'" \
	       "$key-rows" "exec ./dbmig -q verify -q --mode=rows '$src' '$dst'"
	report_floor "$name" "$key-floor" $total
	report "$name" "checksum (-j 1)" "$key-ck1" "$key-floor" $total
	report "$name" "checksum -j 2" "$key-ck2" "$key-floor" $total
	report "$name" "checksum --digest=md5" "$key-md5" "$key-floor" $total
	report "$name" "rows" "$key-rows" "$key-floor" $total
done

echo
echo "one table of $big rows: -j 1 against -j 2"
for pair in "PG->PG|pg|$pgb/sbbig||pg|$pgb/pbig|" \
	    "MariaDB->PG|my|sbbig||pg|$pgb/mpbig|sbbig." \
	    "MariaDB->MDB|my|sbbig||my|mmbig|"; do
	pair_read "$pair"
	key=big$(echo "$name" | tr -dc 'a-zA-Z')
	trials "$key-floor" "floor_pair $se '$s' '$ss' $te '$t' '$ts' sbtest1" \
	       "$key-j1" "exec ./dbmig -q verify -q '$src' '$dst'" \
	       "$key-j2" "exec ./dbmig -q verify -q -j 2 '$src' '$dst'"
	report_floor "$name" "$key-floor" "$big"
	report "$name" "checksum -j 1" "$key-j1" "$key-floor" "$big"
	report "$name" "checksum -j 2" "$key-j2" "$key-floor" "$big"
	printf '%-12s %-36s %8.2fx\n' "$name" "-j 2 over -j 1" \
		"$(echo "$(median "$work/$key-j1.w") / $(median "$work/$key-j2.w")" | bc -l)"
done

# one changed row: found, named, and what the bisection and fetch add
psql -X -q "$pgb/pp" -c "UPDATE sbtest3 SET c = 'changed' WHERE id = 4242"
timed pp-one ./dbmig -q verify -q "$pgb/sbtest" "$pgb/pp"
echo
printf 'PG->PG, one changed row: %.2f s, ' "$(cat "$work/pp-one.w")"
grep -m1 "changed" "$work/out" || echo "NOT FOUND"
