/*
 * verify_rows.c - reading rows for verify (from a database or a dump,
 * rendered by vform.c), and comparing them: two lists by key, or two
 * ordered streams merged as they arrive.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"
#include "lib/base/banned.h"

struct render_sink {
	const struct vf_plan *p;
	int s;
	struct vrow row;
	vrow_fn fn;
	void *arg;
};

static int
render_row(void *arg, const struct value *vals, struct dberr *err)
{
	struct render_sink *rs = arg;

	if (dbmig_interrupted)
		return dberr_set(err, DBERR_INTERRUPTED, "interrupted");
	vform_row(rs->p, rs->s, vals, &rs->row);
	return rs->fn(rs->arg, &rs->row, err);
}

/* t's chunks, each row rendered in the column order of as (t itself, or
 * the root of the partition tree t is in, whose columns may stand in
 * another order). */
static int
vread_chunks(struct vsrc *src, const struct table *t, const struct table *as,
	     struct render_sink *rs, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int ncols = t->ncols <= CANON_MAX_COLS ? table_data_types(t, types) : 0;
	int nas = as->ncols <= CANON_MAX_COLS ? table_data_types(as, types) : 0;
	struct value *vals = xcalloc((size_t)ncols + 1, sizeof(*vals));
	struct value *asvals = xcalloc((size_t)nas + 1, sizeof(*asvals));
	int *pos = xcalloc((size_t)nas + 1, sizeof(*pos));
	int ret = 0;

	for (int i = 0; i < nas; i++) {
		pos[i] = -1;
		for (int j = 0; j < ncols && pos[i] < 0; j++)
			if (!strcmp(table_data_column_name(as, i), table_data_column_name(t, j)))
				pos[i] = j;
		if (pos[i] < 0)
			ret = dberr_set(err, DBERR_DUMP, "partition %s.%s has no column %s, which "
					"its root %s has", t->schema, t->name,
					table_data_column_name(as, i), as->name);
	}
	for (int k = 0; k < t->nchunks && ret == 0; k++) {
		struct chunk_reader *r = chunk_reader_open(src->dir, &t->chunks[k], ncols, err);
		int got;

		if (!r) {
			ret = -1;
			break;
		}
		while ((got = chunk_reader_next(r, vals, err)) == 1) {
			for (int i = 0; i < nas; i++)
				asvals[i] = vals[pos[i]];
			if (render_row(rs, asvals, err) < 0) {
				got = -1;
				break;
			}
		}
		chunk_reader_close(r);
		if (got < 0)
			ret = -1;
	}
	free(vals);
	free(asvals);
	free(pos);
	return ret;
}

static int
vread_dump(struct vsrc *src, struct table *t, struct render_sink *rs, struct dberr *err)
{
	int ret = 0;

	if (!src->fold_partitions || !t->partition_key)
		return vread_chunks(src, t, t, rs, err);
	for (int i = 0; i < src->model.ntables && ret == 0; i++) {
		const struct table *part = &src->model.tables[i];

		if (part != t && schema_partition_root(&src->model, part) == t)
			ret = vread_chunks(src, part, t, rs, err);
	}
	return ret;
}

int
vread(struct vsrc *src, struct db_conn *c, struct table *t, const struct vf_plan *p,
      int s, const struct vf_scope *scopes, int nscopes, int flags, vrow_fn fn,
      void *arg, struct dberr *err)
{
	int ordered = flags & VREAD_ORDERED;
	struct render_sink rs;
	int ret;

	memset(&rs, 0, sizeof(rs));
	rs.p = p;
	rs.s = s;
	rs.fn = fn;
	rs.arg = arg;
	vrow_init(&rs.row, p);
	rs.row.no_digests = ordered;	/* merged by key, compared by text */
	rs.row.no_bucket = (flags & VREAD_NO_BUCKET) != 0;
	if (src->is_dump)
		ret = vread_dump(src, t, &rs, err);
	else
		ret = vsql_read(src->drv, c, t, p, s, scopes, nscopes, ordered, render_row, &rs,
				err);
	vrow_release(&rs.row);
	return ret;
}

void
saved_row_copy(struct saved_row *d, const struct vrow *r, int ncols)
{
	d->textlen = r->text.len;
	d->text = xmalloc(r->text.len + 1);
	memcpy(d->text, strbuf_cstr(&r->text), r->text.len + 1);
	d->off = xmalloc(((size_t)ncols + 1) * sizeof(*d->off));
	d->len = xmalloc(((size_t)ncols + 1) * sizeof(*d->len));
	memcpy(d->off, r->off, (size_t)ncols * sizeof(*d->off));
	memcpy(d->len, r->len, (size_t)ncols * sizeof(*d->len));
	d->digest = r->digest;
	d->bucket_hash = r->bucket_hash;
}

void
saved_row_release(struct saved_row *r)
{
	free(r->text);
	free(r->off);
	free(r->len);
	memset(r, 0, sizeof(*r));
}

void
row_list_push(struct row_list *l, const struct vrow *r, int ncols)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	saved_row_copy(&l->v[l->n++], r, ncols);
}

void
row_list_release(struct row_list *l, int ncols)
{
	(void)ncols;
	for (size_t i = 0; i < l->n; i++)
		saved_row_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an < bn ? -1 : an > bn;
}

int
saved_row_key_cmp(const struct vf_plan *p, const struct saved_row *a,
		  const struct saved_row *b)
{
	if (!p->nkey)
		return bytes_cmp(a->text, a->textlen, b->text, b->textlen);
	for (int k = 0; k < p->nkey; k++) {
		int i = p->key[k], c;

		/* Key columns are NOT NULL; a NULL sorts first all the same. */
		if (a->off[i] == SIZE_MAX || b->off[i] == SIZE_MAX) {
			c = (a->off[i] != SIZE_MAX) - (b->off[i] != SIZE_MAX);
		} else {
			c = vform_key_cmp(p->cols[i].kind, a->text + a->off[i], a->len[i],
					  b->text + b->off[i], b->len[i]);
		}
		if (c)
			return c;
	}
	return 0;
}

static void
show_value(const struct vf_plan *p, const struct saved_row *r, int i, struct strbuf *o)
{
	if (r->off[i] == SIZE_MAX) {
		strbuf_addstr(o, "NULL");
		return;
	}
	enum vkind k = p->cols[i].kind;
	int quote = k != VK_INT && k != VK_DEC && k != VK_FLOAT;

	if (quote)
		strbuf_addch(o, '\'');
	vform_display(k, r->text + r->off[i], r->len[i], o);
	if (quote)
		strbuf_addch(o, '\'');
}

/* A long value is shown around its first difference from the other. */
static void
show_pair(const struct vf_plan *p, const struct saved_row *a, const struct saved_row *b,
	  int i, struct strbuf *o)
{
	size_t la = a->len[i], lb = b->len[i], d = 0, from, n;
	const char *pa = a->text + a->off[i], *pb = b->text + b->off[i];
	enum vkind k = p->cols[i].kind;

	if (a->off[i] == SIZE_MAX || b->off[i] == SIZE_MAX || (la <= 200 && lb <= 200)) {
		show_value(p, a, i, o);
		strbuf_addstr(o, " -> ");
		show_value(p, b, i, o);
		return;
	}
	while (d < la && d < lb && pa[d] == pb[d])
		d++;
	from = d > 20 ? d - 20 : 0;
	strbuf_addf(o, "from byte %zu of %zu: '", from, la);
	n = la - from < 60 ? la - from : 60;
	vform_display(k, pa + from, n, o);
	strbuf_addf(o, "' -> of %zu: '", lb);
	n = lb > from ? (lb - from < 60 ? lb - from : 60) : 0;
	vform_display(k, pb + from, n, o);
	strbuf_addch(o, '\'');
}

/* "id=5", "(a, b)=('x', 2)", or every column for a row without a key. */
static char *
describe_key(const struct vf_plan *p, const struct saved_row *r)
{
	struct strbuf sb = STRBUF_INIT;
	int n = p->nkey ? p->nkey : p->ncols;

	if (n > 1)
		strbuf_addch(&sb, '(');
	for (int k = 0; k < n; k++)
		strbuf_addf(&sb, "%s%s", k ? ", " : "", p->cols[p->nkey ? p->key[k] : k].name);
	strbuf_addstr(&sb, n > 1 ? ")=(" : "=");
	for (int k = 0; k < n; k++) {
		if (k)
			strbuf_addstr(&sb, ", ");
		show_value(p, r, p->nkey ? p->key[k] : k, &sb);
	}
	if (n > 1)
		strbuf_addch(&sb, ')');
	return strbuf_detach(&sb);
}

/* The key as a JSON object: integers as numbers, NULL as null, every
 * other value as its rendering, a string (decimals keep their digits). */
static char *
describe_key_json(const struct vf_plan *p, const struct saved_row *r)
{
	json_t *o = json_object();
	int n = p->nkey ? p->nkey : p->ncols;
	char *text;

	for (int k = 0; k < n; k++) {
		int i = p->nkey ? p->key[k] : k;
		json_t *v;

		if (r->off[i] == SIZE_MAX) {
			v = json_null();
		} else {
			struct strbuf sb = STRBUF_INIT;
			char *end;
			long long num;

			vform_display(p->cols[i].kind, r->text + r->off[i], r->len[i], &sb);
			num = strtoll(strbuf_cstr(&sb), &end, 10);
			v = p->cols[i].kind == VK_INT && sb.len && !*end && sb.len < 19
			    ? json_integer(num) : json_stringn(strbuf_cstr(&sb), sb.len);
			strbuf_release(&sb);
		}
		json_object_set_new(o, p->cols[i].name, v);
	}
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

static int
column_differs(const struct saved_row *a, const struct saved_row *b, int i)
{
	if ((a->off[i] == SIZE_MAX) != (b->off[i] == SIZE_MAX))
		return 1;
	if (a->off[i] == SIZE_MAX)
		return 0;
	return a->len[i] != b->len[i] ||
	       memcmp(a->text + a->off[i], b->text + b->off[i], a->len[i]) != 0;
}

void
record_diff(struct verify_table *res, const struct vf_plan *p, const struct saved_row *a,
	    const struct saved_row *b, uint64_t max)
{
	struct verify_diff *d;
	char kind = a && b ? 'c' : a ? 'm' : 'e';

	if (kind == 'c')
		res->changed++;
	else if (kind == 'm')
		res->missing++;
	else
		res->extra++;
	if ((uint64_t)res->ndiffs >= max) {
		res->truncated = 1;
		return;
	}
	res->diffs = xrealloc(res->diffs, ((size_t)res->ndiffs + 1) * sizeof(*res->diffs));
	d = &res->diffs[res->ndiffs++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->key = describe_key(p, a ? a : b);
	d->key_json = describe_key_json(p, a ? a : b);
	if (kind == 'c') {
		struct strbuf cols = STRBUF_INIT, det = STRBUF_INIT;
		int shown = 0;

		for (int i = 0; i < p->ncols; i++) {
			if (!column_differs(a, b, i))
				continue;
			strbuf_addf(&cols, "%s%s", cols.len ? ", " : "", p->cols[i].name);
			if (shown++ < 3) {
				strbuf_addf(&det, "%s%s: ", det.len ? "; " : "", p->cols[i].name);
				show_pair(p, a, b, i, &det);
			}
		}
		d->columns = strbuf_detach(&cols);
		d->detail = strbuf_detach(&det);
	}
}

static const struct vf_plan *sort_plan;	/* qsort has no context: guarded below */
static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;

static int
sort_cmp(const void *x, const void *y)
{
	return saved_row_key_cmp(sort_plan, x, y);
}

static void
sort_list(const struct vf_plan *p, struct row_list *l)
{
	if (l->n < 2)	/* and qsort(NULL, 0, ...) is undefined */
		return;
	pthread_mutex_lock(&sort_mu);
	sort_plan = p;
	qsort(l->v, l->n, sizeof(*l->v), sort_cmp);
	pthread_mutex_unlock(&sort_mu);
}

void
compare_lists(struct verify_table *res, const struct vf_plan *p, struct row_list *a,
	      struct row_list *b, uint64_t max)
{
	size_t i = 0, k = 0;

	sort_list(p, a);
	sort_list(p, b);
	while (i < a->n || k < b->n) {
		int c = i >= a->n ? 1 : k >= b->n ? -1 : saved_row_key_cmp(p, &a->v[i], &b->v[k]);

		if (c < 0) {
			record_diff(res, p, &a->v[i++], NULL, max);
		} else if (c > 0) {
			record_diff(res, p, NULL, &b->v[k++], max);
		} else {
			if (a->v[i].textlen != b->v[k].textlen ||
			    memcmp(a->v[i].text, b->v[k].text, a->v[i].textlen))
				record_diff(res, p, &a->v[i], &b->v[k], max);
			i++;
			k++;
		}
	}
}

/* ---- two ordered streams, merged ---- */

/* Rows go from each reader to the merge in batches: one row at a time
 * cost a lock, a wake-up and three allocations per row, which made the
 * client, not the servers, what a rows-mode verify waited on. */
#define BATCH_ROWS	512
#define QUEUE_BATCHES	4

struct row_batch {
	struct row_batch *next;	/* among the spares */
	struct strbuf text;	/* the rows' renderings, back to back */
	size_t *start;		/* row r's text starts at start[r] */
	size_t *off, *len;	/* row r's column i at [r * ncols + i], from its start */
	int n;
};

struct rowq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct row_batch *ring[QUEUE_BATCHES];
	int head, count;
	int done, failed, cancel;
	struct dberr err;
	struct row_batch *filling;	/* the producer's */
	/* batches the merge is done with, for the producer to fill again:
	 * a new one each time cost page faults and copies as it grew */
	struct row_batch *spare;
	/* the producer's job */
	struct vsrc *src;
	struct db_conn *c;
	struct table *t;
	const struct vf_plan *p;
	int s;
	uint64_t rows;
};

static struct row_batch *
batch_new(int ncols)
{
	struct row_batch *b = xcalloc(1, sizeof(*b));

	b->start = xcalloc(BATCH_ROWS + 1, sizeof(*b->start));
	b->off = xcalloc((size_t)BATCH_ROWS * (size_t)(ncols + 1), sizeof(*b->off));
	b->len = xcalloc((size_t)BATCH_ROWS * (size_t)(ncols + 1), sizeof(*b->len));
	return b;
}

static void
batch_free(struct row_batch *b)
{
	if (!b)
		return;
	strbuf_release(&b->text);
	free(b->start);
	free(b->off);
	free(b->len);
	free(b);
}

/* Row r of b as a saved_row that borrows b's memory. */
static void
batch_row(const struct row_batch *b, int r, int ncols, struct saved_row *out)
{
	size_t end = r + 1 < b->n ? b->start[r + 1] : b->text.len;

	memset(out, 0, sizeof(*out));
	out->text = b->text.buf + b->start[r];
	out->textlen = end - b->start[r];
	out->off = b->off + (size_t)r * (size_t)ncols;
	out->len = b->len + (size_t)r * (size_t)ncols;
}

/* Hands the filling batch to the merge; waits for room. */
static int
batch_push(struct rowq *q, struct dberr *err)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == QUEUE_BATCHES && !q->cancel)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->cancel) {
		pthread_mutex_unlock(&q->mu);
		return dberr_set(err, DBERR_INTERRUPTED, "comparison stopped");
	}
	q->ring[(q->head + q->count) % QUEUE_BATCHES] = q->filling;
	q->count++;
	q->rows += (uint64_t)q->filling->n;
	q->filling = NULL;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

static int
enqueue(void *arg, const struct vrow *r, struct dberr *err)
{
	struct rowq *q = arg;
	struct row_batch *b;
	int ncols = q->p->ncols;
	size_t at;

	if (!q->filling) {
		pthread_mutex_lock(&q->mu);
		if ((q->filling = q->spare) != NULL)
			q->spare = q->spare->next;
		pthread_mutex_unlock(&q->mu);
		if (!q->filling)
			q->filling = batch_new(ncols);
		q->filling->n = 0;
		strbuf_reset(&q->filling->text);
	}
	b = q->filling;
	at = b->text.len;
	b->start[b->n] = at;
	strbuf_add(&b->text, strbuf_cstr(&r->text), r->text.len);
	for (int i = 0; i < ncols; i++) {
		b->off[(size_t)b->n * (size_t)ncols + (size_t)i] = r->off[i];
		b->len[(size_t)b->n * (size_t)ncols + (size_t)i] = r->len[i];
	}
	if (++b->n == BATCH_ROWS)
		return batch_push(q, err);
	return 0;
}

static void *
producer(void *arg)
{
	struct rowq *q = arg;
	struct dberr err = DBERR_INIT;
	int r = vread(q->src, q->c, q->t, q->p, q->s, NULL, 0, VREAD_ORDERED, enqueue, q, &err);

	if (r == 0 && q->filling && q->filling->n)
		r = batch_push(q, &err);
	pthread_mutex_lock(&q->mu);
	q->done = 1;
	if (r < 0 && !q->cancel) {
		q->failed = 1;
		q->err = err;
	}
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* The next batch (owned by the caller), 0 at the end, -1 on failure. */
static int
dequeue(struct rowq *q, struct row_batch **out)
{
	int ret;

	pthread_mutex_lock(&q->mu);
	while (!q->count && !q->done)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->count) {
		*out = q->ring[q->head];
		q->head = (q->head + 1) % QUEUE_BATCHES;
		q->count--;
		pthread_cond_broadcast(&q->cv);
		ret = 1;
	} else {
		ret = q->failed ? -1 : 0;
	}
	pthread_mutex_unlock(&q->mu);
	return ret;
}

/* One side of the merge: the batch its current row is in, and the one
 * before it, which the previous row (checked for order) may be in. */
struct merge_side {
	struct rowq *q;
	struct row_batch *cur, *old;
	int i;			/* the current row's index in cur */
	struct saved_row row, prev;
};

/* Moves to the next row: 1, 0 at the end, -1 on failure. */
static int
merge_next(struct merge_side *m, int ncols)
{
	m->prev = m->row;
	if (!m->cur || ++m->i >= m->cur->n) {
		struct row_batch *b = NULL;
		int r = dequeue(m->q, &b);

		if (r <= 0)
			return r;
		if (m->old) {
			pthread_mutex_lock(&m->q->mu);
			m->old->next = m->q->spare;
			m->q->spare = m->old;
			pthread_mutex_unlock(&m->q->mu);
		}
		m->old = m->cur;
		m->cur = b;
		m->i = 0;
	}
	batch_row(m->cur, m->i, ncols, &m->row);
	return 1;
}

int
compare_ordered(struct vsrc *src[2], struct db_conn *c[2], struct table *t[2],
		const struct vf_plan *p, struct verify_table *res, uint64_t max,
		struct dberr *err)
{
	struct merge_side m[2];
	pthread_t th[2];
	int have[2] = { 0, 0 }, started = 0, ret = -1;

	memset(m, 0, sizeof(m));
	for (int s = 0; s < 2; s++) {
		struct rowq *q = xcalloc(1, sizeof(*q));

		pthread_mutex_init(&q->mu, NULL);
		pthread_cond_init(&q->cv, NULL);
		q->src = src[s];
		q->c = c[s];
		q->t = t[s];
		q->p = p;
		q->s = s;
		m[s].q = q;
	}
	for (; started < 2; started++)
		if (pthread_create(&th[started], NULL, producer, m[started].q)) {
			dberr_set(err, DBERR_INTERNAL, "cannot start a reader thread");
			goto stop;
		}
	for (int s = 0; s < 2; s++)
		if ((have[s] = merge_next(&m[s], p->ncols)) < 0)
			goto fail;
	while (have[0] || have[1]) {
		int cmp = !have[1] ? -1 : !have[0] ? 1 : saved_row_key_cmp(p, &m[0].row, &m[1].row);
		int adv[2] = { cmp <= 0, cmp >= 0 };

		if (cmp < 0)
			record_diff(res, p, &m[0].row, NULL, max);
		else if (cmp > 0)
			record_diff(res, p, NULL, &m[1].row, max);
		else if (m[0].row.textlen != m[1].row.textlen ||
			 memcmp(m[0].row.text, m[1].row.text, m[0].row.textlen))
			record_diff(res, p, &m[0].row, &m[1].row, max);
		for (int s = 0; s < 2; s++) {
			if (!adv[s])
				continue;
			if ((have[s] = merge_next(&m[s], p->ncols)) < 0)
				goto fail;
			/* Merging is only right if both servers order keys as
			 * vform_key_cmp does; check rather than trust. */
			if (have[s] && saved_row_key_cmp(p, &m[s].prev, &m[s].row) >= 0) {
				dberr_set(err, DBERR_INTERNAL, "table %s: the %s returned keys out "
					  "of order; rerun with --mode=checksum", res->name[s],
					  s ? "target" : "source");
				goto stop;
			}
		}
	}
	ret = 0;
	goto stop;
fail:
	for (int s = 0; s < 2; s++)
		if (m[s].q->failed) {
			*err = m[s].q->err;
			break;
		}
stop:
	for (int s = 0; s < 2; s++) {
		pthread_mutex_lock(&m[s].q->mu);
		m[s].q->cancel = 1;
		pthread_cond_broadcast(&m[s].q->cv);
		pthread_mutex_unlock(&m[s].q->mu);
	}
	for (int s = 0; s < started; s++)
		pthread_join(th[s], NULL);
	for (int s = 0; s < 2; s++) {
		struct rowq *q = m[s].q;

		res->rows[s] = q->rows;
		while (q->count) {
			batch_free(q->ring[q->head]);
			q->head = (q->head + 1) % QUEUE_BATCHES;
			q->count--;
		}
		batch_free(q->filling);
		batch_free(m[s].cur);
		batch_free(m[s].old);
		while (q->spare) {
			struct row_batch *b = q->spare;

			q->spare = b->next;
			batch_free(b);
		}
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		free(q);
	}
	return ret;
}
