/*
 * driver.h - the engine interface. Everything above lib/pg and lib/mysql
 * talks to databases only through a struct db_driver, so the dump, load,
 * copy and verify logic never sees libpq or mysql.h and never names an
 * engine: where engines differ, it asks a capability or a driver call.
 *
 * The top struct is what every procedure needs: connecting, describing,
 * capabilities and one generic query. What a procedure alone needs is in
 * a role struct the driver points to, declared next to that procedure:
 * source (lib/dump/source.h), target (lib/load/target.h), verify
 * (lib/verify/verify_ops.h), cdc, the capture of changes on a source
 * (lib/cdc/cdc_ops.h), apply, their apply on a target
 * (lib/cdc/apply_ops.h), and cutover (lib/cutover/cutover_ops.h).
 *
 * All functions return 0 on success, or -1 with *err filled (its class
 * is DBERR_SOURCE or DBERR_TARGET by the side the connection was opened
 * for). They may block on the network. None prints anything.
 */
#ifndef DBMIG_DRIVER_H
#define DBMIG_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/canon.h"
#include "lib/base/dberr.h"
#include "lib/base/position.h"
#include "lib/base/schema.h"

struct db_conn;		/* opaque; defined by each driver */
struct db_source_ops;	/* lib/dump/source.h */
struct db_target_ops;	/* lib/load/target.h */
struct db_verify_ops;	/* lib/verify/verify_ops.h */
struct db_cdc_ops;	/* lib/cdc/cdc_ops.h */
struct db_apply_ops;	/* lib/cdc/apply_ops.h */
struct db_cutover_ops;	/* lib/cutover/cutover_ops.h */

/* Called for each row read; returning -1 (with err set) stops the read. */
typedef int (*row_sink_fn)(void *arg, const struct value *vals,
			   struct dberr *err);
/* Fills vals with the next row: 1 = row, 0 = verified end, -1 = error. */
typedef int (*row_source_fn)(void *arg, struct value *vals, struct dberr *err);
/* One row of a text query: vals[i] is NULL for an SQL NULL, else lens[i]
 * bytes (NUL-terminated too). Returning -1 (err set) stops the query. */
typedef int (*text_row_fn)(void *arg, int ncols, const char *const *vals,
			   const size_t *lens, struct dberr *err);

/* Capabilities: what shared code asks instead of an engine's name. */
enum db_capability {
	/* Dates and timestamps may hold zero parts ('0000-00-00'); an
	 * engine without it stores them as NULL. */
	DB_CAP_ZERO_DATES = 1u << 0,
	/* A connection sees one schema, which is its database: tables are
	 * paired with another engine's by name alone. */
	DB_CAP_DATABASE_IS_SCHEMA = 1u << 1,
	/* DDL runs inside transactions (a failed step leaves nothing). */
	DB_CAP_TRANSACTIONAL_DDL = 1u << 2,
	/* A partition is a table of its own, loaded and read by its name.
	 * Without it a partitioned table is one table on this engine, and
	 * its partitions' rows are loaded into it (MySQL). */
	DB_CAP_PARTITION_TABLES = 1u << 3,
};

struct db_driver {
	const char *name;	/* "postgresql": the manifest's source.engine */
	unsigned caps;		/* enum db_capability bits */
	enum position_kind position_kind;	/* the kind of its log positions */

	/* 1 when uri is a connection string of this engine (a URI scheme,
	 * or a form only this engine's client takes). */
	int (*accepts)(const char *uri);
	const char *uri_forms;	/* for messages: "a postgresql:// URI" */
	/* Opens a connection; side is DBERR_SOURCE or DBERR_TARGET and
	 * classes every later error. Never puts a password in err. */
	int (*connect)(struct db_conn **out, const char *uri,
		       enum dberr_class side, struct dberr *err);
	/* Closes c; accepts NULL. */
	void (*close)(struct db_conn *c);
	/* From another thread: whatever waits on c's connection returns at
	 * once with an error (its socket is shut down); c is then good only
	 * for close. For a stop that must not wait on a server that does
	 * not answer. */
	void (*abort_io)(struct db_conn *c);
	/* Borrowed description without credentials ("host=... dbname=..."). */
	const char *(*describe)(struct db_conn *c);
	/* Server version ("15.18") and database name; borrowed. */
	const char *(*server_version)(struct db_conn *c);
	const char *(*database)(struct db_conn *c);

	/* Runs one statement and hands each row of its result to fn as
	 * text, in order (none for a statement without rows). The client
	 * library may hold the whole result: for small results (counts,
	 * digests per chunk, catalog checks), not for table data. */
	int (*query_text)(struct db_conn *c, const char *sql, text_row_fn fn,
			  void *arg, struct dberr *err);

	/* 1 when schema.name is dbmig's own bookkeeping on this engine (the
	 * load ledger, later the CDC state), which no comparison or copy
	 * includes. */
	int (*is_internal)(const char *schema, const char *name);

	/* The roles; NULL where the engine does not play one. */
	const struct db_source_ops *source;
	const struct db_target_ops *target;
	const struct db_verify_ops *verify;
	const struct db_cdc_ops *cdc;
	const struct db_apply_ops *apply;
	const struct db_cutover_ops *cutover;
};

/* The driver for a URI or conninfo string, or NULL (err filled). */
const struct db_driver *driver_for_uri(const char *uri, enum dberr_class side,
				       struct dberr *err);
/* The driver whose name is name (a manifest's source.engine), or NULL. */
const struct db_driver *driver_by_name(const char *name);

#endif
