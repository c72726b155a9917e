/*
 * tail_apply.c - cdc-tail's apply engine: source transactions batched
 * into target transactions, each with the position after its last
 * source transaction, in commit order; held and applied net (batch.c)
 * where nothing on the target sees the order; confirmed to the source
 * only after the target committed. A held batch commits in a thread of
 * its own while the stream reads the next: catching up, the source and
 * the target work at once instead of by turns. The engine knows the
 * target only by its target ops (lib/load/target.h), and the source only
 * by its change events, so a MySQL binlog reader feeds it as pgoutput
 * does.
 */
#include "tail_int.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/xform.h"
#include "lib/load/target.h"
#include "lib/base/banned.h"

/* The column transforms the load recorded in the target's ledger, on
 * the model: each change is converted as the load converted the rows. */
static void
apply_transforms(struct tail_ctx *c, const struct strlist *done)
{
	for (size_t i = 0; i < done->n; i++) {
		const char *item = done->v[i], *eq = strrchr(item, '=');
		char qual[1024];
		const char *dot;
		struct table *t;
		unsigned flags;

		if (strncmp(item, "transform:", 10) || !eq || xform_parse(eq + 1, &flags) < 0 ||
		    (size_t)(eq - item - 10) >= sizeof(qual))
			continue;
		snprintf(qual, sizeof(qual), "%.*s", (int)(eq - item - 10), item + 10);
		if (!(dot = strrchr(qual, '.')))
			continue;
		qual[dot - qual] = '\0';
		if (!(t = schema_find_table(&c->model, qual)))
			continue;
		for (int k = 0; k < t->ncols; k++)
			if (!strcmp(t->cols[k].name, dot + 1)) {
				t->cols[k].xform = flags;
				xform_to_type(flags, &t->cols[k].type);
			}
	}
}

/* Which of the model's columns the target's tables lack: a change that
 * carries one stops the tail instead of failing on the target. */
static int
mark_target_columns(struct tail_ctx *c, struct dberr *err)
{
	struct schema_model tm;
	struct schema_filter f;
	int by_name = c->tdrv != c->drv || (c->tdrv->caps & DB_CAP_DATABASE_IS_SCHEMA);

	memset(&f, 0, sizeof(f));
	memset(&tm, 0, sizeof(tm));
	f.unmapped_as_text = 1;
	if (c->tdrv->source->schema_read(c->target, &f, &tm, err) < 0) {
		schema_release(&tm);
		return dberr_prefix(err, "reading the target's tables"), -1;
	}
	for (int k = 0; k < tm.ntables; k++) {
		struct strbuf q = STRBUF_INIT;

		if (!by_name)
			strbuf_addf(&q, "%s.", tm.tables[k].schema);
		strbuf_addstr(&q, tm.tables[k].name);
		strlist_push(&c->target_tables, q.buf);
		strbuf_release(&q);
	}
	c->by_name = by_name;
	for (int i = 0; i < c->model.ntables; i++) {
		struct table *t = &c->model.tables[i];
		const struct table *tt = NULL;

		for (int k = 0; k < tm.ntables && !tt; k++)
			if (!strcmp(tm.tables[k].name, t->name) &&
			    (by_name || !strcmp(tm.tables[k].schema, t->schema)))
				tt = &tm.tables[k];
		t->cdc_not_on_target = !tt;
		/* from a source whose schema is its database (MySQL) into one
		 * with schemas: the target's table is where the changes go */
		if (tt && (c->drv->caps & DB_CAP_DATABASE_IS_SCHEMA) &&
		    !(c->tdrv->caps & DB_CAP_DATABASE_IS_SCHEMA) && strcmp(tt->schema, t->schema)) {
			free(t->schema);
			t->schema = xstrdup(tt->schema);
		}
		for (int j = 0; tt && j < t->ncols; j++) {
			t->cols[j].absent_on_target = 1;
			for (int k = 0; k < tt->ncols; k++)
				if (!strcmp(tt->cols[k].name, t->cols[j].name))
					t->cols[j].absent_on_target = 0;
		}
	}
	schema_release(&tm);
	return 0;
}

/* The name of a column the change carries that the target lacks. */
static const char *
target_gap(const struct cdc_event *ev)
{
	const struct table *t = ev->table;

	if (!t || (!ev->after && !ev->before))
		return NULL;
	/* the data columns are the columns but the generated ones, in
	 * order: one pass, no lookup by name (this runs for every change) */
	for (int k = 0, i = 0; k < t->ncols; k++) {
		if (t->cols[k].generated_expr)
			continue;
		if (t->cols[k].absent_on_target &&
		    ((ev->after && !(ev->unchanged && ev->unchanged[i]) && !ev->after[i].isnull) ||
		     (ev->before && !ev->before[i].isnull)))
			return t->cols[k].name;
		i++;
	}
	return NULL;
}

/* A change of a table the source no longer has (dropped or renamed
 * since the dump: its changes up to then are still in the log). The
 * target's table of that name takes it; where the target has none
 * either, neither side holds the table any more and its changes are
 * skipped. Decided and said once a table (the stream owns the table,
 * made for this). 1: skip it. */
static int
gone_table(struct tail_ctx *c, const struct cdc_event *ev)
{
	struct table *t = (struct table *)ev->table;
	struct strbuf q = STRBUF_INIT;
	int has;

	if (t->cdc_gone > 1)
		return t->cdc_gone == 3;
	if (!c->by_name)
		strbuf_addf(&q, "%s.", t->schema);
	strbuf_addstr(&q, t->name);
	has = strlist_has(&c->target_tables, q.buf);
	if (has)
		log_warn("the source's table %s.%s is not there any more (dropped or renamed after "
			 "the dump): its changes up to then are applied, and the target keeps its "
			 "table %s: drop it there too when the migration is done", t->schema, t->name,
			 q.buf);
	else
		log_warn("the source's table %s.%s is not there any more (dropped or renamed after "
			 "the dump), and the target has no table %s either: its changes are "
			 "skipped", t->schema, t->name, q.buf);
	t->cdc_gone = has ? 2 : 3;
	strbuf_release(&q);
	return !has;
}

static int
target_begin(struct tail_ctx *c, struct dberr *err)
{
	if (c->target_open)
		return 0;
	c->target_open = 1;
	return c->tdrv->apply->apply_begin(c->target, err);
}

/* Who applies a change: the tail itself, or the batch's thread; where
 * the batch ends (for a failure's message), and its count of writes. */
struct apply_run {
	struct tail_ctx *c;
	const struct db_position *pos;
	uint64_t *writes;
};

static int
apply_one(void *arg, const struct cdc_event *ev, struct dberr *err)
{
	struct apply_run *run = arg;
	struct tail_ctx *c = run->c;

	if (c->tdrv->apply->apply_change(c->target, ev, err) < 0)
		return dberr_prefix(err, "source transaction %" PRIu64 " (in the batch up to %s)",
				    ev->xid, run->pos->text), -1;
	(*run->writes)++;
	return 0;
}

/* The batch in one target transaction with the position after its last
 * source transaction: held, net or as it came; or (held NULL) already
 * sent as it came. -2: it cannot be folded. */
static int
batch_commit(struct tail_ctx *c, struct cdc_batch *held, int net, const struct db_position *pending,
	     uint64_t *writes, struct dberr *err)
{
	const struct db_apply_ops *ap = c->tdrv->apply;
	struct apply_run run = { c, pending, writes };
	struct cdc_state st = c->state;
	int r = 0;

	if (target_begin(c, err) < 0)
		return -1;
	if (held)
		r = net ? cdc_batch_replay_net(held, apply_one, &run, err)
		    : cdc_batch_replay(held, 0, cdc_batch_count(held), apply_one, &run, err);
	if (r < 0)
		return r;
	st.position = *pending;
	cdc_state_seal(&st);
	if (ap->cdc_state_save(c->target, &st, 0, err) < 0 || ap->apply_commit(c->target, err) < 0)
		return dberr_prefix(err, "the changes up to %s", pending->text), -1;
	c->target_open = 0;
	return 0;
}

/* A held batch, net. Folded per row, a batch may hand a unique value
 * from row to row in another order than the source did: refused as a
 * duplicate, it is applied again as it came. */
static int
batch_commit_held(struct tail_ctx *c, struct cdc_batch *held, const struct db_position *pending,
		  uint64_t *writes, struct dberr *err)
{
	int r = batch_commit(c, held, 1, pending, writes, err);

	if (r < 0 && (r == -2 || err->duplicate)) {
		log_info("the changes up to %s, applied net, %s: applying them as they came",
			 pending->text, r == -2 ? "do not fold" : "met a duplicate key");
		c->tdrv->apply->apply_rollback(c->target);
		c->target_open = 0;
		*writes = 0;
		*err = (struct dberr)DBERR_INIT;
		r = batch_commit(c, held, 0, pending, writes, err);
	}
	if (r < 0) {	/* the target's transaction ends here, not in the tail */
		c->tdrv->apply->apply_rollback(c->target);
		c->target_open = 0;
	}
	return r < 0 ? -1 : 0;
}

static void *
apply_thread(void *arg)
{
	struct apply_job *j = arg;

	j->ret = batch_commit_held(j->c, j->held, &j->pending, &j->writes, &j->err);
	atomic_store(&j->finished, 1);
	return NULL;
}

/* A batch is done: counted, and its position confirmed to the source. */
static int
batch_done(struct tail_ctx *c, const struct db_position *pos, int64_t commit_us, uint64_t txns,
	   uint64_t writes, struct dberr *err)
{
	c->res->position = *pos;
	c->applied_commit_us = commit_us;
	c->res->transactions += txns;
	c->res->row_writes += writes;
	return c->drv->cdc->stream_confirm(c->s, pos, err);
}

int
apply_wait(struct tail_ctx *c, struct dberr *err)
{
	struct apply_job *j = &c->job;

	if (!c->job_running)
		return 0;
	pthread_join(j->th, NULL);
	c->job_running = 0;
	cdc_batch_reset(j->held);
	c->spare = j->held;
	j->held = NULL;
	if (j->ret < 0) {
		*err = j->err;
		return -1;
	}
	return batch_done(c, &j->pending, j->pending_us, j->txns, j->writes, err);
}

int
apply_reap(struct tail_ctx *c, struct dberr *err)
{
	return c->job_running && atomic_load(&c->job.finished) ? apply_wait(c, err) : 0;
}

void
apply_end(struct tail_ctx *c)
{
	struct dberr ignored = DBERR_INIT;

	apply_wait(c, &ignored);
	cdc_batch_free(c->spare);
	c->spare = NULL;
}

/* A held batch goes to its own thread, which commits it while the tail
 * reads the next one into the spare: the source's side and the target's
 * work at once, not by turns. Only one is in flight, so batches commit
 * in order and memory stays at two batches. */
static int
batch_hand_off(struct tail_ctx *c, struct dberr *err)
{
	struct apply_job *j = &c->job;
	sigset_t all, old;
	int r;

	j->c = c;
	j->held = c->held;
	j->pending = c->pending;
	j->pending_us = c->pending_us;
	j->first_us = c->batch_first_us;
	c->batch_first_us = 0;
	j->txns = c->batch_txns;
	j->writes = 0;
	j->ret = 0;
	atomic_store(&j->finished, 0);
	j->err = (struct dberr)DBERR_INIT;
	/* signals stay with the tail's thread, which stops between
	 * transactions */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&j->th, NULL, apply_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {	/* no thread: the batch commits here */
		uint64_t writes = 0;

		if (batch_commit_held(c, c->held, &c->pending, &writes, err) < 0)
			return -1;
		cdc_batch_reset(c->held);
		return batch_done(c, &c->pending, c->pending_us, c->batch_txns, writes, err);
	}
	c->job_running = 1;
	c->held = c->spare ? c->spare : cdc_batch_new();
	c->spare = NULL;
	return 0;
}

/* Ends the batch in hand: a held one goes to the target in the
 * background (waited for when final), one sent as it came commits. The
 * batch before it is committed and confirmed first. */
int
apply_flush(struct tail_ctx *c, int final, struct dberr *err)
{
	if (c->batch_open) {
		if (apply_wait(c, err) < 0)
			return -1;
		if (!c->in_order) {
			if (batch_hand_off(c, err) < 0)
				return -1;
		} else {
			if (batch_commit(c, NULL, 0, &c->pending, &c->batch_writes, err) < 0 ||
			    batch_done(c, &c->pending, c->pending_us, c->batch_txns, c->batch_writes,
				       err) < 0)
				return -1;
			c->batch_first_us = 0;
		}
		c->batch_open = 0;
		c->batch_txns = c->batch_changes = c->batch_writes = 0;
		c->in_order = !c->held;
	}
	return final ? apply_wait(c, err) : 0;
}

/* A transaction larger than what a batch holds: what is held goes as it
 * came, the open transaction after a mark, and the rest follows. */
static int
held_spill(struct tail_ctx *c, struct dberr *err)
{
	size_t n = cdc_batch_count(c->held);
	struct apply_run run = { c, &c->jc.commit_pos, &c->batch_writes };

	if (apply_wait(c, err) < 0 || target_begin(c, err) < 0 ||
	    cdc_batch_replay(c->held, 0, c->tx_first, apply_one, &run, err) < 0 ||
	    (c->batch_txns && c->tdrv->apply->apply_mark(c->target, 0, err) < 0) ||
	    cdc_batch_replay(c->held, c->tx_first, n, apply_one, &run, err) < 0)
		return -1;
	cdc_batch_reset(c->held);
	c->in_order = 1;
	return 0;
}

/* Apply: source transactions in commit order, in target transactions
 * with the position that follows them; confirmed after the commit. */
int
apply_event(struct tail_ctx *c, const struct cdc_event *ev, int skip, struct dberr *err)
{
	const struct db_apply_ops *ap = c->tdrv->apply;

	if (skip)
		return 0;
	switch (ev->kind) {
	case CDC_BEGIN:
		if (!c->batch_open) {
			c->batch_open = 1;
			c->batch_start = now_seconds();
		}
		c->tx_first = c->held ? cdc_batch_count(c->held) : 0;
		if (!c->in_order)
			return 0;
		/* a later source transaction in the target's: marked */
		if (apply_wait(c, err) < 0)
			return -1;
		return c->target_open ? ap->apply_mark(c->target, 0, err) : target_begin(c, err);
	case CDC_COMMIT: {
		int done = c->has_until && tail_at_or_after(&ev->commit_pos, &c->until);

		c->pending = ev->commit_pos;
		c->pending_us = ev->commit_time_us;
		c->batch_txns++;
		if ((done || c->batch_changes >= BATCH_CHANGES ||
		     now_seconds() - c->batch_start >= BATCH_SECONDS) && apply_flush(c, 0, err) < 0)
			return -1;
		return done;
	}
	case CDC_SCHEMA_CHANGE:
		/* the transactions before it commit, so a rerun, the target
		 * changed too, resumes exactly at this one */
		if (!c->in_order)
			cdc_batch_truncate(c->held, c->tx_first);
		else if (c->batch_txns && ap->apply_mark(c->target, 1, err) < 0)
			return -1;
		if ((c->batch_txns ? apply_flush(c, 1, err) : apply_wait(c, err)) < 0)
			return -1;
		return tail_schema_change(c, ev, err);
	default: {
		const char *missing;

		if (ev->table && ev->table->cdc_gone && gone_table(c, ev))
			return 0;
		if (ev->table && ev->table->cdc_not_on_target) {
			char why[400];

			snprintf(why, sizeof(why), "the target has no table %s (made on the source "
				 "after the dump?): make it there too (CREATE TABLE)", ev->table->name);
			return apply_event(c, &(struct cdc_event){ .kind = CDC_SCHEMA_CHANGE,
					   .table = ev->table, .detail = why }, 0, err);
		}
		missing = target_gap(ev);

		if (missing) {
			struct cdc_event gap = *ev;
			char detail[300];

			snprintf(detail, sizeof(detail), "column %s, which the target's table lacks, "
				 "was added", missing);
			gap.kind = CDC_SCHEMA_CHANGE;
			gap.detail = detail;
			return apply_event(c, &gap, 0, err);
		}
		if (c->in_order) {
			struct apply_run run = { c, &c->jc.commit_pos, &c->batch_writes };

			if (apply_one(&run, ev, err) < 0)
				return -1;
		} else {
			cdc_batch_add(c->held, ev);
			if ((cdc_batch_count(c->held) >= HELD_CHANGES ||
			     cdc_batch_bytes(c->held) >= HELD_BYTES) && held_spill(c, err) < 0)
				return -1;
		}
		c->res->changes++;
		c->batch_changes++;
		return 0;
	}
	}
}

/* The target's state, as read, is what dbmig wrote and fits the
 * source: a position that does not parse, is of another engine's log,
 * lost its seal (edited by hand, damaged) or lies past the source's log
 * would skip or repeat changes, and be confirmed to the source. (One
 * behind the slot is the slot check's, when the stream opens.) */
static int
state_check(struct tail_ctx *c, struct db_conn *src, struct dberr *err)
{
	const struct cdc_state *st = &c->state;
	struct cdc_slot_status ss;
	const char *why = NULL;

	if (c->drv->cdc->capture_status(src, st->slot, &ss, err) < 0)
		return -1;
	if (!st->position_ok || st->position.kind != c->drv->position_kind)
		why = "which is no position of the source's log";
	else if (!cdc_state_sealed(st))
		why = "which dbmig did not write there (the row's seal does not match: it was "
		      "edited or damaged)";
	else if (ss.current.text[0] && position_lsn(&st->position) > position_lsn(&ss.current))
		why = "which lies past the source's log (its position now is given below): the "
		      "state is another source's, or the source was restored from a backup";
	if (!why)
		return 0;
	return dberr_set(err, DBERR_SOURCE, "the target's state for dump %s (%s) holds position "
			 "'%s', %s; the source's slot %s has confirmed %s, and the source is at "
			 "%s. Nothing is applied: from a wrong position, changes would be skipped "
			 "or applied twice. Put back the position dbmig recorded, or check the "
			 "target (dbmig verify) and take a new online dump", st->dump_id,
			 c->tdrv->describe(c->target), st->raw_position, why, st->slot,
			 ss.exists && ss.confirmed.text[0] ? ss.confirmed.text : "nothing (no such slot)",
			 ss.current.text[0] ? ss.current.text : "?");
}

/* What a holder's tag (apply_lock) says of the tail that holds the
 * lock: on this host and gone (killed a moment ago: the server ends its
 * session once it notices, after rolling back its batch, which takes
 * time), on this host and running, or unknown (another host, no tag). */
enum holder_fate { HOLDER_UNKNOWN, HOLDER_GONE, HOLDER_ALIVE };

static enum holder_fate
holder_fate(const char *tag)
{
	char host[256], mine[256] = "", path[64], cmd[256] = "";
	int pid;
	FILE *f;

	if (sscanf(tag, "dbmig cdc-tail pid=%d host=%255s", &pid, host) != 2 || pid <= 0 ||
	    gethostname(mine, sizeof(mine) - 1) < 0 || strcmp(host, mine))
		return HOLDER_UNKNOWN;
	if (kill(pid, 0) < 0)
		return errno == ESRCH ? HOLDER_GONE : HOLDER_ALIVE;
	/* the pid again, but another program's? */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if (!(f = fopen(path, "re")))
		return HOLDER_UNKNOWN;
	cmd[fread(cmd, 1, sizeof(cmd) - 1, f)] = '\0';
	fclose(f);
	return strstr(cmd, "dbmig") ? HOLDER_ALIVE : HOLDER_GONE;
}

/* The one apply of this dump into this target. A lock whose holder is
 * gone is waited for as long as the server takes to let go of it (up
 * to LOCK_WAIT_GONE); one whose holder is unknown for LOCK_WAIT
 * seconds, time enough for a server to notice a client that went away;
 * one whose holder runs here is refused at once. Refused, the message
 * names the holder. */
#define LOCK_WAIT		15
#define LOCK_WAIT_GONE		600
static int
apply_lock(struct tail_ctx *c, struct dberr *err)
{
	static const int wait_for[] = { LOCK_WAIT, LOCK_WAIT_GONE, 0 };	/* by fate */
	struct cdc_lock_holder h;
	char tag[128], host[256] = "?";
	double start = now_seconds(), said = 0;
	int r;

	gethostname(host, sizeof(host) - 1);
	snprintf(tag, sizeof(tag), "dbmig cdc-tail pid=%d host=%.90s", (int)getpid(), host);
	while ((r = c->tdrv->apply->cdc_lock(c->target, c->state.dump_id, tag, &h, err)) > 0) {
		enum holder_fate fate = holder_fate(h.tag);
		double waited = now_seconds() - start;

		if (waited >= wait_for[fate] || dbmig_interrupted)
			return dberr_set(err, DBERR_SOURCE, "another cdc-tail is applying the changes "
					 "of dump %s to this target: %s (%s)%s. One tail at a time: "
					 "stop that one first%s", c->state.dump_id,
					 h.tag[0] ? h.tag : "a session that gave no tag",
					 h.session[0] ? h.session : "the server names no session",
					 fate == HOLDER_ALIVE ? ", running" : "", fate == HOLDER_ALIVE
					 ? "" : "; if it is gone, run the same command again once the "
					 "server has ended its session");
		if (now_seconds() - said >= 10) {
			log_info("the apply lock of dump %s on the target is held by %s (%s)%s: "
				 "waiting", c->state.dump_id, h.tag[0] ? h.tag : "another session",
				 h.session, fate == HOLDER_GONE ? ", a tail that is gone: the server "
				 "lets go of its lock once it has ended its session" : "");
			said = now_seconds();
		}
		usleep(200000);
	}
	return r;
}

int
tail_pick_state(const struct tail_ctx *c, const struct cdc_state *states, int n,
		const char *if_none, struct dberr *err)
{
	for (int i = 0; i < n; i++)
		if (c->meta.dump_id[0] ? !strcmp(states[i].dump_id, c->meta.dump_id) : n == 1)
			return i;
	return dberr_set(err, DBERR_USAGE, "%s%s", n == 0 ? "the target holds no online dump's "
			 "load: " : c->meta.dump_id[0] ? "the target holds no load of that dump"
			 : "the target holds loads of several online dumps: name one with --from DIR",
			 n == 0 ? if_none : "");
}

int
apply_setup(struct tail_ctx *c, struct dberr *err)
{
	struct cdc_state *states = NULL;
	struct schema_filter f;
	struct strlist done = STRLIST_INIT;
	struct db_conn *src = NULL;
	int n = 0, pick = -1, ret = -1;
	struct dberr ignored = DBERR_INIT;

	if (!(c->tdrv = driver_for_uri(c->o->target, DBERR_TARGET, err)))
		return -1;
	if (!c->tdrv->apply->apply_change)
		return dberr_set(err, DBERR_UNSUPPORTED, "applying changes to %s is not built",
				 c->tdrv->name);
	if (c->tdrv->connect(&c->target, c->o->target, DBERR_TARGET, err) < 0 ||
	    c->tdrv->apply->cdc_state_read(c->target, &states, &n, err) < 0)
		goto out;
	if ((pick = tail_pick_state(c, states, n, "load one (dbmig dump --online, then dbmig load) "
				    "first", err)) < 0)
		goto out;
	c->state = states[pick];
	if (c->drv->connect(&src, c->o->source, DBERR_SOURCE, err) < 0 ||
	    state_check(c, src, err) < 0)
		goto out;
	if (apply_lock(c, err) < 0)
		goto out;
	snprintf(c->meta.slot, sizeof(c->meta.slot), "%s", c->state.slot);
	snprintf(c->meta.publication, sizeof(c->meta.publication), "%s", c->state.publication);
	c->from = c->state.position;
	memset(&f, 0, sizeof(f));
	f.unmapped_as_text = 1;
	schema_release(&c->model);
	if (c->drv->source->schema_read(src, &f, &c->model, err) < 0 ||
	    c->tdrv->target->ledger_open(c->target, c->state.dump_id, &done, err) < 0)
		goto out;
	apply_transforms(c, &done);
	if (mark_target_columns(c, err) < 0)
		goto out;
	/* folding a batch's changes per row reorders them: only where
	 * nothing on the target sees the order */
	if (c->tdrv->target->fk_checks_off(c->target, &ignored) < 0)
		log_warn("cannot turn off foreign-key checks and triggers on the target (%s): "
			 "changes apply with them on, one by one as they came", ignored.msg);
	else
		c->held = cdc_batch_new();
	c->in_order = !c->held;
	ret = 0;
out:
	if (src)
		c->drv->close(src);
	free(states);
	strlist_release(&done);
	return ret;
}
