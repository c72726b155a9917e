/*
 * t_keyrange.c - key ranges (lib/base/keyrange.c): the WHERE clause of
 * one range for keys of one and several columns, open on either side,
 * and picking boundaries from a sorted sample.
 */
#include <stdlib.h>

#include "lib/base/keyrange.h"
#include "tinytest.h"

static void
ident(struct strbuf *o, const char *s)
{
	strbuf_addf(o, "\"%s\"", s);
}

static void
literal(struct strbuf *o, const char *s)
{
	strbuf_addf(o, "'%s'", s);
}

static const char *
where(const struct strlist *key, const char *const *lo, const char *const *hi,
      struct strbuf *o)
{
	strbuf_reset(o);
	keyrange_where(o, key, lo, hi, ident, literal);
	return strbuf_cstr(o);
}

static void
test_keyrange__one_column(void)
{
	struct strlist key = STRLIST_INIT;
	struct strbuf o = STRBUF_INIT;
	const char *lo[] = { "10" }, *hi[] = { "20" };

	strlist_push(&key, "id");
	CHECK_STR(where(&key, NULL, NULL, &o), "");
	CHECK_STR(where(&key, lo, hi, &o), " WHERE (\"id\" > '10') AND (\"id\" <= '20')");
	CHECK_STR(where(&key, lo, NULL, &o), " WHERE (\"id\" > '10')");
	CHECK_STR(where(&key, NULL, hi, &o), " WHERE (\"id\" <= '20')");
	strlist_release(&key);
	strbuf_release(&o);
}

static void
test_keyrange__two_columns_column_by_column(void)
{
	struct strlist key = STRLIST_INIT;
	struct strbuf o = STRBUF_INIT;
	const char *lo[] = { "a", "1" }, *hi[] = { "b", "2" };

	strlist_push(&key, "k1");
	strlist_push(&key, "k2");
	CHECK_STR(where(&key, lo, NULL, &o),
		  " WHERE (\"k1\" > 'a' OR (\"k1\" = 'a' AND (\"k2\" > '1')))");
	CHECK_STR(where(&key, NULL, hi, &o),
		  " WHERE (\"k1\" < 'b' OR (\"k1\" = 'b' AND (\"k2\" <= '2')))");
	strlist_release(&key);
	strbuf_release(&o);
}

static void
test_keyrange__pick_skips_repeats(void)
{
	struct strlist sample = STRLIST_INIT, bounds = STRLIST_INIT;
	static const char *const v[] = { "1", "2", "3", "3", "3", "3", "3", "8", "9", "10" };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		strlist_push(&sample, v[i]);
	keyrange_pick(&sample, 1, 4, &bounds);
	CHECK(bounds.n >= 1 && bounds.n <= 3);
	for (size_t i = 1; i < bounds.n; i++)
		CHECK(strcmp(bounds.v[i - 1], bounds.v[i]) != 0);
	strlist_release(&bounds);
	/* one part: no boundary; an empty sample: none either */
	keyrange_pick(&sample, 1, 1, &bounds);
	CHECK(bounds.n == 0);
	strlist_release(&sample);
	keyrange_pick(&sample, 1, 4, &bounds);
	CHECK(bounds.n == 0);
	strlist_release(&bounds);
}

static void
test_keyrange__pick_rows_of_two(void)
{
	struct strlist sample = STRLIST_INIT, bounds = STRLIST_INIT;

	for (int i = 0; i < 8; i++) {
		char a[8], b[8];

		snprintf(a, sizeof(a), "a%d", i / 4);
		snprintf(b, sizeof(b), "%d", i);
		strlist_push(&sample, a);
		strlist_push(&sample, b);
	}
	keyrange_pick(&sample, 2, 2, &bounds);
	/* boundaries are whole rows: both columns of one sample row */
	CHECK(bounds.n == 2);
	strlist_release(&sample);
	strlist_release(&bounds);
}

int
main(void)
{
	TEST_RUN(test_keyrange__one_column);
	TEST_RUN(test_keyrange__two_columns_column_by_column);
	TEST_RUN(test_keyrange__pick_skips_repeats);
	TEST_RUN(test_keyrange__pick_rows_of_two);
	return TEST_REPORT();
}
