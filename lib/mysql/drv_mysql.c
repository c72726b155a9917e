/*
 * drv_mysql.c - the MySQL/MariaDB driver through the MySQL C API
 * (MariaDB Connector/C or libmysqlclient): connections, the consistent
 * snapshot with its binlog position, streaming reads into canonical rows,
 * and the target side (ledger, DDL steps, chunk loads with LOAD DATA
 * LOCAL INFILE fed from memory). Introspection is in my_schema.c, DDL in
 * my_ddl.c.
 *
 * Two things differ from PostgreSQL and shape this file. A snapshot
 * belongs to one connection: to share it, the first connection takes
 * FLUSH TABLES WITH READ LOCK while every reader starts its own
 * consistent-snapshot transaction, then lets go (what mydumper does).
 * And LOAD DATA LOCAL turns bad values, duplicates and truncation into
 * warnings even in strict mode, so every warning fails the chunk.
 */
#include "my_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/base/log.h"
#include "my_uri.h"
#include "lib/base/netprobe.h"
#include "lib/base/banned.h"

static const char *
side_name(enum dberr_class side)
{
	return side == DBERR_SOURCE ? "source" : "target";
}

static const char *
errno_hint(unsigned int e)
{
	switch (e) {
	case 1045:
		return "check the user and password (MYSQL_PWD, the [client] group of an option file, or the URI)";
	case 1044: case 1142: case 1143: case 1227: case 1370:
		return "grant the privilege to the connecting user, or connect as a user that has it";
	case 1049:
		return "create the database first, or fix the database in the URI";
	case 1050:
		return "the table already exists on the target: load into an empty database, or use --data-only";
	case 1146:
		return "the table is missing: run the load without --data-only, or create it";
	case 2002: case 2003: case 2005:
		return "check host and port, and that the server is running and reachable";
	case 2006: case 2013: case 1927: case 4031:
		return "the server went away: check it and run the same command again to resume";
	case 1148: case 3948: case 4166:
		return "the server forbids LOAD DATA LOCAL: set local_infile=1 on it";
	default:
		return NULL;
	}
}

/* The hint for a failed connect: nothing is under way there yet, so a
 * dropped connection is about the handshake, not a resume; and only a
 * target's database is dbmig's to create. */
static const char *
connect_hint(unsigned int e, enum dberr_class side)
{
	if (e == 2013 || e == 2006)
		return "the server closed the connection during the handshake: check that host "
		       "and port are a MySQL/MariaDB server's, and its max_connections";
	if (e == 1049)
		return side == DBERR_SOURCE
		       ? "check the database in the URI: the source must be an existing database "
			 "(SHOW DATABASES lists them)"
		       : "create the database first (CREATE DATABASE), or fix the database in the URI";
	return errno_hint(e);
}

/* Whether a PostgreSQL server answers on host:port: it replies to an
 * SSL request with one byte, 'S' or 'N', where MySQL would have greeted
 * first. Asked only after the MySQL handshake failed. */
static int
postgresql_answers(const char *host, const char *port)
{
	static const unsigned char ssl_request[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
	unsigned char buf[8];
	ssize_t n = netprobe_exchange(host ? host : "localhost", port, ssl_request,
				      sizeof(ssl_request), buf, sizeof(buf), 2000);

	return n == 1 && (buf[0] == 'S' || buf[0] == 'N');
}

int
my_fail(struct db_conn *c, struct dberr *err, const char *fmt, ...)
{
	char ctx[512];
	unsigned int e = mysql_errno(c->m);
	const char *hint = errno_hint(e);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	dberr_set(err, c->side, "%s (%s): %s: %s (error %u)%s%s", side_name(c->side), c->desc,
		  ctx, mysql_error(c->m), e, hint ? "; " : "", hint ? hint : "");
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", mysql_sqlstate(c->m));
	err->transient = e == 1213 || e == 1205;	/* deadlock, lock wait timeout */
	/* ER_DUP_ENTRY, ER_DUP_KEY, ER_DUP_ENTRY_WITH_KEY_NAME: not the rest
	 * of SQLSTATE 23000 (NOT NULL, foreign keys) */
	err->duplicate = e == 1062 || e == 1022 || e == 1586;
	return -1;
}

int
my_exec(struct db_conn *c, const char *sql, struct dberr *err)
{
	MYSQL_RES *r;

	if (mysql_real_query(c->m, sql, strlen(sql)))
		return my_fail(c, err, "%.200s", sql);
	if ((r = mysql_store_result(c->m)))
		mysql_free_result(r);
	return 0;
}

MYSQL_RES *
my_query(struct db_conn *c, const char *sql, struct dberr *err)
{
	MYSQL_RES *r;

	if (mysql_real_query(c->m, sql, strlen(sql)) || !(r = mysql_store_result(c->m))) {
		my_fail(c, err, "query failed");
		return NULL;
	}
	return r;
}

int
my_connect_with(struct db_conn **out, const char *uri, enum dberr_class side,
		unsigned read_timeout, struct dberr *err)
{
	struct my_uri u;
	struct db_conn *c;
	char emsg[256];
	unsigned int timeout, on = 1;
	const char *pw;
	struct strbuf setup = STRBUF_INIT;
	int ret = -1;

	*out = NULL;
	if (my_uri_parse(uri, &u, emsg, sizeof(emsg)) < 0)
		return dberr_set(err, DBERR_USAGE, "%s: invalid MySQL URI: %s", side_name(side), emsg);
	if (!u.database) {
		my_uri_release(&u);
		return dberr_set(err, DBERR_USAGE, "%s: name the database in the URI "
				 "(mysql://host/DATABASE)", side_name(side));
	}
	c = xcalloc(1, sizeof(*c));
	c->side = side;
	snprintf(c->desc, sizeof(c->desc), "host=%s port=%u database=%s user=%s",
		 u.socket ? u.socket : u.host ? u.host : "localhost", u.port ? u.port : 3306,
		 u.database, u.user ? u.user : "(default)");
	if (!(c->m = mysql_init(NULL))) {
		dberr_set(err, DBERR_INTERNAL, "mysql_init failed");
		goto out;
	}
	/* Option files first, so the URI overrides them; [client] by
	 * default, as every MySQL program reads it. */
	if (u.option_file)
		mysql_options(c->m, MYSQL_READ_DEFAULT_FILE, u.option_file);
	mysql_options(c->m, MYSQL_READ_DEFAULT_GROUP, u.option_group ? u.option_group : "client");
	timeout = u.connect_timeout ? u.connect_timeout : 10;
	mysql_options(c->m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (read_timeout)
		mysql_options(c->m, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
	mysql_options(c->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(c->m, MYSQL_OPT_LOCAL_INFILE, &on);
	if (u.ssl_ca || u.ssl_cert || u.ssl_key)
		mysql_ssl_set(c->m, u.ssl_key, u.ssl_cert, u.ssl_ca, NULL, NULL);
	if (u.ssl_mode && strcasecmp(u.ssl_mode, "DISABLED") && strcasecmp(u.ssl_mode, "PREFERRED")) {
#ifdef MARIADB_PACKAGE_VERSION
		my_bool yes = 1, verify = !strcasecmp(u.ssl_mode, "VERIFY_CA") ||
					  !strcasecmp(u.ssl_mode, "VERIFY_IDENTITY");

		mysql_options(c->m, MYSQL_OPT_SSL_ENFORCE, &yes);
		mysql_options(c->m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
#else
		unsigned int mode = !strcasecmp(u.ssl_mode, "REQUIRED") ? SSL_MODE_REQUIRED :
				    !strcasecmp(u.ssl_mode, "VERIFY_CA") ? SSL_MODE_VERIFY_CA :
				    SSL_MODE_VERIFY_IDENTITY;

		mysql_options(c->m, MYSQL_OPT_SSL_MODE, &mode);
#endif
	}
	pw = u.password ? u.password : getenv("MYSQL_PWD");
	/* FOUND_ROWS: an UPDATE counts the rows it found, changed or not,
	 * so the apply can tell a missing row (my_apply.c) */
	if (!mysql_real_connect(c->m, u.host, u.user, pw, u.database, u.port, u.socket,
				CLIENT_LOCAL_FILES | CLIENT_FOUND_ROWS)) {
		unsigned int e = mysql_errno(c->m);
		const char *hint = connect_hint(e, side);
		char port[16];

		snprintf(port, sizeof(port), "%u", u.port ? u.port : 3306);
		if (e == 2013 && !u.socket && postgresql_answers(u.host, port))
			dberr_set(err, side, "cannot connect to %s (%s): port %s answers as a "
				  "PostgreSQL server, not as MySQL; use a postgresql:// URI for it, "
				  "or fix the port", side_name(side), c->desc, port);
		else
			dberr_set(err, side, "cannot connect to %s (%s): %s (error %u)%s%s",
				  side_name(side), c->desc, mysql_error(c->m), e, hint ? "; " : "",
				  hint ? hint : "");
		goto out;
	}
	snprintf(c->dbname, sizeof(c->dbname), "%s", u.database);
	snprintf(c->version, sizeof(c->version), "%s", mysql_get_server_info(c->m));
	c->is_mariadb = strstr(c->version, "MariaDB") != NULL;
	/* Values cross in UTC and utf8mb4; reads may pause for back-pressure
	 * longer than the default 60 s before the server drops us; the
	 * load side is strict, keeps explicit zeros in AUTO_INCREMENT
	 * columns, and accepts MySQL's zero dates, which MySQL sources have. */
	strbuf_addstr(&setup, "SET time_zone = '+00:00', NAMES utf8mb4, "
		      "net_write_timeout = 3600, net_read_timeout = 3600, "
		      "sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'");
	if (my_exec(c, setup.buf, err) < 0 ||
	    my_exec(c, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", err) < 0)
		goto out;
	*out = c;
	ret = 0;
out:
	strbuf_release(&setup);
	my_uri_release(&u);
	if (ret < 0) {
		if (c->m)
			mysql_close(c->m);
		free(c);
	}
	return ret;
}

static int
my_connect(struct db_conn **out, const char *uri, enum dberr_class side, struct dberr *err)
{
	return my_connect_with(out, uri, side, 0, err);
}

static void
my_abort_io(struct db_conn *c)
{
	my_socket fd = mysql_get_socket(c->m);

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

static void
my_close(struct db_conn *c)
{
	if (!c)
		return;
	mysql_close(c->m);
	strbuf_release(&c->apply_ins);
	strbuf_release(&c->apply_multi);
	free(c->apply_pend);
	free(c);
}

static const char *
my_describe(struct db_conn *c)
{
	return c->desc;
}

static const char *
my_server_version(struct db_conn *c)
{
	return c->version;
}

static const char *
my_database(struct db_conn *c)
{
	return c->dbname;
}

/* One row of one column, copied into out; 0 when the query gave a row. */
static int
query_value(struct db_conn *c, const char *sql, char *out, size_t outsz, int col,
	    struct dberr *err)
{
	MYSQL_RES *r = my_query(c, sql, err);
	MYSQL_ROW row;

	if (!r)
		return -1;
	out[0] = '\0';
	if ((row = mysql_fetch_row(r)) && (int)mysql_num_fields(r) > col && row[col])
		snprintf(out, outsz, "%s", row[col]);
	mysql_free_result(r);
	return 0;
}

static int
start_snapshot(struct db_conn *c, struct dberr *err)
{
	return my_exec(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", err);
}

int
my_snapshot_export(struct db_conn *c, int others, struct db_snapshot *snap,
		   struct dberr *err)
{
	char file[256] = "", pos[64] = "", gtid[256] = "";
	int exact;

	snap->consistent = 1;
	snap->shareable = 0;
	snprintf(snap->kind, sizeof(snap->kind), "mysql-consistent-snapshot");
	if (others > 0) {
		if (mysql_real_query(c->m, "FLUSH TABLES WITH READ LOCK", 27) == 0) {
			c->locked = 1;
			snap->shareable = others;
		} else if (mysql_errno(c->m) == 1227 || mysql_errno(c->m) == 1044) {
			log_debug("no global read lock (%s); one connection only", mysql_error(c->m));
		} else {
			return my_fail(c, err, "FLUSH TABLES WITH READ LOCK");
		}
	}
	if (start_snapshot(c, err) < 0)
		return -1;
	if (c->is_mariadb) {
		/* MariaDB names the binlog position of the snapshot itself,
		 * lock or no lock. */
		MYSQL_RES *r = my_query(c, "SHOW STATUS LIKE 'binlog_snapshot_%'", err);
		MYSQL_ROW row;

		if (!r)
			return -1;
		while ((row = mysql_fetch_row(r))) {
			if (!row[0] || !row[1])
				continue;
			if (!strcmp(row[0], "Binlog_snapshot_file"))
				snprintf(file, sizeof(file), "%s", row[1]);
			else if (!strcmp(row[0], "Binlog_snapshot_position"))
				snprintf(pos, sizeof(pos), "%s", row[1]);
		}
		mysql_free_result(r);
		if (file[0]) {
			struct strbuf q = STRBUF_INIT;

			strbuf_addstr(&q, "SELECT BINLOG_GTID_POS(");
			my_quote_literal(&q, file);
			strbuf_addf(&q, ", %s)", pos[0] ? pos : "0");
			if (query_value(c, q.buf, gtid, sizeof(gtid), 0, err) < 0) {
				strbuf_release(&q);
				return -1;
			}
			strbuf_release(&q);
		}
		exact = file[0] != 0;
	} else {
		/* MySQL: exact under the lock; without it, the position read
		 * right after the snapshot started, and we say so. */
		MYSQL_RES *r = my_query(c, "SHOW MASTER STATUS", err);
		MYSQL_ROW row;

		if (!r)
			return -1;
		if ((row = mysql_fetch_row(r))) {
			snprintf(file, sizeof(file), "%s", row[0] ? row[0] : "");
			snprintf(pos, sizeof(pos), "%s", row[1] ? row[1] : "");
			if (mysql_num_fields(r) > 4 && row[4])
				snprintf(gtid, sizeof(gtid), "%s", row[4]);
		}
		mysql_free_result(r);
		exact = c->locked && file[0];
	}
	position_set_binlog(&snap->pos, file, strtoull(pos, NULL, 10), gtid, exact);
	return 0;
}

static int
my_snapshot_import(struct db_conn *c, const struct db_snapshot *snap, struct dberr *err)
{
	(void)snap;
	/* Under the exporter's global read lock, every snapshot started
	 * now sees the same state. */
	return start_snapshot(c, err);
}

static int
my_snapshot_release(struct db_conn *c, struct dberr *err)
{
	if (!c->locked)
		return 0;
	c->locked = 0;
	return my_exec(c, "UNLOCK TABLES", err);
}

/*
 * What later mappings need to know about the values, gathered while they
 * stream by: whether a tinyint(1) holds only 0 and 1, whether a TIME
 * leaves the day, how many dates are MySQL zero dates.
 */
static void
profile_value(struct column *col, const char *v, size_t n)
{
	switch (col->type.t) {
	case NT_INT16:
		if (!(n == 1 && (v[0] == '0' || v[0] == '1')))
			col->profile.only_0_1 = 0;
		break;
	case NT_TIME: {
		int hours = 0;
		size_t i = 0;

		if (n && v[0] == '-') {
			col->profile.outside_day = 1;
			break;
		}
		for (; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			hours = hours * 10 + (v[i] - '0');
		if (hours > 24 || (hours == 24 && (n != 8 || memcmp(v, "24:00:00", 8))))
			col->profile.outside_day = 1;
		break;
	}
	case NT_DATE:
	case NT_TIMESTAMP:
	case NT_TIMESTAMPTZ:
		/* YYYY-MM-DD...: a zero year, month or day */
		if (canon_is_zero_date((const unsigned char *)v, n))
			col->profile.zero_dates++;
		break;
	default:
		break;
	}
}

/*
 * The same profile as profile_value gathers from a full read, computed by
 * the server in one pass over the text the read would see: a direct copy
 * must choose the target's types before it reads any row.
 */
static int
my_profile_scan(struct db_conn *c, struct table *t, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT, x = STRBUF_INIT;
	struct column **cols = xcalloc((size_t)t->ncols + 1, sizeof(*cols));
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	int n = 0, ret = -1;

	strbuf_addstr(&sql, "SELECT ");
	for (int i = 0; i < t->ncols; i++) {
		struct column *col = &t->cols[i];
		const char *sep = n ? ", " : "";

		if (col->generated_expr)
			continue;
		memset(&col->profile, 0, sizeof(col->profile));
		col->profile.done = 1;
		col->profile.only_0_1 = 1;
		strbuf_reset(&x);
		strbuf_addstr(&x, "CAST(");
		my_quote_ident(&x, col->name);
		strbuf_addstr(&x, " AS CHAR)");
		switch (col->type.t) {
		case NT_INT16:
			strbuf_addf(&sql, "%sCOALESCE(MIN(%s IN ('0', '1')), 1)", sep, x.buf);
			break;
		case NT_TIME:
			strbuf_addf(&sql, "%sCOALESCE(MAX(LEFT(%s, 1) = '-' OR "
				    "CAST(SUBSTRING_INDEX(%s, ':', 1) AS UNSIGNED) > 24 OR "
				    "(CAST(SUBSTRING_INDEX(%s, ':', 1) AS UNSIGNED) = 24 AND "
				    "%s <> '24:00:00')), 0)", sep, x.buf, x.buf, x.buf, x.buf);
			break;
		case NT_DATE:
		case NT_TIMESTAMP:
		case NT_TIMESTAMPTZ:
			strbuf_addf(&sql, "%sCOALESCE(SUM(LENGTH(%s) >= 10 AND (LEFT(%s, 4) = '0000' OR "
				    "SUBSTRING(%s, 6, 2) = '00' OR SUBSTRING(%s, 9, 2) = '00')), 0)",
				    sep, x.buf, x.buf, x.buf, x.buf);
			break;
		default:
			continue;
		}
		cols[n++] = col;
	}
	if (!n) {
		ret = 0;
		goto out;
	}
	strbuf_addstr(&sql, " FROM ");
	my_quote_ident(&sql, t->name);
	if (mysql_real_query(c->m, sql.buf, sql.len) || !(r = mysql_store_result(c->m)) ||
	    !(row = mysql_fetch_row(r))) {
		my_fail(c, err, "reading the values' profile of %s.%s", t->schema, t->name);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		unsigned long long v = row[i] ? strtoull(row[i], NULL, 10) : 0;

		switch (cols[i]->type.t) {
		case NT_INT16: cols[i]->profile.only_0_1 = v != 0; break;
		case NT_TIME: cols[i]->profile.outside_day = v != 0; break;
		default: cols[i]->profile.zero_dates = v; break;
		}
	}
	ret = 0;
out:
	if (r)
		mysql_free_result(r);
	strbuf_release(&sql);
	strbuf_release(&x);
	free(cols);
	return ret;
}

int
my_copy_rows(struct db_conn *c, struct table *t, const char *tail, row_sink_fn sink,
	     void *arg, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT, canon = STRBUF_INIT;
	const struct ntype_desc **types = xcalloc((size_t)t->ncols + 1, sizeof(*types));
	struct value *vals = xcalloc((size_t)t->ncols + 1, sizeof(*vals));
	size_t *offs = xcalloc((size_t)t->ncols + 1, sizeof(*offs));
	int ncols = table_data_types(t, types), first = 1, ret = -1;
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	uint64_t rowno = 0;
	struct column **cols = xcalloc((size_t)t->ncols + 1, sizeof(*cols));

	for (int i = 0, k = 0; i < t->ncols; i++) {
		if (t->cols[i].generated_expr)
			continue;
		cols[k++] = &t->cols[i];
		memset(&t->cols[i].profile, 0, sizeof(t->cols[i].profile));
		t->cols[i].profile.done = 1;
		t->cols[i].profile.only_0_1 = 1;
	}
	strbuf_addstr(&sql, "SELECT ");
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated_expr)
			continue;
		if (!first)
			strbuf_addstr(&sql, ", ");
		my_select_expr(&sql, t->cols[i].name, &t->cols[i].type);
		first = 0;
	}
	strbuf_addstr(&sql, " FROM ");
	my_quote_ident(&sql, t->name);
	if (tail)
		strbuf_addf(&sql, " %s", tail);
	if (mysql_real_query(c->m, sql.buf, sql.len) || !(r = mysql_use_result(c->m))) {
		my_fail(c, err, "reading table %s.%s", t->schema, t->name);
		goto out;
	}
	while ((row = mysql_fetch_row(r))) {
		unsigned long *lens = mysql_fetch_lengths(r);
		char emsg[256];

		rowno++;
		if (dbmig_interrupted) {
			dberr_set(err, DBERR_INTERRUPTED, "interrupted while reading %s.%s",
				  t->schema, t->name);
			goto out;
		}
		strbuf_reset(&canon);
		for (int i = 0; i < ncols; i++) {
			if (!row[i]) {
				offs[i] = SIZE_MAX;
				continue;
			}
			offs[i] = canon.len;
			if (my_text_to_canon(types[i], row[i], lens[i], &canon, emsg, sizeof(emsg)) < 0) {
				dberr_set(err, DBERR_SOURCE, "table %s.%s row %llu column %d: %s",
					  t->schema, t->name, (unsigned long long)rowno, i + 1, emsg);
				goto out;
			}
			profile_value(cols[i], row[i], lens[i]);
		}
		canon_values_from_offsets(&canon, offs, ncols, vals);
		if (sink(arg, vals, err) < 0)
			goto out;
	}
	/* With use_result, errors surface only after the last row. */
	if (mysql_errno(c->m)) {
		my_fail(c, err, "reading table %s.%s", t->schema, t->name);
		goto out;
	}
	ret = 0;
out:
	if (r)
		mysql_free_result(r);	/* reads and discards the rest */
	strbuf_release(&sql);
	strbuf_release(&canon);
	free(types);
	free(vals);
	free(offs);
	free(cols);
	return ret;
}

static int
my_copy_out(struct db_conn *c, struct table *t, row_sink_fn sink, void *arg,
	    struct dberr *err)
{
	return my_copy_rows(c, t, NULL, sink, arg, err);
}

/* ---- target side ---- */

#define LEDGER "`_dbmig_load_ledger`"

/* Takes this database's lock for dump_id, waiting up to timeout seconds;
 * c->load_locked says whether it was got. */
static int
load_lock(struct db_conn *c, const char *dump_id, long timeout, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	char got[8] = "";
	MYSQL_RES *r;
	MYSQL_ROW row;

	strbuf_addstr(&q, "SELECT GET_LOCK(CONCAT('dbmig_', MD5(CONCAT('load ', ");
	my_quote_literal(&q, dump_id);
	strbuf_addf(&q, ", ' ', DATABASE()))), %ld)", timeout);
	r = my_query(c, q.buf, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	if ((row = mysql_fetch_row(r)) && row[0])
		snprintf(got, sizeof(got), "%s", row[0]);
	mysql_free_result(r);
	c->load_locked = !strcmp(got, "1");
	return 0;
}

static int
my_ledger_open(struct db_conn *c, const char *dump_id, struct strlist *done,
	       struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;

	/* One load of a dump into one database at a time: a second waits
	 * here, for as long as this session lives, then finds the first's
	 * work in the ledger. GET_LOCK names are server-wide: the database
	 * is part of the name. */
	if (load_lock(c, dump_id, 0, err) < 0)
		return -1;
	if (!c->load_locked) {
		log_info("another load of dump %s into this database is running: waiting "
			 "for it to end", dump_id);
		if (load_lock(c, dump_id, 86400 * 7, err) < 0)
			return -1;
		if (!c->load_locked)
			return dberr_set(err, DBERR_TARGET, "target (%s): another load of dump %s "
					 "has held this database for a week; stop it, or wait",
					 c->desc, dump_id);
	}
	if (my_exec(c, "CREATE TABLE IF NOT EXISTS " LEDGER " ("
		    "dump_id varchar(32) NOT NULL, item varchar(700) NOT NULL, "
		    "`rows` bigint, state varchar(8) NOT NULL, "
		    "finished_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), "
		    "PRIMARY KEY (dump_id, item)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
		    "COLLATE=utf8mb4_bin", err) < 0) {
		dberr_prefix(err, "cannot create the load ledger _dbmig_load_ledger "
			     "(the user needs CREATE on the database)");
		return -1;
	}
	strbuf_addstr(&q, "SELECT item FROM " LEDGER " WHERE state = 'done' AND dump_id = ");
	my_quote_literal(&q, dump_id);
	r = my_query(c, q.buf, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r)))
		strlist_push(done, row[0]);
	mysql_free_result(r);
	return 0;
}

/* Records item in state. A 'started' step may be marked again, and then
 * 'done' (upsert); anything recorded done at once (a chunk, in the same
 * transaction as its rows) is a plain INSERT, so a second commit of the
 * same item fails instead of duplicating its rows. */
static int
ledger_mark(struct db_conn *c, const char *dump_id, const char *item, const char *state,
	    uint64_t rows, int has_rows, int upsert, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	strbuf_addstr(&q, "INSERT INTO " LEDGER " (dump_id, item, `rows`, state) VALUES (");
	my_quote_literal(&q, dump_id);
	strbuf_addstr(&q, ", ");
	my_quote_literal(&q, item);
	if (has_rows)
		strbuf_addf(&q, ", %llu, ", (unsigned long long)rows);
	else
		strbuf_addstr(&q, ", NULL, ");
	my_quote_literal(&q, state);
	strbuf_addch(&q, ')');
	if (upsert)
		strbuf_addstr(&q, " ON DUPLICATE KEY UPDATE state = VALUES(state), "
			      "`rows` = VALUES(`rows`), finished_at = CURRENT_TIMESTAMP(6)");
	ret = my_exec(c, q.buf, err);
	strbuf_release(&q);
	return ret;
}

static int
ledger_state(struct db_conn *c, const char *dump_id, const char *item, char *state,
	     size_t statesz, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	strbuf_addstr(&q, "SELECT state FROM " LEDGER " WHERE dump_id = ");
	my_quote_literal(&q, dump_id);
	strbuf_addstr(&q, " AND item = ");
	my_quote_literal(&q, item);
	ret = query_value(c, q.buf, state, statesz, 0, err);
	strbuf_release(&q);
	return ret;
}

/* The value of key=... in a "dbmig-session" comment, if it holds only
 * the characters allowed (a manifest is not trusted with more). */
static int
session_value(const char *head, const char *key, const char *allowed, char *out, size_t outsz)
{
	const char *p = strstr(head, key);
	size_t n;

	if (!p)
		return 0;
	p += strlen(key);
	n = strspn(p, allowed);
	if (!n || n >= outsz || (p[n] != ' ' && p[n] != '*'))
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* Runs sql, an object's definition; one that starts with the session it
 * was made in ("dbmig-session names=... collate=... sql_mode=...", see
 * my_schema.c) runs in that session, which MySQL records with it, and
 * the load's own is set back after. */
static int
exec_in_session(struct db_conn *c, const char *sql, struct dberr *err)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	static const char modes[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_,";
	char names[64] = "", collate[64] = "", mode[512] = "", head[700];
	const char *end = strstr(sql, "*/");
	struct strbuf set = STRBUF_INIT;
	struct dberr ignored = DBERR_INIT;
	int r;

	if (strncmp(sql, "/* dbmig-session ", 17) || !end || (size_t)(end - sql) >= sizeof(head))
		return my_exec(c, sql, err);
	memcpy(head, sql, (size_t)(end - sql));
	head[end - sql] = '\0';
	if (session_value(head, "names=", word, names, sizeof(names)) < 0 ||
	    session_value(head, "collate=", word, collate, sizeof(collate)) < 0 ||
	    session_value(head, "sql_mode=", modes, mode, sizeof(mode)) < 0)
		return dberr_set(err, DBERR_DUMP, "an object's session line is not one dbmig "
				 "writes: %.80s", head);
	if (names[0])
		strbuf_addf(&set, "SET NAMES %s%s%s", names, collate[0] ? " COLLATE " : "", collate);
	if (mode[0])
		strbuf_addf(&set, "%ssql_mode = '%s'", set.len ? ", " : "SET ", mode);
	if (set.len && my_exec(c, set.buf, err) < 0) {
		strbuf_release(&set);
		return -1;
	}
	r = my_exec(c, sql, err);
	if (set.len)
		my_exec(c, "SET NAMES utf8mb4, sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,"
			"NO_ENGINE_SUBSTITUTION'", &ignored);
	strbuf_release(&set);
	return r;
}

static int
my_exec_step(struct db_conn *c, const char *dump_id, const struct ddl_step *step,
	     struct dberr *err)
{
	char state[16];

	if (!step->sql)		/* only recorded */
		return ledger_mark(c, dump_id, step->item, "done", 0, 0, 0, err);
	/* DDL commits on its own here: mark the step started, run it,
	 * mark it done. A step found started was cut off half-way; its
	 * undo (errors ignored: it may not have got far) clears the way. */
	if (ledger_state(c, dump_id, step->item, state, sizeof(state), err) < 0)
		return -1;
	if (!strcmp(state, "started") && step->undo) {
		struct dberr ignored = DBERR_INIT;

		log_debug("undoing half-done step %s", step->item);
		my_exec(c, step->undo, &ignored);
	}
	if (ledger_mark(c, dump_id, step->item, "started", 0, 0, 1, err) < 0)
		return -1;
	if (exec_in_session(c, step->sql, err) < 0) {
		/* A statement that failed did nothing (MySQL DDL is atomic per
		 * statement): forget the mark, so a rerun never undoes
		 * something it did not make, such as a table that was there. */
		struct strbuf q = STRBUF_INIT;
		struct dberr ignored = DBERR_INIT;

		strbuf_addstr(&q, "DELETE FROM " LEDGER " WHERE dump_id = ");
		my_quote_literal(&q, dump_id);
		strbuf_addstr(&q, " AND item = ");
		my_quote_literal(&q, step->item);
		strbuf_addstr(&q, " AND state = 'started'");	/* never a done step's */
		my_exec(c, q.buf, &ignored);
		strbuf_release(&q);
		return -1;
	}
	return ledger_mark(c, dump_id, step->item, "done", 0, 0, 1, err);
}

static int
my_table_probe(struct db_conn *c, const struct table *t, int *exists, int *has_rows,
	       struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	char v[32];
	int ret = -1;

	strbuf_addstr(&q, "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
		      "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ");
	my_quote_literal(&q, t->name);
	if (query_value(c, q.buf, v, sizeof(v), 0, err) < 0)
		goto out;
	*exists = atoi(v) > 0;
	*has_rows = 0;
	if (*exists) {
		strbuf_reset(&q);
		strbuf_addstr(&q, "SELECT EXISTS (SELECT 1 FROM ");
		my_quote_ident(&q, t->name);
		strbuf_addch(&q, ')');
		if (query_value(c, q.buf, v, sizeof(v), 0, err) < 0)
			goto out;
		*has_rows = atoi(v) > 0;
	}
	ret = 0;
out:
	strbuf_release(&q);
	return ret;
}

static int
my_table_truncate(struct db_conn *c, const struct table *t, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	strbuf_addstr(&q, "TRUNCATE TABLE ");
	my_quote_ident(&q, t->name);
	ret = my_exec(c, q.buf, err);
	strbuf_release(&q);
	return ret;
}

static int
my_fk_checks_off(struct db_conn *c, struct dberr *err)
{
	return my_exec(c, "SET foreign_key_checks = 0", err);
}

/* LOAD DATA LOCAL INFILE fed from a row source through the client's
 * local-infile callbacks: rows are rendered into a buffer as the server
 * asks for bytes, so nothing but one buffer is held in memory. */
struct infile {
	const struct table *t;
	const struct ntype_desc **types;
	int ncols;
	row_source_fn src;
	void *arg;
	struct value *vals;
	struct strbuf buf, txt;
	size_t pos;
	int eof;
	uint64_t rows;
	struct dberr err;		/* why we stopped, if we did */
};

static int
infile_init(void **ptr, const char *filename, void *userdata)
{
	(void)filename;
	*ptr = userdata;
	return 0;
}

static int
infile_fill(struct infile *f)
{
	char emsg[256];

	strbuf_reset(&f->buf);
	f->pos = 0;
	while (!f->eof && f->buf.len < 64 * 1024) {
		int s = f->src(f->arg, f->vals, &f->err);

		if (s < 0)
			return -1;
		if (s == 0) {
			f->eof = 1;
			break;
		}
		if (dbmig_interrupted) {
			dberr_set(&f->err, DBERR_INTERRUPTED, "interrupted");
			return -1;
		}
		for (int i = 0; i < f->ncols; i++) {
			if (i)
				strbuf_addch(&f->buf, '\t');
			if (f->vals[i].isnull) {
				strbuf_addstr(&f->buf, "\\N");
				continue;
			}
			strbuf_reset(&f->txt);
			switch (my_canon_to_text(f->types[i], f->vals[i].p, f->vals[i].len, &f->txt,
						 emsg, sizeof(emsg))) {
			case 0:
				break;
			case 1:		/* --special-values=null */
				strbuf_addstr(&f->buf, "\\N");
				continue;
			default:
				dberr_set(&f->err, DBERR_UNSUPPORTED, "table %s row %llu column %s: %s",
					  f->t->name, (unsigned long long)f->rows + 1,
					  table_data_column_name(f->t, i), emsg);
				return -1;
			}
			my_tsv_escape(&f->buf, strbuf_cstr(&f->txt), f->txt.len);
		}
		strbuf_addch(&f->buf, '\n');
		f->rows++;
	}
	return 0;
}

static int
infile_read(void *ptr, char *buf, unsigned int len)
{
	struct infile *f = ptr;
	size_t n;

	if (f->pos == f->buf.len) {
		if (f->eof)
			return 0;
		if (infile_fill(f) < 0)
			return -1;
		if (f->buf.len == 0)
			return 0;
	}
	n = f->buf.len - f->pos;
	if (n > len)
		n = len;
	memcpy(buf, f->buf.buf + f->pos, n);
	f->pos += n;
	return (int)n;
}

static void
infile_end(void *ptr)
{
	(void)ptr;
}

static int
infile_error(void *ptr, char *msg, unsigned int len)
{
	struct infile *f = ptr;

	snprintf(msg, len, "dbmig: %s", f->err.msg[0] ? f->err.msg : "row source failed");
	return 2000;
}

/* One value as an INSERT literal: binary types as X'..', numbers bare,
 * the rest quoted. */
int
my_insert_literal(struct strbuf *out, const struct ntype_desc *d, const struct value *v,
	       struct strbuf *txt, char *emsg, size_t emsz)
{
	if (v->isnull) {
		strbuf_addstr(out, "NULL");
		return 0;
	}
	strbuf_reset(txt);
	switch (my_canon_to_text(d, v->p, v->len, txt, emsg, emsz)) {
	case 0:
		break;
	case 1:		/* a value the load stores as NULL */
		strbuf_addstr(out, "NULL");
		return 0;
	default:
		return -1;
	}
	switch (d->t) {
	case NT_BYTES:
	case NT_BIT:
	case NT_GEOMETRY: {
		char *hx = xmalloc(2 * txt->len + 1);

		hex_encode((const unsigned char *)strbuf_cstr(txt), txt->len, hx);
		strbuf_addf(out, "X'%s'", hx);
		free(hx);
		return 0;
	}
	case NT_INT16: case NT_INT32: case NT_INT64: case NT_UINT64:
	case NT_FLOAT32: case NT_FLOAT64: case NT_BOOL:
		strbuf_add(out, strbuf_cstr(txt), txt->len);
		return 0;
	default:
		my_quote_literal_n(out, strbuf_cstr(txt), txt->len);
		return 0;
	}
}

/*
 * The fallback for servers that forbid LOAD DATA LOCAL (MySQL 8's
 * default): multi-row INSERTs of about 1 MiB, strict, in the chunk's
 * transaction. Slower, and every warning still fails the chunk.
 */
static int
insert_rows(struct db_conn *c, const struct table *t, const char *cols,
	    struct infile *f, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT, txt = STRBUF_INIT;
	size_t head, nrows = 0;
	int ret = -1, s;
	char emsg[256];

	strbuf_addstr(&sql, "INSERT INTO ");
	my_quote_ident(&sql, t->name);
	strbuf_addf(&sql, " (%s) VALUES ", cols);
	head = sql.len;
	for (;;) {
		s = f->src(f->arg, f->vals, err);
		if (s < 0)
			goto out;
		if (s == 1) {
			strbuf_addstr(&sql, nrows ? ",(" : "(");
			for (int i = 0; i < f->ncols; i++) {
				if (i)
					strbuf_addch(&sql, ',');
				if (my_insert_literal(&sql, f->types[i], &f->vals[i], &txt, emsg, sizeof(emsg)) < 0) {
					dberr_set(err, DBERR_UNSUPPORTED, "table %s row %llu column %s: %s",
						  t->name, (unsigned long long)f->rows + 1,
						  table_data_column_name(t, i), emsg);
					goto out;
				}
			}
			strbuf_addch(&sql, ')');
			nrows++;
			f->rows++;
		}
		if (nrows && (s == 0 || sql.len >= 1024 * 1024)) {
			if (mysql_real_query(c->m, sql.buf, sql.len)) {
				my_fail(c, err, "inserting into table %s", t->name);
				goto out;
			}
			if (mysql_warning_count(c->m) || mysql_affected_rows(c->m) != nrows) {
				dberr_set(err, DBERR_TARGET, "target (%s): inserting into table %s: "
					  "%zu rows sent, %llu stored, %u warnings; nothing of this "
					  "chunk was kept", c->desc, t->name, nrows,
					  (unsigned long long)mysql_affected_rows(c->m),
					  mysql_warning_count(c->m));
				goto out;
			}
			sql.len = head;
			sql.buf[head] = '\0';
			nrows = 0;
		}
		if (s == 0)
			break;
	}
	ret = 0;
out:
	strbuf_release(&sql);
	strbuf_release(&txt);
	return ret;
}

static int
my_load_chunk(struct db_conn *c, const struct table *t, const char *dump_id,
	      const char *item, row_source_fn src, void *arg, unsigned flags,
	      uint64_t *rows, struct dberr *err)
{
	struct infile f;
	struct strbuf sql = STRBUF_INIT, cols = STRBUF_INIT;
	int in_tx = 0, ret = -1, first = 1;

	(void)flags;		/* MySQL text holds NUL bytes */
	memset(&f, 0, sizeof(f));
	f.t = t;
	f.types = xcalloc((size_t)t->ncols + 1, sizeof(*f.types));
	f.vals = xcalloc((size_t)t->ncols + 1, sizeof(*f.vals));
	f.ncols = table_data_types(t, f.types);
	f.src = src;
	f.arg = arg;
	*rows = 0;
	/* Every value goes straight into its column: a SET clause would
	 * make MariaDB replace an explicit 0 in an AUTO_INCREMENT column
	 * even under NO_AUTO_VALUE_ON_ZERO (seen on 10.11). BIT and geometry
	 * values are rendered in their binary storage forms instead. The
	 * file is utf8mb4, so text converts into each column's charset while
	 * binary columns take the bytes as they are. */
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated_expr)
			continue;
		strbuf_addstr(&cols, first ? "" : ", ");
		first = 0;
		my_quote_ident(&cols, t->cols[i].name);
	}
	strbuf_addstr(&sql, "LOAD DATA LOCAL INFILE 'dbmig-chunk' INTO TABLE ");
	my_quote_ident(&sql, t->name);
	strbuf_addf(&sql, " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
		    "LINES TERMINATED BY '\\n' (%s)", cols.buf ? cols.buf : "");
	if (my_exec(c, "START TRANSACTION", err) < 0)
		goto out;
	in_tx = 1;
	if (c->no_local_infile) {
		if (insert_rows(c, t, cols.buf ? cols.buf : "", &f, err) < 0)
			goto out;
		goto commit;
	}
	mysql_set_local_infile_handler(c->m, infile_init, infile_read, infile_end,
				       infile_error, &f);
	if (mysql_real_query(c->m, sql.buf, sql.len)) {
		unsigned int e = mysql_errno(c->m);

		if (f.err.cls == DBERR_NONE && f.rows == 0 &&
		    (e == 1148 || e == 3948 || e == 4166)) {
			/* Refused before a byte was read: the rows are still
			 * ours to send another way. */
			log_warn("target (%s) forbids LOAD DATA LOCAL (%s); loading with "
				 "multi-row INSERT, which is slower: set local_infile=1 on the "
				 "server for speed", c->desc, mysql_error(c->m));
			c->no_local_infile = 1;
			if (insert_rows(c, t, cols.buf ? cols.buf : "", &f, err) < 0)
				goto out;
			goto commit;
		}
		if (f.err.cls != DBERR_NONE)
			*err = f.err;
		else
			my_fail(c, err, "loading table %s", t->name);
		goto out;
	}
	if (f.err.cls != DBERR_NONE) {
		*err = f.err;
		goto out;
	}
	/* LOAD DATA LOCAL reports bad values, duplicates and truncation as
	 * warnings; for dbmig each one is a failed chunk. */
	if (mysql_warning_count(c->m) || mysql_affected_rows(c->m) != f.rows) {
		unsigned int nwarn = mysql_warning_count(c->m);
		unsigned long long stored = mysql_affected_rows(c->m);
		MYSQL_RES *w = my_query(c, "SHOW WARNINGS LIMIT 1", err);
		MYSQL_ROW row = w ? mysql_fetch_row(w) : NULL;

		dberr_set(err, DBERR_TARGET, "target (%s): loading table %s: %llu rows sent, "
			  "%llu stored, %u warnings; first: %s; nothing of this chunk was kept",
			  c->desc, t->name, (unsigned long long)f.rows, stored, nwarn,
			  row && row[2] ? row[2] : "(none)");
		if (w)
			mysql_free_result(w);
		goto out;
	}
commit:
	if (ledger_mark(c, dump_id, item, "done", f.rows, 1, 0, err) < 0 ||
	    my_exec(c, "COMMIT", err) < 0)
		goto out;
	in_tx = 0;
	*rows = f.rows;
	ret = 0;
out:
	if (in_tx) {
		struct dberr ignored = DBERR_INIT;

		my_exec(c, "ROLLBACK", &ignored);
	}
	strbuf_release(&f.buf);
	strbuf_release(&f.txt);
	free(f.types);
	free(f.vals);
	strbuf_release(&sql);
	strbuf_release(&cols);
	return ret;
}

/* Runs sql with query_text's contract (driver.h): the result is stored
 * by the client library, then handed on row by row. */
static int
my_query_text(struct db_conn *c, const char *sql, text_row_fn fn, void *arg,
	      struct dberr *err)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	int ncols, ret = 0;
	size_t *lens;

	if (mysql_real_query(c->m, sql, strlen(sql)))
		return my_fail(c, err, "%.200s", sql);
	if (!(r = mysql_store_result(c->m))) {
		if (mysql_field_count(c->m) == 0)
			return 0;	/* a statement without rows */
		return my_fail(c, err, "%.200s", sql);
	}
	ncols = (int)mysql_num_fields(r);
	lens = xcalloc((size_t)ncols + 1, sizeof(*lens));
	while (ret == 0 && (row = mysql_fetch_row(r))) {
		unsigned long *l = mysql_fetch_lengths(r);

		for (int i = 0; i < ncols; i++)
			lens[i] = l[i];
		ret = fn(arg, ncols, (const char *const *)row, lens, err);
	}
	if (ret == 0 && mysql_errno(c->m))
		ret = my_fail(c, err, "%.200s", sql);
	mysql_free_result(r);
	free(lens);
	return ret;
}

static int
my_accepts(const char *uri)
{
	return !strncmp(uri, "mysql://", 8) || !strncmp(uri, "mariadb://", 10);
}

/* A database is a schema here, so the ledger (and later the CDC state)
 * sits in the target database under a reserved prefix. */
static int
my_is_internal(const char *schema, const char *name)
{
	(void)schema;
	return !strncmp(name, "_dbmig_", 7);
}

static const struct db_source_ops my_source_ops = {
	.snapshot_export = my_snapshot_export,
	.snapshot_import = my_snapshot_import,
	.snapshot_release = my_snapshot_release,
	.schema_read = my_schema_read,
	.copy_out = my_copy_out,
	.key_bounds = my_key_bounds,
	.copy_out_range = my_copy_out_range,
	.profile_scan = my_profile_scan,
};

static const struct db_target_ops my_target_ops = {
	.ledger_open = my_ledger_open,
	.ddl_plan = my_ddl_plan,
	.sequences_plan = my_sequences_plan,
	.exec_step = my_exec_step,
	.table_probe = my_table_probe,
	.table_truncate = my_table_truncate,
	.fk_checks_off = my_fk_checks_off,
	.load_chunk = my_load_chunk,
};

static const struct db_apply_ops my_apply_ops = {
	.cdc_state_save = my_cdc_state_save,
	.cdc_state_read = my_cdc_state_read,
	.cdc_hold_request = my_cdc_hold_request,
	.cdc_hold_answer = my_cdc_hold_answer,
	.cdc_hold_read = my_cdc_hold_read,
	.verify_record = my_verify_record,
	.cdc_lock = my_cdc_lock,
	.apply_begin = my_apply_begin,
	.apply_change = my_apply_change,
	.apply_commit = my_apply_commit,
	.apply_rollback = my_apply_rollback,
	.apply_mark = my_apply_mark,
};

const struct db_driver drv_mysql = {
	.name = "mysql",
	.caps = DB_CAP_ZERO_DATES | DB_CAP_DATABASE_IS_SCHEMA,
	.position_kind = POSITION_BINLOG,
	.accepts = my_accepts,
	.uri_forms = "a mysql:// URI",
	.connect = my_connect,
	.close = my_close,
	.abort_io = my_abort_io,
	.describe = my_describe,
	.server_version = my_server_version,
	.database = my_database,
	.query_text = my_query_text,
	.is_internal = my_is_internal,
	.source = &my_source_ops,
	.target = &my_target_ops,
	.apply = &my_apply_ops,
	.verify = &my_verify_ops,
	.cdc = &my_cdc_ops,
	.cutover = &my_cutover_ops,
};
