/*
 * ddl_fixture.h - models built by hand for the DDL translators' unit
 * tests (t_pg_ddl.c, t_pg_ddl_mysql.c, t_my_ddl_pg.c): one table per
 * test, one column per type, and the plan's SQL to look into.
 */
#ifndef DDL_FIXTURE_H
#define DDL_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "lib/engine/driver.h"
#include "lib/load/target.h"
#include "tinytest.h"

extern const struct db_driver drv_pg, drv_mysql;

static inline void
model_init(struct schema_model *m, const char *engine)
{
	memset(m, 0, sizeof(*m));
	m->source_engine = xstrdup(engine);
	strlist_push(&m->schemas, "app");
}

static inline struct table *
model_table(struct schema_model *m, const char *name)
{
	struct table *t = schema_add_table(m);

	t->schema = xstrdup("app");
	t->name = xstrdup(name);
	return t;
}

static inline struct column *
model_column(struct table *t, const char *name, const char *native, enum ntype nt)
{
	struct column *c = table_add_column(t);

	c->name = xstrdup(name);
	c->native_type = xstrdup(native);
	c->type.t = nt;
	c->type.precision = c->type.scale = c->type.length = c->type.fsp = -1;
	return c;
}

static inline struct constraint *
model_key(struct table *t, char kind, const char *name, const char *col, const char *def)
{
	struct constraint *k = table_add_constraint(t);

	k->kind = kind;
	k->name = xstrdup(name);
	k->definition = xstrdup(def);
	strlist_push(&k->columns, col);
	return k;
}

/* The SQL of the plan's steps of phase ph, joined by newlines. */
static inline void
plan_sql(const struct ddl_plan *p, enum ddl_phase ph, struct strbuf *o)
{
	strbuf_reset(o);
	for (int i = 0; i < p->nsteps; i++)
		if (p->steps[i].phase == ph)
			strbuf_addf(o, "%s\n", p->steps[i].sql);
}

/* 1 when the plan's steps of phase ph contain needle. */
static inline int
plan_has(const struct ddl_plan *p, enum ddl_phase ph, const char *needle)
{
	struct strbuf o = STRBUF_INIT;
	int hit;

	plan_sql(p, ph, &o);
	hit = strstr(strbuf_cstr(&o), needle) != NULL;
	if (!hit)
		fprintf(stderr, "  no '%s' in:\n%s\n", needle, strbuf_cstr(&o));
	strbuf_release(&o);
	return hit;
}

/* The transform the plan recorded for app.table.col (0: none). */
static inline unsigned
plan_xform(const struct ddl_plan *p, const char *table, const char *col)
{
	char q[256];

	snprintf(q, sizeof(q), "app.%s", table);
	for (int i = 0; i < p->nxforms; i++)
		if (!strcmp(p->xforms[i].table, q) && !strcmp(p->xforms[i].column, col))
			return p->xforms[i].flags;
	return 0;
}

/* One column type, and the type the target's CREATE TABLE must give it. */
struct type_row {
	const char *native;	/* the source's spelling */
	enum ntype nt;
	int len, prec, scale, fsp;
	const char *want;	/* the target's */
};

/* For each row, a table of one column "c" from a source of engine
 * planned by drv: its CREATE TABLE must hold the column, its name in the
 * target's quotes q, then the wanted type. Returns the rows that failed. */
static inline int
check_type_rows(const struct db_driver *drv, const char *engine, const struct type_row *rows,
		size_t n, char q)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		struct schema_model m;
		struct ddl_plan p;
		struct dberr err = DBERR_INIT;
		struct column *c;
		char want[128];

		model_init(&m, engine);
		c = model_column(model_table(&m, "t"), "c", rows[i].native, rows[i].nt);
		c->type.length = rows[i].len;
		c->type.precision = rows[i].prec;
		c->type.scale = rows[i].scale;
		c->type.fsp = rows[i].fsp;
		memset(&p, 0, sizeof(p));
		snprintf(want, sizeof(want), "%cc%c %s", q, q, rows[i].want);
		if (drv->target->ddl_plan(&m, &p, &err) < 0 || !plan_has(&p, DDL_PRE_DATA, want)) {
			fprintf(stderr, "  type %s: %s\n", rows[i].native, err.msg);
			failed++;
		}
		ddl_plan_release(&p);
		schema_release(&m);
	}
	return failed;
}

#endif
