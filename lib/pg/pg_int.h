/*
 * pg_int.h - what the PostgreSQL driver's files share. Nothing outside
 * lib/pg includes this (or libpq-fe.h).
 */
#ifndef DBMIG_PG_INT_H
#define DBMIG_PG_INT_H

#include <libpq-fe.h>

#include "lib/dump/source.h"
#include "lib/engine/driver.h"
#include "lib/cdc/apply_ops.h"
#include "lib/load/target.h"
#include "lib/verify/verify_ops.h"
#include "pg_text.h"

/* Catalog filters: the namespaces that hold user objects, and objects
 * that are no extension's member. */
#define USER_NS_FILTER(alias) \
	alias ".nspname NOT IN ('pg_catalog', 'information_schema', '_dbmig') " \
	"AND " alias ".nspname NOT LIKE 'pg\\_toast%' AND " alias ".nspname NOT LIKE 'pg\\_temp%'"
#define NOT_EXTENSION(classid, objid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" classid "'::regclass " \
	"AND e.objid = " objid " AND e.deptype = 'e')"
/* ... nor made by another object with it (a range type's constructors) */
#define NOT_INTERNAL(classid, objid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" classid "'::regclass " \
	"AND e.objid = " objid " AND e.deptype = 'i')"

/* The owners, privileges and roles of the objects a dump carries, as
 * "UNION ALL SELECT kind, schema, name, definition, ord, oid ..." parts
 * for the objects query (pg_owners.c). */
void pg_owner_objects_sql(struct strbuf *q);
/* Aggregates, operators, casts, text search objects, collations, rules,
 * statistics, row level security, policies, publications and event
 * triggers, in the same form (pg_objects.c). */
void pg_more_objects_sql(struct db_conn *c, struct strbuf *q);

struct db_conn {
	PGconn *pg;
	PGconn *repl;		/* dump --online: the replication connection that
				 * holds the slot's exported snapshot, or NULL */
	enum dberr_class side;	/* DBERR_SOURCE or DBERR_TARGET */
	char desc[512];		/* host/port/dbname/user, never a password */
	char version[32];
	char dbname[256];
	/* change apply: statements sent in pipeline mode whose results
	 * are not read yet, to check them in order (pg_apply.c) */
	int pipeline;
	int durable_commits;	/* the session's synchronous_commit is on */
	int npending, pending_alloc;
	struct pg_pending {
		char kind;			/* 'U' update, 'D' delete, 'P' a
						 * prepare, else '-' */
		const struct table *t;
		struct pg_stmt *stmt;		/* 'P' */
		int rows;			/* 'U', 'D': how many it must find */
	} *pending;
	/* consecutive changes of one shape gathered into one statement
	 * (pg_apply.c): the shape, and each row's parameters */
	struct pg_group {
		char kind;			/* 'I', 'U', 'D', or 0: none */
		const struct table *t;
		unsigned char *skip;		/* per data column: not sent */
		int ndata, nparams, rows;
		struct strbuf vals;		/* the rows' values, each NUL-ended */
		size_t *off;			/* per parameter: into vals, or -1 */
		size_t alloc;
		/* a long run of INSERTs into one table goes by COPY: the
		 * rows of the run sent so far, and whether a COPY is open
		 * (the pipeline is left while it is) with its unsent text */
		long run;
		int copying;
		struct strbuf copy;
	} group;
	/* the statements prepared on this session, by their text; ready
	 * until a failure earlier in the pipeline made the server skip
	 * the prepare */
	struct pg_stmt {
		char *sql;
		int id, ready;
		struct pg_stmt *next;
	} *stmts[256];
	int nstmts;
};

/* Fills err from a failed result (or the connection), naming context and,
 * for the SQLSTATEs we know, the next step. Clears res. Returns -1. */
int pg_fail(struct db_conn *c, PGresult *res, struct dberr *err,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Runs sql expecting no rows; -1 with err filled on failure. */
int pg_exec(struct db_conn *c, const char *sql, struct dberr *err);
/* Runs sql expecting rows; returns the result or NULL with err filled. */
PGresult *pg_query(struct db_conn *c, const char *sql, int nparams,
		   const char *const *params, struct dberr *err);

/* 1 for dbmig's own tables (schema _dbmig) */
int pg_is_internal(const char *schema, const char *name);

/* change capture (pg_cdc.c) */
extern const struct db_cdc_ops pg_cdc_ops;
/* cutover-plan's fence, marker and step log (pg_cutover.c) */
extern const struct db_cutover_ops pg_cutover_ops;
/* change apply (pg_apply.c; target.h) */
int pg_cdc_state_save(struct db_conn *c, const struct cdc_state *st, int if_absent,
		      struct dberr *err);
struct cdc_lock_holder;
int pg_cdc_lock(struct db_conn *c, const char *dump_id, const char *tag,
		struct cdc_lock_holder *h, struct dberr *err);
int pg_cdc_state_read(struct db_conn *c, struct cdc_state **out, int *n, struct dberr *err);
struct cdc_hold;
int pg_cdc_hold_request(struct db_conn *c, const char *dump_id, const char *request,
			int max_seconds, struct dberr *err);
int pg_cdc_hold_answer(struct db_conn *c, const char *dump_id, const char *request,
		       const char *held, struct dberr *err);
int pg_cdc_hold_read(struct db_conn *c, const char *dump_id, struct cdc_hold *h,
		     struct dberr *err);
int pg_verify_record(struct db_conn *c, const char *dump_id, const char *at, const char *result,
		     uint64_t differences, struct dberr *err);
int pg_apply_begin(struct db_conn *c, struct dberr *err);
int pg_apply_change(struct db_conn *c, const struct cdc_event *ev, struct dberr *err);
int pg_apply_commit(struct db_conn *c, struct dberr *err);
void pg_apply_rollback(struct db_conn *c);
int pg_apply_mark(struct db_conn *c, int undo, struct dberr *err);

/* dump --online's start of capture (cdc_ops.h capture_begin). */
int pg_snapshot_exact(struct db_conn *c, const char *uri, struct db_snapshot *snap,
		      struct dberr *err);
/* c reads inside the exported snapshot snap->id (REPEATABLE READ) */
int pg_snapshot_import(struct db_conn *c, const struct db_snapshot *snap, struct dberr *err);
int pg_capture_begin(struct db_conn *c, const char *uri, const struct schema_filter *f,
		     const char *name, unsigned flags, int others, struct db_snapshot *snap,
		     struct dberr *err);
/* Drops the slot and the publication (either may be ""). */
struct cdc_slot_status;
int pg_capture_status(struct db_conn *c, const char *slot, struct cdc_slot_status *st,
		      struct dberr *err);
int pg_capture_drop_objects(struct db_conn *c, const char *slot, const char *publication,
			    struct dberr *err);
/* Opens a replication connection (replication=database) to uri. */
PGconn *pg_repl_connect(const char *uri, enum dberr_class side, struct dberr *err);

int pg_schema_read(struct db_conn *c, const struct schema_filter *f,
		   struct schema_model *out, struct dberr *err);
int pg_ddl_plan(const struct schema_model *s, struct ddl_plan *plan,
		struct dberr *err);
int pg_ddl_plan_from_mysql(const struct schema_model *s, struct ddl_plan *plan,
			   struct dberr *err);
/* The target role's sequences_plan, and its half for MySQL sources. */
int pg_sequences_plan(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err);
int pg_seq_steps_from_mysql(const struct schema_model *s, struct ddl_plan *plan,
			    struct dberr *err);

/* copy_out with a tail ("WHERE ... ORDER BY ...") on the table's SELECT;
 * NULL copies the whole table. */
int pg_copy_rows(struct db_conn *c, struct table *t, const char *tail,
		 row_sink_fn sink, void *arg, struct dberr *err);
/* The same for a dump or copy: binary COPY where every column allows. */
int pg_copy_table(struct db_conn *c, struct table *t, const char *tail,
		  row_sink_fn sink, void *arg, struct dberr *err);

/* A MySQL CHECK expression as SHOW CREATE TABLE prints it, in
 * PostgreSQL's words; -1 when a part of it has no sure equivalent
 * (pg_expr_mysql.c). */
int pg_expr_from_mysql(const char *expr, struct strbuf *out);
/* A partitioned MySQL table's partitioning, from its SHOW CREATE TABLE,
 * as PostgreSQL's (pg_partition_mysql.c): 1 with " PARTITION BY ..." for
 * the CREATE TABLE of qt in key and each partition's CREATE TABLE in
 * parts; 0 when the table is not partitioned; -1 with why when it stays
 * one plain table. */
int pg_partition_from_mysql(const struct schema_model *s, const struct table *t, const char *qt,
			    struct strbuf *key, struct strbuf *parts, struct strbuf *why);

/* verify (the dialect, pg_verify.c) */
extern const struct db_verify_ops pg_verify_ops;

/* splitting a table for parallel reads (pg_split.c) */
int pg_key_bounds(struct db_conn *c, const struct table *t, const struct strlist *key,
		  int nparts, struct strlist *bounds, struct dberr *err);
int pg_copy_out_range(struct db_conn *c, struct table *t, const struct strlist *key,
		      const char *const *lo, const char *const *hi, row_sink_fn sink,
		      void *arg, struct dberr *err);

#endif
