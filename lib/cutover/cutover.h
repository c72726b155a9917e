/*
 * cutover.h - cutover-plan: a pair's readiness for the switch
 * (readiness.c), the runbook for it (runbook.c), and the fenced switch
 * itself (execute.c). Engine-neutral: the engines' parts are their
 * cutover role (cutover_ops.h), the proxy's are in proxy.h.
 */
#ifndef DBMIG_CUTOVER_H
#define DBMIG_CUTOVER_H

#include <stdint.h>

#include "lib/base/dberr.h"
#include "lib/base/position.h"
#include "lib/base/util.h"

enum fenced_verify { FENCED_VERIFY_NONE, FENCED_VERIFY_COUNTS, FENCED_VERIFY_CHECKSUM };

struct cutover_opts {
	const char *source, *target;	/* connection strings */
	double verify_age;		/* seconds a passing verify counts */
	double max_lag;			/* seconds: above it, not ready */
	const char *proxy;		/* pgbouncer://USER@HOST:PORT/DBNAME */
	const char *proxy_config;	/* its configuration file */
	const char *switch_cmd;		/* or a command that switches */
	int execute, dry_run, reverse, rollback;
	enum fenced_verify fenced_verify;
	const char *dbmig;		/* this program's path, for the runbook */
};

enum check_status { CHECK_OK, CHECK_INFO, CHECK_BLOCK };

struct cutover_check {
	char *name;			/* "stream", "lag", "slot", ... */
	enum check_status status;
	char *result;			/* one line */
	char *fix;			/* with CHECK_BLOCK: the next step */
};

struct cutover_report {
	struct cutover_check *checks;
	int nchecks;
	int blocked;			/* checks that block */
	/* what the checks found, for the runbook and --execute */
	char dump_id[33], slot[64], publication[64];
	char source_engine[32], target_engine[32];
	char source_desc[512], target_desc[512];	/* no passwords */
	struct db_position applied, source_now;
	int64_t lag_bytes;
	double lag_seconds;		/* -1: unknown */
	int tail_running;
	int sequences_behind;
	double pause_estimate;		/* seconds */
	char proxy_entry[512];		/* where the proxy's entry points now */
};

/* Checks both sides (and the proxy, when o names one); each finding is a
 * check. 0 once every check could run (r->blocked says whether the pair
 * is ready), -1 with err when one could not. */
int cutover_check(const struct cutover_opts *o, struct cutover_report *r, struct dberr *err);
void cutover_report_release(struct cutover_report *r);
/* The report, as lines or as one JSON document. */
void cutover_report_text(const struct cutover_report *r, struct strbuf *out);
void cutover_report_json(const struct cutover_opts *o, const struct cutover_report *r,
			 struct strbuf *out);
/* The exact commands for this pair: the switch, and the way back. */
void cutover_runbook(const struct cutover_opts *o, const struct cutover_report *r,
		     struct strlist *lines);

/* The fenced switch (--execute), its --dry-run, and --rollback. Each
 * step is logged and recorded on the target; a failure before the
 * switch rolls back. *pause gets the clients' write pause (seconds). */
int cutover_execute(const struct cutover_opts *o, struct cutover_report *r, double *pause,
		    struct dberr *err);

#endif
