/*
 * load.c - `dbmig load`: option parsing and the report; the work is in
 * lib/load/load.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/dump/dump.h"
#include "lib/load/load.h"
#include "lib/base/progress.h"
#include "cmd.h"
#include "exitcodes.h"
#include "lib/base/banned.h"

static const char load_usage[] =
	"usage: dbmig load [options] DIR TARGET\n\n"
	"Recreate the dump in DIR on TARGET: schema, rows, then keys, indexes,\n"
	"foreign keys and sequence values. Every step is recorded in the target's\n"
	"_dbmig.load_ledger with its data, so running the same command again after\n"
	"a failure resumes where it stopped. TARGET is a postgresql:// URI, a\n"
	"libpq 'key=value' string or a mysql:// URI; DBMIG_TARGET_URI is the\n"
	"default. Types map across engines as dbmig-types(7) says.\n\n"
	"options:\n"
	"  -j, --jobs N              load N chunks (and build N indexes) in parallel (default 1)\n"
	"      --schema-only         create the schema only\n"
	"      --data-only           load rows into existing tables only\n"
	"%s"
	"      --progress=auto|tty|json|log|none  how progress is shown on stderr\n"
	"      --target URI          the same as the TARGET argument\n"
	"  -h, --help                this help\n";

int
cmd_load(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "schema-only", no_argument, NULL, OPT_SCHEMA_ONLY },
		{ "data-only", no_argument, NULL, OPT_DATA_ONLY },
		LOAD_LONG_OPTIONS,
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_opts o;
	struct load_result res;
	struct dberr err = DBERR_INIT;
	char *target = NULL;
	int ch, r, rc = EXIT_USAGE;

	load_opts_init(&o);
	while ((ch = getopt_long(argc, argv, "j:h", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (jobs_option("load", optarg, &o.jobs) < 0)
				goto out;
			break;
		case OPT_SCHEMA_ONLY: o.schema_only = 1; break;
		case OPT_DATA_ONLY: o.data_only = 1; break;
		case OPT_PROGRESS:
			if (progress_option("load", optarg, &o.progress) < 0)
				goto out;
			break;
		case OPT_TARGET: free(target); target = take_conninfo_arg(optarg, "target"); break;
		case 'h': printf(load_usage, load_options_help); rc = EXIT_OK; goto out;
		default:
			if ((r = load_option("load", ch, optarg, &o)) == 1)
				break;
			if (r == 0)
				unknown_option("load", argv);
			goto out;
		}
	}
	if (optind < argc && looks_like_conninfo(argv[optind])) {
		/* A database, not a dump: say where that goes, and keep any
		 * password in it out of ps and of the message. */
		char *src = take_conninfo_arg(argv[optind], "source");

		free(src);
		usage_error("load", "the first argument is a connection string, not a dump "
			    "directory; to copy from a database directly, use "
			    "'dbmig copy SOURCE TARGET'");
		goto out;
	}
	if (optind < argc)
		o.dumpdir = argv[optind++];
	take_positional_conninfo(argc, argv, &target, "target");
	if (optind < argc) {
		usage_error("load", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	conninfo_default(&target, "DBMIG_TARGET_URI");
	if (!o.dumpdir || !target) {
		usage_error("load", "give the dump directory and the target (DIR TARGET)");
		goto out;
	}
	if (schema_data_check("load", o.schema_only, o.data_only) < 0)
		goto out;
	o.target = target;
	if (load_run(&o, &res, &err) < 0) {
		rc = run_failed("load", &err);
		goto out;
	}
	printf("load complete: dump %s\n", res.dump_id);
	printf("  tables %d, rows %" PRIu64 ", chunks loaded %" PRIu64 ", already loaded %"
	       PRIu64 ", steps run %d, already done %d, %.1f s\n", res.tables, res.rows,
	       res.chunks_loaded, res.chunks_skipped, res.steps_run, res.steps_skipped,
	       res.seconds);
	print_load_notes(&res);
	rc = EXIT_OK;
out:
	free(target);
	return rc;
}
