/*
 * main.c - dbmig's entry point: global options, then dispatch to the
 * subcommand through a sorted table (git's commands[]). Only cmd/ prints
 * to stdout or exits.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/dberr.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/base/version.h"
#include "cmd.h"
#include "exitcodes.h"
#include "lib/base/banned.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "cdc-tail", cmd_cdc_tail, "apply or write the changes after an online dump, exactly once" },
	{ "copy", cmd_copy, "copy a database into another directly, optionally keeping the dump" },
	{ "cutover-plan", cmd_cutover_plan, "check a live pair's readiness, print its runbook, or "
	  "switch it (--execute)" },
	{ "dump", cmd_dump, "take a consistent, checksummed dump of a database" },
	{ "load", cmd_load, "recreate a dump's schema and data in a database, resumably" },
	{ "verify", cmd_verify, "prove two databases, or a dump and a database, hold the same rows" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: dbmig [-v | -q] <command> [<args>]\n"
		"       dbmig --version | --help | help <command>\n\n"
		"Move databases between servers exactly, and prove it.\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nglobal options:\n"
		"  -v, --verbose   more messages (repeat for more)\n"
		"  -q, --quiet     errors only\n"
		"  -h, --help      this help\n"
		"  -V, --version   print the version\n\n"
		"'dbmig help <command>' shows the manual page of a command.\n");
}

static const struct cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void
on_signal(int sig)
{
	(void)sig;
	/* a second signal: a stop that was waiting for work in hand may
	 * no longer wait (cdc-tail) */
	dbmig_interrupted = dbmig_interrupted ? 2 : 1;
}

static int
cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	char page[64];

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!(c = find_cmd(argv[1]))) {
		fprintf(stderr, "dbmig: error: '%s' is not a dbmig command; see 'dbmig --help'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	snprintf(page, sizeof(page), "dbmig-%s", c->name);
	{
		/* Run from the source tree, the page is beside the binary. */
		char exe[4096], path[4200];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n > 0) {
			char *slash;

			exe[n] = '\0';
			if ((slash = strrchr(exe, '/')))
				*slash = '\0';
			snprintf(path, sizeof(path), "%s/man/%s.1", exe, page);
			if (access(path, R_OK) == 0)
				execlp("man", "man", "-l", path, (char *)NULL);
		}
	}
	execlp("man", "man", page, (char *)NULL);
	/* No man(1) here: the built-in help is the next best thing. */
	{
		char *args[] = { (char *)c->name, (char *)"--help", NULL };

		optind = 0;
		return c->fn(2, args);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	const struct cmd *c;
	int level = LOG_INFO, ch, rc;

	/* '+': stop at the subcommand; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+vqhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'v': level++; break;
		case 'q': level = LOG_ERROR; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("dbmig %s\n", DBMIG_VERSION); return EXIT_OK;
		default:
			fprintf(stderr, "Try 'dbmig --help'.\n");
			return EXIT_USAGE;
		}
	}
	log_set_level(level > LOG_TRACE ? LOG_TRACE : level);
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[0], "help"))
		return cmd_help(argc, argv);
	if (!(c = find_cmd(argv[0]))) {
		fprintf(stderr, "dbmig: error: '%s' is not a dbmig command; see 'dbmig --help'\n",
			argv[0]);
		return EXIT_USAGE;
	}
	optind = 0;	/* glibc: a full reset, as the '+' above is not wanted now */
	opterr = 0;	/* a bad option is said in dbmig's own form (unknown_option) */
	rc = c->fn(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dbmig: error: cannot write to standard output: %s\n",
			strerror(errno));
		return rc ? rc : EXIT_IO;
	}
	return rc;
}
