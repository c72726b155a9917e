/*
 * apply_policy.c - what the apply does when the target disagrees with a
 * change, written once for every engine's apply.
 */
#include "lib/cdc/apply_ops.h"

#include <stdio.h>

#include "lib/base/banned.h"

int
cdc_apply_row_missing(struct dberr *err, char kind, const char *schema, const char *table,
		      int rows)
{
	char among[64] = "";

	if (rows > 1)
		snprintf(among, sizeof(among), " (one of %d in one statement)", rows);
	return dberr_set(err, DBERR_TARGET, "%s of a row of %s%s%s%s found no such row on the "
			 "target: the target differs from the source (run dbmig verify)",
			 kind == 'U' ? "an UPDATE" : "a DELETE", schema && *schema ? schema : "",
			 schema && *schema ? "." : "", table, among);
}
