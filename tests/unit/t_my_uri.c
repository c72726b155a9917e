/*
 * t_my_uri.c - mysql:// and mariadb:// URIs (lib/mysql/my_uri.c): every
 * part, percent-decoding, options, and what is refused.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/mysql/my_uri.h"
#include "tinytest.h"

static void
test_my_uri__uri(void)
{
	struct my_uri u;
	char emsg[200];

	CHECK(my_uri_parse("mysql://app:s%40cret@db.example:3307/shop?ssl-mode=REQUIRED&ssl-ca=%2Fetc%2Fca.pem",
			   &u, emsg, sizeof(emsg)) == 0);
	CHECK_STR(u.user, "app");
	CHECK_STR(u.password, "s@cret");
	CHECK_STR(u.host, "db.example");
	CHECK(u.port == 3307);
	CHECK_STR(u.database, "shop");
	CHECK_STR(u.ssl_mode, "REQUIRED");
	CHECK_STR(u.ssl_ca, "/etc/ca.pem");
	my_uri_release(&u);
	CHECK(my_uri_parse("mariadb://root@/?socket=%2Ftmp%2Fmy.sock", &u, emsg, sizeof(emsg)) == 0);
	CHECK(u.host == NULL && u.database == NULL && u.password == NULL);
	CHECK_STR(u.socket, "/tmp/my.sock");
	my_uri_release(&u);
	CHECK(my_uri_parse("mysql://[::1]:3306/x", &u, emsg, sizeof(emsg)) == 0);
	CHECK_STR(u.host, "::1");
	CHECK(u.port == 3306);
	my_uri_release(&u);
	CHECK(my_uri_parse("mysql://h:99999/x", &u, emsg, sizeof(emsg)) < 0);
	CHECK(my_uri_parse("mysql://h/x?bogus=1", &u, emsg, sizeof(emsg)) < 0);
	CHECK(strstr(emsg, "bogus") != NULL);
	CHECK(my_uri_parse("mysql://u:p%zz@h/x", &u, emsg, sizeof(emsg)) < 0);
	CHECK(my_uri_parse("mysql://u:p%00@h/x", &u, emsg, sizeof(emsg)) < 0);
	CHECK(my_uri_parse("mysql://u:secret@h/x?ssl-mode=sometimes", &u, emsg, sizeof(emsg)) < 0);
	CHECK(strstr(emsg, "secret") == NULL);
	CHECK(my_uri_parse("postgresql://h/x", &u, emsg, sizeof(emsg)) < 0);
}

int
main(void)
{
	TEST_RUN(test_my_uri__uri);
	return TEST_REPORT();
}
