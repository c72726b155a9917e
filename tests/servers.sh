#!/usr/bin/env bash
# servers.sh - throwaway PostgreSQL and MariaDB servers for tests and the demo.
#
# Sourced:   . tests/servers.sh; servers_start_pg; servers_start_mysql; ...; servers_stop_all
# Run:       tests/servers.sh start   prints `export ...` lines (eval them)
#            tests/servers.sh stop DIR
#
# Each server lives in a new temporary directory, listens on a free
# loopback port (and a socket in that directory), and is stopped by the
# PID it wrote. As root, PostgreSQL runs as an unprivileged OS user
# ('postgres' when present, else 'nobody'), since it refuses to run as root.
# When DBMIG_TEST_PG_URI / DBMIG_TEST_MYSQL_URI are set, those servers are
# used instead and nothing is started.
#
# SERVERS_PG_OPTS adds server settings ("-c wal_level=replica"), for tests
# of what a source without the right ones is told.
#
# Exports: PG_URI (superuser, trust auth), PG_HOST, PG_PORT, PG_SUPERUSER,
#          PG_PW_ROLE / PG_PW_PASSWORD (a role that must give a password),
#          MYSQL_URI, MY_HOST, MY_PORT, MY_SOCKET, SERVERS_DIR.

servers__free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$(( (RANDOM << 1 | RANDOM & 1) % 30000 + 20000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "servers.sh: no free port found" >&2
	return 1
}

servers__pg_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ -n "$d" ]; then echo "$d"; return; fi
	dirname "$(command -v initdb 2>/dev/null || echo /usr/bin/initdb)"
}

servers__run_as() {	# run_as USER CMD...: drop root for PostgreSQL
	local u=$1; shift
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$u" -- "$@"
	else
		"$@"
	fi
}

servers__mkdir() {
	if [ -z "${SERVERS_DIR:-}" ]; then
		SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dbmig-servers.XXXXXX")
		chmod 0755 "$SERVERS_DIR"
		export SERVERS_DIR
	fi
}

servers_start_pg() {
	if [ -n "${DBMIG_TEST_PG_URI:-}" ]; then
		# An external server (a container, say): learn its endpoint and
		# make the password role. Its credentials come from the URI or
		# PGPASSWORD; the role it connects as must be a superuser.
		local info
		info=$(psql -X -At -F ' ' "$DBMIG_TEST_PG_URI" -c \
			"SELECT coalesce(host(inet_server_addr()), '127.0.0.1'), current_setting('port'), current_user") || {
			echo "servers.sh: cannot reach DBMIG_TEST_PG_URI" >&2; return 1; }
		read -r PG_HOST PG_PORT PG_SUPERUSER <<<"$info"
		export PG_HOST PG_PORT PG_SUPERUSER
		export PG_URI="postgresql://$PG_SUPERUSER@$PG_HOST:$PG_PORT/postgres"
		export PG_PW_ROLE=dbmig_pw PG_PW_PASSWORD="pw-$RANDOM$RANDOM"
		psql -X -q "$DBMIG_TEST_PG_URI" -c "DROP ROLE IF EXISTS dbmig_pw" \
			-c "CREATE ROLE dbmig_pw LOGIN PASSWORD '$PG_PW_PASSWORD'" >/dev/null
		return 0
	fi
	servers__mkdir
	local bindir user port dir
	bindir=$(servers__pg_bindir)
	if [ ! -x "$bindir/initdb" ]; then
		echo "servers.sh: PostgreSQL server binaries not found (install postgresql)" >&2
		return 1
	fi
	user=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		if id postgres >/dev/null 2>&1; then user=postgres; else user=nobody; fi
	fi
	dir="$SERVERS_DIR/pg"
	mkdir -p "$dir"
	chown "$user" "$dir"
	chmod 0700 "$dir"
	# C.UTF-8 where the system has it (Linux); elsewhere (macOS) the C
	# locale, which sorts the same way.
	local locale=--no-locale
	locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && locale=--locale=C.UTF-8
	servers__run_as "$user" "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 \
		"$locale" -A trust >"$dir/initdb.log" 2>&1 || {
		echo "servers.sh: initdb failed; see $dir/initdb.log" >&2; cat "$dir/initdb.log" >&2; return 1; }
	cat >"$dir/data/pg_hba.conf" <<-HBA
	local all all trust
	host all dbmig_pw 127.0.0.1/32 scram-sha-256
	host all all 127.0.0.1/32 trust
	host replication all 127.0.0.1/32 trust
	HBA
	local opts
	for _ in 1 2 3; do
		port=$(servers__free_port) || return 1
		opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c wal_level=logical -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=128MB ${SERVERS_PG_OPTS:-}"
		if servers__run_as "$user" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "$opts" start >/dev/null 2>&1; then
			# what servers_restart_pg starts it with again
			printf '%s\n%s\n%s\n' "$user" "$bindir" "$opts" >"$dir/start"
			break
		fi
		port=
	done
	if [ -z "$port" ]; then
		echo "servers.sh: PostgreSQL did not start; see $dir/server.log" >&2
		tail -20 "$dir/server.log" >&2
		return 1
	fi
	export PG_HOST=127.0.0.1 PG_PORT=$port PG_SUPERUSER=postgres PG_SOCKDIR=$dir
	export PG_URI="postgresql://postgres@127.0.0.1:$port/postgres"
	export PG_PW_ROLE=dbmig_pw PG_PW_PASSWORD="pw-$RANDOM$RANDOM"
	psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
		-c "CREATE ROLE dbmig_pw LOGIN PASSWORD '$PG_PW_PASSWORD'" >/dev/null
	echo "$dir/data/postmaster.pid" >>"$SERVERS_DIR/pids"
}

servers_start_mysql() {
	MY_CLIENT=$(command -v mariadb || command -v mysql || echo mariadb)
	export MY_CLIENT
	if [ -n "${DBMIG_TEST_MYSQL_URI:-}" ]; then
		# An external server (a container, say): its endpoint, user and
		# password from the URI, for the tests' own client calls. The
		# user must be able to create databases.
		local re='^(mysql|mariadb)://([^:@/]+)(:([^@/]*))?@([^:/]+)(:([0-9]+))?/?'
		if [[ ! "$DBMIG_TEST_MYSQL_URI" =~ $re ]]; then
			echo "servers.sh: DBMIG_TEST_MYSQL_URI must be mysql://USER[:PASSWORD]@HOST[:PORT]/" >&2
			return 1
		fi
		export MY_USER="${BASH_REMATCH[2]}" MY_HOST="${BASH_REMATCH[5]}"
		export MY_PORT="${BASH_REMATCH[7]:-3306}"
		[ -n "${BASH_REMATCH[4]}" ] && export MYSQL_PWD="${BASH_REMATCH[4]}"
		export MYSQL_URI="mysql://$MY_USER@$MY_HOST:$MY_PORT/"
		"$MY_CLIENT" --no-defaults -h "$MY_HOST" -P "$MY_PORT" -u"$MY_USER" -e "SELECT 1" >/dev/null || {
			echo "servers.sh: cannot reach DBMIG_TEST_MYSQL_URI" >&2; return 1; }
		return 0
	fi
	servers__mkdir
	servers__mysql_instance "$SERVERS_DIR/mysql" 1 || return 1
	local dir="$SERVERS_DIR/mysql" port=$SERVERS__PORT
	export MY_HOST=127.0.0.1 MY_PORT=$port MY_SOCKET="$dir/mysql.sock"
	export MYSQL_URI="mysql://root@127.0.0.1:$port/"
}

# servers__mysql_instance DIR SERVER_ID: a MariaDB with its data in DIR,
# its binlog on; SERVERS__PORT gets its port.
servers__mysql_instance() {
	local dir=$1 id=$2 port mysqld installdb user=""
	mysqld=$(command -v mariadbd || command -v mysqld ||
		 ls /usr/sbin/mariadbd /usr/libexec/mariadbd /usr/libexec/mysqld 2>/dev/null | head -1)
	installdb=$(command -v mariadb-install-db || command -v mysql_install_db)
	if [ -z "$mysqld" ] || [ -z "$installdb" ]; then
		echo "servers.sh: MariaDB server binaries not found (install mariadb-server)" >&2
		return 1
	fi
	# a tmpdir of its own: in /tmp, shared by every lane's servers, a
	# server's temporary tables went missing under it ("Error on delete
	# of '/tmp/#sql-temptable-…'") in a full check
	mkdir -p "$dir/tmp"
	if [ "$(id -u)" = 0 ]; then
		user=mysql; id mysql >/dev/null 2>&1 || user=root
		chown "$user" "$dir" "$dir/tmp"
	fi
	"$installdb" --no-defaults --datadir="$dir/data" ${user:+--user=$user} \
		--auth-root-authentication-method=normal --skip-test-db \
		>"$dir/install.log" 2>&1 || {
		echo "servers.sh: mariadb-install-db failed; see $dir/install.log, which ends:" >&2
		tail -20 "$dir/install.log" >&2
		return 1; }
	for _ in 1 2 3; do
		port=$(servers__free_port) || return 1
		# kept for servers_restart_mysql, which starts it the same way
		printf '%q ' "$mysqld" --no-defaults --datadir="$dir/data" --port="$port" \
			--bind-address=127.0.0.1 --socket="$dir/mysql.sock" \
			--pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" --tmpdir="$dir/tmp" \
			${user:+--user=$user} --log-bin="$dir/binlog" --server-id="$id" \
			--binlog-format=ROW --binlog-row-image=FULL --local-infile=1 \
			--innodb-buffer-pool-size=128M --skip-name-resolve >"$dir/start"
		servers__mysql_up "$dir" && break
		port=
	done
	if [ -z "$port" ]; then
		echo "servers.sh: MariaDB did not start; see $dir/error.log" >&2
		tail -20 "$dir/error.log" >&2
		return 1
	fi
	SERVERS__PORT=$port
	echo "$dir/mysqld.pid" >>"$SERVERS_DIR/pids"
}

# servers_start_mysql2: a second MariaDB (server-id 2), for a pair of
# servers (a cutover between two of them: read_only fences a whole
# server). Exports MY2_PORT and MY2_URI.
servers_start_mysql2() {
	servers__mkdir
	servers__mysql_instance "$SERVERS_DIR/mysql2" 2 || return 1
	export MY2_PORT=$SERVERS__PORT MY2_URI="mysql://root@127.0.0.1:$SERVERS__PORT/"
}

# Starts the MariaDB of DIR as its start file says; 0 once it answers.
servers__mysql_up() {
	local dir=$1 pid
	eval "$(cat "$dir/start")" '>/dev/null 2>&1 &'
	pid=$!
	disown "$pid" 2>/dev/null || true	# a later kill -9 is no news to the caller
	for _ in $(seq 1 240); do
		if mariadb-admin --no-defaults --socket="$dir/mysql.sock" -uroot ping >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}

# servers_restart_pg MODE [DOWN]: stops the PostgreSQL of $SERVERS_DIR
# (pg_ctl's fast or immediate mode, or kill: kill -9 of the postmaster),
# waits DOWN seconds, and starts it again on the same port.
servers_restart_pg() {
	local dir="$SERVERS_DIR/pg" user bindir opts pid
	{ read -r user; read -r bindir; read -r opts; } <"$dir/start"
	if [ "$1" = kill ]; then
		pid=$(head -1 "$dir/data/postmaster.pid")
		kill -KILL "$pid"
	else
		servers__run_as "$user" "$bindir/pg_ctl" -D "$dir/data" -m "$1" -w stop >/dev/null
	fi
	sleep "${2:-0}"
	# after a kill, the start fails until the old backends noticed and went
	for _ in $(seq 1 60); do
		servers__run_as "$user" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "$opts" start >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

# servers_restart_mysql MODE [DOWN]: stops the MariaDB of $SERVERS_DIR
# (fast: a shutdown; kill: kill -9), waits DOWN seconds, starts it again.
servers_restart_mysql() {
	local dir="$SERVERS_DIR/mysql" pid
	pid=$(cat "$dir/mysqld.pid")
	if [ "$1" = kill ]; then kill -KILL "$pid"; else kill -TERM "$pid"; fi
	for _ in $(seq 1 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sleep "${2:-0}"
	servers__mysql_up "$dir"
}

# A PgBouncer in front of the PostgreSQL server (servers_start_pg first),
# as the same unprivileged user (it refuses to run as root), with one
# database entry NAME pointing at database DB there, transaction pooling,
# trust authentication and PG_SUPERUSER as its admin user:
#   servers_start_pgbouncer NAME DB
# Exports PGB_PORT, PGB_CONFIG (the file a cutover rewrites), PGB_ADMIN_URI
# (pgbouncer://USER@HOST:PORT/NAME) and PGB_URI (the clients' URI).
servers_start_pgbouncer() {
	local name=$1 db=$2 bin user dir port
	bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	if [ ! -x "$bin" ]; then
		echo "servers.sh: pgbouncer not found (install pgbouncer)" >&2
		return 1
	fi
	servers__mkdir
	user=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		if id postgres >/dev/null 2>&1; then user=postgres; else user=nobody; fi
	fi
	dir=$(mktemp -d "$SERVERS_DIR/pgbouncer.XXXXXX")
	chown "$user" "$dir"
	chmod 0755 "$dir"
	printf '"%s" ""\n' "${PG_SUPERUSER:-postgres}" >"$dir/userlist.txt"
	for _ in 1 2 3; do
		port=$(servers__free_port) || return 1
		cat >"$dir/pgbouncer.ini" <<-INI
		[databases]
		$name = host=${PG_HOST:-127.0.0.1} port=$PG_PORT dbname=$db

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $port
		unix_socket_dir =
		auth_type = trust
		auth_file = $dir/userlist.txt
		admin_users = ${PG_SUPERUSER:-postgres}
		pool_mode = transaction
		max_client_conn = 200
		default_pool_size = 20
		ignore_startup_parameters = extra_float_digits,options
		pidfile = $dir/pgbouncer.pid
		logfile = $dir/pgbouncer.log
		INI
		chmod 0644 "$dir/pgbouncer.ini" "$dir/userlist.txt"
		if servers__run_as "$user" "$bin" -d "$dir/pgbouncer.ini" >"$dir/start.log" 2>&1; then
			for _ in $(seq 1 50); do
				[ -s "$dir/pgbouncer.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
				sleep 0.1
			done
			if [ -s "$dir/pgbouncer.pid" ]; then
				echo "$dir/pgbouncer.pid" >>"$SERVERS_DIR/pids"
				break
			fi
		fi
		port=
	done
	if [ -z "$port" ]; then
		echo "servers.sh: pgbouncer did not start; see $dir" >&2
		cat "$dir/start.log" "$dir/pgbouncer.log" 2>/dev/null | tail -5 >&2
		return 1
	fi
	export PGB_PORT=$port PGB_CONFIG=$dir/pgbouncer.ini
	export PGB_ADMIN_URI="pgbouncer://${PG_SUPERUSER:-postgres}@127.0.0.1:$port/$name"
	export PGB_URI="postgresql://${PG_SUPERUSER:-postgres}@127.0.0.1:$port/$name"
}

# Stops every server this directory started, by the PIDs they wrote.
servers_stop_all() {
	local d=${1:-${SERVERS_DIR:-}} pidfile pid
	[ -n "$d" ] && [ -d "$d" ] || return 0
	if [ -f "$d/pids" ]; then
		while read -r pidfile; do
			[ -f "$pidfile" ] || continue
			pid=$(head -1 "$pidfile")
			[ -n "$pid" ] || continue
			kill -TERM "$pid" 2>/dev/null || continue
			for _ in $(seq 1 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$pid" 2>/dev/null || true
		done <"$d/pids"
	fi
	rm -rf "$d"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -eu
	case "${1:-}" in
	start)
		servers_start_pg >&2
		servers_start_mysql >&2
		for v in SERVERS_DIR PG_URI PG_HOST PG_PORT PG_SUPERUSER PG_PW_ROLE PG_PW_PASSWORD \
			 MYSQL_URI MY_HOST MY_PORT MY_SOCKET; do
			[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
		done
		;;
	stop)
		servers_stop_all "${2:-${SERVERS_DIR:-}}"
		;;
	*)
		echo "usage: $0 start | stop DIR" >&2
		exit 2
		;;
	esac
fi
