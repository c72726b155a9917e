/*
 * my_ddl.c - the DDL that recreates a dump on MySQL/MariaDB.
 *
 * From a MySQL dump, each table's own SHOW CREATE TABLE is replayed with
 * its primary key (InnoDB clusters rows on it, so it belongs in place
 * before the rows), while secondary and unique keys become post-data
 * ALTER TABLE steps, built once over the loaded rows, and foreign keys
 * come last. MySQL commits each DDL statement by itself, so each step
 * carries the undo that clears a half-done attempt (see exec_step).
 */
#include "my_int.h"

#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

static int
starts(const char *line, const char *prefix)
{
	return !strncmp(line, prefix, strlen(prefix));
}

/* The backquoted name at p ("`a``b` ...") into out, unquoted. */
static void
backquoted_name(const char *p, struct strbuf *out)
{
	if (*p != '`')
		return;
	for (p++; *p; p++) {
		if (*p == '`') {
			if (p[1] != '`')
				break;
			p++;
		}
		strbuf_addch(out, *p);
	}
}

static int
plan_table(const struct table *t, struct ddl_plan *plan, struct dberr *err)
{
	struct strbuf create = STRBUF_INIT, sql = STRBUF_INIT, item = STRBUF_INIT;
	struct strbuf undo = STRBUF_INIT, name = STRBUF_INIT, qt = STRBUF_INIT;
	char *ddl = xstrdup(t->native_ddl), *line, *next;
	int nkept = 0, ret = -1;

	my_quote_ident(&qt, t->name);
	for (line = ddl; line; line = next) {
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = strlen(line);
		if (!starts(line, "  ")) {
			/* "CREATE TABLE `t` (" or ") ENGINE=..." */
			if (line[0] == ')')
				strbuf_addch(&create, '\n');
			strbuf_addstr(&create, line);
			continue;
		}
		if (n && line[n - 1] == ',')
			line[--n] = '\0';
		strbuf_reset(&sql);
		strbuf_reset(&item);
		strbuf_reset(&undo);
		strbuf_reset(&name);
		if (starts(line, "  KEY ") || starts(line, "  UNIQUE KEY ") ||
		    starts(line, "  FULLTEXT KEY ") || starts(line, "  SPATIAL KEY ")) {
			backquoted_name(strchr(line, '`'), &name);
			strbuf_addf(&sql, "ALTER TABLE %s ADD %s", qt.buf, line + 2);
			strbuf_addf(&item, "index:%s.%s", t->name, name.buf);
			strbuf_addf(&undo, "ALTER TABLE %s DROP INDEX ", qt.buf);
			my_quote_ident(&undo, name.buf);
			ddl_plan_add_undo(plan, DDL_POST_INDEX, item.buf, sql.buf, undo.buf);
			continue;
		}
		if (starts(line, "  CONSTRAINT ") && strstr(line, " FOREIGN KEY ")) {
			backquoted_name(line + 13, &name);
			strbuf_addf(&sql, "ALTER TABLE %s ADD %s", qt.buf, line + 2);
			strbuf_addf(&item, "constraint:%s.%s", t->name, name.buf);
			strbuf_addf(&undo, "ALTER TABLE %s DROP FOREIGN KEY ", qt.buf);
			my_quote_ident(&undo, name.buf);
			ddl_plan_add_undo(plan, DDL_POST_FK, item.buf, sql.buf, undo.buf);
			continue;
		}
		/* columns, PRIMARY KEY, CHECK constraints stay in place */
		strbuf_addstr(&create, nkept++ ? ",\n" : "\n");
		strbuf_addstr(&create, line);
	}
	if (!nkept) {
		dberr_set(err, DBERR_DUMP, "the CREATE TABLE of %s in the dump has no columns",
			  t->name);
		goto out;
	}
	strbuf_reset(&item);
	strbuf_reset(&undo);
	strbuf_addf(&item, "table:%s", t->name);
	strbuf_addf(&undo, "DROP TABLE IF EXISTS %s", qt.buf);
	ddl_plan_add_undo(plan, DDL_PRE_DATA, item.buf, create.buf, undo.buf);
	ret = 0;
out:
	free(ddl);
	strbuf_release(&create);
	strbuf_release(&sql);
	strbuf_release(&item);
	strbuf_release(&undo);
	strbuf_release(&name);
	strbuf_release(&qt);
	return ret;
}

void
my_auto_increment_step(struct ddl_plan *plan, const char *table, uint64_t next_id)
{
	struct strbuf sql = STRBUF_INIT, item = STRBUF_INIT;

	if (next_id <= 1)
		return;
	strbuf_addstr(&sql, "ALTER TABLE ");
	my_quote_ident(&sql, table);
	strbuf_addf(&sql, " AUTO_INCREMENT = %" PRIu64, next_id);
	strbuf_addf(&item, "sequence:%s", table);
	ddl_plan_add(plan, DDL_POST_SEQ, item.buf, sql.buf);
	strbuf_release(&sql);
	strbuf_release(&item);
}

/* The AUTO_INCREMENT of a MySQL table as SHOW CREATE TABLE printed it. */
static uint64_t
auto_increment_of(const struct table *t)
{
	const char *p = t->native_ddl ? strstr(t->native_ddl, " AUTO_INCREMENT=") : NULL;

	return p ? strtoull(p + 16, NULL, 10) : 0;
}

int
my_sequences_plan(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err)
{
	if (!strcmp(s->source_engine, "postgresql"))
		return my_seq_steps_from_pg(s, plan, err);
	for (int i = 0; i < s->ntables; i++)
		my_auto_increment_step(plan, s->tables[i].name, auto_increment_of(&s->tables[i]));
	return 0;
}

int
my_ddl_plan(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err)
{
	if (!strcmp(s->source_engine, "postgresql"))
		return my_ddl_plan_from_pg(s, plan, err);
	if (strcmp(s->source_engine, "mysql"))
		return dberr_set(err, DBERR_UNSUPPORTED, "dumps from %s cannot be loaded into "
				 "MySQL/MariaDB by this version of dbmig", s->source_engine);
	for (int i = 0; i < s->ntables; i++) {
		if (!s->tables[i].native_ddl)
			return dberr_set(err, DBERR_DUMP, "table %s has no CREATE TABLE in the "
					 "dump's manifest", s->tables[i].name);
		ddl_plan_set_table(plan, &s->tables[i]);
		if (plan_table(&s->tables[i], plan, err) < 0)
			return -1;
	}
	ddl_plan_set_table(plan, NULL);
	/* Views, routines, triggers, events: the source's own definitions,
	 * with references to the source database made unqualified so they
	 * point into the target database. */
	for (int i = 0; i < s->nobjects; i++) {
		const struct db_object *o = &s->objects[i];
		struct strbuf qual = STRBUF_INIT, sql = STRBUF_INIT;
		const char *p, *hit;

		if (!o->definition)
			continue;
		my_quote_ident(&qual, o->schema);
		strbuf_addch(&qual, '.');
		for (p = o->definition; (hit = strstr(p, qual.buf)); p = hit + qual.len)
			strbuf_add(&sql, p, (size_t)(hit - p));
		strbuf_addstr(&sql, p);
		ddl_plan_add_object(plan, o, sql.buf);
		strbuf_release(&qual);
		strbuf_release(&sql);
	}
	return 0;
}
