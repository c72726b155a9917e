/*
 * canon.h - the canonical row encoding (dumpfmt/SPEC.md section 4).
 *
 * A row is the byte 0x01 followed by, for each column, either 0x00 (NULL)
 * or 0x01, a LEB128 length and that many payload bytes. The payload is the
 * canonical form of the value for its neutral type: text for most types,
 * IEEE-754 big-endian bits for floats, raw bytes for bytes, a nested
 * structure for arrays. The end of a chunk is 0x00 followed by the LEB128
 * row count. The same payloads feed verify's row hashes, so two engines
 * that agree on a value produce the same bytes.
 */
#ifndef DBMIG_CANON_H
#define DBMIG_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Hard limits on hostile input: no value may exceed these. */
#define CANON_MAX_VALUE	((size_t)1 << 30)	/* PostgreSQL's field limit */
#define CANON_MAX_COLS	1600			/* PostgreSQL's column limit */
#define CANON_MAX_DIMS	6			/* PostgreSQL's MAXDIM */

/* A borrowed view of one value. */
struct value {
	const unsigned char *p;	/* payload; valid while its buffer lives */
	size_t len;		/* payload bytes */
	int isnull;		/* 1 for SQL NULL (p, len unused) */
};

/* Big-endian integers of nbytes (1..8): the canonical float bit pattern. */
void canon_put_be(struct strbuf *out, uint64_t v, int nbytes);
uint64_t canon_get_be(const unsigned char *p, int nbytes);
/* A float's canonical payload: v's bits as a float (nbytes 4, v rounded to
 * float first) or a double (nbytes 8), big-endian. */
void canon_put_float(struct strbuf *out, double v, int nbytes);
/* A float's canonical payload (nbytes 4 or 8) as a double (a float
 * widened exactly). */
double canon_get_float(const unsigned char *p, int nbytes);

/*
 * Points vals[0..n) into buf, whose payloads were appended back to back:
 * offs[i] is where value i starts, SIZE_MAX for NULL. Call it once buf is
 * complete, since growing buf may move it; a value ends where the next
 * non-null one starts.
 */
void canon_values_from_offsets(const struct strbuf *buf, const size_t *offs, int n,
			       struct value *vals);

/* A MySQL zero date or zero-in-date ("0000-..", "..-00-..", "..-00"):
 * payloads of date, timestamp and timestamptz from a MySQL source. */
int canon_is_zero_date(const unsigned char *p, size_t n);

/* Appends one encoded row of ncols values to out. */
void canon_row_encode(struct strbuf *out, const struct value *v, int ncols);
/* Appends the end-of-chunk marker carrying the row count. */
void canon_end_encode(struct strbuf *out, uint64_t rows);

enum canon_status {
	CANON_ROW = 1,		/* one row decoded into vals */
	CANON_END = 2,		/* end marker; *rows holds its count */
	CANON_MORE = 0,		/* the buffer holds no complete item yet */
	CANON_BAD = -1,		/* malformed; emsg says why */
};

/*
 * Decodes one item from p[0..n). On CANON_ROW, vals[0..ncols) point into p
 * and *used is the number of bytes the row took. Never reads past n.
 */
enum canon_status canon_decode(const unsigned char *p, size_t n, int ncols,
			       struct value *vals, size_t *used, uint64_t *rows,
			       char *emsg, size_t emsz);

/*
 * Array payloads (section 4.3): ndims, per dimension its length and lower
 * bound, then the elements in row-major order, each framed like a column.
 */
struct canon_array {
	int ndims;
	int dims[CANON_MAX_DIMS];	/* lengths */
	int lbound[CANON_MAX_DIMS];	/* lower bounds (PostgreSQL's, usually 1) */
	size_t nelems;
	struct value *elems;		/* owned array, borrowed payloads */
};
void canon_array_encode(struct strbuf *out, const struct canon_array *a);
/* Fills a (elems owned by a: free with canon_array_release). -1 on bad input. */
int canon_array_decode(const unsigned char *p, size_t n, struct canon_array *a,
		       char *emsg, size_t emsz);
void canon_array_release(struct canon_array *a);
/* Writes a's elements in row-major order, each dimension's list between
 * open and close and its items separated by commas (PostgreSQL's {...},
 * JSON's [...]); fn writes one element. An empty array is open, close.
 * Returns 0, or the first -1 of fn. */
typedef int (*canon_elem_fn)(void *arg, const struct value *v, struct strbuf *out);
int canon_array_write(const struct canon_array *a, char open, char close,
		      canon_elem_fn fn, void *arg, struct strbuf *out);

#endif
