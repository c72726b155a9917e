/*
 * drv_pg.c - the PostgreSQL driver: connections, the exported snapshot,
 * COPY out to canonical rows, and the target side (ledger, DDL steps and
 * chunk loads with COPY FROM STDIN, each in one transaction with its
 * ledger row). Introspection lives in pg_schema.c, DDL in pg_ddl.c.
 *
 * Every session is pinned to the settings pg_text.c relies on, so the
 * text forms we parse and produce never depend on the server's or the
 * role's defaults.
 */
#include "pg_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../log.h"
#include "../banned.h"

static const char session_setup[] =
	"SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
	"SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3; "
	"SET bytea_output = 'hex'; SET standard_conforming_strings = on; "
	"SET search_path = pg_catalog; SET statement_timeout = 0; "
	"SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; "
	"SET client_min_messages = warning";

static const char *
side_name(enum dberr_class side)
{
	return side == DBERR_SOURCE ? "source" : "target";
}

/* Next-step advice for a server error, by SQLSTATE class. */
static const char *
sqlstate_hint(const char *st)
{
	if (!st)
		return NULL;
	if (!strcmp(st, "42501"))
		return "grant the privilege to the connecting role, or connect as a role that has it";
	if (!strcmp(st, "3D000"))
		return "create the database first, or fix dbname in the connection string";
	if (!strcmp(st, "28P01") || !strcmp(st, "28000"))
		return "check the password (PGPASSWORD, ~/.pgpass or the URI) and pg_hba.conf";
	if (!strcmp(st, "53100"))
		return "the server's disk is full: free space on the server";
	if (!strcmp(st, "42P07"))
		return "the object already exists on the target: load into an empty database, or use --data-only";
	if (!strcmp(st, "42P01"))
		return "the table is missing: run the load without --data-only, or create it";
	if (!strncmp(st, "08", 2) || !strcmp(st, "57P01"))
		return "the server went away: check it and run the same command again to resume";
	return NULL;
}

int
pg_fail(struct db_conn *c, PGresult *res, struct dberr *err, const char *fmt, ...)
{
	char ctx[512];
	const char *msg = NULL, *st = NULL, *hint;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	if (res) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if (!msg)
		msg = PQerrorMessage(c->pg);
	if (!st && PQstatus(c->pg) == CONNECTION_BAD)
		st = "08006";
	hint = sqlstate_hint(st);
	dberr_set(err, c->side, "%s (%s): %s: %s%s%s", side_name(c->side), c->desc,
		  ctx, msg && *msg ? msg : "unknown error", hint ? "; " : "", hint ? hint : "");
	if (st)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", st);
	PQclear(res);
	return -1;
}

int
pg_exec(struct db_conn *c, const char *sql, struct dberr *err)
{
	PGresult *r = PQexec(c->pg, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		return pg_fail(c, r, err, "%.200s", sql);
	PQclear(r);
	return 0;
}

PGresult *
pg_query(struct db_conn *c, const char *sql, int nparams,
	 const char *const *params, struct dberr *err)
{
	PGresult *r = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_fail(c, r, err, "query failed");
		return NULL;
	}
	return r;
}

/* host/port/dbname/user from a conninfo or URI, never the password. */
static void
describe_conninfo(const char *uri, char *out, size_t outsz)
{
	static const char *const shown[] = { "host", "hostaddr", "port", "dbname", "user" };
	PQconninfoOption *opts = PQconninfoParse(uri, NULL), *o;
	struct strbuf sb = STRBUF_INIT;

	if (!opts) {
		snprintf(out, outsz, "unparsable connection string");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++) {
		for (o = opts; o->keyword; o++) {
			if (!o->val || !*o->val || strcmp(o->keyword, shown[i]))
				continue;
			strbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "", o->keyword, o->val);
		}
	}
	PQconninfoFree(opts);
	snprintf(out, outsz, "%s", sb.len ? sb.buf : "defaults from PG* environment");
	strbuf_release(&sb);
}

static const char *
connect_hint(const char *msg)
{
	if (strstr(msg, "password authentication failed"))
		return "check the password (PGPASSWORD, ~/.pgpass or the URI)";
	if (strstr(msg, "no password supplied") || strstr(msg, "password is required"))
		return "supply a password through PGPASSWORD or ~/.pgpass (not on the command line)";
	if (strstr(msg, "database \"") && strstr(msg, "does not exist"))
		return "create the database first, or fix dbname in the connection string";
	if (strstr(msg, "role \"") && strstr(msg, "does not exist"))
		return "check the user name in the connection string";
	if (strstr(msg, "pg_hba.conf"))
		return "allow this client in the server's pg_hba.conf";
	if (strstr(msg, "Connection refused") || strstr(msg, "could not connect") ||
	    strstr(msg, "timeout expired") || strstr(msg, "translate host name") ||
	    strstr(msg, "No route to host"))
		return "check host and port, and that the server is running and accepts TCP connections";
	return NULL;
}

static int
pg_connect(struct db_conn **out, const char *uri, enum dberr_class side,
	   struct dberr *err)
{
	/* connect_timeout comes before dbname so the URI can override it. */
	const char *keys[] = { "connect_timeout", "dbname", "fallback_application_name",
			       "client_encoding", NULL };
	const char *vals[] = { "10", uri, "dbmig", "UTF8", NULL };
	struct db_conn *c = xcalloc(1, sizeof(*c));
	char *errmsg = NULL;
	PQconninfoOption *chk;
	const char *v;

	c->side = side;
	*out = NULL;
	if (!(chk = PQconninfoParse(uri, &errmsg))) {
		dberr_set(err, DBERR_USAGE, "%s: invalid connection string: %s",
			  side_name(side), errmsg ? errmsg : "parse error");
		PQfreemem(errmsg);
		free(c);
		return -1;
	}
	PQconninfoFree(chk);
	describe_conninfo(uri, c->desc, sizeof(c->desc));
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		const char *m = PQerrorMessage(c->pg), *hint = connect_hint(m);

		dberr_set(err, side, "cannot connect to %s (%s): %s%s%s", side_name(side),
			  c->desc, m, hint ? "; " : "", hint ? hint : "");
		PQfinish(c->pg);
		free(c);
		return -1;
	}
	/* The real endpoint, now that defaults and the environment applied. */
	snprintf(c->desc, sizeof(c->desc), "host=%s port=%s dbname=%s user=%s",
		 PQhost(c->pg), PQport(c->pg), PQdb(c->pg), PQuser(c->pg));
	snprintf(c->dbname, sizeof(c->dbname), "%s", PQdb(c->pg));
	v = PQparameterStatus(c->pg, "server_version");
	snprintf(c->version, sizeof(c->version), "%s", v ? v : "unknown");
	if (PQserverVersion(c->pg) < 100000) {
		dberr_set(err, side, "%s (%s): PostgreSQL %s is too old; dbmig needs 10 or later",
			  side_name(side), c->desc, c->version);
		PQfinish(c->pg);
		free(c);
		return -1;
	}
	if (pg_exec(c, session_setup, err) < 0) {
		PQfinish(c->pg);
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static void
pg_close(struct db_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

static const char *
pg_describe(struct db_conn *c)
{
	return c->desc;
}

static const char *
pg_server_version(struct db_conn *c)
{
	return c->version;
}

static const char *
pg_database(struct db_conn *c)
{
	return c->dbname;
}

static int
pg_snapshot_export(struct db_conn *c, int others, struct db_snapshot *snap,
		   struct dberr *err)
{
	PGresult *r;

	if (pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", err) < 0)
		return -1;
	/* Without a replication slot the LSN is read inside the snapshot's
	 * transaction: every change committed before it is in the snapshot,
	 * but it is not the snapshot's exact point, and we say so. */
	r = pg_query(c, "SELECT pg_catalog.pg_export_snapshot(), "
		     "CASE WHEN pg_catalog.pg_is_in_recovery() "
		     "THEN pg_catalog.pg_last_wal_replay_lsn() "
		     "ELSE pg_catalog.pg_current_wal_lsn() END", 0, NULL, err);
	if (!r)
		return -1;
	snprintf(snap->id, sizeof(snap->id), "%s", PQgetvalue(r, 0, 0));
	snprintf(snap->position, sizeof(snap->position), "%s", PQgetvalue(r, 0, 1));
	snprintf(snap->kind, sizeof(snap->kind), "pg-exported-snapshot");
	snap->position_exact = 0;
	snap->shareable = others;	/* exported snapshots have no limit */
	snap->consistent = 1;
	PQclear(r);
	return 0;
}

static int
pg_snapshot_release(struct db_conn *c, struct dberr *err)
{
	(void)c;
	(void)err;
	return 0;		/* nothing holds the source back */
}

static int
pg_snapshot_import(struct db_conn *c, const struct db_snapshot *snap, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	if (pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", err) < 0)
		return -1;
	strbuf_addstr(&sql, "SET TRANSACTION SNAPSHOT ");
	pg_quote_literal(&sql, snap->id);
	ret = pg_exec(c, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

/* "schema"."table" ("c1", "c2") for the columns that carry data. */
static void
copy_target(const struct table *t, struct strbuf *sql)
{
	int first = 1;

	pg_quote_qualified(sql, t->schema, t->name);
	strbuf_addstr(sql, " (");
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated_expr)
			continue;
		if (!first)
			strbuf_addstr(sql, ", ");
		pg_quote_ident(sql, t->cols[i].name);
		first = 0;
	}
	strbuf_addch(sql, ')');
}

int
pg_copy_rows(struct db_conn *c, struct table *t, const char *tail, row_sink_fn sink,
	     void *arg, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT, fields = STRBUF_INIT, canon = STRBUF_INIT;
	const struct ntype_desc **types = xcalloc((size_t)t->ncols, sizeof(*types));
	const char **fv = xcalloc((size_t)t->ncols, sizeof(*fv));
	size_t *fl = xcalloc((size_t)t->ncols, sizeof(*fl));
	size_t *offs = xcalloc((size_t)t->ncols, sizeof(*offs));
	struct value *vals = xcalloc((size_t)t->ncols, sizeof(*vals));
	int ncols = table_data_types(t, types), ret = -1, in_copy = 0;
	PGresult *r = NULL;
	char *line = NULL;
	uint64_t rowno = 0;

	if (!tail) {
		strbuf_addstr(&sql, "COPY ");
		copy_target(t, &sql);
		strbuf_addstr(&sql, " TO STDOUT");
	} else {
		strbuf_addstr(&sql, "COPY (SELECT ");
		for (int i = 0, first = 1; i < t->ncols; i++) {
			if (t->cols[i].generated_expr)
				continue;
			if (!first)
				strbuf_addstr(&sql, ", ");
			pg_quote_ident(&sql, t->cols[i].name);
			first = 0;
		}
		strbuf_addstr(&sql, " FROM ");
		pg_quote_qualified(&sql, t->schema, t->name);
		strbuf_addf(&sql, " %s) TO STDOUT", tail);
	}
	r = PQexec(c->pg, sql.buf);
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		pg_fail(c, r, err, "reading table %s.%s", t->schema, t->name);
		r = NULL;
		goto out;
	}
	PQclear(r);
	r = NULL;
	in_copy = 1;
	for (;;) {
		char emsg[256];
		int len = PQgetCopyData(c->pg, &line, 0);

		if (len == -1)
			break;
		if (len < 0) {
			pg_fail(c, NULL, err, "reading table %s.%s", t->schema, t->name);
			goto out;
		}
		if (dbmig_interrupted) {
			dberr_set(err, DBERR_INTERRUPTED, "interrupted while reading %s.%s",
				  t->schema, t->name);
			goto out;
		}
		rowno++;
		if (len < 1 || line[len - 1] != '\n' ||
		    pgcopy_split(line, (size_t)len - 1, ncols, &fields, fv, fl) != ncols) {
			dberr_set(err, DBERR_INTERNAL, "BUG: unexpected COPY row %llu from %s.%s",
				  (unsigned long long)rowno, t->schema, t->name);
			goto out;
		}
		strbuf_reset(&canon);
		for (int i = 0; i < ncols; i++) {
			if (!fv[i]) {
				offs[i] = SIZE_MAX;
				continue;
			}
			offs[i] = canon.len;
			if (pg_text_to_canon(types[i], fv[i], fl[i], &canon, emsg, sizeof(emsg)) < 0) {
				dberr_set(err, DBERR_SOURCE, "table %s.%s row %llu column %d: %s",
					  t->schema, t->name, (unsigned long long)rowno, i + 1, emsg);
				goto out;
			}
		}
		canon_values_from_offsets(&canon, offs, ncols, vals);
		PQfreemem(line);
		line = NULL;
		if (sink(arg, vals, err) < 0)
			goto out;
	}
	in_copy = 0;
	r = PQgetResult(c->pg);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_fail(c, r, err, "reading table %s.%s", t->schema, t->name);
		r = NULL;
		goto out;
	}
	ret = 0;
out:
	if (line)
		PQfreemem(line);
	PQclear(r);
	if (in_copy) {
		/* Abandoning a COPY OUT: cancel and drain so the connection
		 * is usable (or at least closable) afterwards. */
		PGcancel *cn = PQgetCancel(c->pg);
		char eb[256];

		if (cn) {
			PQcancel(cn, eb, sizeof(eb));
			PQfreeCancel(cn);
		}
		while (PQgetCopyData(c->pg, &line, 0) >= 0)
			PQfreemem(line);
	}
	while ((r = PQgetResult(c->pg)))
		PQclear(r);
	strbuf_release(&sql);
	strbuf_release(&fields);
	strbuf_release(&canon);
	free(types);
	free(fv);
	free(fl);
	free(offs);
	free(vals);
	return ret;
}

static int
pg_copy_out(struct db_conn *c, struct table *t, row_sink_fn sink, void *arg,
	    struct dberr *err)
{
	return pg_copy_rows(c, t, NULL, sink, arg, err);
}

static int
pg_ledger_open(struct db_conn *c, const char *dump_id, struct strlist *done,
	       struct dberr *err)
{
	const char *params[1] = { dump_id };
	PGresult *r;

	if (pg_exec(c, "CREATE SCHEMA IF NOT EXISTS _dbmig", err) < 0 ||
	    pg_exec(c, "CREATE TABLE IF NOT EXISTS _dbmig.load_ledger ("
		    "dump_id text NOT NULL, item text NOT NULL, rows bigint, "
		    "finished_at timestamptz NOT NULL DEFAULT now(), "
		    "PRIMARY KEY (dump_id, item))", err) < 0) {
		dberr_prefix(err, "cannot create the load ledger _dbmig.load_ledger "
			     "(the role needs CREATE on the database)");
		return -1;
	}
	r = pg_query(c, "SELECT item FROM _dbmig.load_ledger WHERE dump_id = $1",
		     1, params, err);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		strlist_push(done, PQgetvalue(r, i, 0));
	PQclear(r);
	return 0;
}

static int
ledger_insert(struct db_conn *c, const char *dump_id, const char *item,
	      uint64_t rows, int has_rows, struct dberr *err)
{
	char nrows[32];
	const char *params[3] = { dump_id, item, has_rows ? nrows : NULL };
	PGresult *r;

	snprintf(nrows, sizeof(nrows), "%llu", (unsigned long long)rows);
	r = PQexecParams(c->pg, "INSERT INTO _dbmig.load_ledger (dump_id, item, rows) "
			 "VALUES ($1, $2, $3)", 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_fail(c, r, err, "recording '%s' in the ledger", item);
	PQclear(r);
	return 0;
}

static void
rollback_quietly(struct db_conn *c)
{
	PGresult *r;

	if (PQstatus(c->pg) != CONNECTION_OK)
		return;
	while ((r = PQgetResult(c->pg)))
		PQclear(r);
	PQclear(PQexec(c->pg, "ROLLBACK"));
}

static int
pg_exec_step(struct db_conn *c, const char *dump_id, const struct ddl_step *step,
	     struct dberr *err)
{
	/* DDL is transactional here: no undo is ever needed. */
	if (pg_exec(c, "BEGIN", err) < 0)
		return -1;
	if (pg_exec(c, step->sql, err) < 0 ||
	    ledger_insert(c, dump_id, step->item, 0, 0, err) < 0 ||
	    pg_exec(c, "COMMIT", err) < 0) {
		rollback_quietly(c);
		return -1;
	}
	return 0;
}

static int
pg_table_probe(struct db_conn *c, const struct table *t, int *exists,
	       int *has_rows, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT, sql = STRBUF_INIT;
	const char *params[1];
	PGresult *r;
	int ret = -1;

	pg_quote_qualified(&q, t->schema, t->name);
	params[0] = q.buf;
	r = pg_query(c, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, params, err);
	if (!r)
		goto out;
	*exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	*has_rows = 0;
	if (*exists) {
		strbuf_addf(&sql, "SELECT EXISTS (SELECT 1 FROM ONLY %s)", q.buf);
		if (!(r = pg_query(c, sql.buf, 0, NULL, err)))
			goto out;
		*has_rows = PQgetvalue(r, 0, 0)[0] == 't';
		PQclear(r);
	}
	ret = 0;
out:
	strbuf_release(&q);
	strbuf_release(&sql);
	return ret;
}

static int
pg_table_truncate(struct db_conn *c, const struct table *t, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	strbuf_addstr(&sql, "TRUNCATE ONLY ");
	pg_quote_qualified(&sql, t->schema, t->name);
	ret = pg_exec(c, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

static int
pg_fk_checks_off(struct db_conn *c, struct dberr *err)
{
	/* What pg_restore --disable-triggers does; needs superuser. */
	return pg_exec(c, "SET session_replication_role = replica", err);
}

#define COPY_SEND_AT (256 * 1024)

static int
pg_load_chunk(struct db_conn *c, const struct table *t, const char *dump_id,
	      const char *item, row_source_fn src, void *arg, unsigned flags,
	      uint64_t *rows, struct dberr *err)
{
	struct strbuf nonul = STRBUF_INIT;
	uint64_t stripped = 0;
	struct strbuf sql = STRBUF_INIT, out = STRBUF_INIT, txt = STRBUF_INIT;
	const struct ntype_desc **types = xcalloc((size_t)t->ncols, sizeof(*types));
	struct value *vals = xcalloc((size_t)t->ncols, sizeof(*vals));
	int ncols = table_data_types(t, types), ret = -1, in_copy = 0, in_tx = 0;
	PGresult *r;

	*rows = 0;
	if (pg_exec(c, "BEGIN", err) < 0)
		goto out;
	in_tx = 1;
	strbuf_addstr(&sql, "COPY ");
	copy_target(t, &sql);
	strbuf_addstr(&sql, " FROM STDIN");
	r = PQexec(c->pg, sql.buf);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		pg_fail(c, r, err, "loading table %s.%s", t->schema, t->name);
		goto out;
	}
	PQclear(r);
	in_copy = 1;
	for (;;) {
		char emsg[256];
		int s = src(arg, vals, err);

		if (s < 0)
			goto out;
		if (s == 0)
			break;
		if (dbmig_interrupted) {
			dberr_set(err, DBERR_INTERRUPTED, "interrupted while loading %s.%s",
				  t->schema, t->name);
			goto out;
		}
		for (int i = 0; i < ncols; i++) {
			if (i)
				strbuf_addch(&out, '\t');
			if (vals[i].isnull) {
				strbuf_addstr(&out, "\\N");
				continue;
			}
			if (types[i]->t != NT_BYTES && types[i]->t != NT_GEOMETRY &&
			    types[i]->t != NT_FLOAT32 && types[i]->t != NT_FLOAT64 &&
			    types[i]->t != NT_ARRAY && memchr(vals[i].p, 0, vals[i].len) &&
			    (flags & LOAD_STRIP_NUL)) {
				strbuf_reset(&nonul);
				for (size_t k = 0; k < vals[i].len; k++) {
					if (vals[i].p[k])
						strbuf_addch(&nonul, vals[i].p[k]);
					else
						stripped++;
				}
				vals[i].p = (const unsigned char *)strbuf_cstr(&nonul);
				vals[i].len = nonul.len;
			}
			if (types[i]->t != NT_BYTES && types[i]->t != NT_GEOMETRY &&
			    types[i]->t != NT_FLOAT32 && types[i]->t != NT_FLOAT64 &&
			    types[i]->t != NT_ARRAY && memchr(vals[i].p, 0, vals[i].len)) {
				dberr_set(err, DBERR_UNSUPPORTED, "table %s.%s, row %llu of this chunk, "
					  "column %s: the value holds a NUL byte, which PostgreSQL "
					  "text cannot store; remove it at the source, or load with "
					  "--strip-nul to drop such bytes", t->schema, t->name,
					  (unsigned long long)*rows + 1, table_data_column_name(t, i));
				goto out;
			}
			strbuf_reset(&txt);
			switch (pg_canon_to_text(types[i], vals[i].p, vals[i].len, &txt,
						 emsg, sizeof(emsg))) {
			case 0:
				pgcopy_escape(&out, strbuf_cstr(&txt), txt.len);
				break;
			case 1:
				strbuf_addstr(&out, "\\N");
				break;
			default:
				dberr_set(err, DBERR_DUMP, "table %s.%s row %llu column %d: %s",
					  t->schema, t->name, (unsigned long long)*rows + 1, i + 1, emsg);
				goto out;
			}
		}
		strbuf_addch(&out, '\n');
		(*rows)++;
		if (out.len >= COPY_SEND_AT) {
			if (PQputCopyData(c->pg, out.buf, (int)out.len) != 1) {
				pg_fail(c, NULL, err, "loading table %s.%s", t->schema, t->name);
				goto out;
			}
			strbuf_reset(&out);
		}
	}
	if ((out.len && PQputCopyData(c->pg, out.buf, (int)out.len) != 1) ||
	    PQputCopyEnd(c->pg, NULL) != 1) {
		pg_fail(c, NULL, err, "loading table %s.%s", t->schema, t->name);
		goto out;
	}
	in_copy = 0;
	r = PQgetResult(c->pg);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_fail(c, r, err, "loading table %s.%s", t->schema, t->name);
		goto out;
	}
	PQclear(r);
	while ((r = PQgetResult(c->pg)))
		PQclear(r);
	if (ledger_insert(c, dump_id, item, *rows, 1, err) < 0 ||
	    pg_exec(c, "COMMIT", err) < 0)
		goto out;
	in_tx = 0;
	if (stripped)
		log_warn("%s.%s: %llu NUL byte%s dropped from text values (--strip-nul)",
			 t->schema, t->name, (unsigned long long)stripped, stripped == 1 ? "" : "s");
	ret = 0;
out:
	if (in_copy && PQstatus(c->pg) == CONNECTION_OK)
		PQputCopyEnd(c->pg, "dbmig: chunk aborted");
	if (in_tx)
		rollback_quietly(c);
	strbuf_release(&sql);
	strbuf_release(&out);
	strbuf_release(&txt);
	strbuf_release(&nonul);
	free(types);
	free(vals);
	return ret;
}

const struct db_driver drv_pg = {
	.name = "postgresql",
	.connect = pg_connect,
	.close = pg_close,
	.describe = pg_describe,
	.server_version = pg_server_version,
	.database = pg_database,
	.snapshot_export = pg_snapshot_export,
	.snapshot_import = pg_snapshot_import,
	.snapshot_release = pg_snapshot_release,
	.schema_read = pg_schema_read,
	.copy_out = pg_copy_out,
	.key_bounds = pg_key_bounds,
	.copy_out_range = pg_copy_out_range,
	.vf_sql_ok = pg_vf_sql_ok,
	.vf_stats = pg_vf_stats,
	.vf_digest = pg_vf_digest,
	.vf_read = pg_vf_read,
	.vf_render = pg_vf_render,
	.vf_table_begin = pg_vf_table_begin,
	.vf_table_end = pg_vf_table_end,
	.ledger_open = pg_ledger_open,
	.ddl_plan = pg_ddl_plan,
	.exec_step = pg_exec_step,
	.table_probe = pg_table_probe,
	.table_truncate = pg_table_truncate,
	.fk_checks_off = pg_fk_checks_off,
	.load_chunk = pg_load_chunk,
};
