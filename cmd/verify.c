/*
 * verify.c - `dbmig verify`: option parsing and the report (for people,
 * or JSON for machines); the comparison is in lib/verify/verify.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json_util.h"
#include "lib/base/log.h"
#include "lib/verify/verify.h"
#include "cmd.h"
#include "exitcodes.h"
#include "lib/base/banned.h"

enum {
	VOPT_MODE = 512,
	VOPT_CHUNK_ROWS,
	VOPT_MAX_DIFFS,
	VOPT_JSON,
	VOPT_RENDERING_CHECK,
	VOPT_ALLOW_UNCOMPARED,
	VOPT_PROGRESS,
	VOPT_MAX_HOLD,
	VOPT_DIGEST,
};

static const char verify_usage[] =
	"usage: dbmig verify [options] SOURCE TARGET\n\n"
	"Compare the rows of two databases, or of a dump and a database, table by\n"
	"table, across PostgreSQL and MySQL/MariaDB, and name every row that differs.\n"
	"SOURCE and TARGET are each a dump directory, a postgresql:// URI, a libpq\n"
	"'key=value' string or a mysql:// URI. Exit status 0 means equal, 1 means\n"
	"differences were found, 9 means none were found but some columns could not\n"
	"be compared, 2 to 8 mean the comparison could not be made.\n"
	"A PostgreSQL source whose changes a running cdc-tail applies to TARGET is\n"
	"compared at one position: the tail holds there while the target's\n"
	"snapshot is taken.\n\n"
	"options:\n"
	"      --mode=checksum|rows  digest chunks inside each server and fetch only\n"
	"                      differing rows (default), or stream every row to dbmig\n"
	"      --digest=auto|md5|sha256  how the checksum mode digests rows: auto\n"
	"                      (default) takes the engine's own hash between servers of\n"
	"                      one engine and version (PostgreSQL hashtextextended, 64\n"
	"                      bits; MariaDB CRC32C, 32 bits), CRC32 and CRC32C of the\n"
	"                      common rendering where one side is MariaDB (the other\n"
	"                      side's rows read and hashed by dbmig), MD5 otherwise; md5\n"
	"                      and sha256 digest the common rendering everywhere (audits)\n"
	"  -j, --jobs N        compare N tables at a time, and the key ranges of one\n"
	"                      large table on N connections at once (default 1)\n"
	"  -t, --table PATTERN compare only matching tables (repeatable; 'schema.*')\n"
	"  -T, --exclude-table PATTERN  skip matching tables (repeatable)\n"
	"      --chunk-rows N  rows per first-level chunk (default 10000)\n"
	"      --max-diffs N   differences listed per table (default 100)\n"
	"      --max-hold S    a live pair: how long the target's cdc-tail may be held\n"
	"                      to reach the source's position (default 60)\n"
	"      --json          print the report as one JSON object\n"
	"      --progress=auto|tty|json|log|none  tables and rows compared, with ETA,\n"
	"                      on stderr (default auto: a live line on a terminal)\n"
	"  -q, --quiet         print nothing when equal, only differences otherwise\n"
	"      --allow-uncompared  exit 0, not 9, when no difference was found but\n"
	"                      some columns could not be compared (they are listed)\n"
	"      --rendering-check  check that each server renders every compared value\n"
	"                      as dbmig does (diagnostic; reads whole tables)\n"
	"  -h, --help          this help\n";

static const char *
kind_word(char k)
{
	switch (k) {
	case 'm': return "missing on target";
	case 'e': return "extra on target";
	case 'c': return "changed";
	case 'n': return "row counts differ";
	default: return "rendering differs";
	}
}

static void
print_side(const char *label, const struct verify_side_info *s)
{
	printf("%s: %s %s %s", label, s->engine, s->server_version, s->where);
	if (s->is_dump)
		printf(" (taken %s", s->taken_at);
	else
		printf(" (read now");
	if (s->position.text[0]) {
		struct strbuf pos = STRBUF_INIT;

		position_describe(&s->position, &pos);
		printf(", %s", pos.buf);
		strbuf_release(&pos);
	}
	printf(")\n");
}

static void
print_human(const struct verify_opts *o, const struct verify_result *r, int quiet, int rc)
{
	uint64_t rows = 0;
	int notes = 0;

	if (!quiet) {
		print_side("source", &r->side[0]);
		print_side("target", &r->side[1]);
		if (r->live)
			printf("live pair: the target's cdc-tail held at %s, the source's snapshot's "
			       "position, while the target's snapshot was taken\n", r->live_position);
	}
	if (r->stopped_tail_at[0] && !quiet)
		printf("the target's cdc-tail is not running: the target is compared as it "
		       "stands, at %s in the source's changes\n", r->stopped_tail_at);
	if (r->tail_no_answer)
		printf("%snote: a cdc-tail applies to the target but did not answer the request "
		       "to hold (a dbmig before 0.2?): rows in flight may show as differences\n",
		       quiet ? "" : "\n");
	if (!quiet) {
		printf("\n%-32s %12s %12s %7s %9s %11s %8s  %s\n", "table", "source rows",
		       "target rows", "chunks", "differing", "differences", "seconds", "method");
		for (int i = 0; i < r->ntables; i++) {
			const struct verify_table *t = &r->tables[i];

			printf("%-32s %12" PRIu64 " %12" PRIu64 " %7" PRIu64 " %9" PRIu64
			       " %10" PRIu64 "%s %8.2f  %s%s%s\n", t->name[0], t->rows[0], t->rows[1],
			       t->chunks, t->chunks_differing,
			       t->missing + t->extra + t->changed + t->counted,
			       t->truncated ? "+" : " ", t->seconds, t->error ? "failed" : t->method,
			       t->error || !t->digest ? "" : ", ", t->error || !t->digest ? "" : t->digest);
			rows += t->rows[0];
		}
	}
	if (r->differences || r->only[0].n || r->only[1].n) {
		printf("%sdifferences:\n", quiet ? "" : "\n");
		for (int s = 0; s < 2; s++)
			for (size_t k = 0; k < r->only[s].n; k++)
				printf("  %s: table only on the %s\n", r->only[s].v[k],
				       s ? "target" : "source");
		for (size_t k = 0; k < r->column_diffs.n; k++)
			printf("  %s\n", r->column_diffs.v[k]);
		for (int i = 0; i < r->ntables; i++) {
			const struct verify_table *t = &r->tables[i];

			for (int k = 0; k < t->ndiffs; k++) {
				const struct verify_diff *d = &t->diffs[k];

				printf("  %s: %s: %s", t->name[0], kind_word(d->kind), d->key);
				if (d->columns)
					printf(": %s (%s)", d->columns, d->detail);
				else if (d->kind == 'n')
					printf(" (%s)", d->detail);
				printf("\n");
			}
			if (t->truncated)
				printf("  %s: more differences not listed (--max-diffs %" PRIu64 ")\n",
				       t->name[0], o->max_diffs);
			if (t->digest_mismatch)
				printf("  %s: chunk digests differ but the fetched rows are equal: a "
				       "rendering disagrees; run with --rendering-check\n", t->name[0]);
			if (!t->error && !t->ndiffs && !t->digest_mismatch && t->rows[0] != t->rows[1])
				printf("  %s: %" PRIu64 " rows on the source, %" PRIu64 " on the target\n",
				       t->name[0], t->rows[0], t->rows[1]);
		}
	}
	for (int i = 0; i < r->ntables; i++) {
		const struct verify_table *t = &r->tables[i];

		if (t->error)
			printf("%s  %s: not compared: %s\n", notes++ ? "" : "\nerrors:\n", t->name[0],
			       t->error);
	}
	notes = 0;
	/* what was not compared is shown under -q too when it decides the result */
	for (int i = 0; i < r->ntables && (!quiet || rc == EXIT_INCOMPLETE); i++) {
		const struct verify_table *t = &r->tables[i];

		for (size_t k = 0; k < t->notes.n; k++)
			printf("%s  %s: %s\n", notes++ ? "" : "\nnotes:\n", t->name[0], t->notes.v[k]);
		if (t->multiset && !quiet)
			printf("%s  %s: no primary key: compared as a multiset of rows\n",
			       notes++ ? "" : "\nnotes:\n", t->name[0]);
		if (t->stored_apart && !quiet)
			printf("%s  %s: some values are stored differently on the two sides but "
			       "equal as verify compares them (for example -0 and 0)\n",
			       notes++ ? "" : "\nnotes:\n", t->name[0]);
	}
	/* shown under -q too: a cutover on it would fail the application */
	for (size_t k = 0; k < r->seq_behind.n; k++)
		printf("%s  sequence %s: its next value on the target would collide with rows the "
		       "source made; sync it before clients write to the target: %s\n",
		       notes++ ? "" : "\nnotes:\n", r->seq_behind.v[k], r->seq_fix.v[k]);
	notes = 0;
	for (int i = 0; i < r->ntables; i++)
		notes += r->tables[i].error != NULL;
	if (notes)
		printf("%sFAILED: %d of %d table%s could not be compared (%" PRIu64
		       " other difference%s)\n", quiet ? "" : "\n", notes, r->ntables,
		       PLURAL(r->ntables), r->differences, PLURAL(r->differences));
	else if (r->differences)
		printf("%sDIFFERENT: %" PRIu64 " difference%s in %d of %d table%s (%.1f s)\n",
		       quiet ? "" : "\n", r->differences, PLURAL(r->differences),
		       r->tables_differing, r->ntables, PLURAL(r->ntables), r->seconds);
	else if (rc == EXIT_INCOMPLETE)
		printf("%sINCOMPLETE: no difference in %d table%s, but %d column%s of %d table%s "
		       "could not be compared (see the notes); --allow-uncompared accepts that\n",
		       quiet ? "" : "\n", r->ntables, PLURAL(r->ntables), r->uncompared,
		       PLURAL(r->uncompared), r->tables_uncompared, PLURAL(r->tables_uncompared));
	else if (!quiet)
		printf("\nequal%s%s: %d table%s, %" PRIu64 " row%s%s (%.1f s)\n",
		       r->live ? " at " : "", r->live ? r->live_position : "", r->ntables,
		       PLURAL(r->ntables), rows, PLURAL(rows),
		       r->uncompared ? ", some columns not compared (allowed)" : "", r->seconds);
}

static json_t *
side_json(const struct verify_side_info *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(s->is_dump ? "dump" : "database"));
	json_object_set_new(o, "engine", json_string(s->engine));
	json_object_set_new(o, "server_version", json_string(s->server_version));
	json_object_set_new(o, "where", json_string(s->where));
	json_object_set_new(o, "snapshot", json_string(s->snapshot_kind));
	json_object_set_new(o, "position", json_string(s->position.text));
	json_object_set_new(o, "position_exact", json_boolean(s->position.exact));
	json_object_set_new(o, "gtid", json_string(s->position.gtid));
	if (s->is_dump)
		json_object_set_new(o, "taken_at", json_string(s->taken_at));
	return o;
}

static void
print_json(const struct verify_opts *o, const struct verify_result *r, int rc)
{
	json_t *root = json_object(), *tables = json_array();

	/* The result is the exit status's: a table that could not be
	 * compared makes the run an error, never "equal". */
	json_object_set_new(root, "result", json_string(rc == EXIT_OK ? "equal" :
				rc == EXIT_DIFFERENCES ? "different" :
				rc == EXIT_INCOMPLETE ? "incomplete" : "error"));
	json_object_set_new(root, "exit_status", json_integer(rc));
	if (rc != EXIT_OK && rc != EXIT_DIFFERENCES) {
		for (int i = 0; i < r->ntables; i++)
			if (r->tables[i].error) {
				json_object_set_new(root, "message", json_string(r->tables[i].error));
				break;
			}
	}
	json_object_set_new(root, "differences", json_integer((json_int_t)r->differences));
	json_object_set_new(root, "columns_not_compared", json_integer(r->uncompared));
	if (rc == EXIT_INCOMPLETE)
		json_object_set_new(root, "message", json_string("no difference found, but some "
				    "columns could not be compared (see each table's notes); "
				    "--allow-uncompared accepts that"));
	json_object_set_new(root, "mode", json_string(o->mode == VERIFY_ROWS ? "rows" : "checksum"));
	/* a live pair: both sides at this source position */
	json_object_set_new(root, "live", json_boolean(r->live));
	json_object_set_new(root, "at", r->live ? json_string(r->live_position) : json_null());
	json_object_set_new(root, "seconds", json_real(r->seconds));
	json_object_set_new(root, "source", side_json(&r->side[0]));
	json_object_set_new(root, "target", side_json(&r->side[1]));
	json_object_set_new(root, "only_on_source", json_strlist(&r->only[0]));
	json_object_set_new(root, "only_on_target", json_strlist(&r->only[1]));
	json_object_set_new(root, "column_differences", json_strlist(&r->column_diffs));
	{
		json_t *sb = json_array();

		for (size_t k = 0; k < r->seq_behind.n; k++) {
			json_t *d = json_object();

			json_object_set_new(d, "difference", json_string("sequence behind"));
			json_object_set_new(d, "sequence", json_stringn(r->seq_behind.v[k],
					    strcspn(r->seq_behind.v[k], ":")));
			json_object_set_new(d, "detail", json_string(r->seq_behind.v[k]));
			json_object_set_new(d, "fix", json_string(r->seq_fix.v[k]));
			json_array_append_new(sb, d);
		}
		json_object_set_new(root, "sequence_differences", sb);
	}
	for (int i = 0; i < r->ntables; i++) {
		const struct verify_table *t = &r->tables[i];
		json_t *jt = json_object(), *diffs = json_array();

		json_object_set_new(jt, "source", json_string(t->name[0]));
		json_object_set_new(jt, "target", json_string(t->name[1]));
		json_object_set_new(jt, "method", json_string(t->method ? t->method : ""));
		json_object_set_new(jt, "digest", t->digest ? json_string(t->digest) : json_null());
		json_object_set_new(jt, "ranges", json_integer(t->ranges));
		json_object_set_new(jt, "rows_source", json_integer((json_int_t)t->rows[0]));
		json_object_set_new(jt, "rows_target", json_integer((json_int_t)t->rows[1]));
		json_object_set_new(jt, "chunks", json_integer((json_int_t)t->chunks));
		json_object_set_new(jt, "chunks_differing", json_integer((json_int_t)t->chunks_differing));
		json_object_set_new(jt, "missing", json_integer((json_int_t)t->missing));
		json_object_set_new(jt, "extra", json_integer((json_int_t)t->extra));
		json_object_set_new(jt, "changed", json_integer((json_int_t)t->changed));
		json_object_set_new(jt, "counted", json_integer((json_int_t)t->counted));
		json_object_set_new(jt, "counted_ranges", json_integer((json_int_t)t->counted_ranges));
		json_object_set_new(jt, "truncated", json_boolean(t->truncated));
		json_object_set_new(jt, "multiset", json_boolean(t->multiset));
		json_object_set_new(jt, "digest_mismatch", json_boolean(t->digest_mismatch));
		json_object_set_new(jt, "stored_apart", json_boolean(t->stored_apart));
		json_object_set_new(jt, "seconds", json_real(t->seconds));
		json_object_set_new(jt, "error", t->error ? json_string(t->error) : json_null());
		json_object_set_new(jt, "notes", json_strlist(&t->notes));
		for (int k = 0; k < t->ndiffs; k++) {
			const struct verify_diff *d = &t->diffs[k];
			json_t *jd = json_object();

			json_object_set_new(jd, "kind", json_string(d->kind == 'm' ? "missing" :
				d->kind == 'e' ? "extra" : d->kind == 'c' ? "changed" :
				d->kind == 'n' ? "count" : "rendering"));
			json_t *kj = d->key_json ? json_loads(d->key_json, 0, NULL) : NULL;

			json_object_set_new(jd, "key", kj ? kj : json_string(d->key));
			json_object_set_new(jd, "key_text", json_string(d->key));
			if (d->kind == 'n') {
				json_object_set_new(jd, "rows_source", json_integer((json_int_t)d->count[0]));
				json_object_set_new(jd, "rows_target", json_integer((json_int_t)d->count[1]));
			}
			if (d->columns) {
				struct strlist cols = STRLIST_INIT;
				char *dup = xstrdup(d->columns), *p = dup, *comma;

				while ((comma = strstr(p, ", "))) {
					*comma = '\0';
					strlist_push(&cols, p);
					p = comma + 2;
				}
				strlist_push(&cols, p);
				free(dup);
				json_object_set_new(jd, "columns", json_strlist(&cols));
				strlist_release(&cols);
				json_object_set_new(jd, "detail", json_string(d->detail));
			}
			json_array_append_new(diffs, jd);
		}
		json_object_set_new(jt, "differences", diffs);
		json_array_append_new(tables, jt);
	}
	json_object_set_new(root, "tables", tables);
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(root);
}

/* A run that could not compare at all: still one JSON document. */
static void
print_json_error(int rc, const char *msg)
{
	json_t *root = json_object();

	json_object_set_new(root, "result", json_string("error"));
	json_object_set_new(root, "exit_status", json_integer(rc));
	json_object_set_new(root, "message", json_string(msg));
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(root);
}

static void
json_usage_error(const char *msg)
{
	print_json_error(EXIT_USAGE, msg);
}

/* --json anywhere among the options (before a "--"), seen before they
 * are parsed so that an error in an earlier one is reported in JSON too. */
static int
wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			return 1;
	return 0;
}

static int
parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v == 0)
		return -1;
	*out = v;
	return 0;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "mode", required_argument, NULL, VOPT_MODE },
		{ "jobs", required_argument, NULL, 'j' },
		{ "table", required_argument, NULL, 't' },
		{ "exclude-table", required_argument, NULL, 'T' },
		{ "chunk-rows", required_argument, NULL, VOPT_CHUNK_ROWS },
		{ "max-diffs", required_argument, NULL, VOPT_MAX_DIFFS },
		{ "json", no_argument, NULL, VOPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rendering-check", no_argument, NULL, VOPT_RENDERING_CHECK },
		{ "allow-uncompared", no_argument, NULL, VOPT_ALLOW_UNCOMPARED },
		{ "progress", required_argument, NULL, VOPT_PROGRESS },
		{ "max-hold", required_argument, NULL, VOPT_MAX_HOLD },
		{ "digest", required_argument, NULL, VOPT_DIGEST },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verify_opts o;
	struct verify_result res;
	struct dberr err = DBERR_INIT;
	char *side[2] = { NULL, NULL };
	int ch, json = wants_json(argc, argv), quiet = 0, rc = EXIT_USAGE, nside = 0;
	int allow_uncompared = 0;

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	if (json)	/* even a bad option gets its one JSON document */
		usage_error_hook(json_usage_error);
	o.jobs = 1;
	o.chunk_rows = 10000;
	o.max_diffs = 100;
	o.max_hold = 60;
	while ((ch = getopt_long(argc, argv, "j:t:T:qh", long_opts, NULL)) != -1) {
		switch (ch) {
		case VOPT_MODE:
			if (!strcmp(optarg, "rows"))
				o.mode = VERIFY_ROWS;
			else if (strcmp(optarg, "checksum")) {
				usage_error("verify", "--mode wants checksum or rows, not '%s'", optarg);
				goto out;
			}
			break;
		case VOPT_DIGEST:
			if (!strcmp(optarg, "md5")) {
				o.digest = VERIFY_DIGEST_MD5;
			} else if (!strcmp(optarg, "sha256")) {
				o.digest = VERIFY_DIGEST_SHA256;
			} else if (strcmp(optarg, "auto")) {
				usage_error("verify", "--digest wants auto, md5 or sha256, not '%s'",
					    optarg);
				goto out;
			}
			break;
		case 'j':
			if (jobs_option("verify", optarg, &o.jobs) < 0)
				goto out;
			break;
		case 't': strlist_push(&o.filter.include, optarg); break;
		case 'T': strlist_push(&o.filter.exclude, optarg); break;
		case VOPT_CHUNK_ROWS:
			if (parse_count(optarg, &o.chunk_rows) < 0) {
				usage_error("verify", "--chunk-rows wants a positive number, not '%s'", optarg);
				goto out;
			}
			break;
		case VOPT_MAX_DIFFS:
			if (parse_count(optarg, &o.max_diffs) < 0) {
				usage_error("verify", "--max-diffs wants a positive number, not '%s'", optarg);
				goto out;
			}
			break;
		case VOPT_MAX_HOLD: {
			uint64_t v;

			if (parse_count(optarg, &v) < 0 || v > 86400) {
				usage_error("verify", "--max-hold wants seconds (1 to 86400), not '%s'",
					    optarg);
				goto out;
			}
			o.max_hold = (int)v;
			break;
		}
		case VOPT_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case VOPT_RENDERING_CHECK: o.rendering_check = 1; break;
		case VOPT_ALLOW_UNCOMPARED: allow_uncompared = 1; break;
		case VOPT_PROGRESS:
			if (progress_option("verify", optarg, &o.progress) < 0)
				goto out;
			break;
		case 'h': fputs(verify_usage, stdout); rc = EXIT_OK; goto out;
		default:
			unknown_option("verify", argv);
			goto out;
		}
	}
	for (; optind < argc; optind++) {
		if (nside == 2) {
			usage_error("verify", "unexpected argument '%s'", argv[optind]);
			goto out;
		}
		side[nside] = take_conninfo_arg(argv[optind], nside ? "target" : "source");
		nside++;
	}
	if (nside != 2) {
		usage_error("verify", "give the two sides to compare (SOURCE TARGET)");
		goto out;
	}
	/* the global -q (dbmig -q verify) quiets the report as verify -q does */
	if (log_get_level() == LOG_ERROR)
		quiet = 1;
	if (quiet)
		log_set_level(LOG_ERROR);
	/* Tables that cannot be read as text are still compared by what
	 * can: a dump made with --unmapped-as-text says so itself. */
	o.filter.unmapped_as_text = 1;
	o.side[0] = side[0];
	o.side[1] = side[1];
	if (verify_run(&o, &res, &err) < 0) {
		rc = run_failed("verify", &err);
		if (json)	/* cron reads stdout: one document, whatever happened */
			print_json_error(rc, err.msg);
		goto out;
	}
	rc = res.differences ? EXIT_DIFFERENCES
	     : res.uncompared && !allow_uncompared ? EXIT_INCOMPLETE : EXIT_OK;
	for (int i = 0; i < res.ntables; i++)
		if (res.tables[i].error) {
			struct dberr te = { res.tables[i].error_cls, "", "", 0 };

			rc = exit_code_for(&te);
			break;
		}
	if (json)
		print_json(&o, &res, rc);
	else
		print_human(&o, &res, quiet, rc);
out:
	usage_error_hook(NULL);
	verify_result_release(&res);
	strlist_release(&o.filter.include);
	strlist_release(&o.filter.exclude);
	free(side[0]);
	free(side[1]);
	return rc;
}
