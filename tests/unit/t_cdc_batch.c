/*
 * t_cdc_batch.c - a batch's changes given back net (lib/cdc/batch.c):
 * each row's changes folded into one, unchanged TOAST values taken from
 * the image before, tables grouped, and changes that must keep their
 * place (a key change, a TRUNCATE, a table without a key) kept there.
 */
#include "tinytest.h"

#include <stdlib.h>
#include <string.h>

#include "ddl_fixture.h"
#include "lib/cdc/batch.h"

/* Rows are (id, v, big) in t and (x) in the keyless k; an image is
 * written "1,a,B" with "-" for NULL and "~" for not sent. */
static struct value img[64][3];
static unsigned char unch[64][3];
static int nimg;

static struct value *
row(const char *text, unsigned char **unchanged)
{
	struct value *v = img[nimg];
	unsigned char *u = unch[nimg++];
	char *copy = strdup(text), *save = NULL;
	int i = 0;

	*unchanged = NULL;
	for (char *f = strtok_r(copy, ",", &save); f && i < 3; f = strtok_r(NULL, ",", &save), i++) {
		u[i] = !strcmp(f, "~");
		v[i].isnull = !strcmp(f, "-") || u[i];
		v[i].p = (const unsigned char *)(v[i].isnull ? "" : strdup(f));
		v[i].len = v[i].isnull ? 0 : strlen(f);
		if (u[i])
			*unchanged = u;
	}
	free(copy);
	return v;
}

static void
add(struct cdc_batch *b, struct table *t, enum cdc_kind kind, const char *before,
    const char *after)
{
	struct cdc_event ev;
	unsigned char *u;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.table = t;
	ev.xid = 1;
	if (before) {
		ev.before = row(before, &u);
		ev.before_is_key = 1;
	}
	if (after) {
		ev.after = row(after, &u);
		ev.unchanged = u;
	}
	cdc_batch_add(b, &ev);
}

static void
image(struct strbuf *out, const struct cdc_event *ev, const struct value *v)
{
	int n = ev->table && !strcmp(ev->table->name, "k") ? 1 : 3;

	for (int i = 0; i < n; i++)
		strbuf_addf(out, "%s%.*s", i ? "," : "",
			    ev->unchanged && v == ev->after && ev->unchanged[i] ? 1 : v[i].isnull ? 1
			    : (int)v[i].len, ev->unchanged && v == ev->after && ev->unchanged[i]
			    ? "~" : v[i].isnull ? "-" : (const char *)v[i].p);
}

static int
collect(void *arg, const struct cdc_event *ev, struct dberr *err)
{
	struct strbuf *out = arg;

	(void)err;
	if (out->len)
		strbuf_addch(out, ' ');
	if (ev->kind == CDC_TRUNCATE) {
		strbuf_addstr(out, "T");
		return 0;
	}
	strbuf_addf(out, "%s%c(", ev->table->name, "?BCIUDT"[ev->kind]);
	if (ev->before)
		image(out, ev, ev->before);
	strbuf_addch(out, '|');
	if (ev->after)
		image(out, ev, ev->after);
	strbuf_addch(out, ')');
	return 0;
}

static void
test_cdc_batch__net(void)
{
	struct schema_model m;
	struct table *t, *k;
	struct cdc_batch *b = cdc_batch_new();
	struct strbuf out = STRBUF_INIT;
	struct dberr err = DBERR_INIT;
	struct table *tt[1];
	struct cdc_event tr;

	model_init(&m, "postgresql");
	t = model_table(&m, "t");
	model_column(t, "id", "integer", NT_INT32);
	model_column(t, "v", "text", NT_TEXT);
	model_column(t, "big", "text", NT_TEXT);
	model_key(t, 'p', "t_pkey", "id", "PRIMARY KEY (id)");
	k = model_table(&m, "k");
	model_column(k, "x", "integer", NT_INT32);
	t = schema_find_table(&m, "app.t");	/* the tables moved as k came */
	/* a hot row updated three times, the last without its TOAST value */
	add(b, t, CDC_UPDATE, NULL, "1,a,B1");
	add(b, k, CDC_INSERT, NULL, "5");
	add(b, t, CDC_UPDATE, NULL, "1,b,B2");
	add(b, t, CDC_INSERT, NULL, "2,x,X");
	add(b, k, CDC_DELETE, "5", NULL);
	add(b, t, CDC_UPDATE, NULL, "1,c,~");
	/* inserted, updated without its TOAST value, deleted: nothing */
	add(b, t, CDC_INSERT, NULL, "3,i,I");
	add(b, t, CDC_UPDATE, NULL, "3,j,~");
	add(b, t, CDC_DELETE, "3,-,-", NULL);
	/* updated without its TOAST value before and after: still not sent */
	add(b, t, CDC_UPDATE, NULL, "4,p,~");
	add(b, t, CDC_UPDATE, NULL, "4,q,~");
	/* deleted and inserted again, then updated */
	add(b, t, CDC_DELETE, "5,-,-", NULL);
	add(b, t, CDC_INSERT, NULL, "5,n,N");
	add(b, t, CDC_UPDATE, NULL, "5,o,~");
	add(b, t, CDC_UPDATE, NULL, "2,y,~");
	CHECK(cdc_batch_replay_net(b, collect, &out, &err) == 0);
	CHECK_STR(out.buf, "tU(|1,c,B2) tI(|2,y,X) tU(|4,q,~) tD(5,-,-|) tI(|5,o,N) "
		  "kI(|5) kD(5|)");
	CHECK(cdc_batch_net_count(b) == 7);
	/* as they came */
	strbuf_reset(&out);
	CHECK(cdc_batch_replay(b, 0, 3, collect, &out, &err) == 0);
	CHECK_STR(out.buf, "tU(|1,a,B1) kI(|5) tU(|1,b,B2)");
	cdc_batch_reset(b);
	/* a key change and a TRUNCATE split the batch: the parts around
	 * them fold apart, in order */
	strbuf_reset(&out);
	add(b, t, CDC_UPDATE, NULL, "1,a,A");
	add(b, t, CDC_UPDATE, NULL, "1,b,A");
	add(b, t, CDC_UPDATE, "1,-,-", "9,b,A");
	add(b, t, CDC_UPDATE, NULL, "9,c,A");
	add(b, t, CDC_INSERT, NULL, "1,new,N");
	tt[0] = t;
	memset(&tr, 0, sizeof(tr));
	tr.kind = CDC_TRUNCATE;
	tr.tables = tt;
	tr.ntables = 1;
	cdc_batch_add(b, &tr);
	add(b, t, CDC_INSERT, NULL, "1,after,T");
	add(b, t, CDC_UPDATE, NULL, "1,after2,T");
	CHECK(cdc_batch_replay_net(b, collect, &out, &err) == 0);
	CHECK_STR(out.buf, "tU(|1,b,A) tU(1,-,-|9,b,A) tU(|9,c,A) tI(|1,new,N) T "
		  "tI(|1,after2,T)");
	cdc_batch_reset(b);
	/* a TRUNCATE first, then another: empty parts before them */
	strbuf_reset(&out);
	cdc_batch_add(b, &tr);
	cdc_batch_add(b, &tr);
	add(b, t, CDC_INSERT, NULL, "1,x,X");
	CHECK(cdc_batch_replay_net(b, collect, &out, &err) == 0);
	CHECK_STR(out.buf, "T T tI(|1,x,X)");
	cdc_batch_reset(b);
	/* a sequence no source makes: said, for the caller to apply as it came */
	add(b, t, CDC_INSERT, NULL, "1,a,A");
	add(b, t, CDC_INSERT, NULL, "1,a,A");
	CHECK(cdc_batch_replay_net(b, collect, &out, &err) == -2);
	cdc_batch_truncate(b, 1);
	CHECK(cdc_batch_count(b) == 1);
	cdc_batch_free(b);
	strbuf_release(&out);
	schema_release(&m);
}

int
main(void)
{
	TEST_RUN(test_cdc_batch__net);
	return TEST_REPORT();
}
