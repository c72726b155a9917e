/*
 * progress.h - what a running dump or load tells people and machines:
 * on a terminal a live line per running table and an overall bar (rows,
 * MB/s, ETA); with --progress=json one JSON object per event on stderr
 * (table_start, chunk_done, table_done, step, log, summary, the summary
 * always last); otherwise a plain log
 * line every 10 seconds; and at the end a summary table per table.
 *
 * Workers call it from any thread; it takes a lock per call, so they
 * call it per batch of rows, not per row.
 */
#ifndef DBMIG_PROGRESS_H
#define DBMIG_PROGRESS_H

#include <stdint.h>

enum progress_mode {
	PROGRESS_AUTO = 0,	/* tty on a terminal, else log; none when quiet */
	PROGRESS_TTY,
	PROGRESS_JSON,
	PROGRESS_LOG,
	PROGRESS_NONE,
};

/* "auto", "tty", "json", "log", "none"; -1 for anything else. */
int progress_mode_parse(const char *s);

struct progress;

/* verb is "dump" or "load", for the lines people read. */
struct progress *progress_new(enum progress_mode mode, const char *verb);
/* A table expected to take `parts` jobs or chunks; rows and bytes 0 when
 * unknown. Returns its index. May be called after progress_begin (a copy
 * learns its tables' parts once reading is planned). */
int progress_add_table(struct progress *p, const char *name, uint64_t rows,
		       uint64_t bytes, int parts);
void progress_begin(struct progress *p);

void progress_part_start(struct progress *p, int ti);
void progress_rows(struct progress *p, int ti, uint64_t rows, uint64_t bytes);
void progress_chunk_done(struct progress *p, int ti, const char *chunk, uint64_t rows,
			 uint64_t bytes);
void progress_part_done(struct progress *p, int ti);
/* Rows reported for a part that was then undone (a retried chunk). */
void progress_rows_back(struct progress *p, int ti, uint64_t rows, uint64_t bytes);
/* The rows' counts are estimates (the server's statistics): the total is
 * shown as "~N" and the fraction capped below 100% until the end. */
void progress_estimated(struct progress *p);
/* No summary table at the end (verify prints its own report). */
void progress_no_summary(struct progress *p);
/* A step after the rows, "building primary key t_pkey on public.t", the
 * k-th of n: on a terminal under the bar, in JSON a "step" event, in a
 * log a line. */
void progress_step(struct progress *p, const char *what, int k, int n);

/* Stops the display, prints the summary and frees p (accepts NULL). */
void progress_end(struct progress *p, int ok);

#endif
