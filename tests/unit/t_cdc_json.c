/*
 * t_cdc_json.c - change events as JSON lines (lib/cdc/cdc_json.c): the
 * fixed dbmig format and Debezium's records (a key update as delete,
 * tombstone and create), values from their canonical payloads.
 */
#include "tinytest.h"

#include <string.h>

#include "ddl_fixture.h"
#include "lib/cdc/cdc_debezium.h"
#include "lib/cdc/cdc_json.h"

static struct value
val(const char *s)
{
	struct value v = { (const unsigned char *)s, strlen(s), 0 };

	return v;
}

static void
test_cdc_json__lines(void)
{
	struct schema_model m;
	struct table *t;
	struct strbuf out = STRBUF_INIT, arr = STRBUF_INIT, f = STRBUF_INIT;
	struct value after[7], before[7];
	unsigned char unchanged[7] = { 0, 0, 0, 0, 0, 0, 1 };
	struct cdc_event ev;
	struct cdc_json_ctx c;
	struct dbz_opts dz;
	const char *lines;
	struct canon_array a;
	struct value elems[2];

	model_init(&m, "postgresql");
	t = model_table(&m, "t");
	model_column(t, "id", "integer", NT_INT32);
	model_column(t, "ok", "boolean", NT_BOOL);
	model_column(t, "f", "double precision", NT_FLOAT64);
	model_column(t, "n", "numeric(10,2)", NT_DECIMAL);
	model_column(t, "b", "bytea", NT_BYTES);
	model_column(t, "a", "integer[]", NT_ARRAY)->type.elem = NT_INT32;
	model_column(t, "big", "text", NT_TEXT);
	model_key(t, 'p', "t_pkey", "id", "PRIMARY KEY (id)");
	canon_put_float(&f, 0.5, 8);
	memset(&a, 0, sizeof(a));
	a.ndims = 1;
	a.dims[0] = 2;
	a.lbound[0] = 1;
	a.nelems = 2;
	elems[0] = val("1");
	elems[1] = val("22");
	a.elems = elems;
	canon_array_encode(&arr, &a);
	after[0] = val("7");
	after[1] = val("1");
	after[2].p = (const unsigned char *)f.buf;
	after[2].len = f.len;
	after[2].isnull = 0;
	after[3] = val("-12.50");
	after[4] = val("\x01\xff");
	after[5].p = (const unsigned char *)arr.buf;
	after[5].len = arr.len;
	after[5].isnull = 0;
	after[6] = val("");
	memset(before, 0, sizeof(before));
	before[0] = val("6");
	for (int i = 1; i < 7; i++)
		before[i].isnull = 1;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CDC_UPDATE;
	ev.table = t;
	ev.after = after;
	ev.before = before;
	ev.before_is_key = 1;
	ev.unchanged = unchanged;
	memset(&c, 0, sizeof(c));
	c.engine = "postgresql";
	c.database = "shop";
	position_set_lsn(&c.commit_pos, 0x16B374D848ULL, 1);
	c.xid = 42;
	c.commit_time_us = 1700000000123456LL;
	CHECK(cdc_json_event(&c, &ev, &out) == 0);
	CHECK(!strcmp(strbuf_cstr(&out), "{\"op\":\"update\",\"schema\":\"app\",\"table\":\"t\","
		      "\"key\":{\"id\":7},\"before\":{\"id\":6},\"after\":{\"id\":7,\"ok\":true,"
		      "\"f\":0.5,\"n\":\"-12.50\",\"b\":\"\\\\x01ff\",\"a\":[1,22]},"
		      "\"unchanged\":[\"big\"],\"position\":\"16/B374D848\",\"xid\":42,"
		      "\"commit_time\":\"2023-11-14T22:13:20.123456Z\"}\n"));
	strbuf_reset(&out);
	/* Debezium's: the key changed (6 to 7), so a delete of the old key,
	 * its tombstone and a create of the new one, each key, tab, value;
	 * the column the source did not send holds the placeholder */
	dbz_opts_init(&dz);
	dz.key_schemas = dz.value_schemas = 0;
	c.dbz = &dz;
	c.last_commit_lsn = 0x16B374D000ULL;
	ev.lsn = 0x16B374D010ULL;
	CHECK(cdc_json_event(&c, &ev, &out) == 0);
	lines = strbuf_cstr(&out);
	CHECK(!strncmp(lines, "{\"id\":6}\t{\"before\":{\"id\":6,\"ok\":null,\"f\":null,"
		       "\"n\":null,\"b\":null,\"a\":null,\"big\":null},\"after\":null,\"source\":"
		       "{\"version\":\"dbmig-", 96));
	CHECK(strstr(lines, "\"connector\":\"postgresql\",\"name\":\"shop\",\"ts_ms\":"
		     "1700000000123,\"snapshot\":\"false\",\"db\":\"shop\",\"sequence\":"
		     "\"[\\\"97500057600\\\",\\\"97500057616\\\"]\",\"ts_us\":1700000000123456,"
		     "\"ts_ns\":1700000000123456000,\"schema\":\"app\",\"table\":\"t\",\"txId\":42,"
		     "\"lsn\":97500057616,\"xmin\":null},\"transaction\":null,\"op\":\"d\",") != NULL);
	CHECK(strstr(lines, "}\n{\"id\":6}\t\n{\"id\":7}\t{\"before\":null,\"after\":{\"id\":7,"
		     "\"ok\":true,\"f\":0.5,\"n\":{\"scale\":2,\"value\":\"+x4=\"},\"b\":\"Af8=\","
		     "\"a\":[1,22],\"big\":\"__debezium_unavailable_value\"},") != NULL);
	CHECK(strstr(lines, "\"op\":\"c\",") != NULL);
	/* each line's position: the change's own; none on the tombstone */
	{
		const char *nl = strchr(lines, '\n');
		struct db_position lp;

		CHECK(cdc_json_line_position(lines, (size_t)(nl - lines), &lp) == 0 &&
		      position_lsn(&lp) == 0x16B374D010ULL);
		CHECK(cdc_json_line_position(nl + 1, 9, &lp) == 1);
	}
	/* a commit: a line of its own in dbmig's format, none in Debezium's */
	strbuf_reset(&out);
	ev.kind = CDC_COMMIT;
	CHECK(cdc_json_event(&c, &ev, &out) == 0 && out.len == 0);
	c.dbz = NULL;
	CHECK(cdc_json_event(&c, &ev, &out) == 0 &&
	      !strcmp(strbuf_cstr(&out), "{\"op\":\"commit\",\"position\":\"16/B374D848\",\"xid\":42,"
		      "\"commit_time\":\"2023-11-14T22:13:20.123456Z\"}\n"));
	strbuf_release(&out);
	strbuf_release(&arr);
	strbuf_release(&f);
	schema_release(&m);
}

int
main(void)
{
	TEST_RUN(test_cdc_json__lines);
	return TEST_REPORT();
}
