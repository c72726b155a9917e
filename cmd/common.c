/*
 * common.c - what the subcommands share: the connection-string
 * arguments (passwords blanked from ps), the options several commands
 * take (-j, --progress, --schema-only/--data-only, dump's and load's
 * own, also taken by copy), usage errors, the exit code of a failed run
 * and load's closing notes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cdc/cdc_start.h"
#include "lib/base/log.h"
#include "lib/base/progress.h"
#include "lib/base/util.h"
#include "lib/dump/dump.h"
#include "lib/load/load.h"
#include "cmd.h"
#include "exitcodes.h"
#include "lib/base/banned.h"

/* ---- connection strings ---- */

void
take_positional_conninfo(int argc, char **argv, char **dst, const char *what)
{
	if (optind < argc) {
		free(*dst);
		*dst = take_conninfo_arg(argv[optind++], what);
	}
}

void
conninfo_default(char **dst, const char *envvar)
{
	if (!*dst && getenv(envvar))
		*dst = xstrdup(getenv(envvar));
}

char *
take_conninfo_arg(char *arg, const char *what)
{
	char *copy = xstrdup(arg), *p;
	int scrubbed = 0;

	/* URI form: scheme://user:PASSWORD@host */
	if ((p = strstr(arg, "://"))) {
		char *at = strchr(p + 3, '@'), *colon = strchr(p + 3, ':');

		if (at && colon && colon < at) {
			for (char *q = colon + 1; q < at; q++)
				*q = 'x';
			scrubbed = 1;
		}
		if ((p = strstr(arg, "password="))) {
			for (char *q = p + 9; *q && *q != '&'; q++)
				*q = 'x';
			scrubbed = 1;
		}
	} else if ((p = strstr(arg, "password"))) {
		/* keyword form: password=secret or password = 'se cret' */
		char *q = p + 8;

		while (*q == ' ')
			q++;
		if (*q == '=') {
			q++;
			while (*q == ' ')
				q++;
			if (*q == '\'') {
				for (q++; *q && *q != '\''; q++)
					*q = 'x';
			} else {
				for (; *q && *q != ' '; q++)
					*q = 'x';
			}
			scrubbed = 1;
		}
	}
	if (scrubbed)
		log_warn("the %s connection string holds a password, which other users "
			 "could see in the process list; prefer %s", what,
			 !strncmp(copy, "mysql:", 6) || !strncmp(copy, "mariadb:", 8)
			 ? "MYSQL_PWD or the [client] group of an option file (?option-file=)"
			 : "PGPASSWORD or ~/.pgpass");
	return copy;
}

int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v == 0)
		return -1;
	*out = v;
	return 0;
}

int
parse_jobs(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 256)
		return -1;
	*out = (int)v;
	return 0;
}

static void (*usage_hook)(const char *msg);

void
usage_error_hook(void (*fn)(const char *msg))
{
	usage_hook = fn;
}

int
usage_error(const char *sub, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dbmig %s: error: %s\nTry 'dbmig %s --help'.\n", sub, msg, sub);
	if (usage_hook)
		usage_hook(msg);
	return EXIT_USAGE;
}

/* ---- options several commands take ---- */

int
jobs_option(const char *sub, const char *arg, int *jobs)
{
	if (parse_jobs(arg, jobs) < 0)
		return usage_error(sub, "-j wants a number from 1 to 256, not '%s'", arg), -1;
	return 0;
}

int
progress_option(const char *sub, const char *arg, int *mode)
{
	if ((*mode = progress_mode_parse(arg)) < 0)
		return usage_error(sub, "--progress wants auto, tty, json, log or none, not '%s'",
				   arg), -1;
	/* the whole stderr stream is JSON then, messages included */
	log_set_json(*mode == PROGRESS_JSON);
	return 0;
}

int
schema_data_check(const char *sub, int schema_only, int data_only)
{
	if (schema_only && data_only)
		return usage_error(sub, "options --schema-only and --data-only cannot be used "
				   "together"), -1;
	return 0;
}

int
unknown_option(const char *sub, char **argv)
{
	/* getopt_long, told to be silent, left the offending word just
	 * before optind */
	return usage_error(sub, "unknown option, or an option without its value: '%s'",
			   optind > 0 ? argv[optind - 1] : "?");
}

/* After SIGINT or SIGTERM: what state the run left, and what to run next. */
static const char *
interrupted_advice(const char *sub)
{
	if (!strcmp(sub, "load"))
		return "chunks already committed stay recorded on the target; run the same "
		       "command again to resume";
	if (!strcmp(sub, "dump"))
		return "the unfinished dump directory was removed; run the dump again";
	if (!strcmp(sub, "copy"))
		return "the target keeps the rows committed so far; run the same command with "
		       "--truncate to start the rows over (or use dump and load, which resume)";
	return "nothing was changed; run the same command again";
}

int
run_failed(const char *sub, const struct dberr *err)
{
	if (err->cls == DBERR_INTERRUPTED)
		log_error("%s interrupted%s%s%s; %s", sub, strcmp(err->msg, "interrupted") ? " (" : "",
			  strcmp(err->msg, "interrupted") ? err->msg : "",
			  strcmp(err->msg, "interrupted") ? ")" : "", interrupted_advice(sub));
	else
		log_error("%s", err->msg);
	return exit_code_for(err);
}

/* ---- dump's and load's options (copy takes both) ---- */

void
dump_opts_init(struct dump_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	o->compress_level = 1;
	o->chunk_bytes = (uint64_t)64 << 20;
	/* a type without a neutral mapping is dumped as its text form,
	 * tagged with the type; the load decides what that can become */
	o->filter.unmapped_as_text = 1;
}

int
dump_option(const char *sub, int ch, const char *arg, struct dump_opts *o)
{
	switch (ch) {
	case 't': strlist_push(&o->filter.include, arg); break;
	case 'T': strlist_push(&o->filter.exclude, arg); break;
	case OPT_SCHEMA_ONLY: o->schema_only = 1; break;
	case OPT_DATA_ONLY: o->data_only = 1; break;
	case OPT_COMPRESS_LEVEL: {
		char *end;
		long l = strtol(arg, &end, 10);

		if (*end || end == arg || l < 1 || l > 19)
			return usage_error(sub, "--compress-level wants 1 to 19, not '%s'", arg), -1;
		o->compress_level = (int)l;
		break;
	}
	case OPT_CHUNK_SIZE:
		if (parse_size(arg, &o->chunk_bytes) < 0)
			return usage_error(sub, "--chunk-size wants a size like 64M, not '%s'", arg), -1;
		break;
	case OPT_UNMAPPED_AS_TEXT: o->filter.unmapped_as_text = 1; break;
	case OPT_ALLOW_INCONSISTENT: o->allow_inconsistent = 1; break;
	default:
		return 0;
	}
	return 1;
}

/* The --help lines of load's options, shared by load and copy. */
const char load_options_help[] =
	"      --truncate            empty target tables that hold rows\n"
	"      --strict              refuse every lossy or approximate type mapping\n"
	"      --zero-dates=null|error  MySQL zero dates become NULL (default) or stop the run\n"
	"      --tinyint-numeric     keep MySQL tinyint(1) numeric even when it holds only 0 and 1\n"
	"      --strip-nul           drop NUL bytes from text PostgreSQL cannot hold (reported)\n"
	"      --json=jsonb|json     the PostgreSQL type for MySQL JSON (default jsonb)\n"
	"      --unbounded-numeric=decimal|double|text  MySQL type for PostgreSQL numeric\n"
	"                            without precision or beyond 65 digits (required for those)\n"
	"      --special-values=error|null  into MySQL: NaN, infinities and dates beyond\n"
	"                            years 1-9999 stop the run (default) or become NULL\n"
	"      --uuid=char|binary    uuid on MySQL as char(36) (default) or binary(16)\n"
	"      --ci-collation=icu|binary  MySQL _ci columns on PostgreSQL: a case-insensitive\n"
	"                            ICU collation (default), or binary (LIKE works before 18)\n"
	"      --unmapped-as-text    into the other engine, carry a column whose type has no\n"
	"                            mapping (tsvector, hstore, ...) as text (lossy, reported)\n"
	"      --no-owner            PostgreSQL to PostgreSQL: leave objects owned by the\n"
	"                            loading role instead of the source's owners\n"
	"      --no-privileges       PostgreSQL to PostgreSQL: leave out the source's GRANTs\n"
	"      --roles               PostgreSQL to PostgreSQL: create the owners and grantees\n"
	"                            the target lacks (no passwords, no superuser)\n"
	"      --schema-prefix       put several PostgreSQL schemas into one MySQL database,\n"
	"                            tables named schema_table\n";

void
load_opts_init(struct load_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	o->online = &cdc_load_online;	/* an online dump's start, recorded for cdc-tail */
}

/* "scheme://..." or libpq's "keyword=value ...": a database, not a path
 * ("/backup/run=1" has its '/' first). */
int
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
	case OPT_UNMAPPED_AS_TEXT: o->unmapped_as_text = 1; break;
	case OPT_NO_OWNER: o->no_owner = 1; break;
	case OPT_NO_PRIVILEGES: o->no_privileges = 1; break;
	case OPT_ROLES: o->create_roles = 1; break;
	case OPT_STRICT: o->strict = 1; break;
	case OPT_TINYINT_NUMERIC: o->tinyint_numeric = 1; break;
	case OPT_STRIP_NUL: o->strip_nul = 1; break;
	case OPT_SCHEMA_PREFIX: o->schema_prefix = 1; break;
	case OPT_CI_COLLATION:
		if (!strcmp(arg, "binary"))
			o->ci_binary = 1;
		else if (strcmp(arg, "icu"))
			return usage_error(sub, "--ci-collation wants icu or binary, not '%s'", arg), -1;
		break;
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
	case OPT_SPECIAL_VALUES:
		if (!strcmp(arg, "null"))
			o->special_null = 1;
		else if (strcmp(arg, "error"))
			return usage_error(sub, "--special-values wants error or null, not '%s'", arg), -1;
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

/* ---- reports ---- */

void
print_load_notes(const struct load_result *r)
{
	/* Under -q nothing was reported above: no line may point there. */
	if (log_get_level() < LOG_WARN)
		return;
	if (r->not_migrated)
		printf("  %d object%s not migrated: views, routines, triggers, owners or grants "
		       "(reported above)\n", r->not_migrated, r->not_migrated == 1 ? "" : "s");
	if (r->notes)
		printf("  %d type mapping%s reported above (lossy or approximate)\n", r->notes,
		       r->notes == 1 ? "" : "s");
	if (r->not_carried)
		printf("  %d constraint%s, index%s or default%s not carried (reported above)\n",
		       r->not_carried, PLURAL(r->not_carried), r->not_carried == 1 ? "" : "es",
		       PLURAL(r->not_carried));
}
