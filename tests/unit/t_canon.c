/*
 * t_canon.c - the canonical encoding: varints and row framing, on good
 * and hostile input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/base/canon.h"
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

int
main(void)
{
	TEST_RUN(test_canon__varint);
	TEST_RUN(test_canon__row_round_trip_and_prefixes);
	TEST_RUN(test_canon__hostile_rows);
	return TEST_REPORT();
}
