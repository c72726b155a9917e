/*
 * copy.c - `dbmig copy`: option parsing and the report; the work is in
 * lib/copy/copy.c. The options are dump's (how the source is read) and load's
 * (how the target is written), parsed by the same functions.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cdc/tail.h"
#include "lib/copy/copy.h"
#include "lib/base/log.h"
#include "lib/base/progress.h"
#include "cmd.h"
#include "exitcodes.h"
#include "lib/base/banned.h"

static const char copy_usage[] =
	"usage: dbmig copy [options] SOURCE TARGET\n\n"
	"Copy SOURCE into TARGET directly: what 'dbmig dump' and 'dbmig load' do,\n"
	"at once, with no dump on disk in between (unless --keep-dump). The source\n"
	"is read in one snapshot by N connections, each paired with a target\n"
	"connection that loads its rows as they arrive; keys and indexes are built\n"
	"as soon as a table is in. Each is a postgresql:// URI, a libpq 'key=value'\n"
	"string or a mysql:// URI; DBMIG_SOURCE_URI and DBMIG_TARGET_URI are the\n"
	"defaults. Types map across engines as dbmig-types(7) says.\n\n"
	"options:\n"
	"  -j, --jobs N              read and load N streams in parallel (default 1)\n"
	"      --keep-dump DIR       also write the dump to DIR (created 0700, absent or\n"
	"                            empty): the same chunks, under the same dump id\n"
	"  -t, --table PATTERN       copy only matching tables (repeatable; 'schema.table' or 'table', shell globs)\n"
	"  -T, --exclude-table PATTERN  skip matching tables (repeatable)\n"
	"      --schema-only         create the schema only\n"
	"      --data-only           copy rows into existing (empty) tables only\n"
	"      --chunk-size SIZE     rows commit on the target every SIZE of row data (default 64M)\n"
	"      --compress-level N    zstd level 1-19 of the kept dump (default 1)\n"
	"      --allow-inconsistent  MySQL without the lock privilege: read in parallel, each\n"
	"                            reader at its own instant\n"
	"      --online              start change capture at the snapshot (a replication slot,\n"
	"                            or the binlog position),\n"
	"                            then apply the changes since (as cdc-tail) until stopped\n"
	"      --replica-identity-full  with --online: set it on tables without a key\n"
	"      --until-caught-up     with --online: stop once the source's position at the\n"
	"                            end of the copy is applied\n"
	"%s"
	"      --progress=auto|tty|json|log|none  how progress is shown on stderr\n"
	"      --source URI          the same as the SOURCE argument\n"
	"      --target URI          the same as the TARGET argument\n"
	"  -h, --help                this help\n";

/* copy --online, step 3: the changes since the snapshot, as cdc-tail
 * applies them; stopped, it resumes with dbmig cdc-tail SOURCE TARGET. */
static int
copy_tail(const char *source, const char *target, int until_caught_up)
{
	struct tail_opts t;
	struct tail_result tr;
	struct dberr err = DBERR_INIT;

	memset(&t, 0, sizeof(t));
	t.source = source;
	t.target = target;
	t.until_caught_up = until_caught_up;
	log_info("applying the changes since the snapshot%s", until_caught_up ? ", until caught "
		 "up" : "; stop with Ctrl-C or SIGTERM, and resume with dbmig cdc-tail SOURCE TARGET");
	if (tail_run(&t, &tr, &err) < 0)
		return run_failed("copy", &err);
	printf("  changes applied: %" PRIu64 " transaction%s, %" PRIu64 " change%s, up to %s%s\n",
	       tr.transactions, PLURAL(tr.transactions), tr.changes, PLURAL(tr.changes),
	       tr.position.text[0] ? tr.position.text : "the snapshot",
	       tr.stopped_by_signal ? " (stopped; resume with dbmig cdc-tail SOURCE TARGET)" : "");
	/* the slot keeps the source's WAL until dropped, and a copy keeps
	 * no dump that would name it; a binlog keeps no reader's place */
	if (tr.position.kind == POSITION_BINLOG) {
		printf("  the source's binlog is read from there on: run dbmig cdc-tail SOURCE "
		       "TARGET again before the source purges %.*s\n",
		       (int)strcspn(tr.position.text, ":"), tr.position.text);
		return EXIT_OK;
	}
	printf("  replication slot %s keeps the source's WAL until dropped: once the migration "
	       "is done or given up, run\n    dbmig cdc-tail SOURCE TARGET --drop\n  or\n    "
	       "dbmig cdc-tail SOURCE --slot %s --drop\n", tr.slot, tr.slot);
	return EXIT_OK;
}

int
cmd_copy(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "keep-dump", required_argument, NULL, OPT_KEEP_DUMP },
		DUMP_LONG_OPTIONS,
		LOAD_LONG_OPTIONS,
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "online", no_argument, NULL, OPT_ONLINE },
		{ "replica-identity-full", no_argument, NULL, OPT_REPLICA_IDENTITY_FULL },
		{ "until-caught-up", no_argument, NULL, OPT_UNTIL_CAUGHT_UP },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct copy_opts o;
	struct copy_result res;
	struct dberr err = DBERR_INIT;
	char *source = NULL, *target = NULL;
	int ch, r, rc = EXIT_USAGE, until_caught_up = 0;

	memset(&o, 0, sizeof(o));
	dump_opts_init(&o.dump);
	load_opts_init(&o.load);
	while ((ch = getopt_long(argc, argv, "j:t:T:h", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (jobs_option("copy", optarg, &o.dump.jobs) < 0)
				goto out;
			o.load.jobs = o.dump.jobs;
			break;
		case OPT_KEEP_DUMP: o.dump.outdir = optarg; break;
		case OPT_PROGRESS:
			if (progress_option("copy", optarg, &o.dump.progress) < 0)
				goto out;
			o.load.progress = o.dump.progress;	/* one display: the load's */
			break;
		case OPT_SCHEMA_ONLY:
			o.dump.schema_only = o.load.schema_only = 1;
			break;
		case OPT_DATA_ONLY:
			o.dump.data_only = o.load.data_only = 1;
			break;
		case OPT_ONLINE: o.dump.online = 1; break;
		case OPT_REPLICA_IDENTITY_FULL: o.dump.replica_identity_full = 1; break;
		case OPT_UNTIL_CAUGHT_UP: until_caught_up = 1; break;
		case OPT_SOURCE: free(source); source = take_conninfo_arg(optarg, "source"); break;
		case OPT_TARGET: free(target); target = take_conninfo_arg(optarg, "target"); break;
		case 'h': printf(copy_usage, load_options_help); rc = EXIT_OK; goto out;
		case OPT_UNMAPPED_AS_TEXT: o.load.unmapped_as_text = 1; break;
		default:
			if ((r = dump_option("copy", ch, optarg, &o.dump)) == 1 ||
			    (r == 0 && (r = load_option("copy", ch, optarg, &o.load)) == 1))
				break;
			if (r == 0)
				unknown_option("copy", argv);
			goto out;
		}
	}
	take_positional_conninfo(argc, argv, &source, "source");
	take_positional_conninfo(argc, argv, &target, "target");
	if (optind < argc) {
		usage_error("copy", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	conninfo_default(&source, "DBMIG_SOURCE_URI");
	conninfo_default(&target, "DBMIG_TARGET_URI");
	if (!source || !target) {
		usage_error("copy", "give the source and the target (SOURCE TARGET)");
		goto out;
	}
	if (schema_data_check("copy", o.dump.schema_only, o.dump.data_only) < 0)
		goto out;
	if (o.dump.online && o.dump.schema_only) {
		usage_error("copy", "--online needs the rows the changes follow: leave out "
			    "--schema-only");
		goto out;
	}
	if ((o.dump.replica_identity_full || until_caught_up) && !o.dump.online) {
		usage_error("copy", "--replica-identity-full and --until-caught-up go with --online");
		goto out;
	}
	o.dump.source = source;
	o.load.target = target;
	if (copy_run(&o, &res, &err) < 0) {
		rc = run_failed("copy", &err);
		goto out;
	}
	printf("copy complete: %d table%s, %" PRIu64 " row%s in %" PRIu64 " chunk%s, %.1f MB "
	       "of rows, %.1f s (%.0f rows/s, %.1f MB/s)\n", res.load.tables,
	       PLURAL(res.load.tables), res.load.rows, PLURAL(res.load.rows),
	       res.load.chunks_loaded, PLURAL(res.load.chunks_loaded),
	       res.dump.raw_bytes / 1e6, res.seconds,
	       res.seconds > 0 ? res.load.rows / res.seconds : 0.0,
	       res.seconds > 0 ? res.dump.raw_bytes / 1e6 / res.seconds : 0.0);
	printf("  snapshot position %s%s\n", res.dump.position.text,
	       res.dump.position.exact ? "" : " (read inside the snapshot; no replication slot)");
	printf("  steps run %d, dump id %s\n", res.load.steps_run, res.load.dump_id);
	if (o.dump.outdir)
		printf("  dump kept in %s: %.1f MB on disk\n", o.dump.outdir, res.dump.bytes / 1e6);
	print_load_notes(&res.load);
	fflush(stdout);
	rc = o.dump.online ? copy_tail(source, target, until_caught_up) : EXIT_OK;
out:
	free(source);
	free(target);
	strlist_release(&o.dump.filter.include);
	strlist_release(&o.dump.filter.exclude);
	return rc;
}
