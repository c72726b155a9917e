/*
 * vsql.c - verify's queries from an engine's dialect (vsql.h). A row
 * digests to the MD5 (or SHA-256) of the concatenation of its framed
 * renderings (vform.h), or, between two servers of one engine, to the
 * engine's own hash of its stored values; the digest query groups rows
 * by key range or by key-hash bucket and sums the digests, exactly as
 * verify.c does in the client.
 */
#include "vsql.h"

#include <inttypes.h>
#include <stdlib.h>

#include "lib/base/banned.h"

int
vsql_sql_ok(const struct vsql_dialect *d, const struct vf_plan *p, int side)
{
	struct strbuf sb = STRBUF_INIT;
	int ok = p->digest != VD_CRC || d->crc64_hash;

	for (int i = 0; i < p->ncols && ok; i++)
		ok = d->render(p, i, side, &sb) == 0;
	strbuf_release(&sb);
	return ok;
}

/* Column c as side hashes it: as stored for a VD_NATIVE column of one
 * type on both sides, else its rendering. */
static void
column_expr(const struct vsql_dialect *d, const struct vf_plan *p, int c, int side,
	    struct strbuf *o)
{
	if (p->digest == VD_NATIVE && p->cols[c].native)
		d->ident(o, p->cols[c].s[side].col->name);
	else
		d->render(p, c, side, o);
}

/* Whether column c's frame ends with ',' rather than starting with its
 * length: its text never holds one (a column hashed as stored may be
 * binary: a uuid in binary(16), a float's own text). */
static int
self_delimited(const struct vf_plan *p, int c)
{
	const struct vcol *vc = &p->cols[c];

	if (p->digest == VD_NATIVE && vc->native)
		return vform_self_delimited(vc->kind) && vc->kind != VK_UUID &&
		       vc->kind != VK_FLOAT;
	return vform_self_delimited(vc->kind);
}

/* PostgreSQL's concat() takes 100 arguments at most, and a frame is up
 * to three of them. */
#define FRAMES_PER_CONCAT 30

/* One column's frame (vform.h), as arguments of the row's concatenation:
 * e the rendering, len its length in characters or NULL for a
 * self-delimited kind; a column that may be NULL becomes 'N' whole. */
static void
frame(const struct vsql_dialect *d, const char *e, const char *len, int not_null,
      struct strbuf *o)
{
	if (not_null) {
		if (len)
			strbuf_addf(o, "%s, ':', %s", len, e);
		else
			strbuf_addf(o, "%s, ','", e);
		return;
	}
	strbuf_addf(o, "COALESCE(%s", d->strict_open);
	if (len)
		strbuf_addf(o, "%s%s':'%s%s", len, d->strict_sep, d->strict_sep, e);
	else
		strbuf_addf(o, "%s%s','", e, d->strict_sep);
	strbuf_addf(o, "%s, 'N')", d->strict_close);
}

/* Whether side's column can never give NULL (a zero date renders as
 * NULL facing PostgreSQL). */
static int
never_null(const struct vcol *vc, int side)
{
	return vc->s[side].col->not_null &&
	       !(vc->s[side].zero_null && (vc->kind == VK_DATE || vc->kind == VK_TS));
}

/* The frames of the listed columns, concatenated (vform.h). */
static void
framed(const struct vsql_dialect *d, const struct vf_plan *p, const int *cols, int n,
       int side, struct strbuf *o)
{
	if (!n) {
		strbuf_addstr(o, "''");
		return;
	}
	if (n > FRAMES_PER_CONCAT) {	/* concat() in groups, within its arguments */
		strbuf_addstr(o, d->concat_open);
		for (int g = 0; g < n; g += FRAMES_PER_CONCAT) {
			if (g)
				strbuf_addstr(o, d->concat_sep);
			framed(d, p, cols + g, n - g < FRAMES_PER_CONCAT ? n - g : FRAMES_PER_CONCAT,
			       side, o);
		}
		strbuf_addstr(o, d->concat_close);
		return;
	}
	strbuf_addstr(o, d->concat_open);
	for (int k = 0; k < n; k++) {
		const struct vcol *vc = &p->cols[cols[k]];
		struct strbuf e = STRBUF_INIT, len = STRBUF_INIT;
		int not_null = never_null(vc, side);

		column_expr(d, p, cols[k], side, &e);
		if (k)
			strbuf_addstr(o, d->concat_sep);
		if (self_delimited(p, cols[k])) {
			frame(d, e.buf, NULL, not_null, o);
		} else {
			if (p->digest == VD_NATIVE || !d->render_len ||
			    d->render_len(p, cols[k], side, &len) < 0)
				d->char_length(&len, e.buf);
			frame(d, e.buf, len.buf, not_null, o);
		}
		strbuf_release(&e);
		strbuf_release(&len);
	}
	strbuf_addstr(o, d->concat_close);
}

/* The listed columns as fields of one text joined by ',' (the
 * dialect's native_fields_open): a self-delimited column's text, or 'N'
 * for its NULL; other columns their length, or 'N' for NULL, then their
 * text, which the joining skips when NULL. The last column, if NOT NULL
 * on both sides, needs no length: it is the rest of the text. Fewer arguments than
 * framed()'s frames, which MariaDB's CONCAT took 15% longer over. */
static void
native_fields(const struct vsql_dialect *d, const struct vf_plan *p, const int *cols, int n,
	      int side, struct strbuf *o)
{
	if (!n) {
		strbuf_addstr(o, "''");
		return;
	}
	strbuf_addstr(o, d->native_fields_open);
	for (int k = 0; k < n; k++) {
		const struct vcol *vc = &p->cols[cols[k]];
		struct strbuf e = STRBUF_INIT, len = STRBUF_INIT;
		int not_null = never_null(vc, side);

		column_expr(d, p, cols[k], side, &e);
		if (k)
			strbuf_addstr(o, ", ");
		if (self_delimited(p, cols[k])) {
			strbuf_addf(o, not_null ? "%s" : "COALESCE(%s, 'N')", e.buf);
		} else if (k == n - 1 && never_null(vc, 0) && never_null(vc, 1)) {
			/* on both sides: else the sides' texts would differ */
			strbuf_addstr(o, e.buf);
		} else {
			d->char_length(&len, e.buf);
			strbuf_addf(o, not_null ? "%s, %s" : "COALESCE(%s, 'N'), %s", len.buf, e.buf);
		}
		strbuf_release(&e);
		strbuf_release(&len);
	}
	strbuf_addch(o, ')');
}

/* The listed columns as one text for the engine's own hash. */
static void
native_text(const struct vsql_dialect *d, const struct vf_plan *p, const int *cols, int n,
	    int side, struct strbuf *o)
{
	if (d->native_fields_open) {
		native_fields(d, p, cols, n, side, o);
		return;
	}
	if (!d->native_record) {
		framed(d, p, cols, n, side, o);
		return;
	}
	strbuf_addstr(o, "ROW(");
	for (int k = 0; k < n; k++) {
		if (k)
			strbuf_addstr(o, ", ");
		column_expr(d, p, cols[k], side, o);
	}
	strbuf_addstr(o, ")::text");
}

/* The columns' 64-bit digest (bucket 0), or their bucket (1): a
 * non-negative integer of 32 bits. */
static void
cols_hash(const struct vsql_dialect *d, const struct vf_plan *p, const int *cols, int n,
	  int side, int bucket, struct strbuf *o)
{
	struct strbuf x = STRBUF_INIT, h = STRBUF_INIT;

	if (p->digest == VD_NATIVE) {
		native_text(d, p, cols, n, side, &x);
		d->native_hash(o, x.buf, bucket);
	} else if (p->digest == VD_CRC && !bucket) {
		framed(d, p, cols, n, side, &x);
		d->crc64_hash(o, x.buf);
	} else {
		framed(d, p, cols, n, side, &x);
		/* buckets are MD5's whatever the digest: the client's */
		d->hash_hex(&h, bucket ? VD_MD5 : p->digest, x.buf);
		(bucket ? d->bucket : d->digest)(o, h.buf);
	}
	strbuf_release(&x);
	strbuf_release(&h);
}

static void
row_hash(const struct vsql_dialect *d, const struct vf_plan *p, int side, struct strbuf *o)
{
	int *all = xcalloc((size_t)p->ncols + 1, sizeof(*all));

	for (int i = 0; i < p->ncols; i++)
		all[i] = i;
	cols_hash(d, p, all, p->ncols, side, 0, o);
	free(all);
}

/* The bucket of the key (of the whole row without a key). */
static void
bucket_expr(const struct vsql_dialect *d, const struct vf_plan *p, int side, struct strbuf *o)
{
	int *all;

	if (p->nkey) {
		cols_hash(d, p, p->key, p->nkey, side, 1, o);
		return;
	}
	all = xcalloc((size_t)p->ncols + 1, sizeof(*all));
	for (int i = 0; i < p->ncols; i++)
		all[i] = i;
	cols_hash(d, p, all, p->ncols, side, 1, o);
	free(all);
}

static void
key_ident(const struct vsql_dialect *d, const struct vf_plan *p, int side, struct strbuf *o)
{
	d->ident(o, p->cols[p->key[0]].s[side].col->name);
}

static void
bucket_is(const char *kb, uint64_t mod, uint64_t res, struct strbuf *o)
{
	strbuf_addf(o, "(%s %% %" PRIu64 " = %" PRIu64 ")", kb, mod, res);
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
			struct strbuf kb = STRBUF_INIT;

			bucket_expr(d, p, side, &kb);
			strbuf_addstr(o, terms++ ? " OR " : " WHERE ");
			strbuf_addf(o, "(%s %% %" PRIu64 " IN (", kb.buf, sc[i].mod);
			for (int k = i, m = 0; k < n; k++)
				if (sc[k].kind == VF_HASH && sc[k].mod == sc[i].mod)
					strbuf_addf(o, "%s%" PRIu64, m++ ? ", " : "", sc[k].res);
			strbuf_addstr(o, "))");
			strbuf_release(&kb);
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
		 const struct vf_plan *p, int side, int count, struct strbuf *o)
{
	strbuf_addstr(o, count ? "SELECT count(*)" : "SELECT NULL");
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

	if (range && (uint64_t)scope->hi - (uint64_t)scope->lo < group) {
		/* one group: no GROUP BY to plan or to build */
		strbuf_addstr(o, "SELECT 0, count(*), sum(h) FROM (SELECT ");
		row_hash(d, p, side, o);
		strbuf_addstr(o, " AS h FROM ");
		d->table(o, t);
		scope_where(d, p, side, scope, 1, o);
		if (scope->page_to)
			d->pages_where(o, scope->page_from, scope->page_to);
		strbuf_addstr(o, ") a");
		return;
	}
	strbuf_addstr(o, "SELECT g, count(*), sum(h) FROM (SELECT ");
	if (range)
		d->range_group(o, scope->lo, group,
			       (uint64_t)scope->hi - (uint64_t)scope->lo <= INT64_MAX);
	else
		strbuf_addf(o, "kb %% %" PRIu64, group);
	strbuf_addstr(o, " AS g, h FROM (SELECT ");
	row_hash(d, p, side, o);
	strbuf_addstr(o, " AS h, ");
	if (range)
		key_ident(d, p, side, o);
	else
		bucket_expr(d, p, side, o);
	strbuf_addstr(o, range ? " AS k FROM " : " AS kb FROM ");
	d->table(o, t);
	if (range)
		scope_where(d, p, side, scope, 1, o);
	if (range && scope->page_to)
		d->pages_where(o, scope->page_from, scope->page_to);
	strbuf_addstr(o, ") a");
	if (!range && scope->resv) {
		strbuf_addf(o, " WHERE (kb %% %" PRIu64 " IN (", scope->mod);
		for (uint64_t i = 0; i < scope->nres; i++)
			strbuf_addf(o, "%s%" PRIu64, i ? ", " : "", scope->resv[i]);
		strbuf_addstr(o, "))");
	} else if (!range && scope->mod > 1) {
		strbuf_addstr(o, " WHERE ");
		bucket_is("kb", scope->mod, scope->res, o);
	}
	strbuf_addstr(o, ") b GROUP BY g");
	if (d->group_suffix)
		strbuf_addstr(o, d->group_suffix);
}

void
vsql_read_tail(const struct vsql_dialect *d, const struct vf_plan *p, int side,
	       const struct vf_scope *scopes, int nscopes, int ordered, struct strbuf *o)
{
	scope_where(d, p, side, scopes, nscopes, o);
	if (nscopes == 1 && scopes[0].page_to)	/* a range of a side read by pages */
		d->pages_where(o, scopes[0].page_from, scopes[0].page_to);
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
