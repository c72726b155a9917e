/*
 * vform_json.c - JSON in PostgreSQL jsonb's text form, so a MySQL JSON
 * column (stored as written) and the jsonb column it was loaded into
 * render alike: objects with keys sorted by length then bytes and the
 * last of duplicate keys kept, ", " and ": " as separators, strings
 * re-escaped as jsonb's output escapes them, numbers as numeric prints
 * them (1e2 is 100, 1.50 keeps its zero).
 */
#include <stdlib.h>
#include <string.h>

#include "vform.h"
#include "lib/base/banned.h"

#define JSON_MAX_DEPTH 1000

struct jparse {
	const char *p, *end;
	int depth;
};

static void
skip_ws(struct jparse *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
				 *j->p == '\r'))
		j->p++;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
read_u4(struct jparse *j, unsigned *out)
{
	unsigned v = 0;

	if (j->end - j->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)j->p[i]);

		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	j->p += 4;
	*out = v;
	return 0;
}

static void
put_utf8(struct strbuf *out, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(out, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(out, (int)(0xc0 | cp >> 6));
		strbuf_addch(out, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(out, (int)(0xe0 | cp >> 12));
		strbuf_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(out, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(out, (int)(0xf0 | cp >> 18));
		strbuf_addch(out, (int)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(out, (int)(0x80 | (cp & 0x3f)));
	}
}

/* Decodes a string (after its opening quote) into raw bytes. */
static int
read_string(struct jparse *j, struct strbuf *raw)
{
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;
		unsigned cp, lo;

		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			strbuf_addch(raw, c);
			continue;
		}
		if (j->p >= j->end)
			return -1;
		switch (*j->p++) {
		case '"': strbuf_addch(raw, '"'); break;
		case '\\': strbuf_addch(raw, '\\'); break;
		case '/': strbuf_addch(raw, '/'); break;
		case 'b': strbuf_addch(raw, '\b'); break;
		case 'f': strbuf_addch(raw, '\f'); break;
		case 'n': strbuf_addch(raw, '\n'); break;
		case 'r': strbuf_addch(raw, '\r'); break;
		case 't': strbuf_addch(raw, '\t'); break;
		case 'u':
			if (read_u4(j, &cp) < 0)
				return -1;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
					return -1;
				j->p += 2;
				if (read_u4(j, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(raw, cp);
			break;
		default:
			return -1;
		}
	}
	return -1;
}

/* As PostgreSQL's escape_json(). */
void
vform_json_string(const char *p, size_t n, struct strbuf *out)
{
	strbuf_addch(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		switch (c) {
		case '\b': strbuf_addstr(out, "\\b"); break;
		case '\f': strbuf_addstr(out, "\\f"); break;
		case '\n': strbuf_addstr(out, "\\n"); break;
		case '\r': strbuf_addstr(out, "\\r"); break;
		case '\t': strbuf_addstr(out, "\\t"); break;
		case '"': strbuf_addstr(out, "\\\""); break;
		case '\\': strbuf_addstr(out, "\\\\"); break;
		default:
			if (c < 0x20)
				strbuf_addf(out, "\\u%04x", c);
			else
				strbuf_addch(out, c);
		}
	}
	strbuf_addch(out, '"');
}

/* A JSON number as PostgreSQL's numeric prints it. */
static int
read_number(struct jparse *j, struct strbuf *out)
{
	const char *ip, *fp = NULL;
	size_t il = 0, fl = 0;
	long exp = 0;
	int neg = 0, eneg = 0, nonzero = 0;
	struct strbuf digits = STRBUF_INIT;
	long point, dscale;

	if (j->p < j->end && *j->p == '-') {
		neg = 1;
		j->p++;
	}
	ip = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	il = (size_t)(j->p - ip);
	if (!il || (il > 1 && ip[0] == '0'))
		return -1;
	if (j->p < j->end && *j->p == '.') {
		fp = ++j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		fl = (size_t)(j->p - fp);
		if (!fl)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			eneg = *j->p++ == '-';
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			if (exp < 100000)
				exp = exp * 10 + (*j->p - '0');
			j->p++;
		}
		if (eneg)
			exp = -exp;
	}
	strbuf_add(&digits, ip, il);
	if (fl)
		strbuf_add(&digits, fp, fl);
	for (size_t i = 0; i < digits.len; i++)
		nonzero |= digits.buf[i] != '0';
	point = (long)il + exp;		/* digits before the decimal point */
	dscale = (long)fl - exp;
	if (dscale < 0)
		dscale = 0;
	if (neg && nonzero)
		strbuf_addch(out, '-');
	/* integer part without leading zeros */
	{
		int started = 0;

		for (long i = 0; i < point; i++) {
			char c = i < (long)digits.len ? digits.buf[i] : '0';

			if (c == '0' && !started)
				continue;
			started = 1;
			strbuf_addch(out, c);
		}
		if (!started)
			strbuf_addch(out, '0');
	}
	if (dscale > 0) {
		strbuf_addch(out, '.');
		for (long i = point; i < point + dscale; i++)
			strbuf_addch(out, i >= 0 && i < (long)digits.len ? digits.buf[i] : '0');
	}
	strbuf_release(&digits);
	return 0;
}

static int parse_value(struct jparse *j, struct strbuf *out);

struct jmember {
	size_t koff, klen;	/* in the keys buffer */
	size_t voff, vlen;	/* in the values buffer */
	size_t order;
};

/* Key order: length, then bytes, then position (so the last of equal
 * keys comes last). */
static int
member_cmp(const struct jmember *x, const struct jmember *y, const char *keys)
{
	int c;

	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	c = memcmp(keys + x->koff, keys + y->koff, x->klen);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Insertion sort: objects are small, and qsort has no context argument. */
static void
sort_members(struct jmember *m, size_t n, const char *keys)
{
	for (size_t i = 1; i < n; i++) {
		struct jmember t = m[i];
		size_t k = i;

		while (k > 0 && member_cmp(&m[k - 1], &t, keys) > 0) {
			m[k] = m[k - 1];
			k--;
		}
		m[k] = t;
	}
}

static int
parse_object(struct jparse *j, struct strbuf *out)
{
	struct strbuf keys = STRBUF_INIT, vals = STRBUF_INIT;
	struct jmember *m = NULL;
	size_t n = 0, alloc = 0, w = 0;
	int ret = -1;

	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		strbuf_addstr(out, "{}");
		return 0;
	}
	for (;;) {
		skip_ws(j);
		if (j->p >= j->end || *j->p != '"')
			goto out;
		j->p++;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			m = xrealloc(m, alloc * sizeof(*m));
		}
		m[n].koff = keys.len;
		if (read_string(j, &keys) < 0)
			goto out;
		m[n].klen = keys.len - m[n].koff;
		skip_ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			goto out;
		m[n].voff = vals.len;
		if (parse_value(j, &vals) < 0)
			goto out;
		m[n].vlen = vals.len - m[n].voff;
		m[n].order = n;
		n++;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			break;
		}
		goto out;
	}
	sort_members(m, n, strbuf_cstr(&keys));
	strbuf_addch(out, '{');
	for (size_t i = 0; i < n; i++) {
		/* of equal keys, the last one written wins */
		if (i + 1 < n && m[i].klen == m[i + 1].klen &&
		    !memcmp(keys.buf + m[i].koff, keys.buf + m[i + 1].koff, m[i].klen))
			continue;
		if (w++)
			strbuf_addstr(out, ", ");
		vform_json_string(keys.buf + m[i].koff, m[i].klen, out);
		strbuf_addstr(out, ": ");
		strbuf_add(out, vals.buf + m[i].voff, m[i].vlen);
	}
	strbuf_addch(out, '}');
	ret = 0;
out:
	free(m);
	strbuf_release(&keys);
	strbuf_release(&vals);
	return ret;
}

static int
parse_array(struct jparse *j, struct strbuf *out)
{
	int first = 1;

	skip_ws(j);
	strbuf_addch(out, '[');
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		strbuf_addch(out, ']');
		return 0;
	}
	for (;;) {
		if (!first)
			strbuf_addstr(out, ", ");
		first = 0;
		if (parse_value(j, out) < 0)
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			strbuf_addch(out, ']');
			return 0;
		}
		return -1;
	}
}

static int
literal(struct jparse *j, const char *word, struct strbuf *out)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
		return -1;
	j->p += n;
	strbuf_addstr(out, word);
	return 0;
}

static int
parse_value(struct jparse *j, struct strbuf *out)
{
	int r;

	skip_ws(j);
	if (j->p >= j->end || ++j->depth > JSON_MAX_DEPTH)
		return -1;
	switch (*j->p) {
	case '{':
		j->p++;
		r = parse_object(j, out);
		break;
	case '[':
		j->p++;
		r = parse_array(j, out);
		break;
	case '"': {
		struct strbuf raw = STRBUF_INIT;

		j->p++;
		r = read_string(j, &raw);
		if (r == 0)
			vform_json_string(strbuf_cstr(&raw), raw.len, out);
		strbuf_release(&raw);
		break;
	}
	case 't': r = literal(j, "true", out); break;
	case 'f': r = literal(j, "false", out); break;
	case 'n': r = literal(j, "null", out); break;
	default: r = read_number(j, out); break;
	}
	j->depth--;
	return r;
}

int
vform_json(const char *p, size_t n, struct strbuf *out)
{
	struct jparse j = { p, p + n, 0 };
	size_t start = out->len;

	if (parse_value(&j, out) < 0)
		goto bad;
	skip_ws(&j);
	if (j.p != j.end)
		goto bad;
	return 0;
bad:
	strbuf_truncate(out, start);
	return -1;
}
