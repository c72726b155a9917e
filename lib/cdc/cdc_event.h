/*
 * cdc_event.h - one change of the source, in neutral terms: a
 * transaction's begin and commit, and the row changes between them, each
 * on a table of the schema model with canonical values (as a dump chunk
 * holds them), so a JSON writer and the apply engine never see how an
 * engine encoded it. A PostgreSQL pgoutput reader and a MySQL binlog
 * reader produce the same events.
 */
#ifndef DBMIG_CDC_EVENT_H
#define DBMIG_CDC_EVENT_H

#include <stdint.h>

#include "lib/base/canon.h"
#include "lib/base/position.h"
#include "lib/base/schema.h"

enum cdc_kind {
	CDC_NONE = 0,
	CDC_BEGIN,		/* a transaction starts: xid, commit position */
	CDC_COMMIT,		/* it ends: commit position and time */
	CDC_INSERT,		/* after */
	CDC_UPDATE,		/* before (key or whole row, when sent), after */
	CDC_DELETE,		/* before: the key, or the whole row */
	CDC_TRUNCATE,		/* tables, ntables */
	CDC_SCHEMA_CHANGE,	/* a table's columns on the source no longer
				 * match the model: what, in detail */
};

/* Where a change was in a MySQL/MariaDB binlog, as Debezium's MySQL
 * connector names it (its source block). */
struct cdc_binlog_origin {
	const char *file;	/* the binlog file */
	uint64_t pos;		/* where the transaction's events start in it */
	int row;		/* the row's number in its rows event */
	uint32_t server_id;	/* the server that wrote it */
	const char *gtid;	/* its GTID, or "" */
	uint32_t thread;	/* the session that made it, 0 when unknown */
};

struct cdc_event {
	enum cdc_kind kind;
	/* The model's table the change is on (a partition's changes come
	 * under the table the load made: its root). */
	struct table *table;
	/* Row images over the table's data columns (table_data_types
	 * order); NULL when the change has none. */
	struct value *before, *after;
	/* before holds only the key's columns (the others NULL) */
	int before_is_key;
	/* per data column of after: 1 when the source did not send the
	 * value because it did not change (PostgreSQL's unchanged TOAST);
	 * an UPDATE leaves such a column as it is */
	const unsigned char *unchanged;
	struct table **tables;	/* CDC_TRUNCATE */
	int ntables;
	/* one of a batch's changes applied net (batch.c): no other change
	 * of its row comes before the next change that is not, so a run
	 * of them can go to the target in one statement */
	int net;
	uint64_t xid;		/* the source's transaction id */
	/* a row change or TRUNCATE: where it is in the source's log (the
	 * WAL position of its record), 0 when unknown */
	uint64_t lsn;
	/* CDC_BEGIN and CDC_COMMIT: the position a consumer stores once
	 * the transaction is applied, and from which it resumes */
	struct db_position commit_pos;
	int64_t commit_time_us;	/* Unix time of the commit, microseconds */
	const char *detail;	/* CDC_SCHEMA_CHANGE */
	/* a change from a binlog: where it was (NULL from a WAL) */
	const struct cdc_binlog_origin *origin;
};

#endif
