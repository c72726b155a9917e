/*
 * binlog_rows.c - one row image of a rows event, column by column, as
 * the text the server's text protocol prints (binlog.h), so that the
 * dump's my_text_to_canon makes the same canonical values of a changed
 * row as of a dumped one. The storage formats are the server's
 * (Field::pack and the my_*_packed_from_binary functions); where the
 * text protocol prints something the storage does not hold (a CHAR's
 * trailing spaces dropped, a BINARY's NULs kept), the text wins.
 */
#include "binlog.h"
#include "binlog_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/base/banned.h"

static int64_t
sign_extend(uint64_t v, int bytes)
{
	int shift = 64 - 8 * bytes;

	return (int64_t)(v << shift) >> shift;
}

/* The bytes of a fractional second of fsp digits. */
static int
frac_bytes(int fsp)
{
	return (fsp + 1) / 2;
}

/* ".ffffff" cut to fsp digits, as the server pads a fraction. */
static void
add_fraction(struct strbuf *o, int fsp, long usec)
{
	char f[24];

	if (fsp <= 0)
		return;
	if (usec < 0 || usec > 999999)	/* a damaged value: its digits, bounded */
		usec = usec < 0 ? 0 : 999999;
	snprintf(f, sizeof(f), "%06ld", usec);
	strbuf_addch(o, '.');
	strbuf_add(o, f, (size_t)fsp);
}

static const int dig2bytes[10] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 4 };

static size_t
decimal_size(int precision, int scale)
{
	int intg = precision - scale;

	return (size_t)(intg / 9 * 4 + dig2bytes[intg % 9] + scale / 9 * 4 + dig2bytes[scale % 9]);
}

/* The server's binary DECIMAL (decimal2bin): the sign in the first
 * bit, base-10^9 groups big-endian, every byte inverted when negative;
 * printed with exactly scale digits after the point. */
static void
decimal_text(const unsigned char *src, int precision, int scale, struct strbuf *o)
{
	unsigned char b[40];
	size_t n = decimal_size(precision, scale), k = 0;
	int intg = precision - scale, neg, started = 0;
	uint32_t part;
	char d[16];

	memcpy(b, src, n);
	neg = !(b[0] & 0x80);
	b[0] ^= 0x80;
	if (neg)
		for (size_t i = 0; i < n; i++)
			b[i] = (unsigned char)~b[i];
	if (neg)
		strbuf_addch(o, '-');
	/* the integer part: a leading partial group, then whole ones */
	if (intg % 9) {
		part = (uint32_t)binlog_be(b, dig2bytes[intg % 9]);
		k += (size_t)dig2bytes[intg % 9];
		if (part) {
			strbuf_addf(o, "%" PRIu32, part);
			started = 1;
		}
	}
	for (int g = 0; g < intg / 9; g++, k += 4) {
		part = (uint32_t)binlog_be(b + k, 4);
		if (started) {
			strbuf_addf(o, "%09" PRIu32, part);
		} else if (part) {
			strbuf_addf(o, "%" PRIu32, part);
			started = 1;
		}
	}
	if (!started)
		strbuf_addch(o, '0');
	if (!scale)
		return;
	strbuf_addch(o, '.');
	for (int g = 0; g < scale / 9; g++, k += 4)
		strbuf_addf(o, "%09" PRIu32, (uint32_t)binlog_be(b + k, 4));
	if (scale % 9) {
		int digits = scale % 9;

		part = (uint32_t)binlog_be(b + k, dig2bytes[digits]);
		snprintf(d, sizeof(d), "%0*" PRIu32, digits, part);
		strbuf_add(o, d, (size_t)digits);
	}
}

/* A TIME2 of fsp digits (my_time_packed_from_binary): a signed count
 * of microseconds-in-24-bits over hours, minutes and seconds. */
static void
time2_text(const unsigned char *p, int fsp, struct strbuf *o)
{
	int64_t intpart, frac = 0, packed;
	int64_t hms;

	switch (fsp) {
	case 1: case 2:
		intpart = (int64_t)binlog_be(p, 3) - 0x800000;
		frac = (signed char)p[3];
		if (intpart < 0 && frac) {
			intpart++;
			frac -= 0x100;
		}
		packed = intpart * (1 << 24) + frac * 10000;
		break;
	case 3: case 4:
		intpart = (int64_t)binlog_be(p, 3) - 0x800000;
		frac = sign_extend(binlog_be(p + 3, 2), 2);
		if (intpart < 0 && frac) {
			intpart++;
			frac -= 0x10000;
		}
		packed = intpart * (1 << 24) + frac * 100;
		break;
	case 5: case 6:
		packed = (int64_t)binlog_be(p, 6) - 0x800000000000LL;
		break;
	default:
		packed = ((int64_t)binlog_be(p, 3) - 0x800000) * (1 << 24);
	}
	if (packed < 0) {
		strbuf_addch(o, '-');
		packed = -packed;
	}
	hms = packed >> 24;
	strbuf_addf(o, "%02d:%02d:%02d", (int)((hms >> 12) % (1 << 10)), (int)((hms >> 6) % 64),
		    (int)(hms % 64));
	add_fraction(o, fsp, (long)(packed % (1 << 24)));
}

static long
frac_usec(const unsigned char *p, int fsp)
{
	switch (fsp) {
	case 1: case 2: return (long)p[0] * 10000;
	case 3: case 4: return (long)binlog_be(p, 2) * 100;
	case 5: case 6: return (long)binlog_be(p, 3);
	default: return 0;
	}
}

static void
datetime2_text(const unsigned char *p, int fsp, struct strbuf *o)
{
	int64_t intpart = (int64_t)binlog_be(p, 5) - 0x8000000000LL;
	int64_t ymd = intpart >> 17, ym = ymd >> 5, hms = intpart % (1 << 17);

	strbuf_addf(o, "%04d-%02d-%02d %02d:%02d:%02d", (int)(ym / 13), (int)(ym % 13),
		    (int)(ymd % (1 << 5)), (int)(hms >> 12), (int)((hms >> 6) % (1 << 6)),
		    (int)(hms % (1 << 6)));
	add_fraction(o, fsp, frac_usec(p + 5, fsp));
}

static void
epoch_text(uint64_t secs, int fsp, long usec, struct strbuf *o)
{
	struct tm tm;
	time_t t = (time_t)secs;

	if (!secs && !usec) {	/* the zero TIMESTAMP */
		strbuf_addstr(o, "0000-00-00 00:00:00");
		add_fraction(o, fsp, 0);
		return;
	}
	gmtime_r(&t, &tm);
	strbuf_addf(o, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	add_fraction(o, fsp, usec);
}

/* The shortest text strtod reads back as v: what a double's canonical
 * payload needs (its bits, not the server's spelling). */
static void
double_text(double v, struct strbuf *o)
{
	char b[40];

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(b, sizeof(b), "%.*g", prec, v);
		if (strtod(b, NULL) == v)
			break;
	}
	strbuf_addstr(o, b);
}

/* Character data of column k: its character set to UTF-8. */
static int
chars_text(const struct binlog_column *c, const struct binlog_col_hint *h,
	   const unsigned char *p, size_t n, struct strbuf *o, char *emsg, size_t emsz)
{
	const char *cs = h && h->charset ? h->charset : c->charset == 63 ? "binary" : NULL;

	if (!cs || !strcmp(cs, "binary")) {
		strbuf_add(o, p, n);
		return 0;
	}
	return binlog_to_utf8(cs, p, n, o, emsg, emsz);
}

/* The length prefix of n bytes at *p; the data after it must fit. */
static int
prefixed(const unsigned char **p, const unsigned char *end, int n, size_t *len)
{
	if (end - *p < n)
		return -1;
	*len = (size_t)binlog_le(*p, n);
	*p += n;
	return (size_t)(end - *p) < *len ? -1 : 0;
}

static int
column_text(const struct binlog_table_map *tm, int k, const struct binlog_col_hint *h,
	    const unsigned char **pp, const unsigned char *end, struct strbuf *o, char *emsg,
	    size_t emsz)
{
	const struct binlog_column *c = &tm->cols[k];
	const unsigned char *p = *pp;
	int is_unsigned = h && h->is_unsigned >= 0 ? h->is_unsigned : c->is_unsigned > 0;
	size_t need = 0, len;
	int ibytes = 0;

	switch (c->type) {
	case BT_TINY: ibytes = 1; break;
	case BT_SHORT: ibytes = 2; break;
	case BT_INT24: ibytes = 3; break;
	case BT_LONG: ibytes = 4; break;
	case BT_LONGLONG: ibytes = 8; break;
	default: break;
	}
	if (ibytes) {
		uint64_t v;

		if (end - p < ibytes)
			goto short_row;
		v = binlog_le(p, ibytes);
		if (is_unsigned)
			strbuf_addf(o, "%" PRIu64, v);
		else
			strbuf_addf(o, "%" PRId64, sign_extend(v, ibytes));
		*pp = p + ibytes;
		return 0;
	}
	switch (c->type) {
	case BT_FLOAT: {
		float f;
		uint32_t bits;

		if (end - p < 4)
			goto short_row;
		bits = (uint32_t)binlog_le(p, 4);
		memcpy(&f, &bits, 4);
		double_text((double)f, o);
		need = 4;
		break;
	}
	case BT_DOUBLE: {
		double d;
		uint64_t bits;

		if (end - p < 8)
			goto short_row;
		bits = binlog_le(p, 8);
		memcpy(&d, &bits, 8);
		double_text(d, o);
		need = 8;
		break;
	}
	case BT_NEWDECIMAL:
		need = decimal_size(c->precision, c->scale);
		if ((size_t)(end - p) < need)
			goto short_row;
		decimal_text(p, c->precision, c->scale, o);
		break;
	case BT_YEAR:
		if (end - p < 1)
			goto short_row;
		if (p[0])
			strbuf_addf(o, "%04d", 1900 + p[0]);
		else
			strbuf_addstr(o, "0000");
		need = 1;
		break;
	case BT_DATE: case BT_NEWDATE: {
		uint32_t v;

		if (end - p < 3)
			goto short_row;
		v = (uint32_t)binlog_le(p, 3);
		strbuf_addf(o, "%04u-%02u-%02u", v >> 9, (v >> 5) & 15, v & 31);
		need = 3;
		break;
	}
	case BT_TIME: {		/* before 5.6: [-]HHMMSS as an integer */
		int64_t v;

		if (end - p < 3)
			goto short_row;
		v = sign_extend(binlog_le(p, 3), 3);
		if (v < 0) {
			strbuf_addch(o, '-');
			v = -v;
		}
		strbuf_addf(o, "%02d:%02d:%02d", (int)(v / 10000), (int)(v / 100 % 100),
			    (int)(v % 100));
		need = 3;
		break;
	}
	case BT_DATETIME: {	/* before 5.6: YYYYMMDDHHMMSS as an integer */
		uint64_t v, d, t;

		if (end - p < 8)
			goto short_row;
		v = binlog_le(p, 8);
		d = v / 1000000;
		t = v % 1000000;
		strbuf_addf(o, "%04d-%02d-%02d %02d:%02d:%02d", (int)(d / 10000),
			    (int)(d / 100 % 100), (int)(d % 100), (int)(t / 10000),
			    (int)(t / 100 % 100), (int)(t % 100));
		need = 8;
		break;
	}
	case BT_TIMESTAMP:
		if (end - p < 4)
			goto short_row;
		epoch_text(binlog_le(p, 4), 0, 0, o);
		need = 4;
		break;
	case BT_TIMESTAMP2:
		need = 4 + (size_t)frac_bytes(c->fsp);
		if ((size_t)(end - p) < need)
			goto short_row;
		epoch_text(binlog_be(p, 4), c->fsp, frac_usec(p + 4, c->fsp), o);
		break;
	case BT_DATETIME2:
		need = 5 + (size_t)frac_bytes(c->fsp);
		if ((size_t)(end - p) < need)
			goto short_row;
		datetime2_text(p, c->fsp, o);
		break;
	case BT_TIME2:
		need = 3 + (size_t)frac_bytes(c->fsp);
		if ((size_t)(end - p) < need)
			goto short_row;
		time2_text(p, c->fsp, o);
		break;
	case BT_BIT: {
		int bits = c->length, bytes = (bits + 7) / 8;
		uint64_t v;

		if (end - p < bytes)
			goto short_row;
		v = binlog_be(p, bytes);
		for (int i = bits - 1; i >= 0; i--)
			strbuf_addch(o, (v >> i) & 1 ? '1' : '0');
		need = (size_t)bytes;
		break;
	}
	case BT_ENUM: {
		uint64_t v;
		int n = h && !c->labels ? h->nlabels : c->nlabels;
		const char *const *labels = c->labels ? (const char *const *)c->labels
				      : h ? h->labels : NULL;

		if (end - p < c->length)
			goto short_row;
		v = binlog_le(p, c->length);
		need = (size_t)c->length;
		if (v == 0)
			break;		/* the empty string of an invalid value */
		if (!labels || v > (uint64_t)n)
			return binlog_fail(emsg, emsz, "column %d: ENUM value %" PRIu64 " beyond the %d "
				    "members known (the column changed since the schema was "
				    "read?)", k + 1, v, n < 0 ? 0 : n);
		strbuf_addstr(o, labels[v - 1]);
		break;
	}
	case BT_SET: {
		uint64_t v;
		int n = h && !c->labels ? h->nlabels : c->nlabels, first = 1;
		const char *const *labels = c->labels ? (const char *const *)c->labels
				      : h ? h->labels : NULL;

		if (end - p < c->length)
			goto short_row;
		v = binlog_le(p, c->length);
		need = (size_t)c->length;
		for (int i = 0; i < 64 && v; i++, v >>= 1) {
			if (!(v & 1))
				continue;
			if (!labels || i >= n)
				return binlog_fail(emsg, emsz, "column %d: SET member %d beyond the %d "
					    "members known", k + 1, i + 1, n < 0 ? 0 : n);
			if (!first)
				strbuf_addch(o, ',');
			strbuf_addstr(o, labels[i]);
			first = 0;
		}
		break;
	}
	case BT_STRING: {
		size_t from = o->len;

		if (prefixed(&p, end, c->length > 255 ? 2 : 1, &len) < 0)
			goto short_row;
		if (h && h->binary_len) {
			/* BINARY(n): stored without its NUL padding, printed with it */
			strbuf_add(o, p, len);
			while (o->len - from < (size_t)h->binary_len)
				strbuf_addch(o, '\0');
		} else {
			if (chars_text(c, h, p, len, o, emsg, emsz) < 0)
				return -1;
			/* CHAR: stored padded, printed without trailing spaces */
			while (o->len > from && o->buf[o->len - 1] == ' ')
				o->len--;
			o->buf[o->len] = '\0';
		}
		*pp = p + len;
		return 0;
	}
	case BT_VARCHAR: case BT_VAR_STRING:
		if (prefixed(&p, end, c->length > 255 ? 2 : 1, &len) < 0)
			goto short_row;
		if (chars_text(c, h, p, len, o, emsg, emsz) < 0)
			return -1;
		*pp = p + len;
		return 0;
	case BT_BLOB: case BT_TINY_BLOB: case BT_MEDIUM_BLOB: case BT_LONG_BLOB:
		if (prefixed(&p, end, c->length, &len) < 0)
			goto short_row;
		if (chars_text(c, h, p, len, o, emsg, emsz) < 0)
			return -1;
		*pp = p + len;
		return 0;
	case BT_JSON:
		if (prefixed(&p, end, c->length, &len) < 0)
			goto short_row;
		if (len == 0)
			strbuf_addstr(o, "null");	/* MySQL logs an empty JSON as nothing */
		else if (binlog_json_text(p, len, o, emsg, emsz) < 0)
			return -1;
		*pp = p + len;
		return 0;
	case BT_GEOMETRY:
		/* the SRID, then the WKB that ST_AsWKB prints */
		if (prefixed(&p, end, c->length, &len) < 0 || len < 4)
			goto short_row;
		strbuf_add(o, p + 4, len - 4);
		*pp = p + len;
		return 0;
	case BT_NULL:
		return 0;
	default:
		return binlog_fail(emsg, emsz, "column %d has binlog type %u, which dbmig does not read",
			    k + 1, c->type);
	}
	*pp = p + need;
	return 0;
short_row:
	return binlog_fail(emsg, emsz, "column %d (binlog type %u): the row image is cut short", k + 1,
		    c->type);
}

int
binlog_row_image(const struct binlog_table_map *tm, const struct binlog_col_hint *hints,
		 const unsigned char *present, const unsigned char **p, const unsigned char *end,
		 struct binlog_cell *cells, struct strbuf *store, char *emsg, size_t emsz)
{
	const unsigned char *nulls;
	int npresent = 0, i = 0;

	for (int k = 0; k < tm->ncols; k++)
		npresent += (present[k / 8] >> (k % 8)) & 1;
	if ((size_t)(end - *p) < (size_t)(npresent + 7) / 8)
		return binlog_fail(emsg, emsz, "a row image of %s.%s is cut short before its NULL bitmap",
			    tm->db, tm->table);
	nulls = *p;
	*p += (npresent + 7) / 8;
	for (int k = 0; k < tm->ncols; k++) {
		struct binlog_cell *cell = &cells[k];

		memset(cell, 0, sizeof(*cell));
		if (!((present[k / 8] >> (k % 8)) & 1))
			continue;
		cell->present = 1;
		if ((nulls[i / 8] >> (i % 8)) & 1) {
			cell->isnull = 1;
		} else {
			cell->off = store->len;
			if (column_text(tm, k, hints ? &hints[k] : NULL, p, end, store, emsg,
					emsz) < 0) {
				size_t l = strlen(emsg);

				snprintf(emsg + l, emsz > l ? emsz - l : 0, " (%s.%s)", tm->db,
					 tm->table);
				return -1;
			}
			cell->len = store->len - cell->off;
		}
		i++;
	}
	return 0;
}
