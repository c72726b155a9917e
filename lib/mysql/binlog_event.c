/*
 * binlog_event.c - one binary log event: its header and CRC32, and the
 * bodies of the events cdc-tail acts on (binlog.h). Every read is
 * checked against the event's end.
 */
#include "binlog.h"
#include "binlog_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/crc.h"
#include "lib/base/banned.h"

int
binlog_fail(char *emsg, size_t emsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(emsg, emsz, fmt, ap);
	va_end(ap);
	return -1;
}

uint32_t
binlog_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	return crc32_update(crc, p, n);
}

int
binlog_get_packed(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char *q = *p;
	int n;

	if (q >= end)
		return -1;
	switch (*q) {
	case 251: return -1;	/* NULL: never a length */
	case 252: n = 2; break;
	case 253: n = 3; break;
	case 254: n = 8; break;
	case 255: return -1;
	default:
		*v = *q;
		*p = q + 1;
		return 0;
	}
	if (end - q - 1 < n)
		return -1;
	*v = binlog_le(q + 1, n);
	*p = q + 1 + n;
	return 0;
}

/* The post-header length of type as the FORMAT_DESCRIPTION gave it, or
 * the one today's servers use. */
static size_t
post_header_len(const struct binlog_format *fmt, uint8_t type, size_t dflt)
{
	if (type >= 1 && type - 1 < fmt->npost)
		return fmt->post_header[type - 1];
	return dflt;
}

int
binlog_event_parse(const struct binlog_format *fmt, const unsigned char *p, size_t n,
		   struct binlog_event *ev, char *emsg, size_t emsz)
{
	size_t tail;

	memset(ev, 0, sizeof(*ev));
	if (n < BINLOG_HEADER_LEN)
		return binlog_fail(emsg, emsz, "an event of %zu bytes, shorter than its header", n);
	ev->timestamp = (uint32_t)binlog_le(p, 4);
	ev->type = p[4];
	ev->server_id = (uint32_t)binlog_le(p + 5, 4);
	ev->size = (uint32_t)binlog_le(p + 9, 4);
	ev->next_pos = (uint32_t)binlog_le(p + 13, 4);
	ev->flags = (uint16_t)binlog_le(p + 17, 2);
	if (ev->size != n)
		return binlog_fail(emsg, emsz, "an event (type %u) that says it has %" PRIu32 " bytes "
			    "came with %zu", ev->type, ev->size, n);
	ev->raw = p;
	ev->raw_len = n;
	/* a FORMAT_DESCRIPTION names its own checksum (binlog_format_parse) */
	tail = fmt->checksum && ev->type != BL_FORMAT_DESCRIPTION ? BINLOG_CHECKSUM_LEN : 0;
	if (n < BINLOG_HEADER_LEN + tail)
		return binlog_fail(emsg, emsz, "an event (type %u) of %zu bytes has no room for its "
			    "checksum", ev->type, n);
	if (tail) {
		uint32_t want = (uint32_t)binlog_le(p + n - 4, 4);
		uint32_t got = binlog_crc32(0, p, n - 4);

		if (want != got)
			return binlog_fail(emsg, emsz, "an event (type %u, ending at %" PRIu32 ") fails its "
				    "CRC32 checksum (%08" PRIx32 ", computed %08" PRIx32 "): the "
				    "binary log or the connection damaged it", ev->type,
				    ev->next_pos, want, got);
	}
	ev->body = p + BINLOG_HEADER_LEN;
	ev->body_len = n - BINLOG_HEADER_LEN - tail;
	return 0;
}

int
binlog_format_parse(const struct binlog_event *ev, int mariadb, struct binlog_format *fmt,
		    char *emsg, size_t emsz)
{
	const unsigned char *b = ev->body;
	size_t n = ev->body_len, npost;
	uint8_t alg;

	if (ev->type != BL_FORMAT_DESCRIPTION)
		return binlog_fail(emsg, emsz, "not a FORMAT_DESCRIPTION event (type %u)", ev->type);
	/* version, server version, create time, header length, at least
	 * the post-header lengths up to the rows events, then the checksum
	 * algorithm and a CRC32 (5.6.1 and MariaDB 5.3 on: older ones are
	 * refused by the pre-flight) */
	if (n < 2 + 50 + 4 + 1 + 5 + 1)
		return binlog_fail(emsg, emsz, "a FORMAT_DESCRIPTION event of %zu bytes is too short", n);
	if (binlog_le(b, 2) != 4)
		return binlog_fail(emsg, emsz, "binary log version %u: only version 4 (MySQL 5.0 and "
			    "later, MariaDB) is read", (unsigned)binlog_le(b, 2));
	memset(fmt, 0, sizeof(*fmt));
	memcpy(fmt->server_version, b + 2, 50);
	fmt->server_version[50] = '\0';
	fmt->header_len = b[56];
	if (fmt->header_len != BINLOG_HEADER_LEN)
		return binlog_fail(emsg, emsz, "a FORMAT_DESCRIPTION with %u-byte event headers (19 "
			    "expected)", fmt->header_len);
	alg = b[n - 5];
	if (alg != 0 && alg != 1)
		return binlog_fail(emsg, emsz, "binlog checksum algorithm %u: dbmig reads NONE and "
			    "CRC32", alg);
	if (alg == 1) {
		uint32_t want = (uint32_t)binlog_le(ev->raw + ev->raw_len - 4, 4);

		if (binlog_crc32(0, ev->raw, ev->raw_len - 4) != want)
			return binlog_fail(emsg, emsz, "the FORMAT_DESCRIPTION event fails its CRC32 "
				    "checksum: the binary log or the connection damaged it");
	}
	fmt->checksum = alg == 1;
	fmt->mariadb = mariadb || strstr(fmt->server_version, "MariaDB") != NULL;
	npost = n - 57 - 5;
	if (npost > sizeof(fmt->post_header))
		npost = sizeof(fmt->post_header);
	memcpy(fmt->post_header, b + 57, npost);
	fmt->npost = (int)npost;
	return 0;
}

int
binlog_rotate_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		    struct binlog_rotate *out, char *emsg, size_t emsz)
{
	size_t ph = post_header_len(fmt, BL_ROTATE, 8), name;

	if (ph != 8 || ev->body_len < 8)
		return binlog_fail(emsg, emsz, "a ROTATE event of %zu bytes is too short", ev->body_len);
	out->pos = binlog_le(ev->body, 8);
	name = ev->body_len - 8;
	if (name == 0 || name >= sizeof(out->file))
		return binlog_fail(emsg, emsz, "a ROTATE event names a file of %zu bytes", name);
	memcpy(out->file, ev->body + 8, name);
	out->file[name] = '\0';
	if (strlen(out->file) != name || strchr(out->file, '/'))
		return binlog_fail(emsg, emsz, "a ROTATE event names no plain file");
	return 0;
}

int
binlog_query_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		   struct binlog_query *out, char *emsg, size_t emsz)
{
	size_t ph = post_header_len(fmt, BL_QUERY, 13), vars, dblen, off;
	const unsigned char *b = ev->body;

	if (ph < 13 || ev->body_len < ph)
		return binlog_fail(emsg, emsz, "a QUERY event of %zu bytes is too short", ev->body_len);
	out->thread_id = (uint32_t)binlog_le(b, 4);
	dblen = b[8];
	out->error_code = (uint16_t)binlog_le(b + 9, 2);
	vars = binlog_le(b + 11, 2);
	off = ph + vars;
	if (off > ev->body_len || ev->body_len - off < dblen + 1)
		return binlog_fail(emsg, emsz, "a QUERY event's lengths (status %zu, database %zu) run "
			    "past its %zu bytes", vars, dblen, ev->body_len);
	memcpy(out->db, b + off, dblen);
	out->db[dblen] = '\0';
	off += dblen + 1;
	out->sql = (const char *)b + off;
	out->sql_len = ev->body_len - off;
	return 0;
}

int
binlog_xid_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		 uint64_t *xid, char *emsg, size_t emsz)
{
	(void)fmt;
	if (ev->body_len < 8)
		return binlog_fail(emsg, emsz, "an XID event of %zu bytes is too short", ev->body_len);
	*xid = binlog_le(ev->body, 8);
	return 0;
}

int
binlog_gtid_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		  struct binlog_gtid *out, char *emsg, size_t emsz)
{
	const unsigned char *b = ev->body;

	(void)fmt;
	memset(out, 0, sizeof(*out));
	if (ev->type == BL_MARIADB_GTID) {
		if (ev->body_len < 13)
			return binlog_fail(emsg, emsz, "a GTID event of %zu bytes is too short",
				    ev->body_len);
		out->mariadb = 1;
		out->seq = binlog_le(b, 8);
		out->domain = (uint32_t)binlog_le(b + 8, 4);
		out->flags = b[12];
		out->server_id = ev->server_id;
		snprintf(out->text, sizeof(out->text), "%" PRIu32 "-%" PRIu32 "-%" PRIu64,
			 out->domain, out->server_id, out->seq);
		return 0;
	}
	if (ev->type == BL_MYSQL_GTID || ev->type == BL_MYSQL_ANONYMOUS_GTID) {
		static const char hex[] = "0123456789abcdef";
		char *t = out->text;

		if (ev->body_len < 1 + 16 + 8)
			return binlog_fail(emsg, emsz, "a GTID event of %zu bytes is too short",
				    ev->body_len);
		out->flags = b[0];
		out->seq = binlog_le(b + 17, 8);
		for (int i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				*t++ = '-';
			*t++ = hex[b[1 + i] >> 4];
			*t++ = hex[b[1 + i] & 15];
		}
		snprintf(t, sizeof(out->text) - (size_t)(t - out->text), ":%" PRIu64, out->seq);
		if (ev->type == BL_MYSQL_ANONYMOUS_GTID)
			out->text[0] = '\0';	/* gtid_mode OFF: no GTID */
		return 0;
	}
	return binlog_fail(emsg, emsz, "not a GTID event (type %u)", ev->type);
}

int
binlog_gtid_list_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		       struct strbuf *out, char *emsg, size_t emsz)
{
	uint32_t count;

	(void)fmt;
	if (ev->body_len < 4)
		return binlog_fail(emsg, emsz, "a GTID_LIST event of %zu bytes is too short", ev->body_len);
	count = (uint32_t)binlog_le(ev->body, 4) & 0x0fffffffu;
	if ((ev->body_len - 4) / 16 < count)
		return binlog_fail(emsg, emsz, "a GTID_LIST event of %zu bytes says it holds %" PRIu32
			    " GTIDs", ev->body_len, count);
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *g = ev->body + 4 + 16 * (size_t)i;

		strbuf_addf(out, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, i ? "," : "",
			    (uint32_t)binlog_le(g, 4), (uint32_t)binlog_le(g + 4, 4), binlog_le(g + 8, 8));
	}
	return 0;
}

void
binlog_table_map_release(struct binlog_table_map *tm)
{
	free(tm->cols);
	free(tm->label_ptrs);
	strbuf_release(&tm->store);
	memset(tm, 0, sizeof(*tm));
}

/* Splits the 2-byte metadata of a STRING column: a CHAR longer than 255
 * bytes keeps the high bits of its length in the type byte, and an ENUM
 * or SET travels as a STRING whose real type is in the metadata. */
static void
string_meta(struct binlog_column *c)
{
	unsigned b0 = c->meta >> 8, b1 = c->meta & 0xff;

	if (b0 && (b0 & 0x30) != 0x30) {
		c->type = (uint8_t)(b0 | 0x30);
		c->length = (int)(b1 | (((b0 & 0x30) ^ 0x30) << 4));
	} else {
		if (b0)
			c->type = (uint8_t)b0;
		c->length = (int)b1;
	}
}

static int
column_meta(struct binlog_column *c, const unsigned char **p, const unsigned char *end)
{
	int n;

	switch (c->type) {
	case BT_FLOAT: case BT_DOUBLE: case BT_BLOB: case BT_TINY_BLOB: case BT_MEDIUM_BLOB:
	case BT_LONG_BLOB: case BT_GEOMETRY: case BT_JSON: case BT_TIMESTAMP2:
	case BT_DATETIME2: case BT_TIME2:
		n = 1;
		break;
	case BT_VARCHAR: case BT_VAR_STRING: case BT_BIT: case BT_NEWDECIMAL:
	case BT_STRING: case BT_ENUM: case BT_SET:
		n = 2;
		break;
	default:
		n = 0;
	}
	if (end - *p < n)
		return -1;
	if (n == 1)
		c->meta = (*p)[0];
	else if (n == 2 && (c->type == BT_VARCHAR || c->type == BT_VAR_STRING))
		c->meta = (uint16_t)binlog_le(*p, 2);
	else if (n == 2)
		c->meta = (uint16_t)((*p)[0] << 8 | (*p)[1]);	/* type byte first */
	*p += n;
	switch (c->type) {
	case BT_FLOAT: c->length = 4; break;
	case BT_DOUBLE: c->length = 8; break;
	case BT_BLOB: case BT_TINY_BLOB: case BT_MEDIUM_BLOB: case BT_LONG_BLOB:
	case BT_GEOMETRY: case BT_JSON:
		c->length = c->meta;
		if (c->length < 1 || c->length > 4)
			return -1;
		break;
	case BT_TIMESTAMP2: case BT_DATETIME2: case BT_TIME2:
		c->fsp = c->meta;
		if (c->fsp > 6)
			return -1;
		break;
	case BT_VARCHAR: case BT_VAR_STRING:
		c->length = c->meta;
		break;
	case BT_BIT:
		/* bits beyond whole bytes, then whole bytes */
		c->length = (c->meta & 0xff) * 8 + (c->meta >> 8);
		if (c->length < 1 || c->length > 64 || (c->meta >> 8) > 7)
			return -1;
		break;
	case BT_NEWDECIMAL:
		c->precision = c->meta >> 8;
		c->scale = c->meta & 0xff;
		if (c->precision < 1 || c->precision > 65 || c->scale > c->precision ||
		    c->scale > 30)
			return -1;
		break;
	case BT_STRING: case BT_ENUM: case BT_SET:
		string_meta(c);
		if ((c->type == BT_ENUM && c->length != 1 && c->length != 2) ||
		    (c->type == BT_SET && (c->length < 1 || c->length > 8)))
			return -1;
		break;
	default:
		break;
	}
	return 0;
}

static int
is_numeric(uint8_t t)
{
	return t == BT_TINY || t == BT_SHORT || t == BT_INT24 || t == BT_LONG ||
	       t == BT_LONGLONG || t == BT_NEWDECIMAL || t == BT_FLOAT || t == BT_DOUBLE ||
	       t == BT_DECIMAL;
}

static int
is_character(uint8_t t)
{
	/* GEOMETRY too: its field is a BLOB's (MySQL's and MariaDB's own
	 * is_character_type say so, and a captured TABLE_MAP agrees) */
	return t == BT_STRING || t == BT_VAR_STRING || t == BT_VARCHAR || t == BT_BLOB ||
	       t == BT_TINY_BLOB || t == BT_MEDIUM_BLOB || t == BT_LONG_BLOB || t == BT_GEOMETRY;
}

/* The i-th column (0-based) that pred holds, or -1. */
static int
nth_column(const struct binlog_table_map *tm, int (*pred)(uint8_t), uint64_t i)
{
	for (int k = 0; k < tm->ncols; k++)
		if (pred(tm->cols[k].type) && i-- == 0)
			return k;
	return -1;
}

static int is_enum(uint8_t t) { return t == BT_ENUM; }
static int is_set(uint8_t t) { return t == BT_SET; }
static int is_enum_or_set(uint8_t t) { return t == BT_ENUM || t == BT_SET; }

/* DEFAULT_CHARSET: a default, then (column, collation) pairs that
 * differ from it; over the columns pred selects. */
static int
charset_default(struct binlog_table_map *tm, int (*pred)(uint8_t), const unsigned char *p,
		const unsigned char *end)
{
	uint64_t dflt, idx, coll;
	int k;

	if (binlog_get_packed(&p, end, &dflt) < 0)
		return -1;
	for (k = 0; k < tm->ncols; k++)
		if (pred(tm->cols[k].type))
			tm->cols[k].charset = (int)dflt;
	while (p < end) {
		if (binlog_get_packed(&p, end, &idx) < 0 || binlog_get_packed(&p, end, &coll) < 0 ||
		    (k = nth_column(tm, pred, idx)) < 0)
			return -1;
		tm->cols[k].charset = (int)coll;
	}
	return 0;
}

static int
charset_each(struct binlog_table_map *tm, int (*pred)(uint8_t), const unsigned char *p,
	     const unsigned char *end)
{
	uint64_t coll;

	for (int k = 0; k < tm->ncols; k++) {
		if (!pred(tm->cols[k].type))
			continue;
		if (binlog_get_packed(&p, end, &coll) < 0)
			return -1;
		tm->cols[k].charset = (int)coll;
	}
	return p == end ? 0 : -1;
}

/* ENUM_STR_VALUE / SET_STR_VALUE: per column, a count and the members.
 * The strings go to tm->store as offsets, pointed to at the end. */
struct label_ref {
	int col;
	size_t off;
};

static int
labels_read(struct binlog_table_map *tm, int (*pred)(uint8_t), const unsigned char *p,
	    const unsigned char *end, struct label_ref **refs, size_t *nrefs, size_t *alloc)
{
	for (int k = 0; k < tm->ncols; k++) {
		uint64_t count, len;

		if (!pred(tm->cols[k].type))
			continue;
		if (binlog_get_packed(&p, end, &count) < 0 || count > 65535 ||
		    count > (uint64_t)(end - p))
			return -1;
		tm->cols[k].nlabels = (int)count;
		for (uint64_t i = 0; i < count; i++) {
			if (binlog_get_packed(&p, end, &len) < 0 || len > (uint64_t)(end - p))
				return -1;
			if (*nrefs == *alloc) {
				*alloc = *alloc ? 2 * *alloc : 16;
				*refs = xrealloc(*refs, *alloc * sizeof(**refs));
			}
			(*refs)[*nrefs].col = k;
			(*refs)[*nrefs].off = tm->store.len;
			(*nrefs)++;
			strbuf_add(&tm->store, p, (size_t)len);
			strbuf_addch(&tm->store, '\0');
			p += len;
		}
	}
	return p == end ? 0 : -1;
}

/* The optional metadata after the null bitmap (binlog_row_metadata). */
static int
optional_meta(struct binlog_table_map *tm, const unsigned char *p, const unsigned char *end,
	      char *emsg, size_t emsz)
{
	struct label_ref *refs = NULL;
	size_t nrefs = 0, alloc = 0, name_off[4096];
	int named = 0, ret = -1;

	if (tm->ncols > 4096)
		return binlog_fail(emsg, emsz, "a TABLE_MAP of %d columns", tm->ncols);
	while (p < end) {
		uint8_t type = *p++;
		uint64_t len;
		const unsigned char *v, *ve;

		if (binlog_get_packed(&p, end, &len) < 0 || len > (uint64_t)(end - p)) {
			binlog_fail(emsg, emsz, "the TABLE_MAP of %s.%s: optional metadata %u runs past "
			     "the event", tm->db, tm->table, type);
			goto out;
		}
		v = p;
		ve = p + len;
		p = ve;
		switch (type) {
		case 1: {	/* SIGNEDNESS: a bit per numeric column, high bit first */
			int i = 0;

			tm->has_signedness = 1;
			for (int k = 0; k < tm->ncols; k++) {
				if (!is_numeric(tm->cols[k].type))
					continue;
				if (v + i / 8 >= ve)
					goto bad;
				tm->cols[k].is_unsigned = (v[i / 8] >> (7 - i % 8)) & 1;
				i++;
			}
			break;
		}
		case 2:		/* DEFAULT_CHARSET */
		case 3:		/* COLUMN_CHARSET */
			tm->has_charsets = 1;
			if ((type == 2 ? charset_default : charset_each)(tm, is_character, v, ve) < 0)
				goto bad;
			break;
		case 10:	/* ENUM_AND_SET_DEFAULT_CHARSET */
		case 11:	/* ENUM_AND_SET_COLUMN_CHARSET */
			if ((type == 10 ? charset_default : charset_each)(tm, is_enum_or_set, v,
									  ve) < 0)
				goto bad;
			break;
		case 4:		/* COLUMN_NAME */
			for (int k = 0; k < tm->ncols; k++) {
				if (binlog_get_packed(&v, ve, &len) < 0 ||
				    len > (uint64_t)(ve - v))
					goto bad;
				name_off[k] = tm->store.len;
				strbuf_add(&tm->store, v, (size_t)len);
				strbuf_addch(&tm->store, '\0');
				tm->cols[k].name_len = (size_t)len;
				v += len;
			}
			named = 1;
			break;
		case 5:		/* SET_STR_VALUE */
		case 6:		/* ENUM_STR_VALUE */
			tm->has_labels = 1;
			if (labels_read(tm, type == 5 ? is_set : is_enum, v, ve, &refs, &nrefs,
					&alloc) < 0)
				goto bad;
			break;
		case 8:		/* SIMPLE_PRIMARY_KEY */
		case 9: {	/* PRIMARY_KEY_WITH_PREFIX */
			uint64_t idx, prefix;

			tm->has_pk = 1;
			for (int k = 0; k < tm->ncols; k++)
				tm->cols[k].in_pk = 0;
			while (v < ve) {
				if (binlog_get_packed(&v, ve, &idx) < 0 || idx >= (uint64_t)tm->ncols ||
				    (type == 9 && binlog_get_packed(&v, ve, &prefix) < 0))
					goto bad;
				tm->cols[idx].in_pk = 1;
			}
			break;
		}
		default:	/* geometry types, visibility, and what comes later */
			break;
		}
		continue;
bad:
		binlog_fail(emsg, emsz, "the TABLE_MAP of %s.%s: optional metadata %u does not match its "
		     "%d columns", tm->db, tm->table, type, tm->ncols);
		goto out;
	}
	/* the store has stopped growing: point into it */
	if (named) {
		tm->has_names = 1;
		for (int k = 0; k < tm->ncols; k++)
			tm->cols[k].name = tm->store.buf + name_off[k];
	}
	if (nrefs) {
		const char **ptrs = xcalloc(nrefs, sizeof(*ptrs));
		size_t i = 0;

		/* the SET members came before the ENUM ones: by column */
		tm->label_ptrs = ptrs;
		for (int k = 0; k < tm->ncols; k++) {
			if (tm->cols[k].nlabels <= 0)
				continue;
			tm->cols[k].labels = ptrs + i;
			for (size_t r = 0; r < nrefs; r++)
				if (refs[r].col == k)
					ptrs[i++] = tm->store.buf + refs[r].off;
		}
	}
	ret = 0;
out:
	free(refs);
	return ret;
}

int
binlog_table_map_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		       struct binlog_table_map *tm, char *emsg, size_t emsz)
{
	size_t ph = post_header_len(fmt, BL_TABLE_MAP, 8), idlen = ph == 6 ? 4 : 6, len;
	const unsigned char *p = ev->body, *end = ev->body + ev->body_len, *types, *nulls;
	uint64_t ncols, mlen;

	binlog_table_map_release(tm);
	if (ph != 6 && ph != 8)
		return binlog_fail(emsg, emsz, "a TABLE_MAP post-header of %zu bytes", ph);
	if (ev->body_len < ph + 1)
		goto short_event;
	tm->table_id = binlog_le(p, (int)idlen);
	p += ph;
	for (int part = 0; part < 2; part++) {
		char *dst = part ? tm->table : tm->db;

		if (p >= end)
			goto short_event;
		len = *p++;
		if ((size_t)(end - p) < len + 1 || p[len] != '\0')
			goto short_event;
		memcpy(dst, p, len);
		dst[len] = '\0';
		p += len + 1;
	}
	if (binlog_get_packed(&p, end, &ncols) < 0 || ncols == 0 || ncols > 4096 ||
	    ncols > (uint64_t)(end - p))
		goto short_event;
	tm->ncols = (int)ncols;
	types = p;
	p += ncols;
	if (binlog_get_packed(&p, end, &mlen) < 0 || mlen > (uint64_t)(end - p))
		goto short_event;
	tm->cols = xcalloc((size_t)ncols, sizeof(*tm->cols));
	{
		const unsigned char *m = p, *mend = p + mlen;

		for (int k = 0; k < tm->ncols; k++) {
			struct binlog_column *c = &tm->cols[k];

			c->type = types[k];
			c->is_unsigned = -1;
			c->charset = -1;
			c->nlabels = -1;
			c->in_pk = -1;
			if (column_meta(c, &m, mend) < 0)
				return binlog_fail(emsg, emsz, "the TABLE_MAP of %s.%s: the metadata of "
					    "column %d (type %u) is cut short or impossible", tm->db,
					    tm->table, k + 1, types[k]);
		}
		if (m != mend)
			return binlog_fail(emsg, emsz, "the TABLE_MAP of %s.%s: %zu bytes of column "
				    "metadata left over", tm->db, tm->table, (size_t)(mend - m));
	}
	p += mlen;
	if ((size_t)(end - p) < (ncols + 7) / 8)
		goto short_event;
	nulls = p;
	for (int k = 0; k < tm->ncols; k++)
		tm->cols[k].nullable = (nulls[k / 8] >> (k % 8)) & 1;
	p += (ncols + 7) / 8;
	return optional_meta(tm, p, end, emsg, emsz);
short_event:
	return binlog_fail(emsg, emsz, "a TABLE_MAP event of %zu bytes is cut short", ev->body_len);
}

int
binlog_rows_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		  struct binlog_rows *out, char *emsg, size_t emsz)
{
	int v2 = ev->type >= BL_WRITE_ROWS_V2 && ev->type <= BL_DELETE_ROWS_V2;
	size_t ph = post_header_len(fmt, ev->type, v2 ? 10 : 8), bm;
	const unsigned char *p = ev->body, *end = ev->body + ev->body_len;
	uint64_t ncols;

	memset(out, 0, sizeof(*out));
	switch (ev->type) {
	case BL_WRITE_ROWS_V1: case BL_WRITE_ROWS_V2: out->kind = 'I'; break;
	case BL_UPDATE_ROWS_V1: case BL_UPDATE_ROWS_V2: out->kind = 'U'; break;
	case BL_DELETE_ROWS_V1: case BL_DELETE_ROWS_V2: out->kind = 'D'; break;
	default:
		return binlog_fail(emsg, emsz, "not a rows event (type %u)", ev->type);
	}
	if (ph < 6 || ev->body_len < ph)
		goto short_event;
	if (ph == 6) {
		out->table_id = binlog_le(p, 4);
		out->flags = (uint16_t)binlog_le(p + 4, 2);
	} else {
		out->table_id = binlog_le(p, 6);
		out->flags = (uint16_t)binlog_le(p + 6, 2);
	}
	p += ph;
	if (v2) {
		/* the extra data's length counts its own two bytes */
		size_t extra = binlog_le(ev->body + ph - 2, 2);

		if (ph != 10 || extra < 2 || (size_t)(end - p) < extra - 2)
			goto short_event;
		p += extra - 2;
	}
	if (binlog_get_packed(&p, end, &ncols) < 0 || ncols == 0 || ncols > 4096)
		goto short_event;
	out->ncols = (int)ncols;
	bm = (size_t)(ncols + 7) / 8;
	if ((size_t)(end - p) < bm * (out->kind == 'U' ? 2 : 1))
		goto short_event;
	out->present = p;
	p += bm;
	if (out->kind == 'U') {
		out->present_after = p;
		p += bm;
	}
	out->data = p;
	out->len = (size_t)(end - p);
	return 0;
short_event:
	return binlog_fail(emsg, emsz, "a rows event of %zu bytes is cut short", ev->body_len);
}
