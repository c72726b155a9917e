/*
 * t_cdc_debezium.c - values in Debezium's forms (lib/cdc/dbz_value.c)
 * beyond what tests/fixtures/debezium checks against a server: the
 * isostring time mode, BC and far-future years, negative and zero
 * decimals as two's complement, io.debezium.data.Bits (expected bytes
 * from Debezium's AbstractRecordsProducerTest, bitbin_table), base64's
 * URL-safe alphabet.
 */
#include "tinytest.h"

#include <stdlib.h>
#include <string.h>

#include "lib/cdc/dbz_int.h"

static int
renders(const struct dbz_opts *o, enum ntype t, int fsp, int scale, const char *native,
	const char *canon, const char *want)
{
	struct ntype_desc d = { 0 };
	struct column col = { 0 };
	struct value v = { (const unsigned char *)canon, strlen(canon), 0 };
	struct strbuf out = STRBUF_INIT;
	int same;

	d.t = t;
	d.fsp = fsp;
	d.scale = scale;
	d.precision = -1;
	d.length = native && !strncmp(native, "bit(", 4) ? atoi(native + 4) : -1;
	col.native_type = (char *)native;
	col.type = d;
	same = dbz_value_json(o, &out, &col, t, &d, &v) == 0 && !strcmp(strbuf_cstr(&out), want);
	if (!same)
		fprintf(stderr, "  %s: got %s, want %s\n", canon, strbuf_cstr(&out), want);
	strbuf_release(&out);
	return same;
}

static void
test_cdc_debezium__values(void)
{
	struct dbz_opts o;

	dbz_opts_init(&o);
	/* two's complement, minimal, as BigInteger.toByteArray() */
	CHECK(renders(&o, NT_DECIMAL, -1, 2, NULL, "-0.01", "\"/w==\""));
	CHECK(renders(&o, NT_DECIMAL, -1, 2, NULL, "0.00", "\"AA==\""));
	CHECK(renders(&o, NT_DECIMAL, -1, 2, NULL, "1.28", "\"AIA=\""));
	CHECK(renders(&o, NT_DECIMAL, -1, -1, NULL, "-128", "{\"scale\":0,\"value\":\"gA==\"}"));
	/* Bits: little-endian; a fixed length's ceil(n/8) bytes */
	CHECK(renders(&o, NT_BIT, -1, 0, "bit(2)", "11", "\"Aw==\""));
	CHECK(renders(&o, NT_BIT, -1, 0, "bit(7)", "1000000", "\"QA==\""));
	CHECK(renders(&o, NT_BIT, -1, 0, "bit(24)", "000000110000001000000001", "\"AQID\""));
	CHECK(renders(&o, NT_BIT, -1, 0, "bit(64)",
		      "1000000000000000000000000000000000000000000000000000000000000000",
		      "\"AAAAAAAAAIA=\""));
	CHECK(renders(&o, NT_BIT, -1, 0, "bit varying(2)", "00", "\"\""));
	CHECK(renders(&o, NT_BIT, -1, 0, "bit varying", "101", "\"BQ==\""));
	CHECK(renders(&o, NT_BIT, -1, 0, "bit varying", "111011010001000110000001000000001",
		      "\"AQIj2gE=\""));
	CHECK(renders(&o, NT_BIT, -1, 0, "bit(1)", "1", "true"));
	/* adaptive: 0-3 digits of fraction in milliseconds */
	CHECK(renders(&o, NT_TIMESTAMP, 0, 0, NULL, "1970-01-01 00:00:01", "1000"));
	CHECK(renders(&o, NT_TIMESTAMP, -1, 0, NULL, "1969-12-31 23:59:59.999999", "-1"));
	CHECK(renders(&o, NT_TIMESTAMP, 3, 0, NULL, "1969-12-31 23:59:59.9995", "-1"));
	CHECK(renders(&o, NT_DATE, -1, 0, NULL, "0001-01-01 BC", "-719528"));
	CHECK(renders(&o, NT_TIMESTAMPTZ, 3, 0, NULL, "2016-11-04 11:51:30.1", "\"2016-11-04T11:51:30.100Z\""));
	CHECK(renders(&o, NT_TIMESTAMPTZ, 0, 0, NULL, "0044-03-15 12:00:00 BC",
		      "\"-0043-03-15T12:00:00Z\""));
	/* isostring */
	CHECK(dbz_opts_set(&o, "time.precision.mode=isostring", (char[128]){ 0 }, 128) == 0);
	CHECK(renders(&o, NT_DATE, -1, 0, NULL, "2017-09-15", "\"2017-09-15Z\""));
	CHECK(renders(&o, NT_TIME, -1, 0, NULL, "04:05:11.789", "\"04:05:11.789Z\""));
	CHECK(renders(&o, NT_TIMESTAMP, -1, 0, NULL, "2019-07-09 02:28:57.123456",
		      "\"2019-07-09T02:28:57.123456Z\""));
	CHECK(renders(&o, NT_TIMESTAMP, -1, 0, NULL, "2019-07-09 02:28:57.5", "\"2019-07-09T02:28:57.500Z\""));
	CHECK(renders(&o, NT_TIMESTAMP, -1, 0, NULL, "infinity", "\"infinity\""));
	CHECK(renders(&o, NT_DATE, -1, 0, NULL, "12021-01-01", "\"+12021-01-01Z\""));
	/* the URL-safe alphabet */
	CHECK(dbz_opts_set(&o, "binary.handling.mode=base64-url-safe", (char[128]){ 0 }, 128) == 0);
	CHECK(renders(&o, NT_BYTES, -1, 0, NULL, "\xfb\xff", "\"-_8=\""));
	CHECK(dbz_opts_set(&o, "binary.handling.mode=base64", (char[128]){ 0 }, 128) == 0);
	CHECK(renders(&o, NT_BYTES, -1, 0, NULL, "\xfb\xff", "\"+/8=\""));
}

int
main(void)
{
	TEST_RUN(test_cdc_debezium__values);
	return TEST_REPORT();
}
