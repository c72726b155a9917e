/*
 * target.h - the target role of a driver: the ledger that makes a load
 * exactly once, the DDL that recreates a schema on this engine, and
 * bulk loading. Used by load (and through it copy); cutover will call
 * sequences_sync on its own.
 */
#ifndef DBMIG_TARGET_H
#define DBMIG_TARGET_H

#include "lib/cdc/cdc_event.h"
#include "lib/engine/ddl_plan.h"
#include "lib/engine/driver.h"

/* Where change apply stands for one online dump, in the target's state:
 * the changes up to position are in the target. */
struct cdc_state {
	char dump_id[33];
	char slot[64];
	char publication[64];
	struct db_position position;
	/* what dbmig wrote with it (cdc_state_seal); on a read, "" where
	 * an older dbmig wrote none */
	char seal[33];
	/* on a read: the position as the table holds it, and whether it
	 * parsed as one of the engine's positions */
	char raw_position[128];
	int position_ok;
};

/* The hold a live verify asks of the tail applying a dump (a row in the
 * target's state that expires by itself, so a verify that died holds
 * nothing for long): the verify writes a request, the tail answers
 * where it holds, the verify reads the target there and lets go. */
struct cdc_hold {
	int requested;		/* a request that has not expired */
	char request[64];	/* hold before the first transaction that
				 * commits at or after this position; "now":
				 * after the transaction in hand */
	char held[64];		/* the tail's answer: the position it holds
				 * at (what it applied ends there), or "" */
	char held_for[64];	/* the request the answer is for */
};

/* A cutover's requests: "cutover:POSITION" holds as a position does
 * (the marker's); CDC_HOLD_EXIT, once the pair is switched, ends the
 * tail (0, "cut over"). */
#define CDC_HOLD_EXIT	"exit"

/* Who holds the apply lock of a dump on a target. */
struct cdc_lock_holder {
	char tag[128];		/* the tag its tail gave (cdc_lock), or "" */
	char session[256];	/* the server's word: session id, client, since */
};

/* The seal of st's dump, slot, publication and position into st->seal:
 * a state row edited or damaged by hand no longer matches it. A check,
 * not a secret. */
void cdc_state_seal(struct cdc_state *st);
/* 1 when st, as read, holds the seal of what it says (or no seal). */
int cdc_state_sealed(const struct cdc_state *st);

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

	/* Change apply (cdc-tail into a target); NULL where not built.
	 * Records st, in the open transaction when there is one; with
	 * if_absent, only when no state for its dump exists yet (load). */
	int (*cdc_state_save)(struct db_conn *c, const struct cdc_state *st, int if_absent,
			      struct dberr *err);
	/* Takes, for the session, the one apply of dump_id's changes into
	 * this database, and shows tag (who takes it) to other sessions: 0,
	 * or 1 when another session holds it, with h filled. */
	int (*cdc_lock)(struct db_conn *c, const char *dump_id, const char *tag,
			struct cdc_lock_holder *h, struct dberr *err);
	/* Every recorded state (none: *n = 0); free *out. */
	int (*cdc_state_read)(struct db_conn *c, struct cdc_state **out, int *n,
			      struct dberr *err);
	/* The live verify's hold (struct cdc_hold), outside any apply
	 * transaction: a request for dump_id valid max_seconds (request
	 * NULL: let go), the tail's answer to one, and the reading of
	 * both (no row, or no table: h->requested 0). */
	int (*cdc_hold_request)(struct db_conn *c, const char *dump_id, const char *request,
				int max_seconds, struct dberr *err);
	int (*cdc_hold_answer)(struct db_conn *c, const char *dump_id, const char *request,
			       const char *held, struct dberr *err);
	int (*cdc_hold_read)(struct db_conn *c, const char *dump_id, struct cdc_hold *h,
			     struct dberr *err);
	/* The last live verify of the pair whose changes dump_id's tail
	 * applies: its result ("equal", "different", "incomplete",
	 * "failed") at the source's position at, with its count of
	 * differences; for cutover-plan to read. */
	int (*verify_record)(struct db_conn *c, const char *dump_id, const char *at,
			     const char *result, uint64_t differences, struct dberr *err);
	/* One source transaction: begin, its changes, then cdc_state_save
	 * and commit, so the position moves with the rows it covers. */
	int (*apply_begin)(struct db_conn *c, struct dberr *err);
	int (*apply_change)(struct db_conn *c, const struct cdc_event *ev, struct dberr *err);
	int (*apply_commit)(struct db_conn *c, struct dberr *err);
	void (*apply_rollback)(struct db_conn *c);
	/* Marks where the next source transaction starts inside the open
	 * one (undo: 0 mark, 1 go back to the mark, dropping what came
	 * after), so what came before can commit without it. */
	int (*apply_mark)(struct db_conn *c, int undo, struct dberr *err);
};

#endif
