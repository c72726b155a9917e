/*
 * apply_ops.h - the change-apply role of a driver: where apply stands in
 * the target's state (one row per online dump, sealed), the one apply
 * lock, the live verify's and the cutover's hold, and the apply of one
 * source transaction at a time. Used by cdc-tail (lib/cdc), and read by
 * load (the start position), verify (the hold) and cutover. Whatever
 * engine the changes come from, they reach the target through these
 * calls only.
 */
#ifndef DBMIG_APPLY_OPS_H
#define DBMIG_APPLY_OPS_H

#include "lib/cdc/cdc_event.h"
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
	char raw_gtid[256];	/* the GTID set stored with it, or "" */
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

/* The policy for an UPDATE or DELETE that found no row on the target,
 * the same for every engine: the target differs from the source, and
 * applying on would hide it, so it is an error naming the table (rows:
 * how many rows the one statement covered). Returns -1. */
int cdc_apply_row_missing(struct dberr *err, char kind, const char *schema,
			  const char *table, int rows);

struct db_apply_ops {
	/* Records st, in the open transaction when there is one; with
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
