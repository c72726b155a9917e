/*
 * t_proxy_ini.c - one entry of PgBouncer's [databases] section read and
 * replaced (lib/cutover/pgbouncer_ini.c), every other byte of the
 * operator's file kept; and the entry's new value for a target
 * (lib/pg/pg_bouncer.c), its pool settings kept, no password written.
 */
#include "tinytest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cutover/proxy.h"

static const char ini[] =
	"; the operator's comment\n"
	"[databases]\n"
	"other = host=10.0.0.9 dbname=other\n"
	"  \"app\"  =  host=10.0.0.1 port=5432 dbname=shop pool_size=20   \n"
	"app2 = host=10.0.0.2 dbname=app2\n"
	"\n"
	"[pgbouncer]\n"
	"app = not a database entry\n"
	"listen_port = 6432\n";

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[4096];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void
test_proxy_ini__get_and_set(void)
{
	char path[] = "/tmp/t_proxy_ini.XXXXXX";
	int fd = mkstemp(path);
	struct strbuf v = STRBUF_INIT;
	struct dberr err = DBERR_INIT;
	struct stat st;

	CHECK(fd >= 0);
	CHECK(write(fd, ini, sizeof(ini) - 1) == (ssize_t)(sizeof(ini) - 1));
	close(fd);
	chmod(path, 0640);
	CHECK(proxy_ini_get(path, "app", &v, &err) == 1);
	CHECK(!strcmp(v.buf, "host=10.0.0.1 port=5432 dbname=shop pool_size=20"));
	strbuf_reset(&v);
	CHECK(proxy_ini_get(path, "nosuch", &v, &err) == 0);
	CHECK(proxy_ini_set(path, "app", "host=10.0.0.3 dbname=shop_new", &err) == 0);
	/* (the spaces around the value stay too) */
	CHECK(strstr(slurp(path), "  \"app\"  =  host=10.0.0.3 dbname=shop_new   \n") != NULL);
	/* the rest byte for byte: the other entries, the comment, the
	 * [pgbouncer] key of the same name */
	CHECK(strstr(slurp(path), "; the operator's comment\n[databases]\nother = host=10.0.0.9 "
		     "dbname=other\n") == slurp(path));
	CHECK(strstr(slurp(path), "app2 = host=10.0.0.2 dbname=app2\n\n[pgbouncer]\napp = not a "
		     "database entry\nlisten_port = 6432\n") != NULL);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK(proxy_ini_set(path, "nosuch", "x", &err) < 0);
	CHECK(strstr(err.msg, "no entry nosuch in its [databases] section") != NULL);
	unlink(path);
	err = (struct dberr)DBERR_INIT;
	CHECK(proxy_ini_get(path, "app", &v, &err) < 0 && err.cls == DBERR_IO);
	strbuf_release(&v);
}

static void
test_proxy_ini__entry_for_target(void)
{
	struct strbuf v = STRBUF_INIT;
	struct dberr err = DBERR_INIT;

	CHECK(proxy_entry_for("postgresql://u:secret@db2:5433/shop_new",
			      "host=db1 port=5432 dbname=shop pool_size=20 password=old", &v,
			      &err) == 0);
	CHECK(!strcmp(v.buf, "dbname=shop_new host=db2 port=5433 pool_size=20"));
	CHECK(!strstr(v.buf, "secret") && !strstr(v.buf, "password"));
	strbuf_release(&v);
}

int
main(void)
{
	TEST_RUN(test_proxy_ini__get_and_set);
	TEST_RUN(test_proxy_ini__entry_for_target);
	return TEST_REPORT();
}
