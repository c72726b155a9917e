# common.bash - loaded by every integration suite.
#
# setup_file starts the servers once per file (tests/servers.sh); each
# test makes its own databases with new_db. Outside CI a missing server
# binary skips the suite with the install command; in CI (CI=true) it
# fails, since CI must install and start everything itself.

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
export PATH="$REPO_ROOT:$PATH"
bats_require_minimum_version 1.5.0
# bats-support and bats-assert where the system keeps them: Debian's
# /usr/lib/bats, Fedora's /usr/share/bats, Homebrew's lib, or BATS_LIB_PATH.
for _d in ${BATS_LIB_PATH//:/ } /usr/lib/bats /usr/share/bats /usr/local/lib/bats \
	  /usr/local/lib /opt/homebrew/lib; do
	if [ -f "$_d/bats-support/load.bash" ] && [ -f "$_d/bats-assert/load.bash" ]; then
		load "$_d/bats-support/load"
		load "$_d/bats-assert/load"
		break
	fi
done
unset _d
. "$REPO_ROOT/tests/servers.sh"
. "$REPO_ROOT/tests/helpers/db.bash"

start_pg_for_file() {
	# Stop only what this file starts, whatever the caller's environment.
	unset SERVERS_DIR
	if ! servers_start_pg >"$BATS_FILE_TMPDIR/servers.log" 2>&1; then
		if [ "${CI:-}" = true ]; then
			cat "$BATS_FILE_TMPDIR/servers.log" >&3
			return 1
		fi
		echo "PostgreSQL could not be started: apt-get install postgresql" >"$BATS_FILE_TMPDIR/skip"
	fi
	# bats runs each test in a subshell: hand the settings on via a file.
	declare -p SERVERS_DIR PG_URI PG_HOST PG_PORT PG_SUPERUSER PG_PW_ROLE PG_PW_PASSWORD 2>/dev/null \
		| sed 's/^declare -[a-z-]* /export /' >"$BATS_FILE_TMPDIR/env"
}

# start_mysql_for_file: the same for MariaDB (and PostgreSQL, which the
# cross-engine suites need too).
start_mysql_for_file() {
	unset SERVERS_DIR
	if ! { servers_start_mysql && servers_start_pg; } >"$BATS_FILE_TMPDIR/servers.log" 2>&1; then
		if [ "${CI:-}" = true ]; then
			cat "$BATS_FILE_TMPDIR/servers.log" >&3
			return 1
		fi
		echo "MariaDB could not be started: apt-get install mariadb-server" >"$BATS_FILE_TMPDIR/skip"
	fi
	declare -p SERVERS_DIR PG_URI PG_HOST PG_PORT PG_SUPERUSER PG_PW_ROLE PG_PW_PASSWORD \
		MYSQL_URI MY_HOST MY_PORT MY_SOCKET MY_USER MY_CLIENT MYSQL_PWD 2>/dev/null \
		| sed 's/^declare -[a-z-]* /export /' >"$BATS_FILE_TMPDIR/env"
}




mycompare() {
	"$REPO_ROOT/tests/helpers/mycompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" "$@"
}

# suite_skipped: true when setup_file found no server to start (outside CI).
suite_skipped() {
	[ -f "$BATS_FILE_TMPDIR/skip" ]
}

# The defaults every server suite shares; a suite defines setup_file only.
setup() {
	common_setup
}

teardown_file() {
	stop_servers_for_file
}

stop_servers_for_file() {
	[ -f "$BATS_FILE_TMPDIR/env" ] && . "$BATS_FILE_TMPDIR/env"
	servers_gone_report
	servers_stop_all
}

# servers_gone_report: a server of this file whose process was gone
# before the end (its pid file left behind: it crashed, or something
# killed it) gets the end of its log printed into the TAP output, since
# servers_stop_all deletes the log with the rest, and a test that failed
# on it only says it could not connect.
servers_gone_report() {
	local pidfile pid dir log
	[ -n "${SERVERS_DIR:-}" ] && [ -f "$SERVERS_DIR/pids" ] || return 0
	while read -r pidfile; do
		[ -f "$pidfile" ] || continue
		pid=$(head -1 "$pidfile")
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null || continue
		dir=${pidfile%/*}
		[ "${dir##*/}" = data ] && dir=${dir%/data}
		for log in "$dir/error.log" "$dir/server.log" "$dir/pgbouncer.log"; do
			[ -f "$log" ] || continue
			echo "# servers: pid $pid of $pidfile was gone before the file's end; $log ends:"
			tail -25 "$log" | sed 's/^/#   /'
		done
	done <"$SERVERS_DIR/pids" >&3
}

common_setup() {
	if [ -f "$BATS_FILE_TMPDIR/skip" ]; then
		skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	fi
	. "$BATS_FILE_TMPDIR/env"
}




pgcompare() {
	"$REPO_ROOT/tests/helpers/pgcompare.sh" "$@"
}

# one_error_line: $output holds exactly one "error:" line (warnings may
# come before it).
one_error_line() {
	[ "$(grep -c 'error:' <<<"$output")" -eq 1 ]
}
