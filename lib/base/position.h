/*
 * position.h - a point in a source's change log: where a dump's snapshot
 * was taken, where change capture resumes, how far a target has caught
 * up. One type for the dump's manifest, the snapshot, verify's report
 * and (next) the CDC checkpoint, so every place compares positions the
 * same way.
 *
 * Two kinds of log exist: a WAL LSN ("16/B374D848", two 32-bit halves in
 * hex) and a binary log coordinate ("binlog.000042:1337", a file and a
 * byte offset in it) with, where the server has them, the GTID set it
 * contains (MariaDB "0-1-19,1-2-7": per replication domain the last
 * sequence number; MySQL "3E11FA47-...:1-5:7,...": per server uuid the
 * transaction intervals).
 */
#ifndef DBMIG_POSITION_H
#define DBMIG_POSITION_H

#include <stdint.h>

#include "dberr.h"
#include "util.h"

enum position_kind {
	POSITION_NONE = 0,	/* unknown, or the server keeps no log */
	POSITION_LSN,		/* a write-ahead log sequence number */
	POSITION_BINLOG,	/* binlog file:offset, and a GTID set when known */
};

struct db_position {
	enum position_kind kind;
	char text[128];		/* "16/B374D848", "binlog.000042:1337", or "" */
	char gtid[256];		/* POSITION_BINLOG: the GTID set, or "" */
	int exact;		/* 1 when this is the snapshot's own position,
				 * 0 when it was read after (a lower bound) */
};

/* Sets p from its text form; kind says which log. "" or a text that is
 * no position of that kind (an old manifest's "none (binary log
 * disabled)") gives POSITION_NONE when allowed by lenient, else -1 with
 * err filled (DBERR_FORMAT) naming the text. */
int position_parse(struct db_position *p, enum position_kind kind,
		   const char *text, const char *gtid, int exact, int lenient,
		   struct dberr *err);

/* The kind a text looks like: "X/Y" in hex is an LSN, "name:digits" a
 * binlog coordinate, anything else POSITION_NONE. For text from dumps
 * written before the kind was recorded. */
enum position_kind position_kind_of(const char *text);

/* The LSN as a number; 0 when p is not a valid LSN. */
uint64_t position_lsn(const struct db_position *p);
/* Formats an LSN as PostgreSQL prints it ("16/B374D848"). */
void position_set_lsn(struct db_position *p, uint64_t lsn, int exact);
/* A binlog coordinate; an empty file means "no binary log". */
void position_set_binlog(struct db_position *p, const char *file, uint64_t offset,
			 const char *gtid, int exact);

/*
 * Orders two positions of the same source: *cmp is <0, 0 or >0 as a is
 * before, at or after b. Binlog positions compare by their GTID sets
 * when both have one (a GTID set is before another when it is contained
 * in it; binlog files change names on a failover, GTIDs do not), else
 * by file number and offset. Returns -1 with err filled when the two
 * cannot be ordered: different kinds, a missing position, binlogs of
 * different base names, or GTID sets neither of which contains the
 * other (two servers' histories that diverged).
 */
int position_compare(const struct db_position *a, const struct db_position *b,
		     int *cmp, struct dberr *err);

/* 1 when a is at or after b (two positions of one source); 0 when
 * before, or when they cannot be ordered. */
int position_at_or_after(const struct db_position *a, const struct db_position *b);

/* Bytes of log from one position to a later one; -1 when unknown (two
 * binlog files: their sizes are the server's to say). */
int64_t position_bytes_between(const struct db_position *from, const struct db_position *to);

/* For people: "WAL LSN 16/B374D848[ or later]", "binlog f:o[, GTID g]"
 * or "no log position". */
void position_describe(const struct db_position *p, struct strbuf *o);

#endif
