/*
 * pg_ddl.c - the DDL that recreates a neutral schema on PostgreSQL.
 *
 * The plan follows pg_restore's order: everything a row needs before the
 * data (schemas, enum types, domains, sequences, tables with their
 * defaults and CHECK constraints) in one transaction; then keys and
 * indexes, built once over the loaded rows; then foreign keys; then the
 * sequence values. Each post-data step is its own ledger item, so a
 * resumed load skips exactly what already committed.
 *
 * A dump from PostgreSQL keeps its own type spellings and expressions,
 * which replay verbatim here.
 */
#include "pg_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/base/banned.h"

static const struct sequence *
identity_sequence(const struct schema_model *s, const struct table *t,
		  const struct column *col)
{
	struct strbuf q = STRBUF_INIT;
	const struct sequence *hit = NULL;

	table_qualname(t, &q);
	for (int i = 0; i < s->nseqs && !hit; i++) {
		const struct sequence *sq = &s->seqs[i];

		if (sq->identity && sq->owned_table && sq->owned_column &&
		    !strcmp(sq->owned_table, q.buf) && !strcmp(sq->owned_column, col->name))
			hit = sq;
	}
	strbuf_release(&q);
	return hit;
}

static void
sequence_options(struct strbuf *sql, const struct sequence *q)
{
	strbuf_addf(sql, " INCREMENT BY %" PRId64 " MINVALUE %" PRId64 " MAXVALUE %" PRId64
		    " START WITH %" PRId64 " CACHE %" PRId64 "%s", q->increment, q->min,
		    q->max, q->start, q->cache, q->cycle ? " CYCLE" : " NO CYCLE");
}

/* A partition: its columns, keys and indexes come from its parent. */
static void
create_partition(struct strbuf *sql, const struct schema_model *s, const struct table *t)
{
	const struct table *parent = schema_find_table(s, t->partition_of);

	strbuf_addstr(sql, "CREATE TABLE ");
	pg_quote_qualified(sql, t->schema, t->name);
	strbuf_addstr(sql, " PARTITION OF ");
	pg_quote_qualified(sql, parent->schema, parent->name);
	strbuf_addf(sql, " %s", t->partition_bound ? t->partition_bound : "DEFAULT");
	if (t->partition_key)
		strbuf_addf(sql, " PARTITION BY %s", t->partition_key);
	strbuf_addstr(sql, ";\n");
}

static void
create_table(struct strbuf *sql, const struct schema_model *s, const struct table *t)
{
	int first = 1;

	if (t->partition_of && schema_find_table(s, t->partition_of)) {
		create_partition(sql, s, t);
		return;
	}
	strbuf_addstr(sql, "CREATE TABLE ");
	pg_quote_qualified(sql, t->schema, t->name);
	strbuf_addstr(sql, " (");
	for (int i = 0; i < t->ncols; i++) {
		const struct column *col = &t->cols[i];

		strbuf_addstr(sql, first ? "\n\t" : ",\n\t");
		first = 0;
		pg_quote_ident(sql, col->name);
		strbuf_addf(sql, " %s", col->native_type);
		if (col->collation)
			strbuf_addf(sql, " COLLATE %s", col->collation);
		if (col->generated_expr) {
			strbuf_addf(sql, " GENERATED ALWAYS AS (%s) STORED", col->generated_expr);
		} else if (col->identity) {
			const struct sequence *q = identity_sequence(s, t, col);

			strbuf_addf(sql, " GENERATED %s AS IDENTITY",
				    col->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
			if (q) {
				strbuf_addstr(sql, " (SEQUENCE NAME ");
				pg_quote_qualified(sql, q->schema, q->name);
				sequence_options(sql, q);
				strbuf_addch(sql, ')');
			}
		} else if (col->default_expr) {
			strbuf_addf(sql, " DEFAULT %s", col->default_expr);
		}
		if (col->not_null)
			strbuf_addstr(sql, " NOT NULL");
	}
	for (int i = 0; i < t->ncons; i++) {
		const struct constraint *con = &t->cons[i];

		if (con->kind != 'c')
			continue;
		strbuf_addstr(sql, first ? "\n\tCONSTRAINT " : ",\n\tCONSTRAINT ");
		first = 0;
		pg_quote_ident(sql, con->name);
		strbuf_addf(sql, " %s", con->definition);
	}
	strbuf_addstr(sql, "\n)");
	if (t->partition_key)
		strbuf_addf(sql, " PARTITION BY %s", t->partition_key);
	strbuf_addstr(sql, ";\n");
}

static void
comments(struct strbuf *sql, const struct table *t)
{
	if (t->comment) {
		strbuf_addstr(sql, "COMMENT ON TABLE ");
		pg_quote_qualified(sql, t->schema, t->name);
		strbuf_addstr(sql, " IS ");
		pg_quote_literal(sql, t->comment);
		strbuf_addstr(sql, ";\n");
	}
	for (int i = 0; i < t->ncols; i++) {
		if (!t->cols[i].comment)
			continue;
		strbuf_addstr(sql, "COMMENT ON COLUMN ");
		pg_quote_qualified(sql, t->schema, t->name);
		strbuf_addch(sql, '.');
		pg_quote_ident(sql, t->cols[i].name);
		strbuf_addstr(sql, " IS ");
		pg_quote_literal(sql, t->cols[i].comment);
		strbuf_addstr(sql, ";\n");
	}
}

/* Each sequence to the value the source had at its snapshot. */
static void
seq_steps_from_pg(const struct schema_model *s, struct ddl_plan *plan)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT, qn = STRBUF_INIT;

	for (int i = 0; i < s->nseqs; i++) {
		const struct sequence *q = &s->seqs[i];

		strbuf_reset(&sql);
		strbuf_reset(&item);
		strbuf_reset(&qn);
		pg_quote_qualified(&qn, q->schema, q->name);
		strbuf_addstr(&sql, "SELECT pg_catalog.setval(");
		pg_quote_literal(&sql, qn.buf);
		strbuf_addf(&sql, ", %" PRId64 ", %s)", q->last_value,
			    q->is_called ? "true" : "false");
		strbuf_addf(&item, "sequence:%s.%s", q->schema, q->name);
		ddl_plan_add(plan, DDL_POST_SEQ, item.buf, sql.buf);
	}
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&qn);
}

int
pg_sequences_plan(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err)
{
	if (!strcmp(s->source_engine, "mysql"))
		return pg_seq_steps_from_mysql(s, plan, err);
	seq_steps_from_pg(s, plan);
	return 0;
}

/* Collations (a domain or a column may use one) and text search
 * dictionaries and configurations (a generated column or a default may
 * name one): before the types and tables */
static int
early_object(const struct db_object *o)
{
	return !strcmp(o->kind, "collation") || !strncmp(o->kind, "text search ", 12);
}

/* Objects that come before the tables, which may use them: extensions,
 * composite and range types, collations and text search objects. */
static int
pre_data_object(const struct db_object *o)
{
	return !strcmp(o->kind, "extension") || !strcmp(o->kind, "type") || early_object(o);
}

/* A role an owner or a GRANT names, created under --roles when the
 * target lacks it (roles are the cluster's: one that exists, made by
 * another load meanwhile too, is left as it is). */
static void
role_object(struct ddl_plan *plan, const struct db_object *o)
{
	static const char *const attrs[] = {
		"LOGIN", "NOLOGIN", "INHERIT", "NOINHERIT", "CREATEDB", "CREATEROLE", NULL
	};
	struct strbuf sql = STRBUF_INIT, create = STRBUF_INIT;
	const char *w;

	if (!plan->create_roles || (plan->no_owner && plan->no_privileges))
		return;
	if (strstr(o->name, "$dbmig$")) {	/* it would end the DO block's quote */
		struct strbuf note = STRBUF_INIT;

		strbuf_addf(&note, "role %s is not created: create it by hand", o->name);
		strlist_push(&plan->notes, note.buf);
		strbuf_release(&note);
		return;
	}
	/* the name quoted here and only the attributes dbmig writes: the
	 * manifest's text never reaches SQL */
	strbuf_addstr(&create, "CREATE ROLE ");
	pg_quote_ident(&create, o->name);
	for (int i = 0; attrs[i]; i++)
		for (w = o->definition; (w = strstr(w, attrs[i])); w++)
			if (w > o->definition && w[-1] == ' ' &&
			    (w[strlen(attrs[i])] == ' ' || !w[strlen(attrs[i])])) {
				strbuf_addf(&create, " %s", attrs[i]);
				break;
			}
	strbuf_addf(&sql, "DO $dbmig$ BEGIN %s; EXCEPTION WHEN duplicate_object THEN NULL; "
		    "END $dbmig$", create.buf);
	ddl_plan_add_object(plan, o, sql.buf);
	strbuf_release(&sql);
	strbuf_release(&create);
}

/* Each extension the source has, as its own step before the tables, so
 * a target without it fails naming it (the load says what to install). */
static void
extension_steps(const struct schema_model *s, struct ddl_plan *plan)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT;

	for (int i = 0; i < s->nobjects; i++) {
		const struct db_object *o = &s->objects[i];

		if (strcmp(o->kind, "extension") || !o->definition)
			continue;
		strbuf_reset(&sql);
		strbuf_reset(&item);
		strbuf_addstr(&sql, "CREATE SCHEMA IF NOT EXISTS ");
		pg_quote_ident(&sql, o->schema);
		strbuf_addf(&sql, ";\n%s", o->definition);
		strbuf_addf(&item, "extension:%s", o->name);
		ddl_plan_add(plan, DDL_PRE_DATA, item.buf, sql.buf);
	}
	strbuf_release(&sql);
	strbuf_release(&item);
}

/* Schemas, enum types, domains, composite types and free-standing
 * sequences. */
static void
types_sql(const struct schema_model *s, struct strbuf *pre)
{
	for (size_t i = 0; i < s->schemas.n; i++) {
		strbuf_addstr(pre, "CREATE SCHEMA IF NOT EXISTS ");
		pg_quote_ident(pre, s->schemas.v[i]);
		strbuf_addstr(pre, ";\n");
	}
	for (int i = 0; i < s->nobjects; i++) {
		const struct db_object *o = &s->objects[i];

		if (!early_object(o) || !o->definition)
			continue;
		strbuf_addstr(pre, "CREATE SCHEMA IF NOT EXISTS ");
		pg_quote_ident(pre, o->schema);
		strbuf_addf(pre, ";\n%s;\n", o->definition);
	}
	for (int i = 0; i < s->nenums; i++) {
		strbuf_addstr(pre, "CREATE TYPE ");
		pg_quote_qualified(pre, s->enums[i].schema, s->enums[i].name);
		strbuf_addstr(pre, " AS ENUM (");
		for (size_t k = 0; k < s->enums[i].labels.n; k++) {
			if (k)
				strbuf_addstr(pre, ", ");
			pg_quote_literal(pre, s->enums[i].labels.v[k]);
		}
		strbuf_addstr(pre, ");\n");
	}
	for (int i = 0; i < s->ndomains; i++) {
		const struct domain *d = &s->domains[i];

		strbuf_addstr(pre, "CREATE DOMAIN ");
		pg_quote_qualified(pre, d->schema, d->name);
		strbuf_addf(pre, " AS %s", d->base_type);
		if (d->default_expr)
			strbuf_addf(pre, " DEFAULT %s", d->default_expr);
		if (d->not_null)
			strbuf_addstr(pre, " NOT NULL");
		for (size_t k = 0; k < d->checks.n; k++) {
			strbuf_addstr(pre, " CONSTRAINT ");
			pg_quote_ident(pre, d->check_names.v[k]);
			strbuf_addf(pre, " %s", d->checks.v[k]);
		}
		strbuf_addstr(pre, ";\n");
	}
	/* range types, then composite types (which may use them) */
	for (int range = 1; range >= 0; range--)
		for (int i = 0; i < s->nobjects; i++) {
			const struct db_object *o = &s->objects[i];

			if (strcmp(o->kind, "type") || !o->definition ||
			    !strstr(o->definition, " AS RANGE (") != !range)
				continue;
			strbuf_addstr(pre, "CREATE SCHEMA IF NOT EXISTS ");
			pg_quote_ident(pre, o->schema);
			strbuf_addf(pre, ";\n%s;\n", o->definition);
		}
	for (int i = 0; i < s->nseqs; i++) {
		const struct sequence *q = &s->seqs[i];

		if (q->identity)
			continue;	/* created by its column */
		strbuf_addstr(pre, "CREATE SEQUENCE ");
		pg_quote_qualified(pre, q->schema, q->name);
		strbuf_addf(pre, " AS %s", q->data_type);
		sequence_options(pre, q);
		strbuf_addstr(pre, ";\n");
	}
}

/* The tables, and the sequences they own. */
static void
tables_sql(const struct schema_model *s, struct strbuf *pre)
{
	for (int i = 0; i < s->ntables; i++) {
		create_table(pre, s, &s->tables[i]);
		comments(pre, &s->tables[i]);
	}
	for (int i = 0; i < s->nseqs; i++) {
		const struct sequence *q = &s->seqs[i];
		const struct table *owner;

		if (q->identity || !q->owned_table || !q->owned_column ||
		    !(owner = schema_find_table(s, q->owned_table)))
			continue;
		strbuf_addstr(pre, "ALTER SEQUENCE ");
		pg_quote_qualified(pre, q->schema, q->name);
		strbuf_addstr(pre, " OWNED BY ");
		/* The table's own fields, not a split of "schema.table":
		 * names may hold dots. */
		pg_quote_qualified(pre, owner->schema, owner->name);
		strbuf_addch(pre, '.');
		pg_quote_ident(pre, q->owned_column);
		strbuf_addstr(pre, ";\n");
	}
}

/* Constraints (keys first, foreign keys once all keys exist) and indexes,
 * as the source defined them. */
static void
key_steps(const struct schema_model *s, struct ddl_plan *plan)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT;

	for (int i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];

		ddl_plan_set_table(plan, t);

		for (int k = 0; k < t->ncons; k++) {
			const struct constraint *con = &t->cons[k];
			enum ddl_phase ph;

			if (con->kind == 'c')
				continue;
			if (con->kind == 'f' && con->ref_table && !schema_find_table(s, con->ref_table)) {
				log_warn("foreign key %s on %s.%s references %s, which is not in "
					 "the dump; not created", con->name, t->schema, t->name,
					 con->ref_table);
				continue;
			}
			ph = con->kind == 'f' ? DDL_POST_FK : DDL_POST_INDEX;
			strbuf_reset(&sql);
			/* on a partitioned table, for every partition too (their
			 * copies get the names the source's got) */
			strbuf_addstr(&sql, t->partition_key ? "ALTER TABLE " : "ALTER TABLE ONLY ");
			pg_quote_qualified(&sql, t->schema, t->name);
			strbuf_addstr(&sql, " ADD CONSTRAINT ");
			pg_quote_ident(&sql, con->name);
			strbuf_addf(&sql, " %s", con->definition);
			strbuf_reset(&item);
			strbuf_addf(&item, "constraint:%s.%s.%s", t->schema, t->name, con->name);
			ddl_plan_add(plan, ph, item.buf, sql.buf);
		}
		for (int k = 0; k < t->nidx; k++) {
			const char *def = t->idx[k].definition, *only = strstr(def, " ON ONLY ");

			strbuf_reset(&item);
			strbuf_reset(&sql);
			strbuf_addf(&item, "index:%s.%s", t->schema, t->idx[k].name);
			if (t->partition_key && only)	/* cascade to the partitions */
				strbuf_addf(&sql, "%.*s ON %s", (int)(only - def), def, only + 9);
			else
				strbuf_addstr(&sql, def);
			ddl_plan_add(plan, DDL_POST_INDEX, item.buf, sql.buf);
		}
	}
	ddl_plan_set_table(plan, NULL);
	strbuf_release(&sql);
	strbuf_release(&item);
}

int
pg_ddl_plan(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err)
{
	struct strbuf pre = STRBUF_INIT;

	if (!strcmp(s->source_engine, "mysql"))
		return pg_ddl_plan_from_mysql(s, plan, err);
	if (strcmp(s->source_engine, "postgresql"))
		return dberr_set(err, DBERR_UNSUPPORTED, "dumps from %s cannot be loaded into "
				 "PostgreSQL by this version of dbmig", s->source_engine);
	extension_steps(s, plan);
	types_sql(s, &pre);
	tables_sql(s, &pre);
	ddl_plan_add(plan, DDL_PRE_DATA, "pre-data", pre.buf ? pre.buf : "SELECT 1");
	strbuf_release(&pre);
	key_steps(s, plan);
	/* Functions, views, triggers: as the source defined them. */
	for (int i = 0; i < s->nobjects; i++) {
		const struct db_object *o = &s->objects[i];

		if (!o->definition || pre_data_object(o) ||
		    (plan->no_owner && !strcmp(o->kind, "owner of")) ||
		    (plan->no_privileges && !strcmp(o->kind, "privileges on")))
			continue;
		if (!strcmp(o->kind, "role")) {
			role_object(plan, o);
			continue;
		}
		ddl_plan_add_object(plan, o, o->definition);
	}
	return 0;
}
