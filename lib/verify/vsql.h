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
	/* The rendering's length in characters where the column tells it
	 * more cheaply than the rendering (a CHAR's own length); -1 (o
	 * unchanged): char_length of the rendering. NULL: never. */
	int (*render_len)(const struct vf_plan *p, int i, int side, struct strbuf *o);
	void (*ident)(struct strbuf *o, const char *name);
	void (*table)(struct strbuf *o, const struct table *t);
	void (*char_length)(struct strbuf *o, const char *e);
	/* Concatenation of a row's frames (NULL-safe: the frames never are) */
	const char *concat_open, *concat_sep, *concat_close;
	/* Concatenation that is NULL when a part is: a nullable frame */
	const char *strict_open, *strict_sep, *strict_close;
	/* The MD5 (VD_MD5) or SHA-256 (VD_SHA256) of text t, in hex. */
	void (*hash_hex)(struct strbuf *o, enum vdigest dg, const char *t);
	/* The first 8 bytes of a hex digest m as an unsigned or
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
	/* Parts of a table by its pages, where a range of pages is read as
	 * a table scan reads them and a range of keys through the index
	 * (PostgreSQL 14's TID range scan); NULL: none. */
	int (*pages_ok)(const char *server_version);
	void (*pages_query)(struct strbuf *o, const struct table *t);	/* the table's pages */
	void (*pages_where)(struct strbuf *o, uint64_t from, uint64_t to);	/* " AND ..." */
	/* After a digest's GROUP BY (MariaDB sorts the groups unless told
	 * not to); NULL: nothing. */
	const char *group_suffix;
	/* Digest a key range one first-level chunk a query, without a
	 * GROUP BY: MariaDB groups in a temporary table, which costs more
	 * than a query per chunk down its clustered index. */
	int chunk_queries;
	/* Run once on each connection of a side (NULL: nothing). */
	const char *session_setup;

	/* VD_NATIVE: the engine's own fast, exact hash. native_major writes
	 * the server's major version (two servers hash alike only within
	 * one) and returns 0, or -1 when the server has no such hash. */
	const char *native_name;
	int (*native_major)(const char *server_version, char *out, size_t n);
	/* 1 when col's stored text is what verify compares (else it is
	 * rendered: PostgreSQL json as jsonb, MySQL floats as their bits) */
	int (*native_exact)(const struct column *col);
	/* A row's columns as one text: a record of them (native_record),
	 * fields joined by ',' in native_fields_open's call (with ")"
	 * closing it: a concat_ws that skips NULLs), or their frames as for
	 * the rendering. */
	int native_record;
	const char *native_fields_open;
	/* The engine's hash of text x: 64 bits on PostgreSQL, 32 on
	 * MariaDB; for buckets (bucket set), a non-negative one of 32 bits. */
	void (*native_hash)(struct strbuf *o, const char *x, int bucket);
	/* CRC32(x) << 32 | CRC32C(x), the client's VD_CRC, on a server
	 * whose native_major is set; NULL where the engine has no CRC32C */
	void (*crc64_hash)(struct strbuf *o, const char *x);
};

/* Compared column i's column on side. */
static inline const struct column *
vsql_col(const struct vf_plan *p, int i, int side)
{
	return p->cols[i].s[side].col;
}

/* 1 when every compared column renders in this dialect. */
int vsql_sql_ok(const struct vsql_dialect *d, const struct vf_plan *p, int side);
/* SELECT count(*)[, min(key), max(key)] FROM t; NULL for the count
 * when count is 0 (a scan the digests make anyway) */
void vsql_stats_query(const struct vsql_dialect *d, const struct table *t,
		      const struct vf_plan *p, int side, int count, struct strbuf *o);
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
