/*
 * t_my_partition.c - PostgreSQL partitioning as MySQL partitioning
 * (lib/mysql/my_partition.c): the clause for what translates, the reason
 * for what does not, and bounds from a manifest that never reach SQL
 * except as quoted literals.
 */
#include "tinytest.h"

#include <string.h>

#include "ddl_fixture.h"
#include "lib/mysql/my_int.h"

static int
any_column(const struct table *t, const struct column *col)
{
	(void)t;
	return col->type.t != NT_FLOAT64;
}

static struct table *
part(struct schema_model *m, const char *name, const char *bound)
{
	struct table *t = model_table(m, name);

	t->partition_of = xstrdup("app.p");
	t->partition_bound = bound ? xstrdup(bound) : NULL;
	return t;
}

/* A table p partitioned by key, with partitions named by bounds[2i] and
 * bounded by bounds[2i+1] (NULL: DEFAULT). */
static void
model_parts(struct schema_model *m, const char *key, const char *const *bounds)
{
	struct table *p;

	model_init(m, "postgresql");
	p = model_table(m, "p");
	model_column(p, "id", "integer", NT_INT32);
	model_column(p, "at", "date", NT_DATE);
	model_column(p, "f", "double precision", NT_FLOAT64);
	p->partition_key = xstrdup(key);
	for (int i = 0; bounds[i]; i += 2)
		part(m, bounds[i], bounds[i + 1][0] ? bounds[i + 1] : NULL);
}

static int
clause_is(const char *key, const char *const *bounds, int mariadb, const char *want,
	  const char *want_loose)
{
	struct schema_model m;
	struct strbuf c = STRBUF_INIT, why = STRBUF_INIT, loose = STRBUF_INIT;
	int ok;

	model_parts(&m, key, bounds);
	ok = my_partition_clause(&m, &m.tables[0], any_column, mariadb, &c, &why, &loose) == 0 &&
	     !strcmp(strbuf_cstr(&c), want) && !strcmp(strbuf_cstr(&loose), want_loose);
	if (!ok)
		fprintf(stderr, "    %s -> '%s' (%s; %s)\n", key, strbuf_cstr(&c), strbuf_cstr(&why),
			strbuf_cstr(&loose));
	schema_release(&m);
	strbuf_release(&c);
	strbuf_release(&why);
	strbuf_release(&loose);
	return ok;
}

static int
refused_on(const char *key, const char *const *bounds, int mariadb, const char *want_why)
{
	struct schema_model m;
	struct strbuf c = STRBUF_INIT, why = STRBUF_INIT, loose = STRBUF_INIT;
	int ok;

	model_parts(&m, key, bounds);
	ok = my_partition_clause(&m, &m.tables[0], any_column, mariadb, &c, &why, &loose) < 0 &&
	     strstr(strbuf_cstr(&why), want_why) && !c.len;
	if (!ok)
		fprintf(stderr, "    %s -> '%s' (%s)\n", key, strbuf_cstr(&c), strbuf_cstr(&why));
	schema_release(&m);
	strbuf_release(&c);
	strbuf_release(&why);
	strbuf_release(&loose);
	return ok;
}

static int
refused_since(const char *key, const char *const *bounds, const char *want_why)
{
	return refused_on(key, bounds, 1, want_why);
}

static void
test_my_partition__range(void)
{
	/* out of order in the model, chained by their bounds */
	const char *months[] = {
		"p2", "FOR VALUES FROM ('2024-02-01') TO ('2024-03-01')",
		"p1", "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')",
		"rest", "", NULL };
	const char *open[] = {
		"lo", "FOR VALUES FROM (MINVALUE) TO (10)",
		"hi", "FOR VALUES FROM (10) TO (MAXVALUE)", NULL };
	const char *two[] = {
		"a", "FOR VALUES FROM (MINVALUE, MINVALUE) TO (5, '2024-01-01')",
		"b", "FOR VALUES FROM (5, '2024-01-01') TO (MAXVALUE, MAXVALUE)", NULL };

	CHECK(clause_is("RANGE (at)", months, 1,
			" PARTITION BY RANGE COLUMNS(`at`) (\n PARTITION `p1` VALUES LESS THAN "
			"('2024-02-01'),\n PARTITION `p2` VALUES LESS THAN ('2024-03-01'),\n "
			"PARTITION `rest` VALUES LESS THAN (MAXVALUE))",
			"values below ('2024-01-01'), which PostgreSQL keeps in DEFAULT partition "
			"rest, go to partition p1"));
	CHECK(clause_is("RANGE (id)", open, 1,
			" PARTITION BY RANGE COLUMNS(`id`) (\n PARTITION `lo` VALUES LESS THAN (10),"
			"\n PARTITION `hi` VALUES LESS THAN (MAXVALUE))", ""));
	CHECK(clause_is("RANGE (id, at)", two, 1,
			" PARTITION BY RANGE COLUMNS(`id`,`at`) (\n PARTITION `a` VALUES LESS THAN "
			"(5,'2024-01-01'),\n PARTITION `b` VALUES LESS THAN (MAXVALUE,MAXVALUE))", ""));
}

static void
test_my_partition__list_and_hash(void)
{
	const char *lists[] = {
		"a", "FOR VALUES IN (1, 2)", "n", "FOR VALUES IN (NULL)", "d", "", NULL };
	const char *hashes[] = {
		"h1", "FOR VALUES WITH (modulus 2, remainder 1)",
		"h0", "FOR VALUES WITH (modulus 2, remainder 0)", NULL };

	CHECK(clause_is("LIST (id)", lists, 1,
			" PARTITION BY LIST COLUMNS(`id`) (\n PARTITION `a` VALUES IN (1,2),\n "
			"PARTITION `n` VALUES IN (NULL),\n PARTITION `d` DEFAULT)", ""));
	CHECK(refused_on("LIST (id)", lists, 0, "MySQL's LIST (MariaDB's has)"));
	CHECK(clause_is("HASH (id)", hashes, 0,
			" PARTITION BY HASH (`id`) (\n PARTITION `h0`,\n PARTITION `h1`)", ""));
	CHECK(clause_is("HASH (at)", hashes, 0,
			" PARTITION BY KEY (`at`) (\n PARTITION `h0`,\n PARTITION `h1`)", ""));
}

static void
test_my_partition__refused(void)
{
	const char *gap[] = {
		"a", "FOR VALUES FROM (0) TO (10)", "b", "FOR VALUES FROM (20) TO (30)", NULL };
	const char *min_to[] = { "a", "FOR VALUES FROM (0, 0) TO (10, MINVALUE)", NULL };
	const char *moduli[] = {
		"a", "FOR VALUES WITH (modulus 2, remainder 0)",
		"b", "FOR VALUES WITH (modulus 4, remainder 1)", NULL };
	const char *one[] = { "a", "FOR VALUES FROM (0) TO (10)", NULL };
	const char *hostile[] = { "a", "FOR VALUES IN (1); DROP TABLE t; --)", NULL };
	const char *cased[] = { "a", "FOR VALUES IN (1)", "A", "FOR VALUES IN (2)", NULL };

	CHECK(refused_since("RANGE (id)", gap, "its ranges leave gaps"));
	CHECK(refused_since("RANGE (id, at)", min_to, "has no MySQL equivalent"));
	CHECK(refused_since("HASH (id)", moduli, "not all remainders of one modulus"));
	CHECK(refused_since("RANGE (date_trunc('month', at))", one, "is not plain columns"));
	CHECK(refused_since("RANGE (f)", one, "cannot partition by column f"));
	CHECK(refused_since("LIST (id)", hostile, "has no MySQL equivalent"));
	CHECK(refused_since("LIST (id)", cased, "differ only in case"));
}

static void
test_my_partition__quoting(void)
{
	/* a bound's text is a quoted literal, whatever it holds */
	const char *evil[] = { "a", "FOR VALUES IN ('x''); DROP TABLE t; --', 'b\\c')", NULL };
	struct schema_model m;
	struct strbuf c = STRBUF_INIT, why = STRBUF_INIT, loose = STRBUF_INIT;

	model_parts(&m, "LIST (k)", evil);
	model_column(&m.tables[0], "k", "text", NT_TEXT);
	CHECK(my_partition_clause(&m, &m.tables[0], any_column, 1, &c, &why, &loose) == 0);
	CHECK(!strcmp(strbuf_cstr(&c), " PARTITION BY LIST COLUMNS(`k`) (\n PARTITION `a` "
		      "VALUES IN ('x''); DROP TABLE t; --','b\\\\c'))"));
	schema_release(&m);
	strbuf_release(&c);
	strbuf_release(&why);
	strbuf_release(&loose);
}

int
main(void)
{
	TEST_RUN(test_my_partition__range);
	TEST_RUN(test_my_partition__list_and_hash);
	TEST_RUN(test_my_partition__refused);
	TEST_RUN(test_my_partition__quoting);
	return TEST_REPORT();
}
