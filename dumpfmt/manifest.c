/*
 * manifest.c - manifest.json (SPEC.md section 3): the dump's metadata,
 * its neutral schema and its chunk list, written with jansson.
 *
 * The reader validates every field it uses: type, presence, length, the
 * format version, and chunk names (which must match the fixed pattern, so
 * no name can point outside the dump directory).
 */
#include "dumpfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "lib/base/json_util.h"
#include "lib/base/log.h"
#include "lib/base/xform.h"

#include "lib/base/banned.h"

/* ---- the manifest's own digest ---- */

/* XXH3-128 of the manifest's canonical form: every member but the digest,
 * keys sorted, no whitespace (jansson's own serialization, so the writer
 * and the reader agree byte for byte). hex gets 32 digits. */
static int
manifest_digest(json_t *root, char hex[33])
{
	json_t *copy = json_copy(root);
	XXH128_canonical_t canon;
	char *text;

	if (!copy)
		return -1;
	json_object_del(copy, "manifest_xxh3_128");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!text)
		return -1;
	XXH128_canonicalFromHash(&canon, XXH3_128bits(text, strlen(text)));
	hex_encode(canon.digest, 16, hex);
	free(text);
	return 0;
}

/* ---- writing ---- */

static json_t *
jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
type_json(const struct ntype_desc *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "t", json_string(ntype_name(d->t)));
	if (d->t == NT_ARRAY)
		json_object_set_new(o, "elem", json_string(ntype_name(d->elem)));
	if (d->precision >= 0)
		json_object_set_new(o, "precision", json_integer(d->precision));
	if (d->precision >= 0 || d->scale != -1)
		json_object_set_new(o, "scale", json_integer(d->scale));
	if (d->length >= 0)
		json_object_set_new(o, "length", json_integer(d->length));
	if (d->fsp >= 0)
		json_object_set_new(o, "fsp", json_integer(d->fsp));
	if (d->is_unsigned)
		json_object_set_new(o, "unsigned", json_true());
	return o;
}

static json_t *
table_json(const struct table *t)
{
	json_t *o = json_object(), *cols = json_array(), *cons = json_array();
	json_t *idx = json_array(), *chunks = json_array();

	json_object_set_new(o, "schema", json_string(t->schema));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "comment", jstr_or_null(t->comment));
	if (t->native_ddl)
		json_object_set_new(o, "native_ddl", json_string(t->native_ddl));
	if (t->partition_key)
		json_object_set_new(o, "partition_key", json_string(t->partition_key));
	if (t->partition_of) {
		json_object_set_new(o, "partition_of", json_string(t->partition_of));
		json_object_set_new(o, "partition_bound", jstr_or_null(t->partition_bound));
	}
	json_object_set_new(o, "rows", json_integer((json_int_t)t->rows));
	for (int i = 0; i < t->ncols; i++) {
		const struct column *c = &t->cols[i];
		json_t *j = json_object();

		json_object_set_new(j, "name", json_string(c->name));
		json_object_set_new(j, "native_type", json_string(c->native_type));
		json_object_set_new(j, "type", type_json(&c->type));
		json_object_set_new(j, "not_null", json_boolean(c->not_null));
		json_object_set_new(j, "default", jstr_or_null(c->default_expr));
		if (c->identity)
			json_object_set_new(j, "identity", json_string(c->identity == 'a' ? "always" : "by default"));
		if (c->generated_expr)
			json_object_set_new(j, "generated", json_string(c->generated_expr));
		if (c->comment)
			json_object_set_new(j, "comment", json_string(c->comment));
		if (c->unmapped_from)
			json_object_set_new(j, "unmapped_from", json_string(c->unmapped_from));
		if (c->collation)
			json_object_set_new(j, "collation", json_string(c->collation));
		if (c->on_update_now)
			json_object_set_new(j, "on_update_now", json_true());
		if (c->has_max_len)
			json_object_set_new(j, "max_len", json_integer((json_int_t)c->max_len));
		if (c->xform) {
			struct strbuf x = STRBUF_INIT;

			xform_format(c->xform, &x);
			json_object_set_new(j, "transform", json_string(x.buf));
			strbuf_release(&x);
		}
		if (c->profile.done) {
			json_t *pr = json_object();

			json_object_set_new(pr, "zero_dates", json_integer((json_int_t)c->profile.zero_dates));
			json_object_set_new(pr, "only_0_1", json_boolean(c->profile.only_0_1));
			json_object_set_new(pr, "outside_day", json_boolean(c->profile.outside_day));
			json_object_set_new(j, "profile", pr);
		}
		json_array_append_new(cols, j);
	}
	json_object_set_new(o, "columns", cols);
	for (int i = 0; i < t->ncons; i++) {
		const struct constraint *c = &t->cons[i];
		json_t *j = json_object();
		char kind[2] = { c->kind, 0 };

		json_object_set_new(j, "name", json_string(c->name));
		json_object_set_new(j, "kind", json_string(kind));
		json_object_set_new(j, "definition", json_string(c->definition));
		json_object_set_new(j, "columns", json_strlist(&c->columns));
		if (c->ref_table)
			json_object_set_new(j, "references", json_string(c->ref_table));
		json_array_append_new(cons, j);
	}
	json_object_set_new(o, "constraints", cons);
	for (int i = 0; i < t->nidx; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "name", json_string(t->idx[i].name));
		json_object_set_new(j, "definition", json_string(t->idx[i].definition));
		json_object_set_new(j, "unique", json_boolean(t->idx[i].unique));
		if (t->idx[i].columns.n)
			json_object_set_new(j, "columns", json_strlist(&t->idx[i].columns));
		if (t->idx[i].method)
			json_object_set_new(j, "method", json_string(t->idx[i].method));
		if (t->idx[i].prefix)
			json_object_set_new(j, "prefix", json_true());
		json_array_append_new(idx, j);
	}
	json_object_set_new(o, "indexes", idx);
	for (int i = 0; i < t->nchunks; i++) {
		const struct chunk *c = &t->chunks[i];
		json_t *j = json_object();

		json_object_set_new(j, "file", json_string(c->file));
		json_object_set_new(j, "rows", json_integer((json_int_t)c->rows));
		json_object_set_new(j, "bytes", json_integer((json_int_t)c->bytes));
		json_object_set_new(j, "raw_bytes", json_integer((json_int_t)c->raw_bytes));
		json_object_set_new(j, "xxh3_128", json_string(c->checksum));
		json_object_set_new(j, "file_xxh3_64", json_string(c->file_checksum));
		json_array_append_new(chunks, j);
	}
	json_object_set_new(o, "chunks", chunks);
	return o;
}

char *
manifest_encode(const struct dump_meta *m, const struct schema_model *s)
{
	json_t *root = json_object(), *src = json_object(), *snap = json_object();
	json_t *sch = json_object(), *arr;
	char *text;

	/* first in the file, filled in last: a reader sees it at once */
	json_object_set_new(root, "manifest_xxh3_128", json_string(""));
	json_object_set_new(root, "format", json_string("dbmig-dump"));
	json_object_set_new(root, "format_version", json_integer(DUMPFMT_VERSION));
	json_object_set_new(root, "tool_version", json_string(m->tool_version));
	json_object_set_new(root, "dump_id", json_string(m->dump_id));
	json_object_set_new(root, "created_at", json_string(m->created_at));
	json_object_set_new(root, "has_schema", json_boolean(m->has_schema));
	json_object_set_new(root, "has_data", json_boolean(m->has_data));
	json_object_set_new(root, "unmapped_as_text", json_boolean(m->unmapped_as_text));
	json_object_set_new(src, "engine", json_string(m->engine));
	json_object_set_new(src, "server_version", json_string(m->server_version));
	json_object_set_new(src, "database", json_string(m->database));
	json_object_set_new(root, "source", src);
	json_object_set_new(snap, "kind", json_string(m->snapshot_kind));
	json_object_set_new(snap, "position", json_string(m->position.text));
	json_object_set_new(snap, "position_exact", json_boolean(m->position.exact));
	if (m->position.gtid[0])
		json_object_set_new(snap, "gtid", json_string(m->position.gtid));
	json_object_set_new(snap, "consistent", json_boolean(!m->inconsistent));
	if (m->slot[0]) {	/* dump --online: where the changes after it wait */
		json_object_set_new(snap, "slot", json_string(m->slot));
		json_object_set_new(snap, "publication", json_string(m->publication));
	}
	json_object_set_new(root, "snapshot", snap);

	json_object_set_new(sch, "schemas", json_strlist(&s->schemas));
	arr = json_array();
	for (int i = 0; i < s->nenums; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "schema", json_string(s->enums[i].schema));
		json_object_set_new(j, "name", json_string(s->enums[i].name));
		json_object_set_new(j, "labels", json_strlist(&s->enums[i].labels));
		json_array_append_new(arr, j);
	}
	json_object_set_new(sch, "enums", arr);
	arr = json_array();
	for (int i = 0; i < s->ndomains; i++) {
		const struct domain *d = &s->domains[i];
		json_t *j = json_object();

		json_object_set_new(j, "schema", json_string(d->schema));
		json_object_set_new(j, "name", json_string(d->name));
		json_object_set_new(j, "base_type", json_string(d->base_type));
		json_object_set_new(j, "default", jstr_or_null(d->default_expr));
		json_object_set_new(j, "not_null", json_boolean(d->not_null));
		json_object_set_new(j, "check_names", json_strlist(&d->check_names));
		json_object_set_new(j, "checks", json_strlist(&d->checks));
		json_array_append_new(arr, j);
	}
	json_object_set_new(sch, "domains", arr);
	arr = json_array();
	for (int i = 0; i < s->nseqs; i++) {
		const struct sequence *q = &s->seqs[i];
		json_t *j = json_object();

		json_object_set_new(j, "schema", json_string(q->schema));
		json_object_set_new(j, "name", json_string(q->name));
		json_object_set_new(j, "data_type", json_string(q->data_type));
		json_object_set_new(j, "start", json_integer(q->start));
		json_object_set_new(j, "increment", json_integer(q->increment));
		json_object_set_new(j, "min", json_integer(q->min));
		json_object_set_new(j, "max", json_integer(q->max));
		json_object_set_new(j, "cache", json_integer(q->cache));
		json_object_set_new(j, "cycle", json_boolean(q->cycle));
		json_object_set_new(j, "last_value", json_integer(q->last_value));
		json_object_set_new(j, "is_called", json_boolean(q->is_called));
		json_object_set_new(j, "owned_table", jstr_or_null(q->owned_table));
		json_object_set_new(j, "owned_column", jstr_or_null(q->owned_column));
		json_object_set_new(j, "identity", json_boolean(q->identity));
		json_array_append_new(arr, j);
	}
	json_object_set_new(sch, "sequences", arr);
	arr = json_array();
	for (int i = 0; i < s->ntables; i++)
		json_array_append_new(arr, table_json(&s->tables[i]));
	json_object_set_new(sch, "tables", arr);
	json_object_set_new(sch, "warnings", json_strlist(&s->warnings));
	arr = json_array();
	for (int i = 0; i < s->nobjects; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "kind", json_string(s->objects[i].kind));
		json_object_set_new(j, "schema", json_string(s->objects[i].schema));
		json_object_set_new(j, "name", json_string(s->objects[i].name));
		json_object_set_new(j, "definition", jstr_or_null(s->objects[i].definition));
		json_array_append_new(arr, j);
	}
	json_object_set_new(sch, "objects", arr);
	json_object_set_new(root, "schema", sch);
	/* The digest, over everything else (SPEC.md section 2). */
	{
		char hex[33];

		if (manifest_digest(root, hex) < 0) {
			json_decref(root);
			return NULL;
		}
		json_object_set_new(root, "manifest_xxh3_128", json_string(hex));
	}
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

int
manifest_write(const char *dir, const struct dump_meta *m,
	       const struct schema_model *s, struct dberr *err)
{
	char *text = manifest_encode(m, s);
	int ret;

	if (!text)
		return dberr_set(err, DBERR_INTERNAL, "cannot serialize the manifest");
	ret = dumpfmt_write_file_atomic(dir, DUMPFMT_MANIFEST, text, strlen(text), err);
	free(text);
	return ret;
}

/* ---- reading ---- */

struct mread {
	const char *where;	/* "tables[3].columns[2]" style context */
	char path[128];
	struct dberr *err;
	int failed;
};

static void
mfail(struct mread *r, const char *key, const char *what)
{
	if (r->failed)
		return;
	r->failed = 1;
	dberr_set(r->err, DBERR_DUMP, "manifest '%s' is invalid: %s%s%s %s; the dump "
		  "was not written by a compatible dbmig or was damaged", r->path,
		  r->where ? r->where : "", r->where ? "." : "", key, what);
}

/* Returns a copy of a string member (NULL when absent and optional). */
static char *
mstr(struct mread *r, json_t *o, const char *key, int required, size_t maxlen)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v)) {
		if (required)
			mfail(r, key, "is missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		mfail(r, key, "is not a string");
		return NULL;
	}
	if (json_string_length(v) > maxlen || strlen(json_string_value(v)) != json_string_length(v)) {
		mfail(r, key, "is too long or holds a NUL byte");
		return NULL;
	}
	return xstrdup(json_string_value(v));
}

/* A string member that reaches DDL as a type name: read, and refused
 * unless it is one (schema_type_name_ok). */
static char *
mtype_name(struct mread *r, json_t *o, const char *key, size_t maxlen)
{
	char *t = mstr(r, o, key, 1, maxlen);

	if (t && !schema_type_name_ok(t))
		mfail(r, key, "is not a type name (it reaches SQL)");
	return t;
}

static void
mstr_into(struct mread *r, json_t *o, const char *key, char *dst, size_t dstsz)
{
	char *s = mstr(r, o, key, 1, dstsz - 1);

	if (s)
		snprintf(dst, dstsz, "%s", s);
	free(s);
}

static int64_t
mint(struct mread *r, json_t *o, const char *key, int64_t min, int64_t max, int64_t dflt, int required)
{
	json_t *v = json_object_get(o, key);
	int64_t x;

	if (!v) {
		if (required)
			mfail(r, key, "is missing");
		return dflt;
	}
	if (!json_is_integer(v)) {
		mfail(r, key, "is not an integer");
		return dflt;
	}
	x = (int64_t)json_integer_value(v);
	if (x < min || x > max) {
		mfail(r, key, "is out of range");
		return dflt;
	}
	return x;
}

static int
mbool(struct mread *r, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!v || !json_is_boolean(v)) {
		mfail(r, key, "is not a boolean");
		return 0;
	}
	return json_is_true(v);
}

static json_t *
marr(struct mread *r, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!v || !json_is_array(v)) {
		mfail(r, key, "is not an array");
		return NULL;
	}
	return v;
}

static void
mstrlist(struct mread *r, json_t *o, const char *key, struct strlist *out)
{
	json_t *a = marr(r, o, key), *v;
	size_t i;

	if (!a)
		return;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
			mfail(r, key, "holds a non-string");
			return;
		}
		strlist_push(out, json_string_value(v));
	}
}

static void
mtype(struct mread *r, json_t *o, struct ntype_desc *d)
{
	json_t *t = json_object_get(o, "type");
	char *name;

	memset(d, 0, sizeof(*d));
	d->precision = d->scale = d->length = d->fsp = -1;
	if (!t || !json_is_object(t)) {
		mfail(r, "type", "is not an object");
		return;
	}
	name = mstr(r, t, "t", 1, 32);
	if (!name)
		return;
	d->t = ntype_from_name(name);
	free(name);
	if (d->t == NT_UNMAPPED) {
		mfail(r, "type.t", "names an unknown type");
		return;
	}
	if (d->t == NT_ARRAY) {
		name = mstr(r, t, "elem", 1, 32);
		if (!name)
			return;
		d->elem = ntype_from_name(name);
		free(name);
		if (d->elem == NT_UNMAPPED || d->elem == NT_ARRAY)
			mfail(r, "type.elem", "names an unknown element type");
	}
	d->precision = (int)mint(r, t, "precision", -1, 1000, -1, 0);
	d->scale = (int)mint(r, t, "scale", -1000, 1000, -1, 0);
	d->length = (int)mint(r, t, "length", -1, 1 << 30, -1, 0);
	d->fsp = (int)mint(r, t, "fsp", -1, 6, -1, 0);
	if (json_object_get(t, "unsigned"))
		d->is_unsigned = mbool(r, t, "unsigned");
}

static void
mtable(struct mread *r, json_t *o, struct table *t, int has_data)
{
	json_t *a, *v;
	size_t i;

	t->schema = mstr(r, o, "schema", 1, 1024);
	t->name = mstr(r, o, "name", 1, 1024);
	t->comment = mstr(r, o, "comment", 0, 1 << 20);
	t->native_ddl = mstr(r, o, "native_ddl", 0, 1 << 24);
	t->partition_key = mstr(r, o, "partition_key", 0, 1 << 16);
	t->partition_of = mstr(r, o, "partition_of", 0, 2048);
	t->partition_bound = mstr(r, o, "partition_bound", 0, 1 << 20);
	t->rows = (uint64_t)mint(r, o, "rows", 0, INT64_MAX, 0, 1);
	if ((a = marr(r, o, "columns"))) {
		if (json_array_size(a) > CANON_MAX_COLS)
			mfail(r, "columns", "has too many");
		json_array_foreach(a, i, v) {
			struct column *c;
			char *id;

			if (r->failed)
				return;
			c = table_add_column(t);
			c->name = mstr(r, v, "name", 1, 1024);
			c->native_type = mtype_name(r, v, "native_type", 1024);
			mtype(r, v, &c->type);
			c->not_null = mbool(r, v, "not_null");
			c->default_expr = mstr(r, v, "default", 0, 1 << 20);
			c->generated_expr = mstr(r, v, "generated", 0, 1 << 20);
			c->comment = mstr(r, v, "comment", 0, 1 << 20);
			c->unmapped_from = mstr(r, v, "unmapped_from", 0, 1024);
			c->collation = mstr(r, v, "collation", 0, 1024);
			if (json_object_get(v, "on_update_now"))
				c->on_update_now = mbool(r, v, "on_update_now");
			if (json_object_get(v, "max_len")) {
				c->has_max_len = 1;
				c->max_len = mint(r, v, "max_len", 0, INT64_MAX, 0, 1);
			}
			{
				char *x = mstr(r, v, "transform", 0, 256);

				if (x && xform_parse(x, &c->xform) < 0)
					mfail(r, "transform", "names a conversion this dbmig does not "
					      "know (upgrade dbmig)");
				free(x);
			}
			{
				json_t *pr = json_object_get(v, "profile");

				if (pr && json_is_object(pr)) {
					c->profile.done = 1;
					c->profile.zero_dates = (uint64_t)mint(r, pr, "zero_dates", 0, INT64_MAX, 0, 1);
					c->profile.only_0_1 = mbool(r, pr, "only_0_1");
					c->profile.outside_day = mbool(r, pr, "outside_day");
				}
			}
			id = mstr(r, v, "identity", 0, 16);
			if (id)
				c->identity = !strcmp(id, "always") ? 'a' : 'd';
			free(id);
		}
	}
	if ((a = marr(r, o, "constraints"))) {
		json_array_foreach(a, i, v) {
			struct constraint *c;
			char *kind;

			if (r->failed)
				return;
			c = table_add_constraint(t);
			c->name = mstr(r, v, "name", 1, 1024);
			c->definition = mstr(r, v, "definition", 1, 1 << 20);
			c->ref_table = mstr(r, v, "references", 0, 2048);
			mstrlist(r, v, "columns", &c->columns);
			kind = mstr(r, v, "kind", 1, 1);
			if (kind && kind[0] && strchr("pufcx", kind[0]))
				c->kind = kind[0];
			else if (kind)
				mfail(r, "kind", "is not one of p, u, f, c, x");
			free(kind);
		}
	}
	if ((a = marr(r, o, "indexes"))) {
		json_array_foreach(a, i, v) {
			struct index *x;

			if (r->failed)
				return;
			x = table_add_index(t);
			x->name = mstr(r, v, "name", 1, 1024);
			x->definition = mstr(r, v, "definition", 1, 1 << 20);
			x->unique = mbool(r, v, "unique");
			if (json_object_get(v, "columns"))
				mstrlist(r, v, "columns", &x->columns);
			x->method = mstr(r, v, "method", 0, 32);
			if (json_object_get(v, "prefix"))
				x->prefix = mbool(r, v, "prefix");
		}
	}
	if ((a = marr(r, o, "chunks"))) {
		uint64_t sum = 0;

		json_array_foreach(a, i, v) {
			struct chunk *c;
			char *ck;

			if (r->failed)
				return;
			c = table_add_chunk(t);
			c->file = mstr(r, v, "file", 1, 64);
			if (c->file && !dumpfmt_chunk_name_ok(c->file))
				mfail(r, "file", "is not a valid chunk file name");
			c->rows = (uint64_t)mint(r, v, "rows", 0, INT64_MAX, 0, 1);
			c->bytes = (uint64_t)mint(r, v, "bytes", 0, INT64_MAX, 0, 1);
			c->raw_bytes = (uint64_t)mint(r, v, "raw_bytes", 0, INT64_MAX, 0, 1);
			ck = mstr(r, v, "xxh3_128", 1, 32);
			if (ck && strlen(ck) == 32 && strspn(ck, "0123456789abcdef") == 32)
				memcpy(c->checksum, ck, 33);
			else if (ck)
				mfail(r, "xxh3_128", "is not 32 hex digits");
			free(ck);
			ck = mstr(r, v, "file_xxh3_64", 1, 16);
			if (ck && strlen(ck) == 16 && strspn(ck, "0123456789abcdef") == 16)
				memcpy(c->file_checksum, ck, 17);
			else if (ck)
				mfail(r, "file_xxh3_64", "is not 16 hex digits");
			free(ck);
			sum += c->rows;
		}
		if (!r->failed && sum != t->rows)
			mfail(r, "rows", "differs from the sum of its chunks");
		if (!has_data && t->nchunks)
			mfail(r, "chunks", "present in a dump without data");
	}
}

int
manifest_read(const char *dir, struct dump_meta *m, struct schema_model *s,
	      struct dberr *err)
{
	char path[128];
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = -1, ret = -1;

	memset(m, 0, sizeof(*m));
	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%.100s/%s", dir, DUMPFMT_MANIFEST);
	/* O_NONBLOCK: a FIFO named manifest.json must not hang the open;
	 * fstat below refuses anything but a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && access(dir, F_OK) != 0)
			dberr_set(err, DBERR_DUMP, "dump directory '%s' does not exist; check "
				  "the path", dir);
		else if (errno == ENOENT)
			dberr_set(err, DBERR_DUMP, "'%s' has no %s: it is not a dump, or the "
				  "dump did not finish; run dbmig dump again", dir, DUMPFMT_MANIFEST);
		else
			dberr_set(err, DBERR_DUMP, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > DUMPFMT_MAX_MANIFEST) {
		dberr_set(err, DBERR_DUMP, "manifest '%s' is not a regular file of sane size", path);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			dberr_set(err, DBERR_DUMP, "cannot read '%s': %s", path,
				  n < 0 ? strerror(errno) : "short read");
			goto out;
		}
		got += (size_t)n;
	}
	ret = manifest_parse(buf, got, path, m, s, err);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The manifest's digest, before anything in it is believed. A manifest
 * without one was written by a dbmig from before it had one: read, with
 * a warning that edits to it cannot be detected. */
static int
mcheck_digest(struct mread *r, json_t *root)
{
	json_t *d = json_object_get(root, "manifest_xxh3_128");
	char hex[33];

	if (!d) {
		log_warn("manifest '%s' has no digest (written before dbmig checked one): "
			 "damage to it cannot be detected", r->path);
		return 0;
	}
	if (!json_is_string(d) || strlen(json_string_value(d)) != 32)
		return mfail(r, "manifest_xxh3_128", "is not 32 hex digits"), -1;
	if (manifest_digest(root, hex) < 0)
		return dberr_set(r->err, DBERR_INTERNAL, "cannot serialize the manifest");
	if (strcmp(hex, json_string_value(d)))
		return dberr_set(r->err, DBERR_DUMP, "manifest '%s' does not match its digest: "
				 "it was edited or damaged after the dump; nothing was done; "
				 "take a new dump", r->path);
	return 0;
}

/* The top of the manifest: format, version, dump id, source, snapshot. */
static int
mheader(struct mread *r, json_t *root, struct dump_meta *m)
{
	json_t *src = json_object_get(root, "source"), *snap = json_object_get(root, "snapshot");
	char *fmt = mstr(r, root, "format", 1, 32), *pos, *g;
	int64_t ver;
	int exact;
	struct dberr perr = DBERR_INIT;

	if (fmt && strcmp(fmt, "dbmig-dump"))
		mfail(r, "format", "is not \"dbmig-dump\"");
	free(fmt);
	if (r->failed)
		return -1;
	ver = mint(r, root, "format_version", 1, INT32_MAX, 0, 1);
	if (r->failed)
		return -1;
	if (ver > DUMPFMT_VERSION)
		return dberr_set(r->err, DBERR_DUMP, "manifest '%s' has format version %lld, newer "
				 "than this dbmig understands (%d); upgrade dbmig", r->path,
				 (long long)ver, DUMPFMT_VERSION);
	mstr_into(r, root, "tool_version", m->tool_version, sizeof(m->tool_version));
	mstr_into(r, root, "dump_id", m->dump_id, sizeof(m->dump_id));
	if (!r->failed && strspn(m->dump_id, "0123456789abcdef") != strlen(m->dump_id))
		mfail(r, "dump_id", "is not hex");
	mstr_into(r, root, "created_at", m->created_at, sizeof(m->created_at));
	m->has_schema = mbool(r, root, "has_schema");
	m->has_data = mbool(r, root, "has_data");
	m->unmapped_as_text = mbool(r, root, "unmapped_as_text");
	if (!json_is_object(src) || !json_is_object(snap) ||
	    !json_is_object(json_object_get(root, "schema")))
		return mfail(r, "source/snapshot/schema", "must be objects"), -1;
	mstr_into(r, src, "engine", m->engine, sizeof(m->engine));
	mstr_into(r, src, "server_version", m->server_version, sizeof(m->server_version));
	mstr_into(r, src, "database", m->database, sizeof(m->database));
	mstr_into(r, snap, "kind", m->snapshot_kind, sizeof(m->snapshot_kind));
	if (json_object_get(snap, "consistent"))
		m->inconsistent = !mbool(r, snap, "consistent");
	if (json_object_get(snap, "slot")) {
		mstr_into(r, snap, "slot", m->slot, sizeof(m->slot));
		mstr_into(r, snap, "publication", m->publication, sizeof(m->publication));
	}
	/* The kind of log is read off the text (SPEC.md section 2); a
	 * position that is none ("none (binary log disabled)") stays text. */
	pos = mstr(r, snap, "position", 1, sizeof(m->position.text) - 1);
	g = mstr(r, snap, "gtid", 0, sizeof(m->position.gtid) - 1);
	exact = mbool(r, snap, "position_exact");
	position_parse(&m->position, POSITION_NONE, pos, g, exact, 1, &perr);
	free(pos);
	free(g);
	return r->failed ? -1 : 0;
}

/* schema.objects, .enums and .domains */
static void
mobjects(struct mread *r, json_t *sch, struct schema_model *s)
{
	json_t *a, *v;
	size_t i;

	if (json_object_get(sch, "objects") && (a = marr(r, sch, "objects"))) {
		json_array_foreach(a, i, v) {
			struct db_object *o = schema_add_object(s);

			o->kind = mstr(r, v, "kind", 1, 64);
			o->schema = mstr(r, v, "schema", 1, 1024);
			o->name = mstr(r, v, "name", 1, 2048);
			o->definition = mstr(r, v, "definition", 0, 1 << 24);
		}
	}
	if ((a = marr(r, sch, "enums"))) {
		json_array_foreach(a, i, v) {
			struct enum_type *e = schema_add_enum(s);

			e->schema = mstr(r, v, "schema", 1, 1024);
			e->name = mstr(r, v, "name", 1, 1024);
			mstrlist(r, v, "labels", &e->labels);
		}
	}
	if ((a = marr(r, sch, "domains"))) {
		json_array_foreach(a, i, v) {
			struct domain *d = schema_add_domain(s);

			d->schema = mstr(r, v, "schema", 1, 1024);
			d->name = mstr(r, v, "name", 1, 1024);
			d->base_type = mtype_name(r, v, "base_type", 1024);
			d->default_expr = mstr(r, v, "default", 0, 1 << 20);
			d->not_null = mbool(r, v, "not_null");
			mstrlist(r, v, "check_names", &d->check_names);
			mstrlist(r, v, "checks", &d->checks);
			if (d->checks.n != d->check_names.n)
				mfail(r, "checks", "and check_names differ in length");
		}
	}
}

/* schema.sequences */
static void
msequences(struct mread *r, json_t *sch, struct schema_model *s)
{
	json_t *a, *v;
	size_t i;

	if (!(a = marr(r, sch, "sequences")))
		return;
	json_array_foreach(a, i, v) {
		struct sequence *q = schema_add_sequence(s);

		q->schema = mstr(r, v, "schema", 1, 1024);
		q->name = mstr(r, v, "name", 1, 1024);
		q->data_type = mtype_name(r, v, "data_type", 64);
		q->start = mint(r, v, "start", INT64_MIN, INT64_MAX, 0, 1);
		q->increment = mint(r, v, "increment", INT64_MIN, INT64_MAX, 1, 1);
		q->min = mint(r, v, "min", INT64_MIN, INT64_MAX, 0, 1);
		q->max = mint(r, v, "max", INT64_MIN, INT64_MAX, 0, 1);
		q->cache = mint(r, v, "cache", 1, INT64_MAX, 1, 1);
		q->cycle = mbool(r, v, "cycle");
		q->last_value = mint(r, v, "last_value", INT64_MIN, INT64_MAX, 0, 1);
		q->is_called = mbool(r, v, "is_called");
		q->owned_table = mstr(r, v, "owned_table", 0, 2048);
		q->owned_column = mstr(r, v, "owned_column", 0, 1024);
		q->identity = mbool(r, v, "identity");
	}
}

/* schema.tables, each through mtable; no chunk file named twice. */
static void
mtables(struct mread *r, json_t *sch, struct schema_model *s, int has_data)
{
	struct strlist names = STRLIST_INIT;
	char where[64];
	json_t *a, *v;
	size_t i;

	if ((a = marr(r, sch, "tables"))) {
		json_array_foreach(a, i, v) {
			struct table *t;

			if (r->failed)
				break;
			if (!json_is_object(v)) {
				mfail(r, "tables", "holds a non-object");
				break;
			}
			snprintf(where, sizeof(where), "tables[%zu]", i);
			r->where = where;
			t = schema_add_table(s);
			mtable(r, v, t, has_data);
			if (r->failed)
				break;
			for (int k = 0; k < t->nchunks; k++)
				strlist_push(&names, t->chunks[k].file);
		}
		r->where = NULL;
	}
	strlist_sort(&names);
	for (size_t k = 1; k < names.n && !r->failed; k++)
		if (!strcmp(names.v[k - 1], names.v[k]))
			mfail(r, "chunks", "names a file twice");
	strlist_release(&names);
}

int
manifest_parse(const char *text, size_t len, const char *path, struct dump_meta *m,
	       struct schema_model *s, struct dberr *err)
{
	struct mread r = { NULL, "", err, 0 };
	json_t *root = NULL, *sch;
	json_error_t jerr;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	memset(s, 0, sizeof(*s));
	snprintf(r.path, sizeof(r.path), "%s", path);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root)) {
		dberr_set(err, DBERR_DUMP, "manifest '%s' is not valid JSON (line %d: %s); "
			  "the dump is damaged", r.path, jerr.line, jerr.text);
		goto out;
	}
	if (mcheck_digest(&r, root) < 0 || mheader(&r, root, m) < 0)
		goto out;
	sch = json_object_get(root, "schema");
	s->source_engine = xstrdup(m->engine);
	mstrlist(&r, sch, "schemas", &s->schemas);
	mstrlist(&r, sch, "warnings", &s->warnings);
	mobjects(&r, sch, s);
	msequences(&r, sch, s);
	mtables(&r, sch, s, m->has_data);
	if (r.failed)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		schema_release(s);
	json_decref(root);
	return ret;
}
