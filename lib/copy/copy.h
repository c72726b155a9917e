/*
 * copy.h - dbmig copy: source to target directly, optionally keeping the
 * dump it would have written (see copy.c).
 */
#ifndef DBMIG_COPY_H
#define DBMIG_COPY_H

#include "lib/dump/dump.h"
#include "lib/load/load.h"

struct copy_opts {
	struct dump_opts dump;		/* outdir: the dump to keep, or NULL */
	struct load_opts load;		/* dumpdir unused */
};

struct copy_result {
	struct dump_result dump;	/* what was read (and kept) */
	struct load_result load;	/* what was written */
	double seconds;
};

/* Copies opts->dump.source into opts->load.target. On failure a kept
 * dump is removed again; the target is left as a failed load leaves it. */
int copy_run(const struct copy_opts *opts, struct copy_result *res, struct dberr *err);

#endif
