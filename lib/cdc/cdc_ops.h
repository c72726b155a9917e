/*
 * cdc_ops.h - the change-capture role of a driver: starting capture at
 * a snapshot (dump --online), reading the source's change stream as
 * neutral change events (cdc_event.h) from a position on, confirming
 * what the target holds, and removing what capture left on the source.
 * PostgreSQL implements it with a logical replication slot and pgoutput;
 * the MySQL/MariaDB binlog reader plugs into the same calls.
 */
#ifndef DBMIG_CDC_OPS_H
#define DBMIG_CDC_OPS_H

#include "lib/cdc/cdc_event.h"
#include "lib/engine/snapshot.h"
#include "lib/engine/driver.h"

/* capture_begin flags */
#define CAPTURE_REPLICA_IDENTITY_FULL	1u	/* set it on keyless tables */

struct cdc_stream;

/* What a reader may be told beyond where to start. */
struct cdc_stream_opts {
	uint32_t server_id;	/* MySQL: the replica id to register with;
				 * 0: the one derived from the capture's name */
};

/* Where a capture stands on the source. */
struct cdc_slot_status {
	int exists;
	struct db_position confirmed;	/* what its consumer confirmed */
	struct db_position current;	/* the source's log now */
	int active_pid;			/* a reader holds it (0: none) */
	char wal_status[32];		/* PostgreSQL's: reserved, ..., lost */
};

struct db_cdc_ops {
	/* Checks that the source can feed change capture for the tables f
	 * selects (each failure names the setting and the fix), makes the
	 * capture objects named name, and opens c inside a snapshot at
	 * exactly the capture's start: snap gets its id (for
	 * snapshot_import), its exact position, and the slot and
	 * publication. Until snapshot_release on c, the snapshot stays
	 * importable by up to others connections (open already: snap->
	 * shareable says how many may). On failure nothing is left on the
	 * source. */
	int (*capture_begin)(struct db_conn *c, const char *uri, const struct schema_filter *f,
			     const char *name, unsigned flags, int others,
			     struct db_snapshot *snap, struct dberr *err);
	/* Opens c inside a snapshot whose exact position is known: every
	 * transaction that commits before snap->pos is in it, none after
	 * (a temporary slot on PostgreSQL, gone at snapshot_release). For
	 * a live verify, which reads the target where its tail applied
	 * exactly that much. */
	int (*snapshot_exact)(struct db_conn *c, const char *uri, struct db_snapshot *snap,
			      struct dberr *err);
	/* Removes the slot and the publication (either may be "");
	 * missing ones are no error. */
	int (*capture_drop)(struct db_conn *c, const char *slot, const char *publication,
			    struct dberr *err);
	/* Where the capture named slot stands, on a plain connection. */
	int (*capture_status)(struct db_conn *c, const char *slot, struct cdc_slot_status *st,
			      struct dberr *err);
	/* Starts reading changes after from (the position the target
	 * holds) from the slot, on connections of its own; events name the
	 * tables of m, and their values are canonical for m's types. */
	int (*stream_open)(const char *uri, const char *slot, const char *publication,
			   const struct db_position *from, struct schema_model *m,
			   const struct cdc_stream_opts *so, struct cdc_stream **out,
			   struct dberr *err);
	/* The next event into ev (valid until the next call): 1 with an
	 * event, 0 when none came within timeout_ms, -1 with err. */
	int (*stream_next)(struct cdc_stream *s, struct cdc_event *ev, int timeout_ms,
			   struct dberr *err);
	/* Tells the source that everything up to pos is safe on the target:
	 * it may free its log up to there. */
	int (*stream_confirm)(struct cdc_stream *s, const struct db_position *pos,
			      struct dberr *err);
	/* The source's own position now, for lag and --until-caught-up. */
	int (*stream_source_position)(struct cdc_stream *s, struct db_position *pos,
				      struct dberr *err);
	/* How far the source's log had gone at its last message: with no
	 * transaction in hand, everything before it was delivered. */
	void (*stream_received)(struct cdc_stream *s, struct db_position *pos);
	/* What the capture keeps on the source: bytes of log held back
	 * for it, and the server's word for that (PostgreSQL's wal_status:
	 * reserved, extended, unreserved, lost). */
	int (*stream_retained)(struct cdc_stream *s, int64_t *bytes, char *status, size_t n,
			       struct dberr *err);
	void (*stream_close)(struct cdc_stream *s);
};

#endif
