/*
 * dump.c - `dbmig dump`: option parsing and the report; the work is in
 * lib/dump/dump.c.
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

static const char dump_usage[] =
	"usage: dbmig dump [options] SOURCE -o DIR\n\n"
	"Take a consistent snapshot of SOURCE into the dump directory DIR.\n"
	"SOURCE is a postgresql:// URI, a libpq 'key=value' string or a mysql://\n"
	"URI; passwords come best from PGPASSWORD or ~/.pgpass (MYSQL_PWD or an\n"
	"option file for MySQL). DBMIG_SOURCE_URI is the default.\n\n"
	"options:\n"
	"  -o, --output DIR          dump directory (created 0700; must be absent or empty)\n"
	"  -j, --jobs N              read N tables in parallel, one snapshot (default 1)\n"
	"  -t, --table PATTERN       dump only matching tables (repeatable; 'schema.table' or 'table', shell globs)\n"
	"  -T, --exclude-table PATTERN  skip matching tables (repeatable)\n"
	"      --schema-only         dump the schema, no rows\n"
	"      --data-only           dump rows; the load will not create the schema\n"
	"      --chunk-size SIZE     start a new chunk file every SIZE of row data (default 64M)\n"
	"      --compress-level N    zstd level 1-19 (default 1)\n"
	"      --unmapped-as-text    (the default now: such columns are dumped as text,\n"
	"                            tagged with their type; the load decides)\n"
	"      --progress=auto|tty|json|log|none  how progress is shown on stderr\n"
	"      --allow-inconsistent  MySQL without the lock privilege: read in parallel, each\n"
	"                            reader at its own instant (recorded in the manifest)\n"
	"      --online              start change capture exactly at the snapshot, for\n"
	"                            cdc-tail: a replication slot and a publication\n"
	"                            (PostgreSQL), the binlog position (MySQL, MariaDB)\n"
	"      --replica-identity-full  with --online: set REPLICA IDENTITY FULL on the tables\n"
	"                            that have no key, instead of refusing them\n"
	"      --source URI          the same as the SOURCE argument\n"
	"  -h, --help                this help\n";

int
cmd_dump(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		DUMP_LONG_OPTIONS,
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "online", no_argument, NULL, OPT_ONLINE },
		{ "replica-identity-full", no_argument, NULL, OPT_REPLICA_IDENTITY_FULL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump_opts o;
	struct dump_result res;
	struct dberr err = DBERR_INIT;
	char *source = NULL;
	int ch, rc = EXIT_USAGE, r;

	dump_opts_init(&o);
	while ((ch = getopt_long(argc, argv, "o:j:t:T:h", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'o': o.outdir = optarg; break;
		case 'j':
			if (jobs_option("dump", optarg, &o.jobs) < 0)
				goto out;
			break;
		case OPT_PROGRESS:
			if (progress_option("dump", optarg, &o.progress) < 0)
				goto out;
			break;
		case OPT_SOURCE: free(source); source = take_conninfo_arg(optarg, "source"); break;
		case OPT_ONLINE: o.online = 1; break;
		case OPT_REPLICA_IDENTITY_FULL: o.replica_identity_full = 1; break;
		case 'h': fputs(dump_usage, stdout); rc = EXIT_OK; goto out;
		default:
			if ((r = dump_option("dump", ch, optarg, &o)) == 1)
				break;
			if (r == 0)
				unknown_option("dump", argv);
			goto out;
		}
	}
	take_positional_conninfo(argc, argv, &source, "source");
	if (optind < argc) {
		usage_error("dump", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	conninfo_default(&source, "DBMIG_SOURCE_URI");
	if (!source) {
		usage_error("dump", "no source given (SOURCE argument or DBMIG_SOURCE_URI)");
		goto out;
	}
	if (!o.outdir) {
		usage_error("dump", "no output directory given (-o DIR)");
		goto out;
	}
	if (schema_data_check("dump", o.schema_only, o.data_only) < 0)
		goto out;
	if (o.replica_identity_full && !o.online) {
		usage_error("dump", "--replica-identity-full goes with --online");
		goto out;
	}
	if (o.online && o.schema_only) {
		/* the changes after the snapshot need its rows */
		usage_error("dump", "--online needs the rows the changes follow: leave out "
			    "--schema-only");
		goto out;
	}
	o.source = source;
	if (dump_run(&o, &res, &err) < 0) {
		rc = run_failed("dump", &err);
		goto out;
	}
	printf("dump complete: %s\n", o.outdir);
	printf("  tables %d, rows %" PRIu64 ", chunks %" PRIu64 ", %.1f MB on disk "
	       "(%.1f MB of rows), %.1f s\n", res.tables, res.rows, res.chunks,
	       res.bytes / 1e6, res.raw_bytes / 1e6, res.seconds);
	printf("  snapshot position %s%s\n", res.position.text,
	       res.position.exact ? "" : " (read inside the snapshot; no replication slot)");
	if (res.slot[0] && res.position.kind == POSITION_BINLOG)
		printf("  changes from there on are read from the source's binlog: load the dump, "
		       "then run dbmig cdc-tail before the source purges %.*s (its binlog "
		       "retention)\n", (int)strcspn(res.position.text, ":"), res.position.text);
	else if (res.slot[0])
		printf("  changes from there on wait in replication slot %s (publication %s): "
		       "load the dump, then run dbmig cdc-tail, or dbmig cdc-tail --from %s "
		       "--drop to give them up\n", res.slot, res.slot, o.outdir);
	if (res.warnings)
		printf("  %d warning%s recorded in the manifest\n", res.warnings,
		       res.warnings == 1 ? "" : "s");
	rc = EXIT_OK;
out:
	free(source);
	strlist_release(&o.filter.include);
	strlist_release(&o.filter.exclude);
	return rc;
}
