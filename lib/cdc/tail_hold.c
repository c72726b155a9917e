/*
 * tail_hold.c - a running tail holds where a live verify asks (struct
 * cdc_hold, target.h): before the first source transaction that commits
 * at or after the requested position (or after the one in hand, for
 * "now"), with everything before it committed on the target, so the
 * verify reads the target at exactly the position of its snapshot of
 * the source. The request is read every HOLD_POLL seconds on a
 * connection of the tail's own (the target's is the apply thread's
 * while a batch commits); the hold lasts until the verify lets go or
 * the request expires, and the source hears from the tail meanwhile.
 */
#include "tail_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/base/banned.h"

#define HOLD_POLL	0.05

/* A request to hold at position text: due before a transaction that
 * commits there or later, or with everything received up to there. */
static int
hold_position_due(struct tail_ctx *c, const char *text, const struct db_position *commit,
		  const struct db_position *recv)
{
	struct db_position at;
	struct dberr ignored = DBERR_INIT;

	if (position_parse(&at, c->drv->position_kind, text, NULL, 1, 0, &ignored) < 0)
		return 0;	/* not a position of this source: not for this tail */
	return commit ? tail_at_or_after(commit, &at) : tail_at_or_after(recv, &at);
}

/* The request, read now and then: 1 when one applies to a transaction
 * that commits at commit (NULL: between transactions, everything
 * received up to recv). */
static int
hold_due(struct tail_ctx *c, const struct db_position *commit, const struct db_position *recv,
	 struct dberr *err)
{
	if (!c->target || !c->tdrv->apply->cdc_hold_read)
		return 0;
	if (dbmig_interrupted)	/* stopping: no hold to take, nor to wait on */
		return 0;
	if (now_seconds() - c->hold_read_at >= HOLD_POLL) {
		c->hold_read_at = now_seconds();
		if (!c->hold_conn) {
			struct db_conn *hc;

			if (c->tdrv->connect(&hc, c->o->target, DBERR_TARGET, err) < 0)
				return -1;
			/* the watchdog cuts it too (tail_stop.c) */
			__atomic_store_n(&c->hold_conn, hc, __ATOMIC_RELEASE);
		}
		if (c->tdrv->apply->cdc_hold_read(c->hold_conn, c->state.dump_id, &c->hold,
						   err) < 0)
			return -1;
	}
	if (!c->hold.requested || !strcmp(c->hold.held_for, c->hold.request))
		return 0;	/* none, or answered already */
	if (!strcmp(c->hold.request, "now") || !strcmp(c->hold.request, CDC_HOLD_EXIT))
		return 1;
	if (!strncmp(c->hold.request, "cutover:", 8))	/* a cutover's: at a position */
		return hold_position_due(c, c->hold.request + 8, commit, recv);
	return hold_position_due(c, c->hold.request, commit, recv);
}

/* Holds: what is applied commits, the answer says where, and the tail
 * waits while the request stands unchanged; 1 when a cutover, done with
 * the pair, asked it to exit (CDC_HOLD_EXIT). */
static int
hold_here(struct tail_ctx *c, struct dberr *err)
{
	const struct db_position *at;
	char request[64];
	double t0 = now_seconds(), confirmed = t0;
	struct timespec tick = { 0, (long)(HOLD_POLL * 1e9) };

	if (tail_flush(c, 1, err) < 0)
		return -1;
	at = c->res->position.text[0] ? &c->res->position : &c->from;
	snprintf(request, sizeof(request), "%s", c->hold.request);
	if (c->tdrv->apply->cdc_hold_answer(c->hold_conn, c->state.dump_id, request, at->text,
					     err) < 0)
		return -1;
	log_info("holding at %s for a %s (request %s)", at->text,
		 strncmp(request, "cutover:", 8) ? "verify" : "cutover", request);
	for (;;) {
		nanosleep(&tick, NULL);
		if (dbmig_interrupted)
			break;
		if (c->tdrv->apply->cdc_hold_read(c->hold_conn, c->state.dump_id, &c->hold,
						   err) < 0)
			return -1;
		if (c->hold.requested && !strcmp(c->hold.request, CDC_HOLD_EXIT)) {
			/* a cutover switched the pair: this tail is done */
			log_info("held %.1f s; the pair was cut over at %s: stopping",
				 now_seconds() - t0, at->text);
			c->res->cut_over = 1;
			/* the slot keeps nothing before here: the cutover reads
			 * it for writes past the fence from here on */
			return c->drv->cdc->stream_confirm(c->s, at, err) < 0 ? -1 : 1;
		}
		if (!c->hold.requested || strcmp(c->hold.request, request))
			break;	/* let go, expired, or asked again */
		/* the source hears from the tail while it waits */
		if (now_seconds() - confirmed >= 5) {
			confirmed = now_seconds();
			if (c->drv->cdc->stream_confirm(c->s, at, err) < 0)
				return -1;
		}
	}
	c->hold_read_at = now_seconds();
	log_info("held %.1f s; applying again", now_seconds() - t0);
	return 0;
}

int
tail_hold_before(struct tail_ctx *c, const struct db_position *commit, struct dberr *err)
{
	int r = hold_due(c, commit, NULL, err);

	return r <= 0 ? r : hold_here(c, err);
}

int
tail_hold_idle(struct tail_ctx *c, const struct db_position *recv, struct dberr *err)
{
	int r = hold_due(c, NULL, recv, err);

	return r <= 0 ? r : hold_here(c, err);
}

void
tail_hold_end(struct tail_ctx *c)
{
	struct db_conn *hc = __atomic_exchange_n(&c->hold_conn, NULL, __ATOMIC_ACQ_REL);

	if (hc)
		c->tdrv->close(hc);
}

int
tail_running_on(const struct db_driver *tdrv, const char *target, const char *dump_id,
		const char *who, struct dberr *err)
{
	struct db_conn *probe = NULL;
	struct cdc_lock_holder h;
	int r = -1;

	if (tdrv->connect(&probe, target, DBERR_TARGET, err) == 0)
		r = tdrv->apply->cdc_lock(probe, dump_id, who, &h, err);
	tdrv->close(probe);
	return r;
}
