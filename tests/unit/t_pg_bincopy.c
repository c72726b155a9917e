/*
 * t_pg_bincopy.c - PostgreSQL's binary COPY codec (lib/pg/pg_bincopy.c)
 * against bytes written out by hand from the COPY page of the PostgreSQL
 * manual and the types' send functions: every kind it encodes and
 * decodes, NULLs, the header and trailer, a stream cut at every byte,
 * and what it refuses.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/pg/pg_bincopy.h"
#include "tinytest.h"

/* The field (length and bytes) bincopy_put_field writes for a payload. */
static int
field(enum bin_kind k, const char *payload, size_t n, struct strbuf *out)
{
	char emsg[128];

	strbuf_reset(out);
	return bincopy_put_field(out, k, (const unsigned char *)payload, n, emsg, sizeof(emsg));
}

static int
same(const struct strbuf *s, const char *bytes, size_t n)
{
	return s->len == n && memcmp(s->buf, bytes, n) == 0;
}

static void
test_pg_bincopy__integers_encode_big_endian(void)
{
	struct strbuf o = STRBUF_INIT;

	CHECK(field(BIN_INT2, "-2", 2, &o) == 0 && same(&o, "\0\0\0\2\xff\xfe", 6));
	CHECK(field(BIN_INT2, "32767", 5, &o) == 0 && same(&o, "\0\0\0\2\x7f\xff", 6));
	CHECK(field(BIN_INT2, "32768", 5, &o) == -1);
	CHECK(field(BIN_INT2, "-32768", 6, &o) == 0 && same(&o, "\0\0\0\2\x80\0", 6));
	CHECK(field(BIN_INT4, "305419896", 9, &o) == 0 &&
	      same(&o, "\0\0\0\4\x12\x34\x56\x78", 8));
	CHECK(field(BIN_INT4, "-1", 2, &o) == 0 && same(&o, "\0\0\0\4\xff\xff\xff\xff", 8));
	CHECK(field(BIN_INT4, "2147483648", 10, &o) == -1);
	CHECK(field(BIN_INT8, "-9223372036854775808", 20, &o) == 0 &&
	      same(&o, "\0\0\0\x08\x80\0\0\0\0\0\0\0", 12));
	CHECK(field(BIN_INT8, "9223372036854775808", 19, &o) == -1);
	CHECK(field(BIN_INT8, "", 0, &o) == -1);
	CHECK(field(BIN_INT8, "-", 1, &o) == -1);
	CHECK(field(BIN_INT8, "12a", 3, &o) == -1);
	strbuf_release(&o);
}

static void
test_pg_bincopy__bool_float_text_bytes(void)
{
	struct strbuf o = STRBUF_INIT;

	CHECK(field(BIN_BOOL, "1", 1, &o) == 0 && same(&o, "\0\0\0\1\1", 5));
	CHECK(field(BIN_BOOL, "0", 1, &o) == 0 && same(&o, "\0\0\0\1\0", 5));
	CHECK(field(BIN_BOOL, "t", 1, &o) == -1);
	/* canonical floats are already the IEEE bits, big-endian */
	CHECK(field(BIN_FLOAT8, "\x3f\xf0\0\0\0\0\0\0", 8, &o) == 0 &&
	      same(&o, "\0\0\0\x08\x3f\xf0\0\0\0\0\0\0", 12));
	CHECK(field(BIN_FLOAT4, "\x3f\x80\0\0", 4, &o) == 0 && same(&o, "\0\0\0\4\x3f\x80\0\0", 8));
	CHECK(field(BIN_FLOAT4, "\x3f\x80\0\0\0", 5, &o) == -1);
	CHECK(field(BIN_TEXT, "h\xc3\xa9", 3, &o) == 0 && same(&o, "\0\0\0\3h\xc3\xa9", 7));
	CHECK(field(BIN_BYTES, "\0\1", 2, &o) == 0 && same(&o, "\0\0\0\2\0\1", 6));
	CHECK(field(BIN_TEXT, "", 0, &o) == 0 && same(&o, "\0\0\0\0", 4));
	CHECK(field(BIN_NONE, "1", 1, &o) == -1);
	strbuf_release(&o);
}

static void
test_pg_bincopy__decode_each_kind(void)
{
	struct strbuf o = STRBUF_INIT;

	CHECK(bincopy_to_canon(BIN_INT2, (const unsigned char *)"\xff\xfe", 2, &o) == 0);
	CHECK_STR(strbuf_cstr(&o), "-2");
	strbuf_reset(&o);
	CHECK(bincopy_to_canon(BIN_INT8, (const unsigned char *)"\x80\0\0\0\0\0\0\0", 8, &o) == 0);
	CHECK_STR(strbuf_cstr(&o), "-9223372036854775808");
	strbuf_reset(&o);
	CHECK(bincopy_to_canon(BIN_INT4, (const unsigned char *)"\0\0\1", 3, &o) == -1);
	CHECK(bincopy_to_canon(BIN_BOOL, (const unsigned char *)"\1", 1, &o) == 0);
	CHECK_STR(strbuf_cstr(&o), "1");
	strbuf_reset(&o);
	/* every NaN arrives as the one canonical NaN */
	CHECK(bincopy_to_canon(BIN_FLOAT8, (const unsigned char *)"\x7f\xf0\0\0\0\0\0\1", 8,
			       &o) == 0);
	CHECK(o.len == 8 && (unsigned char)o.buf[0] == 0x7f && (unsigned char)o.buf[1] == 0xf8 &&
	      o.buf[7] == 0);
	strbuf_reset(&o);
	CHECK(bincopy_to_canon(BIN_BYTES, (const unsigned char *)"\0x", 2, &o) == 0 &&
	      o.len == 2 && o.buf[0] == 0 && o.buf[1] == 'x');
	strbuf_release(&o);
}

/* A stream of two rows (int4, text): (7, 'ab') and (NULL, ''). */
static void
stream(struct strbuf *s)
{
	char emsg[64];

	bincopy_put_header(s);
	bincopy_put_row_start(s, 2);
	bincopy_put_field(s, BIN_INT4, (const unsigned char *)"7", 1, emsg, sizeof(emsg));
	bincopy_put_field(s, BIN_TEXT, (const unsigned char *)"ab", 2, emsg, sizeof(emsg));
	bincopy_put_row_start(s, 2);
	bincopy_put_null(s);
	bincopy_put_field(s, BIN_TEXT, (const unsigned char *)"", 0, emsg, sizeof(emsg));
	bincopy_put_trailer(s);
}

static void
test_pg_bincopy__stream_bytes(void)
{
	static const char want[] =
		"PGCOPY\n\377\r\n\0" "\0\0\0\0" "\0\0\0\0"
		"\0\2" "\0\0\0\4" "\0\0\0\7" "\0\0\0\2" "ab"
		"\0\2" "\xff\xff\xff\xff" "\0\0\0\0"
		"\xff\xff";
	struct strbuf s = STRBUF_INIT;

	stream(&s);
	CHECK(same(&s, want, sizeof(want) - 1));
	strbuf_release(&s);
}

/* Feeds s in pieces of n bytes; returns the rows read as "7|ab;N|;". */
static int
read_in_pieces(const struct strbuf *s, size_t n, struct strbuf *got)
{
	static const enum bin_kind kinds[] = { BIN_INT4, BIN_TEXT };
	struct bin_reader br = BIN_READER_INIT;
	struct strbuf canon = STRBUF_INIT;
	size_t offs[2];
	int st = 0, trailer = 0;

	for (size_t at = 0; at < s->len && st >= 0; at += n) {
		bincopy_feed(&br, s->buf + at, at + n > s->len ? s->len - at : n);
		while ((st = bincopy_next_row(&br, 2, kinds, &canon, offs)) == 1)
			for (int i = 0; i < 2; i++) {
				if (offs[i] == SIZE_MAX)
					strbuf_addch(got, 'N');
				else
					strbuf_add(got, canon.buf + offs[i],
						   (i == 0 ? offs[1] == SIZE_MAX ? canon.len : offs[1]
						    : canon.len) - offs[i]);
				strbuf_addch(got, i ? ';' : '|');
			}
		trailer |= st == 2;
	}
	strbuf_release(&canon);
	strbuf_release(&br.bin);
	return st < 0 ? -1 : trailer;
}

static void
test_pg_bincopy__stream_read_at_every_cut(void)
{
	struct strbuf s = STRBUF_INIT;

	stream(&s);
	for (size_t n = 1; n <= s.len; n++) {
		struct strbuf got = STRBUF_INIT;

		CHECK(read_in_pieces(&s, n, &got) == 1);
		CHECK_STR(strbuf_cstr(&got), "7|ab;N|;");
		strbuf_release(&got);
	}
	strbuf_release(&s);
}

static void
test_pg_bincopy__bad_streams(void)
{
	struct strbuf s = STRBUF_INIT, got = STRBUF_INIT;

	stream(&s);
	s.buf[0] = 'X';				/* signature */
	CHECK(read_in_pieces(&s, s.len, &got) == -1);
	strbuf_reset(&s);
	stream(&s);
	s.buf[19 + 1] = 3;			/* a row of 3 fields, not 2 */
	CHECK(read_in_pieces(&s, s.len, &got) == -1);
	strbuf_reset(&s);
	stream(&s);
	s.len -= 2;				/* no trailer: never "done" */
	CHECK(read_in_pieces(&s, s.len, &got) == 0);
	strbuf_release(&s);
	strbuf_release(&got);
}

static void
test_pg_bincopy__kinds_by_catalog_type(void)
{
	CHECK(bincopy_kind_for(21, NT_INT16) == BIN_INT2);
	CHECK(bincopy_kind_for(21, NT_INT32) == BIN_NONE);
	CHECK(bincopy_kind_for(23, NT_INT16) == BIN_INT4);
	CHECK(bincopy_kind_for(20, NT_INT32) == BIN_INT8);
	CHECK(bincopy_kind_for(16, NT_BOOL) == BIN_BOOL);
	CHECK(bincopy_kind_for(700, NT_FLOAT32) == BIN_FLOAT4);
	CHECK(bincopy_kind_for(701, NT_FLOAT32) == BIN_NONE);
	CHECK(bincopy_kind_for(25, NT_TEXT) == BIN_TEXT);
	CHECK(bincopy_kind_for(1043, NT_VARCHAR) == BIN_TEXT);
	CHECK(bincopy_kind_for(1042, NT_CHAR) == BIN_TEXT);
	CHECK(bincopy_kind_for(17, NT_BYTES) == BIN_BYTES);
	CHECK(bincopy_kind_for(1700, NT_DECIMAL) == BIN_NONE);	/* numeric: text */
	CHECK(bincopy_kind_for(114, NT_JSON) == BIN_NONE);
}

int
main(void)
{
	TEST_RUN(test_pg_bincopy__integers_encode_big_endian);
	TEST_RUN(test_pg_bincopy__bool_float_text_bytes);
	TEST_RUN(test_pg_bincopy__decode_each_kind);
	TEST_RUN(test_pg_bincopy__stream_bytes);
	TEST_RUN(test_pg_bincopy__stream_read_at_every_cut);
	TEST_RUN(test_pg_bincopy__bad_streams);
	TEST_RUN(test_pg_bincopy__kinds_by_catalog_type);
	return TEST_REPORT();
}
