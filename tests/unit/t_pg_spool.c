/*
 * t_pg_spool.c - the spool of a transaction PostgreSQL streams before
 * its commit (lib/pg/pg_spool.c): messages come back in order; taking
 * back a subtransaction takes back the ones after it too, but never a
 * relation's description; thousands of subtransactions stay fast; a
 * directory it cannot write is an error naming it.
 */
#include "tinytest.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/util.h"
#include "lib/pg/pg_spool.h"

/* A position made from a message's bytes, so one that came back with
 * another message's position shows. */
static uint64_t
msg_lsn(const unsigned char *p, size_t n)
{
	uint64_t h = 0x16B3F00ull << 8;

	for (size_t i = 0; i < n; i++)
		h = h * 131 + p[i];
	return h;
}

/* The messages read back, as their texts joined by ",". */
static char *
read_back(struct pg_spool *sp)
{
	struct strbuf out = STRBUF_INIT;
	struct dberr err = DBERR_INIT;
	const unsigned char *p;
	uint64_t lsn;
	size_t n;
	int r;

	CHECK(pg_spool_rewind(sp, &err) == 0);
	while ((r = pg_spool_next(sp, &lsn, &p, &n, &err)) > 0) {
		/* each message comes back with the position it was sent at */
		CHECK(lsn == msg_lsn(p, n));
		strbuf_addf(&out, "%s%.*s", out.len ? "," : "", (int)n, (const char *)p);
	}
	CHECK(r == 0);
	strbuf_addch(&out, '\0');
	return strbuf_detach(&out);
}

static void
add(struct pg_spool *sp, uint32_t sub, const char *text)
{
	struct dberr err = DBERR_INIT;

	CHECK(pg_spool_append(sp, sub, text[0] == 'R',
			      msg_lsn((const unsigned char *)text, strlen(text)),
			      (const unsigned char *)text, strlen(text), &err) == 0);
}

static void
test_pg_spool__subtransactions(void)
{
	struct dberr err = DBERR_INIT;
	struct pg_spool *sp = pg_spool_open(100, "/tmp", &err);
	char *got;

	CHECK(sp != NULL);
	add(sp, 100, "I1");
	/* SAVEPOINT a; SAVEPOINT b; insert in b (102); RELEASE b; insert
	 * in a (101, first seen after 102); ROLLBACK TO a: both go */
	add(sp, 102, "R-t");
	add(sp, 102, "I2");
	add(sp, 101, "I3");
	CHECK(pg_spool_abort_sub(sp, 102, &err) == 0);
	CHECK(pg_spool_abort_sub(sp, 101, &err) == 0);
	add(sp, 100, "I4");
	/* a subtransaction that wrote nothing here: no change */
	CHECK(pg_spool_abort_sub(sp, 999, &err) == 0);
	add(sp, 103, "I5");
	add(sp, 104, "I6");
	add(sp, 103, "I7");
	CHECK(pg_spool_abort_sub(sp, 104, &err) == 0);
	add(sp, 100, "I8");
	got = read_back(sp);
	/* the description of t stays (the server sends it once) */
	CHECK_STR(got, "I1,R-t,I4,I5,I8");
	free(got);
	pg_spool_close(sp);
}

static void
test_pg_spool__many_subtransactions(void)
{
	struct dberr err = DBERR_INIT;
	struct pg_spool *sp = pg_spool_open(7, "/tmp", &err);
	char *got;
	int ok = 1;

	/* a loop with an exception block per row: 200000 subtransactions,
	 * every other one rolled back */
	for (uint32_t x = 8; x < 200008 && ok; x++) {
		ok = pg_spool_append(sp, x, 0, msg_lsn((const unsigned char *)"I", 1),
				     (const unsigned char *)"I", 1, &err) == 0;
		if (x % 2)
			ok = ok && pg_spool_abort_sub(sp, x, &err) == 0;
	}
	CHECK(ok);
	got = read_back(sp);
	CHECK(strlen(got) == 100000 * 2 - 1);
	/* each kept: its length, its position and its byte */
	CHECK(pg_spool_bytes(sp) == 100000 * 13);
	free(got);
	pg_spool_close(sp);
}

static void
test_pg_spool__unwritable(void)
{
	struct dberr err = DBERR_INIT;

	CHECK(pg_spool_open(5, "/nonexistent-dir", &err) == NULL);
	CHECK(err.cls == DBERR_IO);
	CHECK(strstr(err.msg, "/nonexistent-dir/dbmig-tx5-") != NULL);
	CHECK(strstr(err.msg, "TMPDIR") != NULL);
}

int
main(void)
{
	TEST_RUN(test_pg_spool__subtransactions);
	TEST_RUN(test_pg_spool__many_subtransactions);
	TEST_RUN(test_pg_spool__unwritable);
	return TEST_REPORT();
}
