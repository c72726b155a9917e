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

/* Whether col's bytes are UTF-8 already (utf8mb3 and ascii are
 * subsets): converting 200 bytes costs MariaDB more than hashing them. */
static int
utf8_already(const struct column *col)
{
	static const char *const ok[] = { "utf8mb4_", "utf8mb3_", "utf8_", "ascii_" };

	for (size_t i = 0; col->collation && i < sizeof(ok) / sizeof(*ok); i++)
		if (!strncmp(col->collation, ok[i], strlen(ok[i])))
			return 1;
	return 0;
}

/* Text column x as UTF-8 bytes: binary, so that no two collations of
 * one statement refuse to meet in CONCAT. A latin1 column the client
 * hashes as latin1 too (VD_CRC) is hashed as stored. */
static void
as_utf8(const struct vf_plan *p, const struct vcol *vc, const struct column *col,
	const char *x, struct strbuf *o)
{
	if (utf8_already(col) || (p->digest == VD_CRC && vc->latin1))
		strbuf_addf(o, "CAST(%s AS BINARY)", x);
	else
		strbuf_addf(o, "CONVERT(%s USING utf8mb4)", x);
}

static int
render_expr(const struct vf_plan *p, int i, int side, struct strbuf *o)
{
	const struct vcol *vc = &p->cols[i];
	const struct column *col = vsql_col(p, i, side);
	struct strbuf x = STRBUF_INIT, t = STRBUF_INIT;
	int ret = 0;

	my_quote_ident(&x, col->name);
	switch (vc->kind) {
	case VK_INT:
		/* CONCAT prints a number itself: no cast */
		strbuf_addf(o, col->type.t == NT_YEAR ? "(%s + 0)" : "%s", x.buf);
		break;
	case VK_DEC:
		if (vc->scale <= 0 || (col->type.t == NT_DECIMAL && col->type.scale == vc->scale))
			strbuf_addstr(o, x.buf);
		else
			strbuf_addf(o, "CAST(CAST(%s AS DECIMAL(65, %d)) AS CHAR)", x.buf,
				    vc->scale > 38 ? 38 : vc->scale);
		break;
	case VK_FLOAT:
		strbuf_addf(&t, "CAST(%s AS DOUBLE)", x.buf);
		float_bits(t.buf, o);
		break;
	case VK_DATE:
		zero_null(vc, side, x.buf, x.buf, o);
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
			as_utf8(p, vc, col, x.buf, o);
		break;
	case VK_CHAR:
		/* MySQL gives CHAR without its padding already */
		if (col->type.t == NT_CHAR) {
			as_utf8(p, vc, col, x.buf, o);
		} else {
			strbuf_addstr(o, "TRIM(TRAILING ' ' FROM ");
			as_utf8(p, vc, col, x.buf, o);
			strbuf_addch(o, ')');
		}
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

/* A text's characters, counted before the conversion to UTF-8 (they
 * are as many after); hex is twice the bytes. */
static int
render_len(const struct vf_plan *p, int i, int side, struct strbuf *o)
{
	const struct vcol *vc = &p->cols[i];
	const struct column *col = vsql_col(p, i, side);
	struct strbuf x = STRBUF_INIT;
	int ret = 0;

	my_quote_ident(&x, col->name);
	if ((vc->kind == VK_CHAR && col->type.t == NT_CHAR) ||
	    ((vc->kind == VK_TEXT || vc->kind == VK_SETLIST) && col->type.t != NT_BIT))
		strbuf_addf(o, "CHAR_LENGTH(%s)", x.buf);
	else if (vc->kind == VK_BYTES && col->type.t != NT_GEOMETRY)
		strbuf_addf(o, "(2 * LENGTH(%s))", x.buf);
	else
		ret = -1;
	strbuf_release(&x);
	return ret;
}

static void
char_length(struct strbuf *o, const char *e)
{
	strbuf_addf(o, "CHAR_LENGTH(%s)", e);
}

static void
table_name(struct strbuf *o, const struct table *t)
{
	my_quote_ident(o, t->name);	/* in the connection's database */
}

static void
hash_hex(struct strbuf *o, enum vdigest dg, const char *t)
{
	strbuf_addf(o, dg == VD_SHA256 ? "SHA2(%s, 256)" : "MD5(%s)", t);
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

/* MariaDB 10.8 has CRC32C beside CRC32. Between two MariaDB servers a
 * row is hashed by CRC32C alone, 32 bits as the floor's CRC32 and
 * pt-table-checksum's: MariaDB builds a row's text again for every
 * function given it (no common subexpressions), and a second CRC for 64
 * bits cost half as much again as reading and hashing the rows once.
 * Across engines the client's side is read anyway, and both CRCs make
 * 64 bits (crc64_hash). MySQL has no CRC32C, and takes MD5. */
static int
native_major(const char *version, char *out, size_t n)
{
	int major = 0, minor = 0;

	if (!strstr(version, "MariaDB") || sscanf(version, "%d.%d", &major, &minor) != 2 ||
	    (major == 10 && minor < 8) || major < 10)
		return -1;
	snprintf(out, n, "%d.%d", major, minor);
	return 0;
}

/* A double's text in CONCAT may not hold all its digits. */
static int
native_exact(const struct column *col)
{
	return col->type.t != NT_FLOAT32 && col->type.t != NT_FLOAT64;
}

static void
native_hash(struct strbuf *o, const char *x, int for_bucket)
{
	strbuf_addf(o, for_bucket ? "CRC32(%s)" : "CRC32C(%s)", x);
}

static void
crc64_hash(struct strbuf *o, const char *x)
{
	strbuf_addf(o, "(CRC32(%s) << 32 | CRC32C(%s))", x, x);
}

static const struct vsql_dialect my_dialect = {
	.render = render_expr,
	.render_len = render_len,
	.ident = my_quote_ident,
	.table = table_name,
	.char_length = char_length,
	.concat_open = "CONCAT(",
	.concat_sep = ", ",
	.concat_close = ")",
	.strict_open = "CONCAT(",
	.strict_sep = ", ",
	.strict_close = ")",
	.hash_hex = hash_hex,
	.digest = digest,
	.bucket = bucket,
	.range_group = range_group,
	.order_bytes = order_bytes,
	.null_text = "NULL",
	.group_suffix = " ORDER BY NULL",
	.chunk_queries = 1,
	.native_name = "crc32c",
	.native_major = native_major,
	.native_exact = native_exact,
	.native_fields_open = "CONCAT_WS(',', ",
	.native_hash = native_hash,
	.crc64_hash = crc64_hash,
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
