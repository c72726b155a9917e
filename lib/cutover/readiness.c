/*
 * readiness.c - whether a pair is ready for its cutover (cutover.h).
 * Each finding is one check: its result in a line and, when it blocks,
 * the next step. What blocks is what would lose or stall writes at the
 * switch: no running tail, lag over --max-lag, a slot that lost WAL,
 * a table whose changes do not move, no recent passing verify, a
 * privilege the fence or the switch needs. The rest (clients to move,
 * sequences to sync, what the stream does not carry) is said.
 */
#include "cutover.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/jsonw.h"
#include "lib/base/log.h"
#include "lib/cdc/cdc_ops.h"
#include "lib/cdc/tail.h"
#include "lib/cutover/cutover_ops.h"
#include "lib/cutover/proxy.h"
#include "lib/dump/source.h"
#include "lib/engine/ddl_plan.h"
#include "lib/cdc/apply_ops.h"
#include "lib/load/target.h"
#include "lib/base/banned.h"

static void
check_add(struct cutover_report *r, const char *name, enum check_status st, const char *fix,
	  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
check_add(struct cutover_report *r, const char *name, enum check_status st, const char *fix,
	  const char *fmt, ...)
{
	struct cutover_check *c;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	r->checks = xrealloc(r->checks, (size_t)(r->nchecks + 1) * sizeof(*r->checks));
	c = &r->checks[r->nchecks++];
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	c->name = xstrdup(name);
	c->status = st;
	c->result = strbuf_detach(&sb);
	c->fix = fix ? xstrdup(fix) : NULL;
	if (st == CHECK_BLOCK)
		r->blocked++;
}

void
cutover_report_release(struct cutover_report *r)
{
	for (int i = 0; i < r->nchecks; i++) {
		free(r->checks[i].name);
		free(r->checks[i].result);
		free(r->checks[i].fix);
	}
	free(r->checks);
	r->checks = NULL;
	r->nchecks = r->blocked = 0;
}

/* The pair's connections and what both sides' catalogs say. */
struct pair {
	const struct db_driver *sdrv, *tdrv;
	struct db_conn *s, *t;
	struct cdc_state st;
	struct schema_model sm, tm;
	int have_models;
};

static int
pair_open(const struct cutover_opts *o, struct pair *p, struct cutover_report *r,
	  struct dberr *err)
{
	struct cdc_state *states = NULL;
	int n = 0;

	if (!(p->sdrv = driver_for_uri(o->source, DBERR_SOURCE, err)) ||
	    !(p->tdrv = driver_for_uri(o->target, DBERR_TARGET, err)))
		return -1;
	snprintf(r->source_engine, sizeof(r->source_engine), "%s", p->sdrv->name);
	snprintf(r->target_engine, sizeof(r->target_engine), "%s", p->tdrv->name);
	if (!p->sdrv->cdc || !p->sdrv->cutover || !p->sdrv->cutover->fence)
		return dberr_set(err, DBERR_UNSUPPORTED, "a cutover from a %s source needs its change "
				 "capture, which dbmig does not have yet: migrate it offline (dump, "
				 "load, verify)", p->sdrv->name);
	if (!p->tdrv->apply || !p->tdrv->apply->cdc_state_read || !p->tdrv->cutover)
		return dberr_set(err, DBERR_UNSUPPORTED, "dbmig cannot apply changes into a %s "
				 "target", p->tdrv->name);
	if (p->sdrv->connect(&p->s, o->source, DBERR_SOURCE, err) < 0 ||
	    p->tdrv->connect(&p->t, o->target, DBERR_TARGET, err) < 0 ||
	    p->tdrv->apply->cdc_state_read(p->t, &states, &n, err) < 0)
		return -1;
	snprintf(r->source_desc, sizeof(r->source_desc), "%s", p->sdrv->describe(p->s));
	snprintf(r->target_desc, sizeof(r->target_desc), "%s", p->tdrv->describe(p->t));
	if (n > 0)
		p->st = states[0];	/* the most recent online load */
	free(states);
	return n > 0;
}

static void
pair_close(struct pair *p)
{
	if (p->have_models) {
		schema_release(&p->sm);
		schema_release(&p->tm);
	}
	if (p->tdrv)
		p->tdrv->close(p->t);
	if (p->sdrv)
		p->sdrv->close(p->s);
}

/* The lag, measured end to end: a probe (the cutover's own marker, with
 * no hold) is written on the source and timed until the target's state
 * holds it, as the cutover will wait for its marker after the fence;
 * -1 in r->lag_seconds when it did not arrive within --max-lag. */
static int
lag_probe(const struct cutover_opts *o, struct pair *p, struct cutover_report *r,
	  struct dberr *err)
{
	struct db_position marker, after;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	double t0 = now_seconds();
	char text[64];

	snprintf(text, sizeof(text), "probe:%s", p->st.dump_id);
	if (p->sdrv->cutover->marker(p->s, text, &marker, &after, err) < 0)
		return -1;
	r->lag_seconds = -1;
	while (now_seconds() - t0 <= o->max_lag && !dbmig_interrupted) {
		struct cdc_state *states = NULL;
		int n = 0, cmp = -1;

		if (p->tdrv->apply->cdc_state_read(p->t, &states, &n, err) < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (!strcmp(states[i].dump_id, p->st.dump_id) &&
			    position_compare(&states[i].position, &marker, &cmp, err) < 0) {
				free(states);
				return -1;
			}
		free(states);
		if (cmp > 0) {
			r->lag_seconds = now_seconds() - t0;
			return 0;
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}

static int
check_stream(const struct cutover_opts *o, struct pair *p, struct cutover_report *r,
	     struct dberr *err)
{
	struct cdc_slot_status ss;
	char fix[512];
	int running;

	snprintf(r->dump_id, sizeof(r->dump_id), "%s", p->st.dump_id);
	snprintf(r->slot, sizeof(r->slot), "%s", p->st.slot);
	snprintf(r->publication, sizeof(r->publication), "%s", p->st.publication);
	r->applied = p->st.position;
	if ((running = tail_running_on(p->tdrv, o->target, p->st.dump_id,
				       "dbmig cutover-plan (is a tail running?)", err)) < 0)
		return -1;
	r->tail_running = running;
	snprintf(fix, sizeof(fix), "start it and leave it running: dbmig cdc-tail SOURCE TARGET "
		 "(the target holds dump %s's state at %s)", p->st.dump_id, p->st.position.text);
	if (running)
		check_add(r, "stream", CHECK_OK, NULL, "a cdc-tail applies dump %s to the target; "
			  "the target holds the source's changes up to %s", p->st.dump_id,
			  p->st.position.text);
	else
		check_add(r, "stream", CHECK_BLOCK, fix, "no cdc-tail is applying dump %s to the "
			  "target (its state stands at %s)", p->st.dump_id, p->st.position.text);

	if (p->sdrv->cdc->capture_status(p->s, p->st.slot, &ss, err) < 0)
		return -1;
	if (!ss.exists) {
		check_add(r, "slot", CHECK_BLOCK, "the changes since the target's position are "
			  "gone: start over with dump --online, load and cdc-tail",
			  "replication slot %s is not on the source", p->st.slot);
		return 0;
	}
	r->source_now = ss.current;
	{
		const struct db_position *app = &p->st.position;

		/* what the tail confirmed idle counts as applied: nothing
		 * in between was for the target */
		if (ss.confirmed.text[0] && position_at_or_after(&ss.confirmed, app))
			app = &ss.confirmed;
		r->lag_bytes = position_bytes_between(app, &ss.current);
		if (r->lag_bytes < 0)
			r->lag_bytes = 0;	/* binlog files apart: the lag probe says */
	}
	if (p->st.position.kind == POSITION_BINLOG)
		check_add(r, "slot", CHECK_OK, NULL, "the source keeps a binary log; the tail reads "
			  "it from %s", p->st.position.text);
	else if (!strcmp(ss.wal_status, "lost"))
		check_add(r, "slot", CHECK_BLOCK, "the source removed WAL the tail had not read: the "
			  "target can never catch up; start over with dump --online, load and "
			  "cdc-tail (and raise max_slot_wal_keep_size)", "replication slot %s: "
			  "wal_status lost", p->st.slot);
	else
		check_add(r, "slot", !strcmp(ss.wal_status, "unreserved") ? CHECK_INFO : CHECK_OK, NULL,
			  "replication slot %s: wal_status %s%s", p->st.slot,
			  ss.wal_status[0] ? ss.wal_status : "(not reported before PostgreSQL 13)",
			  !strcmp(ss.wal_status, "unreserved") ? " (WAL is about to be removed: "
			  "the tail must keep up)" : "");

	{
		struct cutover_step last;
		const char *bare;

		if (p->tdrv->cutover->step_last(p->t, p->st.dump_id, &last, err) < 0)
			return -1;
		bare = last.step + (strncmp(last.step, "back-", 5) ? 0 : 5);

		if (last.found && strcmp(bare, "done") && strcmp(bare, "rolled-back")) {
			/* the tail may be held, the source fenced: no probe */
			check_add(r, "cutover", CHECK_BLOCK, "run the same cutover-plan --execute "
				  "again: it finishes a switch that had begun, or undoes one that "
				  "had not, first", "a cutover of this pair stopped at step %s (%s)",
				  last.step, last.status);
			return 0;
		}
	}
	if (running && lag_probe(o, p, r, err) < 0) {
		/* a role that may not write the probe: the privileges
		 * check says what it lacks */
		check_add(r, "lag", CHECK_BLOCK, "give the role what the privileges check names",
			  "cannot write the probe that measures the lag: %s", err->msg);
		*err = (struct dberr)DBERR_INIT;
		return 0;
	}
	if (!running)
		check_add(r, "lag", CHECK_BLOCK, fix, "%" PRId64 " bytes of the source's WAL not "
			  "yet applied, and nothing applies them", r->lag_bytes);
	else if (r->lag_seconds < 0) {
		char lagfix[256];

		snprintf(lagfix, sizeof(lagfix), "wait until the tail catches up (lower the write "
			 "load), or allow more with --max-lag %.0f", o->max_lag * 4);
		check_add(r, "lag", CHECK_BLOCK, lagfix, "a probe written on the source was not "
			  "applied on the target within --max-lag %.1f s (%" PRId64 " bytes behind)",
			  o->max_lag, r->lag_bytes);
	} else if (r->lag_seconds > o->max_lag) {
		char lagfix[256];

		snprintf(lagfix, sizeof(lagfix), "wait until the tail catches up (lower the write "
			 "load), or allow more with --max-lag %.0f", r->lag_seconds + 1);
		check_add(r, "lag", CHECK_BLOCK, lagfix, "a probe written on the source took %.1f s "
			  "to reach the target, over --max-lag %.1f s (%" PRId64 " bytes behind)",
			  r->lag_seconds, o->max_lag, r->lag_bytes);
	} else
		check_add(r, "lag", CHECK_OK, NULL, "a probe written on the source was applied on "
			  "the target %.3f s later (--max-lag %.1f s); %" PRId64 " bytes behind",
			  r->lag_seconds, o->max_lag, r->lag_bytes);
	return 0;
}

static int
check_tables(struct pair *p, struct cutover_report *r, struct dberr *err)
{
	struct strlist problems = STRLIST_INIT;

	if (p->sdrv->cutover->coverage(p->s, p->st.publication, &problems, err) < 0)
		return -1;
	for (size_t i = 0; i < problems.n; i++)
		check_add(r, "tables", CHECK_BLOCK, strchr(problems.v[i], ':') + 2, "%.*s",
			  (int)(strchr(problems.v[i], ':') - problems.v[i]), problems.v[i]);
	if (!problems.n && p->st.position.kind == POSITION_BINLOG)
		check_add(r, "tables", CHECK_OK, NULL, "every table's changes are in the source's "
			  "binlog, whole rows");
	else if (!problems.n)
		check_add(r, "tables", CHECK_OK, NULL, "every table of the source is in publication "
			  "%s, with a key or a replica identity", p->st.publication);
	strlist_release(&problems);
	return 0;
}

static int
check_verify(const struct cutover_opts *o, struct pair *p, struct cutover_report *r,
	     struct dberr *err)
{
	struct cutover_verify v;
	static const char fix[] = "verify the live pair: dbmig verify SOURCE TARGET (it compares "
				  "at one position while the tail holds)";

	if (p->tdrv->cutover->verify_last(p->t, p->st.dump_id, &v, err) < 0)
		return -1;
	if (!v.found)
		check_add(r, "verify", CHECK_BLOCK, fix, "no live verify of this pair is recorded on "
			  "the target");
	else if (strcmp(v.result, "equal"))
		check_add(r, "verify", CHECK_BLOCK, "find why they differ (the report names the rows), "
			  "mend, then verify again", "the last verify found the pair %s at %s "
			  "(%" PRIu64 " difference%s), %.0f s ago", v.result, v.at, v.differences,
			  v.differences == 1 ? "" : "s", v.age);
	else if (v.age > o->verify_age) {
		char f[300];

		snprintf(f, sizeof(f), "%s; or accept an older one with --verify-age %.0f", fix,
			 v.age + 3600);
		check_add(r, "verify", CHECK_BLOCK, f, "the last verify (equal at %s) is %.1f h old, "
			  "over --verify-age %.1f h", v.at, v.age / 3600, o->verify_age / 3600);
	} else
		check_add(r, "verify", CHECK_OK, NULL, "equal at %s, %.0f s ago (--verify-age %.1f h)",
			  v.at, v.age, o->verify_age / 3600);
	return 0;
}

/* The value a sequence has handed out last (none yet: one before its
 * start). */
static int64_t
seq_used(const struct sequence *q)
{
	return q->is_called ? q->last_value : q->last_value - q->increment;
}

static int
check_schema(struct pair *p, struct cutover_report *r, struct dberr *err)
{
	struct schema_filter f;
	struct ddl_plan plan;
	int views = 0, routines = 0, triggers = 0, other = 0;
	struct strbuf kinds = STRBUF_INIT;
	int by_name = (p->tdrv->caps & DB_CAP_DATABASE_IS_SCHEMA) != 0;

	memset(&f, 0, sizeof(f));
	f.unmapped_as_text = 1;
	if (p->sdrv->source->schema_read(p->s, &f, &p->sm, err) < 0 ||
	    p->tdrv->source->schema_read(p->t, &f, &p->tm, err) < 0)
		return -1;
	p->have_models = 1;
	for (int i = 0; i < p->sm.nseqs; i++) {
		const struct sequence *a = &p->sm.seqs[i], *b = NULL;

		for (int k = 0; k < p->tm.nseqs && !b; k++)
			if (!strcmp(p->tm.seqs[k].name, a->name) &&
			    (by_name || !strcmp(p->tm.seqs[k].schema, a->schema)))
				b = &p->tm.seqs[k];
		if (b && (a->increment >= 0 ? seq_used(b) < seq_used(a) : seq_used(b) > seq_used(a)))
			r->sequences_behind++;
	}
	for (int i = 0; i < p->sm.ntables; i++) {
		const struct table *a = &p->sm.tables[i];
		int found = 0;

		if (a->partition_of || p->sdrv->is_internal(a->schema, a->name))
			continue;	/* its rows go with its root's; dbmig's own */
		for (int k = 0; k < p->tm.ntables && !found; k++)
			found = !strcmp(p->tm.tables[k].name, a->name) &&
				(by_name || !strcmp(p->tm.tables[k].schema, a->schema));
		if (!found) {
			char fix[512];

			snprintf(fix, sizeof(fix), "its changes would stop the tail: make it on the "
				 "target and copy its rows (dbmig dump -t %s.%s, then load), or drop it "
				 "on the source", a->schema, a->name);
			check_add(r, "tables", CHECK_BLOCK, fix, "table %s.%s is on the source but not "
				  "on the target (made after the dump?)", a->schema, a->name);
		}
	}
	if (p->sm.source_engine && !strcmp(p->sm.source_engine, "mysql"))
		check_add(r, "sequences", CHECK_INFO, NULL, "the stream carries rows, not "
			  "AUTO_INCREMENT counters: the cutover sets the target's from the source's "
			  "after the fence");
	else
		check_add(r, "sequences", CHECK_INFO, NULL, "%d of the source's %d sequence%s and "
			  "identity counters are behind on the target (the stream carries rows, not "
			  "counters): the cutover sets them past the source's after the fence",
			  r->sequences_behind, p->sm.nseqs, p->sm.nseqs == 1 ? "" : "s");
	for (int i = 0; i < p->sm.nobjects; i++) {
		const char *k = p->sm.objects[i].kind;

		if (strstr(k, "view"))
			views++;
		else if (!strcmp(k, "function") || !strcmp(k, "procedure"))
			routines++;
		else if (!strcmp(k, "trigger"))
			triggers++;
		else if (!strncmp(k, "owner", 5) || !strcmp(k, "role") || !strcmp(k, "grant") ||
			 !strcmp(k, "comment"))
			continue;	/* roles are said below; the rest go with objects */
		else {
			other++;
			if (!strstr(kinds.buf ? kinds.buf : "", k))
				strbuf_addf(&kinds, "%s%s", kinds.len ? ", " : " (", k);
		}
	}
	if (kinds.len)
		strbuf_addch(&kinds, ')');
	memset(&plan, 0, sizeof(plan));
	if (p->tdrv->target->ddl_plan(&p->sm, &plan, err) < 0) {
		/* what the load refused needs its options; said, not checked */
		log_debug("the target's DDL plan: %s", err->msg);
		*err = (struct dberr)DBERR_INIT;
	}
	check_add(r, "not-moved", CHECK_INFO, NULL, "the stream moves rows only: %d view%s, %d "
		  "routine%s, %d trigger%s and %d other object%s%s were carried by the load, best "
		  "effort, and changes to them since are not; roles and their passwords are not "
		  "moved (load --roles makes missing roles, without passwords); %zu lossy or "
		  "approximate type mapping%s on this target%s%s", views, views == 1 ? "" : "s",
		  routines, routines == 1 ? "" : "s", triggers, triggers == 1 ? "" : "s", other,
		  other == 1 ? "" : "s", strbuf_cstr(&kinds), plan.notes.n, plan.notes.n == 1 ? "" : "s",
		  plan.notes.n ? ", the first: " : "", plan.notes.n ? plan.notes.v[0] : "");
	ddl_plan_release(&plan);
	strbuf_release(&kinds);
	return 0;
}

/* The proxy's file: its entry, and that it can be replaced. */
static void
check_proxy_config(const struct cutover_opts *o, struct cutover_report *r)
{
	struct strbuf value = STRBUF_INIT, dir = STRBUF_INIT;
	struct dberr perr = DBERR_INIT;
	const char *slash = strrchr(o->proxy_config, '/');
	const char *entry = o->proxy ? strrchr(o->proxy, '/') + 1 : NULL;
	int found;

	strbuf_add(&dir, o->proxy_config, slash ? (size_t)(slash - o->proxy_config) + 1 : 0);
	if (!dir.len)
		strbuf_addstr(&dir, ".");
	if ((found = proxy_ini_get(o->proxy_config, entry ? entry : "", &value, &perr)) < 0)
		check_add(r, "privileges", CHECK_BLOCK, "give --proxy-config the file PgBouncer was "
			  "started with", "%s", perr.msg);
	else if (!found)
		check_add(r, "privileges", CHECK_BLOCK, "add the entry the clients use to its "
			  "[databases] section", "%s has no entry %s in [databases]", o->proxy_config,
			  entry ? entry : "");
	else if (access(o->proxy_config, W_OK) < 0 || access(dir.buf, W_OK) < 0)
		check_add(r, "privileges", CHECK_BLOCK, "run cutover-plan as a user who may write "
			  "the file and its directory (the switch replaces it in one rename)",
			  "%s cannot be replaced by this user", o->proxy_config);
	strbuf_release(&value);
	strbuf_release(&dir);
}

static int
check_privileges(const struct cutover_opts *o, struct pair *p, struct cutover_report *r,
		 struct dberr *err)
{
	struct strlist missing = STRLIST_INIT;
	int before = r->blocked;

	if (p->sdrv->cutover->source_privileges(p->s, &missing, err) < 0 ||
	    (p->tdrv->cutover->target_privileges &&
	     p->tdrv->cutover->target_privileges(p->t, &missing, err) < 0)) {
		strlist_release(&missing);
		return -1;
	}
	for (size_t i = 0; i < missing.n; i++)
		check_add(r, "privileges", CHECK_BLOCK, strchr(missing.v[i], ':') + 2, "%.*s",
			  (int)(strchr(missing.v[i], ':') - missing.v[i]), missing.v[i]);
	strlist_release(&missing);
	if (o->proxy) {
		struct proxy_conn *px = NULL;
		struct strbuf where = STRBUF_INIT;
		struct dberr perr = DBERR_INIT;
		int found;

		if (proxy_open(&px, o->proxy, &perr) < 0)
			check_add(r, "privileges", CHECK_BLOCK, "give --proxy a user in PgBouncer's "
				  "admin_users, and its listening address", "%s", perr.msg);
		else if ((found = proxy_entry(px, &where, &perr)) <= 0)
			check_add(r, "privileges", CHECK_BLOCK, "name in --proxy the entry the "
				  "clients connect to (SHOW DATABASES lists them)", "%s",
				  found < 0 ? perr.msg : "the proxy has no such database entry");
		else
			snprintf(r->proxy_entry, sizeof(r->proxy_entry), "%s", where.buf);
		strbuf_release(&where);
		proxy_close(px);
	}
	if (o->proxy_config)
		check_proxy_config(o, r);
	if (r->blocked == before)
		check_add(r, "privileges", CHECK_OK, NULL, "the fence, the marker, the sequence sync%s "
			  "have what they need", o->proxy ? " and the proxy's switch" : "");
	return 0;
}

static void
client_line(void *arg, const struct cutover_clients *g)
{
	struct cutover_report *r = arg;

	check_add(r, "clients", CHECK_INFO, NULL, "%d session%s of user %s, application %s, from "
		  "%s%s", g->sessions, g->sessions == 1 ? "" : "s", g->user[0] ? g->user : "?",
		  g->application[0] ? g->application : "(none)", g->address,
		  g->in_write_tx ? " (inside a writing transaction now)" : "");
}

/* The write pause: what the tail is behind, and the fence, the marker's
 * trip and the switch (measured here at about 0.3 s together), and the
 * sequence sync (a statement each). */
static void
estimate_pause(struct cutover_report *r)
{
	double lag = r->lag_seconds > 0 ? r->lag_seconds : 0;

	r->pause_estimate = lag + 0.3 + 0.002 * r->sequences_behind;
	check_add(r, "pause", CHECK_INFO, NULL, "the clients' writes will wait about %.1f s: "
		  "%.1f s of lag to apply after the fence, about 0.3 s for the fence, the marker "
		  "and the switch, and the sequence sync", r->pause_estimate, lag);
}

int
cutover_check(const struct cutover_opts *o, struct cutover_report *r, struct dberr *err)
{
	struct pair p;
	int n, ret = -1;

	memset(&p, 0, sizeof(p));
	r->lag_seconds = -1;
	if ((n = pair_open(o, &p, r, err)) < 0)
		goto out;
	if (n == 0) {
		check_add(r, "stream", CHECK_BLOCK, "start an online migration first: dbmig dump "
			  "--online SOURCE DIR; dbmig load DIR TARGET; dbmig cdc-tail SOURCE TARGET",
			  "the target holds no online load's state: no change stream feeds it");
		ret = 0;
		goto out;
	}
	if (check_stream(o, &p, r, err) < 0 || check_tables(&p, r, err) < 0 ||
	    check_verify(o, &p, r, err) < 0 || check_schema(&p, r, err) < 0 ||
	    check_privileges(o, &p, r, err) < 0 ||
	    p.sdrv->cutover->clients(p.s, client_line, r, err) < 0)
		goto out;
	estimate_pause(r);
	ret = 0;
out:
	pair_close(&p);
	return ret;
}

static const char *const status_word[] = { "ok", "info", "BLOCKS" };

void
cutover_report_text(const struct cutover_report *r, struct strbuf *out)
{
	for (int i = 0; i < r->nchecks; i++) {
		const struct cutover_check *c = &r->checks[i];

		strbuf_addf(out, "%-6s %-10s %s\n", status_word[c->status], c->name, c->result);
		if (c->fix)
			strbuf_addf(out, "       %-10s fix: %s\n", "", c->fix);
	}
	if (r->blocked)
		strbuf_addf(out, "not ready: %d check%s block%s the cutover\n", r->blocked,
			    r->blocked == 1 ? "" : "s", r->blocked == 1 ? "s" : "");
	else
		strbuf_addstr(out, "ready for the cutover\n");
}

void
cutover_report_json(const struct cutover_opts *o, const struct cutover_report *r,
		    struct strbuf *out)
{
	struct strlist lines = STRLIST_INIT;
	int first = 1;

	strbuf_addch(out, '{');
	jsonw_key(out, &first, "ready");
	strbuf_addstr(out, r->blocked ? "false" : "true");
	jsonw_key(out, &first, "dump_id");
	jsonw_cstr(out, r->dump_id);
	jsonw_key(out, &first, "slot");
	jsonw_cstr(out, r->slot);
	jsonw_key(out, &first, "applied");
	jsonw_cstr(out, r->applied.text);
	jsonw_key(out, &first, "source_position");
	jsonw_cstr(out, r->source_now.text);
	jsonw_key(out, &first, "lag_bytes");
	strbuf_addf(out, "%" PRId64, r->lag_bytes);
	jsonw_key(out, &first, "lag_seconds");
	if (r->lag_seconds < 0)
		strbuf_addstr(out, "null");
	else
		strbuf_addf(out, "%.3f", r->lag_seconds);
	jsonw_key(out, &first, "pause_estimate_seconds");
	strbuf_addf(out, "%.1f", r->pause_estimate);
	jsonw_key(out, &first, "checks");
	strbuf_addch(out, '[');
	for (int i = 0; i < r->nchecks; i++) {
		const struct cutover_check *c = &r->checks[i];
		int f = 1;

		strbuf_addstr(out, i ? ",{" : "{");
		jsonw_key(out, &f, "check");
		jsonw_cstr(out, c->name);
		jsonw_key(out, &f, "status");
		jsonw_cstr(out, c->status == CHECK_BLOCK ? "blocks" : status_word[c->status]);
		jsonw_key(out, &f, "result");
		jsonw_cstr(out, c->result);
		if (c->fix) {
			jsonw_key(out, &f, "fix");
			jsonw_cstr(out, c->fix);
		}
		strbuf_addch(out, '}');
	}
	strbuf_addch(out, ']');
	cutover_runbook(o, r, &lines);
	jsonw_key(out, &first, "runbook");
	strbuf_addch(out, '[');
	for (size_t i = 0; i < lines.n; i++) {
		if (i)
			strbuf_addch(out, ',');
		jsonw_cstr(out, lines.v[i]);
	}
	strbuf_addstr(out, "]}\n");
	strlist_release(&lines);
}
