/*
 * pgoutput.c - see pgoutput.h. A reader over the message that fails,
 * once, at the first byte it would need beyond the end.
 */
#include "pgoutput.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/util.h"
#include "lib/base/banned.h"

struct rd {
	const unsigned char *p, *end;
	int bad;
};

static int
need(struct rd *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return 0;
	}
	return 1;
}

static uint64_t
get_n(struct rd *r, int bytes)
{
	uint64_t v = 0;

	if (!need(r, (size_t)bytes))
		return 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | r->p[i];
	r->p += bytes;
	return v;
}

static char
get8(struct rd *r)
{
	return (char)get_n(r, 1);
}

/* A NUL-terminated string inside the message. */
static const char *
get_str(struct rd *r)
{
	const unsigned char *nul;
	const char *s;

	if (r->bad || !(nul = memchr(r->p, '\0', (size_t)(r->end - r->p)))) {
		r->bad = 1;
		return "";
	}
	s = (const char *)r->p;
	r->p = nul + 1;
	return s;
}

static void
get_tuple(struct rd *r, struct pgo_tuple *t)
{
	int n = (int)get_n(r, 2);

	if (r->bad)
		return;
	if (n > t->alloc) {
		t->v = xrealloc(t->v, (size_t)n * sizeof(*t->v));
		t->alloc = n;
	}
	t->ncols = n;
	for (int i = 0; i < n && !r->bad; i++) {
		struct pgo_value *v = &t->v[i];

		v->kind = get8(r);
		v->p = NULL;
		v->len = 0;
		if (v->kind == 't' || v->kind == 'b') {
			v->len = (uint32_t)get_n(r, 4);
			if (!need(r, v->len))
				break;
			v->p = (const char *)r->p;
			r->p += v->len;
			v->kind = 't';	/* binary is never asked for */
		} else if (v->kind != 'n' && v->kind != 'u') {
			r->bad = 1;
		}
	}
}

static void
get_relation(struct rd *r, struct pgo_msg *m)
{
	m->relid = (uint32_t)get_n(r, 4);
	m->nsp = get_str(r);
	m->rel = get_str(r);
	m->replident = get8(r);
	m->natts = (int)get_n(r, 2);
	if (r->bad)
		return;
	if (m->natts > m->atts_alloc) {
		m->atts = xrealloc(m->atts, (size_t)m->natts * sizeof(*m->atts));
		m->atts_alloc = m->natts;
	}
	for (int i = 0; i < m->natts && !r->bad; i++) {
		m->atts[i].key = get8(r) & 1;
		m->atts[i].name = get_str(r);
		m->atts[i].type_oid = (uint32_t)get_n(r, 4);
		m->atts[i].typmod = (int32_t)get_n(r, 4);
	}
}

/* U: ['K' | 'O' tuple] 'N' tuple; D: 'K' | 'O' tuple; I: 'N' tuple */
static void
get_change(struct rd *r, struct pgo_msg *m)
{
	char k;

	m->relid = (uint32_t)get_n(r, 4);
	k = get8(r);
	if (k == 'K' || k == 'O') {
		m->old_kind = k;
		get_tuple(r, &m->old_tuple);
		if (m->type == 'U')
			k = get8(r);
	}
	if (k == 'N' && m->type != 'D')
		get_tuple(r, &m->new_tuple);
	else if (m->type != 'D' || !m->old_kind)
		r->bad = 1;
}

static void
get_commit(struct rd *r, struct pgo_msg *m)
{
	get8(r);	/* flags, unused */
	m->lsn = get_n(r, 8);
	m->end_lsn = get_n(r, 8);
	m->ts = (int64_t)get_n(r, 8);
}

/* Whether a message of this type, inside a stream, names its
 * (sub)transaction. */
static int
carries_xid(char type)
{
	return type && strchr("RYIUDTM", type) != NULL;
}

int
pgoutput_decode(const unsigned char *p, size_t n, int in_stream, struct pgo_msg *m, char *emsg,
		size_t emsz)
{
	struct rd r = { p, p + n, 0 };

	m->type = get8(&r);
	m->old_kind = 0;
	m->old_tuple.ncols = m->new_tuple.ncols = 0;
	if (in_stream && carries_xid(m->type))
		m->xid = (uint32_t)get_n(&r, 4);
	switch (m->type) {
	case 'B':
		m->lsn = get_n(&r, 8);
		m->ts = (int64_t)get_n(&r, 8);
		m->xid = (uint32_t)get_n(&r, 4);
		break;
	case 'S':
		m->xid = (uint32_t)get_n(&r, 4);
		m->first_segment = get8(&r) == 1;
		break;
	case 'A':
		m->xid = (uint32_t)get_n(&r, 4);
		m->sub_xid = (uint32_t)get_n(&r, 4);
		break;
	case 'c':	/* the xid, then laid out as a commit */
		m->xid = (uint32_t)get_n(&r, 4);
		get_commit(&r, m);
		break;
	case 'C':
		get_commit(&r, m);
		break;
	case 'R':
		get_relation(&r, m);
		break;
	case 'I': case 'U': case 'D':
		get_change(&r, m);
		break;
	case 'T':
		m->nrels = (uint32_t)get_n(&r, 4);
		m->truncate_options = (uint8_t)get8(&r);
		m->relids = r.p;
		if (need(&r, (size_t)m->nrels * 4))
			r.p += (size_t)m->nrels * 4;
		break;
	default:	/* Y (a type), O (origin), M (a message), E (stream
			 * stop): nothing needed from them */
		break;
	}
	if (r.bad) {
		snprintf(emsg, emsz, "a malformed pgoutput '%c' message (%zu bytes)",
			 m->type ? m->type : '?', n);
		return -1;
	}
	return 0;
}

uint32_t
pgo_relid_at(const struct pgo_msg *m, uint32_t i)
{
	const unsigned char *q = m->relids + 4 * (size_t)i;

	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

void
pgo_msg_release(struct pgo_msg *m)
{
	free(m->atts);
	free(m->old_tuple.v);
	free(m->new_tuple.v);
	memset(m, 0, sizeof(*m));
}
