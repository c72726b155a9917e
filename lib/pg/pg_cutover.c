/*
 * pg_cutover.c - the cutover role on PostgreSQL (cutover_ops.h).
 *
 * The fence is default_transaction_read_only on the database: every
 * session that begins after it starts read-only. Sessions that began
 * before it keep the writable default they started with, so they are
 * ended (pg_terminate_backend, waiting for each to be gone, so that no
 * transaction of theirs can commit after the marker). A client that
 * sets the setting back by hand gets past any fence short of revoking
 * its privileges; writes_after finds what it committed.
 *
 * The marker is a transactional logical decoding message
 * (pg_logical_emit_message) from dbmig's own session, in a READ WRITE
 * transaction the fence does not stop. It needs no table on the source,
 * no change to the publication, and it commits in the log's order like
 * any client transaction, so the tail applying it has applied every
 * transaction that committed before it. The tail asks pgoutput for
 * messages, so the marker's transaction is not an empty one that
 * PostgreSQL 15 leaves out of the stream.
 */
#include "pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cutover/cutover_ops.h"
#include "pg_text.h"
#include "lib/base/banned.h"

/* the sessions the fence concerns: clients of this database, not this
 * one, not replication, not dbmig's own (a running tail's status
 * connection: its application_name is dbmig, as libpq's fallback) */
#define CLIENT_SESSIONS \
	"FROM pg_catalog.pg_stat_activity WHERE datname = pg_catalog.current_database() " \
	"AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend' " \
	"AND left(application_name, 5) <> 'dbmig'"

static int
pg_cutover_clients(struct db_conn *c, void (*fn)(void *arg, const struct cutover_clients *g),
		   void *arg, struct dberr *err)
{
	PGresult *r = pg_query(c, "SELECT coalesce(usename, ''), coalesce(application_name, ''), "
			       "coalesce(host(client_addr), 'local'), count(*), "
			       "count(*) FILTER (WHERE backend_xid IS NOT NULL) " CLIENT_SESSIONS
			       " GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3", 0, NULL, err);

	if (!r)
		return dberr_prefix(err, "listing the source's sessions (pg_stat_activity)"), -1;
	for (int i = 0; i < PQntuples(r); i++) {
		struct cutover_clients g;

		memset(&g, 0, sizeof(g));
		snprintf(g.user, sizeof(g.user), "%s", PQgetvalue(r, i, 0));
		snprintf(g.application, sizeof(g.application), "%s", PQgetvalue(r, i, 1));
		snprintf(g.address, sizeof(g.address), "%s", PQgetvalue(r, i, 2));
		g.sessions = atoi(PQgetvalue(r, i, 3));
		g.in_write_tx = atoi(PQgetvalue(r, i, 4));
		fn(arg, &g);
	}
	PQclear(r);
	return 0;
}

static int
pg_cutover_coverage(struct db_conn *c, const char *publication, struct strlist *problems,
		    struct dberr *err)
{
	const char *params[1] = { publication };
	/* a partitioned table is published through its root or its
	 * partitions (publish_via_partition_root); a partition is covered
	 * with its root */
	PGresult *r = pg_query(c,
		"SELECT n.nspname, c.relname, "
		"EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables p "
		"        JOIN pg_catalog.pg_class pc ON pc.relname = p.tablename "
		"        JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace "
		"        AND pn.nspname = p.schemaname WHERE p.pubname = $1 AND (pc.oid = c.oid OR "
		"        pc.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree(c.oid)))), "
		"c.relreplident, EXISTS (SELECT 1 FROM pg_catalog.pg_index i "
		"        WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident)) "
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
		"AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_dbmig') "
		"AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
		"AND c.relpersistence = 'p' ORDER BY 1, 2", 1, params, err);

	if (!r)
		return dberr_prefix(err, "reading the tables of publication %s", publication), -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *s = PQgetvalue(r, i, 0), *t = PQgetvalue(r, i, 1);
		char ident = PQgetvalue(r, i, 3)[0];
		struct strbuf m = STRBUF_INIT, q = STRBUF_INIT;

		pg_quote_ident(&q, s);
		strbuf_addch(&q, '.');
		pg_quote_ident(&q, t);
		if (PQgetvalue(r, i, 2)[0] != 't')
			strbuf_addf(&m, "table %s.%s is not in publication %s (made after the dump?): "
				    "its changes would not move; load it on the target (dbmig dump -t "
				    "%s.%s, then load), then ALTER PUBLICATION %s ADD TABLE %s; or drop "
				    "it", s, t, publication, s, t, publication, q.buf);
		else if (ident == 'n' || (ident == 'd' && PQgetvalue(r, i, 4)[0] != 't'))
			strbuf_addf(&m, "table %s.%s has no primary key and no replica identity: its "
				    "updates and deletes cannot be captured; ALTER TABLE %s REPLICA "
				    "IDENTITY FULL, or add a primary key", s, t, q.buf);
		if (m.len)
			strlist_push(problems, m.buf);
		strbuf_release(&m);
		strbuf_release(&q);
	}
	PQclear(r);
	return 0;
}

static int
pg_cutover_source_privileges(struct db_conn *c, struct strlist *missing, struct dberr *err)
{
	PGresult *r = pg_query(c,
		"SELECT r.rolsuper, r.rolreplication, "
		"pg_catalog.pg_has_role(current_user, d.datdba, 'USAGE'), "
		"pg_catalog.pg_has_role(current_user, 'pg_signal_backend', 'USAGE'), "
		"current_user, pg_catalog.current_database() "
		"FROM pg_catalog.pg_roles r, pg_catalog.pg_database d "
		"WHERE r.rolname = current_user AND d.datname = pg_catalog.current_database()",
		0, NULL, err);
	int super;

	if (!r)
		return dberr_prefix(err, "reading the source role's privileges"), -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return dberr_set(err, DBERR_SOURCE, "the source's role is not in pg_roles");
	}
	super = PQgetvalue(r, 0, 0)[0] == 't';
	if (!super && PQgetvalue(r, 0, 2)[0] != 't') {
		struct strbuf m = STRBUF_INIT;

		strbuf_addf(&m, "the fence (ALTER DATABASE %s SET default_transaction_read_only) "
			    "needs the database's owner: ALTER DATABASE %s OWNER TO %s, or connect "
			    "as its owner", PQgetvalue(r, 0, 5), PQgetvalue(r, 0, 5),
			    PQgetvalue(r, 0, 4));
		strlist_push(missing, m.buf);
		strbuf_release(&m);
	}
	if (!super && PQgetvalue(r, 0, 3)[0] != 't') {
		struct strbuf m = STRBUF_INIT;

		strbuf_addf(&m, "ending other roles' sessions at the fence needs pg_signal_backend: "
			    "GRANT pg_signal_backend TO %s", PQgetvalue(r, 0, 4));
		strlist_push(missing, m.buf);
		strbuf_release(&m);
	}
	if (!super && PQgetvalue(r, 0, 1)[0] != 't') {
		struct strbuf m = STRBUF_INIT;

		strbuf_addf(&m, "the marker (pg_logical_emit_message) needs REPLICATION: ALTER ROLE "
			    "%s REPLICATION", PQgetvalue(r, 0, 4));
		strlist_push(missing, m.buf);
		strbuf_release(&m);
	}
	PQclear(r);
	return 0;
}

static void
pg_cutover_fence_sql(struct db_conn *c, int on, struct strbuf *out)
{
	strbuf_addstr(out, "ALTER DATABASE ");
	pg_quote_ident(out, c->dbname);
	strbuf_addstr(out, on ? " SET default_transaction_read_only = on" :
		      " RESET default_transaction_read_only");
}

/* Ends the sessions of the fence's concern, waiting up to 5 s for each
 * to be gone (PostgreSQL 14 on): with on, every client session that
 * began before the fence (a read-only one cannot be told from one about
 * to write); with off, those that began
 * while it stood, at since (Unix time) or later: they started read-only
 * and would stay so. */
static int
end_sessions(struct db_conn *c, int on, double since, int *ended, struct dberr *err)
{
	const char *wait = PQserverVersion(c->pg) >= 140000 ? ", 5000" : "";
	char sql[640], at[32];
	const char *params[1] = { at };
	PGresult *r;

	snprintf(at, sizeof(at), "%.6f", since);
	snprintf(sql, sizeof(sql), "SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend"
		 "(pid%s)) " CLIENT_SESSIONS " AND %s", wait,
		 on ? "backend_start < pg_catalog.now()"
		    : "backend_start >= pg_catalog.to_timestamp($1::float8)");
	if (!(r = pg_query(c, sql, on ? 0 : 1, params, err)))
		return dberr_prefix(err, on ? "ending the sessions that could still write" :
				    "ending the sessions opened read-only under the fence"), -1;
	*ended = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

static int
pg_cutover_fence(struct db_conn *c, int on, double since, int *ended, struct dberr *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	*ended = 0;
	pg_cutover_fence_sql(c, on, &sql);
	ret = pg_exec(c, sql.buf, err);
	strbuf_release(&sql);
	if (ret < 0)
		return dberr_prefix(err, on ? "fencing the source" : "lifting the fence"), -1;
	return end_sessions(c, on, since, ended, err);
}

static int
pg_cutover_fenced(struct db_conn *c, int *on, struct dberr *err)
{
	PGresult *r = pg_query(c, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s "
			       "JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase "
			       "WHERE d.datname = pg_catalog.current_database() AND s.setrole = 0 "
			       "AND 'default_transaction_read_only=on' = ANY (s.setconfig))",
			       0, NULL, err);

	if (!r)
		return dberr_prefix(err, "reading the source's fence"), -1;
	*on = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

static int
pg_cutover_marker(struct db_conn *c, const char *text, struct db_position *marker,
		  struct db_position *after, struct dberr *err)
{
	const char *params[1] = { text };
	PGresult *r;
	char emsg[128];

	if (pg_exec(c, "BEGIN READ WRITE", err) < 0)
		return -1;
	if (!(r = pg_query(c, "SELECT pg_catalog.pg_logical_emit_message(true, 'dbmig.cutover', "
			   "$1)", 1, params, err))) {
		pg_exec(c, "ROLLBACK", &(struct dberr)DBERR_INIT);
		return dberr_prefix(err, "writing the cutover's marker"), -1;
	}
	if (position_parse(marker, POSITION_LSN, PQgetvalue(r, 0, 0), NULL, 1, 0, err) < 0) {
		PQclear(r);
		pg_exec(c, "ROLLBACK", &(struct dberr)DBERR_INIT);
		return -1;
	}
	PQclear(r);
	if (pg_exec(c, "COMMIT", err) < 0)
		return -1;
	if (!(r = pg_query(c, "SELECT pg_catalog.pg_current_wal_insert_lsn()", 0, NULL, err)))
		return -1;
	snprintf(emsg, sizeof(emsg), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return position_parse(after, POSITION_LSN, emsg, NULL, 1, 0, err);
}

static int
pg_cutover_writes_after(struct db_conn *c, const char *slot, const char *publication,
			const struct db_position *from, const struct db_position *to, int64_t *n,
			struct dberr *err)
{
	struct strbuf pub = STRBUF_INIT;
	const char *params[4] = { slot, NULL, from->text, to->text };
	PGresult *r;

	pg_quote_ident(&pub, publication);
	params[1] = pub.buf;
	/* each transaction the slot would send begins with 'B', its
	 * commit's LSN in the next 8 bytes: those committed from $3 to $4
	 * with a change to a table not dbmig's own (a relation id after the
	 * 'I', 'U' or 'D'); the peek leaves the slot where it is */
	r = pg_query(c, "WITH p AS (SELECT xid, substr(data, 1, 1) AS k, data FROM "
		     "pg_catalog.pg_logical_slot_peek_binary_changes($1, NULL, NULL, "
		     "'proto_version', '1', 'publication_names', $2)), "
		     "own AS (SELECT c.oid::bigint AS oid FROM pg_catalog.pg_class c JOIN "
		     "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '_dbmig') "
		     "SELECT count(DISTINCT b.xid::text) FROM p b WHERE b.k = '\\x42'::bytea AND "
		     "('x' || encode(substr(b.data, 2, 8), 'hex'))::bit(64)::bigint >= "
		     "($3::pg_lsn - '0/0'::pg_lsn) AND ('x' || encode(substr(b.data, 2, 8), "
		     "'hex'))::bit(64)::bigint < ($4::pg_lsn - '0/0'::pg_lsn) AND EXISTS (SELECT 1 FROM p w WHERE w.xid = b.xid "
		     "AND (w.k = '\\x54'::bytea OR (w.k IN ('\\x49'::bytea, '\\x55'::bytea, "
		     "'\\x44'::bytea) AND ('x' || encode(substr(w.data, 2, 4), 'hex'))::bit(32)::bigint "
		     "NOT IN (SELECT oid FROM own))))", 4, params, err);
	strbuf_release(&pub);
	if (!r)
		return dberr_prefix(err, "reading slot %s for writes after the fence", slot), -1;
	*n = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

/* ---- the target's half ---- */

static int
pg_cutover_step_record(struct db_conn *c, const char *dump_id, const char *step,
		       const char *status, double seconds, const char *detail, struct dberr *err)
{
	char secs[32];
	const char *params[5] = { dump_id, step, status, secs, detail ? detail : "" };
	PGresult *r;

	snprintf(secs, sizeof(secs), "%.3f", seconds);
	if (pg_exec(c, "CREATE SCHEMA IF NOT EXISTS _dbmig", err) < 0 ||
	    pg_exec(c, "CREATE TABLE IF NOT EXISTS _dbmig.cutover_log (seq bigserial PRIMARY KEY, "
		    "dump_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), "
		    "step text NOT NULL, status text NOT NULL, seconds float8 NOT NULL, "
		    "detail text NOT NULL)", err) < 0)
		return dberr_prefix(err, "cannot record the cutover's steps in "
				    "_dbmig.cutover_log"), -1;
	r = PQexecParams(c->pg, "INSERT INTO _dbmig.cutover_log (dump_id, step, status, seconds, "
			 "detail) VALUES ($1, $2, $3, $4, $5)", 5, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_fail(c, r, err, "recording cutover step %s", step);
	PQclear(r);
	return 0;
}

static int
step_read(struct db_conn *c, const char *dump_id, const char *step, struct cutover_step *out,
	  struct dberr *err)
{
	const char *params[2] = { dump_id, step };
	PGresult *r;

	memset(out, 0, sizeof(*out));
	r = PQexecParams(c->pg, step ? "SELECT step, status, detail FROM _dbmig.cutover_log WHERE "
			 "dump_id = $1 AND step = $2 ORDER BY seq DESC LIMIT 1"
			 : "SELECT step, status, detail FROM _dbmig.cutover_log WHERE dump_id = $1 "
			 "ORDER BY seq DESC LIMIT 1", step ? 2 : 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (st && !strcmp(st, "42P01")) {	/* never cut over */
			PQclear(r);
			return 0;
		}
		return pg_fail(c, r, err, "reading _dbmig.cutover_log");
	}
	if (PQntuples(r) == 1) {
		out->found = 1;
		snprintf(out->step, sizeof(out->step), "%s", PQgetvalue(r, 0, 0));
		snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(r, 0, 1));
		snprintf(out->detail, sizeof(out->detail), "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	return 0;
}

static int
pg_cutover_step_last(struct db_conn *c, const char *dump_id, struct cutover_step *out,
		     struct dberr *err)
{
	return step_read(c, dump_id, NULL, out, err);
}

static int
pg_cutover_step_find(struct db_conn *c, const char *dump_id, const char *step,
		     struct cutover_step *out, struct dberr *err)
{
	return step_read(c, dump_id, step, out, err);
}

static int
pg_cutover_verify_last(struct db_conn *c, const char *dump_id, struct cutover_verify *out,
		       struct dberr *err)
{
	const char *params[1] = { dump_id };
	PGresult *r;

	memset(out, 0, sizeof(*out));
	r = PQexecParams(c->pg, "SELECT at, result, differences, extract(epoch FROM now() - "
			 "finished_at) FROM _dbmig.verify_result WHERE dump_id = $1", 1, NULL,
			 params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (st && !strcmp(st, "42P01")) {	/* never verified live */
			PQclear(r);
			return 0;
		}
		return pg_fail(c, r, err, "reading _dbmig.verify_result");
	}
	if (PQntuples(r) == 1) {
		out->found = 1;
		snprintf(out->at, sizeof(out->at), "%s", PQgetvalue(r, 0, 0));
		snprintf(out->result, sizeof(out->result), "%s", PQgetvalue(r, 0, 1));
		out->differences = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
		out->age = atof(PQgetvalue(r, 0, 3));
	}
	PQclear(r);
	return 0;
}

static int
pg_cutover_target_privileges(struct db_conn *c, struct strlist *missing, struct dberr *err)
{
	/* setval needs UPDATE on each sequence (an identity's too) */
	PGresult *r = pg_query(c, "SELECT n.nspname, s.relname, current_user FROM "
			       "pg_catalog.pg_class s JOIN "
			       "pg_catalog.pg_namespace n ON n.oid = s.relnamespace WHERE "
			       "s.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', "
			       "'information_schema', '_dbmig') AND CASE WHEN s.relkind = 'S' "
			       "THEN NOT pg_catalog.has_sequence_privilege(s.oid, 'UPDATE') END "
			       "ORDER BY 1, 2",
			       0, NULL, err);

	if (!r)
		return dberr_prefix(err, "reading the target role's privileges"), -1;
	for (int i = 0; i < PQntuples(r); i++) {
		struct strbuf m = STRBUF_INIT;

		strbuf_addf(&m, "the sequence sync needs UPDATE on sequence %s.%s: GRANT UPDATE ON "
			    "SEQUENCE %s.%s TO %s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
			    PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
		strlist_push(missing, m.buf);
		strbuf_release(&m);
	}
	PQclear(r);
	return 0;
}

const struct db_cutover_ops pg_cutover_ops = {
	.clients = pg_cutover_clients,
	.coverage = pg_cutover_coverage,
	.source_privileges = pg_cutover_source_privileges,
	.fence = pg_cutover_fence,
	.fence_sql = pg_cutover_fence_sql,
	.fenced = pg_cutover_fenced,
	.marker = pg_cutover_marker,
	.writes_after = pg_cutover_writes_after,
	.step_record = pg_cutover_step_record,
	.step_last = pg_cutover_step_last,
	.step_find = pg_cutover_step_find,
	.verify_last = pg_cutover_verify_last,
	.target_privileges = pg_cutover_target_privileges,
};
