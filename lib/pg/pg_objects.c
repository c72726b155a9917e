/*
 * pg_objects.c - the objects of a PostgreSQL schema that are not tables,
 * types or routines, each as the statement that recreates it, made by the
 * source server from its catalogs (pg_dump's own source, dumpAgg,
 * dumpOpr, dumpCast, dumpTSConfig, dumpCollation, dumpPolicy,
 * dumpPublication, dumpEventTrigger, is the reference for what each
 * needs): aggregates, operators, casts, text search dictionaries and
 * configurations, collations, rules, materialized views' indexes,
 * extended statistics, row level
 * security and its policies, publications, event triggers and comments;
 * and, without a definition (reported as not carried), the classes it
 * leaves to the user: operator classes, conversions, foreign data
 * wrappers, servers and user mappings, transforms, access methods,
 * default privileges and subscriptions.
 *
 * Each is one "UNION ALL SELECT kind, schema, name, definition, ord, oid"
 * part of the objects query (pg_schema.c). ord orders the load: 1 with
 * the functions (by oid, so an aggregate or operator follows the
 * functions it names), 3 after the views, 4 after the tables' rows and
 * keys, 5 last. Collations and text search objects are created before
 * the tables (pg_ddl.c's pre-data objects), which may use them.
 *
 * The source's session has search_path = pg_catalog, so regproc,
 * regtype and format_type() print every name outside pg_catalog with its
 * schema: a definition means the same on any target.
 */
#include "pg_int.h"

#include "lib/base/banned.h"

/* CREATE AGGREGATE: the transition, final, combine and moving-aggregate
 * functions and states, initial conditions, sort operator, parallel
 * safety and ordered-set kind, each written when set. FINALFUNC_MODIFY
 * is always written: its default differs between plain and ordered-set
 * aggregates. */
static const char aggregates[] =
	"UNION ALL SELECT 'aggregate', n.nspname, p.proname, "
	"  format('CREATE AGGREGATE %I.%I(%s) (SFUNC = %s, STYPE = %s', n.nspname, p.proname, "
	"    CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_get_function_arguments(p.oid) END, "
	"    a.aggtransfn::regproc, format_type(a.aggtranstype, NULL)) "
	"  || CASE WHEN a.aggtransspace <> 0 THEN ', SSPACE = ' || a.aggtransspace ELSE '' END "
	"  || CASE WHEN a.aggfinalfn <> 0 THEN ', FINALFUNC = ' || a.aggfinalfn::regproc "
	"       || CASE WHEN a.aggfinalextra THEN ', FINALFUNC_EXTRA' ELSE '' END "
	"       || ', FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' "
	"            WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END ELSE '' END "
	"  || CASE WHEN a.aggcombinefn <> 0 THEN ', COMBINEFUNC = ' || a.aggcombinefn::regproc "
	"       ELSE '' END "
	"  || CASE WHEN a.aggserialfn <> 0 THEN ', SERIALFUNC = ' || a.aggserialfn::regproc "
	"       || ', DESERIALFUNC = ' || a.aggdeserialfn::regproc ELSE '' END "
	"  || CASE WHEN a.agginitval IS NOT NULL THEN format(', INITCOND = %L', a.agginitval) "
	"       ELSE '' END "
	"  || CASE WHEN a.aggmtransfn <> 0 THEN ', MSFUNC = ' || a.aggmtransfn::regproc "
	"       || ', MINVFUNC = ' || a.aggminvtransfn::regproc "
	"       || ', MSTYPE = ' || format_type(a.aggmtranstype, NULL) "
	"       || CASE WHEN a.aggmtransspace <> 0 THEN ', MSSPACE = ' || a.aggmtransspace "
	"            ELSE '' END "
	"       || CASE WHEN a.aggmfinalfn <> 0 THEN ', MFINALFUNC = ' || a.aggmfinalfn::regproc "
	"            || CASE WHEN a.aggmfinalextra THEN ', MFINALFUNC_EXTRA' ELSE '' END "
	"            || ', MFINALFUNC_MODIFY = ' || CASE a.aggmfinalmodify WHEN 'r' THEN "
	"                 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END ELSE '' END "
	"       || CASE WHEN a.aggminitval IS NOT NULL THEN format(', MINITCOND = %L', "
	"            a.aggminitval) ELSE '' END "
	"       ELSE '' END "
	"  || CASE WHEN a.aggsortop <> 0 THEN ', SORTOP = OPERATOR(' || a.aggsortop::regoper || ')' "
	"       ELSE '' END "
	"  || CASE WHEN a.aggkind = 'h' THEN ', HYPOTHETICAL' ELSE '' END "
	"  || CASE p.proparallel WHEN 's' THEN ', PARALLEL = SAFE' "
	"       WHEN 'r' THEN ', PARALLEL = RESTRICTED' ELSE '' END || ')', "
	"  1, p.oid::int8 "
	"FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid "
	"JOIN pg_namespace n ON n.oid = p.pronamespace "
	"WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_proc", "p.oid") " ";

/* CREATE OPERATOR, its commutator and negator by name (a shell until
 * created, as PostgreSQL allows) */
static const char operators[] =
	"UNION ALL SELECT 'operator', n.nspname, o.oprname, "
	"  format('CREATE OPERATOR %I.%s (FUNCTION = %s', n.nspname, o.oprname, o.oprcode::regproc) "
	"  || CASE WHEN o.oprleft <> 0 THEN ', LEFTARG = ' || format_type(o.oprleft, NULL) "
	"       ELSE '' END "
	"  || CASE WHEN o.oprright <> 0 THEN ', RIGHTARG = ' || format_type(o.oprright, NULL) "
	"       ELSE '' END "
	"  || CASE WHEN o.oprcom <> 0 THEN (SELECT format(', COMMUTATOR = OPERATOR(%I.%s)', "
	"       cn.nspname, co.oprname) FROM pg_operator co JOIN pg_namespace cn "
	"       ON cn.oid = co.oprnamespace WHERE co.oid = o.oprcom) ELSE '' END "
	"  || CASE WHEN o.oprnegate <> 0 THEN (SELECT format(', NEGATOR = OPERATOR(%I.%s)', "
	"       cn.nspname, co.oprname) FROM pg_operator co JOIN pg_namespace cn "
	"       ON cn.oid = co.oprnamespace WHERE co.oid = o.oprnegate) ELSE '' END "
	"  || CASE WHEN o.oprrest <> 0 THEN ', RESTRICT = ' || o.oprrest::regproc ELSE '' END "
	"  || CASE WHEN o.oprjoin <> 0 THEN ', JOIN = ' || o.oprjoin::regproc ELSE '' END "
	"  || CASE WHEN o.oprcanhash THEN ', HASHES' ELSE '' END "
	"  || CASE WHEN o.oprcanmerge THEN ', MERGES' ELSE '' END || ')', "
	"  1, o.oid::int8 "
	"FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace "
	"WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_operator", "o.oid") " ";

/* CREATE CAST: the user's (oids past the initial catalog's; not those a
 * range type makes to its multirange) */
static const char casts[] =
	"UNION ALL SELECT 'cast', '', format('(%s AS %s)', format_type(c.castsource, NULL), "
	"    format_type(c.casttarget, NULL)), "
	"  format('CREATE CAST (%s AS %s) ', format_type(c.castsource, NULL), "
	"    format_type(c.casttarget, NULL)) "
	"  || CASE c.castmethod WHEN 'f' THEN 'WITH FUNCTION ' || c.castfunc::regprocedure "
	"       WHEN 'i' THEN 'WITH INOUT' ELSE 'WITHOUT FUNCTION' END "
	"  || CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' "
	"       ELSE '' END, "
	"  1, c.oid::int8 "
	"FROM pg_cast c WHERE c.oid >= 16384 AND " NOT_EXTENSION("pg_cast", "c.oid") " AND "
	NOT_INTERNAL("pg_cast", "c.oid") " ";

/* Text search dictionaries (their options as the catalog keeps them)
 * and configurations (the parser, then each token type's dictionaries
 * in order) */
static const char text_search[] =
	"UNION ALL SELECT 'text search dictionary', n.nspname, d.dictname, "
	"  format('CREATE TEXT SEARCH DICTIONARY %I.%I (TEMPLATE = %I.%I', n.nspname, d.dictname, "
	"    tn.nspname, t.tmplname) "
	"  || CASE WHEN d.dictinitoption IS NOT NULL THEN ', ' || d.dictinitoption ELSE '' END || ')', "
	"  0, d.oid::int8 "
	"FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace "
	"JOIN pg_ts_template t ON t.oid = d.dicttemplate "
	"JOIN pg_namespace tn ON tn.oid = t.tmplnamespace "
	"WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_ts_dict", "d.oid") " "
	"UNION ALL SELECT 'text search configuration', n.nspname, c.cfgname, "
	"  format('CREATE TEXT SEARCH CONFIGURATION %I.%I (PARSER = %I.%I)', n.nspname, c.cfgname, "
	"    pn.nspname, p.prsname) "
	"  || coalesce((SELECT string_agg(format(';\nALTER TEXT SEARCH CONFIGURATION %I.%I "
	"       ADD MAPPING FOR %s WITH %s', n.nspname, c.cfgname, tt.alias, m.dicts), '' "
	"       ORDER BY m.maptokentype) "
	"     FROM (SELECT mm.maptokentype, string_agg(format('%I.%I', dn.nspname, dd.dictname), "
	"             ', ' ORDER BY mm.mapseqno) AS dicts "
	"           FROM pg_ts_config_map mm JOIN pg_ts_dict dd ON dd.oid = mm.mapdict "
	"           JOIN pg_namespace dn ON dn.oid = dd.dictnamespace "
	"           WHERE mm.mapcfg = c.oid GROUP BY mm.maptokentype) m "
	"     JOIN ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype), ''), "
	"  0, c.oid::int8 "
	"FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace "
	"JOIN pg_ts_parser p ON p.oid = c.cfgparser "
	"JOIN pg_namespace pn ON pn.oid = p.prsnamespace "
	"WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_ts_config", "c.oid") " ";

/* Rules other than a view's, a materialized view's indexes, extended
 * statistics, row level security and its policies */
static const char table_objects[] =
	"UNION ALL SELECT 'rule', n.nspname, c.relname || '.' || r.rulename, "
	"  rtrim(pg_get_ruledef(r.oid), ';'), 3, r.oid::int8 "
	"FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE r.rulename <> '_RETURN' AND " USER_NS_FILTER("n") " "
	"UNION ALL SELECT 'index', n.nspname, c.relname, pg_get_indexdef(i.indexrelid), 3, "
	"  c.oid::int8 "
	"FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
	"JOIN pg_class m ON m.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE m.relkind = 'm' AND " USER_NS_FILTER("n") " "
	"UNION ALL SELECT 'statistics', n.nspname, s.stxname, pg_get_statisticsobjdef(s.oid), "
	"  3, s.oid::int8 "
	"FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace "
	"WHERE " USER_NS_FILTER("n") " "
	"UNION ALL SELECT 'row level security', n.nspname, c.relname, "
	"  format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', n.nspname, c.relname) "
	"  || CASE WHEN c.relforcerowsecurity THEN format(';\nALTER TABLE %I.%I FORCE ROW LEVEL "
	"       SECURITY', n.nspname, c.relname) ELSE '' END, "
	"  4, c.oid::int8 "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relrowsecurity AND " USER_NS_FILTER("n") " "
	"UNION ALL SELECT 'policy', n.nspname, c.relname || '.' || p.polname, "
	"  format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s', p.polname, n.nspname, c.relname, "
	"    CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END, "
	"    CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' "
	"      WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, "
	"    CASE WHEN p.polroles = '{0}' THEN 'PUBLIC' ELSE (SELECT string_agg(quote_ident("
	"      rolname), ', ' ORDER BY rolname) FROM pg_roles WHERE oid = ANY (p.polroles)) END) "
	"  || CASE WHEN p.polqual IS NOT NULL THEN ' USING (' || pg_get_expr(p.polqual, p.polrelid) "
	"       || ')' ELSE '' END "
	"  || CASE WHEN p.polwithcheck IS NOT NULL THEN ' WITH CHECK (' || "
	"       pg_get_expr(p.polwithcheck, p.polrelid) || ')' ELSE '' END, "
	"  4, p.oid::int8 "
	"FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " USER_NS_FILTER("n") " ";

/* Comments on everything but tables and their columns (which their
 * table's DDL carries), as COMMENT ON with the object's identity as the
 * server spells it; last, once what they describe exists */
static const char comments[] =
	"UNION ALL SELECT 'comment', '', 'on ' || io.type || ' ' || io.identity, "
	"  format('COMMENT ON %s %s IS %L', CASE "
	"    WHEN io.type LIKE '% column' THEN 'COLUMN' "
	"    WHEN io.type = 'table constraint' THEN 'CONSTRAINT' "
	"    WHEN io.type = 'domain constraint' THEN 'CONSTRAINT' "
	"    WHEN io.type = 'statistics object' THEN 'STATISTICS' "
	"    WHEN io.type = 'composite type' THEN 'TYPE' "
	"    ELSE upper(io.type) END, "
	"    CASE WHEN io.type = 'domain constraint' THEN regexp_replace(io.identity, ' on ', "
	"      ' ON DOMAIN ') ELSE io.identity END, d.description), "
	"  6, d.objoid::int8 "
	"FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, "
	"  d.objsubid) io "
	"WHERE d.objoid >= 16384 "
	"AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classoid "
	"  AND e.objid = d.objoid AND e.deptype = 'e') "
	"AND NOT (d.classoid = 'pg_class'::regclass AND (SELECT relkind FROM pg_class "
	"  WHERE oid = d.objoid) IN ('r', 'p')) "
	"AND coalesce(io.schema, '') NOT IN ('pg_catalog', 'information_schema', '_dbmig') "
	"AND coalesce(io.schema, '') NOT LIKE 'pg\\_t%' "
	"AND NOT (io.type = 'schema' AND io.identity = '_dbmig') "
	"AND NOT (io.type = 'publication' AND io.identity ~ '^dbmig_[0-9a-f]{32}$') ";

/* What pg_dump -s prints and dbmig does not carry: named in the dump's
 * warnings (no definition), so a load says what to recreate by hand */
static const char reported_only[] =
	"UNION ALL SELECT 'operator class', n.nspname, o.opcname || ' USING ' || am.amname, NULL, "
	"  7, o.oid::int8 FROM pg_opclass o JOIN pg_namespace n ON n.oid = o.opcnamespace "
	"JOIN pg_am am ON am.oid = o.opcmethod "
	"WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_opclass", "o.oid") " "
	"UNION ALL SELECT 'conversion', n.nspname, c.conname, NULL, 7, c.oid::int8 "
	"FROM pg_conversion c JOIN pg_namespace n ON n.oid = c.connamespace "
	"WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_conversion", "c.oid") " "
	"UNION ALL SELECT 'foreign data wrapper', '', w.fdwname, NULL, 7, w.oid::int8 "
	"FROM pg_foreign_data_wrapper w WHERE "
	NOT_EXTENSION("pg_foreign_data_wrapper", "w.oid") " "
	"UNION ALL SELECT 'foreign server', '', fs.srvname, NULL, 7, fs.oid::int8 "
	"FROM pg_foreign_server fs WHERE " NOT_EXTENSION("pg_foreign_server", "fs.oid") " "
	"UNION ALL SELECT 'user mapping', '', um.srvname || ' for ' || um.usename, NULL, 7, "
	"  um.umid::int8 FROM pg_user_mappings um "
	"UNION ALL SELECT 'transform', '', format_type(t.trftype, NULL) || ' for language ' || "
	"  l.lanname, NULL, 7, t.oid::int8 FROM pg_transform t JOIN pg_language l "
	"  ON l.oid = t.trflang WHERE " NOT_EXTENSION("pg_transform", "t.oid") " "
	"UNION ALL SELECT 'access method', '', am.amname, NULL, 7, am.oid::int8 FROM pg_am am "
	"WHERE am.oid >= 16384 AND " NOT_EXTENSION("pg_am", "am.oid") " "
	"UNION ALL SELECT 'default privileges', coalesce(n.nspname, ''), 'for role ' || "
	"  pg_get_userbyid(d.defaclrole), NULL, 7, d.oid::int8 FROM pg_default_acl d "
	"LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace "
	"UNION ALL SELECT 'subscription', '', s.subname, NULL, 7, s.oid::int8 FROM pg_subscription s "
	"WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ";

/* Event triggers, with their tags and state */
static const char event_triggers[] =
	"UNION ALL SELECT 'event trigger', '', et.evtname, "
	"  format('CREATE EVENT TRIGGER %I ON %I', et.evtname, et.evtevent) "
	"  || CASE WHEN et.evttags IS NOT NULL THEN ' WHEN TAG IN (' || (SELECT string_agg("
	"       quote_literal(tag), ', ') FROM unnest(et.evttags) tag) || ')' ELSE '' END "
	"  || ' EXECUTE FUNCTION ' || et.evtfoid::regproc || '()' "
	"  || CASE et.evtenabled WHEN 'D' THEN format(';\nALTER EVENT TRIGGER %I DISABLE', et.evtname) "
	"       WHEN 'R' THEN format(';\nALTER EVENT TRIGGER %I ENABLE REPLICA', et.evtname) "
	"       WHEN 'A' THEN format(';\nALTER EVENT TRIGGER %I ENABLE ALWAYS', et.evtname) "
	"       ELSE '' END, "
	"  5, et.oid::int8 "
	"FROM pg_event_trigger et WHERE " NOT_EXTENSION("pg_event_trigger", "et.oid") " ";

/* A collation: libc's categories, or ICU's locale (PostgreSQL 15 and 16
 * keep it in colliculocale, 17 in colllocale, before 15 in
 * collcollate), and whether it is deterministic */
static void
collations_sql(struct db_conn *c, struct strbuf *q)
{
	int v = PQserverVersion(c->pg);
	const char *icu = v >= 170000 ? "co.colllocale" : v >= 150000 ? "co.colliculocale"
		: "co.collcollate";

	strbuf_addstr(q, "UNION ALL SELECT 'collation', n.nspname, co.collname, "
		      "  CASE co.collprovider WHEN 'i' THEN format('CREATE COLLATION %I.%I "
		      "    (provider = icu, locale = %L', n.nspname, co.collname, ");
	strbuf_addstr(q, icu);
	strbuf_addstr(q, ") WHEN 'c' THEN format('CREATE COLLATION %I.%I (provider = libc, "
		      "    lc_collate = %L, lc_ctype = %L', n.nspname, co.collname, co.collcollate, "
		      "    co.collctype) END "
		      "  || CASE WHEN NOT co.collisdeterministic THEN ', deterministic = false' ELSE '' END "
		      "  || ')', 0, co.oid::int8 "
		      "FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace "
		      "WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_collation", "co.oid") " ");
}

/* A publication: what it publishes, then its tables (with a row filter
 * and a column list, 15 and later) and schemas (15 and later) */
static void
publications_sql(struct db_conn *c, struct strbuf *q)
{
	int v15 = PQserverVersion(c->pg) >= 150000;

	strbuf_addstr(q, "UNION ALL SELECT 'publication', '', p.pubname, "
		      "  format('CREATE PUBLICATION %I', p.pubname) "
		      "  || CASE WHEN p.puballtables THEN ' FOR ALL TABLES' ELSE '' END "
		      "  || format(' WITH (publish = %L, publish_via_partition_root = %s)', "
		      "       concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END, "
		      "         CASE WHEN p.pubupdate THEN 'update' END, "
		      "         CASE WHEN p.pubdelete THEN 'delete' END, "
		      "         CASE WHEN p.pubtruncate THEN 'truncate' END), "
		      "       CASE WHEN p.pubviaroot THEN 'true' ELSE 'false' END) "
		      "  || coalesce((SELECT string_agg(format(';\nALTER PUBLICATION %I ADD TABLE ONLY "
		      "       %I.%I', p.pubname, rn.nspname, rc.relname)");
	if (v15)
		strbuf_addstr(q, " || CASE WHEN pr.prattrs IS NOT NULL THEN ' (' || (SELECT "
			      "  string_agg(quote_ident(a.attname), ', ' ORDER BY k.i) FROM "
			      "  unnest(pr.prattrs) WITH ORDINALITY k(n, i) JOIN pg_attribute a "
			      "  ON a.attrelid = pr.prrelid AND a.attnum = k.n) || ')' ELSE '' END "
			      " || CASE WHEN pr.prqual IS NOT NULL THEN ' WHERE (' || "
			      "  pg_get_expr(pr.prqual, pr.prrelid) || ')' ELSE '' END");
	strbuf_addstr(q, ", '' ORDER BY rn.nspname, rc.relname) "
		      "     FROM pg_publication_rel pr JOIN pg_class rc ON rc.oid = pr.prrelid "
		      "     JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE pr.prpubid = p.oid), '') ");
	if (v15)
		strbuf_addstr(q, "  || coalesce((SELECT string_agg(format(';\nALTER PUBLICATION %I "
			      "       ADD TABLES IN SCHEMA %I', p.pubname, sn.nspname), '' ORDER BY "
			      "       sn.nspname) FROM pg_publication_namespace pn JOIN pg_namespace sn "
			      "       ON sn.oid = pn.pnnspid WHERE pn.pnpubid = p.oid), '') ");
	/* dbmig's own, of an online dump, are not the user's */
	strbuf_addstr(q, ", 5, p.oid::int8 FROM pg_publication p "
		      "WHERE p.pubname !~ '^dbmig_[0-9a-f]{32}$' ");
}

void
pg_more_objects_sql(struct db_conn *c, struct strbuf *q)
{
	strbuf_addstr(q, aggregates);
	strbuf_addstr(q, operators);
	strbuf_addstr(q, casts);
	strbuf_addstr(q, text_search);
	strbuf_addstr(q, table_objects);
	strbuf_addstr(q, event_triggers);
	strbuf_addstr(q, comments);
	strbuf_addstr(q, reported_only);
	collations_sql(c, q);
	publications_sql(c, q);
}
