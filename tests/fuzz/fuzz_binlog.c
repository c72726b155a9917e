/*
 * fuzz_binlog.c - libFuzzer target for the binlog decoder (make fuzz):
 * the input is one event (header to CRC; the CRC is set right first
 * half the time, so the bodies are reached), parsed as the stream would,
 * with a TABLE_MAP taken from the first half of the input when the
 * second is a rows event. Nothing may crash or read past the input:
 * ASan and UBSan watch.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mysql/binlog.h"

static void
fix_crc(unsigned char *p, size_t n)
{
	uint32_t c;

	if (n < 23)
		return;
	c = binlog_crc32(0, p, n - 4);
	p[n - 4] = (unsigned char)c;
	p[n - 3] = (unsigned char)(c >> 8);
	p[n - 2] = (unsigned char)(c >> 16);
	p[n - 1] = (unsigned char)(c >> 24);
}

/* One event as the stream reads it; a table map kept for rows. */
static void
one_event(struct binlog_format *fmt, unsigned char *p, size_t n, struct binlog_table_map *tm,
	  int *have_map)
{
	struct binlog_event ev;
	char emsg[256];

	if (n >= 13) {		/* the size field says what came */
		p[9] = (unsigned char)n;
		p[10] = (unsigned char)(n >> 8);
		p[11] = (unsigned char)(n >> 16);
		p[12] = (unsigned char)(n >> 24);
	}
	if (n && (p[n - 1] & 1))
		fix_crc(p, n);
	if (binlog_event_parse(fmt, p, n, &ev, emsg, sizeof(emsg)) < 0)
		return;
	switch (ev.type) {
	case BL_FORMAT_DESCRIPTION: {
		struct binlog_format f;

		if (binlog_format_parse(&ev, 0, &f, emsg, sizeof(emsg)) == 0)
			f.checksum = fmt->checksum;	/* keep reaching the bodies */
		break;
	}
	case BL_ROTATE: {
		struct binlog_rotate r;

		binlog_rotate_parse(fmt, &ev, &r, emsg, sizeof(emsg));
		break;
	}
	case BL_QUERY: {
		struct binlog_query q;

		binlog_query_parse(fmt, &ev, &q, emsg, sizeof(emsg));
		break;
	}
	case BL_XID: {
		uint64_t x;

		binlog_xid_parse(fmt, &ev, &x, emsg, sizeof(emsg));
		break;
	}
	case BL_MARIADB_GTID: case BL_MYSQL_GTID: {
		struct binlog_gtid g;
		struct strbuf set = STRBUF_INIT;

		if (binlog_gtid_parse(fmt, &ev, &g, emsg, sizeof(emsg)) == 0) {
			strbuf_addstr(&set, g.mariadb ? "0-1-5,3-2-9" : "aaaa:1-5:9");
			binlog_gtid_set_add(&set, &g);
		}
		strbuf_release(&set);
		break;
	}
	case BL_GTID_LIST: {
		struct strbuf s = STRBUF_INIT;

		binlog_gtid_list_parse(fmt, &ev, &s, emsg, sizeof(emsg));
		strbuf_release(&s);
		break;
	}
	case BL_TABLE_MAP:
		*have_map = binlog_table_map_parse(fmt, &ev, tm, emsg, sizeof(emsg)) == 0;
		break;
	case BL_WRITE_ROWS_V1: case BL_UPDATE_ROWS_V1: case BL_DELETE_ROWS_V1:
	case BL_WRITE_ROWS_V2: case BL_UPDATE_ROWS_V2: case BL_DELETE_ROWS_V2: {
		struct binlog_rows rows;
		struct binlog_cell *cells;
		struct strbuf store = STRBUF_INIT;
		const unsigned char *q, *end;

		if (binlog_rows_parse(fmt, &ev, &rows, emsg, sizeof(emsg)) < 0 || !*have_map ||
		    rows.ncols != tm->ncols)
			break;
		cells = calloc((size_t)tm->ncols, sizeof(*cells));
		q = rows.data;
		end = rows.data + rows.len;
		for (int i = 0; i < 64 && q < end; i++) {
			if (binlog_row_image(tm, NULL, rows.present, &q, end, cells, &store, emsg,
					     sizeof(emsg)) < 0)
				break;
			if (rows.kind == 'U' &&
			    binlog_row_image(tm, NULL, rows.present_after, &q, end, cells, &store,
					     emsg, sizeof(emsg)) < 0)
				break;
		}
		free(cells);
		strbuf_release(&store);
		break;
	}
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct binlog_format fmt;
	struct binlog_table_map tm;
	int have_map = 0;
	size_t half;
	unsigned char *a, *b;

	memset(&fmt, 0, sizeof(fmt));
	memset(&tm, 0, sizeof(tm));
	fmt.checksum = size && (data[0] & 1);
	fmt.header_len = 19;
	/* a JSON value too, from the same bytes */
	{
		struct strbuf s = STRBUF_INIT;
		char emsg[128];

		binlog_json_text(data, size, &s, emsg, sizeof(emsg));
		strbuf_release(&s);
	}
	/* two events: exactly their bytes on the heap, so a read past
	 * either is ASan's to see */
	half = size > 1 ? (size_t)data[size - 1] * size / 256 : size;
	a = malloc(half ? half : 1);
	b = malloc(size - half ? size - half : 1);
	memcpy(a, data, half);
	memcpy(b, data + half, size - half);
	one_event(&fmt, a, half, &tm, &have_map);
	one_event(&fmt, b, size - half, &tm, &have_map);
	binlog_table_map_release(&tm);
	free(a);
	free(b);
	return 0;
}
