/*
 * pg_bouncer.c - PgBouncer's admin console (proxy.h). It speaks
 * PostgreSQL's protocol with the simple query protocol only, under the
 * database name "pgbouncer", and knows only its own commands, so it is
 * opened here without dbmig's session setup.
 */
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/cutover/proxy.h"
#include "lib/base/banned.h"

struct proxy_conn {
	PGconn *pg;
	char dbname[128];
	char desc[320];
};

static int
hexval(int ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
	       : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Copies [s, e) into out, %XX decoded. */
static void
take(const char *s, const char *e, char *out, size_t n)
{
	size_t k = 0;

	for (; s < e && k + 1 < n; s++) {
		if (*s == '%' && e - s >= 3 && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			out[k++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
}

int
proxy_open(struct proxy_conn **out, const char *uri, struct dberr *err)
{
	static const char scheme[] = "pgbouncer://";
	char user[128] = "", password[256] = "", host[256] = "", port[16] = "6432";
	const char *p, *at, *slash, *colon, *hostend;
	const char *keys[] = { "host", "port", "user", "password", "dbname",
			       "application_name", "connect_timeout", NULL };
	const char *vals[8];
	struct proxy_conn *c;

	*out = NULL;
	if (strncmp(uri, scheme, sizeof(scheme) - 1))
		return dberr_set(err, DBERR_USAGE, "--proxy wants pgbouncer://USER@HOST:PORT/DBNAME "
				 "(the admin console, and the database entry clients use)");
	p = uri + sizeof(scheme) - 1;
	slash = strchr(p, '/');
	if (!slash || !slash[1])
		return dberr_set(err, DBERR_USAGE, "--proxy names no database entry: "
				 "pgbouncer://USER@HOST:PORT/DBNAME");
	at = memchr(p, '@', (size_t)(slash - p));
	if (at) {
		colon = memchr(p, ':', (size_t)(at - p));
		take(p, colon ? colon : at, user, sizeof(user));
		if (colon)
			take(colon + 1, at, password, sizeof(password));
		p = at + 1;
	}
	hostend = memchr(p, ':', (size_t)(slash - p));
	take(p, hostend ? hostend : slash, host, sizeof(host));
	if (hostend)
		take(hostend + 1, slash, port, sizeof(port));
	if (!(c = calloc(1, sizeof(*c))))
		return dberr_set(err, DBERR_INTERNAL, "out of memory");
	take(slash + 1, slash + strlen(slash), c->dbname, sizeof(c->dbname));
	snprintf(c->desc, sizeof(c->desc), "PgBouncer at %s:%s (user %s)", host[0] ? host :
		 "localhost", port, user[0] ? user : "(default)");
	vals[0] = host[0] ? host : NULL;
	vals[1] = port;
	vals[2] = user[0] ? user : NULL;
	vals[3] = password[0] ? password : NULL;
	vals[4] = "pgbouncer";
	vals[5] = "dbmig-cutover";
	vals[6] = "10";
	vals[7] = NULL;
	c->pg = PQconnectdbParams(keys, vals, 0);
	memset(password, 0, sizeof(password));
	if (PQstatus(c->pg) != CONNECTION_OK) {
		char why[256];

		snprintf(why, sizeof(why), "%s", PQerrorMessage(c->pg));
		why[strcspn(why, "\n")] = '\0';
		dberr_set(err, DBERR_TARGET, "cannot reach the admin console of %s: %s (is the user "
			  "in its admin_users, and is it listening there?)", c->desc, why);
		proxy_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

void
proxy_close(struct proxy_conn *p)
{
	if (!p)
		return;
	PQfinish(p->pg);
	free(p);
}

const char *
proxy_dbname(const struct proxy_conn *p)
{
	return p->dbname;
}

const char *
proxy_describe(const struct proxy_conn *p)
{
	return p->desc;
}

/* One admin command; 0, or -1 with err (unless its message holds ok_if,
 * a state that is what the command wants: "already paused"). */
static int
admin(struct proxy_conn *p, const char *cmd, const char *ok_if, struct dberr *err)
{
	PGresult *r = PQexec(p->pg, cmd);
	ExecStatusType st = PQresultStatus(r);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(r);
		return 0;
	}
	if (ok_if && strstr(PQresultErrorMessage(r), ok_if)) {
		PQclear(r);
		return 0;
	}
	dberr_set(err, DBERR_TARGET, "%s: %s failed: %s", p->desc, cmd, PQresultErrorMessage(r));
	err->msg[strcspn(err->msg, "\n")] = '\0';
	PQclear(r);
	return -1;
}

/* The entry in a quoted form the console takes (a name, not SQL). */
static void
command(char *out, size_t n, const char *verb, const struct proxy_conn *p)
{
	snprintf(out, n, "%s \"%s\"", verb, p->dbname);
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A second console session, as the first was opened (libpq keeps its
 * options, the password among them, in memory only). */
static PGconn *
reconnect(const struct proxy_conn *p)
{
	PQconninfoOption *opts = PQconninfo(p->pg), *o;
	const char *keys[40], *vals[40];
	int n = 0;
	PGconn *c;

	for (o = opts; o && o->keyword && n < 39; o++)
		if (o->val && *o->val) {
			keys[n] = o->keyword;
			vals[n++] = o->val;
		}
	keys[n] = vals[n] = NULL;
	c = PQconnectdbParams(keys, vals, 0);
	PQconninfoFree(opts);
	return c;
}

int
proxy_pause(struct proxy_conn *p, double seconds, struct dberr *err)
{
	char cmd[200];
	double t0 = mono_now();
	PGresult *r;
	PGconn *other;
	int failed = 0;

	command(cmd, sizeof(cmd), "PAUSE", p);
	if (!PQsendQuery(p->pg, cmd))
		return dberr_set(err, DBERR_TARGET, "%s: %s failed: %s", p->desc, cmd,
				 PQerrorMessage(p->pg));
	/* PAUSE returns once every transaction of the entry has ended: a
	 * long one would hold every client waiting behind it */
	while (PQconsumeInput(p->pg) && PQisBusy(p->pg)) {
		struct pollfd pfd = { PQsocket(p->pg), POLLIN, 0 };

		if (dbmig_interrupted || mono_now() - t0 >= seconds)
			goto give_up;
		poll(&pfd, 1, 50);
	}
	while ((r = PQgetResult(p->pg))) {
		ExecStatusType st = PQresultStatus(r);

		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
		    !strstr(PQresultErrorMessage(r), "already") && !failed++) {
			dberr_set(err, DBERR_TARGET, "%s: %s failed: %s", p->desc, cmd,
				  PQresultErrorMessage(r));
			err->msg[strcspn(err->msg, "\n")] = '\0';
		}
		PQclear(r);
	}
	return failed ? -1 : 0;
give_up:
	/* RESUME from a second session ends the pause in progress; this
	 * one, still waiting, is replaced */
	other = reconnect(p);
	command(cmd, sizeof(cmd), "RESUME", p);
	PQclear(PQexec(other, cmd));
	PQfinish(p->pg);
	p->pg = other;
	if (dbmig_interrupted)
		return dberr_set(err, DBERR_INTERRUPTED, "interrupted while PgBouncer paused \"%s\"; "
				 "resumed", p->dbname);
	return dberr_set(err, DBERR_TARGET, "PgBouncer could not pause \"%s\" within %.0f s: a "
			 "transaction of its clients runs longer (SHOW SERVERS in its console names "
			 "the busy connections); resumed. Run again when it has ended", p->dbname,
			 seconds);
}

int
proxy_resume(struct proxy_conn *p, struct dberr *err)
{
	char cmd[200];

	command(cmd, sizeof(cmd), "RESUME", p);
	return admin(p, cmd, "not paused", err);
}

int
proxy_reload(struct proxy_conn *p, struct dberr *err)
{
	return admin(p, "RELOAD", NULL, err);
}

int
proxy_entry(struct proxy_conn *p, struct strbuf *where, struct dberr *err)
{
	PGresult *r = PQexec(p->pg, "SHOW DATABASES");
	int name = -1, host = -1, port = -1, db = -1, found = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		dberr_set(err, DBERR_TARGET, "%s: SHOW DATABASES failed: %s", p->desc,
			  PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	for (int k = 0; k < PQnfields(r); k++) {
		const char *f = PQfname(r, k);

		if (!strcmp(f, "name"))
			name = k;
		else if (!strcmp(f, "host"))
			host = k;
		else if (!strcmp(f, "port"))
			port = k;
		else if (!strcmp(f, "database"))
			db = k;
	}
	for (int i = 0; name >= 0 && i < PQntuples(r) && !found; i++) {
		if (strcmp(PQgetvalue(r, i, name), p->dbname))
			continue;
		found = 1;
		strbuf_addf(where, "host=%s port=%s dbname=%s", host >= 0 ? PQgetvalue(r, i, host) : "?",
			    port >= 0 ? PQgetvalue(r, i, port) : "?",
			    db >= 0 ? PQgetvalue(r, i, db) : "?");
	}
	PQclear(r);
	return found;
}

int
proxy_entry_for(const char *uri, const char *old, struct strbuf *out, struct dberr *err)
{
	static const char *const replaced[] = { "host", "hostaddr", "port", "dbname", "password" };
	PQconninfoOption *opts = PQconninfoParse(uri, NULL), *o;

	if (!opts)
		return dberr_set(err, DBERR_USAGE, "the target's connection string does not parse");
	for (o = opts; o->keyword; o++)
		if (o->val && *o->val && (!strcmp(o->keyword, "host") || !strcmp(o->keyword, "port") ||
					  !strcmp(o->keyword, "dbname")))
			strbuf_addf(out, "%s%s=%s", out->len ? " " : "", o->keyword, o->val);
	/* the entry's own settings stay (PgBouncer's value is libpq's
	 * keyword=value form plus its pool settings, which libpq does not
	 * know: copied word by word) */
	if (old) {
		const char *s = old;

		while (*s) {
			const char *w = s + strspn(s, " \t"), *e = w + strcspn(w, " \t");
			size_t klen = strcspn(w, "=");
			int skip = 0;

			if (w == e)
				break;
			for (size_t i = 0; i < sizeof(replaced) / sizeof(replaced[0]); i++)
				if (klen == strlen(replaced[i]) && !strncmp(w, replaced[i], klen))
					skip = 1;
			if (!skip)
				strbuf_addf(out, " %.*s", (int)(e - w), w);
			s = e;
		}
	}
	PQconninfoFree(opts);
	return 0;
}
