/*
 * blockq.c - see blockq.h. A ring of `depth` slots; buffers are traded,
 * so after the first laps nothing is allocated.
 */
#include "blockq.h"

#include <pthread.h>
#include <stdlib.h>

#include "banned.h"

struct slot {
	int kind;
	struct strbuf data;
};

struct blockq {
	int depth;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct slot *ring;
	int head, count;		/* the consumer takes ring[head] */
	int consumer_failed;
	struct dberr failure;		/* the consumer's, or the producer's close */
};

struct blockq *
blockq_new(int depth)
{
	struct blockq *q = xcalloc(1, sizeof(*q));

	/* xcalloc left every buffer empty and the failure DBERR_NONE */
	q->depth = depth < 2 ? 2 : depth;
	q->ring = xcalloc((size_t)q->depth, sizeof(*q->ring));
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->changed, NULL);
	return q;
}

void
blockq_free(struct blockq *q)
{
	if (!q)
		return;
	for (int i = 0; i < q->depth; i++)
		strbuf_release(&q->ring[i].data);
	free(q->ring);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->changed);
	free(q);
}

static void
swap_bufs(struct strbuf *a, struct strbuf *b)
{
	struct strbuf t = *a;

	*a = *b;
	*b = t;
}

int
blockq_push(struct blockq *q, int kind, struct strbuf *data, struct dberr *err)
{
	struct slot *s;

	pthread_mutex_lock(&q->mu);
	while (q->count == q->depth && !q->consumer_failed)
		pthread_cond_wait(&q->changed, &q->mu);
	if (q->consumer_failed) {
		if (err)
			*err = q->failure;
		pthread_mutex_unlock(&q->mu);
		return -1;
	}
	s = &q->ring[(q->head + q->count) % q->depth];
	s->kind = kind;
	strbuf_reset(&s->data);
	if (data) {
		swap_bufs(&s->data, data);
		strbuf_reset(data);
	}
	q->count++;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void
blockq_close(struct blockq *q, int close_kind, const struct dberr *failure)
{
	pthread_mutex_lock(&q->mu);
	if (failure && !q->consumer_failed)
		q->failure = *failure;
	pthread_mutex_unlock(&q->mu);
	blockq_push(q, close_kind, NULL, NULL);
}

int
blockq_pop(struct blockq *q, struct strbuf *data)
{
	struct slot *s;
	int kind;

	pthread_mutex_lock(&q->mu);
	while (q->count == 0)
		pthread_cond_wait(&q->changed, &q->mu);
	s = &q->ring[q->head];
	kind = s->kind;
	strbuf_reset(data);
	swap_bufs(data, &s->data);
	q->head = (q->head + 1) % q->depth;
	q->count--;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->mu);
	return kind;
}

void
blockq_unpop(struct blockq *q)
{
	pthread_mutex_lock(&q->mu);
	q->head = (q->head + q->depth - 1) % q->depth;
	q->count++;
	pthread_mutex_unlock(&q->mu);
}

int
blockq_failure(struct blockq *q, struct dberr *err)
{
	int failed;

	pthread_mutex_lock(&q->mu);
	failed = q->failure.cls != DBERR_NONE;
	if (failed)
		*err = q->failure;
	pthread_mutex_unlock(&q->mu);
	return failed;
}

void
blockq_fail(struct blockq *q, const struct dberr *err)
{
	pthread_mutex_lock(&q->mu);
	q->consumer_failed = 1;
	q->failure = *err;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->mu);
}
