/*
 * my_expr_pg.c - a PostgreSQL boolean expression (a CHECK, a domain's
 * check) as MySQL/MariaDB says it, when every part of it has a meaning
 * both agree on: column references, literals, comparisons, AND/OR/NOT,
 * IS [NOT] NULL, BETWEEN, LIKE, IN and = ANY (ARRAY[...]) lists, and a
 * few functions. Casts PostgreSQL adds when it prints an expression
 * ('a'::text, (0)::numeric) are dropped: MySQL compares the values
 * themselves. Anything else (a regular expression, ||, a function
 * outside the list) makes the whole expression untranslatable, so a
 * constraint is either carried with its meaning or reported, never
 * carried with another one.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "my_int.h"
#include "lib/base/banned.h"

enum tok_kind { T_END, T_IDENT, T_QIDENT, T_STRING, T_NUMBER, T_OP, T_LPAREN, T_RPAREN,
		T_LBRACK, T_RBRACK, T_COMMA, T_CAST };

struct tok {
	enum tok_kind kind;
	const char *p;
	size_t n;
};

/* Words that are SQL, not column names, and mean the same on both sides. */
static const char *const keywords[] = {
	"AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE", "BETWEEN", "LIKE", "IN",
	"CASE", "WHEN", "THEN", "ELSE", "END",
};

/* PostgreSQL function -> MySQL function, same arguments and meaning. */
static const char *const functions[][2] = {
	{ "char_length", "CHAR_LENGTH" }, { "length", "CHAR_LENGTH" },
	{ "character_length", "CHAR_LENGTH" }, { "octet_length", "OCTET_LENGTH" },
	{ "lower", "LOWER" }, { "upper", "UPPER" }, { "abs", "ABS" }, { "btrim", "TRIM" },
	{ "coalesce", "COALESCE" }, { "round", "ROUND" }, { "floor", "FLOOR" },
	{ "ceil", "CEIL" }, { "mod", "MOD" },
};

static int
word_is(const struct tok *t, const char *w)
{
	return (t->kind == T_IDENT) && strlen(w) == t->n && !strncasecmp(t->p, w, t->n);
}

/* The next token of p at *pos; -1 on something this reader does not know. */
static int
next_tok(const char *p, size_t *pos, struct tok *t)
{
	size_t i = *pos;

	while (p[i] == ' ' || p[i] == '\n' || p[i] == '\t')
		i++;
	t->p = p + i;
	if (!p[i]) {
		t->kind = T_END;
		t->n = 0;
	} else if (isalpha((unsigned char)p[i]) || p[i] == '_') {
		size_t j = i;

		while (isalnum((unsigned char)p[j]) || p[j] == '_')
			j++;
		t->kind = T_IDENT;
		t->n = j - i;
	} else if (p[i] == '"' || p[i] == '\'') {
		char q = p[i];
		size_t j = i + 1;

		for (;; j++) {
			if (!p[j])
				return -1;
			if (p[j] == q) {
				if (p[j + 1] != q)
					break;
				j++;
			}
		}
		t->kind = q == '"' ? T_QIDENT : T_STRING;
		t->n = j + 1 - i;
	} else if (isdigit((unsigned char)p[i]) || (p[i] == '.' && isdigit((unsigned char)p[i + 1]))) {
		size_t j = i;

		while (isdigit((unsigned char)p[j]) || p[j] == '.' || p[j] == 'e' || p[j] == 'E' ||
		       ((p[j] == '-' || p[j] == '+') && (p[j - 1] == 'e' || p[j - 1] == 'E')))
			j++;
		t->kind = T_NUMBER;
		t->n = j - i;
	} else if (p[i] == ':' && p[i + 1] == ':') {
		t->kind = T_CAST;
		t->n = 2;
	} else if (strchr("()[],", p[i])) {
		t->kind = p[i] == '(' ? T_LPAREN : p[i] == ')' ? T_RPAREN : p[i] == '[' ? T_LBRACK
			  : p[i] == ']' ? T_RBRACK : T_COMMA;
		t->n = 1;
	} else if (strchr("<>=!~+-*/%", p[i])) {
		size_t j = i;

		while (p[j] && strchr("<>=!~*", p[j]) && j - i < 4)
			j++;
		if (j == i)
			j++;
		t->kind = T_OP;
		t->n = j - i;
	} else {
		return -1;
	}
	*pos = i + t->n;
	return 0;
}

/* Skips a cast's type name after "::": words, "(n[,m])", "[]". */
static int
skip_type(const char *p, size_t *pos)
{
	struct tok t;
	size_t save;

	if (next_tok(p, pos, &t) < 0 || (t.kind != T_IDENT && t.kind != T_QIDENT))
		return -1;
	for (;;) {
		save = *pos;
		if (next_tok(p, pos, &t) < 0)
			return -1;
		if (t.kind == T_IDENT && !word_is(&t, "AND") && !word_is(&t, "OR") &&
		    !word_is(&t, "IS") && !word_is(&t, "NOT") && !word_is(&t, "BETWEEN") &&
		    !word_is(&t, "LIKE") && !word_is(&t, "IN") && !word_is(&t, "THEN") &&
		    !word_is(&t, "ELSE") && !word_is(&t, "END") && !word_is(&t, "WHEN"))
			continue;	/* "character varying", "with time zone" */
		if (t.kind == T_LPAREN) {	/* numeric(10,2) */
			while (t.kind != T_RPAREN && t.kind != T_END)
				if (next_tok(p, pos, &t) < 0)
					return -1;
			continue;
		}
		if (t.kind == T_LBRACK) {	/* text[] */
			if (next_tok(p, pos, &t) < 0 || t.kind != T_RBRACK)
				return -1;
			continue;
		}
		*pos = save;
		return 0;
	}
}

/* Appends a piece with one space before it, except at the start, after
 * '(' or a function's name (glued), and before ')' or ','. */
static void
put(struct strbuf *out, const char *piece, size_t n, int *glued)
{
	char last = out->len ? out->buf[out->len - 1] : '(';

	if (!*glued && last != '(' && last != ' ' && piece[0] != ')' && piece[0] != ',')
		strbuf_addch(out, ' ');
	strbuf_add(out, piece, n);
	*glued = 0;
}

static void
emit_string(struct strbuf *out, const struct tok *t, int *glued)
{
	struct strbuf lit = STRBUF_INIT, q = STRBUF_INIT;

	for (size_t i = 1; i + 1 < t->n; i++) {
		if (t->p[i] == '\'' && t->p[i + 1] == '\'')
			i++;
		strbuf_addch(&lit, t->p[i]);
	}
	my_quote_literal(&q, strbuf_cstr(&lit));
	put(out, q.buf, q.len, glued);
	strbuf_release(&lit);
	strbuf_release(&q);
}

static void
emit_ident(struct strbuf *out, const struct tok *t, const char *value_col, int *glued)
{
	struct strbuf name = STRBUF_INIT, q = STRBUF_INIT;

	if (t->kind == T_QIDENT) {
		for (size_t i = 1; i + 1 < t->n; i++) {
			if (t->p[i] == '"' && t->p[i + 1] == '"')
				i++;
			strbuf_addch(&name, t->p[i]);
		}
	} else if (value_col && word_is(t, "VALUE")) {
		strbuf_addstr(&name, value_col);
	} else {
		for (size_t i = 0; i < t->n; i++)	/* PostgreSQL folds bare names */
			strbuf_addch(&name, (char)tolower((unsigned char)t->p[i]));
	}
	my_quote_ident(&q, strbuf_cstr(&name));
	put(out, q.buf, q.len, glued);
	strbuf_release(&name);
	strbuf_release(&q);
}

int
my_expr_from_pg(const char *expr, const char *value_col, struct strbuf *out)
{
	size_t pos = 0;
	struct tok t, prev = { T_END, "", 0 };
	int depth = 0, in_list = 0, glued = 0;

	for (;;) {
		if (next_tok(expr, &pos, &t) < 0)
			return -1;
		if (t.kind == T_END)
			break;
		switch (t.kind) {
		case T_CAST:
			if (skip_type(expr, &pos) < 0)
				return -1;
			continue;
		case T_STRING:
			emit_string(out, &t, &glued);
			break;
		case T_NUMBER:
			put(out, t.p, t.n, &glued);
			break;
		case T_QIDENT:
			emit_ident(out, &t, value_col, &glued);
			break;
		case T_IDENT: {
			size_t save = pos;
			struct tok nx;
			int known = 0;

			if (next_tok(expr, &pos, &nx) < 0)
				return -1;
			pos = save;
			if (word_is(&t, "ANY") || word_is(&t, "ALL")) {
				/* = ANY (ARRAY[...]) / <> ALL (ARRAY[...]): IN lists */
				int neg = word_is(&t, "ALL");
				struct tok a, b;

				if (prev.kind != T_OP || (neg ? !(prev.n == 2 && !strncmp(prev.p, "<>", 2))
							   : !(prev.n == 1 && prev.p[0] == '=')))
					return -1;
				if (next_tok(expr, &pos, &a) < 0 || a.kind != T_LPAREN ||
				    next_tok(expr, &pos, &b) < 0 || !word_is(&b, "ARRAY") ||
				    next_tok(expr, &pos, &b) < 0 || b.kind != T_LBRACK)
					return -1;
				/* the operator gives way to the list */
				out->len -= prev.n;
				out->buf[out->len] = '\0';
				put(out, neg ? "NOT IN (" : "IN (", neg ? 8 : 4, &glued);
				in_list = 1;
				prev = b;
				continue;
			}
			for (size_t k = 0; k < ARRAY_SIZE(keywords) && !known; k++)
				if (word_is(&t, keywords[k])) {
					put(out, keywords[k], strlen(keywords[k]), &glued);
					known = 1;
				}
			if (known)
				break;
			if (nx.kind == T_LPAREN) {	/* a function */
				for (size_t k = 0; k < ARRAY_SIZE(functions) && !known; k++)
					if (word_is(&t, functions[k][0])) {
						put(out, functions[k][1], strlen(functions[k][1]), &glued);
						known = 1;
					}
				if (!known)
					return -1;
				glued = 1;	/* no space before its '(': MySQL wants none */
				break;
			}
			emit_ident(out, &t, value_col, &glued);
			break;
		}
		case T_OP:
			if (t.n == 2 && !strncmp(t.p, "~~", 2)) {
				put(out, "LIKE", 4, &glued);
				break;
			}
			if (t.n == 3 && !strncmp(t.p, "!~~", 3)) {
				put(out, "NOT LIKE", 8, &glued);
				break;
			}
			if ((t.n == 1 && (t.p[0] == '~' || t.p[0] == '!')) ||
			    (t.n >= 2 && (t.p[0] == '~' || t.p[1] == '~')))
				return -1;	/* regular expressions, ILIKE */
			put(out, t.p, t.n, &glued);
			break;
		case T_LPAREN:
			depth++;
			put(out, "(", 1, &glued);
			break;
		case T_RPAREN:
			if (--depth < 0)
				return -1;
			put(out, ")", 1, &glued);
			break;
		case T_LBRACK:
			return -1;
		case T_RBRACK:
			if (!in_list)
				return -1;
			/* the list's ']' closes IN ( ; the ')' that follows is ANY's */
			in_list = 0;
			if (next_tok(expr, &pos, &t) < 0 || t.kind != T_RPAREN)
				return -1;
			put(out, ")", 1, &glued);
			break;
		case T_COMMA:
			put(out, ",", 1, &glued);
			break;
		case T_END:
			break;
		}
		prev = t;
	}
	return depth == 0 && !in_list ? 0 : -1;
}
