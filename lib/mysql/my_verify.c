/*
 * my_verify.c - verify on MySQL and MariaDB: each compared column rendered
 * as lib/verify/vform.c renders it in the client, the rest of the dialect
 * vsql.c builds the queries from, and running them.
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
#include "lib/verify/vsql.h"
#include "lib/base/banned.h"

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

static void
frame(struct strbuf *o, const char *e)
{
	strbuf_addf(o, "COALESCE(CONCAT(LENGTH(%s), ':', %s), 'N')", e, e);
}

static void
table_name(struct strbuf *o, const struct table *t)
{
	my_quote_ident(o, t->name);	/* in the connection's database */
}

static void
digest(struct strbuf *o, const char *m)
{
	strbuf_addf(o, "CAST(CONV(SUBSTR(%s, 1, 16), 16, 10) AS UNSIGNED)", m);
}

static void
bucket(struct strbuf *o, const char *m)
{
	strbuf_addf(o, "CAST(CONV(SUBSTR(%s, 17, 8), 16, 10) AS UNSIGNED)", m);
}

static void
range_group(struct strbuf *o, int64_t lo, uint64_t group, int small)
{
	if (small)	/* integer arithmetic is enough, and faster */
		strbuf_addf(o, "(k - (%" PRId64 ")) DIV %" PRIu64, lo, group);
	else
		strbuf_addf(o, "(CAST(k AS DECIMAL(20, 0)) - (%" PRId64 ")) DIV %" PRIu64, lo,
			    group);
}

/* BINARY has neither a collation nor PAD SPACE. */
static void
order_bytes(struct strbuf *o, const char *e)
{
	strbuf_addf(o, "CAST(%s AS BINARY)", e);
}

static const struct vsql_dialect my_dialect = {
	.render = render_expr,
	.ident = my_quote_ident,
	.table = table_name,
	.frame = frame,
	.concat_open = "CONCAT(",
	.concat_sep = ", ",
	.concat_close = ")",
	.md5 = "MD5",
	.digest = digest,
	.bucket = bucket,
	.range_group = range_group,
	.order_bytes = order_bytes,
	.null_text = "NULL",
};

int
my_vf_sql_ok(const struct vf_plan *p, int side)
{
	return vsql_sql_ok(&my_dialect, p, side);
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
	vsql_stats_query(&my_dialect, t, p, side, &q);
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

	vsql_digest_query(&my_dialect, t, p, side, scope, group, &q);
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

	vsql_read_tail(&my_dialect, p, side, scopes, nscopes, ordered, &tail);
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

	vsql_render_query(&my_dialect, t, p, side, &q);
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
