/*
 * my_text.h - MySQL/MariaDB text forms <-> canonical payloads, the type
 * mapping from information_schema, identifier quoting and the escaping
 * LOAD DATA expects. Pure functions: the unit tests cover them.
 *
 * The driver reads with the text protocol in a session pinned to
 * time_zone '+00:00' and utf8mb4, with FLOAT columns read as
 * CAST(col AS DOUBLE) (the text protocol prints FLOAT with 6 digits),
 * BIT as a string of 0/1 and geometry as WKB, so every value arrives
 * exactly.
 */
#ifndef DBMIG_MY_TEXT_H
#define DBMIG_MY_TEXT_H

#include <stddef.h>

#include "lib/base/types.h"
#include "lib/base/util.h"

/* Maps a column from information_schema.COLUMNS. is_json is set when a
 * MariaDB JSON column (longtext with a json_valid check) was detected.
 * Returns 0, or -1 for a type with no mapping. */
int my_type_to_ntype(const char *data_type, const char *column_type,
		     long long char_len, int num_prec, int num_scale, int dt_prec,
		     int is_json, struct ntype_desc *out);

/* The SELECT expression that reads column `name` of type d exactly. */
void my_select_expr(struct strbuf *sb, const char *name, const struct ntype_desc *d);

int my_text_to_canon(const struct ntype_desc *d, const char *s, size_t n,
		     struct strbuf *out, char *emsg, size_t emsz);
/* Canonical payload -> text that LOAD DATA (or a literal) accepts for a
 * column of type d: 0. Values MySQL cannot hold (NaN, infinities, dates
 * beyond its years) fail (-1, emsg naming the way past them), or are
 * NULL (1, nothing written) when d->special says so; numeric held as
 * text writes them as their text. */
int my_canon_to_text(const struct ntype_desc *d, const unsigned char *p,
		     size_t n, struct strbuf *out, char *emsg, size_t emsz);

/* Appends p[0..n) escaped for LOAD DATA ... FIELDS ESCAPED BY '\\'. */
void my_tsv_escape(struct strbuf *out, const char *p, size_t n);
/* 1 when the server version string v ("8.0.36", "10.11.6-MariaDB-...")
 * is at least mysql (MySQL, as 80016) or mariadb (MariaDB, as 100201);
 * 1 for NULL or a version it cannot read: assume today's servers. */
int my_version_at_least(const char *v, int mysql, int mariadb);

/* `name` with backticks doubled. */
void my_quote_ident(struct strbuf *sb, const char *name);
/* 'text' with backslashes and quotes escaped. */
void my_quote_literal(struct strbuf *sb, const char *s);
/* The same for n bytes that may hold NUL. */
void my_quote_literal_n(struct strbuf *sb, const char *s, size_t n);

/* Trailing zeros of a fractional second dropped ("10:00:00.500000" ->
 * "10:00:00.5", ".000000" -> ""), in place; returns the new length. */
size_t my_trim_fraction(char *s, size_t n);

#endif
