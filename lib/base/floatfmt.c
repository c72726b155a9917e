/*
 * floatfmt.c - see floatfmt.h. The fewest significant digits printf
 * rounds to that strtof/strtod reads back exactly (9 always suffice for a
 * float32 and 17 for a double, so the search ends), written as
 * PostgreSQL's float4out/float8out write them.
 */
#include "floatfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

size_t
float_shortest(char *buf, size_t n, double d, int is_float32)
{
	char e[40], *x;
	int digits, exp, len;

	if (isnan(d))
		return (size_t)snprintf(buf, n, "NaN");
	if (isinf(d))
		return (size_t)snprintf(buf, n, "%s", d > 0 ? "Infinity" : "-Infinity");
	for (digits = 1; digits < 17; digits++) {
		snprintf(e, sizeof(e), "%.*e", digits - 1, d);
		if (is_float32 ? strtof(e, NULL) == (float)d : strtod(e, NULL) == d)
			break;
	}
	snprintf(e, sizeof(e), "%.*e", digits - 1, d);
	x = strchr(e, 'e');
	exp = x ? atoi(x + 1) : 0;
	/* PostgreSQL's thresholds, which are printf's: fixed notation for
	 * exponents from -4 up to FLT_DIG (6) or DBL_DIG (15) */
	if (exp >= -4 && exp < (is_float32 ? 6 : 15))
		len = snprintf(buf, n, "%.*f", digits - 1 - exp > 0 ? digits - 1 - exp : 0, d);
	else
		len = snprintf(buf, n, "%s", e);
	return len < 0 ? 0 : (size_t)len;
}
