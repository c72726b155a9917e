/*
 * cdc_debezium.c - change events as Debezium's PostgreSQL connector
 * emits them (see cdc_debezium.h), checked against its documentation
 * (documentation/modules/ROOT/pages/connectors/postgresql.adoc: "Data
 * change events", "Data type mappings") and its own expected values
 * (debezium-connector-postgres/src/test/.../AbstractRecordsProducerTest
 * .java); tests/fixtures/debezium/ holds the expected events and says
 * which part each comes from.
 *
 * A record's value is the envelope {before, after, source, transaction,
 * op, ts_ms, ts_us, ts_ns}, wrapped with its Kafka Connect schema as
 * {"schema": ..., "payload": ...} when schemas are enabled, as the JSON
 * converter does by default. Values follow the column's type and the
 * handling modes; a column whose value the source did not send
 * (PostgreSQL's unchanged TOAST) holds the placeholder, as the
 * connector's does. source.lsn is each change's own WAL position and
 * source.sequence pairs it with the previous transaction's commit.
 */
#include "cdc_debezium.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "dbz_int.h"
#include "lib/base/jsonw.h"
#include "lib/base/util.h"
#include "lib/base/version.h"
#include "lib/base/banned.h"

void
dbz_opts_init(struct dbz_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tombstones = 1;
	o->key_schemas = o->value_schemas = 1;
	o->skipped = DBZ_SKIP_T;
	snprintf(o->placeholder, sizeof(o->placeholder), "__debezium_unavailable_value");
}

static int
pick(const char *v, const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return -1;
}

static int
boolean(const char *v, int *out)
{
	static const char *const names[] = { "false", "true", NULL };

	return pick(v, names, out);
}

int
dbz_opts_set(struct dbz_opts *o, const char *setting, char *emsg, size_t emsz)
{
	static const char *const decimals[] = { "precise", "double", "string", NULL };
	static const char *const times[] = { "adaptive", "adaptive_time_microseconds", "connect",
					     "microseconds", "isostring", NULL };
	static const char *const binaries[] = { "bytes", "base64", "base64-url-safe", "hex", NULL };
	static const char *const intervals[] = { "numeric", "string", NULL };
	const char *eq = strchr(setting, '=');
	char name[128];
	const char *v;
	int i, r = -1;

	if (!eq || eq == setting || (size_t)(eq - setting) >= sizeof(name)) {
		snprintf(emsg, emsz, "--debezium wants NAME=VALUE, as in decimal.handling.mode="
			 "string, not '%s'", setting);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - setting), setting);
	v = eq + 1;
	if (!strcmp(name, "decimal.handling.mode")) {
		if ((r = pick(v, decimals, &i)) == 0)
			o->decimal = (enum dbz_decimal)i;
	} else if (!strcmp(name, "time.precision.mode")) {
		if ((r = pick(v, times, &i)) == 0)
			o->time = (enum dbz_time)i;
	} else if (!strcmp(name, "binary.handling.mode")) {
		if ((r = pick(v, binaries, &i)) == 0)
			o->binary = (enum dbz_binary)i;
	} else if (!strcmp(name, "interval.handling.mode")) {
		if ((r = pick(v, intervals, &i)) == 0)
			o->interval = (enum dbz_interval)i;
	} else if (!strcmp(name, "tombstones.on.delete")) {
		r = boolean(v, &o->tombstones);
	} else if (!strcmp(name, "key.converter.schemas.enable")) {
		r = boolean(v, &o->key_schemas);
	} else if (!strcmp(name, "value.converter.schemas.enable")) {
		r = boolean(v, &o->value_schemas);
	} else if (!strcmp(name, "schemas.enable")) {
		if ((r = boolean(v, &o->key_schemas)) == 0)
			o->value_schemas = o->key_schemas;
	} else if (!strcmp(name, "skipped.operations")) {
		unsigned bits = 0;

		r = 0;
		if (strcmp(v, "none")) {
			for (const char *p = v; *p && r == 0; p++) {
				if (*p == 'c') bits |= DBZ_SKIP_C;
				else if (*p == 'u') bits |= DBZ_SKIP_U;
				else if (*p == 'd') bits |= DBZ_SKIP_D;
				else if (*p == 't') bits |= DBZ_SKIP_T;
				else if (*p != ',' && *p != ' ') r = -1;
			}
		}
		o->skipped = bits;
	} else if (!strcmp(name, "topic.prefix") || !strcmp(name, "unavailable.value.placeholder")) {
		char *dst = name[0] == 't' ? o->topic_prefix : o->placeholder;

		if (!*v || strlen(v) >= sizeof(o->topic_prefix)) {
			snprintf(emsg, emsz, "--debezium %s wants a value of 1 to 255 bytes", name);
			return -1;
		}
		memcpy(dst, v, strlen(v) + 1);
		return 0;
	} else {
		snprintf(emsg, emsz, "--debezium: dbmig does not know Debezium's property '%s' "
			 "(it takes decimal.handling.mode, time.precision.mode, binary.handling.mode, "
			 "interval.handling.mode, tombstones.on.delete, skipped.operations, "
			 "topic.prefix, unavailable.value.placeholder, key.converter.schemas.enable, "
			 "value.converter.schemas.enable, schemas.enable)", name);
		return -1;
	}
	if (r < 0)
		snprintf(emsg, emsz, "--debezium %s: '%s' is not one of Debezium's values for it "
			 "(see dbmig-cdc-tail(1))", name, v);
	return r;
}

/* ---- records ---- */

/* a row image as a struct of every column; key_only: the image holds
 * the key's columns only (the others are null) */
static int
row_json(const struct dbz_opts *o, struct strbuf *out, const struct table *t,
	 const struct value *vals, const unsigned char *unchanged, const struct constraint *only)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types), first = 1;

	strbuf_addch(out, '{');
	for (int i = 0; i < n; i++) {
		const struct column *col = dbz_data_column(t, i);
		int in = 1;

		if (only) {
			in = 0;
			for (size_t k = 0; k < only->columns.n; k++)
				in |= !strcmp(only->columns.v[k], col->name);
			if (!in)
				continue;
		}
		jsonw_key(out, &first, col->name);
		if (unchanged && unchanged[i])
			dbz_placeholder_json(o, out, types[i]);
		else if (dbz_value_json(o, out, col, types[i]->t, types[i], &vals[i]) < 0)
			return -1;
	}
	strbuf_addch(out, '}');
	return 0;
}

/* the record's key, or nothing (an empty key) without a primary key */
static int
key_json(const struct dbz_opts *o, const struct cdc_json_ctx *c, const struct table *t,
	 const struct value *vals, struct strbuf *out)
{
	const struct constraint *pk = dbz_primary_key(t);
	struct strbuf name = STRBUF_INIT;
	int r;

	if (!pk || !vals)
		return 0;
	if (o->key_schemas) {
		dbz_topic_name(o, c, t, "Key", &name);
		strbuf_addstr(out, "{\"schema\":");
		dbz_row_schema(o, out, t, pk, name.buf, 0, NULL);
		strbuf_addstr(out, ",\"payload\":");
	}
	r = row_json(o, out, t, vals, NULL, pk);
	if (o->key_schemas)
		strbuf_addch(out, '}');
	strbuf_release(&name);
	return r;
}

/* The MySQL connector's source block (its SourceInfo): the binlog file,
 * the position where the transaction's events start, the row's number
 * in its event, the server and the GTID. */
static void
source_json_mysql(const struct dbz_opts *o, const struct cdc_json_ctx *c, const struct table *t,
		  const struct cdc_binlog_origin *b, struct strbuf *out)
{
	int64_t us = c->commit_time_us;

	strbuf_addstr(out, "{\"version\":\"dbmig-" DBMIG_VERSION "\",\"connector\":\"mysql\","
		      "\"name\":");
	jsonw_cstr(out, o->topic_prefix[0] ? o->topic_prefix : c->database);
	strbuf_addf(out, ",\"ts_ms\":%" PRId64 ",\"snapshot\":\"false\",\"db\":",
		    dbz_floor_div(us, 1000));
	jsonw_cstr(out, t->schema);
	strbuf_addf(out, ",\"sequence\":null,\"ts_us\":%" PRId64 ",\"ts_ns\":%" PRId64
		    ",\"table\":", us, us * 1000);
	jsonw_cstr(out, t->name);
	strbuf_addf(out, ",\"server_id\":%" PRIu32 ",\"gtid\":", b ? b->server_id : 0);
	if (b && b->gtid && b->gtid[0])
		jsonw_cstr(out, b->gtid);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ",\"file\":");
	jsonw_cstr(out, b && b->file ? b->file : "");
	strbuf_addf(out, ",\"pos\":%" PRIu64 ",\"row\":%d,\"thread\":", b ? b->pos : 0,
		    b ? b->row : 0);
	if (b && b->thread)
		strbuf_addf(out, "%" PRIu32, b->thread);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ",\"query\":null}");
}

static void
source_json(const struct dbz_opts *o, const struct cdc_json_ctx *c, const struct table *t,
	    uint64_t lsn, struct strbuf *out)
{
	int64_t us = c->commit_time_us;

	strbuf_addstr(out, "{\"version\":\"dbmig-" DBMIG_VERSION "\",\"connector\":\"postgresql\","
		      "\"name\":");
	jsonw_cstr(out, o->topic_prefix[0] ? o->topic_prefix : c->database);
	strbuf_addf(out, ",\"ts_ms\":%" PRId64 ",\"snapshot\":\"false\",\"db\":", dbz_floor_div(us, 1000));
	jsonw_cstr(out, c->database);
	strbuf_addf(out, ",\"sequence\":\"[\\\"%" PRIu64 "\\\",\\\"%" PRIu64 "\\\"]\",\"ts_us\":%"
		    PRId64 ",\"ts_ns\":%" PRId64 ",\"schema\":", c->last_commit_lsn, lsn, us,
		    us * 1000);
	jsonw_cstr(out, t->schema);
	strbuf_addstr(out, ",\"table\":");
	jsonw_cstr(out, t->name);
	strbuf_addf(out, ",\"txId\":%" PRIu64 ",\"lsn\":%" PRIu64 ",\"xmin\":null}", c->xid, lsn);
}

/* one record: key TAB value NL; op 0 for a tombstone */
static int
record(const struct dbz_opts *o, const struct cdc_json_ctx *c, const struct cdc_event *ev,
       const struct table *t, char op, const struct value *before, const struct value *after, const unsigned char *unchanged, const struct value *keyvals,
       struct strbuf *out)
{
	int64_t now_us = (int64_t)(wall_seconds() * 1e6);
	size_t start = out->len;

	if (op != 't' && key_json(o, c, t, keyvals, out) < 0)
		goto bad;
	strbuf_addch(out, '\t');
	if (!op) {
		strbuf_addch(out, '\n');
		return 0;
	}
	if (o->value_schemas) {
		strbuf_addstr(out, "{\"schema\":");
		dbz_envelope_schema(o, c, t, out);
		strbuf_addstr(out, ",\"payload\":");
	}
	strbuf_addch(out, '{');
	if (op != 't') {
		strbuf_addstr(out, "\"before\":");
		if (!before)
			strbuf_addstr(out, "null");
		else if (row_json(o, out, t, before, NULL, NULL) < 0)
			goto bad;
		strbuf_addstr(out, ",\"after\":");
		if (!after)
			strbuf_addstr(out, "null");
		else if (row_json(o, out, t, after, unchanged, NULL) < 0)
			goto bad;
		strbuf_addch(out, ',');
	}
	strbuf_addstr(out, "\"source\":");
	if (c->engine && !strcmp(c->engine, "mysql"))
		source_json_mysql(o, c, t, ev->origin, out);
	else
		source_json(o, c, t, ev->lsn, out);
	strbuf_addf(out, ",\"transaction\":null,\"op\":\"%c\",\"ts_ms\":%" PRId64 ",\"ts_us\":%"
		    PRId64 ",\"ts_ns\":%" PRId64 "}", op, now_us / 1000, now_us, now_us * 1000);
	if (o->value_schemas)
		strbuf_addch(out, '}');
	strbuf_addch(out, '\n');
	return 0;
bad:
	strbuf_truncate(out, start);
	return -1;
}

/* the old image's key differs from the new one's */
static int
key_changed(const struct table *t, const struct value *before, const struct value *after)
{
	const struct constraint *pk = dbz_primary_key(t);
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types);

	if (!pk || !before || !after)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *name = table_data_column_name(t, i);

		for (size_t k = 0; k < pk->columns.n; k++) {
			if (strcmp(pk->columns.v[k], name))
				continue;
			if (before[i].isnull != after[i].isnull || before[i].len != after[i].len ||
			    (before[i].len && memcmp(before[i].p, after[i].p, before[i].len)))
				return 1;
		}
	}
	return 0;
}

int
dbz_event(const struct dbz_opts *o, const struct cdc_json_ctx *c, const struct cdc_event *ev,
	  struct strbuf *out)
{
	const struct table *t = ev->table;

	switch (ev->kind) {
	case CDC_INSERT:
		if (o->skipped & DBZ_SKIP_C)
			return 0;
		return record(o, c, ev, t, 'c', NULL, ev->after, ev->unchanged, ev->after, out);
	case CDC_UPDATE:
		if (key_changed(t, ev->before, ev->after)) {
			/* a delete of the old key, its tombstone, a create of
			 * the new one (the connector's primary key update) */
			if (!(o->skipped & DBZ_SKIP_D) &&
			    (record(o, c, ev, t, 'd', ev->before, NULL, NULL,
				    ev->before, out) < 0 ||
			     (o->tombstones && record(o, c, ev, t, 0, NULL, NULL, NULL, ev->before,
						      out) < 0)))
				return -1;
			if (o->skipped & DBZ_SKIP_C)
				return 0;
			return record(o, c, ev, t, 'c', NULL, ev->after, ev->unchanged, ev->after,
				      out);
		}
		if (o->skipped & DBZ_SKIP_U)
			return 0;
		return record(o, c, ev, t, 'u', ev->before, ev->after,
			      ev->unchanged, ev->after, out);
	case CDC_DELETE:
		if (o->skipped & DBZ_SKIP_D)
			return 0;
		if (record(o, c, ev, t, 'd', ev->before, NULL, NULL, ev->before,
			   out) < 0)
			return -1;
		/* a table without a key has no key to tombstone */
		if (o->tombstones && dbz_primary_key(t) && ev->before)
			return record(o, c, ev, t, 0, NULL, NULL, NULL, ev->before, out);
		return 0;
	case CDC_TRUNCATE:
		if (o->skipped & DBZ_SKIP_T)
			return 0;
		for (int i = 0; i < ev->ntables; i++)
			if (record(o, c, ev, ev->tables[i], 't', NULL, NULL, NULL, NULL, out) < 0)
				return -1;
		return 0;
	default:
		return 0;
	}
}

int
dbz_line_position(const char *line, size_t n, struct db_position *pos)
{
	const char *tab = memchr(line, '\t', n);
	json_t *o, *v;
	int ret = -1;

	if (!tab)
		return -1;
	n -= (size_t)(tab + 1 - line);
	line = tab + 1;
	if (!n)
		return 1;
	if (!(o = json_loadb(line, n, 0, NULL)))
		return -1;
	v = json_object_get(o, "payload");
	v = json_object_get(v ? v : o, "source");
	if (json_is_integer(json_object_get(v, "lsn")) &&
	    json_integer_value(json_object_get(v, "lsn")) >= 0) {
		position_set_lsn(pos, (uint64_t)json_integer_value(json_object_get(v, "lsn")), 1);
		ret = 0;
	} else if (json_is_string(json_object_get(v, "file")) &&
		   json_is_integer(json_object_get(v, "pos"))) {
		position_set_binlog(pos, json_string_value(json_object_get(v, "file")),
				    (uint64_t)json_integer_value(json_object_get(v, "pos")), "", 1);
		ret = 0;
	}
	json_decref(o);
	return ret;
}
