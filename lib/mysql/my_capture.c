/*
 * my_capture.c - the start of change capture on a MySQL/MariaDB source
 * (dump --online) and what a tail checks before it reads: the binlog is
 * on, in row format with whole rows, kept long enough, and readable by
 * this role. Capture needs nothing made on the source: the dump's
 * consistent snapshot names its exact binlog position, and a tail
 * reads on from there as a replica would.
 */
#include "my_binlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/cdc/cdc_ops.h"
#include "lib/base/banned.h"

/* One global variable's value ("" when the server has no such variable). */
static int
variable(struct db_conn *c, const char *name, char *out, size_t n, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;

	out[0] = '\0';
	strbuf_addstr(&q, "SHOW GLOBAL VARIABLES LIKE ");
	my_quote_literal(&q, name);
	r = my_query(c, q.buf, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	if ((row = mysql_fetch_row(r)) && row[1])
		snprintf(out, n, "%s", row[1]);
	mysql_free_result(r);
	return 0;
}

uint32_t
my_binlog_server_id(const char *slot)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)slot; *p; p++)
		h = (h ^ *p) * 16777619u;
	/* 0x40000000 and up: above the numbers people give servers */
	return 0x40000000u | (h & 0x3fffffffu);
}

/* The role may read the binlog as a replica: REPLICATION SLAVE (or ALL)
 * on *.* among its grants, its roles' included. 1, 0, or -1. */
static int
has_replication_slave(struct db_conn *c, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SHOW GRANTS", err);
	MYSQL_ROW row;
	int yes = 0;

	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r)))
		if (row[0] && strstr(row[0], " ON *.*") &&
		    (strstr(row[0], "REPLICATION SLAVE") || strstr(row[0], "ALL PRIVILEGES")))
			yes = 1;
	mysql_free_result(r);
	return yes;
}

int
my_binlog_preflight(struct db_conn *c, const char *start_file, uint32_t server_id,
		    struct dberr *err)
{
	char v[256];
	MYSQL_RES *r;
	MYSQL_ROW row;
	int found = 0, yes;

	if (variable(c, "log_bin", v, sizeof(v), err) < 0)
		return -1;
	if (strcasecmp(v, "ON") && strcmp(v, "1"))
		return dberr_set(err, DBERR_SOURCE, "the source (%s) keeps no binary log (log_bin "
				 "is %s): start it with log_bin=ON (in its configuration: log-bin, "
				 "and a server-id), restart it, and take the online dump again",
				 c->desc, v[0] ? v : "OFF");
	if (variable(c, "binlog_format", v, sizeof(v), err) < 0)
		return -1;
	if (strcasecmp(v, "ROW"))
		return dberr_set(err, DBERR_SOURCE, "the source (%s) logs changes as %s, and dbmig "
				 "reads rows: SET GLOBAL binlog_format = 'ROW' (and binlog_format=ROW "
				 "in its configuration); sessions open now keep their format, so "
				 "reconnect the applications, then take the online dump again",
				 c->desc, v);
	if (variable(c, "binlog_row_image", v, sizeof(v), err) < 0)
		return -1;
	if (v[0] && strcasecmp(v, "FULL") && strcasecmp(v, "NOBLOB"))
		return dberr_set(err, DBERR_SOURCE, "the source (%s) logs binlog_row_image=%s: an "
				 "INSERT then leaves out the columns it did not name, whose defaults "
				 "the target cannot know. SET GLOBAL binlog_row_image = 'FULL' (and in "
				 "its configuration), reconnect the applications, and take the "
				 "online dump again", c->desc, v);
	if (variable(c, "binlog_checksum", v, sizeof(v), err) < 0)
		return -1;
	if (v[0] && strcasecmp(v, "NONE") && strcasecmp(v, "CRC32"))
		return dberr_set(err, DBERR_SOURCE, "the source (%s) uses binlog_checksum=%s: "
				 "dbmig reads NONE and CRC32", c->desc, v);
	if (variable(c, "log_bin_compress", v, sizeof(v), err) < 0)
		return -1;
	if (!strcasecmp(v, "ON"))
		return dberr_set(err, DBERR_SOURCE, "the source (%s) compresses its binlog "
				 "events (log_bin_compress=ON), which dbmig does not read: SET "
				 "GLOBAL log_bin_compress = OFF, then take the online dump again",
				 c->desc);
	if (variable(c, "binlog_row_metadata", v, sizeof(v), err) < 0)
		return -1;
	if (strcasecmp(v, "FULL"))
		log_info("the source's binlog_row_metadata is %s: column names come from the "
			 "source's schema, so any DDL stops the tail (SET GLOBAL binlog_row_metadata "
			 "= 'FULL' carries them in the binlog)", v[0] ? v : "not available");
	if ((yes = has_replication_slave(c, err)) < 0)
		return -1;
	if (!yes)
		return dberr_set(err, DBERR_SOURCE, "the source's role (%s) may not read the binlog: "
				 "GRANT REPLICATION SLAVE, %s ON *.* TO it", c->desc,
				 c->is_mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT");
	if (!(r = my_query(c, "SHOW BINARY LOGS", err))) {
		if (strstr(err->msg, "1227") || strstr(err->msg, "denied"))
			return dberr_set(err, DBERR_SOURCE, "the source's role (%s) may not list the "
					 "binlog files: GRANT %s ON *.* TO it", c->desc,
					 c->is_mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT");
		return -1;
	}
	while ((row = mysql_fetch_row(r)))
		if (start_file && row[0] && !strcmp(row[0], start_file))
			found = 1;
	mysql_free_result(r);
	if (start_file && !found)
		return dberr_set(err, DBERR_SOURCE, "the source no longer has binlog file %s, "
				 "where the changes the target lacks start (purged: expire_logs_days, "
				 "binlog_expire_logs_seconds or PURGE BINARY LOGS): those changes are "
				 "lost to dbmig. Take a new online dump and load it, and keep the "
				 "binlog longer than a load and a pause of the tail take", start_file);
	if (variable(c, "server_id", v, sizeof(v), err) < 0)
		return -1;
	if (strtoul(v, NULL, 10) == server_id)
		return dberr_set(err, DBERR_SOURCE, "the source's own server_id is %" PRIu32 ", the "
				 "one this tail would register with: give the tail another with "
				 "--server-id N", server_id);
	/* the replicas that registered (a role without REPLICATION MASTER
	 * ADMIN may not look: then the server refuses a clash itself) */
	if (mysql_query(c->m, "SHOW SLAVE HOSTS") == 0 && (r = mysql_store_result(c->m))) {
		int clash = 0;

		while ((row = mysql_fetch_row(r)))
			clash |= row[0] && strtoul(row[0], NULL, 10) == server_id;
		mysql_free_result(r);
		if (clash)
			return dberr_set(err, DBERR_SOURCE, "a replica of the source already has "
					 "server_id %" PRIu32 ", the one this tail would register with: "
					 "give the tail another with --server-id N", server_id);
	}
	return 0;
}

int
my_binlog_has_file(struct db_conn *c, const char *file, int *has, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SHOW BINARY LOGS", err);
	MYSQL_ROW row;

	*has = 0;
	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r)))
		*has |= row[0] && !strcmp(row[0], file);
	mysql_free_result(r);
	return 0;
}

int
my_binlog_position(struct db_conn *c, struct db_position *pos, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SHOW MASTER STATUS", err);
	MYSQL_ROW row;
	char file[256] = "", off[32] = "0", gtid[1024] = "";

	if (!r)
		return dberr_prefix(err, "reading the source's binlog position"), -1;
	if ((row = mysql_fetch_row(r))) {
		snprintf(file, sizeof(file), "%s", row[0] ? row[0] : "");
		snprintf(off, sizeof(off), "%s", row[1] ? row[1] : "0");
		if (!c->is_mariadb && mysql_num_fields(r) > 4 && row[4])
			snprintf(gtid, sizeof(gtid), "%s", row[4]);
	}
	mysql_free_result(r);
	if (c->is_mariadb) {
		if (!(r = my_query(c, "SELECT @@gtid_binlog_pos", err)))
			return -1;
		if ((row = mysql_fetch_row(r)) && row[0])
			snprintf(gtid, sizeof(gtid), "%s", row[0]);
		mysql_free_result(r);
	}
	if (!file[0])
		return dberr_set(err, DBERR_SOURCE, "the source (%s) shows no binlog position: "
				 "is log_bin on?", c->desc);
	position_set_binlog(pos, file, strtoull(off, NULL, 10), gtid, 1);
	return 0;
}

int
my_binlog_retained(struct db_conn *c, const char *file, uint64_t pos, int64_t *bytes,
		   char *status, size_t n, struct dberr *err)
{
	MYSQL_RES *r = my_query(c, "SHOW BINARY LOGS", err);
	MYSQL_ROW row;
	int64_t sum = 0;
	int from = 0;
	char secs[64] = "", days[64] = "";

	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r))) {
		if (row[0] && !strcmp(row[0], file))
			from = 1;
		if (from && row[1])
			sum += strtoll(row[1], NULL, 10);
	}
	mysql_free_result(r);
	*bytes = sum > (int64_t)pos ? sum - (int64_t)pos : 0;
	if (variable(c, "binlog_expire_logs_seconds", secs, sizeof(secs), err) < 0 ||
	    variable(c, "expire_logs_days", days, sizeof(days), err) < 0)
		return -1;
	if (strtoll(secs, NULL, 10) > 0)
		snprintf(status, n, "kept %llds", strtoll(secs, NULL, 10));
	else if (strtod(days, NULL) > 0)
		snprintf(status, n, "kept %gd", strtod(days, NULL));
	else
		snprintf(status, n, "kept until purged");
	return 0;
}

int
my_capture_begin(struct db_conn *c, const char *uri, const struct schema_filter *f,
		 const char *name, unsigned flags, int others, struct db_snapshot *snap,
		 struct dberr *err)
{
	(void)uri;
	(void)f;
	if (flags & CAPTURE_REPLICA_IDENTITY_FULL)
		log_info("--replica-identity-full is PostgreSQL's: a MySQL binlog with "
			 "binlog_row_image=FULL has whole rows already");
	if (my_binlog_preflight(c, NULL, my_binlog_server_id(name), err) < 0 ||
	    my_snapshot_export(c, others, snap, err) < 0)
		return -1;
	/* the retention against what follows: a load and a tail must come
	 * before the server purges the file the changes start in */
	{
		char secs[64] = "", days[64] = "";
		double keep = 0;

		if (variable(c, "binlog_expire_logs_seconds", secs, sizeof(secs), err) < 0 ||
		    variable(c, "expire_logs_days", days, sizeof(days), err) < 0)
			return -1;
		keep = strtod(secs, NULL) > 0 ? strtod(secs, NULL) : strtod(days, NULL) * 86400;
		if (keep > 0 && keep < 86400)
			log_warn("the source keeps its binlog %.1f h (binlog_expire_logs_seconds, "
				 "expire_logs_days): load this dump and start its tail within that, or "
				 "the changes after %s are purged first", keep / 3600, snap->pos.text);
		else if (keep > 0)
			log_info("the source keeps its binlog %.1f days: load this dump and start its "
				 "tail within that", keep / 86400);
	}
	if (!snap->pos.exact)
		return dberr_set(err, DBERR_SOURCE, "the source (%s) cannot name the binlog "
				 "position of a consistent snapshot without a global read lock: "
				 "GRANT RELOAD ON *.* to the dump's role (MySQL reads the position "
				 "under FLUSH TABLES WITH READ LOCK)", c->desc);
	snprintf(snap->slot, sizeof(snap->slot), "%s", name);
	snap->publication[0] = '\0';
	return 0;
}

int
my_snapshot_exact(struct db_conn *c, const char *uri, struct db_snapshot *snap,
		  struct dberr *err)
{
	(void)uri;
	if (my_snapshot_export(c, 0, snap, err) < 0)
		return -1;
	if (!snap->pos.exact)
		return dberr_set(err, DBERR_SOURCE, "the source (%s) cannot name the binlog "
				 "position of a consistent snapshot (MariaDB does; MySQL needs "
				 "FLUSH TABLES WITH READ LOCK and the RELOAD privilege)", c->desc);
	return 0;
}

int
my_capture_drop(struct db_conn *c, const char *slot, const char *publication,
		struct dberr *err)
{
	(void)c;
	(void)slot;
	(void)publication;
	(void)err;
	return 0;	/* a binlog tail leaves nothing on the source */
}

int
my_capture_status(struct db_conn *c, const char *slot, struct cdc_slot_status *st,
		  struct dberr *err)
{
	(void)slot;
	memset(st, 0, sizeof(*st));
	if (my_binlog_position(c, &st->current, err) < 0)
		return -1;
	st->exists = 1;		/* the binlog is the capture: it exists while log_bin is on */
	return 0;
}
