/*
 * binlog_json.c - MySQL 8's binary JSON (a JSON column in a row image)
 * printed as MySQL prints a JSON value: `{"a": 1, "b": [true, null]}`,
 * keys in their stored order. The layout is MySQL's documented one
 * (sql-common/json_binary.h): a type byte, then objects and arrays as an
 * element count, a size, key and value entries with offsets from the
 * start of the container, small (16-bit) or large (32-bit). MariaDB
 * stores JSON as text and never comes here.
 */
#include "binlog.h"
#include "binlog_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

enum {
	JB_SMALL_OBJECT = 0, JB_LARGE_OBJECT, JB_SMALL_ARRAY, JB_LARGE_ARRAY, JB_LITERAL,
	JB_INT16, JB_UINT16, JB_INT32, JB_UINT32, JB_INT64, JB_UINT64, JB_DOUBLE, JB_STRING,
	JB_OPAQUE = 15,
};

#define JB_MAX_DEPTH 100

struct jb {
	struct strbuf *o;
	char *emsg;
	size_t emsz;
};

static int
bad(struct jb *j, const char *what)
{
	snprintf(j->emsg, j->emsz, "binary JSON: %s", what);
	return -1;
}

/* A length of 7 bits a byte, low first, at most 5 bytes. */
static int
varlen(const unsigned char **p, const unsigned char *end, size_t *len)
{
	uint64_t v = 0;

	for (int i = 0; i < 5; i++) {
		if (*p >= end)
			return -1;
		v |= (uint64_t)(**p & 0x7f) << (7 * i);
		if (!(*(*p)++ & 0x80)) {
			*len = (size_t)v;
			return v > (uint64_t)(end - *p) ? -1 : 0;
		}
	}
	return -1;
}

static void
quoted(struct strbuf *o, const unsigned char *s, size_t n)
{
	strbuf_addch(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"': strbuf_addstr(o, "\\\""); break;
		case '\\': strbuf_addstr(o, "\\\\"); break;
		case '\b': strbuf_addstr(o, "\\b"); break;
		case '\f': strbuf_addstr(o, "\\f"); break;
		case '\n': strbuf_addstr(o, "\\n"); break;
		case '\r': strbuf_addstr(o, "\\r"); break;
		case '\t': strbuf_addstr(o, "\\t"); break;
		default:
			if (c < 0x20)
				strbuf_addf(o, "\\u%04x", c);
			else
				strbuf_addch(o, (char)c);
		}
	}
	strbuf_addch(o, '"');
}

/* A double as MySQL's my_gcvt prints it in JSON: the shortest digits
 * that read back, an exponent without '+' or leading zeros, and ".0"
 * after a whole number. */
static void
json_double(struct strbuf *o, double d)
{
	char b[48], out[48], *e;
	size_t k = 0;

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(b, sizeof(b), "%.*g", prec, d);
		if (strtod(b, NULL) == d)
			break;
	}
	if ((e = strchr(b, 'e'))) {
		char *q = e + 1;

		memcpy(out, b, (size_t)(e - b) + 1);
		k = (size_t)(e - b) + 1;
		if (*q == '-')
			out[k++] = *q++;
		else if (*q == '+')
			q++;
		while (*q == '0' && q[1])
			q++;
		while (*q)
			out[k++] = *q++;
		out[k] = '\0';
		strbuf_addstr(o, out);
		return;
	}
	strbuf_addstr(o, b);
	if (!strchr(b, '.') && !strchr(b, 'n') && !strchr(b, 'i'))
		strbuf_addstr(o, ".0");
}

static const int dig2bytes[10] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 4 };

/* A packed temporal (TIME_to_longlong_*_packed) as MySQL prints it in
 * JSON: six fractional digits. */
static void
packed_temporal(struct strbuf *o, uint8_t type, int64_t packed)
{
	int neg = packed < 0;
	uint64_t v = (uint64_t)(neg ? -packed : packed);
	uint64_t frac = v % (1 << 24), ymdhms = v >> 24, ymd = ymdhms >> 17, ym = ymd >> 5;
	uint64_t hms = ymdhms % (1 << 17);

	strbuf_addch(o, '"');
	if (type == BT_TIME || type == BT_TIME2) {
		hms = ymdhms;
		strbuf_addf(o, "%s%02d:%02d:%02d.%06d", neg ? "-" : "",
			    (int)((hms >> 12) % (1 << 10)), (int)((hms >> 6) % 64), (int)(hms % 64),
			    (int)frac);
	} else if (type == BT_DATE || type == BT_NEWDATE) {
		strbuf_addf(o, "%04d-%02d-%02d", (int)(ym / 13), (int)(ym % 13), (int)(ymd % 32));
	} else {
		strbuf_addf(o, "%04d-%02d-%02d %02d:%02d:%02d.%06d", (int)(ym / 13), (int)(ym % 13),
			    (int)(ymd % 32), (int)(hms >> 12), (int)((hms >> 6) % 64),
			    (int)(hms % 64), (int)frac);
	}
	strbuf_addch(o, '"');
}

static void
base64(struct strbuf *o, const unsigned char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		strbuf_addch(o, a[v >> 18]);
		strbuf_addch(o, a[(v >> 12) & 63]);
		strbuf_addch(o, i + 1 < n ? a[(v >> 6) & 63] : '=');
		strbuf_addch(o, i + 2 < n ? a[v & 63] : '=');
	}
}

static int
opaque(struct jb *j, const unsigned char *p, const unsigned char *end)
{
	uint8_t ftype;
	size_t len;

	if (p >= end)
		return bad(j, "an opaque value is cut short");
	ftype = *p++;
	if (varlen(&p, end, &len) < 0)
		return bad(j, "an opaque value's length runs past the value");
	switch (ftype) {
	case BT_DATE: case BT_NEWDATE: case BT_TIME: case BT_TIME2: case BT_DATETIME:
	case BT_DATETIME2: case BT_TIMESTAMP: case BT_TIMESTAMP2:
		if (len < 8)
			return bad(j, "a temporal value is cut short");
		packed_temporal(j->o, ftype, (int64_t)binlog_le(p, 8));
		return 0;
	case BT_NEWDECIMAL: {
		int prec, scale, intg;
		size_t need;
		struct strbuf dec = STRBUF_INIT;
		unsigned char img[64];

		if (len < 2)
			return bad(j, "a decimal is cut short");
		prec = p[0];
		scale = p[1];
		intg = prec - scale;
		if (prec < 1 || prec > 65 || scale > prec || scale > 30)
			return bad(j, "a decimal of impossible precision");
		need = (size_t)(intg / 9 * 4 + dig2bytes[intg % 9] + scale / 9 * 4 +
				dig2bytes[scale % 9]);
		if (len - 2 < need || need > sizeof(img))
			return bad(j, "a decimal is cut short");
		/* one NEWDECIMAL column of that precision: the row decoder's */
		{
			struct binlog_column col = { .type = BT_NEWDECIMAL, .precision = prec,
						     .scale = scale };
			struct binlog_table_map tm = { .ncols = 1, .cols = &col };
			struct binlog_cell cell;
			const unsigned char present = 1;
			const unsigned char *q;
			char msg[128];

			img[0] = 0;	/* no NULLs */
			memcpy(img + 1, p + 2, need);
			q = img;
			if (binlog_row_image(&tm, NULL, &present, &q, img + 1 + need, &cell, &dec,
					     msg, sizeof(msg)) < 0) {
				strbuf_release(&dec);
				return bad(j, "a decimal that does not decode");
			}
		}
		strbuf_add(j->o, dec.buf, dec.len);
		strbuf_release(&dec);
		return 0;
	}
	default:
		strbuf_addf(j->o, "\"base64:type%u:", ftype);
		base64(j->o, p, len);
		strbuf_addch(j->o, '"');
		return 0;
	}
}

static int value(struct jb *j, uint8_t type, const unsigned char *p, const unsigned char *end,
		 int depth);

static int
container(struct jb *j, uint8_t type, const unsigned char *p, const unsigned char *end,
	  int depth)
{
	int large = type == JB_LARGE_OBJECT || type == JB_LARGE_ARRAY;
	int object = type == JB_SMALL_OBJECT || type == JB_LARGE_OBJECT;
	int w = large ? 4 : 2;
	size_t avail = (size_t)(end - p), count, size, ventry = 1 + (size_t)w;
	size_t header;

	if (depth > JB_MAX_DEPTH)
		return bad(j, "nested too deep");
	if (avail < 2 * (size_t)w)
		return bad(j, "a container is cut short");
	count = (size_t)binlog_le(p, w);
	size = (size_t)binlog_le(p + w, w);
	if (size > avail || size < 2 * (size_t)w)
		return bad(j, "a container's size runs past the value");
	end = p + size;
	header = 2 * (size_t)w + count * ((object ? (size_t)w + 2 : 0) + ventry);
	if (count > size || header > size)
		return bad(j, "a container's entries run past it");
	strbuf_addch(j->o, object ? '{' : '[');
	for (size_t i = 0; i < count; i++) {
		const unsigned char *ve = p + 2 * w + (object ? count * ((size_t)w + 2) : 0) +
					  i * ventry;
		uint8_t vt = ve[0];
		int inlined;

		if (i)
			strbuf_addstr(j->o, ", ");
		if (object) {
			const unsigned char *ke = p + 2 * w + i * ((size_t)w + 2);
			size_t koff = (size_t)binlog_le(ke, w), klen = (size_t)binlog_le(ke + w, 2);

			if (koff > size || klen > size - koff)
				return bad(j, "a key runs past its object");
			quoted(j->o, p + koff, klen);
			strbuf_addstr(j->o, ": ");
		}
		inlined = vt == JB_LITERAL || vt == JB_INT16 || vt == JB_UINT16 ||
			  (large && (vt == JB_INT32 || vt == JB_UINT32));
		if (inlined) {
			if (value(j, vt, ve + 1, ve + 1 + w, depth + 1) < 0)
				return -1;
		} else {
			size_t off = (size_t)binlog_le(ve + 1, w);

			if (off >= size)
				return bad(j, "a value runs past its container");
			if (value(j, vt, p + off, end, depth + 1) < 0)
				return -1;
		}
	}
	strbuf_addch(j->o, object ? '}' : ']');
	return 0;
}

static int
value(struct jb *j, uint8_t type, const unsigned char *p, const unsigned char *end, int depth)
{
	size_t avail = (size_t)(end - p), len;
	static const int width[] = { [JB_INT16] = 2, [JB_UINT16] = 2, [JB_INT32] = 4,
				     [JB_UINT32] = 4, [JB_INT64] = 8, [JB_UINT64] = 8,
				     [JB_DOUBLE] = 8 };

	switch (type) {
	case JB_SMALL_OBJECT: case JB_LARGE_OBJECT: case JB_SMALL_ARRAY: case JB_LARGE_ARRAY:
		return container(j, type, p, end, depth);
	case JB_LITERAL:
		if (avail < 1)
			return bad(j, "a literal is cut short");
		if (p[0] > 2)
			return bad(j, "an unknown literal");
		strbuf_addstr(j->o, p[0] == 0 ? "null" : p[0] == 1 ? "true" : "false");
		return 0;
	case JB_INT16: case JB_UINT16: case JB_INT32: case JB_UINT32: case JB_INT64:
	case JB_UINT64: case JB_DOUBLE: {
		int n = width[type];
		uint64_t v;

		if (avail < (size_t)n)
			return bad(j, "a number is cut short");
		v = binlog_le(p, n);
		if (type == JB_DOUBLE) {
			double d;

			memcpy(&d, &v, 8);
			json_double(j->o, d);
		} else if (type == JB_UINT16 || type == JB_UINT32 || type == JB_UINT64) {
			strbuf_addf(j->o, "%" PRIu64, v);
		} else {
			int shift = 64 - 8 * n;

			strbuf_addf(j->o, "%" PRId64, (int64_t)(v << shift) >> shift);
		}
		return 0;
	}
	case JB_STRING:
		if (varlen(&p, end, &len) < 0)
			return bad(j, "a string's length runs past the value");
		quoted(j->o, p, len);
		return 0;
	case JB_OPAQUE:
		return opaque(j, p, end);
	default:
		return bad(j, "an unknown value type");
	}
}

int
binlog_json_text(const unsigned char *p, size_t n, struct strbuf *out, char *emsg, size_t emsz)
{
	struct jb j = { out, emsg, emsz };

	if (n < 1)
		return bad(&j, "an empty value");
	return value(&j, p[0], p + 1, p + n, 0);
}
