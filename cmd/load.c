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
	"  -j, --jobs N        load N chunks (and build N indexes) in parallel (default 1)\n"
	"      --schema-only   create the schema only\n"
	"      --data-only     load rows into existing tables only\n"
	"      --truncate      empty target tables that hold rows this load did not write\n"
	"      --strict        refuse every lossy or approximate type mapping\n"
	"      --zero-dates=null|error  MySQL zero dates become NULL (default) or stop the load\n"
	"      --tinyint-numeric  keep MySQL tinyint(1) numeric even when it holds only 0 and 1\n"
	"      --strip-nul     drop NUL bytes from text PostgreSQL cannot hold (reported)\n"
	"      --json=jsonb|json  the PostgreSQL type for MySQL JSON (default jsonb)\n"
	"      --unbounded-numeric=decimal|double|text  MySQL type for PostgreSQL numeric\n"
	"                      without precision or beyond 65 digits (required for those)\n"
	"      --uuid=char|binary  uuid on MySQL as char(36) (default) or binary(16)\n"
	"      --schema-prefix  load several PostgreSQL schemas into one MySQL database,\n"
	"                      tables named schema_table\n"
	"      --progress=auto|tty|json|log|none  how progress is shown on stderr\n"
	"      --target URI    the same as the TARGET argument\n"
	"  -h, --help          this help\n";

/* "scheme://..." or libpq's "keyword=value ...": a database, not a path
 * ("/backup/run=1" has its '/' first). */
static int
looks_like_conninfo(const char *s)
{
	size_t k = strspn(s, "abcdefghijklmnopqrstuvwxyz_");

	return strstr(s, "://") != NULL || (k > 0 && s[k] == '=');
}

int
load_option(const char *sub, int ch, const char *arg, struct load_opts *o)
{
	switch (ch) {
	case OPT_TRUNCATE: o->truncate = 1; break;
	case OPT_STRICT: o->strict = 1; break;
	case OPT_TINYINT_NUMERIC: o->tinyint_numeric = 1; break;
	case OPT_STRIP_NUL: o->strip_nul = 1; break;
	case OPT_SCHEMA_PREFIX: o->schema_prefix = 1; break;
	case OPT_UUID:
		if (!strcmp(arg, "binary"))
			o->uuid_binary = 1;
		else if (strcmp(arg, "char"))
			return usage_error(sub, "--uuid wants char or binary, not '%s'", arg), -1;
		break;
	case OPT_UNBOUNDED_NUMERIC:
		if (!strcmp(arg, "decimal"))
			o->unbounded_numeric = 1;
		else if (!strcmp(arg, "double"))
			o->unbounded_numeric = 2;
		else if (!strcmp(arg, "text"))
			o->unbounded_numeric = 3;
		else
			return usage_error(sub, "--unbounded-numeric wants decimal, double or text, not '%s'", arg), -1;
		break;
	case OPT_JSON:
		if (!strcmp(arg, "json"))
			o->json_plain = 1;
		else if (strcmp(arg, "jsonb"))
			return usage_error(sub, "--json wants jsonb or json, not '%s'", arg), -1;
		break;
	case OPT_ZERO_DATES:
		if (!strcmp(arg, "error"))
			o->zero_dates_error = 1;
		else if (strcmp(arg, "null"))
			return usage_error(sub, "--zero-dates wants null or error, not '%s'", arg), -1;
		break;
	default:
		return 0;
	}
	return 1;
}

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

	memset(&o, 0, sizeof(o));
	o.jobs = 1;
	while ((ch = getopt_long(argc, argv, "j:h", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (parse_jobs(optarg, &o.jobs) < 0)
				return usage_error("load", "-j wants a number from 1 to 256, not '%s'", optarg);
			break;
		case OPT_SCHEMA_ONLY: o.schema_only = 1; break;
		case OPT_DATA_ONLY: o.data_only = 1; break;
		case OPT_PROGRESS:
			if ((o.progress = progress_mode_parse(optarg)) < 0)
				return usage_error("load", "--progress wants auto, tty, json, log or none, not '%s'", optarg);
			break;
		case OPT_TARGET: free(target); target = take_conninfo_arg(optarg, "target"); break;
		case 'h': fputs(load_usage, stdout); return EXIT_OK;
		default:
			if ((r = load_option("load", ch, optarg, &o)) == 1)
				break;
			if (r < 0)
				return EXIT_USAGE;
			fprintf(stderr, "Try 'dbmig load --help'.\n");
			return EXIT_USAGE;
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
	if (o.schema_only && o.data_only) {
		usage_error("load", "options --schema-only and --data-only cannot be used together");
		goto out;
	}
	o.target = target;
	if (load_run(&o, &res, &err) < 0) {
		log_error("%s", err.msg);
		rc = exit_code_for(&err);
		goto out;
	}
	printf("load complete: dump %s\n", res.dump_id);
	printf("  tables %d, rows %" PRIu64 ", chunks loaded %" PRIu64 ", already loaded %"
	       PRIu64 ", steps run %d, already done %d, %.1f s\n", res.tables, res.rows,
	       res.chunks_loaded, res.chunks_skipped, res.steps_run, res.steps_skipped,
	       res.seconds);
	if (res.not_migrated)
		printf("  %d view%s, routine%s or trigger%s not migrated (reported above)\n",
		       res.not_migrated, res.not_migrated == 1 ? "" : "s",
		       res.not_migrated == 1 ? "" : "s", res.not_migrated == 1 ? "" : "s");
	if (res.notes)
		printf("  %d type mapping%s reported above (lossy or approximate)\n", res.notes,
		       res.notes == 1 ? "" : "s");
	rc = EXIT_OK;
out:
	free(target);
	return rc;
}
