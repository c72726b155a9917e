/*
 * tail_output.c - cdc-tail's JSON lines file, exactly once.
 *
 * Transactions are written whole, a batch of them at a time; then the
 * file is fsynced, the file's length and the last transaction's end
 * position go into FILE.pos (written aside and renamed), and only then
 * is the position confirmed to the source. A restart cuts the file back
 * to the length FILE.pos holds (what was written after it goes) and
 * resumes after that position, so no transaction is written twice and
 * none is missed. Standard output has no such record: there a restart
 * resumes at what the source last confirmed.
 */
#include "tail_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/banned.h"

static int
write_all(int fd, const char *p, size_t n, const char *what, struct dberr *err)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return dberr_set(err, DBERR_IO, "writing %s: %s", what, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
output_lines(struct tail_ctx *c, struct dberr *err)
{
	int fd = c->fd >= 0 ? c->fd : STDOUT_FILENO;

	if (write_all(fd, c->buf.buf ? c->buf.buf : "", c->buf.len,
		      c->fd >= 0 ? c->o->output : "standard output", err) < 0)
		return -1;
	c->offset += c->buf.len;
	strbuf_reset(&c->buf);
	return 0;
}

/* FILE.pos: "<length> <position>\n", replaced whole. */
int
output_save_position(struct tail_ctx *c, const struct db_position *pos, struct dberr *err)
{
	struct strbuf tmp = STRBUF_INIT, line = STRBUF_INIT;
	int fd, ret = -1;

	strbuf_addf(&tmp, "%s.tmp", c->pos_file.buf);
	strbuf_addf(&line, "%" PRIu64 " %s\n", c->pending_offset, pos->text);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, line.buf, line.len, tmp.buf, err) < 0 || fsync(fd) < 0 ||
	    rename(tmp.buf, c->pos_file.buf) < 0) {
		if (err->cls == DBERR_NONE)
			dberr_set(err, DBERR_IO, "%s: %s", c->pos_file.buf, strerror(errno));
	} else {
		ret = 0;
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&tmp);
	strbuf_release(&line);
	return ret;
}

/* FILE.pos is checked against FILE before anything is cut or written:
 * the file must hold the length it says, a whole line must end there,
 * and that line must be of a transaction at or before its position. A
 * file deleted, rotated or cut, or a FILE.pos edited, would otherwise
 * be padded with NUL bytes, or continued from the wrong place. */
static int
output_pos_matches(struct tail_ctx *c, uint64_t len, const struct db_position *at,
		   struct dberr *err)
{
	const char *path = c->o->output;
	char tailbuf[65536];
	struct stat st;
	struct db_position lpos;
	const char *why = NULL;
	size_t n = 0, start;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char nowhat[64] = "";

	if (fd < 0 && len == 0)
		return 0;	/* nothing written yet, and the file never made */
	if (fd < 0 || fstat(fd, &st) < 0) {
		why = "the file does not exist";
	} else if ((uint64_t)st.st_size < len) {
		snprintf(nowhat, sizeof(nowhat), "the file has %lld", (long long)st.st_size);
		why = nowhat;
	} else if (len > 0) {
		n = len < sizeof(tailbuf) ? (size_t)len : sizeof(tailbuf);
		if (pread(fd, tailbuf, n, (off_t)(len - n)) != (ssize_t)n)
			why = "the file cannot be read there";
		else if (tailbuf[n - 1] != '\n')
			why = "no whole line ends there";
	}
	if (!why && len > 0) {
		/* the last whole line with a position (a tombstone has none:
		 * its delete comes before it), when it fits in what was read */
		size_t end = n - 1;
		int r = 1;

		for (int tries = 0; r == 1 && tries < 2; tries++) {
			for (start = end; start > 0 && tailbuf[start - 1] != '\n'; start--)
				;
			if (start == 0 && n != len)
				break;
			r = cdc_json_line_position(tailbuf + start, end - start, &lpos);
			if (r < 0 || (r == 0 && !position_at_or_after(at, &lpos)) ||
			    (r == 1 && start == 0))
				why = "the line that ends there is not of a transaction up to its "
				      "position";
			if (start == 0)
				break;
			end = start - 1;
		}
	}
	if (fd >= 0)
		close(fd);
	if (!why)
		return 0;
	return dberr_set(err, DBERR_IO, "%s says %s holds %" PRIu64 " bytes, up to the end of its "
			 "last whole transaction at %s, but %s: the file was deleted, rotated or "
			 "cut, or %s was edited, so nothing is written. Put the file back; or, to "
			 "write the changes after %s into a new file, remove or move %s and put "
			 "\"0 %s\" into %s", c->pos_file.buf, path, len, at->text, why,
			 c->pos_file.buf, at->text, path, at->text, c->pos_file.buf);
}

/* Opens the output: a file that holds an earlier tail's lines is cut
 * back to its last whole transaction and continued after it. */
int
output_open(struct tail_ctx *c, struct dberr *err)
{
	const char *path = c->o->output;
	FILE *pf;
	struct stat st;
	char posbuf[160];
	unsigned long long len;

	c->fd = -1;
	if (!strcmp(path, "-"))
		return 0;
	strbuf_addf(&c->pos_file, "%s.pos", path);
	if ((pf = fopen(c->pos_file.buf, "re"))) {
		int ok = fscanf(pf, "%llu %159s", &len, posbuf) == 2;

		fclose(pf);
		if (!ok || position_parse(&c->from, c->drv->position_kind, posbuf, NULL, 1, 0,
					  err) < 0)
			return dberr_set(err, DBERR_IO, "%s is not a position dbmig wrote: remove "
					 "it and %s to start over", c->pos_file.buf, path);
		if (output_pos_matches(c, len, &c->from, err) < 0)
			return -1;
		c->offset = len;
		log_info("continuing %s after %s (its last whole transaction)", path, posbuf);
	} else if (stat(path, &st) == 0 && st.st_size > 0) {
		return dberr_set(err, DBERR_IO, "%s exists and holds lines, but no %s says where "
				 "they end: write to a new file, or remove it", path, c->pos_file.buf);
	}
	c->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	c->pending_offset = c->offset;
	if (c->fd < 0 || ftruncate(c->fd, (off_t)c->offset) < 0 ||
	    lseek(c->fd, (off_t)c->offset, SEEK_SET) < 0)
		return dberr_set(err, DBERR_IO, "%s: %s", path, strerror(errno));
	/* a new file gets its FILE.pos before its first line, so a tail
	 * killed before its first commit is continued, not refused */
	if (!pf && output_save_position(c, &c->from, err) < 0)
		return -1;
	return 0;
}

/* The transactions written since the last: synced, then FILE.pos says
 * where they end, then the source may forget them. Once per batch, as
 * for a target: a sync per transaction would cost more than the rest. */
int
output_flush(struct tail_ctx *c, struct dberr *err)
{
	if (!c->batch_open)
		return 0;
	if (output_lines(c, err) < 0)
		return -1;
	if (c->fd >= 0 && (fsync(c->fd) < 0 || output_save_position(c, &c->pending, err) < 0)) {
		if (err->cls == DBERR_NONE)
			dberr_set(err, DBERR_IO, "%s: %s", c->o->output, strerror(errno));
		return -1;
	}
	c->batch_open = 0;
	c->res->position = c->pending;
	c->applied_commit_us = c->last_commit_us;
	c->batch_first_us = 0;
	c->res->transactions += c->batch_txns;
	c->batch_txns = c->batch_changes = 0;
	/* only now may the source forget them */
	return c->drv->cdc->stream_confirm(c->s, &c->pending, err);
}

int
output_commit(struct tail_ctx *c, const struct cdc_event *ev, struct dberr *err)
{
	if (!c->batch_open) {
		c->batch_open = 1;
		c->batch_start = now_seconds();
	}
	c->pending = ev->commit_pos;
	c->pending_offset = c->offset + c->buf.len;
	c->batch_txns++;
	if (c->batch_changes >= BATCH_CHANGES || now_seconds() - c->batch_start >= BATCH_SECONDS)
		return output_flush(c, err);
	return c->buf.len > (1u << 20) ? output_lines(c, err) : 0;
}
