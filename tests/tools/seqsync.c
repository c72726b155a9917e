/*
 * seqsync.c - a test tool: sets the target's sequences, identities and
 * auto-increment counters to the values a dump recorded, through
 * target_sequences_sync, which cutover will call on its own. Tests run
 * it against real servers (tests/integration); it is not installed.
 *
 *   seqsync DUMPDIR TARGET     exit 0 done, 1 failed (the error on stderr)
 */
#include <stdio.h>
#include <string.h>

#include "dumpfmt/dumpfmt.h"
#include "lib/load/load.h"

int
main(int argc, char **argv)
{
	struct dump_meta meta;
	struct schema_model model;
	struct dberr err = DBERR_INIT;
	const struct db_driver *drv = NULL;
	struct db_conn *c = NULL;
	int ret = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: seqsync DUMPDIR TARGET\n");
		return 2;
	}
	memset(&model, 0, sizeof(model));
	if (manifest_read(argv[1], &meta, &model, &err) < 0 ||
	    !(drv = driver_for_uri(argv[2], DBERR_TARGET, &err)) ||
	    drv->connect(&c, argv[2], DBERR_TARGET, &err) < 0 ||
	    target_sequences_sync(drv, c, &model, &err) < 0)
		fprintf(stderr, "seqsync: %s\n", err.msg);
	else
		ret = 0;
	if (drv && c)
		drv->close(c);
	schema_release(&model);
	return ret;
}
