/*
 * t_vsql.c - verify's SQL builder (lib/verify/vsql.c): the shape of each
 * query through a dialect of symbols (so the shape is what is checked,
 * whatever an engine's spelling), and, with the two real dialects, which
 * columns each engine can render in SQL.
 */
#include <stdlib.h>

#include "lib/verify/verify_ops.h"
#include "tinytest.h"

extern const struct db_verify_ops pg_verify_ops, my_verify_ops;

static int
r_render(const struct vf_plan *p, int i, int side, struct strbuf *o)
{
	if (p->cols[i].kind == VK_ARRAY)
		return -1;
	strbuf_addf(o, "R%d(%s)", side, p->cols[i].s[side].col->name);
	return 0;
}
static void r_ident(struct strbuf *o, const char *n) { strbuf_addstr(o, n); }
static void r_table(struct strbuf *o, const struct table *t) { strbuf_addf(o, "%s.%s", t->schema, t->name); }
static void r_len(struct strbuf *o, const char *e) { strbuf_addf(o, "L(%s)", e); }
static void
r_hash_hex(struct strbuf *o, enum vdigest dg, const char *t)
{
	strbuf_addf(o, "%s(%s)", dg == VD_SHA256 ? "S" : "M", t);
}
static void
r_native(struct strbuf *o, const char *x, int bucket)
{
	strbuf_addf(o, "%s(%s)", bucket ? "HB" : "H", x);
}
static void r_digest(struct strbuf *o, const char *m) { strbuf_addf(o, "D(%s)", m); }
static void r_bucket(struct strbuf *o, const char *m) { strbuf_addf(o, "B(%s)", m); }
static void
r_group(struct strbuf *o, int64_t lo, uint64_t group, int small)
{
	strbuf_addf(o, "G(%lld,%llu,%d)", (long long)lo, (unsigned long long)group, small);
}
static void r_order(struct strbuf *o, const char *e) { strbuf_addf(o, "O(%s)", e); }

static const struct vsql_dialect sym = {
	.render = r_render, .ident = r_ident, .table = r_table,
	.char_length = r_len, .concat_open = "[", .concat_sep = "+", .concat_close = "]",
	.strict_open = "<", .strict_sep = "&", .strict_close = ">",
	.hash_hex = r_hash_hex, .native_hash = r_native, .digest = r_digest, .bucket = r_bucket, .range_group = r_group,
	.order_bytes = r_order, .null_text = "NULL",
};

/* t(id int, name text, tags int[]): key id, as verify's plan has it. */
struct fixture {
	struct column cols[3];
	struct table t;
	struct vcol vc[3];
	struct vf_plan p;
};

static void
fixture_init(struct fixture *f, enum vkind key_kind)
{
	static const char *const names[] = { "id", "name", "tags" };
	static const enum ntype types[] = { NT_INT32, NT_TEXT, NT_ARRAY };
	static const enum vkind kinds[] = { VK_INT, VK_TEXT, VK_ARRAY };

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 3; i++) {
		f->cols[i].name = (char *)names[i];
		f->cols[i].type.t = types[i];
		f->vc[i].name = names[i];
		f->vc[i].kind = i == 0 ? key_kind : kinds[i];
		f->vc[i].scale = -1;
		for (int s = 0; s < 2; s++) {
			f->vc[i].s[s].col = &f->cols[i];
			f->vc[i].s[s].idx = i;
		}
	}
	f->t.schema = (char *)"app";
	f->t.name = (char *)"t";
	f->t.cols = f->cols;
	f->t.ncols = 3;
	f->p.cols = f->vc;
	f->p.ncols = 2;		/* tags is not compared in SQL here */
	f->p.key[0] = 0;
	f->p.nkey = 1;
	f->p.range = key_kind == VK_INT;
	f->p.ordered = 1;
}

static void
test_vsql__stats(void)
{
	struct fixture f;
	struct strbuf q = STRBUF_INIT;

	fixture_init(&f, VK_INT);
	vsql_stats_query(&sym, &f.t, &f.p, 0, 1, &q);
	CHECK_STR(q.buf, "SELECT count(*), min(id), max(id) FROM app.t");
	strbuf_reset(&q);
	/* the server's estimate will do: no scan for a count */
	vsql_stats_query(&sym, &f.t, &f.p, 0, 0, &q);
	CHECK_STR(q.buf, "SELECT NULL, min(id), max(id) FROM app.t");
	strbuf_reset(&q);
	f.p.range = 0;
	vsql_stats_query(&sym, &f.t, &f.p, 1, 1, &q);
	CHECK_STR(q.buf, "SELECT count(*) FROM app.t");
	strbuf_release(&q);
}

static void
test_vsql__digest_by_range_and_by_hash(void)
{
	struct fixture f;
	struct strbuf q = STRBUF_INIT;
	struct vf_scope range = { VF_RANGE, 100, 199, 0, 0 }, hash = { VF_HASH, 0, 0, 4, 3 };

	fixture_init(&f, VK_INT);
	vsql_digest_query(&sym, &f.t, &f.p, 0, &range, 10, &q);
	/* a number ends with a comma, a text starts with its length */
	CHECK_STR(q.buf, "SELECT g, count(*), sum(h) FROM (SELECT G(100,10,1) AS g, h "
		  "FROM (SELECT D(M([COALESCE(<R0(id)&','>, 'N')+COALESCE(<L(R0(name))&':'&R0(name)>, 'N')])) AS h, id AS k "
		  "FROM app.t WHERE (id BETWEEN 100 AND 199)) a) b GROUP BY g");
	strbuf_reset(&q);
	/* NOT NULL: no NULL to stand for; SHA-256 for the rows, MD5 still
	 * for the buckets, which the client computes alike */
	f.cols[0].not_null = 1;
	f.p.digest = VD_SHA256;
	vsql_digest_query(&sym, &f.t, &f.p, 0, &range, 10, &q);
	CHECK(strstr(q.buf, "D(S([R0(id), ','+COALESCE(<L(R0(name))&':'&R0(name)>, 'N')])) AS h") != NULL);
	strbuf_reset(&q);
	fixture_init(&f, VK_TEXT);
	vsql_digest_query(&sym, &f.t, &f.p, 1, &hash, 16, &q);
	CHECK_STR(q.buf, "SELECT g, count(*), sum(h) FROM (SELECT kb % 16 AS g, h "
		  "FROM (SELECT D(M([COALESCE(<L(R1(id))&':'&R1(id)>, 'N')+COALESCE(<L(R1(name))&':'&R1(name)>, 'N')])) AS h, "
		  "B(M([COALESCE(<L(R1(id))&':'&R1(id)>, 'N')])) AS kb FROM app.t) a "
		  "WHERE (kb % 4 = 3)) b GROUP BY g");
	strbuf_release(&q);
}

/* One engine on both sides: its own hash over the stored values, a
 * column rendered only where the two sides' types differ. */
static void
test_vsql__native_digest(void)
{
	struct fixture f;
	struct strbuf q = STRBUF_INIT;
	struct vf_scope range = { VF_RANGE, 1, 9, 0, 0 }, hash = { VF_HASH, 0, 0, 1, 0 };
	struct vsql_dialect rec = sym, ws = sym;

	fixture_init(&f, VK_INT);
	f.p.digest = VD_NATIVE;
	f.vc[0].native = 1;	/* id as stored; name rendered */
	vsql_digest_query(&sym, &f.t, &f.p, 0, &range, 4, &q);
	CHECK(strstr(q.buf, "SELECT H([COALESCE(<id&','>, 'N')+COALESCE(<L(R0(name))&':'&R0(name)>, 'N')]) AS h, id AS k") != NULL);
	strbuf_reset(&q);
	/* fields joined by a separator: a length only where a text is not
	 * the last of them, and no 'N' where the column is NOT NULL */
	ws.native_fields_open = "W(";
	vsql_digest_query(&ws, &f.t, &f.p, 0, &range, 4, &q);
	CHECK(strstr(q.buf, "SELECT H(W(COALESCE(id, 'N'), COALESCE(L(R0(name)), 'N'), R0(name))) AS h") != NULL);
	strbuf_reset(&q);
	f.cols[0].not_null = f.cols[1].not_null = 1;
	vsql_digest_query(&ws, &f.t, &f.p, 0, &range, 4, &q);
	CHECK(strstr(q.buf, "SELECT H(W(id, R0(name))) AS h") != NULL);
	strbuf_reset(&q);
	/* NULL allowed on the other side only: both sides keep the length,
	 * so that a row's text is the same on both */
	f.vc[1].s[1].col = &f.cols[2];
	f.cols[2].name = f.cols[1].name;
	vsql_digest_query(&ws, &f.t, &f.p, 0, &range, 4, &q);
	CHECK(strstr(q.buf, "SELECT H(W(id, L(R0(name)), R0(name))) AS h") != NULL);
	strbuf_reset(&q);
	f.vc[1].s[1].col = &f.cols[1];
	f.vc[0].native = 0;	/* a text first: its length, then itself */
	f.vc[0].kind = VK_TEXT;
	vsql_digest_query(&ws, &f.t, &f.p, 0, &range, 4, &q);
	CHECK(strstr(q.buf, "SELECT H(W(L(R0(id)), R0(id), R0(name))) AS h") != NULL);
	strbuf_reset(&q);
	fixture_init(&f, VK_INT);
	f.p.digest = VD_NATIVE;
	f.vc[0].native = 1;
	rec.native_record = 1;
	f.vc[1].native = 1;
	vsql_digest_query(&rec, &f.t, &f.p, 1, &range, 4, &q);
	CHECK(strstr(q.buf, "SELECT H(ROW(id, name)::text) AS h, id AS k") != NULL);
	strbuf_reset(&q);
	/* the fetch asks for the same buckets the digests grouped by */
	vsql_read_tail(&rec, &f.p, 1, &hash, 1, 0, &q);
	CHECK_STR(q.buf, " WHERE (HB(ROW(id)::text) % 1 IN (0))");
	strbuf_release(&q);
}

static void
test_vsql__read_tail_and_render(void)
{
	struct fixture f;
	struct strbuf q = STRBUF_INIT;
	struct vf_scope sc[2] = { { VF_RANGE, 1, 5, 0, 0 }, { VF_RANGE, 9, 9, 0, 0 } };

	fixture_init(&f, VK_INT);
	vsql_read_tail(&sym, &f.p, 0, sc, 2, 1, &q);
	CHECK_STR(q.buf, " WHERE (id BETWEEN 1 AND 5) OR (id BETWEEN 9 AND 9) ORDER BY id");
	strbuf_reset(&q);
	vsql_read_tail(&sym, &f.p, 0, NULL, 0, 0, &q);
	CHECK_STR(strbuf_cstr(&q), "");
	strbuf_reset(&q);
	/* a text key orders byte by byte, never by a collation */
	fixture_init(&f, VK_TEXT);
	f.p.ncols = 3;
	vsql_render_query(&sym, &f.t, &f.p, 1, &q);
	CHECK_STR(q.buf, "SELECT R1(id) AS r0, R1(name) AS r1, NULL AS r2 FROM app.t "
		  "ORDER BY O(R1(id))");
	CHECK(!vsql_sql_ok(&sym, &f.p, 1));
	f.p.ncols = 2;
	CHECK(vsql_sql_ok(&sym, &f.p, 1));
	strbuf_release(&q);
}

static void
test_vsql__what_each_engine_renders(void)
{
	struct fixture f;

	fixture_init(&f, VK_INT);
	f.vc[1].kind = VK_JSON;
	f.cols[1].type.t = NT_JSONB;
	/* PostgreSQL prints jsonb itself; MariaDB keeps JSON as written */
	CHECK(vsql_sql_ok(pg_verify_ops.dialect, &f.p, 0));
	CHECK(!vsql_sql_ok(my_verify_ops.dialect, &f.p, 0));
	f.p.ncols = 3;		/* arrays: neither */
	CHECK(!vsql_sql_ok(pg_verify_ops.dialect, &f.p, 0));
	f.vc[1].kind = VK_TEXT;
	f.cols[1].type.t = NT_TEXT;
	f.p.ncols = 2;
	CHECK(vsql_sql_ok(pg_verify_ops.dialect, &f.p, 0));
	CHECK(vsql_sql_ok(my_verify_ops.dialect, &f.p, 0));
	/* only PostgreSQL needs a savepoint around each table */
	CHECK(pg_verify_ops.table_begin && !my_verify_ops.table_begin);
}

int
main(void)
{
	TEST_RUN(test_vsql__stats);
	TEST_RUN(test_vsql__digest_by_range_and_by_hash);
	TEST_RUN(test_vsql__native_digest);
	TEST_RUN(test_vsql__read_tail_and_render);
	TEST_RUN(test_vsql__what_each_engine_renders);
	return TEST_REPORT();
}
