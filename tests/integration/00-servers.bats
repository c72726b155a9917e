#!/usr/bin/env bats
# tests/servers.sh itself: both servers start on loopback, answer, and
# are gone (processes and directory) after servers_stop_all.

setup() {
	load '../helpers/common'
}

@test "servers.sh starts PostgreSQL and MariaDB on free loopback ports and stops them by PID" {
	if [ -n "${DBMIG_TEST_PG_URI:-}${DBMIG_TEST_MYSQL_URI:-}" ]; then
		skip "external servers named by DBMIG_TEST_*_URI"
	fi
	unset SERVERS_DIR
	servers_start_pg
	servers_start_mysql
	[ -d "$SERVERS_DIR" ]
	run -0 psql -X -At "$PG_URI" -c "SHOW wal_level"
	assert_output logical
	run -0 psql -X -At "$PG_URI" -c "SHOW listen_addresses"
	assert_output 127.0.0.1
	run -0 mariadb --no-defaults -h 127.0.0.1 -P "$MY_PORT" -uroot -N -e "SELECT @@log_bin, @@binlog_format, @@bind_address"
	assert_output "$(printf '1\tROW\t127.0.0.1')"
	pgpid=$(head -1 "$SERVERS_DIR/pg/data/postmaster.pid")
	mypid=$(cat "$SERVERS_DIR/mysql/mysqld.pid")
	kill -0 "$pgpid"
	kill -0 "$mypid"
	# PostgreSQL never runs as root.
	[ "$(ps -o user= -p "$pgpid")" != root ]
	dir=$SERVERS_DIR
	servers_stop_all
	run ! kill -0 "$pgpid"
	run ! kill -0 "$mypid"
	[ ! -e "$dir" ]
}

@test "the password role needs its password" {
	if [ -n "${DBMIG_TEST_PG_URI:-}" ]; then skip "external server"; fi
	unset SERVERS_DIR
	servers_start_pg
	run psql -X -w -At "postgresql://$PG_PW_ROLE@127.0.0.1:$PG_PORT/postgres" -c "SELECT 1"
	assert_failure
	PGPASSWORD=$PG_PW_PASSWORD run -0 psql -X -w -At "postgresql://$PG_PW_ROLE@127.0.0.1:$PG_PORT/postgres" -c "SELECT 1"
	servers_stop_all
}
