/*
 * load.h - the load procedure: a dump's schema and rows into a target
 * through the driver's target role, resumable from the target's ledger.
 * cmd/load.c parses options into load_opts and prints the load_result;
 * copy (lib/copy) feeds rows to load_model from its own threads.
 */
#ifndef DBMIG_LOAD_H
#define DBMIG_LOAD_H

#include <stdint.h>

#include "lib/base/dberr.h"
#include "lib/engine/driver.h"
#include "target.h"

struct dump_meta;

struct db_driver;
struct db_conn;
struct db_position;

/* What the load of an online dump asks of change apply, which load
 * itself does not know (the includes run from the change stream down
 * to load, never back): lib/cdc fills it in (cdc_load_online). */
struct load_online_hooks {
	/* *holds is 1 when the target's change-apply state has dump_id */
	int (*state_holds)(const struct db_driver *d, struct db_conn *c, const char *dump_id,
			   int *holds, struct dberr *err);
	/* records, once, where the dump's changes start on this target (a
	 * second load of the dump keeps a tail's progress) */
	int (*record_start)(const struct db_driver *d, struct db_conn *c, const char *dump_id,
			    const char *slot, const char *publication,
			    const struct db_position *pos, struct dberr *err);
};

struct load_opts {
	const struct load_online_hooks *online;	/* for online dumps; NULL refuses them */
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
	int special_null;		/* into MySQL: NaN, infinities, dates it cannot
					 * hold become NULL (--special-values=null) */
	int schema_prefix;		/* PG schemas into one MySQL database, prefixed */
	int uuid_binary;		/* uuid as binary(16) on MySQL */
	int ci_binary;			/* MySQL _ci columns stay binary on PostgreSQL */
	int unmapped_as_text;		/* other engine: unmapped types become text */
	int no_owner, no_privileges;	/* PostgreSQL: skip ownership, GRANTs */
	int create_roles;		/* PostgreSQL: create the roles they name */
	int progress;			/* enum progress_mode */
};

struct load_result {
	int tables;
	uint64_t rows, chunks_loaded, chunks_skipped;
	int steps_run, steps_skipped;
	int notes;			/* lossy or approximate type mappings reported */
	int not_carried;		/* constraints, indexes, defaults not carried */
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
/* The load's progress display, which a feed reports its rows to (one
 * display from the first row to the last key). */
struct progress *load_progress(struct load_ctx *lc);

/*
 * Sets every sequence, identity and auto-increment counter on the target
 * c (of driver drv) to the values model records, outside any ledger: for
 * a cutover, after the last change is applied, with the source's values
 * read then. Each statement is idempotent; the first failure stops it.
 * Returns how many counters it set, or -1.
 */
int target_sequences_sync(const struct db_driver *drv, struct db_conn *c,
			  const struct schema_model *model, struct dberr *err);

#endif
