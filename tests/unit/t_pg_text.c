/*
 * t_pg_text.c - PostgreSQL's text forms (lib/pg/pg_text.c): the type
 * mapping from the catalog, row by row, and the round trips PostgreSQL
 * text -> canonical -> PostgreSQL text for every mapped type's edge
 * values, arrays included, and COPY's line splitting and escaping.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/base/canon.h"
#include "lib/base/types.h"
#include "lib/pg/pg_text.h"
#include "tinytest.h"

static void
test_pg_text__array_hostile(void)
{
	struct canon_array a;
	char emsg[128];
	/* ndims 7 > 6 */
	const unsigned char toomany[] = { 7 };
	/* 1 dim of 1000000 elements with 2 bytes of data */
	const unsigned char lying[] = { 1, 0xc0, 0x84, 0x3d, 2, 0, 0 };

	CHECK(canon_array_decode(toomany, sizeof(toomany), &a, emsg, sizeof(emsg)) < 0);
	CHECK(canon_array_decode(lying, sizeof(lying), &a, emsg, sizeof(emsg)) < 0);
}

/* text -> canonical -> text must give back exactly the input. */

static int
round_trip(const struct ntype_desc *d, const char *txt)
{
	struct strbuf canon = STRBUF_INIT, back = STRBUF_INIT;
	char emsg[256] = "";
	int ok;

	ok = pg_text_to_canon(d, txt, strlen(txt), &canon, emsg, sizeof(emsg)) == 0 &&
	     pg_canon_to_text(d, (unsigned char *)strbuf_cstr(&canon), canon.len, &back,
			      emsg, sizeof(emsg)) == 0 &&
	     !strcmp(strbuf_cstr(&back), txt);
	if (!ok)
		fprintf(stderr, "  round trip of '%s' gave '%s' (%s)\n", txt, strbuf_cstr(&back), emsg);
	strbuf_release(&canon);
	strbuf_release(&back);
	return ok;
}

static struct ntype_desc
desc(enum ntype t, enum ntype elem)
{
	struct ntype_desc d = { t, elem, -1, -1, -1, -1 };

	return d;
}

static void
test_pg_text__pg_scalars_round_trip(void)
{
	struct ntype_desc d;

	d = desc(NT_BOOL, 0);
	CHECK(round_trip(&d, "t") && round_trip(&d, "f"));
	d = desc(NT_INT64, 0);
	CHECK(round_trip(&d, "-9223372036854775808") && round_trip(&d, "9223372036854775807"));
	d = desc(NT_DECIMAL, 0);
	CHECK(round_trip(&d, "NaN") && round_trip(&d, "-Infinity") &&
	      round_trip(&d, "99999999999999999999999999999999999.999999999999999999999999999999"));
	d = desc(NT_BYTES, 0);
	CHECK(round_trip(&d, "\\x") && round_trip(&d, "\\x00ff00deadbeef00"));
	d = desc(NT_TIMESTAMPTZ, 0);
	CHECK(round_trip(&d, "2000-02-29 12:34:56.000001+00"));
	CHECK(round_trip(&d, "4713-01-01 00:00:00+00 BC"));
	CHECK(round_trip(&d, "infinity") && round_trip(&d, "-infinity"));
	d = desc(NT_TEXT, 0);
	CHECK(round_trip(&d, "") && round_trip(&d, "ünïcødé 😀𝄞 tab\there"));
}

static void
test_pg_text__timestamptz_not_utc_is_refused(void)
{
	struct ntype_desc d = desc(NT_TIMESTAMPTZ, 0);
	struct strbuf sb = STRBUF_INIT;
	char emsg[128];

	CHECK(pg_text_to_canon(&d, "2020-01-01 00:00:00+02", 22, &sb, emsg, sizeof(emsg)) < 0);
	strbuf_release(&sb);
}

static void
test_pg_text__floats_are_bit_exact(void)
{
	static const char *const f8[] = { "1.7976931348623157e+308", "4.9406564584124654e-324",
					   "-0", "0.1", "NaN", "Infinity", "-Infinity",
					   "3.141592653589793" };
	static const char *const f4[] = { "3.4028235e+38", "1.17549435e-38", "-0", "0.1", "NaN" };
	struct strbuf c = STRBUF_INIT, back = STRBUF_INIT, c2 = STRBUF_INIT;
	char emsg[128];

	for (int k = 0; k < 2; k++) {
		struct ntype_desc d = desc(k ? NT_FLOAT32 : NT_FLOAT64, 0);
		const char *const *v = k ? f4 : f8;
		size_t n = k ? sizeof(f4) / sizeof(*f4) : sizeof(f8) / sizeof(*f8);

		for (size_t i = 0; i < n; i++) {
			/* text -> bits -> text -> bits: the bits must agree. */
			strbuf_reset(&c);
			strbuf_reset(&back);
			strbuf_reset(&c2);
			CHECK(pg_text_to_canon(&d, v[i], strlen(v[i]), &c, emsg, sizeof(emsg)) == 0);
			CHECK(c.len == (size_t)(k ? 4 : 8));
			CHECK(pg_canon_to_text(&d, (unsigned char *)c.buf, c.len, &back, emsg, sizeof(emsg)) == 0);
			CHECK(pg_text_to_canon(&d, back.buf, back.len, &c2, emsg, sizeof(emsg)) == 0);
			CHECK(c.len == c2.len && !memcmp(c.buf, c2.buf, c.len));
		}
	}
	strbuf_release(&c);
	strbuf_release(&back);
	strbuf_release(&c2);
}

static void
test_pg_text__arrays(void)
{
	struct ntype_desc d = desc(NT_ARRAY, NT_TEXT);
	struct ntype_desc di = desc(NT_ARRAY, NT_INT32);
	struct ntype_desc db = desc(NT_ARRAY, NT_BYTES);
	struct ntype_desc dtz = desc(NT_ARRAY, NT_TIMESTAMPTZ);
	struct strbuf sb = STRBUF_INIT;
	char emsg[128];

	/* Our output quotes every element; PostgreSQL reads it back the same. */
	CHECK(round_trip(&d, "{}"));
	CHECK(round_trip(&d, "{\"a\",NULL,\"\",\"NULL\",\"with,comma\",\"with\\\"quote\",\"with\\\\back\"}"));
	CHECK(round_trip(&di, "{{\"1\",\"2\"},{\"3\",\"4\"}}"));
	CHECK(round_trip(&di, "[0:2]={\"7\",\"8\",\"9\"}"));
	CHECK(round_trip(&di, "[-1:0][5:6]={{\"1\",\"2\"},{\"3\",\"4\"}}"));
	CHECK(round_trip(&db, "{\"\\\\x00\",\"\\\\xdeadbeef\",NULL}"));
	CHECK(round_trip(&dtz, "{\"2020-01-01 00:00:00.5+00\",\"infinity\"}"));
	/* PostgreSQL's own (unquoted) output parses to the same payload. */
	{
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

		CHECK(pg_text_to_canon(&di, "{1,NULL,-3}", 11, &a, emsg, sizeof(emsg)) == 0);
		CHECK(pg_text_to_canon(&di, "{\"1\",NULL,\"-3\"}", 15, &b, emsg, sizeof(emsg)) == 0);
		CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
		strbuf_release(&a);
		strbuf_release(&b);
	}
	/* Malformed: ragged, unterminated, trailing junk. */
	CHECK(pg_text_to_canon(&di, "{{1,2},{3}}", 11, &sb, emsg, sizeof(emsg)) < 0);
	CHECK(pg_text_to_canon(&di, "{1,2", 4, &sb, emsg, sizeof(emsg)) < 0);
	CHECK(pg_text_to_canon(&di, "{1}x", 4, &sb, emsg, sizeof(emsg)) < 0);
	CHECK(pg_text_to_canon(&d, "{\"abc}", 6, &sb, emsg, sizeof(emsg)) < 0);
	strbuf_release(&sb);
}

static void
test_pg_text__copy_split_and_escape(void)
{
	const char *fields[4];
	size_t lens[4];
	struct strbuf buf = STRBUF_INIT, esc = STRBUF_INIT;
	const char line[] = "a\\tb\t\\N\t\t\\\\x\\n";

	CHECK(pgcopy_split(line, strlen(line), 4, &buf, fields, lens) == 4);
	CHECK(lens[0] == 3 && !memcmp(fields[0], "a\tb", 3));
	CHECK(fields[1] == NULL);
	CHECK(fields[2] && lens[2] == 0);
	CHECK(lens[3] == 3 && !memcmp(fields[3], "\\x\n", 3));
	CHECK(pgcopy_split(line, strlen(line), 3, &buf, fields, lens) < 0);
	CHECK(pgcopy_split(line, strlen(line), 5, &buf, fields, lens) < 0);
	/* NULLs first and last, empty fields, octal and hex escapes */
	{
		const char l2[] = "\\N\t\t\\101\\x41z\t\\N";

		CHECK(pgcopy_split(l2, strlen(l2), 4, &buf, fields, lens) == 4);
		CHECK(fields[0] == NULL && fields[3] == NULL);
		CHECK(fields[1] && lens[1] == 0);
		CHECK(lens[2] == 3 && !memcmp(fields[2], "AAz", 3));
		CHECK(pgcopy_split("", 0, 1, &buf, fields, lens) == 1 && fields[0] && lens[0] == 0);
		CHECK(pgcopy_split("\\N", 2, 1, &buf, fields, lens) == 1 && fields[0] == NULL);
		CHECK(pgcopy_split("\\Nx", 3, 1, &buf, fields, lens) == 1 && lens[0] == 2 &&
		      !memcmp(fields[0], "Nx", 2));
	}
	pgcopy_escape(&esc, "a\tb\\c\nd\re", 9);
	CHECK_STR(esc.buf, "a\\tb\\\\c\\nd\\re");
	strbuf_release(&buf);
	strbuf_release(&esc);
}

static void
test_pg_text__every_pg_scalar(void)
{
	static const struct { const char *pg; enum ntype nt; } rows[] = {
		{ "bool", NT_BOOL }, { "int2", NT_INT16 }, { "int4", NT_INT32 },
		{ "int8", NT_INT64 }, { "numeric", NT_DECIMAL }, { "float4", NT_FLOAT32 },
		{ "float8", NT_FLOAT64 }, { "text", NT_TEXT }, { "varchar", NT_VARCHAR },
		{ "bpchar", NT_CHAR }, { "bytea", NT_BYTES }, { "date", NT_DATE },
		{ "time", NT_TIME }, { "timestamp", NT_TIMESTAMP },
		{ "timestamptz", NT_TIMESTAMPTZ }, { "interval", NT_INTERVAL },
		{ "uuid", NT_UUID }, { "json", NT_JSON }, { "jsonb", NT_JSONB },
		{ "inet", NT_INET }, { "cidr", NT_CIDR }, { "macaddr", NT_MACADDR },
	};
	struct ntype_desc d;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK(pg_type_to_ntype(rows[i].pg, 'b', -1, NULL, 0, &d) == 0);
		CHECK(d.t == rows[i].nt);
	}
}

static void
test_pg_text__typmods(void)
{
	struct ntype_desc d;

	/* numeric(12,2): typmod = (12 << 16 | 2) + 4 */
	CHECK(pg_type_to_ntype("numeric", 'b', (12 << 16 | 2) + 4, NULL, 0, &d) == 0);
	CHECK(d.precision == 12 && d.scale == 2);
	CHECK(pg_type_to_ntype("numeric", 'b', -1, NULL, 0, &d) == 0);
	CHECK(d.precision == -1 && d.scale == -1);
	CHECK(pg_type_to_ntype("varchar", 'b', 20 + 4, NULL, 0, &d) == 0);
	CHECK(d.length == 20);
	CHECK(pg_type_to_ntype("bpchar", 'b', 5 + 4, NULL, 0, &d) == 0);
	CHECK(d.length == 5);
	CHECK(pg_type_to_ntype("timestamptz", 'b', 3, NULL, 0, &d) == 0);
	CHECK(d.fsp == 3);
	CHECK(pg_type_to_ntype("time", 'b', -1, NULL, 0, &d) == 0);
	CHECK(d.fsp == -1);
}

static void
test_pg_text__arrays_enums(void)
{
	struct ntype_desc d;

	CHECK(pg_type_to_ntype("_int4", 'b', -1, "int4", 'b', &d) == 0);
	CHECK(d.t == NT_ARRAY && d.elem == NT_INT32);
	CHECK(pg_type_to_ntype("_mood", 'b', -1, "mood", 'e', &d) == 0);
	CHECK(d.t == NT_ARRAY && d.elem == NT_ENUM);
	CHECK(pg_type_to_ntype("mood", 'e', -1, NULL, 0, &d) == 0);
	CHECK(d.t == NT_ENUM);
	CHECK(pg_type_to_ntype("_numeric", 'b', (10 << 16 | 3) + 4, "numeric", 'b', &d) == 0);
	CHECK(d.t == NT_ARRAY && d.elem == NT_DECIMAL && d.precision == 10 && d.scale == 3);
}

static void
test_pg_text__unmapped_is_an_error(void)
{
	static const char *const unmapped[] = { "point", "money", "xml", "tsvector",
						"int4range", "bit", "varbit", "timetz", "oid" };
	struct ntype_desc d;

	for (size_t i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++)
		CHECK(pg_type_to_ntype(unmapped[i], 'b', -1, NULL, 0, &d) < 0);
	CHECK(pg_type_to_ntype("_point", 'b', -1, "point", 'b', &d) < 0);
	CHECK(pg_type_to_ntype("rec", 'c', -1, NULL, 0, &d) < 0);	/* composite */
	CHECK(pg_type_to_ntype("rng", 'r', -1, NULL, 0, &d) < 0);	/* range */
}

static void
test_pg_text__versions(void)
{
	CHECK(pg_version_at_least("15.18 (Debian 15.18-0+deb12u1)", 120000));
	CHECK(pg_version_at_least("12.0", 120000));
	CHECK(!pg_version_at_least("11.22", 120000));
	CHECK(!pg_version_at_least("9.6.24", 100000));
	CHECK(pg_version_at_least("9.6.24", 90600));
	CHECK(pg_version_at_least(NULL, 120000));
	CHECK(pg_version_at_least("devel", 120000));
}

int
main(void)
{
	TEST_RUN(test_pg_text__array_hostile);
	TEST_RUN(test_pg_text__pg_scalars_round_trip);
	TEST_RUN(test_pg_text__timestamptz_not_utc_is_refused);
	TEST_RUN(test_pg_text__floats_are_bit_exact);
	TEST_RUN(test_pg_text__arrays);
	TEST_RUN(test_pg_text__copy_split_and_escape);
	TEST_RUN(test_pg_text__every_pg_scalar);
	TEST_RUN(test_pg_text__typmods);
	TEST_RUN(test_pg_text__arrays_enums);
	TEST_RUN(test_pg_text__unmapped_is_an_error);
	TEST_RUN(test_pg_text__versions);
	return TEST_REPORT();
}
