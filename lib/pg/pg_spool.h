/*
 * pg_spool.h - one transaction that PostgreSQL streams before its commit
 * (pgoutput protocol 2), kept on local disk until its commit or abort
 * arrives: other transactions' chunks interleave with its chunks, it
 * may be rolled back in part (a subtransaction) or whole, and it may be
 * larger than memory. Messages are kept as they came and read back, in
 * order, at its commit.
 *
 * The file is unlinked as soon as it is made: nothing is left behind by
 * a crash, and a restart gets the whole transaction again from the slot
 * (its commit was never confirmed).
 */
#ifndef DBMIG_PG_SPOOL_H
#define DBMIG_PG_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/dberr.h"

struct pg_spool;

/* A spool for top-level transaction xid, in directory dir. */
struct pg_spool *pg_spool_open(uint32_t xid, const char *dir, struct dberr *err);
uint32_t pg_spool_xid(const struct pg_spool *sp);
/* Appends one message of (sub)transaction sub_xid, sent at WAL position
 * lsn; relation says it describes a relation, which a later partial
 * rollback must not take back (the server sends a description once per
 * transaction). */
int pg_spool_append(struct pg_spool *sp, uint32_t sub_xid, int relation, uint64_t lsn,
		    const unsigned char *msg, size_t n, struct dberr *err);
/* Takes back subtransaction sub_xid's messages and those of the
 * subtransactions that came after it. */
int pg_spool_abort_sub(struct pg_spool *sp, uint32_t sub_xid, struct dberr *err);
/* Starts reading the messages back from the first. */
int pg_spool_rewind(struct pg_spool *sp, struct dberr *err);
/* The next message (valid until the next call) and its WAL position: 1,
 * or 0 at the end. */
int pg_spool_next(struct pg_spool *sp, uint64_t *lsn, const unsigned char **msg, size_t *n,
		  struct dberr *err);
/* Bytes and messages it holds. */
uint64_t pg_spool_bytes(const struct pg_spool *sp);
void pg_spool_close(struct pg_spool *sp);

#endif
