/*
 * floatfmt.h - floating-point values as the shortest decimal text that
 * reads back as the same value, the way PostgreSQL prints float4 and
 * float8 (extra_float_digits 1, its default): a real 0.1 is "0.1", not
 * the "0.10000000149011612" of the double it widens to.
 */
#ifndef DBMIG_FLOATFMT_H
#define DBMIG_FLOATFMT_H

#include <stddef.h>

/* Writes d (a float32 widened to double when is_float32) into buf as
 * PostgreSQL does: the fewest digits, fixed for exponents -4 to 5 (a
 * float4) or 14 (a float8), else as 1.6777216e+07; "-0"; "NaN",
 * "Infinity", "-Infinity". Returns the length. buf holds 32 bytes. */
size_t float_shortest(char *buf, size_t n, double d, int is_float32);

#endif
