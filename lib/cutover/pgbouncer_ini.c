/*
 * pgbouncer_ini.c - reading and replacing one entry of PgBouncer's
 * [databases] section (proxy.h). The file is the operator's: every other
 * line, comment and blank stays byte for byte, and the new file replaces
 * the old in one rename, so PgBouncer's RELOAD never reads half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proxy.h"
#include "lib/base/banned.h"

/* Reads the whole file into sb. */
static int
slurp(const char *path, struct strbuf *sb, struct dberr *err)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (!f)
		return dberr_set(err, DBERR_IO, "cannot read the proxy's configuration %s: %s", path,
				 strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	fclose(f);
	return 0;
}

/* In line [s, e): 1 when it is entry dbname's, with the value's bounds. */
static int
entry_line(const char *s, const char *e, const char *dbname, const char **vs, const char **ve)
{
	const char *k, *ke, *eq;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (s == e || *s == ';' || *s == '#' || *s == '[' || !(eq = memchr(s, '=', (size_t)(e - s))))
		return 0;
	k = s;
	ke = eq;
	while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
		ke--;
	if (ke - k >= 2 && *k == '"' && ke[-1] == '"') {
		k++;
		ke--;
	}
	if ((size_t)(ke - k) != strlen(dbname) || strncmp(k, dbname, (size_t)(ke - k)))
		return 0;
	*vs = eq + 1;
	while (*vs < e && (**vs == ' ' || **vs == '\t'))
		(*vs)++;
	*ve = e;
	while (*ve > *vs && ((*ve)[-1] == ' ' || (*ve)[-1] == '\t' || (*ve)[-1] == '\r'))
		(*ve)--;
	return 1;
}

/* Finds the entry: its value's bounds in sb, 1; or 0. */
static int
find_entry(const struct strbuf *sb, const char *dbname, const char **vs, const char **ve)
{
	const char *p = strbuf_cstr(sb), *end = p + sb->len;
	int in_databases = 0;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *t = p;

		if (!e)
			e = end;
		while (t < e && (*t == ' ' || *t == '\t'))
			t++;
		if (t < e && *t == '[')
			in_databases = !strncmp(t, "[databases]", 11);
		else if (in_databases && entry_line(p, e, dbname, vs, ve))
			return 1;
		p = e + 1;
	}
	return 0;
}

int
proxy_ini_get(const char *path, const char *dbname, struct strbuf *value, struct dberr *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *vs, *ve;
	int found;

	if (slurp(path, &sb, err) < 0)
		return -1;
	if ((found = find_entry(&sb, dbname, &vs, &ve)))
		strbuf_add(value, vs, (size_t)(ve - vs));
	strbuf_release(&sb);
	return found;
}

int
proxy_ini_set(const char *path, const char *dbname, const char *value, struct dberr *err)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT, tmp = STRBUF_INIT;
	const char *vs, *ve;
	struct stat st;
	int fd = -1, ret = -1;

	if (slurp(path, &sb, err) < 0)
		return -1;
	if (!find_entry(&sb, dbname, &vs, &ve)) {
		dberr_set(err, DBERR_USAGE, "the proxy's configuration %s has no entry %s in its "
			  "[databases] section: add the line '%s = host=... dbname=...' the clients "
			  "use, RELOAD, then run again", path, dbname, dbname);
		goto out;
	}
	strbuf_add(&out, sb.buf, (size_t)(vs - sb.buf));
	strbuf_addstr(&out, value);
	strbuf_add(&out, ve, sb.len - (size_t)(ve - sb.buf));
	if (stat(path, &st) < 0) {
		dberr_set(err, DBERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	strbuf_addf(&tmp, "%s.dbmig-tmp", path);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 07777);
	if (fd < 0 || write(fd, out.buf, out.len) != (ssize_t)out.len || fsync(fd) < 0 ||
	    fchmod(fd, st.st_mode & 07777) < 0) {
		dberr_set(err, DBERR_IO, "cannot write %s (next to the proxy's configuration): %s",
			  tmp.buf, strerror(errno));
		goto out;
	}
	/* the proxy's own user must still read it */
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM) {
		dberr_set(err, DBERR_IO, "cannot give %s its owner back: %s", tmp.buf, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp.buf, path) < 0) {
		dberr_set(err, DBERR_IO, "cannot replace %s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && tmp.len)
		unlink(tmp.buf);
	strbuf_release(&sb);
	strbuf_release(&out);
	strbuf_release(&tmp);
	return ret;
}
