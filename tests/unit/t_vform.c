/*
 * t_vform.c - verify's client-side rendering: MD5 against RFC 1321's
 * vectors, jsonb's text form, decimal scales, float bits, time and
 * timestamp padding, the MySQL-time/interval microseconds, key order and
 * the modular sum the servers' SUM() is reduced by; CRC32 and CRC32C
 * against their check values and MariaDB's, MySQL's latin1 from UTF-8, and
 * the CRC digest of a row with latin1 text. The renderings are
 * held to the servers' SQL by tests/integration/80-verify-golden.bats.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/base/crc.h"
#include "lib/base/latin1.h"
#include "lib/base/md5.h"
#include "lib/base/sha256.h"
#include "lib/verify/vform.h"
#include "tinytest.h"

static void
md5_hex(const char *s, char *out)
{
	unsigned char d[16];

	md5_digest(s, strlen(s), d);
	hex_encode(d, 16, out);
}

static void
test_vform__md5_vectors(void)
{
	char h[33];
	struct md5_ctx c;
	unsigned char d[16];
	const char *msg = "12345678901234567890123456789012345678901234567890123456789012345678901234567890";

	md5_hex("", h);
	CHECK_STR(h, "d41d8cd98f00b204e9800998ecf8427e");
	md5_hex("abc", h);
	CHECK_STR(h, "900150983cd24fb0d6963f7d28e17f72");
	md5_hex("abcdefghijklmnopqrstuvwxyz", h);
	CHECK_STR(h, "c3fcd3d76192e4007dfb496cca67e13b");
	md5_hex(msg, h);
	CHECK_STR(h, "57edf4a22be3c955ac49da2e2107b67a");
	/* Fed in odd pieces, the same digest. */
	md5_init(&c);
	for (size_t i = 0; i < strlen(msg); i += 7)
		md5_update(&c, msg + i, strlen(msg) - i < 7 ? strlen(msg) - i : 7);
	md5_final(&c, d);
	hex_encode(d, 16, h);
	CHECK_STR(h, "57edf4a22be3c955ac49da2e2107b67a");
}

static void
sha256_hex(const char *s, char *out)
{
	unsigned char d[32];

	sha256_digest(s, strlen(s), d);
	hex_encode(d, 32, out);
}

/* FIPS 180-4's examples, and one that pads into a second block. */
static void
test_vform__sha256_vectors(void)
{
	char h[65];
	struct sha256_ctx c;
	unsigned char d[32];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	sha256_hex("", h);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex(two, h);
	CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha256_init(&c);
	for (size_t i = 0; i < strlen(two); i += 5)
		sha256_update(&c, two + i, strlen(two) - i < 5 ? strlen(two) - i : 5);
	sha256_final(&c, d);
	hex_encode(d, 32, h);
	CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
json_is(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	if (!want) {
		CHECK(vform_json(in, strlen(in), &sb) < 0);
	} else {
		CHECK(vform_json(in, strlen(in), &sb) == 0);
		CHECK_STR(strbuf_cstr(&sb), want);
	}
	strbuf_release(&sb);
}

static void
test_vform__json_as_jsonb_prints_it(void)
{
	/* Each expected text is what PostgreSQL 15 prints for ::jsonb::text. */
	json_is("{\"b\":1,\"a\":[1.0, 2e2,-0, 1E-3 ,1.50e1]}",
		"{\"a\": [1.0, 200, 0, 0.001, 15.0], \"b\": 1}");
	json_is("{\"bb\":1,\"a\":2,\"ccc\":{}}", "{\"a\": 2, \"bb\": 1, \"ccc\": {}}");
	json_is("{\"k\":1,\"k\":2}", "{\"k\": 2}");
	json_is(" [ ] ", "[]");
	json_is("\"\\u00e9\\/\\n\\u0001\\ud83d\\ude00\"", "\"\xc3\xa9/\\n\\u0001\xf0\x9f\x98\x80\"");
	json_is("[true,false,null]", "[true, false, null]");
	json_is("{\"a\":1,}", NULL);
	json_is("[1 2]", NULL);
	json_is("01", NULL);
	json_is("{\"a\"", NULL);
}

static struct vcol
vc_of(enum vkind k, int scale, enum ntype t)
{
	static struct column col;
	struct vcol vc;

	memset(&vc, 0, sizeof(vc));
	memset(&col, 0, sizeof(col));
	col.type.t = t;
	vc.kind = k;
	vc.scale = scale;
	vc.s[0].col = &col;
	vc.s[1].col = &col;
	return vc;
}

static void
render_is(struct vcol vc, const void *p, size_t n, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	struct value v = { p, n, 0 };

	CHECK(vform_render(&vc, 0, &v, &sb) == 0);
	CHECK_STR(strbuf_cstr(&sb), want);
	strbuf_release(&sb);
}

static void
test_vform__renderings(void)
{
	static const unsigned char dbl01[8] = { 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a };
	static const unsigned char negzero[8] = { 0x80 };
	static const unsigned char nan[8] = { 0x7f, 0xf0, 0, 0, 0, 0, 0, 1 };
	static const unsigned char flt01[4] = { 0x3d, 0xcc, 0xcc, 0xcd };
	static const unsigned char uuid[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
						0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

	render_is(vc_of(VK_DEC, 3, NT_DECIMAL), "-1.5", 4, "-1.500");
	render_is(vc_of(VK_DEC, 2, NT_INT32), "7", 1, "7.00");
	render_is(vc_of(VK_DEC, 1, NT_DECIMAL), "1.25", 4, "1.25");
	render_is(vc_of(VK_DEC, 2, NT_DECIMAL), "NaN", 3, "NaN");
	render_is(vc_of(VK_DEC, -1, NT_DECIMAL), "1.50", 4, "1.50");
	render_is(vc_of(VK_FLOAT, -1, NT_FLOAT64), dbl01, 8, "3fb999999999999a");
	render_is(vc_of(VK_FLOAT, -1, NT_FLOAT64), negzero, 8, "0000000000000000");
	render_is(vc_of(VK_FLOAT, -1, NT_FLOAT64), nan, 8, "7ff8000000000000");
	render_is(vc_of(VK_FLOAT, -1, NT_FLOAT32), flt01, 4, "3fb99999a0000000");
	render_is(vc_of(VK_TIME, -1, NT_TIME), "-838:59:59", 10, "-838:59:59.000000");
	render_is(vc_of(VK_TIME, -1, NT_TIME), "12:00:00.5", 10, "12:00:00.500000");
	render_is(vc_of(VK_TS, -1, NT_TIMESTAMP), "2024-01-02 03:04:05", 19,
		  "2024-01-02 03:04:05.000000");
	render_is(vc_of(VK_TS, -1, NT_TIMESTAMP), "0044-03-15 12:00:00.25 BC", 25,
		  "0044-03-15 12:00:00.250000 BC");
	render_is(vc_of(VK_TS, -1, NT_TIMESTAMPTZ), "-infinity", 9, "-infinity");
	render_is(vc_of(VK_MICROS, -1, NT_TIME), "-838:59:59.5", 12, "-3020399500000");
	render_is(vc_of(VK_MICROS, -1, NT_INTERVAL), "PT-838H-59M-59.5S", 17, "-3020399500000");
	render_is(vc_of(VK_MICROS, -1, NT_INTERVAL), "P1Y1M1DT1S", 10, "34236001000000");
	render_is(vc_of(VK_CHAR, -1, NT_CHAR), "ab  ", 4, "ab");
	render_is(vc_of(VK_TEXT, -1, NT_VARCHAR), "ab  ", 4, "ab  ");
	render_is(vc_of(VK_BYTES, -1, NT_BYTES), "\x00\xff", 2, "00ff");
	render_is(vc_of(VK_UUID, -1, NT_BYTES), uuid, 16, "12345678-9abc-def0-0123-456789abcdef");
}

static void
test_vform__zero_dates_face_postgresql_as_null(void)
{
	struct vcol vc = vc_of(VK_DATE, -1, NT_DATE);
	struct strbuf sb = STRBUF_INIT;
	struct value v = { (const unsigned char *)"2020-00-15", 10, 0 };

	CHECK(vform_render(&vc, 0, &v, &sb) == 0);
	vc.s[0].zero_null = 1;
	CHECK(vform_render(&vc, 0, &v, &sb) == 1);
	strbuf_release(&sb);
}

static void
test_vform__kinds_of_pairs(void)
{
	struct ntype_desc a = { 0 }, b = { 0 };
	int scale;

	a.t = NT_INT32;
	b.t = NT_DECIMAL;
	b.scale = 2;
	CHECK(vform_kind(&a, &b, &scale) == VK_DEC && scale == 2);
	a.t = NT_DECIMAL;
	a.scale = -1;
	CHECK(vform_kind(&a, &b, &scale) == VK_DEC && scale == 2);
	a.t = NT_BOOL;
	b.t = NT_INT16;
	CHECK(vform_kind(&a, &b, &scale) == VK_INT);
	a.t = NT_TIME;
	b.t = NT_INTERVAL;
	CHECK(vform_kind(&a, &b, &scale) == VK_MICROS);
	a.t = NT_UUID;
	b.t = NT_BYTES;
	CHECK(vform_kind(&a, &b, &scale) == VK_UUID);
	a.t = NT_SET;
	b.t = NT_ARRAY;
	CHECK(vform_kind(&a, &b, &scale) == VK_SETLIST);
	a.t = NT_ARRAY;
	b.t = NT_JSON;
	CHECK(vform_kind(&a, &b, &scale) == VK_ARRAY_JSON);
	a.t = NT_DATE;
	b.t = NT_INT32;
	CHECK(vform_kind(&a, &b, &scale) == VK_NONE);
	a.t = NT_CHAR;
	b.t = NT_VARCHAR;
	CHECK(vform_kind(&a, &b, &scale) == VK_CHAR);
}

/* a real[] against MySQL JSON: made by verify itself from the canonical
 * values, as PostgreSQL's to_json writes them, so a load that widened
 * each float4 to a double is found */
static int
renders_alike(const struct vcol *vc, const struct value *arr, const char *json)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	struct value vj = { (const unsigned char *)json, strlen(json), 0 };
	int same;

	vform_render(vc, 0, arr, &x);
	vform_render(vc, 1, &vj, &y);
	same = !strcmp(strbuf_cstr(&x), strbuf_cstr(&y));
	strbuf_release(&x);
	strbuf_release(&y);
	return same;
}

static void
test_vform__array_against_json(void)
{
	struct column ca = { 0 }, cj = { 0 };
	struct vcol vc = { 0 };
	struct strbuf x = STRBUF_INIT, f1 = STRBUF_INIT, f2 = STRBUF_INIT, arr = STRBUF_INIT;
	struct value elems[4], va;
	struct value bad = { (const unsigned char *)"x", 1, 0 };
	struct canon_array a;

	canon_put_float(&f1, (float)0.1, 4);
	canon_put_float(&f2, (float)3.1415927, 4);
	elems[0] = (struct value){ (const unsigned char *)f1.buf, f1.len, 0 };
	elems[1] = (struct value){ (const unsigned char *)f2.buf, f2.len, 0 };
	elems[2] = (struct value){ NULL, 0, 1 };
	memset(&a, 0, sizeof(a));
	a.ndims = 1;
	a.dims[0] = 3;
	a.lbound[0] = 1;
	a.nelems = 3;
	a.elems = elems;
	canon_array_encode(&arr, &a);
	va = (struct value){ (const unsigned char *)arr.buf, arr.len, 0 };
	ca.type.t = NT_ARRAY;
	ca.type.elem = NT_FLOAT32;
	cj.type.t = NT_JSON;
	vc.kind = VK_ARRAY_JSON;
	vc.s[0].col = &ca;
	vc.s[1].col = &cj;
	CHECK(renders_alike(&vc, &va, "[0.1, 3.1415927, null]"));
	CHECK(renders_alike(&vc, &va, "[0.1,3.1415927,null]"));
	CHECK(!renders_alike(&vc, &va, "[0.10000000149011612, 3.1415927410125732, null]"));
	CHECK(!renders_alike(&vc, &va, "[0.1, 3.1415927]"));
	/* an array that does not decode differs from any JSON */
	vform_render(&vc, 0, &bad, &x);
	CHECK(!strcmp(strbuf_cstr(&x), "?array"));
	strbuf_release(&x);
	strbuf_release(&f1);
	strbuf_release(&f2);
	strbuf_release(&arr);
}

static void
test_vform__key_order_and_sums(void)
{
	CHECK(vform_key_cmp(VK_INT, "9", 1, "10", 2) < 0);
	CHECK(vform_key_cmp(VK_INT, "-10", 3, "-9", 2) < 0);
	CHECK(vform_key_cmp(VK_INT, "-1", 2, "0", 1) < 0);
	CHECK(vform_key_cmp(VK_DEC, "1.5", 3, "1.50", 4) == 0);
	CHECK(vform_key_cmp(VK_DEC, "1.05", 4, "1.5", 3) < 0);
	CHECK(vform_key_cmp(VK_TEXT, "a", 1, "B", 1) > 0);	/* bytes, no collation */
	CHECK(vform_key_cmp(VK_TEXT, "a", 1, "a ", 2) < 0);	/* no PAD SPACE */
	CHECK(vform_sum_mod64("18446744073709551617") == 1);
	CHECK(vform_sum_mod64("-1") == UINT64_MAX);
	CHECK(vform_sum_mod64("36893488147419103232") == 0);
}

/* The check values of both CRCs, and what MariaDB 10.11 prints for
 * CRC32('abc') and CRC32C('abc'). */
static void
test_vform__crc_vectors(void)
{
	const char *msg = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox";
	uint32_t a = 0, b = 0;

	CHECK(crc32_update(0, "123456789", 9) == 0xCBF43926u);
	CHECK(crc32c_update(0, "123456789", 9) == 0xE3069283u);
	CHECK(crc32_update(0, "", 0) == 0 && crc32c_update(0, "", 0) == 0);
	CHECK(crc32_update(0, "abc", 3) == 891568578u);
	CHECK(crc32c_update(0, "abc", 3) == 910901175u);
	CHECK(crc64_pair("abc", 3) == ((uint64_t)891568578u << 32 | 910901175u));
	/* continued in odd pieces, over every alignment, the same */
	for (size_t i = 0; i < strlen(msg); i += 3) {
		a = crc32_update(a, msg + i, strlen(msg) - i < 3 ? strlen(msg) - i : 3);
		b = crc32c_update(b, msg + i, strlen(msg) - i < 3 ? strlen(msg) - i : 3);
	}
	CHECK(a == crc32_update(0, msg, strlen(msg)));
	CHECK(b == crc32c_update(0, msg, strlen(msg)));
	CHECK(crc32c_tables(0, "123456789", 9) == 0xE3069283u);
	for (size_t i = 0; i < strlen(msg); i++)	/* every length and alignment */
		CHECK(crc32c_tables(0, msg + i, strlen(msg) - i) ==
		      crc32c_update(0, msg + i, strlen(msg) - i));
	{	/* and where the folding starts: 64 bytes, lanes, tails */
		unsigned char big[1031];

		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (unsigned char)(i * 131 + (i >> 3));
		for (size_t len = 0; len <= 300; len++)
			for (size_t at = 0; at < 3; at++)
				CHECK(crc32_tables(7, big + at, len) == crc32_update(7, big + at, len) &&
				      crc32c_tables(7, big + at, len) == crc32c_update(7, big + at, len));
		CHECK(crc32_tables(0, big, sizeof(big)) == crc32_update(0, big, sizeof(big)));
	}
	CHECK(a != b);
}

static int
latin1_is(const char *utf8, const char *want, size_t wantlen)
{
	struct strbuf o = STRBUF_INIT;
	int ok = latin1_from_utf8(utf8, strlen(utf8), &o) == 0 && o.len == wantlen &&
		 !memcmp(o.buf, want, wantlen);

	strbuf_release(&o);
	return ok;
}

static void
test_vform__latin1_from_utf8(void)
{
	struct strbuf o = STRBUF_INIT;

	CHECK(latin1_is("plain", "plain", 5));
	CHECK(latin1_is("caf\xc3\xa9 \xc3\xbf", "caf\xe9 \xff", 6));
	/* Windows-1252's euro and Y-diaeresis, and a C1 control it lacks */
	CHECK(latin1_is("\xe2\x82\xac\xc2\x81\xc5\xb8", "\x80\x81\x9f", 3));
	CHECK(latin1_from_utf8("\xe2\x98\x83", 3, &o) < 0);	/* a snowman */
	strbuf_reset(&o);
	CHECK(latin1_from_utf8("\xc2\x80", 2, &o) < 0);	/* U+0080: 0x80 is the euro */
	strbuf_reset(&o);
	CHECK(latin1_from_utf8("a\xc3", 2, &o) < 0);		/* cut short */
	strbuf_reset(&o);
	CHECK(latin1_from_utf8("\xff", 1, &o) < 0);		/* no UTF-8 */
	strbuf_release(&o);
}

/* VD_CRC hashes a latin1 column's value as latin1 bytes, the rest of
 * the row as it is rendered; a value with no latin1 form is marked. */
static void
test_vform__crc_digest_with_latin1(void)
{
	struct column ci = { 0 }, ct = { 0 };
	struct vcol cols[2];
	struct vf_plan p;
	struct vrow r;
	struct value vals[2] = { { (const unsigned char *)"7", 1, 0 },
				 { (const unsigned char *)"caf\xc3\xa9", 5, 0 } };

	memset(cols, 0, sizeof(cols));
	memset(&p, 0, sizeof(p));
	ci.type.t = NT_INT32;
	ct.type.t = NT_TEXT;
	cols[0].kind = VK_INT;
	cols[1].kind = VK_TEXT;
	for (int s = 0; s < 2; s++) {
		cols[0].s[s].col = &ci;
		cols[1].s[s].col = &ct;
		cols[1].s[s].idx = 1;
	}
	p.cols = cols;
	p.ncols = 2;
	p.key[0] = 0;
	p.nkey = 1;
	p.digest = VD_CRC;
	vrow_init(&r, &p);
	vform_row(&p, 1, vals, &r);
	CHECK_STR(strbuf_cstr(&r.text), "7,4:caf\xc3\xa9");
	CHECK(r.digest == crc64_pair("7,4:caf\xc3\xa9", 9));
	cols[1].latin1 = 1;
	vform_row(&p, 1, vals, &r);
	CHECK_STR(strbuf_cstr(&r.text), "7,4:caf\xc3\xa9");	/* compared as UTF-8 still */
	CHECK(r.digest == crc64_pair("7,4:caf\xe9", 8));
	vals[1] = (struct value){ (const unsigned char *)"\xe2\x98\x83", 3, 0 };
	vform_row(&p, 1, vals, &r);
	CHECK(r.digest == crc64_pair("7,1!\xe2\x98\x83", 7));
	vrow_release(&r);
}

int
main(void)
{
	TEST_RUN(test_vform__md5_vectors);
	TEST_RUN(test_vform__sha256_vectors);
	TEST_RUN(test_vform__crc_vectors);
	TEST_RUN(test_vform__latin1_from_utf8);
	TEST_RUN(test_vform__crc_digest_with_latin1);
	TEST_RUN(test_vform__json_as_jsonb_prints_it);
	TEST_RUN(test_vform__renderings);
	TEST_RUN(test_vform__zero_dates_face_postgresql_as_null);
	TEST_RUN(test_vform__kinds_of_pairs);
	TEST_RUN(test_vform__array_against_json);
	TEST_RUN(test_vform__key_order_and_sums);
	return TEST_REPORT();
}
