/*
 * dump.c - dbmig dump: one snapshot, many readers, one manifest.
 *
 * The first connection exports a snapshot; the others import it before
 * any of them reads, so every table is read at the same instant. Tables
 * are handed to the workers largest first (the pool balances the rest).
 * A table's rows stream through the chunk writer, which starts a new file
 * every chunk_bytes of canonical data, so memory stays bounded by one
 * row plus the compression buffers whatever the table size. The manifest
 * is written last: without it the directory is not a dump.
 */
#include "dump.h"

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
#include "lib/cdc/cdc_ops.h"
#include "lib/base/version.h"
#include "lib/base/workpool.h"
#include "lib/base/banned.h"

/* One unit of reading: a whole table, or one key range of a big one. */
struct dump_job {
	int ti;			/* table index */
	const char *const *lo;	/* range lo < key <= hi; NULL: unbounded */
	const char *const *hi;
	int64_t est_bytes;	/* for scheduling, largest first */
};

struct dump_ctx {
	const struct dump_opts *opts;
	const struct db_driver *drv;
	struct schema_model *model;
	struct dump_job *jobs;
	struct strlist *keys;		/* per table: the key its ranges cut */
	int *next_chunk;		/* per table: the next chunk file number */
	pthread_mutex_t mu;		/* guards the tables' chunks, rows, profiles
					 * and next_chunk while ranges run in parallel */
	struct progress *prog;
	const struct dump_stream *stream;	/* a direct copy's loaders, or NULL */
};

struct table_sink {
	struct dump_ctx *ctx;
	struct table *t;	/* the table in the model: chunks go here */
	int tindex;
	int ncols;
	struct chunk_writer *w;		/* the chunk's file, when there is a dump */
	void *job;			/* the stream's handle for this job */
	int open;			/* a chunk is open */
	char name[32];			/* its file name, also its ledger item */
	uint64_t rows, raw;		/* of the open chunk, without a file */
	uint64_t rows_unreported;	/* progress goes out in batches */
	uint64_t raw_reported;		/* of the open chunk */
	/* text and binary in keys: their longest value (column_max_len) */
	int nmeasured;
	int *measured;			/* data column indexes */
	int *measured_col;		/* their columns in t */
	int64_t *max_len;
};

/* Text and binary columns in a key have their longest value measured as
 * the rows go by, for a target that sizes keys from it (MySQL). */
static void
measure_setup(struct table_sink *s)
{
	const struct table *t = s->t;

	s->measured = xcalloc((size_t)t->ncols + 1, sizeof(*s->measured));
	s->measured_col = xcalloc((size_t)t->ncols + 1, sizeof(*s->measured_col));
	s->max_len = xcalloc((size_t)t->ncols + 1, sizeof(*s->max_len));
	for (int i = 0, d = 0; i < t->ncols; i++) {
		enum ntype nt = t->cols[i].type.t;

		if (t->cols[i].generated_expr)
			continue;
		if ((nt == NT_TEXT || nt == NT_VARCHAR || nt == NT_CHAR || nt == NT_BYTES) &&
		    table_column_in_key(t, t->cols[i].name)) {
			s->measured[s->nmeasured] = d;
			s->measured_col[s->nmeasured++] = i;
		}
		d++;
	}
}

static void
measure_row(struct table_sink *s, const struct value *vals)
{
	for (int k = 0; k < s->nmeasured; k++) {
		const struct value *v = &vals[s->measured[k]];
		int64_t n = 0;

		if (v->isnull)
			continue;
		if (s->t->cols[s->measured_col[k]].type.t == NT_BYTES)
			n = (int64_t)v->len;
		else	/* UTF-8: the bytes that start a character */
			for (size_t i = 0; i < v->len; i++)
				n += (v->p[i] & 0xC0) != 0x80;
		if (n > s->max_len[k])
			s->max_len[k] = n;
	}
}

/* Called with the model's lock held. */
static void
measure_merge(struct table_sink *s)
{
	for (int k = 0; k < s->nmeasured; k++) {
		struct column *col = &s->t->cols[s->measured_col[k]];

		if (!col->has_max_len || s->max_len[k] > col->max_len)
			col->max_len = s->max_len[k];
		col->has_max_len = 1;
	}
}

static void
measure_release(struct table_sink *s)
{
	free(s->measured);
	free(s->measured_col);
	free(s->max_len);
}

/* Canonical bytes of the open chunk so far: chunks end at the same row
 * whether or not a file is written. */
static uint64_t
sink_raw(const struct table_sink *s)
{
	return s->w ? chunk_writer_raw_bytes(s->w) : s->raw;
}

static void
report_rows(struct table_sink *s)
{
	uint64_t raw = s->open ? sink_raw(s) : s->raw_reported;

	progress_rows(s->ctx->prog, s->tindex, s->rows_unreported, raw - s->raw_reported);
	s->rows_unreported = 0;
	s->raw_reported = raw;
}

static int
sink_finish_chunk(struct table_sink *s, struct dberr *err)
{
	struct chunk c;
	int r = 0;

	memset(&c, 0, sizeof(c));
	report_rows(s);
	if (s->w) {
		r = chunk_writer_finish(s->w, &c, err);
		s->w = NULL;
	} else {
		c.file = xstrdup(s->name);
		c.rows = s->rows;
		c.raw_bytes = s->raw;
	}
	s->open = 0;
	/* The file is in place before the loader may commit the chunk. */
	if (r == 0 && s->ctx->stream)
		r = s->ctx->stream->chunk_end(s->job, err);
	if (r < 0) {
		free(c.file);
		return -1;
	}
	progress_rows(s->ctx->prog, s->tindex, 0,
		      c.raw_bytes > s->raw_reported ? c.raw_bytes - s->raw_reported : 0);
	s->raw_reported = 0;
	progress_chunk_done(s->ctx->prog, s->tindex, c.file, c.rows, c.raw_bytes);
	pthread_mutex_lock(&s->ctx->mu);
	*table_add_chunk(s->t) = c;
	s->t->rows += c.rows;
	pthread_mutex_unlock(&s->ctx->mu);
	return 0;
}

static int
sink_open_chunk(struct table_sink *s, struct dberr *err)
{
	const struct dump_stream *st = s->ctx->stream;
	int n;

	pthread_mutex_lock(&s->ctx->mu);
	n = s->ctx->next_chunk[s->tindex]++;
	pthread_mutex_unlock(&s->ctx->mu);
	if (n > 99999)
		return dberr_set(err, DBERR_UNSUPPORTED, "table %s.%s needs more "
				 "than 99999 chunks; dump again with a larger --chunk-size",
				 s->t->schema, s->t->name);
	snprintf(s->name, sizeof(s->name), "t%05d_c%05d.zst", s->tindex, n);
	s->rows = 0;
	s->raw = 0;
	if (s->ctx->opts->outdir) {
		s->w = chunk_writer_open(s->ctx->opts->outdir, s->name, s->ncols,
					 s->ctx->opts->compress_level, err);
		if (!s->w)
			return -1;
	}
	s->open = 1;
	if (st && st->chunk_begin(s->job, s->name, err) < 0) {
		chunk_writer_abort(s->w);
		s->w = NULL;
		s->open = 0;
		return -1;
	}
	return 0;
}

static int
sink_row(void *arg, const struct value *vals, struct dberr *err)
{
	struct table_sink *s = arg;

	if (!s->open && sink_open_chunk(s, err) < 0)
		return -1;
	if (s->w && chunk_writer_row(s->w, vals, err) < 0)
		return -1;
	if (s->nmeasured)
		measure_row(s, vals);
	if (s->ctx->stream) {
		int64_t n = s->ctx->stream->row(s->job, vals, err);

		if (n < 0)
			return -1;
		s->raw += (uint64_t)n;
	}
	s->rows++;
	if (++s->rows_unreported == 8192)
		report_rows(s);
	if (sink_raw(s) >= s->ctx->opts->chunk_bytes)
		return sink_finish_chunk(s, err);
	return 0;
}

/* What one range saw in the values, added to the table's. */
static void
profile_merge(struct col_profile *into, const struct col_profile *p)
{
	if (!p->done)
		return;
	if (!into->done) {
		*into = *p;
		return;
	}
	into->zero_dates += p->zero_dates;
	into->only_0_1 &= p->only_0_1;
	into->outside_day |= p->outside_day;
}

static int
dump_table_job(void *state, size_t jobno, void *arg, struct dberr *err)
{
	struct dump_ctx *ctx = arg;
	struct db_conn *conn = state;
	const struct dump_job *job = &ctx->jobs[jobno];
	struct table *t = &ctx->model->tables[job->ti];
	struct table_sink s;
	struct table view = *t;
	double t0 = now_seconds();
	int ranged = job->lo || job->hi, r;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.t = t;
	s.tindex = job->ti;
	for (int i = 0; i < t->ncols; i++)
		if (!t->cols[i].generated_expr)
			s.ncols++;
	progress_part_start(ctx->prog, job->ti);
	if (ctx->stream && !(s.job = ctx->stream->job_begin(ctx->stream->arg, job->ti, s.ncols, err)))
		return -1;
	measure_setup(&s);
	/* The driver notes what it sees in the values (profiles) on the
	 * table it reads: give each range its own columns, merged after. */
	view.cols = xmalloc((size_t)t->ncols * sizeof(*view.cols) + 1);
	memcpy(view.cols, t->cols, (size_t)t->ncols * sizeof(*view.cols));
	if (s.ncols == 0)
		r = 0;
	else if (ranged)
		r = ctx->drv->source->copy_out_range(conn, &view, &ctx->keys[job->ti], job->lo, job->hi,
					     sink_row, &s, err);
	else
		r = ctx->drv->source->copy_out(conn, &view, sink_row, &s, err);
	if (r == 0 && s.open)
		r = sink_finish_chunk(&s, err);
	if (r < 0) {
		chunk_writer_abort(s.w);
		s.w = NULL;
	}
	if (ctx->stream && ctx->stream->job_end(s.job, r < 0, err) < 0)
		r = -1;
	if (r < 0) {
		free(view.cols);
		measure_release(&s);
		return -1;
	}
	pthread_mutex_lock(&ctx->mu);
	for (int i = 0; i < t->ncols && s.ncols && !(ctx->stream && ctx->stream->profiles_known); i++)
		profile_merge(&t->cols[i].profile, &view.cols[i].profile);
	measure_merge(&s);
	pthread_mutex_unlock(&ctx->mu);
	measure_release(&s);
	free(view.cols);
	progress_part_done(ctx->prog, job->ti);
	if (ranged)
		log_debug("dumped a key range of %s.%s in %.1f s", t->schema, t->name,
			  now_seconds() - t0);
	else
		log_info("%s %s.%s: %" PRIu64 " rows in %d chunk%s, %.1f s",
			 ctx->stream ? "copied" : "dumped", t->schema,
			 t->name, t->rows, t->nchunks, t->nchunks == 1 ? "" : "s",
			 now_seconds() - t0);
	return 0;
}

static int
by_size_desc(const void *a, const void *b)
{
	const struct dump_job *x = a, *y = b;

	if (x->est_bytes != y->est_bytes)
		return x->est_bytes < y->est_bytes ? 1 : -1;
	return x->ti - y->ti;
}

static int
by_file_name(const void *a, const void *b)
{
	return strcmp(((const struct chunk *)a)->file, ((const struct chunk *)b)->file);
}

/*
 * The jobs: every table, and the big ones cut into key ranges so that no
 * table alone sets the wall clock. A table is cut when it holds more than
 * twice the share of one range, max(chunk size, all tables / 4 jobs), and
 * has a primary key; the boundaries come from a sample in the snapshot.
 */
static int
plan_jobs(struct dump_ctx *ctx, struct db_conn *c, int jobs, int *njobs,
	  struct strlist *bounds, struct dberr *err)
{
	struct schema_model *m = ctx->model;
	int64_t total = 0, share;
	int n = 0, alloc = m->ntables + 1;

	for (int i = 0; i < m->ntables; i++)
		total += m->tables[i].est_bytes > 0 ? m->tables[i].est_bytes : 0;
	share = total / (4 * (int64_t)jobs);
	if (share < (int64_t)ctx->opts->chunk_bytes)
		share = (int64_t)ctx->opts->chunk_bytes;
	ctx->jobs = xcalloc((size_t)alloc, sizeof(*ctx->jobs));
	for (int i = 0; i < m->ntables; i++) {
		struct table *t = &m->tables[i];
		const struct constraint *pk = NULL;
		int nparts = 1, nb;

		if (t->partition_key)
			continue;	/* partitioned: its rows are its partitions' */
		for (int k = 0; k < t->ncons; k++)
			if (t->cons[k].kind == 'p')
				pk = &t->cons[k];
		if (jobs > 1 && pk && pk->columns.n && ctx->drv->source->key_bounds &&
		    t->est_bytes > 2 * share) {
			nparts = (int)((t->est_bytes + share - 1) / share);
			if (nparts > 64)
				nparts = 64;
			for (size_t k = 0; k < pk->columns.n; k++)
				strlist_push(&ctx->keys[i], pk->columns.v[k]);
			if (ctx->drv->source->key_bounds(c, t, &ctx->keys[i], nparts, &bounds[i], err) < 0)
				return -1;
		}
		nb = ctx->keys[i].n ? (int)(bounds[i].n / ctx->keys[i].n) : 0;
		if (n + nb + 1 > alloc) {
			alloc = 2 * (n + nb + 1);
			ctx->jobs = xrealloc(ctx->jobs, (size_t)alloc * sizeof(*ctx->jobs));
		}
		for (int part = 0; part <= nb; part++) {
			struct dump_job *j = &ctx->jobs[n++];
			size_t w = ctx->keys[i].n;

			j->ti = i;
			j->lo = part ? (const char *const *)&bounds[i].v[(size_t)(part - 1) * w] : NULL;
			j->hi = part < nb ? (const char *const *)&bounds[i].v[(size_t)part * w] : NULL;
			j->est_bytes = t->est_bytes / (nb + 1);
		}
		if (nb)
			log_info("reading %s.%s in %d key ranges", t->schema, t->name, nb + 1);
	}
	qsort(ctx->jobs, (size_t)n, sizeof(*ctx->jobs), by_size_desc);
	*njobs = n;
	return 0;
}

static void
random_id(char *out /* 33 bytes */)
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

	if (n != (ssize_t)sizeof(b)) {
		/* Only uniqueness matters here, not secrecy. */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 37);
	}
	if (fd >= 0)
		close(fd);
	hex_encode(b, sizeof(b), out);
}

/* A failed online dump removes the capture it started: a slot nobody
 * reads keeps WAL on the source's disk for ever. */
void
dump_source_abandon(struct dump_source *src)
{
	struct dberr ignored = DBERR_INIT;

	if (!src->snap.slot[0] && !src->snap.publication[0])
		return;
	if (src->nconns && src->drv->cdc->capture_drop(src->conns[0], src->snap.slot,
						       src->snap.publication, &ignored) < 0)
		log_warn("could not remove replication slot %s and publication %s from the "
			 "source (%s): drop them there, or run dbmig cdc-tail --drop",
			 src->snap.slot, src->snap.publication, ignored.msg);
	src->snap.slot[0] = src->snap.publication[0] = '\0';
}

void
dump_source_close(struct dump_source *src)
{
	for (int i = src->nconns - 1; i >= 0; i--)
		src->drv->close(src->conns[i]);
	free(src->conns);
	src->conns = NULL;
	src->nconns = 0;
	schema_release(&src->model);
}

int
dump_source_open(const struct dump_opts *opts, struct dump_source *src, struct dberr *err)
{
	const struct db_driver *drv;
	struct db_snapshot *snap = &src->snap;

	memset(src, 0, sizeof(*src));
	src->started = time(NULL);
	random_id(src->dump_id);
	if (!(drv = src->drv = driver_for_uri(opts->source, DBERR_SOURCE, err)))
		return -1;
	if (opts->online && !(drv->cdc && drv->cdc->capture_begin))
		return dberr_set(err, DBERR_UNSUPPORTED, "dump --online captures changes from "
				 "PostgreSQL in this version of dbmig, not from %s", drv->name);
	src->conns = xcalloc((size_t)opts->jobs, sizeof(*src->conns));
	/* Every connection is open before the snapshot is taken, so a
	 * MySQL global read lock is held for as short a time as it can. */
	for (int want = opts->schema_only ? 1 : opts->jobs; src->nconns < want; src->nconns++)
		if (drv->connect(&src->conns[src->nconns], opts->source, DBERR_SOURCE, err) < 0)
			goto fail;
	if (opts->online) {
		char name[64];

		snprintf(name, sizeof(name), "dbmig_%s", src->dump_id);
		if (drv->cdc->capture_begin(src->conns[0], opts->source, &opts->filter, name,
					    opts->replica_identity_full ?
					    CAPTURE_REPLICA_IDENTITY_FULL : 0, src->nconns - 1, snap,
					    err) < 0)
			goto fail;
		if (snap->pos.kind == POSITION_BINLOG)
			log_info("change capture starts at %s (the tail reads the binlog from "
				 "there)", snap->pos.text);
		else
			log_info("change capture starts at %s (slot and publication %s)",
				 snap->pos.text, name);
	} else if (drv->source->snapshot_export(src->conns[0], src->nconns - 1, snap, err) < 0) {
		goto fail;
	}
	if (snap->shareable < src->nconns - 1 && opts->allow_inconsistent) {
		/* Asked for: every reader takes its own snapshot, and the
		 * manifest says the dump is not one instant. */
		log_warn("the source role cannot share its snapshot; reading with %d "
			 "connections, each at its own instant (--allow-inconsistent): the "
			 "dump is NOT consistent across tables", src->nconns);
		snap->consistent = 0;
		snap->shareable = src->nconns - 1;
	} else if (snap->shareable < src->nconns - 1) {
		log_warn("reading with %d connection%s instead of %d: %s", snap->shareable + 1,
			 snap->shareable ? "s" : "", src->nconns, "the source role cannot share its "
			 "snapshot (a global read lock needs the RELOAD privilege); "
			 "--allow-inconsistent reads in parallel without one instant");
		while (src->nconns > snap->shareable + 1)
			drv->close(src->conns[--src->nconns]);
	}
	for (int i = 1; i < src->nconns; i++)
		if (drv->source->snapshot_import(src->conns[i], snap, err) < 0)
			goto fail;
	if (drv->source->snapshot_release(src->conns[0], err) < 0 ||
	    drv->source->schema_read(src->conns[0], &opts->filter, &src->model, err) < 0)
		goto fail;
	{
		const char *miss = schema_unmatched_pattern(&src->model, &opts->filter.include);

		if (miss) {
			schema_unmatched_error(miss, err);
			goto fail;
		}
	}
	if (src->model.ntables > 99999) {
		dberr_set(err, DBERR_UNSUPPORTED, "%d tables: dump format v1 holds at "
			  "most 99999; select fewer with -t/-T", src->model.ntables);
		goto fail;
	}
	for (size_t i = 0; i < src->model.warnings.n; i++)
		log_warn("%s", src->model.warnings.v[i]);
	return 0;
fail:
	dump_source_abandon(src);
	dump_source_close(src);
	return -1;
}

int
dump_rows(const struct dump_opts *opts, struct dump_source *src,
	  const struct dump_stream *stream, struct dberr *err)
{
	struct schema_model *model = &src->model;
	struct strlist *bounds;
	struct dump_ctx ctx;
	int njobs = 0, nworkers, ret;

	if (opts->schema_only || !model->ntables)
		return 0;
	bounds = xcalloc((size_t)model->ntables, sizeof(*bounds));
	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = opts;
	ctx.drv = src->drv;
	ctx.model = model;
	ctx.stream = stream;
	ctx.keys = xcalloc((size_t)model->ntables, sizeof(*ctx.keys));
	ctx.next_chunk = xcalloc((size_t)model->ntables, sizeof(*ctx.next_chunk));
	pthread_mutex_init(&ctx.mu, NULL);
	/* Ranges of one table must be read at one instant: without a
	 * shared snapshot (--allow-inconsistent), tables stay whole. */
	ret = plan_jobs(&ctx, src->conns[0], src->snap.consistent ? src->nconns : 1, &njobs,
			bounds, err);
	nworkers = src->nconns < njobs ? src->nconns : njobs;
	ctx.prog = stream && stream->prog ? stream->prog
		   : progress_new((enum progress_mode)opts->progress, "dump");
	progress_estimated(ctx.prog);	/* the servers' row counts are estimates */
	for (int i = 0; i < model->ntables; i++) {
		struct strbuf qn = STRBUF_INIT;
		int parts = 0;

		for (int k = 0; k < njobs; k++)
			parts += ctx.jobs[k].ti == i;
		if (stream && stream->table_parts)
			stream->table_parts(stream->arg, i, parts);
		table_qualname(&model->tables[i], &qn);
		/* by the rows the line shows: the server's row estimate, not
		 * its bytes on disk, which are not the bytes dbmig reads */
		progress_add_table(ctx.prog, qn.buf, (uint64_t)(model->tables[i].est_rows > 0 ?
				   model->tables[i].est_rows : 0),
				   (uint64_t)(model->tables[i].est_bytes > 0 ?
				   model->tables[i].est_bytes : 0), parts);
		strbuf_release(&qn);
	}
	if (!(stream && stream->prog))
		progress_begin(ctx.prog);
	if (ret == 0) {
		log_info("%s %d table%s (%d job%s) with %d connection%s at %s %s",
			 stream ? "copying" : "dumping", model->ntables, PLURAL(model->ntables),
			 njobs, PLURAL(njobs), nworkers, PLURAL(nworkers), src->snap.kind,
			 src->snap.pos.text);
		ret = workpool_run(nworkers, (void **)src->conns, (size_t)njobs,
				   dump_table_job, &ctx, err);
	}
	for (int i = 0; i < model->ntables; i++) {
		struct table *t = &model->tables[i];

		/* ranges finish in any order; the manifest lists by name */
		if (t->nchunks > 1)
			qsort(t->chunks, (size_t)t->nchunks, sizeof(*t->chunks), by_file_name);
		if (ctx.keys[i].n && ret == 0)
			log_info("%s %s.%s: %" PRIu64 " rows in %d chunk%s", stream ? "copied" : "dumped",
				 t->schema, t->name, t->rows, t->nchunks, t->nchunks == 1 ? "" : "s");
		strlist_release(&ctx.keys[i]);
		strlist_release(&bounds[i]);
	}
	if (!(stream && stream->prog))
		progress_end(ctx.prog, ret == 0);
	pthread_mutex_destroy(&ctx.mu);
	free(ctx.jobs);
	free(ctx.keys);
	free(ctx.next_chunk);
	free(bounds);
	return ret;
}

void
dump_meta_fill(const struct dump_opts *opts, const struct dump_source *src,
	       struct dump_meta *meta)
{
	const struct db_driver *drv = src->drv;
	struct tm tm;

	memset(meta, 0, sizeof(*meta));
	snprintf(meta->dump_id, sizeof(meta->dump_id), "%s", src->dump_id);
	snprintf(meta->slot, sizeof(meta->slot), "%s", src->snap.slot);
	snprintf(meta->publication, sizeof(meta->publication), "%s", src->snap.publication);
	snprintf(meta->tool_version, sizeof(meta->tool_version), "%s", DBMIG_VERSION);
	gmtime_r(&src->started, &tm);
	strftime(meta->created_at, sizeof(meta->created_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(meta->engine, sizeof(meta->engine), "%s", drv->name);
	snprintf(meta->server_version, sizeof(meta->server_version), "%s",
		 drv->server_version(src->conns[0]));
	snprintf(meta->database, sizeof(meta->database), "%s", drv->database(src->conns[0]));
	snprintf(meta->snapshot_kind, sizeof(meta->snapshot_kind), "%s", src->snap.kind);
	meta->position = src->snap.pos;
	meta->position.exact = src->snap.pos.exact && src->snap.consistent;
	meta->inconsistent = !src->snap.consistent;
	meta->has_schema = !opts->data_only;
	meta->has_data = !opts->schema_only;
	meta->unmapped_as_text = opts->filter.unmapped_as_text;
}

/* What the data showed that a cross-engine load will have to decide goes
 * into the manifest too, not only the load's report. */
void
dump_profile_warnings(struct schema_model *model)
{
	for (int i = 0; i < model->ntables; i++)
		for (int k = 0; k < model->tables[i].ncols; k++) {
			const struct table *t = &model->tables[i];
			const struct column *col = &t->cols[k];
			struct strbuf w = STRBUF_INIT;

			if (col->profile.zero_dates)
				strbuf_addf(&w, "column %s.%s.%s holds %llu zero date%s such as "
					    "'0000-00-00', which a target without zero dates stores "
					    "as NULL", t->schema, t->name, col->name,
					    (unsigned long long)col->profile.zero_dates,
					    col->profile.zero_dates == 1 ? "" : "s");
			else if (col->profile.outside_day)
				strbuf_addf(&w, "column %s.%s.%s holds TIME values below 0 or beyond "
					    "24 hours", t->schema, t->name, col->name);
			if (w.len) {
				log_warn("%s", w.buf);
				strlist_push(&model->warnings, w.buf);
			}
			strbuf_release(&w);
		}
}

void
dump_result_fill(const struct dump_source *src, struct dump_result *res)
{
	const struct schema_model *model = &src->model;

	res->tables = model->ntables;
	for (int i = 0; i < model->ntables; i++) {
		const struct table *t = &model->tables[i];

		res->rows += t->rows;
		res->chunks += (uint64_t)t->nchunks;
		for (int k = 0; k < t->nchunks; k++) {
			res->bytes += t->chunks[k].bytes;
			res->raw_bytes += t->chunks[k].raw_bytes;
		}
	}
	res->position = src->snap.pos;
	res->warnings = (int)model->warnings.n;
	snprintf(res->slot, sizeof(res->slot), "%s", src->snap.slot);
}

int
dump_run(const struct dump_opts *opts, struct dump_result *res, struct dberr *err)
{
	struct dump_source src;
	struct dump_meta meta;
	int dir_created = 0, ret = -1;
	double t0 = now_seconds();

	memset(res, 0, sizeof(*res));
	if (dump_source_open(opts, &src, err) < 0) {
		res->seconds = now_seconds() - t0;
		return -1;
	}
	if (dumpfmt_dir_create(opts->outdir, &dir_created, err) < 0) {
		dump_source_abandon(&src);
		goto out;
	}
	if (dump_rows(opts, &src, NULL, err) < 0)
		goto fail;
	dump_profile_warnings(&src.model);
	dump_meta_fill(opts, &src, &meta);
	if (manifest_write(opts->outdir, &meta, &src.model, err) < 0)
		goto fail;
	dump_result_fill(&src, res);
	ret = 0;
	goto out;
fail:
	dumpfmt_dir_cleanup(opts->outdir, dir_created);
	dump_source_abandon(&src);
out:
	dump_source_close(&src);
	res->seconds = now_seconds() - t0;
	return ret;
}
