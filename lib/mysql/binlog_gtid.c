/*
 * binlog_gtid.c - the GTID set a binlog position carries, moved on by
 * each transaction's GTID: MariaDB's "domain-server-seq" per domain (the
 * form of @@gtid_binlog_pos: the last GTID of each domain), MySQL's
 * "uuid:interval[:interval]" per source (the form of @@gtid_executed).
 */
#include "binlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

/* MariaDB: replace the entry of g's domain (or add one), in domain order. */
static int
mariadb_add(struct strbuf *set, const struct binlog_gtid *g)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = set->buf ? set->buf : "";
	int placed = 0;

	while (*p) {
		uint32_t d, s;
		uint64_t n;
		int used = 0;

		while (*p == ',' || *p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (sscanf(p, "%" SCNu32 "-%" SCNu32 "-%" SCNu64 "%n", &d, &s, &n, &used) != 3) {
			strbuf_release(&out);
			return -1;
		}
		p += used;
		if (!placed && d >= g->domain) {
			strbuf_addf(&out, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, out.len ? "," : "",
				    g->domain, g->server_id, g->seq);
			placed = 1;
			if (d == g->domain)
				continue;
		}
		strbuf_addf(&out, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, out.len ? "," : "", d, s, n);
	}
	if (!placed)
		strbuf_addf(&out, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, out.len ? "," : "",
			    g->domain, g->server_id, g->seq);
	strbuf_reset(set);
	strbuf_addstr(set, out.buf ? out.buf : "");
	strbuf_release(&out);
	return 0;
}

/* MySQL: gno joins the intervals of its uuid (a new uuid goes last). */
static int
mysql_add(struct strbuf *set, const struct binlog_gtid *g)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = set->buf ? set->buf : "", *colon = strchr(g->text, ':');
	size_t ulen = colon ? (size_t)(colon - g->text) : 0;
	int placed = 0;

	if (!colon)
		return -1;
	while (*p) {
		const char *e = p + strcspn(p, ","), *u_end = memchr(p, ':', (size_t)(e - p));
		const char *q;
		uint64_t gno = g->seq, ivs[64][2];
		int n = 0;

		while (*p == ' ' || *p == '\n')
			p++;
		if (!u_end)
			goto bad;
		if (out.len)
			strbuf_addch(&out, ',');
		if ((size_t)(u_end - p) != ulen || strncasecmp(p, g->text, ulen) || placed) {
			strbuf_add(&out, p, (size_t)(e - p));
			p = *e ? e + 1 : e;
			continue;
		}
		/* this uuid's intervals, with gno merged in */
		for (q = u_end; q < e && n < 64;) {
			uint64_t a, b;
			int used = 0;

			if (sscanf(q, ":%" SCNu64 "%n", &a, &used) != 1)
				goto bad;
			q += used;
			b = a;
			if (*q == '-') {
				if (sscanf(q, "-%" SCNu64 "%n", &b, &used) != 1)
					goto bad;
				q += used;
			}
			ivs[n][0] = a;
			ivs[n][1] = b;
			n++;
		}
		if (q < e)
			goto bad;
		strbuf_add(&out, p, ulen);
		for (int i = 0; i < n; i++) {
			uint64_t a = ivs[i][0], b = ivs[i][1];

			if (!placed && gno + 1 < a) {
				strbuf_addf(&out, ":%" PRIu64, gno);
				placed = 1;
			} else if (!placed && gno + 1 >= a && gno <= b + 1) {
				a = gno < a ? gno : a;
				b = gno > b ? gno : b;
				placed = 1;
				/* the next interval may now touch this one */
				while (i + 1 < n && ivs[i + 1][0] <= b + 1) {
					b = ivs[i + 1][1] > b ? ivs[i + 1][1] : b;
					i++;
				}
			}
			strbuf_addf(&out, a == b ? ":%" PRIu64 : ":%" PRIu64 "-%" PRIu64, a, b);
		}
		if (!placed)
			strbuf_addf(&out, ":%" PRIu64, gno);
		placed = 1;
		p = *e ? e + 1 : e;
	}
	if (!placed)
		strbuf_addf(&out, "%s%.*s:%" PRIu64, out.len ? "," : "", (int)ulen, g->text, g->seq);
	strbuf_reset(set);
	strbuf_addstr(set, out.buf ? out.buf : "");
	strbuf_release(&out);
	return 0;
bad:
	strbuf_release(&out);
	return -1;
}

int
binlog_gtid_set_add(struct strbuf *set, const struct binlog_gtid *g)
{
	if (!g->text[0])
		return 0;	/* MySQL without GTIDs */
	return g->mariadb ? mariadb_add(set, g) : mysql_add(set, g);
}

static void
put_le(struct strbuf *o, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		strbuf_addch(o, (char)(unsigned char)(v >> (8 * i)));
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int
binlog_gtid_dump_arg(const char *gtids, uint32_t server_id, struct strbuf *out)
{
	struct strbuf sids = STRBUF_INIT;
	const char *p = gtids;
	uint64_t nsids = 0;

	while (*p) {
		unsigned char uuid[16];
		struct strbuf ivs = STRBUF_INIT;
		uint64_t nivs = 0;
		int k = 0;

		while (*p == ',' || *p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		for (; *p && *p != ':' && k < 32; p++) {
			int a, b;

			if (*p == '-')
				continue;
			if ((a = hexval(p[0])) < 0 || (b = hexval(p[1])) < 0)
				goto bad;
			uuid[k / 2] = (unsigned char)(a << 4 | b);
			k += 2;
			p++;
		}
		if (k != 32 || *p != ':')
			goto bad;
		while (*p == ':') {
			uint64_t a, b;
			int used = 0;

			if (sscanf(p, ":%" SCNu64 "%n", &a, &used) != 1 || a == 0)
				goto bad;
			p += used;
			b = a;
			if (*p == '-') {
				if (sscanf(p, "-%" SCNu64 "%n", &b, &used) != 1 || b < a)
					goto bad;
				p += used;
			}
			put_le(&ivs, a, 8);
			put_le(&ivs, b + 1, 8);	/* MySQL's ends are exclusive */
			nivs++;
		}
		if (*p && *p != ',') {
bad:
			strbuf_release(&ivs);
			strbuf_release(&sids);
			return -1;
		}
		strbuf_add(&sids, uuid, 16);
		put_le(&sids, nivs, 8);
		strbuf_add(&sids, ivs.buf ? ivs.buf : "", ivs.len);
		strbuf_release(&ivs);
		nsids++;
	}
	/* flags: through GTID; the server id; no file name; position 4 */
	put_le(out, 0x04, 2);
	put_le(out, server_id, 4);
	put_le(out, 0, 4);
	put_le(out, 4, 8);
	put_le(out, 8 + sids.len, 4);
	put_le(out, nsids, 8);
	strbuf_add(out, sids.buf ? sids.buf : "", sids.len);
	strbuf_release(&sids);
	return 0;
}
