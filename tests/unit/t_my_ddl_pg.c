/*
 * t_my_ddl_pg.c - the PostgreSQL -> MySQL DDL translator
 * (lib/mysql/my_ddl_pg.c), type by type, with the choices that depend on
 * keys and options (text in a key, unbounded numeric, uuid as binary),
 * the transforms recorded, and serial as AUTO_INCREMENT with its
 * sequence step.
 */
#include "ddl_fixture.h"

static void
test_my_ddl_pg__every_type(void)
{
	static const struct type_row rows[] = {
		{ "boolean", NT_BOOL, -1, -1, -1, -1, "tinyint(1)" },
		{ "smallint", NT_INT16, -1, -1, -1, -1, "smallint" },
		{ "integer", NT_INT32, -1, -1, -1, -1, "int" },
		{ "bigint", NT_INT64, -1, -1, -1, -1, "bigint" },
		{ "numeric(12,3)", NT_DECIMAL, -1, 12, 3, -1, "decimal(12,3)" },
		{ "real", NT_FLOAT32, -1, -1, -1, -1, "float" },
		{ "double precision", NT_FLOAT64, -1, -1, -1, -1, "double" },
		{ "character(4)", NT_CHAR, 4, -1, -1, -1, "char(4)" },
		{ "character varying(30)", NT_VARCHAR, 30, -1, -1, -1, "varchar(30)" },
		{ "text", NT_TEXT, -1, -1, -1, -1, "longtext" },
		{ "bytea", NT_BYTES, -1, -1, -1, -1, "longblob" },
		{ "date", NT_DATE, -1, -1, -1, -1, "date" },
		{ "time(3) without time zone", NT_TIME, -1, -1, -1, 3, "time(3)" },
		{ "timestamp without time zone", NT_TIMESTAMP, -1, -1, -1, -1, "datetime(6)" },
		{ "timestamp with time zone", NT_TIMESTAMPTZ, -1, -1, -1, 0, "datetime(0)" },
		{ "interval", NT_INTERVAL, -1, -1, -1, -1, "varchar(64)" },
		{ "uuid", NT_UUID, -1, -1, -1, -1, "char(36)" },
		{ "jsonb", NT_JSONB, -1, -1, -1, -1, "json" },
		{ "inet", NT_INET, -1, -1, -1, -1, "varchar(43)" },
		{ "macaddr", NT_MACADDR, -1, -1, -1, -1, "varchar(17)" },
	};

	CHECK(check_type_rows(&drv_mysql, "postgresql", rows, sizeof(rows) / sizeof(rows[0]),
			      '`') == 0);
}

static void
test_my_ddl_pg__keys_options_and_transforms(void)
{
	struct schema_model m;
	struct ddl_plan p;
	struct dberr err = DBERR_INIT;
	struct table *t;
	struct column *k, *u, *n;

	model_init(&m, "postgresql");
	t = model_table(&m, "t");
	k = model_column(t, "k", "text", NT_TEXT);
	u = model_column(t, "u", "uuid", NT_UUID);
	u->type.length = 16;		/* load --uuid=binary */
	n = model_column(t, "n", "numeric", NT_DECIMAL);
	model_key(t, 'p', "t_pkey", "k", "PRIMARY KEY (k)");
	(void)k;
	(void)n;
	memset(&p, 0, sizeof(p));
	/* unbounded numeric needs a choice */
	CHECK(drv_mysql.target->ddl_plan(&m, &p, &err) == -1 && err.cls == DBERR_UNSUPPORTED);
	CHECK(strstr(err.msg, "--unbounded-numeric") != NULL);
	ddl_plan_release(&p);
	memset(&p, 0, sizeof(p));
	p.unbounded_numeric = 3;
	CHECK(drv_mysql.target->ddl_plan(&m, &p, &err) == 0);
	CHECK(plan_has(&p, DDL_PRE_DATA, "`k` varchar(768)"));
	CHECK(plan_has(&p, DDL_PRE_DATA, "`u` binary(16)"));
	CHECK(plan_has(&p, DDL_PRE_DATA, "`n` varchar(1000)"));
	CHECK(plan_has(&p, DDL_PRE_DATA, "PRIMARY KEY (`k`)"));
	CHECK(plan_has(&p, DDL_PRE_DATA, "COLLATE=utf8mb4_bin"));
	CHECK(plan_xform(&p, "t", "u") == XF_UUID_BINARY);
	CHECK(plan_xform(&p, "t", "k") == 0);
	ddl_plan_release(&p);
	schema_release(&m);
}

static void
test_my_ddl_pg__serial_becomes_auto_increment(void)
{
	struct schema_model m;
	struct ddl_plan p;
	struct dberr err = DBERR_INIT;
	struct table *t;
	struct column *id;
	struct sequence *q;

	model_init(&m, "postgresql");
	t = model_table(&m, "t");
	id = model_column(t, "id", "integer", NT_INT32);
	id->default_expr = xstrdup("nextval('app.t_id_seq'::regclass)");
	id->not_null = 1;
	model_key(t, 'p', "t_pkey", "id", "PRIMARY KEY (id)");
	q = schema_add_sequence(&m);
	q->schema = xstrdup("app");
	q->name = xstrdup("t_id_seq");
	q->data_type = xstrdup("integer");
	q->owned_table = xstrdup("app.t");
	q->owned_column = xstrdup("id");
	q->last_value = 41;
	q->is_called = 1;
	memset(&p, 0, sizeof(p));
	CHECK(drv_mysql.target->ddl_plan(&m, &p, &err) == 0);
	CHECK(drv_mysql.target->sequences_plan(&m, &p, &err) == 0);
	CHECK(plan_has(&p, DDL_PRE_DATA, "`id` int NOT NULL AUTO_INCREMENT"));
	CHECK(plan_has(&p, DDL_PRE_DATA, " AUTO_INCREMENT=42"));
	CHECK(plan_has(&p, DDL_POST_SEQ, "ALTER TABLE `t` AUTO_INCREMENT = 42"));
	ddl_plan_release(&p);
	/* not yet called: the next value is the last one */
	q->is_called = 0;
	memset(&p, 0, sizeof(p));
	CHECK(drv_mysql.target->sequences_plan(&m, &p, &err) == 0);
	CHECK(plan_has(&p, DDL_POST_SEQ, "AUTO_INCREMENT = 41"));
	ddl_plan_release(&p);
	schema_release(&m);
}

/* A nextval() default on a sequence the column does not own, qualified
 * or quoted as PostgreSQL prints it, still makes AUTO_INCREMENT. */
static void
test_my_ddl_pg__unowned_nextval(void)
{
	static const char *const defaults[][3] = {
		{ "nextval('other.s'::regclass)", "other", "s" },
		{ "nextval('\"Weird \"\"Seq\"'::regclass)", "app", "Weird \"Seq" },
		{ "nextval('\"Sch\".\"Q.q\"'::regclass)", "Sch", "Q.q" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		struct schema_model m;
		struct ddl_plan p;
		struct dberr err = DBERR_INIT;
		struct table *t;
		struct column *id;
		struct sequence *q;

		model_init(&m, "postgresql");
		t = model_table(&m, "t");
		id = model_column(t, "id", "integer", NT_INT32);
		id->default_expr = xstrdup(defaults[i][0]);
		model_key(t, 'p', "t_pkey", "id", "PRIMARY KEY (id)");
		q = schema_add_sequence(&m);
		q->schema = xstrdup(defaults[i][1]);
		q->name = xstrdup(defaults[i][2]);
		q->data_type = xstrdup("bigint");
		q->increment = 5;
		q->last_value = 100;
		q->is_called = 1;
		memset(&p, 0, sizeof(p));
		CHECK(drv_mysql.target->ddl_plan(&m, &p, &err) == 0);
		CHECK(drv_mysql.target->sequences_plan(&m, &p, &err) == 0);
		CHECK(plan_has(&p, DDL_PRE_DATA, "`id` int AUTO_INCREMENT"));
		CHECK(plan_has(&p, DDL_POST_SEQ, "AUTO_INCREMENT = 105"));
		ddl_plan_release(&p);
		schema_release(&m);
	}
}

static int
note_has(const struct ddl_plan *p, const char *needle)
{
	for (size_t i = 0; i < p->notes.n; i++)
		if (strstr(p->notes.v[i], needle))
			return 1;
	fprintf(stderr, "  no note '%s'\n", needle);
	return 0;
}

/* What the target's version cannot do is said by the plan, not found by
 * a failing statement: CHECKs MySQL 5.7 would ignore, expression
 * defaults before 8.0.13, sequences outside MariaDB 10.3. */
static void
test_my_ddl_pg__target_versions(void)
{
	static const char *const versions[] = {
		"5.7.44-log", "8.0.36", "10.1.48-MariaDB", "10.11.6-MariaDB-0+deb12u1",
	};
	/* carried: check, UTC default, sequence */
	static const int carried[][3] = { { 0, 0, 0 }, { 1, 1, 0 }, { 0, 0, 0 }, { 1, 1, 1 } };

	for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
		struct schema_model m;
		struct ddl_plan p;
		struct dberr err = DBERR_INIT;
		struct table *t;
		struct column *c;
		struct sequence *q;

		model_init(&m, "postgresql");
		t = model_table(&m, "t");
		model_column(t, "id", "integer", NT_INT32);
		c = model_column(t, "at", "timestamp with time zone", NT_TIMESTAMPTZ);
		c->default_expr = xstrdup("now()");
		model_key(t, 'c', "t_id_check", "id", "CHECK ((id > 0))");
		q = schema_add_sequence(&m);
		q->schema = xstrdup("app");
		q->name = xstrdup("lonely");
		q->data_type = xstrdup("bigint");
		q->last_value = 7;
		memset(&p, 0, sizeof(p));
		p.target_version = versions[v];
		CHECK(drv_mysql.target->ddl_plan(&m, &p, &err) == 0);
		if (carried[v][0])
			CHECK(plan_has(&p, DDL_POST_OBJECTS, "CHECK (((`id` > 0)))"));
		else
			CHECK(note_has(&p, "check constraint t_id_check is not carried: MySQL"));
		if (carried[v][1])
			CHECK(plan_has(&p, DDL_PRE_DATA, "DEFAULT (UTC_TIMESTAMP(6))"));
		else
			CHECK(note_has(&p, "default 'now()' is not carried (expression defaults need "
				       "MySQL 8.0.13 or MariaDB 10.2)"));
		if (carried[v][2])
			CHECK(plan_has(&p, DDL_POST_OBJECTS, "CREATE SEQUENCE IF NOT EXISTS `lonely` START WITH 7"));
		else
			CHECK(note_has(&p, "sequence app.lonely (last value 7, not yet called) is not migrated"));
		ddl_plan_release(&p);
		schema_release(&m);
	}
}

int
main(void)
{
	TEST_RUN(test_my_ddl_pg__every_type);
	TEST_RUN(test_my_ddl_pg__keys_options_and_transforms);
	TEST_RUN(test_my_ddl_pg__serial_becomes_auto_increment);
	TEST_RUN(test_my_ddl_pg__unowned_nextval);
	TEST_RUN(test_my_ddl_pg__target_versions);
	return TEST_REPORT();
}
