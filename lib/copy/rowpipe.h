/*
 * rowpipe.h - canonical rows from one thread to another, in chunks.
 *
 * A direct copy reads the source on one thread and loads the target on
 * another; this is the pipe between them. The producer encodes rows
 * (canon.h) into blocks of about 256 KiB and marks where each chunk
 * begins and ends; the consumer takes one chunk at a time, row by row,
 * as a row_source_fn. At most `depth` blocks wait in the pipe, so memory
 * is bounded by depth blocks (plus one row larger than a block) whatever
 * the table size. Either side can fail the pipe: the other one gets -1
 * and the failure's message at its next call.
 */
#ifndef DBMIG_ROWPIPE_H
#define DBMIG_ROWPIPE_H

#include <stdint.h>

#include "lib/base/canon.h"
#include "lib/base/dberr.h"

struct rowpipe;

struct rowpipe *rowpipe_new(int ncols, int depth);
void rowpipe_free(struct rowpipe *p);

/* Producer. Each returns 0, or -1 with err set when the consumer failed. */
int rowpipe_chunk_begin(struct rowpipe *p, const char *name, struct dberr *err);
/* Returns the bytes the row took in the canonical encoding, or -1. */
int64_t rowpipe_row(struct rowpipe *p, const struct value *vals, struct dberr *err);
int rowpipe_chunk_end(struct rowpipe *p, struct dberr *err);
/* No more chunks: failure NULL for a clean end, else what went wrong
 * (the consumer's current chunk then fails with it). */
void rowpipe_close(struct rowpipe *p, const struct dberr *failure);

/* Consumer. The next chunk's name: 1 with name filled (at most namesz),
 * 0 when the producer closed cleanly, -1 with err set when it failed. */
int rowpipe_next_chunk(struct rowpipe *p, char *name, size_t namesz, struct dberr *err);
/* A row_source_fn over the current chunk: 1 row, 0 its end, -1 failure. */
int rowpipe_next_row(void *pipe, struct value *vals, struct dberr *err);
/* The consumer failed: the producer's next call returns -1 with err. */
void rowpipe_fail(struct rowpipe *p, const struct dberr *err);

#endif
