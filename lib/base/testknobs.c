/*
 * testknobs.c - the test-only environment knobs (testknobs.h).
 */
#include "testknobs.h"

#include <stdlib.h>

#include "banned.h"

long
testknob_chunk_delay_ms(void)
{
	const char *v = getenv("DBMIG_TEST_CHUNK_DELAY_MS");

	return v ? atol(v) : 0;
}

long
testknob_progress_ms(void)
{
	const char *v = getenv("DBMIG_TEST_PROGRESS_MS");

	return v ? atol(v) : 0;
}

int
testknob_no_binary_copy(void)
{
	return getenv("DBMIG_NO_BINARY_COPY") != NULL;
}
