/*
 * pg_capture.c - starting and removing change capture on a PostgreSQL
 * source (dump --online, cdc-tail --drop): the pre-flight checks, the
 * publication, and the logical replication slot whose exported snapshot
 * the dump reads in, so the stream starts exactly where the dump ends.
 *
 * Order matters (FINDINGS Q1): the publication must exist before the
 * slot, since pgoutput reads it through the slot's historic snapshot;
 * the exported snapshot lives only until the replication connection
 * runs another command, so the dump's connections import it first and
 * snapshot_release closes that connection after.
 */
#include "pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/cdc/cdc_ops.h"
#include "lib/base/banned.h"

PGconn *
pg_repl_connect(const char *uri, enum dberr_class side, struct dberr *err)
{
	const char *keys[] = { "connect_timeout", "dbname", "replication",
			       "fallback_application_name", "client_encoding", "options", NULL };
	/* values as a dump reads them: UTC, ISO dates, exact floats */
	const char *vals[] = { "10", uri, "database", "dbmig", "UTF8",
			       "-c DateStyle=ISO,YMD -c TimeZone=UTC -c IntervalStyle=iso_8601 "
			       "-c extra_float_digits=3 -c bytea_output=hex", NULL };
	PGconn *rc = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(rc) != CONNECTION_OK) {
		const char *m = PQerrorMessage(rc);
		size_t n = strlen(m);

		int away = strstr(m, "closed the connection unexpectedly") ||
			   strstr(m, "shutting down") || strstr(m, "starting up") ||
			   strstr(m, "in recovery mode") || strstr(m, "Connection refused");

		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		/* a server going down or coming up is no matter of pg_hba.conf */
		dberr_set(err, side, "cannot open a logical replication connection to the %s: "
			  "%.*s; %s", side == DBERR_SOURCE ? "source" : "target",
			  (int)(n > 400 ? 400 : n), m, away ? "the server is down or restarting: run "
			  "the same command again once it is up, to resume where the target stands"
			  : "it is admitted by the pg_hba.conf line for the database, the role and the "
			  "address (not by 'replication' lines, which are for physical replication), "
			  "and needs a free WAL sender");
		PQfinish(rc);
		return NULL;
	}
	return rc;
}

/* wal_level, free slots and WAL senders, the role's REPLICATION. */
static int
check_settings(struct db_conn *c, int *superuser, struct dberr *err)
{
	PGresult *r = pg_query(c, "SELECT current_setting('wal_level'), "
			       "current_setting('max_replication_slots')::int, "
			       "(SELECT count(*) FROM pg_replication_slots), "
			       "current_setting('max_wal_senders')::int, "
			       "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender'), "
			       "r.rolreplication, r.rolsuper, current_user "
			       "FROM pg_roles r WHERE r.rolname = current_user", 0, NULL, err);
	int ret = -1;

	if (!r)
		return -1;
	if (strcmp(PQgetvalue(r, 0, 0), "logical"))
		dberr_set(err, DBERR_SOURCE, "the source's wal_level is '%s'; change capture needs "
			  "'logical': run ALTER SYSTEM SET wal_level = logical; and restart the "
			  "server", PQgetvalue(r, 0, 0));
	else if (atoi(PQgetvalue(r, 0, 2)) >= atoi(PQgetvalue(r, 0, 1)))
		dberr_set(err, DBERR_SOURCE, "all %s replication slots of the source are in use "
			  "(max_replication_slots): drop one that is not needed (SELECT "
			  "pg_drop_replication_slot('name')), or raise max_replication_slots and "
			  "restart the server", PQgetvalue(r, 0, 1));
	else if (atoi(PQgetvalue(r, 0, 4)) >= atoi(PQgetvalue(r, 0, 3)))
		dberr_set(err, DBERR_SOURCE, "all %s WAL senders of the source are busy "
			  "(max_wal_senders): raise max_wal_senders and restart the server",
			  PQgetvalue(r, 0, 3));
	else if (PQgetvalue(r, 0, 5)[0] != 't' && PQgetvalue(r, 0, 6)[0] != 't')
		dberr_set(err, DBERR_SOURCE, "role %s has neither REPLICATION nor superuser, which "
			  "change capture needs: run ALTER ROLE %s REPLICATION; as a superuser",
			  PQgetvalue(r, 0, 7), PQgetvalue(r, 0, 7));
	else
		ret = 0;
	*superuser = PQgetvalue(r, 0, 6)[0] == 't';
	PQclear(r);
	return ret;
}

/* The tables f selects (partitions by their root), as "schema"."name"
 * for the publication, and those that have neither a key nor a replica
 * identity: UPDATE and DELETE on them fail on the source once they are
 * published. */
static int
published_tables(struct db_conn *c, const struct schema_filter *f, struct strlist *list,
		 struct strlist *keyless, struct dberr *err)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *r;

	strbuf_addstr(&q, "SELECT n.nspname, c.relname, format('%I.%I', n.nspname, c.relname), "
		      "c.relkind = 'r' AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND "
		      "  NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND "
		      "  i.indisprimary))), ");
	/* partitions (from 12 on; before, a dump refuses them) by root */
	strbuf_addstr(&q, PQserverVersion(c->pg) >= 120000
		      ? "coalesce((SELECT rn.nspname || '.' || rc.relname FROM pg_class rc "
			"  JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
			"  WHERE c.relispartition AND rc.oid = pg_partition_root(c.oid)), '') "
		      : "'' ");
	strbuf_addstr(&q, "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		      "WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND "
		      USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_class", "c.oid") " ORDER BY 1, 2");
	r = pg_query(c, q.buf, 0, NULL, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *root = PQgetvalue(r, i, 4);
		char rs[256], rn[256];
		int keep = f->include.n == 0;

		/* a partition follows its root through -t and -T */
		if (*root && sscanf(root, "%255[^.].%255s", rs, rn) == 2) {
			for (size_t k = 0; k < f->include.n && !keep; k++)
				keep = table_matches(rs, rn, f->include.v[k]);
			for (size_t k = 0; k < f->exclude.n && keep; k++)
				keep = !table_matches(rs, rn, f->exclude.v[k]);
		} else {
			for (size_t k = 0; k < f->include.n && !keep; k++)
				keep = table_matches(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
						     f->include.v[k]);
			for (size_t k = 0; k < f->exclude.n && keep; k++)
				keep = !table_matches(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
						      f->exclude.v[k]);
		}
		if (!keep)
			continue;
		if (!*root)
			strlist_push(list, PQgetvalue(r, i, 2));
		if (PQgetvalue(r, i, 3)[0] == 't')
			strlist_push(keyless, PQgetvalue(r, i, 2));
	}
	PQclear(r);
	return 0;
}

/* Keyless tables: refused, or REPLICA IDENTITY FULL on exactly them. */
static int
keyless_tables(struct db_conn *c, const struct strlist *keyless, unsigned flags,
	       struct dberr *err)
{
	struct strbuf names = STRBUF_INIT, sql = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < keyless->n; i++)
		strbuf_addf(&names, "%s%s", i ? ", " : "", keyless->v[i]);
	if (keyless->n && !(flags & CAPTURE_REPLICA_IDENTITY_FULL)) {
		ret = dberr_set(err, DBERR_SOURCE, "table%s %s ha%s neither a primary key nor a "
				"replica identity: once published, UPDATE and DELETE on %s would "
				"fail in the application, on the source. Leave %s out with -T, or "
				"pass --replica-identity-full to set REPLICA IDENTITY FULL on %s",
				keyless->n == 1 ? "" : "s", names.buf, keyless->n == 1 ? "s" : "ve",
				keyless->n == 1 ? "it" : "them", keyless->n == 1 ? "it" : "them",
				keyless->n == 1 ? "it" : "exactly those");
	} else if (keyless->n) {
		log_warn("setting REPLICA IDENTITY FULL on %s (--replica-identity-full): %s "
			 "UPDATEs and DELETEs now log whole rows", names.buf,
			 keyless->n == 1 ? "its" : "their");
		for (size_t i = 0; i < keyless->n && ret == 0; i++) {
			strbuf_reset(&sql);
			strbuf_addf(&sql, "ALTER TABLE %s REPLICA IDENTITY FULL", keyless->v[i]);
			ret = pg_exec(c, sql.buf, err);
		}
	}
	strbuf_release(&names);
	strbuf_release(&sql);
	return ret;
}

static int
create_publication(struct db_conn *c, const char *name, const struct strlist *tables,
		   int all, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	strbuf_addstr(&sql, "CREATE PUBLICATION ");
	pg_quote_ident(&sql, name);
	if (all) {
		strbuf_addstr(&sql, " FOR ALL TABLES");
	} else {
		strbuf_addstr(&sql, " FOR TABLE ");
		for (size_t i = 0; i < tables->n; i++)
			strbuf_addf(&sql, "%s%s", i ? ", " : "", tables->v[i]);
	}
	/* partitions' changes under the table the load made */
	if (PQserverVersion(c->pg) >= 130000)
		strbuf_addstr(&sql, " WITH (publish_via_partition_root = true)");
	ret = pg_exec(c, sql.buf, err);
	if (ret < 0)
		dberr_prefix(err, "creating publication %s", name);
	strbuf_release(&sql);
	return ret;
}

/* The slot, from the replication connection, with its snapshot exported;
 * then c reads inside that snapshot. */
static int
create_slot(struct db_conn *c, const char *uri, const char *name, int temporary,
	    struct db_snapshot *snap, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	PGresult *r;
	int ret = -1;

	if (!(c->repl = pg_repl_connect(uri, DBERR_SOURCE, err)))
		return -1;
	strbuf_addstr(&sql, "CREATE_REPLICATION_SLOT ");
	pg_quote_ident(&sql, name);
	strbuf_addf(&sql, "%s LOGICAL pgoutput EXPORT_SNAPSHOT", temporary ? " TEMPORARY" : "");
	r = PQexec(c->repl, sql.buf);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		dberr_set(err, DBERR_SOURCE, "creating replication slot %s: %s", name,
			  PQresultErrorMessage(r));
		goto out;
	}
	snprintf(snap->slot, sizeof(snap->slot), "%s", name);
	snprintf(snap->id, sizeof(snap->id), "%s", PQgetvalue(r, 0, 2));
	if (position_parse(&snap->pos, POSITION_LSN, PQgetvalue(r, 0, 1), NULL, 1, 0, err) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	strbuf_release(&sql);
	return ret;
}

int
pg_snapshot_exact(struct db_conn *c, const char *uri, struct db_snapshot *snap, struct dberr *err)
{
	char name[64];

	/* a temporary slot: the server drops it with its connection, which
	 * snapshot_release closes (or a crash) */
	snprintf(name, sizeof(name), "dbmig_verify_%ld_%ld", (long)getpid(), (long)time(NULL));
	memset(snap, 0, sizeof(*snap));
	if (create_slot(c, uri, name, 1, snap, err) < 0 || pg_snapshot_import(c, snap, err) < 0) {
		if (err->cls == DBERR_NONE)
			dberr_set(err, DBERR_SOURCE, "opening the source's snapshot");
		dberr_prefix(err, "a live verify reads the source at an exact position through a "
			     "temporary replication slot (the role needs REPLICATION, and a free WAL "
			     "sender)");
		return -1;
	}
	snap->slot[0] = '\0';	/* not the user's to keep */
	snprintf(snap->kind, sizeof(snap->kind), "pg-temporary-slot");
	snap->shareable = 1 << 20;
	snap->consistent = 1;
	return 0;
}

int
pg_capture_begin(struct db_conn *c, const char *uri, const struct schema_filter *f,
		 const char *name, unsigned flags, int others, struct db_snapshot *snap,
		 struct dberr *err)
{
	struct strlist tables = STRLIST_INIT, keyless = STRLIST_INIT;
	struct dberr ignored = DBERR_INIT;
	int superuser = 0, ret = -1;

	(void)others;	/* an exported snapshot is any number's */
	if (check_settings(c, &superuser, err) < 0 ||
	    published_tables(c, f, &tables, &keyless, err) < 0 ||
	    keyless_tables(c, &keyless, flags, err) < 0)
		goto out;
	if (!tables.n) {
		dberr_set(err, DBERR_USAGE, "no table to capture changes of: -t and -T leave none");
		goto out;
	}
	/* FOR ALL TABLES needs a superuser, and takes tables made later */
	if (create_publication(c, name, &tables, superuser && !f->include.n && !f->exclude.n,
			       err) < 0)
		goto out;
	snprintf(snap->publication, sizeof(snap->publication), "%s", name);
	if (create_slot(c, uri, name, 0, snap, err) < 0 || pg_snapshot_import(c, snap, err) < 0)
		goto fail;
	snprintf(snap->kind, sizeof(snap->kind), "pg-logical-slot");
	snap->shareable = 1 << 20;
	snap->consistent = 1;
	ret = 0;
	goto out;
fail:
	/* nothing left behind: a slot nobody reads keeps WAL forever */
	pg_capture_drop_objects(c, snap->slot, snap->publication, &ignored);
	snap->slot[0] = snap->publication[0] = '\0';
out:
	strlist_release(&tables);
	strlist_release(&keyless);
	return ret;
}

int
pg_capture_drop_objects(struct db_conn *c, const char *slot, const char *publication,
			struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct dberr second = DBERR_INIT;
	int ret = 0;

	if (c->repl) {		/* it holds the slot while it lives */
		PQfinish(c->repl);
		c->repl = NULL;
	}
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)	/* a read-only snapshot */
		PQclear(PQexec(c->pg, "ROLLBACK"));
	if (slot && *slot) {
		const char *params[1] = { slot };
		PGresult *r = pg_query(c, "SELECT pg_drop_replication_slot(slot_name) FROM "
				       "pg_replication_slots WHERE slot_name = $1", 1, params, err);

		if (!r)
			ret = -1;
		PQclear(r);
	}
	if (publication && *publication) {
		const char *params[1] = { publication };
		struct dberr ignored = DBERR_INIT;
		/* what dump --replica-identity-full sets is no longer needed:
		 * offered, not done, as the owner may want it */
		PGresult *r = pg_query(c, "SELECT string_agg(format('ALTER TABLE %I.%I REPLICA "
				       "IDENTITY DEFAULT;', pt.schemaname, pt.tablename), ' ' ORDER BY "
				       "1) FROM pg_catalog.pg_publication_tables pt JOIN "
				       "pg_catalog.pg_class c ON c.relname = pt.tablename JOIN "
				       "pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname "
				       "= pt.schemaname WHERE pt.pubname = $1 AND c.relreplident = 'f'",
				       1, params, &ignored);

		if (r && !PQgetisnull(r, 0, 0))
			log_info("tables of publication %s log whole rows (REPLICA IDENTITY FULL, as "
				 "dump --replica-identity-full sets on keyless tables); if nothing "
				 "else needs it, undo it on the source: %s", publication,
				 PQgetvalue(r, 0, 0));
		PQclear(r);
		strbuf_addstr(&sql, "DROP PUBLICATION IF EXISTS ");
		pg_quote_ident(&sql, publication);
		if (pg_exec(c, sql.buf, ret < 0 ? &second : err) < 0)
			ret = -1;
	}
	strbuf_release(&sql);
	return ret;
}

int
pg_capture_status(struct db_conn *c, const char *slot, struct cdc_slot_status *st,
		  struct dberr *err)
{
	const char *params[1] = { slot };
	/* wal_status: from PostgreSQL 13 on */
	PGresult *r = pg_query(c, PQserverVersion(c->pg) >= 130000
			       ? "SELECT s.confirmed_flush_lsn, pg_catalog.pg_current_wal_lsn(), "
				 "s.active_pid, s.wal_status, s.restart_lsn FROM (SELECT 1) one LEFT "
				 "JOIN pg_catalog.pg_replication_slots s ON s.slot_name = $1"
			       : "SELECT s.confirmed_flush_lsn, pg_catalog.pg_current_wal_lsn(), "
				 "s.active_pid, NULL, s.restart_lsn FROM (SELECT 1) one LEFT "
				 "JOIN pg_catalog.pg_replication_slots s ON s.slot_name = $1",
			       1, params, err);
	struct dberr ignored = DBERR_INIT;

	memset(st, 0, sizeof(*st));
	if (!r)
		return -1;
	st->exists = !PQgetisnull(r, 0, 4) || !PQgetisnull(r, 0, 3);
	if (!PQgetisnull(r, 0, 0))
		position_parse(&st->confirmed, POSITION_LSN, PQgetvalue(r, 0, 0), NULL, 1, 0, &ignored);
	position_parse(&st->current, POSITION_LSN, PQgetvalue(r, 0, 1), NULL, 1, 0, &ignored);
	st->active_pid = PQgetisnull(r, 0, 2) ? 0 : atoi(PQgetvalue(r, 0, 2));
	snprintf(st->wal_status, sizeof(st->wal_status), "%s", PQgetvalue(r, 0, 3));
	PQclear(r);
	return 0;
}
