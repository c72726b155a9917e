/*
 * source.h - the source role of a driver: a consistent snapshot that
 * several connections share, the schema visible in it, and its rows,
 * whole or in key ranges. Used by dump (and through it copy), and by
 * verify to read a live side.
 */
#ifndef DBMIG_SOURCE_H
#define DBMIG_SOURCE_H

#include "lib/engine/driver.h"
#include "lib/engine/snapshot.h"

struct db_source_ops {
	/* Opens a read-only snapshot on c that up to `others`
	 * connections (already open) can import; sets snap->shareable to
	 * how many may, which can be fewer (a MySQL role without the
	 * privilege for a global read lock). c must stay open until the
	 * others imported, then snapshot_release lets the source go on. */
	int (*snapshot_export)(struct db_conn *c, int others,
			       struct db_snapshot *snap, struct dberr *err);
	int (*snapshot_import)(struct db_conn *c, const struct db_snapshot *snap,
			       struct dberr *err);
	int (*snapshot_release)(struct db_conn *c, struct dberr *err);
	/* Reads the schema visible in c's snapshot into out. Unmapped types
	 * are errors unless f->unmapped_as_text. */
	int (*schema_read)(struct db_conn *c, const struct schema_filter *f,
			   struct schema_model *out, struct dberr *err);
	/* Streams all rows of t (its non-generated columns) to sink as
	 * canonical values, and may fill the columns' profiles on the way.
	 * Memory is bounded by the largest row. */
	int (*copy_out)(struct db_conn *c, struct table *t,
			row_sink_fn sink, void *arg, struct dberr *err);

	/* Fills t's column profiles (see copy_out) from the server without
	 * reading the rows out, for a copy that creates the target's tables
	 * before it reads; NULL where profiles are not gathered. */
	int (*profile_scan)(struct db_conn *c, struct table *t, struct dberr *err);

	/* Splitting a big table for parallel reads. Appends to bounds up to
	 * nparts - 1 values of the key (the columns named in key; each
	 * boundary is key->n strings, the server's text of the values) that
	 * cut t into ranges of about equal rows, in the server's own order
	 * of the key, from a sample. Fewer boundaries, or none, is fine. */
	int (*key_bounds)(struct db_conn *c, const struct table *t,
			  const struct strlist *key, int nparts, struct strlist *bounds,
			  struct dberr *err);
	/* copy_out restricted to the rows whose key k has lo < k <= hi, in
	 * the server's order (NULL: no bound on that side). */
	int (*copy_out_range)(struct db_conn *c, struct table *t,
			      const struct strlist *key, const char *const *lo,
			      const char *const *hi, row_sink_fn sink, void *arg,
			      struct dberr *err);
};

#endif
