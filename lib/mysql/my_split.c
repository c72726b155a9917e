/*
 * my_split.c - cutting a MySQL/MariaDB table into key ranges for parallel
 * reads (dump/source.h: key_bounds, copy_out_range). What both engines
 * share, the range arithmetic and the WHERE clause, is lib/base/keyrange.c;
 * this file is the glue to this engine's sampling, quoting and reader, and
 * so resembles its twin in the other driver line for line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "my_int.h"
#include "lib/base/keyrange.h"
#include "lib/base/banned.h"

#define SAMPLE_PER_PART 200

int
my_key_bounds(struct db_conn *c, const struct table *t, const struct strlist *key,
	      int nparts, struct strlist *bounds, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	struct strlist sample = STRLIST_INIT;
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	double rows = 0, p;
	int ret = -1, binary = 0;

	strbuf_addstr(&q, "SELECT TABLE_ROWS FROM information_schema.TABLES "
		      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ");
	my_quote_literal(&q, t->name);
	if (!(r = my_query(c, q.buf, err)))
		goto out;
	if ((row = mysql_fetch_row(r)) && row[0])
		rows = atof(row[0]);
	mysql_free_result(r);
	r = NULL;
	if (rows <= 0)
		rows = 1e6;
	p = (double)SAMPLE_PER_PART * nparts / rows;
	strbuf_reset(&q);
	strbuf_addstr(&q, "SELECT ");
	for (size_t i = 0; i < key->n; i++) {
		if (i)
			strbuf_addstr(&q, ", ");
		my_quote_ident(&q, key->v[i]);
	}
	strbuf_addstr(&q, " FROM ");
	my_quote_ident(&q, t->name);
	if (p < 1)
		strbuf_addf(&q, " WHERE RAND() < %.8f", p);
	strbuf_addstr(&q, " ORDER BY ");
	for (size_t i = 0; i < key->n; i++) {
		if (i)
			strbuf_addstr(&q, ", ");
		my_quote_ident(&q, key->v[i]);
	}
	if (!(r = my_query(c, q.buf, err)))
		goto out;
	while ((row = mysql_fetch_row(r))) {
		unsigned long *len = mysql_fetch_lengths(r);

		for (size_t k = 0; k < key->n; k++) {
			/* A key with a NUL byte cannot travel as a C string:
			 * read such a table in one piece. */
			binary |= !row[k] || strlen(row[k]) != len[k];
			strlist_push(&sample, row[k] ? row[k] : "");
		}
	}
	if (!binary)
		keyrange_pick(&sample, (int)key->n, nparts, bounds);
	ret = 0;
out:
	if (r)
		mysql_free_result(r);
	strbuf_release(&q);
	strlist_release(&sample);
	return ret;
}

int
my_copy_out_range(struct db_conn *c, struct table *t, const struct strlist *key,
		  const char *const *lo, const char *const *hi, row_sink_fn sink, void *arg,
		  struct dberr *err)
{
	struct strbuf tail = STRBUF_INIT;
	int ret;

	keyrange_where(&tail, key, lo, hi, my_quote_ident, my_quote_literal);
	ret = my_copy_rows(c, t, tail.len ? tail.buf : NULL, sink, arg, err);
	strbuf_release(&tail);
	return ret;
}
