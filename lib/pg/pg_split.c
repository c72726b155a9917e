/*
 * pg_split.c - cutting a PostgreSQL table into key ranges for parallel
 * reads (dump/source.h: key_bounds, copy_out_range). What both engines
 * share, the range arithmetic and the WHERE clause, is lib/base/keyrange.c;
 * this file is the glue to this engine's sampling, quoting and reader, and
 * so resembles its twin in the other driver line for line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "lib/base/keyrange.h"
#include "lib/base/banned.h"

/* Rows in the sample: enough that ranges come out within a few percent. */
#define SAMPLE_PER_PART 200

/* The key's columns; as_text: their text, named so that ORDER BY still
 * means the columns themselves, not this text. */
static void
key_list(struct strbuf *o, const struct strlist *key, int as_text)
{
	for (size_t i = 0; i < key->n; i++) {
		if (i)
			strbuf_addstr(o, ", ");
		pg_quote_ident(o, key->v[i]);
		if (as_text)
			strbuf_addf(o, "::text AS dbmig_k%zu", i);
	}
}

int
pg_key_bounds(struct db_conn *c, const struct table *t, const struct strlist *key,
	      int nparts, struct strlist *bounds, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	struct strlist sample = STRLIST_INIT;
	PGresult *r = NULL;
	double rows, pct;
	int ret = -1;

	strbuf_addstr(&q, "SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = ");
	{
		struct strbuf qn = STRBUF_INIT;

		pg_quote_qualified(&qn, t->schema, t->name);
		pg_quote_literal(&q, qn.buf);
		strbuf_release(&qn);
	}
	strbuf_addstr(&q, "::regclass");
	if (!(r = pg_query(c, q.buf, 0, NULL, err)))
		goto out;
	rows = atof(PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	if (rows <= 0)		/* never analyzed: assume big and sample a little */
		rows = 1e6;
	pct = 100.0 * SAMPLE_PER_PART * nparts / rows;
	pct = pct > 100 ? 100 : pct < 0.0001 ? 0.0001 : pct;
	strbuf_reset(&q);
	strbuf_addstr(&q, "SELECT ");
	key_list(&q, key, 1);
	strbuf_addstr(&q, " FROM ");
	pg_quote_qualified(&q, t->schema, t->name);
	strbuf_addf(&q, " TABLESAMPLE BERNOULLI (%.6f) ORDER BY ", pct);
	key_list(&q, key, 0);
	if (!(r = pg_query(c, q.buf, 0, NULL, err)))
		goto out;
	for (int i = 0; i < PQntuples(r); i++)
		for (int k = 0; k < (int)key->n; k++)
			strlist_push(&sample, PQgetvalue(r, i, k));
	keyrange_pick(&sample, (int)key->n, nparts, bounds);
	ret = 0;
out:
	PQclear(r);
	strbuf_release(&q);
	strlist_release(&sample);
	return ret;
}

int
pg_copy_out_range(struct db_conn *c, struct table *t, const struct strlist *key,
		  const char *const *lo, const char *const *hi, row_sink_fn sink, void *arg,
		  struct dberr *err)
{
	struct strbuf tail = STRBUF_INIT;
	int ret;

	keyrange_where(&tail, key, lo, hi, pg_quote_ident, pg_quote_literal);
	ret = pg_copy_table(c, t, tail.len ? tail.buf : NULL, sink, arg, err);
	strbuf_release(&tail);
	return ret;
}
