/*
 * workpool.h - N threads working through a list of jobs.
 *
 * Each thread owns one state (typically a database connection) for the
 * whole run, and takes the next job index until none is left or a job
 * failed; the first failure stops the others after their current job.
 * Memory use is whatever the jobs use: the pool queues nothing.
 */
#ifndef DBMIG_WORKPOOL_H
#define DBMIG_WORKPOOL_H

#include <stddef.h>

#include "dberr.h"

/* Runs job `job` with the thread's state. Returns 0, or -1 with err set. */
typedef int (*workpool_fn)(void *state, size_t job, void *arg, struct dberr *err);

/* Runs njobs jobs on nthreads threads (states[i] for thread i). Returns 0,
 * or -1 with *err holding the first failure. */
int workpool_run(int nthreads, void **states, size_t njobs, workpool_fn fn,
		 void *arg, struct dberr *err);

#endif
