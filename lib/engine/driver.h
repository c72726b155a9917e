/*
 * driver.h - the engine interface. Everything above lib/pg (and, later,
 * lib/mysql) talks to databases only through a struct db_driver, so the
 * dump, load and verify logic never sees libpq or mysql.h.
 *
 * All functions return 0 on success, or -1 with *err filled (its class
 * is DBERR_SOURCE or DBERR_TARGET by the side the connection was opened
 * for). They may block on the network. None prints anything.
 */
#ifndef DBMIG_DRIVER_H
#define DBMIG_DRIVER_H

#include <stdint.h>

#include "lib/base/canon.h"
#include "lib/base/dberr.h"
#include "lib/base/position.h"
#include "lib/base/schema.h"
#include "lib/verify/vform.h"

struct db_conn;		/* opaque; defined by each driver */

/* load_chunk flags */
#define LOAD_STRIP_NUL	1u	/* drop NUL bytes from text the target cannot hold */

/* A point in time on the source that every worker reads at. */
struct db_snapshot {
	char id[128];		/* PostgreSQL: exported snapshot name */
	char kind[32];		/* "pg-exported-snapshot" */
	struct db_position pos;	/* the log position of the snapshot, exact
				 * or (read inside it) a lower bound */
	int shareable;		/* other connections that may import it */
	int consistent;		/* 0 only when the user allowed per-worker snapshots */
};

struct schema_filter {
	struct strlist include;	/* -t patterns; empty = all tables */
	struct strlist exclude;	/* -T patterns */
	int unmapped_as_text;	/* carry unmapped types as text (warned) */
};

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
struct ddl_plan {
	struct ddl_step *steps;
	int nsteps;
	struct strlist notes;	/* lossy or approximate mappings, per column */
	int tinyint_numeric;	/* input: keep MySQL tinyint(1) numeric */
	int json_plain;		/* input: MySQL JSON as json, not jsonb */
	int unbounded_numeric;	/* input: 0 refuse, 1 decimal(65,30), 2 double, 3 text */
	int schema_prefix;	/* input: table names were prefixed with their schema */
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
void ddl_plan_release(struct ddl_plan *p);

/* Called for each row read; returning -1 (with err set) stops the read. */
typedef int (*row_sink_fn)(void *arg, const struct value *vals,
			   struct dberr *err);
/* Fills vals with the next row: 1 = row, 0 = verified end, -1 = error. */
typedef int (*row_source_fn)(void *arg, struct value *vals, struct dberr *err);

struct db_driver {
	const char *name;	/* "postgresql" */

	/* Opens a connection; side is DBERR_SOURCE or DBERR_TARGET and
	 * classes every later error. Never puts a password in err. */
	int (*connect)(struct db_conn **out, const char *uri,
		       enum dberr_class side, struct dberr *err);
	/* Closes c; accepts NULL. */
	void (*close)(struct db_conn *c);
	/* Borrowed description without credentials ("host=... dbname=..."). */
	const char *(*describe)(struct db_conn *c);
	/* Server version ("15.18") and database name; borrowed. */
	const char *(*server_version)(struct db_conn *c);
	const char *(*database)(struct db_conn *c);

	/* Source side. Opens a read-only snapshot on c that up to `others`
	 * connections (already open) can import; sets snap->shareable to
	 * how many may, which can be fewer (a MySQL role without the
	 * privilege for a global read lock). c must stay open until the
	 * others imported, then snapshot_release lets the source go on. */
	int (*snapshot_export)(struct db_conn *c, int others,
			       struct db_snapshot *snap, struct dberr *err);
	int (*snapshot_import)(struct db_conn *c, const struct db_snapshot *snap,
			       struct dberr *err);
	int (*snapshot_release)(struct db_conn *c, struct dberr *err);
	/* Reads the schema visible in c's snapshot into out. Unmapped types
	 * are errors unless f->unmapped_as_text. */
	int (*schema_read)(struct db_conn *c, const struct schema_filter *f,
			   struct schema_model *out, struct dberr *err);
	/* Streams all rows of t (its non-generated columns) to sink as
	 * canonical values, and may fill the columns' profiles on the way.
	 * Memory is bounded by the largest row. */
	int (*copy_out)(struct db_conn *c, struct table *t,
			row_sink_fn sink, void *arg, struct dberr *err);

	/* Fills t's column profiles (see copy_out) from the server without
	 * reading the rows out, for a copy that creates the target's tables
	 * before it reads; NULL where profiles are not gathered. */
	int (*profile_scan)(struct db_conn *c, struct table *t, struct dberr *err);

	/* Splitting a big table for parallel reads. Appends to bounds up to
	 * nparts - 1 values of the key (the columns named in key; each
	 * boundary is key->n strings, the server's text of the values) that
	 * cut t into ranges of about equal rows, in the server's own order
	 * of the key, from a sample. Fewer boundaries, or none, is fine. */
	int (*key_bounds)(struct db_conn *c, const struct table *t,
			  const struct strlist *key, int nparts, struct strlist *bounds,
			  struct dberr *err);
	/* copy_out restricted to the rows whose key k has lo < k <= hi, in
	 * the server's order (NULL: no bound on that side). */
	int (*copy_out_range)(struct db_conn *c, struct table *t,
			      const struct strlist *key, const char *const *lo,
			      const char *const *hi, row_sink_fn sink, void *arg,
			      struct dberr *err);

	/* Target side. Makes the ledger exist and returns the items already
	 * recorded for dump_id. */
	int (*ledger_open)(struct db_conn *c, const char *dump_id,
			   struct strlist *done, struct dberr *err);
	/* Builds the DDL that recreates s on this engine. */
	int (*ddl_plan)(const struct schema_model *s, struct ddl_plan *plan,
			struct dberr *err);
	/* Runs the step and records its item in the ledger: in one
	 * transaction where DDL is transactional, else marked started,
	 * run, marked done, with the step's undo run first when a
	 * previous attempt stopped half-way. */
	int (*exec_step)(struct db_conn *c, const char *dump_id,
			 const struct ddl_step *step, struct dberr *err);
	/* Sets *has_rows; *exists is 0 when the table is missing. */
	int (*table_probe)(struct db_conn *c, const struct table *t,
			   int *exists, int *has_rows, struct dberr *err);
	int (*table_truncate)(struct db_conn *c, const struct table *t,
			      struct dberr *err);
	/* Turns off foreign-key and trigger checks for this session, for
	 * loads into tables whose constraints already exist. Returns -1
	 * (err filled) when the role may not; the caller carries on. */
	int (*fk_checks_off)(struct db_conn *c, struct dberr *err);
	/* Loads the rows src yields into t and records item in the ledger,
	 * in one transaction; nothing is committed unless src ends with 0.
	 * flags: LOAD_STRIP_NUL. */
	int (*load_chunk)(struct db_conn *c, const struct table *t,
			  const char *dump_id, const char *item,
			  row_source_fn src, void *arg, unsigned flags,
			  uint64_t *rows, struct dberr *err);

	/* Verify (lib/verify/verify.c). side is which of the plan's two sides c
	 * is; the SQL renders each column as vform.c does in the client. */
	/* 1 when every compared column can be rendered in this engine's SQL. */
	int (*vf_sql_ok)(const struct vf_plan *p, int side);
	/* Row count and, for p->range, the key's extremes. */
	int (*vf_stats)(struct db_conn *c, const struct table *t,
			const struct vf_plan *p, int side, struct vf_stats *st,
			struct dberr *err);
	/* Count and digest sum of each group of the rows in scope (see
	 * vf_group_fn); group is the range width or the hash modulus. */
	int (*vf_digest)(struct db_conn *c, const struct table *t,
			 const struct vf_plan *p, int side, const struct vf_scope *scope,
			 uint64_t group, vf_group_fn fn, void *arg, struct dberr *err);
	/* Like copy_out, restricted to the union of the scopes (all rows
	 * when nscopes is 0), in key order when ordered. */
	int (*vf_read)(struct db_conn *c, struct table *t, const struct vf_plan *p,
		       int side, const struct vf_scope *scopes, int nscopes,
		       int ordered, row_sink_fn sink, void *arg, struct dberr *err);
	/* Around each table's queries, so a failed table leaves the
	 * connection's snapshot usable for the next one (a PostgreSQL
	 * savepoint); NULL where errors do not end the transaction. */
	int (*vf_table_begin)(struct db_conn *c, struct dberr *err);
	int (*vf_table_end)(struct db_conn *c, int failed, struct dberr *err);
	/* Every row's SQL renderings of the compared columns, in key order
	 * (the golden test of the renderings). */
	int (*vf_render)(struct db_conn *c, const struct table *t,
			 const struct vf_plan *p, int side, vf_text_row_fn fn,
			 void *arg, struct dberr *err);
};

extern const struct db_driver drv_pg, drv_mysql;

/* The driver for a URI or conninfo string, or NULL (err filled). */
const struct db_driver *driver_for_uri(const char *uri, enum dberr_class side,
				       struct dberr *err);

#endif
