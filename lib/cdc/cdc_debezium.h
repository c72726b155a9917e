/*
 * cdc_debezium.h - change events as Debezium's PostgreSQL connector
 * writes them to Kafka through the JSON converter (cdc_debezium.c):
 * one line per record, the key and the value separated by a tab, as
 * `kcat -P -K '\t' -Z` reads them (an empty value is a tombstone, an
 * empty key a record without one).
 */
#ifndef DBMIG_CDC_DEBEZIUM_H
#define DBMIG_CDC_DEBEZIUM_H

#include <stddef.h>

#include "lib/cdc/cdc_json.h"

enum dbz_decimal { DBZ_DECIMAL_PRECISE, DBZ_DECIMAL_DOUBLE, DBZ_DECIMAL_STRING };
enum dbz_time {
	DBZ_TIME_ADAPTIVE, DBZ_TIME_ADAPTIVE_TIME_MICROSECONDS, DBZ_TIME_CONNECT,
	DBZ_TIME_MICROSECONDS, DBZ_TIME_ISOSTRING
};
enum dbz_binary { DBZ_BINARY_BYTES, DBZ_BINARY_BASE64, DBZ_BINARY_BASE64_URL_SAFE, DBZ_BINARY_HEX };
enum dbz_interval { DBZ_INTERVAL_NUMERIC, DBZ_INTERVAL_STRING };

/* Debezium's connector and converter properties, under their names. */
struct dbz_opts {
	enum dbz_decimal decimal;	/* decimal.handling.mode (precise) */
	enum dbz_time time;		/* time.precision.mode (adaptive) */
	enum dbz_binary binary;		/* binary.handling.mode (bytes) */
	enum dbz_interval interval;	/* interval.handling.mode (numeric) */
	int tombstones;			/* tombstones.on.delete (true) */
	int key_schemas;		/* key.converter.schemas.enable (true) */
	int value_schemas;		/* value.converter.schemas.enable (true) */
	unsigned skipped;		/* skipped.operations (t): DBZ_SKIP_* bits */
	char topic_prefix[256];		/* topic.prefix ("" for the database's name) */
	char placeholder[256];		/* unavailable.value.placeholder */
};
#define DBZ_SKIP_C 1u
#define DBZ_SKIP_U 2u
#define DBZ_SKIP_D 4u
#define DBZ_SKIP_T 8u

/* Debezium's defaults. */
void dbz_opts_init(struct dbz_opts *o);
/* One "name=value" setting: 0, or -1 with emsg saying what is wrong. */
int dbz_opts_set(struct dbz_opts *o, const char *setting, char *emsg, size_t emsz);

/* Appends the records of ev (none for a begin, commit or skipped
 * operation; a delete and its tombstone; for an update of the key, a
 * delete, its tombstone and a create) to out. Returns 0, or -1 for a
 * value it cannot encode. */
int dbz_event(const struct dbz_opts *o, const struct cdc_json_ctx *c,
	      const struct cdc_event *ev, struct strbuf *out);

/* The source.lsn of a line dbz_event wrote: 0, 1 for a tombstone (no
 * value: the line before it has its delete), -1 when it is no such
 * line. */
int dbz_line_position(const char *line, size_t n, struct db_position *pos);

#endif
