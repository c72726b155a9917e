/*
 * tail.h - cdc-tail: the changes after an online dump's snapshot,
 * written as JSON lines (this file's output mode) or applied to a target
 * (the apply engine), and the removal of what capture left on the
 * source.
 */
#ifndef DBMIG_TAIL_H
#define DBMIG_TAIL_H

#include <stdint.h>

#include "lib/base/dberr.h"
#include "lib/base/position.h"

struct dbz_opts;

struct tail_opts {
	const char *source;		/* URI or conninfo; may hold a password */
	const char *target;		/* apply into this database, or NULL */
	const char *from_dir;		/* the online dump (output, --drop; with a
					 * target, picks the dump when several) */
	const char *output;		/* a file, or "-" for stdout */
	/* --format=debezium: Debezium's records in these modes, or NULL */
	const struct dbz_opts *dbz;
	int drop;			/* remove the slot and the publication: the
					 * dump's (from_dir), the target's state's
					 * (target), or slot's */
	const char *slot;		/* --slot NAME, with drop and no target */
	int until_caught_up;		/* stop once the source's position at
					 * the start is written */
	const char *stop_at;		/* stop at this position, or NULL */
	int progress;			/* enum progress_mode */
	int64_t max_retained;		/* warn when the slot holds more (bytes) */
	uint32_t server_id;		/* --server-id: MySQL's replica id (0: derived) */
};

struct tail_result {
	uint64_t transactions, changes;
	uint64_t row_writes;		/* apply: the changes the target got, net */
	struct db_position position;	/* the last one written */
	int stopped_by_signal;
	int cut_over;			/* a cutover switched the pair: done */
	int nothing_dropped;		/* --drop of a binlog capture: none on the source */
	char slot[64];
};

int tail_run(const struct tail_opts *o, struct tail_result *res, struct dberr *err);

struct db_driver;
/* Whether a tail applies dump_id's changes into target now (1): its
 * apply lock is taken, as a probe connection finds (the probe's own hold
 * of it goes with its connection at once); 0, or -1 with err. */
int tail_running_on(const struct db_driver *tdrv, const char *target, const char *dump_id,
		    const char *who, struct dberr *err);

#endif
