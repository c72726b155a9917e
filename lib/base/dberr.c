/*
 * dberr.c - filling struct dberr. See dberr.h.
 */
#include "dberr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

volatile sig_atomic_t dbmig_interrupted;

int
dberr_set(struct dberr *err, enum dberr_class cls, const char *fmt, ...)
{
	va_list ap;

	err->cls = cls;
	err->sqlstate[0] = '\0';
	err->transient = 0;
	err->duplicate = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* Server messages hold newlines and tabs; we want one tidy line. */
	{
		char *r = err->msg, *w = err->msg;

		for (; *r; r++) {
			char c = (*r == '\n' || *r == '\r' || *r == '\t') ? ' ' : *r;

			if (c == ' ' && (w == err->msg || w[-1] == ' '))
				continue;
			if ((c == ';' || c == ',') && w > err->msg && w[-1] == ' ')
				w--;
			*w++ = c;
		}
		*w = '\0';
	}
	for (size_t n = strlen(err->msg); n && err->msg[n - 1] == ' '; n--)
		err->msg[n - 1] = '\0';
	return -1;
}

void
dberr_prefix(struct dberr *err, const char *fmt, ...)
{
	char pre[512], old[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is acceptable here: the front of the line matters most. */
	{
		size_t n = strlen(pre);

		if (n > sizeof(err->msg) - 3)
			n = sizeof(err->msg) - 3;
		memcpy(err->msg, pre, n);
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		for (size_t i = 0; old[i] && n < sizeof(err->msg) - 1; i++)
			err->msg[n++] = old[i];
		err->msg[n] = '\0';
	}
}
