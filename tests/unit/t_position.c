/*
 * t_position.c - log positions: parsing both kinds, the LSN arithmetic,
 * ordering binlog coordinates and GTID sets of both flavours, and the
 * pairs that must be refused rather than ordered.
 */
#include <stdlib.h>

#include "lib/base/position.h"
#include "tinytest.h"

static int
cmp_of(const char *a, const char *ga, const char *b, const char *gb, int *cmp)
{
	struct db_position pa, pb;
	struct dberr err = DBERR_INIT;

	if (position_parse(&pa, POSITION_NONE, a, ga, 1, 0, &err) < 0 ||
	    position_parse(&pb, POSITION_NONE, b, gb, 1, 0, &err) < 0)
		return -2;
	return position_compare(&pa, &pb, cmp, &err);
}

static void
test_position__kinds(void)
{
	CHECK(position_kind_of("0/1A2B3C8") == POSITION_LSN);
	CHECK(position_kind_of("16/B374D848") == POSITION_LSN);
	CHECK(position_kind_of("binlog.000042:1337") == POSITION_BINLOG);
	CHECK(position_kind_of("mysql-bin.000001:4") == POSITION_BINLOG);
	CHECK(position_kind_of("none (binary log disabled)") == POSITION_NONE);
	CHECK(position_kind_of("") == POSITION_NONE);
	CHECK(position_kind_of("0/XYZ") == POSITION_NONE);
	CHECK(position_kind_of("binlog.000042:") == POSITION_NONE);
	CHECK(position_kind_of("/1A") == POSITION_NONE);
}

static void
test_position__parse(void)
{
	struct db_position p;
	struct dberr err = DBERR_INIT;

	CHECK(position_parse(&p, POSITION_LSN, "16/B374D848", NULL, 0, 0, &err) == 0);
	CHECK(p.kind == POSITION_LSN && !p.exact);
	CHECK(position_lsn(&p) == ((uint64_t)0x16 << 32 | 0xB374D848u));
	CHECK(position_parse(&p, POSITION_LSN, "1/100000000", NULL, 0, 0, &err) == -1);
	CHECK(err.cls == DBERR_DUMP);
	CHECK(position_parse(&p, POSITION_LSN, "binlog.000001:4", NULL, 0, 0, &err) == -1);
	CHECK(position_parse(&p, POSITION_BINLOG, "binlog.000001:4", "0-1-19", 1, 0, &err) == 0);
	CHECK(p.kind == POSITION_BINLOG && p.exact);
	CHECK_STR(p.gtid, "0-1-19");
	/* an old manifest's words for "no binlog" read back as no position */
	CHECK(position_parse(&p, POSITION_NONE, "none (binary log disabled)", "", 0, 1, &err) == 0);
	CHECK(p.kind == POSITION_NONE);
	CHECK_STR(p.text, "none (binary log disabled)");
	CHECK(position_parse(&p, POSITION_NONE, "nonsense", "", 0, 0, &err) == -1);
}

static void
test_position__format(void)
{
	struct db_position p;
	struct strbuf s = STRBUF_INIT;

	position_set_lsn(&p, (uint64_t)0x16 << 32 | 0xB374D848u, 0);
	CHECK_STR(p.text, "16/B374D848");
	position_describe(&p, &s);
	CHECK_STR(s.buf, "WAL LSN 16/B374D848 or later");
	position_set_lsn(&p, 0x1A2B3C8, 1);
	CHECK_STR(p.text, "0/1A2B3C8");
	strbuf_reset(&s);
	position_describe(&p, &s);
	CHECK_STR(s.buf, "WAL LSN 0/1A2B3C8");
	position_set_binlog(&p, "binlog.000001", 783958605, "0-1-19", 1);
	CHECK_STR(p.text, "binlog.000001:783958605");
	strbuf_reset(&s);
	position_describe(&p, &s);
	CHECK_STR(s.buf, "binlog binlog.000001:783958605, GTID 0-1-19");
	position_set_binlog(&p, "", 0, "", 0);
	CHECK(p.kind == POSITION_NONE);
	strbuf_reset(&s);
	position_describe(&p, &s);
	CHECK_STR(s.buf, "none (binary log disabled)");
	strbuf_release(&s);
}

static void
test_position__compare_lsn(void)
{
	int c = 99;

	CHECK(cmp_of("0/1A2B3C8", NULL, "0/1A2B3C8", NULL, &c) == 0 && c == 0);
	CHECK(cmp_of("0/FFFFFFFF", NULL, "1/0", NULL, &c) == 0 && c < 0);
	CHECK(cmp_of("2/0", NULL, "1/FFFFFFFF", NULL, &c) == 0 && c > 0);
	/* not a string order: "A/0" is after "10/0"? no: 0xA < 0x10 */
	CHECK(cmp_of("A/0", NULL, "10/0", NULL, &c) == 0 && c < 0);
	CHECK(cmp_of("0/1", NULL, "binlog.000001:4", NULL, &c) == -1);
}

static void
test_position__compare_binlog(void)
{
	int c = 99;

	CHECK(cmp_of("binlog.000001:900", "", "binlog.000002:4", "", &c) == 0 && c < 0);
	CHECK(cmp_of("binlog.000002:4", "", "binlog.000001:900", "", &c) == 0 && c > 0);
	CHECK(cmp_of("binlog.000002:4", "", "binlog.000002:4", "", &c) == 0 && c == 0);
	/* the file number, not the text: 999999 rolls to 1000000 */
	CHECK(cmp_of("binlog.999999:4", "", "binlog.1000000:4", "", &c) == 0 && c < 0);
	CHECK(cmp_of("binlog.000001:4", "", "mysql-bin.000001:4", "", &c) == -1);
}

static void
test_position__compare_gtid_mariadb(void)
{
	int c = 99;

	CHECK(cmp_of("binlog.000001:4", "0-1-19", "binlog.000001:9", "0-1-20", &c) == 0 && c < 0);
	CHECK(cmp_of("b.1:4", "0-1-19,1-2-5", "b.1:4", "1-2-5,0-1-19", &c) == 0 && c == 0);
	/* a new domain appears later */
	CHECK(cmp_of("b.1:4", "0-1-19", "b.1:4", "0-1-19,1-2-5", &c) == 0 && c < 0);
	/* the server id does not order: a failover keeps the sequence */
	CHECK(cmp_of("b.1:4", "0-1-19", "b.2:4", "0-2-25", &c) == 0 && c < 0);
	/* GTIDs win over coordinates: after a failover the file restarts */
	CHECK(cmp_of("old.000900:4", "0-1-19", "new.000001:4", "0-2-25", &c) == 0 && c < 0);
	/* diverged: each is ahead in one domain */
	CHECK(cmp_of("b.1:4", "0-1-19,1-2-3", "b.1:4", "0-1-18,1-2-4", &c) == -1);
	CHECK(cmp_of("b.1:4", "0-1", "b.1:4", "0-1-18", &c) == -1);
}

static void
test_position__compare_gtid_mysql(void)
{
	const char *u = "3E11FA47-71CA-11E1-9E33-C80AA9429562";
	const char *v = "4f11fa47-71ca-11e1-9e33-c80aa9429562";
	char a[256], b[256];
	int c = 99;

	snprintf(a, sizeof(a), "%s:1-5", u);
	snprintf(b, sizeof(b), "%s:1-7", u);
	CHECK(cmp_of("b.1:4", a, "b.1:4", b, &c) == 0 && c < 0);
	/* adjacent intervals cover together; case does not matter */
	snprintf(a, sizeof(a), "%s:1-7", u);
	snprintf(b, sizeof(b), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3:4-7");
	CHECK(cmp_of("b.1:4", a, "b.1:4", b, &c) == 0 && c == 0);
	/* a hole: 1-3:5-7 does not hold 4 */
	snprintf(b, sizeof(b), "%s:1-3:5-7", u);
	CHECK(cmp_of("b.1:4", b, "b.1:4", a, &c) == 0 && c < 0);
	snprintf(a, sizeof(a), "%s:1-4", u);
	CHECK(cmp_of("b.1:4", a, "b.1:4", b, &c) == -1);
	/* two servers, with the newline MySQL prints between them */
	snprintf(a, sizeof(a), "%s:1-5,\n%s:1-2", u, v);
	snprintf(b, sizeof(b), "%s:1-5", u);
	CHECK(cmp_of("b.1:4", a, "b.1:4", b, &c) == 0 && c > 0);
	snprintf(b, sizeof(b), "%s:1-5:x", u);
	CHECK(cmp_of("b.1:4", a, "b.1:4", b, &c) == -1);
}

int
main(void)
{
	TEST_RUN(test_position__kinds);
	TEST_RUN(test_position__parse);
	TEST_RUN(test_position__format);
	TEST_RUN(test_position__compare_lsn);
	TEST_RUN(test_position__compare_binlog);
	TEST_RUN(test_position__compare_gtid_mariadb);
	TEST_RUN(test_position__compare_gtid_mysql);
	return TEST_REPORT();
}
