/*
 * execute.c - the fenced switch of a pair (cutover-plan --execute), and
 * the way back (--rollback). One procedure serves both directions: the
 * primary that is left ("from") is paused at the proxy and fenced, a
 * marker written on it after the fence is waited for on the primary to
 * be ("to") through the change stream between them, the counters are
 * set there, the proxy's entry is pointed there and the clients resume.
 *
 * Each step is recorded in the target's dbmig state before it acts
 * (with what undoing it needs: when the fence went up, the proxy's old
 * entry) and after. A failure before the switch undoes what was done:
 * the fence comes down, the proxy resumes, the tail goes on; a rerun
 * after kill -9 reads the record and either finishes a switch that had
 * begun or undoes one that had not, then starts again. So there is never
 * a moment with both primaries writable (the new one gets clients only
 * after the old one is fenced and drained), and never one with neither
 * writable that a rerun cannot end.
 */
#include "cutover.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/testknobs.h"
#include "lib/cdc/cdc_ops.h"
#include "lib/cdc/tail.h"
#include "lib/cutover/cutover_ops.h"
#include "lib/cutover/proxy.h"
#include "lib/dump/source.h"
#include "lib/load/load.h"
#include "lib/cdc/apply_ops.h"
#include "lib/load/target.h"
#include "lib/verify/verify.h"
#include "lib/verify/verify_ops.h"
#include "lib/base/banned.h"

/* One primary of the pair. */
struct side {
	const struct db_driver *drv;
	struct db_conn *c;
	const char *uri;
	const char *desc;
};

/* One direction's switch: from the primary that is left to the one that
 * takes over, through the change stream whose state is on "to". */
struct leg {
	struct side *from, *to;
	char dump_id[64];		/* the stream's, as "to" records it */
	char slot[64], publication[64];	/* on "from" */
	int back;			/* --rollback: to is the old source */
};

struct run {
	const struct cutover_opts *o;
	struct cutover_report *r;
	struct side src, tgt;
	struct proxy_conn *px;
	double paused_at, resumed_at;	/* monotonic */
	double fence_since;		/* Unix time the fence went up */
	int paused, fenced, held;
	int back;			/* --rollback: steps are "back-..." */
	char reverse_slot[64];		/* made on "to" by this run: undo drops it */
	int switch_begun;		/* the proxy's file or --switch-cmd touched */
	char old_entry[512];		/* the entry before the switch */
	struct db_position marker, held_at;
	struct db_position switched_at;	/* "from"'s log when the switch began */
	char step[40];			/* the step in hand, for messages */
};

static double
unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Prints a step's line with the time of day, and records it on the
 * target (the record is what a rerun trusts: a failure to write it
 * fails the step). */
static int
step_note(struct run *x, const char *step, const char *status, double seconds,
	  const char *detail, struct dberr *err, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int
step_note(struct run *x, const char *step, const char *status, double seconds,
	  const char *detail, struct dberr *err, const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT;
	struct timespec ts;
	struct tm tm;
	va_list ap;
	char named[40];
	int ret = 0;

	snprintf(named, sizeof(named), "%s%s", x->back ? "back-" : "", step);
	step = named;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	snprintf(x->step, sizeof(x->step), "%s", step);
	printf("%02d:%02d:%02d.%03ldZ  %-10s %-8s %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
	       ts.tv_nsec / 1000000, step, status, line.buf);
	fflush(stdout);
	if (!x->o->dry_run &&
	    x->tgt.drv->cutover->step_record(x->tgt.c, x->r->dump_id, step, status, seconds,
					     detail ? detail : line.buf, err) < 0)
		ret = -1;
	strbuf_release(&line);
	if (ret == 0 && !strcmp(status, "done") && testknob_cutover_kill(step))
		raise(SIGKILL);
	return ret;
}

/* Step begins (named in what a failure says), and the injected failure
 * of a test there. */
static int
injected(struct run *x, const char *step, struct dberr *err)
{
	snprintf(x->step, sizeof(x->step), "%s%s", x->back ? "back-" : "", step);
	if (!testknob_cutover_fail(step))
		return 0;
	return dberr_set(err, DBERR_TARGET, "failure injected at step %s "
			 "(DBMIG_TEST_CUTOVER_FAIL)", step);
}

static int
interrupted(struct dberr *err)
{
	return dbmig_interrupted ? dberr_set(err, DBERR_INTERRUPTED, "interrupted by a signal") : 0;
}

/* ---- the tail's hold, on the side the stream applies to ---- */

static int
hold_wait(struct run *x, struct leg *l, const char *request, double seconds, struct dberr *err)
{
	const struct db_apply_ops *ap = l->to->drv->apply;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	double t0 = now_seconds();
	struct cdc_hold h;

	if (ap->cdc_hold_request(l->to->c, l->dump_id, request, (int)seconds + 60, err) < 0)
		return -1;
	x->held = 1;
	for (;;) {
		if (ap->cdc_hold_read(l->to->c, l->dump_id, &h, err) < 0)
			return -1;
		if (h.requested && !strcmp(h.held_for, request))
			return position_parse(&x->held_at, l->from->drv->position_kind, h.held, NULL,
					      1, 0, err);
		if (interrupted(err) < 0)
			return -1;
		if (now_seconds() - t0 >= seconds)
			return dberr_set(err, DBERR_TARGET, "the cdc-tail applying %s did not apply "
					 "the marker within %.0f s (--max-lag x 4): it is stopped or "
					 "far behind", l->dump_id, seconds);
		nanosleep(&tick, NULL);
	}
}

static void
hold_release(struct run *x, struct leg *l)
{
	struct dberr ignored = DBERR_INIT;

	if (x->held)
		l->to->drv->apply->cdc_hold_request(l->to->c, l->dump_id, NULL, 0, &ignored);
	x->held = 0;
}

/* The tail of the stream ends (it has applied everything; the pair is
 * switched): up to 15 s for its apply lock to go. */
static int
tail_exit(struct run *x, struct leg *l, struct dberr *err)
{
	double t0 = now_seconds();
	int r;

	if (l->to->drv->apply->cdc_hold_request(l->to->c, l->dump_id, CDC_HOLD_EXIT, 600, err) < 0)
		return -1;
	x->held = 0;
	while ((r = tail_running_on(l->to->drv, l->to->uri, l->dump_id,
				    "dbmig cutover-plan (has the tail stopped?)", err)) == 1) {
		if (now_seconds() - t0 >= 15)
			return dberr_set(err, DBERR_TARGET, "the cdc-tail applying %s did not stop "
					 "within 15 s: stop it (it has nothing more to apply)",
					 l->dump_id);
		usleep(100000);
	}
	return r < 0 ? -1 : 0;
}

/* ---- the proxy ---- */

static int
switch_command(struct run *x, struct leg *l, int undoing, struct dberr *err)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0)
		return dberr_set(err, DBERR_IO, "cannot run --switch-cmd: %s", strerror(errno));
	if (pid == 0) {
		setenv("DBMIG_CUTOVER_ACTION", l->back != undoing ? "rollback" : "switch", 1);
		setenv("DBMIG_CUTOVER_SOURCE", x->r->source_desc, 1);
		setenv("DBMIG_CUTOVER_TARGET", x->r->target_desc, 1);
		setenv("DBMIG_CUTOVER_PRIMARY", undoing ? l->from->desc : l->to->desc, 1);
		setenv("DBMIG_CUTOVER_DUMP_ID", x->r->dump_id, 1);
		setenv("DBMIG_CUTOVER_POSITION", x->held_at.text, 1);
		execl("/bin/sh", "sh", "-c", x->o->switch_cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dberr_set(err, DBERR_IO, "waiting for --switch-cmd: %s",
					 strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return dberr_set(err, DBERR_TARGET, "--switch-cmd failed (%s %d): the clients may "
				 "be partly moved; it must be safe to run again",
				 WIFEXITED(status) ? "exit status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* ---- undoing ---- */

/* Puts the pair back as it was before the switch began: the fence
 * down, the clients resumed, the tail free. Best effort, each part
 * said; returns -1 when a part failed (the operator must finish it). */
static int
undo(struct run *x, struct leg *l, const char *why)
{
	struct dberr e = DBERR_INIT;
	int ret = 0, ended = 0;

	if (x->switch_begun) {
		/* the clients go back where they were before the fence lifts:
		 * never two primaries */
		if (x->px && x->o->proxy_config && x->old_entry[0] &&
		    (proxy_ini_set(x->o->proxy_config, proxy_dbname(x->px), x->old_entry, &e) < 0 ||
		     proxy_reload(x->px, &e) < 0)) {
			log_error("cannot point the proxy's entry back (%s): %s; the old primary stays "
				  "fenced and the clients paused; run the same command again: every "
				  "write is on the new primary, and it finishes the switch there",
				  x->o->proxy_config, e.msg);
			return -1;
		}
		if (x->o->switch_cmd && switch_command(x, l, 1, &e) < 0) {
			log_error("--switch-cmd could not undo its switch (%s): the old primary stays "
				  "fenced; run the same command again: every write is on the new "
				  "primary, and it finishes the switch there", e.msg);
			return -1;
		}
		x->switch_begun = 0;
	}
	hold_release(x, l);
	if (x->reverse_slot[0]) {
		/* no client wrote the new primary: the reverse stream goes */
		struct db_conn *rc = NULL;

		if (l->to->drv->connect(&rc, l->to->uri, DBERR_TARGET, &e) < 0 ||
		    l->to->drv->cdc->capture_drop(rc, x->reverse_slot, x->reverse_slot, &e) < 0)
			log_warn("cannot drop the reverse stream's slot %s: %s; drop it (dbmig "
				 "cdc-tail TARGET --slot %s --drop)", x->reverse_slot, e.msg,
				 x->reverse_slot);
		if (rc)
			l->to->drv->close(rc);
		e = (struct dberr)DBERR_INIT;
		x->reverse_slot[0] = '\0';
	}
	if (x->fenced) {
		if (l->from->drv->cutover->fence(l->from->c, 0, x->fence_since, &ended, &e) < 0) {
			log_error("cannot lift the fence of %s: %s; lift it by hand before anything "
				  "else", l->from->desc, e.msg);
			ret = -1;
		} else {
			x->fenced = 0;
			e = (struct dberr)DBERR_INIT;
			step_note(x, "fence", "undone", 0, NULL, &e, "%s is writable again (%d "
				  "session%s opened read-only under the fence ended)", l->from->desc,
				  ended, ended == 1 ? "" : "s");
		}
	}
	e = (struct dberr)DBERR_INIT;
	if (x->paused && x->px) {
		if (proxy_resume(x->px, &e) < 0) {
			log_error("cannot RESUME the proxy: %s; run RESUME in its admin console",
				  e.msg);
			ret = -1;
		} else {
			x->paused = 0;
		}
	}
	e = (struct dberr)DBERR_INIT;
	step_note(x, "rolled-back", ret ? "failed" : "done", 0, NULL, &e, "%s%s", why,
		  ret ? "" : l->back ? "; the new primary takes writes again" :
		  "; the source takes writes again, through the proxy as before");
	return ret;
}

/* ---- the procedure ---- */

static void
dry_line(const char *step, const char *what)
{
	printf("%-10s %s\n", step, what);
}

static int
dry_run(struct run *x, struct leg *l, const char *new_entry)
{
	struct strbuf sql = STRBUF_INIT;

	printf("dry run: nothing is changed; the steps of the %s, in order:\n",
	       l->back ? "rollback" : "cutover");
	if (x->px)
		printf("%-10s PgBouncer (%s): PAUSE \"%s\"\n", "pause", proxy_describe(x->px),
		       proxy_dbname(x->px));
	l->from->drv->cutover->fence_sql(l->from->c, 1, &sql);
	printf("%-10s on %s: %s; then every other client session of the database is ended "
	       "(pg_terminate_backend)\n", "fence", l->from->desc, sql.buf);
	dry_line("marker", "BEGIN READ WRITE; SELECT pg_logical_emit_message(true, "
		 "'dbmig.cutover', ...); COMMIT; then the tail holds once it has applied it");
	dry_line("sequences", "every sequence, identity and AUTO_INCREMENT set past the "
		 "primary's own (target_sequences_sync)");
	if (x->o->fenced_verify != FENCED_VERIFY_NONE)
		dry_line("verify", x->o->fenced_verify == FENCED_VERIFY_COUNTS ? "each table's rows "
			 "counted on both sides" : "a checksum verify of the fenced pair");
	if (x->o->reverse && !l->back)
		dry_line("reverse", "a replication slot and publication on the target, and the "
			 "reverse stream's state on the source, before any client writes there");
	if (x->px)
		printf("%-10s %s: entry %s = %s; RELOAD\n", "switch", x->o->proxy_config,
		       proxy_dbname(x->px), new_entry);
	else if (x->o->switch_cmd)
		printf("%-10s sh -c '%s'\n", "switch", x->o->switch_cmd);
	if (x->px)
		printf("%-10s RESUME \"%s\"\n", "resume", proxy_dbname(x->px));
	dry_line("tail", "the tail of the old direction stops; the old primary's slot is read "
		 "for any write that got past the fence");
	strbuf_release(&sql);
	printf("privileges: %s\n", x->r->blocked ? "see the checks above" : "every one checked");
	return 0;
}

static int
count_row(void *arg, int ncols, const char *const *vals, const size_t *lens, struct dberr *err)
{
	(void)lens;
	(void)err;
	if (ncols > 0 && vals[0])
		*(uint64_t *)arg = strtoull(vals[0], NULL, 10);
	return 0;
}

/* The rows of t on side s (of the engine's own quoting). */
static int
count_rows(const struct side *s, const struct table *t, uint64_t *n, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	strbuf_addstr(&q, "SELECT count(*) FROM ");
	s->drv->verify->dialect->table(&q, t);
	ret = s->drv->query_text(s->c, q.buf, count_row, n, err);
	strbuf_release(&q);
	return ret;
}

/* --fenced-verify=counts: each table's rows counted on both sides (the
 * pair stands still: the source fenced, the tail holding). */
static int
fenced_counts(struct run *x, struct leg *l, struct dberr *err)
{
	struct schema_model a, b;
	struct schema_filter f;
	int by_name = (l->to->drv->caps & DB_CAP_DATABASE_IS_SCHEMA) != 0, ret = -1, differ = 0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&f, 0, sizeof(f));
	f.unmapped_as_text = 1;
	if (l->from->drv->source->schema_read(l->from->c, &f, &a, err) < 0 ||
	    l->to->drv->source->schema_read(l->to->c, &f, &b, err) < 0)
		goto out;
	for (int i = 0; i < a.ntables; i++) {
		const struct table *ta = &a.tables[i], *tb = NULL;
		uint64_t na = 0, nb = 0;

		if (ta->partition_of)
			continue;
		for (int k = 0; k < b.ntables && !tb; k++)
			if (!strcmp(b.tables[k].name, ta->name) &&
			    (by_name || !strcmp(b.tables[k].schema, ta->schema)))
				tb = &b.tables[k];
		if (!tb) {
			log_error("table %s.%s is not on the new primary", ta->schema, ta->name);
			differ++;
			continue;
		}
		if (count_rows(l->from, ta, &na, err) < 0 || count_rows(l->to, tb, &nb, err) < 0)
			goto out;
		if (na != nb) {
			log_error("table %s.%s: %" PRIu64 " rows on the old primary, %" PRIu64
				  " on the new", ta->schema, ta->name, na, nb);
			differ++;
		}
	}
	ret = differ ? dberr_set(err, DBERR_TARGET, "the fenced pair's row counts differ in %d "
				 "table%s", differ, differ == 1 ? "" : "s") : 0;
out:
	(void)x;
	schema_release(&a);
	schema_release(&b);
	return ret;
}

static int
fenced_verify(struct run *x, struct leg *l, struct dberr *err)
{
	struct verify_opts vo;
	struct verify_result res;
	double t0 = now_seconds();
	int ret;

	if (x->o->fenced_verify == FENCED_VERIFY_COUNTS) {
		if (fenced_counts(x, l, err) < 0)
			return -1;
		return step_note(x, "verify", "done", now_seconds() - t0, NULL, err, "every table "
				 "has as many rows on both sides (counts, %.3f s)", now_seconds() - t0);
	}
	memset(&vo, 0, sizeof(vo));
	memset(&res, 0, sizeof(res));
	vo.side[0] = l->from->uri;
	vo.side[1] = l->to->uri;
	vo.mode = VERIFY_CHECKSUM;
	vo.jobs = 2;
	vo.chunk_rows = 100000;
	vo.max_diffs = 10;
	vo.max_hold = 60;
	/* the tail has applied everything and the source is fenced: the
	 * pair stands still; the verify's own hold replaces the marker's */
	hold_release(x, l);
	if ((ret = verify_run(&vo, &res, err)) == 0 && res.differences)
		ret = dberr_set(err, DBERR_TARGET, "the fenced pair differs: %" PRIu64 " "
				"difference%s (dbmig verify names them)", res.differences,
				res.differences == 1 ? "" : "s");
	verify_result_release(&res);
	if (ret < 0)
		return -1;
	return step_note(x, "verify", "done", now_seconds() - t0, NULL, err, "the fenced pair is "
			 "equal (checksum, %.1f s)", now_seconds() - t0);
}

/* --reverse: a change stream from the new primary back to the old one,
 * made while nothing but the tail has written the new one (it is
 * paused), so its start is where the two are equal. */
static int
make_reverse(struct run *x, struct leg *l, struct dberr *err)
{
	const struct db_driver *d = l->to->drv;
	struct db_conn *rc = NULL;
	struct db_snapshot snap;
	struct schema_filter f;
	struct cdc_state st;
	char detail[512];
	double t0 = now_seconds();
	int ret = -1;

	memset(&snap, 0, sizeof(snap));
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	/* the tables by name (dbmig's own, such as this log, stay out) */
	strlist_push(&f.exclude, "_dbmig.*");
	snprintf(st.dump_id, sizeof(st.dump_id), "r%.31s", x->r->dump_id);
	snprintf(st.slot, sizeof(st.slot), "dbmig_%s", st.dump_id);
	snprintf(st.publication, sizeof(st.publication), "dbmig_%s", st.dump_id);
	if (d->connect(&rc, l->to->uri, DBERR_TARGET, err) < 0 ||
	    d->cdc->capture_drop(rc, st.slot, st.publication, err) < 0 ||
	    d->cdc->capture_begin(rc, l->to->uri, &f, st.slot, CAPTURE_REPLICA_IDENTITY_FULL, 0, &snap,
				  err) < 0 ||
	    d->source->snapshot_release(rc, err) < 0)
		goto out;
	st.position = snap.pos;
	cdc_state_seal(&st);
	/* made where absent (MySQL makes its state table only so, outside
	 * any transaction), then set: a rerun's new slot starts elsewhere */
	if (l->from->drv->apply->cdc_state_save(l->from->c, &st, 1, err) < 0 ||
	    l->from->drv->apply->cdc_state_save(l->from->c, &st, 0, err) < 0)
		goto out;
	snprintf(detail, sizeof(detail), "dump=%s slot=%s publication=%s position=%s", st.dump_id,
		 st.slot, st.publication, st.position.text);
	snprintf(x->reverse_slot, sizeof(x->reverse_slot), "%s", st.slot);
	ret = step_note(x, "reverse", "done", now_seconds() - t0, detail, err, "slot and "
			"publication %s on the target from %s; start its tail, which applies the new "
			"primary's writes to the old one: dbmig cdc-tail TARGET SOURCE", st.slot,
			st.position.text);
out:
	strlist_release(&f.exclude);
	if (rc)
		d->close(rc);
	if (ret < 0)
		dberr_prefix(err, "making the reverse stream");
	return ret;
}

/* From "started" to "done" of the switch itself. */
static int
do_switch(struct run *x, struct leg *l, const char *new_entry, struct dberr *err)
{
	double t0 = now_seconds();
	struct strbuf old = STRBUF_INIT, detail = STRBUF_INIT;
	int ret = -1;

	if (!x->switched_at.text[0]) {	/* (a rerun has it from the record) */
		struct cdc_slot_status ss;

		/* the old primary's log ends here for its clients: nothing
		 * but the reverse stream's apply may write it after */
		if (l->from->drv->cdc->capture_status(l->from->c, l->slot, &ss, err) < 0)
			goto out;
		x->switched_at = ss.current;
	}
	strbuf_addf(&detail, "end=%s", x->switched_at.text);
	if (x->px && x->o->proxy_config) {
		if (proxy_ini_get(x->o->proxy_config, proxy_dbname(x->px), &old, err) < 0)
			goto out;
		strbuf_addf(&detail, " old=%s", old.buf);
	}
	if (step_note(x, "switch", "started", 0, detail.len ? detail.buf : "", err, "%s",
		      x->px ? (l->back ? "pointing the proxy's entry back at the old primary" :
			       "pointing the proxy's entry at the new primary") :
		      x->o->switch_cmd ? "running --switch-cmd" : "no --proxy nor --switch-cmd: "
		      "the clients are yours to move now") < 0 ||
	    injected(x, "switch", err) < 0)
		goto out;
	snprintf(x->old_entry, sizeof(x->old_entry), "%s", strbuf_cstr(&old));
	x->switch_begun = 1;
	if (x->px && x->o->proxy_config) {
		if (proxy_ini_set(x->o->proxy_config, proxy_dbname(x->px), new_entry, err) < 0 ||
		    proxy_reload(x->px, err) < 0)
			goto out;
	} else if (x->o->switch_cmd && switch_command(x, l, 0, err) < 0) {
		goto out;
	}
	ret = step_note(x, "switch", "done", now_seconds() - t0, detail.len ? detail.buf : NULL,
			err, "%s%s (%.3f s)",
			x->px ? "entry now " : x->o->switch_cmd ? "--switch-cmd succeeded" : "",
			x->px ? new_entry : "", now_seconds() - t0);
out:
	strbuf_release(&old);
	strbuf_release(&detail);
	return ret;
}

/* After the switch: resume, stop the old direction's tail, look for a
 * write that got past the fence. Nothing here is undone. */
static int
finish(struct run *x, struct leg *l, struct dberr *err)
{
	int64_t past = 0;
	char detail[512];

	if (l->back) {
		/* the old primary takes writes again, now that it has the new
		 * one's: its fence from the cutover comes down */
		int ended = 0;

		if (l->to->drv->cutover->fence(l->to->c, 0, x->fence_since, &ended, err) < 0 ||
		    step_note(x, "unfence", "done", 0, NULL, err, "%s is writable again (%d "
			      "session%s opened read-only under its fence ended)", l->to->desc,
			      ended, ended == 1 ? "" : "s") < 0)
			return -1;
	}
	if (x->px && x->paused) {
		if (proxy_resume(x->px, err) < 0)
			return -1;
		x->paused = 0;
	}
	x->resumed_at = now_seconds();
	if (step_note(x, "resume", "done", 0, NULL, err, "clients write to %s%s", l->to->desc,
		      x->paused_at ? "" : " (no proxy was paused)") < 0 ||
	    tail_exit(x, l, err) < 0)
		return -1;
	/* the tail's server process lets go of the slot a moment after the
	 * tail's lock went */
	for (int tries = 0;; tries++) {
		if (l->from->drv->cutover->writes_after(l->from->c, l->slot, l->publication,
							&x->held_at, &x->switched_at, &past,
							err) == 0)
			break;
		if (tries == 25)
			return -1;
		*err = (struct dberr)DBERR_INIT;
		usleep(200000);
	}
	snprintf(detail, sizeof(detail), "pause=%.3f held=%s end=%s writes_past_fence=%" PRId64,
		 x->paused_at ? x->resumed_at - x->paused_at : 0.0, x->held_at.text,
		 x->switched_at.text, past);
	if (past > 0) {
		step_note(x, "done", "failed", 0, detail, err, "SPLIT BRAIN: %" PRId64 " transaction%s "
			  "committed on %s after its fence and are not on the new primary", past,
			  past == 1 ? "" : "s", l->from->desc);
		if (l->from->drv->position_kind == POSITION_BINLOG)
			return dberr_set(err, DBERR_SOURCE, "%" PRId64 " transaction%s got past the "
					 "fence of %s (a session with SUPER or READ_ONLY ADMIN): they "
					 "are in its binlog after %s, not on the new primary; read them "
					 "with mariadb-binlog (mysqlbinlog) -v and apply them by hand",
					 past, past == 1 ? "" : "s", l->from->desc, x->held_at.text);
		return dberr_set(err, DBERR_SOURCE, "%" PRId64 " transaction%s got past the fence "
				 "of %s (a client that set default_transaction_read_only off, or a "
				 "superuser's): they are in slot %s, not on the new primary; read "
				 "them with pg_logical_slot_peek_changes and apply them by hand",
				 past, past == 1 ? "" : "s", l->from->desc, l->slot);
	}
	/* the old direction's slot would keep the old primary's WAL for
	 * ever: it goes, with its publication */
	if (l->from->drv->cdc->capture_drop(l->from->c, l->slot, l->publication, err) < 0)
		return dberr_prefix(err, "dropping the old direction's slot %s (drop it: dbmig "
				    "cdc-tail --slot %s --drop)", l->slot, l->slot), -1;
	return step_note(x, "done", "done", 0, detail, err, "%s; nothing committed on the %s "
			 "primary between its fence and the switch; %s%s%s; the write pause was "
			 "%.3f s", l->back ? "rolled back to the old primary" : "cut over",
			 l->back ? "new" : "old", l->from->drv->position_kind == POSITION_BINLOG ?
			 "the binlog tail leaves nothing on it" : "slot ",
			 l->from->drv->position_kind == POSITION_BINLOG ? "" : l->slot,
			 l->from->drv->position_kind == POSITION_BINLOG ? "" : " dropped",
			 x->paused_at ? x->resumed_at - x->paused_at : 0.0);
}

/* The whole procedure for one leg, from the pause to the switch. */
static int
procedure(struct run *x, struct leg *l, const char *new_entry, struct dberr *err)
{
	char detail[512];
	double t0, wait_max = x->o->max_lag * 4 < 2 ? 2 : x->o->max_lag * 4;
	int ended = 0, cmp, nseq;
	struct db_position marker_after;
	struct schema_model m;
	struct schema_filter f;

	/* 1. pause */
	if (x->px) {
		t0 = now_seconds();
		if (step_note(x, "pause", "started", 0, NULL, err, "PAUSE \"%s\"",
			      proxy_dbname(x->px)) < 0 || injected(x, "pause", err) < 0)
			return -1;
		x->paused = 1;	/* from here an undo resumes */
		if (proxy_pause(x->px, x->o->max_lag * 2 < 5 ? 5 : x->o->max_lag * 2, err) < 0)
			return -1;
		x->paused_at = now_seconds();
		if (step_note(x, "pause", "done", x->paused_at - t0, NULL, err, "clients of \"%s\" "
			      "wait (%.3f s for their transactions to end)", proxy_dbname(x->px),
			      x->paused_at - t0) < 0)
			return -1;
	}
	/* 2. fence */
	t0 = now_seconds();
	x->fence_since = unix_now();
	snprintf(detail, sizeof(detail), "since=%.6f", x->fence_since);
	if (step_note(x, "fence", "started", 0, detail, err, "fencing %s", l->from->desc) < 0 ||
	    injected(x, "fence", err) < 0)
		return -1;
	x->fenced = 1;
	if (!x->paused_at)
		x->paused_at = now_seconds();
	if (l->from->drv->cutover->fence(l->from->c, 1, 0, &ended, err) < 0)
		return -1;
	if (step_note(x, "fence", "done", now_seconds() - t0, detail, err, "no new transaction "
		      "of a client can write; %d session%s ended (%.3f s)", ended,
		      ended == 1 ? "" : "s", now_seconds() - t0) < 0)
		return -1;
	/* 3. marker; the counters are read meanwhile (final now: nextval()
	 * is refused in the fenced database's read-only transactions) */
	t0 = now_seconds();
	memset(&f, 0, sizeof(f));
	f.unmapped_as_text = 1;
	memset(&m, 0, sizeof(m));
	if (injected(x, "marker", err) < 0 ||
	    l->from->drv->cutover->marker(l->from->c, l->dump_id, &x->marker, &marker_after,
					  err) < 0 ||
	    l->from->drv->source->schema_read(l->from->c, &f, &m, err) < 0)
		goto fail;
	{
		char req[160];

		snprintf(req, sizeof(req), "cutover:%s", marker_after.text);
		if (hold_wait(x, l, req, wait_max, err) < 0)
			goto fail;
	}
	if (position_compare(&x->held_at, &x->marker, &cmp, err) < 0)
		goto fail;
	if (cmp <= 0) {
		dberr_set(err, DBERR_TARGET, "the tail holds at %s, before the marker at %s: the "
			  "marker did not come through the stream (a tail from before dbmig knew "
			  "cutovers?)", x->held_at.text, x->marker.text);
		goto fail;
	}
	snprintf(detail, sizeof(detail), "marker=%s held=%s", x->marker.text, x->held_at.text);
	if (step_note(x, "marker", "done", now_seconds() - t0, detail, err, "written at %s, "
		      "applied: the tail holds at %s with every earlier transaction (%.3f s)",
		      x->marker.text, x->held_at.text, now_seconds() - t0) < 0)
		goto fail;
	/* 4. sequences */
	t0 = now_seconds();
	if (injected(x, "sequences", err) < 0 ||
	    (nseq = target_sequences_sync(l->to->drv, l->to->c, &m, err)) < 0) {
		dberr_prefix(err, "syncing the sequences");
		goto fail;
	}
	if (step_note(x, "sequences", "done", now_seconds() - t0, NULL, err, "%d sequence%s and "
		      "counters set to the old primary's values (%.3f s)", nseq,
		      nseq == 1 ? "" : "s", now_seconds() - t0) < 0)
		goto fail;
	schema_release(&m);
	/* 5. the fenced pair, verified */
	if (x->o->fenced_verify != FENCED_VERIFY_NONE &&
	    (injected(x, "verify", err) < 0 || fenced_verify(x, l, err) < 0))
		return -1;
	/* 6. the way back, before any client writes the new primary */
	if (x->o->reverse && !l->back &&
	    (injected(x, "reverse", err) < 0 || make_reverse(x, l, err) < 0))
		return -1;
	if (interrupted(err) < 0)
		return -1;
	/* 7. switch */
	return do_switch(x, l, new_entry, err);
fail:
	schema_release(&m);
	return -1;
}

/* The value after "key=" in a recorded detail, up to a space (rest:
 * to its end). */
static int
detail_value(const char *detail, const char *key, int rest, char *out, size_t n)
{
	const char *p = strstr(detail, key);
	size_t len;

	if (!p)
		return 0;
	p += strlen(key);
	len = rest ? strlen(p) : strcspn(p, " ");
	snprintf(out, n, "%.*s", (int)len, p);
	return 1;
}

/* A previous run's record: 1 when it must be finished forward (its
 * switch began), 2 when it was undone here, 0 when it needs nothing,
 * -1. */
static int
recover(struct run *x, struct leg *l, struct dberr *err)
{
	static const char *const after_fence[] = { "fence", "marker", "sequences", "verify",
						   "reverse" };
	const struct db_cutover_ops *tc = x->tgt.drv->cutover;
	struct cutover_step last, rec;
	const char *bare;
	char name[48];
	int is_back, fenced = 0;

	if (tc->step_last(x->tgt.c, x->r->dump_id, &last, err) < 0)
		return -1;
	if (!last.found)
		return 0;
	is_back = !strncmp(last.step, "back-", 5);
	bare = is_back ? last.step + 5 : last.step;
	if (!strcmp(bare, "rolled-back") || !strcmp(bare, "done"))
		return 0;
	if (is_back != x->back)
		return dberr_set(err, DBERR_USAGE, "a %s of this pair stopped at step %s (%s): run "
				 "cutover-plan %s again first, which finishes or undoes it",
				 is_back ? "rollback" : "cutover", last.step, last.status,
				 is_back ? "--rollback" : "--execute");
	if (!strcmp(bare, "switch") || !strcmp(bare, "resume") || !strcmp(bare, "unfence"))
		return 1;
	log_warn("a %s of this pair stopped at step %s (%s) without finishing: undoing it first",
		 x->back ? "rollback" : "cutover", last.step, last.status);
	/* what this attempt did: the log's last step says how far it got */
	for (size_t i = 0; i < sizeof(after_fence) / sizeof(after_fence[0]); i++)
		fenced |= !strcmp(bare, after_fence[i]);
	snprintf(name, sizeof(name), "%sfence", x->back ? "back-" : "");
	if (fenced && tc->step_find(x->tgt.c, x->r->dump_id, name, &rec, err) < 0)
		return -1;
	if (fenced && rec.found && detail_value(rec.detail, "since=", 0, name, sizeof(name))) {
		x->fence_since = atof(name);
		x->fenced = 1;
	}
	if (!strcmp(bare, "reverse") && !x->back &&
	    (tc->step_find(x->tgt.c, x->r->dump_id, "reverse", &rec, err) < 0 ||
	     !detail_value(rec.detail, "slot=", 0, x->reverse_slot, sizeof(x->reverse_slot))))
		x->reverse_slot[0] = '\0';
	x->paused = x->px != NULL;
	x->held = 1;
	if (undo(x, l, x->back ? "an interrupted rollback was undone" :
		 "an interrupted cutover was undone") < 0)
		return -1;
	x->fenced = x->paused = x->held = 0;
	return 2;
}

/* A switch killed after it began: its positions from the record, then
 * the switch again (every part repeats safely) and the rest. */
static int
finish_killed(struct run *x, struct leg *l, const char *entry, struct dberr *err)
{
	const char *pre = x->back ? "back-" : "";
	struct cutover_step rec;
	char name[48], pos[128];

	log_warn("a %s of this pair was killed during its switch: finishing it",
		 x->back ? "rollback" : "cutover");
	x->paused = x->px != NULL;
	snprintf(name, sizeof(name), "%smarker", pre);
	if (x->tgt.drv->cutover->step_find(x->tgt.c, x->r->dump_id, name, &rec, err) < 0)
		return -1;
	if (detail_value(rec.detail, "held=", 0, pos, sizeof(pos)) &&
	    position_parse(&x->held_at, l->from->drv->position_kind, pos, NULL, 1, 0, err) < 0)
		return -1;
	snprintf(name, sizeof(name), "%sswitch", pre);
	if (x->tgt.drv->cutover->step_find(x->tgt.c, x->r->dump_id, name, &rec, err) < 0)
		return -1;
	if (detail_value(rec.detail, "end=", 0, pos, sizeof(pos)) &&
	    position_parse(&x->switched_at, l->from->drv->position_kind, pos, NULL, 1, 0, err) < 0)
		return -1;
	return do_switch(x, l, entry, err) < 0 || finish(x, l, err) < 0 ? -1 : 0;
}

/* --rollback: the leg back, from what the cutover recorded. */
static int
rollback(struct run *x, struct leg *l, double *pause, struct dberr *err)
{
	const struct db_cutover_ops *tc = x->tgt.drv->cutover;
	struct cutover_step last, rev, sw, fence;
	char entry[512] = "";

	if (tc->step_last(x->tgt.c, x->r->dump_id, &last, err) < 0 ||
	    tc->step_find(x->tgt.c, x->r->dump_id, "reverse", &rev, err) < 0 ||
	    tc->step_find(x->tgt.c, x->r->dump_id, "switch", &sw, err) < 0 ||
	    tc->step_find(x->tgt.c, x->r->dump_id, "fence", &fence, err) < 0)
		return -1;
	if (!last.found || (strncmp(last.step, "back-", 5) &&
			    (strcmp(last.step, "done") || strcmp(last.status, "done"))) ||
	    !strcmp(last.step, "back-done"))
		return dberr_set(err, DBERR_USAGE, "--rollback goes back after a finished cutover; "
				 "the pair's last step is %s%s%s", last.found ? last.step : "none",
				 last.found ? " " : "", last.found ? last.status : "");
	if (!rev.found || !detail_value(rev.detail, "dump=", 0, l->dump_id, sizeof(l->dump_id)) ||
	    !detail_value(rev.detail, "slot=", 0, l->slot, sizeof(l->slot)) ||
	    !detail_value(rev.detail, "publication=", 0, l->publication, sizeof(l->publication)))
		return dberr_set(err, DBERR_USAGE, "the cutover was made without --reverse: no "
				 "stream carries the new primary's writes back; the way back is "
				 "offline (dbmig copy TARGET SOURCE with writes stopped)");
	if (x->px && (!sw.found || !detail_value(sw.detail, "old=", 1, entry, sizeof(entry)) ||
		      !entry[0]))
		return dberr_set(err, DBERR_USAGE, "the cutover recorded no proxy entry to point "
				 "back to: it did not switch through --proxy");
	{
		char since[32] = "0";

		if (fence.found)
			detail_value(fence.detail, "since=", 0, since, sizeof(since));
		x->fence_since = atof(since);
	}
	l->from = &x->tgt;
	l->to = &x->src;
	l->back = 1;
	x->back = 1;
	if (x->o->dry_run)
		return dry_run(x, l, entry);
	{
		/* the fence of the cutover is the old primary's; this one's is
		 * the new primary's, lifted only by an undo */
		double cutover_fence = x->fence_since;
		int r = recover(x, l, err);

		if (r < 0)
			return -1;
		if (r == 1) {
			x->fence_since = cutover_fence;
			if (finish_killed(x, l, entry, err) < 0)
				return -1;
			*pause = 0;
			return 0;
		}
		x->fence_since = cutover_fence;

		if (procedure(x, l, entry, err) < 0) {
			struct strbuf why = STRBUF_INIT;

			log_error("step %s failed: %s", x->step, err->msg);
			strbuf_addf(&why, "step %s failed: %s", x->step, err->msg);
			undo(x, l, why.buf);
			strbuf_release(&why);
			return -1;
		}
		x->fence_since = cutover_fence;
	}
	if (finish(x, l, err) < 0)
		return -1;
	*pause = x->paused_at ? x->resumed_at - x->paused_at : 0;
	return 0;
}

int
cutover_execute(const struct cutover_opts *o, struct cutover_report *r, double *pause,
		struct dberr *err)
{
	struct run x;
	struct leg l;
	struct strbuf entry = STRBUF_INIT, old = STRBUF_INIT;
	struct cutover_step last;
	int ret = -1, forward;

	memset(&x, 0, sizeof(x));
	memset(&l, 0, sizeof(l));
	*pause = 0;
	x.o = o;
	x.r = r;
	x.src.uri = o->source;
	x.tgt.uri = o->target;
	x.src.desc = r->source_desc;
	x.tgt.desc = r->target_desc;
	if (!(x.src.drv = driver_for_uri(o->source, DBERR_SOURCE, err)) ||
	    !(x.tgt.drv = driver_for_uri(o->target, DBERR_TARGET, err)) ||
	    x.src.drv->connect(&x.src.c, o->source, DBERR_SOURCE, err) < 0 ||
	    x.tgt.drv->connect(&x.tgt.c, o->target, DBERR_TARGET, err) < 0)
		goto out;
	if (o->proxy && proxy_open(&x.px, o->proxy, err) < 0)
		goto out;
	l.from = &x.src;
	l.to = &x.tgt;
	snprintf(l.dump_id, sizeof(l.dump_id), "%s", r->dump_id);
	snprintf(l.slot, sizeof(l.slot), "%s", r->slot);
	snprintf(l.publication, sizeof(l.publication), "%s", r->publication);
	if (x.px && o->proxy_config) {
		if (proxy_ini_get(o->proxy_config, proxy_dbname(x.px), &old, err) < 0 ||
		    proxy_entry_for(o->target, old.buf, &entry, err) < 0)
			goto out;
	}
	if (o->rollback) {
		ret = rollback(&x, &l, pause, err);
		goto out;
	}
	if (o->reverse && !x.tgt.drv->cdc) {
		ret = 1;
		dberr_set(err, DBERR_USAGE, "--reverse: dbmig cannot capture changes from a %s "
			  "target yet, so no stream can carry its writes back; cut over without "
			  "--reverse (the way back is then offline)", x.tgt.drv->name);
		goto out;
	}
	if (o->dry_run) {
		ret = dry_run(&x, &l, entry.buf ? entry.buf : "");
		goto out;
	}
	if (x.tgt.drv->cutover->step_last(x.tgt.c, r->dump_id, &last, err) < 0)
		goto out;
	if (last.found && !strcmp(last.step, "done") && !strcmp(last.status, "done")) {
		printf("the pair was cut over already: %s\n", last.detail);
		ret = 0;
		goto out;
	}
	if ((forward = recover(&x, &l, err)) < 0)
		goto out;
	if (forward == 1) {
		ret = finish_killed(&x, &l, entry.buf ? entry.buf : "", err) < 0 ? -1 : 0;
		goto out;
	}
	if (forward == 2) {
		/* what was checked before the undo saw the pair held and
		 * fenced: checked again */
		struct strbuf text = STRBUF_INIT;

		cutover_report_release(r);
		if (cutover_check(o, r, err) < 0)
			goto out;
		cutover_report_text(r, &text);
		fputs(text.buf, stdout);
		strbuf_release(&text);
	}
	if (r->blocked) {
		ret = 1;
		dberr_set(err, DBERR_USAGE, "refused: %d readiness check%s block%s the cutover "
			  "(above)", r->blocked, r->blocked == 1 ? "" : "s",
			  r->blocked == 1 ? "s" : "");
		goto out;
	}
	if (procedure(&x, &l, entry.buf ? entry.buf : "", err) < 0) {
		struct strbuf why = STRBUF_INIT;

		log_error("step %s failed: %s", x.step, err->msg);
		strbuf_addf(&why, "step %s failed: %s", x.step, err->msg);
		undo(&x, &l, why.buf);
		strbuf_release(&why);
		goto out;
	}
	if (finish(&x, &l, err) < 0)
		goto out;
	*pause = x.paused_at ? x.resumed_at - x.paused_at : 0;
	ret = 0;
out:
	strbuf_release(&entry);
	strbuf_release(&old);
	proxy_close(x.px);
	if (x.tgt.c)
		x.tgt.drv->close(x.tgt.c);
	if (x.src.c)
		x.src.drv->close(x.src.c);
	return ret;
}
