/*
 * cdc_state.c - the seal of a change-apply state row. The row says
 * where the target stands in the source's change stream; a tail that
 * trusted an edited one would skip or repeat changes and confirm to the
 * source what the target never got. So dbmig writes, with each
 * position, a digest of the row, and checks it before it applies.
 */
#include "lib/cdc/apply_ops.h"

#include <stdio.h>
#include <string.h>

#include "lib/base/md5.h"
#include "lib/base/banned.h"

static void
seal_of(const struct cdc_state *st, const char *position, const char *gtid, char out[33])
{
	struct md5_ctx m;
	unsigned char d[16];

	md5_init(&m);
	md5_update(&m, "dbmig cdc_state 1", 18);
	md5_update(&m, st->dump_id, strlen(st->dump_id) + 1);
	md5_update(&m, st->slot, strlen(st->slot) + 1);
	md5_update(&m, st->publication, strlen(st->publication) + 1);
	md5_update(&m, position, strlen(position) + 1);
	/* a binlog position's GTID set; none (an LSN) keeps older seals */
	if (gtid[0])
		md5_update(&m, gtid, strlen(gtid) + 1);
	md5_final(&m, d);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void
cdc_state_seal(struct cdc_state *st)
{
	seal_of(st, st->position.text, st->position.gtid, st->seal);
}

int
cdc_state_sealed(const struct cdc_state *st)
{
	char want[33];

	if (!st->seal[0])
		return 1;
	seal_of(st, st->raw_position, st->raw_gtid, want);
	return !strcmp(want, st->seal);
}
