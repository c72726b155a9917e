/*
 * batch.h - the row changes of the source transactions that one target
 * transaction applies, copied out of the stream, and given back either
 * as they came or net: every row's changes within the batch folded into
 * the one change (or delete and insert) that leaves the row as they all
 * did, and grouped by table.
 *
 * Net is exact for the batch's end state, which is all anyone sees (it
 * commits as one target transaction), as long as the target checks no
 * foreign keys and runs no triggers meanwhile, and no unique key other
 * than the primary key is passed between rows within the batch (the
 * caller applies the batch as it came when the target refuses a
 * duplicate). Where the folding cannot be sure (a change of the key, a
 * TRUNCATE, a table without a primary key), changes keep their order:
 * keyless tables' changes stay in order among themselves, and a key
 * change or TRUNCATE splits the batch into parts applied one after the
 * other.
 *
 * Why: a hot row (pgbench's branches) updated thousands of times in one
 * target transaction leaves a chain of versions every later update walks
 * on PostgreSQL; folded, it is updated once. Inserts of a table come
 * together, into multi-row statements.
 */
#ifndef DBMIG_CDC_BATCH_H
#define DBMIG_CDC_BATCH_H

#include <stddef.h>

#include "lib/base/dberr.h"
#include "lib/cdc/cdc_event.h"

struct cdc_batch;

typedef int (*cdc_batch_fn)(void *arg, const struct cdc_event *ev, struct dberr *err);

struct cdc_batch *cdc_batch_new(void);
void cdc_batch_free(struct cdc_batch *b);
/* Copies a row change or a TRUNCATE into the batch. */
void cdc_batch_add(struct cdc_batch *b, const struct cdc_event *ev);
size_t cdc_batch_count(const struct cdc_batch *b);
/* Bytes of values it holds. */
size_t cdc_batch_bytes(const struct cdc_batch *b);
/* Drops the changes from the n-th on (a transaction that will not be
 * applied). */
void cdc_batch_truncate(struct cdc_batch *b, size_t n);
/* Calls fn on changes [from, to) as they came, or on the whole batch
 * net; stops at fn's first error. */
int cdc_batch_replay(struct cdc_batch *b, size_t from, size_t to, cdc_batch_fn fn, void *arg,
		     struct dberr *err);
int cdc_batch_replay_net(struct cdc_batch *b, cdc_batch_fn fn, void *arg, struct dberr *err);
/* How many changes the last net replay applied, for the counts. */
size_t cdc_batch_net_count(const struct cdc_batch *b);
void cdc_batch_reset(struct cdc_batch *b);

#endif
