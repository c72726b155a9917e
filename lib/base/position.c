/*
 * position.c - parsing, formatting and ordering of log positions (see
 * position.h). GTID sets of both flavours are read into one shape, a
 * list of (source, intervals): a MariaDB "D-S-N" means every transaction
 * 1..N of domain D; a MySQL "uuid:a-b:c" means those intervals of that
 * server. Containment of one such set in another is then one test.
 */
#include "position.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

enum position_kind
position_kind_of(const char *text)
{
	const char *slash, *colon;
	char *end;

	if (!text || !*text)
		return POSITION_NONE;
	if ((slash = strchr(text, '/')) && slash > text && isxdigit((unsigned char)slash[1])) {
		for (const char *s = text; *s; s++)
			if (s != slash && !isxdigit((unsigned char)*s))
				return POSITION_NONE;
		return POSITION_LSN;
	}
	if ((colon = strrchr(text, ':')) && colon > text && isdigit((unsigned char)colon[1])) {
		errno = 0;
		(void)strtoull(colon + 1, &end, 10);
		if (!errno && !*end)
			return POSITION_BINLOG;
	}
	return POSITION_NONE;
}

static int
parse_lsn(const char *s, uint64_t *out)
{
	unsigned long long hi, lo;
	char *end;

	errno = 0;
	hi = strtoull(s, &end, 16);
	if (errno || end == s || *end != '/' || hi > UINT32_MAX)
		return -1;
	s = end + 1;
	lo = strtoull(s, &end, 16);
	if (errno || end == s || *end || lo > UINT32_MAX)
		return -1;
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

uint64_t
position_lsn(const struct db_position *p)
{
	uint64_t v;

	return p->kind == POSITION_LSN && parse_lsn(p->text, &v) == 0 ? v : 0;
}

void
position_set_lsn(struct db_position *p, uint64_t lsn, int exact)
{
	memset(p, 0, sizeof(*p));
	p->kind = POSITION_LSN;
	snprintf(p->text, sizeof(p->text), "%" PRIX64 "/%" PRIX64, lsn >> 32,
		 lsn & 0xffffffffu);
	p->exact = exact;
}

void
position_set_binlog(struct db_position *p, const char *file, uint64_t offset,
		    const char *gtid, int exact)
{
	memset(p, 0, sizeof(*p));
	if (!file || !*file) {
		/* what dumps have always said; position_parse reads it back
		 * as POSITION_NONE */
		snprintf(p->text, sizeof(p->text), "none (binary log disabled)");
		return;
	}
	p->kind = POSITION_BINLOG;
	snprintf(p->text, sizeof(p->text), "%.100s:%" PRIu64, file, offset);
	snprintf(p->gtid, sizeof(p->gtid), "%s", gtid ? gtid : "");
	p->exact = exact;
}

int
position_parse(struct db_position *p, enum position_kind kind, const char *text,
	       const char *gtid, int exact, int lenient, struct dberr *err)
{
	uint64_t lsn;

	memset(p, 0, sizeof(*p));
	if (!text)
		text = "";
	if (kind == POSITION_NONE)
		kind = position_kind_of(text);
	if (strlen(text) >= sizeof(p->text) || (gtid && strlen(gtid) >= sizeof(p->gtid)))
		return dberr_set(err, DBERR_DUMP, "log position '%.40s...' is too long", text);
	if (kind != POSITION_NONE && position_kind_of(text) == kind &&
	    (kind != POSITION_LSN || parse_lsn(text, &lsn) == 0)) {
		p->kind = kind;
		snprintf(p->text, sizeof(p->text), "%s", text);
		if (kind == POSITION_BINLOG && gtid)
			snprintf(p->gtid, sizeof(p->gtid), "%s", gtid);
		p->exact = exact;
		return 0;
	}
	if (lenient) {
		snprintf(p->text, sizeof(p->text), "%s", text);
		return 0;
	}
	return dberr_set(err, DBERR_DUMP, "'%s' is not a %s", text,
			 kind == POSITION_LSN ? "WAL LSN (like 16/B374D848)"
			 : "binlog position (like binlog.000042:1337)");
}

/* ---- binlog coordinates ---- */

/* "binlog.000042:1337" -> base "binlog", number 42, offset 1337 */
static int
split_binlog(const char *text, char *base, size_t basesz, uint64_t *num, uint64_t *off)
{
	const char *colon = strrchr(text, ':'), *dot;
	size_t blen;
	char *end;

	if (!colon)
		return -1;
	*off = strtoull(colon + 1, NULL, 10);
	for (dot = colon; dot > text && isdigit((unsigned char)dot[-1]); dot--)
		;
	blen = (size_t)(dot - text);
	if (blen >= basesz || dot == colon)
		return -1;
	memcpy(base, text, blen);
	base[blen] = 0;
	*num = strtoull(dot, &end, 10);
	return end == colon ? 0 : -1;
}

/* ---- GTID sets ---- */

struct gtid_iv {
	char src[40];		/* MariaDB domain id, MySQL server uuid */
	uint64_t lo, hi;
};
struct gtid_set {
	struct gtid_iv *v;
	size_t n;
};

static void
gtid_add(struct gtid_set *s, const char *src, size_t srclen, uint64_t lo, uint64_t hi)
{
	struct gtid_iv *iv;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	iv = &s->v[s->n++];
	snprintf(iv->src, sizeof(iv->src), "%.*s", (int)srclen, src);
	for (char *c = iv->src; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	iv->lo = lo;
	iv->hi = hi;
}

static int
read_u64(const char **s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return -1;
	errno = 0;
	*out = strtoull(*s, &end, 10);
	if (errno)
		return -1;
	*s = end;
	return 0;
}

/* One element: MariaDB "D-S-N", or MySQL "uuid:a[-b][:c[-d]]...". */
static int
gtid_parse_one(struct gtid_set *s, const char *e, size_t len)
{
	char buf[256];
	const char *p = buf, *colon;
	uint64_t a, b;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, e, len);
	buf[len] = 0;
	if (!(colon = strchr(buf, ':'))) {
		uint64_t dom, server, seq;

		if (read_u64(&p, &dom) || *p++ != '-' || read_u64(&p, &server) ||
		    *p++ != '-' || read_u64(&p, &seq) || *p)
			return -1;
		gtid_add(s, buf, strcspn(buf, "-"), 1, seq);
		return 0;
	}
	if (colon == buf || colon - buf >= 40)
		return -1;
	for (p = colon; *p == ':';) {
		p++;
		if (read_u64(&p, &a))
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			if (read_u64(&p, &b) || b < a)
				return -1;
		}
		gtid_add(s, buf, (size_t)(colon - buf), a, b);
	}
	return *p ? -1 : 0;
}

static int
gtid_parse(struct gtid_set *s, const char *text)
{
	const char *e = text;

	s->v = NULL;
	s->n = 0;
	while (*e) {
		size_t len;

		while (*e == ',' || isspace((unsigned char)*e))
			e++;
		len = strcspn(e, ",");
		while (len && isspace((unsigned char)e[len - 1]))
			len--;
		if (len && gtid_parse_one(s, e, len) < 0) {
			free(s->v);
			s->v = NULL;
			return -1;
		}
		e += strcspn(e, ",");
	}
	return 0;
}

/* 1 when [lo, hi] of src is covered by b's intervals for src. */
static int
gtid_covered(const struct gtid_set *b, const char *src, uint64_t lo, uint64_t hi)
{
	int progress = 1;

	/* Extend lo past every interval of b that starts at or before it:
	 * adjacent and overlapping intervals cover together. */
	while (progress && lo <= hi) {
		progress = 0;
		for (size_t i = 0; i < b->n; i++)
			if (!strcmp(b->v[i].src, src) && b->v[i].lo <= lo && b->v[i].hi >= lo) {
				if (b->v[i].hi == UINT64_MAX)
					return 1;
				lo = b->v[i].hi + 1;
				progress = 1;
			}
	}
	return lo > hi;
}

static int
gtid_subset(const struct gtid_set *a, const struct gtid_set *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!gtid_covered(b, a->v[i].src, a->v[i].lo, a->v[i].hi))
			return 0;
	return 1;
}

static int
compare_gtid(const char *ga, const char *gb, int *cmp, struct dberr *err)
{
	struct gtid_set a, b;
	int ab, ba, ret = -1;

	if (gtid_parse(&a, ga) < 0)
		return dberr_set(err, DBERR_USAGE, "cannot read the GTID set '%s'", ga);
	if (gtid_parse(&b, gb) < 0) {
		free(a.v);
		return dberr_set(err, DBERR_USAGE, "cannot read the GTID set '%s'", gb);
	}
	ab = gtid_subset(&a, &b);
	ba = gtid_subset(&b, &a);
	if (ab || ba) {
		*cmp = ab && ba ? 0 : ab ? -1 : 1;
		ret = 0;
	} else {
		dberr_set(err, DBERR_USAGE, "GTID sets '%s' and '%s' each hold transactions "
			  "the other does not: they are not one server's history", ga, gb);
	}
	free(a.v);
	free(b.v);
	return ret;
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int
position_compare(const struct db_position *a, const struct db_position *b, int *cmp,
		 struct dberr *err)
{
	char base_a[128], base_b[128];
	uint64_t na, nb, oa, ob;

	if (a->kind == POSITION_NONE || b->kind == POSITION_NONE)
		return dberr_set(err, DBERR_USAGE, "no log position to compare ('%s' and '%s')",
				 a->text, b->text);
	if (a->kind != b->kind)
		return dberr_set(err, DBERR_USAGE, "positions of two kinds of log cannot be "
				 "compared ('%s' and '%s')", a->text, b->text);
	if (a->kind == POSITION_LSN) {
		if (parse_lsn(a->text, &na) < 0 || parse_lsn(b->text, &nb) < 0)
			return dberr_set(err, DBERR_USAGE, "cannot read the LSNs '%s' and '%s'",
					 a->text, b->text);
		*cmp = cmp_u64(na, nb);
		return 0;
	}
	if (a->gtid[0] && b->gtid[0]) {
		if (compare_gtid(a->gtid, b->gtid, cmp, err) < 0)
			return -1;
		/* the same transactions: events without a GTID (a rotation, a
		 * heartbeat's position) may still lie between them */
		if (*cmp || split_binlog(a->text, base_a, sizeof(base_a), &na, &oa) < 0 ||
		    split_binlog(b->text, base_b, sizeof(base_b), &nb, &ob) < 0 ||
		    strcmp(base_a, base_b))
			return 0;
		*cmp = na != nb ? cmp_u64(na, nb) : cmp_u64(oa, ob);
		return 0;
	}
	if (split_binlog(a->text, base_a, sizeof(base_a), &na, &oa) < 0 ||
	    split_binlog(b->text, base_b, sizeof(base_b), &nb, &ob) < 0)
		return dberr_set(err, DBERR_USAGE, "cannot read the binlog positions '%s' and "
				 "'%s'", a->text, b->text);
	if (strcmp(base_a, base_b))
		return dberr_set(err, DBERR_USAGE, "binlog positions '%s' and '%s' are in "
				 "different logs (another server, or log_bin renamed)",
				 a->text, b->text);
	*cmp = na != nb ? cmp_u64(na, nb) : cmp_u64(oa, ob);
	return 0;
}

int
position_at_or_after(const struct db_position *a, const struct db_position *b)
{
	struct dberr ignored = DBERR_INIT;
	int cmp;

	if (a->kind == POSITION_LSN && b->kind == POSITION_LSN)
		return position_lsn(a) >= position_lsn(b);
	return position_compare(a, b, &cmp, &ignored) == 0 && cmp >= 0;
}

int64_t
position_bytes_between(const struct db_position *from, const struct db_position *to)
{
	char base_a[128], base_b[128];
	uint64_t na, nb, oa, ob;

	if (from->kind == POSITION_LSN && to->kind == POSITION_LSN)
		return position_lsn(to) >= position_lsn(from) ?
		       (int64_t)(position_lsn(to) - position_lsn(from)) : 0;
	if (from->kind != POSITION_BINLOG || to->kind != POSITION_BINLOG ||
	    split_binlog(from->text, base_a, sizeof(base_a), &na, &oa) < 0 ||
	    split_binlog(to->text, base_b, sizeof(base_b), &nb, &ob) < 0 ||
	    strcmp(base_a, base_b) || na != nb)
		return -1;
	return ob >= oa ? (int64_t)(ob - oa) : 0;
}

void
position_describe(const struct db_position *p, struct strbuf *o)
{
	switch (p->kind) {
	case POSITION_LSN:
		strbuf_addf(o, "WAL LSN %s%s", p->text, p->exact ? "" : " or later");
		break;
	case POSITION_BINLOG:
		strbuf_addf(o, "binlog %s", p->text);
		if (p->gtid[0])
			strbuf_addf(o, ", GTID %s", p->gtid);
		break;
	case POSITION_NONE:
		strbuf_addstr(o, p->text[0] ? p->text : "no log position");
		break;
	}
}
