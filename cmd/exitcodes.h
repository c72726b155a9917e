/*
 * exitcodes.h - the one table of exit codes, documented in dbmig(1) and
 * every subcommand's EXIT STATUS. Never renumber: cron jobs depend on it.
 */
#ifndef DBMIG_EXITCODES_H
#define DBMIG_EXITCODES_H

#include "lib/base/dberr.h"

enum {
	EXIT_OK = 0,
	EXIT_DIFFERENCES = 1,	/* verify: the two sides differ */
	EXIT_USAGE = 2,		/* bad option, argument or connection string */
	EXIT_SOURCE = 3,	/* the source database failed or refused */
	EXIT_TARGET = 4,	/* the target database failed or refused */
	EXIT_DUMP = 5,		/* the dump is incomplete, corrupt or too new */
	EXIT_IO = 6,		/* local files: exists, permissions, disk full */
	EXIT_UNSUPPORTED = 7,	/* a type or object dbmig cannot carry */
	EXIT_INTERRUPTED = 8,	/* SIGINT or SIGTERM */
	EXIT_INCOMPLETE = 9,	/* verify: no difference found, but some
				 * columns could not be compared */
	EXIT_INTERNAL = 70,	/* a bug in dbmig */
};

static inline int
exit_code_for(const struct dberr *err)
{
	switch (err->cls) {
	case DBERR_NONE: return EXIT_OK;
	case DBERR_USAGE: return EXIT_USAGE;
	case DBERR_SOURCE: return EXIT_SOURCE;
	case DBERR_TARGET: return EXIT_TARGET;
	case DBERR_DUMP: return EXIT_DUMP;
	case DBERR_IO: return EXIT_IO;
	case DBERR_UNSUPPORTED: return EXIT_UNSUPPORTED;
	case DBERR_INTERRUPTED: return EXIT_INTERRUPTED;
	case DBERR_INTERNAL: return EXIT_INTERNAL;
	}
	return EXIT_INTERNAL;
}

#endif
