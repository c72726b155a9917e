/*
 * my_binlog_stream.c - a MySQL/MariaDB source's changes, read from its
 * binary log as a replica does, as neutral change events on the model's
 * tables with canonical values, one transaction after another in the
 * order the source committed them.
 *
 * Connector/C registers the stream and hands over each event's bytes
 * (mariadb_rpl_fetch); binlog_event.c and binlog_rows.c decode them,
 * and my_text_to_canon makes the values canonical as a dump does. The
 * position is file:offset with the GTID set reached there; a
 * transaction's BEGIN carries the position where it starts (the GTID
 * set before it), its COMMIT the position after it, where a restart
 * continues. Nothing is confirmed to the source: the binlog is kept
 * by the server's retention, which the pre-flight checks.
 *
 * A rows event's rows are decoded one at a time as the tail asks, so a
 * transaction of any size passes with one event in memory.
 */
#include "my_int.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mariadb_rpl.h>

#include "binlog.h"
#include "lib/base/log.h"
#include "lib/base/xform.h"
#include "lib/cdc/cdc_ops.h"
#include "my_binlog.h"
#include "lib/base/banned.h"

/* A heartbeat from the source when it has nothing to send, so that a
 * read returns that often and an idle stream still shows its position. */
#define HEARTBEAT_MS	200
/* Nothing at all, heartbeats included, for this long: the source is gone. */
#define READ_TIMEOUT_S	30

/* What the source's schema says of one table's columns, in their order. */
struct my_table_cols {
	char *name;
	int ncols;
	char **cols;
	struct binlog_col_hint *hints;
	const char ***labels;
};

/* A TABLE_MAP the stream announced, mapped onto the model. */
struct tmap {
	struct binlog_table_map tm;
	struct table *t;		/* NULL: not migrated (skip its rows) */
	int *data_col;			/* per binlog column: the data column or -1 */
	struct binlog_col_hint *hints;	/* per binlog column */
	char *change;			/* how it differs from the model, or NULL */
	unsigned char *absent;		/* per data column: not in the change */
	unsigned char *as_bool;		/* per data column: a tinyint(1) the load made
					 * boolean (only 0 and 1 fit) */
	int nabsent;
	int marker;			/* a cutover's marker table: its transaction
					 * goes out, empty, so the target's state
					 * moves past it at once */
	int used;
};

struct cdc_stream {
	struct db_conn *c;		/* the replication connection */
	struct db_conn *sql;		/* a plain one, lazily */
	char *uri;
	char db[256];
	struct schema_model *m;
	MARIADB_RPL *rpl;
	MARIADB_RPL_EVENT *ev;		/* the event in hand */
	struct binlog_format fmt;
	uint32_t server_id;
	struct db_position opened_at;	/* the source's position when this run began */
	char gtid_from[256];		/* resuming by this GTID set: the file
					 * gtid_file is not on the source */
	char gtid_file[256];
	/* where the stream stands: after the last event handled */
	char file[256];
	uint64_t pos;
	struct strbuf gtid;		/* the GTID set there */
	struct strbuf gtid_before;	/* ... before the transaction in hand */
	int in_tx;			/* inside a source transaction */
	int tx_emitted;			/* ... whose BEGIN went out: it changes a
					 * migrated table (others are not sent) */
	struct db_position tx_start;	/* where it starts */
	int standalone;			/* a MariaDB GTID of one statement */
	uint64_t xid;
	int64_t tx_time_us;
	/* the source's schema, and the table maps seen */
	struct my_table_cols *tcols;
	int ntcols;
	struct tmap *maps;
	int nmaps;
	/* the rows event being read */
	struct binlog_rows rows;
	struct tmap *rows_map;
	const unsigned char *rows_p;
	struct binlog_event rows_ev;
	MARIADB_RPL_EVENT *rows_owner;
	/* one change's values */
	struct strbuf text, payload;
	struct binlog_cell *cells[2];
	size_t *off;
	struct value *vals[2];
	unsigned char *unchanged;
	struct table *trunc[1];
	struct cdc_binlog_origin origin;	/* of the change in hand */
	char origin_file[256];
	char tx_gtid[64];
	uint32_t tx_server_id, tx_thread;
	int row_no;
	/* a TRUNCATE statement: its BEGIN went out, then the TRUNCATE
	 * (queued 2) and the COMMIT after it (queued 1) */
	int queued;
	struct db_position queued_end;
	int64_t queued_time_us;
	int cap;
	char detail[1024];
};

static const struct column *
column_named(const struct table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

/* The model's table of this name: the stream reads one database, and
 * a tail may give the model's tables the schema they have on a target
 * where a database is not a schema (the old PostgreSQL primary of a
 * reverse stream). */
static struct table *
model_table(struct cdc_stream *s, const char *name)
{
	for (int i = 0; i < s->m->ntables; i++)
		if (!strcmp(s->m->tables[i].name, name))
			return &s->m->tables[i];
	return NULL;
}

static struct my_table_cols *
tcols_find(struct cdc_stream *s, const char *table)
{
	for (int i = 0; i < s->ntcols; i++)
		if (!strcmp(s->tcols[i].name, table))
			return &s->tcols[i];
	return NULL;
}

/* enum('a','b''c') -> a, b'c */
static int
type_labels(const char *column_type, struct strlist *out)
{
	const char *p = strchr(column_type, '(');

	if (!p)
		return -1;
	for (p++; *p == '\'';) {
		struct strbuf l = STRBUF_INIT;

		for (p++; *p; p++) {
			if (*p == '\'' && p[1] == '\'') {
				strbuf_addch(&l, '\'');
				p++;
			} else if (*p == '\'') {
				break;
			} else {
				strbuf_addch(&l, *p);
			}
		}
		strlist_push(out, l.buf ? l.buf : "");
		strbuf_release(&l);
		if (*p != '\'')
			return -1;
		p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The source's columns of every table of the database, in order, for
 * what a TABLE_MAP does not carry (names without binlog_row_metadata=
 * FULL, signedness, character sets, ENUM and SET members). */
static int
schema_columns(struct cdc_stream *s, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;
	struct my_table_cols *cur = NULL;

	strbuf_addstr(&q, "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, "
		      "CHARACTER_SET_NAME, CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS "
		      "WHERE TABLE_SCHEMA = ");
	my_quote_literal(&q, s->db);
	strbuf_addstr(&q, " ORDER BY TABLE_NAME, ORDINAL_POSITION");
	r = my_query(s->sql, q.buf, err);
	strbuf_release(&q);
	if (!r)
		return dberr_prefix(err, "reading the source's columns"), -1;
	while ((row = mysql_fetch_row(r))) {
		struct binlog_col_hint *h;
		const char *dt = row[2] ? row[2] : "", *ct = row[3] ? row[3] : "";

		if (!cur || strcmp(cur->name, row[0])) {
			s->tcols = xrealloc(s->tcols, (size_t)(s->ntcols + 1) * sizeof(*s->tcols));
			cur = &s->tcols[s->ntcols++];
			memset(cur, 0, sizeof(*cur));
			cur->name = xstrdup(row[0]);
		}
		cur->cols = xrealloc(cur->cols, (size_t)(cur->ncols + 1) * sizeof(*cur->cols));
		cur->hints = xrealloc(cur->hints, (size_t)(cur->ncols + 1) * sizeof(*cur->hints));
		cur->labels = xrealloc(cur->labels, (size_t)(cur->ncols + 1) * sizeof(*cur->labels));
		cur->cols[cur->ncols] = xstrdup(row[1]);
		h = &cur->hints[cur->ncols];
		memset(h, 0, sizeof(*h));
		cur->labels[cur->ncols] = NULL;
		h->is_unsigned = strstr(ct, "unsigned") != NULL;
		if (row[4])
			h->charset = xstrdup(row[4]);
		if (!strcmp(dt, "binary") && row[5])
			h->binary_len = atoi(row[5]);
		h->mysql_json = !strcmp(dt, "json") && !s->c->is_mariadb;
		if (!strcmp(dt, "enum") || !strcmp(dt, "set")) {
			struct strlist l = STRLIST_INIT;

			if (type_labels(ct, &l) == 0) {
				const char **v = xcalloc(l.n + 1, sizeof(*v));

				for (size_t i = 0; i < l.n; i++)
					v[i] = xstrdup(l.v[i]);
				h->labels = v;
				h->nlabels = (int)l.n;
				cur->labels[cur->ncols] = v;
			}
			strlist_release(&l);
		}
		cur->ncols++;
	}
	mysql_free_result(r);
	return 0;
}

static void
tcols_release(struct cdc_stream *s)
{
	for (int i = 0; i < s->ntcols; i++) {
		struct my_table_cols *t = &s->tcols[i];

		for (int k = 0; k < t->ncols; k++) {
			free(t->cols[k]);
			free((char *)t->hints[k].charset);
			if (t->labels[k]) {
				for (int j = 0; t->labels[k][j]; j++)
					free((char *)t->labels[k][j]);
				free(t->labels[k]);
			}
		}
		free(t->cols);
		free(t->hints);
		free(t->labels);
		free(t->name);
	}
	free(s->tcols);
	s->tcols = NULL;
	s->ntcols = 0;
}

static void
tmap_clear(struct tmap *mp)
{
	binlog_table_map_release(&mp->tm);
	free(mp->data_col);
	free(mp->hints);
	free(mp->change);
	free(mp->absent);
	free(mp->as_bool);
	memset(mp, 0, sizeof(*mp));
}

/* The binlog type a column of the model's table should have, loosely:
 * enough to see that a TABLE_MAP is of other columns than the ones the
 * schema names (a column added, dropped or changed since). */
static int
type_fits(uint8_t bt, const char *native)
{
	static const struct { uint8_t bt; const char *prefix; } fits[] = {
		{ BT_TINY, "tinyint" }, { BT_SHORT, "smallint" }, { BT_INT24, "mediumint" },
		{ BT_LONG, "int" }, { BT_LONGLONG, "bigint" }, { BT_FLOAT, "float" },
		{ BT_DOUBLE, "double" }, { BT_NEWDECIMAL, "decimal" }, { BT_DATE, "date" },
		{ BT_TIME2, "time" }, { BT_TIME, "time" }, { BT_DATETIME2, "datetime" },
		{ BT_DATETIME, "datetime" }, { BT_TIMESTAMP2, "timestamp" },
		{ BT_TIMESTAMP, "timestamp" }, { BT_YEAR, "year" }, { BT_BIT, "bit" },
		{ BT_ENUM, "enum" }, { BT_SET, "set" }, { BT_STRING, "char" },
		{ BT_STRING, "binary" }, { BT_VARCHAR, "varchar" }, { BT_VARCHAR, "varbinary" },
		{ BT_BLOB, "" }, { BT_JSON, "json" }, { BT_GEOMETRY, "" },
	};

	if (!native)
		return 1;
	for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++)
		if (fits[i].bt == bt && !strncmp(native, fits[i].prefix, strlen(fits[i].prefix)))
			return 1;
	return 0;
}

/* A TABLE_MAP: which model table and data column each column is, and
 * whether the columns still match the model (DDL on the source). */
static int
table_map(struct cdc_stream *s, const struct binlog_event *be, struct dberr *err)
{
	struct binlog_table_map tm;
	struct tmap *mp = NULL;
	struct my_table_cols *tc;
	struct strbuf change = STRBUF_INIT;
	const struct ntype_desc *types[CANON_MAX_COLS];
	char emsg[512];
	int ndata;

	memset(&tm, 0, sizeof(tm));
	if (binlog_table_map_parse(&s->fmt, be, &tm, emsg, sizeof(emsg)) < 0) {
		binlog_table_map_release(&tm);
		return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64 ": %s",
				 s->file, s->pos, emsg);
	}
	for (int i = 0; i < s->nmaps; i++)
		if (s->maps[i].tm.table_id == tm.table_id)
			mp = &s->maps[i];
	if (!mp) {
		for (int i = 0; i < s->nmaps && !mp; i++)
			if (!s->maps[i].used)
				mp = &s->maps[i];
		if (!mp) {
			s->maps = xrealloc(s->maps, (size_t)(s->nmaps + 1) * sizeof(*s->maps));
			mp = &s->maps[s->nmaps++];
			memset(mp, 0, sizeof(*mp));
		}
	}
	tmap_clear(mp);
	mp->used = 1;
	mp->tm = tm;
	mp->marker = !strcmp(tm.db, s->db) && !strcmp(tm.table, "_dbmig_cutover_marker");
	if (strcmp(tm.db, s->db) || !strncmp(tm.table, "_dbmig_", 7))
		return 0;	/* another database's, or dbmig's own */
	mp->t = model_table(s, tm.table);
	if (!mp->t)
		return 0;	/* not migrated (left out with -T, or made after the dump:
				 * its CREATE stopped the tail) */
	tc = tcols_find(s, tm.table);
	ndata = table_data_types(mp->t, types);
	mp->data_col = xcalloc((size_t)tm.ncols, sizeof(*mp->data_col));
	mp->hints = xcalloc((size_t)tm.ncols, sizeof(*mp->hints));
	/* without names (binlog_row_metadata below FULL) the columns are the
	 * source schema's by position: all of them, or the first ones when
	 * columns were added at the end since these changes were made */
	if (!tm.has_names && (!tc || tc->ncols < tm.ncols))
		strbuf_addf(&change, "the binlog has %d columns of it, the source's schema %d "
			    "(binlog_row_metadata=FULL would name them)", tm.ncols, tc ? tc->ncols : 0);
	for (int k = 0; k < tm.ncols && !change.len; k++) {
		const char *name = tm.has_names ? tm.cols[k].name : tc->cols[k];
		int hk = -1;

		mp->data_col[k] = -1;
		for (int j = 0; tc && j < tc->ncols && hk < 0; j++)
			if (!strcmp(tc->cols[j], name))
				hk = j;
		if (hk >= 0)
			mp->hints[k] = tc->hints[hk];
		else
			mp->hints[k].is_unsigned = -1;
		for (int d = 0; d < ndata; d++)
			if (!strcmp(table_data_column_name(mp->t, d), name))
				mp->data_col[k] = d;
		if (mp->data_col[k] < 0) {
			const struct column *col = column_named(mp->t, name);

			if (!col || !col->generated_expr)
				strbuf_addf(&change, "column %s is not in the migrated table (added "
					    "since the dump?)", name);
			continue;
		}
		{
			const struct column *col = column_named(mp->t, name);

			if (col && !type_fits(tm.cols[k].type, col->native_type))
				strbuf_addf(&change, "column %s is %s in the migrated table, but binlog "
					    "type %u in the change", name, col->native_type,
					    tm.cols[k].type);
		}
	}
	/* a column the change does not carry (dropped on the source, or
	 * added after these changes were made) is left as the target has it */
	mp->absent = xcalloc((size_t)ndata + 1, 1);
	mp->as_bool = xcalloc((size_t)ndata + 1, 1);
	for (int k = 0, d = 0; k < mp->t->ncols; k++)
		if (!mp->t->cols[k].generated_expr)
			mp->as_bool[d++] = (mp->t->cols[k].xform & XF_BOOL_FROM_INT) ||
					   mp->t->cols[k].type.t == NT_BOOL;
	for (int d = 0; d < ndata && !change.len; d++) {
		int seen = 0;

		for (int k = 0; k < tm.ncols; k++)
			seen |= mp->data_col[k] == d;
		mp->absent[d] = !seen;
		mp->nabsent += !seen;
	}
	if (change.len)
		mp->change = strbuf_detach(&change);
	strbuf_release(&change);
	(void)err;
	return 0;
}

static struct tmap *
map_find(struct cdc_stream *s, uint64_t table_id)
{
	for (int i = 0; i < s->nmaps; i++)
		if (s->maps[i].used && s->maps[i].tm.table_id == table_id)
			return &s->maps[i];
	return NULL;
}

static void
ensure_cap(struct cdc_stream *s, int n)
{
	if (n <= s->cap)
		return;
	s->cap = n;
	s->off = xrealloc(s->off, 2 * (size_t)n * sizeof(*s->off));
	for (int i = 0; i < 2; i++) {
		s->vals[i] = xrealloc(s->vals[i], (size_t)n * sizeof(*s->vals[i]));
		s->cells[i] = xrealloc(s->cells[i], (size_t)n * sizeof(*s->cells[i]));
	}
	s->unchanged = xrealloc(s->unchanged, (size_t)n);
}

static void
position_here(const struct cdc_stream *s, uint64_t pos, const struct strbuf *gtid,
	      struct db_position *out)
{
	position_set_binlog(out, s->file, pos, gtid->buf ? gtid->buf : "", 1);
}

/* A value the load's decision cannot hold: a tinyint(1) the dump saw
 * only 0 and 1 in, loaded as boolean, now gets another number. Never
 * made 1 silently: the tail stops naming the row and the way on. */
static int
bool_broken(struct cdc_stream *s, const struct tmap *mp, int which, int d, struct dberr *err)
{
	struct strbuf key = STRBUF_INIT;
	const char *name = table_data_column_name(mp->t, d);
	const struct binlog_cell *v = NULL;

	for (int k = 0; k < mp->tm.ncols; k++) {
		const struct binlog_cell *cell = &s->cells[which][k];
		const char *cn;

		if (mp->data_col[k] < 0 || !cell->present)
			continue;
		cn = table_data_column_name(mp->t, mp->data_col[k]);
		if (mp->data_col[k] == d)
			v = cell;
		for (int c = 0; c < mp->t->ncons; c++)
			if (mp->t->cons[c].kind == 'p' && strlist_has(&mp->t->cons[c].columns, cn))
				strbuf_addf(&key, "%s%s=%.*s", key.len ? ", " : "", cn,
					    cell->isnull ? 4 : (int)(cell->len > 64 ? 64 : cell->len),
					    cell->isnull ? "NULL" : s->text.buf + cell->off);
	}
	dberr_set(err, DBERR_UNSUPPORTED, "a change at %s:%" PRIu64 " sets %s.%s.%s to %.*s in the "
		  "row %s, but the load made that tinyint(1) column a boolean (the dump saw only 0 "
		  "and 1 in it), which cannot hold it; nothing is changed silently. Take a new "
		  "online dump and load it with --tinyint-numeric (the column as smallint)",
		  s->file, s->pos, mp->t->schema, mp->t->name, name, v ? (int)v->len : 1,
		  v ? s->text.buf + v->off : "?", key.len ? key.buf : "(no primary key)");
	strbuf_release(&key);
	return -1;
}

/* One image's cells as canonical values over the data columns. */
static int
image_values(struct cdc_stream *s, const struct tmap *mp, int which, struct dberr *err)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int ndata = table_data_types(mp->t, types);
	size_t *off = s->off + (size_t)which * (size_t)s->cap;
	char emsg[256];

	for (int d = 0; d < ndata; d++)
		off[d] = SIZE_MAX;
	for (int k = 0; k < mp->tm.ncols; k++) {
		const struct binlog_cell *cell = &s->cells[which][k];
		int d = mp->data_col[k];

		if (d < 0 || !cell->present || cell->isnull)
			continue;
		if (mp->as_bool[d] && (cell->len != 1 || (s->text.buf[cell->off] != '0' &&
							    s->text.buf[cell->off] != '1')))
			return bool_broken(s, mp, which, d, err);
		off[d] = s->payload.len;
		if (my_text_to_canon(types[d], s->text.buf + cell->off, cell->len, &s->payload,
				     emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "a change to %s.%s at %s:%" PRIu64
					 ", column %s: %s", mp->t->schema, mp->t->name, s->file,
					 s->pos, table_data_column_name(mp->t, d), emsg);
		s->vals[which][d].len = s->payload.len - off[d];
	}
	return 0;
}

static void
point_values(struct cdc_stream *s, const struct tmap *mp, int which, int ndata)
{
	const size_t *off = s->off + (size_t)which * (size_t)s->cap;

	for (int d = 0; d < ndata; d++) {
		struct value *v = &s->vals[which][d];

		v->isnull = off[d] == SIZE_MAX;
		v->p = v->isnull ? NULL : s->payload.buf ? (const unsigned char *)s->payload.buf +
			off[d] : (const unsigned char *)"";
		if (v->isnull)
			v->len = 0;
	}
	(void)mp;
}

/* The next row of the rows event in hand as a change: 1, or 0 when
 * the event has no more rows. */
static int
next_row(struct cdc_stream *s, struct cdc_event *ev, struct dberr *err)
{
	const struct tmap *mp = s->rows_map;
	const unsigned char *end = s->rows.data + s->rows.len;
	const struct ntype_desc *types[CANON_MAX_COLS];
	char emsg[512];
	int ndata, nimg = s->rows.kind == 'U' ? 2 : 1;

	if (!mp || s->rows_p >= end)
		return 0;
	ndata = table_data_types(mp->t, types);
	strbuf_reset(&s->text);
	strbuf_reset(&s->payload);
	for (int which = 0; which < 2; which++)
		for (int k = 0; k < mp->tm.ncols; k++)
			s->cells[which][k].present = 0;
	/* an INSERT has no before image, a DELETE no after: theirs are NULL */
	for (int i = 0; i < 2 * s->cap; i++)
		s->off[i] = SIZE_MAX;
	for (int img = 0; img < nimg; img++) {
		const unsigned char *present = img ? s->rows.present_after : s->rows.present;
		/* an UPDATE's first image is the row before, the second after;
		 * an INSERT's only image is after, a DELETE's before */
		int which = s->rows.kind == 'I' ? 1 : s->rows.kind == 'D' ? 0 : img;

		if (binlog_row_image(&mp->tm, mp->hints, present, &s->rows_p, end, s->cells[which],
				     &s->text, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64
					 ": %s", s->file, s->pos, emsg);
	}
	for (int img = 0; img < nimg; img++) {
		int which = s->rows.kind == 'I' ? 1 : s->rows.kind == 'D' ? 0 : img;

		if (image_values(s, mp, which, err) < 0)
			return -1;
	}
	memset(ev, 0, sizeof(*ev));
	point_values(s, mp, 0, ndata);
	point_values(s, mp, 1, ndata);
	ev->table = mp->t;
	ev->xid = s->xid;
	snprintf(s->origin_file, sizeof(s->origin_file), "%s", s->file);
	s->origin.file = s->origin_file;
	s->origin.pos = s->in_tx ? strtoull(strrchr(s->tx_start.text, ':') + 1, NULL, 10) : s->pos;
	s->origin.row = s->row_no++;
	s->origin.server_id = s->tx_server_id ? s->tx_server_id : s->rows_ev.server_id;
	s->origin.gtid = s->tx_gtid;
	s->origin.thread = s->tx_thread;
	ev->origin = &s->origin;
	/* a column the change does not carry is left as the target has it
	 * (an INSERT gives it the target's default); with binlog_row_image=
	 * NOBLOB, so is one the after image leaves out: it did not change */
	memset(s->unchanged, 0, (size_t)ndata);
	for (int d = 0; d < ndata && mp->nabsent; d++)
		s->unchanged[d] = mp->absent[d];
	for (int k = 0; k < mp->tm.ncols; k++)
		if (mp->data_col[k] >= 0 && !s->cells[1][k].present)
			s->unchanged[mp->data_col[k]] = 1;
	switch (s->rows.kind) {
	case 'I':
		ev->kind = CDC_INSERT;
		ev->after = s->vals[1];
		ev->unchanged = mp->nabsent ? s->unchanged : NULL;
		break;
	case 'U':
		ev->kind = CDC_UPDATE;
		ev->before = s->vals[0];
		ev->after = s->vals[1];
		ev->unchanged = s->unchanged;
		break;
	default:
		ev->kind = CDC_DELETE;
		ev->before = s->vals[0];
	}
	/* MINIMAL: the before image holds the key's columns only */
	for (int k = 0; k < mp->tm.ncols; k++)
		if (mp->data_col[k] >= 0 && !s->cells[0][k].present && ev->before)
			ev->before_is_key = 1;
	if (mp->nabsent && ev->before)
		ev->before_is_key = 1;
	return 1;
}

static void
event_release(struct cdc_stream *s)
{
	if (s->ev && s->ev != s->rows_owner)
		mariadb_free_rpl_event(s->ev);
	s->ev = NULL;
}

static void
rows_release(struct cdc_stream *s)
{
	if (s->ev == s->rows_owner)
		s->ev = NULL;
	if (s->rows_owner)
		mariadb_free_rpl_event(s->rows_owner);
	s->rows_owner = NULL;
	s->rows_map = NULL;
}

/* A source transaction starts: nothing is sent until it changes a
 * migrated table (tx_emit), as pgoutput leaves out the others. */
static void
tx_open(struct cdc_stream *s, const struct binlog_event *be)
{
	s->in_tx = 1;
	s->tx_emitted = 0;
	s->xid = 0;
	s->tx_time_us = (int64_t)be->timestamp * 1000000;
	/* where it starts, with the GTIDs before it: a restart at a
	 * position resumes with the first transaction at or after it */
	position_here(s, s->pos, &s->gtid_before, &s->tx_start);
}

static int
tx_emit(struct cdc_stream *s, struct cdc_event *ev)
{
	s->tx_emitted = 1;
	memset(ev, 0, sizeof(*ev));
	ev->kind = CDC_BEGIN;
	ev->commit_pos = s->tx_start;
	ev->commit_time_us = s->tx_time_us;
	return 1;
}

static int
tx_commit(struct cdc_stream *s, const struct binlog_event *be, struct cdc_event *ev)
{
	s->in_tx = 0;
	if (!s->tx_emitted)
		return 0;	/* it changed no migrated table */
	s->tx_emitted = 0;
	memset(ev, 0, sizeof(*ev));
	ev->kind = CDC_COMMIT;
	ev->xid = s->xid;
	position_here(s, be->next_pos, &s->gtid, &ev->commit_pos);
	ev->commit_time_us = (int64_t)be->timestamp * 1000000;
	return 1;
}

/* A statement's first word(s), upper-cased, to tell DDL from the rest. */
static int
stmt_starts(const char *sql, size_t n, const char *word)
{
	size_t i = 0, w = strlen(word);

	while (i < n && (sql[i] == ' ' || sql[i] == '\n' || sql[i] == '\t' || sql[i] == '\r'))
		i++;
	/* a leading comment, as some tools write /\* ... *\/ */
	while (i + 1 < n && sql[i] == '/' && sql[i + 1] == '*') {
		const char *e = memmem(sql + i + 2, n - i - 2, "*/", 2);

		if (!e)
			return 0;
		i = (size_t)(e - sql) + 2;
		while (i < n && (sql[i] == ' ' || sql[i] == '\n' || sql[i] == '\t'))
			i++;
	}
	return n - i >= w && !strncasecmp(sql + i, word, w) &&
	       (n - i == w || !((sql[i + w] >= 'a' && sql[i + w] <= 'z') ||
				(sql[i + w] >= 'A' && sql[i + w] <= 'Z') || sql[i + w] == '_'));
}

/* Statements of the binlog that change no migrated table's rows or
 * shape: privileges, maintenance, temporary tables. */
static int
stmt_harmless(const char *sql, size_t n)
{
	static const char *const words[] = {
		"GRANT", "REVOKE", "CREATE USER", "DROP USER", "ALTER USER", "RENAME USER",
		"SET PASSWORD", "CREATE ROLE", "DROP ROLE", "SET DEFAULT ROLE", "FLUSH", "ANALYZE",
		"OPTIMIZE", "CHECK", "REPAIR", "DROP TEMPORARY TABLE", "CREATE TEMPORARY TABLE",
		"SAVEPOINT", "ROLLBACK TO", "RELEASE SAVEPOINT", "#", "INSTALL", "UNINSTALL",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *w = words[i];

		if (w[0] == '#') {
			if (n && sql[0] == '#')
				return 1;
			continue;
		}
		if (!strchr(w, ' ')) {
			if (stmt_starts(sql, n, w))
				return 1;
			continue;
		}
		/* two words: the first, then the rest after one space */
		{
			char first[32];
			const char *sp = strchr(w, ' ');
			size_t fl = (size_t)(sp - w), i0 = 0;

			memcpy(first, w, fl);
			first[fl] = '\0';
			if (!stmt_starts(sql, n, first))
				continue;
			while (i0 < n && (sql[i0] == ' ' || sql[i0] == '\n'))
				i0++;
			i0 += fl;
			while (i0 < n && (sql[i0] == ' ' || sql[i0] == '\n'))
				i0++;
			if (stmt_starts(sql + i0, n - i0, sp + 1))
				return 1;
		}
	}
	return 0;
}

/* The migrated table a TRUNCATE [TABLE] [db.]name names, or NULL. */
static struct table *
truncated_table(struct cdc_stream *s, const struct binlog_query *q)
{
	char name[2][256], qual[600];
	const char *p = q->sql, *end = q->sql + q->sql_len;
	int n = 0;

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
		p++;
	p += 8;		/* TRUNCATE */
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
		p++;
	if (end - p > 5 && !strncasecmp(p, "TABLE", 5) && (p[5] == ' ' || p[5] == '\n' ||
							  p[5] == '`'))
		p += 5;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
		p++;
	for (; n < 2 && p < end; n++) {
		size_t k = 0;

		if (*p == '`') {
			for (p++; p < end && k < sizeof(name[n]) - 1; p++) {
				if (*p == '`' && p + 1 < end && p[1] == '`')
					p++;
				else if (*p == '`')
					break;
				name[n][k++] = *p;
			}
			p++;
		} else {
			while (p < end && k < sizeof(name[n]) - 1 && *p != '.' && *p != ' ' &&
			       *p != ';' && *p != '\n')
				name[n][k++] = *p++;
		}
		name[n][k] = '\0';
		if (p >= end || *p != '.') {
			n++;
			break;
		}
		p++;
	}
	if (n == 2)
		snprintf(qual, sizeof(qual), "%s", name[0]);
	else if (n == 1)
		snprintf(qual, sizeof(qual), "%s", q->db[0] ? q->db : s->db);
	else
		return NULL;
	if (strcmp(qual, s->db))
		return NULL;
	return model_table(s, name[n - 1]);
}

/* A DDL statement a previous run stopped at, now behind this run's
 * start: the schema this run read from the source has it, and the
 * operator has made the target match (no column of the source's schema
 * is missing there), so the changes after it apply. 1 to pass it. */
static int
ddl_done_before(struct cdc_stream *s, const struct binlog_query *q)
{
	struct db_position here;
	struct strbuf missing = STRBUF_INIT;

	position_here(s, s->pos, &s->gtid, &here);
	if (!s->opened_at.text[0] || position_at_or_after(&here, &s->opened_at))
		return 0;	/* made while this run reads: its schema is older */
	for (int i = 0; i < s->m->ntables; i++)
		for (int k = 0; k < s->m->tables[i].ncols; k++)
			if (s->m->tables[i].cols[k].absent_on_target)
				strbuf_addf(&missing, "%s%s.%s", missing.len ? ", " : "",
					    s->m->tables[i].name, s->m->tables[i].cols[k].name);
	if (missing.len) {
		strbuf_release(&missing);
		return 0;
	}
	log_info("%.*s%s at %s:%" PRIu64 " came before this run, and the target already has "
		 "the source's columns as they are now: the changes after it apply",
		 (int)(q->sql_len > 200 ? 200 : q->sql_len), q->sql, q->sql_len > 200 ? "..." : "",
		 s->file, s->pos);
	strbuf_release(&missing);
	return 1;
}

/* A QUERY event: a transaction's BEGIN or COMMIT, or a statement on
 * its own. 1 with an event, 0 for none. */
static int
query_event(struct cdc_stream *s, const struct binlog_event *be, struct cdc_event *ev,
	    struct dberr *err)
{
	struct binlog_query q;
	char emsg[256];
	int in_db;

	if (binlog_query_parse(&s->fmt, be, &q, emsg, sizeof(emsg)) < 0)
		return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64 ": %s",
				 s->file, s->pos, emsg);
	if (stmt_starts(q.sql, q.sql_len, "BEGIN")) {
		s->tx_thread = q.thread_id;
		if (!s->in_tx)
			tx_open(s, be);
		return 0;
	}
	if (stmt_starts(q.sql, q.sql_len, "COMMIT") ||
	    (stmt_starts(q.sql, q.sql_len, "ROLLBACK") && q.sql_len < 16))
		/* a ROLLBACK logged keeps the changes of tables that have no
		 * transactions, which did happen */
		return s->in_tx ? tx_commit(s, be, ev) : 0;
	if (stmt_starts(q.sql, q.sql_len, "XA"))
		return dberr_set(err, DBERR_UNSUPPORTED, "the source's binlog at %s:%" PRIu64
				 " holds an XA transaction (%.*s): dbmig does not apply XA "
				 "transactions yet", s->file, s->pos,
				 (int)(q.sql_len > 60 ? 60 : q.sql_len), q.sql);
	if (stmt_harmless(q.sql, q.sql_len) || memmem(q.sql, q.sql_len, "_dbmig_", 7))
		return 0;	/* (dbmig's own tables: a cutover's marker, a state) */
	if (stmt_starts(q.sql, q.sql_len, "TRUNCATE") && !s->in_tx) {
		struct table *t = truncated_table(s, &q);

		if (t) {
			/* a transaction of its own: BEGIN now, then TRUNCATE, COMMIT */
			tx_open(s, be);
			s->trunc[0] = t;
			s->queued = 2;
			s->in_tx = 0;
			position_here(s, be->next_pos, &s->gtid, &s->queued_end);
			s->queued_time_us = (int64_t)be->timestamp * 1000000;
			return tx_emit(s, ev);
		}
	}
	/* DDL, or a statement logged as one: it concerns the migrated
	 * database when that is its default, or it names it */
	in_db = !strcmp(q.db, s->db);
	if (!in_db) {
		size_t dl = strlen(s->db);

		for (size_t i = 0; i + dl <= q.sql_len && !in_db; i++)
			in_db = !strncasecmp(q.sql + i, s->db, dl) &&
				(i + dl == q.sql_len || q.sql[i + dl] == '`' || q.sql[i + dl] == '.' ||
				 q.sql[i + dl] == ' ' || q.sql[i + dl] == ';');
	}
	if (!in_db)
		return 0;
	if (ddl_done_before(s, &q))
		return 0;
	memset(ev, 0, sizeof(*ev));
	snprintf(s->detail, sizeof(s->detail), "the statement %.*s%s at %s:%" PRIu64
		 " changes the migrated database", (int)(q.sql_len > 700 ? 700 : q.sql_len), q.sql,
		 q.sql_len > 700 ? "..." : "", s->file, s->pos);
	ev->kind = CDC_SCHEMA_CHANGE;
	ev->detail = s->detail;
	return 1;
}

static int
source_error(struct cdc_stream *s, struct dberr *err)
{
	unsigned e = mysql_errno(s->c->m);
	const char *why = mysql_error(s->c->m);

	if (!e && s->rpl && mariadb_rpl_errno(s->rpl)) {
		e = mariadb_rpl_errno(s->rpl);
		why = mariadb_rpl_error(s->rpl);
	}
	if (e == 1236 && s->gtid_from[0])
		return dberr_set(err, DBERR_SOURCE, "the source no longer has binlog file %s, nor "
				 "the transactions after GTID %s (purged: %s): those changes are "
				 "lost to dbmig. Take a new online dump and load it, and keep the "
				 "binlog longer than a load and a pause of the tail take",
				 s->gtid_file, s->gtid_from, why);
	if (e == 1236)
		return dberr_set(err, DBERR_SOURCE, "the source refused to send its binlog from "
				 "%s:%" PRIu64 ": %s (error 1236). If the file was purged, the "
				 "changes after that point are lost to this tail: take a new online "
				 "dump", s->file, s->pos, why);
	return dberr_set(err, DBERR_SOURCE, "the source ended the binlog stream at %s:%" PRIu64
			 ": %s (error %u); nothing after the last position applied is lost: run "
			 "the same command again once the source is back, to resume there",
			 s->file, s->pos, why && *why ? why : "the connection closed", e);
}

/* One event of the stream: 1 with a change event, 0 for none, -1. */
static int
stream_event(struct cdc_stream *s, struct cdc_event *ev, struct dberr *err)
{
	struct binlog_event be;
	char emsg[512];
	const unsigned char *raw = s->ev->raw_data;
	size_t n = s->ev->raw_data_size;
	int r = 0;

	/* the packet's first byte is the OK marker, the event follows */
	if (n < 1 || raw[0] != 0)
		return dberr_set(err, DBERR_SOURCE, "the source sent a binlog packet that is no "
				 "event, at %s:%" PRIu64, s->file, s->pos);
	if (binlog_event_parse(&s->fmt, raw + 1, n - 1, &be, emsg, sizeof(emsg)) < 0)
		return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64 ": %s",
				 s->file, s->pos, emsg);
	switch (be.type) {
	case BL_ROTATE: {
		struct binlog_rotate rot;

		if (binlog_rotate_parse(&s->fmt, &be, &rot, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "the source's binlog after %s:%" PRIu64
					 ": %s", s->file, s->pos, emsg);
		snprintf(s->file, sizeof(s->file), "%s", rot.file);
		s->pos = rot.pos;
		return 0;	/* where the next event is: not after this one */
	}
	case BL_FORMAT_DESCRIPTION:
		if (binlog_format_parse(&be, s->c->is_mariadb, &s->fmt, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "the source's binlog %s: %s", s->file,
					 emsg);
		if (!be.next_pos)
			return 0;
		break;
	case BL_HEARTBEAT:
	case BL_HEARTBEAT_V2:
		return 0;	/* the position it carries is where we are already */
	case BL_MARIADB_GTID:
	case BL_MYSQL_GTID:
	case BL_MYSQL_ANONYMOUS_GTID: {
		struct binlog_gtid g;

		if (binlog_gtid_parse(&s->fmt, &be, &g, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64
					 ": %s", s->file, s->pos, emsg);
		strbuf_reset(&s->gtid_before);
		strbuf_addstr(&s->gtid_before, s->gtid.buf ? s->gtid.buf : "");
		if (binlog_gtid_set_add(&s->gtid, &g) < 0)
			return dberr_set(err, DBERR_SOURCE, "GTID %s at %s:%" PRIu64 " does not "
					 "fit the GTID set of the position (%s)", g.text, s->file,
					 s->pos, s->gtid_before.buf ? s->gtid_before.buf : "");
		snprintf(s->tx_gtid, sizeof(s->tx_gtid), "%s", g.text);
		s->tx_server_id = be.server_id;
		s->tx_thread = 0;
		s->standalone = g.mariadb && (g.flags & BL_GTID_STANDALONE);
		if (g.mariadb && !s->standalone)
			tx_open(s, &be);	/* it stands for BEGIN */
		break;
	}
	case BL_QUERY:
		r = query_event(s, &be, ev, err);
		if (r < 0)
			return -1;
		if (r && ev->kind == CDC_SCHEMA_CHANGE)
			return 1;	/* the position stays before it */
		break;
	case BL_XID:
		if (binlog_xid_parse(&s->fmt, &be, &s->xid, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64
					 ": %s", s->file, s->pos, emsg);
		if (s->in_tx)
			r = tx_commit(s, &be, ev);
		break;
	case BL_TABLE_MAP:
		if (table_map(s, &be, err) < 0)
			return -1;
		break;
	case BL_WRITE_ROWS_V1: case BL_UPDATE_ROWS_V1: case BL_DELETE_ROWS_V1:
	case BL_WRITE_ROWS_V2: case BL_UPDATE_ROWS_V2: case BL_DELETE_ROWS_V2: {
		struct tmap *mp;

		if (binlog_rows_parse(&s->fmt, &be, &s->rows, emsg, sizeof(emsg)) < 0)
			return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64
					 ": %s", s->file, s->pos, emsg);
		if (!(mp = map_find(s, s->rows.table_id)))
			return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64
					 ": a rows event of table id %" PRIu64 " came without its "
					 "TABLE_MAP", s->file, s->pos, s->rows.table_id);
		if (!mp->t) {
			if (mp->marker && s->in_tx && !s->tx_emitted)
				return tx_emit(s, ev);
			break;
		}
		if (mp->change) {
			memset(ev, 0, sizeof(*ev));
			snprintf(s->detail, sizeof(s->detail), "%s (at %s:%" PRIu64 ")", mp->change,
				 s->file, s->pos);
			ev->kind = CDC_SCHEMA_CHANGE;
			ev->table = mp->t;
			ev->detail = s->detail;
			return 1;
		}
		if (mp->tm.ncols != s->rows.ncols)
			return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64
					 ": a rows event of %s.%s has %d columns, its TABLE_MAP %d",
					 s->file, s->pos, mp->tm.db, mp->tm.table, s->rows.ncols,
					 mp->tm.ncols);
		ensure_cap(s, mp->tm.ncols > mp->t->ncols ? mp->tm.ncols + 1 : mp->t->ncols + 1);
		/* the rows are read as the tail asks; the event is kept till then */
		s->rows_owner = s->ev;
		s->rows_map = mp;
		s->rows_p = s->rows.data;
		s->rows_ev = be;
		s->row_no = 0;
		s->pos = be.next_pos ? be.next_pos : s->pos;
		/* the transaction's first change of a migrated table: its BEGIN */
		return s->in_tx && !s->tx_emitted ? tx_emit(s, ev) : 0;
	}
	case BL_WRITE_ROWS_COMPRESSED_V1: case BL_UPDATE_ROWS_COMPRESSED_V1:
	case BL_DELETE_ROWS_COMPRESSED_V1: case BL_QUERY_COMPRESSED:
		return dberr_set(err, DBERR_UNSUPPORTED, "the source's binlog at %s:%" PRIu64 " is "
				 "compressed (log_bin_compress=ON): dbmig reads uncompressed events; "
				 "SET GLOBAL log_bin_compress=OFF on the source and take a new online "
				 "dump", s->file, s->pos);
	case BL_PARTIAL_UPDATE_ROWS:
		return dberr_set(err, DBERR_UNSUPPORTED, "the source's binlog at %s:%" PRIu64 " has "
				 "a partial JSON update (binlog_row_value_options=PARTIAL_JSON): set it "
				 "to '' on the source and take a new online dump", s->file, s->pos);
	case BL_TRANSACTION_PAYLOAD:
		return dberr_set(err, DBERR_UNSUPPORTED, "the source's binlog at %s:%" PRIu64 " is "
				 "compressed (binlog_transaction_compression=ON): turn it off on the "
				 "source and take a new online dump", s->file, s->pos);
	case BL_INCIDENT:
		return dberr_set(err, DBERR_SOURCE, "the source's binlog at %s:%" PRIu64 " records "
				 "an incident: changes may be missing from it; check the source and "
				 "verify the target", s->file, s->pos);
	default:	/* annotations, checkpoints, GTID lists, variables */
		break;
	}
	if (be.next_pos)
		s->pos = be.next_pos;
	return r;
}

/* Bytes wait on the replication connection's socket (within ms). */
static int
socket_ready(struct cdc_stream *s, int ms)
{
	struct pollfd pfd = { .fd = (int)mysql_get_socket(s->c->m), .events = POLLIN };

	return pfd.fd >= 0 && poll(&pfd, 1, ms) > 0;
}

static int
my_stream_next(struct cdc_stream *s, struct cdc_event *ev, int timeout_ms, struct dberr *err)
{
	double deadline = now_seconds() + timeout_ms / 1000.0;
	int r;

	for (;;) {
		if (s->queued == 2) {
			memset(ev, 0, sizeof(*ev));
			ev->kind = CDC_TRUNCATE;
			ev->tables = s->trunc;
			ev->ntables = 1;
			s->queued = 1;
			return 1;
		}
		if (s->queued == 1) {
			memset(ev, 0, sizeof(*ev));
			ev->kind = CDC_COMMIT;
			ev->commit_pos = s->queued_end;
			ev->commit_time_us = s->queued_time_us;
			s->tx_emitted = 0;
			s->queued = 0;
			return 1;
		}
		if (s->rows_map) {
			if ((r = next_row(s, ev, err)) != 0)
				return r;
			rows_release(s);
		}
		event_release(s);
		/* between transactions, past the deadline, with nothing on the
		 * socket: none came (a transaction's events come back to back,
		 * so inside one the next is read; what Connector/C has read
		 * ahead comes at the next call) */
		if (!s->in_tx && !s->queued && now_seconds() >= deadline && !socket_ready(s, 0))
			return 0;
		if (!(s->ev = mariadb_rpl_fetch(s->rpl, NULL)))
			return source_error(s, err);
		if ((r = stream_event(s, ev, err)) != 0)
			return r;
	}
}

static int
sql_connect(struct cdc_stream *s, struct dberr *err)
{
	return s->sql ? 0 : my_connect_with(&s->sql, s->uri, DBERR_SOURCE, 0, err);
}

static int
my_stream_confirm(struct cdc_stream *s, const struct db_position *pos, struct dberr *err)
{
	(void)s;
	(void)pos;
	(void)err;
	return 0;	/* a binlog keeps no replica's place: retention does */
}

static int
my_stream_source_position(struct cdc_stream *s, struct db_position *pos, struct dberr *err)
{
	return sql_connect(s, err) < 0 ? -1 : my_binlog_position(s->sql, pos, err);
}

/* Everything before it was delivered: inside a transaction (sent or
 * not), where that transaction starts. */
static void
my_stream_received(struct cdc_stream *s, struct db_position *pos)
{
	if (s->in_tx)
		*pos = s->tx_start;
	else
		position_here(s, s->pos, &s->gtid, pos);
}

static int
my_stream_retained(struct cdc_stream *s, int64_t *bytes, char *status, size_t n,
		   struct dberr *err)
{
	if (sql_connect(s, err) < 0)
		return -1;
	return my_binlog_retained(s->sql, s->file, s->pos, bytes, status, n, err);
}

static void
my_stream_close(struct cdc_stream *s)
{
	if (!s)
		return;
	rows_release(s);
	event_release(s);
	if (s->rpl)
		mariadb_rpl_close(s->rpl);
	if (s->c)
		drv_mysql.close(s->c);
	if (s->sql)
		drv_mysql.close(s->sql);
	for (int i = 0; i < s->nmaps; i++)
		tmap_clear(&s->maps[i]);
	free(s->maps);
	tcols_release(s);
	strbuf_release(&s->gtid);
	strbuf_release(&s->gtid_before);
	strbuf_release(&s->text);
	strbuf_release(&s->payload);
	for (int i = 0; i < 2; i++) {
		free(s->vals[i]);
		free(s->cells[i]);
	}
	free(s->off);
	free(s->unchanged);
	free(s->uri);
	free(s);
}

static int
my_stream_open(const char *uri, const char *slot, const char *publication,
	       const struct db_position *from, struct schema_model *m,
	       const struct cdc_stream_opts *so, struct cdc_stream **out, struct dberr *err)
{
	struct cdc_stream *s = xcalloc(1, sizeof(*s));
	struct strbuf q = STRBUF_INIT;
	const char *colon;
	char file[256];
	uint64_t pos;
	int by_file = 1, by_gtid;

	(void)publication;
	*out = NULL;
	s->uri = xstrdup(uri);
	s->m = m;
	if (from->kind != POSITION_BINLOG || !(colon = strrchr(from->text, ':')) ||
	    (size_t)(colon - from->text) >= sizeof(file)) {
		dberr_set(err, DBERR_SOURCE, "position '%s' is no binlog position", from->text);
		goto fail;
	}
	memcpy(file, from->text, (size_t)(colon - from->text));
	file[colon - from->text] = '\0';
	pos = strtoull(colon + 1, NULL, 10);
	if (my_connect_with(&s->c, uri, DBERR_SOURCE, READ_TIMEOUT_S, err) < 0 ||
	    sql_connect(s, err) < 0)
		goto fail;
	snprintf(s->db, sizeof(s->db), "%s", s->c->dbname);
	s->server_id = so && so->server_id ? so->server_id : my_binlog_server_id(slot);
	/* a file this server does not have, with the GTID set reached
	 * there: the stream resumes by GTID (the source failed over to a
	 * replica whose files are named otherwise) - MariaDB's
	 * @slave_connect_state, MySQL's COM_BINLOG_DUMP_GTID; the server
	 * refuses it if those transactions are gone */
	if (from->gtid[0] && my_binlog_has_file(s->sql, file, &by_file, err) < 0)
		goto fail;
	by_gtid = from->gtid[0] && !by_file;
	if (my_binlog_preflight(s->sql, by_gtid ? NULL : file, s->server_id, err) < 0 ||
	    my_binlog_position(s->sql, &s->opened_at, err) < 0 || schema_columns(s, err) < 0)
		goto fail;
	if (by_gtid && !s->c->is_mariadb) {
		log_info("binlog file %s is not on the source: resuming after GTID set %s", file,
			 from->gtid);
		snprintf(s->gtid_from, sizeof(s->gtid_from), "%s", from->gtid);
		snprintf(s->gtid_file, sizeof(s->gtid_file), "%s", file);
		file[0] = '\0';	/* the server finds the file */
		pos = 4;
	} else if (by_gtid) {
		strbuf_addstr(&q, "SET @slave_connect_state = ");
		my_quote_literal(&q, from->gtid);
		strbuf_addstr(&q, ", @slave_gtid_strict_mode = 1");
		if (my_exec(s->c, q.buf, err) < 0)
			goto fail;
		strbuf_reset(&q);
		log_info("binlog file %s is not on the source: resuming after GTID %s", file,
			 from->gtid);
		snprintf(s->gtid_from, sizeof(s->gtid_from), "%s", from->gtid);
		snprintf(s->gtid_file, sizeof(s->gtid_file), "%s", file);
		file[0] = '\0';	/* the server finds the file */
		pos = 4;
	}
	/* the stream's checksum is the server's; GTID events, not BEGIN;
	 * a heartbeat whenever the source has nothing to send */
	strbuf_addf(&q, "SET @master_binlog_checksum = @@global.binlog_checksum, "
		    "@mariadb_slave_capability = 4, @master_heartbeat_period = %llu",
		    (unsigned long long)HEARTBEAT_MS * 1000000ULL);
	if (my_exec(s->c, q.buf, err) < 0)
		goto fail;
	strbuf_reset(&q);
	{
		char sum[32] = "";
		MYSQL_RES *r = my_query(s->c, "SELECT @@global.binlog_checksum", err);
		MYSQL_ROW row;

		if (!r)
			goto fail;
		if ((row = mysql_fetch_row(r)) && row[0])
			snprintf(sum, sizeof(sum), "%s", row[0]);
		mysql_free_result(r);
		s->fmt.checksum = !strcasecmp(sum, "CRC32");
	}
	s->fmt.mariadb = s->c->is_mariadb;
	if (by_gtid && !s->c->is_mariadb) {
		/* MySQL by GTID: Connector/C sends no COM_BINLOG_DUMP_GTID, so
		 * the command goes out as its documented bytes and the events
		 * are read as after an open (not run against a MySQL server
		 * on the machine this was written on: only MariaDB runs here) */
		struct strbuf arg = STRBUF_INIT;
		int sent;

		if (binlog_gtid_dump_arg(from->gtid, s->server_id, &arg) < 0) {
			strbuf_release(&arg);
			dberr_set(err, DBERR_SOURCE, "the GTID set %s is not MySQL's", from->gtid);
			goto fail;
		}
		if (my_exec(s->c, "SET @slave_uuid = UUID()", err) < 0 ||
		    !(s->rpl = mariadb_rpl_init(s->c->m))) {
			strbuf_release(&arg);
			goto fail;
		}
		sent = s->c->m->methods->db_command(s->c->m,
						    (enum enum_server_command)BL_COM_BINLOG_DUMP_GTID,
						    arg.buf, arg.len, 1, NULL);
		strbuf_release(&arg);
		if (sent) {
			source_error(s, err);
			goto fail;
		}
	} else if (!(s->rpl = mariadb_rpl_init(s->c->m)) ||
	    mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FILENAME, file, strlen(file)) ||
	    mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_START, (unsigned long)pos) ||
	    mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_SERVER_ID, s->server_id) ||
	    mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FLAGS, 0) ||
	    mariadb_rpl_open(s->rpl)) {
		snprintf(s->file, sizeof(s->file), "%s", file);
		s->pos = pos;
		source_error(s, err);
		goto fail;
	}
	snprintf(s->file, sizeof(s->file), "%s", file);
	s->pos = pos;
	strbuf_addstr(&s->gtid, from->gtid);
	strbuf_addstr(&s->gtid_before, from->gtid);
	ensure_cap(s, 16);
	log_debug("binlog stream from %s:%" PRIu64 " as server_id %" PRIu32, file, pos,
		  s->server_id);
	strbuf_release(&q);
	*out = s;
	return 0;
fail:
	strbuf_release(&q);
	my_stream_close(s);
	return -1;
}

const struct db_cdc_ops my_cdc_ops = {
	.capture_begin = my_capture_begin,
	.snapshot_exact = my_snapshot_exact,
	.capture_drop = my_capture_drop,
	.capture_status = my_capture_status,
	.stream_open = my_stream_open,
	.stream_next = my_stream_next,
	.stream_confirm = my_stream_confirm,
	.stream_source_position = my_stream_source_position,
	.stream_received = my_stream_received,
	.stream_retained = my_stream_retained,
	.stream_close = my_stream_close,
};
