/*
 * binlog.h - the MySQL/MariaDB binary log, read by dbmig itself: one
 * event's header, checksum and body, and the bodies cdc-tail needs
 * (FORMAT_DESCRIPTION, ROTATE, QUERY, XID, GTID, GTID_LIST, TABLE_MAP with
 * its optional metadata, and the rows events), then the row images of a
 * rows event as the text the server's text protocol prints for each
 * value (binlog_rows.c), so the dump's own conversion makes them
 * canonical.
 *
 * Connector/C carries the events to us (mariadb_rpl_fetch), but its own
 * decoding is wrong for ROTATE, CHAR, ENUM, SET and negative TIME
 * (../shared/FINDINGS.md Q2), so nothing of it is used but the bytes.
 * Pure functions over a byte buffer: every length is checked against
 * the buffer, so a truncated or hostile event is refused with a message,
 * never read past. The unit tests and the fuzz target drive them.
 *
 * Layouts: MySQL's "MySQL Internals: Replication" and its source
 * (libbinlogevents), MariaDB's log_event.h; the server's source is the
 * spec where the two documents are silent.
 */
#ifndef DBMIG_BINLOG_H
#define DBMIG_BINLOG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/util.h"

/* Event types dbmig reads or names. */
enum binlog_type {
	BL_QUERY = 2,
	BL_STOP = 3,
	BL_ROTATE = 4,
	BL_INTVAR = 5,
	BL_RAND = 13,
	BL_USER_VAR = 14,
	BL_FORMAT_DESCRIPTION = 15,
	BL_XID = 16,
	BL_TABLE_MAP = 19,
	BL_WRITE_ROWS_V1 = 23,
	BL_UPDATE_ROWS_V1 = 24,
	BL_DELETE_ROWS_V1 = 25,
	BL_INCIDENT = 26,
	BL_HEARTBEAT = 27,
	BL_ROWS_QUERY = 29,
	BL_WRITE_ROWS_V2 = 30,
	BL_UPDATE_ROWS_V2 = 31,
	BL_DELETE_ROWS_V2 = 32,
	BL_MYSQL_GTID = 33,
	BL_MYSQL_ANONYMOUS_GTID = 34,
	BL_PREVIOUS_GTIDS = 35,
	BL_PARTIAL_UPDATE_ROWS = 39,
	BL_TRANSACTION_PAYLOAD = 40,
	BL_HEARTBEAT_V2 = 41,
	BL_ANNOTATE_ROWS = 160,
	BL_BINLOG_CHECKPOINT = 161,
	BL_MARIADB_GTID = 162,
	BL_GTID_LIST = 163,
	BL_START_ENCRYPTION = 164,
	BL_QUERY_COMPRESSED = 165,
	BL_WRITE_ROWS_COMPRESSED_V1 = 169,
	BL_UPDATE_ROWS_COMPRESSED_V1 = 170,
	BL_DELETE_ROWS_COMPRESSED_V1 = 171,
};

#define BINLOG_HEADER_LEN	19
#define BINLOG_CHECKSUM_LEN	4
#define BINLOG_LOG_EVENT_ARTIFICIAL_F	0x20

/* What the FORMAT_DESCRIPTION says of the events after it. */
struct binlog_format {
	int checksum;		/* events end in a CRC32 */
	int mariadb;		/* the server is MariaDB */
	uint8_t header_len;	/* 19 */
	int npost;		/* post_header lengths known */
	uint8_t post_header[256];	/* by event type - 1 */
	char server_version[51];
};

/* One event: the common header, and the body between it and the CRC. */
struct binlog_event {
	uint32_t timestamp;
	uint8_t type;
	uint32_t server_id;
	uint32_t size;
	uint32_t next_pos;	/* the position after it in its file; 0 for
				 * an artificial event */
	uint16_t flags;
	const unsigned char *body;
	size_t body_len;
	const unsigned char *raw;	/* the whole event, CRC included */
	size_t raw_len;
};

/* The CRC32 binlog_checksum=CRC32 uses (zlib's polynomial). */
uint32_t binlog_crc32(uint32_t crc, const unsigned char *p, size_t n);

/* The header of the event in p[0..n) and its body; with
 * fmt->checksum, its CRC32 is checked and left off the body. 0, or -1
 * with emsg naming what is wrong. */
int binlog_event_parse(const struct binlog_format *fmt, const unsigned char *p, size_t n,
		       struct binlog_event *ev, char *emsg, size_t emsz);

/* A FORMAT_DESCRIPTION event's body (parsed with fmt->checksum as the
 * stream was told, the checksum algorithm byte is read from the body
 * itself) into fmt. */
int binlog_format_parse(const struct binlog_event *ev, int mariadb, struct binlog_format *fmt,
			char *emsg, size_t emsz);

struct binlog_rotate {
	uint64_t pos;
	char file[256];
};
int binlog_rotate_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
			struct binlog_rotate *out, char *emsg, size_t emsz);

struct binlog_query {
	uint32_t thread_id;
	uint16_t error_code;
	char db[256];
	const char *sql;	/* into the event; not NUL-terminated */
	size_t sql_len;
};
int binlog_query_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		       struct binlog_query *out, char *emsg, size_t emsz);

int binlog_xid_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		     uint64_t *xid, char *emsg, size_t emsz);

/* MariaDB's GTID event (domain-server-seq), and MySQL's (uuid:gno). */
#define BL_GTID_STANDALONE	0x01	/* MariaDB: no BEGIN...COMMIT follows */
struct binlog_gtid {
	int mariadb;
	uint32_t domain;
	uint32_t server_id;
	uint64_t seq;
	uint8_t flags;
	char text[64];		/* "0-1-19" or "3e11fa47-...:23" */
};
int binlog_gtid_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		      struct binlog_gtid *out, char *emsg, size_t emsz);

/* g added to the GTID set text in set (the binlog state after g's
 * transaction): 0, or -1 when set is not a GTID set of g's kind. */
int binlog_gtid_set_add(struct strbuf *set, const struct binlog_gtid *g);

/* The argument of MySQL's COM_BINLOG_DUMP_GTID (the command byte not
 * included) asking for the transactions after the GTID set gtids
 * ("uuid:1-5:7,uuid2:1-3"), from no file: flags, server_id, an empty file
 * name, position 4, and the set as MySQL's encoded SID blocks (intervals
 * with exclusive ends). 0, or -1 for a set it cannot read. */
#define BL_COM_BINLOG_DUMP_GTID	0x1e
int binlog_gtid_dump_arg(const char *gtids, uint32_t server_id, struct strbuf *out);

/* MariaDB's GTID_LIST: the binlog state at the start of a file, as
 * "d-s-n,..." (the same text as @@gtid_binlog_pos). */
int binlog_gtid_list_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
			   struct strbuf *out, char *emsg, size_t emsz);

/* MySQL column types as the TABLE_MAP names them. */
enum binlog_coltype {
	BT_DECIMAL = 0, BT_TINY = 1, BT_SHORT = 2, BT_LONG = 3, BT_FLOAT = 4,
	BT_DOUBLE = 5, BT_NULL = 6, BT_TIMESTAMP = 7, BT_LONGLONG = 8, BT_INT24 = 9,
	BT_DATE = 10, BT_TIME = 11, BT_DATETIME = 12, BT_YEAR = 13, BT_NEWDATE = 14,
	BT_VARCHAR = 15, BT_BIT = 16, BT_TIMESTAMP2 = 17, BT_DATETIME2 = 18,
	BT_TIME2 = 19, BT_TYPED_ARRAY = 20, BT_VECTOR = 242, BT_JSON = 245,
	BT_NEWDECIMAL = 246, BT_ENUM = 247, BT_SET = 248, BT_TINY_BLOB = 249,
	BT_MEDIUM_BLOB = 250, BT_LONG_BLOB = 251, BT_BLOB = 252, BT_VAR_STRING = 253,
	BT_STRING = 254, BT_GEOMETRY = 255,
};

/* One column of a TABLE_MAP: its type as stored (a CHAR's ENUM or SET is
 * resolved from the metadata) and what its metadata says. */
struct binlog_column {
	uint8_t type;		/* enum binlog_coltype, real type */
	uint16_t meta;		/* the raw metadata (0 where none) */
	int length;		/* STRING/VARCHAR: max bytes; BLOB/JSON/GEOMETRY:
				 * bytes of the length prefix; ENUM/SET:
				 * bytes of the value; BIT: bits */
	int precision, scale;	/* NEWDECIMAL */
	int fsp;		/* TIME2/DATETIME2/TIMESTAMP2 */
	int nullable;
	/* optional metadata (binlog_row_metadata=MINIMAL or FULL), or
	 * -1 / NULL / 0 when the server did not send it */
	int is_unsigned;	/* numeric columns */
	int charset;		/* collation id of character columns */
	const char *name;	/* into the event; name_len bytes */
	size_t name_len;
	int nlabels;		/* ENUM/SET members, -1 when not sent */
	const char **labels;	/* NUL-terminated copies */
	int in_pk;		/* part of the primary key (1), 0, -1 unknown */
};

struct binlog_table_map {
	uint64_t table_id;
	char db[256];
	char table[256];
	int ncols;
	struct binlog_column *cols;
	int has_names, has_signedness, has_charsets, has_labels, has_pk;
	/* the storage behind cols and labels */
	struct strbuf store;
	void *label_ptrs;
};
/* Fills tm (release it with binlog_table_map_release; a second parse
 * into the same tm releases what it held). */
int binlog_table_map_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
			   struct binlog_table_map *tm, char *emsg, size_t emsz);
void binlog_table_map_release(struct binlog_table_map *tm);

/* A rows event's header; the rows follow in data[0..len). */
struct binlog_rows {
	char kind;		/* 'I', 'U' or 'D' */
	uint64_t table_id;
	uint16_t flags;		/* bit 0: the last event of the statement */
	int ncols;
	const unsigned char *present;		/* columns-present bitmap */
	const unsigned char *present_after;	/* UPDATE: the after image's */
	const unsigned char *data;
	size_t len;
};
int binlog_rows_parse(const struct binlog_format *fmt, const struct binlog_event *ev,
		      struct binlog_rows *out, char *emsg, size_t emsz);

/* What the TABLE_MAP cannot say of a column, from the source's schema
 * (information_schema, read by the stream): the decoder needs it where
 * binlog_row_metadata is not FULL, and the character set always. */
struct binlog_col_hint {
	int is_unsigned;	/* -1: as the TABLE_MAP says (signed when silent) */
	const char *charset;	/* "utf8mb4", "latin1", "binary", ...; NULL:
				 * binary for collation 63, else UTF-8 */
	int binary_len;		/* BINARY(n): n, the bytes the text protocol
				 * pads with NUL; 0 otherwise */
	const char *const *labels;	/* ENUM/SET members where the
					 * TABLE_MAP has none */
	int nlabels;
	int mysql_json;		/* a MySQL JSON column (binary JSON) */
};

/* One column's value in a row image: the text the server's text
 * protocol would print for it (time_zone +00:00, character data as
 * UTF-8, BIT as '0'/'1' digits, geometry as WKB, FLOAT as a double). */
struct binlog_cell {
	int present;		/* in the image (columns-present bitmap) */
	int isnull;
	size_t off, len;	/* the text in the store */
};

/* Decodes the row image at *p (advanced past it) for the columns that
 * present marks, into cells[0..tm->ncols): their text appended to
 * store. hints: one per column, or NULL. 0, or -1 with emsg naming
 * the column. */
int binlog_row_image(const struct binlog_table_map *tm, const struct binlog_col_hint *hints,
		     const unsigned char *present, const unsigned char **p,
		     const unsigned char *end, struct binlog_cell *cells, struct strbuf *store,
		     char *emsg, size_t emsz);

/* MySQL's binary JSON value in p[0..n) as MySQL prints it (binlog_json.c). */
int binlog_json_text(const unsigned char *p, size_t n, struct strbuf *out, char *emsg,
		     size_t emsz);

/* Character data of charset (a MySQL character set name) as UTF-8:
 * 0, or -1 for a character set dbmig cannot convert or bytes not in it. */
int binlog_to_utf8(const char *charset, const unsigned char *p, size_t n, struct strbuf *out,
		   char *emsg, size_t emsz);

/* Reading one byte, a little-endian integer, or MySQL's length-encoded
 * integer at *p within end; -1 at the end of the bytes. */
int binlog_get_packed(const unsigned char **p, const unsigned char *end, uint64_t *v);

#endif
