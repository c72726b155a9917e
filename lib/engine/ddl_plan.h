/*
 * ddl_plan.h - the container a driver's DDL translator fills: the steps
 * that recreate a schema, in the order they must run, each with the
 * ledger item that records it. Shared by the engines (which fill it) and
 * load (which runs it).
 */
#ifndef DBMIG_DDL_PLAN_H
#define DBMIG_DDL_PLAN_H

#include "lib/base/schema.h"
#include "lib/base/util.h"
#include "lib/base/xform.h"

/* Target DDL, in the order it must run (SPEC.md section 5). */
enum ddl_phase {
	DDL_PRE_DATA = 0,	/* schemas, types, sequences, tables: one transaction */
	DDL_POST_INDEX,		/* primary keys, unique constraints, indexes */
	DDL_POST_FK,		/* foreign keys, once all keys exist */
	DDL_POST_OBJECTS,	/* routines, views, triggers: best effort */
	DDL_POST_SEQ,		/* sequence and identity values */
	DDL__PHASES
};
struct ddl_step {
	enum ddl_phase phase;
	char *item;		/* ledger key, e.g. "index:public.t_pkey" */
	char *sql;
	char *undo;		/* engines without transactional DDL: what
				 * removes a half-done step, or NULL */
	char *what;		/* DDL_POST_OBJECTS: "view app.v", for the report */
	char *table;		/* "schema.name" of the table the step builds on
				 * (keys, indexes), so a load can run it as soon
				 * as that table's rows are in; or NULL */
};
/* A column whose values the target's mapping converts (xform.h). */
struct ddl_xform {
	char *table;		/* "schema.name" */
	char *column;
	unsigned flags;		/* enum column_xform */
};
struct ddl_plan {
	struct ddl_step *steps;
	int nsteps;
	struct strlist notes;	/* lossy or approximate mappings, per column */
	int tinyint_numeric;	/* input: keep MySQL tinyint(1) numeric */
	int json_plain;		/* input: MySQL JSON as json, not jsonb */
	int unbounded_numeric;	/* input: 0 refuse, 1 decimal(65,30), 2 double, 3 text */
	int special_null;	/* input: values MySQL cannot hold become NULL */
	int schema_prefix;	/* input: table names were prefixed with their schema */
	int strip_nul;		/* input: drop NUL bytes the target's text cannot hold */
	int no_owner;		/* input: leave objects owned by the loading role */
	int no_privileges;	/* input: leave out the source's GRANTs */
	int create_roles;	/* input: create the roles owners and GRANTs name */
	int ci_binary;		/* input: MySQL _ci collations stay binary */
	const char *target_version;	/* input: the target server's version
					 * string ("10.11.6-MariaDB"), or NULL */
	struct ddl_xform *xforms;	/* output: the columns whose values convert */
	int nxforms;
	char *cur_table;	/* set by ddl_plan_set_table: tags the steps added */
};
void ddl_plan_add(struct ddl_plan *p, enum ddl_phase phase, const char *item,
		  const char *sql);
/* The same with an undo statement (see struct ddl_step). */
void ddl_plan_add_undo(struct ddl_plan *p, enum ddl_phase phase, const char *item,
		       const char *sql, const char *undo);
/* A best-effort object (view, routine, trigger): a failure is reported
 * as "not migrated" and the load goes on. */
void ddl_plan_add_object(struct ddl_plan *p, const struct db_object *o, const char *sql);
/* The table the steps added next belong to (NULL: none). */
void ddl_plan_set_table(struct ddl_plan *p, const struct table *t);
/* Adds a note "schema.table[.col]: ..." about a lossy or approximate
 * mapping, or something not carried (col may be NULL). */
void ddl_plan_note(struct ddl_plan *p, const struct table *t, const char *col,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records that column col of t converts its values by flags (xform.h);
 * flags add up over calls. */
void ddl_plan_xform(struct ddl_plan *p, const struct table *t, const char *col,
		    unsigned flags);
void ddl_plan_release(struct ddl_plan *p);

#endif
