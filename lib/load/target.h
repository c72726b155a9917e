/*
 * target.h - the target role of a driver: the ledger that makes a load
 * exactly once, the DDL that recreates a schema on this engine, and
 * bulk loading. Used by load (and through it copy); cutover calls
 * sequences_sync on its own. Change apply is lib/cdc/apply_ops.h.
 */
#ifndef DBMIG_TARGET_H
#define DBMIG_TARGET_H

#include "lib/engine/ddl_plan.h"
#include "lib/engine/driver.h"

/* load_chunk flags */
#define LOAD_STRIP_NUL	1u	/* drop NUL bytes from text the target cannot hold */

struct db_target_ops {
	/* Makes the ledger exist and returns the items already
	 * recorded for dump_id. */
	int (*ledger_open)(struct db_conn *c, const char *dump_id,
			   struct strlist *done, struct dberr *err);
	/* Builds the DDL that recreates s on this engine. */
	int (*ddl_plan)(const struct schema_model *s, struct ddl_plan *plan,
			struct dberr *err);
	/* Adds the DDL_POST_SEQ steps that set every sequence, identity and
	 * auto-increment counter of s on this engine to the values s
	 * records (the source's at its snapshot, or read at cutover).
	 * Each step is idempotent. load runs them through exec_step with
	 * the ledger; target_sequences_sync (load.h) runs them alone. */
	int (*sequences_plan)(const struct schema_model *s, struct ddl_plan *plan,
			      struct dberr *err);
	/* Runs the step (a step without sql is only recorded) and records
	 * its item in the ledger: in one
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
	/* Adds to missing the roles s's objects name (kind "role": owners
	 * and grantees) that the target lacks. NULL where the engine
	 * carries no roles. */
	int (*roles_missing)(struct db_conn *c, const struct schema_model *s,
			     struct strlist *missing, struct dberr *err);
};

#endif
