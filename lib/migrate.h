/*
 * migrate.h - the dump and load procedures, composed from a driver, the
 * dump format and the worker pool. cmd/dump.c and cmd/load.c parse
 * options into these structs and print the results; everything else is
 * here, so later subcommands (verify, direct copy) can reuse it.
 */
#ifndef DBMIG_MIGRATE_H
#define DBMIG_MIGRATE_H

#include <stdint.h>

#include "dberr.h"
#include "driver.h"

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

#endif
