/*
 * pg_owners.c - who owns what and who may use it, as pg_dump carries it:
 * the catalog query parts that give each relation, schema, function and
 * type its "owner of" and "privileges on" objects (ALTER ... OWNER TO,
 * then REVOKE ALL and the GRANTs in the source's order), and the "role"
 * objects those name, for load --roles. The load runs them after the
 * objects exist; --no-owner and --no-privileges leave them out.
 */
#include "pg_int.h"

#include "lib/base/banned.h"

/* The objects, each as: the SQL words of its kind ('TABLE', ...), its
 * name as GRANT and ALTER want it, its schema and name for the report,
 * its owner and ACL columns, and the catalog rows it comes from. Sort
 * keys (ord) keep owners before privileges, roles before both. */
struct owned {
	const char *kind_sql;	/* an SQL expression: TABLE, SEQUENCE, ... */
	const char *target;	/* an SQL expression: "app"."t", "app"."f"(integer) */
	const char *nsp, *name;	/* SQL expressions for the report */
	const char *owner, *acl, *oid;
	const char *from;	/* FROM ... (joins) */
	const char *where;	/* the objects dbmig dumps */
};

#define REL_KIND "CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END"
#define FN_SIG "format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))"

static const struct owned owned[] = {
	{ REL_KIND, "format('%I.%I', n.nspname, c.relname)", "n.nspname", "c.relname",
	  "c.relowner", "c.relacl", "c.oid",
	  "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
	  "c.relkind IN ('r', 'p', 'v', 'm', 'S') AND NOT c.relispartition AND "
	  USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_class", "c.oid") " AND NOT (c.relkind = 'S' "
	  "AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND "
	  "d.objid = c.oid AND d.deptype IN ('a', 'i')))" },
	/* public as PostgreSQL 15 makes it (pg_database_owner's) is left as
	 * the target made it, as pg_dump leaves it */
	{ "'SCHEMA'", "quote_ident(n.nspname)", "''", "n.nspname", "n.nspowner", "n.nspacl", "n.oid",
	  "FROM pg_namespace n", USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_namespace", "n.oid")
	  " AND NOT (n.nspname = 'public' AND pg_get_userbyid(n.nspowner) = 'pg_database_owner')" },
	{ "CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END", FN_SIG, "n.nspname",
	  "p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'", "p.proowner",
	  "p.proacl", "p.oid",
	  "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
	  USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_proc", "p.oid") " AND "
	  NOT_INTERNAL("pg_proc", "p.oid") },
	{ "CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END",
	  "format('%I.%I', n.nspname, t.typname)", "n.nspname", "t.typname", "t.typowner",
	  "t.typacl", "t.oid",
	  "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace",
	  "t.typtype IN ('e', 'd', 'r', 'c') AND (t.typtype <> 'c' OR "
	  "(SELECT k.relkind FROM pg_class k WHERE k.oid = t.typrelid) = 'c') AND "
	  USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_type", "t.oid") },
};

/* ALTER <kind> <target> OWNER TO <owner>; for a relation the kind is the
 * one ALTER wants (VIEW, MATERIALIZED VIEW), and aggregates have theirs. */
static void
owner_part(struct strbuf *q, const struct owned *o, int i)
{
	const char *alter = i == 0 ? "CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' "
				     "WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END"
		: i == 2 ? "CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' "
			   "ELSE 'FUNCTION' END" : o->kind_sql;

	strbuf_addf(q, "UNION ALL SELECT 'owner of', %s, %s, format('ALTER %%s %%s OWNER TO %%I', "
		    "%s, %s, pg_get_userbyid(%s)), 8, %s::int8 %s WHERE %s ", o->nsp, o->name, alter,
		    o->target, o->owner, o->oid, o->from, o->where);
}

/* REVOKE ALL from PUBLIC and the owner, then each GRANT in the ACL's
 * order, as pg_dump writes them: the result is the source's ACL. */
static void
privileges_part(struct strbuf *q, const struct owned *o)
{
	strbuf_addf(q, "UNION ALL SELECT 'privileges on', %s, %s, "
		    "format('REVOKE ALL ON %%s %%s FROM PUBLIC; REVOKE ALL ON %%s %%s FROM %%I', "
		    "%s, %s, %s, %s, pg_get_userbyid(%s)) || coalesce((SELECT string_agg(format("
		    "'; GRANT %%s ON %%s %%s TO %%s%%s', a.privilege_type, %s, %s, "
		    "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) "
		    "END, CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), '' "
		    "ORDER BY a.n) FROM aclexplode(%s) WITH ORDINALITY a(grantor, grantee, "
		    "privilege_type, is_grantable, n)), ''), 9, %s::int8 %s WHERE %s AND %s IS NOT NULL ",
		    o->nsp, o->name, o->kind_sql, o->target, o->kind_sql, o->target, o->owner,
		    o->kind_sql, o->target, o->acl, o->oid, o->from, o->where, o->acl);
}

void
pg_owner_objects_sql(struct strbuf *q)
{
	/* the roles the owners and grants name: attributes, no password */
	strbuf_addstr(q, "UNION ALL SELECT 'role', '', r.rolname, format('CREATE ROLE %I %s %s%s%s', "
		      "r.rolname, CASE WHEN r.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END, "
		      "CASE WHEN r.rolinherit THEN 'INHERIT' ELSE 'NOINHERIT' END, "
		      "CASE WHEN r.rolcreatedb THEN ' CREATEDB' ELSE '' END, "
		      "CASE WHEN r.rolcreaterole THEN ' CREATEROLE' ELSE '' END), 7, r.oid::int8 "
		      "FROM pg_roles r WHERE r.rolname !~ '^pg_' AND r.oid IN (SELECT 0::oid WHERE false");
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
		strbuf_addf(q, " UNION SELECT %s %s WHERE %s UNION SELECT a.grantee %s CROSS JOIN "
			    "LATERAL aclexplode(%s) a WHERE %s", owned[i].owner, owned[i].from,
			    owned[i].where, owned[i].from, owned[i].acl, owned[i].where);
	strbuf_addstr(q, ") ");
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
		owner_part(q, &owned[i], (int)i);
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
		privileges_part(q, &owned[i]);
}
