/*
 * util.h - allocation that dies on out-of-memory, and a growable byte
 * buffer (strbuf) used everywhere text or binary data is assembled.
 *
 * Allocation failure is not an error dbmig can recover from, so x*alloc
 * print one line and exit(70) instead of making every caller check NULL.
 */
#ifndef DBMIG_UTIL_H
#define DBMIG_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable buffer; buf is always NUL-terminated once anything was added. */
struct strbuf {
	char *buf;		/* owned; NULL until first use */
	size_t len;		/* bytes in use, not counting the NUL */
	size_t alloc;		/* bytes allocated */
};
#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *p, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
/* Inline: it runs for every byte of some hot loops. */
static inline void
strbuf_addch(struct strbuf *sb, int c)
{
	if (sb->len + 2 > sb->alloc)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Appends p[0..n), each byte b with repl[b] set replaced by that string:
 * the runs between are copied whole (COPY's and LOAD DATA's escaping,
 * where most bytes need none). */
void strbuf_add_escaped(struct strbuf *sb, const char *p, size_t n,
			const char *const repl[256]);
void strbuf_reset(struct strbuf *sb);		/* keeps the allocation */
/* Cuts sb back to its first len bytes (len <= sb->len): what a writer
 * that failed half way had added goes. */
void strbuf_truncate(struct strbuf *sb, size_t len);
void strbuf_release(struct strbuf *sb);		/* frees, back to INIT */
/* Hands the buffer to the caller (never NULL); sb is back to INIT. */
char *strbuf_detach(struct strbuf *sb);
/* Borrowed NUL-terminated view; "" when empty. */
const char *strbuf_cstr(const struct strbuf *sb);

/* A list of owned strings. */
struct strlist {
	char **v;
	size_t n, alloc;
};
#define STRLIST_INIT { NULL, 0, 0 }
void strlist_push(struct strlist *l, const char *s);	/* copies s */
int strlist_has(const struct strlist *l, const char *s);
void strlist_release(struct strlist *l);
/* Sorts l byte-wise, for strlist_has_sorted (binary search). */
void strlist_sort(struct strlist *l);
int strlist_has_sorted(const struct strlist *l, const char *s);

/* Unsigned LEB128 and zigzag helpers for the canonical encoding. */
void put_uvarint(struct strbuf *sb, uint64_t v);
/* Returns bytes consumed, 0 when the input ends early or overflows 64 bits. */
size_t get_uvarint(const unsigned char *p, size_t n, uint64_t *out);

/* Hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *p, size_t n, char *out);

/* Monotonic seconds, for durations in reports. */
double now_seconds(void);
/* Seconds since 1970 by the wall clock (for timestamps others read). */
double wall_seconds(void);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* "s" after a count other than 1: "%d table%s", n, PLURAL(n) */
#define PLURAL(n) ((n) == 1 ? "" : "s")

#endif
