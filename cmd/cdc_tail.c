/*
 * cdc_tail.c - `dbmig cdc-tail`: option parsing and the report; the work
 * is in lib/cdc/tail.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/base/progress.h"
#include "lib/cdc/cdc_debezium.h"
#include "lib/cdc/tail.h"
#include "cmd.h"
#include "exitcodes.h"
#include "lib/base/banned.h"

static const char tail_usage[] =
	"usage: dbmig cdc-tail [options] SOURCE TARGET\n"
	"       dbmig cdc-tail [options] SOURCE --from DIR --output FILE|-\n"
	"       dbmig cdc-tail [options] SOURCE TARGET --drop\n"
	"       dbmig cdc-tail [options] SOURCE (--from DIR | --slot NAME) --drop\n\n"
	"Apply the changes SOURCE committed after an online dump to TARGET, where the\n"
	"dump was loaded, each transaction exactly once, in commit order; or write\n"
	"them as JSON lines; or remove the replication slot and publication the\n"
	"online dump started.\n"
	"SOURCE is the dump's source database (a postgresql:// URI or libpq string);\n"
	"DBMIG_SOURCE_URI and DBMIG_TARGET_URI are the defaults.\n\n"
	"options:\n"
	"      --from DIR            the online dump the changes follow (with a TARGET:\n"
	"                            which of the dumps loaded there)\n"
	"  -o, --output FILE|-       write the changes as JSON lines to FILE (continued\n"
	"                            after its last whole transaction) or standard output\n"
	"      --format=dbmig|debezium  dbmig's lines (default), or the records Debezium's\n"
	"                            PostgreSQL connector makes: key, tab, value\n"
	"      --debezium NAME=VALUE  one of Debezium's properties for them, such as\n"
	"                            decimal.handling.mode=string or schemas.enable=false\n"
	"      --until-caught-up     stop once the source's position at the start is written\n"
	"      --stop-at POSITION    stop before the first transaction at or after POSITION\n"
	"      --drop                remove the replication slot and publication: the\n"
	"                            dump's, the one TARGET's state names, or NAME\n"
	"      --slot NAME           with --drop and no TARGET: the slot (and publication)\n"
	"                            to remove, as an online copy or load prints it\n"
	"      --max-retained-wal SIZE  warn when the slot keeps more WAL (default 10G)\n"
	"      --server-id N         MySQL/MariaDB source: the replica id the tail registers\n"
	"                            with (default: one derived from the dump id)\n"
	"      --progress=auto|tty|json|log|none  how position and lag are shown on stderr\n"
	"      --source URI          the same as the SOURCE argument\n"
	"  -h, --help                this help\n";

static int
tail_report(const struct tail_opts *o, const struct tail_result *res)
{
	if (o->drop) {
		if (res->nothing_dropped)
			printf("nothing to drop: a binlog tail (%s) leaves nothing on the source\n",
			       res->slot);
		else
			printf("dropped replication slot and publication %s\n", res->slot);
		return EXIT_OK;
	}
	if (o->progress == PROGRESS_JSON)
		return EXIT_OK;	/* the summary was its last event */
	fprintf(stderr, "cdc-tail %s: %" PRIu64 " transaction%s, %" PRIu64 " change%s %s",
		res->stopped_by_signal ? "stopped by a signal" : res->cut_over ?
		"stopped: the pair was cut over (cutover-plan --execute)" : "done", res->transactions,
		res->transactions == 1 ? "" : "s", res->changes, res->changes == 1 ? "" : "s",
		o->target ? "applied" : "written");
	/* folded per row, fewer reached the target */
	if (o->target && res->row_writes != res->changes)
		fprintf(stderr, " (as %" PRIu64 " row writes, net)", res->row_writes);
	fprintf(stderr, "%s%s\n", res->position.text[0] ? ", up to " : "", res->position.text);
	return EXIT_OK;
}

int
cmd_cdc_tail(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "debezium", required_argument, NULL, OPT_DEBEZIUM },
		{ "until-caught-up", no_argument, NULL, OPT_UNTIL_CAUGHT_UP },
		{ "stop-at", required_argument, NULL, OPT_STOP_AT },
		{ "drop", no_argument, NULL, OPT_DROP },
		{ "slot", required_argument, NULL, OPT_SLOT },
		{ "max-retained-wal", required_argument, NULL, OPT_MAX_RETAINED_WAL },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "server-id", required_argument, NULL, OPT_SERVER_ID },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tail_opts o;
	struct dbz_opts dbz;
	int debezium = 0, dbz_set = 0;
	struct tail_result res;
	struct dberr err = DBERR_INIT;
	char *source = NULL, *target = NULL;
	int ch, rc = EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	dbz_opts_init(&dbz);
	while ((ch = getopt_long(argc, argv, "o:h", long_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_FROM: o.from_dir = optarg; break;
		case 'o': o.output = optarg; break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "debezium"))
				debezium = 1;
			else if (strcmp(optarg, "dbmig")) {
				usage_error("cdc-tail", "--format wants dbmig or debezium, not '%s'",
					    optarg);
				goto out;
			}
			break;
		case OPT_DEBEZIUM: {
			char emsg[512];

			if (dbz_opts_set(&dbz, optarg, emsg, sizeof(emsg)) < 0) {
				usage_error("cdc-tail", "%s", emsg);
				goto out;
			}
			dbz_set = 1;
			break;
		}
		case OPT_UNTIL_CAUGHT_UP: o.until_caught_up = 1; break;
		case OPT_STOP_AT: o.stop_at = optarg; break;
		case OPT_DROP: o.drop = 1; break;
		case OPT_SLOT: o.slot = optarg; break;
		case OPT_PROGRESS:
			if (progress_option("cdc-tail", optarg, &o.progress) < 0)
				goto out;
			break;
		case OPT_MAX_RETAINED_WAL: {
			uint64_t v;

			if (parse_size(optarg, &v) < 0) {
				usage_error("cdc-tail", "--max-retained-wal wants a size such as 10G, "
					    "not '%s'", optarg);
				goto out;
			}
			o.max_retained = (int64_t)v;
			break;
		}
		case OPT_SERVER_ID: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !*optarg || v == 0 || v > 4294967295UL) {
				usage_error("cdc-tail", "--server-id wants a number from 1 to 4294967295, "
					    "not '%s'", optarg);
				goto out;
			}
			o.server_id = (uint32_t)v;
			break;
		}
		case OPT_SOURCE: free(source); source = take_conninfo_arg(optarg, "source"); break;
		case 'h': fputs(tail_usage, stdout); rc = EXIT_OK; goto out;
		default: unknown_option("cdc-tail", argv); goto out;
		}
	}
	take_positional_conninfo(argc, argv, &source, "source");
	take_positional_conninfo(argc, argv, &target, "target");
	if (optind < argc) {
		usage_error("cdc-tail", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	conninfo_default(&source, "DBMIG_SOURCE_URI");
	if (!o.output && !(o.drop && (o.from_dir || o.slot)))
		conninfo_default(&target, "DBMIG_TARGET_URI");
	if (!source) {
		usage_error("cdc-tail", "no source given (SOURCE argument or DBMIG_SOURCE_URI)");
		goto out;
	}
	if (o.output && !o.from_dir) {
		usage_error("cdc-tail", "no online dump given (--from DIR)");
		goto out;
	}
	if ((debezium || dbz_set) && !o.output) {
		usage_error("cdc-tail", "--format=debezium%s is for JSON lines: add --output FILE "
			    "or -o -", dbz_set ? " and --debezium" : "");
		goto out;
	}
	if (dbz_set && !debezium) {
		usage_error("cdc-tail", "--debezium sets how Debezium's records are made: add "
			    "--format=debezium");
		goto out;
	}
	if (debezium)
		o.dbz = &dbz;
	if (o.drop && !o.from_dir && !target && !o.slot) {
		usage_error("cdc-tail", "--drop needs to know what to drop: the TARGET the changes "
			    "went to (its state names the slot), --from DIR (the online dump), or "
			    "--slot NAME");
		goto out;
	}
	if (o.slot && (!o.drop || target || o.from_dir)) {
		usage_error("cdc-tail", "--slot NAME goes with --drop alone, without TARGET or --from");
		goto out;
	}
	if ((!!(target && !o.drop) + !!o.output + o.drop) != 1) {
		usage_error("cdc-tail", "say where the changes go: a TARGET database, --output "
			    "FILE or -, or --drop (one of them)");
		goto out;
	}
	if (o.until_caught_up && o.stop_at) {
		usage_error("cdc-tail", "--until-caught-up and --stop-at do not go together");
		goto out;
	}
	o.source = source;
	o.target = target;
	if (tail_run(&o, &res, &err) < 0) {
		rc = run_failed("cdc-tail", &err);
		goto out;
	}
	rc = tail_report(&o, &res);
out:
	free(source);
	free(target);
	return rc;
}
