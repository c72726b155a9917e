/*
 * workpool.c - see workpool.h.
 */
#include "workpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

struct pool {
	pthread_mutex_t lock;
	size_t next, njobs;
	int failed;
	struct dberr first;
	workpool_fn fn;
	void *arg;
};

struct worker {
	struct pool *pool;
	void *state;
};

static void *
worker_main(void *p)
{
	struct worker *w = p;
	struct pool *pool = w->pool;
	struct dberr err = DBERR_INIT;

	for (;;) {
		size_t job;

		pthread_mutex_lock(&pool->lock);
		if (pool->failed || pool->next >= pool->njobs || dbmig_interrupted) {
			if (dbmig_interrupted && !pool->failed) {
				pool->failed = 1;
				dberr_set(&pool->first, DBERR_INTERRUPTED, "interrupted");
			}
			pthread_mutex_unlock(&pool->lock);
			break;
		}
		job = pool->next++;
		pthread_mutex_unlock(&pool->lock);
		if (pool->fn(w->state, job, pool->arg, &err) < 0) {
			pthread_mutex_lock(&pool->lock);
			if (!pool->failed) {
				pool->failed = 1;
				pool->first = err;
			}
			pthread_mutex_unlock(&pool->lock);
			break;
		}
	}
	return NULL;
}

int
workpool_run(int nthreads, void **states, size_t njobs, workpool_fn fn,
	     void *arg, struct dberr *err)
{
	struct pool pool;
	pthread_t *tids = xcalloc((size_t)nthreads, sizeof(*tids));
	struct worker *ws = xcalloc((size_t)nthreads, sizeof(*ws));
	int started = 0;

	memset(&pool, 0, sizeof(pool));
	pthread_mutex_init(&pool.lock, NULL);
	pool.njobs = njobs;
	pool.fn = fn;
	pool.arg = arg;
	for (int i = 0; i < nthreads; i++) {
		ws[i].pool = &pool;
		ws[i].state = states[i];
		if (nthreads == 1) {
			worker_main(&ws[i]);	/* no thread for -j 1 */
			continue;
		}
		if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) == 0)
			started++;
		else
			tids[i] = 0;
	}
	for (int i = 0; i < nthreads && nthreads > 1; i++)
		if (tids[i])
			pthread_join(tids[i], NULL);
	if (nthreads > 1 && !started && njobs) {
		pool.failed = 1;
		dberr_set(&pool.first, DBERR_INTERNAL, "cannot start worker threads");
	}
	pthread_mutex_destroy(&pool.lock);
	free(tids);
	free(ws);
	if (pool.failed) {
		*err = pool.first;
		return -1;
	}
	return 0;
}
