/*
 * rowpipe.c - see rowpipe.h. The blocks travel through a blockq; this
 * file only frames them: a chunk is BEGIN (its name), ROWS blocks of
 * encoded rows, END; CLOSE ends the pipe.
 */
#include "rowpipe.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/base/blockq.h"
#include "lib/base/util.h"
#include "lib/base/banned.h"

#define BLOCK_BYTES	(256 * 1024)

enum msg_kind { MSG_BEGIN, MSG_ROWS, MSG_END, MSG_CLOSE };

struct rowpipe {
	int ncols;
	struct blockq *q;
	struct strbuf cur;		/* producer: rows not yet sent */
	struct strbuf held;		/* consumer: the block being read */
	size_t pos;
};

struct rowpipe *
rowpipe_new(int ncols, int depth)
{
	struct rowpipe *p = xcalloc(1, sizeof(*p));

	p->ncols = ncols;
	p->q = blockq_new(depth);
	return p;
}

void
rowpipe_free(struct rowpipe *p)
{
	if (!p)
		return;
	blockq_free(p->q);
	strbuf_release(&p->cur);
	strbuf_release(&p->held);
	free(p);
}

int
rowpipe_chunk_begin(struct rowpipe *p, const char *name, struct dberr *err)
{
	struct strbuf nb = STRBUF_INIT;
	int r;

	strbuf_addstr(&nb, name);
	r = blockq_push(p->q, MSG_BEGIN, &nb, err);
	strbuf_release(&nb);
	return r;
}

int64_t
rowpipe_row(struct rowpipe *p, const struct value *vals, struct dberr *err)
{
	size_t before = p->cur.len;
	int64_t n;

	canon_row_encode(&p->cur, vals, p->ncols);
	n = (int64_t)(p->cur.len - before);
	if (p->cur.len >= BLOCK_BYTES && blockq_push(p->q, MSG_ROWS, &p->cur, err) < 0)
		return -1;
	return n;
}

int
rowpipe_chunk_end(struct rowpipe *p, struct dberr *err)
{
	if (p->cur.len && blockq_push(p->q, MSG_ROWS, &p->cur, err) < 0)
		return -1;
	return blockq_push(p->q, MSG_END, NULL, err);
}

void
rowpipe_close(struct rowpipe *p, const struct dberr *failure)
{
	blockq_close(p->q, MSG_CLOSE, failure);
}

/* The close stays in the queue, so later calls see it as well. */
static int
closed(struct rowpipe *p, struct dberr *err)
{
	blockq_unpop(p->q);
	return blockq_failure(p->q, err) ? -1 : 0;
}

int
rowpipe_next_chunk(struct rowpipe *p, char *name, size_t namesz, struct dberr *err)
{
	int kind = blockq_pop(p->q, &p->held);

	p->pos = p->held.len;	/* nothing of it is rows */
	if (kind == MSG_BEGIN) {
		snprintf(name, namesz, "%s", strbuf_cstr(&p->held));
		return 1;
	}
	if (kind == MSG_CLOSE)
		return closed(p, err);
	return dberr_set(err, DBERR_INTERNAL, "row pipe: rows outside a chunk");
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
		switch (blockq_pop(p->q, &p->held)) {
		case MSG_ROWS:
			p->pos = 0;
			continue;
		case MSG_END:
			p->pos = p->held.len;
			return 0;
		case MSG_CLOSE:
			p->pos = p->held.len;
			if (closed(p, err) < 0)
				return -1;
			return dberr_set(err, DBERR_INTERNAL, "row pipe: closed inside a chunk");
		default:
			p->pos = p->held.len;
			return dberr_set(err, DBERR_INTERNAL, "row pipe: a chunk began inside a chunk");
		}
	}
}

void
rowpipe_fail(struct rowpipe *p, const struct dberr *err)
{
	blockq_fail(p->q, err);
}
