/*
 * pg_bincopy.h - PostgreSQL's binary COPY format to and from canonical
 * values, for the kinds of column where the conversion is a byte swap or
 * less (integers, bool, floats, text, bytea). Pure: no libpq.
 */
#ifndef DBMIG_PG_BINCOPY_H
#define DBMIG_PG_BINCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/canon.h"
#include "lib/base/types.h"
#include "lib/base/util.h"

/* How one column travels in binary; BIN_NONE: not binary (use text). */
enum bin_kind { BIN_NONE = 0, BIN_INT2, BIN_INT4, BIN_INT8, BIN_BOOL, BIN_FLOAT4,
		BIN_FLOAT8, BIN_TEXT, BIN_BYTES };

/* The kind for a column of PostgreSQL type oid holding neutral type nt. */
enum bin_kind bincopy_kind_for(unsigned oid, enum ntype nt);

/* Appends the file header: signature, flags and an empty extension. */
void bincopy_put_header(struct strbuf *out);
/* Appends a row's field count, a NULL field, the trailer. */
void bincopy_put_row_start(struct strbuf *out, int ncols);
void bincopy_put_null(struct strbuf *out);
void bincopy_put_trailer(struct strbuf *out);
/* Appends one field from its canonical payload p[0..n); -1 with emsg
 * filled when the value does not fit the kind (an out-of-range integer,
 * a float of the wrong width). */
int bincopy_put_field(struct strbuf *out, enum bin_kind k, const unsigned char *p, size_t n,
		      char *emsg, size_t emsz);

/* One field's send format to its canonical payload; -1 when malformed. */
int bincopy_to_canon(enum bin_kind k, const unsigned char *p, uint32_t n, struct strbuf *out);

/* Reads a binary COPY stream as it arrives, whatever the framing: bin
 * holds what is not consumed yet. */
struct bin_reader {
	struct strbuf bin;
	size_t pos;
	int header_done;
};
#define BIN_READER_INIT { STRBUF_INIT, 0, 0 }
/* 1: a row, its canonical payloads in canon at offs (SIZE_MAX: NULL);
 * 0: more bytes needed; 2: the trailer; -1: malformed. */
int bincopy_next_row(struct bin_reader *br, int ncols, const enum bin_kind *kinds,
		     struct strbuf *canon, size_t *offs);
/* Adds bytes that arrived; drops consumed ones now and then. */
void bincopy_feed(struct bin_reader *br, const void *p, size_t n);

#endif
