/*
 * pg_stream.c - reading a PostgreSQL source's changes from a logical
 * replication slot with pgoutput, as neutral change events on the
 * model's tables with canonical values, one transaction after another in
 * commit order.
 *
 * Protocol 1 (before PostgreSQL 14): a transaction arrives whole at its
 * commit, the server spilling a large one to its own disk first, so this
 * side holds one change at a time. Protocol 2 with streaming: the server
 * sends a transaction larger than its logical_decoding_work_mem in chunks
 * while it runs, interleaved with others; the chunks wait in a spool on
 * local disk (pg_spool.c) until the commit, or are dropped at an abort,
 * so memory stays bounded here and the source's disk is spared.
 *
 * Feedback: the position the consumer confirms (what the target holds)
 * is sent back, on the server's request and every 10 seconds; nothing
 * beyond it, so a crash on this side loses nothing. Keepalives between
 * transactions show how far the source's WAL has gone, for lag.
 */
#include "pg_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/cdc/cdc_ops.h"
#include "pg_spool.h"
#include "pgoutput.h"
#include "lib/base/banned.h"

/* Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
#define PG_EPOCH_US	946684800000000LL

/* One relation the stream announced, mapped onto the model. */
struct relmap {
	uint32_t relid;
	struct table *t;	/* NULL: not in the model */
	int natts;
	int *col;		/* per attribute: the data column, or -1 */
	unsigned char *absent;	/* per data column: not among the attributes */
	int nabsent;
	char *change;		/* how it differs from the model, or NULL */
	int internal;		/* dbmig's own (a cutover's step log on a
				 * reverse stream's source): never sent on */
};

struct cdc_stream {
	PGconn *rc;		/* replication connection, in COPY BOTH */
	PGconn *sql;		/* a plain one for the source's position, lazily */
	char *uri;
	struct schema_model *m;
	struct relmap *rels;
	int nrels;
	struct pgo_msg msg;
	char *copybuf;		/* the last CopyData, freed at the next read */
	struct strbuf payload;	/* canonical values of the current event */
	size_t *off;
	struct value *vals[2];	/* before, after */
	unsigned char *unchanged;
	struct table **trunc;
	int cap;
	/* tables the stream names that are not in m (dropped on the source
	 * since the dump), one model each so that their addresses last */
	struct schema_model **gone;
	int ngone;
	uint64_t confirmed;	/* what the consumer confirmed */
	uint64_t wal_end;	/* the server's WAL end at its last message */
	uint64_t msg_lsn;	/* the WAL position of the message being read
				 * (its record's start; a commit's end) */
	uint64_t xid;
	double last_feedback;
	int proto;		/* pgoutput protocol version */
	/* protocol 2: the transactions being streamed, the one whose
	 * chunk is arriving, and the one being read back at its commit */
	struct pg_spool **spools;
	int nspools;
	struct pg_spool *chunk_of, *replay;
	uint64_t replay_end;
	int64_t replay_ts;
	const char *spool_dir;
	char slot[64];
	char detail[600];
};

static int64_t
now_pg_us(void)
{
	return (int64_t)(wall_seconds() * 1e6) - PG_EPOCH_US;
}

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static int
send_feedback(struct cdc_stream *s, struct dberr *err)
{
	unsigned char m[34];

	m[0] = 'r';
	put64(m + 1, s->confirmed);	/* written */
	put64(m + 9, s->confirmed);	/* flushed: the slot may move here */
	put64(m + 17, s->confirmed);	/* applied */
	put64(m + 25, (uint64_t)now_pg_us());
	m[33] = 0;
	if (PQputCopyData(s->rc, (const char *)m, 34) != 1 || PQflush(s->rc) != 0)
		return dberr_set(err, DBERR_SOURCE, "sending the replication position to the "
				 "source: %s", PQerrorMessage(s->rc));
	s->last_feedback = now_seconds();
	return 0;
}

static struct relmap *
relmap_find(struct cdc_stream *s, uint32_t relid)
{
	for (int i = 0; i < s->nrels; i++)
		if (s->rels[i].relid == relid)
			return &s->rels[i];
	return NULL;
}

static int sql_connect(struct cdc_stream *s, struct dberr *err);

/* A table the stream names that is not in the model: on the source no
 * more (dropped or renamed since the model was read; its changes up to
 * then are still in the log), described from the R message, its types
 * looked up on the source (one that is gone too is carried as text), its
 * key the replica identity's columns. The tail decides what becomes of
 * its changes. NULL when the source cannot be asked. */
static struct table *
gone_table(struct cdc_stream *s, const struct pgo_msg *m)
{
	struct strbuf oids = STRBUF_INIT, mods = STRBUF_INIT;
	const char *params[2];
	struct schema_model *g;
	struct constraint *pk = NULL;
	struct table *t;
	struct dberr ignored = DBERR_INIT;
	PGresult *r;

	if (sql_connect(s, &ignored) < 0)
		return NULL;
	/* still there under this name: made after the dump (or after this
	 * run read the model), which is a stop, not this */
	{
		char relid[16];
		const char *p1[1] = { relid };

		snprintf(relid, sizeof(relid), "%u", m->relid);
		r = PQexecParams(s->sql, "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
				 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = "
				 "$1::oid", 1, NULL, p1, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK ||
		    (PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), m->nsp) &&
		     !strcmp(PQgetvalue(r, 0, 1), m->rel))) {
			PQclear(r);
			return NULL;
		}
		PQclear(r);
	}
	for (int a = 0; a < m->natts; a++) {
		strbuf_addf(&oids, "%s%u", a ? "," : "{", m->atts[a].type_oid);
		strbuf_addf(&mods, "%s%d", a ? "," : "{", (int)m->atts[a].typmod);
	}
	strbuf_addstr(&oids, m->natts ? "}" : "{}");
	strbuf_addstr(&mods, m->natts ? "}" : "{}");
	params[0] = oids.buf;
	params[1] = mods.buf;
	r = PQexecParams(s->sql, "SELECT a.n, format_type(a.oid, a.mod), bt.typname, bt.typtype, "
			 "et.typname, et.typtype, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE "
			 "a.mod END FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY a(oid, mod, n) "
			 "JOIN pg_catalog.pg_type t ON t.oid = a.oid JOIN pg_catalog.pg_type bt ON "
			 "bt.oid = CASE WHEN t.typtype = 'd' THEN (SELECT CASE WHEN b1.typtype = 'd' "
			 "THEN b1.typbasetype ELSE b1.oid END FROM pg_catalog.pg_type b1 WHERE "
			 "b1.oid = t.typbasetype) ELSE t.oid END LEFT JOIN pg_catalog.pg_type et ON "
			 "bt.typcategory = 'A' AND et.oid = bt.typelem ORDER BY a.n", 2, NULL, params,
			 NULL, NULL, 0);
	strbuf_release(&oids);
	strbuf_release(&mods);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return NULL;
	}
	g = xcalloc(1, sizeof(*g));
	s->gone = xrealloc(s->gone, (size_t)(s->ngone + 1) * sizeof(*s->gone));
	s->gone[s->ngone++] = g;
	t = schema_add_table(g);
	memset(t, 0, sizeof(*t));
	t->schema = xstrdup(m->nsp);
	t->name = xstrdup(m->rel);
	t->est_rows = -1;
	t->cdc_gone = 1;
	for (int a = 0; a < m->natts; a++) {
		struct column *col = table_add_column(t);
		int row = -1;

		memset(col, 0, sizeof(*col));
		col->name = xstrdup(m->atts[a].name);
		for (int i = 0; i < PQntuples(r) && row < 0; i++)
			if (atoi(PQgetvalue(r, i, 0)) == a + 1)
				row = i;
		if (row < 0 || pg_type_to_ntype(PQgetvalue(r, row, 2), PQgetvalue(r, row, 3)[0],
						 atoi(PQgetvalue(r, row, 6)),
						 PQgetisnull(r, row, 4) ? NULL : PQgetvalue(r, row, 4),
						 PQgetisnull(r, row, 4) ? 0 : PQgetvalue(r, row, 5)[0],
						 &col->type) < 0) {
			pg_type_to_ntype("text", 'b', -1, NULL, 0, &col->type);
			col->native_type = xstrdup("text");
		} else {
			col->native_type = xstrdup(PQgetvalue(r, row, 1));
		}
		if (m->atts[a].key) {
			if (!pk) {
				pk = table_add_constraint(t);
				memset(pk, 0, sizeof(*pk));
				pk->kind = 'p';
				pk->name = xstrdup("replica identity");
			}
			strlist_push(&pk->columns, col->name);
		}
	}
	PQclear(r);
	return t;
}

/* An R message: which model table and data column each attribute is,
 * and whether the columns still match the model (DDL on the source). */
static void
relation_message(struct cdc_stream *s)
{
	const struct pgo_msg *m = &s->msg;
	struct relmap *rm = relmap_find(s, m->relid);
	struct strbuf q = STRBUF_INIT, change = STRBUF_INIT;
	int ndata;

	if (!rm) {
		s->rels = xrealloc(s->rels, (size_t)(s->nrels + 1) * sizeof(*s->rels));
		rm = &s->rels[s->nrels++];
		memset(rm, 0, sizeof(*rm));
		rm->relid = m->relid;
	}
	free(rm->col);
	free(rm->absent);
	free(rm->change);
	rm->change = NULL;
	rm->absent = NULL;
	rm->nabsent = 0;
	strbuf_addf(&q, "%s.%s", m->nsp, m->rel);
	rm->internal = pg_is_internal(m->nsp, m->rel);
	rm->t = schema_find_table(s->m, q.buf);
	for (int i = 0; i < s->ngone && !rm->t; i++)
		if (!strcmp(s->gone[i]->tables[0].schema, m->nsp) &&
		    !strcmp(s->gone[i]->tables[0].name, m->rel))
			rm->t = &s->gone[i]->tables[0];
	if (!rm->t)
		rm->t = gone_table(s, m);
	rm->natts = m->natts;
	rm->col = xcalloc((size_t)m->natts + 1, sizeof(*rm->col));
	if (!rm->t) {
		strbuf_addf(&change, "table %s is not among the migrated tables (created after "
			    "the dump?)", q.buf);
		goto out;
	}
	{
		const struct ntype_desc *types[CANON_MAX_COLS];

		ndata = rm->t->ncols <= CANON_MAX_COLS ? table_data_types(rm->t, types) : 0;
	}
	for (int a = 0; a < m->natts; a++) {
		rm->col[a] = -1;
		for (int d = 0; d < ndata; d++)
			if (!strcmp(table_data_column_name(rm->t, d), m->atts[a].name))
				rm->col[a] = d;
		if (rm->col[a] < 0)
			strbuf_addf(&change, "%scolumn %s was added", change.len ? "; " : "",
				    m->atts[a].name);
	}
	/* a column the source no longer sends (dropped there, or added
	 * after these changes were made) is left as the target has it */
	rm->absent = xcalloc((size_t)ndata + 1, 1);
	for (int d = 0; d < ndata; d++) {
		int seen = 0;

		for (int a = 0; a < m->natts; a++)
			seen |= rm->col[a] == d;
		if (!seen) {
			rm->absent[d] = 1;
			rm->nabsent++;
			log_info("%s.%s.%s is not in the source's changes from here on (dropped "
				 "there, or added after): left as the target has it", rm->t->schema,
				 rm->t->name, table_data_column_name(rm->t, d));
		}
	}
out:
	if (change.len)
		rm->change = strbuf_detach(&change);
	strbuf_release(&change);
	strbuf_release(&q);
}

static void
ensure_cap(struct cdc_stream *s, int n)
{
	if (n <= s->cap)
		return;
	s->cap = n;
	s->off = xrealloc(s->off, 2 * (size_t)n * sizeof(*s->off));
	for (int i = 0; i < 2; i++)
		s->vals[i] = xrealloc(s->vals[i], (size_t)n * sizeof(*s->vals[i]));
	s->unchanged = xrealloc(s->unchanged, (size_t)n);
	s->trunc = xrealloc(s->trunc, (size_t)n * sizeof(*s->trunc));
}

/* A tuple's text values as canonical ones, over the table's data
 * columns; which == 1 is the new row (with its unchanged flags). */
static int
convert_tuple(struct cdc_stream *s, const struct relmap *rm, const struct pgo_tuple *tu,
	      int which, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int ndata = table_data_types(rm->t, types);
	size_t *off = s->off + (size_t)which * (size_t)s->cap;
	char emsg[256];

	for (int d = 0; d < ndata; d++) {
		s->vals[which][d].isnull = 1;
		off[d] = SIZE_MAX;
		if (which)
			s->unchanged[d] = 0;
	}
	for (int d = 0; d < ndata && which && rm->nabsent; d++)
		s->unchanged[d] = rm->absent[d];
	for (int a = 0; a < tu->ncols && a < rm->natts; a++) {
		const struct pgo_value *v = &tu->v[a];
		int d = rm->col[a];

		if (d < 0)
			continue;
		if (v->kind == 'u' && which)
			s->unchanged[d] = 1;
		if (v->kind != 't')
			continue;
		off[d] = s->payload.len;
		if (pg_text_to_canon(types[d], v->p, v->len, &s->payload, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "a change to %s.%s, column %s: %s",
					 rm->t->schema, rm->t->name, table_data_column_name(rm->t, d),
					 emsg);
		s->vals[which][d].len = s->payload.len - off[d];
	}
	return 0;
}

/* Points the values at their payloads, once the buffer stops growing. */
static void
fix_pointers(struct cdc_stream *s, int which, int ndata)
{
	const size_t *off = s->off + (size_t)which * (size_t)s->cap;

	for (int d = 0; d < ndata; d++) {
		struct value *v = &s->vals[which][d];

		if (off[d] == SIZE_MAX)
			continue;
		v->isnull = 0;
		v->p = s->payload.buf ? (const unsigned char *)s->payload.buf + off[d]
				      : (const unsigned char *)"";
	}
}

static int
change_message(struct cdc_stream *s, struct cdc_event *ev, struct dberr *err)
{
	const struct pgo_msg *m = &s->msg;
	const struct relmap *rm = relmap_find(s, m->relid);
	const struct ntype_desc *types[CANON_MAX_COLS];
	int ndata;

	if (!rm)
		return dberr_set(err, DBERR_SOURCE, "a change to relation %u came before its "
				 "description", m->relid);
	if (rm->internal)
		return 0;
	if (rm->change) {
		snprintf(s->detail, sizeof(s->detail), "%s", rm->change);
		ev->kind = CDC_SCHEMA_CHANGE;
		ev->table = rm->t;
		ev->detail = s->detail;
		return 1;
	}
	ndata = table_data_types(rm->t, types);
	ensure_cap(s, ndata + 1);
	for (int i = 0; i < 2 * s->cap; i++)
		s->off[i] = SIZE_MAX;
	strbuf_reset(&s->payload);
	if (m->old_kind && convert_tuple(s, rm, &m->old_tuple, 0, err) < 0)
		return -1;
	if (m->new_tuple.ncols && convert_tuple(s, rm, &m->new_tuple, 1, err) < 0)
		return -1;
	fix_pointers(s, 0, ndata);
	fix_pointers(s, 1, ndata);
	ev->kind = m->type == 'I' ? CDC_INSERT : m->type == 'U' ? CDC_UPDATE : CDC_DELETE;
	ev->table = rm->t;
	ev->before = m->old_kind ? s->vals[0] : NULL;
	ev->before_is_key = m->old_kind == 'K';
	ev->after = m->new_tuple.ncols ? s->vals[1] : NULL;
	ev->unchanged = m->new_tuple.ncols ? s->unchanged : NULL;
	ev->xid = s->xid;
	ev->lsn = s->msg_lsn;
	return 1;
}

static int
truncate_message(struct cdc_stream *s, struct cdc_event *ev, struct dberr *err)
{
	const struct pgo_msg *m = &s->msg;

	ensure_cap(s, (int)m->nrels + 1);
	ev->ntables = 0;
	for (uint32_t i = 0; i < m->nrels; i++) {
		const struct relmap *rm = relmap_find(s, pgo_relid_at(m, i));

		if (rm && rm->internal)
			continue;
		if (!rm || !rm->t)
			return dberr_set(err, DBERR_SOURCE, "a TRUNCATE of relation %u, which is "
					 "not among the migrated tables", pgo_relid_at(m, i));
		s->trunc[ev->ntables++] = rm->t;
	}
	if (ev->ntables == 0)
		return 0;	/* dbmig's own tables only */
	ev->kind = CDC_TRUNCATE;
	ev->tables = s->trunc;
	ev->xid = s->xid;
	ev->lsn = s->msg_lsn;
	return 1;
}

/* A transaction's begin (at its commit position) or commit (at the
 * position after it, where a restart continues): 1. */
static int
tx_event(struct cdc_stream *s, struct cdc_event *ev, enum cdc_kind kind, uint64_t lsn,
	 int64_t pg_ts)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->xid = s->xid;
	position_set_lsn(&ev->commit_pos, lsn, 1);
	ev->commit_time_us = pg_ts + PG_EPOCH_US;
	return 1;
}

/* One decoded message: 1 with an event, 0 for a message that makes
 * none. */
static int
decoded_message(struct cdc_stream *s, const unsigned char *p, size_t n, int in_stream,
		struct cdc_event *ev, struct dberr *err)
{
	char emsg[160];

	if (pgoutput_decode(p, n, in_stream, &s->msg, emsg, sizeof(emsg)) < 0)
		return dberr_set(err, DBERR_SOURCE, "replication stream: %s", emsg);
	memset(ev, 0, sizeof(*ev));
	switch (s->msg.type) {
	case 'B':
		s->xid = s->msg.xid;
		return tx_event(s, ev, CDC_BEGIN, s->msg.lsn, s->msg.ts);
	case 'C':
		return tx_event(s, ev, CDC_COMMIT, s->msg.end_lsn, s->msg.ts);
	case 'R':
		relation_message(s);
		return 0;
	case 'I': case 'U': case 'D':
		return change_message(s, ev, err);
	case 'T':
		return truncate_message(s, ev, err);
	default:
		return 0;
	}
}

static int
spool_find(struct cdc_stream *s, uint32_t xid)
{
	for (int i = 0; i < s->nspools; i++)
		if (pg_spool_xid(s->spools[i]) == xid)
			return i;
	return -1;
}

static void
spool_drop(struct cdc_stream *s, int i)
{
	if (s->spools[i] == s->chunk_of)
		s->chunk_of = NULL;
	pg_spool_close(s->spools[i]);
	s->spools[i] = s->spools[--s->nspools];
}

static struct pg_spool *
spool_new(struct cdc_stream *s, uint32_t xid, struct dberr *err)
{
	struct pg_spool *sp = pg_spool_open(xid, s->spool_dir, err);

	if (sp) {
		s->spools = xrealloc(s->spools, (size_t)(s->nspools + 1) * sizeof(*s->spools));
		s->spools[s->nspools++] = sp;
	}
	return sp;
}

/* Stream start: the chunk that follows belongs to xid. */
static int
stream_start(struct cdc_stream *s, struct dberr *err)
{
	uint32_t xid = s->msg.xid;
	int i = spool_find(s, xid);

	if (i >= 0) {
		s->chunk_of = s->spools[i];
		return 0;
	}
	if (!s->msg.first_segment)
		return dberr_set(err, DBERR_SOURCE, "replication stream: a chunk of transaction "
				 "%u, whose start this connection never received", xid);
	return (s->chunk_of = spool_new(s, xid, err)) ? 0 : -1;
}

/* Stream commit: the transaction's events are read back from its spool,
 * between a begin and a commit, as if it had come whole. */
static int
stream_commit(struct cdc_stream *s, struct cdc_event *ev, struct dberr *err)
{
	int i = spool_find(s, s->msg.xid);
	struct pg_spool *sp;

	/* none: nothing of it came, an empty transaction */
	if (!(sp = i >= 0 ? s->spools[i] : spool_new(s, s->msg.xid, err)) ||
	    pg_spool_rewind(sp, err) < 0)
		return -1;
	if (pg_spool_bytes(sp) > (64u << 20))
		log_info("source transaction %u (%.0f MB of changes, sent while it ran) "
			 "committed: applying it", s->msg.xid, pg_spool_bytes(sp) / 1048576.0);
	s->replay = sp;
	s->replay_end = s->msg.end_lsn;
	s->replay_ts = s->msg.ts;
	s->xid = s->msg.xid;
	return tx_event(s, ev, CDC_BEGIN, s->msg.lsn, s->msg.ts);
}

/* The next event of the transaction being read back; its commit at the
 * end. The server waits meanwhile: it hears from us every 10 s. */
static int
replay_next(struct cdc_stream *s, struct cdc_event *ev, struct dberr *err)
{
	const unsigned char *p;
	size_t n;
	int r;

	if (now_seconds() - s->last_feedback >= 10 && send_feedback(s, err) < 0)
		return -1;
	while ((r = pg_spool_next(s->replay, &s->msg_lsn, &p, &n, err)) > 0)
		if ((r = decoded_message(s, p, n, 1, ev, err)) != 0)
			return r;
	if (r < 0)
		return -1;
	spool_drop(s, spool_find(s, pg_spool_xid(s->replay)));
	s->replay = NULL;
	return tx_event(s, ev, CDC_COMMIT, s->replay_end, s->replay_ts);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
one_of(char c, const char *set)
{
	return c && strchr(set, c) != NULL;
}

/* Protocol 2's stream messages, and the changes between a stream start
 * and stop, which go to their transaction's spool. */
static int
stream_message(struct cdc_stream *s, const unsigned char *p, size_t n, struct cdc_event *ev,
	       struct dberr *err)
{
	char emsg[160];
	int i;

	if (s->chunk_of && one_of(p[0], "RIUDT")) {
		if (n < 5)
			return dberr_set(err, DBERR_SOURCE, "replication stream: a malformed "
					 "pgoutput '%c' message (%zu bytes)", p[0], n);
		return pg_spool_append(s->chunk_of, get32(p + 1), p[0] == 'R', s->msg_lsn,
				       p, n, err);
	}
	if (one_of(p[0], "YOM"))	/* nothing needed from them */
		return 0;
	if (!one_of(p[0], s->chunk_of ? "E" : "SAc"))
		return dberr_set(err, DBERR_SOURCE, "replication stream: a pgoutput '%c' message "
				 "%s a streamed transaction's chunk", p[0] ? p[0] : '?',
				 s->chunk_of ? "inside" : "outside");
	if (pgoutput_decode(p, n, 0, &s->msg, emsg, sizeof(emsg)) < 0)
		return dberr_set(err, DBERR_SOURCE, "replication stream: %s", emsg);
	switch (p[0]) {
	case 'S':
		return stream_start(s, err);
	case 'E':
		s->chunk_of = NULL;
		return 0;
	case 'A':
		if ((i = spool_find(s, s->msg.xid)) < 0)
			return 0;
		if (s->msg.sub_xid == s->msg.xid) {
			spool_drop(s, i);
			return 0;
		}
		return pg_spool_abort_sub(s->spools[i], s->msg.sub_xid, err);
	default:	/* 'c' */
		return stream_commit(s, ev, err);
	}
}

/* One 'w' payload: 1 with an event, 0 for a message that makes none. */
static int
wal_message(struct cdc_stream *s, const unsigned char *p, size_t n, struct cdc_event *ev,
	    struct dberr *err)
{
	if (n && s->proto >= 2 && (s->chunk_of || one_of(p[0], "SEAc")))
		return stream_message(s, p, n, ev, err);
	return decoded_message(s, p, n, 0, ev, err);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int
wait_readable(struct cdc_stream *s, int timeout_ms)
{
	fd_set rfds;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd = PQsocket(s->rc);

	FD_ZERO(&rfds);
	FD_SET(fd, &rfds);
	if (select(fd + 1, &rfds, NULL, NULL, &tv) < 0 && errno != EINTR)
		return -1;
	return 0;
}

static int
pg_stream_next(struct cdc_stream *s, struct cdc_event *ev, int timeout_ms, struct dberr *err)
{
	double deadline = now_seconds() + timeout_ms / 1000.0;
	int consumed = 0;

	if (s->replay)
		return replay_next(s, ev, err);
	for (;;) {
		int len, r;

		if (s->copybuf) {
			PQfreemem(s->copybuf);
			s->copybuf = NULL;
		}
		len = PQgetCopyData(s->rc, &s->copybuf, 1);
		if (len > 0) {
			const unsigned char *b = (const unsigned char *)s->copybuf;

			if (b[0] == 'w' && len >= 25) {
				s->wal_end = get64(b + 9);
				s->msg_lsn = get64(b + 1);
				if ((r = wal_message(s, b + 25, (size_t)len - 25, ev, err)) != 0)
					return r;
			} else if (b[0] == 'k' && len >= 18) {
				s->wal_end = get64(b + 1);
				if (b[17] && send_feedback(s, err) < 0)
					return -1;
			}
			continue;
		}
		if (len == -2 || len == -1) {
			PGresult *res = PQgetResult(s->rc);
			const char *why = res ? PQresultErrorMessage(res) : "";

			if (!*why)
				why = PQerrorMessage(s->rc);
			if (!*why)	/* a fast shutdown ends the stream with no word */
				why = "the connection closed (the server shut down or restarted, or its "
				      "WAL sender was terminated)";
			dberr_set(err, DBERR_SOURCE, "the source ended the replication stream from slot "
				  "%s: %s; nothing after the last position confirmed is lost: run the "
				  "same command again once the source is back, to resume there", s->slot,
				  why);
			PQclear(res);
			return -1;
		}
		if (now_seconds() - s->last_feedback >= 10 && send_feedback(s, err) < 0)
			return -1;
		if (now_seconds() >= deadline && consumed) {
			return 0;
		} else if (now_seconds() >= deadline) {
			/* what already reached the socket, before saying none */
			if (!PQconsumeInput(s->rc))
				return dberr_set(err, DBERR_SOURCE, "reading the replication "
						 "stream: %s", PQerrorMessage(s->rc));
			consumed = 1;
			continue;
		}
		if (wait_readable(s, 200) < 0 || !PQconsumeInput(s->rc))
			return dberr_set(err, DBERR_SOURCE, "reading the replication stream: %s",
					 PQerrorMessage(s->rc));
	}
}

static int
pg_stream_confirm(struct cdc_stream *s, const struct db_position *pos, struct dberr *err)
{
	uint64_t lsn = position_lsn(pos);

	/* never what the stream did not deliver: a position from a damaged
	 * state would free the source's log of changes nobody applied */
	if (lsn > s->wal_end)
		lsn = s->wal_end;
	if (lsn > s->confirmed)
		s->confirmed = lsn;
	return send_feedback(s, err);
}

static int
sql_connect(struct cdc_stream *s, struct dberr *err)
{
	if (!s->sql) {
		const char *keys[] = { "connect_timeout", "dbname", "fallback_application_name", NULL };
		const char *vals[] = { "10", s->uri, "dbmig", NULL };

		s->sql = PQconnectdbParams(keys, vals, 1);
		if (PQstatus(s->sql) != CONNECTION_OK)
			return dberr_set(err, DBERR_SOURCE, "cannot connect to the source: %s",
					 PQerrorMessage(s->sql));
	}
	return 0;
}

static int
pg_stream_retained(struct cdc_stream *s, int64_t *bytes, char *status, size_t n,
		   struct dberr *err)
{
	const char *params[1] = { s->slot };
	PGresult *r;

	if (sql_connect(s, err) < 0)
		return -1;
	r = PQexecParams(s->sql, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), restart_lsn)"
			 "::bigint, wal_status FROM pg_replication_slots WHERE slot_name = $1", 1,
			 NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		dberr_set(err, DBERR_SOURCE, "reading slot %s: %s", s->slot,
			  PQntuples(r) == 0 ? "it is gone" : PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	*bytes = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(status, n, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return 0;
}

static int
pg_stream_source_position(struct cdc_stream *s, struct db_position *pos, struct dberr *err)
{
	PGresult *r;

	if (sql_connect(s, err) < 0)
		return -1;
	r = PQexec(s->sql, "SELECT pg_catalog.pg_current_wal_insert_lsn()");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		dberr_set(err, DBERR_SOURCE, "reading the source's WAL position: %s",
			  PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	position_parse(pos, POSITION_LSN, PQgetvalue(r, 0, 0), NULL, 1, 0, err);
	PQclear(r);
	return 0;
}

static void
pg_stream_received(struct cdc_stream *s, struct db_position *pos)
{
	position_set_lsn(pos, s->wal_end, 1);
}

static void
pg_stream_close(struct cdc_stream *s)
{
	if (!s)
		return;
	if (s->copybuf)
		PQfreemem(s->copybuf);
	if (s->rc) {
		PQputCopyEnd(s->rc, NULL);
		PQflush(s->rc);
		PQfinish(s->rc);
	}
	if (s->sql)
		PQfinish(s->sql);
	for (int i = 0; i < s->ngone; i++) {
		schema_release(s->gone[i]);
		free(s->gone[i]);
	}
	free(s->gone);
	for (int i = 0; i < s->nspools; i++)
		pg_spool_close(s->spools[i]);
	free(s->spools);
	for (int i = 0; i < s->nrels; i++) {
		free(s->rels[i].col);
		free(s->rels[i].absent);
		free(s->rels[i].change);
	}
	free(s->rels);
	pgo_msg_release(&s->msg);
	strbuf_release(&s->payload);
	free(s->off);
	free(s->vals[0]);
	free(s->vals[1]);
	free(s->unchanged);
	free(s->trunc);
	free(s->uri);
	free(s);
}

/* 1 (err filled) while another process reads the slot. The slot must
 * not have moved past from: the server would start at its
 * confirmed position, and the changes between would never arrive. That
 * happens when another tail (to another target, or a lost copy of this
 * one's state) used the same slot. */
static int
slot_check(struct cdc_stream *s, const struct db_position *from, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *r;
	int ret = -1;

	/* wal_status: from PostgreSQL 13 on */
	strbuf_addf(&q, "SELECT confirmed_flush_lsn, active_pid, %s FROM "
		    "pg_catalog.pg_replication_slots WHERE slot_name = ",
		    PQserverVersion(s->rc) >= 130000 ? "wal_status" : "''");
	pg_quote_literal(&q, s->slot);
	r = PQexec(s->rc, q.buf);	/* a replication connection: simple queries only */
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		dberr_set(err, DBERR_SOURCE, "reading slot %s: %s", s->slot, PQresultErrorMessage(r));
	} else if (PQntuples(r) == 0) {
		dberr_set(err, DBERR_SOURCE, "replication slot %s does not exist on the source (it "
			  "was dropped): the changes after %s are gone; take a new online dump",
			  s->slot, from->text);
	} else if (!strcmp(PQgetvalue(r, 0, 2), "lost")) {
		dberr_set(err, DBERR_SOURCE, "replication slot %s was invalidated by the source "
			  "(wal_status lost: it held more WAL than max_slot_wal_keep_size allows, and "
			  "the server removed WAL it needed): the changes after %s are gone for this "
			  "target. Take a new online dump (dbmig dump --online) and load it into an "
			  "empty target; drop the dead slot with dbmig cdc-tail SOURCE --from DIR "
			  "--drop, DIR the old online dump", s->slot, from->text);
	} else if (!PQgetisnull(r, 0, 1)) {
		dberr_set(err, DBERR_SOURCE, "replication slot %s is active for PID %s on the source: "
			  "another cdc-tail reads this slot; one tail per slot (stop that one "
			  "first, or wait for it)", s->slot, PQgetvalue(r, 0, 1));
		ret = 1;
	} else {
		struct db_position confirmed = { 0 };
		struct dberr ignored = DBERR_INIT;

		if (!PQgetisnull(r, 0, 0) &&
		    position_parse(&confirmed, POSITION_LSN, PQgetvalue(r, 0, 0), NULL, 1, 0,
				   &ignored) == 0)
			s->confirmed = s->wal_end = position_lsn(&confirmed);
		if (position_lsn(&confirmed) > position_lsn(from))
			dberr_set(err, DBERR_SOURCE, "replication slot %s has already confirmed %s, "
				  "beyond %s where this run continues: another tail used the slot "
				  "(one slot serves one target), and the changes between are gone "
				  "for this one; take a new online dump for it", s->slot,
				  confirmed.text, from->text);
		else
			ret = 0;
	}
	PQclear(r);
	strbuf_release(&q);
	return ret;
}

static int
pg_stream_open(const char *uri, const char *slot, const char *publication,
	       const struct db_position *from, struct schema_model *m,
	       const struct cdc_stream_opts *so, struct cdc_stream **out, struct dberr *err)
{
	struct cdc_stream *s = xcalloc(1, sizeof(*s));
	struct strbuf sql = STRBUF_INIT;
	PGresult *r;
	int r2;

	(void)so;	/* a slot knows its reader */

	*out = NULL;
	s->uri = xstrdup(uri);
	s->m = m;
	snprintf(s->slot, sizeof(s->slot), "%s", slot);
	/* the slot's own confirmed position (slot_check): nothing is
	 * confirmed that this stream did not deliver */
	s->confirmed = 0;
	if (!(s->rc = pg_repl_connect(uri, DBERR_SOURCE, err)))
		goto fail;
	/* a tail killed a moment ago: its server process lets go soon */
	for (int i = 0; (r2 = slot_check(s, from, err)) == 1 && i < 25; i++)
		usleep(200000);
	if (r2 != 0)
		goto fail;
	strbuf_addstr(&sql, "START_REPLICATION SLOT ");
	pg_quote_ident(&sql, slot);
	/* streaming needs protocol 2, from PostgreSQL 14 on */
	s->proto = PQserverVersion(s->rc) >= 140000 ? 2 : 1;
	s->spool_dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	/* messages: a cutover's marker (a transactional logical decoding
	 * message, pg_cutover.c) makes its transaction reach the tail,
	 * which PostgreSQL 15 would leave out as empty */
	strbuf_addf(&sql, " LOGICAL %s (proto_version '%d',%s publication_names ", from->text,
		    s->proto, s->proto >= 2 ? " streaming 'on', messages 'true'," : "");
	{
		struct strbuf pub = STRBUF_INIT;

		pg_quote_ident(&pub, publication);
		pg_quote_literal(&sql, pub.buf);
		strbuf_release(&pub);
	}
	strbuf_addch(&sql, ')');
	r = PQexec(s->rc, sql.buf);
	if (PQresultStatus(r) != PGRES_COPY_BOTH) {
		const char *why = PQresultErrorMessage(r);

		dberr_set(err, DBERR_SOURCE, "starting replication from slot %s at %s: %s%s", slot,
			  from->text, why, strstr(why, "does not exist")
			  ? " (was it dropped? a new online dump is needed)"
			  : strstr(why, "is active for PID") ? " (another cdc-tail reads this slot: one "
			  "tail per slot; stop that one first, or wait for it)" : "");
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	s->last_feedback = now_seconds();
	strbuf_release(&sql);
	*out = s;
	return 0;
fail:
	strbuf_release(&sql);
	pg_stream_close(s);
	return -1;
}

const struct db_cdc_ops pg_cdc_ops = {
	.capture_begin = pg_capture_begin,
	.snapshot_exact = pg_snapshot_exact,
	.capture_drop = pg_capture_drop_objects,
	.capture_status = pg_capture_status,
	.stream_open = pg_stream_open,
	.stream_next = pg_stream_next,
	.stream_confirm = pg_stream_confirm,
	.stream_source_position = pg_stream_source_position,
	.stream_received = pg_stream_received,
	.stream_retained = pg_stream_retained,
	.stream_close = pg_stream_close,
};
