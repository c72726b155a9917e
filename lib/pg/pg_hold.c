/*
 * pg_hold.c - the live verify's hold on a PostgreSQL target (struct
 * cdc_hold in target.h): _dbmig.cdc_hold, one row per dump, written by
 * the verify that asks and answered by the tail that holds; and the
 * verify's result at that position, _dbmig.verify_result.
 */
#include "pg_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/cdc/apply_ops.h"
#include "lib/base/banned.h"

/* the table exists (a release before any request has nothing to do) */
static int
to_regclass_exists(struct db_conn *c)
{
	PGresult *r = PQexec(c->pg, "SELECT to_regclass('_dbmig.cdc_hold') IS NOT NULL");
	int yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';

	PQclear(r);
	return yes;
}

/* a statement with parameters and no rows */
static int
hold_exec(struct db_conn *c, const char *sql, int n, const char *const *params,
	  struct dberr *err)
{
	PGresult *r = PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_fail(c, r, err, "the live verify's hold (_dbmig.cdc_hold)");
	PQclear(r);
	return 0;
}

int
pg_cdc_hold_request(struct db_conn *c, const char *dump_id, const char *request,
		    int max_seconds, struct dberr *err)
{
	char secs[16];
	const char *params[3] = { dump_id, request, secs };

	snprintf(secs, sizeof(secs), "%d", max_seconds);
	if (!request)
		return to_regclass_exists(c) ? hold_exec(c, "DELETE FROM _dbmig.cdc_hold WHERE "
							 "dump_id = $1", 1, params, err) : 0;
	if (pg_exec(c, "CREATE SCHEMA IF NOT EXISTS _dbmig", err) < 0 ||
	    pg_exec(c, "CREATE TABLE IF NOT EXISTS _dbmig.cdc_hold (dump_id text PRIMARY KEY, "
		    "request text NOT NULL, held text, held_for text, "
		    "expires_at timestamptz NOT NULL)", err) < 0)
		return dberr_prefix(err, "cannot create _dbmig.cdc_hold (the role needs CREATE on "
				    "the target database)"), -1;
	return hold_exec(c, "INSERT INTO _dbmig.cdc_hold (dump_id, request, expires_at) VALUES ($1, "
			 "$2, now() + $3 * interval '1 second') ON CONFLICT (dump_id) DO UPDATE SET "
			 "request = EXCLUDED.request, held = NULL, held_for = NULL, "
			 "expires_at = EXCLUDED.expires_at", 3, params, err);
}

int
pg_cdc_hold_answer(struct db_conn *c, const char *dump_id, const char *request, const char *held,
		   struct dberr *err)
{
	const char *params[3] = { dump_id, request, held };

	return hold_exec(c, "UPDATE _dbmig.cdc_hold SET held = $3, held_for = $2 "
			 "WHERE dump_id = $1 AND request = $2", 3, params, err);
}

int
pg_cdc_hold_read(struct db_conn *c, const char *dump_id, struct cdc_hold *h, struct dberr *err)
{
	const char *params[1] = { dump_id };
	PGresult *r;

	memset(h, 0, sizeof(*h));
	r = PQexecParams(c->pg, "SELECT request, coalesce(held, ''), coalesce(held_for, '') "
			 "FROM _dbmig.cdc_hold WHERE dump_id = $1 AND expires_at > now()", 1, NULL,
			 params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (st && !strcmp(st, "42P01")) {	/* no table: nobody asked */
			PQclear(r);
			return 0;
		}
		return pg_fail(c, r, err, "reading _dbmig.cdc_hold");
	}
	if (PQntuples(r) == 1) {
		h->requested = 1;
		snprintf(h->request, sizeof(h->request), "%s", PQgetvalue(r, 0, 0));
		snprintf(h->held, sizeof(h->held), "%s", PQgetvalue(r, 0, 1));
		snprintf(h->held_for, sizeof(h->held_for), "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	return 0;
}

int
pg_verify_record(struct db_conn *c, const char *dump_id, const char *at, const char *result,
		 uint64_t differences, struct dberr *err)
{
	char n[32];
	const char *params[4] = { dump_id, at, result, n };

	snprintf(n, sizeof(n), "%llu", (unsigned long long)differences);
	if (pg_exec(c, "CREATE SCHEMA IF NOT EXISTS _dbmig", err) < 0 ||
	    pg_exec(c, "CREATE TABLE IF NOT EXISTS _dbmig.verify_result (dump_id text PRIMARY KEY, "
		    "at text NOT NULL, result text NOT NULL, differences bigint NOT NULL, "
		    "finished_at timestamptz NOT NULL DEFAULT now())", err) < 0)
		return -1;
	return hold_exec(c, "INSERT INTO _dbmig.verify_result (dump_id, at, result, differences) "
			 "VALUES ($1, $2, $3, $4) ON CONFLICT (dump_id) DO UPDATE SET at = "
			 "EXCLUDED.at, result = EXCLUDED.result, differences = EXCLUDED.differences, "
			 "finished_at = now()", 4, params, err);
}
