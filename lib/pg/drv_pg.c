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

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/testknobs.h"
#include "pg_bincopy.h"
#include "lib/base/netprobe.h"
#include "lib/base/banned.h"

static const char session_setup[] =
	"SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
	"SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3; "
	"SET bytea_output = 'hex'; SET standard_conforming_strings = on; "
	"SET search_path = pg_catalog; SET statement_timeout = 0; "
	"SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; "
	/* as pg_restore: a SQL function's body names tables the loader's
	 * search_path does not see, and may come before them */
	"SET check_function_bodies = false; "
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
	const char *msg = NULL, *st = NULL, *hint, *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	if (res) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		/* a constraint's refusal names the row (the key) only here */
		if (st && !strncmp(st, "23", 2))
			detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	}
	if (!msg)
		msg = PQerrorMessage(c->pg);
	if (!st && PQstatus(c->pg) == CONNECTION_BAD)
		st = "08006";
	hint = sqlstate_hint(st);
	dberr_set(err, c->side, "%s (%s): %s: %s%s%s%s%s%s", side_name(c->side), c->desc,
		  ctx, msg && *msg ? msg : "unknown error", detail ? " (" : "",
		  detail ? detail : "", detail ? ")" : "", hint ? "; " : "", hint ? hint : "");
	if (st)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", st);
	err->transient = st && (!strncmp(st, "40", 2) || !strcmp(st, "55P03"));
	err->duplicate = st && !strcmp(st, "23505");	/* unique_violation */
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
connect_hint(const char *msg, enum dberr_class side)
{
	if (strstr(msg, "password authentication failed"))
		return "check the password (PGPASSWORD, ~/.pgpass or the URI)";
	if (strstr(msg, "no password supplied") || strstr(msg, "password is required"))
		return "supply a password through PGPASSWORD or ~/.pgpass (not on the command line)";
	if (strstr(msg, "database \"") && strstr(msg, "does not exist"))
		return side == DBERR_SOURCE
		       ? "check dbname in the connection string: the source must be an existing "
			 "database (psql -l lists them)"
		       : "create the database first (createdb), or fix dbname in the connection string";
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

/* libpq's message on one line, without its own advice ("Is the server
 * running ...?"), which connect_hint gives in dbmig's words. */
static void
connect_message(PGconn *pg, struct strbuf *out)
{
	const char *m = PQerrorMessage(pg), *advice = strstr(m, "Is the server running");
	size_t n = advice ? (size_t)(advice - m) : strlen(m);

	for (size_t i = 0; i < n; i++)
		strbuf_addch(out, m[i] == '\n' || m[i] == '\t' ? ' ' : m[i]);
	while (out->len && (out->buf[out->len - 1] == ' ' || out->buf[out->len - 1] == '\n'))
		out->buf[--out->len] = '\0';
	if (!out->buf)
		strbuf_addstr(out, "unknown error");
}

/* When libpq met bytes that are not PostgreSQL's (a MySQL port: its
 * greeting arrives where libpq expects the answer to its SSL request),
 * whether a MySQL server greets on that port; the sentence in other. */
static int
other_engine(PGconn *pg, const char *msg, char *other, size_t othersz)
{
	unsigned char buf[160];
	ssize_t n;
	size_t vlen;

	if (!strstr(msg, "SSL negotiation") && !strstr(msg, "expected authentication request") &&
	    !strstr(msg, "invalid response") && !strstr(msg, "server closed the connection"))
		return 0;
	n = netprobe_exchange(PQhost(pg), PQport(pg), NULL, 0, buf, sizeof(buf) - 1, 2000);
	/* a MySQL greeting: 3-byte length, sequence 0, protocol version 10,
	 * the server version NUL-terminated */
	if (n < 6 || buf[3] != 0 || buf[4] != 10)
		return 0;
	buf[n] = '\0';
	vlen = strnlen((const char *)buf + 5, (size_t)n - 5);
	snprintf(other, othersz, "port %s answers as a MySQL/MariaDB server (%.*s), not as "
		 "PostgreSQL; use a mysql:// URI for it, or fix the port", PQport(pg),
		 (int)(vlen > 60 ? 60 : vlen), (const char *)buf + 5);
	return 1;
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
		struct strbuf m = STRBUF_INIT;
		char other[160];
		const char *hint;

		connect_message(c->pg, &m);
		hint = connect_hint(m.buf, side);
		if (other_engine(c->pg, m.buf, other, sizeof(other)))
			dberr_set(err, side, "cannot connect to %s (%s): %s", side_name(side),
				  c->desc, other);
		else
			dberr_set(err, side, "cannot connect to %s (%s): %s%s%s", side_name(side),
				  c->desc, m.buf, hint ? "; " : "", hint ? hint : "");
		strbuf_release(&m);
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
	/* a database fenced by a cutover (default_transaction_read_only
	 * on it) still takes dbmig's own writes: the reverse stream's
	 * apply, the hold, the step log */
	if (pg_exec(c, session_setup, err) < 0 ||
	    pg_exec(c, "SET default_transaction_read_only = off", err) < 0) {
		PQfinish(c->pg);
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static void
pg_abort_io(struct db_conn *c)
{
	int fd = PQsocket(c->pg);

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

static void
pg_close(struct db_conn *c)
{
	if (!c)
		return;
	if (c->repl)
		PQfinish(c->repl);
	PQfinish(c->pg);
	free(c->pending);
	free(c->group.skip);
	free(c->group.off);
	strbuf_release(&c->group.vals);
	strbuf_release(&c->group.copy);
	for (int i = 0; i < 256; i++)
		while (c->stmts[i]) {
			struct pg_stmt *n = c->stmts[i]->next;

			free(c->stmts[i]->sql);
			free(c->stmts[i]);
			c->stmts[i] = n;
		}
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
	if (position_parse(&snap->pos, POSITION_LSN, PQgetvalue(r, 0, 1), NULL, 0, 0, err) < 0) {
		err->cls = c->side;
		PQclear(r);
		return -1;
	}
	snprintf(snap->kind, sizeof(snap->kind), "pg-exported-snapshot");
	snap->shareable = others;	/* exported snapshots have no limit */
	snap->consistent = 1;
	PQclear(r);
	return 0;
}

static int
pg_snapshot_release(struct db_conn *c, struct dberr *err)
{
	(void)err;
	/* dump --online: every reader imported the slot's snapshot; the
	 * slot stays, its connection goes */
	if (c->repl) {
		PQfinish(c->repl);
		c->repl = NULL;
	}
	return 0;
}

int
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

/* "c1", "c2": the columns that carry data (not the generated ones). */
static void
data_columns(const struct table *t, struct strbuf *sql)
{
	for (int i = 0, first = 1; i < t->ncols; i++) {
		if (t->cols[i].generated_expr)
			continue;
		if (!first)
			strbuf_addstr(sql, ", ");
		pg_quote_ident(sql, t->cols[i].name);
		first = 0;
	}
}

/* "schema"."table" ("c1", "c2") for the columns that carry data. */
static void
copy_target(const struct table *t, struct strbuf *sql)
{
	pg_quote_qualified(sql, t->schema, t->name);
	strbuf_addstr(sql, " (");
	data_columns(t, sql);
	strbuf_addch(sql, ')');
}

static int binary_plan(struct db_conn *c, const struct table *t,
		       const struct ntype_desc **types, int ncols, enum bin_kind *kinds,
		       struct dberr *err);

/* COPY ... TO STDOUT of t's data columns, with tail when set. */
static void
copy_out_sql(const struct table *t, const char *tail, int binary, struct strbuf *sql)
{
	if (!tail) {
		strbuf_addstr(sql, "COPY ");
		copy_target(t, sql);
		strbuf_addstr(sql, " TO STDOUT");
	} else {
		strbuf_addstr(sql, "COPY (SELECT ");
		data_columns(t, sql);
		strbuf_addstr(sql, " FROM ");
		pg_quote_qualified(sql, t->schema, t->name);
		strbuf_addf(sql, " %s) TO STDOUT", tail);
	}
	if (binary)
		strbuf_addstr(sql, " (FORMAT binary)");
}

/* One COPY TO in progress: the table, its codec and where rows go. */
struct copy_out {
	struct table *t;
	int ncols, binary, trailer;
	const struct ntype_desc **types;
	enum bin_kind *kinds;
	struct bin_reader br;
	struct strbuf canon, fields;
	const char **fv;
	size_t *fl, *offs;
	struct value *vals;
	uint64_t rowno;
	row_sink_fn sink;
	void *arg;
};

/* Binary: the bytes of one CopyData message; hands on every whole row. */
static int
copy_out_binary(struct copy_out *co, const char *data, int len, struct dberr *err)
{
	int st;

	bincopy_feed(&co->br, data, (size_t)len);
	while ((st = bincopy_next_row(&co->br, co->ncols, co->kinds, &co->canon, co->offs)) == 1) {
		co->rowno++;
		canon_values_from_offsets(&co->canon, co->offs, co->ncols, co->vals);
		if (co->sink(co->arg, co->vals, err) < 0)
			return -1;
	}
	if (st < 0)
		return dberr_set(err, DBERR_INTERNAL, "BUG: unexpected binary COPY data after "
				 "row %llu of %s.%s", (unsigned long long)co->rowno,
				 co->t->schema, co->t->name);
	co->trailer |= st == 2;
	return 0;
}

/* Text: one line of COPY output, converted to canonical values. */
static int
copy_out_text(struct copy_out *co, const char *line, int len, struct dberr *err)
{
	const struct table *t = co->t;
	char emsg[256];

	co->rowno++;
	if (len < 1 || line[len - 1] != '\n' ||
	    pgcopy_split(line, (size_t)len - 1, co->ncols, &co->fields, co->fv, co->fl) !=
	    co->ncols)
		return dberr_set(err, DBERR_INTERNAL, "BUG: unexpected COPY row %llu from %s.%s",
				 (unsigned long long)co->rowno, t->schema, t->name);
	strbuf_reset(&co->canon);
	for (int i = 0; i < co->ncols; i++) {
		if (!co->fv[i]) {
			co->offs[i] = SIZE_MAX;
			continue;
		}
		co->offs[i] = co->canon.len;
		if (pg_text_to_canon(co->types[i], co->fv[i], co->fl[i], &co->canon, emsg,
				     sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "table %s.%s row %llu column %d: %s",
					 t->schema, t->name, (unsigned long long)co->rowno, i + 1,
					 emsg);
	}
	canon_values_from_offsets(&co->canon, co->offs, co->ncols, co->vals);
	return co->sink(co->arg, co->vals, err);
}

/* Abandoning a COPY OUT: cancel and drain, so the connection is usable
 * (or at least closable) afterwards. */
static void
copy_out_abandon(struct db_conn *c)
{
	PGcancel *cn = PQgetCancel(c->pg);
	char eb[256], *line;

	if (cn) {
		PQcancel(cn, eb, sizeof(eb));
		PQfreeCancel(cn);
	}
	while (PQgetCopyData(c->pg, &line, 0) >= 0)
		PQfreemem(line);
}

static int
pg_copy_rows_fmt(struct db_conn *c, struct table *t, const char *tail, int binary_ok,
		 row_sink_fn sink, void *arg, struct dberr *err)
{
	struct copy_out co = { t, 0, 0, 0, NULL, NULL, BIN_READER_INIT, STRBUF_INIT,
			       STRBUF_INIT, NULL, NULL, NULL, NULL, 0, sink, arg };
	struct strbuf sql = STRBUF_INIT;
	int ret = -1, in_copy = 0;
	PGresult *r = NULL;
	char *line = NULL;

	co.types = xcalloc((size_t)t->ncols, sizeof(*co.types));
	co.fv = xcalloc((size_t)t->ncols, sizeof(*co.fv));
	co.fl = xcalloc((size_t)t->ncols, sizeof(*co.fl));
	co.offs = xcalloc((size_t)t->ncols, sizeof(*co.offs));
	co.vals = xcalloc((size_t)t->ncols, sizeof(*co.vals));
	co.kinds = xcalloc((size_t)t->ncols + 1, sizeof(*co.kinds));
	co.ncols = table_data_types(t, co.types);
	if (binary_ok && (co.binary = binary_plan(c, t, co.types, co.ncols, co.kinds, err)) < 0)
		goto out;
	copy_out_sql(t, tail, co.binary, &sql);
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
		int len = PQgetCopyData(c->pg, &line, 0), st;

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
		st = co.binary ? copy_out_binary(&co, line, len, err)
			       : copy_out_text(&co, line, len, err);
		PQfreemem(line);
		line = NULL;
		if (st < 0)
			goto out;
	}
	in_copy = 0;
	r = PQgetResult(c->pg);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_fail(c, r, err, "reading table %s.%s", t->schema, t->name);
		r = NULL;
		goto out;
	}
	if (co.binary && !co.trailer) {
		dberr_set(err, DBERR_INTERNAL, "BUG: binary COPY of %s.%s ended without its "
			  "trailer", t->schema, t->name);
		goto out;
	}
	ret = 0;
out:
	if (line)
		PQfreemem(line);
	PQclear(r);
	if (in_copy)
		copy_out_abandon(c);
	while ((r = PQgetResult(c->pg)))
		PQclear(r);
	strbuf_release(&sql);
	strbuf_release(&co.fields);
	strbuf_release(&co.canon);
	strbuf_release(&co.br.bin);
	free(co.types);
	free(co.fv);
	free(co.fl);
	free(co.offs);
	free(co.vals);
	free(co.kinds);
	return ret;
}

int
pg_copy_rows(struct db_conn *c, struct table *t, const char *tail, row_sink_fn sink,
	     void *arg, struct dberr *err)
{
	return pg_copy_rows_fmt(c, t, tail, 0, sink, arg, err);
}

int
pg_copy_table(struct db_conn *c, struct table *t, const char *tail, row_sink_fn sink,
	      void *arg, struct dberr *err)
{
	return pg_copy_rows_fmt(c, t, tail, 1, sink, arg, err);
}

static int
pg_copy_out(struct db_conn *c, struct table *t, row_sink_fn sink, void *arg,
	    struct dberr *err)
{
	return pg_copy_table(c, t, NULL, sink, arg, err);
}

static void rollback_quietly(struct db_conn *c);

static int
pg_ledger_open(struct db_conn *c, const char *dump_id, struct strlist *done,
	       struct dberr *err)
{
	const char *params[1] = { dump_id };
	PGresult *r;

	/* One load of a dump into one database at a time: a second waits
	 * here, for as long as this session lives, then finds the first's
	 * work in the ledger. First of all: two sessions creating the
	 * ledger at once collide. */
	r = pg_query(c, "SELECT pg_catalog.pg_try_advisory_lock(('x' || "
		     "substr(md5('dbmig load ' || $1), 1, 16))::bit(64)::bigint)", 1, params, err);
	if (!r)
		return -1;
	if (PQgetvalue(r, 0, 0)[0] != 't') {
		PQclear(r);
		log_info("another load of dump %s into this database is running: waiting "
			 "for it to end", dump_id);
		r = pg_query(c, "SELECT pg_catalog.pg_advisory_lock(('x' || "
			     "substr(md5('dbmig load ' || $1), 1, 16))::bit(64)::bigint)", 1,
			     params, err);
		if (!r)
			return -1;
	}
	PQclear(r);
	/* Loads of other dumps may create the ledger at the same instant:
	 * IF NOT EXISTS does not make that safe, a lock does. */
	if (pg_exec(c, "BEGIN", err) < 0)
		return -1;
	if (pg_exec(c, "SELECT pg_catalog.pg_advisory_xact_lock(('x' || "
		    "substr(md5('dbmig ledger'), 1, 16))::bit(64)::bigint)", err) < 0 ||
	    pg_exec(c, "CREATE SCHEMA IF NOT EXISTS _dbmig", err) < 0 ||
	    pg_exec(c, "CREATE TABLE IF NOT EXISTS _dbmig.load_ledger ("
		    "dump_id text NOT NULL, item text NOT NULL, rows bigint, "
		    "finished_at timestamptz NOT NULL DEFAULT now(), "
		    "PRIMARY KEY (dump_id, item))", err) < 0 ||
	    pg_exec(c, "COMMIT", err) < 0) {
		rollback_quietly(c);
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
	if ((step->sql && pg_exec(c, step->sql, err) < 0) ||
	    ledger_insert(c, dump_id, step->item, 0, 0, err) < 0 ||
	    pg_exec(c, "COMMIT", err) < 0) {
		rollback_quietly(c);
		return -1;
	}
	return 0;
}

/* The relkind of the table named qt ("schema"."name"), '\0' when there
 * is none. A partitioned table (one loaded from MySQL too) holds its rows
 * in its partitions; any other table only its own, as COPY reads it. */
static int
pg_relkind(struct db_conn *c, const char *qt, char *kind, struct dberr *err)
{
	const char *params[1] = { qt };
	PGresult *r = pg_query(c, "SELECT c.relkind FROM pg_catalog.pg_class c "
			       "WHERE c.oid = pg_catalog.to_regclass($1)", 1, params, err);

	if (!r)
		return -1;
	*kind = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0)[0] : '\0';
	PQclear(r);
	return 0;
}

static int
pg_table_probe(struct db_conn *c, const struct table *t, int *exists,
	       int *has_rows, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT, sql = STRBUF_INIT;
	PGresult *r;
	int ret = -1, partitioned;
	char kind;

	pg_quote_qualified(&q, t->schema, t->name);
	if (pg_relkind(c, q.buf, &kind, err) < 0)
		goto out;
	*exists = kind != '\0';
	partitioned = kind == 'p';
	*has_rows = 0;
	if (*exists) {
		strbuf_addf(&sql, "SELECT EXISTS (SELECT 1 FROM %s%s)", partitioned ? "" : "ONLY ",
			    q.buf);
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
	struct strbuf sql = STRBUF_INIT, q = STRBUF_INIT;
	int ret;
	char kind;

	pg_quote_qualified(&q, t->schema, t->name);
	if ((ret = pg_relkind(c, q.buf, &kind, err)) == 0) {
		strbuf_addf(&sql, "TRUNCATE %s%s", kind == 'p' ? "" : "ONLY ", q.buf);
		ret = pg_exec(c, sql.buf, err);
	}
	strbuf_release(&sql);
	strbuf_release(&q);
	return ret;
}

static int
pg_roles_missing(struct db_conn *c, const struct schema_model *s, struct strlist *missing,
		 struct dberr *err)
{
	for (int i = 0; i < s->nobjects; i++) {
		const char *params[1] = { s->objects[i].name };
		PGresult *r;

		if (strcmp(s->objects[i].kind, "role"))
			continue;
		if (!(r = pg_query(c, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", 1,
				   params, err)))
			return -1;
		if (PQntuples(r) == 0)
			strlist_push(missing, s->objects[i].name);
		PQclear(r);
	}
	return 0;
}

static int
pg_fk_checks_off(struct db_conn *c, struct dberr *err)
{
	/* What pg_restore --disable-triggers does; needs superuser. */
	return pg_exec(c, "SET session_replication_role = replica", err);
}

#define COPY_SEND_AT (256 * 1024)


/* Fills kinds[] for t's data columns; 0 when the table goes as text. */
static int
binary_plan(struct db_conn *c, const struct table *t, const struct ntype_desc **types,
	    int ncols, enum bin_kind *kinds, struct dberr *err)
{
	struct strbuf qn = STRBUF_INIT;
	const char *params[1];
	PGresult *r;
	int ok = 1;

	if (testknob_no_binary_copy())
		return 0;
	pg_quote_qualified(&qn, t->schema, t->name);
	params[0] = qn.buf;
	r = PQexecParams(c->pg, "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = "
			 "$1::regclass AND attnum > 0 AND NOT attisdropped", 1, NULL, params,
			 NULL, NULL, 0);
	strbuf_release(&qn);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_fail(c, r, err, "reading the columns of %s.%s", t->schema, t->name);
		return -1;
	}
	for (int i = 0, k = 0; i < t->ncols && ok; i++) {
		if (t->cols[i].generated_expr)
			continue;
		kinds[k] = 0;
		for (int row = 0; row < PQntuples(r); row++)
			if (!strcmp(PQgetvalue(r, row, 0), t->cols[i].name))
				kinds[k] = bincopy_kind_for((unsigned)atoi(PQgetvalue(r, row, 1)), types[k]->t);
		ok = kinds[k++] != 0;
	}
	PQclear(r);
	return ok && ncols > 0;
}


/* Drops NUL bytes the text types cannot hold (--strip-nul), or refuses them. */
static int
check_nul(const struct table *t, const struct ntype_desc *type, struct value *v,
	  unsigned flags, struct strbuf *nonul, uint64_t *stripped, uint64_t rowno, int col,
	  struct dberr *err)
{
	enum ntype nt = type->t;

	if (nt == NT_BYTES || nt == NT_GEOMETRY || nt == NT_FLOAT32 || nt == NT_FLOAT64 ||
	    nt == NT_ARRAY || !memchr(v->p, 0, v->len))
		return 0;
	if (!(flags & LOAD_STRIP_NUL))
		return dberr_set(err, DBERR_UNSUPPORTED, "table %s.%s, row %llu of this chunk, "
				 "column %s: the value holds a NUL byte, which PostgreSQL "
				 "text cannot store; remove it at the source, or load with "
				 "--strip-nul to drop such bytes", t->schema, t->name,
				 (unsigned long long)rowno, table_data_column_name(t, col));
	strbuf_reset(nonul);
	for (size_t k = 0; k < v->len; k++) {
		if (v->p[k])
			strbuf_addch(nonul, v->p[k]);
		else
			(*stripped)++;
	}
	v->p = (const unsigned char *)strbuf_cstr(nonul);
	v->len = nonul->len;
	return 0;
}

/* One COPY FROM in progress: the table, its codec, what is not sent yet. */
struct copy_in {
	const struct table *t;
	int ncols, binary;
	unsigned flags;
	const struct ntype_desc **types;
	enum bin_kind *kinds;
	struct value *vals;
	struct strbuf out, txt, nonul;
	uint64_t stripped;
};

/* Appends row number rowno (of this chunk), held in ci->vals, to ci->out
 * in the chunk's format. */
static int
copy_in_row(struct copy_in *ci, uint64_t rowno, struct dberr *err)
{
	const struct table *t = ci->t;
	char emsg[256];

	if (ci->binary)
		bincopy_put_row_start(&ci->out, ci->ncols);
	for (int i = 0; i < ci->ncols; i++) {
		struct value *v = &ci->vals[i];

		if (!ci->binary && i)
			strbuf_addch(&ci->out, '\t');
		if (v->isnull) {
			if (ci->binary)
				bincopy_put_null(&ci->out);
			else
				strbuf_addstr(&ci->out, "\\N");
			continue;
		}
		if (check_nul(t, ci->types[i], v, ci->flags, &ci->nonul, &ci->stripped, rowno, i,
			      err) < 0)
			return -1;
		if (ci->binary) {
			if (bincopy_put_field(&ci->out, ci->kinds[i], v->p, v->len, emsg,
					      sizeof(emsg)) < 0)
				return dberr_set(err, DBERR_TARGET, "table %s.%s, row %llu of this "
						 "chunk, column %s: %s", t->schema, t->name,
						 (unsigned long long)rowno,
						 table_data_column_name(t, i), emsg);
			continue;
		}
		strbuf_reset(&ci->txt);
		switch (pg_canon_to_text(ci->types[i], v->p, v->len, &ci->txt, emsg, sizeof(emsg))) {
		case 0:
			pgcopy_escape(&ci->out, strbuf_cstr(&ci->txt), ci->txt.len);
			break;
		case 1:
			strbuf_addstr(&ci->out, "\\N");
			break;
		default:
			return dberr_set(err, DBERR_DUMP, "table %s.%s row %llu column %d: %s",
					 t->schema, t->name, (unsigned long long)rowno, i + 1, emsg);
		}
	}
	if (!ci->binary)
		strbuf_addch(&ci->out, '\n');
	return 0;
}

/* Starts COPY FROM STDIN of t inside the open transaction. */
static int
copy_in_start(struct db_conn *c, struct copy_in *ci, const char *item, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	PGresult *r;

	if ((ci->binary = binary_plan(c, ci->t, ci->types, ci->ncols, ci->kinds, err)) < 0)
		return -1;
	log_debug("loading %s into %s.%s as %s", item, ci->t->schema, ci->t->name,
		  ci->binary ? "binary COPY" : "text COPY");
	strbuf_addstr(&sql, "COPY ");
	copy_target(ci->t, &sql);
	strbuf_addstr(&sql, ci->binary ? " FROM STDIN (FORMAT binary)" : " FROM STDIN");
	r = PQexec(c->pg, sql.buf);
	strbuf_release(&sql);
	if (PQresultStatus(r) != PGRES_COPY_IN)
		return pg_fail(c, r, err, "loading table %s.%s", ci->t->schema, ci->t->name);
	PQclear(r);
	if (ci->binary)
		bincopy_put_header(&ci->out);
	return 0;
}

/* Sends the rest, ends the COPY and checks its result. */
static int
copy_in_finish(struct db_conn *c, struct copy_in *ci, struct dberr *err)
{
	PGresult *r;

	if (ci->binary)
		bincopy_put_trailer(&ci->out);
	if ((ci->out.len && PQputCopyData(c->pg, ci->out.buf, (int)ci->out.len) != 1) ||
	    PQputCopyEnd(c->pg, NULL) != 1)
		return pg_fail(c, NULL, err, "loading table %s.%s", ci->t->schema, ci->t->name);
	r = PQgetResult(c->pg);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_fail(c, r, err, "loading table %s.%s", ci->t->schema, ci->t->name);
	PQclear(r);
	while ((r = PQgetResult(c->pg)))
		PQclear(r);
	return 0;
}

static int
pg_load_chunk(struct db_conn *c, const struct table *t, const char *dump_id,
	      const char *item, row_source_fn src, void *arg, unsigned flags,
	      uint64_t *rows, struct dberr *err)
{
	struct copy_in ci = { t, 0, 0, flags, NULL, NULL, NULL, STRBUF_INIT, STRBUF_INIT,
			      STRBUF_INIT, 0 };
	int ret = -1, in_copy = 0, in_tx = 0;

	ci.types = xcalloc((size_t)t->ncols, sizeof(*ci.types));
	ci.vals = xcalloc((size_t)t->ncols, sizeof(*ci.vals));
	ci.kinds = xcalloc((size_t)t->ncols + 1, sizeof(*ci.kinds));
	ci.ncols = table_data_types(t, ci.types);
	*rows = 0;
	if (pg_exec(c, "BEGIN", err) < 0)
		goto out;
	in_tx = 1;
	if (copy_in_start(c, &ci, item, err) < 0)
		goto out;
	in_copy = 1;
	for (;;) {
		int s = src(arg, ci.vals, err);

		if (s < 0)
			goto out;
		if (s == 0)
			break;
		if (dbmig_interrupted) {
			dberr_set(err, DBERR_INTERRUPTED, "signal received");	/* the caller names the chunk */
			goto out;
		}
		if (copy_in_row(&ci, *rows + 1, err) < 0)
			goto out;
		(*rows)++;
		if (ci.out.len >= COPY_SEND_AT) {
			if (PQputCopyData(c->pg, ci.out.buf, (int)ci.out.len) != 1) {
				pg_fail(c, NULL, err, "loading table %s.%s", t->schema, t->name);
				goto out;
			}
			strbuf_reset(&ci.out);
		}
	}
	in_copy = 0;
	if (copy_in_finish(c, &ci, err) < 0 ||
	    ledger_insert(c, dump_id, item, *rows, 1, err) < 0 ||
	    pg_exec(c, "COMMIT", err) < 0)
		goto out;
	in_tx = 0;
	if (ci.stripped)
		log_warn("%s.%s: %llu NUL byte%s dropped from text values (--strip-nul)",
			 t->schema, t->name, (unsigned long long)ci.stripped,
			 ci.stripped == 1 ? "" : "s");
	ret = 0;
out:
	if (in_copy && PQstatus(c->pg) == CONNECTION_OK)
		PQputCopyEnd(c->pg, "dbmig: chunk aborted");
	if (in_tx)
		rollback_quietly(c);
	strbuf_release(&ci.out);
	strbuf_release(&ci.txt);
	strbuf_release(&ci.nonul);
	free(ci.types);
	free(ci.vals);
	free(ci.kinds);
	return ret;
}

/* Runs sql with query_text's contract (driver.h): the whole result is
 * read by libpq, then handed on row by row. */
static int
pg_query_text(struct db_conn *c, const char *sql, text_row_fn fn, void *arg,
	      struct dberr *err)
{
	PGresult *r = PQexec(c->pg, sql);
	int ncols, ret = 0;
	const char **vals;
	size_t *lens;

	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		return 0;
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return pg_fail(c, r, err, "%.200s", sql);
	ncols = PQnfields(r);
	vals = xcalloc((size_t)ncols + 1, sizeof(*vals));
	lens = xcalloc((size_t)ncols + 1, sizeof(*lens));
	for (int row = 0; row < PQntuples(r) && ret == 0; row++) {
		for (int i = 0; i < ncols; i++) {
			vals[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
			lens[i] = (size_t)PQgetlength(r, row, i);
		}
		ret = fn(arg, ncols, vals, lens, err);
	}
	PQclear(r);
	free(vals);
	free(lens);
	return ret;
}

static int
pg_accepts(const char *uri)
{
	/* URIs, and libpq's keyword=value conninfo ("host=... dbname=...") */
	return !strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11) ||
	       (strchr(uri, '=') && !strstr(uri, "://"));
}

/* The ledger, the change-apply state and the cutover's log live in the
 * schema _dbmig. */
int
pg_is_internal(const char *schema, const char *name)
{
	(void)name;
	return !strcmp(schema, "_dbmig");
}

/* A direct copy to another engine chooses the target's types before it
 * reads a row: the longest text and binary value in each key, measured
 * by the server as a dump measures them while it reads (a partition's
 * are its root's, whose scan sees every partition). */
static int
pg_profile_scan(struct db_conn *c, struct table *t, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct column **cols = xcalloc((size_t)t->ncols + 1, sizeof(*cols));
	PGresult *r = NULL;
	int n = 0, ret = -1;

	strbuf_addstr(&sql, "SELECT ");
	for (int i = 0; i < t->ncols && !t->partition_of; i++) {
		struct column *col = &t->cols[i];
		enum ntype nt = col->type.t;

		if (col->generated_expr || !(nt == NT_TEXT || nt == NT_VARCHAR || nt == NT_CHAR ||
					     nt == NT_BYTES) || !table_column_in_key(t, col->name))
			continue;
		strbuf_addf(&sql, "%scoalesce(max(%s(", n ? ", " : "",
			    nt == NT_BYTES ? "octet_length" : "char_length");
		pg_quote_ident(&sql, col->name);
		strbuf_addstr(&sql, ")), 0)");
		cols[n++] = col;
	}
	if (!n) {
		ret = 0;
		goto out;
	}
	strbuf_addstr(&sql, " FROM ");
	pg_quote_qualified(&sql, t->schema, t->name);
	if (!(r = pg_query(c, sql.buf, 0, NULL, err))) {
		dberr_prefix(err, "measuring the longest keys of %s.%s", t->schema, t->name);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		cols[i]->has_max_len = 1;
		cols[i]->max_len = strtoll(PQgetvalue(r, 0, i), NULL, 10);
	}
	ret = 0;
out:
	PQclear(r);
	free(cols);
	strbuf_release(&sql);
	return ret;
}

static const struct db_source_ops pg_source_ops = {
	.snapshot_export = pg_snapshot_export,
	.snapshot_import = pg_snapshot_import,
	.snapshot_release = pg_snapshot_release,
	.schema_read = pg_schema_read,
	.copy_out = pg_copy_out,
	.key_bounds = pg_key_bounds,
	.copy_out_range = pg_copy_out_range,
	.profile_scan = pg_profile_scan,
};

static const struct db_target_ops pg_target_ops = {
	.ledger_open = pg_ledger_open,
	.ddl_plan = pg_ddl_plan,
	.sequences_plan = pg_sequences_plan,
	.exec_step = pg_exec_step,
	.table_probe = pg_table_probe,
	.roles_missing = pg_roles_missing,
	.table_truncate = pg_table_truncate,
	.fk_checks_off = pg_fk_checks_off,
	.load_chunk = pg_load_chunk,
};

static const struct db_apply_ops pg_apply_ops = {
	.cdc_state_save = pg_cdc_state_save,
	.cdc_state_read = pg_cdc_state_read,
	.cdc_hold_request = pg_cdc_hold_request,
	.cdc_hold_answer = pg_cdc_hold_answer,
	.cdc_hold_read = pg_cdc_hold_read,
	.verify_record = pg_verify_record,
	.cdc_lock = pg_cdc_lock,
	.apply_begin = pg_apply_begin,
	.apply_change = pg_apply_change,
	.apply_commit = pg_apply_commit,
	.apply_rollback = pg_apply_rollback,
	.apply_mark = pg_apply_mark,
};

const struct db_driver drv_pg = {
	.name = "postgresql",
	.caps = DB_CAP_TRANSACTIONAL_DDL | DB_CAP_PARTITION_TABLES,
	.position_kind = POSITION_LSN,
	.accepts = pg_accepts,
	.uri_forms = "a postgresql:// URI, a libpq 'key=value' string",
	.connect = pg_connect,
	.close = pg_close,
	.abort_io = pg_abort_io,
	.describe = pg_describe,
	.server_version = pg_server_version,
	.database = pg_database,
	.query_text = pg_query_text,
	.is_internal = pg_is_internal,
	.source = &pg_source_ops,
	.target = &pg_target_ops,
	.apply = &pg_apply_ops,
	.verify = &pg_verify_ops,
	.cdc = &pg_cdc_ops,
	.cutover = &pg_cutover_ops,
};
