/*
 * blockq.h - a bounded queue of byte blocks from one thread to another.
 *
 * The producer hands over a block (a strbuf, swapped, never copied: it
 * gets an empty buffer back) with a kind of its own choosing; it waits
 * while `depth` blocks are queued, so memory is depth blocks whatever
 * flows through. The consumer takes blocks in order. Either side can
 * fail the queue: a failed consumer makes every later push return -1
 * with its error; a producer that closes with a failure makes the
 * consumer see that failure. Used by the row pipe of a direct copy and
 * by the chunk writer's compressor thread.
 */
#ifndef DBMIG_BLOCKQ_H
#define DBMIG_BLOCKQ_H

#include "dberr.h"
#include "util.h"

struct blockq;

struct blockq *blockq_new(int depth);
void blockq_free(struct blockq *q);

/* Producer: queues kind with *data's bytes; *data comes back empty. 0, or
 * -1 with *err (when err is not NULL) once the consumer failed. */
int blockq_push(struct blockq *q, int kind, struct strbuf *data, struct dberr *err);
/* Producer: records failure (NULL: none) for the consumer, then queues
 * close_kind; does not wait for room once the consumer failed. */
void blockq_close(struct blockq *q, int close_kind, const struct dberr *failure);

/* Consumer: waits for the next block; its bytes are swapped into *data
 * (whose old bytes the producer reuses). Returns its kind. */
int blockq_pop(struct blockq *q, struct strbuf *data);
/* Consumer: puts the block just popped back in front (a close that
 * later calls must see too). */
void blockq_unpop(struct blockq *q);
/* 1 with *err filled when the producer closed with a failure. */
int blockq_failure(struct blockq *q, struct dberr *err);
/* Consumer: gives up; the producer's next push returns -1 with err. */
void blockq_fail(struct blockq *q, const struct dberr *err);

#endif
