/*
 * my_verify.c - verify's SQL on MySQL and MariaDB: each compared column
 * rendered as lib/vform.c renders it in the client, row digests from
 * MD5(), and the digest, read and golden-render queries built from them.
 * JSON has no rendering here (MariaDB keeps JSON as written and has
 * nothing that prints it as jsonb does), so tables with JSON columns are
 * digested in the client.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "my_int.h"
#include "../banned.h"

static const struct column *
col_of(const struct vf_plan *p, int i, int side)
{
	return p->cols[i].s[side].col;
}

/* IEEE 754 bits of the double d, in hex, computed from its exponent and
 * mantissa: MySQL has no function that shows a double's bits. Scaling
 * by powers of two is exact; LOG2 may be off by one near a power of two,
 * which the ratio test corrects. */
static void
float_bits(const char *d, struct strbuf *o)
{
	struct strbuf a = STRBUF_INIT, f = STRBUF_INIT, e = STRBUF_INIT;

	strbuf_addf(&a, "ABS(%s)", d);
	strbuf_addf(&f, "LEAST(FLOOR(LOG2(%s)), 1023)", a.buf);
	strbuf_addf(&e, "(%s + (%s / POW(2, %s) >= 2) - (%s / POW(2, %s) < 1))", f.buf, a.buf,
		    f.buf, a.buf, f.buf);
	strbuf_addf(o, "(CASE WHEN %s = 0 THEN '0000000000000000' "
		    "WHEN %s < POW(2, -1022) THEN CONCAT(IF(%s < 0, '800', '000'), "
		    "LPAD(LOWER(HEX(CAST(%s * POW(2, 537) * POW(2, 537) AS UNSIGNED))), 13, '0')) "
		    "ELSE CONCAT(LPAD(LOWER(HEX((%s < 0) * 2048 + %s + 1023)), 3, '0'), "
		    "LPAD(LOWER(HEX(CAST((%s / POW(2, %s) - 1) * 4503599627370496 AS UNSIGNED))), 13, '0')) END)",
		    d, a.buf, d, a.buf, d, e.buf, a.buf, e.buf);
	strbuf_release(&a);
	strbuf_release(&f);
	strbuf_release(&e);
}

/* x as text, or NULL for a zero date when the other side is PostgreSQL. */
static void
zero_null(const struct vcol *vc, int side, const char *x, const char *text,
	  struct strbuf *o)
{
	if (vc->s[side].zero_null)
		strbuf_addf(o, "(CASE WHEN YEAR(%s) = 0 OR MONTH(%s) = 0 OR DAYOFMONTH(%s) = 0 "
			    "THEN NULL ELSE %s END)", x, x, x, text);
	else
		strbuf_addstr(o, text);
}

static int
render_expr(const struct vf_plan *p, int i, int side, struct strbuf *o)
{
	const struct vcol *vc = &p->cols[i];
	const struct column *col = col_of(p, i, side);
	struct strbuf x = STRBUF_INIT, t = STRBUF_INIT;
	int ret = 0;

	my_quote_ident(&x, col->name);
	switch (vc->kind) {
	case VK_INT:
		strbuf_addf(o, col->type.t == NT_YEAR ? "CAST(%s + 0 AS CHAR)" : "CAST(%s AS CHAR)",
			    x.buf);
		break;
	case VK_DEC:
		if (vc->scale <= 0 || (col->type.t == NT_DECIMAL && col->type.scale == vc->scale))
			strbuf_addf(o, "CAST(%s AS CHAR)", x.buf);
		else
			strbuf_addf(o, "CAST(CAST(%s AS DECIMAL(65, %d)) AS CHAR)", x.buf,
				    vc->scale > 38 ? 38 : vc->scale);
		break;
	case VK_FLOAT:
		strbuf_addf(&t, "CAST(%s AS DOUBLE)", x.buf);
		float_bits(t.buf, o);
		break;
	case VK_DATE:
		strbuf_addf(&t, "CAST(%s AS CHAR)", x.buf);
		zero_null(vc, side, x.buf, t.buf, o);
		break;
	case VK_TIME:
		strbuf_addf(o, "CAST(CAST(%s AS TIME(6)) AS CHAR)", x.buf);
		break;
	case VK_MICROS:
		strbuf_addf(o, "CAST(CAST(TIME_TO_SEC(%s) * 1000000 AS SIGNED) AS CHAR)", x.buf);
		break;
	case VK_TS:
		strbuf_addf(&t, "CAST(CAST(%s AS DATETIME(6)) AS CHAR)", x.buf);
		zero_null(vc, side, x.buf, t.buf, o);
		break;
	case VK_TEXT:
	case VK_SETLIST:
		if (col->type.t == NT_BIT)
			strbuf_addf(o, "LPAD(BIN(%s), %d, '0')", x.buf,
				    col->type.length > 0 ? col->type.length : 1);
		else
			strbuf_addf(o, "CONVERT(%s USING utf8mb4)", x.buf);
		break;
	case VK_CHAR:
		strbuf_addf(o, "TRIM(TRAILING ' ' FROM CONVERT(%s USING utf8mb4))", x.buf);
		break;
	case VK_BYTES:
		strbuf_addf(o, col->type.t == NT_GEOMETRY ? "LOWER(HEX(ST_AsWKB(%s)))"
			    : "LOWER(HEX(%s))", x.buf);
		break;
	case VK_UUID:
		if (col->type.t == NT_BYTES)
			strbuf_addf(o, "IF(LENGTH(%s) = 16, LOWER(INSERT(INSERT(INSERT(INSERT("
				    "HEX(%s), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-')), "
				    "LOWER(HEX(%s)))", x.buf, x.buf, x.buf);
		else
			strbuf_addf(o, "CONVERT(%s USING utf8mb4)", x.buf);
		break;
	case VK_JSON:
	case VK_ARRAY:
	case VK_NONE:
		ret = -1;
		break;
	}
	strbuf_release(&x);
	strbuf_release(&t);
	return ret;
}

int
my_vf_sql_ok(const struct vf_plan *p, int side)
{
	struct strbuf sb = STRBUF_INIT;
	int ok = 1;

	for (int i = 0; i < p->ncols && ok; i++)
		ok = render_expr(p, i, side, &sb) == 0;
	strbuf_release(&sb);
	return ok;
}

static void
framed(const struct vf_plan *p, const int *cols, int n, int side, struct strbuf *o)
{
	strbuf_addstr(o, "CONCAT(''");
	for (int k = 0; k < n; k++) {
		struct strbuf e = STRBUF_INIT;

		render_expr(p, cols[k], side, &e);
		strbuf_addf(o, ", COALESCE(CONCAT(LENGTH(%s), ':', %s), 'N')", e.buf, e.buf);
		strbuf_release(&e);
	}
	strbuf_addch(o, ')');
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

static void
key_md5(const struct vf_plan *p, int side, struct strbuf *o)
{
	strbuf_addstr(o, "MD5(");
	if (p->nkey)
		framed(p, p->key, p->nkey, side, o);
	else
		row_text(p, side, o);
	strbuf_addch(o, ')');
}

static void
bucket_expr(const char *km, struct strbuf *o)
{
	strbuf_addf(o, "CAST(CONV(SUBSTR(%s, 17, 8), 16, 10) AS UNSIGNED)", km);
}

static void
key_ident(const struct vf_plan *p, int side, struct strbuf *o)
{
	my_quote_ident(o, col_of(p, p->key[0], side)->name);
}

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

/* Byte order for everything but numbers: BINARY has neither a collation
 * nor PAD SPACE. */
static void
order_by(const struct vf_plan *p, int side, struct strbuf *o)
{
	for (int k = 0; k < p->nkey; k++) {
		const struct vcol *vc = &p->cols[p->key[k]];

		strbuf_addstr(o, k ? ", " : " ORDER BY ");
		if (vc->kind == VK_INT || vc->kind == VK_DEC) {
			my_quote_ident(o, col_of(p, p->key[k], side)->name);
		} else {
			strbuf_addstr(o, "CAST(");
			render_expr(p, p->key[k], side, o);
			strbuf_addstr(o, " AS BINARY)");
		}
	}
}

static int
parse_i64(const char *s, int64_t *out)
{
	char *end;

	if (!s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end || end == s ? -1 : 0;
}

int
my_vf_stats(struct db_conn *c, const struct table *t, const struct vf_plan *p,
	    int side, struct vf_stats *st, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;

	memset(st, 0, sizeof(*st));
	strbuf_addstr(&q, "SELECT COUNT(*)");
	if (p->range) {
		strbuf_addstr(&q, ", MIN(");
		key_ident(p, side, &q);
		strbuf_addstr(&q, "), MAX(");
		key_ident(p, side, &q);
		strbuf_addch(&q, ')');
	}
	strbuf_addstr(&q, " FROM ");
	my_quote_ident(&q, t->name);
	r = my_query(c, q.buf, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	row = mysql_fetch_row(r);
	st->rows = row && row[0] ? strtoull(row[0], NULL, 10) : 0;
	st->has_range = p->range && row && parse_i64(row[1], &st->kmin) == 0 &&
			parse_i64(row[2], &st->kmax) == 0;
	mysql_free_result(r);
	return 0;
}

int
my_vf_digest(struct db_conn *c, const struct table *t, const struct vf_plan *p,
	     int side, const struct vf_scope *scope, uint64_t group, vf_group_fn fn,
	     void *arg, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	int ret = -1;

	strbuf_addstr(&q, "SELECT g, COUNT(*), SUM(h) FROM (SELECT ");
	/* integer arithmetic where no key minus lo can overflow it */
	if (scope->kind == VF_RANGE && (uint64_t)scope->hi - (uint64_t)scope->lo <= INT64_MAX)
		strbuf_addf(&q, "(k - (%" PRId64 ")) DIV %" PRIu64, scope->lo, group);
	else if (scope->kind == VF_RANGE)
		strbuf_addf(&q, "(CAST(k AS DECIMAL(20, 0)) - (%" PRId64 ")) DIV %" PRIu64,
			    scope->lo, group);
	else {
		bucket_expr("km", &q);
		strbuf_addf(&q, " %% %" PRIu64, group);
	}
	strbuf_addstr(&q, " AS g, CAST(CONV(SUBSTR(m, 1, 16), 16, 10) AS UNSIGNED) AS h FROM (SELECT MD5(");
	row_text(p, side, &q);
	strbuf_addstr(&q, ") AS m, ");
	if (scope->kind == VF_RANGE)
		key_ident(p, side, &q);
	else
		key_md5(p, side, &q);
	strbuf_addstr(&q, scope->kind == VF_RANGE ? " AS k FROM " : " AS km FROM ");
	my_quote_ident(&q, t->name);
	if (scope->kind == VF_RANGE)
		scope_where(p, side, scope, 1, &q);
	strbuf_addstr(&q, ") a");
	if (scope->kind == VF_HASH && scope->mod > 1) {
		strbuf_addstr(&q, " WHERE ");
		bucket_expr("km", &q);
		strbuf_addf(&q, " %% %" PRIu64 " = %" PRIu64, scope->mod, scope->res);
	}
	strbuf_addstr(&q, ") b GROUP BY g");
	if (!(r = my_query(c, q.buf, err)))
		goto out;
	while ((row = mysql_fetch_row(r))) {
		if (!row[0] || !row[2]) {
			dberr_set(err, c->side, "table %s.%s: a row's rendering is NULL "
				  "(a value longer than max_allowed_packet?)", t->schema, t->name);
			goto out;
		}
		if (fn(arg, strtoull(row[0], NULL, 10), strtoull(row[1], NULL, 10),
		       vform_sum_mod64(row[2]), err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (r)
		mysql_free_result(r);
	strbuf_release(&q);
	return ret;
}

int
my_vf_read(struct db_conn *c, struct table *t, const struct vf_plan *p, int side,
	   const struct vf_scope *scopes, int nscopes, int ordered, row_sink_fn sink,
	   void *arg, struct dberr *err)
{
	struct strbuf tail = STRBUF_INIT;
	int ret;

	scope_where(p, side, scopes, nscopes, &tail);
	if (ordered)
		order_by(p, side, &tail);
	ret = my_copy_rows(c, t, tail.len ? tail.buf : NULL, sink, arg, err);
	strbuf_release(&tail);
	return ret;
}

int
my_vf_render(struct db_conn *c, const struct table *t, const struct vf_plan *p,
	     int side, vf_text_row_fn fn, void *arg, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	const char **vals = xcalloc((size_t)p->ncols + 1, sizeof(*vals));
	size_t *lens = xcalloc((size_t)p->ncols + 1, sizeof(*lens));
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	int ret = -1;

	strbuf_addstr(&q, "SELECT ");
	for (int i = 0; i < p->ncols; i++) {
		if (i)
			strbuf_addstr(&q, ", ");
		if (render_expr(p, i, side, &q) < 0)
			strbuf_addstr(&q, "NULL");
		strbuf_addf(&q, " AS r%d", i);	/* not a column name ORDER BY could mean */
	}
	strbuf_addstr(&q, " FROM ");
	my_quote_ident(&q, t->name);
	order_by(p, side, &q);
	if (!(r = my_query(c, q.buf, err)))
		goto out;
	while ((row = mysql_fetch_row(r))) {
		unsigned long *l = mysql_fetch_lengths(r);

		for (int i = 0; i < p->ncols; i++) {
			vals[i] = row[i];
			lens[i] = l[i];
		}
		if (fn(arg, vals, lens, err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (r)
		mysql_free_result(r);
	strbuf_release(&q);
	free(vals);
	free(lens);
	return ret;
}
