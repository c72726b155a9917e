/*
 * xform.h - column transforms: how a load converted a column's values on
 * the way from the source engine to the target, beyond the type mapping
 * itself. The load decides them (from the dump's value profiles and its
 * options), applies them to every row, and records them in the target's
 * state; change capture (next issues) reads them back there and converts
 * each change exactly as the load converted the rows. A copy that keeps
 * its dump writes them into that dump's manifest too.
 *
 * Text form: words joined by commas, in the order below, e.g.
 * "bool-from-int,zero-date-null". A word this version does not know is
 * an error, never ignored.
 */
#ifndef DBMIG_XFORM_H
#define DBMIG_XFORM_H

#include "util.h"

enum column_xform {
	XF_BOOL_FROM_INT = 1u << 0,	/* "bool-from-int": 0/1 (MySQL tinyint(1))
					 * stored as boolean */
	XF_ZERO_DATE_NULL = 1u << 1,	/* "zero-date-null": MySQL zero dates
					 * ('0000-00-00', '2024-00-10') as NULL */
	XF_TIME_INTERVAL = 1u << 2,	/* "time-interval": TIME beyond a day
					 * stored as an interval */
	XF_UUID_BINARY = 1u << 3,	/* "uuid-binary": uuid as its 16 bytes */
	XF_STRIP_NUL = 1u << 4,		/* "strip-nul": NUL bytes dropped from text */
	XF_JSONB = 1u << 5,		/* "jsonb": JSON text normalized as jsonb
					 * (keys sorted, duplicates dropped) */
	XF_SPECIAL_NULL = 1u << 6,	/* "special-null": NaN, the infinities and
					 * dates a MySQL target cannot hold stored
					 * as NULL (load --special-values=null) */
	XF_NUMERIC_TEXT = 1u << 7,	/* "numeric-text": numeric held as text
					 * (--unbounded-numeric=text): NaN and the
					 * infinities as their text */
};

struct ntype_desc;

/* What flags mean for the values' conversion, onto the column's type
 * (uuid-binary's binary(16), special-null's and numeric-text's handling
 * of special values), as load, copy and cdc-tail convert alike. */
void xform_to_type(unsigned flags, struct ntype_desc *d);

/* Appends the text form of flags ("" for none). */
void xform_format(unsigned flags, struct strbuf *o);
/* Parses a text form into *flags; -1 on a word this version does not know. */
int xform_parse(const char *text, unsigned *flags);

#endif
