/*
 * vsql_run.c - verify's queries run on any engine: vsql.c builds them in
 * the driver's dialect, the driver's query_text runs them, and the rows
 * are read here once (they were read twice, with PQgetvalue and with
 * mysql_fetch_row, before the driver had query_text).
 */
#include "verify_ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

int
vsql_sql_ok_drv(const struct db_driver *drv, const struct vf_plan *p, int side)
{
	return vsql_sql_ok(drv->verify->dialect, p, side);
}

static int
parse_i64(const char *s, int64_t *out)
{
	char *end;

	if (!s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end || end == s ? -1 : 0;
}

struct stats_arg {
	const struct vf_plan *p;
	struct vf_stats *st;
};

static int
stats_row(void *arg, int ncols, const char *const *v, const size_t *lens,
	  struct dberr *err)
{
	struct stats_arg *a = arg;

	(void)lens;
	(void)err;
	a->st->rows = v[0] ? strtoull(v[0], NULL, 10) : 0;
	a->st->has_range = a->p->range && ncols >= 3 && parse_i64(v[1], &a->st->kmin) == 0 &&
			   parse_i64(v[2], &a->st->kmax) == 0;
	return 0;
}

int
vsql_stats(const struct db_driver *drv, struct db_conn *c, const struct table *t,
	   const struct vf_plan *p, int side, int count, struct vf_stats *st,
	   struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	struct stats_arg a = { p, st };
	int ret;

	memset(st, 0, sizeof(*st));
	vsql_stats_query(drv->verify->dialect, t, p, side, count, &q);
	ret = drv->query_text(c, q.buf, stats_row, &a, err);
	strbuf_release(&q);
	return ret;
}

static int
pages_row(void *arg, int ncols, const char *const *v, const size_t *lens,
	  struct dberr *err)
{
	(void)lens;
	(void)err;
	*(uint64_t *)arg = ncols && v[0] ? strtoull(v[0], NULL, 10) : 0;
	return 0;
}

int
vsql_pages(const struct db_driver *drv, struct db_conn *c, const struct table *t,
	   uint64_t *pages, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	*pages = 0;
	drv->verify->dialect->pages_query(&q, t);
	ret = drv->query_text(c, q.buf, pages_row, pages, err);
	strbuf_release(&q);
	return ret;
}

static int
no_row(void *arg, int ncols, const char *const *v, const size_t *lens, struct dberr *err)
{
	(void)arg;
	(void)ncols;
	(void)v;
	(void)lens;
	(void)err;
	return 0;
}

int
vsql_session_setup(const struct db_driver *drv, struct db_conn *c, struct dberr *err)
{
	const char *sql = drv->verify->dialect->session_setup;

	return sql ? drv->query_text(c, sql, no_row, NULL, err) : 0;
}

struct digest_arg {
	const struct table *t;
	enum dberr_class cls;
	vf_group_fn fn;
	void *arg;
};

static int
digest_row(void *arg, int ncols, const char *const *v, const size_t *lens,
	   struct dberr *err)
{
	struct digest_arg *a = arg;

	(void)lens;
	if (ncols >= 3 && v[1] && !strcmp(v[1], "0"))
		return 0;	/* an empty range: no sum */
	if (ncols < 3 || !v[0] || !v[2])
		return dberr_set(err, a->cls, "table %s.%s: a row's rendering is NULL "
				 "(a value longer than max_allowed_packet?)", a->t->schema,
				 a->t->name);
	return a->fn(a->arg, strtoull(v[0], NULL, 10), v[1] ? strtoull(v[1], NULL, 10) : 0,
		     vform_sum_mod64(v[2]), err);
}

int
vsql_digest(const struct db_driver *drv, struct db_conn *c, const struct table *t,
	    const struct vf_plan *p, int side, const struct vf_scope *scope,
	    uint64_t group, vf_group_fn fn, void *arg, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	struct digest_arg a = { t, side ? DBERR_TARGET : DBERR_SOURCE, fn, arg };
	const struct vsql_dialect *d = drv->verify->dialect;
	int ret;

	vsql_digest_query(d, t, p, side, scope, group, &q);
	ret = drv->query_text(c, q.buf, digest_row, &a, err);
	strbuf_release(&q);
	return ret;
}

int
vsql_read(const struct db_driver *drv, struct db_conn *c, struct table *t,
	  const struct vf_plan *p, int side, const struct vf_scope *scopes, int nscopes,
	  int ordered, row_sink_fn sink, void *arg, struct dberr *err)
{
	struct strbuf tail = STRBUF_INIT;
	int ret;

	vsql_read_tail(drv->verify->dialect, p, side, scopes, nscopes, ordered, &tail);
	ret = drv->verify->read(c, t, strbuf_cstr(&tail), sink, arg, err);
	strbuf_release(&tail);
	return ret;
}

struct render_arg {
	int ncols;
	vf_text_row_fn fn;
	void *arg;
};

static int
render_row(void *arg, int ncols, const char *const *v, const size_t *lens,
	   struct dberr *err)
{
	struct render_arg *a = arg;

	if (ncols < a->ncols)
		return dberr_set(err, DBERR_INTERNAL, "BUG: %d renderings for %d columns",
				 ncols, a->ncols);
	return a->fn(a->arg, v, lens, err);
}

int
vsql_render(const struct db_driver *drv, struct db_conn *c, const struct table *t,
	    const struct vf_plan *p, int side, vf_text_row_fn fn, void *arg,
	    struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	struct render_arg a = { p->ncols, fn, arg };
	int ret;

	vsql_render_query(drv->verify->dialect, t, p, side, &q);
	ret = drv->query_text(c, q.buf, render_row, &a, err);
	strbuf_release(&q);
	return ret;
}
