/*
 * cmd.h - what the subcommand files share with main.c.
 */
#ifndef DBMIG_CMD_H
#define DBMIG_CMD_H

#include <stdint.h>

int cmd_dump(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_cdc_tail(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_cutover_plan(int argc, char **argv);

/* Long options of dump and load, also taken by copy (one numbering). */
enum {
	OPT_SCHEMA_ONLY = 256,
	OPT_DATA_ONLY,
	OPT_COMPRESS_LEVEL,
	OPT_CHUNK_SIZE,
	OPT_UNMAPPED_AS_TEXT,
	OPT_SOURCE,
	OPT_ALLOW_INCONSISTENT,
	OPT_PROGRESS,
	OPT_TRUNCATE,
	OPT_TARGET,
	OPT_STRICT,
	OPT_ZERO_DATES,
	OPT_SPECIAL_VALUES,
	OPT_TINYINT_NUMERIC,
	OPT_STRIP_NUL,
	OPT_JSON,
	OPT_UNBOUNDED_NUMERIC,
	OPT_SCHEMA_PREFIX,
	OPT_UUID,
	OPT_KEEP_DUMP,
	OPT_NO_OWNER,
	OPT_NO_PRIVILEGES,
	OPT_ROLES,
	OPT_CI_COLLATION,
	OPT_ONLINE,
	OPT_REPLICA_IDENTITY_FULL,
	OPT_FROM,
	OPT_DROP,
	OPT_SLOT,
	OPT_FORMAT,
	OPT_DEBEZIUM,
	OPT_UNTIL_CAUGHT_UP,
	OPT_STOP_AT,
	OPT_MAX_RETAINED_WAL,
	OPT_SERVER_ID,
};
/* What the source is read with (dump_option handles these). */
#define DUMP_LONG_OPTIONS \
	{ "table", required_argument, NULL, 't' }, \
	{ "exclude-table", required_argument, NULL, 'T' }, \
	{ "schema-only", no_argument, NULL, OPT_SCHEMA_ONLY }, \
	{ "data-only", no_argument, NULL, OPT_DATA_ONLY }, \
	{ "compress-level", required_argument, NULL, OPT_COMPRESS_LEVEL }, \
	{ "chunk-size", required_argument, NULL, OPT_CHUNK_SIZE }, \
	{ "unmapped-as-text", no_argument, NULL, OPT_UNMAPPED_AS_TEXT }, \
	{ "allow-inconsistent", no_argument, NULL, OPT_ALLOW_INCONSISTENT }
/* How the target is written (load_option handles these). */
#define LOAD_LONG_OPTIONS \
	{ "truncate", no_argument, NULL, OPT_TRUNCATE }, \
	{ "strict", no_argument, NULL, OPT_STRICT }, \
	{ "zero-dates", required_argument, NULL, OPT_ZERO_DATES }, \
	{ "special-values", required_argument, NULL, OPT_SPECIAL_VALUES }, \
	{ "tinyint-numeric", no_argument, NULL, OPT_TINYINT_NUMERIC }, \
	{ "strip-nul", no_argument, NULL, OPT_STRIP_NUL }, \
	{ "json", required_argument, NULL, OPT_JSON }, \
	{ "unbounded-numeric", required_argument, NULL, OPT_UNBOUNDED_NUMERIC }, \
	{ "schema-prefix", no_argument, NULL, OPT_SCHEMA_PREFIX }, \
	{ "uuid", required_argument, NULL, OPT_UUID }, \
	{ "unmapped-as-text", no_argument, NULL, OPT_UNMAPPED_AS_TEXT }, \
	{ "no-owner", no_argument, NULL, OPT_NO_OWNER }, \
	{ "no-privileges", no_argument, NULL, OPT_NO_PRIVILEGES }, \
	{ "roles", no_argument, NULL, OPT_ROLES }, \
	{ "ci-collation", required_argument, NULL, OPT_CI_COLLATION }

struct dump_opts;
struct load_opts;
struct load_result;
struct dberr;
void dump_opts_init(struct dump_opts *o);
void load_opts_init(struct load_opts *o);
/* load_option's options for --help (load and copy print them). */
extern const char load_options_help[];
/* Each returns 1 when it took option ch, 0 when ch is not one of its
 * options, -1 after printing a usage error for sub. */
int dump_option(const char *sub, int ch, const char *arg, struct dump_opts *o);
int load_option(const char *sub, int ch, const char *arg, struct load_opts *o);

/* Copies a connection string and blanks any password in argv, so `ps`
 * stops showing it; warns that it was visible until now. */
char *take_conninfo_arg(char *arg, const char *what);
/* The next positional argument (if any) into *dst, through take_conninfo_arg. */
void take_positional_conninfo(int argc, char **argv, char **dst, const char *what);
/* *dst from the environment variable when no argument gave it. */
void conninfo_default(char **dst, const char *envvar);
/* Parses "64M", "1G", "4096"; returns 0 or -1. */
int parse_size(const char *s, uint64_t *out);
/* Parses a positive int with an upper bound; returns 0 or -1. */
int parse_jobs(const char *s, int *out);
/* -j N and --progress=MODE into *jobs and *mode; 0, or -1 after a
 * usage error for sub. */
int jobs_option(const char *sub, const char *arg, int *jobs);
int progress_option(const char *sub, const char *arg, int *mode);
/* -1 after a usage error when both --schema-only and --data-only. */
int schema_data_check(const char *sub, int schema_only, int data_only);
/* After getopt_long returned '?': says which word, in dbmig's form with
 * the --help hint, and returns EXIT_USAGE. */
int unknown_option(const char *sub, char **argv);
/* Logs a failed run's error once and returns its exit code. */
int run_failed(const char *sub, const struct dberr *err);
/* "N views ... not migrated", "N type mappings reported" after a load. */
void print_load_notes(const struct load_result *r);
/* 1 for "scheme://..." or libpq's "keyword=value ...": a database,
 * not a path. */
int looks_like_conninfo(const char *s);
/* Called with the message of every later usage_error (verify --json
 * prints it as its one JSON document); NULL: none. */
void usage_error_hook(void (*fn)(const char *msg));
/* Prints "dbmig: error: ..." and "Try 'dbmig SUB --help'." and returns 2. */
int usage_error(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
