/*
 * cdc_json.c - change events as JSON lines (cdc-tail --output): dbmig's
 * own format, one line per change and one "commit" line per
 * transaction, or Debezium's records (cdc_debezium.c).
 * dbmig-cdc-tail(1) fixes the fields.
 *
 * Values are rendered from their canonical payload by neutral type:
 * booleans and integers as JSON numbers and booleans, floats as numbers
 * (NaN and infinities as strings), decimals as strings (exact, as
 * Debezium's decimal.handling.mode=string), binary as "\\x" and hex,
 * arrays as arrays, everything else as the canonical text.
 */
#include "cdc_json.h"
#include "cdc_debezium.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/base/banned.h"

static json_t *value_json(enum ntype t, enum ntype elem, const struct value *v);

static json_t *
text_json(const unsigned char *p, size_t n)
{
	json_t *j = json_stringn((const char *)p, n);
	struct strbuf hex = STRBUF_INIT;

	if (j)
		return j;
	/* not UTF-8 (a MySQL latin1 byte kept as is): its bytes, visibly */
	strbuf_addstr(&hex, "\\x");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&hex, "%02x", p[i]);
	j = json_string(hex.buf);
	strbuf_release(&hex);
	return j;
}

static json_t *
float_json(const struct value *v)
{
	double d = canon_get_float(v->p, v->len == 4 ? 4 : 8);

	if (isnan(d))
		return json_string("NaN");
	if (isinf(d))
		return json_string(d > 0 ? "Infinity" : "-Infinity");
	return json_real(d);
}

struct elem_arg {
	enum ntype elem;
	json_t *arr;
};

static json_t *
array_json(enum ntype elem, const struct value *v)
{
	struct canon_array a;
	char emsg[128];
	json_t *j;

	if (canon_array_decode(v->p, v->len, &a, emsg, sizeof(emsg)) < 0)
		return text_json(v->p, v->len);
	/* nested dimensions are flattened: the dimensions in order */
	j = json_array();
	for (size_t i = 0; i < a.nelems; i++)
		json_array_append_new(j, value_json(elem, NT_UNMAPPED, &a.elems[i]));
	canon_array_release(&a);
	return j;
}

static json_t *
value_json(enum ntype t, enum ntype elem, const struct value *v)
{
	if (v->isnull)
		return json_null();
	switch (t) {
	case NT_BOOL:
		return json_boolean(v->len == 1 && v->p[0] == '1');
	case NT_INT16: case NT_INT32: case NT_INT64: case NT_YEAR: {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.*s", (int)(v->len < 31 ? v->len : 31),
			 (const char *)v->p);
		return json_integer((json_int_t)strtoll(buf, NULL, 10));
	}
	case NT_FLOAT32: case NT_FLOAT64:
		return float_json(v);
	case NT_BYTES: case NT_GEOMETRY: {
		struct strbuf hex = STRBUF_INIT;
		json_t *j;

		strbuf_addstr(&hex, "\\x");
		for (size_t i = 0; i < v->len; i++)
			strbuf_addf(&hex, "%02x", v->p[i]);
		j = json_string(hex.buf);
		strbuf_release(&hex);
		return j;
	}
	case NT_ARRAY:
		return array_json(elem, v);
	default:	/* uint64 and decimal exactly, as text; the rest is text */
		return text_json(v->p, v->len);
	}
}

/* The row image as {"column": value, ...}; unchanged columns left out. */
static json_t *
row_json(const struct table *t, const struct value *vals, const unsigned char *unchanged)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types);
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		if (!unchanged || !unchanged[i])
			json_object_set_new(o, table_data_column_name(t, i),
					    value_json(types[i]->t, types[i]->elem, &vals[i]));
	return o;
}

/* The primary key's columns from a row image, or null when there is no key. */
static json_t *
key_json(const struct table *t, const struct value *vals)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types);
	json_t *o = NULL;

	for (int k = 0; k < t->ncons && vals; k++) {
		if (t->cons[k].kind != 'p')
			continue;
		o = json_object();
		for (size_t c = 0; c < t->cons[k].columns.n; c++)
			for (int i = 0; i < n; i++)
				if (!strcmp(table_data_column_name(t, i), t->cons[k].columns.v[c]))
					json_object_set_new(o, t->cons[k].columns.v[c],
							    value_json(types[i]->t, types[i]->elem,
								       &vals[i]));
	}
	return o ? o : json_null();
}

static const char *
op_name(enum cdc_kind k)
{
	switch (k) {
	case CDC_INSERT: return "insert";
	case CDC_UPDATE: return "update";
	case CDC_DELETE: return "delete";
	case CDC_TRUNCATE: return "truncate";
	case CDC_COMMIT: return "commit";
	default: return "?";
	}
}

static void
iso_time(int64_t us, char *out, size_t n)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	size_t len;

	gmtime_r(&s, &tm);
	len = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + len, n - len, ".%06dZ", (int)(us % 1000000));
}

static json_t *
dbmig_line(const struct cdc_json_ctx *c, const struct cdc_event *ev, const struct table *t)
{
	json_t *o = json_object();
	char ts[48];

	json_object_set_new(o, "op", json_string(op_name(ev->kind)));
	if (t) {
		json_object_set_new(o, "schema", json_string(t->schema));
		json_object_set_new(o, "table", json_string(t->name));
		json_object_set_new(o, "key", key_json(t, ev->after ? ev->after : ev->before));
		/* a key image holds the key's columns only */
		json_object_set_new(o, "before", !ev->before ? json_null() : ev->before_is_key
				    ? key_json(t, ev->before) : row_json(t, ev->before, NULL));
		json_object_set_new(o, "after", ev->after ? row_json(t, ev->after, ev->unchanged)
							  : json_null());
		if (ev->unchanged) {
			const struct ntype_desc *types[CANON_MAX_COLS];
			int n = table_data_types(t, types);
			json_t *u = json_array();

			for (int i = 0; i < n; i++)
				if (ev->unchanged[i])
					json_array_append_new(u, json_string(
						table_data_column_name(t, i)));
			if (json_array_size(u))
				json_object_set_new(o, "unchanged", u);
			else
				json_decref(u);
		}
	}
	json_object_set_new(o, "position", json_string(c->commit_pos.text));
	json_object_set_new(o, "xid", json_integer((json_int_t)c->xid));
	iso_time(c->commit_time_us, ts, sizeof(ts));
	json_object_set_new(o, "commit_time", json_string(ts));
	return o;
}

static int
put_line(json_t *o, struct strbuf *out)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);

	json_decref(o);
	if (!s)
		return -1;
	strbuf_addstr(out, s);
	strbuf_addch(out, '\n');
	free(s);
	return 0;
}

int
cdc_json_event(const struct cdc_json_ctx *c, const struct cdc_event *ev, struct strbuf *out)
{
	if (c->dbz)
		return dbz_event(c->dbz, c, ev, out);
	if (ev->kind == CDC_COMMIT)
		return put_line(dbmig_line(c, ev, NULL), out);
	if (ev->kind == CDC_TRUNCATE) {
		for (int i = 0; i < ev->ntables; i++)
			if (put_line(dbmig_line(c, ev, ev->tables[i]), out) < 0)
				return -1;
		return 0;
	}
	return put_line(dbmig_line(c, ev, ev->table), out);
}

int
cdc_json_line_position(const char *line, size_t n, struct db_position *pos)
{
	json_t *o, *v;
	struct dberr ignored = DBERR_INIT;
	int ret = -1;

	if (memchr(line, '\t', n))	/* Debezium's: key, tab, value */
		return dbz_line_position(line, n, pos);
	if (!(o = json_loadb(line, n, 0, NULL)))
		return -1;
	if ((v = json_object_get(o, "position")) && json_is_string(v) &&
	    position_parse(pos, position_kind_of(json_string_value(v)), json_string_value(v),
			   NULL, 1, 0, &ignored) == 0)
		ret = 0;
	json_decref(o);
	return ret;
}
