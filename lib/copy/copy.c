/*
 * copy.c - dbmig copy: a dump and a load at once, with no dump in between
 * unless one is kept.
 *
 * The source is read exactly as `dbmig dump` reads it (one snapshot,
 * tables and key ranges on -j connections, largest first) and the target
 * is written exactly as `dbmig load` writes it (schema first, one ledger
 * transaction per chunk, keys built as soon as a table is in). Between
 * them, each reading job gets a loader thread on a target connection of
 * its own and a row pipe (rowpipe.h): the rows never touch the disk, and
 * memory stays at a few pipe blocks per job. With --keep-dump the chunk
 * files are written on the way, under the same names and dump id as the
 * ledger's items, so the kept dump is exactly what was loaded.
 */
#include "copy.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpfmt/dumpfmt.h"
#include "lib/base/log.h"
#include "rowpipe.h"
#include "lib/base/banned.h"

/* Blocks of ~256 KiB waiting between one reader and its loader. */
#define PIPE_DEPTH	8

struct copy_ctx {
	struct load_ctx *lc;
	pthread_mutex_t mu;
	pthread_cond_t slot_freed;
	int *slot_busy;			/* per target connection */
	int nslots;
	int *parts_left;		/* per table: jobs not yet done */
};

struct copy_job {
	struct copy_ctx *cc;
	int ti, slot;
	struct rowpipe *pipe;
	pthread_t loader;
	int loader_failed;
	struct dberr loader_err;
};

static void *
loader_main(void *arg)
{
	struct copy_job *j = arg;
	char name[64];
	int r;

	while ((r = rowpipe_next_chunk(j->pipe, name, sizeof(name), &j->loader_err)) == 1) {
		if (load_feed_chunk(j->cc->lc, j->slot, j->ti, name, rowpipe_next_row, j->pipe,
				    &j->loader_err) < 0) {
			j->loader_failed = 1;
			rowpipe_fail(j->pipe, &j->loader_err);
			return NULL;
		}
	}
	/* r < 0: the reader failed between chunks; its error is the one
	 * job_end reports. */
	return NULL;
}

static void
copy_table_parts(void *arg, int ti, int parts)
{
	struct copy_ctx *cc = arg;

	cc->parts_left[ti] = parts;
}

static void *
copy_job_begin(void *arg, int ti, int ncols, struct dberr *err)
{
	struct copy_ctx *cc = arg;
	struct copy_job *j = xcalloc(1, sizeof(*j));

	j->cc = cc;
	j->ti = ti;
	pthread_mutex_lock(&cc->mu);
	/* as many slots as readers: one is always free, but say so */
	for (;;) {
		for (j->slot = 0; j->slot < cc->nslots && cc->slot_busy[j->slot]; j->slot++)
			;
		if (j->slot < cc->nslots)
			break;
		pthread_cond_wait(&cc->slot_freed, &cc->mu);
	}
	cc->slot_busy[j->slot] = 1;
	pthread_mutex_unlock(&cc->mu);
	j->pipe = rowpipe_new(ncols, PIPE_DEPTH);
	if (pthread_create(&j->loader, NULL, loader_main, j) != 0) {
		dberr_set(err, DBERR_INTERNAL, "cannot start a loader thread");
		pthread_mutex_lock(&cc->mu);
		cc->slot_busy[j->slot] = 0;
		pthread_mutex_unlock(&cc->mu);
		rowpipe_free(j->pipe);
		free(j);
		return NULL;
	}
	return j;
}

static int
copy_chunk_begin(void *job, const char *name, struct dberr *err)
{
	return rowpipe_chunk_begin(((struct copy_job *)job)->pipe, name, err);
}

static int64_t
copy_row(void *job, const struct value *vals, struct dberr *err)
{
	return rowpipe_row(((struct copy_job *)job)->pipe, vals, err);
}

static int
copy_chunk_end(void *job, struct dberr *err)
{
	return rowpipe_chunk_end(((struct copy_job *)job)->pipe, err);
}

static int
copy_job_end(void *job, int failed, struct dberr *err)
{
	struct copy_job *j = job;
	struct copy_ctx *cc = j->cc;
	int last;

	rowpipe_close(j->pipe, failed ? err : NULL);
	pthread_join(j->loader, NULL);
	if (j->loader_failed) {
		/* The target's refusal is the cause; the reader only
		 * stopped because of it. */
		*err = j->loader_err;
		failed = 1;
	}
	pthread_mutex_lock(&cc->mu);
	last = !failed && --cc->parts_left[j->ti] == 0;
	pthread_mutex_unlock(&cc->mu);
	if (last && load_feed_table_done(cc->lc, j->slot, j->ti, err) < 0)
		failed = 1;
	pthread_mutex_lock(&cc->mu);
	cc->slot_busy[j->slot] = 0;
	pthread_cond_broadcast(&cc->slot_freed);
	pthread_mutex_unlock(&cc->mu);
	rowpipe_free(j->pipe);
	free(j);
	return failed ? -1 : 0;
}

struct feed_arg {
	const struct copy_opts *opts;
	struct dump_source *src;
	int profiles_known;
};

/* load_model's data phase: the source's reading jobs, paired with
 * loaders on the target's connections. */
static int
copy_feed_run(void *arg, struct load_ctx *lc, struct dberr *err)
{
	struct feed_arg *fa = arg;
	struct copy_ctx cc;
	struct dump_stream stream = {
		.arg = &cc,
		.table_parts = copy_table_parts,
		.job_begin = copy_job_begin,
		.chunk_begin = copy_chunk_begin,
		.row = copy_row,
		.chunk_end = copy_chunk_end,
		.job_end = copy_job_end,
		.profiles_known = fa->profiles_known,
		.prog = load_progress(lc),
	};
	int ret;

	memset(&cc, 0, sizeof(cc));
	cc.lc = lc;
	cc.nslots = fa->opts->load.jobs;
	cc.slot_busy = xcalloc((size_t)cc.nslots, sizeof(int));
	cc.parts_left = xcalloc((size_t)fa->src->model.ntables + 1, sizeof(int));
	pthread_mutex_init(&cc.mu, NULL);
	pthread_cond_init(&cc.slot_freed, NULL);
	ret = dump_rows(&fa->opts->dump, fa->src, &stream, err);
	pthread_mutex_destroy(&cc.mu);
	pthread_cond_destroy(&cc.slot_freed);
	free(cc.slot_busy);
	free(cc.parts_left);
	return ret;
}

int
copy_run(const struct copy_opts *opts, struct copy_result *res, struct dberr *err)
{
	struct dump_source src;
	struct dump_meta meta, tmeta;
	struct schema_model tmodel;
	struct feed_arg fa = { opts, &src, 0 };
	struct load_feed feed = { copy_feed_run, &fa };
	const struct db_driver *tdrv;
	const char *keep = opts->dump.outdir;
	char *text = NULL;
	int dir_created = 0, dir_made = 0, ret = -1;
	double t0 = now_seconds();

	memset(res, 0, sizeof(*res));
	memset(&tmodel, 0, sizeof(tmodel));
	/* A target URI dbmig cannot use is refused before the source is read. */
	if (!(tdrv = driver_for_uri(opts->load.target, DBERR_TARGET, err)))
		return -1;
	if (dump_source_open(&opts->dump, &src, err) < 0)
		return -1;
	if (keep) {
		if (dumpfmt_dir_create(keep, &dir_created, err) < 0)
			goto out;
		dir_made = 1;
	}
	/* The target's types may depend on the values (MySQL tinyint(1)
	 * holding only 0 and 1 becomes boolean): a dump learns that while
	 * reading, a copy must know it before it creates the tables. */
	if (src.drv->source->profile_scan && tdrv != src.drv && !opts->dump.data_only) {
		for (int i = 0; i < src.model.ntables; i++)
			if (src.drv->source->profile_scan(src.conns[0], &src.model.tables[i], err) < 0)
				goto out;
		fa.profiles_known = 1;
		dump_profile_warnings(&src.model);
	}
	dump_meta_fill(&opts->dump, &src, &meta);
	/* The load side gets the model a load of this dump would read. */
	if (!(text = manifest_encode(&meta, &src.model))) {
		dberr_set(err, DBERR_INTERNAL, "cannot serialize the source's schema");
		goto out;
	}
	if (manifest_parse(text, strlen(text), "the source's schema", &tmeta, &tmodel, err) < 0)
		goto out;
	if (load_model(&opts->load, &tmeta, &tmodel, &feed, &res->load, err) < 0) {
		if (res->load.steps_run)
			log_warn("the target keeps what this copy did before it failed (the ledger "
				 "names dump %s); a copy cannot resume, since a new one reads a new "
				 "snapshot: drop the tables it created (or the database) and copy "
				 "again", meta.dump_id);
		goto out;
	}
	if (keep) {
		if (!fa.profiles_known)
			dump_profile_warnings(&src.model);
		/* The kept dump records how this copy converted each column
		 * (the load side's model is the same tables, in order). */
		for (int i = 0; i < src.model.ntables && i < tmodel.ntables; i++)
			for (int k = 0; k < src.model.tables[i].ncols &&
			     k < tmodel.tables[i].ncols; k++)
				src.model.tables[i].cols[k].xform = tmodel.tables[i].cols[k].xform;
		if (manifest_write(keep, &meta, &src.model, err) < 0)
			goto out;
	}
	dump_result_fill(&src, &res->dump);
	ret = 0;
out:
	if (ret < 0 && dir_made)
		dumpfmt_dir_cleanup(keep, dir_created);
	if (ret < 0)	/* --online: a copy cannot resume, its slot would only keep WAL */
		dump_source_abandon(&src);
	free(text);
	schema_release(&tmodel);
	dump_source_close(&src);
	res->seconds = now_seconds() - t0;
	return ret;
}
