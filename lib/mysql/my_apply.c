/*
 * my_apply.c - applying change events to a MySQL/MariaDB target
 * (cdc-tail), and _dbmig_cdc_state, one row per online dump, updated in
 * the same transaction as the rows it covers.
 *
 * Values are written as the INSERT fallback of a load writes them
 * (my_insert_literal), so a change arrives exactly as the load would
 * have written it. A row is found by the primary key, or, in a table
 * without one, by every column (<=>, one row of equal ones). Columns the
 * source did not send (unchanged TOAST) stay as they are.
 */
#include "my_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

#define CDC_STATE "`_dbmig_cdc_state`"

int
my_cdc_state_save(struct db_conn *c, const struct cdc_state *st, int if_absent,
		  struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	/* DDL commits on MySQL: the table is made by the load (if_absent),
	 * never inside an apply transaction */
	if (if_absent && my_exec(c, "CREATE TABLE IF NOT EXISTS " CDC_STATE " (dump_id varchar(32) PRIMARY KEY, "
		    "slot varchar(64) NOT NULL, publication varchar(64) NOT NULL, "
		    "position varchar(128) NOT NULL, updated_at datetime(6) NOT NULL DEFAULT "
		    "CURRENT_TIMESTAMP(6), seal varchar(32), gtid text) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
		    "COLLATE=utf8mb4_bin", err) < 0)
		return -1;
	strbuf_addstr(&q, if_absent ? "INSERT IGNORE INTO " CDC_STATE : "INSERT INTO " CDC_STATE);
	strbuf_addstr(&q, " (dump_id, slot, publication, position, seal, gtid) VALUES (");
	my_quote_literal(&q, st->dump_id);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, st->slot);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, st->publication);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, st->position.text);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, st->seal);
	strbuf_addch(&q, ',');
	my_quote_literal(&q, st->position.gtid);
	strbuf_addch(&q, ')');
	if (!if_absent)
		strbuf_addstr(&q, " ON DUPLICATE KEY UPDATE position = VALUES(position), "
			      "seal = VALUES(seal), gtid = VALUES(gtid), updated_at = "
			      "CURRENT_TIMESTAMP(6)");
	ret = my_exec(c, q.buf, err);
	strbuf_release(&q);
	return ret;
}

#define CDC_HOLDER "`_dbmig_cdc_holder`"

/* One row of a small query into out (its columns joined by sep), or ""
 * when it has none. */
static int
my_one_row(struct db_conn *c, const char *sql, const char *sep, char *out, size_t n,
	   struct dberr *err)
{
	MYSQL_RES *r = my_query(c, sql, err);
	MYSQL_ROW row;
	size_t len = 0;

	out[0] = '\0';
	if (!r)
		return -1;
	if ((row = mysql_fetch_row(r)))
		for (unsigned i = 0; i < mysql_num_fields(r) && len < n; i++)
			len += (size_t)snprintf(out + len, n - len, "%s%s", i ? sep : "",
						row[i] ? row[i] : "");
	mysql_free_result(r);
	return 0;
}

int
my_cdc_lock(struct db_conn *c, const char *dump_id, const char *tag, struct cdc_lock_holder *h,
	    struct dberr *err)
{
	struct strbuf name = STRBUF_INIT, q = STRBUF_INIT;
	char got[32], id[32];
	int ret = -1;

	memset(h, 0, sizeof(*h));
	/* GET_LOCK names are server-wide: the database is part of it */
	strbuf_addstr(&name, "CONCAT('dbmig_', MD5(CONCAT('tail ', ");
	my_quote_literal(&name, dump_id);
	strbuf_addstr(&name, ", ' ', DATABASE())))");
	strbuf_addf(&q, "SELECT GET_LOCK(%s, 0)", name.buf);
	if (my_one_row(c, q.buf, "", got, sizeof(got), err) < 0)
		goto out;
	strbuf_reset(&q);
	if (!strcmp(got, "1")) {
		/* who holds it, for a tail that finds it taken: MySQL shows
		 * no more than the holding connection's id */
		strbuf_addf(&q, "REPLACE INTO " CDC_HOLDER " (lock_name, conn_id, tag) VALUES (%s, "
			    "CONNECTION_ID(), ", name.buf);
		my_quote_literal(&q, tag);
		strbuf_addch(&q, ')');
		if (my_exec(c, "CREATE TABLE IF NOT EXISTS " CDC_HOLDER " (lock_name varchar(64) "
			    "PRIMARY KEY, conn_id bigint NOT NULL, tag varchar(128) NOT NULL) "
			    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", err) < 0 ||
		    my_exec(c, q.buf, err) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	strbuf_addf(&q, "SELECT COALESCE(IS_USED_LOCK(%s), '')", name.buf);
	if (my_one_row(c, q.buf, "", id, sizeof(id), err) < 0)
		goto out;
	ret = 1;
	if (!id[0])
		goto out;	/* let go meanwhile */
	strbuf_reset(&q);
	strbuf_addf(&q, "SELECT CONCAT('connection ', ID, ', from ', HOST, ', ', TIME, ' s in ', "
		    "COMMAND, IF(COALESCE(STATE, '') = '', '', CONCAT(' (', STATE, ')'))) FROM "
		    "information_schema.PROCESSLIST WHERE ID = %s", id);
	if (my_one_row(c, q.buf, "", h->session, sizeof(h->session), err) < 0)
		goto out;
	strbuf_reset(&q);
	strbuf_addf(&q, "SELECT tag FROM " CDC_HOLDER " WHERE lock_name = %s AND conn_id = %s",
		    name.buf, id);
	if (my_one_row(c, q.buf, "", h->tag, sizeof(h->tag), err) < 0) {
		*err = (struct dberr)DBERR_INIT;	/* no such table: no tag */
		h->tag[0] = '\0';
	}
out:
	strbuf_release(&name);
	strbuf_release(&q);
	return ret;
}

int
my_cdc_state_read(struct db_conn *c, struct cdc_state **out, int *n, struct dberr *err)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	int i = 0;

	*out = NULL;
	*n = 0;
	if (!(r = my_query(c, "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
			   "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_dbmig_cdc_state'", err)))
		return -1;
	row = mysql_fetch_row(r);
	i = row && row[0] && atoi(row[0]) > 0;
	mysql_free_result(r);
	if (!i)
		return 0;
	/* a state an older dbmig made has no seal yet (DDL: outside any
	 * apply transaction, as this runs before the first) */
	if (!(r = my_query(c, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE "
			   "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_dbmig_cdc_state' AND "
			   "COLUMN_NAME IN ('seal', 'gtid')", err)))
		return -1;
	row = mysql_fetch_row(r);
	i = row && row[0] ? atoi(row[0]) : 0;
	mysql_free_result(r);
	/* MySQL has no ADD COLUMN IF NOT EXISTS: the seal came first */
	if (i == 0 && my_exec(c, "ALTER TABLE " CDC_STATE " ADD COLUMN seal varchar(32)", err) < 0)
		return -1;
	if (i < 2 && my_exec(c, "ALTER TABLE " CDC_STATE " ADD COLUMN gtid text", err) < 0)
		return -1;
	if (!(r = my_query(c, "SELECT dump_id, slot, publication, position, COALESCE(seal, ''), "
			   "COALESCE(gtid, '') FROM " CDC_STATE " ORDER BY updated_at DESC", err)))
		return -1;
	*out = xcalloc((size_t)mysql_num_rows(r) + 1, sizeof(**out));
	for (i = 0; (row = mysql_fetch_row(r)); i++) {
		struct cdc_state *st = &(*out)[i];

		snprintf(st->dump_id, sizeof(st->dump_id), "%s", row[0]);
		snprintf(st->slot, sizeof(st->slot), "%s", row[1]);
		struct dberr perr = DBERR_INIT;

		snprintf(st->publication, sizeof(st->publication), "%s", row[2]);
		snprintf(st->raw_position, sizeof(st->raw_position), "%s", row[3]);
		snprintf(st->seal, sizeof(st->seal), "%s", row[4]);
		snprintf(st->raw_gtid, sizeof(st->raw_gtid), "%s", row[5]);
		st->position_ok = position_parse(&st->position, position_kind_of(row[3]), row[3],
						 st->raw_gtid, 1, 0, &perr) == 0;
	}
	*n = i;
	mysql_free_result(r);
	return 0;
}

static void
pending_add(struct db_conn *c, char kind, const struct table *t)
{
	if (c->apply_npend == c->apply_pend_alloc) {
		c->apply_pend_alloc = c->apply_pend_alloc ? 2 * c->apply_pend_alloc : 64;
		c->apply_pend = xrealloc(c->apply_pend,
					 (size_t)c->apply_pend_alloc * sizeof(*c->apply_pend));
	}
	c->apply_pend[c->apply_npend].kind = kind;
	c->apply_pend[c->apply_npend++].t = t;
}

/* The gathered INSERT joins the statements to send. */
static void
insert_close(struct db_conn *c)
{
	if (!c->apply_ins.len)
		return;
	if (c->apply_multi.len)
		strbuf_addch(&c->apply_multi, ';');
	strbuf_add(&c->apply_multi, c->apply_ins.buf, c->apply_ins.len);
	pending_add(c, 'I', c->apply_ins_t);
	strbuf_reset(&c->apply_ins);
	c->apply_ins_t = NULL;
}

static void
pending_drop(struct db_conn *c)
{
	strbuf_reset(&c->apply_ins);
	c->apply_ins_t = NULL;
	strbuf_reset(&c->apply_multi);
	c->apply_npend = 0;
}

/* Sends the statements gathered, in one round trip, and reads each
 * one's result in order: the server stops at the first that fails. An
 * UPDATE or DELETE that found no row is an error (the session counts
 * rows found, CLIENT_FOUND_ROWS: an UPDATE to the values a row holds
 * still finds it). */
static int
pending_flush(struct db_conn *c, struct dberr *err)
{
	int i = 0, st, ret = 0;

	insert_close(c);
	if (!c->apply_npend)
		return 0;
	/* the server would close the connection on it (error 2006 or 2013,
	 * "gone away"), and a rerun meet the same: say what to change */
	if (c->max_packet && c->apply_multi.len >= c->max_packet) {
		const struct table *t = c->apply_pend[c->apply_npend - 1].t;

		ret = dberr_set(err, DBERR_TARGET, "target (%s): a change of %s takes %zu bytes to "
				"send, more than the target's max_allowed_packet (%llu bytes): raise "
				"it on the target (SET GLOBAL max_allowed_packet = 1073741824, and in "
				"its configuration), then run the same command again", c->desc,
				t ? t->name : "a table", c->apply_multi.len, c->max_packet);
		goto out;
	}
	if (mysql_real_query(c->m, c->apply_multi.buf, c->apply_multi.len)) {
		ret = my_fail(c, err, "applying changes to %s", c->apply_pend[0].t ?
			      c->apply_pend[0].t->name : "the target");
		goto out;
	}
	for (;; i++) {
		MYSQL_RES *r = mysql_store_result(c->m);

		if (r)
			mysql_free_result(r);
		if (!ret && i < c->apply_npend && strchr("UD", c->apply_pend[i].kind) &&
		    mysql_affected_rows(c->m) == 0)
			ret = cdc_apply_row_missing(err, c->apply_pend[i].kind, NULL,
						    c->apply_pend[i].t->name, 1);
		if ((st = mysql_next_result(c->m)) < 0)
			break;
		if (st > 0) {	/* the next statement failed: the rest did not run */
			if (!ret)
				ret = my_fail(c, err, "applying a change to %s", i + 1 < c->apply_npend &&
					      c->apply_pend[i + 1].t ? c->apply_pend[i + 1].t->name
					      : "the target");
			break;
		}
	}
out:
	pending_drop(c);
	return ret;
}

/* One statement more to send; at 1 MiB or 1000 they go. */
static int
pending_statement(struct db_conn *c, char kind, const struct table *t, const struct strbuf *sql,
		  struct dberr *err)
{
	insert_close(c);
	if (c->apply_multi.len)
		strbuf_addch(&c->apply_multi, ';');
	strbuf_add(&c->apply_multi, sql->buf, sql->len);
	pending_add(c, kind, t);
	if (c->apply_multi.len > (1u << 20) || c->apply_npend >= 1000)
		return pending_flush(c, err);
	return 0;
}

int
my_apply_begin(struct db_conn *c, struct dberr *err)
{
	pending_drop(c);
	/* our own statements only, every literal quoted: several to a
	 * round trip */
	if (!c->multi_on) {
		if (mysql_set_server_option(c->m, MYSQL_OPTION_MULTI_STATEMENTS_ON))
			return my_fail(c, err, "turning on multi-statements for the apply");
		c->multi_on = 1;
	}
	if (!c->max_packet) {
		char v[32];

		if (my_one_row(c, "SELECT @@max_allowed_packet", "", v, sizeof(v), err) < 0)
			return -1;
		c->max_packet = strtoull(v, NULL, 10);
	}
	return my_exec(c, "START TRANSACTION", err);
}

int
my_apply_commit(struct db_conn *c, struct dberr *err)
{
	if (pending_flush(c, err) < 0)
		return -1;
	return my_exec(c, "COMMIT", err);
}

int
my_apply_mark(struct db_conn *c, int undo, struct dberr *err)
{
	if (undo) {	/* what is gathered is the dropped transaction's */
		pending_drop(c);
		return my_exec(c, "ROLLBACK TO SAVEPOINT dbmig_tx", err);
	}
	if (pending_flush(c, err) < 0)
		return -1;
	return my_exec(c, "SAVEPOINT dbmig_tx", err);
}

void
my_apply_rollback(struct db_conn *c)
{
	pending_drop(c);
	mysql_query(c->m, "ROLLBACK");
}

static int
is_key_column(const struct table *t, const char *name, int *keyed)
{
	*keyed = 0;
	for (int k = 0; k < t->ncons; k++)
		if (t->cons[k].kind == 'p') {
			*keyed = 1;
			return strlist_has(&t->cons[k].columns, name);
		}
	return 1;	/* no key: every column finds the row */
}

static int
where_clause(const struct table *t, const struct value *img, struct strbuf *sql,
	     struct strbuf *txt, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types), first = 1, keyed = 0;
	char emsg[200];

	strbuf_addstr(sql, " WHERE ");
	for (int i = 0; i < n; i++) {
		const char *name = table_data_column_name(t, i);

		if (!is_key_column(t, name, &keyed))
			continue;
		strbuf_addstr(sql, first ? "" : " AND ");
		my_quote_ident(sql, name);
		strbuf_addstr(sql, " <=> ");
		if (my_insert_literal(sql, types[i], &img[i], txt, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_TARGET, "a change to %s, column %s: %s", t->name,
					 name, emsg);
		first = 0;
	}
	if (!keyed)
		strbuf_addstr(sql, " LIMIT 1");
	return 0;
}

static int
values_sql(const struct table *t, const struct cdc_event *ev, int update, struct strbuf *sql,
	   struct strbuf *txt, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types), set = 0;
	char emsg[200];

	for (int i = 0; i < n; i++) {
		if (ev->unchanged && ev->unchanged[i])
			continue;
		strbuf_addstr(sql, set++ ? ", " : "");
		if (update) {
			my_quote_ident(sql, table_data_column_name(t, i));
			strbuf_addstr(sql, " = ");
		}
		if (my_insert_literal(sql, types[i], &ev->after[i], txt, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_TARGET, "a change to %s, column %s: %s", t->name,
					 table_data_column_name(t, i), emsg);
	}
	return 0;
}

static void
column_list(const struct table *t, const unsigned char *unchanged, struct strbuf *sql)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types);

	strbuf_addstr(sql, " (");
	for (int i = 0, k = 0; i < n; i++) {
		if (unchanged && unchanged[i])
			continue;	/* not sent: the target's default */
		strbuf_addstr(sql, k++ ? ", " : "");
		my_quote_ident(sql, table_data_column_name(t, i));
	}
	strbuf_addstr(sql, ") VALUES (");
}

static int
any_set(const unsigned char *flags, int n)
{
	for (int i = 0; flags && i < n; i++)
		if (flags[i])
			return 1;
	return 0;
}

int
my_apply_change(struct db_conn *c, const struct cdc_event *ev, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT, txt = STRBUF_INIT;
	const struct table *t = ev->table;
	int ret = -1;

	if (ev->kind == CDC_INSERT) {
		const struct ntype_desc *types[CANON_MAX_COLS];
		int partial = any_set(ev->unchanged, table_data_types(t, types));

		/* a row more for the INSERT in hand, or a new one (a row
		 * with columns left out goes alone) */
		if (c->apply_ins_t != t || c->apply_ins.len > (1u << 20) || partial) {
			insert_close(c);
			if (c->apply_multi.len > (1u << 20) && pending_flush(c, err) < 0)
				goto out;
			strbuf_addstr(&c->apply_ins, "INSERT INTO ");
			my_quote_ident(&c->apply_ins, t->name);
			column_list(t, ev->unchanged, &c->apply_ins);
			c->apply_ins_t = partial ? NULL : t;
		} else {
			strbuf_addstr(&c->apply_ins, ",(");
		}
		if (values_sql(t, ev, 0, &c->apply_ins, &txt, err) < 0)
			goto out;
		strbuf_addch(&c->apply_ins, ')');
		ret = 0;
		goto out;
	}
	if (ev->kind == CDC_TRUNCATE) {
		for (int i = 0; i < ev->ntables && (i == 0 || ret == 0); i++) {
			strbuf_reset(&sql);
			/* TRUNCATE commits on MySQL: DELETE keeps it in the
			 * transaction with the position */
			strbuf_addstr(&sql, "DELETE FROM ");
			my_quote_ident(&sql, ev->tables[i]->name);
			ret = pending_statement(c, '-', ev->tables[i], &sql, err);
		}
		goto out;
	}
	if (ev->kind == CDC_UPDATE) {
		strbuf_addstr(&sql, "UPDATE ");
		my_quote_ident(&sql, t->name);
		strbuf_addstr(&sql, " SET ");
		if (values_sql(t, ev, 1, &sql, &txt, err) < 0 ||
		    where_clause(t, ev->before ? ev->before : ev->after, &sql, &txt, err) < 0)
			goto out;
	} else if (ev->kind == CDC_DELETE) {
		strbuf_addstr(&sql, "DELETE FROM ");
		my_quote_ident(&sql, t->name);
		if (where_clause(t, ev->before, &sql, &txt, err) < 0)
			goto out;
	} else {
		ret = 0;
		goto out;
	}
	ret = pending_statement(c, ev->kind == CDC_DELETE ? 'D' : 'U', t, &sql, err);
out:
	strbuf_release(&sql);
	strbuf_release(&txt);
	return ret;
}
