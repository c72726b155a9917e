/*
 * t_types.c - the PostgreSQL -> neutral type mapping, row by row, and the
 * stability of the neutral type names (they are part of the dump format).
 */
#include <stdlib.h>

#include "lib/pg/pg_text.h"
#include "lib/base/types.h"
#include "tinytest.h"

static void
test_types__every_pg_scalar(void)
{
	static const struct { const char *pg; enum ntype nt; } rows[] = {
		{ "bool", NT_BOOL }, { "int2", NT_INT16 }, { "int4", NT_INT32 },
		{ "int8", NT_INT64 }, { "numeric", NT_DECIMAL }, { "float4", NT_FLOAT32 },
		{ "float8", NT_FLOAT64 }, { "text", NT_TEXT }, { "varchar", NT_VARCHAR },
		{ "bpchar", NT_CHAR }, { "bytea", NT_BYTES }, { "date", NT_DATE },
		{ "time", NT_TIME }, { "timestamp", NT_TIMESTAMP },
		{ "timestamptz", NT_TIMESTAMPTZ }, { "interval", NT_INTERVAL },
		{ "uuid", NT_UUID }, { "json", NT_JSON }, { "jsonb", NT_JSONB },
		{ "inet", NT_INET }, { "cidr", NT_CIDR }, { "macaddr", NT_MACADDR },
	};
	struct ntype_desc d;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK(pg_type_to_ntype(rows[i].pg, 'b', -1, NULL, 0, &d) == 0);
		CHECK(d.t == rows[i].nt);
	}
}

static void
test_types__typmods(void)
{
	struct ntype_desc d;

	/* numeric(12,2): typmod = (12 << 16 | 2) + 4 */
	CHECK(pg_type_to_ntype("numeric", 'b', (12 << 16 | 2) + 4, NULL, 0, &d) == 0);
	CHECK(d.precision == 12 && d.scale == 2);
	CHECK(pg_type_to_ntype("numeric", 'b', -1, NULL, 0, &d) == 0);
	CHECK(d.precision == -1 && d.scale == -1);
	CHECK(pg_type_to_ntype("varchar", 'b', 20 + 4, NULL, 0, &d) == 0);
	CHECK(d.length == 20);
	CHECK(pg_type_to_ntype("bpchar", 'b', 5 + 4, NULL, 0, &d) == 0);
	CHECK(d.length == 5);
	CHECK(pg_type_to_ntype("timestamptz", 'b', 3, NULL, 0, &d) == 0);
	CHECK(d.fsp == 3);
	CHECK(pg_type_to_ntype("time", 'b', -1, NULL, 0, &d) == 0);
	CHECK(d.fsp == -1);
}

static void
test_types__arrays_enums(void)
{
	struct ntype_desc d;

	CHECK(pg_type_to_ntype("_int4", 'b', -1, "int4", 'b', &d) == 0);
	CHECK(d.t == NT_ARRAY && d.elem == NT_INT32);
	CHECK(pg_type_to_ntype("_mood", 'b', -1, "mood", 'e', &d) == 0);
	CHECK(d.t == NT_ARRAY && d.elem == NT_ENUM);
	CHECK(pg_type_to_ntype("mood", 'e', -1, NULL, 0, &d) == 0);
	CHECK(d.t == NT_ENUM);
	CHECK(pg_type_to_ntype("_numeric", 'b', (10 << 16 | 3) + 4, "numeric", 'b', &d) == 0);
	CHECK(d.t == NT_ARRAY && d.elem == NT_DECIMAL && d.precision == 10 && d.scale == 3);
}

static void
test_types__unmapped_is_an_error(void)
{
	static const char *const unmapped[] = { "point", "money", "xml", "tsvector",
						"int4range", "bit", "varbit", "timetz", "oid" };
	struct ntype_desc d;

	for (size_t i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++)
		CHECK(pg_type_to_ntype(unmapped[i], 'b', -1, NULL, 0, &d) < 0);
	CHECK(pg_type_to_ntype("_point", 'b', -1, "point", 'b', &d) < 0);
	CHECK(pg_type_to_ntype("rec", 'c', -1, NULL, 0, &d) < 0);	/* composite */
	CHECK(pg_type_to_ntype("rng", 'r', -1, NULL, 0, &d) < 0);	/* range */
}

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
	TEST_RUN(test_types__every_pg_scalar);
	TEST_RUN(test_types__typmods);
	TEST_RUN(test_types__arrays_enums);
	TEST_RUN(test_types__unmapped_is_an_error);
	TEST_RUN(test_types__names_round_trip);
	return TEST_REPORT();
}
