/*
 * verify_int.h - what verify.c and verify_rows.c share.
 */
#ifndef DBMIG_VERIFY_INT_H
#define DBMIG_VERIFY_INT_H

#include <stdint.h>

#include "dumpfmt/dumpfmt.h"
#include "verify.h"
#include "verify_ops.h"

/* One side: a database (connections in one snapshot) or a dump. */
struct vsrc {
	int index;			/* 0 source, 1 target */
	enum dberr_class cls;		/* what its errors are */
	int is_dump;
	const char *dir;
	struct dump_meta meta;
	struct schema_model model;
	int ntotal;			/* tables before filtering */
	const struct db_driver *drv;	/* a database side's driver */
	const struct db_driver *engine_drv;	/* the side's engine, dumps' too
						 * (NULL: an unknown one) */
	struct db_conn **conns;
	int nconns;
	/* a dump compared with a database that holds a partitioned table
	 * as one table: its root is read from its partitions' chunks */
	int fold_partitions;
	/* a database whose engine has a fast hash of its own (vsql.h):
	 * its major version, "" otherwise */
	char native_major[32];
	/* a database whose tables can be read in parts by their pages */
	int by_pages;
};

/* A rendered row kept for comparison. */
struct saved_row {
	char *text;
	size_t textlen;
	size_t *off, *len;	/* per compared column; off SIZE_MAX = NULL */
	uint64_t digest;
	uint32_t bucket_hash;
};

struct row_list {
	struct saved_row *v;
	size_t n, alloc;
};

typedef int (*vrow_fn)(void *arg, const struct vrow *r, struct dberr *err);

/* How vread reads: in key order (rows compared by their text, without
 * digests); without the key's hash bucket (rows grouped by key range). */
enum { VREAD_ORDERED = 1, VREAD_NO_BUCKET = 2 };

/* Streams the rows of side s of t, rendered, to fn: from a database
 * restricted to the scopes (all when nscopes is 0) and in key order when
 * asked (flags, VREAD_*); from a dump all rows in dump order. */
int vread(struct vsrc *src, struct db_conn *c, struct table *t,
	  const struct vf_plan *p, int s, const struct vf_scope *scopes,
	  int nscopes, int flags, vrow_fn fn, void *arg, struct dberr *err);

void saved_row_copy(struct saved_row *d, const struct vrow *r, int ncols);
void saved_row_release(struct saved_row *r);
void row_list_push(struct row_list *l, const struct vrow *r, int ncols);
void row_list_release(struct row_list *l, int ncols);

/* Key order of two rows (vform_key_cmp over the key columns); whole-row
 * byte order without a key. */
int saved_row_key_cmp(const struct vf_plan *p, const struct saved_row *a,
		      const struct saved_row *b);

/* Records a difference between a (source, may be NULL) and b (target,
 * may be NULL) in res, counting it and listing it up to max. */
void record_diff(struct verify_table *res, const struct vf_plan *p,
		 const struct saved_row *a, const struct saved_row *b, uint64_t max);

/* Compares two row lists (sorted here) and records the differences. */
void compare_lists(struct verify_table *res, const struct vf_plan *p,
		   struct row_list *a, struct row_list *b, uint64_t max);

/* Streams both sides in key order on two threads and merges them. */
int compare_ordered(struct vsrc *src[2], struct db_conn *c[2], struct table *t[2],
		    const struct vf_plan *p, struct verify_table *res, uint64_t max,
		    struct dberr *err);

#endif
