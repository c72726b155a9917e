/*
 * pg_text.c - conversions between PostgreSQL's text forms and canonical
 * payloads, and the PostgreSQL -> neutral type mapping. See pg_text.h and
 * dumpfmt/SPEC.md section 4 for the canonical forms.
 */
#include "pg_text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/canon.h"
#include "lib/base/banned.h"

/* Unescapes one field's backslash sequence starting at line[i] (just
 * after the backslash); returns the index after it. */
static size_t
unescape_one(const char *line, size_t n, size_t i, struct strbuf *buf)
{
	char c = line[i++];

	switch (c) {
	case 'b': strbuf_addch(buf, '\b'); break;
	case 'f': strbuf_addch(buf, '\f'); break;
	case 'n': strbuf_addch(buf, '\n'); break;
	case 'r': strbuf_addch(buf, '\r'); break;
	case 't': strbuf_addch(buf, '\t'); break;
	case 'v': strbuf_addch(buf, '\v'); break;
	case 'x': {
		int v = 0, k = 0;

		while (k < 2 && i < n && strchr("0123456789abcdefABCDEF", line[i]) && line[i]) {
			char h = line[i++];

			v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
			k++;
		}
		strbuf_addch(buf, k ? v : 'x');
		break;
	}
	default:
		if (c >= '0' && c <= '7') {
			int v = c - '0', k = 1;

			while (k < 3 && i < n && line[i] >= '0' && line[i] <= '7') {
				v = v * 8 + (line[i++] - '0');
				k++;
			}
			strbuf_addch(buf, v & 0xff);
		} else {
			strbuf_addch(buf, c);
		}
	}
	return i;
}

/*
 * The hot loop of every PostgreSQL read: fields are found with memchr and
 * copied in runs, and nothing is allocated per row. While splitting,
 * lens[k] holds field k's start in buf (fields are appended back to back,
 * so each ends where the next non-NULL one starts) and fields[k] is NULL
 * for \N; the real pointers and lengths are filled at the end, once buf
 * no longer moves.
 */
int
pgcopy_split(const char *line, size_t n, int ncols, struct strbuf *buf,
	     const char **fields, size_t *lens)
{
	static const char notnull[1];
	int nf = 0;
	size_t i = 0;

	strbuf_reset(buf);
	strbuf_grow(buf, n);
	for (;;) {
		const char *tab;
		size_t end;

		if (nf >= ncols)
			return -1;
		tab = memchr(line + i, '\t', n - i);
		end = tab ? (size_t)(tab - line) : n;
		if (end - i == 2 && line[i] == '\\' && line[i + 1] == 'N') {
			fields[nf] = NULL;
			lens[nf] = buf->len;
		} else {
			fields[nf] = notnull;
			lens[nf] = buf->len;
			while (i < end) {
				const char *bs = memchr(line + i, '\\', end - i);
				size_t run = bs ? (size_t)(bs - line) : end;

				strbuf_add(buf, line + i, run - i);
				i = run;
				if (i < end) {
					i++;
					if (i == end)
						strbuf_addch(buf, '\\');	/* a lone trailing backslash */
					else
						i = unescape_one(line, end, i, buf);
				}
			}
		}
		nf++;
		i = end;
		if (i == n)
			break;
		i++;		/* the tab */
	}
	if (nf != ncols)
		return -1;
	for (size_t k = (size_t)nf, next = buf->len; k-- > 0;) {
		size_t start = lens[k];

		if (!fields[k]) {
			lens[k] = 0;
			continue;
		}
		fields[k] = strbuf_cstr(buf) + start;
		lens[k] = next - start;
		next = start;
	}
	return nf;
}

/* What COPY's text format escapes. */
static const char *const copy_escapes[256] = {
	['\\'] = "\\\\", ['\t'] = "\\t", ['\n'] = "\\n", ['\r'] = "\\r",
};

void
pgcopy_escape(struct strbuf *out, const char *p, size_t n)
{
	strbuf_add_escaped(out, p, n, copy_escapes);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int array_text_to_canon(const struct ntype_desc *d, const char *s,
			       size_t n, struct strbuf *out, char *emsg,
			       size_t emsz);
static int array_canon_to_text(const struct ntype_desc *d,
			       const unsigned char *p, size_t n,
			       struct strbuf *out, char *emsg, size_t emsz);

int
pg_text_to_canon(const struct ntype_desc *d, const char *s, size_t n,
		 struct strbuf *out, char *emsg, size_t emsz)
{
	char num[64];

	switch (d->t) {
	case NT_BOOL:
		if (n == 1 && (s[0] == 't' || s[0] == 'f')) {
			strbuf_addch(out, s[0] == 't' ? '1' : '0');
			return 0;
		}
		snprintf(emsg, emsz, "bad boolean '%.*s'", (int)(n > 20 ? 20 : n), s);
		return -1;
	case NT_FLOAT32:
	case NT_FLOAT64: {
		char *end;

		if (n == 0 || n >= sizeof(num))
			goto badnum;
		memcpy(num, s, n);
		num[n] = '\0';
		if (d->t == NT_FLOAT32) {
			float f = strtof(num, &end);
			uint32_t bits;

			if (*end)
				goto badnum;
			if (isnan(f))
				bits = 0x7fc00000u;	/* one NaN, whatever its payload */
			else
				memcpy(&bits, &f, 4);
			canon_put_be(out, bits, 4);
		} else {
			double f = strtod(num, &end);
			uint64_t bits;

			if (*end)
				goto badnum;
			if (isnan(f))
				bits = 0x7ff8000000000000ull;
			else
				memcpy(&bits, &f, 8);
			canon_put_be(out, bits, 8);
		}
		return 0;
badnum:
		snprintf(emsg, emsz, "bad float '%.*s'", (int)(n > 30 ? 30 : n), s);
		return -1;
	}
	case NT_BYTES: {
		if (n < 2 || s[0] != '\\' || s[1] != 'x' || (n % 2)) {
			snprintf(emsg, emsz, "bytea not in hex format (bytea_output must be 'hex')");
			return -1;
		}
		strbuf_grow(out, (n - 2) / 2);
		for (size_t i = 2; i < n; i += 2) {
			int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);

			if (hi < 0 || lo < 0) {
				snprintf(emsg, emsz, "bad hex digit in bytea");
				return -1;
			}
			strbuf_addch(out, hi * 16 + lo);
		}
		return 0;
	}
	case NT_TIMESTAMPTZ: {
		/* With TimeZone=UTC the output always ends in "+00" (before
		 * " BC" for years before 1). The canonical form drops it. */
		size_t k = n;

		if (k >= 3 && !memcmp(s + k - 3, " BC", 3))
			k -= 3;
		if (k >= 3 && !memcmp(s + k - 3, "+00", 3)) {
			strbuf_add(out, s, k - 3);
			strbuf_add(out, s + k, n - k);
			return 0;
		}
		if ((n == 8 && !memcmp(s, "infinity", 8)) ||
		    (n == 9 && !memcmp(s, "-infinity", 9))) {
			strbuf_add(out, s, n);
			return 0;
		}
		snprintf(emsg, emsz, "timestamptz '%.*s' is not in UTC", (int)(n > 40 ? 40 : n), s);
		return -1;
	}
	case NT_ARRAY:
		return array_text_to_canon(d, s, n, out, emsg, emsz);
	case NT_UNMAPPED:
	case NT__COUNT:
		snprintf(emsg, emsz, "BUG: no canonical form for an unmapped type");
		return -1;
	default:
		/* Integers, decimals, dates and times, intervals, text, json,
		 * uuid, network types and enum labels: PostgreSQL's output in
		 * the pinned session settings already is the canonical text. */
		strbuf_add(out, s, n);
		return 0;
	}
}

int
pg_canon_to_text(const struct ntype_desc *d, const unsigned char *p, size_t n,
		 struct strbuf *out, char *emsg, size_t emsz)
{
	char num[64];

	switch (d->t) {
	case NT_BOOL:
		if (n == 1 && (p[0] == '0' || p[0] == '1')) {
			strbuf_addch(out, p[0] == '1' ? 't' : 'f');
			return 0;
		}
		snprintf(emsg, emsz, "bad canonical boolean");
		return -1;
	case NT_FLOAT32:
		if (n != 4)
			goto badlen;
		{
			uint32_t bits = (uint32_t)canon_get_be(p, 4);
			float f;

			memcpy(&f, &bits, 4);
			if (isnan(f))
				strbuf_addstr(out, "NaN");
			else if (isinf(f))
				strbuf_addstr(out, f > 0 ? "Infinity" : "-Infinity");
			else {
				snprintf(num, sizeof(num), "%.9g", (double)f);
				strbuf_addstr(out, num);
			}
		}
		return 0;
	case NT_FLOAT64:
		if (n != 8)
			goto badlen;
		{
			uint64_t bits = canon_get_be(p, 8);
			double f;

			memcpy(&f, &bits, 8);
			if (isnan(f))
				strbuf_addstr(out, "NaN");
			else if (isinf(f))
				strbuf_addstr(out, f > 0 ? "Infinity" : "-Infinity");
			else {
				snprintf(num, sizeof(num), "%.17g", f);
				strbuf_addstr(out, num);
			}
		}
		return 0;
	case NT_BYTES:
	case NT_GEOMETRY:	/* WKB, as bytea */
		/* hex straight into out: no allocation per value */
		strbuf_grow(out, 2 * n + 3);
		strbuf_add(out, "\\x", 2);
		hex_encode(p, n, out->buf + out->len);
		out->len += 2 * n;
		out->buf[out->len] = '\0';
		return 0;
	case NT_DATE:
	case NT_TIMESTAMP:
		if (canon_is_zero_date(p, n))
			return 1;	/* a MySQL zero date: NULL (reported by the plan) */
		strbuf_add(out, p, n);
		return 0;
	case NT_SET: {
		/* "a,b" -> {"a","b"}; "" -> {} */
		strbuf_addch(out, '{');
		for (size_t i = 0; i < n; i++) {
			if (i == 0 || p[i - 1] == ',')
				strbuf_addch(out, '"');
			if (p[i] == ',') {
				strbuf_addstr(out, "\",");
				continue;
			}
			if (p[i] == '"' || p[i] == '\\')
				strbuf_addch(out, '\\');
			strbuf_addch(out, p[i]);
		}
		if (n)
			strbuf_addch(out, '"');
		strbuf_addch(out, '}');
		return 0;
	}
	case NT_TIMESTAMPTZ:
		if (canon_is_zero_date(p, n))
			return 1;
		if ((n == 8 && !memcmp(p, "infinity", 8)) ||
		    (n == 9 && !memcmp(p, "-infinity", 9))) {
			strbuf_add(out, p, n);
		} else if (n >= 3 && !memcmp(p + n - 3, " BC", 3)) {
			strbuf_add(out, p, n - 3);
			strbuf_addstr(out, "+00 BC");
		} else {
			strbuf_add(out, p, n);
			strbuf_addstr(out, "+00");
		}
		return 0;
	case NT_ARRAY:
		return array_canon_to_text(d, p, n, out, emsg, emsz);
	case NT_UNMAPPED:
	case NT__COUNT:
		snprintf(emsg, emsz, "BUG: no text form for an unmapped type");
		return -1;
	default:
		strbuf_add(out, p, n);
		return 0;
	}
badlen:
	snprintf(emsg, emsz, "bad canonical float length %zu", n);
	return -1;
}

/*
 * Arrays. PostgreSQL prints "{a,b,"c d",NULL}" nested per dimension, with
 * a "[lb:ub]..." prefix when a lower bound is not 1. Quoted elements use
 * backslash escapes; an unquoted NULL is the null element.
 */
struct arr_parse {
	const char *s;
	size_t n, i;
	int ndims;
	int dims[CANON_MAX_DIMS];
	int lbound[CANON_MAX_DIMS];
	struct strbuf elems;		/* element payloads, back to back */
	size_t nelems;
	size_t *offs, *lens;		/* per element; len SIZE_MAX = NULL */
	size_t cap;
	const struct ntype_desc *elem;
	char *emsg;
	size_t emsz;
};

static int
arr_push(struct arr_parse *ap, const char *txt, size_t n, int isnull)
{
	if (ap->nelems == ap->cap) {
		ap->cap = ap->cap ? ap->cap * 2 : 16;
		ap->offs = xrealloc(ap->offs, ap->cap * sizeof(size_t));
		ap->lens = xrealloc(ap->lens, ap->cap * sizeof(size_t));
	}
	if (isnull) {
		ap->offs[ap->nelems] = 0;
		ap->lens[ap->nelems++] = SIZE_MAX;
		return 0;
	}
	size_t start = ap->elems.len;

	if (pg_text_to_canon(ap->elem, txt, n, &ap->elems, ap->emsg, ap->emsz) < 0)
		return -1;
	ap->offs[ap->nelems] = start;
	ap->lens[ap->nelems++] = ap->elems.len - start;
	return 0;
}

static int
arr_level(struct arr_parse *ap, int depth)
{
	int count = 0;
	struct strbuf tok = STRBUF_INIT;
	int ret = -1;

	if (depth >= CANON_MAX_DIMS || ap->i >= ap->n || ap->s[ap->i] != '{')
		goto out;
	ap->i++;
	if (ap->i < ap->n && ap->s[ap->i] == '}') {
		ap->i++;
		ret = depth == 0 ? 0 : -1;	/* "{}" only at the top */
		goto out;
	}
	for (;;) {
		if (ap->i >= ap->n)
			goto out;
		if (ap->s[ap->i] == '{') {
			if (arr_level(ap, depth + 1) < 0)
				goto out;
		} else {
			if (ap->ndims && ap->ndims != depth + 1)
				goto out;
			ap->ndims = depth + 1;
			strbuf_reset(&tok);
			if (ap->s[ap->i] == '"') {
				ap->i++;
				while (ap->i < ap->n && ap->s[ap->i] != '"') {
					if (ap->s[ap->i] == '\\' && ap->i + 1 < ap->n)
						ap->i++;
					strbuf_addch(&tok, ap->s[ap->i++]);
				}
				if (ap->i >= ap->n)
					goto out;
				ap->i++;
				if (arr_push(ap, strbuf_cstr(&tok), tok.len, 0) < 0)
					goto out;
			} else {
				while (ap->i < ap->n && ap->s[ap->i] != ',' && ap->s[ap->i] != '}')
					strbuf_addch(&tok, ap->s[ap->i++]);
				if (tok.len == 4 && !strncasecmp(tok.buf, "NULL", 4)) {
					if (arr_push(ap, NULL, 0, 1) < 0)
						goto out;
				} else if (arr_push(ap, strbuf_cstr(&tok), tok.len, 0) < 0) {
					goto out;
				}
			}
		}
		count++;
		if (ap->i >= ap->n)
			goto out;
		if (ap->s[ap->i] == ',') {
			ap->i++;
			continue;
		}
		if (ap->s[ap->i] == '}') {
			ap->i++;
			break;
		}
		goto out;
	}
	if (ap->dims[depth] && ap->dims[depth] != count)
		goto out;		/* ragged */
	ap->dims[depth] = count;
	ret = 0;
out:
	strbuf_release(&tok);
	return ret;
}

static int
array_text_to_canon(const struct ntype_desc *d, const char *s, size_t n,
		    struct strbuf *out, char *emsg, size_t emsz)
{
	struct ntype_desc elem = *d;
	struct arr_parse ap;
	struct canon_array ca;
	int nlb = 0, lb[CANON_MAX_DIMS];
	int ret = -1;

	memset(&ap, 0, sizeof(ap));
	elem.t = d->elem;
	elem.elem = NT_UNMAPPED;
	ap.s = s;
	ap.n = n;
	ap.elem = &elem;
	ap.emsg = emsg;
	ap.emsz = emsz;
	emsg[0] = '\0';
	if (n && s[0] == '[') {
		/* "[lb:ub][lb:ub]=" */
		while (ap.i < n && s[ap.i] == '[' && nlb < CANON_MAX_DIMS) {
			long l = strtol(s + ap.i + 1, NULL, 10);

			lb[nlb++] = (int)l;
			while (ap.i < n && s[ap.i] != ']')
				ap.i++;
			ap.i++;
		}
		if (ap.i >= n || s[ap.i] != '=')
			goto bad;
		ap.i++;
	}
	if (arr_level(&ap, 0) < 0 || ap.i != n)
		goto bad;
	if (nlb && nlb != ap.ndims)
		goto bad;
	memset(&ca, 0, sizeof(ca));
	ca.ndims = ap.ndims;
	for (int k = 0; k < ap.ndims; k++) {
		ca.dims[k] = ap.dims[k];
		ca.lbound[k] = nlb ? lb[k] : 1;
	}
	ca.nelems = ap.nelems;
	ca.elems = xcalloc(ap.nelems ? ap.nelems : 1, sizeof(*ca.elems));
	for (size_t k = 0; k < ap.nelems; k++) {
		if (ap.lens[k] == SIZE_MAX) {
			ca.elems[k].isnull = 1;
		} else {
			ca.elems[k].p = (const unsigned char *)strbuf_cstr(&ap.elems) + ap.offs[k];
			ca.elems[k].len = ap.lens[k];
		}
	}
	canon_array_encode(out, &ca);
	free(ca.elems);
	ret = 0;
	goto out;
bad:
	if (!emsg[0])
		snprintf(emsg, emsz, "cannot parse array value '%.*s'", (int)(n > 40 ? 40 : n), s);
out:
	strbuf_release(&ap.elems);
	free(ap.offs);
	free(ap.lens);
	return ret;
}

/* One element of a PostgreSQL array literal: NULL, or quoted text. */
struct pg_elem {
	struct ntype_desc elem;
	struct strbuf tmp;
	char *emsg;
	size_t emsz;
};

static int
pg_elem_write(void *arg, const struct value *v, struct strbuf *out)
{
	struct pg_elem *e = arg;

	if (v->isnull) {
		strbuf_addstr(out, "NULL");
		return 0;
	}
	strbuf_reset(&e->tmp);
	if (pg_canon_to_text(&e->elem, v->p, v->len, &e->tmp, e->emsg, e->emsz) < 0)
		return -1;
	strbuf_addch(out, '"');
	for (size_t i = 0; i < e->tmp.len; i++) {
		if (e->tmp.buf[i] == '"' || e->tmp.buf[i] == '\\')
			strbuf_addch(out, '\\');
		strbuf_addch(out, e->tmp.buf[i]);
	}
	strbuf_addch(out, '"');
	return 0;
}

static int
array_canon_to_text(const struct ntype_desc *d, const unsigned char *p,
		    size_t n, struct strbuf *out, char *emsg, size_t emsz)
{
	struct pg_elem e = { *d, STRBUF_INIT, emsg, emsz };
	struct canon_array ca;
	int any_lb = 0, ret;

	e.elem.t = d->elem;
	e.elem.elem = NT_UNMAPPED;
	if (canon_array_decode(p, n, &ca, emsg, emsz) < 0)
		return -1;
	for (int k = 0; k < ca.ndims; k++)
		if (ca.lbound[k] != 1)
			any_lb = 1;
	if (any_lb) {
		for (int k = 0; k < ca.ndims; k++)
			strbuf_addf(out, "[%d:%d]", ca.lbound[k], ca.lbound[k] + ca.dims[k] - 1);
		strbuf_addch(out, '=');
	}
	ret = canon_array_write(&ca, '{', '}', pg_elem_write, &e, out);
	strbuf_release(&e.tmp);
	canon_array_release(&ca);
	return ret;
}

int
pg_type_to_ntype(const char *typname, char typtype, int typmod,
		 const char *elem_typname, char elem_typtype,
		 struct ntype_desc *out)
{
	static const struct {
		const char *name;
		enum ntype t;
	} scalars[] = {
		{ "bool", NT_BOOL }, { "int2", NT_INT16 }, { "int4", NT_INT32 },
		{ "int8", NT_INT64 }, { "numeric", NT_DECIMAL },
		{ "float4", NT_FLOAT32 }, { "float8", NT_FLOAT64 },
		{ "date", NT_DATE }, { "time", NT_TIME },
		{ "timestamp", NT_TIMESTAMP }, { "timestamptz", NT_TIMESTAMPTZ },
		{ "interval", NT_INTERVAL }, { "bpchar", NT_CHAR },
		{ "varchar", NT_VARCHAR }, { "text", NT_TEXT },
		{ "bytea", NT_BYTES }, { "json", NT_JSON }, { "jsonb", NT_JSONB },
		{ "uuid", NT_UUID }, { "inet", NT_INET }, { "cidr", NT_CIDR },
		{ "macaddr", NT_MACADDR },
	};

	memset(out, 0, sizeof(*out));
	out->precision = out->scale = out->length = out->fsp = -1;
	if (elem_typname) {
		struct ntype_desc e;

		if (pg_type_to_ntype(elem_typname, elem_typtype, typmod, NULL, 0, &e) < 0 ||
		    e.t == NT_ARRAY)
			return -1;
		*out = e;
		out->elem = e.t;
		out->t = NT_ARRAY;
		return 0;
	}
	if (typtype == 'e') {
		out->t = NT_ENUM;
		return 0;
	}
	if (typtype != 'b')
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(scalars); i++) {
		if (strcmp(scalars[i].name, typname))
			continue;
		out->t = scalars[i].t;
		switch (out->t) {
		case NT_DECIMAL:
			if (typmod >= 4) {
				out->precision = ((typmod - 4) >> 16) & 0xffff;
				out->scale = (typmod - 4) & 0xffff;
				/* PostgreSQL 15 allows negative scales, stored
				 * as an 11-bit signed field. */
				if (out->scale & 0x400)
					out->scale -= 0x800;
			}
			break;
		case NT_CHAR:
		case NT_VARCHAR:
			if (typmod >= 4)
				out->length = typmod - 4;
			break;
		case NT_TIME:
		case NT_TIMESTAMP:
		case NT_TIMESTAMPTZ:
			out->fsp = typmod >= 0 ? typmod : -1;
			break;
		default:
			break;
		}
		return 0;
	}
	return -1;
}

void
pg_quote_ident(struct strbuf *sb, const char *name)
{
	strbuf_addch(sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

void
pg_quote_qualified(struct strbuf *sb, const char *schema, const char *name)
{
	pg_quote_ident(sb, schema);
	strbuf_addch(sb, '.');
	pg_quote_ident(sb, name);
}

void
pg_quote_literal(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
}

int
pg_version_at_least(const char *v, int want)
{
	int major, minor;

	if (!v || sscanf(v, "%d.%d", &major, &minor) != 2)
		return 1;
	/* 10 and later: major.minor; before: 9.6.x is 90600 */
	return (major >= 10 ? major * 10000 : major * 10000 + minor * 100) >= want;
}
