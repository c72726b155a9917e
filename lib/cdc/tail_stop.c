/*
 * tail_stop.c - how cdc-tail stops on a signal. The first SIGINT or
 * SIGTERM ends the tail after the source transaction in hand, once its
 * batch is committed. That can take long, or forever: a large
 * transaction, or a target that stopped answering in the middle of a
 * batch while a thread waits on it. So a second signal, or
 * TAIL_STOP_GRACE seconds after the first, stops at once: a watchdog
 * thread cuts the target's connection (the tail's own threads may be
 * the ones waiting on it), the open target transaction goes with it,
 * and nothing of it was confirmed to the source. The same command then
 * resumes where the target's state says, as after kill -9.
 */
#include "tail_int.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "lib/base/log.h"
#include "lib/base/banned.h"

static _Atomic double first_signal_seen;

int
tail_stop_forced(void)
{
	double first, now;

	if (!dbmig_interrupted)
		return 0;
	if (dbmig_interrupted > 1)
		return 1;
	now = now_seconds();
	first = atomic_load(&first_signal_seen);
	if (first == 0) {
		atomic_compare_exchange_strong(&first_signal_seen, &first, now);
		return 0;
	}
	return now - first >= TAIL_STOP_GRACE;
}

static void *
watchdog(void *arg)
{
	struct tail_ctx *c = arg;
	const struct timespec tick = { 0, 20 * 1000 * 1000 };	/* the join waits one */

	while (!atomic_load(&c->watch_quit)) {
		if (tail_stop_forced()) {
			/* every connection to the target: the hold's, on the
			 * tail's own thread, waits on it as the apply's does */
			struct db_conn *hold = __atomic_load_n(&c->hold_conn, __ATOMIC_ACQUIRE);

			c->tdrv->abort_io(c->target);
			if (hold)
				c->tdrv->abort_io(hold);
			atomic_store(&c->target_cut, 1);
			break;
		}
		nanosleep(&tick, NULL);
	}
	return NULL;
}

void
tail_watch_start(struct tail_ctx *c)
{
	sigset_t all, old;

	if (!c->target || !c->tdrv->abort_io)
		return;
	atomic_store(&c->watch_quit, 0);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	c->watching = pthread_create(&c->watch_th, NULL, watchdog, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!c->watching)
		log_warn("no watchdog thread: a second SIGTERM waits for the target");
}

void
tail_watch_end(struct tail_ctx *c, struct dberr *err)
{
	if (c->watching) {
		atomic_store(&c->watch_quit, 1);
		pthread_join(c->watch_th, NULL);
		c->watching = 0;
	}
	if (atomic_load(&c->target_cut) && err->cls != DBERR_NONE) {
		char when[64];

		if (dbmig_interrupted > 1)
			snprintf(when, sizeof(when), "at a second signal");
		else
			snprintf(when, sizeof(when), "%d s after the signal", TAIL_STOP_GRACE);
		dberr_set(err, DBERR_INTERRUPTED, "stopped by a signal: the batch in flight to the "
			  "target (%s) was not done %s, so its connection was cut; nothing of that "
			  "batch is confirmed to the source, and the same command resumes where the "
			  "target's state says", c->tdrv->describe(c->target), when);
	}
}
