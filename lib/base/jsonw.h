/*
 * jsonw.h - JSON text written straight into a strbuf, for output whose
 * numbers must keep the exact text dbmig chose (jansson prints every
 * real with 17 digits) and whose fields come in a fixed order.
 */
#ifndef DBMIG_JSONW_H
#define DBMIG_JSONW_H

#include <stddef.h>

#include "util.h"

/* A JSON string of the UTF-8 text p (n bytes), non-ASCII as \u escapes:
 * 0, or -1 (nothing written) when p is not UTF-8. */
int jsonw_string(struct strbuf *out, const void *p, size_t n);
/* The same, with text that is not UTF-8 (a MySQL latin1 byte kept as it
 * came) written as "\x" and its bytes in hex, visibly. */
void jsonw_text(struct strbuf *out, const void *p, size_t n);
void jsonw_cstr(struct strbuf *out, const char *s);
/* "name": (with a comma before it unless first) */
void jsonw_key(struct strbuf *out, int *first, const char *name);

#endif
