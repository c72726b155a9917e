/*
 * t_my_text.c - MySQL/MariaDB's text forms (lib/mysql/my_text.c): the
 * type mapping from information_schema, exact value conversions both
 * ways, and LOAD DATA escaping.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/mysql/my_text.h"
#include "tinytest.h"

static void
test_my_text__type_mapping(void)
{
	static const struct {
		const char *dt, *ct;
		enum ntype t;
	} rows[] = {
		{ "tinyint", "tinyint(4)", NT_INT16 },
		{ "tinyint", "tinyint(3) unsigned", NT_INT16 },
		{ "smallint", "smallint(6)", NT_INT16 },
		{ "smallint", "smallint(5) unsigned", NT_INT32 },
		{ "mediumint", "mediumint(8) unsigned", NT_INT32 },
		{ "int", "int(11)", NT_INT32 },
		{ "int", "int(10) unsigned", NT_INT64 },
		{ "bigint", "bigint(20)", NT_INT64 },
		{ "bigint", "bigint(20) unsigned", NT_UINT64 },
		{ "decimal", "decimal(65,30)", NT_DECIMAL },
		{ "float", "float", NT_FLOAT32 },
		{ "double", "double", NT_FLOAT64 },
		{ "bit", "bit(10)", NT_BIT },
		{ "date", "date", NT_DATE },
		{ "datetime", "datetime(6)", NT_TIMESTAMP },
		{ "timestamp", "timestamp(3)", NT_TIMESTAMPTZ },
		{ "time", "time(6)", NT_TIME },
		{ "year", "year(4)", NT_YEAR },
		{ "char", "char(5)", NT_CHAR },
		{ "varchar", "varchar(20)", NT_VARCHAR },
		{ "longtext", "longtext", NT_TEXT },
		{ "json", "json", NT_JSON },
		{ "varbinary", "varbinary(16)", NT_BYTES },
		{ "longblob", "longblob", NT_BYTES },
		{ "enum", "enum('a','b')", NT_ENUM },
		{ "set", "set('x','y')", NT_SET },
		{ "point", "point", NT_GEOMETRY },
	};
	struct ntype_desc d;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK(my_type_to_ntype(rows[i].dt, rows[i].ct, 20, 10, 2, 6, 0, &d) == 0);
		if (d.t != rows[i].t)
			fprintf(stderr, "  %s mapped to %s\n", rows[i].ct, ntype_name(d.t));
		CHECK(d.t == rows[i].t);
	}
	CHECK(my_type_to_ntype("longtext", "longtext", -1, 0, 0, 0, 1, &d) == 0 && d.t == NT_JSON);
	CHECK(my_type_to_ntype("bigint", "bigint(20) unsigned", -1, 20, 0, 0, 0, &d) == 0 && d.is_unsigned);
	CHECK(my_type_to_ntype("inet6", "inet6", -1, 0, 0, 0, 0, &d) < 0);
}

static void
test_my_text__values(void)
{
	struct ntype_desc f4 = { NT_FLOAT32, 0, -1, -1, -1, -1, 0 };
	struct ntype_desc f8 = { NT_FLOAT64, 0, -1, -1, -1, -1, 0 };
	struct ntype_desc tm = { NT_TIME, 0, -1, -1, -1, 6, 0 };
	struct strbuf c = STRBUF_INIT, t = STRBUF_INIT;
	char emsg[128];
	float fmax = 3.4028234663852886e38f;
	uint32_t bits;

	/* FLOAT read as CAST(... AS DOUBLE) comes back bit-exact. */
	CHECK(my_text_to_canon(&f4, "3.4028234663852886e38", 21, &c, emsg, sizeof(emsg)) == 0);
	memcpy(&bits, &fmax, 4);
	CHECK(c.len == 4 && (uint32_t)((unsigned char)c.buf[0] << 24 | (unsigned char)c.buf[1] << 16 |
				      (unsigned char)c.buf[2] << 8 | (unsigned char)c.buf[3]) == bits);
	CHECK(my_canon_to_text(&f4, (unsigned char *)c.buf, c.len, &t, emsg, sizeof(emsg)) == 0);
	CHECK_STR(t.buf, "3.4028234663852886e+38");
	strbuf_reset(&c);
	strbuf_reset(&t);
	CHECK(my_text_to_canon(&f8, "0.1", 3, &c, emsg, sizeof(emsg)) == 0);
	CHECK(my_canon_to_text(&f8, (unsigned char *)c.buf, c.len, &t, emsg, sizeof(emsg)) == 0);
	CHECK(strtod(t.buf, NULL) == 0.1);
	/* MySQL has no NaN: loading one is an error, not a silent 0. */
	strbuf_reset(&t);
	CHECK(my_canon_to_text(&f8, (const unsigned char *)"\x7f\xf8\0\0\0\0\0\0", 8, &t, emsg, sizeof(emsg)) < 0);
	CHECK(strstr(emsg, "NaN") != NULL);
	/* Fractions lose their padding; hours beyond 24 and signs stay. */
	strbuf_reset(&c);
	CHECK(my_text_to_canon(&tm, "-838:59:59.500000", 17, &c, emsg, sizeof(emsg)) == 0);
	CHECK_STR(c.buf, "-838:59:59.5");
	strbuf_reset(&c);
	CHECK(my_text_to_canon(&tm, "23:59:59.000000", 15, &c, emsg, sizeof(emsg)) == 0);
	CHECK_STR(c.buf, "23:59:59");
	/* BIT goes out as its big-endian storage bytes. */
	{
		struct ntype_desc bit = { NT_BIT, 0, -1, -1, 10, -1, 0 };

		strbuf_reset(&t);
		CHECK(my_canon_to_text(&bit, (const unsigned char *)"1000000011", 10, &t, emsg, sizeof(emsg)) == 0);
		CHECK(t.len == 2 && (unsigned char)t.buf[0] == 0x02 && (unsigned char)t.buf[1] == 0x03);
		strbuf_reset(&t);
		CHECK(my_canon_to_text(&bit, (const unsigned char *)"10x", 3, &t, emsg, sizeof(emsg)) < 0);
	}
	strbuf_release(&c);
	strbuf_release(&t);
}

static void
test_my_text__escaping(void)
{
	struct strbuf sb = STRBUF_INIT;

	my_tsv_escape(&sb, "a\tb\\c\nd\0e", 9);
	CHECK(sb.len == 13 && !memcmp(sb.buf, "a\\tb\\\\c\\nd\\0e", 13));
	strbuf_reset(&sb);
	my_quote_ident(&sb, "we`ird");
	CHECK_STR(sb.buf, "`we``ird`");
	strbuf_reset(&sb);
	my_quote_literal(&sb, "it's a \\ test");
	CHECK_STR(sb.buf, "'it''s a \\\\ test'");
	strbuf_release(&sb);
}

static void
test_my_text__versions(void)
{
	CHECK(my_version_at_least("8.0.36", 80016, 100201));
	CHECK(!my_version_at_least("5.7.44-log", 80016, 100201));
	CHECK(!my_version_at_least("8.0.15", 80016, 100201));
	CHECK(my_version_at_least("10.11.6-MariaDB-0+deb12u1", 80016, 100201));
	CHECK(!my_version_at_least("10.1.48-MariaDB", 80016, 100201));
	/* a MariaDB version is never read as MySQL's */
	CHECK(!my_version_at_least("10.2.0-MariaDB", 80016, 100201));
	CHECK(my_version_at_least(NULL, 80016, 100201));
}

int
main(void)
{
	TEST_RUN(test_my_text__type_mapping);
	TEST_RUN(test_my_text__values);
	TEST_RUN(test_my_text__escaping);
	TEST_RUN(test_my_text__versions);
	return TEST_REPORT();
}
