/*
 * pg_verify.c - verify's SQL on PostgreSQL: each compared column rendered
 * as lib/vform.c renders it in the client, row digests from md5(), and
 * the digest, read and golden-render queries built from them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "../banned.h"

static const struct column *
col_of(const struct vf_plan *p, int i, int side)
{
	return p->cols[i].s[side].col;
}

/* The rendering of column i as an SQL expression; -1 when this engine
 * cannot render it (the client does instead). */
static int
render_expr(const struct vf_plan *p, int i, int side, struct strbuf *o)
{
	const struct vcol *vc = &p->cols[i];
	const struct column *col = col_of(p, i, side);
	struct strbuf x = STRBUF_INIT;
	int ret = 0;

	pg_quote_ident(&x, col->name);
	switch (vc->kind) {
	case VK_INT:
		if (col->type.t == NT_BOOL)
			strbuf_addf(o, "(CASE WHEN %s THEN '1' WHEN NOT %s THEN '0' END)", x.buf, x.buf);
		else
			strbuf_addf(o, "%s::text", x.buf);
		break;
	case VK_DEC:
		if (vc->scale <= 0 || (col->type.t == NT_DECIMAL && col->type.scale == vc->scale))
			strbuf_addf(o, "%s::text", x.buf);
		else
			strbuf_addf(o, "(CASE WHEN scale(%s::numeric) < %d THEN round(%s::numeric, %d)::text "
				    "ELSE %s::text END)", x.buf, vc->scale, x.buf, vc->scale, x.buf);
		break;
	case VK_FLOAT:
		strbuf_addf(o, "(CASE WHEN %s = 0 THEN '0000000000000000' WHEN %s = 'NaN' "
			    "THEN '7ff8000000000000' ELSE encode(float8send(%s::float8), 'hex') END)",
			    x.buf, x.buf, x.buf);
		break;
	case VK_DATE:
		strbuf_addf(o, "%s::text", x.buf);
		break;
	case VK_TIME:
		strbuf_addf(o, "to_char(%s::interval, 'HH24:MI:SS.US')", x.buf);
		break;
	case VK_MICROS:
		strbuf_addf(o, "trunc(extract(epoch from %s) * 1000000)::text", x.buf);
		break;
	case VK_TS:
		strbuf_addf(o, "(CASE WHEN isfinite(%s) THEN regexp_replace(to_char(%s, "
			    "'YYYY-MM-DD HH24:MI:SS.US BC'), ' AD$', '') ELSE %s::text END)",
			    x.buf, x.buf, x.buf);
		break;
	case VK_TEXT:
		/* inet's cast to text adds the netmask; its output function
		 * (what COPY and format() print) does not. */
		if (col->type.t == NT_INET)
			strbuf_addf(o, "(CASE WHEN %s IS NOT NULL THEN format('%%s', %s) END)",
				    x.buf, x.buf);
		else
			strbuf_addf(o, "%s::text", x.buf);
		break;
	case VK_CHAR:
		/* character(n) loses its trailing spaces when cast to text */
		strbuf_addf(o, col->type.t == NT_CHAR ? "%s::text" : "rtrim(%s::text, ' ')", x.buf);
		break;
	case VK_BYTES:
		strbuf_addf(o, "encode(%s, 'hex')", x.buf);
		break;
	case VK_UUID:
		strbuf_addf(o, "%s::text", x.buf);
		break;
	case VK_JSON:
		strbuf_addf(o, col->type.t == NT_JSONB ? "%s::text" : "%s::jsonb::text", x.buf);
		break;
	case VK_SETLIST:
		strbuf_addf(o, "array_to_string(%s, ',')", x.buf);
		break;
	case VK_ARRAY:
	case VK_NONE:
		ret = -1;
		break;
	}
	strbuf_release(&x);
	return ret;
}

int
pg_vf_sql_ok(const struct vf_plan *p, int side)
{
	struct strbuf sb = STRBUF_INIT;
	int ok = 1;

	for (int i = 0; i < p->ncols && ok; i++)
		ok = render_expr(p, i, side, &sb) == 0;
	strbuf_release(&sb);
	return ok;
}

/* "N" or "len:rendering", concatenated over the columns listed. */
static void
framed(const struct vf_plan *p, const int *cols, int n, int side, struct strbuf *o)
{
	if (!n) {
		strbuf_addstr(o, "''");
		return;
	}
	for (int k = 0; k < n; k++) {
		struct strbuf e = STRBUF_INIT;

		render_expr(p, cols[k], side, &e);
		if (k)
			strbuf_addstr(o, " || ");
		strbuf_addf(o, "coalesce(octet_length(%s)::text || ':' || %s, 'N')", e.buf, e.buf);
		strbuf_release(&e);
	}
}

static void
row_text(const struct vf_plan *p, int side, struct strbuf *o)
{
	int *all = xcalloc((size_t)p->ncols + 1, sizeof(*all));

	for (int i = 0; i < p->ncols; i++)
		all[i] = i;
	framed(p, all, p->ncols, side, o);
	free(all);
}

/* md5 of the key's rendering, or of the row's without a key. */
static void
key_md5(const struct vf_plan *p, int side, struct strbuf *o)
{
	strbuf_addstr(o, "md5(");
	if (p->nkey)
		framed(p, p->key, p->nkey, side, o);
	else
		row_text(p, side, o);
	strbuf_addch(o, ')');
}

static void
bucket_expr(const char *km, struct strbuf *o)
{
	strbuf_addf(o, "(('x' || substr(%s, 17, 8))::bit(32)::bigint)", km);
}

static void
key_ident(const struct vf_plan *p, int side, struct strbuf *o)
{
	pg_quote_ident(o, col_of(p, p->key[0], side)->name);
}

/* WHERE for the union of the scopes; nothing when there are none. */
static void
scope_where(const struct vf_plan *p, int side, const struct vf_scope *sc, int n,
	    struct strbuf *o)
{
	for (int i = 0; i < n; i++) {
		strbuf_addstr(o, i ? " OR " : " WHERE ");
		if (sc[i].kind == VF_RANGE) {
			strbuf_addch(o, '(');
			key_ident(p, side, o);
			strbuf_addf(o, " BETWEEN %" PRId64 " AND %" PRId64 ")", sc[i].lo, sc[i].hi);
		} else {
			struct strbuf km = STRBUF_INIT;

			key_md5(p, side, &km);
			strbuf_addch(o, '(');
			bucket_expr(km.buf, o);
			strbuf_addf(o, " %% %" PRIu64 " = %" PRIu64 ")", sc[i].mod, sc[i].res);
			strbuf_release(&km);
		}
	}
}

static void
order_by(const struct vf_plan *p, int side, struct strbuf *o)
{
	for (int k = 0; k < p->nkey; k++) {
		const struct vcol *vc = &p->cols[p->key[k]];

		strbuf_addstr(o, k ? ", " : " ORDER BY ");
		if (vc->kind == VK_INT || vc->kind == VK_DEC) {
			pg_quote_ident(o, col_of(p, p->key[k], side)->name);
		} else {
			strbuf_addch(o, '(');
			render_expr(p, p->key[k], side, o);
			strbuf_addstr(o, ") COLLATE \"C\"");
		}
	}
}

static int
parse_i64(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end || end == s ? -1 : 0;
}

int
pg_vf_stats(struct db_conn *c, const struct table *t, const struct vf_plan *p,
	    int side, struct vf_stats *st, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *r;

	memset(st, 0, sizeof(*st));
	strbuf_addstr(&q, "SELECT count(*)");
	if (p->range) {
		strbuf_addstr(&q, ", min(");
		key_ident(p, side, &q);
		strbuf_addstr(&q, ")::text, max(");
		key_ident(p, side, &q);
		strbuf_addstr(&q, ")::text");
	}
	strbuf_addstr(&q, " FROM ");
	pg_quote_qualified(&q, t->schema, t->name);
	r = pg_query(c, q.buf, 0, NULL, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	st->rows = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	st->has_range = p->range && !PQgetisnull(r, 0, 1) &&
			parse_i64(PQgetvalue(r, 0, 1), &st->kmin) == 0 &&
			parse_i64(PQgetvalue(r, 0, 2), &st->kmax) == 0;
	PQclear(r);
	return 0;
}

int
pg_vf_digest(struct db_conn *c, const struct table *t, const struct vf_plan *p,
	     int side, const struct vf_scope *scope, uint64_t group, vf_group_fn fn,
	     void *arg, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *r = NULL;
	int ret = -1;

	strbuf_addstr(&q, "SELECT g, count(*), sum(h) FROM (SELECT ");
	/* bigint arithmetic where no key minus lo can overflow it */
	if (scope->kind == VF_RANGE && (uint64_t)scope->hi - (uint64_t)scope->lo <= INT64_MAX)
		strbuf_addf(&q, "(k::bigint - (%" PRId64 ")) / %" PRIu64, scope->lo, group);
	else if (scope->kind == VF_RANGE)
		strbuf_addf(&q, "div(k::numeric - (%" PRId64 "), %" PRIu64 ")", scope->lo, group);
	else {
		bucket_expr("km", &q);
		strbuf_addf(&q, " %% %" PRIu64, group);
	}
	strbuf_addstr(&q, " AS g, ('x' || substr(m, 1, 16))::bit(64)::bigint AS h FROM (SELECT md5(");
	row_text(p, side, &q);
	strbuf_addstr(&q, ") AS m, ");
	if (scope->kind == VF_RANGE)
		key_ident(p, side, &q);
	else
		key_md5(p, side, &q);
	strbuf_addstr(&q, scope->kind == VF_RANGE ? " AS k FROM " : " AS km FROM ");
	pg_quote_qualified(&q, t->schema, t->name);
	if (scope->kind == VF_RANGE)
		scope_where(p, side, scope, 1, &q);
	strbuf_addstr(&q, ") a");
	if (scope->kind == VF_HASH && scope->mod > 1) {
		strbuf_addstr(&q, " WHERE ");
		bucket_expr("km", &q);
		strbuf_addf(&q, " %% %" PRIu64 " = %" PRIu64, scope->mod, scope->res);
	}
	strbuf_addstr(&q, ") b GROUP BY g");
	if (!(r = pg_query(c, q.buf, 0, NULL, err)))
		goto out;
	for (int i = 0; i < PQntuples(r); i++) {
		uint64_t g = strtoull(PQgetvalue(r, i, 0), NULL, 10);

		if (fn(arg, g, strtoull(PQgetvalue(r, i, 1), NULL, 10),
		       vform_sum_mod64(PQgetvalue(r, i, 2)), err) < 0)
			goto out;
	}
	ret = 0;
out:
	PQclear(r);
	strbuf_release(&q);
	return ret;
}

int
pg_vf_read(struct db_conn *c, struct table *t, const struct vf_plan *p, int side,
	   const struct vf_scope *scopes, int nscopes, int ordered, row_sink_fn sink,
	   void *arg, struct dberr *err)
{
	struct strbuf tail = STRBUF_INIT;
	int ret;

	scope_where(p, side, scopes, nscopes, &tail);
	if (ordered)
		order_by(p, side, &tail);
	ret = pg_copy_rows(c, t, strbuf_cstr(&tail), sink, arg, err);
	strbuf_release(&tail);
	return ret;
}

int
pg_vf_render(struct db_conn *c, const struct table *t, const struct vf_plan *p,
	     int side, vf_text_row_fn fn, void *arg, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	const char **vals = xcalloc((size_t)p->ncols + 1, sizeof(*vals));
	size_t *lens = xcalloc((size_t)p->ncols + 1, sizeof(*lens));
	PGresult *r = NULL;
	int ret = -1;

	strbuf_addstr(&q, "SELECT ");
	for (int i = 0; i < p->ncols; i++) {
		if (i)
			strbuf_addstr(&q, ", ");
		if (render_expr(p, i, side, &q) < 0)
			strbuf_addstr(&q, "NULL::text");
		strbuf_addf(&q, " AS r%d", i);	/* not a column name ORDER BY could mean */
	}
	strbuf_addstr(&q, " FROM ");
	pg_quote_qualified(&q, t->schema, t->name);
	order_by(p, side, &q);
	if (!(r = pg_query(c, q.buf, 0, NULL, err)))
		goto out;
	for (int row = 0; row < PQntuples(r); row++) {
		for (int i = 0; i < p->ncols; i++) {
			vals[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
			lens[i] = (size_t)PQgetlength(r, row, i);
		}
		if (fn(arg, vals, lens, err) < 0)
			goto out;
	}
	ret = 0;
out:
	PQclear(r);
	strbuf_release(&q);
	free(vals);
	free(lens);
	return ret;
}

int
pg_vf_table_begin(struct db_conn *c, struct dberr *err)
{
	return pg_exec(c, "SAVEPOINT dbmig_verify_table", err);
}

int
pg_vf_table_end(struct db_conn *c, int failed, struct dberr *err)
{
	return pg_exec(c, failed ? "ROLLBACK TO SAVEPOINT dbmig_verify_table"
		       : "RELEASE SAVEPOINT dbmig_verify_table", err);
}
