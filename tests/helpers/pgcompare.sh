#!/usr/bin/env bash
# pgcompare.sh URI_A URI_B - an independent equality check of two
# PostgreSQL databases, written without any dbmig code: every user table's
# full contents (COPY text output, sorted byte-wise), column definitions,
# constraints, indexes and sequence values. Prints what differs; exit 0
# when equal, 1 when not. Ignores dbmig's own _dbmig schema.
set -euo pipefail
a=$1 b=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "SET TimeZone=UTC; SET DateStyle=ISO; SET extra_float_digits=3; SET IntervalStyle=postgres" -c "$2"; }
userns="n.nspname NOT IN ('pg_catalog','information_schema','_dbmig') AND n.nspname NOT LIKE 'pg\_%'"
catalog() {
	q "$1" "SELECT 'table', n.nspname||'.'||c.relname, obj_description(c.oid,'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid=c.relnamespace WHERE c.relkind='r' AND $userns ORDER BY 2"
	q "$1" "SELECT 'column', n.nspname||'.'||c.relname||'.'||a.attname, format_type(a.atttypid,a.atttypmod), (SELECT collname FROM pg_collation WHERE oid = a.attcollation), a.attnotnull, a.attidentity, a.attgenerated, pg_get_expr(d.adbin,d.adrelid), col_description(c.oid,a.attnum) FROM pg_attribute a JOIN pg_class c ON c.oid=a.attrelid JOIN pg_namespace n ON n.oid=c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid=a.attrelid AND d.adnum=a.attnum WHERE c.relkind='r' AND a.attnum>0 AND NOT a.attisdropped AND $userns ORDER BY 2"
	q "$1" "SELECT 'constraint', n.nspname||'.'||c.relname||'.'||co.conname, co.contype, pg_get_constraintdef(co.oid) FROM pg_constraint co JOIN pg_class c ON c.oid=co.conrelid JOIN pg_namespace n ON n.oid=c.relnamespace WHERE $userns ORDER BY 2"
	q "$1" "SELECT 'index', schemaname||'.'||indexname, indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog','information_schema','_dbmig') ORDER BY 2"
	q "$1" "SELECT 'sequence', s.schemaname||'.'||s.sequencename, s.data_type, s.start_value, s.min_value, s.max_value, s.increment_by, s.cycle, s.cache_size, s.last_value, (SELECT d.refobjid::regclass::text || '.' || a.attname || ' ' || d.deptype::text FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid WHERE d.objid = (quote_ident(s.schemaname)||'.'||quote_ident(s.sequencename))::regclass AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a','i')) FROM pg_sequences s WHERE s.schemaname NOT IN ('pg_catalog','information_schema','_dbmig') ORDER BY 2"
	q "$1" "SELECT 'enum', n.nspname||'.'||t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_type t JOIN pg_namespace n ON n.oid=t.typnamespace JOIN pg_enum e ON e.enumtypid=t.oid WHERE $userns GROUP BY 2 ORDER BY 2"
	q "$1" "SELECT 'domain', n.nspname||'.'||t.typname, format_type(t.typbasetype,t.typtypmod), t.typnotnull, t.typdefault FROM pg_type t JOIN pg_namespace n ON n.oid=t.typnamespace WHERE t.typtype='d' AND $userns ORDER BY 2"
}
catalog "$a" >"$tmp/cat.a"
catalog "$b" >"$tmp/cat.b"
rc=0
if ! diff -u "$tmp/cat.a" "$tmp/cat.b" >"$tmp/cat.diff"; then
	echo "schema differs:"; cat "$tmp/cat.diff"; rc=1
fi
ntables=0
for t in $(q "$a" "SELECT quote_ident(n.nspname)||'.'||quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid=c.relnamespace WHERE c.relkind='r' AND $userns ORDER BY 1"); do
	ntables=$((ntables + 1))
	q "$a" "COPY $t TO STDOUT" | LC_ALL=C sort >"$tmp/a.rows"
	q "$b" "COPY $t TO STDOUT" | LC_ALL=C sort >"$tmp/b.rows" || true
	if ! cmp -s "$tmp/a.rows" "$tmp/b.rows"; then
		echo "table $t differs: $(wc -l <"$tmp/a.rows") vs $(wc -l <"$tmp/b.rows") rows"
		diff "$tmp/a.rows" "$tmp/b.rows" | head -5 | cut -c1-200
		rc=1
	fi
done
if [ $rc = 0 ]; then
	echo "equal: $ntables tables, contents, columns, constraints, indexes, sequences"
fi
exit $rc
