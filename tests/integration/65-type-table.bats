#!/usr/bin/env bats
# The MySQL -> PostgreSQL table in man/dbmig-types.7, row by row: each row
# becomes a MySQL table with that column and that value, the database is
# migrated, and the PostgreSQL column must have the type the page says
# (and every value must arrive, by tests/helpers/xcompare.sh).

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
	new_mydb types >/dev/null
	# rows: "mysql|postgresql|value", unquoted
	# the first table of the page: MySQL -> PostgreSQL
	awk '/^\.Bl -column/ { n++ } n == 1 { print } n == 1 && /^\.El/ { exit }' "$REPO_ROOT/man/dbmig-types.7" |
		grep '^\.It ' | grep -v '^\.It Sy' |
		sed -E 's/^\.It //; s/ Ta /|/g; s/"//g' >"$BATS_FILE_TMPDIR/rows"
	i=0 sql="SET sql_mode = ''; SET NAMES utf8mb4;"
	while IFS='|' read -r my pg val; do
		i=$((i + 1))
		sql="$sql CREATE TABLE r$i (c $my) DEFAULT CHARSET=utf8mb4; INSERT INTO r$i VALUES ($val);"
	done <"$BATS_FILE_TMPDIR/rows"
	my_sql --default-character-set=utf8mb4 types -e "$sql"
}

@test "the man page's mapping table has its rows" {
	run -0 wc -l <"$BATS_FILE_TMPDIR/rows"
	[ "$output" -ge 30 ]
}

@test "every row of the MySQL -> PostgreSQL table in dbmig-types(7) holds" {
	dst=$(new_db types_pg)
	run -0 dbmig dump "$(my_uri types)" -o "$BATS_TEST_TMPDIR/d"
	run -0 dbmig load "$BATS_TEST_TMPDIR/d" "$dst"
	i=0 bad=0
	while IFS='|' read -r my pg val; do
		i=$((i + 1))
		got=$(psql -X -q -At "$dst" -c "SET search_path = types" -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'r$i'::regclass AND attname = 'c'")
		if [ "$got" != "$pg" ]; then
			echo "row $i: MySQL $my holding $val became '$got', the page says '$pg'"
			bad=1
		fi
	done <"$BATS_FILE_TMPDIR/rows"
	[ "$bad" = 0 ]
	run -0 "$REPO_ROOT/tests/helpers/xcompare.sh" "${MY_HOST:-127.0.0.1}" "$MY_PORT" types "$dst" types
}
