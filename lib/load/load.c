/*
 * load.c - dbmig load: schema, data and post-data steps, exactly once.
 *
 * Every unit of work is a ledger item on the target (_dbmig.load_ledger,
 * keyed by the dump's id): "pre-data", one per chunk, one per index,
 * constraint and sequence. An item's work and its ledger row commit in
 * one transaction, so after a crash or a kill at any point a rerun skips
 * exactly the committed items and redoes the rest: no duplicates, no
 * gaps. Chunks are verified (row count, checksum) while they stream, and
 * a chunk's transaction only commits once its reader reached a verified
 * end, so a corrupt chunk never leaves rows behind.
 */
#include "load.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dumpfmt/dumpfmt.h"
#include "lib/base/log.h"
#include "lib/base/progress.h"
#include "lib/base/testknobs.h"
#include "lib/base/workpool.h"
#include "lib/base/banned.h"

struct chunk_job {
	struct table *t;
	struct chunk *c;
	int level;		/* foreign-key depth of t: parents load first */
	int ti;			/* t's index, for progress */
};

struct load_ctx {
	const struct load_opts *opts;
	const struct db_driver *drv;
	const struct dump_meta *meta;
	struct chunk_job *jobs;
	size_t job_base;		/* first job of the level being run */
	struct ddl_step **steps;	/* of the phase being run */
	int steps_started, steps_total;	/* for the progress line */
	int early_started;
	pthread_mutex_t lock;
	uint64_t rows;
	struct progress *prog;
	/* Keys and indexes that run in the chunk pool, each as soon as its
	 * table's last chunk is committed (see run_chunks_and_keys). */
	size_t nchunk_jobs;		/* of the level being run */
	struct ddl_step **early;
	int *early_table;		/* per early step: its table's index */
	size_t nearly;
	int *chunks_left;		/* per table: chunks not yet committed */
	pthread_cond_t chunk_done;
	int failed;
	/* A direct copy's rows (struct load_feed) go through these. */
	struct db_conn **conns;
	struct schema_model *model;
	uint64_t chunks_fed;
	int early_run;
	/* load_model's steps share these. */
	int nconns;
	int do_schema, do_data;
	struct strlist done;		/* the ledger's items, sorted */
	struct ddl_plan plan;
	struct load_result *res;
	/* Per table of the model: where a target without partition tables
	 * (DB_CAP_PARTITION_TABLES) loads a partition's rows, its root's
	 * table, as a copy of the partition's description under the root's
	 * name (name NULL: the table itself). Shares the model's strings. */
	struct table *into;
};

/* How often a chunk is tried when the server undoes it for a passing
 * reason (err->transient); a copy's chunks are not: their rows are gone. */
#define CHUNK_ATTEMPTS 4

/* A chunk's rows: from its file, or from a feed's source. */
struct reader_src {
	struct chunk_reader *r;
	row_source_fn next;		/* when r is NULL */
	void *next_arg;
	long slow_ms;
	/* rows shown as they stream, undone if the chunk is */
	struct progress *prog;
	int ti;
	uint64_t chunk_rows, chunk_bytes;	/* the chunk's, from the manifest */
	uint64_t rows, shown_rows, shown_bytes;
};

#define PROGRESS_BATCH 4096	/* rows between two progress counts */

static void
reader_show(struct reader_src *s)
{
	uint64_t bytes = s->chunk_rows ? (uint64_t)((double)s->chunk_bytes * (double)s->rows /
						    (double)s->chunk_rows) : 0;

	if (bytes > s->chunk_bytes)
		bytes = s->chunk_bytes;
	progress_rows(s->prog, s->ti, s->rows - s->shown_rows, bytes - s->shown_bytes);
	s->shown_rows = s->rows;
	s->shown_bytes = bytes;
}

static int
reader_source(void *arg, struct value *vals, struct dberr *err)
{
	struct reader_src *s = arg;
	int r = s->r ? chunk_reader_next(s->r, vals, err) : s->next(s->next_arg, vals, err);

	if (r > 0 && s->prog && ++s->rows - s->shown_rows >= PROGRESS_BATCH)
		reader_show(s);
	if (r == 0 && s->prog)
		reader_show(s);	/* every row is out: the commit is next */

	if (r == 0 && s->slow_ms > 0) {
		/* Test hook (DBMIG_TEST_CHUNK_DELAY_MS): hold the chunk's
		 * transaction open after its rows went out, so the kill
		 * tests can interrupt a load between COPY and COMMIT. */
		struct timespec ts = { s->slow_ms / 1000, (s->slow_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	return r;
}

static int table_has_done_chunk(const struct table *t, const struct strlist *done);

/* The table t's rows are loaded into: t, or its partition tree's root. */
static const struct table *
load_dest(const struct load_ctx *ctx, const struct table *t)
{
	const struct table *into = ctx->into ? &ctx->into[t - ctx->model->tables] : NULL;

	return into && into->name ? into : t;
}

/* A target where a partitioned table is one table: each partition's rows
 * go into its root's, under the root's name with the partition's own
 * column list (its columns may stand in another order). */
static void
fold_partitions(struct load_ctx *ctx)
{
	const struct schema_model *m = ctx->model;

	if (ctx->drv->caps & DB_CAP_PARTITION_TABLES)
		return;
	ctx->into = xcalloc((size_t)m->ntables + 1, sizeof(*ctx->into));
	for (int i = 0; i < m->ntables; i++) {
		const struct table *root = schema_partition_root(m, &m->tables[i]);

		if (root == &m->tables[i])
			continue;
		ctx->into[i] = m->tables[i];
		ctx->into[i].schema = root->schema;
		ctx->into[i].name = root->name;
	}
}

/* Whether any table loading into root's (root too) has a chunk done. */
static int
tree_has_done_chunk(const struct load_ctx *ctx, const struct table *root)
{
	for (int i = 0; i < ctx->model->ntables; i++)
		if (schema_partition_root(ctx->model, &ctx->model->tables[i]) == root &&
		    table_has_done_chunk(&ctx->model->tables[i], &ctx->done))
			return 1;
	return 0;
}

/* One chunk of t from src, in one transaction with its ledger item; adds
 * its rows to the load's count. Shared by dump chunks and a feed's. */
static int
load_one_chunk(struct load_ctx *ctx, struct db_conn *conn, const struct table *t,
	       const char *name, struct reader_src *src, uint64_t *rows, struct dberr *err)
{
	struct strbuf item = STRBUF_INIT;
	int r;

	*rows = 0;
	strbuf_addf(&item, "chunk:%s", name);
	r = ctx->drv->target->load_chunk(conn, load_dest(ctx, t), ctx->meta->dump_id, item.buf,
					 reader_source, src,
				 ctx->opts->strip_nul ? LOAD_STRIP_NUL : 0, rows, err);
	strbuf_release(&item);
	if (r < 0) {
		dberr_prefix(err, "chunk %s of %s.%s", name, t->schema, t->name);
		return -1;
	}
	log_debug("loaded chunk %s of %s.%s: %" PRIu64 " rows", name, t->schema, t->name, *rows);
	pthread_mutex_lock(&ctx->lock);
	ctx->rows += *rows;
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

static int
chunk_job_run(void *state, size_t job, void *arg, struct dberr *err)
{
	struct load_ctx *ctx = arg;
	struct chunk_job *j = &ctx->jobs[ctx->job_base + job];
	struct reader_src src = { NULL, NULL, NULL, testknob_chunk_delay_ms(), ctx->prog, j->ti,
				  j->c->rows, j->c->raw_bytes, 0, 0, 0 };
	int ncols = 0, ret = -1;
	uint64_t rows = 0;

	for (int i = 0; i < j->t->ncols; i++)
		if (!j->t->cols[i].generated_expr)
			ncols++;
	progress_part_start(ctx->prog, j->ti);
	for (int attempt = 1;; attempt++) {
		src.r = chunk_reader_open(ctx->opts->dumpdir, j->c, ncols, err);
		if (!src.r)
			goto out;
		if (load_one_chunk(ctx, state, j->t, j->c->file, &src, &rows, err) == 0)
			break;
		chunk_reader_close(src.r);
		src.r = NULL;
		/* the server undid the chunk: so does the count */
		progress_rows_back(ctx->prog, j->ti, src.shown_rows, src.shown_bytes);
		src.rows = src.shown_rows = src.shown_bytes = 0;
		/* A deadlock or a lock wait timeout undid the chunk's whole
		 * transaction: it passes, so the chunk is read again. */
		if (!err->transient || attempt == CHUNK_ATTEMPTS || dbmig_interrupted) {
			/* Rows go out before the chunk's checksums are known: a
			 * row the target refused may be damage, which is the
			 * dump's fault and is said so (exit 5). */
			struct dberr cerr = DBERR_INIT;

			if (err->cls != DBERR_DUMP && err->cls != DBERR_INTERRUPTED &&
			    chunk_check(ctx->opts->dumpdir, j->c, ncols, &cerr) < 0) {
				log_info("the target refused a row (%s); the chunk is damaged",
					 err->msg);
				*err = cerr;
			}
			goto out;
		}
		log_warn("%s; trying again (%d of %d)", err->msg, attempt + 1, CHUNK_ATTEMPTS);
		{
			struct timespec ts = { 0, 200000000L * attempt };

			nanosleep(&ts, NULL);
		}
	}
	progress_rows(ctx->prog, j->ti, rows > src.shown_rows ? rows - src.shown_rows : 0,
		      j->c->raw_bytes > src.shown_bytes ? j->c->raw_bytes - src.shown_bytes : 0);
	progress_chunk_done(ctx->prog, j->ti, j->c->file, rows, j->c->raw_bytes);
	progress_part_done(ctx->prog, j->ti);
	ret = 0;
out:
	pthread_mutex_lock(&ctx->lock);
	if (ret == 0 && ctx->chunks_left)
		ctx->chunks_left[j->ti]--;
	if (ret < 0)
		ctx->failed = 1;
	pthread_cond_broadcast(&ctx->chunk_done);
	pthread_mutex_unlock(&ctx->lock);
	chunk_reader_close(src.r);
	return ret;
}

/*
 * The chunk pool with keys and indexes after the chunks: a worker that
 * takes a key or index waits until its table's chunks are all committed,
 * then builds it while the others still load rows. Every chunk job comes
 * before every index job, so the chunks it waits for are already running.
 */
/* What a step after the rows does, for the progress line: "building
 * key t_pkey on public.t", "adding foreign key f on public.c". */
static void
step_describe(const struct ddl_step *s, struct strbuf *o)
{
	const char *colon = strchr(s->item, ':'), *name = colon ? colon + 1 : s->item;
	const char *dot = strrchr(name, '.');

	if (s->what) {
		strbuf_addf(o, "creating %s", s->what);
		return;
	}
	if (!strncmp(s->item, "sequence:", 9)) {
		strbuf_addf(o, "setting sequence %s", name);
		return;
	}
	strbuf_addf(o, "%s %s", s->phase == DDL_POST_FK ? "adding foreign key"
		    : !strncmp(s->item, "index:", 6) ? "building index" : "building key",
		    dot ? dot + 1 : name);
	if (s->table)
		strbuf_addf(o, " on %s", s->table);
}

/* Says on the progress display that step s starts: the next of total
 * counted by *started (under the load's lock). */
static void
step_announce(struct load_ctx *ctx, const struct ddl_step *s, int *started, int total)
{
	struct strbuf what = STRBUF_INIT;
	int k;

	pthread_mutex_lock(&ctx->lock);
	k = ++*started;
	pthread_mutex_unlock(&ctx->lock);
	step_describe(s, &what);
	if (ctx->prog)
		progress_step(ctx->prog, what.buf, k, total);
	strbuf_release(&what);
	log_debug("running %s", s->item);
}

static int
chunk_or_key_run(void *state, size_t job, void *arg, struct dberr *err)
{
	struct load_ctx *ctx = arg;
	struct ddl_step *s;
	int ti, failed;

	if (job < ctx->nchunk_jobs)
		return chunk_job_run(state, job, arg, err);
	s = ctx->early[job - ctx->nchunk_jobs];
	ti = ctx->early_table[job - ctx->nchunk_jobs];
	pthread_mutex_lock(&ctx->lock);
	while (ctx->chunks_left[ti] > 0 && !ctx->failed)
		pthread_cond_wait(&ctx->chunk_done, &ctx->lock);
	failed = ctx->failed;
	pthread_mutex_unlock(&ctx->lock);
	if (failed)
		return dberr_set(err, DBERR_INTERRUPTED, "step %s not run: a chunk failed",
				 s->item);
	step_announce(ctx, s, &ctx->early_started, (int)ctx->nearly);
	if (ctx->drv->target->exec_step(state, ctx->meta->dump_id, s, err) < 0) {
		dberr_prefix(err, "step %s", s->item);
		pthread_mutex_lock(&ctx->lock);
		ctx->failed = 1;
		pthread_cond_broadcast(&ctx->chunk_done);
		pthread_mutex_unlock(&ctx->lock);
		return -1;
	}
	return 0;
}

/* Picks the POST_INDEX steps that can run in the chunk pool: those of a
 * loaded table, not done by an earlier run. */
static void
plan_early_keys(struct load_ctx *ctx, struct ddl_plan *plan, const struct strlist *done,
		const struct schema_model *m)
{
	uint64_t *size = xcalloc((size_t)m->ntables + 1, sizeof(*size));
	int *order = xcalloc((size_t)plan->nsteps + 1, sizeof(*order));
	int *tindex = xcalloc((size_t)plan->nsteps + 1, sizeof(*tindex));
	size_t n = 0;

	for (int i = 0; i < m->ntables; i++)
		for (int k = 0; k < m->tables[i].nchunks; k++)
			size[i] += m->tables[i].chunks[k].raw_bytes;
	for (int i = 0; i < plan->nsteps; i++) {
		const struct ddl_step *s = &plan->steps[i];

		tindex[i] = -1;
		if (s->phase != DDL_POST_INDEX || !s->table || strlist_has_sorted(done, s->item))
			continue;
		for (int t = 0; t < m->ntables; t++) {
			struct strbuf qn = STRBUF_INIT;

			table_qualname(&m->tables[t], &qn);
			/* a partitioned table's keys wait for all its rows,
			 * which its partitions bring after it */
			if (!strcmp(qn.buf, s->table) && !m->tables[t].partition_key)
				tindex[i] = t;
			strbuf_release(&qn);
		}
		if (tindex[i] >= 0)
			order[n++] = i;
	}
	ctx->early = xcalloc(n + 1, sizeof(*ctx->early));
	ctx->early_table = xcalloc(n + 1, sizeof(*ctx->early_table));
	/* Small tables' keys first: their chunks finish first. */
	for (size_t k = 1; k < n; k++) {
		int v = order[k];
		size_t j = k;

		while (j > 0 && size[tindex[order[j - 1]]] > size[tindex[v]]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = v;
	}
	for (size_t k = 0; k < n; k++) {
		ctx->early[k] = &plan->steps[order[k]];
		ctx->early_table[k] = tindex[order[k]];
	}
	ctx->nearly = n;
	free(size);
	free(order);
	free(tindex);
}

static int
step_job_run(void *state, size_t job, void *arg, struct dberr *err)
{
	struct load_ctx *ctx = arg;
	struct ddl_step *s = ctx->steps[job];

	step_announce(ctx, s, &ctx->steps_started, ctx->steps_total);
	if (ctx->drv->target->exec_step(state, ctx->meta->dump_id, s, err) < 0) {
		dberr_prefix(err, "step %s", s->item);
		return -1;
	}
	return 0;
}

static int
run_phase(struct load_ctx *ctx, struct ddl_plan *plan, enum ddl_phase ph,
	  const struct strlist *done, struct db_conn **conns, int nconns,
	  struct load_result *res, struct dberr *err)
{
	size_t n = 0;
	int ret;

	ctx->steps = xcalloc((size_t)plan->nsteps + 1, sizeof(*ctx->steps));
	for (int i = 0; i < plan->nsteps; i++) {
		if (plan->steps[i].phase != ph)
			continue;
		if (strlist_has_sorted(done, plan->steps[i].item)) {
			res->steps_skipped++;
			continue;
		}
		ctx->steps[n++] = &plan->steps[i];
	}
	res->steps_run += (int)n;
	ctx->steps_started = 0;
	ctx->steps_total = (int)n;
	ret = workpool_run(nconns, (void **)conns, n, step_job_run, ctx, err);
	free(ctx->steps);
	ctx->steps = NULL;
	return ret;
}

/*
 * Views, routines and triggers, best effort: each is tried in dump order,
 * and those that fail are tried again as long as a pass makes progress
 * (a view may need another view made after it). What still fails is
 * reported as not migrated, with the target's reason; the load goes on.
 */
static int
run_objects(const struct db_driver *drv, struct db_conn *c, const struct dump_meta *meta,
	    struct ddl_plan *plan, const struct strlist *done, struct load_result *res,
	    struct dberr *err)
{
	struct ddl_step **todo = xcalloc((size_t)plan->nsteps + 1, sizeof(*todo));
	char **why = xcalloc((size_t)plan->nsteps + 1, sizeof(*why));
	size_t n = 0;
	int progress = 1;

	for (int i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].phase == DDL_POST_OBJECTS &&
		    !strlist_has_sorted(done, plan->steps[i].item))
			todo[n++] = &plan->steps[i];
	while (progress && n) {
		size_t keep = 0;

		progress = 0;
		for (size_t i = 0; i < n; i++) {
			struct dberr e = DBERR_INIT;

			if (drv->target->exec_step(c, meta->dump_id, todo[i], &e) == 0) {
				res->steps_run++;
				progress = 1;
				continue;
			}
			if (e.cls == DBERR_TARGET && !strncmp(e.sqlstate, "08", 2)) {
				*err = e;	/* the connection is gone: not best effort */
				free(todo);
				for (size_t k = 0; k < n; k++)
					free(why[k]);
				free(why);
				return -1;
			}
			free(why[keep]);
			why[keep] = xstrdup(e.msg);
			todo[keep++] = todo[i];
		}
		n = keep;
	}
	for (size_t i = 0; i < n; i++) {
		log_warn("%s was not migrated: %s", todo[i]->what ? todo[i]->what : todo[i]->item,
			 why[i]);
		res->not_migrated++;
	}
	for (size_t i = 0; i <= (size_t)plan->nsteps; i++)
		free(why[i]);
	free(why);
	free(todo);
	return 0;
}

/*
 * --schema-prefix: for a target with one namespace per database (MySQL),
 * each table becomes "schema_table", and every reference by qualified
 * name (foreign keys, sequence owners) follows. The schema stays, so
 * messages still name the source's object.
 */
static void
rename_refs(struct schema_model *s, const char *oldq, const char *newq)
{
	for (int k = 0; k < s->ntables; k++)
		for (int c = 0; c < s->tables[k].ncons; c++) {
			char **ref = &s->tables[k].cons[c].ref_table;

			if (*ref && !strcmp(*ref, oldq)) {
				free(*ref);
				*ref = xstrdup(newq);
			}
		}
	for (int k = 0; k < s->nseqs; k++)
		if (s->seqs[k].owned_table && !strcmp(s->seqs[k].owned_table, oldq)) {
			free(s->seqs[k].owned_table);
			s->seqs[k].owned_table = xstrdup(newq);
		}
}

static void
prefix_table_names(struct schema_model *s)
{
	struct strbuf oldq = STRBUF_INIT, newq = STRBUF_INIT, nn = STRBUF_INIT;

	for (int i = 0; i < s->ntables; i++) {
		struct table *t = &s->tables[i];

		strbuf_reset(&oldq);
		strbuf_reset(&newq);
		strbuf_reset(&nn);
		table_qualname(t, &oldq);
		strbuf_addf(&nn, "%s_%s", t->schema, t->name);
		free(t->name);
		t->name = xstrdup(nn.buf);
		table_qualname(t, &newq);
		rename_refs(s, oldq.buf, newq.buf);
	}
	strbuf_release(&oldq);
	strbuf_release(&newq);
	strbuf_release(&nn);
}

static int
table_has_done_chunk(const struct table *t, const struct strlist *done)
{
	struct strbuf item = STRBUF_INIT;
	int found = 0;

	for (int k = 0; k < t->nchunks && !found; k++) {
		strbuf_reset(&item);
		strbuf_addf(&item, "chunk:%s", t->chunks[k].file);
		found = strlist_has_sorted(done, item.buf);
	}
	strbuf_release(&item);
	return found;
}

static int
jobs_by_level_size(const void *a, const void *b)
{
	const struct chunk_job *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->c->raw_bytes < y->c->raw_bytes ? 1 : x->c->raw_bytes > y->c->raw_bytes ? -1 : 0;
}

/*
 * Foreign-key depth of every table: 0 for tables that reference no other
 * dumped table, else one more than the deepest table they reference.
 * When the target already has its foreign keys (a data-only load), rows
 * must arrive parents first, level by level. Tables in a reference cycle
 * end up on the last level; only disabled checks can load those.
 */
static int
fk_levels(const struct schema_model *s, int *level)
{
	int changed = 1, rounds = 0, maxlevel = 0;

	memset(level, 0, sizeof(int) * (size_t)s->ntables);
	while (changed && rounds++ <= s->ntables) {
		changed = 0;
		for (int i = 0; i < s->ntables; i++) {
			const struct table *t = &s->tables[i];

			for (int k = 0; k < t->ncons; k++) {
				if (t->cons[k].kind != 'f' || !t->cons[k].ref_table)
					continue;
				const struct table *ref = schema_find_table(s, t->cons[k].ref_table);
				int j = ref ? (int)(ref - s->tables) : i;

				if (j != i && level[i] < level[j] + 1 && level[j] < s->ntables) {
					level[i] = level[j] + 1;
					changed = 1;
				}
			}
		}
	}
	for (int i = 0; i < s->ntables; i++)
		if (level[i] > maxlevel)
			maxlevel = level[i];
	return maxlevel;
}

/*
 * A feed (a direct copy) loads chunks as the source yields them, on the
 * connection slot its reader was paired with; the ledger items are the
 * ones a load of the kept dump would use.
 */
int
load_feed_chunk(struct load_ctx *ctx, int slot, int ti, const char *name,
		row_source_fn src, void *arg, struct dberr *err)
{
	struct reader_src rs = { NULL, src, arg, testknob_chunk_delay_ms() };
	uint64_t rows;

	if (load_one_chunk(ctx, ctx->conns[slot], &ctx->model->tables[ti], name, &rs, &rows,
			   err) < 0)
		return -1;
	pthread_mutex_lock(&ctx->lock);
	ctx->chunks_fed++;
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

/* All of table ti's rows are in: its keys and indexes are built now, on
 * the slot that loaded its last chunk, while other slots go on copying. */
int
load_feed_table_done(struct load_ctx *ctx, int slot, int ti, struct dberr *err)
{
	for (size_t k = 0; k < ctx->nearly; k++) {
		struct ddl_step *s = ctx->early[k];

		if (ctx->early_table[k] != ti)
			continue;
		step_announce(ctx, s, &ctx->early_started, (int)ctx->nearly);
		if (ctx->drv->target->exec_step(ctx->conns[slot], ctx->meta->dump_id, s, err) < 0) {
			dberr_prefix(err, "step %s", s->item);
			return -1;
		}
		/* done: the POST_INDEX phase leaves it out (only this
		 * thread touches table ti's steps) */
		s->phase = DDL__PHASES;
		pthread_mutex_lock(&ctx->lock);
		ctx->early_run++;
		pthread_mutex_unlock(&ctx->lock);
	}
	return 0;
}

int
load_run(const struct load_opts *opts, struct load_result *res, struct dberr *err)
{
	struct schema_model model;
	struct dump_meta meta;
	int ret;

	memset(res, 0, sizeof(*res));
	if (manifest_read(opts->dumpdir, &meta, &model, err) < 0)
		return -1;
	ret = load_model(opts, &meta, &model, NULL, res, err);
	schema_release(&model);
	return ret;
}

/* ---- load_model, step by step ---- */

/* Rejects what --zero-dates=error refuses, before the target is touched. */
static int
check_zero_dates(const struct load_opts *opts, const struct db_driver *drv,
		 const struct schema_model *model, struct dberr *err)
{
	const struct db_driver *src_drv = driver_by_name(model->source_engine);

	if (!opts->zero_dates_error || !src_drv || !(src_drv->caps & DB_CAP_ZERO_DATES) ||
	    (drv->caps & DB_CAP_ZERO_DATES))
		return 0;
	for (int i = 0; i < model->ntables; i++)
		for (int k = 0; k < model->tables[i].ncols; k++) {
			const struct table *t = &model->tables[i];
			uint64_t n = t->cols[k].profile.zero_dates;

			if (n)
				return dberr_set(err, DBERR_UNSUPPORTED, "%s.%s.%s holds %llu zero "
						 "date%s such as '0000-00-00', which --zero-dates=error "
						 "refuses; fix "
						 "them at the source, or load with --zero-dates=null",
						 t->schema, t->name, t->cols[k].name,
						 (unsigned long long)n, n == 1 ? "" : "s");
		}
	return 0;
}

/* The transforms the plan chose, onto the model's columns (a copy's kept
 * manifest then carries them), replacing any a manifest brought. */
static void
apply_xforms(const struct ddl_plan *plan, struct schema_model *model)
{
	for (int i = 0; i < model->ntables; i++)
		for (int k = 0; k < model->tables[i].ncols; k++)
			model->tables[i].cols[k].xform = 0;
	for (int i = 0; i < plan->nxforms; i++) {
		struct table *t = schema_find_table(model, plan->xforms[i].table);

		for (int k = 0; t && k < t->ncols; k++)
			if (!strcmp(t->cols[k].name, plan->xforms[i].column)) {
				t->cols[k].xform = plan->xforms[i].flags;
				xform_to_type(t->cols[k].xform, &t->cols[k].type);
			}
	}
}

/* The ledger item that records column col's transform on the target:
 * "transform:schema.table.column=words" (a reader splits at the last
 * '='). Returns the length of the part before the words. */
static size_t
xform_item(const struct table *t, const struct column *col, struct strbuf *o)
{
	size_t prefix;

	strbuf_addf(o, "transform:%s.%s.%s=", t->schema, t->name, col->name);
	prefix = o->len;
	xform_format(col->xform, o);
	return prefix;
}

/* The item of sorted list l that starts with the first n bytes of s, or
 * NULL (binary search: a ledger holds thousands of chunk items). */
static const char *
find_prefixed(const struct strlist *l, const char *s, size_t n)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(l->v[mid], s, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && !strncmp(l->v[lo], s, n) ? l->v[lo] : NULL;
}

/* Records each column's transform in the target's state (the ledger),
 * once. A resumed load must convert as the first run did: a column
 * recorded with another transform (other options this time) stops it. */
static int
load_record_xforms(struct load_ctx *ctx, struct dberr *err)
{
	struct strbuf item = STRBUF_INIT;
	int ret = -1;

	for (int i = 0; i < ctx->model->ntables; i++)
		for (int k = 0; k < ctx->model->tables[i].ncols; k++) {
			const struct table *t = &ctx->model->tables[i];
			const struct column *col = &t->cols[k];
			struct ddl_step step = { DDL_PRE_DATA, NULL, NULL, NULL, NULL, NULL };
			const char *had;
			size_t prefix;

			strbuf_reset(&item);
			prefix = xform_item(t, col, &item);
			if ((had = find_prefixed(&ctx->done, item.buf, prefix)) &&
			    strcmp(had, item.buf)) {
				dberr_set(err, DBERR_USAGE, "dump %s was partly loaded into this "
					  "target converting %s.%s.%s as '%s'; this run would "
					  "convert it as '%s'; run the load with the options the "
					  "first run had", ctx->meta->dump_id, t->schema, t->name,
					  col->name, had + prefix,
					  col->xform ? item.buf + prefix : "(as is)");
				goto out;
			}
			if (!col->xform || had)
				continue;
			step.item = item.buf;	/* record only: no SQL */
			if (ctx->drv->target->exec_step(ctx->conns[0], ctx->meta->dump_id, &step,
							err) < 0)
				goto out;
		}
	ret = 0;
out:
	strbuf_release(&item);
	return ret;
}

/* Step 1, with no connection: the target's DDL for the model, and every
 * refusal that needs no server, so a dump this target cannot take is
 * refused before anything on the target is touched. */
/* A column whose type has no neutral mapping travels as its text form,
 * tagged with the type: the same engine gets the type back; the other
 * one only on request, as text. Said before anything is created. */
static int
unmapped_across(struct load_ctx *ctx, const struct schema_model *model, struct dberr *err)
{
	if (!model->source_engine || !strcmp(model->source_engine, ctx->drv->name) ||
	    ctx->opts->unmapped_as_text)
		return 0;
	for (int i = 0; i < model->ntables; i++)
		for (int k = 0; k < model->tables[i].ncols; k++) {
			const struct table *t = &model->tables[i];
			const struct column *col = &t->cols[k];

			if (col->unmapped_from)
				return dberr_set(err, DBERR_UNSUPPORTED, "column %s.%s.%s has type '%s', "
						 "which %s has no type for; pass --unmapped-as-text "
						 "to carry its text form (reported as lossy), or leave "
						 "the table out with -T at the dump", t->schema, t->name,
						 col->name, col->unmapped_from, ctx->drv->name);
		}
	return 0;
}

static int
load_plan(struct load_ctx *ctx, struct schema_model *model, struct dberr *err)
{
	const struct load_opts *opts = ctx->opts;
	struct ddl_plan *plan = &ctx->plan;

	plan->tinyint_numeric = opts->tinyint_numeric;
	plan->json_plain = opts->json_plain;
	plan->unbounded_numeric = opts->unbounded_numeric;
	plan->no_owner = opts->no_owner;
	plan->no_privileges = opts->no_privileges;
	plan->create_roles = opts->create_roles;
	plan->ci_binary = opts->ci_binary;
	plan->strip_nul = opts->strip_nul;
	plan->special_null = opts->special_null;
	plan->target_version = ctx->drv->server_version(ctx->conns[0]);
	if (opts->uuid_binary)
		for (int i = 0; i < model->ntables; i++)
			for (int k = 0; k < model->tables[i].ncols; k++)
				if (model->tables[i].cols[k].type.t == NT_UUID)
					model->tables[i].cols[k].type.length = 16;
	if (opts->schema_prefix && model->schemas.n > 1) {
		prefix_table_names(model);
		plan->schema_prefix = 1;
	}
	if (unmapped_across(ctx, model, err) < 0)
		return -1;
	if (ctx->drv->target->ddl_plan(model, plan, err) < 0 ||
	    ctx->drv->target->sequences_plan(model, plan, err) < 0)
		return -1;
	apply_xforms(plan, model);
	/* Every lossy or approximate mapping is said, per column. */
	if (ctx->do_schema)
		for (size_t i = 0; i < plan->notes.n; i++)
			log_warn("%s", plan->notes.v[i]);
	/* the count lines say what the notes were about */
	for (size_t i = 0; i < plan->notes.n && ctx->do_schema; i++) {
		if (strstr(plan->notes.v[i], "not migrated"))
			ctx->res->not_migrated++;	/* a view or routine no target has */
		else if (strstr(plan->notes.v[i], "not carried"))
			ctx->res->not_carried++;
		else
			ctx->res->notes++;
	}
	if (opts->strict && ctx->do_schema && plan->notes.n)
		return dberr_set(err, DBERR_UNSUPPORTED, "%zu lossy or approximate mapping%s "
				 "(the first: %s); --strict refuses them: change the source, "
				 "or load without --strict to accept what is listed above",
				 plan->notes.n, plan->notes.n == 1 ? "" : "s", plan->notes.v[0]);
	return check_zero_dates(opts, ctx->drv, model, err);
}

/* The roles the source's owners and GRANTs name that the target lacks,
 * said before anything is created: --roles creates them (the plan holds
 * the steps), else their ownership and grants are reported not migrated,
 * and --strict refuses. */
static int
load_roles(struct load_ctx *ctx, struct dberr *err)
{
	const struct load_opts *opts = ctx->opts;
	struct strlist missing = STRLIST_INIT;
	struct strbuf names = STRBUF_INIT;
	int ret = 0;

	if (!ctx->drv->target->roles_missing || (opts->no_owner && opts->no_privileges))
		return 0;
	if (ctx->drv->target->roles_missing(ctx->conns[0], ctx->model, &missing, err) < 0)
		return -1;
	for (size_t i = 0; i < missing.n; i++)
		strbuf_addf(&names, "%s%s", i ? ", " : "", missing.v[i]);
	if (!missing.n)
		ret = 0;	/* every role is there */
	else if (opts->create_roles)
		log_info("creating %zu role%s the target lacks (--roles, without passwords): %s",
			 missing.n, missing.n == 1 ? "" : "s", names.buf);
	else if (opts->strict)
		ret = dberr_set(err, DBERR_UNSUPPORTED, "the target lacks role%s %s, which the "
				"source's objects are owned by or granted to; --strict refuses: "
				"pass --roles to create %s, or --no-owner --no-privileges",
				missing.n == 1 ? "" : "s", names.buf, missing.n == 1 ? "it" : "them");
	else
		log_warn("the target lacks role%s %s, which the source's objects are owned by or "
			 "granted to: that ownership and those grants will be reported not migrated; "
			 "pass --roles to create %s (without passwords), or --no-owner "
			 "--no-privileges to leave both out", missing.n == 1 ? "" : "s", names.buf,
			 missing.n == 1 ? "it" : "them");
	strlist_release(&missing);
	strbuf_release(&names);
	return ret;
}

/* An online dump's slot serves one target: a second target could never
 * follow its changes (the first one's tail moves the slot past it), so
 * its load is refused before anything is made. The dump directory
 * records the target it went to (online-target); the same target again
 * (a load resumed) is that one, or one whose state holds this dump. */
#define ONLINE_TARGET_FILE "online-target"
static int
load_online_claim(struct load_ctx *ctx, struct dberr *err)
{
	struct strbuf path = STRBUF_INIT, want = STRBUF_INIT;
	char had[600] = "";
	FILE *f;
	int holds = 0, ret = -1;

	if (!ctx->opts->dumpdir || !ctx->drv->apply)
		return 0;
	strbuf_addf(&path, "%s/" ONLINE_TARGET_FILE, ctx->opts->dumpdir);
	strbuf_addf(&want, "%s", ctx->drv->describe(ctx->conns[0]));
	if ((f = fopen(path.buf, "re"))) {
		if (!fgets(had, sizeof(had), f))
			had[0] = '\0';
		fclose(f);
		had[strcspn(had, "\n")] = '\0';
	}
	if (had[0] && strcmp(had, want.buf)) {
		if (ctx->opts->online->state_holds(ctx->drv, ctx->conns[0], ctx->meta->dump_id,
						   &holds, err) < 0)
			goto out;
		if (holds)
			had[0] = '\0';	/* its state: the same target by another name */
		if (had[0]) {
			dberr_set(err, DBERR_USAGE, "online dump %s was loaded into another target "
				  "(%s): its replication slot %s serves one target, and this one (%s) "
				  "could never follow the changes. Each target needs its own online "
				  "dump: run dbmig dump --online again for this one. (Was that load "
				  "given up and its target dropped? Then remove %s.)",
				  ctx->meta->dump_id, had, ctx->meta->slot, want.buf, path.buf);
			goto out;
		}
	}
	if (!had[0] && strcmp(had, want.buf)) {
		int fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		strbuf_addch(&want, '\n');
		if (fd < 0 || write(fd, want.buf, want.len) != (ssize_t)want.len)
			log_warn("cannot record in %s which target this online dump went to (%s): "
				 "a second target's load will not be refused up front", path.buf,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&want);
	return ret;
}

/* An online dump: where cdc-tail starts on this target, recorded once
 * (a second load of the dump keeps a tail's progress). */
static int
load_cdc_start(struct load_ctx *ctx, struct dberr *err)
{
	const struct dump_meta *m = ctx->meta;

	if (!ctx->drv->apply)
		return 0;
	if (ctx->opts->online->record_start(ctx->drv, ctx->conns[0], m->dump_id, m->slot,
					    m->publication, &m->position, err) < 0)
		return dberr_prefix(err, "recording where cdc-tail starts"), -1;
	if (m->position.kind == POSITION_BINLOG) {
		log_info("changes after %s are read from the source's binlog: run dbmig cdc-tail "
			 "SOURCE TARGET before the source purges that file (its binlog retention)",
			 m->position.text);
		return 0;
	}
	log_info("changes after %s wait in the source's slot %s: run dbmig cdc-tail SOURCE TARGET; "
		 "the slot keeps the source's WAL until it is dropped: once the migration is done "
		 "or given up, run dbmig cdc-tail SOURCE TARGET --drop (or dbmig cdc-tail SOURCE "
		 "--slot %s --drop)", m->position.text, m->slot, m->slot);
	return 0;
}

/* Step 2: what the ledger says is done (on the first connection, open
 * already), and the other connections up to opts->jobs. */
static int
load_connect(struct load_ctx *ctx, struct dberr *err)
{
	const struct load_opts *opts = ctx->opts;

	if (ctx->drv->target->ledger_open(ctx->conns[0], ctx->meta->dump_id, &ctx->done, err) < 0)
		return -1;
	/* Thousands of chunks: look them up by binary search. */
	strlist_sort(&ctx->done);
	if (ctx->done.n)
		log_info("resuming load of dump %s: %zu items already done", ctx->meta->dump_id,
			 ctx->done.n);
	for (; ctx->nconns < opts->jobs; ctx->nconns++)
		if (ctx->drv->connect(&ctx->conns[ctx->nconns], opts->target, DBERR_TARGET,
				      err) < 0)
			return -1;
	return 0;
}

/* A first load (nothing in the ledger) creates every table, so one that
 * exists already belongs to somebody else: say which, before a CREATE
 * fails on some type or schema with the table buried in its SQL. */
static int
tables_absent(struct load_ctx *ctx, struct dberr *err)
{
	for (int i = 0; i < ctx->model->ntables; i++) {
		const struct table *t = &ctx->model->tables[i];
		int exists = 0, has_rows = 0;

		if (ctx->into && t->partition_of)
			continue;	/* no table of its own there */
		if (ctx->drv->target->table_probe(ctx->conns[0], t, &exists, &has_rows, err) < 0)
			return -1;
		if (exists)
			return dberr_set(err, DBERR_TARGET, "table %s.%s already exists on the target "
					 "(%s): drop it, load into an empty database, or load only "
					 "the rows into the existing tables with --data-only "
					 "(--truncate empties them first)", t->schema, t->name,
					 ctx->drv->describe(ctx->conns[0]));
	}
	return 0;
}

/* Step 3: schemas, types, sequences and tables, in plan order on one
 * connection (types before tables). */
static int
load_pre_data(struct load_ctx *ctx, struct dberr *err)
{
	struct ddl_plan *plan = &ctx->plan;
	int todo = 0;

	for (int i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].phase == DDL_PRE_DATA &&
		    !strlist_has_sorted(&ctx->done, plan->steps[i].item))
			todo++;
	if (todo && !ctx->done.n && tables_absent(ctx, err) < 0)
		return -1;
	if (todo)
		log_info("creating schema (%d table%s)", ctx->model->ntables,
			 PLURAL(ctx->model->ntables));
	for (int i = 0; i < plan->nsteps; i++) {
		if (plan->steps[i].phase != DDL_PRE_DATA)
			continue;
		if (strlist_has_sorted(&ctx->done, plan->steps[i].item)) {
			ctx->res->steps_skipped++;
			continue;
		}
		if (ctx->drv->target->exec_step(ctx->conns[0], ctx->meta->dump_id, &plan->steps[i],
						err) < 0) {
			if (!strncmp(plan->steps[i].item, "extension:", 10)) {
				char why[sizeof(err->msg)];

				snprintf(why, sizeof(why), "%s", err->msg);
				return dberr_set(err, err->cls, "the target cannot create extension %s, "
						 "which the source's tables use: install it on the "
						 "target server (those shipped with PostgreSQL are in "
						 "postgresql-contrib), or leave its tables out with -T "
						 "(%.600s)", plan->steps[i].item + 10, why);
			}
			return dberr_prefix(err, "creating the schema"), -1;
		}
		ctx->res->steps_run++;
	}
	return 0;
}

/* Step 4: a table no chunk of ours reached yet must exist and be empty,
 * or the rows in it are somebody else's. (A feed's chunks have new names
 * each time: it probes every table.) */
static int
load_probe_tables(struct load_ctx *ctx, struct dberr *err)
{
	const struct db_target_ops *tg = ctx->drv->target;

	for (int i = 0; i < ctx->model->ntables; i++) {
		struct table *t = &ctx->model->tables[i];
		int exists, has_rows;

		if (ctx->into) {
			/* one table per tree, holding every partition's rows */
			if (t->partition_of || tree_has_done_chunk(ctx, t))
				continue;
		} else if (table_has_done_chunk(t, &ctx->done) || t->partition_key) {
			continue;	/* (a partitioned table shows its partitions' rows) */
		}
		if (tg->table_probe(ctx->conns[0], t, &exists, &has_rows, err) < 0)
			return -1;
		if (!exists)
			return dberr_set(err, DBERR_TARGET, "target table %s.%s does not exist; "
					 "load without --data-only to create it", t->schema, t->name);
		if (has_rows && !ctx->opts->truncate)
			return dberr_set(err, DBERR_TARGET, "target table %s.%s already holds rows "
					 "that this load did not write; empty it, or pass "
					 "--truncate to have dbmig empty it", t->schema, t->name);
		if (has_rows) {
			log_warn("truncating target table %s.%s (--truncate)", t->schema, t->name);
			if (tg->table_truncate(ctx->conns[0], t, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* Foreign-key checks off on every connection, for rows that may arrive
 * before their parents; 0 when some connection may not (said once). */
static int
fk_checks_off_all(struct load_ctx *ctx, int warn, const char *consequence)
{
	for (int i = 0; i < ctx->nconns; i++) {
		struct dberr ignored = DBERR_INIT;

		if (ctx->drv->target->fk_checks_off(ctx->conns[i], &ignored) < 0) {
			if (warn)
				log_warn("cannot disable foreign-key checks (%s); %s", ignored.msg,
					 consequence);
			else if (i == 0)
				log_info("cannot disable foreign-key checks (%s); %s", ignored.msg,
					 consequence);
			return 0;
		}
	}
	return 1;
}

/* Step 5a: rows from a direct copy's feed. */
static int
load_from_feed(struct load_ctx *ctx, const struct load_feed *feed, struct dberr *err)
{
	if (!ctx->do_schema)	/* rows arrive in any order: parents are not first */
		fk_checks_off_all(ctx, 1, "rows that arrive before their parent rows will be "
				  "refused");
	else
		plan_early_keys(ctx, &ctx->plan, &ctx->done, ctx->model);
	if (feed->run(feed->arg, ctx, err) < 0)
		return -1;
	ctx->res->chunks_loaded = ctx->chunks_fed;
	ctx->res->steps_run += ctx->early_run;
	if (ctx->early_run)
		log_info("%d keys and indexes were built while rows were copied", ctx->early_run);
	return 0;
}

/* The chunks the ledger does not list yet, as jobs; returns how many. */
static size_t
collect_chunk_jobs(struct load_ctx *ctx)
{
	struct schema_model *model = ctx->model;
	size_t njobs = 0;

	for (int i = 0; i < model->ntables; i++)
		njobs += (size_t)model->tables[i].nchunks;
	ctx->jobs = xcalloc(njobs + 1, sizeof(*ctx->jobs));
	njobs = 0;
	for (int i = 0; i < model->ntables; i++) {
		struct table *t = &model->tables[i];

		for (int k = 0; k < t->nchunks; k++) {
			struct strbuf item = STRBUF_INIT;

			strbuf_addf(&item, "chunk:%s", t->chunks[k].file);
			if (strlist_has_sorted(&ctx->done, item.buf)) {
				ctx->res->chunks_skipped++;
			} else {
				ctx->jobs[njobs].t = t;
				ctx->jobs[njobs].c = &t->chunks[k];
				ctx->jobs[njobs].ti = i;
				njobs++;
			}
			strbuf_release(&item);
		}
	}
	return njobs;
}

/* Progress: each table with the rows and bytes still to load. */
static void
progress_tables(struct load_ctx *ctx, size_t njobs)
{
	for (int i = 0; i < ctx->model->ntables; i++) {
		struct strbuf qn = STRBUF_INIT;
		uint64_t prow = 0, pbytes = 0;
		int parts = 0;

		for (size_t k = 0; k < njobs; k++)
			if (ctx->jobs[k].ti == i) {
				prow += ctx->jobs[k].c->rows;
				pbytes += ctx->jobs[k].c->raw_bytes;
				parts++;
			}
		table_qualname(&ctx->model->tables[i], &qn);
		progress_add_table(ctx->prog, qn.buf, prow, pbytes, parts);
		strbuf_release(&qn);
	}
}

/* Whether foreign keys exist before the rows: this load does not create
 * them, or an earlier one did (load --schema-only, then load). */
static int
fks_before_rows(const struct load_ctx *ctx)
{
	if (!ctx->do_schema)
		return 1;
	for (int i = 0; i < ctx->plan.nsteps; i++)
		if (ctx->plan.steps[i].phase == DDL_POST_FK &&
		    strlist_has_sorted(&ctx->done, ctx->plan.steps[i].item))
			return 1;
	return 0;
}

/* Step 5b: rows from the dump's chunk files, in foreign-key levels when
 * the constraints exist already, with keys and indexes built as soon as
 * their table is in. */
static int
load_from_chunks(struct load_ctx *ctx, struct dberr *err)
{
	struct schema_model *model = ctx->model;
	size_t njobs = collect_chunk_jobs(ctx), start = 0;
	int *level = xcalloc((size_t)model->ntables + 1, sizeof(int));
	int maxlevel = 0;

	if (fks_before_rows(ctx)) {
		maxlevel = fk_levels(model, level);
		fk_checks_off_all(ctx, 0, "loading parent tables first");
	}
	for (size_t k = 0; k < njobs; k++)
		ctx->jobs[k].level = level[ctx->jobs[k].t - model->tables];
	free(level);
	qsort(ctx->jobs, njobs, sizeof(*ctx->jobs), jobs_by_level_size);
	log_info("loading %zu chunk%s with %d connection%s%s", njobs, PLURAL(njobs), ctx->nconns,
		 PLURAL(ctx->nconns), ctx->res->chunks_skipped ? " (resuming)" : "");
	progress_tables(ctx, njobs);
	/* Keys and indexes join the last pool when nothing else orders the
	 * tables: each runs once its table is in. */
	if (ctx->do_schema && maxlevel == 0) {
		ctx->chunks_left = xcalloc((size_t)model->ntables + 1, sizeof(int));
		for (size_t k = 0; k < njobs; k++)
			ctx->chunks_left[ctx->jobs[k].ti]++;
		plan_early_keys(ctx, &ctx->plan, &ctx->done, model);
	}
	/* One pool per level: a level starts when the one before it has
	 * committed. */
	for (int lv = 0; lv <= maxlevel; lv++) {
		size_t end = start, nkeys;

		while (end < njobs && ctx->jobs[end].level == lv)
			end++;
		ctx->job_base = start;
		ctx->nchunk_jobs = end - start;
		nkeys = lv == maxlevel ? ctx->nearly : 0;
		if (end - start + nkeys > 0 &&
		    workpool_run(ctx->nconns, (void **)ctx->conns, end - start + nkeys,
				 chunk_or_key_run, ctx, err) < 0)
			return -1;
		start = end;
	}
	/* done: the POST_INDEX phase leaves them out */
	for (size_t k = 0; k < ctx->nearly; k++)
		ctx->early[k]->phase = DDL__PHASES;
	ctx->res->steps_run += (int)ctx->nearly;
	if (ctx->nearly)
		log_info("%zu keys and indexes were built while rows loaded", ctx->nearly);
	ctx->res->chunks_loaded = njobs;
	return 0;
}

/* Step 6: keys and indexes, foreign keys, views, routines and triggers,
 * then sequence and identity values. */
static int
load_post_data(struct load_ctx *ctx, struct dberr *err)
{
	struct ddl_plan *plan = &ctx->plan;

	log_info("creating keys and indexes");
	if (run_phase(ctx, plan, DDL_POST_INDEX, &ctx->done, ctx->conns, ctx->nconns, ctx->res,
		      err) < 0)
		return -1;
	log_info("creating foreign keys");
	if (run_phase(ctx, plan, DDL_POST_FK, &ctx->done, ctx->conns, ctx->nconns, ctx->res,
		      err) < 0)
		return -1;
	if (run_objects(ctx->drv, ctx->conns[0], ctx->meta, plan, &ctx->done, ctx->res, err) < 0)
		return -1;
	return run_phase(ctx, plan, DDL_POST_SEQ, &ctx->done, ctx->conns, 1, ctx->res, err);
}

/* Where DDL is not transactional, what a failed run created stays: say
 * so, and that the ledger lets the same command continue from there. */
static void
kept_on_target(int steps, struct dberr *err)
{
	size_t n = strlen(err->msg);

	snprintf(err->msg + n, sizeof(err->msg) - n, "; the %d schema step%s this run "
		 "completed (tables among them) stay on the target, recorded: the same "
		 "command continues from there, or drop them to start over", steps, PLURAL(steps));
}

struct progress *
load_progress(struct load_ctx *lc)
{
	return lc->prog;
}

int
load_model(const struct load_opts *opts, const struct dump_meta *meta,
	   struct schema_model *model, const struct load_feed *feed,
	   struct load_result *res, struct dberr *err)
{
	struct load_ctx ctx;
	int ret = -1;
	double t0 = now_seconds();

	memset(&ctx, 0, sizeof(ctx));
	pthread_mutex_init(&ctx.lock, NULL);
	pthread_cond_init(&ctx.chunk_done, NULL);
	ctx.opts = opts;
	ctx.meta = meta;
	ctx.model = model;
	ctx.res = res;
	snprintf(res->dump_id, sizeof(res->dump_id), "%s", meta->dump_id);
	ctx.do_schema = meta->has_schema && !opts->data_only;
	ctx.do_data = meta->has_data && !opts->schema_only;
	/* The first connection before the plan, so that a wrong password is
	 * the one message, not the last after every mapping warning. */
	if (!(ctx.drv = driver_for_uri(opts->target, DBERR_TARGET, err)))
		goto out;
	if (meta->slot[0] && !opts->online) {
		dberr_set(err, DBERR_INTERNAL, "an online dump's load without change apply: its "
			  "start would not be recorded");
		goto out;
	}
	ctx.conns = xcalloc((size_t)opts->jobs, sizeof(*ctx.conns));
	if (ctx.drv->connect(&ctx.conns[0], opts->target, DBERR_TARGET, err) < 0)
		goto out;
	ctx.nconns = 1;
	if (meta->slot[0] && load_online_claim(&ctx, err) < 0)
		goto out;
	if (load_plan(&ctx, model, err) < 0 || load_connect(&ctx, err) < 0 ||
	    load_record_xforms(&ctx, err) < 0)
		goto out;
	fold_partitions(&ctx);
	if (ctx.do_schema && load_roles(&ctx, err) < 0)
		goto out;
	if (ctx.do_schema && load_pre_data(&ctx, err) < 0)
		goto out;
	/* One display from the first row to the last step: the summary
	 * comes after the keys and foreign keys. */
	ctx.prog = progress_new((enum progress_mode)opts->progress, feed ? "copy" : "load");
	progress_begin(ctx.prog);
	if (ctx.do_data && (load_probe_tables(&ctx, err) < 0 ||
			    (feed ? load_from_feed(&ctx, feed, err)
				  : load_from_chunks(&ctx, err)) < 0))
		goto out;
	if (ctx.do_schema && load_post_data(&ctx, err) < 0)
		goto out;
	if (meta->slot[0] && load_cdc_start(&ctx, err) < 0)
		goto out;
	res->tables = model->ntables;
	res->rows = ctx.rows;
	ret = 0;
out:
	progress_end(ctx.prog, ret == 0);
	if (ret < 0 && ctx.drv && !(ctx.drv->caps & DB_CAP_TRANSACTIONAL_DDL) &&
	    res->steps_run > 0 && err->cls != DBERR_USAGE && err->cls != DBERR_INTERRUPTED)
		kept_on_target(res->steps_run, err);
	for (int i = ctx.nconns - 1; i >= 0; i--)
		ctx.drv->close(ctx.conns[i]);
	free(ctx.conns);
	free(ctx.jobs);
	free(ctx.early);
	free(ctx.early_table);
	free(ctx.chunks_left);
	free(ctx.into);
	ddl_plan_release(&ctx.plan);
	strlist_release(&ctx.done);
	pthread_mutex_destroy(&ctx.lock);
	pthread_cond_destroy(&ctx.chunk_done);
	res->seconds = now_seconds() - t0;
	return ret;
}
