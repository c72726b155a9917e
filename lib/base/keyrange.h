/*
 * keyrange.h - the WHERE clause of one key range, lo < key <= hi, for a
 * key of one or more columns, written out column by column
 * ((a > x) OR (a = x AND b > y)) so that every engine's range optimizer
 * reads it from the index, unlike some engines' row comparisons.
 */
#ifndef DBMIG_KEYRANGE_H
#define DBMIG_KEYRANGE_H

#include "util.h"

typedef void (*sql_quote_fn)(struct strbuf *o, const char *s);

/* Appends "(a, b, c)": the names, each quoted by ident (key columns in
 * DDL, whatever the engine's quoting). */
void sql_ident_list(struct strbuf *o, const struct strlist *names, sql_quote_fn ident);

/* Appends " WHERE ..." (nothing when both bounds are NULL). */
void keyrange_where(struct strbuf *o, const struct strlist *key, const char *const *lo,
		    const char *const *hi, sql_quote_fn ident, sql_quote_fn literal);

/* Picks up to nparts - 1 boundaries from a sorted sample of nrows rows
 * of nkey values each (sample->v, row-major), skipping repeats, and
 * appends them to bounds. */
void keyrange_pick(const struct strlist *sample, int nkey, int nparts,
		   struct strlist *bounds);

#endif
