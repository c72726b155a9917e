/*
 * pg_verify.c - verify on PostgreSQL: each compared column rendered as
 * lib/verify/vform.c renders it in the client, the rest of the dialect vsql.c
 * builds the queries from, and running them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "lib/verify/verify_ops.h"
#include "lib/base/banned.h"

/* The rendering of column i as an SQL expression; -1 when this engine
 * cannot render it (the client does instead). */
static int
render_expr(const struct vf_plan *p, int i, int side, struct strbuf *o)
{
	const struct vcol *vc = &p->cols[i];
	const struct column *col = vsql_col(p, i, side);
	struct strbuf x = STRBUF_INIT;
	int ret = 0;

	pg_quote_ident(&x, col->name);
	switch (vc->kind) {
	case VK_INT:
		/* concat() prints an integer itself: no cast */
		if (col->type.t == NT_BOOL)
			strbuf_addf(o, "(CASE WHEN %s THEN '1' WHEN NOT %s THEN '0' END)", x.buf, x.buf);
		else
			strbuf_addstr(o, x.buf);
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
		strbuf_addstr(o, x.buf);
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
		else if (col->type.t == NT_TEXT || col->type.t == NT_VARCHAR)
			strbuf_addstr(o, x.buf);	/* text already */
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
		strbuf_addstr(o, x.buf);
		break;
	case VK_JSON:
		strbuf_addf(o, col->type.t == NT_JSONB ? "%s::text" : "%s::jsonb::text", x.buf);
		break;
	case VK_SETLIST:
		strbuf_addf(o, "array_to_string(%s, ',')", x.buf);
		break;
	case VK_ARRAY_JSON:
		/* jsonb renders these elements as a load writes them into JSON
		 * (numbers, true/false, strings); the client renders the rest */
		if (col->type.t == NT_JSON || col->type.t == NT_JSONB)
			strbuf_addf(o, col->type.t == NT_JSONB ? "%s::text" : "%s::jsonb::text", x.buf);
		else if (col->type.elem == NT_INT16 || col->type.elem == NT_INT32 ||
			 col->type.elem == NT_INT64 || col->type.elem == NT_BOOL ||
			 col->type.elem == NT_TEXT || col->type.elem == NT_VARCHAR)
			strbuf_addf(o, "to_jsonb(%s)::text", x.buf);
		else
			ret = -1;
		break;
	case VK_ARRAY:
	case VK_NONE:
		ret = -1;
		break;
	}
	strbuf_release(&x);
	return ret;
}

/* A CHAR's length leaves out its padding, as its cast to text does,
 * without making the text; bytea's hex is twice its bytes. */
static int
render_len(const struct vf_plan *p, int i, int side, struct strbuf *o)
{
	const struct vcol *vc = &p->cols[i];
	const struct column *col = vsql_col(p, i, side);
	struct strbuf x = STRBUF_INIT;
	int ret = 0;

	pg_quote_ident(&x, col->name);
	if (vc->kind == VK_CHAR && col->type.t == NT_CHAR)
		strbuf_addf(o, "length(%s)", x.buf);
	else if (vc->kind == VK_BYTES)
		strbuf_addf(o, "(2 * octet_length(%s))", x.buf);
	else
		ret = -1;
	strbuf_release(&x);
	return ret;
}

static void
char_length(struct strbuf *o, const char *e)
{
	strbuf_addf(o, "length(%s)", e);
}

static void
table_name(struct strbuf *o, const struct table *t)
{
	pg_quote_qualified(o, t->schema, t->name);
}

static void
hash_hex(struct strbuf *o, enum vdigest dg, const char *t)
{
	if (dg == VD_SHA256)
		strbuf_addf(o, "encode(sha256(convert_to(%s, 'UTF8')), 'hex')", t);
	else
		strbuf_addf(o, "md5(%s)", t);
}

static void
digest(struct strbuf *o, const char *m)
{
	strbuf_addf(o, "('x' || left(%s, 16))::bit(64)::bigint", m);
}

static void
bucket(struct strbuf *o, const char *m)
{
	strbuf_addf(o, "(('x' || substr(%s, 17, 8))::bit(32)::bigint)", m);
}

static void
range_group(struct strbuf *o, int64_t lo, uint64_t group, int small)
{
	if (small)	/* bigint arithmetic is enough, and faster */
		strbuf_addf(o, "(k::bigint - (%" PRId64 ")) / %" PRIu64, lo, group);
	else
		strbuf_addf(o, "div(k::numeric - (%" PRId64 "), %" PRIu64 ")", lo, group);
}

static void
order_bytes(struct strbuf *o, const char *e)
{
	strbuf_addf(o, "((%s)::text) COLLATE \"C\"", e);	/* a date or uuid too */
}

/* Every PostgreSQL verify supports has hashtextextended (11); a row's
 * text is its types' output functions', which may change between major
 * versions (float8's did in 12). */
static int
native_major(const char *version, char *out, size_t n)
{
	size_t k = strspn(version, "0123456789");

	if (!k || k >= n)
		return -1;
	memcpy(out, version, k);
	out[k] = '\0';
	return 0;
}

static int
pages_ok(const char *version)
{
	return atoi(version) >= 14;
}

static void
pages_query(struct strbuf *o, const struct table *t)
{
	struct strbuf q = STRBUF_INIT;

	pg_quote_qualified(&q, t->schema, t->name);
	strbuf_addstr(o, "SELECT pg_relation_size(to_regclass('");
	for (size_t i = 0; i < q.len; i++) {	/* a literal: quotes doubled */
		if (q.buf[i] == '\'')
			strbuf_addch(o, '\'');
		strbuf_addch(o, q.buf[i]);
	}
	strbuf_addstr(o, "')) / current_setting('block_size')::bigint");
	strbuf_release(&q);
}

static void
pages_where(struct strbuf *o, uint64_t from, uint64_t to)
{
	strbuf_addf(o, " AND ctid >= '(%" PRIu64 ",0)'::tid", from);
	if (to != UINT64_MAX)
		strbuf_addf(o, " AND ctid < '(%" PRIu64 ",0)'::tid", to);
}

static int
native_exact(const struct column *col)
{
	return col->type.t != NT_JSON;
}

/* The record's text: its output function quotes what needs it, so two
 * rows print alike only when their values do. */
static void
native_hash(struct strbuf *o, const char *x, int for_bucket)
{
	if (for_bucket)
		strbuf_addf(o, "(hashtextextended(%s, 1) & 4294967295)", x);
	else
		strbuf_addf(o, "hashtextextended(%s, 0)", x);
}

static const struct vsql_dialect pg_dialect = {
	.render = render_expr,
	.render_len = render_len,
	.ident = pg_quote_ident,
	.table = table_name,
	.char_length = char_length,
	/* concat() prints each argument with its type's output function,
	 * in one allocation, where || makes a text per operator */
	.concat_open = "concat(",
	.concat_sep = ", ",
	.concat_close = ")",
	.strict_open = "(",
	.strict_sep = " || ",
	.strict_close = ")",
	.hash_hex = hash_hex,
	.digest = digest,
	.bucket = bucket,
	.range_group = range_group,
	.order_bytes = order_bytes,
	.null_text = "NULL::text",
	.pages_ok = pages_ok,
	.pages_query = pages_query,
	.pages_where = pages_where,
	/* the planner takes a digest's groups for as many as its rows and
	 * sorts them on disk; hashing them is what fits a few thousand (an
	 * ordered read still sorts where no index gives the order) */
	.session_setup = "SET enable_sort = off",
	.native_name = "hashtextextended",
	.native_major = native_major,
	.native_exact = native_exact,
	.native_record = 1,
	.native_hash = native_hash,
};

static int
pg_vf_read(struct db_conn *c, struct table *t, const char *tail, row_sink_fn sink,
	   void *arg, struct dberr *err)
{
	return pg_copy_rows(c, t, tail, sink, arg, err);
}

static int
pg_vf_table_begin(struct db_conn *c, struct dberr *err)
{
	return pg_exec(c, "SAVEPOINT dbmig_verify_table", err);
}

static int
pg_vf_table_end(struct db_conn *c, int failed, struct dberr *err)
{
	return pg_exec(c, failed ? "ROLLBACK TO SAVEPOINT dbmig_verify_table"
		       : "RELEASE SAVEPOINT dbmig_verify_table", err);
}

const struct db_verify_ops pg_verify_ops = {
	.dialect = &pg_dialect,
	.read = pg_vf_read,
	.table_begin = pg_vf_table_begin,
	.table_end = pg_vf_table_end,
};
