/*
 * my_int.h - what the MySQL/MariaDB driver's files share. Nothing outside
 * lib/mysql includes this (or mysql.h).
 */
#ifndef DBMIG_MY_INT_H
#define DBMIG_MY_INT_H

#include <mysql.h>

#include "lib/dump/source.h"
#include "lib/engine/driver.h"
#include "lib/cdc/apply_ops.h"
#include "lib/load/target.h"
#include "lib/verify/verify_ops.h"
#include "my_text.h"

struct db_conn {
	MYSQL *m;
	enum dberr_class side;	/* DBERR_SOURCE or DBERR_TARGET */
	char desc[512];		/* host/port/database/user, never a password */
	char version[96];
	char dbname[256];
	int is_mariadb;
	int locked;		/* holds FLUSH TABLES WITH READ LOCK */
	int no_local_infile;	/* the server refused LOAD DATA LOCAL: INSERT */
	int load_locked;	/* holds the load lock of a dump (ledger_open) */
	/* change apply (my_apply.c): consecutive INSERTs into one table,
	 * gathered into one multi-row statement, and the statements before
	 * it, sent together in one round trip (multi-statements) */
	struct strbuf apply_ins;
	const struct table *apply_ins_t;
	struct strbuf apply_multi;
	struct my_pending {
		char kind;		/* 'D' a DELETE (its count is checked) */
		const struct table *t;
	} *apply_pend;
	int apply_npend, apply_pend_alloc, multi_on;
	unsigned long long max_packet;	/* the server's max_allowed_packet */
};

/* Fills err from the connection's last error, naming context and the
 * next step for the errors we know. Returns -1. */
int my_fail(struct db_conn *c, struct dberr *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs a statement that returns no rows (results are drained). */
int my_exec(struct db_conn *c, const char *sql, struct dberr *err);
/* Runs a query and stores its whole (small) result; NULL on error. */
MYSQL_RES *my_query(struct db_conn *c, const char *sql, struct dberr *err);

int my_schema_read(struct db_conn *c, const struct schema_filter *f,
		   struct schema_model *out, struct dberr *err);
int my_ddl_plan(const struct schema_model *s, struct ddl_plan *plan,
		struct dberr *err);
int my_ddl_plan_from_pg(const struct schema_model *s, struct ddl_plan *plan,
			struct dberr *err);
/* The target role's sequences_plan, its half for PostgreSQL sources, and
 * the one step both add: ALTER TABLE table AUTO_INCREMENT = next_id. */
int my_sequences_plan(const struct schema_model *s, struct ddl_plan *plan, struct dberr *err);
int my_seq_steps_from_pg(const struct schema_model *s, struct ddl_plan *plan,
			 struct dberr *err);
void my_auto_increment_step(struct ddl_plan *plan, const char *table, uint64_t next_id);

/* One value as an INSERT literal (NULL, a number, X'..' or '..'). */
int my_insert_literal(struct strbuf *out, const struct ntype_desc *d, const struct value *v,
		      struct strbuf *txt, char *emsg, size_t emsz);

/* change apply (my_apply.c; target.h) */
/* cutover-plan's step log and last verify (my_cutover.c) */
extern const struct db_cutover_ops my_cutover_ops;
/* The source role's snapshot_export: capture begins with it. */
int my_snapshot_export(struct db_conn *c, int others, struct db_snapshot *snap,
		       struct dberr *err);
extern const struct db_cdc_ops my_cdc_ops;
extern const struct db_driver drv_mysql;

/* The driver's connect, with a read timeout in seconds (0: none): a
 * binlog stream that hears nothing, heartbeats included, for that long
 * has lost its source. */
int my_connect_with(struct db_conn **out, const char *uri, enum dberr_class side,
		    unsigned read_timeout, struct dberr *err);

int my_cdc_state_save(struct db_conn *c, const struct cdc_state *st, int if_absent,
		      struct dberr *err);
struct cdc_lock_holder;
int my_cdc_lock(struct db_conn *c, const char *dump_id, const char *tag,
		struct cdc_lock_holder *h, struct dberr *err);
int my_cdc_state_read(struct db_conn *c, struct cdc_state **out, int *n, struct dberr *err);
struct cdc_hold;
int my_cdc_hold_request(struct db_conn *c, const char *dump_id, const char *request,
			int max_seconds, struct dberr *err);
int my_cdc_hold_answer(struct db_conn *c, const char *dump_id, const char *request,
		       const char *held, struct dberr *err);
int my_cdc_hold_read(struct db_conn *c, const char *dump_id, struct cdc_hold *h,
		     struct dberr *err);
int my_verify_record(struct db_conn *c, const char *dump_id, const char *at, const char *result,
		     uint64_t differences, struct dberr *err);
int my_apply_begin(struct db_conn *c, struct dberr *err);
int my_apply_change(struct db_conn *c, const struct cdc_event *ev, struct dberr *err);
int my_apply_commit(struct db_conn *c, struct dberr *err);
void my_apply_rollback(struct db_conn *c);
int my_apply_mark(struct db_conn *c, int undo, struct dberr *err);

/* copy_out with a tail ("WHERE ... ORDER BY ...") on the table's SELECT;
 * NULL reads the whole table. */
int my_copy_rows(struct db_conn *c, struct table *t, const char *tail,
		 row_sink_fn sink, void *arg, struct dberr *err);

/* verify (the dialect, my_verify.c) */
extern const struct db_verify_ops my_verify_ops;

/* A PostgreSQL partitioned table as MySQL partitioning (my_partition.c):
 * 0 with " PARTITION BY ..." in clause, and in loose what MySQL accepts
 * that PostgreSQL did not (or nothing); -1 with why when it stays one
 * plain table. col_ok says which columns MySQL can partition by. */
int my_partition_clause(const struct schema_model *s, const struct table *root,
			int (*col_ok)(const struct table *, const struct column *), int mariadb,
			struct strbuf *clause, struct strbuf *why, struct strbuf *loose);

/* A PostgreSQL boolean expression (a CHECK's, a domain's with VALUE
 * standing for value_col) in MySQL's words; -1 when a part of it has no
 * sure equivalent (my_expr_pg.c). */
int my_expr_from_pg(const char *expr, const char *value_col, struct strbuf *out);

/* splitting a table for parallel reads (my_split.c) */
int my_key_bounds(struct db_conn *c, const struct table *t, const struct strlist *key,
		  int nparts, struct strlist *bounds, struct dberr *err);
int my_copy_out_range(struct db_conn *c, struct table *t, const struct strlist *key,
		      const char *const *lo, const char *const *hi, row_sink_fn sink,
		      void *arg, struct dberr *err);

#endif
