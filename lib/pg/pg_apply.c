/*
 * pg_apply.c - applying change events to a PostgreSQL target (cdc-tail),
 * and the state that says how far it got: _dbmig.cdc_state, one row per
 * online dump, updated in the same transaction as the rows it covers.
 *
 * Each change is one statement with its values as parameters in
 * PostgreSQL's text form, converted from the canonical payload by the
 * same function a load's text COPY uses, sent in libpq's pipeline mode:
 * a batch costs a round trip per thousand statements, not one each
 * (FINDINGS measured ten times the rate), and the results are checked in
 * order when they come back. A run of changes of one table and shape
 * goes as one statement of up to 64 rows: INSERTs always, UPDATEs and
 * DELETEs when they are a batch's net changes (one per row, so no
 * statement meets a row twice), joined to the table by key; the target
 * starts one statement where it started 64 (measured: its CPU for a
 * pgbench backlog from 1.2 s to 0.8 s per 400,000 changes). A long run
 * of INSERTs into one table (a bulk load on the source, a large
 * transaction) goes on by COPY inside the same target transaction,
 * leaving the pipeline while it lasts. A row is
 * found by the primary key (from the old key image when the key
 * changed); a table without one (REPLICA IDENTITY FULL on the source) by
 * every column, one row of equal ones. Columns the source did not send
 * (unchanged TOAST) stay as they are.
 */
#include "pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/xform.h"
#include "lib/base/banned.h"

static int pipe_send(struct db_conn *c, const char *sql, int n, const char *const *v, char kind,
		     const struct table *t, struct dberr *err);

static int
state_table(struct db_conn *c, struct dberr *err)
{
	if (pg_exec(c, "CREATE SCHEMA IF NOT EXISTS _dbmig", err) < 0 ||
	    pg_exec(c, "CREATE TABLE IF NOT EXISTS _dbmig.cdc_state ("
		    "dump_id text PRIMARY KEY, slot text NOT NULL, publication text NOT NULL, "
		    "position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())", err) < 0 ||
	    pg_exec(c, "ALTER TABLE _dbmig.cdc_state ADD COLUMN IF NOT EXISTS seal text, "
		    "ADD COLUMN IF NOT EXISTS gtid text NOT NULL DEFAULT ''", err) < 0)
		return dberr_prefix(err, "cannot create _dbmig.cdc_state (the role needs CREATE "
				    "on the database)"), -1;
	return 0;
}

int
pg_cdc_state_save(struct db_conn *c, const struct cdc_state *st, int if_absent,
		  struct dberr *err)
{
	const char *params[6] = { st->dump_id, st->slot, st->publication, st->position.text,
				  st->seal, st->position.gtid };
	PGresult *r;

	if (c->pipeline)	/* inside an apply batch */
		return pipe_send(c, "INSERT INTO _dbmig.cdc_state (dump_id, slot, publication, "
				 "position, seal, gtid) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT "
				 "(dump_id) DO UPDATE SET position = EXCLUDED.position, seal = "
				 "EXCLUDED.seal, gtid = EXCLUDED.gtid, updated_at = now()", 6, params,
				 '-', NULL, err);
	if (PQtransactionStatus(c->pg) == PQTRANS_IDLE && state_table(c, err) < 0)
		return -1;
	r = PQexecParams(c->pg, if_absent
		     ? "INSERT INTO _dbmig.cdc_state (dump_id, slot, publication, position, seal, "
		       "gtid) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dump_id) DO NOTHING"
		     : "INSERT INTO _dbmig.cdc_state (dump_id, slot, publication, position, seal, "
		       "gtid) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dump_id) DO UPDATE SET "
		       "position = EXCLUDED.position, seal = EXCLUDED.seal, gtid = EXCLUDED.gtid, "
		       "updated_at = now()", 6, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_fail(c, r, err, "recording the applied position in _dbmig.cdc_state");
	PQclear(r);
	return 0;
}

#define TAIL_LOCK_KEY "('x' || substr(md5('dbmig tail ' || $1), 1, 16))::bit(64)::bigint"

int
pg_cdc_lock(struct db_conn *c, const char *dump_id, const char *tag, struct cdc_lock_holder *h,
	    struct dberr *err)
{
	const char *params[2] = { dump_id, tag };
	PGresult *r = pg_query(c, "SELECT pg_catalog.pg_try_advisory_lock(" TAIL_LOCK_KEY "), "
			       "pg_catalog.set_config('application_name', $2, false)", 2, params, err);
	int got;

	memset(h, 0, sizeof(*h));
	if (!r)
		return -1;
	got = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (got)
		return 0;
	/* the holder, from the server's view of the lock's session */
	r = pg_query(c, "SELECT a.application_name, a.pid, coalesce(host(a.client_addr) || ':' || "
		     "a.client_port, 'a local socket'), to_char(a.backend_start, "
		     "'YYYY-MM-DD HH24:MI:SS TZ'), coalesce(a.state, '') FROM pg_catalog.pg_locks l "
		     "JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
		     "'advisory' AND l.granted AND l.database = (SELECT oid FROM "
		     "pg_catalog.pg_database WHERE datname = current_database()) AND "
		     "((l.classid::bigint << 32) | l.objid::bigint) = " TAIL_LOCK_KEY, 1, params, err);
	if (!r)
		return -1;
	if (PQntuples(r) > 0) {
		if (!strncmp(PQgetvalue(r, 0, 0), "dbmig cdc-tail ", 15))
			snprintf(h->tag, sizeof(h->tag), "%s", PQgetvalue(r, 0, 0));
		snprintf(h->session, sizeof(h->session), "server process %s, from %s, connected "
			 "since %s, %s", PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
			 PQgetvalue(r, 0, 4));
	}
	PQclear(r);
	return 1;
}

int
pg_cdc_state_read(struct db_conn *c, struct cdc_state **out, int *n, struct dberr *err)
{
	PGresult *r;

	*out = NULL;
	*n = 0;
	/* a state an older dbmig made has no seal yet; the column is looked
	 * for first: the ALTER's lock would wait for a running tail's batch
	 * (a live verify reads the state while one applies) */
	r = PQexec(c->pg, "SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = "
		   "to_regclass('_dbmig.cdc_state') AND attname IN ('seal', 'gtid') AND NOT "
		   "attisdropped");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) < 2 &&
	    pg_exec(c, "ALTER TABLE IF EXISTS _dbmig.cdc_state ADD COLUMN IF NOT EXISTS seal text, "
		    "ADD COLUMN IF NOT EXISTS gtid text NOT NULL DEFAULT ''", err) < 0 &&
	    !strstr(err->msg, "does not exist")) {
		PQclear(r);
		return -1;
	}
	PQclear(r);
	*err = (struct dberr)DBERR_INIT;
	r = pg_query(c, "SELECT dump_id, slot, publication, position, coalesce(seal, ''), gtid "
		     "FROM _dbmig.cdc_state ORDER BY updated_at DESC", 0, NULL, err);
	if (!r) {	/* no table yet: no state */
		if (strstr(err->msg, "does not exist")) {
			memset(err, 0, sizeof(*err));
			return 0;
		}
		return -1;
	}
	*out = xcalloc((size_t)PQntuples(r) + 1, sizeof(**out));
	for (int i = 0; i < PQntuples(r); i++) {
		struct cdc_state *st = &(*out)[i];

		snprintf(st->dump_id, sizeof(st->dump_id), "%s", PQgetvalue(r, i, 0));
		snprintf(st->slot, sizeof(st->slot), "%s", PQgetvalue(r, i, 1));
		struct dberr perr = DBERR_INIT;

		snprintf(st->publication, sizeof(st->publication), "%s", PQgetvalue(r, i, 2));
		snprintf(st->raw_position, sizeof(st->raw_position), "%s", PQgetvalue(r, i, 3));
		snprintf(st->seal, sizeof(st->seal), "%s", PQgetvalue(r, i, 4));
		snprintf(st->raw_gtid, sizeof(st->raw_gtid), "%s", PQgetvalue(r, i, 5));
		st->position_ok = position_parse(&st->position, position_kind_of(st->raw_position),
						 st->raw_position, st->raw_gtid, 1, 0, &perr) == 0;
	}
	*n = PQntuples(r);
	PQclear(r);
	return 0;
}

static void
pending_add(struct db_conn *c, char kind, const struct table *t, int rows)
{
	if (c->npending == c->pending_alloc) {
		c->pending_alloc = c->pending_alloc ? 2 * c->pending_alloc : 256;
		c->pending = xrealloc(c->pending, (size_t)c->pending_alloc * sizeof(*c->pending));
	}
	c->pending[c->npending].kind = kind;
	c->pending[c->npending].stmt = NULL;
	c->pending[c->npending].rows = rows;
	c->pending[c->npending++].t = t;
}

/* The statement's prepared name on this session, prepared (in the
 * pipeline) the first time: a table's changes are a handful of shapes,
 * parsed and planned once each instead of once per row. */
static int
prepared(struct db_conn *c, const char *sql, int n, char *name, size_t namesz,
	 struct dberr *err)
{
	uint32_t h = 2166136261u;
	struct pg_stmt *s;

	for (const char *p = sql; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (s = c->stmts[h & 255]; s && strcmp(s->sql, sql); s = s->next)
		;
	if (!s) {
		s = xcalloc(1, sizeof(*s));
		s->sql = xstrdup(sql);
		s->id = ++c->nstmts;
		s->next = c->stmts[h & 255];
		c->stmts[h & 255] = s;
	}
	if (!s->ready) {
		snprintf(name, namesz, "dbmig_apply_%d", s->id);
		if (!PQsendPrepare(c->pg, name, sql, n, NULL))
			return dberr_set(err, DBERR_TARGET, "target (%s): preparing a change: %s",
					 c->desc, PQerrorMessage(c->pg));
		pending_add(c, 'P', NULL, 0);
		c->pending[c->npending - 1].stmt = s;
		s->ready = 1;
	}
	snprintf(name, namesz, "dbmig_apply_%d", s->id);
	return 0;
}

/* Sends a statement into the pipeline; its result is checked later
 * (an UPDATE or DELETE must find rows rows). */
static int
stmt_send(struct db_conn *c, const char *sql, int n, const char *const *v, char kind,
	  const struct table *t, int rows, struct dberr *err)
{
	char name[32];

	if (prepared(c, sql, n, name, sizeof(name), err) < 0)
		return -1;
	if (!PQsendQueryPrepared(c->pg, name, n, v, NULL, NULL, 0))
		return dberr_set(err, DBERR_TARGET, "target (%s): sending a change: %s", c->desc,
				 PQerrorMessage(c->pg));
	pending_add(c, kind, t, rows);
	return 0;
}

static int group_flush(struct db_conn *c, struct dberr *err);

/* A statement after the changes gathered so far. */
static int
pipe_send(struct db_conn *c, const char *sql, int n, const char *const *v, char kind,
	  const struct table *t, struct dberr *err)
{
	if (group_flush(c, err) < 0)
		return -1;
	return stmt_send(c, sql, n, v, kind, t, 1, err);
}

/* A sync point, then every result up to it, in order: the first failure
 * (or an UPDATE or DELETE that found no row) is the error. The rows
 * gathered stay gathered. */
static int
pipe_sync(struct db_conn *c, struct dberr *err)
{
	int i = 0, failed = 0;
	PGresult *r;

	if (!PQpipelineSync(c->pg))
		return dberr_set(err, DBERR_TARGET, "target (%s): %s", c->desc, PQerrorMessage(c->pg));
	for (;;) {
		if (!(r = PQgetResult(c->pg))) {
			/* the end of one statement's results; once the connection
			 * is gone, NULL is all that comes and the sync never does */
			if (PQstatus(c->pg) != CONNECTION_BAD)
				continue;
			if (!failed)
				pg_fail(c, NULL, err, "applying changes (the server closed the "
					"connection or went away; nothing of this batch is confirmed)");
			failed = 1;
			break;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (i < c->npending && c->pending[i].kind == 'P' &&
		    PQresultStatus(r) != PGRES_COMMAND_OK)
			c->pending[i].stmt->ready = 0;	/* skipped: prepared again next time */
		if (!failed && PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_PIPELINE_ABORTED) {
			const struct table *t = i < c->npending ? c->pending[i].t : NULL;

			pg_fail(c, r, err, "applying a change to %s", t ? t->name : "the target");
			failed = 1;
			r = NULL;
		} else if (!failed && i < c->npending && strchr("UD", c->pending[i].kind) &&
			   atoi(PQcmdTuples(r)) != c->pending[i].rows) {
			const struct pg_pending *pd = &c->pending[i];

			cdc_apply_row_missing(err, pd->kind, pd->t->schema, pd->t->name, pd->rows);
			failed = 1;
		}
		PQclear(r);
		i++;
	}
	c->npending = 0;
	return failed ? -1 : 0;
}

/* The rows gathered sent, then every result checked. */
static int
pipe_drain(struct db_conn *c, struct dberr *err)
{
	if (group_flush(c, err) < 0)
		return -1;
	return pipe_sync(c, err);
}

int
pg_apply_begin(struct db_conn *c, struct dberr *err)
{
	/* A commit is confirmed to the source once the target answered: it
	 * must then be on the target's disk, whatever the server's default
	 * (synchronous_commit = off loses the last commits in a crash, and
	 * the source would have freed them). */
	if (!c->durable_commits) {
		if (pg_exec(c, "SET synchronous_commit = on", err) < 0)
			return -1;
		c->durable_commits = 1;
	}
	if (!PQenterPipelineMode(c->pg))
		return dberr_set(err, DBERR_TARGET, "target (%s): cannot enter pipeline mode: %s",
				 c->desc, PQerrorMessage(c->pg));
	c->pipeline = 1;
	c->npending = 0;
	c->group.kind = 0;	/* a new shape and run, with no table of before */
	return pipe_send(c, "BEGIN", 0, NULL, '-', NULL, err);
}

/* Every result is checked before the COMMIT goes: an UPDATE or DELETE
 * that found no row is no error to the server, so a COMMIT in the same
 * round trip would commit the batch, and its position, without it. */
int
pg_apply_commit(struct db_conn *c, struct dberr *err)
{
	int ret = pipe_drain(c, err);

	if (ret == 0)
		ret = pipe_send(c, "COMMIT", 0, NULL, '-', NULL, err);
	if (ret == 0)
		ret = pipe_drain(c, err);
	c->pipeline = 0;
	PQexitPipelineMode(c->pg);
	return ret;
}

int
pg_apply_mark(struct db_conn *c, int undo, struct dberr *err)
{
	return pipe_send(c, undo ? "ROLLBACK TO SAVEPOINT dbmig_tx" : "SAVEPOINT dbmig_tx", 0, NULL,
			 '-', NULL, err);
}

void
pg_apply_rollback(struct db_conn *c)
{
	struct dberr ignored = DBERR_INIT;

	c->group.rows = 0;	/* what is gathered is not sent */
	if (c->group.copying) {
		PGresult *r;

		c->group.copying = 0;
		strbuf_reset(&c->group.copy);
		PQputCopyEnd(c->pg, "dbmig rolls the batch back");
		while ((r = PQgetResult(c->pg)) && PQresultStatus(r) != PGRES_COPY_IN)
			PQclear(r);
		PQclear(r);
		c->pipeline = 0;	/* a COPY is outside the pipeline */
	} else if (c->pipeline) {
		pipe_drain(c, &ignored);
		c->pipeline = 0;
		PQexitPipelineMode(c->pg);
	}
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		PQclear(PQexec(c->pg, "ROLLBACK"));
}

/* The parameters of one statement: each value's text, or NULL. */
struct params {
	int n;
	const char *v[2 * CANON_MAX_COLS + 2];
	size_t off[2 * CANON_MAX_COLS + 2];
	int isnull[2 * CANON_MAX_COLS + 2];
	struct strbuf buf;
};

/* The data column col of t (generated columns are not data). */
static const struct column *
data_column(const struct table *t, int col)
{
	for (int k = 0; k < t->ncols; k++)
		if (!t->cols[k].generated_expr && col-- == 0)
			return &t->cols[k];
	return NULL;
}

/* Text with a NUL byte (from a MySQL source): PostgreSQL cannot hold it,
 * and a parameter would end at it, so the load's choice holds here too:
 * dropped with --strip-nul, else refused. */
static int
param_nul(struct params *pp, size_t from, const struct table *t, int col, struct dberr *err)
{
	const struct column *c = data_column(t, col);
	size_t k = from;

	if (!c || !(c->xform & XF_STRIP_NUL))
		return dberr_set(err, DBERR_UNSUPPORTED, "a change to %s.%s, column %s, holds a NUL "
				 "byte, which PostgreSQL text cannot store; the load refused it "
				 "too: remove it at the source, or reload with --strip-nul to drop "
				 "such bytes", t->schema, t->name, c ? c->name : "?");
	for (size_t i = from; i < pp->buf.len; i++)
		if (pp->buf.buf[i])
			pp->buf.buf[k++] = pp->buf.buf[i];
	pp->buf.len = k;
	pp->buf.buf[k] = '\0';
	return 0;
}

static int
param_add(struct params *pp, const struct table *t, int col, const struct ntype_desc *d,
	  const struct value *v, struct dberr *err)
{
	char emsg[200];
	int i = pp->n++, r;

	pp->isnull[i] = v->isnull;
	if (v->isnull)
		return i + 1;
	pp->off[i] = pp->buf.len;
	if ((r = pg_canon_to_text(d, v->p, v->len, &pp->buf, emsg, sizeof(emsg))) < 0)
		return dberr_set(err, DBERR_TARGET, "a change's value: %s", emsg), -1;
	if (r == 1)
		pp->isnull[i] = 1;
	if (memchr(pp->buf.buf + pp->off[i], 0, pp->buf.len - pp->off[i]) &&
	    param_nul(pp, pp->off[i], t, col, err) < 0)
		return -1;
	strbuf_addch(&pp->buf, '\0');
	return i + 1;
}

static void
params_fix(struct params *pp)
{
	for (int i = 0; i < pp->n; i++)
		pp->v[i] = pp->isnull[i] ? NULL : pp->buf.buf + pp->off[i];
}

static int
key_columns(const struct table *t, const struct strlist **key)
{
	for (int k = 0; k < t->ncons; k++)
		if (t->cons[k].kind == 'p') {
			*key = &t->cons[k].columns;
			return 1;
		}
	*key = NULL;
	return 0;
}

/* WHERE for the row a change is on: the key's columns, or every column
 * (IS NOT DISTINCT FROM, one row of equal ones) for a keyless table. */
static int
where_clause(const struct table *t, const struct value *img, struct params *pp,
	     struct strbuf *sql, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types), first = 1, p;
	const struct strlist *key;
	int keyed = key_columns(t, &key);
	struct strbuf qt = STRBUF_INIT;

	pg_quote_qualified(&qt, t->schema, t->name);
	if (!keyed)
		strbuf_addf(sql, " WHERE ctid = (SELECT ctid FROM %s WHERE ", qt.buf);
	else
		strbuf_addstr(sql, " WHERE ");
	for (int i = 0; i < n; i++) {
		const char *name = table_data_column_name(t, i);

		if (keyed && !strlist_has(key, name))
			continue;
		if ((p = param_add(pp, t, i, types[i], &img[i], err)) < 0)
			return -1;
		strbuf_addstr(sql, first ? "" : " AND ");
		pg_quote_ident(sql, name);
		strbuf_addf(sql, keyed ? " = $%d" : "::text IS NOT DISTINCT FROM $%d::text", p);
		first = 0;
	}
	if (!keyed)
		strbuf_addstr(sql, " LIMIT 1)");
	strbuf_release(&qt);
	return 0;
}

static int
insert_sql(const struct table *t, const struct cdc_event *ev, struct params *pp,
	   struct strbuf *sql, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types), p, always = 0;
	struct strbuf vals = STRBUF_INIT;

	for (int i = 0; i < t->ncols; i++)
		always |= t->cols[i].identity == 'a';
	strbuf_addstr(sql, "INSERT INTO ");
	pg_quote_qualified(sql, t->schema, t->name);
	strbuf_addstr(sql, " (");
	for (int i = 0, k = 0; i < n; i++) {
		if (ev->unchanged && ev->unchanged[i])
			continue;	/* not sent: the target's default */
		if ((p = param_add(pp, t, i, types[i], &ev->after[i], err)) < 0) {
			strbuf_release(&vals);
			return -1;
		}
		strbuf_addstr(sql, k ? ", " : "");
		pg_quote_ident(sql, table_data_column_name(t, i));
		strbuf_addf(&vals, "%s$%d", k++ ? ", " : "", p);
	}
	strbuf_addf(sql, ")%s VALUES (%s)", always ? " OVERRIDING SYSTEM VALUE" : "", vals.buf);
	strbuf_release(&vals);
	return 0;
}

static int
update_sql(const struct table *t, const struct cdc_event *ev, struct params *pp,
	   struct strbuf *sql, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types), p, set = 0;

	strbuf_addstr(sql, "UPDATE ");
	pg_quote_qualified(sql, t->schema, t->name);
	strbuf_addstr(sql, " SET ");
	for (int i = 0; i < n; i++) {
		if (ev->unchanged && ev->unchanged[i])
			continue;	/* not sent: it stays as it is */
		if ((p = param_add(pp, t, i, types[i], &ev->after[i], err)) < 0)
			return -1;
		strbuf_addstr(sql, set++ ? ", " : "");
		pg_quote_ident(sql, table_data_column_name(t, i));
		strbuf_addf(sql, " = $%d", p);
	}
	/* the row as it was: the old key when the key changed, else the new */
	return where_clause(t, ev->before ? ev->before : ev->after, pp, sql, err);
}

/* Rows per statement: a run of changes of one shape goes in statements
 * of 64, 32, ... 1 rows, so a table has few shapes to prepare. */
#define GROUP_ROWS	64

/* The columns a row's values are for, in parameter order: those sent
 * (INSERT, UPDATE), then the key's (UPDATE, DELETE). */
static void
group_columns(const struct pg_group *g, struct strbuf *cols)
{
	const struct strlist *key;
	int keyed = key_columns(g->t, &key), nv = 0;

	for (int i = 0; g->kind != 'D' && i < g->ndata; i++) {
		if (g->skip[i])
			continue;
		strbuf_addstr(cols, nv++ ? ", " : "");
		pg_quote_ident(cols, table_data_column_name(g->t, i));
	}
	for (int i = 0; g->kind != 'I' && keyed && i < g->ndata; i++) {
		if (!strlist_has(key, table_data_column_name(g->t, i)))
			continue;
		strbuf_addstr(cols, nv++ ? ", " : "");
		pg_quote_ident(cols, table_data_column_name(g->t, i));
	}
}

/* ") AS dbmig_v (c1, ...) WHERE" the table's key equals the values'
 * key, which is their last columns. */
static void
group_key_match(const struct pg_group *g, struct strbuf *sql)
{
	const struct strlist *key;
	int kc = 0, v;

	key_columns(g->t, &key);
	strbuf_addstr(sql, ") AS dbmig_v (");
	for (int i = 1; i <= g->nparams; i++)
		strbuf_addf(sql, "%sc%d", i > 1 ? ", " : "", i);
	strbuf_addstr(sql, ") WHERE ");
	for (int i = 0; i < g->ndata; i++)
		kc += strlist_has(key, table_data_column_name(g->t, i));
	v = g->nparams - kc + 1;
	for (int i = 0; i < g->ndata; i++) {
		if (!strlist_has(key, table_data_column_name(g->t, i)))
			continue;
		strbuf_addstr(sql, v > g->nparams - kc + 1 ? " AND dbmig_t." : "dbmig_t.");
		pg_quote_ident(sql, table_data_column_name(g->t, i));
		strbuf_addf(sql, " = dbmig_v.c%d", v++);
	}
}

/* The statement for k rows of the group's shape. Values come as
 * untyped parameters; an UPDATE or DELETE joins them to the table
 * through a union with the table's own columns (no rows from there),
 * which gives each parameter its column's type (VALUES would make them
 * text: a union's branches take the first one's types). */
static void
group_sql(const struct pg_group *g, int k, struct strbuf *sql)
{
	struct strbuf qt = STRBUF_INIT, cols = STRBUF_INIT;
	int always = 0, p = 1;

	pg_quote_qualified(&qt, g->t->schema, g->t->name);
	group_columns(g, &cols);
	if (g->kind == 'I') {
		for (int i = 0; i < g->t->ncols; i++)
			always |= g->t->cols[i].identity == 'a';
		strbuf_addf(sql, "INSERT INTO %s (%s)%s VALUES ", qt.buf, cols.buf,
			    always ? " OVERRIDING SYSTEM VALUE" : "");
	} else if (g->kind == 'U') {
		strbuf_addf(sql, "UPDATE %s AS dbmig_t SET ", qt.buf);
		for (int i = 0, v = 1; i < g->ndata; i++) {
			if (g->skip[i])
				continue;
			strbuf_addstr(sql, v > 1 ? ", " : "");
			pg_quote_ident(sql, table_data_column_name(g->t, i));
			strbuf_addf(sql, " = dbmig_v.c%d", v++);
		}
		strbuf_addf(sql, " FROM ((SELECT %s FROM %s WHERE false)", cols.buf, qt.buf);
	} else {
		strbuf_addf(sql, "DELETE FROM %s AS dbmig_t USING ((SELECT %s FROM %s WHERE false)",
			    qt.buf, cols.buf, qt.buf);
	}
	for (int r = 0; r < k; r++) {
		strbuf_addstr(sql, g->kind == 'I' ? (r ? ", (" : "(") : " UNION ALL SELECT ");
		for (int i = 0; i < g->nparams; i++)
			strbuf_addf(sql, "%s$%d", i ? ", " : "", p++);
		strbuf_addstr(sql, g->kind == 'I' ? ")" : "");
	}
	if (g->kind != 'I')
		group_key_match(g, sql);
	strbuf_release(&qt);
	strbuf_release(&cols);
}

/* After this many rows of a run of INSERTs into one table, the run goes
 * by COPY: the server neither parses nor plans a statement per 64 rows
 * (bench/cdc-large.sh: one source transaction of 2,000,000 rows applied
 * in 3.3 to 4.9 s once its commit came, against 6.5 to 6.7 s as 64-row
 * INSERTs). A run shorter than that (a batch's few inserts per table)
 * stays in the pipeline, which a COPY leaves at the cost of a round
 * trip. */
#define COPY_AFTER	256

/* One value in COPY's text form, after a tab unless it is a row's first. */
static void
copy_value(struct strbuf *out, int first, const char *v)
{
	if (!first)
		strbuf_addch(out, '\t');
	if (!v)
		strbuf_addstr(out, "\\N");
	else
		pgcopy_escape(out, v, strlen(v));
}

/* The COPY's text so far to the server, once there is enough of it (or
 * at the end). */
static int
copy_send(struct db_conn *c, size_t least, struct dberr *err)
{
	struct pg_group *g = &c->group;

	if (g->copy.len < least || !g->copy.len)
		return 0;
	if (PQputCopyData(c->pg, g->copy.buf, (int)g->copy.len) != 1)
		return pg_fail(c, NULL, err, "applying changes to %s.%s by COPY", g->t->schema,
			       g->t->name);
	strbuf_reset(&g->copy);
	return 0;
}

/* The run goes on by COPY: the pipeline's statements are checked first
 * (COPY cannot share a pipeline), then the rows gathered are the COPY's
 * first. */
static int
copy_begin(struct db_conn *c, struct dberr *err)
{
	struct pg_group *g = &c->group;
	struct strbuf sql = STRBUF_INIT;
	PGresult *r;

	if (pipe_sync(c, err) < 0)
		return -1;
	if (!PQexitPipelineMode(c->pg))
		return dberr_set(err, DBERR_TARGET, "target (%s): cannot leave pipeline mode for a "
				 "COPY: %s", c->desc, PQerrorMessage(c->pg));
	strbuf_addstr(&sql, "COPY ");
	pg_quote_qualified(&sql, g->t->schema, g->t->name);
	strbuf_addstr(&sql, " (");
	group_columns(g, &sql);
	strbuf_addstr(&sql, ") FROM STDIN");
	r = PQexec(c->pg, sql.buf);
	strbuf_release(&sql);
	/* from here on the rollback knows the pipeline is left */
	g->copying = 1;
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		g->copying = 0;
		c->pipeline = 0;
		return pg_fail(c, r, err, "applying changes to %s.%s by COPY", g->t->schema,
			       g->t->name);
	}
	PQclear(r);
	for (int row = 0; row < g->rows; row++) {
		for (int i = 0; i < g->nparams; i++) {
			size_t o = g->off[(size_t)row * (size_t)g->nparams + (size_t)i];

			copy_value(&g->copy, i == 0, o == (size_t)-1 ? NULL : g->vals.buf + o);
		}
		strbuf_addch(&g->copy, '\n');
	}
	g->run += g->rows;
	g->rows = 0;
	strbuf_reset(&g->vals);
	return copy_send(c, 1 << 16, err);
}

/* One row of the run into the COPY. */
static int
copy_row(struct db_conn *c, const struct params *pp, struct dberr *err)
{
	struct pg_group *g = &c->group;

	for (int i = 0; i < pp->n; i++)
		copy_value(&g->copy, i == 0, pp->isnull[i] ? NULL : pp->buf.buf + pp->off[i]);
	strbuf_addch(&g->copy, '\n');
	g->run++;
	return copy_send(c, 1 << 16, err);
}

/* The COPY ends, its result is checked (a refused row fails the whole
 * COPY, as it would its INSERT), and the pipeline resumes. */
static int
copy_end(struct db_conn *c, struct dberr *err)
{
	struct pg_group *g = &c->group;
	PGresult *r;
	int ret = copy_send(c, 0, err);

	g->copying = 0;
	/* ended in every case: a COPY left open would answer every wait */
	if (PQputCopyEnd(c->pg, ret < 0 ? "dbmig could not send the rows" : NULL) != 1 && ret == 0)
		ret = pg_fail(c, NULL, err, "applying changes to %s.%s by COPY", g->t->schema,
			      g->t->name);
	while ((r = PQgetResult(c->pg))) {
		if (PQresultStatus(r) == PGRES_COPY_IN) {	/* it could not end: gone */
			PQclear(r);
			if (ret == 0)
				ret = pg_fail(c, NULL, err, "applying changes (the server closed the "
					      "connection or went away; nothing of this batch is "
					      "confirmed)");
			break;
		}
		if (ret == 0 && PQresultStatus(r) != PGRES_COMMAND_OK) {
			ret = pg_fail(c, r, err, "applying a change to %s", g->t->name);
			continue;
		}
		PQclear(r);
	}
	if (ret == 0 && PQstatus(c->pg) == CONNECTION_BAD)
		ret = pg_fail(c, NULL, err, "applying changes (the server closed the connection or "
			      "went away; nothing of this batch is confirmed)");
	strbuf_reset(&g->copy);
	if (!PQenterPipelineMode(c->pg)) {
		c->pipeline = 0;
		return ret < 0 ? ret : dberr_set(err, DBERR_TARGET, "target (%s): cannot enter "
						 "pipeline mode: %s", c->desc, PQerrorMessage(c->pg));
	}
	return ret;
}

/* Sends the rows gathered, in statements of decreasing powers of two
 * (or ends the COPY that took the run). */
static int
group_flush(struct db_conn *c, struct dberr *err)
{
	struct pg_group *g = &c->group;
	const char **v;
	int done = 0, ret = 0;

	if (g->copying)
		return copy_end(c, err);
	if (!g->rows)
		return 0;
	g->run += g->rows;
	v = xcalloc((size_t)g->rows * (size_t)g->nparams + 1, sizeof(*v));
	for (int i = 0; i < g->rows * g->nparams; i++)
		v[i] = g->off[i] == (size_t)-1 ? NULL : g->vals.buf + g->off[i];
	while (done < g->rows && ret == 0) {
		struct strbuf sql = STRBUF_INIT;
		int k = GROUP_ROWS;

		while (k > g->rows - done || k * g->nparams > 65535)
			k /= 2;
		if (k < 1)
			k = 1;
		group_sql(g, k, &sql);
		ret = stmt_send(c, sql.buf, k * g->nparams, v + (size_t)done * (size_t)g->nparams,
				g->kind == 'I' ? '-' : g->kind, g->t, k, err);
		strbuf_release(&sql);
		done += k;
	}
	free(v);
	g->rows = 0;
	strbuf_reset(&g->vals);
	return ret;
}

/* Whether the change joins the rows gathered (same table, kind and
 * columns), after sending them if it cannot. An UPDATE or DELETE joins
 * only as one of a batch's net changes of a keyed table: a statement
 * must not meet one row twice. */
static int
group_join(struct db_conn *c, const struct cdc_event *ev, struct dberr *err)
{
	struct pg_group *g = &c->group;
	const struct strlist *key;
	char kind = ev->kind == CDC_INSERT ? 'I' : ev->kind == CDC_UPDATE ? 'U' : 'D';
	const struct ntype_desc *types[CANON_MAX_COLS];
	int ndata, keyed = key_columns(ev->table, &key), same;

	if (ev->kind != CDC_INSERT && (!ev->net || !keyed))
		return group_flush(c, err) < 0 ? -1 : 0;
	ndata = table_data_types(ev->table, types);
	/* the shape stays after its rows were sent: a run goes on */
	same = g->kind == kind && g->t == ev->table && g->ndata == ndata;
	for (int i = 0; same && kind != 'D' && i < ndata; i++)
		same = g->skip[i] == (ev->unchanged ? ev->unchanged[i] : 0);
	if ((g->rows || g->copying) && !same && group_flush(c, err) < 0)
		return -1;
	if (!same) {
		g->run = 0;
		g->kind = kind;
		g->t = ev->table;
		g->ndata = ndata;
		g->nparams = 0;
		free(g->skip);
		g->skip = xcalloc((size_t)ndata + 1, 1);
		for (int i = 0; i < ndata; i++) {
			if (kind != 'D' && ev->unchanged)
				g->skip[i] = ev->unchanged[i];
			g->nparams += (kind != 'D' && !g->skip[i]) +
				(kind != 'I' && strlist_has(key, table_data_column_name(g->t, i)));
		}
	}
	return 1;
}

/* A row's values in the order group_columns names their columns. */
static int
row_params(const struct pg_group *g, const struct cdc_event *ev, struct params *pp,
	   struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	const struct value *key_img = ev->before ? ev->before : ev->after;
	const struct strlist *key;

	table_data_types(g->t, types);
	key_columns(g->t, &key);
	for (int i = 0; g->kind != 'D' && i < g->ndata; i++)
		if (!g->skip[i] && param_add(pp, g->t, i, types[i], &ev->after[i], err) < 0)
			return -1;
	for (int i = 0; g->kind != 'I' && i < g->ndata; i++)
		if (strlist_has(key, table_data_column_name(g->t, i)) &&
		    param_add(pp, g->t, i, types[i], &key_img[i], err) < 0)
			return -1;
	return 0;
}

/* A row's values onto the rows gathered; at GROUP_ROWS they go. */
static int
group_add(struct db_conn *c, const struct params *pp, struct dberr *err)
{
	struct pg_group *g = &c->group;
	size_t need = (size_t)(g->rows + 1) * (size_t)g->nparams;

	if (g->copying)
		return copy_row(c, pp, err);
	if (need > g->alloc) {
		g->alloc = need * 2;
		g->off = xrealloc(g->off, g->alloc * sizeof(*g->off));
	}
	for (int i = 0; i < pp->n; i++) {
		size_t *o = &g->off[(size_t)g->rows * (size_t)g->nparams + (size_t)i];

		if (pp->isnull[i]) {
			*o = (size_t)-1;
			continue;
		}
		*o = g->vals.len;
		strbuf_add(&g->vals, pp->buf.buf + pp->off[i], strlen(pp->buf.buf + pp->off[i]) + 1);
	}
	if (++g->rows >= GROUP_ROWS)
		return g->kind == 'I' && g->run >= COPY_AFTER ? copy_begin(c, err)
		       : group_flush(c, err);
	return 0;
}

int
pg_apply_change(struct db_conn *c, const struct cdc_event *ev, struct dberr *err)
{
	struct params pp;
	struct strbuf sql = STRBUF_INIT;
	const struct table *t = ev->table;
	int ret = -1;

	pp.n = 0;
	memset(&pp.buf, 0, sizeof(pp.buf));
	if (ev->kind == CDC_INSERT || ev->kind == CDC_UPDATE || ev->kind == CDC_DELETE) {
		int r = group_join(c, ev, err);

		if (r < 0 || (r > 0 && (row_params(&c->group, ev, &pp, err) < 0 ||
					group_add(c, &pp, err) < 0)))
			goto out;
		if (r > 0)
			goto sent;
	}
	if (ev->kind == CDC_TRUNCATE) {
		strbuf_addstr(&sql, "TRUNCATE ");
		for (int i = 0; i < ev->ntables; i++) {
			strbuf_addstr(&sql, i ? ", " : "");
			pg_quote_qualified(&sql, ev->tables[i]->schema, ev->tables[i]->name);
		}
	} else if (ev->kind == CDC_INSERT) {
		if (insert_sql(t, ev, &pp, &sql, err) < 0)
			goto out;
	} else if (ev->kind == CDC_UPDATE) {
		if (update_sql(t, ev, &pp, &sql, err) < 0)
			goto out;
	} else if (ev->kind == CDC_DELETE) {
		strbuf_addstr(&sql, "DELETE FROM ");
		pg_quote_qualified(&sql, t->schema, t->name);
		if (where_clause(t, ev->before, &pp, &sql, err) < 0)
			goto out;
	} else {
		ret = 0;
		goto out;
	}
	params_fix(&pp);
	if (pipe_send(c, sql.buf, pp.n, pp.v, ev->kind == CDC_UPDATE ? 'U' : ev->kind == CDC_DELETE
		      ? 'D' : '-', t, err) < 0)
		goto out;
sent:
	/* a sync now and then: the server's results must not pile up
	 * unread while this side still sends */
	if (c->npending >= 1000 && pipe_drain(c, err) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&sql);
	strbuf_release(&pp.buf);
	return ret;
}
