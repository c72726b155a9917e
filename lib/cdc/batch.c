/*
 * batch.c - see batch.h. Values are copied into an arena of blocks, so
 * they stay where they are while the batch grows. Folding a row's
 * changes is a small state machine per primary key:
 *
 *   nothing -I-> I    I -U-> I    I -D-> nothing
 *   nothing -U-> U    U -U-> U    U -D-> D
 *   nothing -D-> D    D -I-> DI   DI -U-> DI   DI -D-> D
 *
 * where an UPDATE's columns the source did not send (unchanged TOAST)
 * are taken from the row image before it when there is one. Anything
 * else cannot come from a consistent source; the net replay then says
 * so (-2) and the caller applies the batch as it came.
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/util.h"
#include "lib/base/banned.h"

struct block {
	struct block *next;
	size_t used, size;
	unsigned char data[];
};

struct bchange {
	enum cdc_kind kind;
	int ndata, before_is_key;
	struct table *table;
	struct value *before, *after;
	unsigned char *unchanged;
	struct table **tables;
	int ntables;
	uint64_t xid;
};

/* A table's primary key as data column indices; nk < 0: none. */
struct tkey {
	const struct table *t;
	int nk;
	int *cols;
	int rank, stamp;	/* its place in the part being folded */
};

enum net_state { N_NONE, N_I, N_U, N_D, N_DI };

struct netent {
	const struct bchange *key_of;	/* the change whose image holds the key */
	const struct value *key_img;
	const struct tkey *tk;
	uint32_t hash;
	enum net_state state;
	size_t first;
	struct value *before, *after, *del_before;
	int before_is_key, del_before_is_key;
	const unsigned char *unchanged;
	uint64_t xid;
};

struct item {
	int rank;
	size_t first;
	long ent;		/* an entry, or -1 - the index of a change as it came */
};

struct cdc_batch {
	struct bchange *v;
	size_t n, alloc, bytes, net_count;
	struct block *blocks;
	struct tkey **keys;	/* each apart: entries point at them */
	int nkeys, stamp;
	/* the folding's scratch, kept for the next batch */
	struct netent *ents;
	size_t ents_alloc;
	long *slots;
	size_t nslots;
	struct item *items;
	size_t items_alloc;
};

static void *
arena_alloc(struct cdc_batch *b, size_t n)
{
	struct block *bl = b->blocks;

	n = (n + 7) & ~(size_t)7;
	if (!bl || bl->size - bl->used < n) {
		size_t size = n > (1u << 20) ? n : (1u << 20);

		bl = xmalloc(sizeof(*bl) + size);
		bl->size = size;
		bl->used = 0;
		bl->next = b->blocks;
		b->blocks = bl;
	}
	bl->used += n;
	return bl->data + bl->used - n;
}

struct cdc_batch *
cdc_batch_new(void)
{
	return xcalloc(1, sizeof(struct cdc_batch));
}

void
cdc_batch_reset(struct cdc_batch *b)
{
	struct block *keep = NULL;

	while (b->blocks) {	/* the first block made stays, for the next */
		struct block *next = b->blocks->next;

		if (!next) {
			keep = b->blocks;
			keep->used = 0;
		} else {
			free(b->blocks);
		}
		b->blocks = next;
	}
	b->blocks = keep;
	b->n = b->bytes = 0;
}

void
cdc_batch_free(struct cdc_batch *b)
{
	if (!b)
		return;
	cdc_batch_reset(b);
	free(b->blocks);
	for (int i = 0; i < b->nkeys; i++) {
		free(b->keys[i]->cols);
		free(b->keys[i]);
	}
	free(b->keys);
	free(b->v);
	free(b->ents);
	free(b->slots);
	free(b->items);
	free(b);
}

static struct value *
copy_image(struct cdc_batch *b, const struct value *img, int n)
{
	struct value *v;

	if (!img)
		return NULL;
	v = arena_alloc(b, (size_t)n * sizeof(*v));
	for (int i = 0; i < n; i++) {
		v[i] = img[i];
		if (img[i].isnull)
			continue;
		v[i].p = arena_alloc(b, img[i].len ? img[i].len : 1);
		memcpy((unsigned char *)v[i].p, img[i].p, img[i].len);
		b->bytes += img[i].len;
	}
	return v;
}

void
cdc_batch_add(struct cdc_batch *b, const struct cdc_event *ev)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	struct bchange *c;

	if (b->n == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 1024;
		b->v = xrealloc(b->v, b->alloc * sizeof(*b->v));
	}
	c = &b->v[b->n++];
	memset(c, 0, sizeof(*c));
	c->kind = ev->kind;
	c->table = ev->table;
	c->xid = ev->xid;
	c->before_is_key = ev->before_is_key;
	if (ev->kind == CDC_TRUNCATE) {
		c->tables = arena_alloc(b, (size_t)ev->ntables * sizeof(*c->tables) + 1);
		memcpy(c->tables, ev->tables, (size_t)ev->ntables * sizeof(*c->tables));
		c->ntables = ev->ntables;
		return;
	}
	c->ndata = table_data_types(ev->table, types);
	c->before = copy_image(b, ev->before, c->ndata);
	c->after = copy_image(b, ev->after, c->ndata);
	if (ev->unchanged && ev->after) {
		c->unchanged = arena_alloc(b, (size_t)c->ndata);
		memcpy(c->unchanged, ev->unchanged, (size_t)c->ndata);
	}
	b->bytes += sizeof(*c);
}

size_t
cdc_batch_count(const struct cdc_batch *b)
{
	return b->n;
}

size_t
cdc_batch_bytes(const struct cdc_batch *b)
{
	return b->bytes;
}

size_t
cdc_batch_net_count(const struct cdc_batch *b)
{
	return b->net_count;
}

void
cdc_batch_truncate(struct cdc_batch *b, size_t n)
{
	if (n < b->n)
		b->n = n;
}

static void
event_of(const struct bchange *c, struct cdc_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = c->kind;
	ev->table = c->table;
	ev->before = c->before;
	ev->after = c->after;
	ev->before_is_key = c->before_is_key;
	ev->unchanged = c->unchanged;
	ev->tables = c->tables;
	ev->ntables = c->ntables;
	ev->xid = c->xid;
}

int
cdc_batch_replay(struct cdc_batch *b, size_t from, size_t to, cdc_batch_fn fn, void *arg,
		 struct dberr *err)
{
	struct cdc_event ev;

	for (size_t i = from; i < to && i < b->n; i++) {
		event_of(&b->v[i], &ev);
		if (fn(arg, &ev, err) < 0)
			return -1;
	}
	return 0;
}

static const struct tkey *
table_key(struct cdc_batch *b, const struct table *t)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	const struct strlist *pk = NULL;
	struct tkey *k;
	int n;

	for (int i = b->nkeys - 1; i >= 0; i--)
		if (b->keys[i]->t == t)
			return b->keys[i];
	b->keys = xrealloc(b->keys, (size_t)(b->nkeys + 1) * sizeof(*b->keys));
	k = b->keys[b->nkeys++] = xcalloc(1, sizeof(*k));
	k->t = t;
	for (int c = 0; c < t->ncons; c++)
		if (t->cons[c].kind == 'p')
			pk = &t->cons[c].columns;
	n = table_data_types(t, types);
	k->cols = xcalloc((size_t)n + 1, sizeof(*k->cols));
	k->nk = pk ? 0 : -1;
	for (int d = 0; d < n && pk; d++)
		if (strlist_has(pk, table_data_column_name(t, d)))
			k->cols[k->nk++] = d;
	if (pk && (size_t)k->nk != pk->n)	/* a generated key column: no folding */
		k->nk = -1;
	return k;
}

static uint32_t
key_hash(const struct tkey *k, const struct value *img)
{
	uint32_t h = 2166136261u ^ (uint32_t)(uintptr_t)k->t;

	for (int i = 0; i < k->nk; i++) {
		const struct value *v = &img[k->cols[i]];

		h = (h ^ (uint32_t)v->isnull) * 16777619u;
		for (size_t j = 0; !v->isnull && j < v->len; j++)
			h = (h ^ v->p[j]) * 16777619u;
	}
	return h;
}

static int
key_equal(const struct tkey *k, const struct value *a, const struct value *b)
{
	for (int i = 0; i < k->nk; i++) {
		const struct value *x = &a[k->cols[i]], *y = &b[k->cols[i]];

		if (x->isnull != y->isnull || (!x->isnull && (x->len != y->len ||
							       memcmp(x->p, y->p, x->len))))
			return 0;
	}
	return 1;
}

/* The image that names the row a change is on, or NULL when the change
 * must keep its place: no primary key, a TRUNCATE, a key that changed
 * or was not sent. */
static const struct value *
row_key(struct cdc_batch *b, const struct bchange *c, const struct tkey **tk)
{
	const struct value *img;

	if (c->kind == CDC_TRUNCATE || (*tk = table_key(b, c->table))->nk < 0)
		return NULL;
	img = c->kind == CDC_INSERT ? c->after : c->kind == CDC_DELETE ? c->before
	      : c->before ? c->before : c->after;
	if (!img)
		return NULL;
	for (int i = 0; i < (*tk)->nk; i++)
		if (img[(*tk)->cols[i]].isnull ||
		    (c->unchanged && c->after == img && c->unchanged[(*tk)->cols[i]]))
			return NULL;
	if (c->kind == CDC_UPDATE && c->before && (!c->after || !key_equal(*tk, c->before,
									 c->after)))
		return NULL;	/* the key changed: in its place */
	return img;
}

/* The UPDATE c applied on top of an image (prev, with its own unchanged
 * flags or none): columns c did not send come from prev. */
static void
merge_update(struct cdc_batch *b, struct netent *e, const struct bchange *c)
{
	struct value *after;
	unsigned char *unch;
	int any = 0;

	if (!c->unchanged) {
		e->after = c->after;
		e->unchanged = NULL;
		return;
	}
	after = arena_alloc(b, (size_t)c->ndata * sizeof(*after));
	unch = arena_alloc(b, (size_t)c->ndata);
	for (int d = 0; d < c->ndata; d++) {
		after[d] = c->after[d];
		unch[d] = c->unchanged[d];
		if (unch[d] && e->after && !(e->unchanged && e->unchanged[d])) {
			after[d] = e->after[d];
			unch[d] = 0;
		}
		any |= unch[d];
	}
	e->after = after;
	e->unchanged = any ? unch : NULL;
}

/* Folds change c into e; -1 for a sequence no source makes. */
static int
fold(struct cdc_batch *b, struct netent *e, const struct bchange *c)
{
	e->xid = c->xid;
	switch (c->kind) {
	case CDC_INSERT:
		if (e->state != N_NONE && e->state != N_D)
			return -1;
		e->state = e->state == N_D ? N_DI : N_I;
		e->after = c->after;
		e->unchanged = c->unchanged;
		return 0;
	case CDC_UPDATE:
		if (e->state == N_NONE || e->state == N_D) {
			if (e->state == N_D || e->first != (size_t)(c - b->v))
				return -1;
			e->state = N_U;
			e->before = c->before;
			e->before_is_key = c->before_is_key;
			e->after = NULL;
		}
		merge_update(b, e, c);
		return 0;
	case CDC_DELETE:
		if (e->state == N_D || (e->state == N_NONE && e->first != (size_t)(c - b->v)))
			return -1;
		e->state = e->state == N_I ? N_NONE : N_D;
		e->del_before = c->before;
		e->del_before_is_key = c->before_is_key;
		return 0;
	default:
		return -1;
	}
}

static int
item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

static int
emit_entry(const struct netent *e, cdc_batch_fn fn, void *arg, size_t *count,
	   struct dberr *err)
{
	struct cdc_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.table = (struct table *)e->tk->t;
	ev.xid = e->xid;
	ev.net = 1;
	if (e->state == N_D || e->state == N_DI) {
		ev.kind = CDC_DELETE;
		ev.before = e->del_before;
		ev.before_is_key = e->del_before_is_key;
		if (fn(arg, &ev, err) < 0)
			return -1;
		++*count;
	}
	if (e->state == N_NONE || e->state == N_D)
		return 0;
	ev.kind = e->state == N_U ? CDC_UPDATE : CDC_INSERT;
	ev.before = e->state == N_U ? e->before : NULL;
	ev.before_is_key = e->before_is_key;
	ev.after = e->after;
	ev.unchanged = e->unchanged;
	++*count;
	return fn(arg, &ev, err);
}

/* Folds changes [from, to), none of which must keep its place in the
 * batch, into entries, and applies them grouped by table. */
static int
replay_part(struct cdc_batch *b, size_t from, size_t to, cdc_batch_fn fn, void *arg,
	    struct dberr *err)
{
	size_t nents = 0, nitems = 0, n = to - from, nslots;
	int nranks = 0;

	if (n == 0)	/* a TRUNCATE first, or two in a row */
		return 0;
	if (n > b->ents_alloc) {
		b->ents_alloc = n;
		b->ents = xrealloc(b->ents, n * sizeof(*b->ents));
		b->items = xrealloc(b->items, n * sizeof(*b->items));
	}
	/* the table is sized to this part, not to the largest part yet:
	 * many small parts (key changes) must not each clear a big one */
	for (nslots = 16; nslots < 2 * n;)
		nslots *= 2;
	if (nslots > b->nslots) {
		b->nslots = nslots;
		b->slots = xrealloc(b->slots, b->nslots * sizeof(*b->slots));
	}
	for (size_t s = 0; s < nslots; s++)
		b->slots[s] = -1;
	b->stamp++;
	for (size_t i = from; i < to; i++) {
		const struct bchange *c = &b->v[i];
		const struct tkey *tk = NULL;
		const struct value *key = row_key(b, c, &tk);
		struct tkey *rk = (struct tkey *)(tk ? tk : table_key(b, c->table));
		struct netent *e = NULL;

		if (rk->stamp != b->stamp) {
			rk->stamp = b->stamp;
			rk->rank = nranks++;
		}
		if (key) {
			uint32_t h = key_hash(tk, key);
			size_t s = h & (nslots - 1);

			for (; b->slots[s] >= 0; s = (s + 1) & (nslots - 1)) {
				struct netent *x = &b->ents[b->slots[s]];

				if (x->hash == h && x->tk == tk && key_equal(tk, x->key_img, key)) {
					e = x;
					break;
				}
			}
			if (!e) {
				e = &b->ents[nents];
				memset(e, 0, sizeof(*e));
				e->tk = tk;
				e->hash = h;
				e->key_img = key;
				e->first = i;
				b->slots[s] = (long)nents;
				b->items[nitems++] = (struct item){ rk->rank, i, (long)nents++ };
			}
			if (fold(b, e, c) < 0)
				return -2;
		} else {
			b->items[nitems++] = (struct item){ rk->rank, i, -1 - (long)i };
		}
	}
	qsort(b->items, nitems, sizeof(*b->items), item_cmp);
	for (size_t k = 0; k < nitems; k++) {
		const struct item *it = &b->items[k];

		if (it->ent >= 0 ? emit_entry(&b->ents[it->ent], fn, arg, &b->net_count, err) < 0
		    : cdc_batch_replay(b, (size_t)(-1 - it->ent), (size_t)(-it->ent), fn, arg,
				       err) < 0)
			return -1;
		b->net_count += it->ent < 0;
	}
	return 0;
}

int
cdc_batch_replay_net(struct cdc_batch *b, cdc_batch_fn fn, void *arg, struct dberr *err)
{
	size_t part = 0;
	int r;

	b->net_count = 0;
	for (size_t i = 0; i <= b->n; i++) {
		const struct tkey *tk;

		/* a TRUNCATE or a change of a key: the part before it, then it */
		if (i < b->n && (!row_key(b, &b->v[i], &tk) &&
				 (b->v[i].kind == CDC_TRUNCATE || tk->nk >= 0)))
			;
		else if (i < b->n)
			continue;
		if ((r = replay_part(b, part, i, fn, arg, err)) < 0)
			return r;
		if (i < b->n && cdc_batch_replay(b, i, i + 1, fn, arg, err) < 0)
			return -1;
		b->net_count += i < b->n;
		part = i + 1;
	}
	return 0;
}
