/*
 * vsql.h - verify's queries, built once for every engine from a small
 * description of its SQL dialect. Each driver supplies the dialect (how
 * it renders a column, concatenates, hashes, orders bytes) and runs the
 * queries; the shape of the queries is here.
 */
#ifndef DBMIG_VSQL_H
#define DBMIG_VSQL_H

#include <stdint.h>

#include "lib/base/schema.h"
#include "lib/base/util.h"
#include "vform.h"

struct vsql_dialect {
	/* Compared column i of side as an expression rendering it as
	 * vform.c does; -1 when this engine cannot. */
	int (*render)(const struct vf_plan *p, int i, int side, struct strbuf *o);
	void (*ident)(struct strbuf *o, const char *name);
	void (*table)(struct strbuf *o, const struct table *t);
	/* "N" for a NULL e, else e's length in bytes, ':' and e */
	void (*frame)(struct strbuf *o, const char *e);
	const char *concat_open, *concat_sep, *concat_close;
	const char *md5;			/* the MD5 function, hex out */
	/* The first 8 bytes of an MD5 hex string m as an unsigned or
	 * two's-complement 64-bit integer (the sum is taken mod 2^64). */
	void (*digest)(struct strbuf *o, const char *m);
	/* Bytes 8..11 of an MD5 hex string as a non-negative integer. */
	void (*bucket)(struct strbuf *o, const char *m);
	/* (k - lo) / group as an integer, for keys k in the scope; small
	 * when no k - lo can exceed a signed 64-bit integer. */
	void (*range_group)(struct strbuf *o, int64_t lo, uint64_t group, int small);
	/* e ordered byte by byte, with no collation and no PAD SPACE */
	void (*order_bytes)(struct strbuf *o, const char *e);
	const char *null_text;			/* a NULL of a text type */
};

/* 1 when every compared column renders in this dialect. */
int vsql_sql_ok(const struct vsql_dialect *d, const struct vf_plan *p, int side);
/* SELECT count(*)[, min(key), max(key)] FROM t */
void vsql_stats_query(const struct vsql_dialect *d, const struct table *t,
		      const struct vf_plan *p, int side, struct strbuf *o);
/* SELECT group, count, digest sum of the rows in scope (vf_group_fn). */
void vsql_digest_query(const struct vsql_dialect *d, const struct table *t,
		       const struct vf_plan *p, int side, const struct vf_scope *scope,
		       uint64_t group, struct strbuf *o);
/* " WHERE <union of the scopes> ORDER BY <key>" for a read of t. */
void vsql_read_tail(const struct vsql_dialect *d, const struct vf_plan *p, int side,
		    const struct vf_scope *scopes, int nscopes, int ordered,
		    struct strbuf *o);
/* Every compared column rendered, in key order (the golden test). */
void vsql_render_query(const struct vsql_dialect *d, const struct table *t,
		       const struct vf_plan *p, int side, struct strbuf *o);

#endif
