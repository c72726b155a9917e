/*
 * vsql.c - verify's queries from an engine's dialect (vsql.h). A row
 * digests to the MD5 of the concatenation of its framed renderings
 * (vform.h); the digest query groups rows by key range or by key-hash
 * bucket and sums the digests, exactly as verify.c does in the client.
 */
#include "vsql.h"

#include <inttypes.h>
#include <stdlib.h>

#include "lib/base/banned.h"

int
vsql_sql_ok(const struct vsql_dialect *d, const struct vf_plan *p, int side)
{
	struct strbuf sb = STRBUF_INIT;
	int ok = 1;

	for (int i = 0; i < p->ncols && ok; i++)
		ok = d->render(p, i, side, &sb) == 0;
	strbuf_release(&sb);
	return ok;
}

/* The framed renderings of the listed columns, concatenated. */
static void
framed(const struct vsql_dialect *d, const struct vf_plan *p, const int *cols, int n,
       int side, struct strbuf *o)
{
	if (!n) {
		strbuf_addstr(o, "''");
		return;
	}
	strbuf_addstr(o, d->concat_open);
	for (int k = 0; k < n; k++) {
		struct strbuf e = STRBUF_INIT;

		d->render(p, cols[k], side, &e);
		if (k)
			strbuf_addstr(o, d->concat_sep);
		d->frame(o, e.buf);
		strbuf_release(&e);
	}
	strbuf_addstr(o, d->concat_close);
}

static void
row_md5(const struct vsql_dialect *d, const struct vf_plan *p, int side, struct strbuf *o)
{
	int *all = xcalloc((size_t)p->ncols + 1, sizeof(*all));

	for (int i = 0; i < p->ncols; i++)
		all[i] = i;
	strbuf_addf(o, "%s(", d->md5);
	framed(d, p, all, p->ncols, side, o);
	strbuf_addch(o, ')');
	free(all);
}

/* MD5 of the key's rendering, or of the row's without a key. */
static void
key_md5(const struct vsql_dialect *d, const struct vf_plan *p, int side, struct strbuf *o)
{
	if (!p->nkey) {
		row_md5(d, p, side, o);
		return;
	}
	strbuf_addf(o, "%s(", d->md5);
	framed(d, p, p->key, p->nkey, side, o);
	strbuf_addch(o, ')');
}

static void
key_ident(const struct vsql_dialect *d, const struct vf_plan *p, int side, struct strbuf *o)
{
	d->ident(o, p->cols[p->key[0]].s[side].col->name);
}

static void
bucket_is(const struct vsql_dialect *d, const char *km, uint64_t mod, uint64_t res,
	  struct strbuf *o)
{
	strbuf_addch(o, '(');
	d->bucket(o, km);
	strbuf_addf(o, " %% %" PRIu64 " = %" PRIu64 ")", mod, res);
}

/* Hash buckets go one term per modulus (bucket % mod IN (...)): the
 * bucket is a digest of the key, of the whole row where there is no key,
 * and a term per bucket had the server compute it once per bucket and
 * row, which made a few hundred differing rows cost minutes. */
static void
scope_where(const struct vsql_dialect *d, const struct vf_plan *p, int side,
	    const struct vf_scope *sc, int n, struct strbuf *o)
{
	int terms = 0;

	for (int i = 0; i < n; i++) {
		int first = 1;

		if (sc[i].kind == VF_RANGE) {
			strbuf_addstr(o, terms++ ? " OR " : " WHERE ");
			strbuf_addch(o, '(');
			key_ident(d, p, side, o);
			strbuf_addf(o, " BETWEEN %" PRId64 " AND %" PRId64 ")", sc[i].lo, sc[i].hi);
			continue;
		}
		for (int k = 0; k < i && first; k++)	/* its modulus done already */
			first = !(sc[k].kind == VF_HASH && sc[k].mod == sc[i].mod);
		if (!first)
			continue;
		{
			struct strbuf km = STRBUF_INIT;

			key_md5(d, p, side, &km);
			strbuf_addstr(o, terms++ ? " OR " : " WHERE ");
			strbuf_addch(o, '(');
			d->bucket(o, km.buf);
			strbuf_addf(o, " %% %" PRIu64 " IN (", sc[i].mod);
			for (int k = i, m = 0; k < n; k++)
				if (sc[k].kind == VF_HASH && sc[k].mod == sc[i].mod)
					strbuf_addf(o, "%s%" PRIu64, m++ ? ", " : "", sc[k].res);
			strbuf_addstr(o, "))");
			strbuf_release(&km);
		}
	}
}

/* Numbers in their own order, everything else byte by byte: the order
 * vform_key_cmp merges in. */
static void
order_by(const struct vsql_dialect *d, const struct vf_plan *p, int side, struct strbuf *o)
{
	for (int k = 0; k < p->nkey; k++) {
		const struct vcol *vc = &p->cols[p->key[k]];

		strbuf_addstr(o, k ? ", " : " ORDER BY ");
		if (vc->kind == VK_INT || vc->kind == VK_DEC) {
			d->ident(o, vc->s[side].col->name);
		} else {
			struct strbuf e = STRBUF_INIT;

			d->render(p, p->key[k], side, &e);
			d->order_bytes(o, e.buf);
			strbuf_release(&e);
		}
	}
}

void
vsql_stats_query(const struct vsql_dialect *d, const struct table *t,
		 const struct vf_plan *p, int side, struct strbuf *o)
{
	strbuf_addstr(o, "SELECT count(*)");
	if (p->range) {
		strbuf_addstr(o, ", min(");
		key_ident(d, p, side, o);
		strbuf_addstr(o, "), max(");
		key_ident(d, p, side, o);
		strbuf_addch(o, ')');
	}
	strbuf_addstr(o, " FROM ");
	d->table(o, t);
}

void
vsql_digest_query(const struct vsql_dialect *d, const struct table *t,
		  const struct vf_plan *p, int side, const struct vf_scope *scope,
		  uint64_t group, struct strbuf *o)
{
	int range = scope->kind == VF_RANGE;

	strbuf_addstr(o, "SELECT g, count(*), sum(h) FROM (SELECT ");
	if (range) {
		d->range_group(o, scope->lo, group,
			       (uint64_t)scope->hi - (uint64_t)scope->lo <= INT64_MAX);
	} else {
		d->bucket(o, "km");
		strbuf_addf(o, " %% %" PRIu64, group);
	}
	strbuf_addstr(o, " AS g, ");
	d->digest(o, "m");
	strbuf_addstr(o, " AS h FROM (SELECT ");
	row_md5(d, p, side, o);
	strbuf_addstr(o, " AS m, ");
	if (range)
		key_ident(d, p, side, o);
	else
		key_md5(d, p, side, o);
	strbuf_addstr(o, range ? " AS k FROM " : " AS km FROM ");
	d->table(o, t);
	if (range)
		scope_where(d, p, side, scope, 1, o);
	strbuf_addstr(o, ") a");
	if (!range && scope->resv) {
		strbuf_addstr(o, " WHERE (");
		d->bucket(o, "km");
		strbuf_addf(o, " %% %" PRIu64 " IN (", scope->mod);
		for (uint64_t i = 0; i < scope->nres; i++)
			strbuf_addf(o, "%s%" PRIu64, i ? ", " : "", scope->resv[i]);
		strbuf_addstr(o, "))");
	} else if (!range && scope->mod > 1) {
		strbuf_addstr(o, " WHERE ");
		bucket_is(d, "km", scope->mod, scope->res, o);
	}
	strbuf_addstr(o, ") b GROUP BY g");
}

void
vsql_read_tail(const struct vsql_dialect *d, const struct vf_plan *p, int side,
	       const struct vf_scope *scopes, int nscopes, int ordered, struct strbuf *o)
{
	scope_where(d, p, side, scopes, nscopes, o);
	if (ordered)
		order_by(d, p, side, o);
}

void
vsql_render_query(const struct vsql_dialect *d, const struct table *t,
		  const struct vf_plan *p, int side, struct strbuf *o)
{
	strbuf_addstr(o, "SELECT ");
	for (int i = 0; i < p->ncols; i++) {
		if (i)
			strbuf_addstr(o, ", ");
		if (d->render(p, i, side, o) < 0)
			strbuf_addstr(o, d->null_text);
		strbuf_addf(o, " AS r%d", i);	/* not a column name ORDER BY could mean */
	}
	strbuf_addstr(o, " FROM ");
	d->table(o, t);
	order_by(d, p, side, o);
}
