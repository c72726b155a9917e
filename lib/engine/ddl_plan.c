/*
 * ddl_plan.c - the DDL plan container (ddl_plan.h): the engines' DDL
 * translators add steps, load runs them.
 */
#include "ddl_plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

void
ddl_plan_add_undo(struct ddl_plan *p, enum ddl_phase phase, const char *item,
		  const char *sql, const char *undo)
{
	p->steps = xrealloc(p->steps, sizeof(*p->steps) * (size_t)(p->nsteps + 1));
	p->steps[p->nsteps].phase = phase;
	p->steps[p->nsteps].item = xstrdup(item);
	p->steps[p->nsteps].sql = xstrdup(sql);
	p->steps[p->nsteps].undo = undo ? xstrdup(undo) : NULL;
	p->steps[p->nsteps].what = NULL;
	p->steps[p->nsteps].table = p->cur_table ? xstrdup(p->cur_table) : NULL;
	p->nsteps++;
}

void
ddl_plan_add_object(struct ddl_plan *p, const struct db_object *o, const char *sql)
{
	struct strbuf item = STRBUF_INIT, what = STRBUF_INIT;

	strbuf_addf(&item, "object:%s:%s.%s", o->kind, o->schema, o->name);
	if (*o->schema)
		strbuf_addf(&what, "%s %s.%s", o->kind, o->schema, o->name);
	else
		strbuf_addf(&what, "%s %s", o->kind, o->name);	/* a role */
	ddl_plan_add_undo(p, DDL_POST_OBJECTS, item.buf, sql, NULL);
	p->steps[p->nsteps - 1].what = strbuf_detach(&what);
	strbuf_release(&item);
}

void
ddl_plan_add(struct ddl_plan *p, enum ddl_phase phase, const char *item, const char *sql)
{
	ddl_plan_add_undo(p, phase, item, sql, NULL);
}

void
ddl_plan_set_table(struct ddl_plan *p, const struct table *t)
{
	struct strbuf qn = STRBUF_INIT;

	free(p->cur_table);
	p->cur_table = NULL;
	if (!t)
		return;
	table_qualname(t, &qn);
	p->cur_table = strbuf_detach(&qn);
}

void
ddl_plan_note(struct ddl_plan *p, const struct table *t, const char *col, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "%s.%s%s%s: ", t->schema, t->name, col ? "." : "", col ? col : "");
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strlist_push(&p->notes, sb.buf);
	strbuf_release(&sb);
}

void
ddl_plan_xform(struct ddl_plan *p, const struct table *t, const char *col, unsigned flags)
{
	struct strbuf qn = STRBUF_INIT;
	struct ddl_xform *x;

	table_qualname(t, &qn);
	for (int i = 0; i < p->nxforms; i++)
		if (!strcmp(p->xforms[i].table, qn.buf) && !strcmp(p->xforms[i].column, col)) {
			p->xforms[i].flags |= flags;
			strbuf_release(&qn);
			return;
		}
	p->xforms = xrealloc(p->xforms, sizeof(*p->xforms) * (size_t)(p->nxforms + 1));
	x = &p->xforms[p->nxforms++];
	x->table = strbuf_detach(&qn);
	x->column = xstrdup(col);
	x->flags = flags;
}

void
ddl_plan_release(struct ddl_plan *p)
{
	for (int i = 0; i < p->nxforms; i++) {
		free(p->xforms[i].table);
		free(p->xforms[i].column);
	}
	free(p->xforms);
	p->xforms = NULL;
	p->nxforms = 0;
	for (int i = 0; i < p->nsteps; i++) {
		free(p->steps[i].item);
		free(p->steps[i].sql);
		free(p->steps[i].undo);
		free(p->steps[i].what);
		free(p->steps[i].table);
	}
	free(p->cur_table);
	p->cur_table = NULL;
	free(p->steps);
	p->steps = NULL;
	p->nsteps = 0;
	strlist_release(&p->notes);
}
