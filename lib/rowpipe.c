/*
 * rowpipe.c - see rowpipe.h.
 *
 * The pipe is a ring of `depth` messages. Buffers are swapped, never
 * copied: the producer fills its own buffer and trades it for the empty
 * one in the slot it fills; the consumer trades the buffer it finished
 * for the slot's full one. After the first laps nothing is allocated.
 */
#include "rowpipe.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define BLOCK_BYTES	(256 * 1024)

enum msg_kind { MSG_BEGIN, MSG_ROWS, MSG_END, MSG_CLOSE };

struct msg {
	enum msg_kind kind;
	struct strbuf data;	/* MSG_ROWS: encoded rows; MSG_BEGIN: the name */
};

struct rowpipe {
	int ncols, depth;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct msg *ring;
	int head, count;		/* consumer takes ring[head] */
	int consumer_failed;
	struct dberr failure;		/* the consumer's, or the producer's close */
	struct strbuf cur;		/* producer: rows not yet sent */
	struct strbuf held;		/* consumer: the block being read */
	size_t pos;
};

struct rowpipe *
rowpipe_new(int ncols, int depth)
{
	struct rowpipe *p = xcalloc(1, sizeof(*p));

	p->ncols = ncols;
	p->depth = depth < 2 ? 2 : depth;
	p->ring = xcalloc((size_t)p->depth, sizeof(*p->ring));
	/* xcalloc left every buffer and the failure empty (DBERR_NONE). */
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->changed, NULL);
	return p;
}

void
rowpipe_free(struct rowpipe *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->depth; i++)
		strbuf_release(&p->ring[i].data);
	free(p->ring);
	strbuf_release(&p->cur);
	strbuf_release(&p->held);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->changed);
	free(p);
}

static void
swap_bufs(struct strbuf *a, struct strbuf *b)
{
	struct strbuf t = *a;

	*a = *b;
	*b = t;
}

/* Sends a message, trading *data for the slot's empty buffer. */
static int
push(struct rowpipe *p, enum msg_kind kind, struct strbuf *data, struct dberr *err)
{
	struct msg *m;

	pthread_mutex_lock(&p->mu);
	while (p->count == p->depth && !p->consumer_failed)
		pthread_cond_wait(&p->changed, &p->mu);
	if (p->consumer_failed) {
		if (err)
			*err = p->failure;
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	m = &p->ring[(p->head + p->count) % p->depth];
	m->kind = kind;
	strbuf_reset(&m->data);
	if (data)
		swap_bufs(&m->data, data);
	p->count++;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int
rowpipe_chunk_begin(struct rowpipe *p, const char *name, struct dberr *err)
{
	struct strbuf nb = STRBUF_INIT;
	int r;

	strbuf_addstr(&nb, name);
	r = push(p, MSG_BEGIN, &nb, err);
	strbuf_release(&nb);
	return r;
}

int64_t
rowpipe_row(struct rowpipe *p, const struct value *vals, struct dberr *err)
{
	size_t before = p->cur.len;

	canon_row_encode(&p->cur, vals, p->ncols);
	if (p->cur.len >= BLOCK_BYTES) {
		int64_t n = (int64_t)(p->cur.len - before);

		if (push(p, MSG_ROWS, &p->cur, err) < 0)
			return -1;
		strbuf_reset(&p->cur);
		return n;
	}
	return (int64_t)(p->cur.len - before);
}

int
rowpipe_chunk_end(struct rowpipe *p, struct dberr *err)
{
	if (p->cur.len) {
		if (push(p, MSG_ROWS, &p->cur, err) < 0)
			return -1;
		strbuf_reset(&p->cur);
	}
	return push(p, MSG_END, NULL, err);
}

void
rowpipe_close(struct rowpipe *p, const struct dberr *failure)
{
	pthread_mutex_lock(&p->mu);
	if (failure && !p->consumer_failed)
		p->failure = *failure;
	pthread_mutex_unlock(&p->mu);
	/* A failed consumer reads nothing more: do not wait for room. */
	push(p, MSG_CLOSE, NULL, NULL);
}

/* Takes the next message; MSG_ROWS data lands in p->held. */
static enum msg_kind
pop(struct rowpipe *p, struct strbuf *name)
{
	struct msg *m;
	enum msg_kind k;

	pthread_mutex_lock(&p->mu);
	while (p->count == 0)
		pthread_cond_wait(&p->changed, &p->mu);
	m = &p->ring[p->head];
	k = m->kind;
	if (k == MSG_ROWS) {
		strbuf_reset(&p->held);
		swap_bufs(&p->held, &m->data);
		p->pos = 0;
	} else if (k == MSG_BEGIN && name) {
		strbuf_reset(name);
		strbuf_add(name, m->data.buf, m->data.len);
	}
	p->head = (p->head + 1) % p->depth;
	p->count--;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
	return k;
}

static int
closed(struct rowpipe *p, struct dberr *err)
{
	int failed;

	pthread_mutex_lock(&p->mu);
	failed = p->failure.cls != DBERR_NONE;
	if (failed)
		*err = p->failure;
	/* Leave the close message for a later call to see as well. */
	p->head = (p->head + p->depth - 1) % p->depth;
	p->count++;
	pthread_mutex_unlock(&p->mu);
	return failed ? -1 : 0;
}

int
rowpipe_next_chunk(struct rowpipe *p, char *name, size_t namesz, struct dberr *err)
{
	struct strbuf nb = STRBUF_INIT;
	enum msg_kind k = pop(p, &nb);
	int r = 1;

	if (k == MSG_BEGIN)
		snprintf(name, namesz, "%s", nb.buf ? nb.buf : "");
	else if (k == MSG_CLOSE)
		r = closed(p, err);
	else
		r = dberr_set(err, DBERR_INTERNAL, "row pipe: rows outside a chunk");
	strbuf_release(&nb);
	return r;
}

int
rowpipe_next_row(void *pipe, struct value *vals, struct dberr *err)
{
	struct rowpipe *p = pipe;

	for (;;) {
		if (p->pos < p->held.len) {
			char emsg[128];
			size_t used = 0;
			uint64_t rows = 0;
			enum canon_status st = canon_decode((const unsigned char *)p->held.buf + p->pos,
							    p->held.len - p->pos, p->ncols, vals,
							    &used, &rows, emsg, sizeof(emsg));

			if (st != CANON_ROW)
				return dberr_set(err, DBERR_INTERNAL, "row pipe: %s",
						 st == CANON_BAD ? emsg : "a partial row");
			p->pos += used;
			return 1;
		}
		switch (pop(p, NULL)) {
		case MSG_ROWS:
			continue;
		case MSG_END:
			return 0;
		case MSG_CLOSE:
			if (closed(p, err) < 0)
				return -1;
			return dberr_set(err, DBERR_INTERNAL, "row pipe: closed inside a chunk");
		case MSG_BEGIN:
			break;
		}
		return dberr_set(err, DBERR_INTERNAL, "row pipe: a chunk began inside a chunk");
	}
}

void
rowpipe_fail(struct rowpipe *p, const struct dberr *err)
{
	pthread_mutex_lock(&p->mu);
	p->consumer_failed = 1;
	p->failure = *err;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
}
