/*
 * t_my_expr_pg.c - PostgreSQL CHECK expressions, as pg_get_constraintdef
 * prints them, in MySQL's words (lib/mysql/my_expr_pg.c): what has a sure
 * equivalent is translated, anything else refused whole, never
 * half-translated.
 */
#include "tinytest.h"

#include <string.h>

#include "lib/base/util.h"
#include "lib/mysql/my_int.h"

static int
my_says(const char *pg, const char *value_col, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	int ok = my_expr_from_pg(pg, value_col, &out) == 0 && !strcmp(strbuf_cstr(&out), want);

	if (!ok)
		fprintf(stderr, "    %s -> '%s', wanted '%s'\n", pg, strbuf_cstr(&out), want);
	strbuf_release(&out);
	return ok;
}

static int
my_refuses(const char *pg)
{
	struct strbuf out = STRBUF_INIT;
	int r = my_expr_from_pg(pg, NULL, &out);

	strbuf_release(&out);
	return r < 0;
}

static void
test_my_expr_pg__checks(void)
{
	CHECK(my_says("((balance >= (0)::numeric))", NULL, "((`balance` >= (0)))"));
	CHECK(my_says("((kind = ANY (ARRAY['a'::text, 'b'::text])))", NULL,
		      "((`kind` IN ('a', 'b')))"));
	CHECK(my_says("((kind <> ALL (ARRAY['x'::character varying, 'y'::character varying])))",
		      NULL, "((`kind` NOT IN ('x', 'y')))"));
	CHECK(my_says("(((char_length(name) >= 1) AND (name !~~ 'x%'::text)))", NULL,
		      "(((CHAR_LENGTH(`name`) >= 1) AND (`name` NOT LIKE 'x%')))"));
	CHECK(my_says("((VALUE > 0))", "qty", "((`qty` > 0))"));
	CHECK(my_says("((\"Mixed Case\" IS NOT NULL))", NULL, "((`Mixed Case` IS NOT NULL))"));
	CHECK(my_says("((note = 'it''s'::text))", NULL, "((`note` = 'it''s'))"));
	CHECK(my_says("((ts > '2024-01-01 00:00:00+00'::timestamp with time zone))", NULL,
		      "((`ts` > '2024-01-01 00:00:00+00'))"));
	/* no sure equivalent: refused whole */
	CHECK(my_refuses("((code ~ '^[A-Z]+$'::text))"));
	CHECK(my_refuses("((name ~~* 'x%'::text))"));
	CHECK(my_refuses("(((a || b) <> ''::text))"));
	CHECK(my_refuses("((md5(name) <> ''::text))"));
	CHECK(my_refuses("((tags[1] = 'a'::text))"));
}

int
main(void)
{
	TEST_RUN(test_my_expr_pg__checks);
	return TEST_REPORT();
}
