/*
 * tail.c - cdc-tail's output mode and --drop.
 *
 * Exactly once for a file: every transaction is written whole, flushed
 * and fsynced, then the file's length and the transaction's end position
 * go into FILE.pos (written aside and renamed), and only then is the
 * position confirmed to the source. A restart cuts the file back to the
 * length FILE.pos holds (a transaction half written when the tail died
 * goes) and resumes after that position, so no transaction is written
 * twice and none is missed. Standard output has no such record: there a
 * restart resumes at what the source last confirmed.
 */
#include "tail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dumpfmt/dumpfmt.h"
#include "lib/base/log.h"
#include "lib/base/progress.h"
#include "lib/cdc/batch.h"
#include "lib/cdc/cdc_json.h"
#include "lib/base/xform.h"
#include "lib/cdc/cdc_ops.h"
#include "lib/load/target.h"
#include "lib/base/banned.h"

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
	uint64_t offset;		/* the file's length after the last commit */
	struct strbuf buf;		/* lines not written yet */
	struct cdc_json_ctx jc;
	struct db_position from, until, stop_at;
	int has_until, has_stop;
	struct tail_result *res;
	double last_log, last_idle, last_retained;
	enum progress_mode mode;
	int64_t retained;
	char wal_status[32];
	int64_t last_commit_us;		/* of the last transaction done */
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
};

/* A batch commits at this size or age, or as soon as the stream has
 * nothing more at hand: catching up, many small source transactions
 * share one target commit; keeping pace, each commits at once. */
#define BATCH_CHANGES	20000
#define BATCH_SECONDS	0.5
/* What a batch holds before it goes to the target as it came. */
#define HELD_CHANGES	(2 * BATCH_CHANGES)
#define HELD_BYTES	(64u << 20)

static int
write_all(int fd, const char *p, size_t n, const char *what, struct dberr *err)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return dberr_set(err, DBERR_IO, "writing %s: %s", what, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
flush_lines(struct tail_ctx *c, struct dberr *err)
{
	int fd = c->fd >= 0 ? c->fd : STDOUT_FILENO;

	if (write_all(fd, c->buf.buf ? c->buf.buf : "", c->buf.len,
		      c->fd >= 0 ? c->o->output : "standard output", err) < 0)
		return -1;
	c->offset += c->buf.len;
	strbuf_reset(&c->buf);
	return 0;
}

/* FILE.pos: "<length> <position>\n", replaced whole. */
static int
save_position(struct tail_ctx *c, const struct db_position *pos, struct dberr *err)
{
	struct strbuf tmp = STRBUF_INIT, line = STRBUF_INIT;
	int fd, ret = -1;

	strbuf_addf(&tmp, "%s.tmp", c->pos_file.buf);
	strbuf_addf(&line, "%" PRIu64 " %s\n", c->offset, pos->text);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, line.buf, line.len, tmp.buf, err) < 0 || fsync(fd) < 0 ||
	    rename(tmp.buf, c->pos_file.buf) < 0) {
		if (err->cls == DBERR_NONE)
			dberr_set(err, DBERR_IO, "%s: %s", c->pos_file.buf, strerror(errno));
	} else {
		ret = 0;
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&tmp);
	strbuf_release(&line);
	return ret;
}

/* Opens the output: a file that holds an earlier tail's lines is cut
 * back to its last whole transaction and continued after it. */
static int
open_output(struct tail_ctx *c, struct dberr *err)
{
	const char *path = c->o->output;
	FILE *pf;
	struct stat st;
	char posbuf[160];
	unsigned long long len;

	c->fd = -1;
	if (!strcmp(path, "-"))
		return 0;
	strbuf_addf(&c->pos_file, "%s.pos", path);
	if ((pf = fopen(c->pos_file.buf, "re"))) {
		int ok = fscanf(pf, "%llu %159s", &len, posbuf) == 2;

		fclose(pf);
		if (!ok || position_parse(&c->from, c->drv->position_kind, posbuf, NULL, 1, 0,
					  err) < 0)
			return dberr_set(err, DBERR_IO, "%s is not a position dbmig wrote: remove "
					 "it and %s to start over", c->pos_file.buf, path);
		c->offset = len;
		log_info("continuing %s after %s (its last whole transaction)", path, posbuf);
	} else if (stat(path, &st) == 0 && st.st_size > 0) {
		return dberr_set(err, DBERR_IO, "%s exists and holds lines, but no %s says where "
				 "they end: write to a new file, or remove it", path, c->pos_file.buf);
	}
	c->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (c->fd < 0 || ftruncate(c->fd, (off_t)c->offset) < 0 ||
	    lseek(c->fd, (off_t)c->offset, SEEK_SET) < 0)
		return dberr_set(err, DBERR_IO, "%s: %s", path, strerror(errno));
	/* a new file gets its FILE.pos before its first line, so a tail
	 * killed before its first commit is continued, not refused */
	if (!pf && save_position(c, &c->from, err) < 0)
		return -1;
	return 0;
}

static int
commit_done(struct tail_ctx *c, const struct cdc_event *ev, struct dberr *err)
{
	if (flush_lines(c, err) < 0)
		return -1;
	if (c->fd >= 0 && (fsync(c->fd) < 0 || save_position(c, &ev->commit_pos, err) < 0)) {
		if (err->cls == DBERR_NONE)
			dberr_set(err, DBERR_IO, "%s: %s", c->o->output, strerror(errno));
		return -1;
	}
	c->res->position = ev->commit_pos;
	c->res->transactions++;
	/* only now may the source forget it */
	return c->drv->cdc->stream_confirm(c->s, &ev->commit_pos, err);
}

static int
schema_change(struct tail_ctx *c, const struct cdc_event *ev, struct dberr *err)
{
	return dberr_set(err, DBERR_IO, "the source's table %s.%s changed at %s: %s. Change the "
			 "target's table the same way (ALTER TABLE), then run the same command "
			 "again: it resumes at %s", ev->table ? ev->table->schema : "?",
			 ev->table ? ev->table->name : "?", c->jc.commit_pos.text, ev->detail,
			 c->res->position.text[0] ? c->res->position.text : c->from.text);
}

static int
at_or_after(const struct db_position *a, const struct db_position *b)
{
	return position_lsn(a) >= position_lsn(b);
}

/* How far the tail is, by --progress: a line redrawn on a terminal
 * (every 0.5 s), a JSON event on stderr (every 2 s), a log line (every
 * 10 s), or nothing. Lag is in bytes of the source's log and in seconds
 * since the last applied commit while behind. Every 10 s, the WAL the
 * slot keeps, with a warning past --max-retained-wal. */
static void
show_progress(struct tail_ctx *c, int final)
{
	static const double every[] = { 0, 0.5, 2, 10, 0 };	/* by enum progress_mode */
	const struct db_position *at = c->res->position.text[0] ? &c->res->position : &c->from;
	struct db_position recv;
	struct dberr ignored = DBERR_INIT;
	int64_t behind;
	double lag_s, now = now_seconds();

	if (c->mode == PROGRESS_NONE || (!final && now - c->last_log < every[c->mode]))
		return;
	c->last_log = now;
	c->drv->cdc->stream_received(c->s, &recv);
	behind = (int64_t)(position_lsn(&recv) - position_lsn(at));
	if (behind < 0)
		behind = 0;
	if (behind > 0 && c->last_commit_us) {	/* commit times are wall-clock */
		lag_s = wall_seconds() - c->last_commit_us / 1e6;
		if (lag_s < 0)
			lag_s = 0;	/* the two machines' clocks disagree */
	} else {
		lag_s = 0;
	}
	if (c->drv->cdc->stream_retained && now - c->last_retained >= 10) {
		c->last_retained = now;
		c->drv->cdc->stream_retained(c->s, &c->retained, c->wal_status,
					     sizeof(c->wal_status), &ignored);
		if (c->retained > (c->o->max_retained ? c->o->max_retained : (int64_t)10 << 30))
			log_warn("replication slot %s keeps %.1f GB of WAL on the source's disk "
				 "(wal_status %s): the tail is behind; if it cannot catch up, drop "
				 "the slot (cdc-tail --drop) before the disk fills", c->meta.slot,
				 c->retained / 1e9, c->wal_status);
	}
	if (c->mode == PROGRESS_JSON) {
		fprintf(stderr, "{\"event\":\"%s\",\"position\":\"%s\",\"source_position\":\"%s\","
			"\"lag_bytes\":%" PRId64 ",\"lag_seconds\":%.3f,\"transactions\":%" PRIu64 ","
			"\"changes\":%" PRIu64 ",\"retained_bytes\":%" PRId64 ",\"wal_status\":\"%s\"}\n",
			final ? "cdc_summary" : "cdc_progress", at->text, recv.text, behind, lag_s,
			c->res->transactions, c->res->changes, c->retained, c->wal_status);
	} else if (c->mode == PROGRESS_TTY) {
		fprintf(stderr, "\r\033[Kcdc-tail: at %s, %" PRIu64 " transactions, %" PRIu64
			" changes; behind %.1f MB, %.1f s; slot keeps %.1f MB%s", at->text,
			c->res->transactions, c->res->changes, behind / 1e6, lag_s,
			c->retained / 1e6, final ? "\n" : "");
	} else {
		log_info("tail: %" PRIu64 " transactions, %" PRIu64 " changes %s, at %s; the source "
			 "is at %s, %" PRId64 " bytes and %.1f s behind; the slot keeps %.1f MB of "
			 "WAL (%s)", c->res->transactions, c->res->changes,
			 c->target ? "applied" : "written", at->text, recv.text, behind, lag_s,
			 c->retained / 1e6, c->wal_status[0] ? c->wal_status : "?");
	}
	fflush(stderr);
}

static const char *target_gap(const struct cdc_event *ev);

static int
target_begin(struct tail_ctx *c, struct dberr *err)
{
	if (c->target_open)
		return 0;
	c->target_open = 1;
	return c->tdrv->target->apply_begin(c->target, err);
}

static int
apply_one(void *arg, const struct cdc_event *ev, struct dberr *err)
{
	struct tail_ctx *c = arg;

	if (c->tdrv->target->apply_change(c->target, ev, err) < 0)
		return dberr_prefix(err, "source transaction %" PRIu64 " (in the batch up to %s)",
				    ev->xid, c->jc.commit_pos.text), -1;
	c->batch_writes++;
	return 0;
}

/* The batch in one target transaction with the position after its last
 * source transaction: net, or as it came. -2: it cannot be folded. */
static int
batch_commit(struct tail_ctx *c, int net, struct dberr *err)
{
	const struct db_target_ops *tg = c->tdrv->target;
	int r = 0;

	if (target_begin(c, err) < 0)
		return -1;
	if (!c->in_order)
		r = net ? cdc_batch_replay_net(c->held, apply_one, c, err)
		    : cdc_batch_replay(c->held, 0, cdc_batch_count(c->held), apply_one, c, err);
	if (r < 0)
		return r;
	c->state.position = c->pending;
	if (tg->cdc_state_save(c->target, &c->state, 0, err) < 0 ||
	    tg->apply_commit(c->target, err) < 0)
		return -1;
	c->target_open = 0;
	return 0;
}

/* Commits the batch, then confirms its position to the source. Folded
 * per row, a batch may hand a unique value from row to row in another
 * order than the source did: refused as a duplicate, it is applied
 * again as it came. */
static int
batch_flush(struct tail_ctx *c, struct dberr *err)
{
	int r;

	if (!c->batch_open)
		return 0;
	r = batch_commit(c, 1, err);
	if (r < 0 && !c->in_order && (r == -2 || !strcmp(err->sqlstate, "23505") ||
				      !strcmp(err->sqlstate, "23000"))) {
		log_info("the changes up to %s, applied net, %s: applying them as they came",
			 c->pending.text, r == -2 ? "do not fold" : "met a duplicate key");
		c->tdrv->target->apply_rollback(c->target);
		c->target_open = 0;
		c->batch_writes = 0;
		*err = (struct dberr)DBERR_INIT;
		r = batch_commit(c, 0, err);
	}
	if (r < 0)
		return -1;
	c->batch_open = 0;
	c->res->position = c->pending;
	c->res->transactions += c->batch_txns;
	c->res->row_writes += c->batch_writes;
	c->batch_txns = c->batch_changes = c->batch_writes = 0;
	if (c->held)
		cdc_batch_reset(c->held);
	c->in_order = !c->held;
	return c->drv->cdc->stream_confirm(c->s, &c->pending, err);
}

/* A transaction larger than what a batch holds: what is held goes as it
 * came, the open transaction after a mark, and the rest follows. */
static int
held_spill(struct tail_ctx *c, struct dberr *err)
{
	size_t n = cdc_batch_count(c->held);

	if (target_begin(c, err) < 0 ||
	    cdc_batch_replay(c->held, 0, c->tx_first, apply_one, c, err) < 0 ||
	    (c->batch_txns && c->tdrv->target->apply_mark(c->target, 0, err) < 0) ||
	    cdc_batch_replay(c->held, c->tx_first, n, apply_one, c, err) < 0)
		return -1;
	cdc_batch_reset(c->held);
	c->in_order = 1;
	return 0;
}

/* Apply: source transactions in commit order, in target transactions
 * with the position that follows them; confirmed after the commit. */
static int
apply_event(struct tail_ctx *c, const struct cdc_event *ev, int skip, struct dberr *err)
{
	const struct db_target_ops *tg = c->tdrv->target;

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
		return c->target_open ? tg->apply_mark(c->target, 0, err) : target_begin(c, err);
	case CDC_COMMIT: {
		int done = c->has_until && at_or_after(&ev->commit_pos, &c->until);

		c->pending = ev->commit_pos;
		c->batch_txns++;
		if ((done || c->batch_changes >= BATCH_CHANGES ||
		     now_seconds() - c->batch_start >= BATCH_SECONDS) && batch_flush(c, err) < 0)
			return -1;
		return done;
	}
	case CDC_SCHEMA_CHANGE:
		/* the transactions before it commit, so a rerun, the target
		 * changed too, resumes exactly at this one */
		if (!c->in_order)
			cdc_batch_truncate(c->held, c->tx_first);
		else if (c->batch_txns && tg->apply_mark(c->target, 1, err) < 0)
			return -1;
		if (c->batch_txns && batch_flush(c, err) < 0)
			return -1;
		return schema_change(c, ev, err);
	default: {
		const char *missing = target_gap(ev);

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
			if (apply_one(c, ev, err) < 0)
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

/* One event; 1 when the tail should stop (after a commit). */
static int
handle_event(struct tail_ctx *c, const struct cdc_event *ev, int *in_tx, int *skip,
	     struct dberr *err)
{
	if (ev->kind == CDC_BEGIN) {
		if (c->has_stop && at_or_after(&ev->commit_pos, &c->stop_at))
			return 1;	/* --stop-at: before this transaction */
		*in_tx = 1;
		/* one a restart already wrote ends before where it resumes */
		*skip = !at_or_after(&ev->commit_pos, &c->from);
		c->jc.commit_pos = ev->commit_pos;
		c->jc.xid = ev->xid;
		c->jc.commit_time_us = ev->commit_time_us;
	} else if (ev->kind == CDC_COMMIT) {
		*in_tx = 0;
		c->last_commit_us = ev->commit_time_us;
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
		if (cdc_json_event(&c->jc, ev, &c->buf) < 0 || commit_done(c, ev, err) < 0)
			return err->cls == DBERR_NONE ? dberr_set(err, DBERR_INTERNAL, "encoding a "
								  "commit") : -1;
		return c->has_until && at_or_after(&ev->commit_pos, &c->until);
	case CDC_SCHEMA_CHANGE:
		return schema_change(c, ev, err);
	default:
		if (*skip)
			return 0;
		if (cdc_json_event(&c->jc, ev, &c->buf) < 0)
			return dberr_set(err, DBERR_INTERNAL, "a change of %s could not be encoded",
					 ev->table ? ev->table->name : "?");
		c->res->changes++;
		/* a big transaction goes out as it comes: memory stays bounded */
		return c->buf.len > (1u << 20) ? flush_lines(c, err) : 0;
	}
}

/* Idle: every transaction before recv was delivered and is written or
 * applied, so the slot may move there and free the WAL other databases
 * wrote meanwhile; the target's state (or FILE.pos) moves first, so the
 * slot is never ahead of where a restart continues. Every 10 s. */
static int
idle_confirm(struct tail_ctx *c, const struct db_position *recv, struct dberr *err)
{
	const struct db_position *at = c->res->position.text[0] ? &c->res->position : &c->from;

	if (position_lsn(recv) <= position_lsn(at) || now_seconds() - c->last_idle < 10)
		return 0;
	c->last_idle = now_seconds();
	if (c->target) {
		c->state.position = *recv;
		if (c->tdrv->target->cdc_state_save(c->target, &c->state, 0, err) < 0)
			return -1;
	} else if (c->fd >= 0 && save_position(c, recv, err) < 0) {
		return -1;
	}
	c->res->position = *recv;
	return c->drv->cdc->stream_confirm(c->s, recv, err);
}

static int
tail_loop(struct tail_ctx *c, struct dberr *err)
{
	struct cdc_event ev;
	int in_tx = 0, skip = 0, r;

	for (;;) {
		if (dbmig_interrupted && !in_tx) {
			c->res->stopped_by_signal = 1;
			return c->target ? batch_flush(c, err) : 0;
		}
		/* an open batch waits for nothing: what is at hand joins it */
		if ((r = c->drv->cdc->stream_next(c->s, &ev, c->batch_open && !in_tx ? 0 : 1000,
						   err)) < 0)
			return -1;
		show_progress(c, 0);
		if (r == 0 && c->batch_open && !in_tx) {
			if (batch_flush(c, err) < 0)
				return -1;
			continue;
		}
		if (r == 0) {
			struct db_position recv;

			c->drv->cdc->stream_received(c->s, &recv);
			if (!in_tx && ((c->has_until && at_or_after(&recv, &c->until)) ||
				       (c->has_stop && at_or_after(&recv, &c->stop_at))))
				return 0;
			if (!in_tx && !c->has_stop && idle_confirm(c, &recv, err) < 0)
				return -1;
			continue;
		}
		if ((r = handle_event(c, &ev, &in_tx, &skip, err)) < 0)
			return -1;
		if (r > 0)	/* stopping between transactions: what is applied commits */
			return c->target ? batch_flush(c, err) : 0;
	}
}

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
				if (flags & XF_UUID_BINARY)
					t->cols[k].type.length = 16;
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
	for (int i = 0; i < c->model.ntables; i++) {
		struct table *t = &c->model.tables[i];
		const struct table *tt = NULL;

		for (int k = 0; k < tm.ntables && !tt; k++)
			if (!strcmp(tm.tables[k].name, t->name) &&
			    (by_name || !strcmp(tm.tables[k].schema, t->schema)))
				tt = &tm.tables[k];
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

/* The target's state for the dump (the only one, or --from's), the
 * source's tables as they are now, and the load's transforms. */
static int
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
	if (!c->tdrv->target->apply_change)
		return dberr_set(err, DBERR_UNSUPPORTED, "applying changes to %s is not built",
				 c->tdrv->name);
	if (c->tdrv->connect(&c->target, c->o->target, DBERR_TARGET, err) < 0 ||
	    c->tdrv->target->cdc_state_read(c->target, &states, &n, err) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (c->meta.dump_id[0] ? !strcmp(states[i].dump_id, c->meta.dump_id) : n == 1)
			pick = i;
	if (pick < 0) {
		dberr_set(err, DBERR_USAGE, "%s", n == 0 ? "the target holds no online dump's load: "
			  "load one (dbmig dump --online, then dbmig load) first"
			  : c->meta.dump_id[0] ? "the target holds no load of that dump"
			  : "the target holds loads of several online dumps: name one with --from DIR");
		goto out;
	}
	c->state = states[pick];
	snprintf(c->meta.slot, sizeof(c->meta.slot), "%s", c->state.slot);
	snprintf(c->meta.publication, sizeof(c->meta.publication), "%s", c->state.publication);
	c->from = c->state.position;
	memset(&f, 0, sizeof(f));
	f.unmapped_as_text = 1;
	schema_release(&c->model);
	if (c->drv->connect(&src, c->o->source, DBERR_SOURCE, err) < 0 ||
	    c->drv->source->schema_read(src, &f, &c->model, err) < 0 ||
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

static int
tail_drop(struct tail_ctx *c, struct dberr *err)
{
	struct db_conn *conn;
	int ret;

	if (c->drv->connect(&conn, c->o->source, DBERR_SOURCE, err) < 0)
		return -1;
	ret = c->drv->cdc->capture_drop(conn, c->meta.slot, c->meta.publication, err);
	c->drv->close(conn);
	if (ret == 0)
		log_info("dropped replication slot %s and publication %s", c->meta.slot,
			 c->meta.publication);
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
	if (o->from_dir && !c.meta.slot[0]) {
		dberr_set(err, DBERR_USAGE, "%s is no online dump (it records no replication "
			  "slot): take one with dbmig dump --online", o->from_dir);
		goto out;
	}
	if (!(c.drv = driver_for_uri(o->source, DBERR_SOURCE, err)))
		goto out;
	if (!c.drv->cdc || (o->from_dir && strcmp(c.drv->name, c.meta.engine))) {
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
	snprintf(res->slot, sizeof(res->slot), "%s", c.meta.slot);
	if (o->stop_at && position_parse(&c.stop_at, c.drv->position_kind, o->stop_at, NULL, 1, 0,
					 err) < 0) {
		err->cls = DBERR_USAGE;
		goto out;
	}
	c.has_stop = o->stop_at != NULL;
	c.jc.debezium = o->debezium;
	c.jc.engine = c.meta.engine;
	c.jc.database = c.meta.database;
	if ((!o->target && open_output(&c, err) < 0) ||
	    c.drv->cdc->stream_open(o->source, c.meta.slot, c.meta.publication, &c.from, &c.model,
				    &c.s, err) < 0)
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
	if (tail_loop(&c, err) < 0)
		goto out;
	if (c.mode == PROGRESS_JSON || c.mode == PROGRESS_TTY)
		show_progress(&c, 1);
	ret = 0;
out:
	if (c.target) {
		c.tdrv->target->apply_rollback(c.target);	/* a transaction in hand */
		c.tdrv->close(c.target);
	}
	if (c.s)
		c.drv->cdc->stream_close(c.s);
	cdc_batch_free(c.held);
	if (c.fd >= 0)
		close(c.fd);
	strbuf_release(&c.pos_file);
	strbuf_release(&c.buf);
	schema_release(&c.model);
	return ret;
}
