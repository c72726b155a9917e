/*
 * verify.c - dbmig verify: pairs the tables and columns of two sides,
 * then compares each table by one of two methods.
 *
 * checksum: each side counts and digests first-level chunks (integer key
 * ranges, or buckets of the key's hash, which no collation influences)
 * inside its server; chunks that differ are split sixteen ways and
 * digested again until a few rows remain, and only those rows are
 * fetched and compared. A side whose server cannot render some column
 * (a dump, MySQL JSON, PostgreSQL arrays) is digested in the client from
 * a full read instead, and its differing chunks are fetched whole.
 * rows: both sides stream every row in key order to the client, which
 * merges them; a dump or a table without a primary key goes through the
 * chunk digests computed in the client.
 *
 * Every side is read inside one snapshot shared by all its connections,
 * and the report says at which position.
 */
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/base/log.h"
#include "verify_int.h"
#include "verify_live.h"
#include "lib/cdc/cdc_ops.h"
#include "lib/base/progress.h"
#include "lib/base/workpool.h"
#include "lib/base/banned.h"

#define LEAF_ROWS	64	/* a chunk this small is fetched, not split */
#define FANOUT		16
#define MAX_DEPTH	12
#define CLIENT_CHUNK	100	/* rows per chunk when a side digests in the client:
				 * its differing chunks are fetched whole */
#define MAX_CHUNKS	(1u << 20)	/* first-level chunks at most: 16 MiB of sums a side */

struct vjob {
	struct table *t[2];
	struct vf_plan plan;
	struct verify_table *res;
	int ti;			/* the table's index on the progress display */
	uint64_t rows_reported;	/* to the progress display, as ranges finished */
};

/* A connection on each side, in the sides' snapshots. */
struct vworker {
	struct db_conn *c[2];
};

/* The pairs of connections: a table takes one for its whole run, and
 * borrows those idle for its key ranges (compare_checksum). */
struct vpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct vworker *pairs;
	unsigned char *busy;
	int n;
};

struct vctx {
	struct progress *prog;
	const struct verify_opts *o;
	struct vsrc *src[2];
	struct vjob *jobs;
	int njobs;
	struct vpool pool;
};

/* ---- the connections ---- */

/* A free pair, waiting for one when wait is set (NULL: none free). */
static struct vworker *
pool_take(struct vpool *pl, int wait)
{
	struct vworker *w = NULL;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		for (int i = 0; i < pl->n && !w; i++)
			if (!pl->busy[i]) {
				pl->busy[i] = 1;
				w = &pl->pairs[i];
			}
		if (w || !wait)
			break;
		pthread_cond_wait(&pl->cv, &pl->mu);
	}
	pthread_mutex_unlock(&pl->mu);
	return w;
}

static void
pool_give(struct vpool *pl, struct vworker *w)
{
	pthread_mutex_lock(&pl->mu);
	pl->busy[w - pl->pairs] = 0;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

/* ---- sides ---- */

static int
is_dump_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
filter_dump_tables(struct schema_model *m, const struct schema_filter *f)
{
	int w = 0;

	for (int i = 0; i < m->ntables; i++) {
		struct table *t = &m->tables[i];
		int keep = f->include.n == 0;

		for (size_t k = 0; k < f->include.n && !keep; k++)
			keep = table_matches(t->schema, t->name, f->include.v[k]);
		for (size_t k = 0; k < f->exclude.n && keep; k++)
			keep = !table_matches(t->schema, t->name, f->exclude.v[k]);
		if (keep) {
			if (w != i) {
				struct table tmp = m->tables[w];

				m->tables[w] = *t;
				*t = tmp;
			}
			w++;
		}
	}
	/* Dropped tables stay in the array past ntables; side_close puts
	 * the count back so schema_release frees them. */
	m->ntables = w;
}

/* The target's tables are read with each pattern's schema part left
 * out: across engines (a MySQL database against a PostgreSQL schema)
 * the pairing is by name and the source's schema names nothing on the
 * target.  Between like engines verify_run applies the exact filter
 * again once both sides are open. */
static void
names_only_filter(const struct schema_filter *in, struct schema_filter *out)
{
	const struct strlist *from[2] = { &in->include, &in->exclude };
	struct strlist *to[2] = { &out->include, &out->exclude };

	memset(out, 0, sizeof(*out));
	out->unmapped_as_text = in->unmapped_as_text;
	for (int l = 0; l < 2; l++)
		for (size_t k = 0; k < from[l]->n; k++) {
			const char *dot = strchr(from[l]->v[k], '.');

			strlist_push(to[l], dot ? dot + 1 : from[l]->v[k]);
		}
}

static void
filter_release(struct schema_filter *f)
{
	strlist_release(&f->include);
	strlist_release(&f->exclude);
}

static int
side_open(struct vsrc *src, int index, const struct verify_opts *o,
	  const struct schema_filter *filter, int exact, struct verify_side_info *info,
	  struct dberr *err)
{
	const char *where = o->side[index];
	struct db_snapshot snap;

	memset(&snap, 0, sizeof(snap));
	src->index = index;
	src->cls = index ? DBERR_TARGET : DBERR_SOURCE;
	if (is_dump_dir(where)) {
		src->is_dump = 1;
		src->dir = where;
		if (manifest_read(where, &src->meta, &src->model, err) < 0)
			return -1;
		if (!src->meta.has_data)
			return dberr_set(err, DBERR_DUMP, "%s: the dump holds no rows "
					 "(--schema-only); verify needs a dump with data", where);
		src->ntotal = src->model.ntables;
		filter_dump_tables(&src->model, filter);
		if (index == 0 && schema_unmatched_pattern(&src->model, &o->filter.include))
			return schema_unmatched_error(schema_unmatched_pattern(&src->model,
						      &o->filter.include), err);
		src->engine_drv = driver_by_name(src->meta.engine);
		info->is_dump = 1;
		snprintf(info->engine, sizeof(info->engine), "%s", src->meta.engine);
		snprintf(info->where, sizeof(info->where), "dump %s", where);
		snprintf(info->server_version, sizeof(info->server_version), "%s",
			 src->meta.server_version);
		info->position = src->meta.position;
		snprintf(info->snapshot_kind, sizeof(info->snapshot_kind), "%s",
			 src->meta.snapshot_kind);
		snprintf(info->taken_at, sizeof(info->taken_at), "%s", src->meta.created_at);
		return 0;
	}
	/* neither a directory nor a connection string: a dump path that
	 * does not exist (load says the same) */
	if (!strchr(where, ':') && !strchr(where, '='))
		return dberr_set(err, DBERR_DUMP, "%s: dump directory '%s' does not exist and it "
				 "is no connection string; check the path", index ? "target" : "source",
				 where);
	if (!(src->drv = driver_for_uri(where, src->cls, err)))
		return -1;
	if (!src->drv->verify || !src->drv->source)
		return dberr_set(err, DBERR_UNSUPPORTED, "verify does not support %s yet",
				 src->drv->name);
	src->conns = xcalloc((size_t)o->jobs, sizeof(*src->conns));
	for (; src->nconns < o->jobs; src->nconns++)
		if (src->drv->connect(&src->conns[src->nconns], where, src->cls, err) < 0)
			return -1;
	/* a live pair: the source at an exact position, where its tail holds */
	if (exact ? src->drv->cdc->snapshot_exact(src->conns[0], where, &snap, err) < 0
		  : src->drv->source->snapshot_export(src->conns[0], src->nconns - 1, &snap, err) < 0)
		return -1;
	if (snap.shareable < src->nconns - 1) {
		log_warn("%s: comparing with %d connection%s instead of %d: the role cannot "
			 "share its snapshot (a global read lock needs the RELOAD privilege)",
			 index ? "target" : "source", snap.shareable + 1,
			 snap.shareable ? "s" : "", src->nconns);
		while (src->nconns > snap.shareable + 1)
			src->drv->close(src->conns[--src->nconns]);
	}
	for (int i = 1; i < src->nconns; i++)
		if (src->drv->source->snapshot_import(src->conns[i], &snap, err) < 0)
			return -1;
	if (src->drv->source->snapshot_release(src->conns[0], err) < 0 ||
	    src->drv->source->schema_read(src->conns[0], filter, &src->model, err) < 0)
		return -1;
	/* after the schema's queries, which it would not suit */
	for (int i = 0; i < src->nconns; i++)
		if (vsql_session_setup(src->drv, src->conns[i], err) < 0)
			return -1;
	src->ntotal = src->model.ntables;
	if (index == 0 && schema_unmatched_pattern(&src->model, &o->filter.include))
		return schema_unmatched_error(schema_unmatched_pattern(&src->model,
					      &o->filter.include), err);
	src->engine_drv = src->drv;
	snprintf(info->engine, sizeof(info->engine), "%s", src->drv->name);
	snprintf(info->where, sizeof(info->where), "%s", src->drv->describe(src->conns[0]));
	snprintf(info->server_version, sizeof(info->server_version), "%s",
		 src->drv->server_version(src->conns[0]));
	info->position = snap.pos;
	snprintf(info->snapshot_kind, sizeof(info->snapshot_kind), "%s", snap.kind);
	src->by_pages = src->drv->verify->dialect->pages_ok &&
			src->drv->verify->dialect->pages_ok(info->server_version);
	if (src->drv->verify->dialect->native_major &&
	    src->drv->verify->dialect->native_major(info->server_version, src->native_major,
						    sizeof(src->native_major)) < 0)
		src->native_major[0] = '\0';
	return 0;
}

static void
side_close(struct vsrc *src)
{
	for (int i = src->nconns - 1; i >= 0; i--)
		src->drv->close(src->conns[i]);
	free(src->conns);
	if (src->ntotal > src->model.ntables)
		src->model.ntables = src->ntotal;
	schema_release(&src->model);
}

/* ---- pairing tables and columns ---- */

/* dbmig's own tables on that side's engine (the ledger), never compared */
static int
internal_table(const struct vsrc *src, const struct table *t)
{
	return src->engine_drv && src->engine_drv->is_internal(t->schema, t->name);
}

static unsigned
caps_of(const struct vsrc *src)
{
	return src->engine_drv ? src->engine_drv->caps : 0;
}

/* A partitioned table is compared as one table, its root read with every
 * partition's rows, except between a PostgreSQL dump, which holds its
 * rows per partition, and PostgreSQL: there partition by partition. */
static int
partitions_compared(struct vsrc *src)
{
	return (src[0].is_dump || src[1].is_dump) &&
	       (caps_of(&src[0]) & DB_CAP_PARTITION_TABLES) &&
	       (caps_of(&src[1]) & DB_CAP_PARTITION_TABLES);
}

static int
partition_skipped(struct vsrc *src, const struct table *t)
{
	return partitions_compared(src) ? t->partition_key != NULL : t->partition_of != NULL;
}

/* Where roots are compared, a dump's root is read from its partitions'
 * chunks, and counts their rows. */
static void
fold_dump_partitions(struct vsrc *src)
{
	if (partitions_compared(src))
		return;
	for (int s = 0; s < 2; s++) {
		struct vsrc *d = &src[s];

		if (!d->is_dump)
			continue;
		d->fold_partitions = 1;
		for (int i = 0; i < d->model.ntables; i++) {
			const struct table *t = &d->model.tables[i];
			struct table *root = (struct table *)schema_partition_root(&d->model, t);

			if (root != t)
				root->rows += t->rows;
		}
	}
}

/* The table of side b matching a: same schema and name, or, when one
 * side is MySQL (one database, its name not the schema's), the one table
 * of that name. */
static struct table *
find_pair(struct vsrc *b, const struct table *a, int by_name)
{
	struct table *hit = NULL;
	int n = 0;

	for (int i = 0; i < b->model.ntables; i++) {
		struct table *t = &b->model.tables[i];

		if (!strcmp(t->schema, a->schema) && !strcmp(t->name, a->name))
			return t;
	}
	if (!by_name)
		return NULL;
	for (int i = 0; i < b->model.ntables; i++) {
		struct table *t = &b->model.tables[i];

		if (!strcmp(t->name, a->name) && !internal_table(b, t)) {
			hit = t;
			n++;
		}
	}
	return n == 1 ? hit : NULL;
}

static int
data_index(const struct table *t, const struct column *col)
{
	int k = 0;

	for (int i = 0; i < t->ncols; i++) {
		if (&t->cols[i] == col)
			return k;
		if (!t->cols[i].generated_expr)
			k++;
	}
	return -1;
}

static struct column *
find_column(struct table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!t->cols[i].generated_expr && !strcmp(t->cols[i].name, name))
			return &t->cols[i];
	for (int i = 0; i < t->ncols; i++)
		if (!t->cols[i].generated_expr && !strcasecmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

static int
orderable(enum vkind k)
{
	switch (k) {
	case VK_INT: case VK_DEC: case VK_DATE: case VK_TIME: case VK_TS:
	case VK_TEXT: case VK_CHAR: case VK_UUID: case VK_BYTES:
		return 1;
	default:
		return 0;
	}
}

/* Builds the plan for a pair of tables; column differences go to res. */
static void
build_plan(struct vsrc *src[2], struct table *t[2], struct vf_plan *p,
	   struct verify_table *res, struct verify_result *vr)
{
	const struct constraint *pk = NULL;
	int zero_null[2];
	struct strbuf msg = STRBUF_INIT;

	memset(p, 0, sizeof(*p));
	for (int s = 0; s < 2; s++)
		/* zero dates on one side are NULL on the other */
		zero_null[s] = (caps_of(src[s]) & DB_CAP_ZERO_DATES) &&
			       !(caps_of(src[!s]) & DB_CAP_ZERO_DATES);
	p->cols = xcalloc((size_t)t[0]->ncols + 1, sizeof(*p->cols));
	for (int i = 0; i < t[0]->ncols; i++) {
		struct column *a = &t[0]->cols[i], *b;
		struct vcol *vc;

		if (a->generated_expr)
			continue;
		if (!(b = find_column(t[1], a->name))) {
			strbuf_reset(&msg);
			strbuf_addf(&msg, "%s: column %s is missing on the target", res->name[0],
				    a->name);
			strlist_push(&vr->column_diffs, msg.buf);
			continue;
		}
		vc = &p->cols[p->ncols];
		vc->name = a->name;
		vc->s[0].col = a;
		vc->s[1].col = b;
		vc->s[0].idx = data_index(t[0], a);
		vc->s[1].idx = data_index(t[1], b);
		vc->kind = vform_kind(&a->type, &b->type, &vc->scale);
		for (int s = 0; s < 2; s++)
			vc->s[s].zero_null = zero_null[s];
		if (vc->kind == VK_NONE) {
			strbuf_reset(&msg);
			strbuf_addf(&msg, "column %s not compared: %s %s on the source, %s on the "
				    "target", a->name, ntype_name(a->type.t),
				    a->native_type ? a->native_type : "", b->native_type ?
				    b->native_type : ntype_name(b->type.t));
			strlist_push(&res->notes, msg.buf);
			res->uncompared++;
			continue;
		}
		p->ncols++;
	}
	for (int i = 0; i < t[1]->ncols; i++) {
		struct column *b = &t[1]->cols[i];

		if (b->generated_expr || find_column(t[0], b->name))
			continue;
		strbuf_reset(&msg);
		strbuf_addf(&msg, "%s: column %s is only on the target", res->name[1], b->name);
		strlist_push(&vr->column_diffs, msg.buf);
	}
	for (int i = 0; i < t[0]->ncons; i++)
		if (t[0]->cons[i].kind == 'p')
			pk = &t[0]->cons[i];
	p->ordered = 1;
	for (size_t k = 0; pk && k < pk->columns.n; k++) {
		int found = -1;

		for (int i = 0; i < p->ncols; i++)
			if (!strcmp(p->cols[i].name, pk->columns.v[k]))
				found = i;
		if (found < 0 || p->nkey == VF_MAX_KEY) {
			p->nkey = 0;	/* a key column is not compared */
			break;
		}
		p->key[p->nkey++] = found;
		p->ordered &= orderable(p->cols[found].kind);
	}
	if (!p->nkey) {
		p->ordered = 0;
		res->multiset = 1;
	}
	p->range = p->nkey == 1 && p->cols[p->key[0]].kind == VK_INT &&
		   !src[0]->is_dump && !src[1]->is_dump;
	strbuf_release(&msg);
}

/* ---- checksum: digests, bisection, leaves ---- */

struct gsum {
	uint64_t rows, sum;
};

/* The first level: nb chunks, by key range or hash bucket. */
struct level0 {
	int range;
	int64_t lo, hi;
	uint64_t width;		/* range: keys per chunk */
	uint64_t nb;
	struct gsum *g[2];
};

struct group_sink {
	struct gsum *g;
	uint64_t n;		/* groups expected */
	uint64_t base;		/* hash: group value = res + j * base; range: unused */
	int hash;
	const char *table;
	/* hash, several scopes at once: their sorted residues; group
	 * res + j * base goes to FANOUT * (res's index) + j */
	const uint64_t *resv;
	uint64_t nres;
	uint64_t offset;	/* range: group j goes to g[offset + j] */
	pthread_mutex_t *lock;	/* several parts of one table add up at once */
};

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
group_store(void *arg, uint64_t group, uint64_t rows, uint64_t sum, struct dberr *err)
{
	struct group_sink *gs = arg;
	uint64_t j = gs->hash && gs->base ? group / gs->base : group;

	if (gs->resv && gs->base) {
		uint64_t parent = group % gs->base;
		const uint64_t *at = bsearch(&parent, gs->resv, gs->nres, sizeof(*gs->resv),
					     u64_cmp);

		j = at && j < FANOUT ? (uint64_t)(at - gs->resv) * FANOUT + j : gs->n;
	}

	j += gs->offset;
	if (j >= gs->n)
		return dberr_set(err, DBERR_INTERNAL, "BUG: table %s: digest group %" PRIu64
				 " out of range", gs->table, group);
	if (gs->lock)
		pthread_mutex_lock(gs->lock);
	gs->g[j].rows += rows;
	gs->g[j].sum += sum;
	if (gs->lock)
		pthread_mutex_unlock(gs->lock);
	return 0;
}

static uint64_t
group_of(const struct level0 *L, const struct vf_plan *p, const struct vrow *r)
{
	if (L->range) {
		int i = p->key[0];
		char num[24];
		int64_t k = L->lo;

		if (r->off[i] != SIZE_MAX && r->len[i] < sizeof(num)) {
			memcpy(num, strbuf_cstr(&r->text) + r->off[i], r->len[i]);
			num[r->len[i]] = '\0';
			k = strtoll(num, NULL, 10);
		}

		return ((uint64_t)k - (uint64_t)L->lo) / L->width;
	}
	return r->bucket_hash % L->nb;
}

struct client_digest {
	const struct level0 *L;
	const struct vf_plan *p;
	struct gsum *g;
	uint64_t rows, sum;
};

static int
client_digest_row(void *arg, const struct vrow *r, struct dberr *err)
{
	struct client_digest *cd = arg;
	uint64_t j = group_of(cd->L, cd->p, r);

	if (j >= cd->L->nb)
		return dberr_set(err, DBERR_INTERNAL, "BUG: row outside the key range");
	cd->g[j].rows++;
	cd->g[j].sum += r->digest;
	cd->rows++;
	cd->sum += r->digest;
	return 0;
}

static struct vf_scope
chunk_scope(const struct level0 *L, uint64_t j)
{
	struct vf_scope sc = { 0 };

	if (L->range) {
		sc.kind = VF_RANGE;
		sc.lo = (int64_t)((uint64_t)L->lo + j * L->width);
		sc.hi = (uint64_t)(L->hi - sc.lo) < L->width ? L->hi
			: (int64_t)((uint64_t)sc.lo + L->width - 1);
	} else {
		sc.kind = VF_HASH;
		sc.mod = L->nb;
		sc.res = j;
	}
	return sc;
}

struct leafset {
	struct vf_scope *v;
	size_t n, alloc;
};

static void
leaf_add(struct leafset *l, const struct vf_scope *sc)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 16;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->n++] = *sc;
}

struct collect {
	const struct level0 *L;
	const struct vf_plan *p;
	const unsigned char *want;	/* per first-level chunk, or NULL: keep all */
	struct row_list *list;
};

static int
collect_row(void *arg, const struct vrow *r, struct dberr *err)
{
	struct collect *co = arg;

	(void)err;
	if (co->want && !co->want[group_of(co->L, co->p, r)])
		return 0;
	row_list_push(co->list, r, co->p->ncols);
	return 0;
}

/* One side's share of a step, so both servers work at the same time. */
enum side_op { OP_DIGEST, OP_FETCH };
struct side_task {
	struct vctx *ctx;
	struct vworker *w;
	struct vjob *job;
	int s;
	enum side_op op;
	int server;			/* OP_DIGEST: inside the server, else in dbmig */
	const struct level0 *L;		/* OP_DIGEST in dbmig: the chunks */
	const struct vf_scope *sc;	/* OP_DIGEST in the server */
	uint64_t group;
	struct group_sink gs;
	const struct vf_scope *scopes;	/* OP_FETCH; NULL: every row, filtered */
	int nscopes;
	struct collect *co;
	uint64_t rows;			/* rows the side read */
	int ret;
	struct dberr err;
};

static void *
side_task_run(void *arg)
{
	struct side_task *t = arg;
	struct vsrc *src = t->ctx->src[t->s];
	struct db_conn *c = t->w->c[t->s];
	struct table *tab = t->job->t[t->s];
	const struct vf_plan *p = &t->job->plan;

	if (t->op == OP_FETCH) {
		t->ret = vread(src, c, tab, p, t->s, t->scopes, t->nscopes,
			       t->co->L->range ? VREAD_NO_BUCKET : 0, collect_row, t->co, &t->err);
	} else if (t->server) {
		t->ret = vsql_digest(src->drv, c, tab, p, t->s, t->sc, t->group, group_store,
				     &t->gs, &t->err);
	} else {
		struct client_digest cd = { t->L, p, t->gs.g, 0, 0 };

		t->ret = vread(src, c, tab, p, t->s, NULL, 0, t->L->range ? VREAD_NO_BUCKET : 0,
			       client_digest_row, &cd, &t->err);
		t->rows = cd.rows;
	}
	return NULL;
}

/* Runs t[0] here and t[1] on a thread; the first failure goes to err. */
static int
both_sides(struct side_task t[2], struct dberr *err)
{
	pthread_t th;
	int threaded = pthread_create(&th, NULL, side_task_run, &t[1]) == 0;

	if (!threaded)
		side_task_run(&t[1]);
	side_task_run(&t[0]);
	if (threaded)
		pthread_join(th, NULL);
	for (int s = 0; s < 2; s++)
		if (t[s].ret < 0) {
			*err = t[s].err;
			return -1;
		}
	return 0;
}

static void
task_init(struct side_task t[2], struct vctx *ctx, struct vworker *w, struct vjob *job,
	  enum side_op op)
{
	memset(t, 0, 2 * sizeof(*t));
	for (int s = 0; s < 2; s++) {
		t[s].ctx = ctx;
		t[s].w = w;
		t[s].job = job;
		t[s].s = s;
		t[s].op = op;
		t[s].err.cls = DBERR_NONE;
	}
}

/* A range whose counts differ by more than half of the smaller one is
 * mostly rows on one side only: bisecting it would read it again and
 * again to list rows the operator cannot act on one by one. Its count
 * difference is reported instead, and the range is not fetched. Ranges
 * small enough to be leaves are always fetched. */
static int
counts_too_different(uint64_t a, uint64_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return hi > LEAF_ROWS && 2 * (hi - lo) > lo;
}

static void
count_diff_add(struct vctx *ctx, struct vjob *job, const struct vf_scope *sc, uint64_t a,
	       uint64_t b)
{
	struct verify_table *res = job->res;
	struct verify_diff *d;
	struct strbuf key = STRBUF_INIT, det = STRBUF_INIT;
	char *key_json = NULL;

	res->counted += a > b ? a - b : b - a;
	res->counted_ranges++;
	res->count_range[0] += a;
	res->count_range[1] += b;
	if ((uint64_t)res->ndiffs >= ctx->o->max_diffs) {
		res->truncated = 1;
		return;
	}
	if (sc->kind == VF_RANGE) {
		const char *kc = job->plan.cols[job->plan.key[0]].name;
		json_t *o = json_object();

		strbuf_addf(&key, "%s %" PRId64 "..%" PRId64, kc, sc->lo, sc->hi);
		json_object_set_new(o, kc, json_pack("{sIsI}", "from", (json_int_t)sc->lo, "to",
						     (json_int_t)sc->hi));
		key_json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
	} else {
		json_t *o = json_pack("{s{sIsI}}", "key_hash", "bucket", (json_int_t)sc->res,
				      "of", (json_int_t)sc->mod);

		strbuf_addf(&key, "key hash %" PRIu64 " mod %" PRIu64, sc->res, sc->mod);
		key_json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
	}
	strbuf_addf(&det, "%" PRIu64 " row%s on the source, %" PRIu64 " on the target",
		    a, PLURAL(a), b);
	res->diffs = xrealloc(res->diffs, ((size_t)res->ndiffs + 1) * sizeof(*res->diffs));
	d = &res->diffs[res->ndiffs++];
	memset(d, 0, sizeof(*d));
	d->kind = 'n';
	d->key_json = key_json;
	d->count[0] = a;
	d->count[1] = b;
	d->key = strbuf_detach(&key);
	d->detail = strbuf_detach(&det);
}

struct pending {
	struct vf_scope sc;
	uint64_t maxrows;
	int depth;
};

static int
pending_by_res(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	return x->sc.res < y->sc.res ? -1 : x->sc.res > y->sc.res;
}

static int bisect(struct vctx *ctx, struct vworker *w, struct vjob *job, struct pending *start,
		  size_t nstart, size_t cap, struct leafset *out, struct dberr *err);

/* Hash buckets split as bisect does, a level at a time: a bucket is no
 * index range, so each digest of one reads the whole table, and one per
 * differing bucket made a target a few hundred rows behind cost minutes.
 * Here every bucket of a level goes in one scan a side: the cost is the
 * levels (a few), not the differences. All of start share one modulus. */
static int
bisect_hash(struct vctx *ctx, struct vworker *w, struct vjob *job, struct pending *start,
	    size_t nstart, size_t cap, struct leafset *out, struct dberr *err)
{
	struct pending *level = xcalloc(nstart + 1, sizeof(*level)), *next = NULL;
	size_t n = nstart, nnext = 0;
	int more = 0, ret = -1;

	memcpy(level, start, nstart * sizeof(*level));
	while (n) {
		uint64_t mod = level[0].sc.mod, *resv = xcalloc(n + 1, sizeof(*resv));
		struct pending *split = xcalloc(n + 1, sizeof(*split));
		struct gsum *sub[2];
		struct side_task t[2];
		struct vf_scope sc = level[0].sc;
		size_t nsplit = 0;

		for (size_t i = 0; i < n; i++) {
			struct pending *cur = &level[i];

			if (out->n >= cap) {
				more = 1;
				break;
			}
			if (cur->maxrows <= LEAF_ROWS || cur->depth >= MAX_DEPTH)
				leaf_add(out, &cur->sc);
			else
				split[nsplit++] = *cur;
		}
		if (more || !nsplit) {
			free(resv);
			free(split);
			break;
		}
		qsort(split, nsplit, sizeof(*split), pending_by_res);
		for (size_t i = 0; i < nsplit; i++)
			resv[i] = split[i].sc.res;
		sc.resv = resv;
		sc.nres = nsplit;
		task_init(t, ctx, w, job, OP_DIGEST);
		for (int s = 0; s < 2; s++) {
			struct group_sink gs = { NULL, nsplit * FANOUT, mod, 1, job->res->name[s],
						 resv, nsplit };

			sub[s] = xcalloc(nsplit * FANOUT, sizeof(**sub));
			gs.g = sub[s];
			t[s].server = 1;
			t[s].sc = &sc;
			t[s].group = mod * FANOUT;
			t[s].gs = gs;
		}
		if (both_sides(t, err) < 0) {
			free(sub[0]);
			free(sub[1]);
			free(resv);
			free(split);
			goto out;
		}
		next = xcalloc(nsplit * FANOUT + 1, sizeof(*next));
		nnext = 0;
		for (size_t i = 0; i < nsplit; i++) {
			int differs = 0;

			for (int j = 0; j < FANOUT; j++) {
				const struct gsum *a = &sub[0][i * FANOUT + j], *b = &sub[1][i * FANOUT + j];
				struct pending nx = { split[i].sc, 0, split[i].depth + 1 };

				if (a->rows == b->rows && a->sum == b->sum)
					continue;
				differs = 1;
				nx.sc.mod = mod * FANOUT;
				nx.sc.res = split[i].sc.res + (uint64_t)j * mod;
				nx.sc.resv = NULL;
				nx.sc.nres = 0;
				nx.maxrows = a->rows > b->rows ? a->rows : b->rows;
				if (counts_too_different(a->rows, b->rows))
					count_diff_add(ctx, job, &nx.sc, a->rows, b->rows);
				else
					next[nnext++] = nx;
			}
			if (!differs)	/* it changed between queries: fetch it */
				leaf_add(out, &split[i].sc);
		}
		free(sub[0]);
		free(sub[1]);
		free(resv);
		free(split);
		free(level);
		level = next;
		next = NULL;
		n = nnext;
	}
	ret = more;
out:
	free(level);
	free(next);
	return ret;
}

/* Splits differing chunks inside both servers until each holds at most
 * LEAF_ROWS rows; the leaves go to out, at most cap of them. Returns 1
 * when more differing chunks were left unexplored. */
static int
bisect(struct vctx *ctx, struct vworker *w, struct vjob *job, struct pending *start,
       size_t nstart, size_t cap, struct leafset *out, struct dberr *err)
{
	struct pending *stack;
	struct side_task t[2];
	size_t n = 0, alloc = nstart + 1;
	int more = 0, one_mod = nstart > 0 && start[0].sc.kind == VF_HASH;

	for (size_t i = 1; i < nstart && one_mod; i++)
		one_mod = start[i].sc.kind == VF_HASH && start[i].sc.mod == start[0].sc.mod &&
			  start[i].depth == start[0].depth;
	if (one_mod)
		return bisect_hash(ctx, w, job, start, nstart, cap, out, err);
	stack = xcalloc(nstart + 1, sizeof(*stack));

	for (size_t i = nstart; i > 0; i--)
		stack[n++] = start[i - 1];
	while (n) {
		struct pending cur = stack[--n];
		struct gsum sub[2][FANOUT];
		uint64_t group;
		int split = 0;

		if (out->n >= cap) {
			more = 1;
			break;
		}
		if (cur.maxrows <= LEAF_ROWS || cur.depth >= MAX_DEPTH ||
		    (cur.sc.kind == VF_RANGE && cur.sc.lo == cur.sc.hi)) {
			leaf_add(out, &cur.sc);
			continue;
		}
		if (cur.sc.kind == VF_RANGE) {
			uint64_t span = (uint64_t)cur.sc.hi - (uint64_t)cur.sc.lo;

			group = span / FANOUT + 1;
		} else {
			group = cur.sc.mod * FANOUT;
		}
		memset(sub, 0, sizeof(sub));
		task_init(t, ctx, w, job, OP_DIGEST);
		for (int s = 0; s < 2; s++) {
			struct group_sink gs = { sub[s], FANOUT, cur.sc.mod,
						 cur.sc.kind == VF_HASH, job->res->name[s] };

			t[s].server = 1;
			t[s].sc = &cur.sc;
			t[s].group = group;
			t[s].gs = gs;
		}
		if (both_sides(t, err) < 0) {
			free(stack);
			return -1;
		}
		for (int j = FANOUT - 1; j >= 0; j--) {
			struct pending nx = { cur.sc, 0, cur.depth + 1 };

			if (sub[0][j].rows == sub[1][j].rows && sub[0][j].sum == sub[1][j].sum)
				continue;
			split = 1;
			nx.maxrows = sub[0][j].rows > sub[1][j].rows ? sub[0][j].rows : sub[1][j].rows;
			if (cur.sc.kind == VF_RANGE) {
				nx.sc.lo = (int64_t)((uint64_t)cur.sc.lo + (uint64_t)j * group);
				nx.sc.hi = (uint64_t)(cur.sc.hi - nx.sc.lo) < group ? cur.sc.hi
					   : (int64_t)((uint64_t)nx.sc.lo + group - 1);
			} else {
				nx.sc.mod = group;
				nx.sc.res = cur.sc.res + (uint64_t)j * cur.sc.mod;
			}
			if (counts_too_different(sub[0][j].rows, sub[1][j].rows)) {
				count_diff_add(ctx, job, &nx.sc, sub[0][j].rows, sub[1][j].rows);
				continue;
			}
			if (n == alloc) {
				alloc *= 2;
				stack = xrealloc(stack, alloc * sizeof(*stack));
			}
			stack[n++] = nx;
		}
		if (!split)	/* the chunk changed between queries: fetch it */
			leaf_add(out, &cur.sc);
	}
	free(stack);
	return more;
}

/* Key ranges of one table digested apart, so that -j helps inside one
 * table and the progress moves as ranges finish.
 *
 * Each range is first digested whole: one group, no GROUP BY, which
 * costs what the raw hash does (grouping by chunk cost PostgreSQL 15%
 * more, MariaDB a query per chunk). Only where the totals differ are a
 * range's chunks digested, to find the rows. Each side works through
 * its ranges on its own connections: in step, the faster side waited
 * for the slower one at every range. */
#define RANGE_PARTS	16	/* ranges of a table digested in its servers, */
#define RANGE_CHUNKS	8	/* of this many first-level chunks at least */

struct range_run {
	struct vctx *ctx;
	struct vjob *job;
	const struct level0 *L;
	uint64_t per;		/* first-level chunks per range */
	uint64_t nparts;
	uint64_t pages[2];	/* a side read by pages: its pages (else 0) */
	int server[2];		/* a side digested in its server (else read by dbmig) */
	int chunks;		/* this pass digests chunks (else totals) */
	uint64_t *todo, ntodo;	/* this pass's ranges */
	uint64_t next[2];	/* each side's next index into todo */
	struct gsum *tot[2];	/* each range's total, a side */
	unsigned char *sides_done;	/* a range's sides with their totals */
	pthread_mutex_t mu;
	int failed;
	struct dberr err;
};

/* Side s of range part: its keys, or on a side read by pages every key
 * on its share of the pages (so a range is comparable with the other
 * side's only where neither is read by pages). */
static struct vf_scope
range_scope(const struct range_run *rr, int s, uint64_t part)
{
	const struct level0 *L = rr->L;
	uint64_t j0 = part * rr->per, n = L->nb - j0 < rr->per ? L->nb - j0 : rr->per;
	struct vf_scope sc;

	memset(&sc, 0, sizeof(sc));
	sc.kind = VF_RANGE;
	if (rr->pages[s]) {
		sc.lo = L->lo;
		sc.hi = L->hi;
		sc.page_from = rr->pages[s] * part / rr->nparts;
		sc.page_to = part + 1 == rr->nparts ? UINT64_MAX
			     : rr->pages[s] * (part + 1) / rr->nparts;
	} else {
		sc.lo = (int64_t)((uint64_t)L->lo + j0 * L->width);
		sc.hi = j0 + n >= L->nb ? L->hi
			: (int64_t)((uint64_t)L->lo + (j0 + n) * L->width - 1);
	}
	return sc;
}

/* One side of one range read and digested by dbmig: its total and, in
 * the same read, its chunks' sums, so that it is never read again. A
 * range of pages holds keys of any chunk, which other ranges' threads
 * also add to: its sums are made apart and added under the lock. */
static int
range_client_digest(struct range_run *rr, struct db_conn *c, int s, uint64_t part,
		    struct dberr *err)
{
	const struct level0 *L = rr->L;
	struct vf_scope sc = range_scope(rr, s, part);
	const struct vf_plan *p = &rr->job->plan;
	struct client_digest cd = { L, p, L->g[s], 0, 0 };
	int ret;

	if (rr->chunks)
		return 0;
	if (rr->pages[s])
		cd.g = xcalloc(L->nb, sizeof(*cd.g));
	ret = vread(rr->ctx->src[s], c, rr->job->t[s], p, s, &sc, 1, VREAD_NO_BUCKET,
		    client_digest_row, &cd, err);
	pthread_mutex_lock(&rr->mu);
	rr->tot[s][part].rows = cd.rows;
	rr->tot[s][part].sum = cd.sum;
	for (uint64_t j = 0; rr->pages[s] && ret == 0 && j < L->nb; j++) {
		L->g[s][j].rows += cd.g[j].rows;
		L->g[s][j].sum += cd.g[j].sum;
	}
	pthread_mutex_unlock(&rr->mu);
	if (rr->pages[s])
		free(cd.g);
	return ret;
}

/* One side of one range: its total, or its chunks' sums into L->g. */
static int
range_side_digest(struct range_run *rr, struct db_conn *c, int s, uint64_t part,
		  struct dberr *err)
{
	const struct level0 *L = rr->L;
	const struct db_driver *drv = rr->ctx->src[s]->drv;
	struct table *tab = rr->job->t[s];
	const struct vf_plan *p = &rr->job->plan;
	uint64_t j0 = part * rr->per, n = L->nb - j0 < rr->per ? L->nb - j0 : rr->per;
	struct vf_scope sc = range_scope(rr, s, part);
	const char *name = rr->job->res->name[s];

	if (!rr->server[s])
		return range_client_digest(rr, c, s, part, err);
	if (!rr->chunks) {
		/* one group; two only where the keys span all of int64 */
		struct gsum two[2] = { { 0, 0 }, { 0, 0 } };
		struct group_sink gs = { two, 2, 0, 0, name };

		if (vsql_digest(drv, c, tab, p, s, &sc, UINT64_MAX, group_store, &gs, err) < 0)
			return -1;
		pthread_mutex_lock(&rr->mu);
		rr->tot[s][part].rows = two[0].rows + two[1].rows;
		rr->tot[s][part].sum = two[0].sum + two[1].sum;
		pthread_mutex_unlock(&rr->mu);
		return 0;
	}
	/* a query a chunk only for the large chunks of a pair both servers
	 * digest: the small ones facing dbmig's side would be thousands */
	if (rr->pages[s] || n == 1 || !drv->verify->dialect->chunk_queries ||
	    !rr->server[0] || !rr->server[1]) {
		struct group_sink gs = { L->g[s], L->nb, 0, 0, name, NULL, 0,
					 rr->pages[s] ? 0 : j0, &rr->mu };

		return vsql_digest(drv, c, tab, p, s, &sc, L->width, group_store, &gs, err);
	}
	for (uint64_t k = 0; k < n; k++) {	/* a query a chunk: no GROUP BY */
		struct vf_scope ck = chunk_scope(L, j0 + k);
		struct group_sink gs = { L->g[s], L->nb, 0, 0, name, NULL, 0, j0 + k, &rr->mu };

		if (vsql_digest(drv, c, tab, p, s, &ck, L->width, group_store, &gs, err) < 0)
			return -1;
	}
	return 0;
}

/* A range both sides have the total of moves the progress. */
static void
range_done(struct range_run *rr, uint64_t part)
{
	uint64_t rows;
	char name[96];

	pthread_mutex_lock(&rr->mu);
	if (++rr->sides_done[part] == 2) {
		rows = rr->tot[0][part].rows > rr->tot[1][part].rows ? rr->tot[0][part].rows
		       : rr->tot[1][part].rows;
		snprintf(name, sizeof(name), "range %" PRIu64 " of %" PRIu64, part + 1,
			 rr->nparts);
		progress_chunk_done(rr->ctx->prog, rr->job->ti, name, rows, 0);
		progress_rows(rr->ctx->prog, rr->job->ti, rows, 0);
		rr->job->rows_reported += rows;
	}
	pthread_mutex_unlock(&rr->mu);
}

struct range_side {
	struct range_run *rr;
	struct db_conn *c;
	int s;
	pthread_t th;
	int threaded;
};

static void *
range_side_run(void *arg)
{
	struct range_side *rs = arg;
	struct range_run *rr = rs->rr;
	struct dberr err = DBERR_INIT;

	for (;;) {
		uint64_t part;

		pthread_mutex_lock(&rr->mu);
		if (rr->failed || rr->next[rs->s] >= rr->ntodo) {
			pthread_mutex_unlock(&rr->mu);
			return NULL;
		}
		part = rr->todo[rr->next[rs->s]++];
		pthread_mutex_unlock(&rr->mu);
		if (range_side_digest(rr, rs->c, rs->s, part, &err) < 0)
			break;
		if (!rr->chunks)
			range_done(rr, part);
	}
	pthread_mutex_lock(&rr->mu);
	if (!rr->failed)
		rr->err = err;
	rr->failed = 1;
	pthread_mutex_unlock(&rr->mu);
	return NULL;
}

/* One pass over rr->todo: every side of every pair on a thread (the
 * first here). */
static int
range_pass(struct range_run *rr, struct vworker **pairs, int npairs, struct dberr *err)
{
	struct range_side *rs = xcalloc(2 * (size_t)npairs, sizeof(*rs));

	rr->next[0] = rr->next[1] = 0;
	for (int i = 0; i < 2 * npairs; i++) {
		rs[i].rr = rr;
		rs[i].s = i % 2;
		rs[i].c = pairs[i / 2]->c[i % 2];
	}
	for (int i = 1; i < 2 * npairs; i++)
		rs[i].threaded = pthread_create(&rs[i].th, NULL, range_side_run, &rs[i]) == 0;
	range_side_run(&rs[0]);
	for (int i = 1; i < 2 * npairs; i++) {
		if (rs[i].threaded)
			pthread_join(rs[i].th, NULL);
		else
			range_side_run(&rs[i]);
	}
	free(rs);
	if (rr->failed) {
		*err = rr->err;
		return -1;
	}
	return 0;
}

/* Sums chunks from..to-1 of side s into chunk from: where the other
 * side has only the total, this side's chunk sums (read by dbmig) go
 * the same way. */
static void
chunks_fold(struct range_run *rr, int s, uint64_t from, uint64_t to, struct gsum total)
{
	struct gsum *g = rr->L->g[s];

	for (uint64_t j = from; j < to && j < rr->L->nb; j++)
		g[j].rows = g[j].sum = 0;
	g[from] = total;
}

/* The ranges whose chunks must be digested: those whose totals differ,
 * or, where a side is read by pages (its ranges are not the other's),
 * all of them when the table's totals differ. The totals of the others
 * go into a first chunk (the range's, or the table's where read by
 * pages), where they are equal on both sides, so that the rows add up.
 * A side dbmig read has its chunk sums already. */
static void
ranges_to_split(struct range_run *rr)
{
	const struct level0 *L = rr->L;
	struct gsum all[2] = { { 0, 0 }, { 0, 0 } };
	int paged = 0;

	for (int s = 0; s < 2; s++) {
		if (rr->server[s]) {
			paged |= rr->pages[s] != 0;
			continue;
		}
		/* read by pages, but its chunk sums give its key ranges' */
		for (uint64_t k = 0; rr->pages[s] && k < rr->nparts; k++) {
			struct gsum t = { 0, 0 };

			for (uint64_t j = k * rr->per; j < (k + 1) * rr->per && j < L->nb; j++) {
				t.rows += L->g[s][j].rows;
				t.sum += L->g[s][j].sum;
			}
			rr->tot[s][k] = t;
		}
	}
	for (uint64_t k = 0; k < rr->nparts; k++)
		for (int s = 0; s < 2; s++) {
			all[s].rows += rr->tot[s][k].rows;
			all[s].sum += rr->tot[s][k].sum;
		}
	rr->ntodo = 0;
	if (paged) {
		if (all[0].rows == all[1].rows && all[0].sum == all[1].sum)
			for (int s = 0; s < 2; s++)
				chunks_fold(rr, s, 0, L->nb, all[s]);
		else
			for (uint64_t k = 0; k < rr->nparts; k++)
				rr->todo[rr->ntodo++] = k;
		return;
	}
	for (uint64_t k = 0; k < rr->nparts; k++) {
		if (rr->tot[0][k].rows != rr->tot[1][k].rows ||
		    rr->tot[0][k].sum != rr->tot[1][k].sum) {
			rr->todo[rr->ntodo++] = k;
			continue;
		}
		for (int s = 0; s < 2; s++)
			chunks_fold(rr, s, k * rr->per, (k + 1) * rr->per, rr->tot[s][k]);
	}
}

static int
pair_table_begin(struct vctx *ctx, struct vworker *w, struct dberr *err)
{
	for (int s = 0; s < 2; s++) {
		const struct db_driver *drv = ctx->src[s]->drv;

		if (!ctx->src[s]->is_dump && drv->verify->table_begin &&
		    drv->verify->table_begin(w->c[s], err) < 0)
			return -1;
	}
	return 0;
}

static int
pair_table_end(struct vctx *ctx, struct vworker *w, int failed, struct dberr *err)
{
	int ret = 0;

	for (int s = 0; s < 2; s++) {
		const struct db_driver *drv = ctx->src[s]->drv;
		struct dberr later = DBERR_INIT;	/* the first error says more */

		if (!ctx->src[s]->is_dump && drv->verify->table_end &&
		    drv->verify->table_end(w->c[s], failed, ret < 0 ? &later : err) < 0)
			ret = -1;
	}
	return ret;
}

/* The first level of a table digested by key range on two servers (a
 * side in its server, or read by dbmig): in ranges, on w and on the
 * pool's idle pairs at once. */
static int
first_level_ranges(struct vctx *ctx, struct vworker *w, struct vjob *job,
		   const struct level0 *L, const int server[2], struct dberr *err)
{
	struct range_run rr;
	struct vworker **pairs;
	int npairs = 1, ret = 0;
	uint64_t parts = L->nb / RANGE_CHUNKS;

	memset(&rr, 0, sizeof(rr));
	rr.ctx = ctx;
	rr.job = job;
	rr.L = L;
	if (parts > RANGE_PARTS)
		parts = RANGE_PARTS;
	if (parts < 1)
		parts = 1;
	rr.per = (L->nb + parts - 1) / parts;
	rr.nparts = (L->nb + rr.per - 1) / rr.per;
	rr.err.cls = DBERR_NONE;
	rr.server[0] = server[0];
	rr.server[1] = server[1];
	for (int s = 0; s < 2 && rr.nparts > 1; s++) {
		const struct vsql_dialect *d = ctx->src[s]->drv->verify->dialect;

		if (ctx->src[s]->by_pages &&
		    vsql_pages(ctx->src[s]->drv, w->c[s], job->t[s], &rr.pages[s], err) < 0)
			return -1;
		if (rr.pages[s] < rr.nparts || !d->pages_where)
			rr.pages[s] = 0;
	}
	pthread_mutex_init(&rr.mu, NULL);
	rr.todo = xcalloc(rr.nparts, sizeof(*rr.todo));
	rr.sides_done = xcalloc(rr.nparts, 1);
	for (int s = 0; s < 2; s++)
		rr.tot[s] = xcalloc(rr.nparts, sizeof(struct gsum));
	pairs = xcalloc((size_t)ctx->pool.n + 1, sizeof(*pairs));
	pairs[0] = w;
	while (rr.nparts > 1 && (uint64_t)npairs < rr.nparts && npairs < ctx->pool.n) {
		struct vworker *extra = pool_take(&ctx->pool, 0);
		struct dberr berr = DBERR_INIT;

		if (!extra)
			break;
		if (pair_table_begin(ctx, extra, &berr) < 0) {
			pool_give(&ctx->pool, extra);
			break;
		}
		pairs[npairs++] = extra;
	}
	job->res->ranges = (int)rr.nparts;
	for (uint64_t k = 0; k < rr.nparts; k++)
		rr.todo[k] = k;
	rr.ntodo = rr.nparts;
	ret = range_pass(&rr, pairs, npairs, err);
	if (ret == 0) {
		ranges_to_split(&rr);
		rr.chunks = 1;
		if (rr.ntodo)
			ret = range_pass(&rr, pairs, npairs, err);
	}
	for (int i = 1; i < npairs; i++) {
		struct dberr eerr = DBERR_INIT;

		if (pair_table_end(ctx, pairs[i], ret < 0, &eerr) < 0 && ret == 0) {
			*err = eerr;
			ret = -1;
		}
		pool_give(&ctx->pool, pairs[i]);
	}
	pthread_mutex_destroy(&rr.mu);
	for (int s = 0; s < 2; s++)
		free(rr.tot[s]);
	free(rr.sides_done);
	free(rr.todo);
	free(pairs);
	return ret;
}

static int
compare_checksum(struct vctx *ctx, struct vworker *w, struct vjob *job, int server[2],
		 struct dberr *err)
{
	struct verify_table *res = job->res;
	struct vf_plan *p = &job->plan;
	struct vf_stats st[2];
	struct level0 L;
	struct leafset leaves = { 0 };
	struct row_list rows[2] = { { 0 }, { 0 } };
	struct pending *diff = NULL;
	unsigned char *want = NULL;
	struct side_task t[2];
	struct vf_scope all[2] = { { 0 }, { 0 } };
	struct collect co[2];
	size_t ndiff = 0;
	uint64_t maxrows, chunk_rows, cap = ctx->o->max_diffs ? ctx->o->max_diffs : 1;
	int ret = -1, more = 0, ranged, by_scope;

	memset(&L, 0, sizeof(L));
	memset(st, 0, sizeof(st));
	for (int s = 0; s < 2; s++) {
		const struct table *tab = job->t[s];
		/* the server's estimate sizes the chunks: a count would scan
		 * the table once more than the digests do */
		int count = tab->est_rows <= 0;

		if (ctx->src[s]->is_dump) {
			st[s].rows = tab->rows;
			continue;
		}
		if ((p->range || count) &&
		    vsql_stats(ctx->src[s]->drv, w->c[s], tab, p, s, count, &st[s], err) < 0)
			goto out;
		if (!count)
			st[s].rows = p->range && !st[s].has_range ? 0 : (uint64_t)tab->est_rows;
	}
	maxrows = st[0].rows > st[1].rows ? st[0].rows : st[1].rows;
	chunk_rows = server[0] && server[1] ? ctx->o->chunk_rows : CLIENT_CHUNK;
	if (chunk_rows > ctx->o->chunk_rows)
		chunk_rows = ctx->o->chunk_rows;
	L.nb = maxrows / chunk_rows + 1;
	if (L.nb > MAX_CHUNKS)	/* memory stays bounded; chunks grow instead */
		L.nb = MAX_CHUNKS;
	L.range = p->range && (st[0].has_range || !st[0].rows) && (st[1].has_range || !st[1].rows) &&
		  (st[0].rows || st[1].rows);
	if (L.range) {
		L.lo = !st[0].rows ? st[1].kmin : !st[1].rows ? st[0].kmin
		       : st[0].kmin < st[1].kmin ? st[0].kmin : st[1].kmin;
		L.hi = !st[0].rows ? st[1].kmax : !st[1].rows ? st[0].kmax
		       : st[0].kmax > st[1].kmax ? st[0].kmax : st[1].kmax;
		L.width = ((uint64_t)L.hi - (uint64_t)L.lo) / L.nb + 1;
		L.nb = ((uint64_t)L.hi - (uint64_t)L.lo) / L.width + 1;
	}
	/* by key range wherever both sides are servers: a side dbmig
	 * digests reads its ranges as the other side's server digests them */
	ranged = L.range && !ctx->src[0]->is_dump && !ctx->src[1]->is_dump;
	res->chunks = L.nb;
	res->ranges = 1;
	task_init(t, ctx, w, job, OP_DIGEST);
	for (int s = 0; s < 2; s++) {
		struct group_sink gs = { NULL, L.nb, 0, 0, res->name[s] };

		gs.g = L.g[s] = xcalloc(L.nb, sizeof(struct gsum));
		all[s].kind = L.range ? VF_RANGE : VF_HASH;
		all[s].lo = L.lo;
		all[s].hi = L.hi;
		all[s].mod = 1;
		t[s].server = server[s];
		t[s].L = &L;
		t[s].sc = &all[s];
		t[s].group = L.range ? L.width : L.nb;
		t[s].gs = gs;
	}
	if (ranged ? first_level_ranges(ctx, w, job, &L, server, err) < 0
	    : both_sides(t, err) < 0)
		goto out;
	for (int s = 0; s < 2; s++) {
		res->rows[s] = t[s].rows;
		for (uint64_t j = 0; (server[s] || ranged) && j < L.nb; j++)
			res->rows[s] += L.g[s][j].rows;
	}
	diff = xcalloc(L.nb, sizeof(*diff));
	for (uint64_t j = 0; j < L.nb; j++) {
		if (L.g[0][j].rows == L.g[1][j].rows && L.g[0][j].sum == L.g[1][j].sum)
			continue;
		res->chunks_differing++;
		if (counts_too_different(L.g[0][j].rows, L.g[1][j].rows)) {
			struct vf_scope sc = chunk_scope(&L, j);

			count_diff_add(ctx, job, &sc, L.g[0][j].rows, L.g[1][j].rows);
			continue;
		}
		diff[ndiff].sc = chunk_scope(&L, j);
		diff[ndiff].maxrows = L.g[0][j].rows > L.g[1][j].rows ? L.g[0][j].rows
					: L.g[1][j].rows;
		ndiff++;
	}
	if (!ndiff) {
		ret = 0;
		goto out;
	}
	if (server[0] && server[1]) {
		if ((more = bisect(ctx, w, job, diff, ndiff, cap, &leaves, err)) < 0)
			goto out;
	} else {
		for (size_t i = 0; i < ndiff && i < cap; i++)
			leaf_add(&leaves, &diff[i].sc);
		more = ndiff > cap;
	}
	/* Fetch the leaves' rows from both sides: exactly those rows where
	 * the chunks were digested by key range on both servers, or else
	 * each side read again and filtered by first-level chunk. */
	by_scope = ranged || (server[0] && server[1]);
	want = xcalloc(L.nb, 1);
	for (size_t i = 0; i < leaves.n && !by_scope; i++) {
		uint64_t j = L.range ? ((uint64_t)leaves.v[i].lo - (uint64_t)L.lo) / L.width
			     : leaves.v[i].res;

		want[j] = 1;
	}
	task_init(t, ctx, w, job, OP_FETCH);
	for (int s = 0; s < 2; s++) {
		struct collect c = { &L, p, by_scope ? NULL : want, &rows[s] };

		co[s] = c;
		t[s].co = &co[s];
		t[s].scopes = by_scope ? leaves.v : NULL;
		t[s].nscopes = by_scope ? (int)leaves.n : 0;
	}
	if (leaves.n && both_sides(t, err) < 0)
		goto out;
	compare_lists(res, p, &rows[0], &rows[1], ctx->o->max_diffs);
	if (more)
		res->truncated = 1;
	if (leaves.n && !res->missing && !res->extra && !res->changed) {
		/* the engine's hash sees the stored text, which may differ
		 * where the values compare equal (-0 and 0); the common
		 * rendering's digest differing is a rendering's fault */
		if (p->digest == VD_NATIVE)
			res->stored_apart = 1;
		else
			res->digest_mismatch = 1;
	}
	ret = 0;
out:
	for (int s = 0; s < 2; s++) {
		free(L.g[s]);
		row_list_release(&rows[s], p->ncols);
	}
	free(diff);
	free(want);
	free(leaves.v);
	return ret;
}

/* ---- the golden check: SQL renderings against the client's ---- */

/* Every SQL rendering of a table, back to back; off[i] is where value i
 * starts (SIZE_MAX for NULL), len[i] its length: values may hold NULs. */
struct sql_rows {
	struct strbuf buf;
	size_t *off, *len;
	size_t n, alloc;
	int ncols;
};

static int
keep_sql_row(void *arg, const char *const *vals, const size_t *lens, struct dberr *err)
{
	struct sql_rows *sr = arg;

	(void)err;
	for (int i = 0; i < sr->ncols; i++) {
		if (sr->n == sr->alloc) {
			sr->alloc = sr->alloc ? 2 * sr->alloc : 256;
			sr->off = xrealloc(sr->off, sr->alloc * sizeof(*sr->off));
			sr->len = xrealloc(sr->len, sr->alloc * sizeof(*sr->len));
		}
		sr->off[sr->n] = vals[i] ? sr->buf.len : SIZE_MAX;
		sr->len[sr->n] = vals[i] ? lens[i] : 0;
		if (vals[i])
			strbuf_add(&sr->buf, vals[i], lens[i]);
		sr->n++;
	}
	return 0;
}

struct golden {
	struct sql_rows *sr;
	const struct vf_plan *p;
	struct verify_table *res;
	int s;
	size_t row;
	uint64_t max;
};

static int
golden_row(void *arg, const struct vrow *r, struct dberr *err)
{
	struct golden *g = arg;
	const struct vf_plan *p = g->p;
	struct saved_row sv;

	if ((g->row + 1) * (size_t)p->ncols > g->sr->n)
		return dberr_set(err, DBERR_INTERNAL, "table %s: more rows than the SQL rendering "
				 "returned", g->res->name[g->s]);
	saved_row_copy(&sv, r, p->ncols);
	for (int i = 0; i < p->ncols; i++) {
		size_t at = g->row * (size_t)p->ncols + (size_t)i;
		int sql_null = g->sr->off[at] == SIZE_MAX, client_null = r->off[i] == SIZE_MAX;
		const char *sql = g->sr->buf.buf + (sql_null ? 0 : g->sr->off[at]);
		int same;

		/* Kinds this engine cannot render come back NULL: skip. */
		if (sql_null && !client_null &&
		    (p->cols[i].kind == VK_JSON || p->cols[i].kind == VK_ARRAY ||
		     p->cols[i].kind == VK_ARRAY_JSON))
			continue;
		same = sql_null ? client_null
		       : !client_null && g->sr->len[at] == r->len[i] &&
			 !memcmp(sql, strbuf_cstr(&r->text) + r->off[i], r->len[i]);
		if (!same) {
			struct verify_diff *d;
			struct strbuf det = STRBUF_INIT;

			g->res->changed++;
			if ((uint64_t)g->res->ndiffs >= g->max) {
				g->res->truncated = 1;
				continue;
			}
			g->res->diffs = xrealloc(g->res->diffs, ((size_t)g->res->ndiffs + 1) *
						 sizeof(*g->res->diffs));
			d = &g->res->diffs[g->res->ndiffs++];
			memset(d, 0, sizeof(*d));
			d->kind = 'r';
			strbuf_addf(&det, "%s row %zu", g->s ? "target" : "source", g->row + 1);
			d->key = strbuf_detach(&det);
			d->columns = xstrdup(p->cols[i].name);
			strbuf_addf(&det, "%s (%s): sql ", p->cols[i].s[g->s].col->native_type ?
				    p->cols[i].s[g->s].col->native_type : "", vform_kind_name(p->cols[i].kind));
			if (sql_null)
				strbuf_addstr(&det, "NULL");
			else
				vform_display(p->cols[i].kind, sql, g->sr->len[at], &det);
			strbuf_addstr(&det, ", dbmig ");
			if (client_null)
				strbuf_addstr(&det, "NULL");
			else
				vform_display(p->cols[i].kind, strbuf_cstr(&r->text) + r->off[i],
					      r->len[i], &det);
			d->detail = strbuf_detach(&det);
		}
	}
	saved_row_release(&sv);
	g->row++;
	return 0;
}

static int
rendering_check(struct vctx *ctx, struct vworker *w, struct vjob *job, struct dberr *err)
{
	for (int s = 0; s < 2; s++) {
		struct sql_rows sr = { STRBUF_INIT, NULL, NULL, 0, 0, job->plan.ncols };
		struct golden g = { &sr, &job->plan, job->res, s, 0, ctx->o->max_diffs };
		int r;

		if (ctx->src[s]->is_dump)
			continue;
		r = vsql_render(ctx->src[s]->drv, w->c[s], job->t[s], &job->plan, s, keep_sql_row,
				&sr, err);
		if (r == 0)
			r = vread(ctx->src[s], w->c[s], job->t[s], &job->plan, s, NULL, 0, VREAD_ORDERED,
				  golden_row, &g, err);
		if (r == 0 && g.row * (size_t)job->plan.ncols != sr.n)
			r = dberr_set(err, DBERR_INTERNAL, "table %s: the SQL rendering returned "
				      "more rows", job->res->name[s]);
		job->res->rows[s] = g.row;
		strbuf_release(&sr.buf);
		free(sr.off);
		free(sr.len);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* ---- one table ---- */

/* What a table adds to the run's differences: its rows found different,
 * or 1 when only its digests or its counts tell it differs. */
static uint64_t
table_differences(const struct verify_table *vt)
{
	uint64_t d = vt->missing + vt->extra + vt->changed + vt->counted +
		     (uint64_t)vt->digest_mismatch;

	if (!d && vt->rows[0] != vt->rows[1] && !vt->error)
		d = 1;
	return d;
}

static int
same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The digest of a table's rows: --digest, else the engine's own where
 * both sides are servers of one engine and major version, each column
 * hashed as stored when the two sides' types are one, else rendered. */
/* A side that hashes with CRC32 and CRC32C in its server (MariaDB). */
static int
crc_side(const struct vsrc *x)
{
	return !x->is_dump && x->native_major[0] && x->drv->verify->dialect->crc64_hash;
}

/* Whether column i of side s is text MariaDB stores as latin1. */
static int
latin1_text(const struct vf_plan *p, int i, int s)
{
	const struct vcol *vc = &p->cols[i];
	const struct column *col = vc->s[s].col;

	return (vc->kind == VK_TEXT || vc->kind == VK_CHAR) && col->type.t != NT_BIT &&
	       col->collation && !strncmp(col->collation, "latin1_", 7);
}

static void
choose_digest(struct vctx *ctx, struct vjob *job)
{
	struct vf_plan *p = &job->plan;
	const struct vsrc *a = ctx->src[0], *b = ctx->src[1];
	const struct vsql_dialect *d;
	int native;

	p->digest = ctx->o->digest == VERIFY_DIGEST_SHA256 ? VD_SHA256 : VD_MD5;
	if (ctx->o->digest != VERIFY_DIGEST_AUTO || ctx->o->mode != VERIFY_CHECKSUM ||
	    ctx->o->rendering_check)
		return;
	if (a->is_dump || b->is_dump || a->drv != b->drv || !a->native_major[0] ||
	    strcmp(a->native_major, b->native_major))
		goto common;
	d = a->drv->verify->dialect;
	native = 1;
	for (int i = 0; i < p->ncols && native; i++) {
		struct vcol *vc = &p->cols[i];
		const struct column *x = vc->s[0].col, *y = vc->s[1].col;

		vc->native = x->type.t == y->type.t && same_text(x->native_type, y->native_type) &&
			     same_text(x->collation, y->collation) && d->native_exact(x);
		if (!vc->native) {
			struct strbuf e = STRBUF_INIT;

			native = d->render(p, i, 0, &e) == 0;
			strbuf_reset(&e);
			native &= d->render(p, i, 1, &e) == 0;
			strbuf_release(&e);
		}
	}
	if (native) {
		p->digest = VD_NATIVE;
		return;
	}
common:
	/* The common rendering: MD5 in both servers cost each side more
	 * than reading the rows, so where one side is MariaDB it hashes
	 * CRCs in its server and the other side is hashed here, its latin1
	 * text as MariaDB stores it (converting it cost MariaDB more than
	 * the hash). Key columns stay UTF-8: buckets are the MD5 of them. */
	if (!crc_side(a) && !crc_side(b))
		return;
	p->digest = VD_CRC;
	for (int i = 0; i < p->ncols; i++) {
		int in_key = !p->nkey;

		for (int k = 0; k < p->nkey; k++)
			in_key |= p->key[k] == i;
		p->cols[i].latin1 = !in_key && crc_side(a) != crc_side(b) &&
				    latin1_text(p, i, crc_side(a) ? 0 : 1);
	}
}

static const char *
digest_name(const struct vctx *ctx, const struct vf_plan *p)
{
	return p->digest == VD_NATIVE ? ctx->src[0]->drv->verify->dialect->native_name
	       : p->digest == VD_CRC ? "crc32+crc32c"
	       : p->digest == VD_SHA256 ? "sha256" : "md5";
}

static int
verify_table_job(void *state, size_t index, void *arg, struct dberr *err)
{
	struct vctx *ctx = arg;
	struct vjob *job = &ctx->jobs[index];
	struct verify_table *res = job->res;
	struct dberr terr = DBERR_INIT;
	struct vworker *w;
	double t0 = now_seconds();
	int server[2], r, ret = -1;
	uint64_t most;

	(void)state;
	w = pool_take(&ctx->pool, 1);
	progress_part_start(ctx->prog, job->ti);
	choose_digest(ctx, job);
	for (int s = 0; s < 2; s++) {
		const struct db_driver *drv = ctx->src[s]->drv;

		server[s] = ctx->o->mode == VERIFY_CHECKSUM && !ctx->src[s]->is_dump &&
			    (job->plan.digest == VD_NATIVE || vsql_sql_ok_drv(drv, &job->plan, s));
	}
	if (pair_table_begin(ctx, w, err) < 0)
		goto out;
	if (ctx->o->rendering_check) {
		res->method = "rendering check";
		r = rendering_check(ctx, w, job, &terr);
	} else if (ctx->o->mode == VERIFY_ROWS && job->plan.ordered &&
		   !ctx->src[0]->is_dump && !ctx->src[1]->is_dump) {
		res->method = "rows";
		r = compare_ordered(ctx->src, w->c, job->t, &job->plan, res,
				    ctx->o->max_diffs, &terr);
	} else {
		res->method = server[0] && server[1] ? "checksum"
			      : ctx->o->mode == VERIFY_ROWS ? "rows (chunk digests)"
			      : server[0] ? "checksum (target's digests by dbmig)"
			      : server[1] ? "checksum (source's digests by dbmig)"
			      : "checksum (client digests)";
		res->digest = digest_name(ctx, &job->plan);
		r = compare_checksum(ctx, w, job, server, &terr);
	}
	res->seconds = now_seconds() - t0;
	if (pair_table_end(ctx, w, r < 0, err) < 0) {
		if (r < 0)	/* the first error says more */
			*err = terr;
		goto out;
	}
	if (r < 0) {
		/* A lost connection or an interrupt ends the run; anything
		 * else is this table's failure, and the others go on. */
		if (terr.cls == DBERR_INTERRUPTED || !strncmp(terr.sqlstate, "08", 2) ||
		    terr.cls == DBERR_DUMP) {
			*err = terr;
			goto out;
		}
		res->error = xstrdup(terr.msg);
		res->error_cls = terr.cls;
	}
	most = res->rows[0] > res->rows[1] ? res->rows[0] : res->rows[1];
	if (most > job->rows_reported)
		progress_rows(ctx->prog, job->ti, most - job->rows_reported, 0);
	progress_part_done(ctx->prog, job->ti);
	log_info("%s: %s, %.1f s", res->name[0], res->error ? "failed" :
		 table_differences(res) ? "different" : "equal", res->seconds);
	ret = 0;
out:
	pool_give(&ctx->pool, w);
	return ret;
}

/* ---- the run ---- */

static int
by_name(const void *a, const void *b)
{
	const struct vjob *x = a, *y = b;

	return strcmp(x->res->name[0], y->res->name[0]);
}

/* The value a sequence has handed out last (none yet: one step before
 * its start). */
static int64_t
seq_used(const struct sequence *q)
{
	return q->is_called ? q->last_value : q->last_value - q->increment;
}

/* Sequences of the target behind the source's: after a tail, the rows
 * are in step but the sequences stay at the load's values, and the
 * application's first insert on the target would collide. */
static void
sequences_behind(struct vsrc *src, int by_name_only, struct verify_result *res)
{
	for (int i = 0; i < src[0].model.nseqs; i++) {
		const struct sequence *a = &src[0].model.seqs[i], *b = NULL;
		struct strbuf m = STRBUF_INIT;

		for (int k = 0; k < src[1].model.nseqs && !b; k++)
			if (!strcmp(src[1].model.seqs[k].name, a->name) &&
			    (by_name_only || !strcmp(src[1].model.seqs[k].schema, a->schema)))
				b = &src[1].model.seqs[k];
		if (!b || (a->increment >= 0 ? seq_used(b) >= seq_used(a)
						 : seq_used(b) <= seq_used(a)))
			continue;
		strbuf_addf(&m, "%s.%s: %" PRId64 " on the source, %" PRId64 " on the target",
			    a->schema, a->name, seq_used(a), seq_used(b));
		strlist_push(&res->seq_behind, m.buf);
		strbuf_reset(&m);
		strbuf_addf(&m, "SELECT setval('\"%s\".\"%s\"', %" PRId64 ");", b->schema, b->name,
			    seq_used(a));
		strlist_push(&res->seq_fix, m.buf);
		strbuf_release(&m);
	}
}

/* Two databases, the source's engine able to read at an exact position:
 * the pair may be live (a tail applying to the target). */
static int
live_possible(const struct verify_opts *o)
{
	struct dberr ignored = DBERR_INIT;
	const struct db_driver *d;

	if (is_dump_dir(o->side[0]) || is_dump_dir(o->side[1]) ||
	    !(d = driver_for_uri(o->side[0], DBERR_SOURCE, &ignored)))
		return 0;
	return d->cdc && d->cdc->snapshot_exact;
}

struct side_open_task {
	struct vsrc *src;
	const struct verify_opts *o;
	const struct schema_filter *filter;
	struct verify_side_info *info;
	int ret;
	struct dberr err;
};

static void *
side_open_run(void *arg)
{
	struct side_open_task *t = arg;

	t->ret = side_open(t->src, 1, t->o, t->filter, 0, t->info, &t->err);
	return NULL;
}

/* Both sides at once: connecting and reading a schema is mostly waiting
 * on a server, and each side's was a tenth of a short verify. */
static int
sides_open(struct vsrc src[2], const struct verify_opts *o,
	   const struct schema_filter *target_filter, struct verify_result *res,
	   struct dberr *err)
{
	struct side_open_task t = { &src[1], o, target_filter, &res->side[1], 0, DBERR_INIT };
	pthread_t th;
	int threaded = pthread_create(&th, NULL, side_open_run, &t) == 0, ret;

	ret = side_open(&src[0], 0, o, &o->filter, 0, &res->side[0], err);
	if (threaded)
		pthread_join(th, NULL);
	else
		side_open_run(&t);
	if (ret < 0)	/* the source's error first */
		return -1;
	if (t.ret < 0) {
		*err = t.err;
		return -1;
	}
	return 0;
}

int
verify_run(const struct verify_opts *o, struct verify_result *res, struct dberr *err)
{
	struct vsrc src[2];
	struct vsrc *sp[2] = { &src[0], &src[1] };
	struct vctx ctx = { NULL, o, { &src[0], &src[1] }, NULL, 0 };
	struct vworker *workers = NULL;
	void **states = NULL;
	struct schema_filter target_filter;
	struct verify_live live;
	int nworkers, npairs, pool_ready = 0, by_name_only, ret = -1;
	double t0 = now_seconds();

	memset(res, 0, sizeof(*res));
	memset(src, 0, sizeof(src));
	memset(&live, 0, sizeof(live));
	names_only_filter(&o->filter, &target_filter);
	if (live_possible(o) && verify_live_begin(&live, o->side[1], o->max_hold, err) < 0)
		goto out;
	if (live.active) {	/* the target's snapshot once its tail holds */
		if (side_open(&src[0], 0, o, &o->filter, 1, &res->side[0], err) < 0 ||
		    verify_live_hold_at(&live, &res->side[0].position, err) < 0 ||
		    side_open(&src[1], 1, o, &target_filter, 0, &res->side[1], err) < 0)
			goto out;
	} else if (sides_open(src, o, &target_filter, res, err) < 0) {
		goto out;
	}
	/* the target's snapshot is taken: its tail goes on */
	res->live = live.active;
	snprintf(res->live_dump_id, sizeof(res->live_dump_id), "%s", live.dump_id);
	snprintf(res->live_position, sizeof(res->live_position), "%s", live.position);
	if (live.no_tail)
		snprintf(res->stopped_tail_at, sizeof(res->stopped_tail_at), "%s",
			 live.state_position);
	res->tail_no_answer = live.no_answer;
	verify_live_end(&live);
	fold_dump_partitions(src);
	by_name_only = src[0].engine_drv != src[1].engine_drv ||
		       (caps_of(&src[0]) & DB_CAP_DATABASE_IS_SCHEMA);
	if (!by_name_only)
		filter_dump_tables(&src[1].model, &o->filter);
	ctx.jobs = xcalloc((size_t)src[0].model.ntables + 1, sizeof(*ctx.jobs));
	res->tables = xcalloc((size_t)src[0].model.ntables + 1, sizeof(*res->tables));
	for (int i = 0; i < src[0].model.ntables; i++) {
		struct table *a = &src[0].model.tables[i], *b;
		struct verify_table *vt;
		struct strbuf qn = STRBUF_INIT;

		if (internal_table(&src[0], a) || partition_skipped(src, a))
			continue;
		table_qualname(a, &qn);
		if (!(b = find_pair(&src[1], a, by_name_only))) {
			strlist_push(&res->only[0], qn.buf);
			strbuf_release(&qn);
			continue;
		}
		vt = &res->tables[res->ntables++];
		vt->name[0] = strbuf_detach(&qn);
		table_qualname(b, &qn);
		vt->name[1] = strbuf_detach(&qn);
		ctx.jobs[ctx.njobs].t[0] = a;
		ctx.jobs[ctx.njobs].t[1] = b;
		ctx.jobs[ctx.njobs].res = vt;
		build_plan(sp, ctx.jobs[ctx.njobs].t, &ctx.jobs[ctx.njobs].plan, vt, res);
		ctx.njobs++;
	}
	for (int i = 0; i < src[1].model.ntables; i++) {
		struct table *b = &src[1].model.tables[i];
		int paired = 0;

		for (int k = 0; k < ctx.njobs && !paired; k++)
			paired = ctx.jobs[k].t[1] == b;
		if (!paired && !internal_table(&src[1], b) && !partition_skipped(src, b)) {
			struct strbuf qn = STRBUF_INIT;

			table_qualname(b, &qn);
			strlist_push(&res->only[1], qn.buf);
			strbuf_release(&qn);
		}
	}
	qsort(ctx.jobs, (size_t)ctx.njobs, sizeof(*ctx.jobs), by_name);
	/* by tables and rows: the source's count (a dump's exact, a
	 * database's estimate), the larger side's once compared */
	ctx.prog = progress_new((enum progress_mode)o->progress, "verify");
	progress_no_summary(ctx.prog);
	if (!src[0].is_dump)
		progress_estimated(ctx.prog);
	for (int i = 0; i < ctx.njobs; i++) {
		const struct table *a = ctx.jobs[i].t[0];
		int64_t est = src[0].is_dump ? (int64_t)a->rows : a->est_rows;

		ctx.jobs[i].ti = progress_add_table(ctx.prog, ctx.jobs[i].res->name[0],
						    est > 0 ? (uint64_t)est : 0, 0, 1);
	}
	progress_begin(ctx.prog);
	/* every pair of connections is in the pool; as many tables at once
	 * as there are pairs, the pairs they leave idle serve key ranges */
	npairs = o->jobs;
	for (int s = 0; s < 2; s++)
		if (!src[s].is_dump && src[s].nconns < npairs)
			npairs = src[s].nconns;
	nworkers = npairs > ctx.njobs ? (ctx.njobs ? ctx.njobs : 1) : npairs;
	workers = xcalloc((size_t)npairs, sizeof(*workers));
	states = xcalloc((size_t)nworkers, sizeof(*states));
	for (int i = 0; i < npairs; i++)
		for (int s = 0; s < 2; s++)
			workers[i].c[s] = src[s].is_dump ? NULL : src[s].conns[i];
	ctx.pool.pairs = workers;
	ctx.pool.n = npairs;
	ctx.pool.busy = xcalloc((size_t)npairs, 1);
	pthread_mutex_init(&ctx.pool.mu, NULL);
	pthread_cond_init(&ctx.pool.cv, NULL);
	pool_ready = 1;
	if (ctx.njobs && workpool_run(nworkers, states, (size_t)ctx.njobs, verify_table_job,
				      &ctx, err) < 0)
		goto out;
	sequences_behind(src, by_name_only, res);
	res->differences = res->only[0].n + res->only[1].n + res->column_diffs.n;
	for (int i = 0; i < res->ntables; i++) {
		struct verify_table *vt = &res->tables[i];
		uint64_t d = table_differences(vt);

		res->differences += d;
		if (d || vt->error)
			res->tables_differing++;
		res->uncompared += vt->uncompared;
		res->tables_uncompared += vt->uncompared > 0;
	}
	if (res->live) {
		int failed = 0;

		for (int i = 0; i < res->ntables; i++)
			failed |= res->tables[i].error != NULL;
		verify_live_record(o->side[1], res->live_dump_id, res->live_position,
				   failed ? "failed" : res->differences ? "different"
				   : res->uncompared ? "incomplete" : "equal", res->differences);
	}
	ret = 0;
out:
	for (int i = 0; i < ctx.njobs; i++) {
		free(ctx.jobs[i].plan.cols);
		strlist_release(&ctx.jobs[i].plan.notes);
	}
	free(ctx.jobs);
	free(workers);
	free(states);
	free(ctx.pool.busy);
	if (pool_ready) {
		pthread_mutex_destroy(&ctx.pool.mu);
		pthread_cond_destroy(&ctx.pool.cv);
	}
	progress_end(ctx.prog, ret == 0);
	verify_live_end(&live);
	for (int s = 0; s < 2; s++)
		side_close(&src[s]);
	filter_release(&target_filter);
	res->seconds = now_seconds() - t0;
	return ret;
}

void
verify_result_release(struct verify_result *res)
{
	for (int i = 0; i < res->ntables; i++) {
		struct verify_table *vt = &res->tables[i];

		free(vt->name[0]);
		free(vt->name[1]);
		free(vt->error);
		strlist_release(&vt->notes);
		for (int k = 0; k < vt->ndiffs; k++) {
			free(vt->diffs[k].key);
			free(vt->diffs[k].key_json);
			free(vt->diffs[k].columns);
			free(vt->diffs[k].detail);
		}
		free(vt->diffs);
	}
	free(res->tables);
	for (int s = 0; s < 2; s++)
		strlist_release(&res->only[s]);
	strlist_release(&res->column_diffs);
	strlist_release(&res->seq_behind);
	strlist_release(&res->seq_fix);
	memset(res, 0, sizeof(*res));
}
