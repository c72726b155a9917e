/*
 * t_pg_expr_mysql.c - MySQL CHECK expressions, as SHOW CREATE TABLE prints
 * them, in PostgreSQL's words (lib/pg/pg_expr_mysql.c): what has a sure
 * equivalent is translated, anything else refused whole.
 */
#include "tinytest.h"

#include <string.h>

#include "lib/base/util.h"
#include "lib/pg/pg_int.h"

static int
pg_says(const char *my, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	int ok = pg_expr_from_mysql(my, &out) == 0 && !strcmp(strbuf_cstr(&out), want);

	if (!ok)
		fprintf(stderr, "    %s -> '%s', wanted '%s'\n", my, strbuf_cstr(&out), want);
	strbuf_release(&out);
	return ok;
}

static void
test_pg_expr_mysql__checks(void)
{
	struct strbuf out = STRBUF_INIT;

	CHECK(pg_says("`price` >= 0", "\"price\" >= 0"));
	CHECK(pg_says("`kind` in ('a','b') and char_length(`name`) > 0",
		      "\"kind\" in ('a','b') and char_length(\"name\") > 0"));
	CHECK(pg_says("length(`b`) < 10 && `a` != 'it\\'s'", "octet_length(\"b\") < 10  AND  \"a\" != 'it''s'"));
	CHECK(pg_says("`x` is not null || `y` > 1", "\"x\" is not null  OR  \"y\" > 1"));
	CHECK(pg_expr_from_mysql("`code` regexp '^[A-Z]+$'", &out) < 0);
	strbuf_reset(&out);
	CHECK(pg_expr_from_mysql("crc32(`name`) > 0", &out) < 0);
	strbuf_reset(&out);
	CHECK(pg_expr_from_mysql("`a` <=> `b`", &out) < 0);
	strbuf_release(&out);
}

int
main(void)
{
	TEST_RUN(test_pg_expr_mysql__checks);
	return TEST_REPORT();
}
