/*
 * pgoutput.h - decoding one message of PostgreSQL's pgoutput logical
 * replication protocol (versions 1 and 2), as it arrives in a CopyData
 * 'w' payload. Pure: every length is checked against the message, so a
 * hostile or truncated message is an error, never a read past its end
 * (FINDINGS Q1 has the layouts).
 */
#ifndef DBMIG_PGOUTPUT_H
#define DBMIG_PGOUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct pgo_value {
	char kind;		/* 'n' NULL, 'u' unchanged TOAST (no data), 't' text */
	const char *p;		/* 't': the text, in the message, not terminated */
	uint32_t len;
};

struct pgo_tuple {
	int ncols;		/* 0: the message had no such tuple */
	struct pgo_value *v;	/* owned by the message, reused */
	int alloc;
};

struct pgo_att {
	int key;		/* part of the replica identity */
	const char *name;	/* in the message, terminated */
	uint32_t type_oid;
	int32_t typmod;
};

struct pgo_msg {
	char type;		/* B C R Y I U D T O M, and S E c A (streaming) */
	/* B: xid, lsn = the commit's LSN, ts. C: lsn = commit LSN,
	 * end_lsn = where the next transaction starts (feed back this),
	 * ts. */
	uint32_t xid;
	/* Protocol 2, streaming a transaction before its commit: S (stream
	 * start): xid, first_segment. Inside a stream, R Y I U D T M carry
	 * xid: the (sub)transaction the change belongs to. A (stream
	 * abort): xid, sub_xid (== xid: all of it). c (stream commit): xid,
	 * lsn, end_lsn, ts as C. */
	uint32_t sub_xid;
	int first_segment;
	uint64_t lsn, end_lsn;
	int64_t ts;		/* microseconds since 2000-01-01 */
	uint32_t relid;		/* R I U D */
	/* R */
	const char *nsp, *rel;
	char replident;		/* d f n i */
	int natts;
	struct pgo_att *atts;	/* owned, reused */
	int atts_alloc;
	/* I U D: old is the key ('K') or the whole old row ('O') when sent */
	char old_kind;
	struct pgo_tuple old_tuple, new_tuple;
	/* T */
	uint32_t nrels;
	uint8_t truncate_options;	/* 1 CASCADE, 2 RESTART IDENTITY */
	const unsigned char *relids;	/* nrels big-endian uint32s */
};

/* Decodes p[0..n) into m (whose arrays it reuses; pointers point into
 * p); in_stream: the message came between a stream start and stop.
 * Returns 0, or -1 with emsg filled for a malformed message. A message
 * type it does not know is decoded as just its type. */
int pgoutput_decode(const unsigned char *p, size_t n, int in_stream, struct pgo_msg *m,
		    char *emsg, size_t emsz);
void pgo_msg_release(struct pgo_msg *m);
uint32_t pgo_relid_at(const struct pgo_msg *m, uint32_t i);

#endif
