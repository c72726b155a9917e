/*
 * binlog_capture - writes a MySQL/MariaDB server's binlog events, as the
 * server sends them to a replica, to stdout: each one as a 4-byte
 * little-endian length and the event's bytes (header to CRC). For the
 * decoder's fixtures (tests/fixtures/binlog/): what a real server wrote,
 * kept so the unit tests need no server.
 *
 *   binlog_capture HOST PORT USER FILE POS END_POS
 *
 * reads from FILE:POS until an event ends at or after END_POS (in FILE);
 * the password comes from MYSQL_PWD.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mysql.h>
#include <mariadb_rpl.h>

int
main(int argc, char **argv)
{
	MYSQL *m;
	MARIADB_RPL *rpl;
	MARIADB_RPL_EVENT *ev;
	unsigned long pos, end;
	int done = 0;

	if (argc != 7) {
		fprintf(stderr, "usage: binlog_capture HOST PORT USER FILE POS END_POS\n");
		return 2;
	}
	pos = strtoul(argv[5], NULL, 10);
	end = strtoul(argv[6], NULL, 10);
	m = mysql_init(NULL);
	if (!mysql_real_connect(m, argv[1], argv[3], getenv("MYSQL_PWD"), NULL,
				(unsigned)atoi(argv[2]), NULL, 0) ||
	    mysql_query(m, "SET @master_binlog_checksum = @@global.binlog_checksum, "
			"@mariadb_slave_capability = 4")) {
		fprintf(stderr, "binlog_capture: %s\n", mysql_error(m));
		return 1;
	}
	rpl = mariadb_rpl_init(m);
	mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, argv[4], strlen(argv[4]));
	mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, pos);
	mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, 0x7fff0001u);
	mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, MARIADB_RPL_BINLOG_DUMP_NON_BLOCK);
	if (mariadb_rpl_open(rpl)) {
		fprintf(stderr, "binlog_capture: %s\n", mysql_error(m));
		return 1;
	}
	while (!done && (ev = mariadb_rpl_fetch(rpl, NULL))) {
		uint32_t n = (uint32_t)ev->raw_data_size - 1;
		unsigned char len[4] = { (unsigned char)n, (unsigned char)(n >> 8),
					 (unsigned char)(n >> 16), (unsigned char)(n >> 24) };

		fwrite(len, 1, 4, stdout);
		fwrite(ev->raw_data + 1, 1, n, stdout);	/* after the OK byte */
		done = ev->next_event_pos >= end && ev->event_type != ROTATE_EVENT &&
		       ev->event_type != FORMAT_DESCRIPTION_EVENT;
		mariadb_free_rpl_event(ev);
	}
	mariadb_rpl_close(rpl);
	mysql_close(m);
	return done ? 0 : 1;
}
