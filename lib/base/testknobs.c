/*
 * testknobs.c - the test-only environment knobs (testknobs.h).
 */
#include "testknobs.h"

#include <stdlib.h>
#include <string.h>

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

int
testknob_cutover_fail(const char *step)
{
	const char *v = getenv("DBMIG_TEST_CUTOVER_FAIL");

	return v && !strcmp(v, step);
}

int
testknob_cutover_kill(const char *step)
{
	const char *v = getenv("DBMIG_TEST_CUTOVER_KILL");

	return v && !strcmp(v, step);
}
