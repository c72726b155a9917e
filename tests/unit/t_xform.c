/*
 * t_xform.c - column transforms' text form (lib/base/xform.c): each
 * word, their fixed order, and that unknown words are refused.
 */
#include <stdlib.h>

#include "lib/base/xform.h"
#include "tinytest.h"

static void
test_xform__words_round_trip(void)
{
	static const struct { unsigned f; const char *text; } rows[] = {
		{ 0, "" },
		{ XF_BOOL_FROM_INT, "bool-from-int" },
		{ XF_ZERO_DATE_NULL, "zero-date-null" },
		{ XF_TIME_INTERVAL, "time-interval" },
		{ XF_UUID_BINARY, "uuid-binary" },
		{ XF_STRIP_NUL, "strip-nul" },
		{ XF_JSONB, "jsonb" },
		{ XF_JSONB | XF_STRIP_NUL, "strip-nul,jsonb" },
		{ XF_ZERO_DATE_NULL | XF_BOOL_FROM_INT, "bool-from-int,zero-date-null" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strbuf s = STRBUF_INIT;
		unsigned f = 99;

		xform_format(rows[i].f, &s);
		CHECK_STR(strbuf_cstr(&s), rows[i].text);
		CHECK(xform_parse(rows[i].text, &f) == 0 && f == rows[i].f);
		strbuf_release(&s);
	}
}

static void
test_xform__order_does_not_matter_when_reading(void)
{
	unsigned f;

	CHECK(xform_parse("jsonb,strip-nul", &f) == 0 && f == (XF_JSONB | XF_STRIP_NUL));
}

static void
test_xform__unknown_words_are_refused(void)
{
	unsigned f;

	CHECK(xform_parse("bool-from-int,frobnicate", &f) == -1);
	CHECK(xform_parse("jsonb,", &f) == -1);
	CHECK(xform_parse(",jsonb", &f) == -1);
	CHECK(xform_parse("JSONB", &f) == -1);
	CHECK(xform_parse("json", &f) == -1);
}

int
main(void)
{
	TEST_RUN(test_xform__words_round_trip);
	TEST_RUN(test_xform__order_does_not_matter_when_reading);
	TEST_RUN(test_xform__unknown_words_are_refused);
	return TEST_REPORT();
}
