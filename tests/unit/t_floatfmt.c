/*
 * t_floatfmt.c - floats as the shortest text that reads back as the
 * same value (lib/base/floatfmt.c), checked against what PostgreSQL 15's
 * float4out and float8out print for the same values.
 */
#include "tinytest.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/floatfmt.h"

static int
is(double d, int f32, const char *want)
{
	char buf[32];

	float_shortest(buf, sizeof(buf), d, f32);
	if (strcmp(buf, want))
		fprintf(stderr, "  %.17g as %s: got %s, want %s\n", d, f32 ? "float4" : "float8",
			buf, want);
	return !strcmp(buf, want);
}

static void
test_floatfmt__as_postgresql(void)
{
	/* SELECT x::float4::text */
	CHECK(is((float)0.1, 1, "0.1"));
	CHECK(is((float)3.1415927, 1, "3.1415927"));
	CHECK(is((float)1e30, 1, "1e+30"));
	CHECK(is(FLT_MAX, 1, "3.4028235e+38"));
	CHECK(is(FLT_MIN, 1, "1.1754944e-38"));
	CHECK(is((float)1e-5, 1, "1e-05"));
	CHECK(is((float)1e6, 1, "1e+06"));
	CHECK(is(123456, 1, "123456"));
	CHECK(is((float)-2.5, 1, "-2.5"));
	CHECK(is(-0.0, 1, "-0"));
	CHECK(is((float)16777217.0, 1, "1.6777216e+07"));
	/* SELECT x::float8::text */
	CHECK(is(0.1, 0, "0.1"));
	CHECK(is(1e300, 0, "1e+300"));
	CHECK(is(5e-324, 0, "5e-324"));
	CHECK(is(DBL_MAX, 0, "1.7976931348623157e+308"));
	CHECK(is(0.1 + 0.2, 0, "0.30000000000000004"));
	CHECK(is(1234567, 1, "1.234567e+06"));
	CHECK(is(1234567, 0, "1234567"));
	CHECK(is(1e15, 0, "1e+15"));
	CHECK(is(123456789012345.0, 0, "123456789012345"));
	CHECK(is(0.00001234, 0, "1.234e-05"));
	CHECK(is(NAN, 0, "NaN"));
	CHECK(is(-INFINITY, 1, "-Infinity"));
	/* every float4 widened to double still reads back as itself */
	for (float f = 1e-7f; f < 1e7f; f *= 1.37f) {
		char buf[32];

		float_shortest(buf, sizeof(buf), f, 1);
		CHECK(strtof(buf, NULL) == f);
	}
}

int
main(void)
{
	TEST_RUN(test_floatfmt__as_postgresql);
	return TEST_REPORT();
}
