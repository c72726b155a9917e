/*
 * cdc_json.h - change events as JSON lines (cdc_json.c).
 */
#ifndef DBMIG_CDC_JSON_H
#define DBMIG_CDC_JSON_H

#include "lib/cdc/cdc_event.h"

/* The transaction an event belongs to, and the format. */
struct cdc_json_ctx {
	int debezium;			/* Debezium's value instead of dbmig's */
	const char *engine;		/* "postgresql" */
	const char *database;
	struct db_position commit_pos;	/* where the transaction ends */
	uint64_t xid;
	int64_t commit_time_us;
};

/* Appends ev's line(s) to out (none for a commit in Debezium's format;
 * one per table for a TRUNCATE). Returns 0, or -1 (a value jansson
 * could not encode). */
int cdc_json_event(const struct cdc_json_ctx *c, const struct cdc_event *ev,
		   struct strbuf *out);

/* The position of the transaction a line written by cdc_json_event
 * belongs to (dbmig's "position", Debezium's source.lsn) into lsn:
 * 0, or -1 when the line is no such line. */
int cdc_json_line_lsn(const char *line, size_t n, uint64_t *lsn);

#endif
