/*
 * pg_ddl_mysql.c - recreating a MySQL/MariaDB dump on PostgreSQL: the
 * neutral types chosen per column (with what the dump saw in the data),
 * keys, indexes, foreign keys, AUTO_INCREMENT as identity, defaults, and
 * ON UPDATE CURRENT_TIMESTAMP as a trigger. Each MySQL database becomes a
 * schema of the same name.
 *
 * Whatever cannot be carried exactly is said: every lossy or approximate
 * choice is a note (plan->notes) naming schema.table.column, and what is
 * not carried at all (prefix, FULLTEXT and SPATIAL indexes, CHECK
 * constraints, untranslatable defaults) is named the same way.
 */
#include "pg_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/keyrange.h"
#include "lib/base/banned.h"

static inline const char *
name_of(const struct column *col)
{
	return col ? col->name : NULL;
}
#define note(plan, t, col, ...) ddl_plan_note(plan, t, name_of(col), __VA_ARGS__)

/* The labels of "enum('a','b''c')" or "set(...)", unescaped. */
static void
parse_labels(const char *native, struct strlist *out)
{
	const char *p = strchr(native, '(');
	struct strbuf lab = STRBUF_INIT;

	if (!p)
		return;
	for (p++; *p == '\''; ) {
		strbuf_reset(&lab);
		for (p++; *p; p++) {
			if (*p == '\'' && p[1] == '\'') {
				strbuf_addch(&lab, '\'');
				p++;
			} else if (*p == '\\' && p[1]) {
				strbuf_addch(&lab, *++p);
			} else if (*p == '\'') {
				break;
			} else {
				strbuf_addch(&lab, *p);
			}
		}
		strlist_push(out, strbuf_cstr(&lab));
		if (*p == '\'')
			p++;
		if (*p == ',')
			p++;
	}
	strbuf_release(&lab);
}

/* PostgreSQL's limit is 63 bytes; longer names are cut and say so. */
static void
short_name(struct strbuf *sb, const char *a, const char *b)
{
	strbuf_addf(sb, "%s_%s", a, b);
	if (sb->len > 63) {
		sb->len = 63;
		sb->buf[63] = '\0';
	}
}

static int
is_tinyint1(const struct column *col)
{
	return !strncmp(col->native_type, "tinyint(1)", 10);
}

/* tinyint(1) becomes boolean when the data allows and the user did not
 * ask to keep it numeric. */
static int
as_boolean(const struct column *col, const struct ddl_plan *plan)
{
	return col->type.t == NT_INT16 && is_tinyint1(col) && col->profile.done &&
	       col->profile.only_0_1 && !plan->tinyint_numeric;
}

/* How col's values convert on the way (xform.h), for the target's state:
 * a change stream later converts the same way. */
static void
record_xforms(const struct table *t, const struct column *col, struct ddl_plan *plan)
{
	unsigned f = 0;

	switch (col->type.t) {
	case NT_INT16:
		f = as_boolean(col, plan) ? XF_BOOL_FROM_INT : 0;
		break;
	case NT_DATE: case NT_TIMESTAMP: case NT_TIMESTAMPTZ:
		/* PostgreSQL has no zero dates: whether or not the dump saw
		 * any, one arriving later becomes NULL too */
		f = XF_ZERO_DATE_NULL;
		break;
	case NT_TIME:
		f = col->profile.outside_day ? XF_TIME_INTERVAL : 0;
		break;
	case NT_JSON:
		f = plan->json_plain ? 0 : XF_JSONB;
		break;
	case NT_BYTES: case NT_GEOMETRY: case NT_FLOAT32: case NT_FLOAT64: case NT_ARRAY:
		break;
	default:
		break;
	}
	if (plan->strip_nul && (col->type.t == NT_CHAR || col->type.t == NT_VARCHAR ||
				col->type.t == NT_TEXT || col->type.t == NT_JSON ||
				col->type.t == NT_ENUM || col->type.t == NT_SET))
		f |= XF_STRIP_NUL;
	if (f)
		ddl_plan_xform(plan, t, col->name, f);
}

/* The PostgreSQL type for a MySQL column, with notes for what changes. */
static void
column_type(struct strbuf *sql, struct strbuf *pre, const struct table *t,
	    const struct column *col, struct ddl_plan *plan)
{
	const struct ntype_desc *d = &col->type;

	switch (d->t) {
	case NT_INT16:
		if (as_boolean(col, plan)) {
			strbuf_addstr(sql, "boolean");
			note(plan, t, col, "tinyint(1) becomes boolean: it holds only 0, 1 and NULL");
		} else {
			strbuf_addstr(sql, "smallint");
			if (is_tinyint1(col) && !plan->tinyint_numeric)
				note(plan, t, col, "tinyint(1) stays numeric (smallint): it holds values other than 0 and 1");
		}
		break;
	case NT_INT32: strbuf_addstr(sql, "integer"); break;
	case NT_INT64: strbuf_addstr(sql, "bigint"); break;
	case NT_UINT64:
		if (col->identity) {
			/* An identity must be an integer type; AUTO_INCREMENT below
			 * 2^63 (checked by the caller) fits bigint. */
			strbuf_addstr(sql, "bigint");
			note(plan, t, col, "bigint unsigned AUTO_INCREMENT becomes bigint identity "
			     "(its values are below 2^63)");
		} else {
			strbuf_addstr(sql, "numeric(20,0)");
		}
		break;
	case NT_DECIMAL:
		if (d->precision > 0)
			strbuf_addf(sql, "numeric(%d,%d)", d->precision, d->scale > 0 ? d->scale : 0);
		else
			strbuf_addstr(sql, "numeric");
		break;
	case NT_FLOAT32: strbuf_addstr(sql, "real"); break;
	case NT_FLOAT64: strbuf_addstr(sql, "double precision"); break;
	case NT_BIT: strbuf_addf(sql, "bit(%d)", d->length > 0 ? d->length : 1); break;
	case NT_DATE: strbuf_addstr(sql, "date"); break;
	case NT_TIMESTAMP: strbuf_addf(sql, "timestamp(%d)", d->fsp > 0 ? d->fsp : 0); break;
	case NT_TIMESTAMPTZ: strbuf_addf(sql, "timestamptz(%d)", d->fsp > 0 ? d->fsp : 0); break;
	case NT_TIME:
		if (col->profile.outside_day) {
			strbuf_addstr(sql, "interval");
			note(plan, t, col, "time becomes interval: it holds values below 0 or beyond 24 hours");
		} else {
			strbuf_addf(sql, "time(%d)", d->fsp > 0 ? d->fsp : 0);
		}
		break;
	case NT_YEAR: strbuf_addstr(sql, "smallint"); break;
	case NT_CHAR: strbuf_addf(sql, "char(%d)", d->length > 0 ? d->length : 1); break;
	case NT_VARCHAR:
		if (d->length > 0)
			strbuf_addf(sql, "varchar(%d)", d->length);
		else
			strbuf_addstr(sql, "varchar");
		break;
	case NT_TEXT:
		strbuf_addstr(sql, "text");
		if (col->unmapped_from)
			note(plan, t, col, "type '%s' has no mapping: carried as text", col->unmapped_from);
		break;
	case NT_JSON: strbuf_addstr(sql, plan->json_plain ? "json" : "jsonb"); break;
	case NT_BYTES: strbuf_addstr(sql, "bytea"); break;
	case NT_GEOMETRY:
		strbuf_addstr(sql, "bytea");
		note(plan, t, col, "%s becomes bytea holding WKB; the SRID is not kept", col->native_type);
		break;
	case NT_SET:
		strbuf_addstr(sql, "text[]");
		note(plan, t, col, "set becomes text[] of its members");
		break;
	case NT_ENUM: {
		struct strbuf tn = STRBUF_INIT;
		struct strlist labels = STRLIST_INIT;

		short_name(&tn, t->name, col->name);
		parse_labels(col->native_type, &labels);
		strbuf_addstr(pre, "CREATE TYPE ");
		pg_quote_qualified(pre, t->schema, tn.buf);
		strbuf_addstr(pre, " AS ENUM (");
		for (size_t i = 0; i < labels.n; i++) {
			if (i)
				strbuf_addstr(pre, ", ");
			pg_quote_literal(pre, labels.v[i]);
		}
		strbuf_addstr(pre, ");\n");
		pg_quote_qualified(sql, t->schema, tn.buf);
		strlist_release(&labels);
		strbuf_release(&tn);
		break;
	}
	default:
		strbuf_addstr(sql, "text");
		note(plan, t, col, "no PostgreSQL type for %s: text", ntype_name(d->t));
	}
}

/* A MySQL default as PostgreSQL understands it; 0 if it cannot be said. */
static int
column_default(struct strbuf *sql, const struct column *col, int as_bool)
{
	const char *d = col->default_expr;
	size_t n;

	if (!d || !strcmp(d, "NULL"))
		return 1;
	n = strlen(d);
	if (!strncasecmp(d, "current_timestamp", 17) || !strncasecmp(d, "now(", 4)) {
		const char *paren = strchr(d, '(');
		int prec = paren ? atoi(paren + 1) : 0;

		if (prec > 0)
			strbuf_addf(sql, " DEFAULT CURRENT_TIMESTAMP(%d)", prec);
		else
			strbuf_addstr(sql, " DEFAULT CURRENT_TIMESTAMP");
		return 1;
	}
	if (!strncasecmp(d, "utc_timestamp", 13)) {
		/* a datetime holding UTC: the UTC wall clock, as on MySQL */
		strbuf_addstr(sql, " DEFAULT (now() AT TIME ZONE 'UTC')");
		return 1;
	}
	if (!strcasecmp(d, "uuid()") && (col->type.t == NT_CHAR || col->type.t == NT_VARCHAR ||
					  col->type.t == NT_UUID)) {
		strbuf_addstr(sql, col->type.t == NT_UUID ? " DEFAULT gen_random_uuid()"
			      : " DEFAULT gen_random_uuid()::text");
		return 1;
	}
	if (!strcasecmp(d, "curdate()") || !strcasecmp(d, "current_date()")) {
		strbuf_addstr(sql, " DEFAULT CURRENT_DATE");
		return 1;
	}
	if (!strcasecmp(d, "curtime()") || !strcasecmp(d, "current_time()")) {
		strbuf_addstr(sql, " DEFAULT LOCALTIME");
		return 1;
	}
	if (as_bool && (!strcmp(d, "0") || !strcmp(d, "1") || !strcmp(d, "'0'") || !strcmp(d, "'1'"))) {
		strbuf_addstr(sql, strchr(d, '1') ? " DEFAULT true" : " DEFAULT false");
		return 1;
	}
	/* numbers */
	if (strspn(d, "-+0123456789.eE") == n) {
		strbuf_addf(sql, " DEFAULT %s", d);
		return 1;
	}
	/* 'literal' as MariaDB prints it: '' and backslash escapes */
	if (n >= 2 && d[0] == '\'' && d[n - 1] == '\'') {
		struct strbuf lit = STRBUF_INIT;

		for (size_t i = 1; i + 1 < n; i++) {
			if ((d[i] == '\'' && d[i + 1] == '\'') || (d[i] == '\\' && i + 2 < n))
				i++;
			strbuf_addch(&lit, d[i]);
		}
		if (col->type.t == NT_SET) {
			/* 'a,b' -> '{a,b}' */
			struct strbuf arr = STRBUF_INIT;

			strbuf_addch(&arr, '{');
			for (size_t i = 0; i < lit.len; i++) {
				if (i == 0 || lit.buf[i - 1] == ',')
					strbuf_addch(&arr, '"');
				if (lit.buf[i] == ',') {
					strbuf_addstr(&arr, "\",");
					continue;
				}
				if (lit.buf[i] == '"' || lit.buf[i] == '\\')
					strbuf_addch(&arr, '\\');
				strbuf_addch(&arr, lit.buf[i]);
			}
			if (lit.len)
				strbuf_addch(&arr, '"');
			strbuf_addch(&arr, '}');
			strbuf_reset(&lit);
			strbuf_addstr(&lit, arr.buf);
			strbuf_release(&arr);
		}
		strbuf_addstr(sql, " DEFAULT ");
		pg_quote_literal(sql, strbuf_cstr(&lit));
		strbuf_release(&lit);
		return 1;
	}
	if (!strncmp(d, "b'", 2) && d[n - 1] == '\'') {
		strbuf_addf(sql, " DEFAULT B%s", d + 1);
		return 1;
	}
	return 0;
}

/* Backquoted MySQL identifiers in an expression, as PostgreSQL's. */
static void
requote(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '`') {
			strbuf_addch(out, '"');
			for (s++; *s && !(*s == '`' && s[1] != '`'); s++) {
				if (*s == '`')
					s++;
				if (*s == '"')
					strbuf_addch(out, '"');
				strbuf_addch(out, *s);
			}
			strbuf_addch(out, '"');
			if (!*s)
				break;
		} else {
			strbuf_addch(out, *s);
		}
	}
}

static uint64_t
auto_increment_of(const struct table *t)
{
	const char *p = t->native_ddl ? strstr(t->native_ddl, " AUTO_INCREMENT=") : NULL;

	return p ? strtoull(p + 16, NULL, 10) : 0;
}

/* CREATE TABLE for t into pre; the body of an ON UPDATE trigger, for
 * the columns that have ON UPDATE CURRENT_TIMESTAMP, into trig. */
/* A MySQL case-insensitive collation ('_ci'), as the PostgreSQL
 * collation dbmig creates for it (0: none, the column stays binary):
 * ICU's root locale at strength 1 (case and accents ignored, as MySQL's
 * _ci collations ignore both) or 2 ('_as_ci': accents count). */
static const char *
ci_collation(const struct column *col, const struct ddl_plan *plan)
{
	const char *c = col->collation;
	size_t n = c ? strlen(c) : 0;

	if (n < 3 || strcmp(c + n - 3, "_ci") || plan->ci_binary ||
	    !pg_version_at_least(plan->target_version, 120000) ||
	    (col->type.t != NT_CHAR && col->type.t != NT_VARCHAR && col->type.t != NT_TEXT))
		return NULL;
	return strstr(c, "_as_ci") ? "dbmig_ci_as" : "dbmig_ci";
}

/* The collations the _ci columns need, before the tables. */
static void
ci_collations(const struct schema_model *s, const struct ddl_plan *plan, struct strbuf *pre)
{
	int need[2] = { 0, 0 };

	for (int i = 0; i < s->ntables; i++)
		for (int k = 0; k < s->tables[i].ncols; k++) {
			const char *ci = ci_collation(&s->tables[i].cols[k], plan);

			if (ci)
				need[!strcmp(ci, "dbmig_ci_as")] = 1;
		}
	for (size_t i = 0; i < s->schemas.n; i++)
		for (int lv = 0; lv < 2; lv++) {
			if (!need[lv])
				continue;
			strbuf_addstr(pre, "CREATE COLLATION IF NOT EXISTS ");
			pg_quote_qualified(pre, s->schemas.v[i], lv ? "dbmig_ci_as" : "dbmig_ci");
			strbuf_addf(pre, " (provider = icu, locale = 'und-u-ks-level%d', "
				    "deterministic = false);\n", lv ? 2 : 1);
		}
}

static void
create_table(const struct table *t, struct ddl_plan *plan, const char *qt, struct strbuf *pre,
	     struct strbuf *trig, const char *partitioning)
{
	uint64_t next_id = auto_increment_of(t);
	struct strbuf sql = STRBUF_INIT;	/* column_type may add types to pre first */

	strbuf_addf(&sql, "CREATE TABLE %s (", qt);
	for (int i = 0; i < t->ncols; i++) {
		const struct column *col = &t->cols[i];
		int as_bool = as_boolean(col, plan);
		int not_null = col->not_null;

		strbuf_addstr(&sql, i ? ",\n\t" : "\n\t");
		pg_quote_ident(&sql, col->name);
		strbuf_addch(&sql, ' ');
		column_type(&sql, pre, t, col, plan);
		record_xforms(t, col, plan);
		if (ci_collation(col, plan)) {
			const char *ci = ci_collation(col, plan);

			strbuf_addstr(&sql, " COLLATE ");
			pg_quote_qualified(&sql, t->schema, ci);
			note(plan, t, col, "collation %s becomes the nondeterministic ICU collation %s: "
			     "equality and uniqueness ignore case%s as on MySQL; LIKE on the column "
			     "needs PostgreSQL 18, or COLLATE \"C\"", col->collation, ci,
			     strcmp(ci, "dbmig_ci") ? "" : " and accents");
		} else if (col->collation && strstr(col->collation, "_ci") && plan->ci_binary) {
			note(plan, t, col, "collation %s is not carried: the column is case-sensitive "
			     "(--ci-collation=binary)", col->collation);
		} else if (col->collation && strstr(col->collation, "_ci") &&
			   !pg_version_at_least(plan->target_version, 120000)) {
			note(plan, t, col, "collation %s is not carried: the column is case-sensitive "
			     "on PostgreSQL %s (nondeterministic collations need 12)", col->collation,
			     plan->target_version);
		}
		if (col->generated_expr) {
			/* translated where sure; else as written, said */
			struct strbuf expr = STRBUF_INIT;

			strbuf_addstr(&sql, " GENERATED ALWAYS AS (");
			if (pg_expr_from_mysql(col->generated_expr, &expr) == 0) {
				strbuf_add(&sql, expr.buf, expr.len);
			} else {
				requote(&sql, col->generated_expr);
				note(plan, t, col, "generated column expression '%s' carried as "
				     "written; check that it means the same in PostgreSQL",
				     col->generated_expr);
			}
			strbuf_addstr(&sql, ") STORED");
			strbuf_release(&expr);
		} else if (col->identity) {
			strbuf_addstr(&sql, " GENERATED BY DEFAULT AS IDENTITY");
			if (next_id > 1)
				strbuf_addf(&sql, " (START WITH %" PRIu64 ")", next_id);
		} else if (!column_default(&sql, col, as_bool)) {
			note(plan, t, col, "default '%s' is not carried: recreate it by hand",
			     col->default_expr);
		}
		if (col->profile.zero_dates) {
			note(plan, t, col, "%" PRIu64 " MySQL zero date%s become%s NULL%s",
			     col->profile.zero_dates, col->profile.zero_dates == 1 ? "" : "s",
			     col->profile.zero_dates == 1 ? "s" : "",
			     not_null ? "; the column loses its NOT NULL" : "");
			not_null = 0;
		}
		if (not_null)
			strbuf_addstr(&sql, " NOT NULL");
		if (col->on_update_now) {
			strbuf_addstr(trig, trig->len ? ";\n\t" : "");
			strbuf_addstr(trig, "NEW.");
			pg_quote_ident(trig, col->name);
			strbuf_addstr(trig, " := CURRENT_TIMESTAMP");
		}
	}
	strbuf_addf(&sql, "\n)%s;\n", partitioning);
	strbuf_addstr(pre, sql.buf);
	strbuf_release(&sql);
}

static void
table_comments(const struct table *t, const char *qt, struct strbuf *pre)
{
	if (t->comment) {
		strbuf_addf(pre, "COMMENT ON TABLE %s IS ", qt);
		pg_quote_literal(pre, t->comment);
		strbuf_addstr(pre, ";\n");
	}
	for (int i = 0; i < t->ncols; i++) {
		if (!t->cols[i].comment)
			continue;
		strbuf_addf(pre, "COMMENT ON COLUMN %s.", qt);
		pg_quote_ident(pre, t->cols[i].name);
		strbuf_addstr(pre, " IS ");
		pg_quote_literal(pre, t->cols[i].comment);
		strbuf_addstr(pre, ";\n");
	}
}

/* ON UPDATE CURRENT_TIMESTAMP: a row trigger does the same. */
static void
on_update_trigger(const struct table *t, struct ddl_plan *plan, const char *qt,
		  const char *body, struct strbuf *pre)
{
	struct strbuf name = STRBUF_INIT;

	short_name(&name, t->name, "on_update");
	strbuf_addstr(pre, "CREATE FUNCTION ");
	pg_quote_qualified(pre, t->schema, name.buf);
	strbuf_addf(pre, "() RETURNS trigger LANGUAGE plpgsql AS $dbmig$ BEGIN\n\t%s;\n"
		    "\tRETURN NEW;\nEND $dbmig$;\n", body);
	strbuf_addstr(pre, "CREATE TRIGGER ");
	pg_quote_ident(pre, name.buf);
	strbuf_addf(pre, " BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION ", qt);
	pg_quote_qualified(pre, t->schema, name.buf);
	strbuf_addstr(pre, "();\n");
	note(plan, t, NULL, "ON UPDATE CURRENT_TIMESTAMP becomes trigger %s", name.buf);
	strbuf_release(&name);
}

/* Whether an index name of a MySQL table can stay as it is in the one
 * PostgreSQL schema all the tables share: no other index, unique key or
 * table has it, nor an automatic name (a primary key's t_pkey). MySQL
 * names indexes per table, often after their column ('email'), so names
 * that repeat take their table's name in front. */
static int
index_name_free(const struct schema_model *s, const char *name)
{
	int uses = 0;

	for (int i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];
		size_t n = strlen(t->name);

		if (!strcmp(t->name, name) ||
		    (!strncmp(name, t->name, n) && !strcmp(name + n, "_pkey")))
			return 0;
		for (int k = 0; k < t->ncons; k++)
			uses += t->cons[k].kind == 'u' && !strcmp(t->cons[k].name, name);
		for (int k = 0; k < t->nidx; k++)
			uses += !strcmp(t->idx[k].name, name);
	}
	for (int i = 0; i < s->nobjects; i++)
		if (!strcmp(s->objects[i].name, name))
			return 0;
	return uses == 1 && strlen(name) <= 63;
}

static void
index_name(const struct schema_model *s, const struct table *t, const char *name,
	   struct strbuf *out)
{
	if (index_name_free(s, name))
		strbuf_addstr(out, name);
	else
		short_name(out, t->name, name);
}

/* Primary keys and unique constraints, then plain indexes. */
static void
key_steps(const struct schema_model *s, const struct table *t, struct ddl_plan *plan,
	  const char *qt, int partitioned)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT, name = STRBUF_INIT;

	for (int k = 0; k < t->ncons; k++) {
		const struct constraint *con = &t->cons[k];

		if (con->kind != 'p' && con->kind != 'u')
			continue;
		strbuf_reset(&sql);
		strbuf_reset(&item);
		strbuf_reset(&name);
		/* on a partitioned table, for every partition too */
		strbuf_addf(&sql, "ALTER TABLE %s%s ADD ", partitioned ? "" : "ONLY ", qt);
		if (con->kind == 'u') {
			index_name(s, t, con->name, &name);
			strbuf_addstr(&sql, "CONSTRAINT ");
			pg_quote_ident(&sql, name.buf);
			strbuf_addstr(&sql, " UNIQUE ");
		} else {
			strbuf_addstr(&sql, "PRIMARY KEY ");
		}
		sql_ident_list(&sql, &con->columns, pg_quote_ident);
		strbuf_addf(&item, "constraint:%s.%s.%s", t->schema, t->name, con->name);
		ddl_plan_add(plan, DDL_POST_INDEX, item.buf, sql.buf);
	}
	for (int k = 0; k < t->nidx; k++) {
		const struct index *x = &t->idx[k];

		if (x->prefix || (x->method && strcmp(x->method, "BTREE") && strcmp(x->method, "HASH"))) {
			note(plan, t, NULL, "index %s (%s%s) is not carried: recreate it by hand "
			     "(for FULLTEXT, a tsvector index)", x->name, x->method ? x->method : "",
			     x->prefix ? ", on a column prefix" : "");
			continue;
		}
		strbuf_reset(&sql);
		strbuf_reset(&item);
		strbuf_reset(&name);
		index_name(s, t, x->name, &name);
		strbuf_addstr(&sql, "CREATE INDEX ");
		pg_quote_ident(&sql, name.buf);
		strbuf_addf(&sql, " ON %s ", qt);
		sql_ident_list(&sql, &x->columns, pg_quote_ident);
		strbuf_addf(&item, "index:%s.%s", t->schema, name.buf);
		ddl_plan_add(plan, DDL_POST_INDEX, item.buf, sql.buf);
	}
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&name);
}

/* One "  CONSTRAINT `n` FOREIGN KEY (...) REFERENCES `t` (...)" line of
 * SHOW CREATE TABLE as a step (line is modified). */
static void
fk_step(const struct table *t, struct ddl_plan *plan, const char *qt, char *line)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT, name = STRBUF_INIT;
	char *refs = strstr(line, " REFERENCES `");

	if (!refs)
		return;
	strbuf_addf(&sql, "ALTER TABLE ONLY %s ADD ", qt);
	*refs = '\0';
	requote(&sql, line + 2);
	strbuf_addstr(&sql, " REFERENCES ");
	pg_quote_ident(&sql, t->schema);
	strbuf_addch(&sql, '.');
	requote(&sql, refs + 12);
	if (line[13] == '`')
		for (const char *q = line + 14; *q && *q != '`'; q++)
			strbuf_addch(&name, *q);
	strbuf_addf(&item, "constraint:%s.%s.%s", t->schema, t->name, name.buf);
	ddl_plan_add(plan, DDL_POST_FK, item.buf, sql.buf);
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&name);
}

/* A CHECK of the CREATE TABLE text, "  CONSTRAINT `c` CHECK (expr)" or
 * a column's "  `col` type ... CHECK (expr)" (name NULL: the line's
 * constraint name), as a best-effort step after the rows: a check
 * PostgreSQL refuses, or one the data breaks, is reported as not
 * migrated with its reason; one without a sure translation is reported. */
static void
check_step(const struct table *t, struct ddl_plan *plan, const char *qt, const char *name,
	   const char *line)
{
	const char *chk = strstr(line, " CHECK (");
	struct strbuf cname = STRBUF_INIT, expr = STRBUF_INIT, sql = STRBUF_INIT,
		      oname = STRBUF_INIT;
	size_t n;
	struct db_object o;

	if (name) {
		strbuf_addstr(&cname, name);
	} else if (line[13] == '`') {
		for (const char *q = line + 14; *q && *q != '`'; q++)
			strbuf_addch(&cname, *q);
	}
	chk += 8;	/* inside "CHECK (", to its last ")" */
	n = strlen(chk);
	while (n && chk[n - 1] != ')')
		n--;
	if (!n || !cname.len) {
		note(plan, t, NULL, "check constraint is not carried: %s", line + 2);
		goto out;
	}
	{
		char *body = xstrndup(chk, n - 1);
		int r = pg_expr_from_mysql(body, &expr);

		free(body);
		if (r < 0) {
			note(plan, t, NULL, "check constraint %s is not carried: (%.*s) has no "
			     "PostgreSQL equivalent dbmig is sure of; recreate it by hand", cname.buf,
			     (int)(n - 1), chk);
			goto out;
		}
	}
	strbuf_addf(&sql, "ALTER TABLE ONLY %s ADD CONSTRAINT ", qt);
	pg_quote_ident(&sql, cname.buf);
	strbuf_addf(&sql, " CHECK (%s)", expr.buf);
	strbuf_addf(&oname, "%s.%s", t->name, cname.buf);
	o.kind = "check constraint";
	o.schema = t->schema;
	o.name = oname.buf;
	o.definition = NULL;
	ddl_plan_add_object(plan, &o, sql.buf);
out:
	strbuf_release(&cname);
	strbuf_release(&expr);
	strbuf_release(&sql);
	strbuf_release(&oname);
}

/* A column's own CHECK; MariaDB's json_valid() on a JSON column is left
 * out, since jsonb (or json) validates by its type. */
static void
column_check_step(const struct table *t, struct ddl_plan *plan, const char *qt,
		  const char *line)
{
	struct strbuf col = STRBUF_INIT, name = STRBUF_INIT;

	for (const char *q = line + 3; *q && *q != '`'; q++)
		strbuf_addch(&col, *q);
	if (!strstr(line, " CHECK (json_valid(")) {
		strbuf_addf(&name, "%s_%s_check", t->name, col.buf);
		if (name.len > 63)
			name.len = 63, name.buf[63] = '\0';
		check_step(t, plan, qt, name.buf, line);
	}
	strbuf_release(&col);
	strbuf_release(&name);
}

/* Foreign keys and checks come from the CREATE TABLE text. */
static void
fk_steps(const struct table *t, struct ddl_plan *plan, const char *qt)
{
	char *ddl, *line, *nl;

	if (!t->native_ddl)
		return;
	ddl = xstrdup(t->native_ddl);
	for (line = ddl; line; line = nl) {
		size_t n;

		if ((nl = strchr(line, '\n')))
			*nl++ = '\0';
		n = strlen(line);
		if (n && line[n - 1] == ',')
			line[--n] = '\0';
		if (!strncmp(line, "  `", 3) && strstr(line, " CHECK ("))
			column_check_step(t, plan, qt, line);
		if (strncmp(line, "  CONSTRAINT ", 13))
			continue;
		if (!strstr(line, " FOREIGN KEY "))
			check_step(t, plan, qt, NULL, line);
		else
			fk_step(t, plan, qt, line);
	}
	free(ddl);
}

/* MySQL partitioning as declarative partitions, or one table holding
 * every row with a note saying why; 1 when partitioned. */
static int
partitioning(const struct schema_model *s, const struct table *t, struct ddl_plan *plan,
	     const char *qt, struct strbuf *key, struct strbuf *parts)
{
	struct strbuf why = STRBUF_INIT;
	const char *p = t->native_ddl ? strstr(t->native_ddl, "PARTITION BY ") : NULL;
	int r = pg_partition_from_mysql(s, t, qt, key, parts, &why);
	size_t n;

	/* hash and DEFAULT partitions, keys on a partitioned table: 11 */
	if (r > 0 && !pg_version_at_least(plan->target_version, 110000)) {
		strbuf_addf(&why, "PostgreSQL %s cannot hold it (11 can)", plan->target_version);
		r = -1;
	}

	if (r < 0 && p) {
		n = strcspn(p, "\n");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '/' || p[n - 1] == '*'))
			n--;
		note(plan, t, NULL, "MySQL partitioning (%.*s) is not carried: the table becomes one "
		     "PostgreSQL table holding every row, since %s", (int)(n > 200 ? 200 : n), p,
		     why.buf);
		strbuf_reset(key);
		strbuf_reset(parts);
	}
	strbuf_release(&why);
	return r > 0;
}

static void
plan_table(const struct schema_model *s, const struct table *t, struct ddl_plan *plan,
	   struct strbuf *pre)
{
	struct strbuf qt = STRBUF_INIT, trig = STRBUF_INIT, key = STRBUF_INIT, parts = STRBUF_INIT;
	int partitioned;

	pg_quote_qualified(&qt, t->schema, t->name);
	partitioned = partitioning(s, t, plan, qt.buf, &key, &parts);
	create_table(t, plan, qt.buf, pre, &trig, strbuf_cstr(&key));
	strbuf_add(pre, parts.buf, parts.len);
	table_comments(t, qt.buf, pre);
	if (trig.len)
		on_update_trigger(t, plan, qt.buf, trig.buf, pre);
	key_steps(s, t, plan, qt.buf, partitioned);
	fk_steps(t, plan, qt.buf);
	strbuf_release(&qt);
	strbuf_release(&trig);
	strbuf_release(&key);
	strbuf_release(&parts);
}

int
pg_seq_steps_from_mysql(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT, qt = STRBUF_INIT;

	(void)err;
	for (int k = 0; k < s->ntables; k++) {
		const struct table *t = &s->tables[k];
		uint64_t next_id = auto_increment_of(t);

		/* The identity continues where AUTO_INCREMENT would have. */
		for (int i = 0; i < t->ncols && next_id > 1; i++) {
			if (!t->cols[i].identity)
				continue;
			strbuf_reset(&sql);
			strbuf_reset(&item);
			strbuf_reset(&qt);
			pg_quote_qualified(&qt, t->schema, t->name);
			strbuf_addstr(&sql, "SELECT pg_catalog.setval("
				      "pg_catalog.pg_get_serial_sequence(");
			pg_quote_literal(&sql, qt.buf);
			strbuf_addstr(&sql, ", ");
			pg_quote_literal(&sql, t->cols[i].name);
			strbuf_addf(&sql, "), %" PRIu64 ", false)", next_id);
			strbuf_addf(&item, "sequence:%s.%s.%s", t->schema, t->name, t->cols[i].name);
			ddl_plan_add(plan, DDL_POST_SEQ, item.buf, sql.buf);
		}
	}
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&qt);
	return 0;
}

int
pg_ddl_plan_from_mysql(const struct schema_model *s, struct ddl_plan *plan,
		       struct dberr *err)
{
	struct strbuf pre = STRBUF_INIT;

	for (int i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];

		if (auto_increment_of(t) > (uint64_t)INT64_MAX)
			return dberr_set(err, DBERR_UNSUPPORTED, "table %s.%s has AUTO_INCREMENT "
					 "beyond 2^63-1, which no PostgreSQL identity can hold",
					 t->schema, t->name);
		if (strlen(t->name) > 63)
			return dberr_set(err, DBERR_UNSUPPORTED, "table name '%s' is longer than "
					 "PostgreSQL's 63 bytes; rename it or exclude it with -T", t->name);
		for (int k = 0; k < t->ncols; k++)
			if (strlen(t->cols[k].name) > 63)
				return dberr_set(err, DBERR_UNSUPPORTED, "column name %s.%s is longer "
						 "than PostgreSQL's 63 bytes; rename it", t->name,
						 t->cols[k].name);
	}
	for (size_t i = 0; i < s->schemas.n; i++) {
		strbuf_addstr(&pre, "CREATE SCHEMA IF NOT EXISTS ");
		pg_quote_ident(&pre, s->schemas.v[i]);
		strbuf_addstr(&pre, ";\n");
	}
	ci_collations(s, plan, &pre);
	for (int i = 0; i < s->ntables; i++) {
		ddl_plan_set_table(plan, &s->tables[i]);
		plan_table(s, &s->tables[i], plan, &pre);
	}
	ddl_plan_set_table(plan, NULL);
	for (int i = 0; i < s->nobjects; i++) {
		const struct db_object *o = &s->objects[i];
		const char *v, *as;

		/* A view whose SELECT PostgreSQL accepts once its backquotes
		 * are double quotes is recreated; the rest is reported. */
		if (!strcmp(o->kind, "view") && o->definition &&
		    (v = strstr(o->definition, " VIEW ")) && (as = strstr(v, " AS "))) {
			struct strbuf sql = STRBUF_INIT;

			/* MySQL writes tables of its own database unqualified. */
			strbuf_addstr(&sql, "SET LOCAL search_path = ");
			pg_quote_ident(&sql, o->schema);
			strbuf_addstr(&sql, ", pg_catalog; CREATE VIEW ");
			pg_quote_qualified(&sql, o->schema, o->name);
			strbuf_addstr(&sql, " AS ");
			requote(&sql, as + 4);
			ddl_plan_add_object(plan, o, sql.buf);
			strbuf_release(&sql);
		} else {
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "%s.%s: MySQL %s is not migrated to PostgreSQL; recreate it by hand from "
				    "its definition on the source (also in the manifest of a dump)", o->schema, o->name, o->kind);
			strlist_push(&plan->notes, w.buf);
			strbuf_release(&w);
		}
	}
	ddl_plan_add(plan, DDL_PRE_DATA, "pre-data", pre.buf ? pre.buf : "SELECT 1");
	/* pre-data must run first: move it to the front. */
	{
		struct ddl_step last = plan->steps[plan->nsteps - 1];

		memmove(&plan->steps[1], &plan->steps[0], sizeof(*plan->steps) * (size_t)(plan->nsteps - 1));
		plan->steps[0] = last;
	}
	strbuf_release(&pre);
	return 0;
}
