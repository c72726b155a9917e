/*
 * dbz_int.h - what the parts of Debezium's record format share: values
 * (dbz_value.c), schemas (dbz_schema.c), records (cdc_debezium.c).
 */
#ifndef DBMIG_DBZ_INT_H
#define DBMIG_DBZ_INT_H

#include <stdint.h>

#include "lib/cdc/cdc_debezium.h"

/* a / b rounded down (Java's Math.floorDiv) */
int64_t dbz_floor_div(int64_t a, int64_t b);
/* the i-th data column of t (generated ones are not sent) */
const struct column *dbz_data_column(const struct table *t, int i);
/* TIME(p) or TIMESTAMP(p)'s p; 6 without one */
int dbz_precision_of(const struct ntype_desc *d);
const struct constraint *dbz_primary_key(const struct table *t);
/* "<prefix>.<schema>.<table>.<suffix>" */
void dbz_topic_name(const struct dbz_opts *o, const struct cdc_json_ctx *c,
		    const struct table *t, const char *suffix, struct strbuf *out);

/* bytes in the binary handling mode (column_bytes: a bytea column's;
 * otherwise as the JSON converter writes BYTES, base64) */
void dbz_bytes_value(const struct dbz_opts *o, struct strbuf *out, const unsigned char *p,
		     size_t n, int column_bytes);
/* v, of type t (d the column's, an array's for its elements): 0, or -1 */
int dbz_value_json(const struct dbz_opts *o, struct strbuf *out, const struct column *col,
		   enum ntype t, const struct ntype_desc *d, const struct value *v);
/* unavailable.value.placeholder in the column's type */
void dbz_placeholder_json(const struct dbz_opts *o, struct strbuf *out,
			  const struct ntype_desc *d);

/* a struct of t's columns (the key's only, with pk) named name */
void dbz_row_schema(const struct dbz_opts *o, struct strbuf *out, const struct table *t,
		    const struct constraint *pk, const char *name, int optional, const char *field);
/* the value's envelope schema for t */
void dbz_envelope_schema(const struct dbz_opts *o, const struct cdc_json_ctx *c,
			 const struct table *t, struct strbuf *out);

#endif
