/*
 * my_text.c - see my_text.h; canonical forms in dumpfmt/SPEC.md 4.3.
 */
#include "my_text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/canon.h"
#include "lib/base/floatfmt.h"
#include "lib/base/banned.h"

int
my_type_to_ntype(const char *dt, const char *ct, long long char_len, int prec,
		 int scale, int dt_prec, int is_json, struct ntype_desc *d)
{
	int uns = strstr(ct, "unsigned") != NULL;

	memset(d, 0, sizeof(*d));
	d->precision = d->scale = d->length = d->fsp = -1;
	d->is_unsigned = uns;
	if (!strcmp(dt, "tinyint"))
		d->t = NT_INT16;
	else if (!strcmp(dt, "smallint"))
		d->t = uns ? NT_INT32 : NT_INT16;
	else if (!strcmp(dt, "mediumint"))
		d->t = NT_INT32;
	else if (!strcmp(dt, "int") || !strcmp(dt, "integer"))
		d->t = uns ? NT_INT64 : NT_INT32;
	else if (!strcmp(dt, "bigint"))
		d->t = uns ? NT_UINT64 : NT_INT64;
	else if (!strcmp(dt, "decimal") || !strcmp(dt, "numeric")) {
		d->t = NT_DECIMAL;
		d->precision = prec;
		d->scale = scale;
	} else if (!strcmp(dt, "float"))
		d->t = NT_FLOAT32;
	else if (!strcmp(dt, "double") || !strcmp(dt, "real"))
		d->t = NT_FLOAT64;
	else if (!strcmp(dt, "bit")) {
		d->t = NT_BIT;
		d->length = prec;
	} else if (!strcmp(dt, "date"))
		d->t = NT_DATE;
	else if (!strcmp(dt, "datetime")) {
		d->t = NT_TIMESTAMP;
		d->fsp = dt_prec;
	} else if (!strcmp(dt, "timestamp")) {
		d->t = NT_TIMESTAMPTZ;
		d->fsp = dt_prec;
	} else if (!strcmp(dt, "time")) {
		d->t = NT_TIME;
		d->fsp = dt_prec;
	} else if (!strcmp(dt, "year"))
		d->t = NT_YEAR;
	else if (!strcmp(dt, "char")) {
		d->t = NT_CHAR;
		d->length = (int)char_len;
	} else if (!strcmp(dt, "varchar")) {
		d->t = NT_VARCHAR;
		d->length = (int)char_len;
	} else if (!strcmp(dt, "tinytext") || !strcmp(dt, "text") ||
		   !strcmp(dt, "mediumtext") || !strcmp(dt, "longtext"))
		d->t = is_json ? NT_JSON : NT_TEXT;
	else if (!strcmp(dt, "json"))
		d->t = NT_JSON;
	else if (!strcmp(dt, "binary") || !strcmp(dt, "varbinary")) {
		d->t = NT_BYTES;
		d->length = (int)char_len;
	} else if (!strcmp(dt, "tinyblob") || !strcmp(dt, "blob") ||
		   !strcmp(dt, "mediumblob") || !strcmp(dt, "longblob"))
		d->t = NT_BYTES;
	else if (!strcmp(dt, "enum"))
		d->t = NT_ENUM;
	else if (!strcmp(dt, "set"))
		d->t = NT_SET;
	else if (!strcmp(dt, "geometry") || !strcmp(dt, "point") ||
		 !strcmp(dt, "linestring") || !strcmp(dt, "polygon") ||
		 !strcmp(dt, "multipoint") || !strcmp(dt, "multilinestring") ||
		 !strcmp(dt, "multipolygon") || !strcmp(dt, "geometrycollection"))
		d->t = NT_GEOMETRY;
	else
		return -1;
	return 0;
}

void
my_quote_ident(struct strbuf *sb, const char *name)
{
	strbuf_addch(sb, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			strbuf_addch(sb, '`');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '`');
}

void
my_quote_literal(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'' || *p == '\\')
			strbuf_addch(sb, *p == '\'' ? '\'' : '\\');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
}

void
my_quote_literal_n(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addch(sb, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0') {
			strbuf_addstr(sb, "\\0");
			continue;
		}
		if (s[i] == '\'' || s[i] == '\\')
			strbuf_addch(sb, s[i] == '\'' ? '\'' : '\\');
		strbuf_addch(sb, s[i]);
	}
	strbuf_addch(sb, '\'');
}

void
my_select_expr(struct strbuf *sb, const char *name, const struct ntype_desc *d)
{
	switch (d->t) {
	case NT_FLOAT32:
		/* The text protocol prints FLOAT with 6 significant digits;
		 * as a double it is exact, and round-trips back to the float. */
		strbuf_addstr(sb, "CAST(");
		my_quote_ident(sb, name);
		strbuf_addstr(sb, " AS DOUBLE)");
		break;
	case NT_BIT:
		strbuf_addstr(sb, "LPAD(BIN(");
		my_quote_ident(sb, name);
		strbuf_addf(sb, "), %d, '0')", d->length > 0 ? d->length : 1);
		break;
	case NT_GEOMETRY:
		strbuf_addstr(sb, "ST_AsWKB(");
		my_quote_ident(sb, name);
		strbuf_addch(sb, ')');
		break;
	default:
		my_quote_ident(sb, name);
	}
}

size_t
my_trim_fraction(char *s, size_t n)
{
	char *dot = memchr(s, '.', n);

	if (!dot)
		return n;
	while (n > (size_t)(dot - s) + 1 && s[n - 1] == '0')
		n--;
	if (n == (size_t)(dot - s) + 1)
		n--;		/* the point itself */
	return n;
}

int
my_text_to_canon(const struct ntype_desc *d, const char *s, size_t n,
		 struct strbuf *out, char *emsg, size_t emsz)
{
	char num[64], *end;

	switch (d->t) {
	case NT_FLOAT32:
	case NT_FLOAT64:
		if (n == 0 || n >= sizeof(num)) {
			snprintf(emsg, emsz, "bad float '%.*s'", (int)(n > 30 ? 30 : n), s);
			return -1;
		}
		memcpy(num, s, n);
		num[n] = '\0';
		{
			double v = strtod(num, &end);

			if (*end) {
				snprintf(emsg, emsz, "bad float '%s'", num);
				return -1;
			}
			canon_put_float(out, v, d->t == NT_FLOAT32 ? 4 : 8);
		}
		return 0;
	case NT_TIME:
	case NT_TIMESTAMP:
	case NT_TIMESTAMPTZ: {
		/* MySQL pads fractions to the column's digits; canonical
		 * drops trailing zeros. */
		size_t k = out->len;

		strbuf_add(out, s, n);
		out->len = k + my_trim_fraction(out->buf + k, n);
		out->buf[out->len] = '\0';
		return 0;
	}
	default:
		strbuf_add(out, s, n);
		return 0;
	}
}

static void
json_string(struct strbuf *out, const unsigned char *p, size_t n)
{
	strbuf_addch(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\')
			strbuf_addf(out, "\\%c", c);
		else if (c < 0x20)
			strbuf_addf(out, "\\u%04x", c);
		else
			strbuf_addch(out, (char)c);
	}
	strbuf_addch(out, '"');
}

/* A PostgreSQL array (canonical) as a JSON array: numbers and booleans
 * as JSON's, json elements as they are, everything else as strings. */
/* One element of an array as JSON. */
struct json_elem {
	struct ntype_desc elem;
	struct strbuf tmp;
	char *emsg;
	size_t emsz;
};

static int
json_elem_write(void *arg, const struct value *v, struct strbuf *out)
{
	struct json_elem *e = arg;

	if (v->isnull) {
		strbuf_addstr(out, "null");
		return 0;
	}
	strbuf_reset(&e->tmp);
	switch (my_canon_to_text(&e->elem, v->p, v->len, &e->tmp, e->emsg, e->emsz)) {
	case 0:
		break;
	case 1:		/* a value the load stores as NULL */
		strbuf_addstr(out, "null");
		return 0;
	default:
		return -1;
	}
	switch (e->elem.t) {
	case NT_FLOAT32:
	case NT_FLOAT64: {
		/* as PostgreSQL's to_json writes it: a real 0.1 is 0.1, not
		 * the 0.10000000149011612 of the double it widens to */
		char num[40];

		float_shortest(num, sizeof(num), canon_get_float(v->p, e->elem.t == NT_FLOAT32 ? 4 : 8),
			       e->elem.t == NT_FLOAT32);
		strbuf_addstr(out, num);
		break;
	}
	case NT_INT16: case NT_INT32: case NT_INT64: case NT_UINT64:
	case NT_DECIMAL: case NT_JSON: case NT_JSONB:
		strbuf_add(out, e->tmp.buf, e->tmp.len);
		break;
	case NT_BOOL:
		strbuf_addstr(out, e->tmp.len && e->tmp.buf[0] == '1' ? "true" : "false");
		break;
	default:
		json_string(out, (const unsigned char *)strbuf_cstr(&e->tmp), e->tmp.len);
	}
	return 0;
}

static int
array_to_json(const struct ntype_desc *d, const unsigned char *p, size_t n,
	      struct strbuf *out, char *emsg, size_t emsz)
{
	struct json_elem e = { *d, STRBUF_INIT, emsg, emsz };
	struct canon_array a;
	int ret;

	e.elem.t = d->elem;
	if (canon_array_decode(p, n, &a, emsg, emsz) < 0)
		return -1;
	ret = canon_array_write(&a, '[', ']', json_elem_write, &e, out);
	strbuf_release(&e.tmp);
	canon_array_release(&a);
	return ret;
}

/* A value MySQL cannot hold: NULL where the load chose so, else an
 * error that says how to get past it. */
static int
unholdable(const struct ntype_desc *d, const char *what, char *emsg, size_t emsz)
{
	if (d->special == NT_SPECIAL_NULL)
		return 1;
	snprintf(emsg, emsz, "MySQL cannot store %s (a load or copy with --special-values=null "
		 "stores such values as NULL, and cdc-tail then does the same)", what);
	return -1;
}

int
my_canon_to_text(const struct ntype_desc *d, const unsigned char *p, size_t n,
		 struct strbuf *out, char *emsg, size_t emsz)
{
	char num[64];

	switch (d->t) {
	case NT_FLOAT32:
	case NT_FLOAT64: {
		double v;

		if (n != (d->t == NT_FLOAT32 ? 4u : 8u)) {
			snprintf(emsg, emsz, "bad canonical float length %zu", n);
			return -1;
		}
		if (d->t == NT_FLOAT32) {
			uint32_t bits = (uint32_t)canon_get_be(p, 4);
			float f;

			memcpy(&f, &bits, 4);
			v = f;
		} else {
			uint64_t bits = canon_get_be(p, 8);

			memcpy(&v, &bits, 8);
		}
		if (isnan(v) || isinf(v))
			return unholdable(d, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity",
					  emsg, emsz);
		/* A float goes out as its exact double: MySQL parses to
		 * double first and checks the FLOAT range there, so the
		 * 9-digit form of FLT_MAX would be "out of range". */
		snprintf(num, sizeof(num), "%.17g", v);
		strbuf_addstr(out, num);
		return 0;
	}
	case NT_BOOL:
		if (n == 1 && (p[0] == '0' || p[0] == '1')) {
			strbuf_addch(out, p[0]);
			return 0;
		}
		snprintf(emsg, emsz, "bad canonical boolean");
		return -1;
	case NT_BIT: {
		/* BIT stores big-endian bytes; a string assigned to it is
		 * taken as those bytes. */
		size_t nbytes = (n + 7) / 8;
		unsigned char byte = 0;

		for (size_t i = 0; i < n; i++) {
			if (p[i] != '0' && p[i] != '1') {
				snprintf(emsg, emsz, "bad canonical bit string");
				return -1;
			}
		}
		for (size_t b = 0; b < nbytes; b++) {
			/* bits of byte b: positions counted from the right end */
			byte = 0;
			for (int k = 7; k >= 0; k--) {
				size_t bitpos = (nbytes - 1 - b) * 8 + (size_t)k;	/* from the right */

				byte <<= 1;
				if (bitpos < n && p[n - 1 - bitpos] == '1')
					byte |= 1;
			}
			strbuf_addch(out, byte);
		}
		return 0;
	}
	case NT_DATE:
	case NT_TIMESTAMP:
	case NT_TIMESTAMPTZ:
		if ((n >= 3 && !memcmp(p + n - 3, " BC", 3)) || (n >= 8 && !memcmp(p + n - 8, "infinity", 8)) ||
		    (n > 4 && p[4] != '-')) {
			char what[64];

			snprintf(what, sizeof(what), "the date '%.*s'", (int)(n > 40 ? 40 : n), p);
			return unholdable(d, what, emsg, emsz);
		}
		strbuf_add(out, p, n);
		return 0;
	case NT_DECIMAL:
		if (n && (p[0] == 'N' || p[0] == 'I' || (p[0] == '-' && n > 1 && p[1] == 'I')) &&
		    d->special != NT_SPECIAL_TEXT) {
			char what[64];

			snprintf(what, sizeof(what), "the number '%.*s'", (int)(n > 20 ? 20 : n), p);
			return unholdable(d, what, emsg, emsz);
		}
		strbuf_add(out, p, n);
		return 0;
	case NT_ARRAY:
		return array_to_json(d, p, n, out, emsg, emsz);
	case NT_UUID:
		if (d->length == 16) {
			/* binary(16): the 32 hex digits as bytes, in order */
			unsigned char b[16];
			size_t k = 0;

			for (size_t i = 0; i + 1 < n && k < 16; i++) {
				int hi, lo;

				if (p[i] == '-')
					continue;
				hi = p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10;
				lo = p[i + 1] <= '9' ? p[i + 1] - '0' : (p[i + 1] | 0x20) - 'a' + 10;
				if (hi < 0 || hi > 15 || lo < 0 || lo > 15)
					break;
				b[k++] = (unsigned char)(hi * 16 + lo);
				i++;
			}
			if (k != 16) {
				snprintf(emsg, emsz, "bad uuid '%.*s'", (int)(n > 40 ? 40 : n), p);
				return -1;
			}
			strbuf_add(out, b, 16);
			return 0;
		}
		strbuf_add(out, p, n);
		return 0;
	case NT_GEOMETRY:
		/* Internal geometry: a 4-byte SRID (0, not kept) and the WKB. */
		strbuf_add(out, "\0\0\0\0", 4);
		strbuf_add(out, p, n);
		return 0;
	default:
		strbuf_add(out, p, n);
		return 0;
	}
}

/* What LOAD DATA's default format escapes. */
static const char *const tsv_escapes[256] = {
	['\\'] = "\\\\", ['\t'] = "\\t", ['\n'] = "\\n", ['\0'] = "\\0",
};

void
my_tsv_escape(struct strbuf *out, const char *p, size_t n)
{
	strbuf_add_escaped(out, p, n, tsv_escapes);
}

int
my_version_at_least(const char *v, int mysql, int mariadb)
{
	int major, minor, patch;

	if (!v || sscanf(v, "%d.%d.%d", &major, &minor, &patch) != 3)
		return 1;
	return major * 10000 + minor * 100 + patch >= (strstr(v, "MariaDB") ? mariadb : mysql);
}
