/*
 * schema.h - the neutral schema model: what a dump records about the
 * source's objects, and what a target driver turns into DDL.
 *
 * Names are stored unquoted, exactly as the source spells them. SQL
 * fragments (defaults, constraint and index definitions) are kept in the
 * source's dialect together with source_engine, so a same-engine load can
 * replay them verbatim and a cross-engine load knows it must translate.
 */
#ifndef DBMIG_SCHEMA_H
#define DBMIG_SCHEMA_H

#include <stdint.h>

#include "dberr.h"
#include "types.h"
#include "util.h"

struct column {
	char *name;
	char *native_type;	/* source spelling, e.g. "character varying(20)" */
	struct ntype_desc type;
	int not_null;
	char *default_expr;	/* source-dialect expression, or NULL */
	char identity;		/* 0, 'a' (ALWAYS) or 'd' (BY DEFAULT) */
	char *generated_expr;	/* stored generated column, or NULL */
	char *comment;		/* or NULL */
	char *unmapped_from;	/* carried as text from this type, or NULL */
	char *collation;	/* quoted, qualified; NULL for the type's default */
	int on_update_now;	/* MySQL ON UPDATE CURRENT_TIMESTAMP */
	/* The longest value of text or binary in a key that the dump saw,
	 * in characters (bytes for binary), so a key toward MySQL is sized
	 * from the data; has_max_len 0 when unknown. */
	int has_max_len;
	int64_t max_len;
	/* cdc-tail, at run time: the target's table has no such column
	 * (added on the source since the load) */
	int absent_on_target;
	unsigned xform;		/* enum column_xform: how a load converts the
				 * values (set by load; see xform.h) */
	/* What the dump saw in the values, for mappings that depend on the
	 * data (MySQL tinyint(1) as boolean, TIME beyond a day, zero dates). */
	struct col_profile {
		int done;		/* the values were looked at */
		uint64_t zero_dates;	/* MySQL zero or zero-in-date values */
		int only_0_1;		/* every non-NULL value is 0 or 1 */
		int outside_day;	/* a TIME below 0 or beyond 24:00:00 */
	} profile;
};

struct constraint {
	char *name;
	char kind;		/* 'p' primary key, 'u' unique, 'f' foreign, 'c' check */
	char *definition;	/* source dialect, e.g. "PRIMARY KEY (id)" */
	struct strlist columns;	/* 'p'/'u'/'f': the constrained columns */
	char *ref_table;	/* 'f': "schema.table" referenced */
};

struct index {
	char *name;
	char *definition;	/* source dialect CREATE INDEX statement */
	int unique;
	struct strlist columns;	/* MySQL: key columns in order */
	char *method;		/* MySQL: BTREE, HASH, FULLTEXT, SPATIAL */
	int prefix;		/* MySQL: some column is indexed by a prefix */
};

struct chunk {
	char *file;		/* name inside the dump directory */
	uint64_t rows;		/* rows in the chunk */
	uint64_t bytes;		/* size of the compressed file */
	uint64_t raw_bytes;	/* size of the canonical stream */
	char checksum[33];	/* XXH3-128 of the canonical stream, hex */
	char file_checksum[17];	/* XXH3-64 of the compressed file, hex */
};

struct table {
	char *schema, *name;
	struct column *cols;
	int ncols;
	struct constraint *cons;
	int ncons;
	struct index *idx;
	int nidx;
	char *comment;		/* or NULL */
	char *native_ddl;	/* the source's own CREATE TABLE (MySQL), or NULL */
	/* PostgreSQL declarative partitioning: a partitioned table holds no
	 * rows of its own (its leaves do) */
	char *partition_key;	/* "RANGE (created)" for a partitioned table, or NULL */
	char *partition_of;	/* "schema.parent" for a partition, or NULL */
	char *partition_bound;	/* "FOR VALUES FROM (...) TO (...)", "DEFAULT" */
	int64_t est_bytes;	/* size estimate from the source, for scheduling */
	int64_t est_rows;	/* the server's row estimate, for progress; -1 unknown */
	struct chunk *chunks;
	int nchunks;
	uint64_t rows;		/* rows dumped, sum over chunks */
	/* cdc-tail: not on the source any more (dropped or renamed since
	 * the dump), described from its change stream: 1, then 2 once its
	 * changes go to the target's table, 3 once they are skipped */
	int cdc_gone;
	/* cdc-tail: the target has no such table */
	int cdc_not_on_target;
};

struct sequence {
	char *schema, *name;
	char *data_type;	/* "bigint", "integer", "smallint" */
	int64_t start, increment, min, max, cache;
	int cycle;
	int64_t last_value;
	int is_called;
	char *owned_table;	/* "schema.table" or NULL */
	char *owned_column;	/* or NULL */
	int identity;		/* 1 when it backs an identity column */
};

struct enum_type {
	char *schema, *name;
	struct strlist labels;	/* in sort order */
};

struct domain {
	char *schema, *name;
	char *base_type;	/* source spelling */
	char *default_expr;	/* or NULL */
	int not_null;
	struct strlist check_names;
	struct strlist checks;	/* "CHECK (...)", parallel to check_names */
};

/* A view, routine, trigger or event: kept by definition, recreated where
 * the target accepts it, reported where it does not. */
struct db_object {
	char *kind;		/* "view", "materialized view", "function", ... */
	char *schema, *name;	/* name may be "table.trigger" for triggers */
	char *definition;	/* source-dialect CREATE statement, or NULL */
};

struct schema_model {
	char *source_engine;		/* "postgresql" */
	struct strlist schemas;		/* namespaces holding dumped objects */
	struct table *tables;
	int ntables;
	struct sequence *seqs;
	int nseqs;
	struct enum_type *enums;
	int nenums;
	struct domain *domains;
	int ndomains;
	struct strlist warnings;	/* what was not carried, and why */
	struct db_object *objects;
	int nobjects;
};

void schema_release(struct schema_model *s);
/* Appends a zeroed element and returns it. */
struct table *schema_add_table(struct schema_model *s);
struct column *table_add_column(struct table *t);
struct constraint *table_add_constraint(struct table *t);
struct index *table_add_index(struct table *t);
struct chunk *table_add_chunk(struct table *t);
struct sequence *schema_add_sequence(struct schema_model *s);
struct enum_type *schema_add_enum(struct schema_model *s);
struct domain *schema_add_domain(struct schema_model *s);
struct db_object *schema_add_object(struct schema_model *s);

/* 1 when column name of t is in a key that needs it whole (primary,
 * unique or foreign key, unique index). */
int table_column_in_key(const struct table *t, const char *name);

/* The table whose "schema.name" is qual, or NULL. Borrowed. */
struct table *schema_find_table(const struct schema_model *s, const char *qual);
/* The root of the partition tree t is in (t itself for a table that is
 * no partition, or whose parent the model lacks). Borrowed. */
const struct table *schema_partition_root(const struct schema_model *s,
					  const struct table *t);

/* A column whose type has no neutral mapping, carried as text on request:
 * records the native type and a warning in s. */
void column_carry_as_text(struct schema_model *s, const struct table *t,
			  struct column *col);

/* 1 when s is only a type name as the engines print them, and so safe
 * to paste into DDL: words, digits, spaces, . [ ] $, balanced
 * parentheses with commas only inside them, and quoted parts ("a ""b""",
 * 'it''s' as in MySQL's enum labels) whose quotes close where they
 * should. "integer); DROP TABLE t; --" and "int, x int" are not. */
int schema_type_name_ok(const char *s);

/* The columns without a neutral mapping that a schema reader met. */
struct unmapped_cols {
	int n;			/* not carried */
	struct strbuf first;	/* "schema.table.column has type 'x'" */
};
#define UNMAPPED_COLS_INIT { 0, STRBUF_INIT }
/* col's type has no neutral mapping: carried as text when as_text, else
 * counted in u. */
void schema_unmapped_column(struct schema_model *s, const struct table *t,
			    struct column *col, int as_text, struct unmapped_cols *u);
/* After reading: -1 with err (DBERR_UNSUPPORTED) naming the first column
 * that was not carried, else 0. Releases u either way. */
int schema_unmapped_check(struct unmapped_cols *u, struct dberr *err);

/* The columns that carry data (all but generated ones): their types into
 * types (room for t->ncols), and their count. */
int table_data_types(const struct table *t, const struct ntype_desc **types);
/* The name of the i-th data column; borrowed. */
const char *table_data_column_name(const struct table *t, int i);

/* The first of patterns (-t) that matches no table of m, or NULL: like
 * pg_dump, a typo in a table name is an error, not an empty success. */
const char *schema_unmatched_pattern(const struct schema_model *m,
				     const struct strlist *patterns);
/* The refusal for it: DBERR_USAGE naming the pattern; returns -1. */
int schema_unmatched_error(const char *pattern, struct dberr *err);

/* "schema.name" into sb (unquoted, for messages and patterns). */
void table_qualname(const struct table *t, struct strbuf *sb);

/* Shell-style pattern matching of a table against -t/-T patterns: a
 * pattern with a dot matches "schema.table", one without matches the
 * table name in any schema. */
int table_matches(const char *schema, const char *name, const char *pattern);

#endif
