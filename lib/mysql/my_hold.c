/*
 * my_hold.c - the live verify's hold on a MySQL/MariaDB target (struct
 * cdc_hold in target.h): `_dbmig_cdc_hold` in the target database, one
 * row per dump, written by the verify that asks and answered by the
 * tail that holds; and the verify's result at that position,
 * `_dbmig_verify_result`.
 */
#include "my_int.h"

#include <stdio.h>
#include <string.h>

#include "my_text.h"
#include "lib/cdc/apply_ops.h"
#include "lib/base/banned.h"

#define CDC_HOLD "`_dbmig_cdc_hold`"

static int
hold_table(struct db_conn *c, struct dberr *err)
{
	return my_exec(c, "CREATE TABLE IF NOT EXISTS " CDC_HOLD " (dump_id varchar(64) PRIMARY KEY, "
		       "request varchar(64) NOT NULL, held varchar(64), held_for varchar(64), "
		       "expires_at datetime(6) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
		       "COLLATE=utf8mb4_bin", err);
}

int
my_cdc_hold_request(struct db_conn *c, const char *dump_id, const char *request,
		    int max_seconds, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	if (!request) {
		strbuf_addstr(&q, "DELETE FROM " CDC_HOLD " WHERE dump_id = ");
		my_quote_literal(&q, dump_id);
		ret = hold_table(c, err) < 0 ? -1 : my_exec(c, q.buf, err);
		strbuf_release(&q);
		return ret;
	}
	/* (REPLACE: a new request clears the answer to the one before) */
	strbuf_addstr(&q, "REPLACE INTO " CDC_HOLD " (dump_id, request, expires_at) VALUES (");
	my_quote_literal(&q, dump_id);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, request);
	strbuf_addf(&q, ", NOW(6) + INTERVAL %d SECOND)", max_seconds);
	ret = hold_table(c, err) < 0 ? -1 : my_exec(c, q.buf, err);
	if (ret < 0)
		dberr_prefix(err, "asking the tail to hold (" CDC_HOLD ")");
	strbuf_release(&q);
	return ret;
}

int
my_cdc_hold_answer(struct db_conn *c, const char *dump_id, const char *request, const char *held,
		   struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	strbuf_addstr(&q, "UPDATE " CDC_HOLD " SET held = ");
	my_quote_literal(&q, held);
	strbuf_addstr(&q, ", held_for = ");
	my_quote_literal(&q, request);
	strbuf_addstr(&q, " WHERE dump_id = ");
	my_quote_literal(&q, dump_id);
	strbuf_addstr(&q, " AND request = ");
	my_quote_literal(&q, request);
	ret = my_exec(c, q.buf, err);
	strbuf_release(&q);
	return ret;
}

int
my_cdc_hold_read(struct db_conn *c, const char *dump_id, struct cdc_hold *h, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;

	memset(h, 0, sizeof(*h));
	strbuf_addstr(&q, "SELECT request, COALESCE(held, ''), COALESCE(held_for, '') FROM "
		      CDC_HOLD " WHERE expires_at > NOW(6) AND dump_id = ");
	my_quote_literal(&q, dump_id);
	if (mysql_query(c->m, q.buf) != 0) {
		strbuf_release(&q);
		if (mysql_errno(c->m) == 1146)	/* no table: nobody asked */
			return 0;
		return my_fail(c, err, "reading " CDC_HOLD);
	}
	strbuf_release(&q);
	if (!(r = mysql_store_result(c->m)))
		return my_fail(c, err, "reading " CDC_HOLD);
	if ((row = mysql_fetch_row(r))) {
		h->requested = 1;
		snprintf(h->request, sizeof(h->request), "%s", row[0] ? row[0] : "");
		snprintf(h->held, sizeof(h->held), "%s", row[1] ? row[1] : "");
		snprintf(h->held_for, sizeof(h->held_for), "%s", row[2] ? row[2] : "");
	}
	mysql_free_result(r);
	return 0;
}

int
my_verify_record(struct db_conn *c, const char *dump_id, const char *at, const char *result,
		 uint64_t differences, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	strbuf_addstr(&q, "REPLACE INTO `_dbmig_verify_result` (dump_id, at, result, differences, "
		      "finished_at) VALUES (");
	my_quote_literal(&q, dump_id);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, at);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, result);
	strbuf_addf(&q, ", %llu, NOW(6))", (unsigned long long)differences);
	ret = my_exec(c, "CREATE TABLE IF NOT EXISTS `_dbmig_verify_result` (dump_id varchar(64) "
		      "PRIMARY KEY, at varchar(128) NOT NULL, result varchar(16) NOT NULL, "
		      "differences bigint unsigned NOT NULL, finished_at datetime(6) NOT NULL) "
		      "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", err) < 0 ? -1
	      : my_exec(c, q.buf, err);
	strbuf_release(&q);
	return ret;
}
