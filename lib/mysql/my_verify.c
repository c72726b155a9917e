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
#include "lib/verify/verify_ops.h"
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
	case VK_ARRAY_JSON:
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

static int
my_vf_read(struct db_conn *c, struct table *t, const char *tail, row_sink_fn sink,
	   void *arg, struct dberr *err)
{
	return my_copy_rows(c, t, tail && *tail ? tail : NULL, sink, arg, err);
}

/* MySQL's errors end the statement, not the transaction: no savepoints. */
const struct db_verify_ops my_verify_ops = {
	.dialect = &my_dialect,
	.read = my_vf_read,
};
