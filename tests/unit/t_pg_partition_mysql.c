/*
 * t_pg_partition_mysql.c - MySQL partitioning, as SHOW CREATE TABLE
 * prints it (MariaDB plain, MySQL inside version comments), as
 * PostgreSQL declarative partitions (lib/pg/pg_partition_mysql.c).
 */
#include "tinytest.h"

#include <string.h>

#include "ddl_fixture.h"
#include "lib/pg/pg_int.h"

static void
model_ddl(struct schema_model *m, const char *ddl)
{
	struct table *t;

	model_init(m, "mysql");
	t = model_table(m, "t");
	model_column(t, "id", "int(11)", NT_INT32);
	model_column(t, "d", "date", NT_DATE);
	model_column(t, "flag", "tinyint(1)", NT_INT16);
	model_key(t, 'p', "PRIMARY", "id", "PRIMARY KEY (id)");
	t->native_ddl = xstrdup(ddl);
}

/* 1 when the table is partitioned with key and exactly parts. */
static int
translates(const char *ddl, const char *key, const char *parts)
{
	struct schema_model m;
	struct strbuf k = STRBUF_INIT, p = STRBUF_INIT, why = STRBUF_INIT;
	int ok;

	model_ddl(&m, ddl);
	ok = pg_partition_from_mysql(&m, &m.tables[0], "\"app\".\"t\"", &k, &p, &why) == 1 &&
	     !strcmp(strbuf_cstr(&k), key) && !strcmp(strbuf_cstr(&p), parts);
	if (!ok)
		fprintf(stderr, "    got '%s' '%s' (%s)\n", strbuf_cstr(&k), strbuf_cstr(&p),
			strbuf_cstr(&why));
	schema_release(&m);
	strbuf_release(&k);
	strbuf_release(&p);
	strbuf_release(&why);
	return ok;
}

static int
stays_one_table(const char *ddl, const char *want_why)
{
	struct schema_model m;
	struct strbuf k = STRBUF_INIT, p = STRBUF_INIT, why = STRBUF_INIT;
	int ok;

	model_ddl(&m, ddl);
	ok = pg_partition_from_mysql(&m, &m.tables[0], "\"app\".\"t\"", &k, &p, &why) == -1 &&
	     strstr(strbuf_cstr(&why), want_why);
	if (!ok)
		fprintf(stderr, "    got '%s' '%s' (%s)\n", strbuf_cstr(&k), strbuf_cstr(&p),
			strbuf_cstr(&why));
	schema_release(&m);
	strbuf_release(&k);
	strbuf_release(&p);
	strbuf_release(&why);
	return ok;
}

#define HEAD "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `d` date NOT NULL,\n" \
	"  PRIMARY KEY (`id`,`d`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

static void
test_pg_partition_mysql__forms(void)
{
	/* MariaDB */
	CHECK(translates(HEAD "\n PARTITION BY RANGE  COLUMNS(`d`)\n(PARTITION `a` VALUES LESS "
			 "THAN ('2024-01-01') ENGINE = InnoDB,\n PARTITION `b` VALUES LESS THAN "
			 "(MAXVALUE) ENGINE = InnoDB)",
			 " PARTITION BY RANGE (\"d\")",
			 "CREATE TABLE \"app\".\"t_a\" PARTITION OF \"app\".\"t\" FOR VALUES FROM "
			 "(MINVALUE) TO ('2024-01-01');\nCREATE TABLE \"app\".\"t_b\" PARTITION OF "
			 "\"app\".\"t\" FOR VALUES FROM ('2024-01-01') TO (MAXVALUE);\n"));
	/* MySQL 8: inside a version comment, names bare, MAXVALUE alone */
	CHECK(translates(HEAD "\n/*!50100 PARTITION BY RANGE (`id`)\n(PARTITION p0 VALUES LESS "
			 "THAN (10) ENGINE = InnoDB,\n PARTITION p1 VALUES LESS THAN MAXVALUE "
			 "ENGINE = InnoDB) */",
			 " PARTITION BY RANGE (\"id\")",
			 "CREATE TABLE \"app\".\"t_p0\" PARTITION OF \"app\".\"t\" FOR VALUES FROM "
			 "(MINVALUE) TO (10);\nCREATE TABLE \"app\".\"t_p1\" PARTITION OF \"app\".\"t\" "
			 "FOR VALUES FROM (10) TO (MAXVALUE);\n"));
	CHECK(translates(HEAD "\n/*!50500 PARTITION BY LIST  COLUMNS(id)\n(PARTITION o VALUES IN "
			 "(1,3) ENGINE = InnoDB,\n PARTITION n VALUES IN (NULL) ENGINE = InnoDB) */",
			 " PARTITION BY LIST (\"id\")",
			 "CREATE TABLE \"app\".\"t_o\" PARTITION OF \"app\".\"t\" FOR VALUES IN "
			 "(1, 3);\nCREATE TABLE \"app\".\"t_n\" PARTITION OF \"app\".\"t\" FOR VALUES "
			 "IN (NULL);\n"));
	/* KEY () is the primary key's; PARTITIONS n names them p0.. */
	CHECK(translates(HEAD "\n PARTITION BY LINEAR KEY ()\nPARTITIONS 2",
			 " PARTITION BY HASH (\"id\")",
			 "CREATE TABLE \"app\".\"t_p0\" PARTITION OF \"app\".\"t\" FOR VALUES WITH "
			 "(MODULUS 2, REMAINDER 0);\nCREATE TABLE \"app\".\"t_p1\" PARTITION OF "
			 "\"app\".\"t\" FOR VALUES WITH (MODULUS 2, REMAINDER 1);\n"));
	/* a string with a quote and a backslash, as SHOW CREATE escapes them */
	CHECK(translates(HEAD "\n PARTITION BY LIST  COLUMNS(`d`)\n(PARTITION `q` VALUES IN "
			 "('it''s','a\\\\b') ENGINE = InnoDB)",
			 " PARTITION BY LIST (\"d\")",
			 "CREATE TABLE \"app\".\"t_q\" PARTITION OF \"app\".\"t\" FOR VALUES IN "
			 "('it''s', 'a\\b');\n"));
}

static void
test_pg_partition_mysql__one_table(void)
{
	struct schema_model m;
	struct strbuf k = STRBUF_INIT, p = STRBUF_INIT, why = STRBUF_INIT;

	CHECK(stays_one_table(HEAD "\n PARTITION BY RANGE (year(`d`))\n(PARTITION `a` VALUES "
			      "LESS THAN (2024) ENGINE = InnoDB)", "its key is an expression"));
	CHECK(stays_one_table(HEAD "\n PARTITION BY RANGE  COLUMNS(`d`)\nSUBPARTITION BY HASH "
			      "(`id`)\nSUBPARTITIONS 2\n(PARTITION `a` VALUES LESS THAN "
			      "(MAXVALUE) ENGINE = InnoDB)", "sub-partitions"));
	CHECK(stays_one_table(HEAD "\n PARTITION BY SYSTEM_TIME \n(PARTITION `p_hist` HISTORY "
			      "ENGINE = InnoDB,\n PARTITION `p_cur` CURRENT ENGINE = InnoDB)",
			      "(SYSTEM_TIME) has no PostgreSQL equivalent"));
	CHECK(stays_one_table(HEAD "\n PARTITION BY LIST (`flag`)\n(PARTITION `a` VALUES IN (1) "
			      "ENGINE = InnoDB)", "would not partition by column flag"));
	/* a comment that says PARTITION BY is no partitioning */
	model_ddl(&m, "CREATE TABLE `t` (\n  `id` int(11) NOT NULL COMMENT 'x\n PARTITION BY "
		  "HASH (id)'\n) ENGINE=InnoDB COMMENT='\n PARTITION BY KEY ()'");
	CHECK(pg_partition_from_mysql(&m, &m.tables[0], "t", &k, &p, &why) == 0 && !k.len);
	schema_release(&m);
	strbuf_release(&k);
	strbuf_release(&p);
	strbuf_release(&why);
}

int
main(void)
{
	TEST_RUN(test_pg_partition_mysql__forms);
	TEST_RUN(test_pg_partition_mysql__one_table);
	return TEST_REPORT();
}
