/*
 * cdc_start.c - the load of an online dump meets change apply here: the
 * target's state is asked whether it holds the dump, and where the
 * dump's changes start is recorded there, sealed, once.
 */
#include "cdc_start.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cdc/apply_ops.h"
#include "lib/base/banned.h"

static int
state_holds(const struct db_driver *d, struct db_conn *c, const char *dump_id, int *holds,
	    struct dberr *err)
{
	struct cdc_state *states = NULL;
	int n = 0;

	*holds = 0;
	if (!d->apply || !d->apply->cdc_state_read)
		return 0;
	if (d->apply->cdc_state_read(c, &states, &n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		*holds |= !strcmp(states[i].dump_id, dump_id);
	free(states);
	return 0;
}

static int
record_start(const struct db_driver *d, struct db_conn *c, const char *dump_id, const char *slot,
	     const char *publication, const struct db_position *pos, struct dberr *err)
{
	struct cdc_state st;

	if (!d->apply || !d->apply->cdc_state_save)
		return 0;
	memset(&st, 0, sizeof(st));
	snprintf(st.dump_id, sizeof(st.dump_id), "%s", dump_id);
	snprintf(st.slot, sizeof(st.slot), "%s", slot);
	snprintf(st.publication, sizeof(st.publication), "%s", publication);
	st.position = *pos;
	cdc_state_seal(&st);
	return d->apply->cdc_state_save(c, &st, 1, err);
}

const struct load_online_hooks cdc_load_online = {
	.state_holds = state_holds,
	.record_start = record_start,
};
