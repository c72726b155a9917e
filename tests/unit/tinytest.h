/*
 * tinytest.h - the smallest test harness that does the job (after redis'
 * testhelp.h). Each TEST_RUN prints "ok NAME" or "not ok NAME"; the run
 * ends with "N passed, N failed", which tests/run-unit adds up.
 */
#ifndef TINYTEST_H
#define TINYTEST_H

#include <stdio.h>
#include <string.h>

static int tt_failed_checks, tt_tests_passed, tt_tests_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		tt_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *tt_a = (a), *tt_b = (b); \
	if (strcmp(tt_a, tt_b)) { \
		tt_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, tt_a, tt_b); \
	} \
} while (0)

#define TEST_RUN(fn) do { \
	int tt_before = tt_failed_checks; \
	fn(); \
	if (tt_failed_checks == tt_before) { tt_tests_passed++; printf("ok %s\n", #fn); } \
	else { tt_tests_failed++; printf("not ok %s\n", #fn); } \
} while (0)

#define TEST_REPORT() ( \
	printf("%d passed, %d failed\n", tt_tests_passed, tt_tests_failed), \
	tt_tests_failed ? 1 : 0)

#endif
