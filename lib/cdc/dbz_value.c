/*
 * dbz_value.c - one value in the form Debezium's PostgreSQL connector
 * gives its type (see cdc_debezium.c for where each form comes from):
 * from the canonical payload, by neutral type, in the handling modes
 * chosen; and the placeholder of a value the source did not send.
 */
#include "dbz_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/floatfmt.h"
#include "lib/base/jsonw.h"
#include "lib/base/md5.h"
#include "lib/base/banned.h"

/* org.postgresql.PGStatement's DATE_POSITIVE_INFINITY and
 * DATE_NEGATIVE_INFINITY: the connector's infinite timestamps */
#define PG_TS_PINF 9223372036825200000LL
#define PG_TS_NINF (-9223372036832400000LL)

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

struct civil {
	int64_t year;		/* astronomical: 1 BC is 0 */
	unsigned month, day, hour, minute, second;
	long micros;
	int digits;		/* fraction digits written */
	int inf;		/* 1 infinity, -1 -infinity */
};

/* "YYYY-MM-DD[ HH:MM:SS[.f]][ BC]", "infinity", "-infinity": 0, or -1. */
static int
parse_civil(const char *p, size_t n, struct civil *c)
{
	char buf[64];
	char *e;
	const char *q;

	memset(c, 0, sizeof(*c));
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (!strcmp(buf, "infinity") || !strcmp(buf, "-infinity")) {
		c->inf = buf[0] == '-' ? -1 : 1;
		return 0;
	}
	c->year = strtoll(buf, &e, 10);
	if (*e != '-')
		return -1;
	c->month = (unsigned)strtoul(e + 1, &e, 10);
	if (*e != '-')
		return -1;
	c->day = (unsigned)strtoul(e + 1, &e, 10);
	if (*e == ' ' && e[1] >= '0' && e[1] <= '9') {
		c->hour = (unsigned)strtoul(e + 1, &e, 10);
		if (*e != ':')
			return -1;
		c->minute = (unsigned)strtoul(e + 1, &e, 10);
		if (*e != ':')
			return -1;
		c->second = (unsigned)strtoul(e + 1, &e, 10);
		if (*e == '.') {
			long scale = 100000;

			for (q = e + 1; *q >= '0' && *q <= '9'; q++, c->digits++) {
				c->micros += (*q - '0') * scale;
				scale /= 10;
			}
			e = (char *)q;
		}
	}
	if (!strcmp(e, " BC"))
		c->year = 1 - c->year;
	else if (*e)
		return -1;
	return 0;
}

/* "[-]HH:MM:SS[.f]" as microseconds after midnight: 0, or -1. */
static int
parse_time(const char *p, size_t n, int64_t *us)
{
	char buf[40];
	struct civil c;
	int r;

	if (n + 11 >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "1970-01-01 %.*s", (int)n, p);
	if ((r = parse_civil(buf, strlen(buf), &c)) < 0 || c.inf)
		return -1;
	*us = ((int64_t)c.hour * 3600 + c.minute * 60 + c.second) * 1000000 + c.micros;
	return 0;
}

/* A MySQL TIME, which may be negative or beyond a day ("-838:59:59.5"),
 * as microseconds, as Debezium's MySQL connector reads it. */
static int
parse_signed_time(const char *p, size_t n, int64_t *us)
{
	int64_t h = 0, m = 0, s = 0, f = 0, scale = 100000;
	size_t i = 0;
	int neg = 0, digits = 0;

	if (i < n && p[i] == '-')
		neg = 1, i++;
	for (; i < n && p[i] >= '0' && p[i] <= '9' && digits < 4; i++, digits++)
		h = h * 10 + (p[i] - '0');
	if (!digits || i + 6 > n || p[i] != ':' || p[i + 3] != ':')
		return -1;
	m = (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
	s = (p[i + 4] - '0') * 10 + (p[i + 5] - '0');
	i += 6;
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9' && scale; i++, scale /= 10)
			f += (p[i] - '0') * scale;
	if (i != n || m > 59 || s > 59)
		return -1;
	*us = ((h * 3600 + m * 60 + s) * 1000000 + f) * (neg ? -1 : 1);
	return 0;
}

static int64_t
civil_micros(const struct civil *c)
{
	int64_t days = days_from_civil(c->year, c->month, c->day);

	return (days * 86400 + (int64_t)c->hour * 3600 + c->minute * 60 + c->second) * 1000000 +
	       c->micros;
}

int64_t
dbz_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* an infinite date or timestamp as an ISO string: 1, or 0 */
static int
iso_infinity(struct strbuf *out, const struct civil *c)
{
	if (c->inf)
		strbuf_addstr(out, c->inf > 0 ? "\"infinity\"" : "\"-infinity\"");
	return c->inf != 0;
}

/* Java's ISO year: at least 4 digits, a sign beyond 9999 or before 0 */
static void
iso_date(struct strbuf *out, const struct civil *c)
{
	if (c->year > 9999)
		strbuf_addf(out, "+%" PRId64, c->year);
	else if (c->year < 0)
		strbuf_addf(out, "-%04" PRId64, -c->year);
	else
		strbuf_addf(out, "%04" PRId64, c->year);
	strbuf_addf(out, "-%02u-%02u", c->month, c->day);
}

/* width: fraction digits always written (ZonedTimestamp's width), or 0
 * for as many as it needs (none when zero) */
static void
iso_clock(struct strbuf *out, const struct civil *c, int width)
{
	strbuf_addf(out, "%02u:%02u:%02u", c->hour, c->minute, c->second);
	if (width > 0) {
		char f[8];

		snprintf(f, sizeof(f), "%06ld", c->micros);
		strbuf_addf(out, ".%.*s", width > 6 ? 6 : width, f);
		for (int i = 6; i < width && i < 9; i++)
			strbuf_addch(out, '0');
	} else if (c->micros) {
		char f[8];
		int len = 6;

		snprintf(f, sizeof(f), "%06ld", c->micros);
		while (len > 1 && f[len - 1] == '0')
			len--;
		/* Java prints groups of three */
		len = len <= 3 ? 3 : 6;
		strbuf_addf(out, ".%.*s", len, f);
	}
}

/* An ISO 8601 string in UTC: the date, with clock the time (width as
 * iso_clock's), or infinity */
static void
iso_value(struct strbuf *out, const struct civil *c, int clock, int width)
{
	if (iso_infinity(out, c))
		return;
	strbuf_addch(out, '"');
	iso_date(out, c);
	if (clock) {
		strbuf_addch(out, 'T');
		iso_clock(out, c, width);
	}
	strbuf_addstr(out, "Z\"");
}

static void
base64(struct strbuf *out, const unsigned char *p, size_t n, int url_safe)
{
	static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *a = url_safe ? url : std;

	strbuf_addch(out, '"');
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		strbuf_addch(out, a[v >> 18 & 63]);
		strbuf_addch(out, a[v >> 12 & 63]);
		strbuf_addch(out, i + 1 < n ? a[v >> 6 & 63] : '=');
		strbuf_addch(out, i + 2 < n ? a[v & 63] : '=');
	}
	strbuf_addch(out, '"');
}

/* bytes as the JSON converter writes a BYTES value (base64), or in the
 * binary handling mode's string form */
void
dbz_bytes_value(const struct dbz_opts *o, struct strbuf *out, const unsigned char *p, size_t n,
	    int column_bytes)
{
	if (!column_bytes || o->binary == DBZ_BINARY_BYTES || o->binary == DBZ_BINARY_BASE64) {
		base64(out, p, n, 0);
	} else if (o->binary == DBZ_BINARY_BASE64_URL_SAFE) {
		base64(out, p, n, 1);
	} else {
		strbuf_addch(out, '"');
		for (size_t i = 0; i < n; i++)
			strbuf_addf(out, "%02x", p[i]);
		strbuf_addch(out, '"');
	}
}

/* A decimal's digits (sign, point removed) as the minimal big-endian
 * two's complement bytes Java's BigInteger.toByteArray() gives. */
static void
unscaled_bytes(const char *digits, size_t n, int neg, struct strbuf *b)
{
	unsigned char mag[64] = { 0 };	/* 131072 digits fit in far more;
					 * numeric(1000) needs 416 bytes */
	unsigned char *m = mag;
	size_t cap = sizeof(mag), len;
	unsigned char *big = NULL;

	if (n > 150) {
		cap = n / 2 + 2;
		big = xcalloc(1, cap);
		m = big;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned carry = (unsigned)(digits[i] - '0');

		for (size_t k = cap; k-- > 0;) {
			unsigned v = m[k] * 10u + carry;

			m[k] = (unsigned char)v;
			carry = v >> 8;
		}
	}
	if (neg) {
		unsigned carry = 1;

		for (size_t k = cap; k-- > 0;) {
			unsigned v = (unsigned)(unsigned char)~m[k] + carry;

			m[k] = (unsigned char)v;
			carry = v >> 8;
		}
	}
	/* drop leading bytes that only repeat the sign */
	len = cap;
	while (len > 1 && ((m[cap - len] == 0 && !(m[cap - len + 1] & 0x80)) ||
			   (m[cap - len] == 0xff && (m[cap - len + 1] & 0x80))))
		len--;
	strbuf_add(b, m + cap - len, len);
	free(big);
}

static int
decimal_value(const struct dbz_opts *o, struct strbuf *out, const struct ntype_desc *d,
	      const struct value *v)
{
	struct strbuf digits = STRBUF_INIT, raw = STRBUF_INIT;
	const char *p = (const char *)v->p;
	size_t n = v->len;
	int neg = n && p[0] == '-', scale = 0, seen_point = 0;

	if (!n || (p[0] != '-' && (p[0] < '0' || p[0] > '9')) ||
	    (n > 1 && p[0] == '-' && (p[1] < '0' || p[1] > '9'))) {
		/* NaN, Infinity, -Infinity: no Decimal holds them; as a
		 * double Jackson quotes them; as a string, the names of
		 * Debezium's SpecialValueDecimal */
		if (o->decimal == DBZ_DECIMAL_PRECISE)
			strbuf_addstr(out, "null");
		else if (o->decimal == DBZ_DECIMAL_DOUBLE)
			jsonw_text(out, p, n);
		else
			strbuf_addstr(out, p[0] == 'N' ? "\"NAN\"" : p[0] == '-' ?
				      "\"NEGATIVE_INFINITY\"" : "\"POSITIVE_INFINITY\"");
		return 0;
	}
	if (o->decimal == DBZ_DECIMAL_STRING) {
		jsonw_text(out, p, n);
		return 0;
	}
	if (o->decimal == DBZ_DECIMAL_DOUBLE) {
		char buf[40], tmp[64];

		snprintf(tmp, sizeof(tmp), "%.*s", (int)(n < 63 ? n : 63), p);
		float_shortest(buf, sizeof(buf), strtod(tmp, NULL), 0);
		strbuf_addstr(out, buf);
		return 0;
	}
	for (size_t i = neg; i < n; i++) {
		if (p[i] == '.')
			seen_point = 1;
		else {
			strbuf_addch(&digits, p[i]);
			scale += seen_point;
		}
	}
	unscaled_bytes(digits.buf, digits.len, neg, &raw);
	if (d->scale >= 0) {
		dbz_bytes_value(o, out, (const unsigned char *)raw.buf, raw.len, 0);
	} else {
		strbuf_addf(out, "{\"scale\":%d,\"value\":", scale);
		dbz_bytes_value(o, out, (const unsigned char *)raw.buf, raw.len, 0);
		strbuf_addch(out, '}');
	}
	strbuf_release(&digits);
	strbuf_release(&raw);
	return 0;
}

/* PostgreSQL's iso_8601 interval as MicroDuration's approximate
 * microseconds (a month 365.25 / 12 days), or -1 */
static int
interval_micros(const char *p, size_t n, int64_t *us)
{
	double years = 0, months = 0, days = 0, hours = 0, minutes = 0;
	int64_t secs = 0, micros = 0;
	int in_time = 0;
	const char *end = p + n;

	if (n < 2 || *p != 'P')
		return -1;
	for (p++; p < end;) {
		char num[40];
		size_t k = 0;
		double val;

		if (*p == 'T') {
			in_time = 1;
			p++;
			continue;
		}
		while (p < end && k < sizeof(num) - 1 && (strchr("+-.", *p) || (*p >= '0' && *p <= '9')))
			num[k++] = *p++;
		num[k] = '\0';
		if (!k || p >= end)
			return -1;
		val = strtod(num, NULL);
		switch (in_time ? *p | 0x80 : *p) {
		case 'Y': years = val; break;
		case 'M': months = val; break;
		case 'W': days += val * 7; break;
		case 'D': days += val; break;
		case 'H' | 0x80: hours = val; break;
		case 'M' | 0x80: minutes = val; break;
		case 'S' | 0x80: {
			char *dot = strchr(num, '.');

			secs = strtoll(num, NULL, 10);
			if (dot) {
				char frac[8] = "000000";

				memcpy(frac, dot + 1, strlen(dot + 1) < 6 ? strlen(dot + 1) : 6);
				micros = strtoll(frac, NULL, 10) * (num[0] == '-' ? -1 : 1);
			}
			break;
		}
		default:
			return -1;
		}
		p++;
	}
	/* as io.debezium.time.MicroDuration.durationMicros() computes it */
	{
		double ndays = (years * 12 + months) * (365.25 / 12.0) + days;
		double nsecs = ((ndays * 24 + hours) * 60 + minutes) * 60 + (double)secs;

		*us = (int64_t)(nsecs * 1e6 + (double)micros);
	}
	return 0;
}

/* bit(n) '1..' as io.debezium.data.Bits: the number's bytes, least
 * significant first, ceil(n/8) of them for a fixed length, as many as
 * it needs for a varying one */
static void
bits_value(const struct dbz_opts *o, struct strbuf *out, const struct value *v, int fixed)
{
	size_t nb = (v->len + 7) / 8, used = 0;
	unsigned char *b = xcalloc(1, nb + 1);

	for (size_t i = 0; i < v->len; i++)
		if (v->p[v->len - 1 - i] == '1')
			b[i / 8] |= (unsigned char)(1u << (i % 8));
	for (size_t i = 0; i < nb; i++)
		if (b[i])
			used = i + 1;
	/* Java's BigInteger.toByteArray() adds a sign byte to a top bit */
	if (!fixed && used && (b[used - 1] & 0x80))
		used++;
	dbz_bytes_value(o, out, b, fixed ? nb : used, 0);
	free(b);
}

const struct column *
dbz_data_column(const struct table *t, int i)
{
	for (int k = 0; k < t->ncols; k++) {
		if (t->cols[k].generated_expr)
			continue;
		if (i-- == 0)
			return &t->cols[k];
	}
	return NULL;
}

/* TIME(p) and TIMESTAMP(p) without a p are microsecond ones */
int
dbz_precision_of(const struct ntype_desc *d)
{
	return d->fsp < 0 ? 6 : d->fsp;
}


struct elem_ctx {
	const struct dbz_opts *o;
	const struct column *col;
	const struct ntype_desc *d;
	int bad;
};

static int
elem_json(void *arg, const struct value *v, struct strbuf *out)
{
	struct elem_ctx *e = arg;

	if (dbz_value_json(e->o, out, e->col, e->d->elem, e->d, v) < 0)
		e->bad = 1;
	return 0;
}

int
dbz_value_json(const struct dbz_opts *o, struct strbuf *out, const struct column *col,
	   enum ntype t, const struct ntype_desc *d, const struct value *v)
{
	struct civil c;
	int64_t us;
	char buf[48];

	if (v->isnull) {
		strbuf_addstr(out, "null");
		return 0;
	}
	switch (t) {
	case NT_BOOL:
		strbuf_addstr(out, v->len == 1 && v->p[0] == '1' ? "true" : "false");
		return 0;
	case NT_INT16: case NT_INT32: case NT_INT64: case NT_UINT64: case NT_YEAR:
		strbuf_add(out, v->p, v->len);
		return 0;
	case NT_FLOAT32: case NT_FLOAT64: {
		double x = canon_get_float(v->p, t == NT_FLOAT32 ? 4 : 8);

		float_shortest(buf, sizeof(buf), x, t == NT_FLOAT32);
		/* the JSON converter's Jackson quotes NaN and the infinities */
		if (isnan(x) || isinf(x))
			strbuf_addf(out, "\"%s\"", buf);
		else
			strbuf_addstr(out, buf);
		return 0;
	}
	case NT_DECIMAL:
		return decimal_value(o, out, d, v);
	case NT_DATE:
		/* a MySQL zero date is no date: the MySQL connector says null */
		if (canon_is_zero_date(v->p, v->len)) {
			strbuf_addstr(out, "null");
			return 0;
		}
		if (parse_civil((const char *)v->p, v->len, &c) < 0)
			break;
		if (o->time == DBZ_TIME_ISOSTRING) {
			iso_value(out, &c, 0, 0);
			return 0;
		}
		if (c.inf)
			strbuf_addstr(out, c.inf > 0 ? "2147483647" : "-2147483648");
		else
			strbuf_addf(out, "%" PRId64, days_from_civil(c.year, c.month, c.day));
		return 0;
	case NT_TIME:
		if (parse_time((const char *)v->p, v->len, &us) < 0 &&
		    parse_signed_time((const char *)v->p, v->len, &us) < 0)
			break;
		if (o->time == DBZ_TIME_ISOSTRING) {
			strbuf_addch(out, '"');
			strbuf_add(out, v->p, v->len);
			strbuf_addstr(out, "Z\"");
		} else if (o->time == DBZ_TIME_CONNECT ||
			   (o->time == DBZ_TIME_ADAPTIVE && dbz_precision_of(d) <= 3)) {
			strbuf_addf(out, "%" PRId64, dbz_floor_div(us, 1000));
		} else {
			strbuf_addf(out, "%" PRId64, us);
		}
		return 0;
	case NT_TIMESTAMP:
		if (canon_is_zero_date(v->p, v->len)) {
			strbuf_addstr(out, "null");
			return 0;
		}
		if (parse_civil((const char *)v->p, v->len, &c) < 0)
			break;
		if (o->time == DBZ_TIME_ISOSTRING) {
			iso_value(out, &c, 1, 0);
			return 0;
		}
		if (c.inf) {
			strbuf_addf(out, "%lld", c.inf > 0 ? PG_TS_PINF : PG_TS_NINF);
			return 0;
		}
		us = civil_micros(&c);
		if (o->time == DBZ_TIME_CONNECT ||
		    ((o->time == DBZ_TIME_ADAPTIVE || o->time == DBZ_TIME_ADAPTIVE_TIME_MICROSECONDS) &&
		     dbz_precision_of(d) <= 3))
			us = dbz_floor_div(us, 1000);
		strbuf_addf(out, "%" PRId64, us);
		return 0;
	case NT_TIMESTAMPTZ:
		/* io.debezium.time.ZonedTimestamp: ISO 8601 in UTC, the
		 * fraction as wide as the column's precision */
		if (canon_is_zero_date(v->p, v->len)) {
			strbuf_addstr(out, "null");
			return 0;
		}
		if (parse_civil((const char *)v->p, v->len, &c) < 0)
			break;
		iso_value(out, &c, 1, dbz_precision_of(d));
		return 0;
	case NT_INTERVAL:
		if (o->interval == DBZ_INTERVAL_STRING)
			break;
		if (interval_micros((const char *)v->p, v->len, &us) < 0)
			break;
		strbuf_addf(out, "%" PRId64, us);
		return 0;
	case NT_BYTES:
		dbz_bytes_value(o, out, v->p, v->len, 1);
		return 0;
	case NT_BIT:
		if (d->length == 1) {
			strbuf_addstr(out, v->len == 1 && v->p[0] == '1' ? "true" : "false");
			return 0;
		}
		bits_value(o, out, v, col && col->native_type &&
			   !strncmp(col->native_type, "bit(", 4));
		return 0;
	case NT_GEOMETRY:
		strbuf_addstr(out, "{\"wkb\":");
		dbz_bytes_value(o, out, v->p, v->len, 0);
		strbuf_addstr(out, ",\"srid\":null}");
		return 0;
	case NT_ARRAY: {
		struct canon_array a;
		struct elem_ctx e = { o, col, d, 0 };
		char emsg[128];
		int r;

		if (canon_array_decode(v->p, v->len, &a, emsg, sizeof(emsg)) < 0)
			break;
		/* Kafka Connect arrays are flat: the elements in order */
		strbuf_addch(out, '[');
		for (size_t i = 0; i < a.nelems; i++) {
			if (i)
				strbuf_addch(out, ',');
			elem_json(&e, &a.elems[i], out);
		}
		strbuf_addch(out, ']');
		r = e.bad ? -1 : 0;
		canon_array_release(&a);
		return r;
	}
	default:
		break;
	}
	/* text, and what has no other form: its canonical text */
	jsonw_text(out, v->p, v->len);
	return 0;
}

/* the placeholder in the column's type, as UnchangedToastedPlaceholder
 * makes it */
void
dbz_placeholder_json(const struct dbz_opts *o, struct strbuf *out, const struct ntype_desc *d)
{
	const unsigned char *p = (const unsigned char *)o->placeholder;
	size_t n = strlen(o->placeholder);

	if (d->t == NT_BYTES) {
		dbz_bytes_value(o, out, p, n, 1);
	} else if (d->t == NT_ARRAY && (d->elem == NT_INT16 || d->elem == NT_INT32 ||
					 d->elem == NT_INT64)) {
		strbuf_addch(out, '[');
		for (size_t i = 0; i < n; i++)
			strbuf_addf(out, "%s%d", i ? "," : "", (signed char)p[i]);
		strbuf_addch(out, ']');
	} else if (d->t == NT_ARRAY && d->elem == NT_BYTES) {
		strbuf_addch(out, '[');
		dbz_bytes_value(o, out, p, n, 1);
		strbuf_addch(out, ']');
	} else if (d->t == NT_ARRAY && d->elem == NT_UUID) {
		unsigned char h[16];

		/* java.util.UUID.nameUUIDFromBytes: MD5, version 3 */
		md5_digest(p, n, h);
		h[6] = (unsigned char)((h[6] & 0x0f) | 0x30);
		h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
		strbuf_addstr(out, "[\"");
		for (int i = 0; i < 16; i++)
			strbuf_addf(out, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
				    h[i]);
		strbuf_addstr(out, "\"]");
	} else if (d->t == NT_ARRAY) {
		strbuf_addch(out, '[');
		jsonw_cstr(out, o->placeholder);
		strbuf_addch(out, ']');
	} else {
		jsonw_cstr(out, o->placeholder);
	}
}

