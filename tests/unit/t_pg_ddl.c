/*
 * t_pg_ddl.c - the PostgreSQL -> PostgreSQL DDL translator
 * (lib/pg/pg_ddl.c): types as the source spelled them, enums, domains,
 * sequences (free-standing, owned and behind identities), check
 * constraints inline, keys and indexes after the rows, foreign keys
 * last, and each sequence's value as a step of its own.
 */
#include "ddl_fixture.h"

static void
test_pg_ddl__types_as_spelled(void)
{
	static const char *const natives[] = {
		"character varying(20)", "numeric(12,2)", "timestamp(3) with time zone",
		"integer[]", "app.mood", "tsvector", "bit varying(8)",
	};
	struct schema_model m;
	struct ddl_plan p;
	struct dberr err = DBERR_INIT;
	struct table *t;

	model_init(&m, "postgresql");
	t = model_table(&m, "t");
	for (size_t i = 0; i < sizeof(natives) / sizeof(natives[0]); i++) {
		char name[8];

		snprintf(name, sizeof(name), "c%zu", i);
		model_column(t, name, natives[i], NT_TEXT);
	}
	memset(&p, 0, sizeof(p));
	CHECK(drv_pg.target->ddl_plan(&m, &p, &err) == 0);
	for (size_t i = 0; i < sizeof(natives) / sizeof(natives[0]); i++) {
		char want[96];

		snprintf(want, sizeof(want), "\"c%zu\" %s", i, natives[i]);
		CHECK(plan_has(&p, DDL_PRE_DATA, want));
	}
	CHECK(p.nxforms == 0);
	CHECK(p.notes.n == 0);
	ddl_plan_release(&p);
	schema_release(&m);
}

static void
test_pg_ddl__objects_in_order(void)
{
	struct schema_model m;
	struct ddl_plan p;
	struct dberr err = DBERR_INIT;
	struct table *t, *c;
	struct enum_type *e;
	struct domain *d;
	struct sequence *q;
	struct column *id;

	model_init(&m, "postgresql");
	e = schema_add_enum(&m);
	e->schema = xstrdup("app");
	e->name = xstrdup("mood");
	strlist_push(&e->labels, "sad");
	strlist_push(&e->labels, "it's ok");
	d = schema_add_domain(&m);
	d->schema = xstrdup("app");
	d->name = xstrdup("pos");
	d->base_type = xstrdup("integer");
	strlist_push(&d->check_names, "pos_check");
	strlist_push(&d->checks, "CHECK (VALUE > 0)");
	q = schema_add_sequence(&m);
	q->schema = xstrdup("app");
	q->name = xstrdup("t_id_seq");
	q->data_type = xstrdup("bigint");
	q->increment = q->start = q->min = q->cache = 1;
	q->max = 1000;
	q->identity = 1;
	q->owned_table = xstrdup("app.t");
	q->owned_column = xstrdup("id");
	q->last_value = 77;
	q->is_called = 1;
	t = model_table(&m, "t");
	id = model_column(t, "id", "bigint", NT_INT64);
	id->identity = 'a';
	id->not_null = 1;
	model_column(t, "m", "app.mood", NT_ENUM);
	model_key(t, 'p', "t_pkey", "id", "PRIMARY KEY (id)");
	model_key(t, 'c', "t_m_check", "m", "CHECK (m <> 'sad')");
	c = model_table(&m, "c");
	model_column(c, "t_id", "bigint", NT_INT64);
	model_key(c, 'f', "c_t_fk", "t_id", "FOREIGN KEY (t_id) REFERENCES app.t(id)")->ref_table =
		xstrdup("app.t");
	memset(&p, 0, sizeof(p));
	CHECK(drv_pg.target->ddl_plan(&m, &p, &err) == 0);
	CHECK(drv_pg.target->sequences_plan(&m, &p, &err) == 0);
	CHECK(plan_has(&p, DDL_PRE_DATA, "CREATE SCHEMA IF NOT EXISTS \"app\";\n"
		       "CREATE TYPE \"app\".\"mood\" AS ENUM ('sad', 'it''s ok');\n"
		       "CREATE DOMAIN \"app\".\"pos\" AS integer CONSTRAINT \"pos_check\" "
		       "CHECK (VALUE > 0);\nCREATE TABLE"));
	CHECK(plan_has(&p, DDL_PRE_DATA, "\"id\" bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE "
		       "NAME \"app\".\"t_id_seq\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 1000 START "
		       "WITH 1 CACHE 1 NO CYCLE) NOT NULL"));
	CHECK(plan_has(&p, DDL_PRE_DATA, "CONSTRAINT \"t_m_check\" CHECK (m <> 'sad')"));
	CHECK(plan_has(&p, DDL_POST_INDEX, "ALTER TABLE ONLY \"app\".\"t\" ADD CONSTRAINT "
		       "\"t_pkey\" PRIMARY KEY (id)"));
	CHECK(plan_has(&p, DDL_POST_FK, "ADD CONSTRAINT \"c_t_fk\" FOREIGN KEY (t_id) "
		       "REFERENCES app.t(id)"));
	CHECK(plan_has(&p, DDL_POST_SEQ, "SELECT pg_catalog.setval('\"app\".\"t_id_seq\"', 77, "
		       "true)"));
	/* keys are tagged with their table, so a load builds them early */
	for (int i = 0; i < p.nsteps; i++)
		if (p.steps[i].phase == DDL_POST_INDEX)
			CHECK(p.steps[i].table && !strcmp(p.steps[i].table, "app.t"));
	ddl_plan_release(&p);
	schema_release(&m);
}

static void
test_pg_ddl__other_sources_go_elsewhere(void)
{
	struct schema_model m;
	struct ddl_plan p;
	struct dberr err = DBERR_INIT;

	model_init(&m, "oracle");
	memset(&p, 0, sizeof(p));
	CHECK(drv_pg.target->ddl_plan(&m, &p, &err) == -1 && err.cls == DBERR_UNSUPPORTED);
	CHECK(strstr(err.msg, "oracle") != NULL);
	ddl_plan_release(&p);
	schema_release(&m);
}

int
main(void)
{
	TEST_RUN(test_pg_ddl__types_as_spelled);
	TEST_RUN(test_pg_ddl__objects_in_order);
	TEST_RUN(test_pg_ddl__other_sources_go_elsewhere);
	return TEST_REPORT();
}
