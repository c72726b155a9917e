/*
 * pg_partition_mysql.c - a partitioned MySQL table as PostgreSQL
 * declarative partitions.
 *
 * The partitioning is read from the table's SHOW CREATE TABLE (the
 * dump's native_ddl): RANGE and RANGE COLUMNS become RANGE, each
 * partition FROM where the one before ends (the first from MINVALUE) TO
 * its LESS THAN; LIST and LIST COLUMNS become LIST, MariaDB's DEFAULT a
 * DEFAULT partition; HASH and KEY (LINEAR too) over columns become HASH
 * with one partition per remainder. PostgreSQL names partitions in the
 * schema, so each is "table_partition". A key that is an expression
 * (RANGE (year(d))), sub-partitions, MariaDB's SYSTEM_TIME and columns
 * PostgreSQL would type otherwise than their bounds (a tinyint(1) made
 * boolean) leave one plain table, and the caller says why.
 */
#include "pg_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/base/banned.h"

enum tok_kind { TK_END, TK_WORD, TK_IDENT, TK_STRING, TK_NUMBER, TK_PUNCT };

struct lexer {
	const char *p;
	enum tok_kind kind;
	struct strbuf tok;	/* the word, identifier or string unquoted */
};

/* Skips blanks and the version comments MySQL wraps partitioning in
 * ("/ *!50100 ... * /"), whose text is read as if unwrapped. */
static void
lex_blank(struct lexer *lx)
{
	for (;;) {
		while (isspace((unsigned char)*lx->p))
			lx->p++;
		if (!strncmp(lx->p, "/*!", 3)) {
			lx->p += 3;
			while (isdigit((unsigned char)*lx->p))
				lx->p++;
		} else if (!strncmp(lx->p, "*/", 2)) {
			lx->p += 2;
		} else {
			return;
		}
	}
}

static enum tok_kind
lex_next(struct lexer *lx)
{
	const char *p;

	strbuf_reset(&lx->tok);
	lex_blank(lx);
	p = lx->p;
	if (!*p) {
		lx->kind = TK_END;
	} else if (*p == '`' || *p == '\'') {
		char q = *p;

		lx->kind = q == '`' ? TK_IDENT : TK_STRING;
		for (p++; *p; p++) {
			if (*p == q && p[1] == q)
				p++;
			else if (*p == q)
				break;
			else if (*p == '\\' && q == '\'' && p[1])
				p++;	/* SHOW CREATE escapes with a backslash too */
			strbuf_addch(&lx->tok, *p);
		}
		if (*p != q) {
			lx->kind = TK_END;
			return TK_END;
		}
		p++;
	} else if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
		lx->kind = TK_NUMBER;
		do
			strbuf_addch(&lx->tok, *p++);
		while (isdigit((unsigned char)*p) || *p == '.');
	} else if (isalpha((unsigned char)*p) || *p == '_') {
		lx->kind = TK_WORD;
		while (isalnum((unsigned char)*p) || *p == '_')
			strbuf_addch(&lx->tok, *p++);
	} else {
		lx->kind = TK_PUNCT;
		strbuf_addch(&lx->tok, *p++);
	}
	lx->p = p;
	return lx->kind;
}

static int
lex_is(const struct lexer *lx, const char *word)
{
	return (lx->kind == TK_WORD || lx->kind == TK_PUNCT) &&
	       !strcasecmp(strbuf_cstr(&lx->tok), word);
}

/* Consumes word (a keyword or punctuation) when it is next. */
static int
lex_take(struct lexer *lx, const char *word)
{
	if (!lex_is(lx, word))
		return 0;
	lex_next(lx);
	return 1;
}

struct mypart {
	const struct schema_model *s;
	const struct table *t;
	const char *clash;		/* a partition's name another table has */
	const char *qt;
	char method[8];			/* RANGE, LIST, HASH */
	struct strlist cols;
	int nparts;			/* HASH/KEY's PARTITIONS n */
	struct strbuf from;		/* RANGE: where the next partition starts */
	struct strbuf parts;		/* the partitions' CREATE TABLE statements */
	int count;
};

static const struct column *
find_column(const struct table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcasecmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

/* ( `a`, `b` ): columns PostgreSQL can key a partition by, as they are
 * typed there; KEY () is the primary key's. */
static int
key_columns(struct lexer *lx, struct mypart *mp, struct strbuf *why)
{
	if (!lex_take(lx, "("))
		return strbuf_addstr(why, "its partitioning is not understood"), -1;
	while (lx->kind == TK_IDENT || lx->kind == TK_WORD) {	/* MySQL 8: bare names */
		const struct column *col = find_column(mp->t, strbuf_cstr(&lx->tok));

		if (!col)
			break;	/* a function's name: an expression */
		strlist_push(&mp->cols, col->name);
		lex_next(lx);
		lex_take(lx, ",");
	}
	if (!lex_take(lx, ")"))
		return strbuf_addstr(why, "its key is an expression, which PostgreSQL's "
				     "bounds would not match"), -1;
	for (int k = 0; !mp->cols.n && k < mp->t->ncons; k++)
		if (mp->t->cons[k].kind == 'p')
			for (size_t i = 0; i < mp->t->cons[k].columns.n; i++)
				strlist_push(&mp->cols, mp->t->cons[k].columns.v[i]);
	if (!mp->cols.n)
		return strbuf_addstr(why, "its KEY () names no column and there is no primary key"), -1;
	for (size_t i = 0; i < mp->cols.n; i++) {
		const struct column *col = find_column(mp->t, mp->cols.v[i]);
		enum ntype nt = col->type.t;

		if (col->generated_expr || !(nt == NT_INT16 || nt == NT_INT32 || nt == NT_INT64 ||
					     nt == NT_UINT64 || nt == NT_DATE || nt == NT_TIMESTAMP ||
					     nt == NT_CHAR || nt == NT_VARCHAR || nt == NT_TEXT) ||
		    (col->native_type && !strncasecmp(col->native_type, "tinyint(1)", 10)))
			return strbuf_addf(why, "PostgreSQL would not partition by column %s "
					   "(%s) as MySQL does", col->name,
					   col->native_type ? col->native_type : "?"), -1;
	}
	return 0;
}

/* "(v, ...)" or MAXVALUE of a bound, as PostgreSQL's "(v, ...)". */
static int
bound_values(struct lexer *lx, const struct mypart *mp, int list, struct strbuf *out)
{
	int n = 0, paren = lex_take(lx, "(");

	strbuf_addch(out, '(');
	do {
		if (n++)
			strbuf_addstr(out, ", ");
		if (lx->kind == TK_NUMBER)
			strbuf_addstr(out, lx->tok.buf);
		else if (lx->kind == TK_STRING)
			pg_quote_literal(out, strbuf_cstr(&lx->tok));
		else if (lex_is(lx, "MAXVALUE") && !list)
			strbuf_addstr(out, "MAXVALUE");
		else if (lex_is(lx, "NULL") && list)
			strbuf_addstr(out, "NULL");
		else
			return -1;
		lex_next(lx);
	} while (paren && lex_take(lx, ","));
	strbuf_addch(out, ')');
	if (paren && !lex_take(lx, ")"))
		return -1;
	/* RANGE: one value per key column (MAXVALUE alone stands for all) */
	if (!list && n != (int)mp->cols.n) {
		if (n != 1 || strcmp(out->buf + out->len - 9, "MAXVALUE)"))
			return -1;
		out->buf[--out->len] = '\0';
		for (size_t i = 1; i < mp->cols.n; i++)
			strbuf_addstr(out, ", MAXVALUE");
		strbuf_addch(out, ')');
	}
	return 0;
}

/* CREATE TABLE "schema"."table_name" PARTITION OF qt FOR VALUES ... */
static void
partition_of(struct mypart *mp, const char *name, const char *bound)
{
	struct strbuf pn = STRBUF_INIT;

	strbuf_addf(&pn, "%s_%s", mp->t->name, name);
	if (pn.len > 63)
		pn.buf[pn.len = 63] = '\0';
	for (int i = 0; i < mp->s->ntables && !mp->clash; i++)
		if (!strcmp(mp->s->tables[i].name, pn.buf))
			mp->clash = mp->s->tables[i].name;
	strbuf_addstr(&mp->parts, "CREATE TABLE ");
	pg_quote_qualified(&mp->parts, mp->t->schema, pn.buf);
	strbuf_addf(&mp->parts, " PARTITION OF %s %s;\n", mp->qt, bound);
	mp->count++;
	strbuf_release(&pn);
}

/* PARTITION name VALUES LESS THAN (...) | VALUES IN (...) | DEFAULT,
 * then its options up to the next ',' or the closing ')'. */
static int
partition_def(struct lexer *lx, struct mypart *mp, struct strbuf *why)
{
	struct strbuf name = STRBUF_INIT, bound = STRBUF_INIT, to = STRBUF_INIT;
	int ret = -1;

	if (!lex_take(lx, "PARTITION") || (lx->kind != TK_IDENT && lx->kind != TK_WORD))
		goto out;
	strbuf_addstr(&name, lx->tok.buf);
	lex_next(lx);
	if (!strcmp(mp->method, "RANGE") && lex_take(lx, "VALUES") && lex_take(lx, "LESS") &&
	    lex_take(lx, "THAN")) {
		if (bound_values(lx, mp, 0, &to) < 0)
			goto out;
		strbuf_addf(&bound, "FOR VALUES FROM %s TO %s", mp->from.buf, to.buf);
		strbuf_reset(&mp->from);
		strbuf_add(&mp->from, to.buf, to.len);
	} else if (!strcmp(mp->method, "LIST") && lex_take(lx, "VALUES") && lex_take(lx, "IN")) {
		strbuf_addstr(&bound, "FOR VALUES IN ");
		if (bound_values(lx, mp, 1, &bound) < 0)
			goto out;
	} else if (!strcmp(mp->method, "LIST") && lex_take(lx, "DEFAULT")) {
		strbuf_addstr(&bound, "DEFAULT");
	} else if (!strcmp(mp->method, "HASH")) {
		strbuf_addf(&bound, "FOR VALUES WITH (MODULUS %d, REMAINDER %d)", mp->nparts,
			    mp->count);
	} else {
		goto out;
	}
	/* ENGINE = InnoDB, COMMENT = '...': physical, not carried */
	while (lx->kind != TK_END && !lex_is(lx, ",") && !lex_is(lx, ")")) {
		if (lex_is(lx, "SUBPARTITION") || lex_is(lx, "("))
			goto out;
		lex_next(lx);
	}
	partition_of(mp, name.buf, bound.buf);
	ret = 0;
out:
	if (ret < 0)
		strbuf_addf(why, "partition %s has no PostgreSQL equivalent", name.len ? name.buf : "?");
	strbuf_release(&name);
	strbuf_release(&bound);
	strbuf_release(&to);
	return ret;
}

/* The PARTITION definitions ahead of lx, inside the list it is in. */
static int
count_partitions(const struct lexer *lx)
{
	struct lexer ahead = { lx->p, lx->kind, STRBUF_INIT };
	int depth = 0, n = lex_is(lx, "PARTITION");

	while (lex_next(&ahead) != TK_END && depth >= 0) {
		if (lex_is(&ahead, "("))
			depth++;
		else if (lex_is(&ahead, ")"))
			depth--;
		else if (!depth && lex_is(&ahead, "PARTITION"))
			n++;
	}
	strbuf_release(&ahead.tok);
	return n;
}

/* PARTITION BY ... through the end of the definitions. */
static int
parse_partitioning(struct lexer *lx, struct mypart *mp, struct strbuf *why)
{
	lex_take(lx, "LINEAR");
	if (lex_is(lx, "RANGE") || lex_is(lx, "LIST")) {
		snprintf(mp->method, sizeof(mp->method), "%s", lex_is(lx, "LIST") ? "LIST" : "RANGE");
		lex_next(lx);
	} else if (lex_take(lx, "HASH") || lex_take(lx, "KEY")) {
		snprintf(mp->method, sizeof(mp->method), "HASH");
		if (lex_take(lx, "ALGORITHM") && lex_take(lx, "="))
			lex_next(lx);
	} else {
		return strbuf_addf(why, "its partitioning (%s) has no PostgreSQL equivalent",
				   lx->tok.len ? lx->tok.buf : "?"), -1;
	}
	lex_take(lx, "COLUMNS");
	if (key_columns(lx, mp, why) < 0)
		return -1;
	if (lex_take(lx, "PARTITIONS")) {
		mp->nparts = lx->kind == TK_NUMBER ? atoi(lx->tok.buf) : 0;
		lex_next(lx);
	}
	if (lex_is(lx, "SUBPARTITION"))
		return strbuf_addstr(why, "it has sub-partitions"), -1;
	strbuf_addstr(&mp->from, "(");
	for (size_t i = 0; i < mp->cols.n; i++)
		strbuf_addstr(&mp->from, i ? ", MINVALUE" : "MINVALUE");
	strbuf_addch(&mp->from, ')');
	if (!lex_take(lx, "(")) {	/* HASH/KEY PARTITIONS n: no definitions */
		if (strcmp(mp->method, "HASH") || mp->nparts < 1 || lx->kind != TK_END)
			return strbuf_addstr(why, "its partitions are not understood"), -1;
		for (int i = 0; i < mp->nparts; i++) {
			char name[16], bound[96];

			snprintf(name, sizeof(name), "p%d", i);
			snprintf(bound, sizeof(bound), "FOR VALUES WITH (MODULUS %d, REMAINDER %d)",
				 mp->nparts, i);
			partition_of(mp, name, bound);
		}
		return 0;
	}
	if (!mp->nparts)	/* HASH with named partitions: count them first */
		mp->nparts = count_partitions(lx);
	do {
		if (partition_def(lx, mp, why) < 0)
			return -1;
	} while (lex_take(lx, ","));
	if (!lex_take(lx, ")") || lx->kind != TK_END)
		return strbuf_addstr(why, "its partitions are not understood"), -1;
	return 0;
}

/* Where SHOW CREATE TABLE's partitioning starts: after the table's
 * options line, so a comment saying "PARTITION BY" is not taken for it. */
static const char *
partitioning_start(const char *ddl)
{
	const char *opts = ddl ? strstr(ddl, "\n) ENGINE=") : NULL;
	const char *p = opts ? opts + 1 : NULL;
	int quoted = 0;

	/* the options line ends at a newline outside its quoted COMMENT */
	for (; p && *p && (quoted || *p != '\n'); p++) {
		if (*p == '\\' && quoted && p[1])
			p++;
		else if (*p == '\'')
			quoted = !quoted;
	}

	while (p && *p && (isspace((unsigned char)*p) || !strncmp(p, "/*!", 3))) {
		if (*p == '/')
			p += 3 + strspn(p + 3, "0123456789");
		else
			p++;
	}
	return p && !strncmp(p, "PARTITION BY ", 13) ? p + 13 : NULL;
}

int
pg_partition_from_mysql(const struct schema_model *s, const struct table *t, const char *qt,
			struct strbuf *key, struct strbuf *parts, struct strbuf *why)
{
	const char *start = partitioning_start(t->native_ddl);
	struct lexer lx = { start, TK_END, STRBUF_INIT };
	struct mypart mp;
	int ret;

	if (!start)
		return 0;
	memset(&mp, 0, sizeof(mp));
	mp.s = s;
	mp.t = t;
	mp.qt = qt;
	lex_next(&lx);
	ret = parse_partitioning(&lx, &mp, why);
	if (ret == 0 && !mp.count)
		ret = (strbuf_addstr(why, "it has no partitions"), -1);
	if (ret == 0 && mp.clash)
		ret = (strbuf_addf(why, "a partition would take the name of table %s", mp.clash), -1);
	if (ret == 0) {
		strbuf_addf(key, " PARTITION BY %s (", mp.method);
		for (size_t i = 0; i < mp.cols.n; i++) {
			if (i)
				strbuf_addstr(key, ", ");
			pg_quote_ident(key, mp.cols.v[i]);
		}
		strbuf_addch(key, ')');
		strbuf_add(parts, mp.parts.buf, mp.parts.len);
	}
	strbuf_release(&lx.tok);
	strlist_release(&mp.cols);
	strbuf_release(&mp.from);
	strbuf_release(&mp.parts);
	return ret < 0 ? -1 : 1;
}
