#!/usr/bin/env bats
# The PostgreSQL -> MySQL table in man/dbmig-types.7, row by row: each row
# becomes a PostgreSQL table with that column and that value, the schema
# is migrated to MariaDB, and the MySQL column must have the type the page
# says (integer display widths and MariaDB's JSON-as-longtext normalized),
# with every value checked by tests/helpers/xcompare.sh.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	# the second table of the page: PostgreSQL -> MySQL
	awk '/^\.Bl -column/ { n++ } n == 2 { print } n == 2 && /^\.El/ { exit }' "$REPO_ROOT/man/dbmig-types.7" |
		grep '^\.It ' | grep -v '^\.It Sy' |
		sed -E 's/^\.It //; s/ Ta /|/g; s/^"([^"]*)"\|/\1|/; s/\|"([^"]*)"\|/|\1|/; s/\|"([^"]*)"$/|\1/' >"$BATS_FILE_TMPDIR/rows"
	src=$(new_db pgtypes)
	i=0 sql="CREATE SCHEMA t;"
	while IFS='|' read -r pg my val; do
		i=$((i + 1))
		sql="$sql CREATE TABLE t.r$i (c $pg); INSERT INTO t.r$i VALUES ($val);"
	done <"$BATS_FILE_TMPDIR/rows"
	psql -X -q -v ON_ERROR_STOP=1 "$src" -c "$sql" >/dev/null
}

@test "the man page's PostgreSQL -> MySQL table has its rows" {
	run -0 wc -l <"$BATS_FILE_TMPDIR/rows"
	[ "$output" -ge 20 ]
}

@test "every row of the PostgreSQL -> MySQL table in dbmig-types(7) holds" {
	run -0 dbmig dump "$(pg_uri pgtypes)" -o "$BATS_TEST_TMPDIR/d"
	dst=$(new_mydb pgtypes_my)
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	i=0 bad=0
	while IFS='|' read -r pg my val; do
		i=$((i + 1))
		got=$(my_sql pgtypes_my -e "SELECT IF(DATA_TYPE = 'longtext' AND EXISTS (SELECT 1 FROM information_schema.CHECK_CONSTRAINTS k WHERE k.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.CHECK_CLAUSE LIKE 'json_valid(%'), 'json', COLUMN_TYPE) FROM information_schema.COLUMNS c WHERE TABLE_SCHEMA = 'pgtypes_my' AND TABLE_NAME = 'r$i' AND COLUMN_NAME = 'c'" |
			sed -E 's/^(smallint|int|bigint|mediumint)\([0-9]+\)/\1/')
		if [ "$got" != "$my" ]; then
			echo "row $i: PostgreSQL $pg holding $val became '$got', the page says '$my'"
			bad=1
		fi
	done <"$BATS_FILE_TMPDIR/rows"
	[ "$bad" = 0 ]
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" pgtypes_my "$(pg_uri pgtypes)" t
}
