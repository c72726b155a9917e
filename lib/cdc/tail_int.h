/*
 * tail_int.h - what the parts of cdc-tail share: the state of one run
 * (tail.c, the loop over the stream; tail_apply.c, the apply engine;
 * tail_output.c, the JSON lines file).
 */
#ifndef DBMIG_TAIL_INT_H
#define DBMIG_TAIL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "dumpfmt/dumpfmt.h"
#include "lib/base/progress.h"
#include "lib/cdc/batch.h"
#include "lib/cdc/cdc_json.h"
#include "lib/cdc/cdc_ops.h"
#include "lib/cdc/tail.h"
#include "lib/cdc/apply_ops.h"
#include "lib/dump/source.h"

/* A held batch being committed by its own thread. */
struct apply_job {
	struct tail_ctx *c;
	struct cdc_batch *held;
	struct db_position pending;	/* its last commit */
	int64_t pending_us;		/* made at this time on the source */
	int64_t first_us;		/* its first commit's time there */
	uint64_t txns, writes;
	int ret;
	atomic_int finished;		/* the thread is done: reap it */
	struct dberr err;
	pthread_t th;
};

struct tail_ctx {
	const struct tail_opts *o;
	const struct db_driver *drv;
	const struct db_driver *tdrv;	/* apply: the target's */
	struct db_conn *target;
	struct cdc_state state;		/* apply: where the target stands */
	struct dump_meta meta;
	struct schema_model model;
	struct cdc_stream *s;
	int fd;				/* the output, or -1 for stdout */
	struct strbuf pos_file;		/* FILE.pos */
	uint64_t offset;		/* the file's length: what was written */
	uint64_t pending_offset;	/* ... up to the batch's last commit */
	struct strbuf buf;		/* lines not written yet */
	struct cdc_json_ctx jc;
	struct db_position from, until, stop_at;
	int has_until, has_stop;
	struct tail_result *res;
	double last_log, last_idle, last_retained;
	enum progress_mode mode;
	int64_t retained;
	char wal_status[32];
	int64_t last_commit_us;		/* of the last transaction read */
	int64_t first_read_us;		/* of the first read in this run */
	int64_t applied_commit_us;	/* of the last applied or written */
	int64_t pending_us;		/* of the batch's last commit */
	int64_t batch_first_us;		/* of the open batch's first commit */
	struct db_position source_now;	/* the source's log, asked ... */
	double source_asked;		/* ... at this time */
	double last_read_at;		/* when the last commit was read */
	/* apply: source transactions batched into one target transaction */
	int batch_open;
	uint64_t batch_txns, batch_changes, batch_writes;
	double batch_start;
	struct db_position pending;	/* the batch's last commit */
	/* the batch's changes, held to be applied net at its commit (NULL
	 * where the target checks foreign keys: then each goes as it
	 * comes); in_order: this batch's went as they came, and the rest
	 * follows them (a transaction larger than what is held) */
	struct cdc_batch *held;
	int in_order, target_open;
	size_t tx_first;		/* where the open source transaction starts */
	/* the batch before, committing while this one is read; the
	 * target is its thread's until apply_wait */
	struct apply_job job;
	int job_running;
	struct cdc_batch *spare;
	/* the target's tables ("schema.name", or the name alone where the
	 * engines pair tables by name) */
	struct strlist target_tables;
	int by_name;
	/* a live verify's hold (tail_hold.c): read on its own connection */
	struct db_conn *hold_conn;
	struct cdc_hold hold;
	double hold_read_at;
	/* the watchdog that cuts the target when a stop cannot wait */
	pthread_t watch_th;
	int watching;
	atomic_int watch_quit, target_cut;
};

/* A batch commits at this size or age, or as soon as the stream has
 * nothing more at hand: catching up, many small source transactions
 * share one target commit; keeping pace, each commits at once. */
#define BATCH_CHANGES	20000
#define BATCH_SECONDS	0.5
/* What a batch holds before it goes to the target as it came. */
#define HELD_CHANGES	(2 * BATCH_CHANGES)
#define HELD_BYTES	(64u << 20)

static inline int
tail_at_or_after(const struct db_position *a, const struct db_position *b)
{
	return position_at_or_after(a, b);
}

/* tail.c */
/* The stop for a table whose columns changed on the source: exit 6. */
int tail_schema_change(struct tail_ctx *c, const struct cdc_event *ev, struct dberr *err);
/* Ends the batch in hand: committed (apply) or synced (output), then
 * confirmed to the source; final: all of it before this returns (an
 * apply may otherwise still be committing in the background). */
int tail_flush(struct tail_ctx *c, int final, struct dberr *err);

/* tail_apply.c */
/* The state of the online dump this run is for: --from's, or the one
 * the target holds; -1 with err (if_none: the way out when it holds
 * none) otherwise. */
int tail_pick_state(const struct tail_ctx *c, const struct cdc_state *states, int n,
		    const char *if_none, struct dberr *err);
/* Connects the target, reads where it stands, takes its lock. */
int apply_setup(struct tail_ctx *c, struct dberr *err);
/* One event; 1 when the tail should stop (after a commit). */
int apply_event(struct tail_ctx *c, const struct cdc_event *ev, int skip, struct dberr *err);
int apply_flush(struct tail_ctx *c, int final, struct dberr *err);
/* Waits for the batch committing in the background, then confirms it. */
int apply_wait(struct tail_ctx *c, struct dberr *err);
/* The batch committing, if its thread is done: confirmed now, not when
 * the next batch is ready. */
int apply_reap(struct tail_ctx *c, struct dberr *err);
/* Before the target closes: the background batch's thread joined. */
void apply_end(struct tail_ctx *c);

/* tail_hold.c */
/* Before a transaction that commits at commit, or idle with everything
 * up to recv received: holds there when a live verify or a cutover asks
 * (everything before committed first), until it lets go: 0; 1 when the
 * cutover ended the pair's tail (CDC_HOLD_EXIT); -1 with err. */
int tail_hold_before(struct tail_ctx *c, const struct db_position *commit, struct dberr *err);
int tail_hold_idle(struct tail_ctx *c, const struct db_position *recv, struct dberr *err);
void tail_hold_end(struct tail_ctx *c);

/* tail_stop.c */
/* Seconds after the first signal when the tail stops at once. */
#define TAIL_STOP_GRACE	10
/* 1 when a stop may no longer wait for the transaction in hand: a
 * second signal, or TAIL_STOP_GRACE seconds after the first. */
int tail_stop_forced(void);
/* The watchdog that cuts the target's connection then (apply only). */
void tail_watch_start(struct tail_ctx *c);
/* Stops it; an error that came of the cut becomes the signal's stop. */
void tail_watch_end(struct tail_ctx *c, struct dberr *err);

/* tail_output.c */
/* Opens the output: a file that holds an earlier tail's lines is cut
 * back to its last whole transaction and continued after it. */
int output_open(struct tail_ctx *c, struct dberr *err);
/* Writes the lines in hand (not synced). */
int output_lines(struct tail_ctx *c, struct dberr *err);
/* FILE.pos: "<length> <position>", replaced whole; the length is
 * pending_offset, where the last whole transaction ends. */
int output_save_position(struct tail_ctx *c, const struct db_position *pos, struct dberr *err);
int output_commit(struct tail_ctx *c, const struct cdc_event *ev, struct dberr *err);
int output_flush(struct tail_ctx *c, struct dberr *err);

#endif
