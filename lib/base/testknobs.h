/*
 * testknobs.h - the environment variables inside lib/ that exist for
 * tests, read in this one place so that they are easy to find and to
 * keep out of production paths. Neither changes what is migrated.
 *
 *   DBMIG_TEST_CHUNK_DELAY_MS=N  load sleeps N ms before committing each
 *                                chunk, so a test can kill a load or end
 *                                its connections mid-run (tests only).
 *   DBMIG_TEST_PROGRESS_MS=N     the progress display ticks every N ms
 *                                (a "progress" event each tick with
 *                                --progress=json), so a test sees several
 *                                in a short run (tests only).
 *   DBMIG_NO_BINARY_COPY=1       PostgreSQL COPY in and out in text even
 *                                where binary would do; a test compares
 *                                the two, and an operator may use it to
 *                                rule the binary path out (documented in
 *                                dbmig-dump(1), dbmig-load(1), dbmig-copy(1)).
 *   DBMIG_TEST_CUTOVER_FAIL=STEP cutover-plan --execute fails at the start of
 *                                STEP (pause, fence, marker, ...), as a
 *                                server error there would (tests only).
 *   DBMIG_TEST_CUTOVER_KILL=STEP it kills itself (SIGKILL) once STEP is
 *                                done and recorded, as kill -9 would.
 */
#ifndef DBMIG_TESTKNOBS_H
#define DBMIG_TESTKNOBS_H

/* DBMIG_TEST_CHUNK_DELAY_MS, or 0. */
long testknob_chunk_delay_ms(void);
/* DBMIG_TEST_PROGRESS_MS, or 0. */
long testknob_progress_ms(void);
/* 1 when DBMIG_TEST_CUTOVER_FAIL, or DBMIG_TEST_CUTOVER_KILL, names step. */
int testknob_cutover_fail(const char *step);
int testknob_cutover_kill(const char *step);
/* 1 when DBMIG_NO_BINARY_COPY is set. */
int testknob_no_binary_copy(void);

#endif
