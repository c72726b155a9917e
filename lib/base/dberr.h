/*
 * dberr.h - the error record every library function fills on failure.
 *
 * Library functions return 0 (or a pointer) on success and -1 (or NULL)
 * after filling a struct dberr. The class says which side failed, and cmd/
 * turns it into the documented exit code; msg is one line that names the
 * object and, where we know it, the next step for the operator.
 */
#ifndef DBMIG_DBERR_H
#define DBMIG_DBERR_H

#include <signal.h>

enum dberr_class {
	DBERR_NONE = 0,
	DBERR_USAGE,		/* bad option or argument */
	DBERR_SOURCE,		/* the source database failed or refused */
	DBERR_TARGET,		/* the target database failed or refused */
	DBERR_DUMP,		/* the dump is incomplete, corrupt or hostile */
	DBERR_IO,		/* local files: permissions, full disk, exists */
	DBERR_UNSUPPORTED,	/* a type or object dbmig cannot carry */
	DBERR_INTERRUPTED,	/* SIGINT/SIGTERM */
	DBERR_INTERNAL,		/* a bug in dbmig */
};

struct dberr {
	enum dberr_class cls;	/* DBERR_NONE while no error is recorded */
	char sqlstate[6];	/* server SQLSTATE when the server gave one */
	char msg[1024];		/* one line, no trailing newline */
	int transient;		/* the server undid the work for a reason that
				 * passes (a deadlock, a lock wait timeout):
				 * the same work may simply be tried again */
	int duplicate;		/* the server refused a row as a duplicate of a
				 * unique key (classed by the driver that knows
				 * its server's codes) */
};
#define DBERR_INIT { DBERR_NONE, "", "", 0, 0 }

/* Fills err (overwriting it) and returns -1, for `return dberr_set(...)`. */
int dberr_set(struct dberr *err, enum dberr_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the message with more context ("loading chunk X: ..."). */
void dberr_prefix(struct dberr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Set by the signal handler in cmd/; long loops poll it. */
extern volatile sig_atomic_t dbmig_interrupted;

#endif
