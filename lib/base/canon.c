/*
 * canon.c - encoding and decoding of canonical rows and array payloads.
 * The decoder treats its input as hostile: every length is checked
 * against what is left in the buffer and against the CANON_MAX_* limits.
 */
#include "canon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void
canon_put_be(struct strbuf *out, uint64_t v, int nbytes)
{
	unsigned char b[8];

	for (int i = 0; i < nbytes; i++)
		b[i] = (unsigned char)(v >> (8 * (nbytes - 1 - i)));
	strbuf_add(out, b, (size_t)nbytes);
}

void
canon_put_float(struct strbuf *out, double v, int nbytes)
{
	if (nbytes == 4) {
		float f = (float)v;
		uint32_t bits;

		memcpy(&bits, &f, 4);
		canon_put_be(out, bits, 4);
	} else {
		uint64_t bits;

		memcpy(&bits, &v, 8);
		canon_put_be(out, bits, 8);
	}
}

double
canon_get_float(const unsigned char *p, int nbytes)
{
	if (nbytes == 4) {
		uint32_t bits = (uint32_t)canon_get_be(p, 4);
		float f;

		memcpy(&f, &bits, 4);
		return f;
	} else {
		uint64_t bits = canon_get_be(p, 8);
		double d;

		memcpy(&d, &bits, 8);
		return d;
	}
}

uint64_t
canon_get_be(const unsigned char *p, int nbytes)
{
	uint64_t v = 0;

	for (int i = 0; i < nbytes; i++)
		v = (v << 8) | p[i];
	return v;
}

void
canon_values_from_offsets(const struct strbuf *buf, const size_t *offs, int n,
			  struct value *vals)
{
	for (int i = 0; i < n; i++) {
		size_t end = buf->len;

		vals[i].isnull = offs[i] == SIZE_MAX;
		vals[i].p = NULL;
		vals[i].len = 0;
		if (vals[i].isnull)
			continue;
		for (int k = i + 1; k < n; k++)
			if (offs[k] != SIZE_MAX) {
				end = offs[k];
				break;
			}
		vals[i].p = (const unsigned char *)strbuf_cstr(buf) + offs[i];
		vals[i].len = end - offs[i];
	}
}

int
canon_is_zero_date(const unsigned char *p, size_t n)
{
	return n >= 10 && (!memcmp(p, "0000", 4) || !memcmp(p + 5, "00", 2) ||
			   !memcmp(p + 8, "00", 2));
}

void
canon_row_encode(struct strbuf *out, const struct value *v, int ncols)
{
	strbuf_addch(out, 0x01);
	for (int i = 0; i < ncols; i++) {
		if (v[i].isnull) {
			strbuf_addch(out, 0x00);
			continue;
		}
		strbuf_addch(out, 0x01);
		put_uvarint(out, v[i].len);
		strbuf_add(out, v[i].p, v[i].len);
	}
}

void
canon_end_encode(struct strbuf *out, uint64_t rows)
{
	strbuf_addch(out, 0x00);
	put_uvarint(out, rows);
}

/* Decodes one framed value; returns bytes used, 0 for "need more", -1 bad. */
static long
decode_value(const unsigned char *p, size_t n, struct value *v, char *emsg,
	     size_t emsz)
{
	uint64_t len;
	size_t k;

	if (n < 1)
		return 0;
	if (p[0] == 0x00) {
		v->isnull = 1;
		v->p = NULL;
		v->len = 0;
		return 1;
	}
	if (p[0] != 0x01) {
		snprintf(emsg, emsz, "bad value tag 0x%02x", p[0]);
		return -1;
	}
	k = get_uvarint(p + 1, n - 1, &len);
	if (!k) {
		if (n - 1 >= 10) {
			snprintf(emsg, emsz, "bad value length");
			return -1;
		}
		return 0;
	}
	if (len > CANON_MAX_VALUE) {
		snprintf(emsg, emsz, "value length %llu exceeds the limit of %zu bytes",
			 (unsigned long long)len, CANON_MAX_VALUE);
		return -1;
	}
	if (len > n - 1 - k)
		return 0;
	v->isnull = 0;
	v->p = p + 1 + k;
	v->len = (size_t)len;
	return (long)(1 + k + len);
}

enum canon_status
canon_decode(const unsigned char *p, size_t n, int ncols, struct value *vals,
	     size_t *used, uint64_t *rows, char *emsg, size_t emsz)
{
	size_t off = 1;

	if (n < 1)
		return CANON_MORE;
	if (p[0] == 0x00) {
		size_t k = get_uvarint(p + 1, n - 1, rows);

		if (!k) {
			if (n - 1 >= 10) {
				snprintf(emsg, emsz, "bad end marker");
				return CANON_BAD;
			}
			return CANON_MORE;
		}
		*used = 1 + k;
		return CANON_END;
	}
	if (p[0] != 0x01) {
		snprintf(emsg, emsz, "bad row tag 0x%02x", p[0]);
		return CANON_BAD;
	}
	for (int i = 0; i < ncols; i++) {
		long r = decode_value(p + off, n - off, &vals[i], emsg, emsz);

		if (r < 0)
			return CANON_BAD;
		if (r == 0)
			return CANON_MORE;
		off += (size_t)r;
	}
	*used = off;
	return CANON_ROW;
}

/* Zigzag keeps small negative lower bounds short. */
static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

void
canon_array_encode(struct strbuf *out, const struct canon_array *a)
{
	put_uvarint(out, (uint64_t)a->ndims);
	for (int d = 0; d < a->ndims; d++) {
		put_uvarint(out, (uint64_t)a->dims[d]);
		put_uvarint(out, zigzag(a->lbound[d]));
	}
	for (size_t i = 0; i < a->nelems; i++) {
		if (a->elems[i].isnull) {
			strbuf_addch(out, 0x00);
			continue;
		}
		strbuf_addch(out, 0x01);
		put_uvarint(out, a->elems[i].len);
		strbuf_add(out, a->elems[i].p, a->elems[i].len);
	}
}

int
canon_array_decode(const unsigned char *p, size_t n, struct canon_array *a,
		   char *emsg, size_t emsz)
{
	uint64_t v;
	size_t off = 0, k, total = 1;

	memset(a, 0, sizeof(*a));
	if (!(k = get_uvarint(p, n, &v)) || v > CANON_MAX_DIMS)
		goto bad;
	off += k;
	a->ndims = (int)v;
	for (int d = 0; d < a->ndims; d++) {
		if (!(k = get_uvarint(p + off, n - off, &v)) || v > CANON_MAX_VALUE)
			goto bad;
		off += k;
		a->dims[d] = (int)v;
		total *= (size_t)v;
		if (total > CANON_MAX_VALUE)
			goto bad;
		if (!(k = get_uvarint(p + off, n - off, &v)))
			goto bad;
		off += k;
		int64_t lb = unzigzag(v);

		if (lb < -2147483647 || lb > 2147483647)
			goto bad;
		a->lbound[d] = (int)lb;
	}
	if (a->ndims == 0)
		total = 0;
	/* Each element takes at least one byte: bound the allocation. */
	if (total > n - off)
		goto bad;
	a->nelems = total;
	a->elems = xcalloc(total ? total : 1, sizeof(*a->elems));
	for (size_t i = 0; i < total; i++) {
		long r = decode_value(p + off, n - off, &a->elems[i], emsg, emsz);

		if (r <= 0)
			goto bad;
		off += (size_t)r;
	}
	if (off != n)
		goto bad;
	return 0;
bad:
	canon_array_release(a);
	snprintf(emsg, emsz, "malformed array value");
	return -1;
}

void
canon_array_release(struct canon_array *a)
{
	free(a->elems);
	a->elems = NULL;
	a->nelems = 0;
}

int
canon_array_write(const struct canon_array *a, char open, char close, canon_elem_fn fn,
		  void *arg, struct strbuf *out)
{
	int pos[CANON_MAX_DIMS] = { 0 };
	size_t idx = 0;

	if (a->ndims == 0) {
		strbuf_addch(out, open);
		strbuf_addch(out, close);
		return 0;
	}
	for (int k = 0; k < a->ndims; k++)
		strbuf_addch(out, open);
	for (;;) {
		int k;

		if (fn(arg, &a->elems[idx++], out) < 0)
			return -1;
		/* Advance the odometer, closing and opening lists. */
		for (k = a->ndims - 1; k >= 0; k--) {
			if (++pos[k] < a->dims[k])
				break;
			pos[k] = 0;
			strbuf_addch(out, close);
		}
		if (k < 0)
			return 0;
		strbuf_addch(out, ',');
		for (int j = k + 1; j < a->ndims; j++)
			strbuf_addch(out, open);
	}
}
