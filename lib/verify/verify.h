/*
 * verify.h - dbmig verify: do two databases, or a dump and a database,
 * hold the same rows? cmd/verify.c parses options into verify_opts and
 * prints the verify_result; the comparison itself is in verify.c (tables,
 * plans and the two methods) and verify_rows.c (reading, rendering and
 * comparing rows).
 */
#ifndef DBMIG_VERIFY_H
#define DBMIG_VERIFY_H

#include <stdint.h>

#include "lib/base/dberr.h"
#include "lib/dump/source.h"
#include "lib/engine/driver.h"

enum verify_mode {
	VERIFY_CHECKSUM = 0,	/* digests inside each server, bisect, fetch few rows */
	VERIFY_ROWS,		/* every row to the client, compared in key order */
};

/* --digest: how the checksum mode digests rows */
enum verify_digest {
	VERIFY_DIGEST_AUTO = 0,	/* the engine's own hash between two servers of
				 * one engine and major version, else MD5 */
	VERIFY_DIGEST_MD5,	/* MD5 of the common rendering, always */
	VERIFY_DIGEST_SHA256,	/* SHA-256 of the common rendering */
};

struct verify_opts {
	const char *side[2];		/* source, target: URI or dump directory */
	enum verify_mode mode;
	enum verify_digest digest;
	int jobs;
	struct schema_filter filter;
	uint64_t chunk_rows;		/* rows per first-level chunk */
	uint64_t max_diffs;		/* differences listed per table */
	int rendering_check;		/* compare SQL and client renderings instead */
	int progress;			/* enum progress_mode */
	int max_hold;			/* a live pair: seconds its tail may hold */
};

/* One listed difference. */
struct verify_diff {
	char kind;		/* 'm' missing on target, 'e' extra on target,
				 * 'c' changed, 'r' rendering mismatch,
				 * 'n' a range whose row counts differ too much
				 * to be worth fetching (detail: both counts) */
	char *key;		/* "id=5", "(a, b)=(1, x)"; the row without a key;
				 * 'n': "id 400001..410000", "key hash 3 mod 81" */
	char *key_json;		/* the key as a JSON object, {"id":5}; a range
				 * {"id":{"from":1,"to":9}}; NULL for 'r' */
	char *columns;		/* 'c', 'r': the differing columns, ", "-separated */
	char *detail;		/* 'c', 'r': "col: source → target" of the first ones;
				 * 'n': both counts */
	uint64_t count[2];	/* 'n': the range's rows on each side */
};

struct verify_table {
	char *name[2];		/* "schema.table" on each side */
	uint64_t rows[2];	/* rows read or counted on each side */
	uint64_t chunks;	/* first-level chunks compared (0 in rows mode) */
	uint64_t chunks_differing;
	uint64_t missing, extra, changed;	/* among the listed rows */
	uint64_t counted;	/* rows the counts of unfetched ranges differ by */
	uint64_t counted_ranges;	/* those ranges */
	uint64_t count_range[2];	/* the rows those ranges hold on each side */
	int truncated;		/* more differences than were listed */
	int multiset;		/* no primary key: compared as multisets */
	int digest_mismatch;	/* digests differed, rows did not: a rendering bug */
	int stored_apart;	/* the engine's own digests differed where the
				 * rendering is equal (-0 and 0): a note */
	const char *method;	/* "checksum", "checksum (client digests)", "rows" */
	const char *digest;	/* the rows' digest: "md5", "sha256", or the
				 * engine's ("hashtextextended", "crc32+crc32c");
				 * NULL where rows were compared, not digested */
	int ranges;		/* key ranges digested apart, on several
				 * connections at once (1: the table whole) */
	char *error;		/* the table could not be compared */
	enum dberr_class error_cls;
	struct strlist notes;	/* columns not compared, and why */
	int uncompared;		/* columns paired but not comparable */
	struct verify_diff *diffs;
	int ndiffs;
	double seconds;
};

struct verify_side_info {
	int is_dump;
	char engine[32];		/* "postgresql", "mysql" */
	char where[600];		/* connection description or dump path */
	char server_version[96];
	struct db_position position;	/* where the side was read */
	char snapshot_kind[32];
	char taken_at[32];		/* dumps: when the snapshot was taken */
};

struct verify_result {
	struct verify_side_info side[2];
	struct verify_table *tables;
	int ntables;
	struct strlist only[2];		/* tables present on one side only */
	struct strlist column_diffs;	/* "schema.table: column x missing on target" */
	/* sequences the target has at an earlier value than the source: its
	 * next value would collide with rows the source made (a note, not a
	 * difference of the data: a tail keeps rows in step, not these) */
	struct strlist seq_behind;	/* "schema.seq: N on the source, M on the target" */
	struct strlist seq_fix;		/* the statement that syncs each, on the target */
	/* a live pair (the target's cdc-tail running): compared at the
	 * source's position live_position, where the tail held */
	int live;
	char live_position[128];
	char live_dump_id[64];		/* whose tail held */
	/* the target holds a tail's state but no tail runs: where it
	 * stands ("" otherwise) */
	char stopped_tail_at[128];
	int tail_no_answer;		/* a tail runs but could not be held */
	uint64_t differences;		/* rows and schema differences found */
	int tables_differing;
	int uncompared;		/* columns not compared, over all tables */
	int tables_uncompared;	/* tables with such columns */
	double seconds;
};

/* Compares the two sides. Returns 0 when the comparison ran (differences
 * or not: see res->differences), -1 with err set when it could not. */
int verify_run(const struct verify_opts *o, struct verify_result *res,
	       struct dberr *err);
void verify_result_release(struct verify_result *res);

#endif
