/*
 * cutover_plan.c - `dbmig cutover-plan`: option parsing, the readiness
 * report and runbook, and the fenced switch; the work is in
 * lib/cutover/.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/log.h"
#include "lib/cutover/cutover.h"
#include "cmd.h"
#include "exitcodes.h"
#include "lib/base/banned.h"

enum {
	COPT_JSON = 600,
	COPT_VERIFY_AGE,
	COPT_MAX_LAG,
	COPT_EXECUTE,
	COPT_PROXY,
	COPT_PROXY_CONFIG,
	COPT_SWITCH_CMD,
	COPT_REVERSE,
	COPT_DRY_RUN,
	COPT_ROLLBACK,
	COPT_FENCED_VERIFY,
};

static const char cutover_usage[] =
	"usage: dbmig cutover-plan [options] SOURCE TARGET\n"
	"       dbmig cutover-plan [options] SOURCE TARGET --execute [--dry-run]\n"
	"             [--proxy pgbouncer://USER@HOST:PORT/DBNAME --proxy-config FILE |\n"
	"              --switch-cmd CMD] [--reverse]\n"
	"       dbmig cutover-plan [options] SOURCE TARGET --rollback [--proxy ... ]\n\n"
	"Check that an online migration (an online dump, its load and cdc-tail) is ready to\n"
	"switch its clients from SOURCE to TARGET, and print the runbook; or switch\n"
	"them: pause the clients at the proxy, fence SOURCE read-only, wait until the\n"
	"tail has applied a marker written after the fence, set TARGET's sequences,\n"
	"point the proxy at TARGET and resume. Exit status: 0 ready (or switched),\n"
	"1 a check blocks (the switch is refused), 2 to 8 it could not check or a\n"
	"step failed (it was undone).\n\n"
	"options:\n"
	"      --json              the report (checks and runbook) as one JSON object\n"
	"      --verify-age HOURS  a live verify counts this long (default 24)\n"
	"      --max-lag SECONDS   not ready when the tail is further behind (default 5);\n"
	"                          the marker must arrive within 4 times this\n"
	"      --execute           switch: each step logged, recorded on TARGET, undone\n"
	"                          on failure before the switch\n"
	"      --dry-run           with --execute: print each step and its SQL, check\n"
	"                          the privileges, change nothing\n"
	"      --proxy URI         PgBouncer's admin console and the clients' entry:\n"
	"                          pgbouncer://USER@HOST:PORT/DBNAME\n"
	"      --proxy-config FILE its configuration file; the entry is pointed at TARGET\n"
	"      --switch-cmd CMD    run CMD to move the clients instead (sh -c; its\n"
	"                          environment names the pair, no passwords)\n"
	"      --reverse           make a change stream from TARGET back to SOURCE before\n"
	"                          any client writes TARGET, for --rollback\n"
	"      --rollback          after a switch: fence TARGET, wait for the reverse\n"
	"                          stream, point the proxy back, lift SOURCE's fence\n"
	"      --fenced-verify=none|counts|checksum  compare the fenced pair before the\n"
	"                          switch (default none: the live verify is the check)\n"
	"  -h, --help              this help\n";

static int
parse_seconds(const char *what, const char *arg, double scale, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || v <= 0 || v > 1e7)
		return usage_error("cutover-plan", "%s wants a positive number, not '%s'", what, arg),
		       -1;
	*out = v * scale;
	return 0;
}

int
cmd_cutover_plan(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json", no_argument, NULL, COPT_JSON },
		{ "verify-age", required_argument, NULL, COPT_VERIFY_AGE },
		{ "max-lag", required_argument, NULL, COPT_MAX_LAG },
		{ "execute", no_argument, NULL, COPT_EXECUTE },
		{ "proxy", required_argument, NULL, COPT_PROXY },
		{ "proxy-config", required_argument, NULL, COPT_PROXY_CONFIG },
		{ "switch-cmd", required_argument, NULL, COPT_SWITCH_CMD },
		{ "reverse", no_argument, NULL, COPT_REVERSE },
		{ "dry-run", no_argument, NULL, COPT_DRY_RUN },
		{ "rollback", no_argument, NULL, COPT_ROLLBACK },
		{ "fenced-verify", required_argument, NULL, COPT_FENCED_VERIFY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cutover_opts o;
	struct cutover_report r;
	struct dberr err = DBERR_INIT;
	char *side[2] = { NULL, NULL }, *proxy = NULL;
	int json = 0, nside = 0, rc = EXIT_USAGE, ch;
	double pause = 0;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.verify_age = 24 * 3600;
	o.max_lag = 5;
	o.dbmig = "dbmig";
	while ((ch = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (ch) {
		case COPT_JSON: json = 1; break;
		case COPT_VERIFY_AGE:
			if (parse_seconds("--verify-age", optarg, 3600, &o.verify_age) < 0)
				goto out;
			break;
		case COPT_MAX_LAG:
			if (parse_seconds("--max-lag", optarg, 1, &o.max_lag) < 0)
				goto out;
			break;
		case COPT_EXECUTE: o.execute = 1; break;
		case COPT_PROXY:
			free(proxy);
			proxy = take_conninfo_arg(optarg, "proxy");
			break;
		case COPT_PROXY_CONFIG: o.proxy_config = optarg; break;
		case COPT_SWITCH_CMD: o.switch_cmd = optarg; break;
		case COPT_REVERSE: o.reverse = 1; break;
		case COPT_DRY_RUN: o.dry_run = 1; break;
		case COPT_ROLLBACK: o.rollback = 1; break;
		case COPT_FENCED_VERIFY:
			if (!strcmp(optarg, "none"))
				o.fenced_verify = FENCED_VERIFY_NONE;
			else if (!strcmp(optarg, "counts"))
				o.fenced_verify = FENCED_VERIFY_COUNTS;
			else if (!strcmp(optarg, "checksum"))
				o.fenced_verify = FENCED_VERIFY_CHECKSUM;
			else {
				usage_error("cutover-plan", "--fenced-verify wants none, counts or checksum, "
					    "not '%s'", optarg);
				goto out;
			}
			break;
		case 'h': fputs(cutover_usage, stdout); rc = EXIT_OK; goto out;
		default:
			unknown_option("cutover-plan", argv);
			goto out;
		}
	}
	for (; optind < argc; optind++) {
		if (nside == 2) {
			usage_error("cutover-plan", "unexpected argument '%s'", argv[optind]);
			goto out;
		}
		side[nside] = take_conninfo_arg(argv[optind], nside ? "target" : "source");
		nside++;
	}
	conninfo_default(&side[0], "DBMIG_SOURCE_URI");
	conninfo_default(&side[1], "DBMIG_TARGET_URI");
	if (!side[0] || !side[1]) {
		usage_error("cutover-plan", "give the pair: SOURCE TARGET");
		goto out;
	}
	o.proxy = proxy;
	if (o.proxy && !o.proxy_config && (o.execute || o.rollback)) {
		usage_error("cutover-plan", "--proxy needs --proxy-config FILE: the switch points "
			    "the entry there at the target, then RELOADs");
		goto out;
	}
	if (o.proxy && o.switch_cmd) {
		usage_error("cutover-plan", "--proxy and --switch-cmd are two ways to switch: give "
			    "one");
		goto out;
	}
	if ((o.dry_run || o.reverse || o.fenced_verify) && !o.execute && !o.rollback) {
		usage_error("cutover-plan", "--dry-run, --reverse and --fenced-verify go with "
			    "--execute");
		goto out;
	}
	if (o.execute && o.rollback) {
		usage_error("cutover-plan", "--execute switches to TARGET, --rollback back to "
			    "SOURCE: give one");
		goto out;
	}
	o.source = side[0];
	o.target = side[1];
	if (cutover_check(&o, &r, &err) < 0) {
		rc = run_failed("cutover-plan", &err);
		if (rc == EXIT_DIFFERENCES)
			rc = EXIT_TARGET;	/* 1 means "not ready", never "could not" */
		goto out;
	}
	if (!o.execute && !o.rollback) {
		struct strbuf out = STRBUF_INIT;
		struct strlist lines = STRLIST_INIT;

		if (json) {
			cutover_report_json(&o, &r, &out);
		} else {
			cutover_report_text(&r, &out);
			cutover_runbook(&o, &r, &lines);
			strbuf_addstr(&out, "\nrunbook:\n");
			for (size_t i = 0; i < lines.n; i++)
				strbuf_addf(&out, "  %s\n", lines.v[i]);
		}
		fputs(out.buf, stdout);
		strbuf_release(&out);
		strlist_release(&lines);
		rc = r.blocked ? EXIT_DIFFERENCES : EXIT_OK;
		goto out;
	}
	if (!o.rollback) {	/* a rollback's pair is not one to check */
		struct strbuf out = STRBUF_INIT;

		cutover_report_text(&r, &out);
		fputs(out.buf, stdout);
		strbuf_release(&out);
	}
	switch (cutover_execute(&o, &r, &pause, &err)) {
	case 0:
		rc = EXIT_OK;
		if (pause > 0)
			printf("write pause: %.3f s (PAUSE to RESUME)\n", pause);
		break;
	case 1:
		log_error("%s", err.msg);
		rc = EXIT_DIFFERENCES;
		break;
	default:
		rc = run_failed("cutover-plan", &err);
		break;
	}
out:
	cutover_report_release(&r);
	free(side[0]);
	free(side[1]);
	free(proxy);
	return rc;
}
