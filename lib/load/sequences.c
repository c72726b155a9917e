/*
 * sequences.c - sequence and identity synchronisation on its own
 * (load.h): the driver's sequences_plan, run without the ledger. The
 * load runs the same steps through the ledger; cutover calls this.
 */
#include "load.h"

#include <string.h>

#include "lib/base/log.h"
#include "lib/base/banned.h"

static int
ignore_rows(void *arg, int ncols, const char *const *vals, const size_t *lens,
	    struct dberr *err)
{
	(void)arg;
	(void)ncols;
	(void)vals;
	(void)lens;
	(void)err;
	return 0;
}

int
target_sequences_sync(const struct db_driver *drv, struct db_conn *c,
		      const struct schema_model *model, struct dberr *err)
{
	struct ddl_plan plan;
	int ret = 0;

	memset(&plan, 0, sizeof(plan));
	if (drv->target->sequences_plan(model, &plan, err) < 0)
		ret = -1;
	for (int i = 0; ret == 0 && i < plan.nsteps; i++) {
		log_debug("%s", plan.steps[i].sql);
		if (drv->query_text(c, plan.steps[i].sql, ignore_rows, NULL, err) < 0) {
			dberr_prefix(err, "%s", plan.steps[i].item);
			ret = -1;
		}
	}
	if (ret == 0)
		ret = plan.nsteps;
	ddl_plan_release(&plan);
	return ret;
}
