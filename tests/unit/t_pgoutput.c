/*
 * t_pgoutput.c - pgoutput messages (lib/pg/pgoutput.c) built byte by
 * byte as FINDINGS Q1 recorded them, and every one of them cut short or
 * lying about a length: an error, never a read past the end.
 */
#include "tinytest.h"

#include <string.h>

#include "lib/base/util.h"
#include "lib/pg/pgoutput.h"

struct msg {
	unsigned char b[512];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
be(struct msg *m, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		m->b[m->n++] = (unsigned char)(v >> (8 * i));
}

static void
str(struct msg *m, const char *s)
{
	put(m, s, strlen(s) + 1);
}

static void
text_col(struct msg *m, const char *s)
{
	m->b[m->n++] = 't';
	be(m, strlen(s), 4);
	put(m, s, strlen(s));
}

/* Every prefix of a valid message is refused, never read past. */
static int
prefixes_refused(const struct msg *m)
{
	struct pgo_msg d;
	char emsg[128];
	int ok = 1;

	memset(&d, 0, sizeof(d));
	for (size_t n = 1; n < m->n; n++)
		if (pgoutput_decode(m->b, n, 0, &d, emsg, sizeof(emsg)) == 0 && m->b[0] != 'C' &&
		    m->b[0] != 'B') {
			fprintf(stderr, "    prefix %zu of %zu of '%c' accepted\n", n, m->n, m->b[0]);
			ok = 0;
		}
	pgo_msg_release(&d);
	return ok;
}

static void
test_pgoutput__messages(void)
{
	struct msg r = { {0}, 0 }, u = { {0}, 0 }, c = { {0}, 0 }, t = { {0}, 0 };
	struct pgo_msg d;
	char emsg[128];

	memset(&d, 0, sizeof(d));
	/* R: relid, nsp, rel, replident, natts, {flags, name, type, typmod} */
	r.b[r.n++] = 'R';
	be(&r, 16400, 4);
	str(&r, "public");
	str(&r, "t");
	r.b[r.n++] = 'd';
	be(&r, 2, 2);
	r.b[r.n++] = 1;
	str(&r, "id");
	be(&r, 23, 4);
	be(&r, 0xffffffff, 4);
	r.b[r.n++] = 0;
	str(&r, "big");
	be(&r, 25, 4);
	be(&r, 0xffffffff, 4);
	CHECK(pgoutput_decode(r.b, r.n, 0, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.type == 'R' && d.relid == 16400 && !strcmp(d.nsp, "public") && !strcmp(d.rel, "t"));
	CHECK(d.natts == 2 && d.atts[0].key == 1 && !strcmp(d.atts[1].name, "big") &&
	      d.atts[1].type_oid == 25 && d.atts[1].typmod == -1);
	CHECK(prefixes_refused(&r));
	/* U with the old key, then the new row with an unchanged TOAST value */
	u.b[u.n++] = 'U';
	be(&u, 16400, 4);
	u.b[u.n++] = 'K';
	be(&u, 2, 2);
	text_col(&u, "2");
	u.b[u.n++] = 'n';
	u.b[u.n++] = 'N';
	be(&u, 2, 2);
	text_col(&u, "20");
	u.b[u.n++] = 'u';
	CHECK(pgoutput_decode(u.b, u.n, 0, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.old_kind == 'K' && d.old_tuple.ncols == 2 && d.old_tuple.v[0].len == 1 &&
	      d.old_tuple.v[1].kind == 'n');
	CHECK(d.new_tuple.ncols == 2 && d.new_tuple.v[0].len == 2 &&
	      !memcmp(d.new_tuple.v[0].p, "20", 2) && d.new_tuple.v[1].kind == 'u');
	CHECK(prefixes_refused(&u));
	/* C: flags, commit lsn, end lsn, time */
	c.b[c.n++] = 'C';
	c.b[c.n++] = 0;
	be(&c, 0x1A5C7C8, 8);
	be(&c, 0x1A5C7F8, 8);
	be(&c, 12345, 8);
	CHECK(pgoutput_decode(c.b, c.n, 0, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.lsn == 0x1A5C7C8 && d.end_lsn == 0x1A5C7F8 && d.ts == 12345);
	CHECK(pgoutput_decode(c.b, c.n - 1, 0, &d, emsg, sizeof(emsg)) < 0);
	/* T: two relations, CASCADE */
	t.b[t.n++] = 'T';
	be(&t, 2, 4);
	t.b[t.n++] = 1;
	be(&t, 16400, 4);
	be(&t, 16410, 4);
	CHECK(pgoutput_decode(t.b, t.n, 0, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.nrels == 2 && d.truncate_options == 1 && pgo_relid_at(&d, 1) == 16410);
	CHECK(prefixes_refused(&t));
	/* a value whose length runs past the message */
	u.b[u.n - 1 - 2 - 4 + 3] = 0x7f;
	CHECK(pgoutput_decode(u.b, u.n, 0, &d, emsg, sizeof(emsg)) < 0);
	CHECK(strstr(emsg, "malformed pgoutput 'U'") != NULL);
	pgo_msg_release(&d);
}

/* Protocol 2: stream start, a change inside it naming its
 * subtransaction, stream abort and stream commit. */
static void
test_pgoutput__streaming(void)
{
	struct msg st = { {0}, 0 }, i = { {0}, 0 }, a = { {0}, 0 }, c = { {0}, 0 };
	struct pgo_msg d;
	char emsg[128];

	memset(&d, 0, sizeof(d));
	st.b[st.n++] = 'S';
	be(&st, 741, 4);
	st.b[st.n++] = 1;
	CHECK(pgoutput_decode(st.b, st.n, 0, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.type == 'S' && d.xid == 741 && d.first_segment == 1);
	CHECK(prefixes_refused(&st));
	i.b[i.n++] = 'I';
	be(&i, 745, 4);
	be(&i, 16400, 4);
	i.b[i.n++] = 'N';
	be(&i, 1, 2);
	text_col(&i, "7");
	CHECK(pgoutput_decode(i.b, i.n, 1, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.xid == 745 && d.relid == 16400 && d.new_tuple.ncols == 1);
	CHECK(prefixes_refused(&i));
	/* outside a stream the same bytes are another relation: refused */
	CHECK(pgoutput_decode(i.b, i.n, 0, &d, emsg, sizeof(emsg)) < 0);
	a.b[a.n++] = 'A';
	be(&a, 741, 4);
	be(&a, 745, 4);
	CHECK(pgoutput_decode(a.b, a.n, 0, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.xid == 741 && d.sub_xid == 745);
	CHECK(prefixes_refused(&a));
	c.b[c.n++] = 'c';
	be(&c, 741, 4);
	c.b[c.n++] = 0;
	be(&c, 0x3000010, 8);
	be(&c, 0x3000040, 8);
	be(&c, 99, 8);
	CHECK(pgoutput_decode(c.b, c.n, 0, &d, emsg, sizeof(emsg)) == 0);
	CHECK(d.xid == 741 && d.lsn == 0x3000010 && d.end_lsn == 0x3000040 && d.ts == 99);
	CHECK(prefixes_refused(&c));
	pgo_msg_release(&d);
}

int
main(void)
{
	TEST_RUN(test_pgoutput__messages);
	TEST_RUN(test_pgoutput__streaming);
	return TEST_REPORT();
}
