/*
 * keyrange.c - key ranges for parallel reads of one table (keyrange.h).
 */
#include "keyrange.h"

#include <string.h>

#include "banned.h"

/* key[i..] > v[i..] (op '>') or key[i..] <= v[i..] (op '<'). */
static void
compare_from(struct strbuf *o, const struct strlist *key, const char *const *v, size_t i,
	     char op, sql_quote_fn ident, sql_quote_fn literal)
{
	int last = i + 1 == key->n;

	strbuf_addch(o, '(');
	ident(o, key->v[i]);
	strbuf_addstr(o, op == '>' ? " > " : last ? " <= " : " < ");
	literal(o, v[i]);
	if (!last) {
		strbuf_addstr(o, " OR (");
		ident(o, key->v[i]);
		strbuf_addstr(o, " = ");
		literal(o, v[i]);
		strbuf_addstr(o, " AND ");
		compare_from(o, key, v, i + 1, op, ident, literal);
		strbuf_addch(o, ')');
	}
	strbuf_addch(o, ')');
}

void
keyrange_where(struct strbuf *o, const struct strlist *key, const char *const *lo,
	       const char *const *hi, sql_quote_fn ident, sql_quote_fn literal)
{
	if (!lo && !hi)
		return;
	strbuf_addstr(o, " WHERE ");
	if (lo)
		compare_from(o, key, lo, 0, '>', ident, literal);
	if (lo && hi)
		strbuf_addstr(o, " AND ");
	if (hi)
		compare_from(o, key, hi, 0, '<', ident, literal);
}

static int
same_row(const struct strlist *s, int nkey, size_t a, size_t b)
{
	for (int k = 0; k < nkey; k++)
		if (strcmp(s->v[a * (size_t)nkey + (size_t)k], s->v[b * (size_t)nkey + (size_t)k]))
			return 0;
	return 1;
}

void
keyrange_pick(const struct strlist *sample, int nkey, int nparts, struct strlist *bounds)
{
	size_t nrows = nkey ? sample->n / (size_t)nkey : 0, prev = SIZE_MAX;

	if (nrows < 2 || nparts < 2)
		return;
	for (int i = 1; i < nparts; i++) {
		size_t at = (size_t)i * nrows / (size_t)nparts;

		if (at >= nrows || (prev != SIZE_MAX && same_row(sample, nkey, prev, at)))
			continue;
		for (int k = 0; k < nkey; k++)
			strlist_push(bounds, sample->v[at * (size_t)nkey + (size_t)k]);
		prev = at;
	}
}

void
sql_ident_list(struct strbuf *o, const struct strlist *names, sql_quote_fn ident)
{
	strbuf_addch(o, '(');
	for (size_t i = 0; i < names->n; i++) {
		if (i)
			strbuf_addstr(o, ", ");
		ident(o, names->v[i]);
	}
	strbuf_addch(o, ')');
}
