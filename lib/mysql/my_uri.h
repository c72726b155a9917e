/*
 * my_uri.h - mysql:// (or mariadb://) connection URIs.
 *
 *   mysql://[user[:password]@][host][:port][/database][?param=value&...]
 *
 * Parameters: socket, ssl-mode (DISABLED, PREFERRED, REQUIRED,
 * VERIFY_CA, VERIFY_IDENTITY), ssl-ca, ssl-cert, ssl-key,
 * option-file, option-group (default "client"), connect-timeout.
 * Percent-escapes are decoded. The password is better given through
 * MYSQL_PWD or an option file than in the URI.
 */
#ifndef DBMIG_MY_URI_H
#define DBMIG_MY_URI_H

struct my_uri {
	char *user, *password, *host, *database;
	unsigned port;			/* 0 = default */
	char *socket, *ssl_mode, *ssl_ca, *ssl_cert, *ssl_key;
	char *option_file, *option_group;
	unsigned connect_timeout;
};

/* Returns 0, or -1 with a reason in emsg (never the password). */
int my_uri_parse(const char *uri, struct my_uri *out, char *emsg, size_t emsz);
void my_uri_release(struct my_uri *u);

#endif
