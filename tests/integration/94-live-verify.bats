#!/usr/bin/env bats
# verify of a live pair: a running cdc-tail holds where the source's
# snapshot was taken, so the target is read at exactly that position
# and rows in flight are not differences.

load '../helpers/common'

setup_file() {
	start_mysql_for_file
	suite_skipped && return 0
	. "$BATS_FILE_TMPDIR/env"
}

@test "a live pair into PostgreSQL under pgbench: equal at one position; a stopped tail's rows in flight show; a planted difference is found" {
	dst=$(new_db lv_pg_dst)
	plant_difference() { psql_at "$1" "UPDATE quiet SET v = 'planted' WHERE id = 7" >/dev/null; }
	recorded_result() { psql_at "$1" "SELECT result || ' ' || at || ' ' || differences FROM _dbmig.verify_result"; }
	live_verify "$dst" lv_pg
}

@test "a live pair into MariaDB under pgbench: equal at one position; a stopped tail's rows in flight show; a planted difference is found" {
	dst=$(new_mydb lv_my_dst)
	plant_difference() { my_sql lv_my_dst -e "UPDATE quiet SET v = 'planted' WHERE id = 7"; }
	recorded_result() { my_sql lv_my_dst -e "SELECT CONCAT(result, ' ', at, ' ', differences) FROM _dbmig_verify_result"; }
	live_verify "$dst" lv_my
}
