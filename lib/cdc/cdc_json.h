/*
 * cdc_json.h - change events as JSON lines (cdc_json.c).
 */
#ifndef DBMIG_CDC_JSON_H
#define DBMIG_CDC_JSON_H

#include "lib/cdc/cdc_event.h"

/* The transaction an event belongs to, and the format. */
struct dbz_opts;
struct cdc_json_ctx {
	/* Debezium's records in these modes (cdc_debezium.h), or NULL
	 * for dbmig's lines */
	const struct dbz_opts *dbz;
	const char *engine;		/* "postgresql" */
	const char *database;
	struct db_position commit_pos;	/* where the transaction ends */
	uint64_t xid;
	int64_t commit_time_us;
	/* where the transaction before it ended (Debezium's
	 * source.sequence) */
	uint64_t last_commit_lsn;
};

/* Appends ev's line(s) to out (in Debezium's format, its records: see
 * dbz_event; in dbmig's, one per change and per commit, one per table
 * for a TRUNCATE). Returns 0, or -1 (a value it could not encode). */
int cdc_json_event(const struct cdc_json_ctx *c, const struct cdc_event *ev,
		   struct strbuf *out);

/* The position of a line written by cdc_json_event (dbmig's
 * "position", its transaction's; Debezium's source.lsn, its change's,
 * or source.file and pos from a binlog) into pos: 0; 1 for a line
 * without one (a tombstone: the line before it has it); -1 when the
 * line is no such line. */
int cdc_json_line_position(const char *line, size_t n, struct db_position *pos);

#endif
