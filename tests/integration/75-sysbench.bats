#!/usr/bin/env bats
# sysbench-generated tables (oltp_read_write prepare) on both engines,
# migrated across: MySQL -> PostgreSQL and PostgreSQL -> MySQL, each
# checked row by row by tests/helpers/xcompare.sh.

load '../helpers/common'

setup_file() {
	if ! command -v sysbench >/dev/null; then
		# optional: the other suites cover both engines' types
		echo "sysbench is not installed (optional: apt-get install sysbench)" >"$BATS_FILE_TMPDIR/skip"
		return 0
	fi
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	new_mydb sbtest >/dev/null
	new_db sbtest >/dev/null
	sysbench oltp_read_write --tables=2 --table-size=20000 --rand-seed=7 --db-driver=mysql \
		--mysql-host="${MY_HOST:-127.0.0.1}" --mysql-port="$MY_PORT" --mysql-user="${MY_USER:-root}" \
		${MYSQL_PWD:+--mysql-password="$MYSQL_PWD"} --mysql-db=sbtest \
		prepare >"$BATS_FILE_TMPDIR/sb-my.log" 2>&1
	sysbench oltp_read_write --tables=2 --table-size=20000 --rand-seed=7 --db-driver=pgsql \
		--pgsql-host="$PG_HOST" --pgsql-port="$PG_PORT" --pgsql-user="${PG_SUPERUSER:-postgres}" \
		${PGPASSWORD:+--pgsql-password="$PGPASSWORD"} --pgsql-db=sbtest \
		prepare >"$BATS_FILE_TMPDIR/sb-pg.log" 2>&1
}

@test "sysbench tables MySQL -> PostgreSQL with -j 2: every row equal" {
	run -0 dbmig dump -j 2 "$(my_uri sbtest)" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_db sb_from_my)
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" sbtest "$dst" sbtest
	assert_output "equal: 2 tables, every row"
}

@test "sysbench tables PostgreSQL -> MySQL with -j 2: every row equal" {
	run -0 dbmig dump -j 2 "$(pg_uri sbtest)" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_mydb sb_from_pg)
	run -0 dbmig load -j 2 "$BATS_TEST_TMPDIR/d" "$dst"
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" sb_from_pg "$(pg_uri sbtest)" public
	assert_output "equal: 2 tables, every row"
}
