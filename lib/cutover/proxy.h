/*
 * proxy.h - the connection proxy a cutover switches: PgBouncer's admin
 * console (lib/pg/pg_bouncer.c, which speaks its protocol through libpq)
 * and its configuration file (pgbouncer_ini.c). Clients connect to the
 * proxy by one name that never changes; the cutover pauses them there,
 * points the name at the new primary and resumes them.
 */
#ifndef DBMIG_PROXY_H
#define DBMIG_PROXY_H

#include "lib/base/dberr.h"
#include "lib/base/util.h"

struct proxy_conn;

/* Opens the admin console named by uri, pgbouncer://USER[:PASSWORD]@HOST:PORT/DBNAME
 * (USER one of its admin_users; PGPASSWORD and ~/.pgpass also serve):
 * DBNAME is the database entry the clients use. */
int proxy_open(struct proxy_conn **out, const char *uri, struct dberr *err);
void proxy_close(struct proxy_conn *p);
/* The entry's name, and the proxy without credentials, for messages. */
const char *proxy_dbname(const struct proxy_conn *p);
const char *proxy_describe(const struct proxy_conn *p);
/* 1 when the console knows the entry (SHOW DATABASES), with where it
 * points now ("host=... port=... dbname=...") into where. */
int proxy_entry(struct proxy_conn *p, struct strbuf *where, struct dberr *err);
/* PAUSE the entry: returns once its server connections are idle and
 * closed; new client queries wait. Paused already is no error. When
 * the clients' transactions have not all ended within seconds (or on
 * SIGINT), the pause is given up (RESUME) and it fails. */
int proxy_pause(struct proxy_conn *p, double seconds, struct dberr *err);
/* RESUME it; not paused is no error. */
int proxy_resume(struct proxy_conn *p, struct dberr *err);
/* RELOAD: the proxy reads its configuration file again. */
int proxy_reload(struct proxy_conn *p, struct dberr *err);

/* The entry's value for a database at uri (a postgresql:// URI or libpq
 * string): "host=H port=P dbname=D", keeping from old (the entry's
 * current value) every other setting, such as pool_size; no password
 * from uri is ever written. */
int proxy_entry_for(const char *uri, const char *old, struct strbuf *out, struct dberr *err);

/* pgbouncer_ini.c: the value of entry dbname in the [databases]
 * section of the file at path into value (1 found, 0 not); and its
 * replacement, written to a temporary file, fsynced and renamed over
 * path with the same mode (a proxy never reads half a file). */
int proxy_ini_get(const char *path, const char *dbname, struct strbuf *value, struct dberr *err);
int proxy_ini_set(const char *path, const char *dbname, const char *value, struct dberr *err);

#endif
