/*
 * t_rowpipe.c - the pipe between a direct copy's reader and loader:
 * every row of every chunk arrives once and in order across a ring much
 * smaller than the data, and a failure on either side reaches the other
 * instead of leaving it waiting.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/copy/rowpipe.h"
#include "tinytest.h"

#define CHUNKS	5
#define ROWS	20000	/* per chunk: ~10 blocks each through a ring of 2 */

struct producer {
	struct rowpipe *p;
	int fail_at;		/* chunk at which the producer fails, or -1 */
	int got_error;		/* the consumer's failure reached us */
};

static void *
produce(void *arg)
{
	struct producer *pr = arg;
	struct dberr err = DBERR_INIT;
	char name[32], payload[64];

	for (int c = 0; c < CHUNKS; c++) {
		snprintf(name, sizeof(name), "c%d", c);
		if (rowpipe_chunk_begin(pr->p, name, &err) < 0)
			goto failed;
		for (int r = 0; r < ROWS; r++) {
			struct value v[2];
			int n = snprintf(payload, sizeof(payload), "%d/%d xxxxxxxx", c, r);

			if (c == pr->fail_at && r == ROWS / 2) {
				dberr_set(&err, DBERR_SOURCE, "source went away");
				rowpipe_close(pr->p, &err);
				return NULL;
			}
			v[0] = (struct value){ (const unsigned char *)payload, (size_t)n, 0 };
			v[1] = (struct value){ NULL, 0, r % 2 };
			if (!v[1].isnull)
				v[1] = (struct value){ (const unsigned char *)"", 0, 0 };
			if (rowpipe_row(pr->p, v, &err) < 0)
				goto failed;
		}
		if (rowpipe_chunk_end(pr->p, &err) < 0)
			goto failed;
	}
	rowpipe_close(pr->p, NULL);
	return NULL;
failed:
	pr->got_error = err.cls == DBERR_TARGET;
	rowpipe_close(pr->p, &err);
	return NULL;
}

static void
test_rowpipe__every_row_once_in_order(void)
{
	struct producer pr = { rowpipe_new(2, 2), -1, 0 };
	struct dberr err = DBERR_INIT;
	pthread_t th;
	char name[32], want[64];
	int chunks = 0, bad = 0, r;

	pthread_create(&th, NULL, produce, &pr);
	while ((r = rowpipe_next_chunk(pr.p, name, sizeof(name), &err)) == 1) {
		struct value v[2];
		int rows = 0, k;

		snprintf(want, sizeof(want), "c%d", chunks);
		CHECK_STR(name, want);
		while ((k = rowpipe_next_row(pr.p, v, &err)) == 1) {
			int n = snprintf(want, sizeof(want), "%d/%d xxxxxxxx", chunks, rows);

			bad += v[0].len != (size_t)n || memcmp(v[0].p, want, (size_t)n) ||
			       v[1].isnull != rows % 2;
			rows++;
		}
		CHECK(k == 0);
		CHECK(rows == ROWS);
		chunks++;
	}
	CHECK(r == 0);
	CHECK(chunks == CHUNKS);
	CHECK(bad == 0);
	/* a closed pipe stays closed */
	CHECK(rowpipe_next_chunk(pr.p, name, sizeof(name), &err) == 0);
	pthread_join(th, NULL);
	rowpipe_free(pr.p);
}

static void
test_rowpipe__producer_failure_ends_the_chunk_with_its_message(void)
{
	struct producer pr = { rowpipe_new(2, 2), 2, 0 };
	struct dberr err = DBERR_INIT;
	pthread_t th;
	char name[32];
	struct value v[2];
	int chunks = 0, r, k = 1;

	pthread_create(&th, NULL, produce, &pr);
	while ((r = rowpipe_next_chunk(pr.p, name, sizeof(name), &err)) == 1) {
		while ((k = rowpipe_next_row(pr.p, v, &err)) == 1)
			;
		if (k < 0)
			break;
		chunks++;
	}
	CHECK(chunks == 2);
	CHECK(k == -1);
	CHECK(err.cls == DBERR_SOURCE);
	CHECK_STR(err.msg, "source went away");
	pthread_join(th, NULL);
	rowpipe_free(pr.p);
}

static void
test_rowpipe__consumer_failure_stops_the_producer(void)
{
	struct producer pr = { rowpipe_new(2, 2), -1, 0 };
	struct dberr err = DBERR_INIT;
	pthread_t th;
	char name[32];
	struct value v[2];

	pthread_create(&th, NULL, produce, &pr);
	CHECK(rowpipe_next_chunk(pr.p, name, sizeof(name), &err) == 1);
	CHECK(rowpipe_next_row(pr.p, v, &err) == 1);
	dberr_set(&err, DBERR_TARGET, "target refused");
	rowpipe_fail(pr.p, &err);
	/* the producer, blocked on a full ring, wakes up and stops */
	pthread_join(th, NULL);
	CHECK(pr.got_error);
	rowpipe_free(pr.p);
}

int
main(void)
{
	TEST_RUN(test_rowpipe__every_row_once_in_order);
	TEST_RUN(test_rowpipe__producer_failure_ends_the_chunk_with_its_message);
	TEST_RUN(test_rowpipe__consumer_failure_stops_the_producer);
	return TEST_REPORT();
}
