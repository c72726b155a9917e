/*
 * schema.c - building and freeing the neutral schema model.
 */
#include "schema.h"

#include <ctype.h>

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define GROW(arr, n) do { \
	(arr) = xrealloc((arr), sizeof(*(arr)) * (size_t)((n) + 1)); \
	memset(&(arr)[(n)], 0, sizeof(*(arr))); \
} while (0)

struct table *
schema_add_table(struct schema_model *s)
{
	GROW(s->tables, s->ntables);
	return &s->tables[s->ntables++];
}

struct column *
table_add_column(struct table *t)
{
	GROW(t->cols, t->ncols);
	return &t->cols[t->ncols++];
}

struct constraint *
table_add_constraint(struct table *t)
{
	GROW(t->cons, t->ncons);
	return &t->cons[t->ncons++];
}

struct index *
table_add_index(struct table *t)
{
	GROW(t->idx, t->nidx);
	return &t->idx[t->nidx++];
}

struct chunk *
table_add_chunk(struct table *t)
{
	GROW(t->chunks, t->nchunks);
	return &t->chunks[t->nchunks++];
}

struct sequence *
schema_add_sequence(struct schema_model *s)
{
	GROW(s->seqs, s->nseqs);
	return &s->seqs[s->nseqs++];
}

struct enum_type *
schema_add_enum(struct schema_model *s)
{
	GROW(s->enums, s->nenums);
	return &s->enums[s->nenums++];
}

struct domain *
schema_add_domain(struct schema_model *s)
{
	GROW(s->domains, s->ndomains);
	return &s->domains[s->ndomains++];
}

struct db_object *
schema_add_object(struct schema_model *s)
{
	GROW(s->objects, s->nobjects);
	return &s->objects[s->nobjects++];
}

static void
table_release(struct table *t)
{
	for (int i = 0; i < t->ncols; i++) {
		struct column *c = &t->cols[i];

		free(c->name);
		free(c->native_type);
		free(c->default_expr);
		free(c->generated_expr);
		free(c->comment);
		free(c->unmapped_from);
		free(c->collation);
	}
	for (int i = 0; i < t->ncons; i++) {
		free(t->cons[i].name);
		free(t->cons[i].definition);
		free(t->cons[i].ref_table);
		strlist_release(&t->cons[i].columns);
	}
	for (int i = 0; i < t->nidx; i++) {
		free(t->idx[i].name);
		free(t->idx[i].definition);
		free(t->idx[i].method);
		strlist_release(&t->idx[i].columns);
	}
	for (int i = 0; i < t->nchunks; i++)
		free(t->chunks[i].file);
	free(t->cols);
	free(t->cons);
	free(t->idx);
	free(t->chunks);
	free(t->schema);
	free(t->name);
	free(t->comment);
	free(t->native_ddl);
	free(t->partition_key);
	free(t->partition_of);
	free(t->partition_bound);
}

void
schema_release(struct schema_model *s)
{
	for (int i = 0; i < s->ntables; i++)
		table_release(&s->tables[i]);
	for (int i = 0; i < s->nseqs; i++) {
		struct sequence *q = &s->seqs[i];

		free(q->schema);
		free(q->name);
		free(q->data_type);
		free(q->owned_table);
		free(q->owned_column);
	}
	for (int i = 0; i < s->nenums; i++) {
		free(s->enums[i].schema);
		free(s->enums[i].name);
		strlist_release(&s->enums[i].labels);
	}
	for (int i = 0; i < s->ndomains; i++) {
		struct domain *d = &s->domains[i];

		free(d->schema);
		free(d->name);
		free(d->base_type);
		free(d->default_expr);
		strlist_release(&d->check_names);
		strlist_release(&d->checks);
	}
	for (int i = 0; i < s->nobjects; i++) {
		free(s->objects[i].kind);
		free(s->objects[i].schema);
		free(s->objects[i].name);
		free(s->objects[i].definition);
	}
	free(s->objects);
	free(s->tables);
	free(s->seqs);
	free(s->enums);
	free(s->domains);
	free(s->source_engine);
	strlist_release(&s->schemas);
	strlist_release(&s->warnings);
	memset(s, 0, sizeof(*s));
}

struct table *
schema_find_table(const struct schema_model *s, const char *qual)
{
	struct strbuf q = STRBUF_INIT;
	struct table *hit = NULL;

	for (int i = 0; i < s->ntables && !hit; i++) {
		strbuf_reset(&q);
		table_qualname(&s->tables[i], &q);
		if (!strcmp(q.buf, qual))
			hit = &s->tables[i];
	}
	strbuf_release(&q);
	return hit;
}

int
table_column_in_key(const struct table *t, const char *name)
{
	for (int k = 0; k < t->ncons; k++)
		if (strchr("puf", t->cons[k].kind) && strlist_has(&t->cons[k].columns, name))
			return 1;
	for (int k = 0; k < t->nidx; k++)
		if (t->idx[k].unique && !t->idx[k].prefix && strlist_has(&t->idx[k].columns, name))
			return 1;
	return 0;
}

const struct table *
schema_partition_root(const struct schema_model *s, const struct table *t)
{
	const struct table *up;

	/* a tree is at most as deep as the model is long: no loop on a
	 * damaged manifest whose partitions name each other */
	for (int depth = 0; t->partition_of && depth < s->ntables; depth++) {
		if (!(up = schema_find_table(s, t->partition_of)) || up == t)
			break;
		t = up;
	}
	return t;
}

void
column_carry_as_text(struct schema_model *s, const struct table *t, struct column *col)
{
	struct strbuf w = STRBUF_INIT;

	memset(&col->type, 0, sizeof(col->type));
	col->type.t = NT_TEXT;
	col->type.precision = col->type.scale = col->type.length = col->type.fsp = -1;
	col->unmapped_from = xstrdup(col->native_type);
	strbuf_addf(&w, "column %s.%s.%s: type '%s' has no neutral mapping; carried as "
		    "its text form", t->schema, t->name, col->name, col->native_type);
	strlist_push(&s->warnings, w.buf);
	strbuf_release(&w);
}

const char *
schema_unmatched_pattern(const struct schema_model *m, const struct strlist *patterns)
{
	for (size_t k = 0; k < patterns->n; k++) {
		int hit = 0;

		for (int i = 0; i < m->ntables && !hit; i++)
			hit = table_matches(m->tables[i].schema, m->tables[i].name, patterns->v[k]);
		if (!hit)
			return patterns->v[k];
	}
	return NULL;
}

int
schema_unmatched_error(const char *pattern, struct dberr *err)
{
	return dberr_set(err, DBERR_USAGE, "-t '%s' matches no table of the source (after -T); "
			 "check the name: 'table' or 'schema.table', shell globs allowed",
			 pattern);
}

int
schema_type_name_ok(const char *s)
{
	int depth = 0;

	if (!s || !*s)
		return 0;
	while (*s) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\'') {
			/* a quoted part: to its closing quote, doubled quotes
			 * (and in '...' a backslash pair) staying inside */
			char q = *s++;

			for (;;) {
				if (!*s)
					return 0;
				if (q == '\'' && *s == '\\' && s[1]) {
					s += 2;
					continue;
				}
				if (*s == q) {
					if (s[1] == q) {
						s += 2;
						continue;
					}
					break;
				}
				s++;
			}
			s++;
			continue;
		}
		/* parentheses balance, and commas stay inside them: no
		 * second column, no end of the statement */
		if (ch == '(')
			depth++;
		else if (ch == ')' && --depth < 0)
			return 0;
		else if (ch == ',' && depth == 0)
			return 0;
		else if (!(isalnum(ch) || ch == '_' || ch == ' ' || ch == '(' || ch == ')' ||
			   ch == '[' || ch == ']' || ch == ',' || ch == '.' || ch == '$'))
			return 0;
		s++;
	}
	return depth == 0;
}

void
schema_unmapped_column(struct schema_model *s, const struct table *t, struct column *col,
		       int as_text, struct unmapped_cols *u)
{
	if (as_text)
		column_carry_as_text(s, t, col);
	else if (!u->n++)
		strbuf_addf(&u->first, "%s.%s.%s has type '%s'", t->schema, t->name, col->name,
			    col->native_type);
}

int
schema_unmapped_check(struct unmapped_cols *u, struct dberr *err)
{
	int ret = 0;

	if (u->n)
		ret = dberr_set(err, DBERR_UNSUPPORTED, "source column %s, which dbmig cannot "
				"map to a neutral type%s; exclude the table with -T, or pass "
				"--unmapped-as-text to carry such columns as text",
				u->first.buf, u->n > 1 ? " (and more columns like it)" : "");
	strbuf_release(&u->first);
	u->n = 0;
	return ret;
}

int
table_data_types(const struct table *t, const struct ntype_desc **types)
{
	int n = 0;

	for (int i = 0; i < t->ncols; i++)
		if (!t->cols[i].generated_expr)
			types[n++] = &t->cols[i].type;
	return n;
}

const char *
table_data_column_name(const struct table *t, int i)
{
	for (int k = 0; k < t->ncols; k++) {
		if (t->cols[k].generated_expr)
			continue;
		if (i-- == 0)
			return t->cols[k].name;
	}
	return "?";
}

void
table_qualname(const struct table *t, struct strbuf *sb)
{
	strbuf_addf(sb, "%s.%s", t->schema, t->name);
}

int
table_matches(const char *schema, const char *name, const char *pattern)
{
	if (strchr(pattern, '.')) {
		struct strbuf q = STRBUF_INIT;
		int m;

		strbuf_addf(&q, "%s.%s", schema, name);
		m = fnmatch(pattern, q.buf, 0) == 0;
		strbuf_release(&q);
		return m;
	}
	return fnmatch(pattern, name, 0) == 0;
}
