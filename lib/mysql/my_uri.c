/*
 * my_uri.c - see my_uri.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/util.h"
#include "my_uri.h"
#include "lib/base/banned.h"

static int
hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n); NULL for a bad escape or an embedded NUL. */
static char *
decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *w = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hexv((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexv((unsigned char)s[i + 2])) < 0 || (hi == 0 && lo == 0))
				goto bad;
			*w++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*w++ = s[i];
		}
	}
	*w = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

int
my_uri_parse(const char *uri, struct my_uri *u, char *emsg, size_t emsz)
{
	const char *p, *at, *slash, *q, *hostend;

	memset(u, 0, sizeof(*u));
	if (!strncmp(uri, "mysql://", 8))
		p = uri + 8;
	else if (!strncmp(uri, "mariadb://", 10))
		p = uri + 10;
	else {
		snprintf(emsg, emsz, "not a mysql:// or mariadb:// URI");
		return -1;
	}
	q = strchr(p, '?');
	slash = strchr(p, '/');
	if (slash && q && slash > q)
		slash = NULL;
	hostend = slash ? slash : q ? q : p + strlen(p);
	/* userinfo: the last '@' before the host part */
	at = NULL;
	for (const char *c = p; c < hostend; c++)
		if (*c == '@')
			at = c;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));

		u->user = decode(p, (size_t)((colon ? colon : at) - p));
		if (colon)
			u->password = decode(colon + 1, (size_t)(at - colon - 1));
		if (!u->user || (colon && !u->password)) {
			snprintf(emsg, emsz, "bad percent-escape in the user or password");
			goto fail;
		}
		p = at + 1;
	}
	if (p < hostend) {
		const char *colon = NULL;

		if (*p == '[') {	/* [ipv6]:port */
			const char *rb = memchr(p, ']', (size_t)(hostend - p));

			if (!rb) {
				snprintf(emsg, emsz, "unterminated [ in the host");
				goto fail;
			}
			u->host = xstrndup(p + 1, (size_t)(rb - p - 1));
			if (rb + 1 < hostend && rb[1] == ':')
				colon = rb + 1;
		} else {
			colon = memchr(p, ':', (size_t)(hostend - p));
			u->host = decode(p, (size_t)((colon ? colon : hostend) - p));
		}
		if (colon) {
			char *end;
			long port = strtol(colon + 1, &end, 10);

			if (end != hostend || port < 1 || port > 65535) {
				snprintf(emsg, emsz, "bad port in the URI");
				goto fail;
			}
			u->port = (unsigned)port;
		}
	}
	if (slash) {
		const char *dbend = q ? q : slash + strlen(slash);

		if (dbend > slash + 1 && !(u->database = decode(slash + 1, (size_t)(dbend - slash - 1)))) {
			snprintf(emsg, emsz, "bad percent-escape in the database name");
			goto fail;
		}
	}
	if (q) {
		const char *kv = q + 1;

		while (*kv) {
			const char *amp = strchr(kv, '&'), *eq;
			const char *kend = amp ? amp : kv + strlen(kv);
			char *key, *val;

			eq = memchr(kv, '=', (size_t)(kend - kv));
			if (!eq) {
				snprintf(emsg, emsz, "URI parameter without a value");
				goto fail;
			}
			key = xstrndup(kv, (size_t)(eq - kv));
			val = decode(eq + 1, (size_t)(kend - eq - 1));
			if (!val) {
				snprintf(emsg, emsz, "bad percent-escape in parameter '%s'", key);
				free(key);
				goto fail;
			}
#define TAKE(name, field) else if (!strcmp(key, name)) { free(u->field); u->field = val; val = NULL; }
			if (0) {}
			TAKE("socket", socket)
			TAKE("ssl-mode", ssl_mode)
			TAKE("ssl-ca", ssl_ca)
			TAKE("ssl-cert", ssl_cert)
			TAKE("ssl-key", ssl_key)
			TAKE("option-file", option_file)
			TAKE("option-group", option_group)
			else if (!strcmp(key, "connect-timeout"))
				u->connect_timeout = (unsigned)strtoul(val, NULL, 10);
			else if (!strcmp(key, "password")) {
				snprintf(emsg, emsz, "give the password as user:password@ or through MYSQL_PWD, not as a parameter");
				free(key);
				free(val);
				goto fail;
			} else {
				snprintf(emsg, emsz, "unknown URI parameter '%.40s'", key);
				free(key);
				free(val);
				goto fail;
			}
#undef TAKE
			free(key);
			free(val);
			kv = amp ? amp + 1 : kend;
		}
	}
	if (u->ssl_mode) {
		static const char *const modes[] = { "DISABLED", "PREFERRED", "REQUIRED",
						     "VERIFY_CA", "VERIFY_IDENTITY" };
		int ok = 0;

		for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
			ok |= !strcasecmp(u->ssl_mode, modes[i]);
		if (!ok) {
			snprintf(emsg, emsz, "ssl-mode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
			goto fail;
		}
	}
	return 0;
fail:
	my_uri_release(u);
	return -1;
}

void
my_uri_release(struct my_uri *u)
{
	if (u->password)
		memset(u->password, 0, strlen(u->password));
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->database);
	free(u->socket);
	free(u->ssl_mode);
	free(u->ssl_ca);
	free(u->ssl_cert);
	free(u->ssl_key);
	free(u->option_file);
	free(u->option_group);
	memset(u, 0, sizeof(*u));
}
