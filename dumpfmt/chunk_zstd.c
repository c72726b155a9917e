/*
 * chunk_zstd.c - chunk files: a zstd stream holding the canonical row
 * stream of SPEC.md section 4 (magic, column count, rows, end marker).
 *
 * The writer hashes the canonical stream with XXH3-128 inside its write
 * path and keeps a sticky error, in the manner of redis' rio: once a
 * write failed, everything after is refused and finish() reports the
 * first failure. Compressing, hashing and writing run on a thread of the
 * writer's own, fed 256 KiB blocks through a blockq of depth 2, so the
 * thread that reads the source keeps reading while a block compresses. The reader is the mirror image and trusts nothing: it
 * checks the compressed size first, bounds every length, and hands out
 * no row it has not decoded in full.
 */
#include "dumpfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include <pthread.h>

#include "lib/base/blockq.h"
#include "lib/base/banned.h"

#define RAW_FLUSH_AT	(256 * 1024)

/* What the reading thread hands the compressor. */
enum { BLK_DATA, BLK_END, BLK_ABORT };

struct chunk_writer {
	char *dir, *name;
	struct strbuf tmp_path;
	int fd;
	int ncols;
	ZSTD_CCtx *cctx;
	XXH3_state_t *hash;
	XXH3_state_t *fhash;		/* over the file bytes */
	struct strbuf raw;		/* reading thread: rows not yet handed over */
	uint64_t sent_bytes;		/* reading thread: bytes handed over */
	struct blockq *q;
	pthread_t compressor;
	int compressor_running;
	struct strbuf zin;		/* compressor: the block it works on */
	unsigned char *zbuf;
	size_t zcap;
	uint64_t rows, raw_bytes, file_bytes;
	struct dberr werr;		/* sticky: the first write failure */
};

static int
writer_fail(struct chunk_writer *w, struct dberr *err, const char *what, int e)
{
	if (w->werr.cls == DBERR_NONE)
		dberr_set(&w->werr, DBERR_IO, "cannot %s chunk '%s/%s': %s%s", what,
			  w->dir, w->name, strerror(e), e == ENOSPC ?
			  "; the disk is full: free some space or dump to another directory" : "");
	*err = w->werr;
	return -1;
}

static int
write_all(struct chunk_writer *w, const void *p, size_t n, struct dberr *err)
{
	const char *c = p;

	while (n) {
		ssize_t r = write(w->fd, c, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return writer_fail(w, err, "write", errno);
		}
		XXH3_64bits_update(w->fhash, c, (size_t)r);
		c += r;
		n -= (size_t)r;
		w->file_bytes += (uint64_t)r;
	}
	return 0;
}

/* Compresses and writes one block; ZSTD_e_end closes the frame. Runs on
 * the compressor thread. */
static int
writer_flush(struct chunk_writer *w, struct strbuf *blk, ZSTD_EndDirective mode,
	     struct dberr *err)
{
	ZSTD_inBuffer in = { blk->buf, blk->len, 0 };
	size_t rem;

	if (w->werr.cls != DBERR_NONE) {
		*err = w->werr;
		return -1;
	}
	XXH3_128bits_update(w->hash, blk->buf ? blk->buf : "", blk->len);
	w->raw_bytes += blk->len;
	do {
		ZSTD_outBuffer out = { w->zbuf, w->zcap, 0 };

		rem = ZSTD_compressStream2(w->cctx, &out, &in, mode);
		if (ZSTD_isError(rem)) {
			dberr_set(&w->werr, DBERR_INTERNAL, "zstd: %s", ZSTD_getErrorName(rem));
			*err = w->werr;
			return -1;
		}
		if (out.pos && write_all(w, w->zbuf, out.pos, err) < 0)
			return -1;
	} while (mode == ZSTD_e_end ? rem != 0 : in.pos < in.size);
	strbuf_reset(blk);
	return 0;
}

static void *
compressor_main(void *arg)
{
	struct chunk_writer *w = arg;
	struct dberr err = DBERR_INIT;

	for (;;) {
		int kind = blockq_pop(w->q, &w->zin);

		if (kind == BLK_ABORT)
			break;
		if (writer_flush(w, &w->zin, kind == BLK_END ? ZSTD_e_end : ZSTD_e_continue,
				 &err) < 0) {
			/* the reading thread's next hand-over gets the error */
			blockq_fail(w->q, &err);
			break;
		}
		if (kind == BLK_END)
			break;
	}
	return NULL;
}

/* Hands the rows so far to the compressor; -1 with its error. */
static int
writer_send(struct chunk_writer *w, int kind, struct dberr *err)
{
	w->sent_bytes += w->raw.len;
	return blockq_push(w->q, kind, &w->raw, err);
}

struct chunk_writer *
chunk_writer_open(const char *dir, const char *name, int ncols, int level,
		  struct dberr *err)
{
	struct chunk_writer *w = xcalloc(1, sizeof(*w));

	w->fd = -1;
	w->dir = xstrdup(dir);
	w->name = xstrdup(name);
	w->ncols = ncols;
	strbuf_addf(&w->tmp_path, "%s/.%s.tmp", dir, name);
	w->fd = open(w->tmp_path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		dberr_set(err, DBERR_IO, "cannot create '%s': %s", w->tmp_path.buf,
			  strerror(errno));
		chunk_writer_abort(w);
		return NULL;
	}
	w->cctx = ZSTD_createCCtx();
	w->hash = XXH3_createState();
	w->fhash = XXH3_createState();
	if (!w->cctx || !w->hash || !w->fhash) {
		dberr_set(err, DBERR_INTERNAL, "out of memory for zstd/xxhash state");
		chunk_writer_abort(w);
		return NULL;
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	XXH3_128bits_reset(w->hash);
	XXH3_64bits_reset(w->fhash);
	w->zcap = ZSTD_CStreamOutSize();
	w->zbuf = xmalloc(w->zcap);
	strbuf_add(&w->raw, DUMPFMT_CHUNK_MAGIC, 8);
	put_uvarint(&w->raw, (uint64_t)ncols);
	w->q = blockq_new(2);
	if (pthread_create(&w->compressor, NULL, compressor_main, w) != 0) {
		dberr_set(err, DBERR_INTERNAL, "cannot start a compressor thread");
		chunk_writer_abort(w);
		return NULL;
	}
	w->compressor_running = 1;
	return w;
}

int
chunk_writer_row(struct chunk_writer *w, const struct value *vals, struct dberr *err)
{
	canon_row_encode(&w->raw, vals, w->ncols);
	w->rows++;
	if (w->raw.len >= RAW_FLUSH_AT)
		return writer_send(w, BLK_DATA, err);
	return 0;
}

uint64_t
chunk_writer_raw_bytes(const struct chunk_writer *w)
{
	return w->sent_bytes + w->raw.len;
}

int
chunk_writer_finish(struct chunk_writer *w, struct chunk *c, struct dberr *err)
{
	struct strbuf fin = STRBUF_INIT;
	XXH128_canonical_t canon;
	int ret = -1;

	canon_end_encode(&w->raw, w->rows);
	if (writer_send(w, BLK_END, err) < 0)
		goto out;
	pthread_join(w->compressor, NULL);
	w->compressor_running = 0;
	if (w->werr.cls != DBERR_NONE) {
		*err = w->werr;
		goto out;
	}
	if (fsync(w->fd) < 0) {
		writer_fail(w, err, "fsync", errno);
		goto out;
	}
	if (close(w->fd) < 0) {
		w->fd = -1;
		writer_fail(w, err, "close", errno);
		goto out;
	}
	w->fd = -1;
	strbuf_addf(&fin, "%s/%s", w->dir, w->name);
	if (rename(w->tmp_path.buf, fin.buf) < 0) {
		writer_fail(w, err, "rename", errno);
		goto out;
	}
	XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(w->hash));
	hex_encode(canon.digest, 16, c->checksum);
	{
		XXH64_canonical_t fc;

		XXH64_canonicalFromHash(&fc, XXH3_64bits_digest(w->fhash));
		hex_encode(fc.digest, 8, c->file_checksum);
	}
	c->file = xstrdup(w->name);
	c->rows = w->rows;
	c->raw_bytes = w->raw_bytes;
	c->bytes = w->file_bytes;
	ret = 0;
out:
	strbuf_release(&fin);
	if (ret < 0) {
		chunk_writer_abort(w);
		return ret;
	}
	strbuf_release(&w->tmp_path);	/* renamed: nothing to unlink */
	chunk_writer_abort(w);
	return ret;
}

void
chunk_writer_abort(struct chunk_writer *w)
{
	if (!w)
		return;
	if (w->compressor_running) {
		/* returns at once when the compressor failed and left */
		blockq_push(w->q, BLK_ABORT, NULL, NULL);
		pthread_join(w->compressor, NULL);
	}
	blockq_free(w->q);
	strbuf_release(&w->zin);
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp_path.len)
		unlink(w->tmp_path.buf);
	strbuf_release(&w->tmp_path);
	strbuf_release(&w->raw);
	ZSTD_freeCCtx(w->cctx);
	if (w->hash)
		XXH3_freeState(w->hash);
	if (w->fhash)
		XXH3_freeState(w->fhash);
	free(w->zbuf);
	free(w->dir);
	free(w->name);
	free(w);
}

/* ---- reader ---- */

struct chunk_reader {
	struct strbuf path;
	const struct chunk *c;
	int fd;
	int ncols;
	ZSTD_DCtx *dctx;
	XXH3_state_t *hash;
	XXH3_state_t *fhash;	/* over the file bytes */
	unsigned char *inbuf;
	size_t incap;
	ZSTD_inBuffer in;
	int in_eof;
	int frame_done;
	struct strbuf raw;	/* decompressed, not yet consumed */
	size_t pos;		/* consumed bytes of raw */
	uint64_t raw_total;	/* decompressed so far: never past c->raw_bytes */
	uint64_t rows;
	int header_done;	/* magic and column count checked */
	int ended;
};

static int
reader_bad(struct chunk_reader *r, struct dberr *err, const char *why)
{
	return dberr_set(err, DBERR_DUMP, "chunk '%s' is corrupt or truncated (%s); "
			 "the dump cannot be loaded from this chunk: take a new dump "
			 "or restore the file", r->path.buf, why);
}

struct chunk_reader *
chunk_reader_open(const char *dir, const struct chunk *c, int ncols,
		  struct dberr *err)
{
	struct chunk_reader *r;
	struct stat st;

	if (!dumpfmt_chunk_name_ok(c->file)) {
		dberr_set(err, DBERR_DUMP, "manifest names chunk file '%.64s', which is not "
			  "a valid chunk name; the manifest is corrupt", c->file);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = -1;
	r->c = c;
	r->ncols = ncols;
	strbuf_addf(&r->path, "%s/%s", dir, c->file);
	/* O_NONBLOCK: a FIFO planted under a chunk's name must not hang the
	 * open; fstat below refuses anything but a regular file. */
	r->fd = open(r->path.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (r->fd < 0) {
		dberr_set(err, DBERR_DUMP, "cannot open chunk '%s': %s; the dump is "
			  "incomplete", r->path.buf, strerror(errno));
		goto fail;
	}
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		reader_bad(r, err, "not a regular file");
		goto fail;
	}
	if ((uint64_t)st.st_size != c->bytes) {
		char why[128];

		snprintf(why, sizeof(why), "%lld bytes on disk, manifest says %llu",
			 (long long)st.st_size, (unsigned long long)c->bytes);
		reader_bad(r, err, why);
		goto fail;
	}
	r->dctx = ZSTD_createDCtx();
	r->hash = XXH3_createState();
	r->fhash = XXH3_createState();
	XXH3_128bits_reset(r->hash);
	XXH3_64bits_reset(r->fhash);
	/* Bounds the window a hostile frame can ask for (8 MiB is what
	 * levels 1-19 of our writer use at most; 2^27 allows headroom). */
	ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax, 27);
	r->incap = ZSTD_DStreamInSize();
	r->inbuf = xmalloc(r->incap);
	r->in.src = r->inbuf;
	return r;
fail:
	chunk_reader_close(r);
	return NULL;
}

/* Decompresses more into r->raw. Returns 1 on progress, 0 at clean EOF, -1. */
static int
reader_fill(struct chunk_reader *r, struct dberr *err)
{
	unsigned char out[128 * 1024];

	/* Keep the unconsumed tail; drop the rest. */
	if (r->pos) {
		memmove(r->raw.buf, r->raw.buf + r->pos, r->raw.len - r->pos);
		r->raw.len -= r->pos;
		r->pos = 0;
	}
	for (;;) {
		if (r->in.pos == r->in.size && !r->in_eof) {
			ssize_t n = read(r->fd, r->inbuf, r->incap);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return dberr_set(err, DBERR_DUMP, "cannot read chunk '%s': %s",
						 r->path.buf, strerror(errno));
			}
			if (n == 0)
				r->in_eof = 1;
			else
				XXH3_64bits_update(r->fhash, r->inbuf, (size_t)n);
			r->in.size = (size_t)n;
			r->in.pos = 0;
		}
		if (r->in.pos == r->in.size && r->in_eof) {
			if (!r->frame_done)
				return reader_bad(r, err, "the zstd stream ends early");
			return 0;
		}
		if (r->frame_done)
			return reader_bad(r, err, "data after the end of the zstd frame");
		ZSTD_outBuffer o = { out, sizeof(out), 0 };
		size_t rc = ZSTD_decompressStream(r->dctx, &o, &r->in);

		if (ZSTD_isError(rc)) {
			char why[160];

			snprintf(why, sizeof(why), "zstd: %s", ZSTD_getErrorName(rc));
			return reader_bad(r, err, why);
		}
		if (rc == 0)
			r->frame_done = 1;
		/* A few kilobytes can inflate to gigabytes: the size the
		 * manifest declares bounds the memory (SPEC.md section 4). */
		r->raw_total += o.pos;
		if (r->raw_total > r->c->raw_bytes) {
			char why[160];

			snprintf(why, sizeof(why), "it decompresses to more than the %llu bytes "
				 "the manifest declares", (unsigned long long)r->c->raw_bytes);
			return reader_bad(r, err, why);
		}
		if (o.pos) {
			XXH3_128bits_update(r->hash, out, o.pos);
			strbuf_add(&r->raw, out, o.pos);
			return 1;
		}
	}
}

int
chunk_reader_next(struct chunk_reader *r, struct value *vals, struct dberr *err)
{
	char emsg[200];

	if (r->ended)
		return 0;
	for (;;) {
		const unsigned char *p = (const unsigned char *)r->raw.buf + r->pos;
		size_t avail = r->raw.len - r->pos, used = 0;
		uint64_t endrows = 0;
		enum canon_status st;
		int f;

		if (!r->header_done) {
			uint64_t nc;
			size_t k;

			if (avail >= 9) {
				if (memcmp(p, DUMPFMT_CHUNK_MAGIC, 8))
					return reader_bad(r, err, "bad magic");
				k = get_uvarint(p + 8, avail - 8, &nc);
				if (k) {
					if (nc != (uint64_t)r->ncols)
						return reader_bad(r, err, "column count differs from the manifest");
					r->pos += 8 + k;
					r->header_done = 1;
					continue;
				}
				if (avail - 8 >= 10)
					return reader_bad(r, err, "bad header");
			}
			goto more;
		}
		st = canon_decode(p, avail, r->ncols, vals, &used, &endrows, emsg, sizeof(emsg));
		if (st == CANON_BAD)
			return reader_bad(r, err, emsg);
		if (st == CANON_ROW) {
			r->pos += used;
			r->rows++;
			/* Rows are handed out before the checksum is known; the
			 * loader aborts its transaction if the end fails. */
			return 1;
		}
		if (st == CANON_END) {
			XXH128_canonical_t canon;
			char hex[33];

			r->pos += used;
			if (endrows != r->rows)
				return reader_bad(r, err, "end marker row count mismatch");
			/* Drain: the frame must end exactly here. */
			while ((f = reader_fill(r, err)) > 0)
				if (r->raw.len - r->pos)
					return reader_bad(r, err, "data after the end marker");
			if (f < 0)
				return -1;
			if (r->raw.len - r->pos)
				return reader_bad(r, err, "data after the end marker");
			if (r->rows != r->c->rows) {
				char why[128];

				snprintf(why, sizeof(why), "%llu rows, manifest says %llu",
					 (unsigned long long)r->rows,
					 (unsigned long long)r->c->rows);
				return reader_bad(r, err, why);
			}
			XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(r->hash));
			hex_encode(canon.digest, 16, hex);
			if (strcmp(hex, r->c->checksum))
				return reader_bad(r, err, "checksum mismatch");
			{
				XXH64_canonical_t fc;

				/* Catches changes that decompress to the same rows
				 * too: a dump file is either intact or refused. */
				XXH64_canonicalFromHash(&fc, XXH3_64bits_digest(r->fhash));
				hex_encode(fc.digest, 8, hex);
				if (strcmp(hex, r->c->file_checksum))
					return reader_bad(r, err, "file checksum mismatch");
			}
			r->ended = 1;
			return 0;
		}
more:
		f = reader_fill(r, err);
		if (f < 0)
			return -1;
		if (f == 0)
			return reader_bad(r, err, "the row stream ends before its end marker");
	}
}

void
chunk_reader_close(struct chunk_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	if (r->hash)
		XXH3_freeState(r->hash);
	if (r->fhash)
		XXH3_freeState(r->fhash);
	free(r->inbuf);
	strbuf_release(&r->raw);
	strbuf_release(&r->path);
	free(r);
}

int
chunk_check(const char *dir, const struct chunk *c, int ncols, struct dberr *err)
{
	struct value *vals = xcalloc((size_t)ncols + 1, sizeof(*vals));
	struct chunk_reader *r = chunk_reader_open(dir, c, ncols, err);
	int st = -1;

	if (r)
		while ((st = chunk_reader_next(r, vals, err)) == 1)
			;
	chunk_reader_close(r);
	free(vals);
	return st;
}
