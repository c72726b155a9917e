/*
 * vform.h - the rendering verify compares (man dbmig-verify(1), section
 * NORMALIZATION).
 *
 * Two columns that hold the same values on two engines, or in a dump and
 * a database, may have different neutral types (MySQL tinyint(1) against
 * PostgreSQL boolean, decimal(10,2) against numeric(10,2), a uuid stored
 * as binary(16)). verify therefore compares each pair of columns in one
 * "kind", and renders every value of the pair as the same text: in the
 * client from canonical values (this file), or inside each server by SQL
 * the drivers generate. Both renderings must be byte for byte equal; a
 * golden test holds them to it for every type of the type zoos.
 *
 * A row's rendering is, for each compared column, "N" for NULL; for a
 * kind whose renderings never hold a comma (numbers, dates and times,
 * uuids: vform_self_delimited) the rendering and ','; for the others the
 * rendering's length in characters, ':' and the rendering. Lengths count
 * characters, not bytes, because both servers know a column's characters
 * without converting it (MySQL's latin1 to UTF-8 costs more than the hash).
 * Its digest is the first 8 bytes of MD5 (or SHA-256, --digest=sha256)
 * of that text, big-endian, or, where one side is MariaDB hashing in its
 * server and the other is hashed here, CRC32 << 32 | CRC32C of it (VD_CRC,
 * with MariaDB's latin1 text as its stored bytes on both sides); a chunk's digest is the sum of its rows'
 * digests modulo 2^64, so duplicate rows add up instead of cancelling.
 * Rows are spread over hash buckets by bytes 8..11 of the MD5 of the
 * key's rendering (of the whole row without a primary key).
 *
 * Two databases of one engine and major version need no common
 * rendering: each server hashes its stored values with its own fast hash
 * (VD_NATIVE), a column rendered only where the two sides' types differ
 * or the type's text is not exact (vsql.c).
 */
#ifndef DBMIG_VFORM_H
#define DBMIG_VFORM_H

#include <stdint.h>

#include "lib/base/canon.h"
#include "lib/base/dberr.h"
#include "lib/base/schema.h"
#include "lib/base/util.h"

enum vkind {
	VK_NONE = 0,	/* not comparable: reported, not compared */
	VK_INT,		/* decimal integer text; booleans as 0 and 1 */
	VK_DEC,		/* decimal text at the pair's scale */
	VK_FLOAT,	/* IEEE 754 double bits, 16 hex digits */
	VK_DATE,	/* YYYY-MM-DD */
	VK_TIME,	/* [-]HH:MM:SS.ffffff */
	VK_MICROS,	/* a MySQL time against a PostgreSQL interval: microseconds */
	VK_TS,		/* YYYY-MM-DD HH:MM:SS.ffffff, in UTC */
	VK_TEXT,	/* the text as stored, UTF-8 */
	VK_CHAR,	/* the text without trailing spaces */
	VK_BYTES,	/* lowercase hex */
	VK_UUID,	/* 36 lowercase characters, from text or 16 bytes */
	VK_JSON,	/* PostgreSQL jsonb's text form */
	VK_SETLIST,	/* a MySQL set against a PostgreSQL array: "a,b" */
	VK_ARRAY,	/* PostgreSQL arrays: the canonical payload (client only) */
	VK_ARRAY_JSON,	/* a PostgreSQL array against the JSON array a load
			 * made of it: both as jsonb's text form */
};

/* One side of a compared column. */
struct vside {
	const struct column *col;
	int idx;		/* position among the table's data columns */
	int zero_null;		/* MySQL zero dates render as NULL (the other
				 * side is PostgreSQL, where load made them NULL) */
};

struct vcol {
	const char *name;
	struct vside s[2];	/* side 0 (source) and side 1 (target) */
	enum vkind kind;
	int scale;		/* VK_DEC: fractional digits, -1 as stored */
	int native;		/* VD_NATIVE: hashed as stored (one type on both
				 * sides), not rendered */
	int latin1;		/* VD_CRC: the value hashed as MySQL latin1 bytes,
				 * as the side that hashes in its server stores it */
};

/* How rows are digested. */
enum vdigest {
	VD_MD5 = 0,	/* MD5 of the row's rendering: every engine and the client */
	VD_SHA256,	/* SHA-256 of the row's rendering (--digest=sha256) */
	VD_NATIVE,	/* the engine's own hash of the stored values: both sides
			 * databases of one engine and major version */
	VD_CRC,		/* CRC32 << 32 | CRC32C of the row's rendering: MariaDB
			 * in its server, the other side in the client */
};

#define VF_MAX_KEY 32

/* What verify compares in one table. */
struct vf_plan {
	struct vcol *cols;
	int ncols;
	int key[VF_MAX_KEY];	/* indices into cols; nkey 0: no primary key */
	int nkey;
	int range;		/* single integer key: buckets are key ranges */
	int ordered;		/* every key column has an order both servers share */
	enum vdigest digest;
	struct strlist notes;	/* what is not compared, and why */
};

/* The kind two columns are compared in (VK_NONE: not comparable), and
 * for VK_DEC the scale. */
enum vkind vform_kind(const struct ntype_desc *a, const struct ntype_desc *b,
		      int *scale);
const char *vform_kind_name(enum vkind k);
/* 1 when k's renderings never hold a ',' and never are "N": framed as
 * the rendering and ',', not by length. */
int vform_self_delimited(enum vkind k);

/* Renders one non-NULL canonical value of side s of vc into out. Returns 1
 * when it renders as NULL instead (a zero date facing PostgreSQL). */
int vform_render(const struct vcol *vc, int s, const struct value *v,
		 struct strbuf *out);

/* A rendered row: the row text, where each column's rendering starts,
 * and the digests. */
struct vrow {
	struct strbuf text;	/* the row's rendering */
	struct strbuf key;	/* the key's rendering (the row's without a key) */
	size_t *off;		/* per compared column: start in text, SIZE_MAX = NULL */
	size_t *len;
	uint64_t digest;	/* first 8 bytes of MD5(text), or of SHA-256 */
	uint32_t bucket_hash;	/* bytes 8..11 of MD5(key) */
	int no_digests;		/* set by the reader: rows compared by their text
				 * in key order need neither (nor the key's text) */
	struct strbuf hashed;	/* VD_CRC: the text with latin1 values converted */
	int no_bucket;		/* set by the reader: rows grouped by key range
				 * need no bucket (nor the key's text) */
};
void vrow_init(struct vrow *r, const struct vf_plan *p);
void vrow_release(struct vrow *r);
/* Renders vals (side s's data columns, canonical) into r. */
void vform_row(const struct vf_plan *p, int s, const struct value *vals,
	       struct vrow *r);

/* Orders two renderings of one key column as both servers order it:
 * numerically for VK_INT and VK_DEC, byte-wise otherwise. */
int vform_key_cmp(enum vkind k, const char *a, size_t alen, const char *b,
		  size_t blen);

/* PostgreSQL jsonb's text form of the JSON text p[0..n): keys sorted by
 * length then bytes, the last of duplicate keys kept, numbers as numeric
 * prints them. Returns -1 (out unchanged) on invalid JSON. */
int vform_json(const char *p, size_t n, struct strbuf *out);
/* p as a JSON string, escaped as PostgreSQL's escape_json() does. */
void vform_json_string(const char *p, size_t n, struct strbuf *out);

/* The 64-bit value of a decimal integer string modulo 2^64 (the servers'
 * SUM of digests, which may exceed 64 bits). */
uint64_t vform_sum_mod64(const char *s);

/* What verify asks a server about: the rows of a key range, or of a
 * hash bucket (bucket_hash % mod == res; mod 1 is every row). */
enum vf_scope_kind { VF_RANGE = 1, VF_HASH = 2 };
struct vf_scope {
	enum vf_scope_kind kind;
	int64_t lo, hi;		/* VF_RANGE: lo <= key <= hi */
	uint64_t mod, res;	/* VF_HASH */
	/* VF_HASH, digests only: the buckets res of each of these, sorted
	 * (several scopes of one level in one scan); NULL: res alone */
	const uint64_t *resv;
	uint64_t nres;
	/* VF_RANGE, digests only: the table's pages [page_from, page_to)
	 * (page_to 0: every page; UINT64_MAX: to the table's end) */
	uint64_t page_from, page_to;
};
struct vf_stats {
	uint64_t rows;
	int has_range;		/* kmin/kmax hold the integer key's extremes */
	int64_t kmin, kmax;
};
/* One group of a digest query: VF_RANGE groups are (key - lo) / width,
 * VF_HASH groups bucket_hash % modulus (a multiple of the scope's). */
typedef int (*vf_group_fn)(void *arg, uint64_t group, uint64_t rows, uint64_t sum,
			   struct dberr *err);
/* One row of SQL renderings (NULL pointers for NULL). */
typedef int (*vf_text_row_fn)(void *arg, const char *const *vals, const size_t *lens,
			      struct dberr *err);

/* For people: a rendering as the report shows it (floats as numbers). */
void vform_display(enum vkind k, const char *p, size_t n, struct strbuf *out);

#endif
