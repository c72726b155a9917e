/*
 * my_cutover.c - the cutover role on a MySQL/MariaDB target
 * (cutover_ops.h): the step log, `_dbmig_cutover_log`, and the last live
 * verify. The source's half (the fence with read_only, the marker
 * through the binlog) is my_fence.c.
 */
#include "my_binlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "my_text.h"
#include "lib/cutover/cutover_ops.h"
#include "lib/base/banned.h"

#define CUTOVER_LOG "`_dbmig_cutover_log`"

static int
my_cutover_step_record(struct db_conn *c, const char *dump_id, const char *step,
		       const char *status, double seconds, const char *detail, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	if (my_exec(c, "CREATE TABLE IF NOT EXISTS " CUTOVER_LOG " (seq bigint AUTO_INCREMENT "
		    "PRIMARY KEY, dump_id varchar(64) NOT NULL, at datetime(6) NOT NULL DEFAULT "
		    "CURRENT_TIMESTAMP(6), step varchar(40) NOT NULL, status varchar(16) NOT NULL, "
		    "seconds double NOT NULL, detail text NOT NULL) ENGINE=InnoDB DEFAULT "
		    "CHARSET=utf8mb4 COLLATE=utf8mb4_bin", err) < 0)
		return dberr_prefix(err, "cannot record the cutover's steps in " CUTOVER_LOG), -1;
	strbuf_addstr(&q, "INSERT INTO " CUTOVER_LOG " (dump_id, step, status, seconds, detail) "
		      "VALUES (");
	my_quote_literal(&q, dump_id);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, step);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, status);
	strbuf_addf(&q, ", %.3f, ", seconds);
	my_quote_literal(&q, detail ? detail : "");
	strbuf_addch(&q, ')');
	ret = my_exec(c, q.buf, err);
	strbuf_release(&q);
	return ret;
}

/* One row of sql into out (no table: nothing recorded, out->found 0). */
static MYSQL_RES *
query_maybe(struct db_conn *c, const char *sql, int *none, struct dberr *err)
{
	MYSQL_RES *r;

	*none = 0;
	if (mysql_query(c->m, sql) != 0) {
		if (mysql_errno(c->m) == 1146) {
			*none = 1;
			return NULL;
		}
		my_fail(c, err, "reading dbmig's state");
		return NULL;
	}
	if (!(r = mysql_store_result(c->m)))
		my_fail(c, err, "reading dbmig's state");
	return r;
}

static int
step_read(struct db_conn *c, const char *dump_id, const char *step, struct cutover_step *out,
	  struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;
	int none;

	memset(out, 0, sizeof(*out));
	strbuf_addstr(&q, "SELECT step, status, detail FROM " CUTOVER_LOG " WHERE dump_id = ");
	my_quote_literal(&q, dump_id);
	if (step) {
		strbuf_addstr(&q, " AND step = ");
		my_quote_literal(&q, step);
	}
	strbuf_addstr(&q, " ORDER BY seq DESC LIMIT 1");
	r = query_maybe(c, q.buf, &none, err);
	strbuf_release(&q);
	if (!r)
		return none ? 0 : -1;
	if ((row = mysql_fetch_row(r))) {
		out->found = 1;
		snprintf(out->step, sizeof(out->step), "%s", row[0] ? row[0] : "");
		snprintf(out->status, sizeof(out->status), "%s", row[1] ? row[1] : "");
		snprintf(out->detail, sizeof(out->detail), "%s", row[2] ? row[2] : "");
	}
	mysql_free_result(r);
	return 0;
}

static int
my_cutover_step_last(struct db_conn *c, const char *dump_id, struct cutover_step *out,
		     struct dberr *err)
{
	return step_read(c, dump_id, NULL, out, err);
}

static int
my_cutover_step_find(struct db_conn *c, const char *dump_id, const char *step,
		     struct cutover_step *out, struct dberr *err)
{
	return step_read(c, dump_id, step, out, err);
}

static int
my_cutover_verify_last(struct db_conn *c, const char *dump_id, struct cutover_verify *out,
		       struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;
	int none;

	memset(out, 0, sizeof(*out));
	strbuf_addstr(&q, "SELECT at, result, differences, TIMESTAMPDIFF(MICROSECOND, finished_at, "
		      "NOW(6)) / 1e6 FROM `_dbmig_verify_result` WHERE dump_id = ");
	my_quote_literal(&q, dump_id);
	r = query_maybe(c, q.buf, &none, err);
	strbuf_release(&q);
	if (!r)
		return none ? 0 : -1;
	if ((row = mysql_fetch_row(r))) {
		out->found = 1;
		snprintf(out->at, sizeof(out->at), "%s", row[0] ? row[0] : "");
		snprintf(out->result, sizeof(out->result), "%s", row[1] ? row[1] : "");
		out->differences = row[2] ? strtoull(row[2], NULL, 10) : 0;
		out->age = row[3] ? atof(row[3]) : 0;
	}
	mysql_free_result(r);
	return 0;
}

const struct db_cutover_ops my_cutover_ops = {
	.clients = my_cutover_clients,
	.coverage = my_cutover_coverage,
	.source_privileges = my_cutover_source_privileges,
	.fence = my_cutover_fence,
	.fence_sql = my_cutover_fence_sql,
	.fenced = my_cutover_fenced,
	.marker = my_cutover_marker,
	.writes_after = my_cutover_writes_after,
	.step_record = my_cutover_step_record,
	.step_last = my_cutover_step_last,
	.step_find = my_cutover_step_find,
	.verify_last = my_cutover_verify_last,
};
