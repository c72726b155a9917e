/*
 * verify_live.h - verify of a live pair at one position (verify_live.c).
 */
#ifndef DBMIG_VERIFY_LIVE_H
#define DBMIG_VERIFY_LIVE_H

#include "lib/base/dberr.h"
#include "lib/base/position.h"
#include "lib/engine/driver.h"

struct verify_live {
	const struct db_driver *tdrv;
	struct db_conn *c;		/* the target, for the hold */
	char dump_id[64];		/* whose tail is held */
	char state_position[128];	/* where the target's state stood */
	int max_hold;			/* seconds a hold may last */
	int asked;			/* a request stands */
	int active;			/* a running tail answered: held */
	int no_tail;			/* a state, but no tail runs */
	int no_answer;			/* a tail runs but did not answer */
	char held_at[128];		/* where the tail holds */
	char position[128];		/* P: the source's snapshot's */
};

/* Asks the tail applying to target (if its state is there) to hold at
 * once: lv->active when one answered, lv->no_tail when none runs. */
int verify_live_begin(struct verify_live *lv, const char *target, int max_hold,
		      struct dberr *err);
/* Then to hold just before the first transaction that commits at or
 * after p (the source's snapshot's position), everything before applied. */
int verify_live_hold_at(struct verify_live *lv, const struct db_position *p,
			struct dberr *err);
/* Lets the tail go (once the target's snapshot is taken), closes. */
void verify_live_end(struct verify_live *lv);
/* Records the comparison's result at the held position in the target's
 * state (best effort: a failure is said, not fatal). */
void verify_live_record(const char *target, const char *dump_id, const char *at,
			const char *result, uint64_t differences);

#endif
