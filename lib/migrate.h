/*
 * migrate.h - the dump and load procedures, composed from a driver, the
 * dump format and the worker pool. cmd/dump.c and cmd/load.c parse
 * options into these structs and print the results; everything else is
 * here, so later subcommands (verify, direct copy) can reuse it.
 */
#ifndef DBMIG_MIGRATE_H
#define DBMIG_MIGRATE_H

#include <stdint.h>
#include <time.h>

#include "dberr.h"
#include "driver.h"

struct dump_meta;

struct dump_opts {
	const char *source;		/* URI or conninfo; may hold a password */
	const char *outdir;
	int jobs;			/* connections reading in parallel */
	struct schema_filter filter;
	int schema_only, data_only;
	int compress_level;		/* zstd level */
	uint64_t chunk_bytes;		/* canonical bytes per chunk file */
	int allow_inconsistent;		/* MySQL without the lock: one snapshot per reader */
	int progress;			/* enum progress_mode */
};

struct dump_result {
	int tables;
	uint64_t rows, chunks, bytes, raw_bytes;
	double seconds;
	char position[64];
	int position_exact;
	int warnings;
};

/* Dumps opts->source into opts->outdir. On failure nothing that looks
 * like a dump is left behind. */
int dump_run(const struct dump_opts *opts, struct dump_result *res,
	     struct dberr *err);

/*
 * The pieces of dump_run, for a direct copy (copy.c), which reads the
 * source the same way but hands each chunk's rows to a loader as they
 * are read, writing the chunk files only when a dump is kept.
 */
struct dump_source {
	const struct db_driver *drv;
	struct db_conn **conns;		/* all inside one snapshot */
	int nconns;
	struct db_snapshot snap;
	struct schema_model model;	/* chunks are added as they are read */
	time_t started;
};
/* Connects opts->jobs readers, shares one snapshot, reads the schema. */
int dump_source_open(const struct dump_opts *opts, struct dump_source *src,
		     struct dberr *err);
void dump_source_close(struct dump_source *src);

/* Where a direct copy's rows go, job by job (a table or one key range of
 * it), chunk by chunk; called on the reading threads. Every job_begin is
 * matched by one job_end, which may replace err with a better cause. */
struct dump_stream {
	void *arg;
	/* Before the jobs run: how many jobs table ti was cut into. */
	void (*table_parts)(void *arg, int ti, int parts);
	void *(*job_begin)(void *arg, int ti, int ncols, struct dberr *err);
	int (*chunk_begin)(void *job, const char *name, struct dberr *err);
	/* Returns the row's bytes in the canonical encoding, or -1. */
	int64_t (*row)(void *job, const struct value *vals, struct dberr *err);
	int (*chunk_end)(void *job, struct dberr *err);
	int (*job_end)(void *job, int failed, struct dberr *err);
	int profiles_known;	/* the model's profiles came from a scan: keep them */
};
/* Reads every table's rows in opts->jobs parallel jobs, into chunk files
 * in opts->outdir when it is set, and into stream when that is set. */
int dump_rows(const struct dump_opts *opts, struct dump_source *src,
	      const struct dump_stream *stream, struct dberr *err);
/* The manifest's header for src (a new random dump id). */
void dump_meta_fill(const struct dump_opts *opts, const struct dump_source *src,
		    struct dump_meta *meta);
/* Adds the warnings the values' profiles call for to the model. */
void dump_profile_warnings(struct schema_model *model);
void dump_result_fill(const struct dump_source *src, struct dump_result *res);

struct load_opts {
	const char *dumpdir;
	const char *target;		/* URI or conninfo */
	int jobs;
	int schema_only, data_only;
	int truncate;			/* empty non-empty tables first */
	int strict;			/* lossy or approximate mappings are errors */
	int zero_dates_error;		/* MySQL zero dates are errors, not NULL */
	int tinyint_numeric;		/* MySQL tinyint(1) stays numeric */
	int strip_nul;			/* drop NUL bytes PostgreSQL text cannot hold */
	int json_plain;			/* MySQL JSON becomes json, not jsonb */
	int unbounded_numeric;		/* PG numeric beyond MySQL: 1 decimal, 2 double, 3 text */
	int schema_prefix;		/* PG schemas into one MySQL database, prefixed */
	int uuid_binary;		/* uuid as binary(16) on MySQL */
	int progress;			/* enum progress_mode */
};

struct load_result {
	int tables;
	uint64_t rows, chunks_loaded, chunks_skipped;
	int steps_run, steps_skipped;
	int notes;			/* lossy or approximate mappings reported */
	int not_migrated;		/* views, routines, triggers the target refused */
	double seconds;
	char dump_id[33];
};

/* Loads a dump into opts->target, resuming from the target's ledger. */
int load_run(const struct load_opts *opts, struct load_result *res,
	     struct dberr *err);

/*
 * load_run's work for a model already in hand. Rows come from the
 * chunks the model lists (in opts->dumpdir), or, with a feed, from
 * feed->run, which calls load_feed_chunk and load_feed_table_done from
 * its own threads, each with a connection slot below opts->jobs that no
 * other thread uses at the time.
 */
struct load_ctx;
struct load_feed {
	int (*run)(void *arg, struct load_ctx *lc, struct dberr *err);
	void *arg;
};
int load_model(const struct load_opts *opts, const struct dump_meta *meta,
	       struct schema_model *model, const struct load_feed *feed,
	       struct load_result *res, struct dberr *err);
/* Loads one chunk of table ti in one transaction with its ledger item. */
int load_feed_chunk(struct load_ctx *lc, int slot, int ti, const char *name,
		    row_source_fn src, void *arg, struct dberr *err);
/* Table ti has all its rows: builds its keys and indexes now. */
int load_feed_table_done(struct load_ctx *lc, int slot, int ti, struct dberr *err);

#endif
