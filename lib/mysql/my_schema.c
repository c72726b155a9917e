/*
 * my_schema.c - reading a MySQL/MariaDB database (the one the URI names)
 * into the neutral model, inside the dump's snapshot transaction.
 *
 * Beside the neutral columns and keys, each table keeps the server's own
 * SHOW CREATE TABLE, which a MySQL target replays (my_ddl.c) so that
 * engines, charsets, collations, defaults and AUTO_INCREMENT come back
 * exactly. Views, triggers, routines and events are named as warnings.
 */
#include "my_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/base/banned.h"

#define LEDGER_NAME "_dbmig_load_ledger"

static struct table *
find_table(struct schema_model *s, const char *name)
{
	for (int i = 0; i < s->ntables; i++)
		if (!strcmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

static void
warnf(struct schema_model *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warnf(struct schema_model *s, const char *fmt, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&w, fmt, ap);
	va_end(ap);
	strlist_push(&s->warnings, w.buf);
	strbuf_release(&w);
}

static int
read_tables(struct db_conn *c, const struct schema_filter *f, struct schema_model *s,
	    struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SELECT TABLE_NAME, TABLE_COMMENT, "
				"COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0), TABLE_TYPE, "
				"COALESCE(TABLE_ROWS, -1) "
				"FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
				"ORDER BY TABLE_NAME", err);
	MYSQL_ROW row;

	if (!r)
		return -1;
	strlist_push(&s->schemas, c->dbname);
	while ((row = mysql_fetch_row(r))) {
		int keep = f->include.n == 0;
		struct table *t;

		/* dbmig's own bookkeeping (the ledger, change-apply state, a
		 * cutover's log and marker): never a table to move or compare */
		if (!strcmp(row[0], LEDGER_NAME) || !strncmp(row[0], "_dbmig_", 7))
			continue;
		for (size_t k = 0; k < f->include.n && !keep; k++)
			keep = table_matches(c->dbname, row[0], f->include.v[k]);
		for (size_t k = 0; k < f->exclude.n && keep; k++)
			keep = !table_matches(c->dbname, row[0], f->exclude.v[k]);
		if (!keep)
			continue;
		if (!strcmp(row[3], "VIEW")) {
			struct db_object *o = schema_add_object(s);

			o->kind = xstrdup("view");
			o->schema = xstrdup(c->dbname);
			o->name = xstrdup(row[0]);
			continue;	/* its definition is read with the others */
		}
		if (strcmp(row[3], "BASE TABLE")) {
			warnf(s, "%s %s.%s is not carried by this version of dbmig; recreate "
			      "it on the target by hand", row[3], c->dbname, row[0]);
			continue;
		}
		t = schema_add_table(s);
		t->schema = xstrdup(c->dbname);
		t->name = xstrdup(row[0]);
		t->comment = row[1] && *row[1] ? xstrdup(row[1]) : NULL;
		t->est_bytes = row[2] ? strtoll(row[2], NULL, 10) : 0;
		t->est_rows = row[4] ? strtoll(row[4], NULL, 10) : -1;
	}
	mysql_free_result(r);
	return 0;
}

/* MariaDB's JSON is LONGTEXT with a json_valid(`col`) check. */
static int
is_json_column(struct strlist *json_cols, const char *table, const char *col)
{
	struct strbuf k = STRBUF_INIT;
	int hit;

	strbuf_addf(&k, "%s\n%s", table, col);
	hit = strlist_has(json_cols, k.buf);
	strbuf_release(&k);
	return hit;
}

static int
read_json_checks(struct db_conn *c, struct strlist *json_cols, struct dberr *err)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	if (!c->is_mariadb)
		return 0;
	r = my_query(c, "SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
		     "WHERE CONSTRAINT_SCHEMA = DATABASE() AND CHECK_CLAUSE LIKE 'json\\_valid(`%`)'",
		     err);
	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r))) {
		const char *cl = row[1];
		size_t n = strlen(cl);
		struct strbuf k = STRBUF_INIT;

		/* json_valid(`name`) with `` for a backtick in the name */
		strbuf_addf(&k, "%s\n", row[0]);
		for (size_t i = 12; i + 2 < n; i++) {
			if (cl[i] == '`' && cl[i + 1] == '`')
				i++;
			strbuf_addch(&k, cl[i]);
		}
		strlist_push(json_cols, k.buf);
		strbuf_release(&k);
	}
	mysql_free_result(r);
	return 0;
}

static int
read_columns(struct db_conn *c, const struct schema_filter *f, struct schema_model *s,
	     struct dberr *err)
{
	struct strlist json_cols = STRLIST_INIT;
	struct unmapped_cols unmapped = UNMAPPED_COLS_INIT;
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	int ret = -1;

	if (read_json_checks(c, &json_cols, err) < 0)
		goto out;
	r = my_query(c, "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, "
		     "COLUMN_DEFAULT, EXTRA, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, "
		     "NUMERIC_SCALE, DATETIME_PRECISION, COLUMN_COMMENT, GENERATION_EXPRESSION, "
		     "COLLATION_NAME "
		     "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
		     "ORDER BY TABLE_NAME, ORDINAL_POSITION", err);
	if (!r)
		goto out;
	while ((row = mysql_fetch_row(r))) {
		struct table *t = find_table(s, row[0]);
		struct column *col;
		const char *extra = row[6] ? row[6] : "";

		if (!t)
			continue;
		col = table_add_column(t);
		col->name = xstrdup(row[1]);
		col->native_type = xstrdup(row[3]);
		col->not_null = !strcmp(row[4], "NO");
		col->default_expr = row[5] ? xstrdup(row[5]) : NULL;
		if (strstr(extra, "auto_increment"))
			col->identity = 'd';
		if (strstr(extra, "on update") || strstr(extra, "ON UPDATE"))
			col->on_update_now = 1;
		if (strstr(extra, "GENERATED") && row[12])
			col->generated_expr = xstrdup(row[12]);
		col->comment = row[11] && *row[11] ? xstrdup(row[11]) : NULL;
		/* MySQL's name, which only a PostgreSQL target reads: a _ci
		 * one becomes a nondeterministic collation there */
		col->collation = row[13] ? xstrdup(row[13]) : NULL;
		if (my_type_to_ntype(row[2], row[3], row[7] ? strtoll(row[7], NULL, 10) : -1,
				     row[8] ? atoi(row[8]) : -1, row[9] ? atoi(row[9]) : -1,
				     row[10] ? atoi(row[10]) : -1,
				     is_json_column(&json_cols, row[0], row[1]), &col->type) < 0)
			schema_unmapped_column(s, t, col, f->unmapped_as_text, &unmapped);
	}
	ret = schema_unmapped_check(&unmapped, err);
out:
	if (r)
		mysql_free_result(r);
	strlist_release(&json_cols);
	strbuf_release(&unmapped.first);
	return ret;
}

static int
read_keys(struct db_conn *c, struct schema_model *s, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, "
				"k.COLUMN_NAME, k.REFERENCED_TABLE_NAME "
				"FROM information_schema.TABLE_CONSTRAINTS tc "
				"JOIN information_schema.KEY_COLUMN_USAGE k "
				/* information_schema compares names without case;
				 * tables `U` and `u` are two tables: BINARY. */
				"ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA "
				"AND BINARY k.TABLE_NAME = BINARY tc.TABLE_NAME "
				"AND BINARY k.CONSTRAINT_NAME = BINARY tc.CONSTRAINT_NAME "
				"WHERE tc.CONSTRAINT_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE IN "
				"('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') "
				"ORDER BY BINARY tc.TABLE_NAME, BINARY tc.CONSTRAINT_NAME, "
				"k.ORDINAL_POSITION", err);
	MYSQL_ROW row;
	struct constraint *cur = NULL;
	struct table *curt = NULL;

	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r))) {
		struct table *t = find_table(s, row[0]);

		if (!t)
			continue;
		if (!cur || curt != t || strcmp(cur->name, row[1])) {
			cur = table_add_constraint(t);
			curt = t;
			cur->name = xstrdup(row[1]);
			cur->kind = row[2][0] == 'P' ? 'p' : row[2][0] == 'U' ? 'u' : 'f';
			cur->definition = xstrdup(row[2]);
			if (cur->kind == 'f' && row[4]) {
				struct strbuf q = STRBUF_INIT;

				strbuf_addf(&q, "%s.%s", c->dbname, row[4]);
				cur->ref_table = strbuf_detach(&q);
			}
		}
		strlist_push(&cur->columns, row[3]);
	}
	mysql_free_result(r);
	return 0;
}

/* Secondary indexes (not the primary key, not unique keys, which are
 * constraints), with their columns, method and prefix lengths. */
static int
read_indexes(struct db_conn *c, struct schema_model *s, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART, INDEX_TYPE "
				"FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
				"AND NON_UNIQUE = 1 ORDER BY BINARY TABLE_NAME, BINARY INDEX_NAME, "
				"SEQ_IN_INDEX", err);
	MYSQL_ROW row;
	struct index *cur = NULL;
	struct table *curt = NULL;

	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r))) {
		struct table *t = find_table(s, row[0]);

		if (!t)
			continue;
		if (!cur || curt != t || strcmp(cur->name, row[1])) {
			cur = table_add_index(t);
			curt = t;
			cur->name = xstrdup(row[1]);
			cur->definition = xstrdup("");
			cur->method = xstrdup(row[4] ? row[4] : "BTREE");
		}
		/* A functional index part has no column name. */
		strlist_push(&cur->columns, row[2] ? row[2] : "");
		if (row[3] || !row[2])
			cur->prefix = 1;
	}
	mysql_free_result(r);
	return 0;
}

static int
read_create_statements(struct db_conn *c, struct schema_model *s, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret = -1;

	for (int i = 0; i < s->ntables; i++) {
		MYSQL_RES *r;
		MYSQL_ROW row;

		strbuf_reset(&q);
		strbuf_addstr(&q, "SHOW CREATE TABLE ");
		my_quote_ident(&q, s->tables[i].name);
		if (!(r = my_query(c, q.buf, err)))
			goto out;
		if ((row = mysql_fetch_row(r)) && row[1])
			s->tables[i].native_ddl = xstrdup(row[1]);
		mysql_free_result(r);
	}
	ret = 0;
out:
	strbuf_release(&q);
	return ret;
}

/* "CREATE DEFINER=`u`@`h` VIEW": the definer is an account of the
 * source server; the target's loading user becomes the definer. */
static char *
strip_definer(const char *def)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = strstr(def, "DEFINER=");

	if (!p)
		return xstrdup(def);
	strbuf_add(&sb, def, (size_t)(p - def));
	p += 8;
	while (*p && *p != ' ') {
		if (*p == '`')
			for (p++; *p && !(*p == '`' && p[1] != '`'); p++)
				if (*p == '`')
					p++;
		if (*p)
			p++;
	}
	while (*p == ' ')
		p++;
	strbuf_addstr(&sb, p);
	return strbuf_detach(&sb);
}

/* Views, triggers, routines and events, by definition (SHOW CREATE). */
static int
read_objects(struct db_conn *c, struct schema_model *s, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SELECT 'trigger', TRIGGER_NAME, 2 FROM information_schema.TRIGGERS "
				"WHERE TRIGGER_SCHEMA = DATABASE() UNION ALL "
				"SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, 2 FROM information_schema.ROUTINES "
				"WHERE ROUTINE_SCHEMA = DATABASE() UNION ALL "
				"SELECT 'event', EVENT_NAME, 3 FROM information_schema.EVENTS "
				"WHERE EVENT_SCHEMA = DATABASE() ORDER BY 1, 2", err);
	MYSQL_ROW row;
	struct strbuf q = STRBUF_INIT;
	int ret = -1;

	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r))) {
		struct db_object *o = schema_add_object(s);

		o->kind = xstrdup(row[0]);
		o->schema = xstrdup(c->dbname);
		o->name = xstrdup(row[1]);
	}
	mysql_free_result(r);
	for (int i = 0; i < s->nobjects; i++) {
		struct db_object *o = &s->objects[i];
		MYSQL_RES *d;
		MYSQL_ROW drow;
		int col = !strcmp(o->kind, "event") ? 3 : !strcmp(o->kind, "view") ? 1 : 2;

		strbuf_reset(&q);
		strbuf_addf(&q, "SHOW CREATE %s ", !strcmp(o->kind, "view") ? "VIEW" :
			    !strcmp(o->kind, "trigger") ? "TRIGGER" : !strcmp(o->kind, "event") ?
			    "EVENT" : !strcmp(o->kind, "function") ? "FUNCTION" : "PROCEDURE");
		my_quote_ident(&q, o->name);
		if (!(d = my_query(c, q.buf, err)))
			goto out;
		if ((drow = mysql_fetch_row(d)) && (int)mysql_num_fields(d) > col && drow[col]) {
			char *def = strip_definer(drow[col]);
			/* the session the object was made in, which MySQL keeps
			 * with it: the client charset and, but for a view, the
			 * sql_mode; the target recreates it in the same one */
			int view = !strcmp(o->kind, "view");
			int cs = view ? 2 : col + 1;

			if ((int)mysql_num_fields(d) > cs + 1 && drow[cs] && drow[cs + 1]) {
				struct strbuf w = STRBUF_INIT;

				strbuf_addf(&w, "/* dbmig-session names=%s collate=%s", drow[cs],
					    drow[cs + 1]);
				if (!view && drow[1])
					strbuf_addf(&w, " sql_mode=%s", drow[1]);
				strbuf_addf(&w, " */\n%s", def);
				free(def);
				def = strbuf_detach(&w);
			}
			o->definition = def;
		}
		mysql_free_result(d);
	}
	ret = 0;
out:
	strbuf_release(&q);
	return ret;
}

int
my_schema_read(struct db_conn *c, const struct schema_filter *f,
	       struct schema_model *s, struct dberr *err)
{
	s->source_engine = xstrdup("mysql");
	if (read_tables(c, f, s, err) < 0 ||
	    read_columns(c, f, s, err) < 0 ||
	    read_keys(c, s, err) < 0 ||
	    read_indexes(c, s, err) < 0 ||
	    read_create_statements(c, s, err) < 0 ||
	    read_objects(c, s, err) < 0)
		return -1;
	return 0;
}
