/*
 * driver.c - the registry of drivers: choosing one from a URI, or from
 * the engine name a dump records. This table is the one place outside
 * lib/pg and lib/mysql that lists the engines; a third engine is a new
 * driver and one line here.
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/banned.h"

extern const struct db_driver drv_pg, drv_mysql;

static const struct db_driver *const drivers[] = { &drv_pg, &drv_mysql };
#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

const struct db_driver *
driver_for_uri(const char *uri, enum dberr_class side, struct dberr *err)
{
	const char *what = side == DBERR_SOURCE ? "source" : "target";
	struct strbuf forms = STRBUF_INIT;

	for (size_t i = 0; i < NDRIVERS; i++)
		if (drivers[i]->accepts(uri))
			return drivers[i];
	size_t scheme = strspn(uri, "abcdefghijklmnopqrstuvwxyz");

	for (size_t i = 0; i < NDRIVERS; i++)
		strbuf_addf(&forms, "%s%s", i ? (i + 1 < NDRIVERS ? ", " : " or ") : "",
			    drivers[i]->uri_forms);
	/* "mysql:/db", "postgresql:host": a scheme without its "//" (only
	 * the scheme is echoed: the rest may hold a password) */
	if (scheme && uri[scheme] == ':' && strncmp(uri + scheme, "://", 3))
		dberr_set(err, DBERR_USAGE, "%s: the connection string starts with '%.*s:' but "
			  "not '%.*s://'; write it as %.*s://user@host:port/database (the forms "
			  "dbmig reads: %s)", what, (int)scheme, uri, (int)scheme, uri,
			  (int)scheme, uri, forms.buf);
	else
		dberr_set(err, DBERR_USAGE, "%s: cannot tell the engine of the connection string; "
			  "use %s", what, forms.buf);
	strbuf_release(&forms);
	return NULL;
}

const struct db_driver *
driver_by_name(const char *name)
{
	for (size_t i = 0; i < NDRIVERS; i++)
		if (name && !strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}
