/*
 * my_ddl_pg.c - recreating a PostgreSQL dump on MySQL/MariaDB.
 *
 * Tables land in the target database, which takes one PostgreSQL schema
 * at a time (a dump of several is refused before the target is touched;
 * choose one with -t 'schema.*'). Tables use utf8mb4 with the
 * binary collation, which compares text as PostgreSQL's C collation does
 * and keeps 'a' and 'A' distinct in unique keys. Every lossy or
 * approximate choice is a note naming schema.table.column, and what is not
 * carried (CHECK and exclusion constraints, expression and partial
 * indexes, untranslatable defaults) is named too.
 */
#include "my_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/base/keyrange.h"
#include "lib/base/banned.h"

/* The MySQL table name for a PostgreSQL table: its own name (one schema
 * per target database). */
static void
target_name(const struct schema_model *s, const char *schema, const char *name,
	    struct strbuf *out)
{
	(void)s;
	(void)schema;
	strbuf_addstr(out, name);
}

/* InnoDB's limit on a key's length, in bytes, all its columns together. */
#define KEY_BYTES	3072
#define TEXT_KEY_CHARS	768	/* one utf8mb4 text column alone: 3072 / 4 */

static const struct column *
find_col(const struct table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

/* Whether col is text MySQL can only key by a length: text, or varchar
 * longer than one key allows. */
static int
is_long_text(const struct column *col)
{
	return col && (col->type.t == NT_TEXT ||
		       (col->type.t == NT_VARCHAR && !(col->type.length > 0 &&
						       col->type.length <= TEXT_KEY_CHARS)));
}

/* The bytes a column takes in a key as this translator types it. */
static int
key_bytes(const struct column *col)
{
	const struct ntype_desc *d = &col->type;

	switch (d->t) {
	case NT_BOOL: return 1;
	case NT_INT16: return 2;
	case NT_INT32: case NT_FLOAT32: case NT_DATE: return 4;
	case NT_INT64: case NT_UINT64: case NT_FLOAT64: case NT_TIMESTAMP: case NT_TIMESTAMPTZ:
		return 8;
	case NT_TIME: return 6;
	case NT_DECIMAL: return 32;
	case NT_UUID: return d->length == 16 ? 16 : 36 * 4;
	case NT_CHAR: return 4 * (d->length > 0 ? d->length : 255);
	case NT_VARCHAR: return is_long_text(col) ? 0 : 4 * d->length + 2;
	case NT_BYTES: return 0;	/* sized with the text */
	case NT_ENUM: return 2;
	case NT_INET: case NT_CIDR: return 4 * 43 + 2;
	case NT_MACADDR: return 4 * 17 + 2;
	case NT_INTERVAL: return 4 * 64 + 2;
	default: return 4 * 64;
	}
}

/* The keys that need their columns whole (primary, unique, foreign):
 * each long text column of one gets an equal share of the bytes the
 * other columns leave; a column in several keys, its smallest share.
 * Returns the column's length in characters (bytes for bytea), 0 when it
 * is in no such key, -1 when a key cannot fit at all. */
/* The column lists of the keys that need their columns whole: primary,
 * unique and foreign keys, and unique indexes; calls fn for each. */
static int
whole_keys(const struct table *t, int (*fn)(const struct table *t, const char *name,
					   const struct strlist *cols, void *arg), void *arg)
{
	int r;

	for (int k = 0; k < t->ncons; k++)
		if ((t->cons[k].kind == 'p' || t->cons[k].kind == 'u' || t->cons[k].kind == 'f') &&
		    (r = fn(t, t->cons[k].name, &t->cons[k].columns, arg)) != 0)
			return r;
	for (int k = 0; k < t->nidx; k++)
		if (t->idx[k].unique && !t->idx[k].prefix &&
		    (r = fn(t, t->idx[k].name, &t->idx[k].columns, arg)) != 0)
			return r;
	return 0;
}

/* The bytes one character of col takes in a key: 4 in utf8mb4, 1 binary. */
static int
key_unit(const struct column *col)
{
	return col->type.t == NT_BYTES ? 1 : 4;
}

/* The bytes of a key's columns that are not long text, how many are, and
 * the bytes the long ones' longest values take together (-1 when a
 * dump from before dbmig measured them does not say). */
static void
key_parts(const struct table *t, const struct strlist *cols, int *fixed, int *nlong,
	  int64_t *longest)
{
	*fixed = *nlong = 0;
	*longest = 0;
	for (size_t i = 0; i < cols->n; i++) {
		const struct column *c = find_col(t, cols->v[i]);

		if (c && (is_long_text(c) || c->type.t == NT_BYTES)) {
			(*nlong)++;
			if (!c->has_max_len || *longest < 0)
				*longest = -1;
			else	/* an empty column still needs room for one */
				*longest += key_unit(c) * (c->max_len > 0 ? c->max_len : 1);
		} else if (c) {
			*fixed += key_bytes(c);
		}
	}
}

struct share_arg {
	const struct column *col;
	int best;
};

static int
share_in_key(const struct table *t, const char *name, const struct strlist *cols, void *arg)
{
	struct share_arg *a = arg;
	const struct column *col = a->col;
	int fixed, nlong, share;
	int64_t longest;

	(void)name;
	if (!strlist_has(cols, col->name))
		return 0;
	key_parts(t, cols, &fixed, &nlong, &longest);
	if (!nlong)
		return 0;
	if (longest >= 0 && fixed + longest <= KEY_BYTES)
		/* measured: each its longest value, and an equal part of what is left */
		share = (int)(col->max_len > 0 ? col->max_len : 1) +
			(int)((KEY_BYTES - fixed - longest) / nlong) / key_unit(col);
	else
		share = (KEY_BYTES - fixed) / nlong / key_unit(col);
	if (share < 1)
		return -1;
	if (share > (col->type.t == NT_BYTES ? KEY_BYTES : TEXT_KEY_CHARS))
		share = col->type.t == NT_BYTES ? KEY_BYTES : TEXT_KEY_CHARS;
	if (!a->best || share < a->best)
		a->best = share;
	return 0;
}

static int
key_share(const struct table *t, const struct column *col)
{
	struct share_arg a = { col, 0 };

	return whole_keys(t, share_in_key, &a) < 0 ? -1 : a.best;
}

struct fit_arg {
	const char *tn;
	struct dberr *err;
};

/* A key whose fixed columns alone pass the limit, or leave a long text
 * column no room: refused, naming it, before anything is created. */
static int
key_fits(const struct table *t, const char *name, const struct strlist *cols, void *arg)
{
	struct fit_arg *a = arg;
	int fixed, nlong;
	int64_t longest;

	key_parts(t, cols, &fixed, &nlong, &longest);
	if (longest > 0 && fixed + longest > KEY_BYTES) {
		dberr_set(a->err, DBERR_UNSUPPORTED, "key %s of table %s needs %" PRId64 " bytes for "
			  "its longest values (text at 4 bytes a character), more than InnoDB's %d "
			  "for a key's columns together: shorten those values, or exclude the "
			  "table with -T", name, a->tn, fixed + longest, KEY_BYTES);
		return -1;
	}
	if (fixed + 4 * nlong <= KEY_BYTES)
		return 0;
	dberr_set(a->err, DBERR_UNSUPPORTED, "key %s of table %s needs about %d bytes, more than "
		  "InnoDB's %d for a key's columns together; shorten its columns, or exclude the "
		  "table with -T", name, a->tn, fixed + 4 * nlong, KEY_BYTES);
	return -1;
}

/* The columns of a plain index: a long text column as a prefix of what a
 * key can hold, since it stays longtext. */
static void
index_columns(struct strbuf *sql, const struct table *t, const struct strlist *cols)
{
	strbuf_addch(sql, '(');
	for (size_t i = 0; i < cols->n; i++) {
		const struct column *c = find_col(t, cols->v[i]);

		if (i)
			strbuf_addstr(sql, ", ");
		my_quote_ident(sql, cols->v[i]);
		if (c && key_share(t, c) == 0 && (is_long_text(c) || c->type.t == NT_BYTES))
			strbuf_addf(sql, "(%d)", (is_long_text(c) ? TEXT_KEY_CHARS : KEY_BYTES) /
				    (int)cols->n);
	}
	strbuf_addch(sql, ')');
}

static const struct enum_type *
find_enum(const struct schema_model *s, const char *native)
{
	const char *name = native, *dot = strrchr(native, '.');
	struct strbuf q = STRBUF_INIT;
	const struct enum_type *hit = NULL;

	for (int i = 0; i < s->nenums && !hit; i++) {
		strbuf_reset(&q);
		strbuf_addf(&q, "%s.%s", s->enums[i].schema, s->enums[i].name);
		if (!strcmp(q.buf, name) || (dot && !strcmp(s->enums[i].name, dot + 1)) ||
		    !strcmp(s->enums[i].name, name))
			hit = &s->enums[i];
	}
	strbuf_release(&q);
	return hit;
}

/* --special-values=null: a column whose values can be NaN, an infinity
 * or a date beyond MySQL's years (or an array of them) stores those as
 * NULL, at the load and in cdc-tail alike */
static void
special_values(const struct table *t, const struct column *col, struct ddl_plan *plan)
{
	enum ntype nt = col->type.t == NT_ARRAY ? col->type.elem : col->type.t;

	if (!plan->special_null)
		return;
	switch (nt) {
	case NT_FLOAT32: case NT_FLOAT64: case NT_DECIMAL:
	case NT_DATE: case NT_TIMESTAMP: case NT_TIMESTAMPTZ:
		ddl_plan_xform(plan, t, col->name, XF_SPECIAL_NULL);
		break;
	default:
		break;
	}
}

static void
column_type(struct strbuf *sql, const struct schema_model *s, const struct table *t,
	    const struct column *col, struct ddl_plan *plan)
{
	const struct ntype_desc *d = &col->type;
	int key = key_share(t, col);

	switch (d->t) {
	case NT_BOOL: strbuf_addstr(sql, "tinyint(1)"); break;
	case NT_INT16: strbuf_addstr(sql, "smallint"); break;
	case NT_INT32: strbuf_addstr(sql, "int"); break;
	case NT_INT64: strbuf_addstr(sql, "bigint"); break;
	case NT_UINT64: strbuf_addstr(sql, "bigint unsigned"); break;
	case NT_DECIMAL:
		if (d->precision > 0 && d->precision <= 65 && d->scale >= 0 && d->scale <= 30) {
			strbuf_addf(sql, "decimal(%d,%d)", d->precision, d->scale);
		} else if (plan->unbounded_numeric == 2) {
			strbuf_addstr(sql, "double");
			ddl_plan_note(plan, t, col->name, "%s becomes double: approximate (--unbounded-numeric=double)",
			     col->native_type);
		} else if (plan->unbounded_numeric == 3) {
			strbuf_addstr(sql, "varchar(1000)");
			ddl_plan_xform(plan, t, col->name, XF_NUMERIC_TEXT);
			ddl_plan_note(plan, t, col->name, "%s becomes varchar(1000) holding the exact digits "
			     "(--unbounded-numeric=text)", col->native_type);
		} else {
			/* decimal(65,30) when chosen; a value beyond it then fails
			 * its chunk. Unchosen, column_type's caller refuses. */
			strbuf_addstr(sql, "decimal(65,30)");
			ddl_plan_note(plan, t, col->name, "%s becomes decimal(65,30) (--unbounded-numeric=decimal): "
			     "values with more than 35 integer or 30 fraction digits would not load",
			     col->native_type);
		}
		break;
	case NT_FLOAT32: strbuf_addstr(sql, "float"); break;
	case NT_FLOAT64: strbuf_addstr(sql, "double"); break;
	case NT_CHAR:
		if (d->length > 0 && d->length <= 255)
			strbuf_addf(sql, "char(%d)", d->length);
		else
			strbuf_addf(sql, "varchar(%d)", d->length > 0 ? d->length : 255);
		break;
	case NT_VARCHAR:
		if (d->length > 0 && d->length <= (key > 0 ? key : 16383)) {
			strbuf_addf(sql, "varchar(%d)", d->length);
			break;
		}
		/* too long for a row or a key: as text */
		__attribute__((fallthrough));
	case NT_TEXT:
		if (key > 0 && col->has_max_len) {
			strbuf_addf(sql, "varchar(%d)", key);
			ddl_plan_note(plan, t, col->name, "%s in a key becomes varchar(%d) (the key's "
				      "columns share InnoDB's 3072 bytes, sized from the longest "
				      "values, here %" PRId64 " character%s): longer new values would "
				      "not load", col->native_type, key, col->max_len,
				      col->max_len == 1 ? "" : "s");
		} else if (key > 0) {
			strbuf_addf(sql, "varchar(%d)", key);
			ddl_plan_note(plan, t, col->name, "%s in a key becomes varchar(%d) (the key's "
				      "columns share InnoDB's 3072 bytes): longer values would not load",
				      col->native_type, key);
		} else {
			strbuf_addstr(sql, "longtext");
			if (d->t == NT_VARCHAR)
				ddl_plan_note(plan, t, col->name, "%s becomes longtext (beyond MySQL's row size)",
				     col->native_type);
			if (col->unmapped_from)
				ddl_plan_note(plan, t, col->name, "type '%s' has no mapping: carried as text",
				     col->unmapped_from);
		}
		break;
	case NT_BYTES:
		if (key > 0) {
			strbuf_addf(sql, "varbinary(%d)", key);
			ddl_plan_note(plan, t, col->name, "bytea in a key becomes varbinary(%d)", key);
		} else {
			strbuf_addstr(sql, "longblob");
		}
		break;
	case NT_DATE: strbuf_addstr(sql, "date"); break;
	case NT_TIME: strbuf_addf(sql, "time(%d)", d->fsp >= 0 ? d->fsp : 6); break;
	case NT_TIMESTAMP: strbuf_addf(sql, "datetime(%d)", d->fsp >= 0 ? d->fsp : 6); break;
	case NT_TIMESTAMPTZ:
		strbuf_addf(sql, "datetime(%d)", d->fsp >= 0 ? d->fsp : 6);
		ddl_plan_note(plan, t, col->name, "timestamptz becomes datetime(%d) holding UTC",
		     d->fsp >= 0 ? d->fsp : 6);
		break;
	case NT_INTERVAL:
		strbuf_addstr(sql, "varchar(64)");
		ddl_plan_note(plan, t, col->name, "interval becomes varchar(64) holding ISO 8601 durations");
		break;
	case NT_UUID:
		if (d->length == 16) {
			strbuf_addstr(sql, "binary(16)");
			ddl_plan_note(plan, t, col->name, "uuid becomes binary(16) (--uuid=binary)");
			ddl_plan_xform(plan, t, col->name, XF_UUID_BINARY);
		} else {
			strbuf_addstr(sql, "char(36)");
		}
		break;
	case NT_JSON:
	case NT_JSONB:
		strbuf_addstr(sql, "json");
		break;
	case NT_INET:
	case NT_CIDR: strbuf_addstr(sql, "varchar(43)"); break;
	case NT_MACADDR: strbuf_addstr(sql, "varchar(17)"); break;
	case NT_ENUM: {
		const struct enum_type *e = find_enum(s, col->native_type);

		if (!e) {
			strbuf_addstr(sql, "varchar(255)");
			ddl_plan_note(plan, t, col->name, "enum %s not found in the dump: varchar(255)",
			     col->native_type);
			break;
		}
		strbuf_addstr(sql, "enum(");
		for (size_t i = 0; i < e->labels.n; i++) {
			if (i)
				strbuf_addch(sql, ',');
			my_quote_literal(sql, e->labels.v[i]);
		}
		strbuf_addch(sql, ')');
		break;
	}
	case NT_ARRAY:
		strbuf_addstr(sql, "json");
		ddl_plan_note(plan, t, col->name, "%s becomes a JSON array (lower bounds other than 1 "
		     "are not kept)", col->native_type);
		break;
	default:
		strbuf_addstr(sql, "longtext");
		ddl_plan_note(plan, t, col->name, "no MySQL type for %s: longtext", ntype_name(d->t));
	}
	special_values(t, col, plan);
}

/* PostgreSQL's text form of an array ('{1,2}', '{{a,"b c"},{NULL,d}}')
 * parsed into elements in row-major order and the lengths of each
 * dimension; decorations ('[0:1]={...}') are refused. */
struct array_text {
	struct strbuf *elems;
	int *isnull;
	size_t n, alloc;
	int ndims, dims[CANON_MAX_DIMS], seen[CANON_MAX_DIMS];
};

static void
array_text_push(struct array_text *a, const char *p, size_t len, int isnull)
{
	if (a->n == a->alloc) {
		a->alloc = a->alloc ? 2 * a->alloc : 8;
		a->elems = xrealloc(a->elems, a->alloc * sizeof(*a->elems));
		a->isnull = xrealloc(a->isnull, a->alloc * sizeof(*a->isnull));
	}
	memset(&a->elems[a->n], 0, sizeof(a->elems[a->n]));
	strbuf_add(&a->elems[a->n], p, len);
	a->isnull[a->n++] = isnull;
}

static void
array_text_release(struct array_text *a)
{
	for (size_t i = 0; i < a->n; i++)
		strbuf_release(&a->elems[i]);
	free(a->elems);
	free(a->isnull);
}

/* One {...} at depth d from *pp; -1 on anything but a plain array. */
static int
array_text_level(struct array_text *a, const char **pp, int d)
{
	const char *p = *pp;
	int items = 0;

	if (*p++ != '{' || d >= CANON_MAX_DIMS)
		return -1;
	if (d + 1 > a->ndims)
		a->ndims = d + 1;
	while (*p && *p != '}') {
		if (items && *p++ != ',')
			return -1;
		if (*p == '{') {
			if (array_text_level(a, &p, d + 1) < 0)
				return -1;
		} else if (*p == '"') {
			struct strbuf e = STRBUF_INIT;

			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				strbuf_addch(&e, *p);
			}
			if (*p++ != '"') {
				strbuf_release(&e);
				return -1;
			}
			array_text_push(a, e.buf ? e.buf : "", e.len, 0);
			strbuf_release(&e);
		} else {
			size_t len = strcspn(p, ",}");

			if (!len || memchr(p, '{', len) || memchr(p, '"', len) || memchr(p, '\\', len))
				return -1;
			array_text_push(a, p, len, len == 4 && !strncasecmp(p, "NULL", 4));
			p += len;
		}
		items++;
	}
	if (*p++ != '}')
		return -1;
	if (!a->seen[d]++)
		a->dims[d] = items;
	else if (a->dims[d] != items)
		return -1;	/* not rectangular */
	*pp = p;
	return 0;
}

/* The canonical payload of one element of type t given as PostgreSQL
 * prints it: what a dump would hold for it. */
static int
array_elem_canon(enum ntype t, struct strbuf *e)
{
	char *end;

	if (t == NT_BOOL) {
		int v = e->len && strchr("tTyY1", e->buf[0]) ? 1 : e->len && strchr("fFnN0", e->buf[0]) ? 0 : -1;

		if (v < 0)
			return -1;
		strbuf_reset(e);
		strbuf_addch(e, v ? '1' : '0');
	} else if (t == NT_FLOAT32 || t == NT_FLOAT64) {
		double v = strtod(strbuf_cstr(e), &end);

		if (!e->len || *end)
			return -1;
		strbuf_reset(e);
		canon_put_float(e, v, t == NT_FLOAT32 ? 4 : 8);
	}
	return 0;
}

/* An array default as the JSON the load writes for the same array. */
static int
array_default_json(const struct column *col, const char *lit, struct strbuf *out)
{
	struct array_text a = { 0 };
	struct canon_array ca = { 0 };
	struct strbuf enc = STRBUF_INIT;
	const char *p = lit;
	size_t total = 1;
	char emsg[128];
	int ret = -1;

	if (array_text_level(&a, &p, 0) < 0 || *p)
		goto out;
	for (int d = 0; d < a.ndims; d++)
		total *= (size_t)a.dims[d];
	if (a.ndims == 1 && a.dims[0] == 0)
		a.ndims = 0;	/* '{}': no dimensions, as PostgreSQL holds it */
	if ((a.ndims && total != a.n) || (!a.ndims && a.n))
		goto out;
	ca.ndims = a.ndims;
	ca.nelems = a.n;
	ca.elems = xcalloc(a.n + 1, sizeof(*ca.elems));
	for (int d = 0; d < a.ndims; d++) {
		ca.dims[d] = a.dims[d];
		ca.lbound[d] = 1;
	}
	for (size_t i = 0; i < a.n; i++) {
		if (!a.isnull[i] && array_elem_canon(col->type.elem, &a.elems[i]) < 0)
			goto out;
		ca.elems[i].isnull = a.isnull[i];
		ca.elems[i].p = (const unsigned char *)strbuf_cstr(&a.elems[i]);
		ca.elems[i].len = a.elems[i].len;
	}
	canon_array_encode(&enc, &ca);
	/* (a default the target would hold as NULL is not carried) */
	ret = my_canon_to_text(&col->type, (const unsigned char *)strbuf_cstr(&enc), enc.len, out,
			       emsg, sizeof(emsg)) == 0 ? 0 : -1;
out:
	free(ca.elems);
	strbuf_release(&enc);
	array_text_release(&a);
	return ret;
}

static void
default_literal(struct strbuf *sql, const char *v)
{
	strbuf_addstr(sql, " DEFAULT ");
	my_quote_literal(sql, v);
}

/* A constant default (its text as PostgreSQL prints it) written in the
 * form the load writes the column's values in, so a row that takes the
 * default on the target holds what it would hold on the source. */
static int
literal_default(struct strbuf *sql, const struct column *col, const char *lit)
{
	const struct ntype_desc *d = &col->type;
	struct strbuf v = STRBUF_INIT;
	int ret = 1;

	switch (d->t) {
	case NT_ARRAY:
		if (array_default_json(col, lit, &v) < 0)
			ret = 0;
		else
			default_literal(sql, strbuf_cstr(&v));
		break;
	case NT_BOOL:
		if (strchr("tTyY1", lit[0]) && lit[0])
			strbuf_addstr(sql, " DEFAULT 1");
		else if (strchr("fFnN0", lit[0]) && lit[0])
			strbuf_addstr(sql, " DEFAULT 0");
		else
			ret = 0;
		break;
	case NT_BYTES:
		/* bytea's hex form; the escape form only without escapes */
		if (lit[0] == '\\' && lit[1] == 'x' && strspn(lit + 2, "0123456789abcdefABCDEF") ==
		    strlen(lit + 2))
			strbuf_addf(sql, " DEFAULT X'%s'", lit + 2);
		else if (!strchr(lit, '\\'))
			default_literal(sql, lit);
		else
			ret = 0;
		break;
	case NT_UUID:
		if (d->length == 16) {	/* binary(16): the 16 bytes */
			for (const char *p = lit; *p; p++)
				if (*p != '-')
					strbuf_addch(&v, *p);
			if (v.len != 32 || strspn(v.buf, "0123456789abcdefABCDEF") != 32)
				ret = 0;
			else
				strbuf_addf(sql, " DEFAULT X'%s'", v.buf);
		} else {
			default_literal(sql, lit);
		}
		break;
	case NT_TIMESTAMPTZ: {
		/* the column holds UTC: only a UTC literal is the same instant */
		size_t n = strlen(lit);

		if (n > 3 && !strcmp(lit + n - 3, "+00")) {
			strbuf_add(&v, lit, n - 3);
			default_literal(sql, strbuf_cstr(&v));
		} else {
			ret = 0;
		}
		break;
	}
	default:
		default_literal(sql, lit);
	}
	strbuf_release(&v);
	return ret;
}

/* The PostgreSQL functions a default may call that have a MySQL
 * equivalent, by the column's type. A timestamptz holds UTC on MySQL
 * (a datetime), so its "now" is UTC_TIMESTAMP, whatever the session's
 * time zone; a timestamp's is the session's local time on both sides. */
static int
function_default(struct strbuf *sql, const struct column *col, const char *d,
		 const struct ddl_plan *plan)
{
	static const char *const now_fns[] = {
		"now()", "CURRENT_TIMESTAMP", "transaction_timestamp()", "statement_timestamp()",
		"clock_timestamp()", "LOCALTIMESTAMP",
	};
	int fsp = col->type.fsp >= 0 ? col->type.fsp : 6;
	int is_now = 0;

	for (size_t i = 0; i < ARRAY_SIZE(now_fns); i++)
		is_now |= !strcmp(d, now_fns[i]);
	if (is_now && col->type.t == NT_TIMESTAMP)
		strbuf_addf(sql, " DEFAULT CURRENT_TIMESTAMP(%d)", fsp);
	else if (!my_version_at_least(plan->target_version, 80013, 100201))
		return 0;	/* an expression default: MySQL 8.0.13, MariaDB 10.2.1 */
	else if (is_now && col->type.t == NT_TIMESTAMPTZ)
		strbuf_addf(sql, " DEFAULT (UTC_TIMESTAMP(%d))", fsp);
	else if (!strcmp(d, "CURRENT_DATE") && col->type.t == NT_DATE)
		strbuf_addstr(sql, " DEFAULT (CURRENT_DATE)");
	else if ((!strcmp(d, "CURRENT_TIME") || !strcmp(d, "LOCALTIME")) && col->type.t == NT_TIME)
		strbuf_addf(sql, " DEFAULT (CURTIME(%d))", fsp);
	else if ((!strcmp(d, "gen_random_uuid()") || !strcmp(d, "uuid_generate_v4()")) &&
		 col->type.t == NT_UUID)
		strbuf_addstr(sql, col->type.length == 16
			      ? " DEFAULT (UNHEX(REPLACE(UUID(), '-', '')))" : " DEFAULT (UUID())");
	else
		return 0;
	return 1;
}

/* A PostgreSQL default as MySQL says it; 0 when it cannot be said. */
static int
column_default(struct strbuf *sql, const struct column *col, const struct ddl_plan *plan)
{
	const char *d = col->default_expr;
	size_t n;

	if (!d)
		return 1;
	n = strlen(d);
	if (strspn(d, "-0123456789.") == n) {
		strbuf_addf(sql, " DEFAULT %s", d);
		return 1;
	}
	if (!strcmp(d, "true") || !strcmp(d, "false")) {
		strbuf_addstr(sql, !strcmp(d, "true") ? " DEFAULT 1" : " DEFAULT 0");
		return 1;
	}
	if (col->type.t == NT_ARRAY && !strncmp(d, "ARRAY[]::", 9))
		return literal_default(sql, col, "{}");	/* Rails' empty array */
	if (function_default(sql, col, d, plan))
		return 1;
	if (d[0] == '\'') {
		/* 'literal'::type */
		struct strbuf lit = STRBUF_INIT;
		size_t i;

		for (i = 1; i < n; i++) {
			if (d[i] == '\'') {
				if (d[i + 1] == '\'') {
					i++;
				} else {
					break;
				}
			}
			strbuf_addch(&lit, d[i]);
		}
		if (i < n && (d[i + 1] == '\0' || d[i + 1] == ':')) {
			int ok = literal_default(sql, col, strbuf_cstr(&lit));

			strbuf_release(&lit);
			return ok;
		}
		strbuf_release(&lit);
	}
	return 0;
}

static const struct sequence *
owned_sequence(const struct schema_model *s, const struct table *t, const char *col)
{
	struct strbuf q = STRBUF_INIT;
	const struct sequence *hit = NULL;

	table_qualname(t, &q);
	for (int i = 0; i < s->nseqs && !hit; i++)
		if (s->seqs[i].owned_table && s->seqs[i].owned_column &&
		    !strcmp(s->seqs[i].owned_table, q.buf) && !strcmp(s->seqs[i].owned_column, col))
			hit = &s->seqs[i];
	strbuf_release(&q);
	return hit;
}

/* The sequence named in a nextval() default, 'seq'::regclass or
 * 'schema.seq'::regclass (identifiers quoted as PostgreSQL prints them);
 * an unqualified name is looked up in the table's schema. */
static const struct sequence *
nextval_sequence(const struct schema_model *s, const struct table *t, const char *def)
{
	const char *p = def ? strstr(def, "nextval('") : NULL;
	struct strbuf part[2] = { STRBUF_INIT, STRBUF_INIT };
	const struct sequence *hit = NULL;
	int k = 0;

	if (!p)
		return NULL;
	for (p += 9; *p && *p != '\''; p++) {
		if (*p == '"') {	/* "quoted ""name""" */
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				strbuf_addch(&part[k], *p);
			}
			if (!*p)
				break;
		} else if (*p == '.' && k == 0) {
			k = 1;
		} else {
			strbuf_addch(&part[k], *p);
		}
	}
	for (int i = 0; i < s->nseqs && !hit; i++) {
		const char *schema = k ? strbuf_cstr(&part[0]) : t->schema;
		const char *name = strbuf_cstr(&part[k]);

		if (!strcmp(s->seqs[i].schema, schema) && !strcmp(s->seqs[i].name, name))
			hit = &s->seqs[i];
	}
	strbuf_release(&part[0]);
	strbuf_release(&part[1]);
	return hit;
}

/* The sequence that feeds a column: its identity's or serial's (owned),
 * or the one its nextval() default calls, owned or not. */
static const struct sequence *
feeding_sequence(const struct schema_model *s, const struct table *t, const struct column *col)
{
	const struct sequence *seq = owned_sequence(s, t, col->name);

	if (seq && (col->identity || (col->default_expr && strstr(col->default_expr, "nextval("))))
		return seq;
	return nextval_sequence(s, t, col->default_expr);
}

/* How many columns of the model a sequence feeds. */
static int
sequence_uses(const struct schema_model *s, const struct sequence *seq)
{
	int n = 0;

	for (int i = 0; i < s->ntables; i++)
		for (int k = 0; k < s->tables[i].ncols && !s->tables[i].partition_of; k++)
			n += feeding_sequence(s, &s->tables[i], &s->tables[i].cols[k]) == seq;
	return n;
}

/* Where col is in t's primary key (0 first), -1 when it is not. */
static int
pk_position(const struct table *t, const char *col)
{
	for (int k = 0; k < t->ncons; k++)
		if (t->cons[k].kind == 'p')
			for (size_t i = 0; i < t->cons[k].columns.n; i++)
				if (!strcmp(t->cons[k].columns.v[i], col))
					return (int)i;
	return -1;
}

/* The column that becomes AUTO_INCREMENT: one a sequence feeds (an
 * identity, a serial, or any nextval() default) that is the primary
 * key's first column, as MySQL requires; NULL when there is none. */
static const struct column *
autoinc_column(const struct schema_model *s, const struct table *t)
{
	const struct constraint *pk = NULL;

	for (int k = 0; k < t->ncons; k++)
		if (t->cons[k].kind == 'p')
			pk = &t->cons[k];
	if (!pk || pk->columns.n < 1)
		return NULL;
	for (int i = 0; i < t->ncols; i++) {
		const struct column *col = &t->cols[i];

		int integer = col->type.t == NT_INT16 || col->type.t == NT_INT32 ||
			      col->type.t == NT_INT64;

		if (!strcmp(col->name, pk->columns.v[0]) && integer &&
		    (col->identity || feeding_sequence(s, t, col)))
			return col;
	}
	return NULL;
}

/* The next value of t's AUTO_INCREMENT column from its sequence's state
 * (not from max(id)); 0 when there is none. */
static uint64_t
autoinc_next(const struct schema_model *s, const struct table *t)
{
	const struct column *col = autoinc_column(s, t);
	const struct sequence *seq = col ? feeding_sequence(s, t, col) : NULL;

	if (!seq)
		return 0;
	/* AUTO_INCREMENT only climbs: a descending or unknown step counts as 1 */
	return (uint64_t)seq->last_value + (seq->is_called ? (uint64_t)(seq->increment > 1 ?
									  seq->increment : 1) : 0);
}

int
my_seq_steps_from_pg(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err)
{
	struct strbuf tn = STRBUF_INIT;

	(void)err;
	for (int i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];

		if (t->partition_of)
			continue;	/* no table of its own */
		strbuf_reset(&tn);
		target_name(s, t->schema, t->name, &tn);
		my_auto_increment_step(plan, tn.buf, autoinc_next(s, t));
	}
	strbuf_release(&tn);
	return 0;
}

/* "FOREIGN KEY (a, b) REFERENCES s.t(x, y) ON DELETE CASCADE": the
 * referenced columns, unquoted, and the ON DELETE/UPDATE clauses. */
static int
parse_fk(const char *def, struct strlist *refcols, struct strbuf *actions)
{
	const char *p = strstr(def, " REFERENCES "), *open, *close;
	static const char *const acts[] = { " ON DELETE CASCADE", " ON DELETE SET NULL",
		" ON DELETE RESTRICT", " ON UPDATE CASCADE", " ON UPDATE SET NULL",
		" ON UPDATE RESTRICT" };

	if (!p || !(open = strchr(p, '(')) || !(close = strchr(open, ')')))
		return -1;
	for (const char *c = open + 1; c < close; ) {
		struct strbuf name = STRBUF_INIT;

		while (*c == ' ')
			c++;
		if (*c == '"') {
			for (c++; c < close && !(*c == '"' && c[1] != '"'); c++) {
				if (*c == '"')
					c++;
				strbuf_addch(&name, *c);
			}
			c++;
		} else {
			while (c < close && *c != ',')
				strbuf_addch(&name, *c++);
		}
		strlist_push(refcols, strbuf_cstr(&name));
		strbuf_release(&name);
		while (c < close && *c != ',')
			c++;
		if (*c == ',')
			c++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++)
		if (strstr(close, acts[i]))
			strbuf_addstr(actions, acts[i]);
	return 0;
}

static void
key_columns(struct strbuf *sql, const struct strlist *cols)
{
	sql_ident_list(sql, cols, my_quote_ident);
}

/* Names and numbers MySQL cannot take, before anything is planned. */
static int
table_fits(const struct table *t, const char *tn, const struct ddl_plan *plan,
	   struct dberr *err)
{
	if (strlen(tn) > 64)
		return dberr_set(err, DBERR_UNSUPPORTED, "table name '%s' is longer than MySQL's "
				 "64 characters; rename it or exclude it with -T", tn);
	for (int i = 0; i < t->ncols; i++) {
		const struct column *col = &t->cols[i];
		const struct ntype_desc *d = &col->type;

		if (d->t == NT_DECIMAL && !(d->precision > 0 && d->precision <= 65 && d->scale >= 0 &&
					    d->scale <= 30) && !plan->unbounded_numeric)
			return dberr_set(err, DBERR_UNSUPPORTED, "column %s.%s.%s is %s, which "
					 "MySQL cannot hold exactly; choose with "
					 "--unbounded-numeric=decimal (decimal(65,30); larger values "
					 "fail the load), double (approximate) or text (exact digits "
					 "as text)", t->schema, t->name, col->name, col->native_type);
		if (strlen(col->name) > 64)
			return dberr_set(err, DBERR_UNSUPPORTED, "column name %s.%s is longer than "
					 "MySQL's 64 characters; rename it", t->name, col->name);
	}
	{
		struct fit_arg fa = { tn, err };

		if (whole_keys(t, key_fits, &fa) < 0)
			return -1;
	}
	return 0;
}

/* A domain's check is not carried: say so for each column of one. */
static void
domain_notes(const struct schema_model *s, const struct table *t, const struct column *col,
	     struct ddl_plan *plan)
{
	for (int k = 0; k < s->ndomains; k++) {
		const struct domain *dom = &s->domains[k];
		struct strbuf dn = STRBUF_INIT;

		strbuf_addf(&dn, "%s.%s", dom->schema, dom->name);
		if ((!strcmp(dn.buf, col->native_type) || !strcmp(dom->name, col->native_type)) &&
		    dom->checks.n)
			ddl_plan_note(plan, t, col->name, "domain %s becomes its base type; its "
				      "check becomes the column's", dn.buf);
		strbuf_release(&dn);
	}
}

/* One column of CREATE TABLE, with its AUTO_INCREMENT, default and
 * comment; the generated ones are left out (reported). */
static void
column_def(const struct schema_model *s, const struct table *t, const struct column *col,
	   const struct column *autoinc, struct ddl_plan *plan, struct strbuf *sql)
{
	int serial = col->identity || (col->default_expr && strstr(col->default_expr, "nextval("));

	my_quote_ident(sql, col->name);
	strbuf_addch(sql, ' ');
	column_type(sql, s, t, col, plan);
	if (col->not_null)
		strbuf_addstr(sql, " NOT NULL");
	if (col == autoinc)
		strbuf_addstr(sql, " AUTO_INCREMENT");
	else if (serial)
		ddl_plan_note(plan, t, col->name, "%s: no AUTO_INCREMENT (MySQL allows it only on "
			      "the first column of the primary key), values load as they are",
			      pk_position(t, col->name) < 0 ? "not in the table's primary key"
			      : "not the first column of the primary key");
	else if (!column_default(sql, col, plan))
		ddl_plan_note(plan, t, col->name, "default '%s' is not carried%s: recreate it by hand",
			      col->default_expr,
			      my_version_at_least(plan->target_version, 80013, 100201) ? ""
			      : " (expression defaults need MySQL 8.0.13 or MariaDB 10.2)");
	if (col->comment) {
		strbuf_addstr(sql, " COMMENT ");
		my_quote_literal(sql, col->comment);
	}
	domain_notes(s, t, col, plan);
}

/* A generated column (STORED, PostgreSQL's only kind) whose expression
 * translates, as MySQL's GENERATED ALWAYS AS (...) STORED: MySQL then
 * computes it, as the source did (its values are not in the dump). Else
 * it is reported. MySQL refuses one that reads the AUTO_INCREMENT column.
 * Returns the new "first" of the column list. */
static int
generated_column(const struct schema_model *s, const struct table *t, const struct column *col,
		 const struct column *autoinc, struct ddl_plan *plan, struct strbuf *sql, int first)
{
	struct strbuf expr = STRBUF_INIT, ai = STRBUF_INIT;

	if (autoinc)
		my_quote_ident(&ai, autoinc->name);
	if (my_expr_from_pg(col->generated_expr, NULL, &expr) < 0 ||
	    (autoinc && strstr(expr.buf ? expr.buf : "", ai.buf))) {
		ddl_plan_note(plan, t, col->name, "generated column is not carried: add it by hand "
			      "(GENERATED ALWAYS AS (%s))", col->generated_expr);
	} else {
		strbuf_addstr(sql, first ? "\n  " : ",\n  ");
		my_quote_ident(sql, col->name);
		strbuf_addch(sql, ' ');
		column_type(sql, s, t, col, plan);
		strbuf_addf(sql, " GENERATED ALWAYS AS (%s) STORED", expr.buf);
		first = 0;
	}
	strbuf_release(&expr);
	strbuf_release(&ai);
	return first;
}

static void
create_table(const struct schema_model *s, const struct table *t, struct ddl_plan *plan,
	     const char *tn, const char *qt, const char *partitioning)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT, undo = STRBUF_INIT;
	const struct column *autoinc = autoinc_column(s, t);
	const struct constraint *pk = NULL;
	uint64_t next_id = autoinc_next(s, t);
	int first = 1;

	for (int k = 0; k < t->ncons; k++)
		if (t->cons[k].kind == 'p')
			pk = &t->cons[k];
	strbuf_addf(&sql, "CREATE TABLE %s (", qt);
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated_expr) {
			first = generated_column(s, t, &t->cols[i], autoinc, plan, &sql, first);
			continue;
		}
		strbuf_addstr(&sql, first ? "\n  " : ",\n  ");
		first = 0;
		column_def(s, t, &t->cols[i], autoinc, plan, &sql);
	}
	if (pk) {
		strbuf_addstr(&sql, ",\n  PRIMARY KEY ");
		key_columns(&sql, &pk->columns);
	}
	strbuf_addstr(&sql, "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
	if (next_id > 1)
		strbuf_addf(&sql, " AUTO_INCREMENT=%" PRIu64, next_id);
	if (t->comment) {
		strbuf_addstr(&sql, " COMMENT=");
		my_quote_literal(&sql, t->comment);
	}
	strbuf_addstr(&sql, partitioning);
	strbuf_addf(&item, "table:%s", tn);
	strbuf_addf(&undo, "DROP TABLE IF EXISTS %s", qt);
	ddl_plan_add_undo(plan, DDL_PRE_DATA, item.buf, sql.buf, undo.buf);
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&undo);
}

/* ALTER TABLE qt ADD [UNIQUE ]KEY name (cols), with its undo. */
static void
key_step(struct ddl_plan *plan, const struct table *t, const char *tn, const char *qt,
	 const char *name, int unique, const struct strlist *cols)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT, undo = STRBUF_INIT;

	strbuf_addf(&sql, "ALTER TABLE %s ADD %sKEY ", qt, unique ? "UNIQUE " : "");
	my_quote_ident(&sql, name);
	strbuf_addch(&sql, ' ');
	index_columns(&sql, t, cols);
	strbuf_addf(&item, "index:%s.%s", tn, name);
	strbuf_addf(&undo, "ALTER TABLE %s DROP INDEX ", qt);
	my_quote_ident(&undo, name);
	ddl_plan_add_undo(plan, DDL_POST_INDEX, item.buf, sql.buf, undo.buf);
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&undo);
}

static void
fk_step(const struct schema_model *s, const struct table *t, const struct constraint *con,
	struct ddl_plan *plan, const char *tn, const char *qt)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT, undo = STRBUF_INIT;
	struct strlist refcols = STRLIST_INIT;
	struct strbuf act = STRBUF_INIT, ref = STRBUF_INIT;
	const struct table *rt = con->ref_table ? schema_find_table(s, con->ref_table) : NULL;

	if (!rt || rt->partition_of || parse_fk(con->definition, &refcols, &act) < 0) {
		ddl_plan_note(plan, t, NULL, "foreign key %s is not carried: %s", con->name,
		     !rt ? "its table is not in the dump" : rt->partition_of ?
		     "it references a partition, which has no table of its own on MySQL" :
		     "cannot read its definition");
	} else {
		target_name(s, rt->schema, rt->name, &ref);
		strbuf_addf(&sql, "ALTER TABLE %s ADD CONSTRAINT ", qt);
		my_quote_ident(&sql, con->name);
		strbuf_addstr(&sql, " FOREIGN KEY ");
		key_columns(&sql, &con->columns);
		strbuf_addstr(&sql, " REFERENCES ");
		my_quote_ident(&sql, ref.buf);
		strbuf_addch(&sql, ' ');
		key_columns(&sql, &refcols);
		strbuf_addstr(&sql, strbuf_cstr(&act));
		strbuf_addf(&item, "constraint:%s.%s", tn, con->name);
		strbuf_addf(&undo, "ALTER TABLE %s DROP FOREIGN KEY ", qt);
		my_quote_ident(&undo, con->name);
		ddl_plan_add_undo(plan, DDL_POST_FK, item.buf, sql.buf, undo.buf);
	}
	strlist_release(&refcols);
	strbuf_release(&act);
	strbuf_release(&ref);
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&undo);
}

/* A CHECK, "CHECK ((price >= (0)::numeric))", as a constraint MySQL
 * enforces (MariaDB 10.2 and later, MySQL 8.0.16): added after the rows,
 * so it is checked against them too, and best effort: a target that
 * refuses it reports it as not migrated, with its reason. One whose
 * expression has no sure MySQL equivalent is reported, not guessed at.
 * value_col: a domain's check, VALUE standing for that column. */
static void
check_step(struct ddl_plan *plan, const struct table *t, const char *tn, const char *qt,
	   const char *name, const char *def, const char *value_col)
{
	struct strbuf expr = STRBUF_INIT, sql = STRBUF_INIT, oname = STRBUF_INIT;
	const char *body = def && !strncmp(def, "CHECK ", 6) ? def + 6 : NULL;
	struct db_object o;

	if (!my_version_at_least(plan->target_version, 80016, 100201)) {
		ddl_plan_note(plan, t, value_col, "check constraint %s is not carried: MySQL %s "
			      "does not enforce CHECK constraints (8.0.16 and MariaDB 10.2 do); %s",
			      name, plan->target_version, def ? def : "?");
		return;
	}
	if (!body || strstr(body, "NOT VALID") || my_expr_from_pg(body, value_col, &expr) < 0) {
		ddl_plan_note(plan, t, value_col, "check constraint %s is not carried: %s has no "
			      "MySQL equivalent dbmig is sure of; recreate it by hand", name,
			      def ? def : "?");
		strbuf_release(&expr);
		return;
	}
	strbuf_addf(&sql, "ALTER TABLE %s ADD CONSTRAINT ", qt);
	my_quote_ident(&sql, name);
	strbuf_addf(&sql, " CHECK (%s)", expr.buf);
	strbuf_addf(&oname, "%s.%s", tn, name);
	o.kind = "check constraint";
	o.schema = t->schema;
	o.name = oname.buf;
	o.definition = NULL;
	ddl_plan_add_object(plan, &o, sql.buf);
	/* a run stopped after the ALTER and before the ledger: drop, redo */
	strbuf_reset(&sql);
	strbuf_addf(&sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS ", qt);
	my_quote_ident(&sql, name);
	plan->steps[plan->nsteps - 1].undo = strbuf_detach(&sql);
	strbuf_release(&expr);
	strbuf_release(&oname);
}

/* A column of a domain with checks: each check on the column. */
static void
domain_checks(const struct schema_model *s, const struct table *t, const struct column *col,
	      struct ddl_plan *plan, const char *tn, const char *qt)
{
	for (int k = 0; k < s->ndomains; k++) {
		const struct domain *dom = &s->domains[k];
		struct strbuf dn = STRBUF_INIT, name = STRBUF_INIT;

		strbuf_addf(&dn, "%s.%s", dom->schema, dom->name);
		if (col->native_type && (!strcmp(dn.buf, col->native_type) ||
					 !strcmp(dom->name, col->native_type)))
			for (size_t i = 0; i < dom->checks.n; i++) {
				strbuf_reset(&name);
				strbuf_addf(&name, "%s_%s_check", col->name, dom->name);
				if (i)
					strbuf_addf(&name, "%zu", i + 1);
				if (name.len > 64)
					name.len = 64, name.buf[64] = '\0';
				check_step(plan, t, tn, qt, name.buf, dom->checks.v[i], col->name);
			}
		strbuf_release(&dn);
		strbuf_release(&name);
	}
}

/* Columns MySQL partitions by (RANGE and LIST COLUMNS, KEY) as this
 * translator types them: integers, dates, datetimes, short strings. */
static int
partition_column_ok(const struct table *t, const struct column *col)
{
	int key = key_share(t, col);

	switch (col->type.t) {
	case NT_BOOL: case NT_INT16: case NT_INT32: case NT_INT64: case NT_UINT64:
	case NT_DATE: case NT_TIMESTAMP: case NT_TIMESTAMPTZ:
		return 1;
	case NT_CHAR:
		return col->type.length > 0 && col->type.length <= 255;
	case NT_UUID:
		return col->type.length != 16;	/* char(36); binary(16) bounds do not translate */
	case NT_VARCHAR:
		return key > 0 || (col->type.length > 0 && col->type.length <= 16383);
	case NT_TEXT:
		return key > 0;
	default:
		return 0;
	}
}

/* A partitioned table's clause for its CREATE TABLE, or a note saying
 * why it is one plain table; its partitions' rows are loaded into it. */
static void
partitioning(const struct schema_model *s, const struct table *t, struct ddl_plan *plan,
	     struct strbuf *clause)
{
	struct strbuf why = STRBUF_INIT, loose = STRBUF_INIT;
	int mariadb = plan->target_version && strstr(plan->target_version, "MariaDB");

	if (my_partition_clause(s, t, partition_column_ok, mariadb, clause, &why, &loose) < 0)
		ddl_plan_note(plan, t, NULL, "partitioned by %s, becomes one MySQL table holding "
			      "every partition's rows, since %s", t->partition_key, why.buf);
	else if (loose.len)
		ddl_plan_note(plan, t, NULL, "partitioned by %s, becomes MySQL partitioning, "
			      "approximately: %s", t->partition_key, loose.buf);
	strbuf_release(&why);
	strbuf_release(&loose);
}

/* A partition has no table of its own on MySQL: what was its alone (its
 * own keys, indexes and checks, not its parent's) is said. */
static void
partition_notes(const struct schema_model *s, const struct table *t, struct ddl_plan *plan)
{
	const struct table *root = schema_partition_root(s, t);

	for (int k = 0; k < t->ncons; k++)
		ddl_plan_note(plan, t, NULL, "constraint %s of the partition is not carried: "
			      "its rows are in table %s", t->cons[k].name, root->name);
	for (int k = 0; k < t->nidx; k++)
		ddl_plan_note(plan, t, NULL, "index %s of the partition is not carried: its "
			      "rows are in table %s", t->idx[k].name, root->name);
}

static int
plan_table(const struct schema_model *s, const struct table *t, struct ddl_plan *plan,
	   struct dberr *err)
{
	struct strbuf tn = STRBUF_INIT, qt = STRBUF_INIT, parts = STRBUF_INIT;
	int ret = -1;

	target_name(s, t->schema, t->name, &tn);
	if (t->partition_of) {
		partition_notes(s, t, plan);
		ret = 0;
		goto out;
	}
	if (table_fits(t, tn.buf, plan, err) < 0)
		goto out;
	my_quote_ident(&qt, tn.buf);
	if (t->partition_key)
		partitioning(s, t, plan, &parts);
	create_table(s, t, plan, tn.buf, qt.buf, strbuf_cstr(&parts));
	for (int k = 0; k < t->ncons; k++) {
		const struct constraint *con = &t->cons[k];

		if (con->kind == 'u')
			key_step(plan, t, tn.buf, qt.buf, con->name, 1, &con->columns);
		else if (con->kind == 'f')
			fk_step(s, t, con, plan, tn.buf, qt.buf);
		else if (con->kind == 'c')
			check_step(plan, t, tn.buf, qt.buf, con->name, con->definition, NULL);
		else if (con->kind == 'x')
			ddl_plan_note(plan, t, NULL, "exclusion constraint %s is not carried: %s",
				      con->name, con->definition);
	}
	for (int i = 0; i < t->ncols; i++)
		domain_checks(s, t, &t->cols[i], plan, tn.buf, qt.buf);
	for (int k = 0; k < t->nidx; k++) {
		const struct index *x = &t->idx[k];

		if (x->prefix || !x->columns.n ||
		    (x->method && strcmp(x->method, "BTREE") && strcmp(x->method, "HASH"))) {
			ddl_plan_note(plan, t, NULL, "index %s is not carried (%s): %s", x->name,
			     x->prefix ? "an expression or partial index" : x->method ? x->method : "?",
			     x->definition);
			continue;
		}
		key_step(plan, t, tn.buf, qt.buf, x->name, x->unique, &x->columns);
	}
	ret = 0;
out:
	strbuf_release(&tn);
	strbuf_release(&qt);
	strbuf_release(&parts);
	return ret;
}

/* A partition's rows load into its root's table: its columns convert as
 * the root's do. */
static void
partition_xforms(const struct schema_model *s, struct ddl_plan *plan)
{
	struct strbuf q = STRBUF_INIT;

	for (int i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i], *root = schema_partition_root(s, t);
		int n = plan->nxforms;

		if (root == t)
			continue;
		strbuf_reset(&q);
		table_qualname(root, &q);
		for (int x = 0; x < n; x++)
			if (!strcmp(plan->xforms[x].table, q.buf))
				for (int c = 0; c < t->ncols; c++)
					if (!strcmp(t->cols[c].name, plan->xforms[x].column))
						ddl_plan_xform(plan, t, t->cols[c].name,
							       plan->xforms[x].flags);
	}
	strbuf_release(&q);
}

/* A sequence AUTO_INCREMENT cannot stand for (it feeds no column, or
 * several) as MariaDB's CREATE SEQUENCE (10.3 and later), continuing
 * where the source's stands; best effort, so MySQL, which has none,
 * reports it as not migrated with its reason. */
static void
sequence_object(const struct schema_model *s, const struct sequence *q, struct ddl_plan *plan)
{
	struct strbuf sql = STRBUF_INIT, name = STRBUF_INIT;
	struct db_object o;
	int64_t inc = q->increment ? q->increment : 1;
	int64_t next = q->last_value + (q->is_called ? inc : 0);

	target_name(s, q->schema, q->name, &name);
	strbuf_addstr(&sql, "CREATE SEQUENCE IF NOT EXISTS ");
	my_quote_ident(&sql, name.buf);
	strbuf_addf(&sql, " START WITH %" PRId64 " INCREMENT BY %" PRId64, next, inc);
	if (q->min || q->max)	/* MariaDB keeps one value clear of each bigint end */
		strbuf_addf(&sql, " MINVALUE %" PRId64 " MAXVALUE %" PRId64,
			    q->min > INT64_MIN + 1 ? q->min : INT64_MIN + 1,
			    q->max < INT64_MAX - 1 ? q->max : INT64_MAX - 1);
	strbuf_addstr(&sql, q->cycle ? " CYCLE" : " NOCYCLE");
	o.kind = "sequence";
	o.schema = q->schema;
	o.name = q->name;
	o.definition = NULL;
	ddl_plan_add_object(plan, &o, sql.buf);
	strbuf_release(&sql);
	strbuf_release(&name);
}

int
my_ddl_plan_from_pg(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err)
{
	struct strbuf w = STRBUF_INIT;

	if (s->schemas.n > 1 && !plan->schema_prefix) {
		for (size_t i = 0; i < s->schemas.n; i++)
			strbuf_addf(&w, "%s%s", i ? ", " : "", s->schemas.v[i]);
		dberr_set(err, DBERR_UNSUPPORTED, "the dump holds several PostgreSQL schemas (%s); "
			  "a MySQL database takes one: dump one schema at a time with -t "
			  "'schema.*' and load each into its own database, or load with "
			  "--schema-prefix to name tables schema_table", w.buf);
		strbuf_release(&w);
		return -1;
	}
	for (int i = 0; i < s->ntables; i++) {
		ddl_plan_set_table(plan, &s->tables[i]);
		if (plan_table(s, &s->tables[i], plan, err) < 0) {
			strbuf_release(&w);
			return -1;
		}
	}
	ddl_plan_set_table(plan, NULL);
	partition_xforms(s, plan);
	for (int i = 0; i < s->nobjects; i++) {
		if (!strcmp(s->objects[i].kind, "owner of") || !strcmp(s->objects[i].kind, "role"))
			continue;	/* MySQL tables have no owner to carry */
		strbuf_reset(&w);
		/* (casts, publications, event triggers and comments have no
		 * schema of their own) */
		strbuf_addf(&w, "%s%s%s: PostgreSQL %s is not migrated to MySQL; recreate it by hand "
			    "from its definition on the source (also in the manifest of a dump)",
			    s->objects[i].schema, *s->objects[i].schema ? "." : "",
			    s->objects[i].name, s->objects[i].kind);
		strlist_push(&plan->notes, w.buf);
	}
	for (int i = 0; i < s->nseqs; i++) {
		const struct sequence *q = &s->seqs[i];
		int uses = sequence_uses(s, q);

		if (uses == 1)
			continue;	/* an AUTO_INCREMENT, or said at its column */
		strbuf_reset(&w);
		if (my_version_at_least(plan->target_version, 99999999, 100300)) {
			sequence_object(s, q, plan);
			strbuf_addf(&w, "sequence %s.%s (last value %" PRId64 "%s) becomes a MariaDB "
				    "SEQUENCE continuing after it; ", q->schema, q->name,
				    q->last_value, q->is_called ? "" : ", not yet called");
		} else {	/* said now, not as a failed step */
			strbuf_addf(&w, "sequence %s.%s (last value %" PRId64 "%s) is not migrated: "
				    "MySQL %s has no sequences (MariaDB 10.3 has); ", q->schema,
				    q->name, q->last_value, q->is_called ? "" : ", not yet called",
				    plan->target_version);
		}
		if (uses)
			strbuf_addf(&w, "it feeds %d columns, and each that is its table's key "
				    "becomes AUTO_INCREMENT, counting on its own", uses);
		else
			strbuf_addstr(&w, "it feeds no column");
		strlist_push(&plan->notes, w.buf);
	}
	strbuf_release(&w);
	return 0;
}
