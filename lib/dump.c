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
#include "migrate.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../dumpfmt/dumpfmt.h"
#include "log.h"
#include "version.h"
#include "workpool.h"
#include "banned.h"

struct dump_ctx {
	const struct dump_opts *opts;
	const struct db_driver *drv;
	struct schema_model *model;
	int *order;			/* table indexes, largest first */
};

struct table_sink {
	struct dump_ctx *ctx;
	struct table *t;
	int tindex;
	int ncols;
	struct chunk_writer *w;
};

static int
sink_finish_chunk(struct table_sink *s, struct dberr *err)
{
	struct chunk *c = table_add_chunk(s->t);
	int r = chunk_writer_finish(s->w, c, err);

	s->w = NULL;
	if (r < 0) {
		s->t->nchunks--;	/* the slot was never filled */
		return -1;
	}
	s->t->rows += c->rows;
	return 0;
}

static int
sink_row(void *arg, const struct value *vals, struct dberr *err)
{
	struct table_sink *s = arg;

	if (!s->w) {
		char name[32];

		if (s->t->nchunks >= 99999)
			return dberr_set(err, DBERR_UNSUPPORTED, "table %s.%s needs more "
					 "than 99999 chunks; dump again with a larger --chunk-size",
					 s->t->schema, s->t->name);
		snprintf(name, sizeof(name), "t%05d_c%05d.zst", s->tindex, s->t->nchunks);
		s->w = chunk_writer_open(s->ctx->opts->outdir, name, s->ncols,
					 s->ctx->opts->compress_level, err);
		if (!s->w)
			return -1;
	}
	if (chunk_writer_row(s->w, vals, err) < 0)
		return -1;
	if (chunk_writer_raw_bytes(s->w) >= s->ctx->opts->chunk_bytes)
		return sink_finish_chunk(s, err);
	return 0;
}

static int
dump_table_job(void *state, size_t job, void *arg, struct dberr *err)
{
	struct dump_ctx *ctx = arg;
	struct db_conn *conn = state;
	int ti = ctx->order[job];
	struct table_sink s = { ctx, &ctx->model->tables[ti], ti, 0, NULL };
	double t0 = now_seconds();

	for (int i = 0; i < s.t->ncols; i++)
		if (!s.t->cols[i].generated_expr)
			s.ncols++;
	if (s.ncols == 0)
		return 0;
	if (ctx->drv->copy_out(conn, s.t, sink_row, &s, err) < 0) {
		chunk_writer_abort(s.w);
		return -1;
	}
	if (s.w && sink_finish_chunk(&s, err) < 0)
		return -1;
	log_info("dumped %s.%s: %" PRIu64 " rows in %d chunk%s, %.1f s", s.t->schema,
		 s.t->name, s.t->rows, s.t->nchunks, s.t->nchunks == 1 ? "" : "s",
		 now_seconds() - t0);
	return 0;
}

struct table_size {
	int64_t bytes;
	int index;
};

static int
by_size_desc(const void *a, const void *b)
{
	const struct table_size *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : x->index - y->index;
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

int
dump_run(const struct dump_opts *opts, struct dump_result *res, struct dberr *err)
{
	struct schema_model model;
	struct db_snapshot snap;
	struct dump_meta meta;
	struct dump_ctx ctx;
	struct db_conn **conns = NULL;
	const struct db_driver *drv;
	int nconns = 0, dir_created = 0, dir_ready = 0, ret = -1;
	double t0 = now_seconds();
	time_t now = time(NULL);
	struct tm tm;

	memset(res, 0, sizeof(*res));
	memset(&model, 0, sizeof(model));
	memset(&snap, 0, sizeof(snap));
	memset(&meta, 0, sizeof(meta));
	if (!(drv = driver_for_uri(opts->source, DBERR_SOURCE, err)))
		return -1;
	conns = xcalloc((size_t)opts->jobs, sizeof(*conns));
	/* Every connection is open before the snapshot is taken, so a
	 * MySQL global read lock is held for as short a time as it can. */
	for (int want = opts->schema_only ? 1 : opts->jobs; nconns < want; nconns++)
		if (drv->connect(&conns[nconns], opts->source, DBERR_SOURCE, err) < 0)
			goto out;
	if (drv->snapshot_export(conns[0], nconns - 1, &snap, err) < 0)
		goto out;
	if (snap.shareable < nconns - 1 && opts->allow_inconsistent) {
		/* Asked for: every reader takes its own snapshot, and the
		 * manifest says the dump is not one instant. */
		log_warn("the source role cannot share its snapshot; reading with %d "
			 "connections, each at its own instant (--allow-inconsistent): the "
			 "dump is NOT consistent across tables", nconns);
		snap.consistent = 0;
		snap.shareable = nconns - 1;
	} else if (snap.shareable < nconns - 1) {
		log_warn("reading with %d connection%s instead of %d: %s", snap.shareable + 1,
			 snap.shareable ? "s" : "", nconns, "the source role cannot share its "
			 "snapshot (a global read lock needs the RELOAD privilege); "
			 "--allow-inconsistent reads in parallel without one instant");
		while (nconns > snap.shareable + 1)
			drv->close(conns[--nconns]);
	}
	for (int i = 1; i < nconns; i++)
		if (drv->snapshot_import(conns[i], &snap, err) < 0)
			goto out;
	if (drv->snapshot_release(conns[0], err) < 0 ||
	    drv->schema_read(conns[0], &opts->filter, &model, err) < 0)
		goto out;
	if (model.ntables > 99999) {
		dberr_set(err, DBERR_UNSUPPORTED, "%d tables: dump format v1 holds at "
			  "most 99999; select fewer with -t/-T", model.ntables);
		goto out;
	}
	for (size_t i = 0; i < model.warnings.n; i++)
		log_warn("%s", model.warnings.v[i]);
	if (dumpfmt_dir_create(opts->outdir, &dir_created, err) < 0)
		goto out;
	dir_ready = 1;

	if (!opts->schema_only && model.ntables) {
		int nworkers = nconns < model.ntables ? nconns : model.ntables;

		ctx.opts = opts;
		ctx.drv = drv;
		ctx.model = &model;
		ctx.order = xcalloc((size_t)model.ntables, sizeof(int));
		{
			struct table_size *ts = xcalloc((size_t)model.ntables, sizeof(*ts));

			for (int i = 0; i < model.ntables; i++) {
				ts[i].bytes = model.tables[i].est_bytes;
				ts[i].index = i;
			}
			qsort(ts, (size_t)model.ntables, sizeof(*ts), by_size_desc);
			for (int i = 0; i < model.ntables; i++)
				ctx.order[i] = ts[i].index;
			free(ts);
		}
		log_info("dumping %d tables with %d connection%s at %s %s", model.ntables,
			 nworkers, nworkers == 1 ? "" : "s", snap.kind, snap.position);
		ret = workpool_run(nworkers, (void **)conns, (size_t)model.ntables,
				   dump_table_job, &ctx, err);
		free(ctx.order);
		if (ret < 0)
			goto out;
		ret = -1;
	}

	/* What the data showed that a cross-engine load will have to decide
	 * goes into the manifest too, not only the load's report. */
	for (int i = 0; i < model.ntables; i++)
		for (int k = 0; k < model.tables[i].ncols; k++) {
			const struct table *t = &model.tables[i];
			const struct column *col = &t->cols[k];
			struct strbuf w = STRBUF_INIT;

			if (col->profile.zero_dates)
				strbuf_addf(&w, "column %s.%s.%s holds %llu MySQL zero date%s, which "
					    "PostgreSQL cannot hold", t->schema, t->name, col->name,
					    (unsigned long long)col->profile.zero_dates,
					    col->profile.zero_dates == 1 ? "" : "s");
			else if (col->profile.outside_day)
				strbuf_addf(&w, "column %s.%s.%s holds TIME values below 0 or beyond "
					    "24 hours", t->schema, t->name, col->name);
			if (w.len) {
				log_warn("%s", w.buf);
				strlist_push(&model.warnings, w.buf);
			}
			strbuf_release(&w);
		}
	random_id(meta.dump_id);
	snprintf(meta.tool_version, sizeof(meta.tool_version), "%s", DBMIG_VERSION);
	gmtime_r(&now, &tm);
	strftime(meta.created_at, sizeof(meta.created_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(meta.engine, sizeof(meta.engine), "%s", drv->name);
	snprintf(meta.server_version, sizeof(meta.server_version), "%s",
		 drv->server_version(conns[0]));
	snprintf(meta.database, sizeof(meta.database), "%s", drv->database(conns[0]));
	snprintf(meta.snapshot_kind, sizeof(meta.snapshot_kind), "%s", snap.kind);
	snprintf(meta.position, sizeof(meta.position), "%s", snap.position);
	meta.position_exact = snap.position_exact && snap.consistent;
	meta.inconsistent = !snap.consistent;
	snprintf(meta.gtid, sizeof(meta.gtid), "%s", snap.gtid);
	meta.has_schema = !opts->data_only;
	meta.has_data = !opts->schema_only;
	meta.unmapped_as_text = opts->filter.unmapped_as_text;
	if (manifest_write(opts->outdir, &meta, &model, err) < 0)
		goto out;

	res->tables = model.ntables;
	for (int i = 0; i < model.ntables; i++) {
		const struct table *t = &model.tables[i];

		res->rows += t->rows;
		res->chunks += (uint64_t)t->nchunks;
		for (int k = 0; k < t->nchunks; k++) {
			res->bytes += t->chunks[k].bytes;
			res->raw_bytes += t->chunks[k].raw_bytes;
		}
	}
	snprintf(res->position, sizeof(res->position), "%s", snap.position);
	res->position_exact = snap.position_exact;
	res->warnings = (int)model.warnings.n;
	ret = 0;
out:
	for (int i = nconns - 1; i >= 0; i--)
		drv->close(conns[i]);
	free(conns);
	if (ret < 0 && dir_ready)
		dumpfmt_dir_cleanup(opts->outdir, dir_created);
	schema_release(&model);
	res->seconds = now_seconds() - t0;
	return ret;
}
