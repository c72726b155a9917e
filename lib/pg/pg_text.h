/*
 * pg_text.h - PostgreSQL text representations <-> canonical payloads.
 *
 * The PostgreSQL driver reads with COPY ... TO STDOUT (text format) in a
 * session pinned to DateStyle=ISO, TimeZone=UTC, IntervalStyle=iso_8601,
 * extra_float_digits=3 and bytea_output=hex, and writes with COPY FROM
 * STDIN under the same settings. These pure functions do the conversions
 * in between; they need no server, so the unit tests cover them.
 */
#ifndef DBMIG_PG_TEXT_H
#define DBMIG_PG_TEXT_H

#include <stddef.h>

#include "lib/base/types.h"
#include "lib/base/util.h"

/* Splits one COPY text line (without its '\n') into fields, unescaping
 * each. Returns the field count, or -1 when the count differs from
 * ncols. fields[i] is NULL for \N; otherwise a pointer into buf with
 * lens[i] bytes. buf is reset and reused. */
int pgcopy_split(const char *line, size_t n, int ncols, struct strbuf *buf,
		 const char **fields, size_t *lens);

/* Appends p[0..n) escaped for COPY text format. */
void pgcopy_escape(struct strbuf *out, const char *p, size_t n);

/* PostgreSQL text output of a value of type d -> canonical payload.
 * Returns 0, or -1 with emsg filled. */
int pg_text_to_canon(const struct ntype_desc *d, const char *s, size_t n,
		     struct strbuf *out, char *emsg, size_t emsz);

/* Canonical payload -> PostgreSQL text input for type d (unescaped).
 * Returns 0; 1 when the value must load as NULL (a MySQL zero date,
 * which the DDL plan reports); or -1 with emsg filled. */
int pg_canon_to_text(const struct ntype_desc *d, const unsigned char *p,
		     size_t n, struct strbuf *out, char *emsg, size_t emsz);

/* Maps a PostgreSQL base type to a neutral type. typname and typtype come
 * from pg_type (after resolving domains); for arrays, elem_* describe the
 * element type. Returns 0, or -1 when the type has no mapping. */
int pg_type_to_ntype(const char *typname, char typtype, int typmod,
		     const char *elem_typname, char elem_typtype,
		     struct ntype_desc *out);



/* Appends name as a double-quoted identifier. */
void pg_quote_ident(struct strbuf *sb, const char *name);
/* Appends "schema"."name". */
void pg_quote_qualified(struct strbuf *sb, const char *schema, const char *name);
/* Appends s as a single-quoted literal (standard_conforming_strings). */
void pg_quote_literal(struct strbuf *sb, const char *s);

/* 1 when the server version string v ("15.18 (Debian ...)", "9.6.24") is
 * at least want (as 120000); 1 for NULL or what it cannot read. */
int pg_version_at_least(const char *v, int want);
#endif
