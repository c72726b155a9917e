/*
 * cutover_ops.h - the cutover role of a driver: what cutover-plan asks of
 * an engine to check a pair's readiness and to switch it. The procedure
 * (lib/cutover/) is written once; an engine fills in its fence, its
 * marker and its catalog reads. PostgreSQL sources have all of it; a
 * MySQL/MariaDB source plugs in the source half when its capture lands,
 * and every engine that can be a target has the target half (the step
 * log and the last verify, in its dbmig state).
 */
#ifndef DBMIG_CUTOVER_OPS_H
#define DBMIG_CUTOVER_OPS_H

#include <stdint.h>

#include "lib/base/util.h"
#include "lib/engine/driver.h"

/* Sessions of one user, application and address on the source: what
 * must move to the new primary. */
struct cutover_clients {
	char user[64];
	char application[64];
	char address[64];
	int sessions;
	int in_write_tx;	/* of them, inside a transaction that wrote */
};

/* The last live verify a target records (verify_record, target.h). */
struct cutover_verify {
	int found;
	char at[64];		/* the source's position it compared at */
	char result[16];	/* equal, different, incomplete, failed */
	uint64_t differences;
	double age;		/* seconds since it finished */
};

/* One row of the cutover's step log on the target. */
struct cutover_step {
	int found;
	char step[32];		/* pause, fence, marker, ..., done, rolled-back */
	char status[16];	/* started, done, failed, undone */
	char detail[512];	/* what a rerun needs: the proxy's old entry, the
				 * fence's start, the marker's position */
};

struct db_cutover_ops {
	/* --- the source's half: NULL where its capture is not built --- */
	/* Client sessions on the database, grouped (not dbmig's own, not
	 * replication); fn is called once per group. */
	int (*clients)(struct db_conn *c, void (*fn)(void *arg, const struct cutover_clients *g),
		       void *arg, struct dberr *err);
	/* Adds to problems a line (the table, what is wrong, the fix) for
	 * each table that would not move by the change stream of
	 * publication: not in it, or no key and no replica identity. */
	int (*coverage)(struct db_conn *c, const char *publication, struct strlist *problems,
			struct dberr *err);
	/* Adds to missing a line for each privilege the fence and the
	 * marker need that the session's role lacks, with the GRANT. */
	int (*source_privileges)(struct db_conn *c, struct strlist *missing, struct dberr *err);
	/* The fence: on, no new transaction of a client may write (the
	 * sessions that could are ended: those that began before it, and
	 * any inside a writing transaction); off, the database is writable
	 * again, and sessions opened while fenced are ended so that they
	 * reconnect writable (since: the Unix time the fence went up).
	 * *ended gets the sessions ended. fence_sql prints the statement
	 * (--dry-run). */
	int (*fence)(struct db_conn *c, int on, double since, int *ended, struct dberr *err);
	void (*fence_sql)(struct db_conn *c, int on, struct strbuf *out);
	/* Whether the database is fenced now (1), from the catalog. */
	int (*fenced)(struct db_conn *c, int *on, struct dberr *err);
	/* Writes a marker through the change stream from this session,
	 * which the fence does not stop: *marker is where it is in the log,
	 * *after where the log stood once it committed (a tail holding at
	 * *after has applied it and everything before). */
	int (*marker)(struct db_conn *c, const char *text, struct db_position *marker,
		      struct db_position *after, struct dberr *err);
	/* Transactions the slot would deliver (its reader gone) that
	 * commit at or after from and before to, with a change to a table
	 * not dbmig's own: writes that got past the fence. */
	int (*writes_after)(struct db_conn *c, const char *slot, const char *publication,
			    const struct db_position *from, const struct db_position *to,
			    int64_t *n, struct dberr *err);

	/* --- the target's half --- */
	/* Appends one row to the step log of dump_id's cutover. */
	int (*step_record)(struct db_conn *c, const char *dump_id, const char *step,
			   const char *status, double seconds, const char *detail,
			   struct dberr *err);
	/* The last row of it (none: out->found 0). */
	int (*step_last)(struct db_conn *c, const char *dump_id, struct cutover_step *out,
			 struct dberr *err);
	/* The detail of the last row of step (none: out->found 0). */
	int (*step_find)(struct db_conn *c, const char *dump_id, const char *step,
			 struct cutover_step *out, struct dberr *err);
	/* The last live verify recorded for dump_id. */
	int (*verify_last)(struct db_conn *c, const char *dump_id, struct cutover_verify *out,
			   struct dberr *err);
	/* Adds to missing a line for each privilege the marker's wait, the
	 * sequence sync and the step log need on the target. */
	int (*target_privileges)(struct db_conn *c, struct strlist *missing, struct dberr *err);
};

#endif
