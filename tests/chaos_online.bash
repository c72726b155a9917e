# chaos_online.bash - the online cases of tests/chaos.sh (sourced by it):
# cdc-tail killed and restarted at once, targets restarted mid-batch, the
# source restarted, -o on a filesystem that fills, a tampered state and
# .pos, a table dropped under write load. Every case ends with the
# target compared row by row by an independent script (pgcompare.sh,
# xcompare.sh) and with a ledger that proves each source transaction
# applied once: every id once, every n = 1.

# The restartable PostgreSQL target: a server of its own.
TPG_DIR= TPG_URI_BASE=
online_setup() {
	local out
	out=$( unset SERVERS_DIR DBMIG_TEST_PG_URI
	       servers_start_pg >/dev/null 2>&1 || exit 1
	       echo "$SERVERS_DIR $PG_PORT" ) || { echo "chaos: no second PostgreSQL" >&2; exit 2; }
	TPG_DIR=${out% *}
	TPG_URI_BASE="postgresql://postgres@127.0.0.1:${out#* }"
}

online_cleanup() {
	[ -n "$TPG_DIR" ] && servers_stop_all "$TPG_DIR" >/dev/null 2>&1
}

tdb() {	# tdb NAME: a fresh database on the restartable target
	psql -X -q "$TPG_URI_BASE/postgres" -c "DROP DATABASE IF EXISTS \"$1\"" \
		-c "CREATE DATABASE \"$1\"" >/dev/null
	echo "$TPG_URI_BASE/$1"
}

# online_pair_to NAME TARGET_URI: a source NAME with a ledger, dumped
# online into $WORK/NAME.d and loaded into TARGET_URI. Sets src, dst.
online_pair_to() {
	src=$(new_db "$1")
	psql_at "$src" "CREATE TABLE ledger (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)" >/dev/null
	rm -rf "$WORK/$1.d"
	dbmig -q dump --online "$src" -o "$WORK/$1.d" >/dev/null
	dst=$2
	dbmig -q load "$WORK/$1.d" "$dst" >/dev/null 2>&1
}

# backlog SRC N FIRST: N ledger transactions from id FIRST, fast.
backlog() {
	psql_at "$1" "DO \$\$ BEGIN FOR i IN $3..$(($3 + $2 - 1)) LOOP
		INSERT INTO ledger VALUES (i); UPDATE ledger SET n = n + 1 WHERE id = i; COMMIT;
		END LOOP; END \$\$" >/dev/null
}

# exact SRC DST N: the ledger holds 1..N once each with n = 1, and the
# independent comparison finds the two sides equal. Prints why not.
exact() {
	local q="SELECT count(*), count(DISTINCT id), min(n), max(n) FROM ledger" got
	if [[ $2 == postgresql* ]]; then
		got=$(psql_at "$2" "$q")
		"$REPO_ROOT/tests/helpers/pgcompare.sh" "$1" "$2" >"$WORK/cmp" 2>&1 || {
			echo "pgcompare: $(head -3 "$WORK/cmp")"; return 1; }
	else
		got=$(my_sql "${2##*/}" -e "$q" | tr '\t' '|')
		"$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" "${2##*/}" \
			"$1" public >"$WORK/cmp" 2>&1 || { echo "xcompare: $(head -3 "$WORK/cmp")"; return 1; }
	fi
	[ "$got" = "$3|$3|1|1" ] || { echo "ledger $got, want $3|$3|1|1"; return 1; }
}

state_of() {	# state_of DST: the target's recorded position
	if [[ $1 == postgresql* ]]; then
		psql_at "$1" "SELECT position FROM _dbmig.cdc_state" 2>/dev/null
	else
		my_sql "${1##*/}" -e "SELECT position FROM _dbmig_cdc_state" 2>/dev/null
	fi
}

# kill_restart_trials ENGINE: under a writer, the tail killed with
# SIGKILL at a random instant and started again at once, TRIALS * 2
# times (20 by default); no restart may be refused, and the end is exact.
kill_restart_trials() {
	local n=$((TRIALS * 2)) total=$((TRIALS * 2 * 150)) refused=0 pid rc writer why
	if [ "$1" = pg ]; then online_pair_to "ckr_pg" "$(new_db ckr_pg_dst)"
	else online_pair_to "ckr_my" "$(new_mydb ckr_my_dst)"; fi
	( for i in $(seq 1 "$total"); do
		echo "BEGIN; INSERT INTO ledger VALUES ($i); UPDATE ledger SET n = n + 1 WHERE id = $i; COMMIT;"
	  done | psql -X -q "$src" >/dev/null ) &
	writer=$!
	for _ in $(seq 1 "$n"); do
		dbmig -q cdc-tail "$src" "$dst" 2>"$WORK/tail.log" &
		pid=$!
		sleep_ms "$(rand_ms 200 1500)"
		if ! kill -0 "$pid" 2>/dev/null; then
			rc=0; wait "$pid" || rc=$?
			refused=$((refused + 1))
			echo "chaos: a restart after kill -9 exited $rc:" >&2
			sed 's/^/    /' "$WORK/tail.log" >&2
			continue
		fi
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	done
	wait "$writer"
	dbmig -q cdc-tail "$src" "$dst" --until-caught-up >/dev/null 2>"$WORK/tail.log" || refused=$((refused + 1))
	why=$(exact "$src" "$dst" "$total") || refused=$((refused + 1))
	row "kill -9 of the tail, restarted at once: into $1" "$n" \
		"restarts refused: $refused${why:+, $why}, exact: $([ -z "$why" ] && echo yes || echo no)" "$refused"
	dbmig -q cdc-tail "$src" --from "$WORK/${src##*/}.d" --drop >/dev/null 2>&1
}

# target_restart_trials ENGINE MODE [DOWN]: the target restarted while
# the tail applies a backlog: exit 4 within 10 s (or done before it),
# then the same command ends exact.
target_restart_trials() {
	local engine=$1 mode=$2 down=${3:-0} trials=3 stopped=0 early=0 bad=0 pid rc t0 why from
	for t in $(seq 1 "$trials"); do
		if [ "$engine" = pg ]; then online_pair_to "ctr_pg" "$(tdb ctr_pg_dst)"
		else online_pair_to "ctr_my" "$(new_mydb ctr_my_dst)"; fi
		from=$(state_of "$dst")
		backlog "$src" 150000 1
		dbmig -q cdc-tail "$src" "$dst" --until-caught-up 2>"$WORK/tail.log" &
		pid=$!
		for _ in $(seq 1 300); do
			[ "$(state_of "$dst")" != "$from" ] && break
			sleep 0.1
		done
		if [ "$engine" = pg ]; then
			( SERVERS_DIR=$TPG_DIR; servers_restart_pg "$mode" "$down" )
		else
			servers_restart_mysql "$mode" "$down"
		fi
		t0=$(date +%s)
		( sleep 120; kill -KILL "$pid" 2>/dev/null ) &
		rc=0; wait "$pid" || rc=$?
		if [ "$rc" = 0 ]; then
			early=$((early + 1))
		elif [ "$rc" = 4 ] && [ $(( $(date +%s) - t0 )) -le $((10 + down)) ] &&
		     grep -q "target (" "$WORK/tail.log"; then
			stopped=$((stopped + 1))
		else
			bad=$((bad + 1))
			echo "chaos: target $engine restarted ($mode, down $down s): tail exit $rc" >&2
			sed 's/^/    /' "$WORK/tail.log" >&2
		fi
		dbmig -q cdc-tail "$src" "$dst" --until-caught-up >/dev/null 2>"$WORK/tail.log" || {
			bad=$((bad + 1)); sed 's/^/    /' "$WORK/tail.log" >&2; }
		why=$(exact "$src" "$dst" 150000) || { bad=$((bad + 1)); echo "chaos: $why" >&2; }
		dbmig -q cdc-tail "$src" --from "$WORK/${src##*/}.d" --drop >/dev/null 2>&1
	done
	row "target restarted mid-batch ($mode${3:+, ${down} s down}): $engine" "$trials" \
		"exit 4 naming it: $stopped, done first: $early, exact after" "$bad"
}

# source_restart_trials: the source restarted (fast), or its WAL sender
# terminated, under a running tail: exit 3 saying so; the rerun is exact.
source_restart_trials() {
	local ok=0 bad=0 pid rc total=0 how
	online_pair_to "csr" "$(tdb csr_dst)"
	for t in $(seq 1 "$TRIALS"); do
		how=$([ $((t % 2)) = 0 ] && echo restart || echo terminate)
		backlog "$src" 2000 $((total + 1))
		total=$((total + 2000))
		dbmig -q cdc-tail "$src" "$dst" 2>"$WORK/tail.log" &
		pid=$!
		sleep_ms "$(rand_ms 100 800)"
		# a WAL sender to terminate: the tail's, once it streams
		for _ in $(seq 1 100); do
			[ "$how" = restart ] || [ -n "$(psql_at "$src" "SELECT active_pid FROM pg_replication_slots WHERE database = 'csr' AND active_pid IS NOT NULL")" ] && break
			sleep 0.1
		done
		if [ "$how" = restart ]; then
			servers_restart_pg fast
		else
			psql_at "$src" "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = 'csr'" >/dev/null
		fi
		( sleep 60; kill -KILL "$pid" 2>/dev/null ) &
		rc=0; wait "$pid" || rc=$?
		# (a restart that comes while the tail connects meets the connect)
		if [ "$rc" = 3 ] && grep -qE "the source ended the replication stream from slot .*: [^;]|the server is down or restarting: run the same command again" "$WORK/tail.log"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			echo "chaos: source $how: tail exit $rc" >&2
			sed 's/^/    /' "$WORK/tail.log" >&2
		fi
	done
	dbmig -q cdc-tail "$src" "$dst" --until-caught-up >/dev/null 2>"$WORK/tail.log" || bad=$((bad + 1))
	why=$(exact "$src" "$dst" "$total") || { bad=$((bad + 1)); echo "chaos: $why" >&2; }
	row "source restarted or its WAL sender terminated" "$TRIALS" "exit 3 saying so: $ok, exact after" "$bad"
	dbmig -q cdc-tail "$src" --from "$WORK/csr.d" --drop >/dev/null 2>&1
}

# full_fs_trial: -o into a 1 MB filesystem fills it: exit 6 naming the
# file, FILE.pos at a whole transaction; with room again, the same
# command ends with every transaction written once.
full_fs_trial() {
	local fs=$WORK/smallfs rc dup missing bad=0
	mkdir -p "$fs"
	if ! mount -t tmpfs -o size=1M tmpfs "$fs" 2>/dev/null; then
		row "-o on a filesystem that fills" 0 "skipped: mounting a tmpfs needs root" 0
		return
	fi
	online_pair_to "cfs" "$(tdb cfs_dst)"
	backlog "$src" 20000 1
	dbmig -q cdc-tail "$src" --from "$WORK/cfs.d" -o "$fs/c.jsonl" --until-caught-up 2>"$WORK/tail.log"
	rc=$?
	[ "$rc" = 6 ] && grep -q "No space left on device" "$WORK/tail.log" || {
		bad=1; echo "chaos: full filesystem: exit $rc" >&2; sed 's/^/    /' "$WORK/tail.log" >&2; }
	mount -o remount,size=64M "$fs"
	dbmig -q cdc-tail "$src" --from "$WORK/cfs.d" -o "$fs/c.jsonl" --until-caught-up 2>"$WORK/tail.log" || {
		bad=1; sed 's/^/    /' "$WORK/tail.log" >&2; }
	jq -r 'select(.op == "insert") | .key.id' "$fs/c.jsonl" | sort -n >"$WORK/ids"
	dup=$(uniq -d "$WORK/ids" | wc -l)
	missing=$((20000 - $(sort -nu "$WORK/ids" | wc -l)))
	[ "$dup" = 0 ] && [ "$missing" = 0 ] || bad=1
	row "-o on a filesystem that fills (1 MB), then room" 1 \
		"exit 6, then every transaction once (dup $dup, missing $missing)" "$bad"
	umount "$fs"
	dbmig -q cdc-tail "$src" --from "$WORK/cfs.d" --drop >/dev/null 2>&1
}

# tamper_trials: the target's position, or FILE.pos, changed at random:
# refused (exit 3, exit 6) with nothing applied, confirmed or written;
# put back, the run is exact.
tamper_trials() {
	local refused=0 bad=0 saved slot0 t bad_pos len at
	online_pair_to "cta" "$(tdb cta_dst)"
	backlog "$src" 500 1
	saved=$(psql_at "$dst" "SELECT position || ' ' || seal FROM _dbmig.cdc_state")
	slot0=$(psql_at "$src" "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE database = 'cta'")
	for t in $(seq 1 "$TRIALS"); do
		case $((RANDOM % 5)) in
		0) bad_pos=$(psql_at "$src" "SELECT pg_current_wal_lsn() - $((RANDOM % 100000))") ;;
		1) bad_pos="FFFFFFFF/FFFFFFFF" ;;
		2) bad_pos="garbage$RANDOM" ;;
		3) bad_pos="" ;;
		4) bad_pos="0/$(printf '%X' $((RANDOM * 1000)))" ;;
		esac
		psql_at "$dst" "UPDATE _dbmig.cdc_state SET position = '$bad_pos'" >/dev/null
		dbmig -q cdc-tail "$src" "$dst" --until-caught-up >"$WORK/out" 2>&1; rc=$?
		if [ "$rc" = 3 ] && grep -q "holds position '$bad_pos'" "$WORK/out" &&
		   [ "$(psql_at "$dst" "SELECT count(*) FROM ledger")" = 0 ] &&
		   [ "$(psql_at "$src" "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE database = 'cta'")" = "$slot0" ]; then
			refused=$((refused + 1))
		else
			bad=$((bad + 1))
			echo "chaos: state position '$bad_pos': exit $rc" >&2
			sed 's/^/    /' "$WORK/out" >&2
		fi
	done
	psql_at "$dst" "UPDATE _dbmig.cdc_state SET position = '${saved% *}', seal = '${saved#* }'" >/dev/null
	dbmig -q cdc-tail "$src" "$dst" --until-caught-up >/dev/null 2>&1 || bad=$((bad + 1))
	why=$(exact "$src" "$dst" 500) || { bad=$((bad + 1)); echo "chaos: $why" >&2; }
	row "the target's state position changed at random" "$TRIALS" "refused, exit 3, nothing moved: $refused" "$bad"

	refused=0 bad=0
	dbmig -q cdc-tail "$src" --from "$WORK/cta.d" -o "$WORK/t.jsonl" --until-caught-up >/dev/null 2>&1
	read -r len at <"$WORK/t.jsonl.pos"
	cp "$WORK/t.jsonl" "$WORK/t.orig"
	for t in $(seq 1 "$TRIALS"); do
		echo "$(( len + RANDOM % 2000 - 1000 + (RANDOM % 2 ? 0 : 28493197) )) $at" >"$WORK/t.jsonl.pos"
		[ "$(cut -d' ' -f1 "$WORK/t.jsonl.pos")" = "$len" ] && continue
		dbmig -q cdc-tail "$src" --from "$WORK/cta.d" -o "$WORK/t.jsonl" --until-caught-up >"$WORK/out" 2>&1; rc=$?
		if [ "$rc" = 6 ] && cmp -s "$WORK/t.jsonl" "$WORK/t.orig"; then
			refused=$((refused + 1))
		else
			bad=$((bad + 1))
			echo "chaos: .pos '$(cat "$WORK/t.jsonl.pos")': exit $rc" >&2
			sed 's/^/    /' "$WORK/out" >&2
			cp "$WORK/t.orig" "$WORK/t.jsonl"
		fi
	done
	row "FILE.pos length changed at random" "$TRIALS" "refused, exit 6, file untouched: $refused" "$bad"
	dbmig -q cdc-tail "$src" --from "$WORK/cta.d" --drop >/dev/null 2>&1
}

# dropped_table_trial ENGINE: under writes to a ledger and to a table
# that is then dropped on the source, the tail runs on: the dropped
# table's rows up to the drop arrive, the ledger is exact.
dropped_table_trial() {
	local writer bad=0 total=3000 got want
	if [ "$1" = pg ]; then online_pair_to "cdt_$1" "$(tdb cdt_pg_dst)"
	else online_pair_to "cdt_$1" "$(new_mydb cdt_my_dst)"; fi
	psql_at "$src" "CREATE TABLE gone (id int PRIMARY KEY, v text)" >/dev/null
	# a new online dump, now that gone exists
	dbmig -q cdc-tail "$src" --from "$WORK/cdt_$1.d" --drop >/dev/null 2>&1
	rm -rf "$WORK/cdt_$1.d"
	dbmig -q dump --online "$src" -o "$WORK/cdt_$1.d" >/dev/null
	if [ "$1" = pg ]; then dst=$(tdb cdt_pg_dst); else dst=$(new_mydb cdt_my_dst); fi
	dbmig -q load "$WORK/cdt_$1.d" "$dst" >/dev/null 2>&1
	( for i in $(seq 1 "$total"); do
		if [ "$i" -le 2000 ]; then
			echo "BEGIN; INSERT INTO ledger VALUES ($i); UPDATE ledger SET n = n + 1 WHERE id = $i; INSERT INTO gone VALUES ($i, 'v$i'); COMMIT;"
		else
			echo "BEGIN; INSERT INTO ledger VALUES ($i); UPDATE ledger SET n = n + 1 WHERE id = $i; COMMIT;"
		fi
		[ "$i" = 2000 ] && echo "DROP TABLE gone;"
	  done | psql -X -q "$src" >/dev/null 2>&1 ) &
	writer=$!
	dbmig -q cdc-tail "$src" "$dst" 2>"$WORK/tail.log" &
	pid=$!
	wait "$writer"
	sleep 2
	kill -TERM "$pid"; wait "$pid" || { bad=1; sed 's/^/    /' "$WORK/tail.log" >&2; }
	dbmig cdc-tail "$src" "$dst" --until-caught-up >/dev/null 2>>"$WORK/tail.log" || bad=1
	# one session wrote them in order: ids 1 to 2000 came before the drop
	want="2000 $((2000 * 2001 / 2))"
	if [[ $dst == postgresql* ]]; then
		got=$(psql_at "$dst" "SELECT count(*) || ' ' || sum(id) FROM gone")
	else
		got=$(my_sql "${dst##*/}" -e "SELECT CONCAT(COUNT(*), ' ', SUM(id)) FROM gone")
	fi
	[ "$got" = "$want" ] || { bad=1; echo "chaos: dropped table: $got on the target, $want before the drop" >&2; }
	# as the tail advises once the migration is done: then the rest compares
	if [[ $dst == postgresql* ]]; then psql_at "$dst" "DROP TABLE gone" >/dev/null
	else my_sql "${dst##*/}" -e "DROP TABLE gone"; fi
	why=$(exact "$src" "$dst" "$total") || { bad=1; echo "chaos: $why" >&2; }
	row "a table dropped on the source under writes: $1" 1 "its rows up to the drop ($got), exact" "$bad"
	dbmig -q cdc-tail "$src" --from "$WORK/cdt_$1.d" --drop >/dev/null 2>&1
}

online_cases() {
	online_setup
	kill_restart_trials pg
	kill_restart_trials my
	for mode in fast immediate; do
		target_restart_trials pg "$mode"
		target_restart_trials my "$([ "$mode" = fast ] && echo fast || echo kill)"
	done
	target_restart_trials pg fast 20
	target_restart_trials my fast 20
	source_restart_trials
	full_fs_trial
	tamper_trials
	dropped_table_trial pg
	dropped_table_trial my
	online_cleanup
}
