/*
 * dumpfmt_dir.c - the dump directory: creating it private, writing files
 * atomically, cleaning up after a failed dump, and the one place that
 * decides which file names are acceptable.
 */
#include "dumpfmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/banned.h"

int
dumpfmt_chunk_name_ok(const char *name)
{
	/* t<5 digits>_c<5 digits>.zst, nothing else (SPEC.md 2.2). */
	static const char pat[] = "tDDDDD_cDDDDD.zst";

	if (strlen(name) != sizeof(pat) - 1)
		return 0;
	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'D') {
			if (name[i] < '0' || name[i] > '9')
				return 0;
		} else if (name[i] != pat[i]) {
			return 0;
		}
	}
	return 1;
}

static int
is_dump_file(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(name, DUMPFMT_MANIFEST) || dumpfmt_chunk_name_ok(name))
		return 1;
	/* temporaries: ".<name>.tmp" */
	if (n > 5 && name[0] == '.' && !strcmp(name + n - 4, ".tmp"))
		return 1;
	return 0;
}

int
dumpfmt_dir_create(const char *dir, int *created, struct dberr *err)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int nonempty = 0;

	*created = 0;
	if (mkdir(dir, 0700) == 0) {
		*created = 1;
		chmod(dir, 0700);	/* whatever the umask */
		return 0;
	}
	if (errno != EEXIST)
		return dberr_set(err, DBERR_IO, "cannot create dump directory '%s': %s",
				 dir, strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return dberr_set(err, DBERR_IO, "'%s' exists and is not a directory; "
				 "choose another path for the dump", dir);
	if (!(d = opendir(dir)))
		return dberr_set(err, DBERR_IO, "cannot read directory '%s': %s",
				 dir, strerror(errno));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			nonempty = 1;
	closedir(d);
	if (nonempty) {
		struct strbuf p = STRBUF_INIT;
		int has_manifest;

		strbuf_addf(&p, "%s/%s", dir, DUMPFMT_MANIFEST);
		has_manifest = access(p.buf, F_OK) == 0;
		strbuf_release(&p);
		return dberr_set(err, DBERR_IO,
				 "output directory '%s' is not empty (%s); remove it or "
				 "choose another directory for the dump", dir,
				 has_manifest ? "it holds a complete dump" :
				 "it holds no manifest, so an earlier dump there did not finish");
	}
	if (chmod(dir, 0700) < 0)
		return dberr_set(err, DBERR_IO, "cannot make '%s' private: %s",
				 dir, strerror(errno));
	return 0;
}

void
dumpfmt_dir_cleanup(const char *dir, int created)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct strbuf p = STRBUF_INIT;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!is_dump_file(e->d_name))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, e->d_name);
		unlink(p.buf);
	}
	closedir(d);
	strbuf_release(&p);
	if (created)
		rmdir(dir);
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
dumpfmt_write_file_atomic(const char *dir, const char *name, const void *data,
			  size_t len, struct dberr *err)
{
	struct strbuf tmp = STRBUF_INIT, fin = STRBUF_INIT;
	const char *p = data;
	int fd = -1, ret = -1;

	strbuf_addf(&tmp, "%s/.%s.tmp", dir, name);
	strbuf_addf(&fin, "%s/%s", dir, name);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		dberr_set(err, DBERR_IO, "cannot create '%s': %s", tmp.buf, strerror(errno));
		goto cleanup;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			dberr_set(err, DBERR_IO, "cannot write '%s': %s%s", tmp.buf,
				  strerror(errno), errno == ENOSPC ?
				  "; free some space or choose another directory" : "");
			goto cleanup;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		dberr_set(err, DBERR_IO, "cannot fsync '%s': %s", tmp.buf, strerror(errno));
		goto cleanup;
	}
	close(fd);
	fd = -1;
	if (rename(tmp.buf, fin.buf) < 0) {
		dberr_set(err, DBERR_IO, "cannot rename '%s': %s", tmp.buf, strerror(errno));
		goto cleanup;
	}
	fsync_dir(dir);
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	strbuf_release(&fin);
	return ret;
}
