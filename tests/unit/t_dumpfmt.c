/*
 * t_dumpfmt.c - the dump format on good and hostile input: chunk round
 * trips, every truncation, bit flips, lying manifests, names that try to
 * leave the directory. Every failure must be a clear error naming the
 * file, never a crash (run under ASan by `make SANITIZE=... check`).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumpfmt/dumpfmt.h"
#include "tinytest.h"

static char tmpdir[256];

static void
make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/dbmig-unit-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		abort();
}

static void
rm_tmpdir(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)len + 1);
	*n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	return buf;
}

static void
spit(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	fwrite(buf, 1, n, f);
	fclose(f);
}

/* Writes a 2-column chunk of nrows rows; fills c. */
static int
write_chunk(const char *name, int nrows, struct chunk *c)
{
	struct dberr err = DBERR_INIT;
	struct chunk_writer *w = chunk_writer_open(tmpdir, name, 2, 3, &err);
	char num[32];

	if (!w)
		return -1;
	for (int i = 0; i < nrows; i++) {
		struct value v[2];

		snprintf(num, sizeof(num), "%d", i);
		v[0].p = (const unsigned char *)num;
		v[0].len = strlen(num);
		v[0].isnull = 0;
		v[1].p = (const unsigned char *)"payload \0 with a NUL";
		v[1].len = 20;
		v[1].isnull = i % 7 == 0;
		if (chunk_writer_row(w, v, &err) < 0)
			return -1;
	}
	return chunk_writer_finish(w, c, &err);
}

/* Reads the whole chunk; returns rows read, or -1 with err filled. */
static long
read_chunk(const struct chunk *c, struct dberr *err)
{
	struct chunk_reader *r = chunk_reader_open(tmpdir, c, 2, err);
	struct value v[2];
	long n = 0;
	int s;

	if (!r)
		return -1;
	while ((s = chunk_reader_next(r, v, err)) == 1)
		n++;
	chunk_reader_close(r);
	return s < 0 ? -1 : n;
}

static void
test_dumpfmt__chunk_round_trip(void)
{
	struct chunk c = { 0 };
	struct dberr err = DBERR_INIT;
	struct stat st;
	char path[512];

	make_tmpdir();
	CHECK(write_chunk("t00001_c00000.zst", 5000, &c) == 0);
	CHECK(c.rows == 5000);
	CHECK(strlen(c.checksum) == 32);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, c.file);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK((uint64_t)st.st_size == c.bytes);
	/* No temporary left behind. */
	snprintf(path, sizeof(path), "%s/.t00001_c00000.zst.tmp", tmpdir);
	CHECK(access(path, F_OK) != 0);
	CHECK(read_chunk(&c, &err) == 5000);
	free(c.file);
	rm_tmpdir();
}

static void
test_dumpfmt__every_truncation_is_an_error(void)
{
	struct chunk c = { 0 };
	struct dberr err = DBERR_INIT;
	char path[512], *orig;
	size_t n;

	make_tmpdir();
	CHECK(write_chunk("t00001_c00000.zst", 300, &c) == 0);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, c.file);
	orig = slurp(path, &n);
	for (size_t k = 0; k < n; k++) {
		struct chunk lie = c;

		spit(path, orig, k);
		/* Truncated but with a manifest that agrees on the size: the
		 * stream itself must still be caught. */
		lie.bytes = k;
		err.msg[0] = '\0';
		CHECK(read_chunk(&lie, &err) < 0);
		CHECK(strstr(err.msg, c.file) != NULL);
		/* And with the real manifest, the size check names it. */
		CHECK(read_chunk(&c, &err) < 0);
	}
	free(orig);
	free(c.file);
	rm_tmpdir();
}

static void
test_dumpfmt__every_bit_flip_is_an_error(void)
{
	struct chunk c = { 0 };
	struct dberr err = DBERR_INIT;
	char path[512], *orig;
	size_t n;
	int caught = 0, total = 0;

	make_tmpdir();
	CHECK(write_chunk("t00002_c00003.zst", 200, &c) == 0);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, c.file);
	orig = slurp(path, &n);
	for (size_t k = 0; k < n; k++) {
		for (int bit = 0; bit < 8; bit += 3) {
			orig[k] ^= (char)(1 << bit);
			spit(path, orig, n);
			orig[k] ^= (char)(1 << bit);
			total++;
			if (read_chunk(&c, &err) < 0 && strstr(err.msg, c.file))
				caught++;
			else
				fprintf(stderr, "  flip at byte %zu bit %d of %zu not caught\n", k, bit, n);
		}
	}
	/* zstd's frame checksum plus our XXH3-128: every flip is caught. */
	CHECK(caught == total);
	free(orig);
	free(c.file);
	rm_tmpdir();
}

static void
test_dumpfmt__wrong_checksum_and_rows(void)
{
	struct chunk c = { 0 }, lie;
	struct dberr err = DBERR_INIT;

	make_tmpdir();
	CHECK(write_chunk("t00001_c00000.zst", 10, &c) == 0);
	lie = c;
	lie.checksum[0] = lie.checksum[0] == '0' ? '1' : '0';
	CHECK(read_chunk(&lie, &err) < 0);
	CHECK(strstr(err.msg, "checksum") != NULL);
	lie = c;
	lie.rows = 11;
	CHECK(read_chunk(&lie, &err) < 0);
	CHECK(strstr(err.msg, "rows") != NULL);
	free(c.file);
	rm_tmpdir();
}

static void
test_dumpfmt__names_cannot_escape(void)
{
	struct chunk c = { 0 };
	struct dberr err = DBERR_INIT;

	CHECK(dumpfmt_chunk_name_ok("t00001_c00000.zst"));
	CHECK(!dumpfmt_chunk_name_ok("../t00001_c00000.zst"));
	CHECK(!dumpfmt_chunk_name_ok("t00001_c00000.zst/.."));
	CHECK(!dumpfmt_chunk_name_ok("/etc/passwd"));
	CHECK(!dumpfmt_chunk_name_ok("t0000/_c00000.zst"));
	CHECK(!dumpfmt_chunk_name_ok(""));
	make_tmpdir();
	c.file = (char *)"../../etc/passwd";
	CHECK(chunk_reader_open(tmpdir, &c, 2, &err) == NULL);
	CHECK(strstr(err.msg, "not a valid chunk name") != NULL);
	rm_tmpdir();
}

static const char good_manifest[] =
	"{\"format\":\"dbmig-dump\",\"format_version\":1,\"tool_version\":\"0.1.0\","
	"\"dump_id\":\"00ff\",\"created_at\":\"2026-01-01T00:00:00Z\",\"has_schema\":true,"
	"\"has_data\":true,\"unmapped_as_text\":false,"
	"\"source\":{\"engine\":\"postgresql\",\"server_version\":\"15\",\"database\":\"x\"},"
	"\"snapshot\":{\"kind\":\"k\",\"position\":\"0/0\",\"position_exact\":false},"
	"\"schema\":{\"schemas\":[\"public\"],\"enums\":[],\"domains\":[],\"sequences\":[],"
	"\"warnings\":[],\"tables\":[{\"schema\":\"public\",\"name\":\"t\",\"comment\":null,"
	"\"rows\":2,\"columns\":[{\"name\":\"a\",\"native_type\":\"integer\",\"type\":{\"t\":\"int32\"},"
	"\"not_null\":false,\"default\":null}],\"constraints\":[],\"indexes\":[],"
	"\"chunks\":[{\"file\":\"%s\",\"rows\":2,\"bytes\":%s,\"raw_bytes\":1,"
	"\"xxh3_128\":\"0123456789abcdef0123456789abcdef\","
	"\"file_xxh3_64\":\"0123456789abcdef\"}]}]}}";

static int
read_manifest_text(const char *text, struct dberr *err)
{
	struct dump_meta m;
	struct schema_model s;
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/manifest.json", tmpdir);
	spit(path, text, strlen(text));
	r = manifest_read(tmpdir, &m, &s, err);
	if (r == 0)
		schema_release(&s);
	return r;
}

static void
test_dumpfmt__hostile_manifests(void)
{
	struct dberr err = DBERR_INIT;
	char buf[4096];

	make_tmpdir();
	snprintf(buf, sizeof(buf), good_manifest, "t00000_c00000.zst", "10");
	CHECK(read_manifest_text(buf, &err) == 0);
	snprintf(buf, sizeof(buf), good_manifest, "../../etc/passwd", "10");
	CHECK(read_manifest_text(buf, &err) < 0);
	CHECK(strstr(err.msg, "file") != NULL);
	snprintf(buf, sizeof(buf), good_manifest, "t00000_c00000.zst", "-5");
	CHECK(read_manifest_text(buf, &err) < 0);
	snprintf(buf, sizeof(buf), good_manifest, "t00000_c00000.zst", "\"ten\"");
	CHECK(read_manifest_text(buf, &err) < 0);
	CHECK(read_manifest_text("{\"format\":\"dbmig-dump\",\"format_version\":99}", &err) < 0);
	CHECK(strstr(err.msg, "newer") != NULL);
	CHECK(read_manifest_text("{\"format\":\"dbmig-dump\"", &err) < 0);
	CHECK(strstr(err.msg, "not valid JSON") != NULL);
	CHECK(read_manifest_text("[]", &err) < 0);
	{
		/* The same chunk listed twice would load its rows twice. */
		char twice[4096], *rows, *chunk_start, *chunk_end;
		size_t clen;

		snprintf(buf, sizeof(buf), good_manifest, "t00000_c00000.zst", "10");
		rows = strstr(buf, "\"rows\":2,\"columns\"");
		rows[7] = '4';
		chunk_start = strstr(buf, "{\"file\"");
		chunk_end = strstr(chunk_start, "}") + 1;
		clen = (size_t)(chunk_end - chunk_start);
		snprintf(twice, sizeof(twice), "%.*s,%.*s%s", (int)(chunk_end - buf), buf,
			 (int)clen, chunk_start, chunk_end);
		CHECK(read_manifest_text(twice, &err) < 0);
		CHECK(strstr(err.msg, "names a file twice") != NULL);
	}
	CHECK(read_manifest_text("", &err) < 0);
	/* Every truncation of a good manifest is refused, never a crash. */
	snprintf(buf, sizeof(buf), good_manifest, "t00000_c00000.zst", "10");
	for (size_t k = 0; k < strlen(buf); k += 7) {
		char cut[4096];

		memcpy(cut, buf, k);
		cut[k] = '\0';
		CHECK(read_manifest_text(cut, &err) < 0);
	}
	rm_tmpdir();
}

static void
test_dumpfmt__dir_rules(void)
{
	struct dberr err = DBERR_INIT;
	char sub[512], file[600];
	struct stat st;
	int created;

	make_tmpdir();
	snprintf(sub, sizeof(sub), "%s/new", tmpdir);
	CHECK(dumpfmt_dir_create(sub, &created, &err) == 0 && created);
	CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700);
	snprintf(file, sizeof(file), "%s/t00000_c00000.zst", sub);
	spit(file, "x", 1);
	CHECK(dumpfmt_dir_create(sub, &created, &err) < 0);
	CHECK(strstr(err.msg, "not empty") != NULL && strstr(err.msg, "did not finish") != NULL);
	snprintf(file, sizeof(file), "%s/keep.txt", sub);
	spit(file, "x", 1);
	dumpfmt_dir_cleanup(sub, 1);
	/* Cleanup removes only our files: the directory stays for keep.txt. */
	CHECK(access(file, F_OK) == 0);
	rm_tmpdir();
}

int
main(void)
{
	TEST_RUN(test_dumpfmt__chunk_round_trip);
	TEST_RUN(test_dumpfmt__every_truncation_is_an_error);
	TEST_RUN(test_dumpfmt__every_bit_flip_is_an_error);
	TEST_RUN(test_dumpfmt__wrong_checksum_and_rows);
	TEST_RUN(test_dumpfmt__names_cannot_escape);
	TEST_RUN(test_dumpfmt__hostile_manifests);
	TEST_RUN(test_dumpfmt__dir_rules);
	return TEST_REPORT();
}
