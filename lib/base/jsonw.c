/*
 * jsonw.c - see jsonw.h.
 */
#include "jsonw.h"

#include <string.h>

#include "lib/base/banned.h"

/* The code point of the UTF-8 sequence at p (at most n bytes) and its
 * length in *len, or -1 for a byte sequence that is not UTF-8 (overlong
 * forms and surrogates included). */
static long
utf8_next(const unsigned char *p, size_t n, size_t *len)
{
	unsigned long cp;
	size_t need;

	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		need = 2;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		need = 3;
	} else if ((p[0] & 0xf8) == 0xf0) {
		cp = p[0] & 0x07;
		need = 4;
	} else {
		return -1;
	}
	if (n < need)
		return -1;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp < 0xe000))
		return -1;
	*len = need;
	return (long)cp;
}

int
jsonw_string(struct strbuf *out, const void *vp, size_t n)
{
	const unsigned char *p = vp;
	size_t start = out->len, len;

	strbuf_addch(out, '"');
	for (size_t i = 0; i < n; i += len) {
		long cp = utf8_next(p + i, n - i, &len);

		if (cp < 0) {
			strbuf_truncate(out, start);
			return -1;
		}
		switch (cp) {
		case '"': strbuf_addstr(out, "\\\""); break;
		case '\\': strbuf_addstr(out, "\\\\"); break;
		case '\b': strbuf_addstr(out, "\\b"); break;
		case '\f': strbuf_addstr(out, "\\f"); break;
		case '\n': strbuf_addstr(out, "\\n"); break;
		case '\r': strbuf_addstr(out, "\\r"); break;
		case '\t': strbuf_addstr(out, "\\t"); break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp < 0x10000))
				strbuf_addf(out, "\\u%04lx", (unsigned long)cp);
			else if (cp >= 0x10000)
				strbuf_addf(out, "\\u%04lx\\u%04lx",
					    0xd800 + ((unsigned long)(cp - 0x10000) >> 10),
					    0xdc00 + ((unsigned long)(cp - 0x10000) & 0x3ff));
			else
				strbuf_addch(out, (int)cp);
		}
	}
	strbuf_addch(out, '"');
	return 0;
}

void
jsonw_text(struct strbuf *out, const void *vp, size_t n)
{
	const unsigned char *p = vp;

	if (jsonw_string(out, p, n) == 0)
		return;
	strbuf_addstr(out, "\"\\\\x");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, "%02x", p[i]);
	strbuf_addch(out, '"');
}

void
jsonw_cstr(struct strbuf *out, const char *s)
{
	jsonw_text(out, s, strlen(s));
}

void
jsonw_key(struct strbuf *out, int *first, const char *name)
{
	if (!*first)
		strbuf_addch(out, ',');
	*first = 0;
	jsonw_cstr(out, name);
	strbuf_addch(out, ':');
}
