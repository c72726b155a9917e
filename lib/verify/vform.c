/*
 * vform.c - verify's value rendering in the client (vform.h). Every rule
 * here has a twin in lib/pg/pg_verify.c and lib/mysql/my_verify.c that
 * produces the same bytes inside the server; change them together.
 */
#include "vform.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/floatfmt.h"
#include "lib/base/crc.h"
#include "lib/base/latin1.h"
#include "lib/base/md5.h"
#include "lib/base/sha256.h"
#include "lib/base/banned.h"

/* The family a neutral type renders in before two sides are paired. */
enum vbase { B_NONE, B_INT, B_DEC, B_FLOAT, B_DATE, B_TIME, B_TS, B_INTERVAL,
	     B_CHAR, B_TEXT, B_SET, B_BYTES, B_JSON, B_UUID, B_ARRAY };

static enum vbase
base_of(enum ntype t)
{
	switch (t) {
	case NT_BOOL: case NT_INT16: case NT_INT32: case NT_INT64:
	case NT_UINT64: case NT_YEAR:
		return B_INT;
	case NT_DECIMAL: return B_DEC;
	case NT_FLOAT32: case NT_FLOAT64: return B_FLOAT;
	case NT_DATE: return B_DATE;
	case NT_TIME: return B_TIME;
	case NT_TIMESTAMP: case NT_TIMESTAMPTZ: return B_TS;
	case NT_INTERVAL: return B_INTERVAL;
	case NT_CHAR: return B_CHAR;
	case NT_VARCHAR: case NT_TEXT: case NT_ENUM: case NT_INET: case NT_CIDR:
	case NT_MACADDR: case NT_BIT:
		return B_TEXT;
	case NT_SET: return B_SET;
	case NT_BYTES: case NT_GEOMETRY: return B_BYTES;
	case NT_JSON: case NT_JSONB: return B_JSON;
	case NT_UUID: return B_UUID;
	case NT_ARRAY: return B_ARRAY;
	default: return B_NONE;
	}
}

static int
pair(enum vbase a, enum vbase b, enum vbase x, enum vbase y)
{
	return (a == x && b == y) || (a == y && b == x);
}

static int
dec_scale(const struct ntype_desc *d)
{
	return d->t == NT_DECIMAL ? d->scale : 0;
}

enum vkind
vform_kind(const struct ntype_desc *a, const struct ntype_desc *b, int *scale)
{
	enum vbase x = base_of(a->t), y = base_of(b->t);

	*scale = -1;
	if (x == B_NONE || y == B_NONE)
		return VK_NONE;
	if (x == B_DEC || y == B_DEC) {
		int sa, sb;

		if (!pair(x, y, B_DEC, B_INT) && x != y)
			return VK_NONE;
		sa = dec_scale(a);
		sb = dec_scale(b);
		*scale = sa < 0 ? sb : sb < 0 ? sa : sa > sb ? sa : sb;
		return VK_DEC;
	}
	if (x == y) {
		switch (x) {
		case B_INT: return VK_INT;
		case B_FLOAT: return VK_FLOAT;
		case B_DATE: return VK_DATE;
		case B_TIME: return VK_TIME;
		case B_TS: return VK_TS;
		case B_CHAR: return VK_CHAR;
		case B_BYTES: return VK_BYTES;
		case B_JSON: return VK_JSON;
		case B_ARRAY: return a->elem == b->elem ? VK_ARRAY : VK_NONE;
		case B_INTERVAL: case B_TEXT: case B_SET: case B_UUID:
			return VK_TEXT;
		default: return VK_NONE;
		}
	}
	if (x == B_CHAR || y == B_CHAR)
		return pair(x, y, B_CHAR, B_TEXT) || pair(x, y, B_CHAR, B_UUID) ? VK_CHAR : VK_NONE;
	if (pair(x, y, B_TEXT, B_UUID) || pair(x, y, B_TEXT, B_INTERVAL) ||
	    pair(x, y, B_TEXT, B_SET))
		return VK_TEXT;
	if (pair(x, y, B_UUID, B_BYTES))
		return VK_UUID;
	if (pair(x, y, B_TIME, B_INTERVAL))
		return VK_MICROS;
	if (pair(x, y, B_SET, B_ARRAY))
		return VK_SETLIST;
	if (pair(x, y, B_ARRAY, B_JSON))
		return VK_ARRAY_JSON;
	return VK_NONE;
}

const char *
vform_kind_name(enum vkind k)
{
	static const char *const names[] = {
		"none", "integer", "decimal", "float", "date", "time", "microseconds",
		"timestamp", "text", "char", "bytes", "uuid", "json", "set", "array",
		"array as json",
	};
	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "none";
}

/* The fraction of the time at the end of p[0..n) padded to 6 digits. */
static void
pad_micro(const char *p, size_t n, struct strbuf *out)
{
	size_t dot = n, digits;

	for (size_t i = n; i > 0; i--) {
		if (p[i - 1] == '.') {
			dot = i - 1;
			break;
		}
		if (p[i - 1] == ':')
			break;
	}
	strbuf_add(out, p, n);
	digits = dot == n ? 0 : n - dot - 1;
	if (dot == n)
		strbuf_addch(out, '.');
	for (; digits < 6; digits++)
		strbuf_addch(out, '0');
}

static void
render_ts(const char *p, size_t n, struct strbuf *out)
{
	int bc = n > 3 && !memcmp(p + n - 3, " BC", 3);

	if (n && (p[0] == 'i' || p[0] == '-') && memchr(p, 'y', n)) {
		strbuf_add(out, p, n);		/* infinity, -infinity */
		return;
	}
	pad_micro(p, bc ? n - 3 : n, out);
	if (bc)
		strbuf_addstr(out, " BC");
}

static void
render_dec(const char *p, size_t n, int scale, struct strbuf *out)
{
	const char *dot = memchr(p, '.', n);
	size_t have = dot ? n - (size_t)(dot - p) - 1 : 0;

	strbuf_add(out, p, n);
	if (scale <= 0 || (n && (p[0] == 'N' || p[0] == 'I' || p[n - 1] == 'y')) ||
	    (int)have >= scale)
		return;
	if (!dot)
		strbuf_addch(out, '.');
	for (; (int)have < scale; have++)
		strbuf_addch(out, '0');
}

static void
render_float(const struct value *v, struct strbuf *out)
{
	double d;
	uint64_t bits;
	char hex[17];

	if (v->len == 4) {
		uint32_t b32 = (uint32_t)canon_get_be(v->p, 4);
		float f;

		memcpy(&f, &b32, 4);
		d = f;
	} else if (v->len == 8) {
		bits = canon_get_be(v->p, 8);
		memcpy(&d, &bits, 8);
	} else {
		strbuf_addstr(out, "?");
		return;
	}
	if (isnan(d))
		bits = 0x7ff8000000000000ull;
	else if (d == 0)
		bits = 0;		/* MySQL does not keep the sign of zero */
	else
		memcpy(&bits, &d, 8);
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)bits);
	strbuf_add(out, hex, 16);
}

/* Microseconds of "[-]H:MM:SS[.f]" (MySQL time). */
static int
time_micros(const char *p, size_t n, int64_t *out)
{
	int64_t h = 0, m = 0, s = 0, us = 0, scale = 100000;
	size_t i = 0;
	int neg = 0;

	if (i < n && p[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		h = h * 10 + (p[i] - '0');
	if (i + 6 > n)
		return -1;
	if (p[i] != ':' || p[i + 3] != ':')
		return -1;
	m = (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
	s = (p[i + 4] - '0') * 10 + (p[i + 5] - '0');
	i += 6;
	if (i < n && p[i] == '.')
		for (i++; i < n && scale; i++, scale /= 10)
			us += (p[i] - '0') * scale;
	*out = ((h * 60 + m) * 60 + s) * 1000000 + us;
	if (neg)
		*out = -*out;
	return 0;
}

/* Microseconds of an ISO 8601 interval as PostgreSQL's extract(epoch)
 * counts them: a year is 365.25 days, a month 30. */
static int
interval_micros(const char *p, size_t n, int64_t *out)
{
	int64_t months = 0, days = 0, us = 0;
	int in_time = 0;
	size_t i = 1;

	if (!n || p[0] != 'P')
		return -1;
	while (i < n) {
		int neg = 0;
		int64_t whole = 0, frac = 0, scale = 100000;

		if (p[i] == 'T') {
			in_time = 1;
			i++;
			continue;
		}
		if (p[i] == '-') {
			neg = 1;
			i++;
		}
		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			whole = whole * 10 + (p[i] - '0');
		if (i < n && p[i] == '.')
			for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, scale /= 10)
				frac += (p[i] - '0') * scale;
		if (i >= n)
			return -1;
		if (neg) {
			whole = -whole;
			frac = -frac;
		}
		switch (p[i++]) {
		case 'Y': months += whole * 12; break;
		case 'M':
			if (in_time)
				us += whole * 60000000;
			else
				months += whole;
			break;
		case 'W': days += whole * 7; break;
		case 'D': days += whole; break;
		case 'H': us += whole * 3600000000ll; break;
		case 'S': us += whole * 1000000 + frac; break;
		default: return -1;
		}
	}
	*out = (months / 12) * 31557600000000ll + (months % 12) * 2592000000000ll +
	       days * 86400000000ll + us;
	return 0;
}

static void
render_micros(const struct vcol *vc, int s, const struct value *v, struct strbuf *out)
{
	int64_t us;
	int r = vc->s[s].col->type.t == NT_TIME
		? time_micros((const char *)v->p, v->len, &us)
		: interval_micros((const char *)v->p, v->len, &us);

	if (r < 0)
		strbuf_add(out, v->p, v->len);
	else
		strbuf_addf(out, "%lld", (long long)us);
}

static void
render_uuid(const struct value *v, struct strbuf *out)
{
	char hex[33];

	if (v->len != 16) {
		char h[3];

		for (size_t i = 0; i < v->len; i++) {
			hex_encode(v->p + i, 1, h);
			strbuf_add(out, h, 2);
		}
		return;
	}
	hex_encode(v->p, 16, hex);
	strbuf_addf(out, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		    hex + 20);
}

static void
render_setlist(const struct vcol *vc, int s, const struct value *v, struct strbuf *out)
{
	struct canon_array a;
	char emsg[64];

	if (vc->s[s].col->type.t != NT_ARRAY) {
		strbuf_add(out, v->p, v->len);
		return;
	}
	if (canon_array_decode(v->p, v->len, &a, emsg, sizeof(emsg)) < 0) {
		strbuf_add(out, v->p, v->len);
		return;
	}
	for (size_t i = 0; i < a.nelems; i++) {
		if (a.elems[i].isnull)
			continue;	/* as array_to_string() skips NULLs */
		if (i)
			strbuf_addch(out, ',');
		strbuf_add(out, a.elems[i].p, a.elems[i].len);
	}
	canon_array_release(&a);
}

/* One element of an array as the JSON a MySQL load is to write for it:
 * numbers and booleans as PostgreSQL's to_json writes them (a real as
 * the shortest text that reads back as it, NaN and the infinities as
 * strings), json elements as they are, anything else a string of its
 * canonical text. Made here from the canonical value, not by the load's
 * conversion, so a conversion that changed a value shows. */
static int
array_elem_json(void *arg, const struct value *v, struct strbuf *out)
{
	const struct ntype_desc *d = arg;
	const char *p = (const char *)v->p;

	if (v->isnull) {
		strbuf_addstr(out, "null");
		return 0;
	}
	switch (d->elem) {
	case NT_BOOL:
		strbuf_addstr(out, v->len == 1 && p[0] == '1' ? "true" : "false");
		return 0;
	case NT_INT16: case NT_INT32: case NT_INT64: case NT_UINT64:
		strbuf_add(out, p, v->len);
		return 0;
	case NT_DECIMAL:
		if (v->len && (p[0] == 'N' || p[0] == 'I' || (p[0] == '-' && v->len > 1 &&
							      p[1] == 'I')))
			break;
		strbuf_add(out, p, v->len);
		return 0;
	case NT_FLOAT32: case NT_FLOAT64: {
		char num[40];
		double x;

		if (v->len != (d->elem == NT_FLOAT32 ? 4u : 8u))
			return -1;
		x = canon_get_float(v->p, (int)v->len);
		float_shortest(num, sizeof(num), x, d->elem == NT_FLOAT32);
		if (isnan(x) || isinf(x))
			vform_json_string(num, strlen(num), out);
		else
			strbuf_addstr(out, num);
		return 0;
	}
	case NT_JSON: case NT_JSONB:
		strbuf_add(out, p, v->len);
		return 0;
	default:
		break;
	}
	vform_json_string(p, v->len, out);
	return 0;
}

/* The array side as the JSON a load is to make of it, the JSON side as
 * it is, both in jsonb's text form. An array that does not decode
 * renders as a marker no JSON text has, so it differs from whatever the
 * target holds. */
static void
render_array_json(const struct vcol *vc, int s, const struct value *v, struct strbuf *out)
{
	struct strbuf js = STRBUF_INIT;
	struct canon_array a;
	char emsg[128];

	if (vc->s[s].col->type.t != NT_ARRAY) {
		if (vform_json((const char *)v->p, v->len, out) < 0)
			strbuf_add(out, (const char *)v->p, v->len);
		return;
	}
	if (canon_array_decode(v->p, v->len, &a, emsg, sizeof(emsg)) < 0) {
		strbuf_addstr(out, "?array");
		return;
	}
	if (canon_array_write(&a, '[', ']', array_elem_json, (void *)&vc->s[s].col->type, &js) < 0 ||
	    vform_json(js.buf ? js.buf : "", js.len, out) < 0)
		strbuf_addstr(out, "?array");
	canon_array_release(&a);
	strbuf_release(&js);
}

int
vform_render(const struct vcol *vc, int s, const struct value *v, struct strbuf *out)
{
	const char *p = (const char *)v->p;
	size_t n = v->len;

	switch (vc->kind) {
	case VK_DEC:
		render_dec(p, n, vc->scale, out);
		return 0;
	case VK_FLOAT:
		render_float(v, out);
		return 0;
	case VK_DATE:
		if (vc->s[s].zero_null && canon_is_zero_date(v->p, n))
			return 1;
		strbuf_add(out, p, n);
		return 0;
	case VK_TIME:
		pad_micro(p, n, out);
		return 0;
	case VK_MICROS:
		render_micros(vc, s, v, out);
		return 0;
	case VK_TS:
		if (vc->s[s].zero_null && canon_is_zero_date(v->p, n))
			return 1;
		render_ts(p, n, out);
		return 0;
	case VK_CHAR:
		while (n && p[n - 1] == ' ')
			n--;
		strbuf_add(out, p, n);
		return 0;
	case VK_BYTES: {
		char h[3];

		strbuf_grow(out, 2 * n);
		for (size_t i = 0; i < n; i++) {
			hex_encode(v->p + i, 1, h);
			strbuf_add(out, h, 2);
		}
		return 0;
	}
	case VK_UUID:
		if (vc->s[s].col->type.t == NT_BYTES)
			render_uuid(v, out);
		else
			strbuf_add(out, p, n);
		return 0;
	case VK_JSON:
		if (vform_json(p, n, out) < 0)
			strbuf_add(out, p, n);
		return 0;
	case VK_SETLIST:
		render_setlist(vc, s, v, out);
		return 0;
	case VK_ARRAY_JSON:
		render_array_json(vc, s, v, out);
		return 0;
	case VK_INT:
		/* MySQL's zero year reads as "0000"; numbers have no leading zeros */
		while (n > 1 && p[0] == '0') {
			p++;
			n--;
		}
		break;
	case VK_TEXT: case VK_ARRAY: case VK_NONE:
		break;
	}
	strbuf_add(out, p, n);
	return 0;
}

void
vrow_init(struct vrow *r, const struct vf_plan *p)
{
	memset(r, 0, sizeof(*r));
	r->off = xcalloc((size_t)p->ncols + 1, sizeof(*r->off));
	r->len = xcalloc((size_t)p->ncols + 1, sizeof(*r->len));
}

void
vrow_release(struct vrow *r)
{
	strbuf_release(&r->text);
	strbuf_release(&r->key);
	strbuf_release(&r->hashed);
	free(r->off);
	free(r->len);
	memset(r, 0, sizeof(*r));
}

int
vform_self_delimited(enum vkind k)
{
	switch (k) {
	case VK_INT: case VK_DEC: case VK_FLOAT: case VK_DATE: case VK_TIME:
	case VK_MICROS: case VK_TS: case VK_UUID:
		return 1;
	default:
		return 0;
	}
}

/* Characters of UTF-8 text: the bytes that do not continue one
 * (10xxxxxx), counted eight at a time. */
static size_t
utf8_chars(const char *p, size_t n)
{
	size_t cont = 0, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, p + i, 8);
		/* one bit a byte: their sum by a multiply (no popcnt
		 * instruction in a portable build) */
		cont += (size_t)((((x & ~(x << 1) & 0x8080808080808080ULL) >> 7) *
				  0x0101010101010101ULL) >> 56);
	}
	for (; i < n; i++)
		cont += ((unsigned char)p[i] & 0xc0) == 0x80;
	return n - cont;
}

/* n in decimal and ':' into buf (24 bytes); returns the length. */
static int
length_prefix(size_t n, char *buf)
{
	char tmp[24];
	int k = 0, len = 0;

	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		buf[len++] = tmp[--k];
	buf[len++] = ':';
	return len;
}

/* Appends column i's frame (vform.h) to out, and records where the
 * rendering went. */
static void
frame_value(const struct vf_plan *p, int i, int s, const struct value *vals,
	    int bytes, struct strbuf *out, size_t *off, size_t *len)
{
	const struct vcol *vc = &p->cols[i];
	const struct value *v = &vals[vc->s[s].idx];
	size_t start = out->len;
	char lenbuf[24];
	int n;

	if (!v->isnull && (vc->kind == VK_TEXT || vc->kind == VK_CHAR)) {
		/* rendered as stored (a CHAR trimmed): its length is known
		 * before it is copied, once */
		const char *vp = (const char *)v->p;
		size_t rl = v->len;

		if (vc->kind == VK_CHAR)
			while (rl && vp[rl - 1] == ' ')
				rl--;
		n = length_prefix(bytes ? rl : utf8_chars(vp, rl), lenbuf);
		strbuf_add(out, lenbuf, (size_t)n);
		*off = out->len;
		*len = rl;
		strbuf_add(out, vp, rl);
		return;
	}
	if (!v->isnull && vform_self_delimited(vc->kind)) {
		if (vform_render(vc, s, v, out) == 0) {
			*off = start;
			*len = out->len - start;
			strbuf_addch(out, ',');
			return;
		}
		out->len = start;
	} else if (!v->isnull) {
		/* Render after room for the length prefix, then fill it in. */
		strbuf_add(out, "00000000000000000000:", 21);
		if (vform_render(vc, s, v, out) == 0) {
			size_t rl = out->len - start - 21;

			/* rows compared by their text only need a length
			 * both sides count alike: bytes, without the count */
			n = length_prefix(bytes ? rl : utf8_chars(out->buf + start + 21, rl),
					  lenbuf);
			memmove(out->buf + start + (size_t)n, out->buf + start + 21, rl);
			out->len = start + (size_t)n + rl;
			out->buf[out->len] = '\0';
			*off = start + (size_t)n;
			*len = rl;
			memcpy(out->buf + start, lenbuf, (size_t)n);
			return;
		}
		out->len = start;
	}
	strbuf_addch(out, 'N');
	*off = SIZE_MAX;
	*len = 0;
}

/* VD_CRC: the row's text with its latin1 columns' values as latin1
 * bytes, as the MariaDB side hashes them where they are stored. A value
 * with no latin1 form gets '!' for its ':', which no row of that side
 * has there. */
static uint64_t
crc_digest(const struct vf_plan *p, struct vrow *r)
{
	const char *t = strbuf_cstr(&r->text);
	size_t at = 0;
	int i;

	for (i = 0; i < p->ncols && !(p->cols[i].latin1 && r->off[i] != SIZE_MAX); i++)
		;
	if (i == p->ncols)
		return crc64_pair(t, r->text.len);
	strbuf_reset(&r->hashed);
	for (; i < p->ncols; i++) {
		size_t mark;

		if (!p->cols[i].latin1 || r->off[i] == SIZE_MAX)
			continue;
		strbuf_add(&r->hashed, t + at, r->off[i] - at);
		mark = r->hashed.len;
		if (latin1_from_utf8(t + r->off[i], r->len[i], &r->hashed) < 0) {
			r->hashed.len = mark;
			r->hashed.buf[mark - 1] = '!';
			strbuf_add(&r->hashed, t + r->off[i], r->len[i]);
		}
		at = r->off[i] + r->len[i];
	}
	strbuf_add(&r->hashed, t + at, r->text.len - at);
	return crc64_pair(r->hashed.buf, r->hashed.len);
}

/* The first 8 bytes of the row's digest, big-endian. */
static uint64_t
row_digest(const struct vf_plan *p, struct vrow *r)
{
	unsigned char d[32];

	if (p->digest == VD_CRC)
		return crc_digest(p, r);
	if (p->digest == VD_SHA256)
		sha256_digest(strbuf_cstr(&r->text), r->text.len, d);
	else
		md5_digest(strbuf_cstr(&r->text), r->text.len, d);
	return canon_get_be(d, 8);
}

void
vform_row(const struct vf_plan *p, int s, const struct value *vals, struct vrow *r)
{
	unsigned char d[16];
	size_t koff, klen;

	strbuf_reset(&r->text);
	strbuf_reset(&r->key);
	for (int i = 0; i < p->ncols; i++)
		frame_value(p, i, s, vals, r->no_digests, &r->text, &r->off[i], &r->len[i]);
	if (r->no_digests)
		return;
	r->digest = row_digest(p, r);
	if (r->no_bucket)
		return;
	if (!p->nkey) {
		md5_digest(strbuf_cstr(&r->text), r->text.len, d);
		r->bucket_hash = (uint32_t)canon_get_be(d + 8, 4);
		strbuf_add(&r->key, strbuf_cstr(&r->text), r->text.len);
		return;
	}
	for (int k = 0; k < p->nkey; k++)
		frame_value(p, p->key[k], s, vals, 0, &r->key, &koff, &klen);
	md5_digest(strbuf_cstr(&r->key), r->key.len, d);
	r->bucket_hash = (uint32_t)canon_get_be(d + 8, 4);
}

/* Splits a decimal string into sign, integer digits (no leading zeros)
 * and fraction digits. */
static void
num_parts(const char *p, size_t n, int *neg, const char **ip, size_t *il,
	  const char **fp, size_t *fl)
{
	size_t i = 0, j;

	*neg = n && p[0] == '-';
	if (n && (p[0] == '-' || p[0] == '+'))
		i++;
	while (i + 1 < n && p[i] == '0' && p[i + 1] != '.')
		i++;
	for (j = i; j < n && p[j] != '.'; j++)
		;
	*ip = p + i;
	*il = j - i;
	*fp = j < n ? p + j + 1 : p + n;
	*fl = j < n ? n - j - 1 : 0;
}

int
vform_key_cmp(enum vkind k, const char *a, size_t alen, const char *b, size_t blen)
{
	int na, nb, r = 0;
	const char *ia, *ib, *fa, *fb;
	size_t ila, ilb, fla, flb;

	if (k != VK_INT && k != VK_DEC) {
		int c = memcmp(a, b, alen < blen ? alen : blen);

		return c ? c : alen < blen ? -1 : alen > blen;
	}
	num_parts(a, alen, &na, &ia, &ila, &fa, &fla);
	num_parts(b, blen, &nb, &ib, &ilb, &fb, &flb);
	if (na != nb)
		return na ? -1 : 1;
	if (ila != ilb)
		r = ila < ilb ? -1 : 1;
	else if ((r = memcmp(ia, ib, ila)) == 0) {
		size_t m = fla > flb ? fla : flb;

		for (size_t i = 0; i < m && !r; i++) {
			char ca = i < fla ? fa[i] : '0', cb = i < flb ? fb[i] : '0';

			r = (ca > cb) - (ca < cb);
		}
	}
	r = r < 0 ? -1 : r > 0;
	return na ? -r : r;
}

uint64_t
vform_sum_mod64(const char *s)
{
	uint64_t v = 0;
	int neg = *s == '-';

	if (neg)
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return neg ? (uint64_t)0 - v : v;
}

void
vform_display(enum vkind k, const char *p, size_t n, struct strbuf *out)
{
	if (k == VK_FLOAT && n == 16) {
		char hex[17];
		uint64_t bits;
		double d;

		memcpy(hex, p, 16);
		hex[16] = '\0';
		bits = strtoull(hex, NULL, 16);
		memcpy(&d, &bits, 8);
		strbuf_addf(out, "%.17g", d);
		return;
	}
	/* Control bytes and backslashes escaped: reports go to terminals
	 * and mail, and a NUL must not end the line early. */
	for (size_t i = 0; i < n && i < 200; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\')
			strbuf_addstr(out, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(out, "\\x%02x", c);
		else
			strbuf_addch(out, c);
	}
	if (n > 200)
		strbuf_addf(out, "... (%zu bytes)", n);
}
