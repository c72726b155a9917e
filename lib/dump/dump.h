/*
 * dump.h - the dump procedure, composed from a driver's source role, the
 * dump format and the worker pool. cmd/dump.c parses options into
 * dump_opts and prints the dump_result; copy (lib/copy) reuses the
 * pieces below to read a source the same way.
 */
#ifndef DBMIG_DUMP_H
#define DBMIG_DUMP_H

#include <stdint.h>
#include <time.h>

#include "lib/base/dberr.h"
#include "lib/engine/driver.h"
#include "source.h"

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
	int online;			/* start change capture at the snapshot */
	int replica_identity_full;	/* --online: set it on keyless tables */
	int progress;			/* enum progress_mode */
};

struct dump_result {
	int tables;
	uint64_t rows, chunks, bytes, raw_bytes;
	double seconds;
	struct db_position position;
	int warnings;
	char slot[64];			/* --online: the replication slot */
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
	char dump_id[33];		/* names the capture objects of --online */
};
/* Connects opts->jobs readers, shares one snapshot, reads the schema. */
int dump_source_open(const struct dump_opts *opts, struct dump_source *src,
		     struct dberr *err);
void dump_source_close(struct dump_source *src);
/* After a failure: removes the change capture an online source started. */
void dump_source_abandon(struct dump_source *src);

/* Where a direct copy's rows go, job by job (a table or one key range of
 * it), chunk by chunk; called on the reading threads. Every job_begin is
 * matched by one job_end, which may replace err with a better cause. */
struct progress;
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
	struct progress *prog;	/* the display to report to (the load's), or NULL */
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

#endif
