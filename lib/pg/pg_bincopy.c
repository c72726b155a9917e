/*
 * pg_bincopy.c - PostgreSQL's binary COPY format (the COPY page of the
 * PostgreSQL manual: a signature, flags and a header extension, then per
 * row a 16-bit field count and per field a 32-bit length, -1 for NULL,
 * and the value in the type's send format; a -1 count ends the stream),
 * to and from dbmig's canonical values. No libpq here: the codec is pure
 * so that tests/unit/t_pg_bincopy.c checks it against known bytes.
 */
#include "pg_bincopy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/banned.h"

/* Appends the decimal digits of v (the canonical form of integers). */
static void
put_decimal(struct strbuf *out, int64_t v)
{
	char d[24];
	int n = 0;
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		d[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (v < 0)
		d[n++] = '-';
	strbuf_grow(out, (size_t)n);
	while (n)
		out->buf[out->len++] = d[--n];
	out->buf[out->len] = '\0';
}

/* One binary COPY field to its canonical payload; -1 on a malformed one. */
int
bincopy_to_canon(enum bin_kind k, const unsigned char *p, uint32_t n, struct strbuf *out)
{
	static const double dnan = NAN;
	static const float fnan = NAN;

	switch (k) {
	case BIN_INT2:
		if (n != 2)
			return -1;
		put_decimal(out, (int16_t)canon_get_be(p, 2));
		return 0;
	case BIN_INT4:
		if (n != 4)
			return -1;
		put_decimal(out, (int32_t)canon_get_be(p, 4));
		return 0;
	case BIN_INT8:
		if (n != 8)
			return -1;
		put_decimal(out, (int64_t)canon_get_be(p, 8));
		return 0;
	case BIN_BOOL:
		if (n != 1)
			return -1;
		strbuf_addch(out, p[0] ? '1' : '0');
		return 0;
	case BIN_FLOAT4: {
		uint32_t bits;

		if (n != 4)
			return -1;
		bits = (uint32_t)canon_get_be(p, 4);
		/* every NaN is the one NaN the text form reads back as */
		if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu))
			memcpy(&bits, &fnan, 4);
		canon_put_be(out, bits, 4);
		return 0;
	}
	case BIN_FLOAT8: {
		uint64_t bits;

		if (n != 8)
			return -1;
		bits = canon_get_be(p, 8);
		if ((bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
		    (bits & 0x000fffffffffffffull))
			memcpy(&bits, &dnan, 8);
		canon_put_be(out, bits, 8);
		return 0;
	}
	case BIN_TEXT:
	case BIN_BYTES:
		strbuf_add(out, p, n);
		return 0;
	case BIN_NONE:
		break;
	}
	return -1;
}

/*
 * Binary COPY TO, where every column is of a type binary_plan takes: the
 * server skips its output functions and escaping, and dbmig its
 * unescaping and float parsing. The stream is parsed as bytes, whatever
 * the CopyData framing: bin holds what is not consumed yet.
 */

/* 1: a row's offsets filled; 0: need more bytes; 2: the trailer; -1: bad. */
int
bincopy_next_row(struct bin_reader *br, int ncols, const enum bin_kind *kinds,
	     struct strbuf *canon, size_t *offs)
{
	const unsigned char *p = (const unsigned char *)br->bin.buf + br->pos;
	size_t avail = br->bin.len - br->pos, at = 2;

	if (!br->header_done) {
		uint32_t ext;

		if (avail < 19)
			return 0;
		if (memcmp(p, "PGCOPY\n\377\r\n\0", 11))
			return -1;
		ext = (uint32_t)canon_get_be(p + 15, 4);
		if (avail < 19 + (size_t)ext)
			return 0;
		br->pos += 19 + ext;
		br->header_done = 1;
		return bincopy_next_row(br, ncols, kinds, canon, offs);
	}
	if (avail < 2)
		return 0;
	if (canon_get_be(p, 2) == 0xffff)
		return 2;
	if ((int)canon_get_be(p, 2) != ncols)
		return -1;
	/* first make sure the whole row is here */
	for (int i = 0; i < ncols; i++) {
		uint32_t n;

		if (avail < at + 4)
			return 0;
		n = (uint32_t)canon_get_be(p + at, 4);
		at += 4 + (n == UINT32_MAX ? 0 : n);
		if (avail < at)
			return 0;
	}
	strbuf_reset(canon);
	at = 2;
	for (int i = 0; i < ncols; i++) {
		uint32_t n = (uint32_t)canon_get_be(p + at, 4);

		at += 4;
		if (n == UINT32_MAX) {
			offs[i] = SIZE_MAX;
			continue;
		}
		offs[i] = canon->len;
		if (bincopy_to_canon(kinds[i], p + at, n, canon) < 0)
			return -1;
		at += n;
	}
	br->pos += at;
	return 1;
}

/*
 * Binary COPY, where it pays: COPY FROM parses text at about 1.3 times
 * the server CPU of binary for the same rows (measured on sysbench rows),
 * and the target's CPU is what a load waits on. A column is sent binary
 * when the canonical payload needs no more than a byte swap for its
 * target type; a table is loaded binary when all its columns are, else
 * as text. The target's own catalog decides, so --data-only loads into
 * tables made by hand get the same check.
 */
enum bin_kind
bincopy_kind_for(unsigned oid, enum ntype nt)
{
	int integer = nt == NT_INT16 || nt == NT_INT32 || nt == NT_INT64;

	switch (oid) {
	case 21: return nt == NT_INT16 ? BIN_INT2 : 0;
	case 23: return nt == NT_INT16 || nt == NT_INT32 ? BIN_INT4 : 0;
	case 20: return integer ? BIN_INT8 : 0;
	case 16: return nt == NT_BOOL || nt == NT_INT16 ? BIN_BOOL : 0;
	case 700: return nt == NT_FLOAT32 ? BIN_FLOAT4 : 0;
	case 701: return nt == NT_FLOAT64 ? BIN_FLOAT8 : 0;
	case 25: case 1043: case 1042:
		return nt == NT_CHAR || nt == NT_VARCHAR || nt == NT_TEXT ? BIN_TEXT : 0;
	case 17: return nt == NT_BYTES ? BIN_BYTES : 0;
	default: return 0;
	}
}

/* Appends one field of a binary COPY row; -1 with emsg on a bad value. */
int
bincopy_put_field(struct strbuf *out, enum bin_kind k, const unsigned char *p, size_t n,
	     char *emsg, size_t emsz)
{
	static const int64_t lim[] = { [BIN_INT2] = INT16_MAX, [BIN_INT4] = INT32_MAX,
				       [BIN_INT8] = INT64_MAX };
	static const int width[] = { [BIN_INT2] = 2, [BIN_INT4] = 4, [BIN_INT8] = 8 };

	switch (k) {
	case BIN_INT2: case BIN_INT4: case BIN_INT8: {
		uint64_t mag = 0;
		size_t i = n && p[0] == '-';
		int neg = (int)i;

		if (i == n)
			goto bad;
		for (; i < n; i++) {
			if (p[i] < '0' || p[i] > '9' || mag > (UINT64_MAX - 9) / 10)
				goto bad;
			mag = mag * 10 + (uint64_t)(p[i] - '0');
		}
		if (mag > (uint64_t)lim[k] + (uint64_t)neg)
			goto bad;
		canon_put_be(out, (uint64_t)width[k], 4);
		canon_put_be(out, neg ? (uint64_t)0 - mag : mag, width[k]);
		return 0;
	}
	case BIN_BOOL:
		if (n != 1 || (p[0] != '0' && p[0] != '1'))
			goto bad;
		canon_put_be(out, 1, 4);
		strbuf_addch(out, p[0] == '1');
		return 0;
	case BIN_FLOAT4:
	case BIN_FLOAT8:
		if (n != (k == BIN_FLOAT4 ? 4u : 8u))
			goto bad;
		/* canonical floats are the IEEE bits, big-endian: as is */
		break;
	case BIN_TEXT:
	case BIN_BYTES:
		if (n > INT32_MAX)
			goto bad;
		break;
	case BIN_NONE:
		goto bad;
	}
	canon_put_be(out, n, 4);
	strbuf_add(out, p, n);
	return 0;
bad:
	snprintf(emsg, emsz, "the value '%.*s' is out of range for the target column's type",
		 (int)(n > 40 ? 40 : n), (const char *)p);
	return -1;
}

void
bincopy_put_header(struct strbuf *out)
{
	strbuf_add(out, "PGCOPY\n\377\r\n\0", 11);
	canon_put_be(out, 0, 4);	/* flags */
	canon_put_be(out, 0, 4);	/* header extension */
}

void
bincopy_put_row_start(struct strbuf *out, int ncols)
{
	canon_put_be(out, (uint64_t)ncols, 2);
}

void
bincopy_put_null(struct strbuf *out)
{
	canon_put_be(out, UINT32_MAX, 4);	/* length -1 */
}

void
bincopy_put_trailer(struct strbuf *out)
{
	canon_put_be(out, 0xffff, 2);
}

void
bincopy_feed(struct bin_reader *br, const void *p, size_t n)
{
	if (br->pos > 0 && br->pos == br->bin.len) {
		strbuf_reset(&br->bin);
		br->pos = 0;
	} else if (br->pos > 65536) {	/* keep the buffer from creeping */
		memmove(br->bin.buf, br->bin.buf + br->pos, br->bin.len - br->pos);
		br->bin.len -= br->pos;
		br->pos = 0;
	}
	strbuf_add(&br->bin, p, n);
}
