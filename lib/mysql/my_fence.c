/*
 * my_fence.c - the source's half of a cutover on MySQL/MariaDB
 * (cutover_ops.h): the clients, the fence and the marker.
 *
 * The fence is the server's read_only: once it is on, no session without
 * the privilege to bypass it (SUPER; MariaDB's READ_ONLY ADMIN, MySQL's
 * CONNECTION_ADMIN) can write, in transactions already open too, and
 * SET GLOBAL read_only waits for the writing transactions that are open
 * to end. The marker is a row dbmig's own session writes under the fence
 * into `_dbmig_cutover_marker`, so it travels through the binlog in
 * commit order like any client's transaction; on MySQL, super_read_only
 * then shuts out the privileged sessions too. A binlog keeps no reader's
 * place, so the writes that got past the fence are read from the binlog
 * itself (SHOW BINLOG EVENTS) between the marker and the switch.
 */
#include "my_binlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/cutover/cutover_ops.h"
#include "lib/base/banned.h"

#define MARKER_TABLE "`_dbmig_cutover_marker`"

/* Sessions that are clients of the database: not the server's own
 * threads, not replicas reading the binlog, not this one. */
#define CLIENT_SESSIONS \
	"FROM information_schema.PROCESSLIST p WHERE p.ID <> CONNECTION_ID() " \
	"AND p.COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Killed') " \
	"AND p.USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user') " \
	"AND (p.DB = DATABASE() OR p.DB IS NULL)"

int
my_cutover_clients(struct db_conn *c, void (*fn)(void *arg, const struct cutover_clients *g),
		   void *arg, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SELECT p.USER, COALESCE(p.DB, ''), "
				"SUBSTRING_INDEX(p.HOST, ':', 1), COUNT(*), "
				"SUM(EXISTS (SELECT 1 FROM information_schema.INNODB_TRX t WHERE "
				"t.trx_mysql_thread_id = p.ID AND t.trx_rows_modified > 0)) "
				CLIENT_SESSIONS " GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3", err);
	MYSQL_ROW row;

	if (!r)
		return dberr_prefix(err, "listing the source's sessions (PROCESSLIST)"), -1;
	while ((row = mysql_fetch_row(r))) {
		struct cutover_clients g;

		memset(&g, 0, sizeof(g));
		snprintf(g.user, sizeof(g.user), "%s", row[0] ? row[0] : "");
		/* MySQL names no application: the database the session uses */
		snprintf(g.application, sizeof(g.application), "%s", row[1] ? row[1] : "");
		snprintf(g.address, sizeof(g.address), "%s", row[2] ? row[2] : "");
		g.sessions = row[3] ? atoi(row[3]) : 0;
		g.in_write_tx = row[4] ? atoi(row[4]) : 0;
		fn(arg, &g);
	}
	mysql_free_result(r);
	return 0;
}

int
my_cutover_coverage(struct db_conn *c, const char *publication, struct strlist *problems,
		    struct dberr *err)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	(void)publication;	/* the binlog carries every table */
	/* tables whose changes the binlog has but whose rows the
	 * consistent snapshot did not freeze: said, not blocking here */
	r = my_query(c, "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE "
		     "TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND ENGINE NOT IN "
		     "('InnoDB', 'Aria') AND TABLE_NAME NOT LIKE '\\_dbmig\\_%'", err);
	if (!r)
		return dberr_prefix(err, "reading the source's tables"), -1;
	while ((row = mysql_fetch_row(r)))
		log_info("table %s uses %s, which has no transactions: writes to it that fail "
			 "half-way are in the binlog as far as they got", row[0],
			 row[1] ? row[1] : "?");
	mysql_free_result(r);
	(void)problems;
	return 0;
}

/* The role may: SET GLOBAL read_only (SUPER, or MariaDB's READ_ONLY ADMIN,
 * MySQL's SYSTEM_VARIABLES_ADMIN), end other users' sessions (SUPER,
 * CONNECTION ADMIN), write the marker under the fence (the same
 * privilege that bypasses read_only), read the binlog's events. */
int
my_cutover_source_privileges(struct db_conn *c, struct strlist *missing, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SHOW GRANTS", err);
	MYSQL_ROW row;
	int all = 0, super = 0, ro = 0, conn = 0, sysvar = 0, monitor = 0;

	if (!r)
		return dberr_prefix(err, "reading the source role's privileges"), -1;
	while ((row = mysql_fetch_row(r))) {
		const char *g = row[0] ? row[0] : "";

		if (!strstr(g, " ON *.*"))
			continue;
		all |= strstr(g, "ALL PRIVILEGES") != NULL;
		super |= strstr(g, "SUPER") != NULL;
		ro |= strstr(g, "READ_ONLY ADMIN") != NULL;
		conn |= strstr(g, "CONNECTION ADMIN") != NULL || strstr(g, "CONNECTION_ADMIN") != NULL;
		sysvar |= strstr(g, "SYSTEM_VARIABLES_ADMIN") != NULL;
		monitor |= strstr(g, "BINLOG MONITOR") != NULL || strstr(g, "REPLICATION CLIENT") != NULL ||
			   strstr(g, "REPLICATION SLAVE") != NULL;
	}
	mysql_free_result(r);
	if (all || super)
		return 0;
	if (c->is_mariadb ? !ro : !sysvar)
		strlist_push(missing, c->is_mariadb ?
			     "the fence (SET GLOBAL read_only = ON) and a marker written under it "
			     "need READ_ONLY ADMIN: GRANT READ_ONLY ADMIN ON *.* TO the role" :
			     "the fence (SET GLOBAL read_only, super_read_only) needs "
			     "SYSTEM_VARIABLES_ADMIN and the marker under it CONNECTION_ADMIN: GRANT "
			     "SYSTEM_VARIABLES_ADMIN, CONNECTION_ADMIN ON *.* TO the role");
	if (!conn)
		strlist_push(missing, "ending other users' transactions at the fence needs CONNECTION "
			     "ADMIN: GRANT CONNECTION ADMIN ON *.* TO the role");
	if (!monitor)
		strlist_push(missing, "reading the binlog for writes past the fence needs BINLOG "
			     "MONITOR (REPLICATION CLIENT): GRANT it ON *.* TO the role");
	return 0;
}

void
my_cutover_fence_sql(struct db_conn *c, int on, struct strbuf *out)
{
	if (on)
		strbuf_addstr(out, "SET GLOBAL read_only = ON");
	else if (c->is_mariadb)
		strbuf_addstr(out, "SET GLOBAL read_only = OFF");
	else
		strbuf_addstr(out, "SET GLOBAL super_read_only = OFF, read_only = OFF");
}

/* Ends the client sessions still inside a transaction that wrote: the
 * fence is up, so they could only fail at their next write or commit;
 * ended, their applications reconnect to what the proxy points at. */
static int
end_writers(struct db_conn *c, int *ended, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SELECT t.trx_mysql_thread_id FROM information_schema.INNODB_TRX t "
				"WHERE t.trx_mysql_thread_id <> CONNECTION_ID() AND "
				"t.trx_rows_modified > 0", err);
	MYSQL_ROW row;

	if (!r)
		return dberr_prefix(err, "listing the transactions open at the fence"), -1;
	while ((row = mysql_fetch_row(r))) {
		char q[64];

		snprintf(q, sizeof(q), "KILL %s", row[0]);
		if (mysql_query(c->m, q) == 0)
			(*ended)++;
		else if (mysql_errno(c->m) != 1094)	/* gone already */
			log_warn("cannot end session %s at the fence: %s", row[0], mysql_error(c->m));
	}
	mysql_free_result(r);
	return 0;
}

int
my_cutover_fence(struct db_conn *c, int on, double since, int *ended, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	(void)since;	/* read_only holds every session at once: none to end after */
	*ended = 0;
	/* SET GLOBAL read_only waits for the open writing transactions; a
	 * long one would hold the switch: it is given 10 s, then ended */
	if (on && my_exec(c, "SET SESSION lock_wait_timeout = 10", err) < 0)
		return -1;
	my_cutover_fence_sql(c, on, &sql);
	ret = my_exec(c, sql.buf, err);
	if (ret < 0 && on && (strstr(err->msg, "1205") || strstr(err->msg, "timeout"))) {
		if (end_writers(c, ended, err) < 0)
			goto out;
		ret = my_exec(c, sql.buf, err);
	}
	if (ret < 0) {
		dberr_prefix(err, on ? "fencing the source" : "lifting the fence");
		goto out;
	}
	if (on)
		ret = end_writers(c, ended, err);
out:
	strbuf_release(&sql);
	return ret;
}

int
my_cutover_fenced(struct db_conn *c, int *on, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SELECT @@global.read_only", err);
	MYSQL_ROW row;

	if (!r)
		return dberr_prefix(err, "reading the source's fence"), -1;
	*on = (row = mysql_fetch_row(r)) && row[0] && atoi(row[0]) != 0;
	mysql_free_result(r);
	return 0;
}

int
my_cutover_marker(struct db_conn *c, const char *text, struct db_position *marker,
		  struct db_position *after, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret = -1;

	/* dbmig's own table: the tail passes its DDL and rows by */
	if (my_exec(c, "CREATE TABLE IF NOT EXISTS " MARKER_TABLE " (id int PRIMARY KEY, "
		    "marker varchar(255) NOT NULL, at datetime(6) NOT NULL) ENGINE=InnoDB", err) < 0 ||
	    my_binlog_position(c, marker, err) < 0)
		goto out;
	strbuf_addstr(&q, "REPLACE INTO " MARKER_TABLE " VALUES (1, ");
	my_quote_literal(&q, text);
	strbuf_addstr(&q, ", NOW(6))");
	if (my_exec(c, "START TRANSACTION", err) < 0)
		goto out;
	if (my_exec(c, q.buf, err) < 0 || my_exec(c, "COMMIT", err) < 0) {
		my_exec(c, "ROLLBACK", &(struct dberr)DBERR_INIT);
		dberr_prefix(err, "writing the cutover's marker");
		goto out;
	}
	/* nothing else writes under the fence: the log's end is the
	 * marker's; on MySQL, the privileged sessions are shut out now */
	if (my_binlog_position(c, after, err) < 0)
		goto out;
	if (!c->is_mariadb && my_exec(c, "SET GLOBAL super_read_only = ON", err) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&q);
	return ret;
}

/* The transactions in the binlog from from to to with a rows event of a
 * table of this database that is not dbmig's own. */
int
my_cutover_writes_after(struct db_conn *c, const char *slot, const char *publication,
			const struct db_position *from, const struct db_position *to, int64_t *n,
			struct dberr *err)
{
	char file[256], last[256];
	const char *colon = strrchr(from->text, ':'), *tcolon = strrchr(to->text, ':');
	uint64_t pos = colon ? strtoull(colon + 1, NULL, 10) : 4;
	uint64_t end = tcolon ? strtoull(tcolon + 1, NULL, 10) : 0;
	size_t dl = strlen(c->dbname);
	int in_tx_write = 0;

	(void)slot;
	(void)publication;
	*n = 0;
	if (!colon || !tcolon || (size_t)(colon - from->text) >= sizeof(file) ||
	    (size_t)(tcolon - to->text) >= sizeof(last))
		return dberr_set(err, DBERR_SOURCE, "positions %s and %s are no binlog positions",
				 from->text, to->text);
	snprintf(file, sizeof(file), "%.*s", (int)(colon - from->text), from->text);
	snprintf(last, sizeof(last), "%.*s", (int)(tcolon - to->text), to->text);
	for (;;) {
		struct strbuf q = STRBUF_INIT;
		MYSQL_RES *r;
		MYSQL_ROW row;
		int at_last = !strcmp(file, last), more = 0;
		char next[256] = "";

		strbuf_addstr(&q, "SHOW BINLOG EVENTS IN ");
		my_quote_literal(&q, file);
		strbuf_addf(&q, " FROM %" PRIu64, pos);
		r = my_query(c, q.buf, err);
		strbuf_release(&q);
		if (!r)
			return dberr_prefix(err, "reading the binlog for writes after the fence"), -1;
		/* Log_name, Pos, Event_type, Server_id, End_log_pos, Info */
		while ((row = mysql_fetch_row(r))) {
			const char *type = row[2] ? row[2] : "", *info = row[5] ? row[5] : "";
			uint64_t p = row[1] ? strtoull(row[1], NULL, 10) : 0;

			if (at_last && p >= end)
				break;
			if (!strcmp(type, "Table_map")) {
				const char *paren = strchr(info, '(');

				/* "table_id: 42 (db.table)" */
				if (paren && !strncmp(paren + 1, c->dbname, dl) && paren[1 + dl] == '.' &&
				    strncmp(paren + 2 + dl, "_dbmig_", 7))
					in_tx_write = 1;
			} else if (!strcmp(type, "Xid") || (!strcmp(type, "Query") &&
							    !strncmp(info, "COMMIT", 6))) {
				*n += in_tx_write;
				in_tx_write = 0;
			} else if (!strcmp(type, "Rotate") && p > 4 && strchr(info, ';')) {
				snprintf(next, sizeof(next), "%.*s", (int)strcspn(info, ";"), info);
				more = 1;
			}
		}
		mysql_free_result(r);
		if (at_last || !more || !next[0])
			break;
		snprintf(file, sizeof(file), "%s", next);
		pos = 4;
	}
	return 0;
}
