/*
 * verify_ops.h - the verify role of a driver: the SQL dialect verify's
 * queries are built in (vsql.h), and the few operations that are not
 * one query returning text. The queries themselves (stats, digests,
 * renderings) are built and run once for every engine, in vsql_run.c,
 * through the driver's query_text.
 */
#ifndef DBMIG_VERIFY_OPS_H
#define DBMIG_VERIFY_OPS_H

#include "lib/engine/driver.h"
#include "vsql.h"

struct db_verify_ops {
	/* How this engine renders each compared column as vform.c does in
	 * the client, and the rest of its SQL. */
	const struct vsql_dialect *dialect;
	/* Streams t's rows (its non-generated columns) to sink as canonical
	 * values, like the source's copy_out, with tail (" WHERE ... ORDER
	 * BY ...", built by vsql_read_tail; "" for all rows) on the
	 * table's SELECT. */
	int (*read)(struct db_conn *c, struct table *t, const char *tail,
		    row_sink_fn sink, void *arg, struct dberr *err);
	/* Around each table's queries, so a failed table leaves the
	 * connection's snapshot usable for the next one (a savepoint);
	 * NULL where errors do not end the transaction. */
	int (*table_begin)(struct db_conn *c, struct dberr *err);
	int (*table_end)(struct db_conn *c, int failed, struct dberr *err);
};

/*
 * verify's queries on side `side` of plan p, for any driver (vsql_run.c).
 * Each returns 0, or -1 with err filled.
 */
/* 1 when every compared column can be rendered in drv's SQL. */
int vsql_sql_ok_drv(const struct db_driver *drv, const struct vf_plan *p, int side);
/* For p->range, the key's extremes; the row count when count is set. */
int vsql_stats(const struct db_driver *drv, struct db_conn *c, const struct table *t,
	       const struct vf_plan *p, int side, int count, struct vf_stats *st,
	       struct dberr *err);
/* The dialect's session_setup, on a connection of a side. */
int vsql_session_setup(const struct db_driver *drv, struct db_conn *c, struct dberr *err);
/* How many pages t has (dialect->pages_query). */
int vsql_pages(const struct db_driver *drv, struct db_conn *c, const struct table *t,
	       uint64_t *pages, struct dberr *err);
/* Count and digest sum of each group of the rows in scope (see
 * vf_group_fn); group is the range width or the hash modulus. */
int vsql_digest(const struct db_driver *drv, struct db_conn *c, const struct table *t,
		const struct vf_plan *p, int side, const struct vf_scope *scope,
		uint64_t group, vf_group_fn fn, void *arg, struct dberr *err);
/* The rows of t in the union of the scopes (all rows when nscopes is 0),
 * in key order when ordered, as canonical values. */
int vsql_read(const struct db_driver *drv, struct db_conn *c, struct table *t,
	      const struct vf_plan *p, int side, const struct vf_scope *scopes,
	      int nscopes, int ordered, row_sink_fn sink, void *arg, struct dberr *err);
/* Every row's SQL renderings of the compared columns, in key order (the
 * golden test of the renderings). */
int vsql_render(const struct db_driver *drv, struct db_conn *c, const struct table *t,
		const struct vf_plan *p, int side, vf_text_row_fn fn, void *arg,
		struct dberr *err);

#endif
