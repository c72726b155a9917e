/*
 * types.c - names of the neutral types. The names are part of the dump
 * format (dumpfmt/SPEC.md section 3.3): never rename one, only add.
 */
#include "types.h"

#include <string.h>

static const char *const ntype_names[NT__COUNT] = {
	[NT_UNMAPPED] = "unmapped",
	[NT_BOOL] = "bool",
	[NT_INT16] = "int16",
	[NT_INT32] = "int32",
	[NT_INT64] = "int64",
	[NT_UINT64] = "uint64",
	[NT_DECIMAL] = "decimal",
	[NT_FLOAT32] = "float32",
	[NT_FLOAT64] = "float64",
	[NT_DATE] = "date",
	[NT_TIME] = "time",
	[NT_TIMESTAMP] = "timestamp",
	[NT_TIMESTAMPTZ] = "timestamptz",
	[NT_INTERVAL] = "interval",
	[NT_CHAR] = "char",
	[NT_VARCHAR] = "varchar",
	[NT_TEXT] = "text",
	[NT_BYTES] = "bytes",
	[NT_JSON] = "json",
	[NT_JSONB] = "jsonb",
	[NT_UUID] = "uuid",
	[NT_INET] = "inet",
	[NT_CIDR] = "cidr",
	[NT_MACADDR] = "macaddr",
	[NT_ENUM] = "enum",
	[NT_ARRAY] = "array",
	[NT_YEAR] = "year",
	[NT_SET] = "set",
	[NT_BIT] = "bit",
	[NT_GEOMETRY] = "geometry",
};

const char *
ntype_name(enum ntype t)
{
	if ((int)t < 0 || t >= NT__COUNT)
		return "unmapped";
	return ntype_names[t];
}

enum ntype
ntype_from_name(const char *name)
{
	for (int i = 0; i < NT__COUNT; i++)
		if (!strcmp(ntype_names[i], name))
			return (enum ntype)i;
	return NT_UNMAPPED;
}
