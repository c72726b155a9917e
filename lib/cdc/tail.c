/*
 * tail.c - cdc-tail: the loop over the source's change stream, with
 * progress, stops (--until-caught-up, --stop-at, signals) and the
 * confirmation of idle positions; each event goes to the apply engine
 * (tail_apply.c) or the JSON lines file (tail_output.c). And --drop.
 */
#include "tail_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/banned.h"

int
tail_schema_change(struct tail_ctx *c, const struct cdc_event *ev, struct dberr *err)
{
	char which[300] = "a table of the source";

	if (ev->table)
		snprintf(which, sizeof(which), "the source's table %s.%s", ev->table->schema,
			 ev->table->name);
	return dberr_set(err, DBERR_IO, "%s changed at %s: %s. Change the target's table the "
			 "same way (ALTER TABLE), then run the same command again: it resumes at "
			 "%s", which, c->jc.commit_pos.text, ev->detail,
			 c->res->position.text[0] ? c->res->position.text : c->from.text);
}

/* How far the tail is, by --progress: a line redrawn on a terminal
 * (every 0.5 s), a JSON event on stderr (every second), a log line
 * (every 10 s), or nothing. Lag is what an operator cuts over on: the
 * source's log position now (asked every second) against the last
 * commit applied or written, in bytes, and in seconds since that commit
 * was made on the source while transactions wait behind it. Every 10 s,
 * the WAL the slot keeps, with a warning past --max-retained-wal. */
static void
show_progress(struct tail_ctx *c, int final)
{
	static const double every[] = { 0, 0.5, 1, 10, 0 };	/* by enum progress_mode */
	const struct db_position *at = c->res->position.text[0] ? &c->res->position : &c->from;
	struct dberr ignored = DBERR_INIT;
	int64_t behind, oldest;
	double lag_s = 0, now = now_seconds();

	if (c->mode == PROGRESS_NONE || (!final && now - c->last_log < every[c->mode]))
		return;
	c->last_log = now;
	if (now - c->source_asked >= 1 || final) {
		struct db_position p;

		if (c->drv->cdc->stream_source_position(c->s, &p, &ignored) == 0)
			c->source_now = p;
		c->source_asked = now;
	}
	behind = c->source_now.text[0] ? position_bytes_between(at, &c->source_now) : 0;
	if (behind < 0)
		behind = 0;
	/* seconds: since the oldest transaction read and not yet applied
	 * (or written) committed on the source (commit times are
	 * wall-clock); with none waiting, while transactions come (read in
	 * the last second), since the last applied one committed, or the
	 * first one read when none was applied yet; idle, 0 */
	oldest = c->job_running ? c->job.first_us : 0;
	if (!oldest)
		oldest = c->batch_first_us;
	if (oldest && !final) {
		lag_s = wall_seconds() - oldest / 1e6;
		if (lag_s < 0)
			lag_s = 0;
	} else if (behind > 0 && !final && now - c->last_read_at < 1) {
		int64_t since = c->applied_commit_us ? c->applied_commit_us : c->first_read_us;

		if (since)
			lag_s = wall_seconds() - since / 1e6;
		if (lag_s < 0)
			lag_s = 0;	/* the two machines' clocks disagree */
	}
	if (c->drv->cdc->stream_retained && now - c->last_retained >= 10) {
		c->last_retained = now;
		c->drv->cdc->stream_retained(c->s, &c->retained, c->wal_status,
					     sizeof(c->wal_status), &ignored);
		if (c->retained > (c->o->max_retained ? c->o->max_retained : (int64_t)10 << 30) &&
		    c->from.kind == POSITION_BINLOG)
			log_warn("the tail is %.1f GB of binlog behind the source (%s): if the source "
				 "purges a file before the tail has read it, the changes in it are "
				 "lost to dbmig", c->retained / 1e9, c->wal_status);
		else if (c->retained > (c->o->max_retained ? c->o->max_retained : (int64_t)10 << 30))
			log_warn("replication slot %s keeps %.1f GB of WAL on the source's disk "
				 "(wal_status %s): the tail is behind; if it cannot catch up, drop "
				 "the slot (cdc-tail --drop) before the disk fills", c->meta.slot,
				 c->retained / 1e9, c->wal_status);
	}
	if (c->mode == PROGRESS_JSON) {
		fprintf(stderr, "{\"event\":\"%s\",\"position\":\"%s\",\"source_position\":\"%s\","
			"\"lag_bytes\":%" PRId64 ",\"lag_seconds\":%.3f,\"transactions\":%" PRIu64 ","
			"\"changes\":%" PRIu64 ",\"retained_bytes\":%" PRId64 ",\"wal_status\":\"%s\"}\n",
			final ? "cdc_summary" : "cdc_progress", at->text,
			c->source_now.text[0] ? c->source_now.text : at->text, behind, lag_s,
			c->res->transactions, c->res->changes, c->retained, c->wal_status);
	} else if (c->mode == PROGRESS_TTY) {
		fprintf(stderr, "\r\033[Kcdc-tail: at %s, %" PRIu64 " transactions, %" PRIu64
			" changes; behind %.1f MB, %.1f s; %s %.1f MB%s", at->text,
			c->res->transactions, c->res->changes, behind / 1e6, lag_s,
			c->from.kind == POSITION_BINLOG ? "binlog to read" : "slot keeps",
			c->retained / 1e6, final ? "\n" : "");
	} else {
		log_info("tail: %" PRIu64 " transactions, %" PRIu64 " changes %s, at %s; the source "
			 "is at %s, %" PRId64 " bytes and %.1f s behind; %s %.1f MB %s (%s)",
			 c->res->transactions, c->res->changes,
			 c->target ? "applied" : "written", at->text,
			 c->source_now.text[0] ? c->source_now.text : "?", behind, lag_s,
			 c->from.kind == POSITION_BINLOG ? "the binlog from there holds" :
			 "the slot keeps", c->retained / 1e6,
			 c->from.kind == POSITION_BINLOG ? "to read" : "of WAL",
			 c->wal_status[0] ? c->wal_status : "?");
	}
	fflush(stderr);
}

/* One event; 1 when the tail should stop (after a commit). */
static int
handle_event(struct tail_ctx *c, const struct cdc_event *ev, int *in_tx, int *skip,
	     struct dberr *err)
{
	int r;

	if (ev->kind == CDC_BEGIN) {
		if (c->has_stop && tail_at_or_after(&ev->commit_pos, &c->stop_at))
			return 1;	/* --stop-at: before this transaction */
		if ((r = tail_hold_before(c, &ev->commit_pos, err)) != 0)
			return r;	/* 1: cut over, before this transaction */
		*in_tx = 1;
		/* one a restart already wrote ends before where it resumes */
		*skip = !tail_at_or_after(&ev->commit_pos, &c->from);
		c->jc.commit_pos = ev->commit_pos;
		c->jc.xid = ev->xid;
		c->jc.commit_time_us = ev->commit_time_us;
		/* (a transaction comes whole, its commit known at its begin) */
		if (!*skip && !c->batch_first_us)
			c->batch_first_us = ev->commit_time_us;
	} else if (ev->kind == CDC_COMMIT) {
		*in_tx = 0;
		c->last_commit_us = ev->commit_time_us;
		c->last_read_at = now_seconds();
		if (!c->first_read_us)
			c->first_read_us = ev->commit_time_us;
	}
	if (c->target)
		return apply_event(c, ev, *skip, err);
	switch (ev->kind) {
	case CDC_BEGIN:
		return 0;
	case CDC_COMMIT:
		c->jc.commit_pos = ev->commit_pos;
		if (*skip)
			return 0;
		if (cdc_json_event(&c->jc, ev, &c->buf) < 0 || output_commit(c, ev, err) < 0)
			return err->cls == DBERR_NONE ? dberr_set(err, DBERR_INTERNAL, "encoding a "
								  "commit") : -1;
		c->jc.last_commit_lsn = position_lsn(&ev->commit_pos);
		return c->has_until && tail_at_or_after(&ev->commit_pos, &c->until);
	case CDC_SCHEMA_CHANGE:
		/* the transactions before it are kept, so the rerun resumes
		 * exactly at this one */
		return tail_flush(c, 1, err) < 0 ? -1 : tail_schema_change(c, ev, err);
	default:
		if (*skip)
			return 0;
		if (cdc_json_event(&c->jc, ev, &c->buf) < 0)
			return dberr_set(err, DBERR_INTERNAL, "a change of %s could not be encoded",
					 ev->table ? ev->table->name : "?");
		c->res->changes++;
		c->batch_changes++;
		/* a big transaction goes out as it comes: memory stays bounded */
		return c->buf.len > (1u << 20) ? output_lines(c, err) : 0;
	}
}

/* Idle: every transaction before recv was delivered and is written or
 * applied, so the slot may move there and free the WAL other databases
 * wrote meanwhile; the target's state (or FILE.pos) moves first, so the
 * slot is never ahead of where a restart continues. Every 10 s, and at
 * once (now) when the tail ends caught up. */
static int
idle_confirm(struct tail_ctx *c, const struct db_position *recv, int now, struct dberr *err)
{
	const struct db_position *at = c->res->position.text[0] ? &c->res->position : &c->from;

	if (position_at_or_after(at, recv) || (!now && now_seconds() - c->last_idle < 10))
		return 0;
	c->last_idle = now_seconds();
	if (c->target) {
		c->state.position = *recv;
		cdc_state_seal(&c->state);
		if (c->tdrv->apply->cdc_state_save(c->target, &c->state, 0, err) < 0)
			return -1;
	} else if (c->fd >= 0 && output_save_position(c, recv, err) < 0) {
		return -1;
	}
	c->res->position = *recv;
	return c->drv->cdc->stream_confirm(c->s, recv, err);
}

/* Caught up (--until-caught-up), the slot is confirmed where the source
 * was; but the server moves the slot's restart_lsn, and frees the WAL
 * before it, only once it has decoded past that position a record of
 * the transactions running (written at each checkpoint, and every 15 s
 * while the server writes) and a confirm comes after it. A tail that
 * ends right after a large transaction would leave that transaction's
 * WAL kept until the next tail. So while the slot keeps more than
 * SETTLE_BYTES, the tail goes on confirming, up to SETTLE_SECONDS; a
 * new transaction ends it at once (it is the next run's). */
#define SETTLE_BYTES	(64 << 20)
#define SETTLE_SECONDS	20
static int
settle_slot(struct tail_ctx *c, struct dberr *err)
{
	const struct db_position *at;
	struct cdc_event ev;
	struct db_position recv;
	struct dberr ignored = DBERR_INIT;
	double t0 = now_seconds();
	int64_t kept;
	char st[32];
	int r, said = 0;

	/* a binlog keeps no reader's place: nothing to settle */
	if (!c->drv->cdc->stream_retained || c->from.kind != POSITION_LSN)
		return 0;
	for (;;) {
		struct db_position now_at;

		/* what it keeps before the confirmed position: the rest is the
		 * source's log since, which nothing could free */
		at = c->res->position.text[0] ? &c->res->position : &c->from;
		if (c->drv->cdc->stream_retained(c->s, &kept, st, sizeof(st), &ignored) < 0 ||
		    c->drv->cdc->stream_source_position(c->s, &now_at, &ignored) < 0)
			return 0;
		if (position_lsn(&now_at) > position_lsn(at))
			kept -= (int64_t)(position_lsn(&now_at) - position_lsn(at));
		if (kept < SETTLE_BYTES)
			return 0;
		if (now_seconds() - t0 >= SETTLE_SECONDS || dbmig_interrupted) {
			log_info("the slot still keeps %.1f MB of the source's WAL: the server lets go "
				 "of it once it has logged which transactions run (at its next "
				 "checkpoint, or within 15 s while it writes) and a tail confirms after "
				 "that, as the next cdc-tail does", kept / 1e6);
			return 0;
		}
		if (!said++)
			log_info("caught up; the slot keeps %.1f MB of the source's WAL for what was "
				 "just applied: confirming until the source lets go of it (up to %d s)",
				 kept / 1e6, SETTLE_SECONDS);
		if ((r = c->drv->cdc->stream_next(c->s, &ev, 1000, err)) < 0)
			return -1;
		if (r > 0)
			return 0;	/* a new transaction: the next run's */
		c->drv->cdc->stream_received(c->s, &recv);
		if (idle_confirm(c, &recv, 1, err) < 0)
			return -1;
		at = c->res->position.text[0] ? &c->res->position : &c->from;
		if (c->drv->cdc->stream_confirm(c->s, at, err) < 0)
			return -1;
	}
}

int
tail_flush(struct tail_ctx *c, int final, struct dberr *err)
{
	return c->target ? apply_flush(c, final, err) : output_flush(c, err);
}

static int
tail_loop(struct tail_ctx *c, struct dberr *err)
{
	struct cdc_event ev;
	int in_tx = 0, skip = 0, r;

	for (;;) {
		if (dbmig_interrupted && (!in_tx || tail_stop_forced())) {
			c->res->stopped_by_signal = 1;
			if (!in_tx)
				return tail_flush(c, 1, err);
			/* what is open is dropped: nothing of it was confirmed */
			return dberr_set(err, DBERR_INTERRUPTED, "stopped by a signal inside the "
					 "source transaction that commits at %s, which had not "
					 "ended %d s later (or a second signal came): it is not %s, "
					 "and the same command resumes at %s", c->jc.commit_pos.text,
					 TAIL_STOP_GRACE, c->target ? "applied" : "written",
					 c->res->position.text[0] ? c->res->position.text : c->from.text);
		}
		/* an open batch, or one committing, waits for nothing: what is
		 * at hand joins the next; --until-caught-up looks often whether
		 * it is there (the source says how far its log goes while
		 * nothing comes): a second's wait would end every run later */
		/* (a live verify's hold is looked for between waits: an
		 * applying tail waits 100 ms at most, one asked to hold 20) */
		if ((r = c->drv->cdc->stream_next(c->s, &ev, in_tx ? 1000 : c->batch_open ||
						   c->job_running ? 0 : c->has_until ||
						   c->hold.requested ? 20 : c->target ? 100 : 1000,
						   err)) < 0)
			return -1;
		if (c->target && apply_reap(c, err) < 0)
			return -1;
		show_progress(c, 0);
		if (r == 0 && c->batch_open && !in_tx) {
			if (tail_flush(c, 0, err) < 0)
				return -1;
			continue;
		}
		if (r == 0) {
			struct db_position recv;

			/* nothing at hand: the batch committing is waited for */
			if (!in_tx && c->target && apply_wait(c, err) < 0)
				return -1;

			c->drv->cdc->stream_received(c->s, &recv);
			if (!in_tx && (r = tail_hold_idle(c, &recv, err)) != 0)
				return r < 0 ? -1 : 0;	/* cut over */
			/* caught up: the slot moves to where the source was */
			if (!in_tx && c->has_until && tail_at_or_after(&recv, &c->until))
				return c->has_stop ? 0 : idle_confirm(c, &recv, 1, err);
			if (!in_tx && c->has_stop && tail_at_or_after(&recv, &c->stop_at))
				return 0;
			if (!in_tx && !c->has_stop && idle_confirm(c, &recv, 0, err) < 0)
				return -1;
			continue;
		}
		if ((r = handle_event(c, &ev, &in_tx, &skip, err)) < 0)
			return -1;
		if (r > 0)	/* stopping between transactions: what is applied commits */
			return tail_flush(c, 1, err);
	}
}

/* The slot and publication to drop, where no dump names them: the
 * target's state of the one online dump loaded there (or of --from's),
 * or --slot NAME (dbmig's own names only: dbmig_ and the dump id). */
static int
drop_names(struct tail_ctx *c, struct dberr *err)
{
	const struct db_driver *tdrv;
	struct db_conn *t = NULL;
	struct cdc_state *states = NULL;
	int n = 0, pick = -1, ret = -1;

	if (!c->o->target) {
		if (strncmp(c->o->slot, "dbmig_", 6) || strlen(c->o->slot) >= sizeof(c->meta.slot))
			return dberr_set(err, DBERR_USAGE, "--slot %s is not a slot dbmig made (their "
					 "names are dbmig_ and the dump id): drop another tool's slot "
					 "with its own tool, or pg_drop_replication_slot()",
					 c->o->slot);
		snprintf(c->meta.slot, sizeof(c->meta.slot), "%s", c->o->slot);
		snprintf(c->meta.publication, sizeof(c->meta.publication), "%s", c->o->slot);
		return 0;
	}
	if (!(tdrv = driver_for_uri(c->o->target, DBERR_TARGET, err)))
		return -1;
	if (!tdrv->apply->cdc_state_read)
		return dberr_set(err, DBERR_UNSUPPORTED, "a %s target holds no change-apply state",
				 tdrv->name);
	if (tdrv->connect(&t, c->o->target, DBERR_TARGET, err) < 0 ||
	    tdrv->apply->cdc_state_read(t, &states, &n, err) < 0)
		goto out;
	if ((pick = tail_pick_state(c, states, n, "it names no slot: give the slot with --slot NAME "
				    "(without TARGET)", err)) < 0)
		goto out;
	snprintf(c->meta.slot, sizeof(c->meta.slot), "%s", states[pick].slot);
	snprintf(c->meta.publication, sizeof(c->meta.publication), "%s", states[pick].publication);
	c->tdrv = tdrv;
	ret = 0;
out:
	free(states);
	if (t)
		tdrv->close(t);
	return ret;
}

static int
tail_drop(struct tail_ctx *c, struct dberr *err)
{
	struct db_conn *conn;
	int ret;

	if (c->drv->connect(&conn, c->o->source, DBERR_SOURCE, err) < 0)
		return -1;
	ret = c->drv->cdc->capture_drop(conn, c->meta.slot, c->meta.publication, err);
	c->drv->close(conn);
	if (ret == 0 && c->drv->position_kind == POSITION_BINLOG)
		c->res->nothing_dropped = 1;
	else if (ret == 0)
		log_info("dropped replication slot %s and publication %s", c->meta.slot,
			 c->meta.publication);
	if (ret == 0 && c->tdrv)
		log_info("the target keeps dbmig's bookkeeping (%s: the load's ledger and where the "
			 "changes stand): drop it once the migration is done", (c->tdrv->caps &
			 DB_CAP_DATABASE_IS_SCHEMA) ? "its _dbmig_ tables" : "its schema _dbmig");
	return ret;
}

int
tail_run(const struct tail_opts *o, struct tail_result *res, struct dberr *err)
{
	struct tail_ctx c;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.o = o;
	c.res = res;
	c.fd = -1;
	c.last_log = now_seconds();
	if (o->from_dir && manifest_read(o->from_dir, &c.meta, &c.model, err) < 0)
		goto out;
	if (o->drop && !o->from_dir && drop_names(&c, err) < 0)
		goto out;
	if (o->from_dir && !c.meta.slot[0]) {
		dberr_set(err, DBERR_USAGE, "%s is no online dump (it records no replication "
			  "slot): take one with dbmig dump --online", o->from_dir);
		goto out;
	}
	if (!(c.drv = driver_for_uri(o->source, DBERR_SOURCE, err)))
		goto out;
	if (!c.drv->cdc) {
		dberr_set(err, DBERR_UNSUPPORTED, "change capture from a %s source is not built yet",
			  c.drv->name);
		goto out;
	}
	if (o->from_dir && strcmp(c.drv->name, c.meta.engine)) {
		dberr_set(err, DBERR_USAGE, "the dump is of a %s source, but the SOURCE given is %s",
			  c.meta.engine, c.drv->name);
		goto out;
	}
	if (o->drop) {
		snprintf(res->slot, sizeof(res->slot), "%s", c.meta.slot);
		ret = tail_drop(&c, err);
		goto out;
	}
	c.from = c.meta.position;
	if (o->target && apply_setup(&c, err) < 0)
		goto out;
	tail_watch_start(&c);
	snprintf(res->slot, sizeof(res->slot), "%s", c.meta.slot);
	if (o->stop_at && position_parse(&c.stop_at, c.drv->position_kind, o->stop_at, NULL, 1, 0,
					 err) < 0) {
		err->cls = DBERR_USAGE;
		goto out;
	}
	c.has_stop = o->stop_at != NULL;
	c.jc.dbz = o->dbz;
	c.jc.last_commit_lsn = position_lsn(&c.from);
	c.jc.engine = c.meta.engine;
	c.jc.database = c.meta.database;
	if ((!o->target && output_open(&c, err) < 0) ||
	    c.drv->cdc->stream_open(o->source, c.meta.slot, c.meta.publication, &c.from, &c.model,
				    &(struct cdc_stream_opts){ .server_id = o->server_id }, &c.s,
				    err) < 0)
		goto out;
	if (o->until_caught_up) {
		if (c.drv->cdc->stream_source_position(c.s, &c.until, err) < 0)
			goto out;
		c.has_until = 1;
		log_info("%s changes from %s until the source's position at the start, %s",
			 o->target ? "applying" : "writing", c.from.text, c.until.text);
	}
	c.mode = o->progress == PROGRESS_AUTO ? (log_get_level() < LOG_INFO ? PROGRESS_NONE
		 : isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_LOG) : (enum progress_mode)o->progress;
	c.retained = -1;
	if (tail_loop(&c, err) < 0 ||
	    (c.has_until && !c.res->stopped_by_signal && settle_slot(&c, err) < 0))
		goto out;
	if (c.mode == PROGRESS_JSON || c.mode == PROGRESS_TTY)
		show_progress(&c, 1);
	ret = 0;
out:
	if (c.target) {
		apply_end(&c);
		c.tdrv->apply->apply_rollback(c.target);	/* a transaction in hand */
		/* the watchdog, which may cut the hold's connection, ends
		 * before that connection is closed */
		tail_watch_end(&c, err);
		tail_hold_end(&c);
		c.tdrv->close(c.target);
	}
	if (c.s)
		c.drv->cdc->stream_close(c.s);
	cdc_batch_free(c.held);
	if (c.fd >= 0)
		close(c.fd);
	strlist_release(&c.target_tables);
	strbuf_release(&c.pos_file);
	strbuf_release(&c.buf);
	schema_release(&c.model);
	return ret;
}
