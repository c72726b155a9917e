/*
 * binlog_int.h - what the binlog decoder's files share: reading integers
 * of either byte order, and the message of a refusal.
 */
#ifndef DBMIG_BINLOG_INT_H
#define DBMIG_BINLOG_INT_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
binlog_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline uint64_t
binlog_be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Formats the reason into emsg; returns -1, for `return binlog_fail(...)`. */
int binlog_fail(char *emsg, size_t emsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
