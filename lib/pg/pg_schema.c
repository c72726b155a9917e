/*
 * pg_schema.c - reading a PostgreSQL database's schema into the neutral
 * model, inside the dump's snapshot transaction so schema and data agree.
 *
 * System schemas, objects that belong to extensions and dbmig's own
 * _dbmig schema are left out. Each catalog is read with one query for all
 * tables (not one per table), so a database with thousands of tables is
 * introspected in a handful of round trips.
 */
#include "pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/base/banned.h"


struct oidmap {
	unsigned long oid;
	int idx;
};

static int
oidmap_cmp(const void *a, const void *b)
{
	const struct oidmap *x = a, *y = b;

	return x->oid < y->oid ? -1 : x->oid > y->oid;
}

static struct table *
table_by_oid(struct schema_model *s, const struct oidmap *map, const char *oidtxt)
{
	struct oidmap key = { strtoul(oidtxt, NULL, 10), 0 }, *hit;

	hit = bsearch(&key, map, (size_t)s->ntables, sizeof(*map), oidmap_cmp);
	return hit ? &s->tables[hit->idx] : NULL;
}

static char *
dup_or_null(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

static int
read_tables(struct db_conn *c, const struct schema_filter *f, struct schema_model *s,
	    struct strbuf *oids, struct oidmap **mapp, struct dberr *err)
{
	PGresult *r;
	struct oidmap *map;
	/* partitions follow their root through -t and -T, and come after
	 * their parent (PostgreSQL 12's functions; before it, refused) */
	int parts = PQserverVersion(c->pg) >= 120000;
	struct strbuf q = STRBUF_INIT;

	strbuf_addstr(&q, "SELECT c.oid, n.nspname, c.relname, "
		      "obj_description(c.oid, 'pg_class'), pg_total_relation_size(c.oid), "
		      "c.relkind, c.relispartition, "
		      /* the planner's estimate: rows per page at the last
		       * ANALYZE times today's pages; -1 never analyzed */
		      "CASE WHEN c.reltuples >= 0 AND c.relpages > 0 THEN (c.reltuples / c.relpages * "
		      "(pg_relation_size(c.oid) / current_setting('block_size')::int))::bigint "
		      "ELSE -1 END, "
		      "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
		      "(SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i "
		      "  JOIN pg_class pc ON pc.oid = i.inhparent "
		      "  JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
		      "  WHERE c.relispartition AND i.inhrelid = c.oid), "
		      "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END, ");
	strbuf_addstr(&q, parts ? "rn.nspname, rc.relname " : "n.nspname, c.relname ");
	strbuf_addstr(&q, "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ");
	if (parts)
		strbuf_addstr(&q, "JOIN pg_class rc ON rc.oid = coalesce(pg_partition_root(c.oid), c.oid) "
			      "JOIN pg_namespace rn ON rn.oid = rc.relnamespace ");
	strbuf_addstr(&q, "WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND "
		      USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_class", "c.oid") " ORDER BY ");
	if (parts)
		strbuf_addstr(&q, "(SELECT count(*) FROM pg_partition_ancestors(c.oid)), ");
	strbuf_addstr(&q, "n.nspname, c.relname");
	r = pg_query(c, q.buf, 0, NULL, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	map = xcalloc((size_t)PQntuples(r) + 1, sizeof(*map));
	strbuf_addch(oids, '{');
	for (int i = 0; i < PQntuples(r); i++) {
		const char *nsp = PQgetvalue(r, i, 1), *rel = PQgetvalue(r, i, 2);
		const char *rnsp = PQgetvalue(r, i, 11), *rrel = PQgetvalue(r, i, 12);
		int keep = f->include.n == 0;
		struct table *t;

		for (size_t k = 0; k < f->include.n && !keep; k++)
			keep = table_matches(rnsp, rrel, f->include.v[k]);
		for (size_t k = 0; k < f->exclude.n && keep; k++)
			keep = !table_matches(rnsp, rrel, f->exclude.v[k]);
		if (!keep)
			continue;
		if (!parts && (PQgetvalue(r, i, 5)[0] == 'p' || PQgetvalue(r, i, 6)[0] == 't')) {
			dberr_set(err, DBERR_UNSUPPORTED, "source table %s.%s is partitioned "
				  "or a partition, which dbmig carries from PostgreSQL 12 on; "
				  "exclude it with -T '%s.%s'", nsp, rel, nsp, rel);
			PQclear(r);
			free(map);
			return -1;
		}
		map[s->ntables].oid = strtoul(PQgetvalue(r, i, 0), NULL, 10);
		map[s->ntables].idx = s->ntables;
		t = schema_add_table(s);
		t->schema = xstrdup(nsp);
		t->name = xstrdup(rel);
		t->comment = dup_or_null(r, i, 3);
		t->est_bytes = strtoll(PQgetvalue(r, i, 4), NULL, 10);
		t->est_rows = strtoll(PQgetvalue(r, i, 7), NULL, 10);
		t->partition_key = dup_or_null(r, i, 8);
		t->partition_of = dup_or_null(r, i, 9);
		t->partition_bound = dup_or_null(r, i, 10);
		strbuf_addf(oids, "%s%s", oids->len > 1 ? "," : "", PQgetvalue(r, i, 0));
		if (!strlist_has(&s->schemas, nsp))
			strlist_push(&s->schemas, nsp);
	}
	strbuf_addch(oids, '}');
	PQclear(r);
	qsort(map, (size_t)s->ntables, sizeof(*map), oidmap_cmp);
	*mapp = map;
	return 0;
}

static int
read_columns(struct db_conn *c, const struct schema_filter *f, struct schema_model *s,
	     const char *oids, const struct oidmap *map, struct dberr *err)
{
	const char *params[1] = { oids };
	PGresult *r;
	struct unmapped_cols unmapped = UNMAPPED_COLS_INIT;

	/* The base type resolves domains (one level, then the domain's own
	 * base); arrays map through their element type. */
	r = pg_query(c, "SELECT a.attrelid, a.attname, "
		     "format_type(a.atttypid, a.atttypmod), a.attnotnull, "
		     "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
		     "col_description(a.attrelid, a.attnum), "
		     "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END, "
		     "bt.typname, bt.typtype, et.typname, et.typtype, "
		     "CASE WHEN a.attcollation <> t.typcollation THEN "
		     "  quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END "
		     "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
		     "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
		     "LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
		     "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
		     "JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN "
		     "  (SELECT CASE WHEN b1.typtype = 'd' THEN b1.typbasetype ELSE b1.oid END "
		     "   FROM pg_type b1 WHERE b1.oid = t.typbasetype) ELSE t.oid END "
		     "LEFT JOIN pg_type et ON bt.typcategory = 'A' AND et.oid = bt.typelem "
		     "WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
		     "ORDER BY a.attrelid, a.attnum", 1, params, err);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		struct table *t = table_by_oid(s, map, PQgetvalue(r, i, 0));
		struct column *col;
		int is_array = !PQgetisnull(r, i, 11);

		if (!t)
			continue;
		col = table_add_column(t);
		col->name = xstrdup(PQgetvalue(r, i, 1));
		col->native_type = xstrdup(PQgetvalue(r, i, 2));
		col->not_null = PQgetvalue(r, i, 3)[0] == 't';
		col->identity = PQgetvalue(r, i, 5)[0];
		if (PQgetvalue(r, i, 6)[0] == 's')
			col->generated_expr = dup_or_null(r, i, 4);
		else
			col->default_expr = dup_or_null(r, i, 4);
		col->comment = dup_or_null(r, i, 7);
		col->collation = dup_or_null(r, i, 13);
		if (pg_type_to_ntype(PQgetvalue(r, i, 9), PQgetvalue(r, i, 10)[0],
				     atoi(PQgetvalue(r, i, 8)),
				     is_array ? PQgetvalue(r, i, 11) : NULL,
				     is_array ? PQgetvalue(r, i, 12)[0] : 0, &col->type) < 0)
			schema_unmapped_column(s, t, col, f->unmapped_as_text, &unmapped);
	}
	PQclear(r);
	return schema_unmapped_check(&unmapped, err);
}

static int
read_constraints(struct db_conn *c, struct schema_model *s, const char *oids,
		 const struct oidmap *map, struct dberr *err)
{
	const char *params[1] = { oids };
	PGresult *r, *k;
	int j = 0;

	r = pg_query(c, "SELECT co.conrelid, co.conname, co.contype, "
		     "pg_get_constraintdef(co.oid), "
		     "CASE WHEN co.contype = 'f' THEN rn.nspname || '.' || rc.relname END, co.oid "
		     "FROM pg_constraint co "
		     "LEFT JOIN pg_class rc ON rc.oid = co.confrelid "
		     "LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
		     "WHERE co.conrelid = ANY($1::oid[]) AND co.contype IN ('p','u','f','c','x') "
		     "AND co.conislocal "
		     "ORDER BY co.oid", 1, params, err);
	if (!r)
		return -1;
	k = pg_query(c, "SELECT co.oid, a.attname FROM pg_constraint co, "
		     "unnest(co.conkey) WITH ORDINALITY AS k(n, o) "
		     "JOIN pg_attribute a ON a.attnum = k.n "
		     "WHERE a.attrelid = co.conrelid AND co.conrelid = ANY($1::oid[]) "
		     "AND co.contype IN ('p','u','f','x') "
		     "ORDER BY co.oid, k.o", 1, params, err);
	if (!k) {
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct table *t = table_by_oid(s, map, PQgetvalue(r, i, 0));
		unsigned long coid = strtoul(PQgetvalue(r, i, 5), NULL, 10);
		struct constraint *con;

		if (!t)
			continue;
		con = table_add_constraint(t);
		con->name = xstrdup(PQgetvalue(r, i, 1));
		con->kind = PQgetvalue(r, i, 2)[0];
		con->definition = xstrdup(PQgetvalue(r, i, 3));
		con->ref_table = dup_or_null(r, i, 4);
		/* Both results are ordered by constraint oid: merge. */
		while (j < PQntuples(k) && strtoul(PQgetvalue(k, j, 0), NULL, 10) < coid)
			j++;
		while (j < PQntuples(k) && strtoul(PQgetvalue(k, j, 0), NULL, 10) == coid)
			strlist_push(&con->columns, PQgetvalue(k, j++, 1));
	}
	PQclear(r);
	PQclear(k);
	return 0;
}

static int
read_indexes(struct db_conn *c, struct schema_model *s, const char *oids,
	     const struct oidmap *map, struct dberr *err)
{
	const char *params[1] = { oids };
	PGresult *r;

	/* Besides the definition, the plain column list and method, for
	 * targets that cannot replay PostgreSQL's CREATE INDEX. */
	r = pg_query(c, "SELECT i.indrelid, ic.relname, pg_get_indexdef(i.indexrelid), "
		     "i.indisunique, upper(am.amname), "
		     "(i.indexprs IS NOT NULL OR i.indpred IS NOT NULL), "
		     "(SELECT string_agg(a.attname, E'\\x01' ORDER BY k.o) FROM "
		     "  unnest(i.indkey::int2[]) WITH ORDINALITY AS k(n, o) "
		     "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n) "
		     "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
		     "JOIN pg_am am ON am.oid = ic.relam "
		     "WHERE i.indrelid = ANY($1::oid[]) AND NOT EXISTS (SELECT 1 FROM "
		     "pg_constraint co WHERE co.conindid = i.indexrelid AND "
		     "co.conrelid = i.indrelid AND co.contype IN ('p','u','x')) "
		     /* a partition's copy of its parent's index comes with it */
		     "AND NOT EXISTS (SELECT 1 FROM pg_inherits ii WHERE ii.inhrelid = i.indexrelid) "
		     "ORDER BY i.indrelid, ic.relname", 1, params, err);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		struct table *t = table_by_oid(s, map, PQgetvalue(r, i, 0));
		struct index *x;

		if (!t)
			continue;
		x = table_add_index(t);
		x->name = xstrdup(PQgetvalue(r, i, 1));
		x->definition = xstrdup(PQgetvalue(r, i, 2));
		x->unique = PQgetvalue(r, i, 3)[0] == 't';
		x->method = xstrdup(PQgetvalue(r, i, 4));
		/* expressions or a WHERE clause: not a plain column index */
		x->prefix = PQgetvalue(r, i, 5)[0] == 't';
		if (!PQgetisnull(r, i, 6)) {
			char *names = xstrdup(PQgetvalue(r, i, 6)), *p = names, *sep;

			while ((sep = strchr(p, '\x01'))) {
				*sep = '\0';
				strlist_push(&x->columns, p);
				p = sep + 1;
			}
			strlist_push(&x->columns, p);
			free(names);
		}
	}
	PQclear(r);
	return 0;
}

static int
read_sequences(struct db_conn *c, const struct schema_filter *f,
	       struct schema_model *s, struct dberr *err)
{
	PGresult *r;
	struct strbuf sql = STRBUF_INIT;
	int ret = -1;

	r = pg_query(c, "SELECT n.nspname, c.relname, format_type(q.seqtypid, NULL), "
		     "q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle, "
		     "tn.nspname || '.' || tc.relname, ta.attname, d.deptype "
		     "FROM pg_sequence q JOIN pg_class c ON c.oid = q.seqrelid "
		     "JOIN pg_namespace n ON n.oid = c.relnamespace "
		     "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid "
		     "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
		     "LEFT JOIN pg_class tc ON tc.oid = d.refobjid "
		     "LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace "
		     "LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid "
		     "WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_class", "c.oid")
		     " ORDER BY n.nspname, c.relname", 0, NULL, err);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		struct sequence *q;
		PGresult *v;

		/* A sequence owned by a table we do not dump stays behind;
		 * free-standing ones come along unless tables were chosen. */
		if (!PQgetisnull(r, i, 9) ? !schema_find_table(s, PQgetvalue(r, i, 9))
					   : f->include.n > 0)
			continue;
		q = schema_add_sequence(s);
		q->schema = xstrdup(PQgetvalue(r, i, 0));
		q->name = xstrdup(PQgetvalue(r, i, 1));
		q->data_type = xstrdup(PQgetvalue(r, i, 2));
		q->start = strtoll(PQgetvalue(r, i, 3), NULL, 10);
		q->increment = strtoll(PQgetvalue(r, i, 4), NULL, 10);
		q->min = strtoll(PQgetvalue(r, i, 5), NULL, 10);
		q->max = strtoll(PQgetvalue(r, i, 6), NULL, 10);
		q->cache = strtoll(PQgetvalue(r, i, 7), NULL, 10);
		q->cycle = PQgetvalue(r, i, 8)[0] == 't';
		q->owned_table = dup_or_null(r, i, 9);
		q->owned_column = dup_or_null(r, i, 10);
		q->identity = !PQgetisnull(r, i, 11) && PQgetvalue(r, i, 11)[0] == 'i';
		if (!strlist_has(&s->schemas, q->schema))
			strlist_push(&s->schemas, q->schema);
		/* Sequences are not transactional: this is the value now, which
		 * is at least the value at the snapshot. */
		strbuf_reset(&sql);
		strbuf_addstr(&sql, "SELECT last_value, is_called FROM ");
		pg_quote_qualified(&sql, q->schema, q->name);
		v = PQexec(c->pg, sql.buf);
		if (PQresultStatus(v) != PGRES_TUPLES_OK) {
			pg_fail(c, v, err, "reading sequence %s.%s", q->schema, q->name);
			goto out;
		}
		q->last_value = strtoll(PQgetvalue(v, 0, 0), NULL, 10);
		q->is_called = PQgetvalue(v, 0, 1)[0] == 't';
		PQclear(v);
	}
	ret = 0;
out:
	PQclear(r);
	strbuf_release(&sql);
	return ret;
}

static int
read_types(struct db_conn *c, struct schema_model *s, struct dberr *err)
{
	PGresult *r;
	struct enum_type *cur = NULL;
	unsigned long curoid = 0;

	r = pg_query(c, "SELECT t.oid, n.nspname, t.typname, e.enumlabel "
		     "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
		     "JOIN pg_enum e ON e.enumtypid = t.oid "
		     "WHERE t.typtype = 'e' AND " USER_NS_FILTER("n") " AND "
		     NOT_EXTENSION("pg_type", "t.oid")
		     " ORDER BY t.oid, e.enumsortorder", 0, NULL, err);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		unsigned long oid = strtoul(PQgetvalue(r, i, 0), NULL, 10);

		if (!cur || oid != curoid) {
			cur = schema_add_enum(s);
			cur->schema = xstrdup(PQgetvalue(r, i, 1));
			cur->name = xstrdup(PQgetvalue(r, i, 2));
			curoid = oid;
			if (!strlist_has(&s->schemas, cur->schema))
				strlist_push(&s->schemas, cur->schema);
		}
		strlist_push(&cur->labels, PQgetvalue(r, i, 3));
	}
	PQclear(r);

	r = pg_query(c, "SELECT t.oid, n.nspname, t.typname, "
		     "format_type(t.typbasetype, t.typtypmod), "
		     "pg_get_expr(t.typdefaultbin, 0), t.typnotnull, co.conname, "
		     "pg_get_constraintdef(co.oid) "
		     "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
		     "LEFT JOIN pg_constraint co ON co.contypid = t.oid AND co.contype = 'c' "
		     "WHERE t.typtype = 'd' AND " USER_NS_FILTER("n") " AND "
		     NOT_EXTENSION("pg_type", "t.oid")
		     " ORDER BY t.oid, co.conname", 0, NULL, err);
	if (!r)
		return -1;
	curoid = 0;
	{
		struct domain *d = NULL;

		for (int i = 0; i < PQntuples(r); i++) {
			unsigned long oid = strtoul(PQgetvalue(r, i, 0), NULL, 10);

			if (!d || oid != curoid) {
				d = schema_add_domain(s);
				d->schema = xstrdup(PQgetvalue(r, i, 1));
				d->name = xstrdup(PQgetvalue(r, i, 2));
				d->base_type = xstrdup(PQgetvalue(r, i, 3));
				d->default_expr = dup_or_null(r, i, 4);
				d->not_null = PQgetvalue(r, i, 5)[0] == 't';
				curoid = oid;
				if (!strlist_has(&s->schemas, d->schema))
					strlist_push(&s->schemas, d->schema);
			}
			if (!PQgetisnull(r, i, 6)) {
				strlist_push(&d->check_names, PQgetvalue(r, i, 6));
				strlist_push(&d->checks, PQgetvalue(r, i, 7));
			}
		}
	}
	PQclear(r);
	return 0;
}

/*
 * Objects this version does not carry: views, materialized views,
 * functions and procedures, triggers, row-level security policies,
 * extensions and foreign tables. Each is named in a warning, in the
 * report and the manifest, never dropped without a word.
 */
/* User-defined range types, as "type" objects created before the tables:
 * CREATE TYPE ... AS RANGE with the subtype, its opclass and collation
 * when not the default, its difference function when PostgreSQL's own,
 * and (14 and later) its multirange's name. A canonical function, or a
 * difference function of the user's, would have to exist first: such a
 * type is reported instead (definition NULL). */
static void
range_types_sql(struct db_conn *c, struct strbuf *q)
{
	strbuf_addstr(q, "UNION ALL SELECT 'type', n.nspname, t.typname, "
		      "CASE WHEN r.rngcanonical = 0 AND (r.rngsubdiff = 0 OR (SELECT pn.nspname "
		      "  FROM pg_proc dp JOIN pg_namespace pn ON pn.oid = dp.pronamespace "
		      "  WHERE dp.oid = r.rngsubdiff) = 'pg_catalog') THEN "
		      "format('CREATE TYPE %I.%I AS RANGE (subtype = %s', n.nspname, t.typname, "
		      "  format_type(r.rngsubtype, NULL)) || "
		      "CASE WHEN NOT opc.opcdefault THEN format(', subtype_opclass = %I.%I', "
		      "  opn.nspname, opc.opcname) ELSE '' END || "
		      "CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN "
		      "  (SELECT format(', collation = %I.%I', cn.nspname, co.collname) FROM pg_collation co "
		      "   JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = r.rngcollation) "
		      "  ELSE '' END || "
		      "CASE WHEN r.rngsubdiff <> 0 THEN format(', subtype_diff = %s', "
		      "  (SELECT dp.proname FROM pg_proc dp WHERE dp.oid = r.rngsubdiff)) ELSE '' END || ");
	if (PQserverVersion(c->pg) >= 140000)
		strbuf_addstr(q, "(SELECT format(', multirange_type_name = %I.%I', mn.nspname, mt.typname) "
			      "  FROM pg_type mt JOIN pg_namespace mn ON mn.oid = mt.typnamespace "
			      "  WHERE mt.oid = r.rngmultitypid) || ");
	strbuf_addstr(q, "')' END, 0, t.oid::int8 "
		      "FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid "
		      "JOIN pg_namespace n ON n.oid = t.typnamespace "
		      "JOIN pg_type st ON st.oid = r.rngsubtype "
		      "JOIN pg_opclass opc ON opc.oid = r.rngsubopc "
		      "JOIN pg_namespace opn ON opn.oid = opc.opcnamespace "
		      "WHERE " USER_NS_FILTER("n") " AND " NOT_EXTENSION("pg_type", "t.oid") " ");
}

static int
read_not_carried(struct db_conn *c, struct schema_model *s, struct dberr *err)
{
	PGresult *r;
	struct strbuf q = STRBUF_INIT;

	/* ord: functions before views before triggers, the order a load
	 * recreates them in; rtrim drops pg_get_viewdef's final ';'. */
	strbuf_addstr(&q, "SELECT kind, nsp, name, def FROM ("
		     "SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' "
		     "  ELSE 'foreign table' END AS kind, n.nspname AS nsp, c.relname AS name, "
		     "  CASE c.relkind WHEN 'f' THEN NULL ELSE 'CREATE ' || "
		     "  CASE c.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END || 'VIEW ' || "
		     "  quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' AS ' || "
		     "  rtrim(pg_get_viewdef(c.oid), ';') END AS def, 2 AS ord, c.oid::int8 AS o "
		     "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		     "WHERE c.relkind IN ('v', 'm', 'f') AND " USER_NS_FILTER("n") " AND "
		     NOT_EXTENSION("pg_class", "c.oid") " "
		     "UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' "
		     "  ELSE 'function' END, n.nspname, p.proname, "
		     "  CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END, 1, p.oid::int8 "
		     "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
		     "WHERE p.prokind <> 'a' AND " USER_NS_FILTER("n") " AND "
		     NOT_EXTENSION("pg_proc", "p.oid") " AND " NOT_INTERNAL("pg_proc", "p.oid") " "
		     "UNION ALL SELECT 'trigger', n.nspname, c.relname || '.' || t.tgname, "
		     "  pg_get_triggerdef(t.oid), 3, t.oid::int8 "
		     "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
		     "JOIN pg_namespace n ON n.oid = c.relnamespace "
		     "WHERE NOT t.tgisinternal AND " USER_NS_FILTER("n") " "
		     /* extensions and composite types a table may use: created
		      * before the tables on a PostgreSQL target */
		     "UNION ALL SELECT 'extension', n.nspname, e.extname, "
		     "  format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I', e.extname, n.nspname), "
		     "  0, e.oid::int8 FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
		     "WHERE e.extname <> 'plpgsql' "
		     "UNION ALL SELECT 'type', n.nspname, t.typname, "
		     "  format('CREATE TYPE %I.%I AS (%s)', n.nspname, t.typname, "
		     "    (SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), "
		     "     ', ' ORDER BY a.attnum) FROM pg_attribute a "
		     "     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)), "
		     "  0, t.oid::int8 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
		     "JOIN pg_class c ON c.oid = t.typrelid "
		     "WHERE t.typtype = 'c' AND c.relkind = 'c' AND " USER_NS_FILTER("n") " AND "
		     NOT_EXTENSION("pg_type", "t.oid") " ");
	range_types_sql(c, &q);
	pg_more_objects_sql(c, &q);
	pg_owner_objects_sql(&q);
	strbuf_addstr(&q, ") x ORDER BY ord, o");
	r = pg_query(c, q.buf, 0, NULL, err);
	strbuf_release(&q);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		struct strbuf w = STRBUF_INIT;
		const char *kind = PQgetvalue(r, i, 0);

		if (PQgetisnull(r, i, 3)) {
			strbuf_addf(&w, "%s %s%s%s: not carried by this version of dbmig; "
				    "recreate on the target by hand", kind, PQgetvalue(r, i, 1),
				    *PQgetvalue(r, i, 1) ? "." : "", PQgetvalue(r, i, 2));
			strlist_push(&s->warnings, w.buf);
		} else {
			struct db_object *o = schema_add_object(s);

			o->kind = xstrdup(kind);
			o->schema = xstrdup(PQgetvalue(r, i, 1));
			o->name = xstrdup(PQgetvalue(r, i, 2));
			o->definition = xstrdup(PQgetvalue(r, i, 3));
		}
		strbuf_release(&w);
	}
	PQclear(r);
	return 0;
}

int
pg_schema_read(struct db_conn *c, const struct schema_filter *f,
	       struct schema_model *s, struct dberr *err)
{
	struct strbuf oids = STRBUF_INIT;
	struct oidmap *map = NULL;
	int ret = -1;

	s->source_engine = xstrdup("postgresql");
	if (read_tables(c, f, s, &oids, &map, err) < 0 ||
	    read_columns(c, f, s, oids.buf, map, err) < 0 ||
	    read_constraints(c, s, oids.buf, map, err) < 0 ||
	    read_indexes(c, s, oids.buf, map, err) < 0 ||
	    read_sequences(c, f, s, err) < 0 ||
	    read_types(c, s, err) < 0 ||
	    read_not_carried(c, s, err) < 0)
		goto out;
	for (int i = 0; i < s->ntables; i++)
		if (s->tables[i].ncols == 0) {
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "table %s.%s has no columns", s->tables[i].schema,
				    s->tables[i].name);
			strlist_push(&s->warnings, w.buf);
			strbuf_release(&w);
		}
	ret = 0;
out:
	free(map);
	strbuf_release(&oids);
	return ret;
}
