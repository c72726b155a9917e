/*
 * types.h - the neutral type model.
 *
 * Every column of every engine maps to one neutral type; the canonical
 * value encoding (canon.h, dumpfmt/SPEC.md section 4) is defined per
 * neutral type, so a dump, a source and a target can be compared value by
 * value whatever engine they came from. A native type with no neutral
 * equivalent is NT_UNMAPPED: an error, unless the user asked to carry it as
 * text, in which case it becomes NT_TEXT with unmapped_from set.
 */
#ifndef DBMIG_TYPES_H
#define DBMIG_TYPES_H

enum ntype {
	NT_UNMAPPED = 0,
	NT_BOOL,
	NT_INT16,
	NT_INT32,
	NT_INT64,
	NT_UINT64,
	NT_DECIMAL,
	NT_FLOAT32,
	NT_FLOAT64,
	NT_DATE,
	NT_TIME,
	NT_TIMESTAMP,
	NT_TIMESTAMPTZ,
	NT_INTERVAL,
	NT_CHAR,
	NT_VARCHAR,
	NT_TEXT,
	NT_BYTES,
	NT_JSON,
	NT_JSONB,
	NT_UUID,
	NT_INET,
	NT_CIDR,
	NT_MACADDR,
	NT_ENUM,
	NT_ARRAY,
	NT_YEAR,		/* MySQL YEAR */
	NT_SET,			/* MySQL SET: members, comma-separated */
	NT_BIT,			/* bit(n): a string of n '0'/'1' */
	NT_GEOMETRY,		/* WKB */
	NT__COUNT
};

/* A column's neutral type with its parameters. */
struct ntype_desc {
	enum ntype t;
	enum ntype elem;	/* NT_ARRAY: the element type */
	int precision;		/* NT_DECIMAL: digits, -1 when unbounded */
	int scale;		/* NT_DECIMAL: digits after the point, -1 unbounded */
	int length;		/* NT_CHAR/NT_VARCHAR: characters, -1 unbounded;
				 * NT_UUID: 16 when a MySQL target stores it as
				 * binary(16) (load --uuid=binary) */
	int fsp;		/* time types: fractional digits, -1 default */
	int is_unsigned;	/* MySQL integer and decimal columns */
	/* into MySQL, NaN, the infinities and dates beyond year 1..9999
	 * (values it cannot hold): refused (the default), stored as NULL, or
	 * for numeric held as text, written as their text (xform.h) */
	enum { NT_SPECIAL_REFUSE, NT_SPECIAL_NULL, NT_SPECIAL_TEXT } special;
};

/* Stable names used in the manifest ("int32", "timestamptz", ...). */
const char *ntype_name(enum ntype t);
/* Returns NT_UNMAPPED for an unknown name. */
enum ntype ntype_from_name(const char *name);

#endif
