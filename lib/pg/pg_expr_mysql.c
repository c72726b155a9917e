/*
 * pg_expr_mysql.c - a MySQL/MariaDB CHECK expression, as SHOW CREATE
 * TABLE prints it (`quoted` names, lowercase keywords, '...' strings with
 * backslash escapes), as PostgreSQL says it: names double-quoted, strings
 * as standard literals, && || ! as AND OR NOT (MariaDB's default
 * sql_mode), and a few functions whose meaning both agree on
 * (length counts bytes in MySQL: octet_length). Anything else makes the
 * expression untranslatable (REGEXP among them: under a _ci collation it
 * ignores case, PostgreSQL's ~ does not): the constraint is reported,
 * never carried with another meaning.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "pg_int.h"
#include "lib/base/banned.h"

/* MySQL function -> PostgreSQL function, same arguments and meaning. */
static const char *const functions[][2] = {
	{ "char_length", "char_length" }, { "character_length", "char_length" },
	{ "length", "octet_length" }, { "octet_length", "octet_length" },
	{ "lower", "lower" }, { "lcase", "lower" }, { "upper", "upper" }, { "ucase", "upper" },
	{ "abs", "abs" }, { "trim", "btrim" }, { "coalesce", "coalesce" }, { "round", "round" },
	{ "floor", "floor" }, { "ceil", "ceil" }, { "ceiling", "ceil" },
};

static const char *const keywords[] = {
	"and", "or", "not", "is", "null", "true", "false", "between", "like", "in",
	"case", "when", "then", "else", "end",
};

static int
word_eq(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && !strncasecmp(p, w, n);
}

int
pg_expr_from_mysql(const char *expr, struct strbuf *out)
{
	const char *p = expr;

	while (*p) {
		if (*p == '`') {	/* `name`, `` inside */
			struct strbuf name = STRBUF_INIT;

			for (p++; *p && !(*p == '`' && p[1] != '`'); p++) {
				if (*p == '`')
					p++;
				strbuf_addch(&name, *p);
			}
			if (!*p) {
				strbuf_release(&name);
				return -1;
			}
			p++;
			pg_quote_ident(out, strbuf_cstr(&name));
			strbuf_release(&name);
		} else if (*p == '\'') {	/* 'it''s', 'it\'s', '\\' */
			struct strbuf lit = STRBUF_INIT;

			for (p++; *p; p++) {
				if (*p == '\\' && p[1]) {
					p++;
					strbuf_addch(&lit, *p == 'n' ? '\n' : *p == 't' ? '\t' :
						     *p == '0' ? '\0' : *p);
					continue;
				}
				if (*p == '\'') {
					if (p[1] != '\'')
						break;
					p++;
				}
				strbuf_addch(&lit, *p);
			}
			if (!*p || memchr(lit.buf ? lit.buf : "", '\0', lit.len)) {
				strbuf_release(&lit);
				return -1;
			}
			p++;
			pg_quote_literal(out, strbuf_cstr(&lit));
			strbuf_release(&lit);
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			const char *w = p;
			size_t n;
			int known = 0;

			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			n = (size_t)(p - w);
			if (*p == '(') {
				for (size_t k = 0; k < ARRAY_SIZE(functions) && !known; k++)
					if (word_eq(w, n, functions[k][0])) {
						strbuf_addstr(out, functions[k][1]);
						known = 1;
					}
			} else {
				for (size_t k = 0; k < ARRAY_SIZE(keywords) && !known; k++)
					if (word_eq(w, n, keywords[k])) {
						strbuf_add(out, w, n);
						known = 1;
					}
			}
			if (!known)
				return -1;	/* a bare word: a function or syntax we do not map */
		} else if (p[0] == '&' && p[1] == '&') {
			strbuf_addstr(out, " AND ");
			p += 2;
		} else if (p[0] == '|' && p[1] == '|') {
			strbuf_addstr(out, " OR ");
			p += 2;
		} else if (p[0] == '<' && p[1] == '=' && p[2] == '>') {
			return -1;
		} else if (p[0] == '!' && p[1] != '=') {
			strbuf_addstr(out, " NOT ");
			p++;
		} else if (isdigit((unsigned char)*p) || strchr(" ()+-*/%<>=!.,", *p)) {
			strbuf_addch(out, *p++);
		} else {
			return -1;
		}
	}
	return 0;
}
