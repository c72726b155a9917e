/*
 * t_canon.c - the canonical encoding: varints, row framing on hostile
 * input, array payloads, and the round trips PostgreSQL text ->
 * canonical -> PostgreSQL text for every mapped type's edge values.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/base/canon.h"
#include "lib/pg/pg_text.h"
#include "tinytest.h"

static void
test_canon__varint(void)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384,
					 UINT32_MAX, (uint64_t)INT64_MAX, UINT64_MAX };
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint64_t out = 0;

		strbuf_reset(&sb);
		put_uvarint(&sb, vals[i]);
		CHECK(get_uvarint((unsigned char *)sb.buf, sb.len, &out) == sb.len);
		CHECK(out == vals[i]);
		/* Every strict prefix is "incomplete", never a wrong value. */
		for (size_t k = 0; k < sb.len; k++)
			CHECK(get_uvarint((unsigned char *)sb.buf, k, &out) == 0);
	}
	/* 11 continuation bytes: more than 64 bits. */
	CHECK(get_uvarint((const unsigned char *)"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, &(uint64_t){0}) == 0);
	strbuf_release(&sb);
}

static void
test_canon__row_round_trip_and_prefixes(void)
{
	struct value in[4] = {
		{ (const unsigned char *)"abc", 3, 0 },
		{ NULL, 0, 1 },
		{ (const unsigned char *)"", 0, 0 },
		{ (const unsigned char *)"\0\1\2", 3, 0 },
	}, out[4];
	struct strbuf sb = STRBUF_INIT;
	size_t used, rowlen;
	uint64_t rows;
	char emsg[128];

	canon_row_encode(&sb, in, 4);
	rowlen = sb.len;
	canon_end_encode(&sb, 1);
	CHECK(canon_decode((unsigned char *)sb.buf, sb.len, 4, out, &used, &rows, emsg, sizeof(emsg)) == CANON_ROW);
	CHECK(used == rowlen);
	CHECK(out[0].len == 3 && !memcmp(out[0].p, "abc", 3));
	CHECK(out[1].isnull);
	CHECK(!out[2].isnull && out[2].len == 0);
	CHECK(out[3].len == 3 && !memcmp(out[3].p, "\0\1\2", 3));
	CHECK(canon_decode((unsigned char *)sb.buf + used, sb.len - used, 4, out, &used, &rows,
			   emsg, sizeof(emsg)) == CANON_END);
	CHECK(rows == 1);
	/* Every truncation of a row asks for more; none decodes or fails. */
	for (size_t k = 0; k < rowlen; k++)
		CHECK(canon_decode((unsigned char *)sb.buf, k, 4, out, &used, &rows, emsg,
				   sizeof(emsg)) == CANON_MORE);
	strbuf_release(&sb);
}

static void
test_canon__hostile_rows(void)
{
	struct value out[2];
	size_t used;
	uint64_t rows;
	char emsg[128];
	/* row tag, value tag 1, length 2^40: over the limit */
	const unsigned char huge[] = { 0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20 };
	const unsigned char badtag[] = { 0x01, 0x07 };
	const unsigned char badrow[] = { 0x42 };

	CHECK(canon_decode(huge, sizeof(huge), 2, out, &used, &rows, emsg, sizeof(emsg)) == CANON_BAD);
	CHECK(strstr(emsg, "exceeds") != NULL);
	CHECK(canon_decode(badtag, sizeof(badtag), 2, out, &used, &rows, emsg, sizeof(emsg)) == CANON_BAD);
	CHECK(canon_decode(badrow, sizeof(badrow), 2, out, &used, &rows, emsg, sizeof(emsg)) == CANON_BAD);
}

static void
test_canon__array_hostile(void)
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
test_canon__pg_scalars_round_trip(void)
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
test_canon__timestamptz_not_utc_is_refused(void)
{
	struct ntype_desc d = desc(NT_TIMESTAMPTZ, 0);
	struct strbuf sb = STRBUF_INIT;
	char emsg[128];

	CHECK(pg_text_to_canon(&d, "2020-01-01 00:00:00+02", 22, &sb, emsg, sizeof(emsg)) < 0);
	strbuf_release(&sb);
}

static void
test_canon__floats_are_bit_exact(void)
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
test_canon__arrays(void)
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
test_canon__copy_split_and_escape(void)
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

int
main(void)
{
	TEST_RUN(test_canon__varint);
	TEST_RUN(test_canon__row_round_trip_and_prefixes);
	TEST_RUN(test_canon__hostile_rows);
	TEST_RUN(test_canon__array_hostile);
	TEST_RUN(test_canon__pg_scalars_round_trip);
	TEST_RUN(test_canon__timestamptz_not_utc_is_refused);
	TEST_RUN(test_canon__floats_are_bit_exact);
	TEST_RUN(test_canon__arrays);
	TEST_RUN(test_canon__copy_split_and_escape);
	return TEST_REPORT();
}
