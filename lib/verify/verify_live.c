/*
 * verify_live.c - verify of a live pair at one position. When the
 * target holds the state of a change-apply tail and that tail runs, the
 * target is never still: rows in flight would read as differences. So
 * the tail is asked to hold (struct cdc_hold, target.h): at once, while
 * the source's snapshot is taken at an exact position P; then just
 * before the first transaction that commits at or after P, with every
 * one before it applied. The target's snapshot is taken there and the
 * tail let go: it waits only while the target's connections open their
 * snapshot, however long the comparison then takes.
 */
#include "verify_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/cdc/tail.h"
#include "lib/cdc/apply_ops.h"
#include "lib/base/banned.h"

/* how long a running tail has to answer a first time: it reads the
 * request every 50 ms, between transactions */
#define ANSWER_SECONDS	5.0

static int
wait_answer(struct verify_live *lv, const char *request, double seconds, struct dberr *err)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	struct cdc_hold h;
	double t0 = now_seconds();

	for (;;) {
		if (lv->tdrv->apply->cdc_hold_read(lv->c, lv->dump_id, &h, err) < 0)
			return -1;
		if (h.requested && !strcmp(h.held_for, request)) {
			snprintf(lv->held_at, sizeof(lv->held_at), "%s", h.held);
			return 1;
		}
		if (now_seconds() - t0 >= seconds || dbmig_interrupted)
			return 0;
		nanosleep(&tick, NULL);
	}
}

int
verify_live_begin(struct verify_live *lv, const char *target, int max_hold, struct dberr *err)
{
	struct cdc_state *states = NULL;
	int n = 0, r;

	memset(lv, 0, sizeof(*lv));
	lv->max_hold = max_hold;
	if (!(lv->tdrv = driver_for_uri(target, DBERR_TARGET, err)))
		return -1;
	if (!lv->tdrv->apply || !lv->tdrv->apply->cdc_hold_request ||
	    !lv->tdrv->apply->cdc_state_read)
		return 0;
	if (lv->tdrv->connect(&lv->c, target, DBERR_TARGET, err) < 0)
		goto fail;
	if (lv->tdrv->apply->cdc_state_read(lv->c, &states, &n, err) < 0) {
		/* a role that may not read dbmig's state compares the pair
		 * as it stands (as before there was a hold) */
		log_warn("the target's change-apply state cannot be read (%s): comparing the "
			 "target as it stands, not held by a running cdc-tail", err->msg);
		*err = (struct dberr)DBERR_INIT;
		verify_live_end(lv);
		return 0;
	}
	if (n == 0) {
		free(states);
		lv->tdrv->close(lv->c);
		lv->c = NULL;
		return 0;	/* no tail ever applied here */
	}
	/* the most recent (states come newest first) */
	snprintf(lv->dump_id, sizeof(lv->dump_id), "%s", states[0].dump_id);
	snprintf(lv->state_position, sizeof(lv->state_position), "%s", states[0].position.text);
	free(states);
	if ((r = tail_running_on(lv->tdrv, target, lv->dump_id, "dbmig verify (is a tail running?)",
				 err)) < 0) {
		log_warn("cannot tell whether a cdc-tail applies to the target (%s): comparing "
			 "it as it stands", err->msg);
		*err = (struct dberr)DBERR_INIT;
		verify_live_end(lv);
		return 0;
	}
	if (r == 0) {
		verify_live_end(lv);
		lv->no_tail = 1;	/* the target stands where its state says */
		return 0;
	}
	if (lv->tdrv->apply->cdc_hold_request(lv->c, lv->dump_id, "now", max_hold, err) < 0) {
		log_warn("cannot ask the target's cdc-tail to hold (%s): comparing the target as "
			 "it stands; rows in flight may show as differences", err->msg);
		*err = (struct dberr)DBERR_INIT;
		verify_live_end(lv);
		lv->no_answer = 1;
		return 0;
	}
	lv->asked = 1;
	if ((r = wait_answer(lv, "now", ANSWER_SECONDS, err)) < 0)
		goto fail;
	if (r == 0) {
		/* one runs but does not answer (a dbmig before the hold) */
		verify_live_end(lv);
		lv->no_answer = 1;
		return 0;
	}
	lv->active = 1;
	return 0;
fail:
	verify_live_end(lv);
	return -1;
}

int
verify_live_hold_at(struct verify_live *lv, const struct db_position *p, struct dberr *err)
{
	int r;

	if (lv->tdrv->apply->cdc_hold_request(lv->c, lv->dump_id, p->text, lv->max_hold, err) < 0 ||
	    (r = wait_answer(lv, p->text, lv->max_hold, err)) < 0)
		return -1;
	if (r == 0)
		return dberr_set(err, DBERR_TARGET, "the cdc-tail applying dump %s to the target did "
				 "not reach the source's position %s within --max-hold (%d s): it "
				 "is behind, or stopped; compare again when it keeps up, or with a "
				 "larger --max-hold", lv->dump_id, p->text, lv->max_hold);
	snprintf(lv->position, sizeof(lv->position), "%s", p->text);
	return 0;
}

void
verify_live_end(struct verify_live *lv)
{
	struct dberr ignored = DBERR_INIT;

	if (lv->c && lv->asked)
		lv->tdrv->apply->cdc_hold_request(lv->c, lv->dump_id, NULL, 0, &ignored);
	lv->asked = 0;
	if (lv->c)
		lv->tdrv->close(lv->c);
	lv->c = NULL;
}

void
verify_live_record(const char *target, const char *dump_id, const char *at, const char *result,
		   uint64_t differences)
{
	struct dberr err = DBERR_INIT;
	const struct db_driver *d = driver_for_uri(target, DBERR_TARGET, &err);
	struct db_conn *c = NULL;

	if (!d || !d->apply || !d->apply->verify_record)
		return;
	if (d->connect(&c, target, DBERR_TARGET, &err) < 0 ||
	    d->apply->verify_record(c, dump_id, at, result, differences, &err) < 0)
		log_warn("the result is not recorded on the target for cutover-plan: %s", err.msg);
	d->close(c);
}
