/*
 * dbz_schema.c - the Kafka Connect schemas the JSON converter writes
 * beside a Debezium record's key and value when schemas are enabled:
 * each column's type under its Debezium name and parameters, the
 * source block and the envelope (see cdc_debezium.c for the sources).
 */
#include "dbz_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/base/jsonw.h"
#include "lib/base/banned.h"

static void
schema_head(struct strbuf *out, const char *type, int optional, const char *name)
{
	strbuf_addf(out, "{\"type\":\"%s\",\"optional\":%s", type, optional ? "true" : "false");
	if (name)
		strbuf_addf(out, ",\"name\":\"%s\",\"version\":1", name);
}

/* the schema of one value of type t (an array's element when elem) */
static void
type_schema(const struct dbz_opts *o, struct strbuf *out, const struct column *col,
	    const struct ntype_desc *d, enum ntype t, int optional)
{
	const char *type = "string", *name = NULL;
	int p = dbz_precision_of(d);

	switch (t) {
	case NT_BOOL: type = "boolean"; break;
	case NT_INT16: type = "int16"; break;
	case NT_INT32: case NT_YEAR: type = "int32"; break;
	case NT_INT64: case NT_UINT64: type = "int64"; break;
	case NT_FLOAT32: type = "float"; break;
	case NT_FLOAT64: type = "double"; break;
	case NT_DECIMAL:
		if (o->decimal == DBZ_DECIMAL_DOUBLE) {
			type = "double";
		} else if (o->decimal == DBZ_DECIMAL_PRECISE && d->scale >= 0) {
			schema_head(out, "bytes", optional, "org.apache.kafka.connect.data.Decimal");
			strbuf_addf(out, ",\"parameters\":{\"scale\":\"%d\"", d->scale);
			if (d->precision > 0)
				strbuf_addf(out, ",\"connect.decimal.precision\":\"%d\"", d->precision);
			strbuf_addstr(out, "}}");
			return;
		} else if (o->decimal == DBZ_DECIMAL_PRECISE) {
			strbuf_addstr(out, "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
				      "\"optional\":false,\"field\":\"scale\"},{\"type\":\"bytes\","
				      "\"optional\":false,\"field\":\"value\"}]");
			strbuf_addf(out, ",\"optional\":%s,\"name\":\"io.debezium.data."
				    "VariableScaleDecimal\",\"version\":1,\"doc\":\"Variable scaled "
				    "decimal\"}", optional ? "true" : "false");
			return;
		}
		break;
	case NT_DATE:
		if (o->time == DBZ_TIME_ISOSTRING) {
			name = "io.debezium.time.IsoDate";
		} else {
			type = "int32";
			name = o->time == DBZ_TIME_CONNECT ? "org.apache.kafka.connect.data.Date"
							   : "io.debezium.time.Date";
		}
		break;
	case NT_TIME:
		if (o->time == DBZ_TIME_ISOSTRING) {
			name = "io.debezium.time.IsoTime";
		} else if (o->time == DBZ_TIME_CONNECT) {
			type = "int32";
			name = "org.apache.kafka.connect.data.Time";
		} else if (o->time == DBZ_TIME_ADAPTIVE && p <= 3) {
			type = "int32";
			name = "io.debezium.time.Time";
		} else {
			type = "int64";
			name = "io.debezium.time.MicroTime";
		}
		break;
	case NT_TIMESTAMP:
		if (o->time == DBZ_TIME_ISOSTRING) {
			name = "io.debezium.time.IsoTimestamp";
		} else {
			type = "int64";
			name = o->time == DBZ_TIME_CONNECT ? "org.apache.kafka.connect.data.Timestamp"
			       : o->time != DBZ_TIME_MICROSECONDS && p <= 3 ? "io.debezium.time.Timestamp"
			       : "io.debezium.time.MicroTimestamp";
		}
		break;
	case NT_TIMESTAMPTZ: name = "io.debezium.time.ZonedTimestamp"; break;
	case NT_INTERVAL:
		if (o->interval == DBZ_INTERVAL_STRING) {
			name = "io.debezium.time.Interval";
		} else {
			type = "int64";
			name = "io.debezium.time.MicroDuration";
		}
		break;
	case NT_BYTES:
		type = o->binary == DBZ_BINARY_BYTES ? "bytes" : "string";
		break;
	case NT_JSON: case NT_JSONB: name = "io.debezium.data.Json"; break;
	case NT_UUID: name = "io.debezium.data.Uuid"; break;
	case NT_ENUM: name = "io.debezium.data.Enum"; break;
	case NT_SET: name = "io.debezium.data.EnumSet"; break;
	case NT_BIT:
		if (d->length == 1) {
			type = "boolean";
			break;
		}
		schema_head(out, "bytes", optional, "io.debezium.data.Bits");
		strbuf_addf(out, ",\"parameters\":{\"length\":\"%d\"}}",
			    d->length > 0 ? d->length : 2147483647);
		return;
	case NT_GEOMETRY:
		strbuf_addf(out, "{\"type\":\"struct\",\"fields\":[{\"type\":\"bytes\",\"optional\":"
			    "false,\"field\":\"wkb\"},{\"type\":\"int32\",\"optional\":true,\"field\":"
			    "\"srid\"}],\"optional\":%s,\"name\":\"io.debezium.data.geometry.Geometry\","
			    "\"version\":1,\"doc\":\"Geometry\"}", optional ? "true" : "false");
		return;
	case NT_ARRAY:
		strbuf_addstr(out, "{\"type\":\"array\",\"items\":");
		type_schema(o, out, col, d, d->elem, 1);
		strbuf_addf(out, ",\"optional\":%s}", optional ? "true" : "false");
		return;
	default:
		break;
	}
	schema_head(out, type, optional, name);
	strbuf_addch(out, '}');
}

/* the struct of a table's columns (the key's only, when key_only) */
void
dbz_row_schema(const struct dbz_opts *o, struct strbuf *out, const struct table *t,
	   const struct constraint *pk, const char *name, int optional, const char *field)
{
	const struct ntype_desc *types[CANON_MAX_COLS];
	int n = table_data_types(t, types), first = 1;

	strbuf_addstr(out, "{\"type\":\"struct\",\"fields\":[");
	for (int i = 0; i < n; i++) {
		const struct column *col = dbz_data_column(t, i);
		int in_key = 0;

		for (size_t k = 0; pk && k < pk->columns.n; k++)
			in_key |= !strcmp(pk->columns.v[k], col->name);
		if (pk && !in_key)
			continue;
		if (!first)
			strbuf_addch(out, ',');
		first = 0;
		type_schema(o, out, col, types[i], types[i]->t, !col->not_null && !in_key);
		/* the field's name goes inside its schema object */
		out->len--;
		strbuf_addstr(out, ",\"field\":");
		jsonw_cstr(out, col->name);
		strbuf_addch(out, '}');
	}
	strbuf_addf(out, "],\"optional\":%s,\"name\":", optional ? "true" : "false");
	jsonw_cstr(out, name);
	if (field) {
		strbuf_addstr(out, ",\"field\":");
		jsonw_cstr(out, field);
	}
	strbuf_addch(out, '}');
}

const struct constraint *
dbz_primary_key(const struct table *t)
{
	for (int k = 0; k < t->ncons; k++)
		if (t->cons[k].kind == 'p')
			return &t->cons[k];
	return NULL;
}

void
dbz_topic_name(const struct dbz_opts *o, const struct cdc_json_ctx *c, const struct table *t,
	   const char *suffix, struct strbuf *out)
{
	strbuf_addf(out, "%s.%s.%s.%s", o->topic_prefix[0] ? o->topic_prefix : c->database,
		    t->schema, t->name, suffix);
}

/* The source block's schema: its fields (type, optional, name) and the
 * connector's name for it. */
static void
source_fields(struct strbuf *out, const char *const (*fields)[3], size_t n, const char *name)
{
	strbuf_addstr(out, "{\"type\":\"struct\",\"fields\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(out, ',');
		if (!strcmp(fields[i][0], "snapshot"))
			strbuf_addstr(out, "{\"type\":\"string\",\"optional\":true,\"name\":"
				      "\"io.debezium.data.Enum\",\"version\":1,\"parameters\":"
				      "{\"allowed\":\"true,first,first_in_data_collection,"
				      "last_in_data_collection,last,false,incremental\"},"
				      "\"default\":\"false\",\"field\":\"snapshot\"}");
		else
			strbuf_addf(out, "{\"type\":\"%s\",\"optional\":%s,\"field\":\"%s\"}",
				    fields[i][0], fields[i][1], fields[i][2]);
	}
	strbuf_addf(out, "],\"optional\":false,\"name\":\"%s\",\"version\":1,\"field\":"
		    "\"source\"}", name);
}

/* The MySQL connector's (its SourceInfo): the binlog's file, position,
 * row, server and GTID where PostgreSQL's has the LSN and xid. */
static void
source_schema_mysql(struct strbuf *out)
{
	static const char *const fields[][3] = {
		{ "string", "false", "version" }, { "string", "false", "connector" },
		{ "string", "false", "name" }, { "int64", "false", "ts_ms" },
		{ "snapshot", "true", "snapshot" }, { "string", "false", "db" },
		{ "string", "true", "sequence" }, { "int64", "true", "ts_us" },
		{ "int64", "true", "ts_ns" }, { "string", "true", "table" },
		{ "int64", "false", "server_id" }, { "string", "true", "gtid" },
		{ "string", "false", "file" }, { "int64", "false", "pos" },
		{ "int32", "false", "row" }, { "int64", "true", "thread" },
		{ "string", "true", "query" },
	};

	source_fields(out, fields, sizeof(fields) / sizeof(fields[0]),
		      "io.debezium.connector.mysql.Source");
}

static void
source_schema(struct strbuf *out)
{
	static const char *const fields[][3] = {
		{ "string", "false", "version" }, { "string", "false", "connector" },
		{ "string", "false", "name" }, { "int64", "false", "ts_ms" },
		{ "snapshot", "true", "snapshot" }, { "string", "false", "db" },
		{ "string", "true", "sequence" }, { "int64", "true", "ts_us" },
		{ "int64", "true", "ts_ns" }, { "string", "false", "schema" },
		{ "string", "false", "table" }, { "int64", "true", "txId" },
		{ "int64", "true", "lsn" }, { "int64", "true", "xmin" },
	};

	source_fields(out, fields, sizeof(fields) / sizeof(fields[0]),
		      "io.debezium.connector.postgresql.Source");
}

void
dbz_envelope_schema(const struct dbz_opts *o, const struct cdc_json_ctx *c, const struct table *t,
		struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT;

	dbz_topic_name(o, c, t, "Value", &name);
	strbuf_addstr(out, "{\"type\":\"struct\",\"fields\":[");
	dbz_row_schema(o, out, t, NULL, name.buf, 1, "before");
	strbuf_addch(out, ',');
	dbz_row_schema(o, out, t, NULL, name.buf, 1, "after");
	strbuf_addch(out, ',');
	if (c->engine && !strcmp(c->engine, "mysql"))
		source_schema_mysql(out);
	else
		source_schema(out);
	strbuf_addstr(out, ",{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":"
		      "false,\"field\":\"id\"},{\"type\":\"int64\",\"optional\":false,\"field\":"
		      "\"total_order\"},{\"type\":\"int64\",\"optional\":false,\"field\":"
		      "\"data_collection_order\"}],\"optional\":true,\"name\":\"event.block\","
		      "\"version\":1,\"field\":\"transaction\"},"
		      "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
		      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},"
		      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
		      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}],"
		      "\"optional\":false,\"name\":");
	strbuf_reset(&name);
	dbz_topic_name(o, c, t, "Envelope", &name);
	jsonw_cstr(out, name.buf);
	strbuf_addstr(out, ",\"version\":2}");
	strbuf_release(&name);
}

