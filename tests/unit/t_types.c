/*
 * t_types.c - the neutral types: their names are part of the dump
 * format, so every one round-trips and none changes.
 */
#include <stdlib.h>

#include "lib/base/types.h"
#include "tinytest.h"

static void
test_types__names_round_trip(void)
{
	for (int t = 1; t < NT__COUNT; t++)
		CHECK(ntype_from_name(ntype_name((enum ntype)t)) == (enum ntype)t);
	CHECK(ntype_from_name("no-such-type") == NT_UNMAPPED);
	/* The names are the dump format: they must never change. */
	CHECK_STR(ntype_name(NT_TIMESTAMPTZ), "timestamptz");
	CHECK_STR(ntype_name(NT_UINT64), "uint64");
	CHECK_STR(ntype_name(NT_BYTES), "bytes");
}

int
main(void)
{
	TEST_RUN(test_types__names_round_trip);
	return TEST_REPORT();
}
