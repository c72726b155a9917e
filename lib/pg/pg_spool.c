/*
 * pg_spool.c - see pg_spool.h. Each message is a 4-byte big-endian
 * length, its 8-byte big-endian WAL position and the bytes. A subtransaction's place is the offset of its
 * first message; taking it back truncates the file there, as
 * PostgreSQL's own apply worker does with its stream files.
 */
#include "pg_spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/base/banned.h"

struct subxact {
	uint32_t xid;
	uint64_t offset;
};

struct relmsg {
	uint64_t offset;
	uint64_t lsn;
	unsigned char *msg;
	size_t n;
};

struct pg_spool {
	uint32_t xid;
	FILE *f;
	char path[4096];
	uint64_t size;		/* bytes written */
	int reading;
	/* subtransactions in order of their first message; the table maps
	 * an xid to its index, an entry counting only while it points at a
	 * live subxact with that xid (taken-back ones go stale) */
	struct subxact *subs;
	size_t nsubs, subs_alloc;
	uint32_t *slot_xid;
	size_t *slot_idx;
	size_t nslots, slots_used;
	struct relmsg *rels;
	size_t nrels;
	unsigned char *buf;	/* the message read back */
	size_t buf_alloc;
};

static int
io_error(struct pg_spool *sp, const char *what, struct dberr *err)
{
	return dberr_set(err, DBERR_IO, "%s the changes of source transaction %u in %s: %s "
			 "(large transactions wait there until their commit; set TMPDIR to a "
			 "directory with room)", what, sp->xid, sp->path, strerror(errno));
}

struct pg_spool *
pg_spool_open(uint32_t xid, const char *dir, struct dberr *err)
{
	struct pg_spool *sp = xcalloc(1, sizeof(*sp));
	int fd;

	sp->xid = xid;
	snprintf(sp->path, sizeof(sp->path), "%s/dbmig-tx%u-XXXXXX", dir, xid);
	if ((fd = mkstemp(sp->path)) < 0 || !(sp->f = fdopen(fd, "w+b"))) {
		io_error(sp, "cannot keep", err);
		if (fd >= 0)
			close(fd);
		free(sp);
		return NULL;
	}
	unlink(sp->path);
	setvbuf(sp->f, NULL, _IOFBF, 1 << 18);
	return sp;
}

uint32_t
pg_spool_xid(const struct pg_spool *sp)
{
	return sp->xid;
}

uint64_t
pg_spool_bytes(const struct pg_spool *sp)
{
	return sp->size;
}

static size_t
slot_of(uint32_t xid, size_t nslots)
{
	return (size_t)(xid * 2654435761u) & (nslots - 1);
}

static int
sub_live_at(const struct pg_spool *sp, size_t slot)
{
	size_t i = sp->slot_idx[slot];

	return i < sp->nsubs && sp->subs[i].xid == sp->slot_xid[slot];
}

/* The subxact's index, or -1. Probing runs to an empty slot: stale
 * ones still link the chain. */
static long
sub_find(const struct pg_spool *sp, uint32_t xid)
{
	if (!sp->nslots)
		return -1;
	for (size_t s = slot_of(xid, sp->nslots);; s = (s + 1) & (sp->nslots - 1)) {
		if (sp->slot_idx[s] == SIZE_MAX)
			return -1;
		if (sp->slot_xid[s] == xid && sub_live_at(sp, s))
			return (long)sp->slot_idx[s];
	}
}

static void
slot_put(struct pg_spool *sp, uint32_t xid, size_t idx)
{
	size_t s = slot_of(xid, sp->nslots);

	while (sp->slot_idx[s] != SIZE_MAX && sub_live_at(sp, s))
		s = (s + 1) & (sp->nslots - 1);
	if (sp->slot_idx[s] == SIZE_MAX)
		sp->slots_used++;
	sp->slot_xid[s] = xid;
	sp->slot_idx[s] = idx;
}

static void
sub_add(struct pg_spool *sp, uint32_t xid)
{
	if (sp->nsubs == sp->subs_alloc) {
		sp->subs_alloc = sp->subs_alloc ? 2 * sp->subs_alloc : 16;
		sp->subs = xrealloc(sp->subs, sp->subs_alloc * sizeof(*sp->subs));
	}
	sp->subs[sp->nsubs].xid = xid;
	sp->subs[sp->nsubs].offset = sp->size;
	sp->nsubs++;
	if (2 * (sp->slots_used + 1) > sp->nslots) {	/* rebuild, live ones only */
		sp->nslots = sp->nslots ? 2 * sp->nslots : 64;
		while (4 * sp->nsubs > sp->nslots)
			sp->nslots *= 2;
		free(sp->slot_xid);
		free(sp->slot_idx);
		sp->slot_xid = xcalloc(sp->nslots, sizeof(*sp->slot_xid));
		sp->slot_idx = xmalloc(sp->nslots * sizeof(*sp->slot_idx));
		for (size_t s = 0; s < sp->nslots; s++)
			sp->slot_idx[s] = SIZE_MAX;
		sp->slots_used = 0;
		for (size_t i = 0; i + 1 < sp->nsubs; i++)
			slot_put(sp, sp->subs[i].xid, i);
	}
	slot_put(sp, xid, sp->nsubs - 1);
}

static int
write_msg(struct pg_spool *sp, uint64_t lsn, const unsigned char *msg, size_t n,
	  struct dberr *err)
{
	unsigned char len[12] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16),
				  (unsigned char)(n >> 8), (unsigned char)n };

	if (n > UINT32_MAX) {
		errno = EFBIG;
		return io_error(sp, "cannot keep", err);
	}
	for (int i = 0; i < 8; i++)
		len[4 + i] = (unsigned char)(lsn >> (56 - 8 * i));
	if (fwrite(len, 1, 12, sp->f) != 12 || (n && fwrite(msg, 1, n, sp->f) != n))
		return io_error(sp, "writing", err);
	sp->size += 12 + n;
	return 0;
}

int
pg_spool_append(struct pg_spool *sp, uint32_t sub_xid, int relation, uint64_t lsn,
		const unsigned char *msg, size_t n, struct dberr *err)
{
	if (sp->reading)
		return dberr_set(err, DBERR_INTERNAL, "spool of transaction %u appended to after "
				 "its commit", sp->xid);
	if (sub_xid != sp->xid && (!sp->nsubs || sp->subs[sp->nsubs - 1].xid != sub_xid) &&
	    sub_find(sp, sub_xid) < 0)
		sub_add(sp, sub_xid);
	if (relation) {
		struct relmsg *r;

		sp->rels = xrealloc(sp->rels, (sp->nrels + 1) * sizeof(*sp->rels));
		r = &sp->rels[sp->nrels++];
		r->offset = sp->size;
		r->lsn = lsn;
		r->msg = xmalloc(n ? n : 1);
		memcpy(r->msg, msg, n);
		r->n = n;
	}
	return write_msg(sp, lsn, msg, n, err);
}

int
pg_spool_abort_sub(struct pg_spool *sp, uint32_t sub_xid, struct dberr *err)
{
	long i = sub_find(sp, sub_xid);
	uint64_t at;
	size_t keep = 0, nrels = sp->nrels;

	if (i < 0)		/* it wrote nothing that came here */
		return 0;
	at = sp->subs[i].offset;
	sp->nsubs = (size_t)i;	/* it and the later ones go stale */
	if (fflush(sp->f) != 0 || ftruncate(fileno(sp->f), (off_t)at) != 0 ||
	    fseeko(sp->f, (off_t)at, SEEK_SET) != 0)
		return io_error(sp, "truncating", err);
	sp->size = at;
	/* the descriptions that were in the part taken back, again */
	for (size_t r = 0; r < nrels; r++) {
		if (sp->rels[r].offset < at) {
			sp->rels[keep++] = sp->rels[r];
			continue;
		}
		sp->rels[r].offset = sp->size;
		if (write_msg(sp, sp->rels[r].lsn, sp->rels[r].msg, sp->rels[r].n, err) < 0)
			return -1;
		sp->rels[keep++] = sp->rels[r];
	}
	sp->nrels = keep;
	return 0;
}

int
pg_spool_rewind(struct pg_spool *sp, struct dberr *err)
{
	sp->reading = 1;
	if (fflush(sp->f) != 0 || fseeko(sp->f, 0, SEEK_SET) != 0)
		return io_error(sp, "reading back", err);
	return 0;
}

int
pg_spool_next(struct pg_spool *sp, uint64_t *lsn, const unsigned char **msg, size_t *n,
	      struct dberr *err)
{
	unsigned char len[12];
	size_t got = fread(len, 1, 12, sp->f);

	if (got == 0 && feof(sp->f))
		return 0;
	if (got != 12)
		goto bad;
	*n = (size_t)len[0] << 24 | (size_t)len[1] << 16 | (size_t)len[2] << 8 | len[3];
	*lsn = 0;
	for (int i = 0; i < 8; i++)
		*lsn = *lsn << 8 | len[4 + i];
	if (*n + 1 > sp->buf_alloc) {
		sp->buf_alloc = *n + 1;
		sp->buf = xrealloc(sp->buf, sp->buf_alloc);
	}
	if (*n && fread(sp->buf, 1, *n, sp->f) != *n)
		goto bad;
	*msg = sp->buf;
	return 1;
bad:
	if (!ferror(sp->f))
		errno = EIO;	/* short: the file changed under us */
	return io_error(sp, "reading back", err);
}

void
pg_spool_close(struct pg_spool *sp)
{
	if (!sp)
		return;
	if (sp->f)
		fclose(sp->f);
	for (size_t r = 0; r < sp->nrels; r++)
		free(sp->rels[r].msg);
	free(sp->rels);
	free(sp->subs);
	free(sp->slot_xid);
	free(sp->slot_idx);
	free(sp->buf);
	free(sp);
}
