/*
 * my_partition.c - a PostgreSQL partitioned table as MySQL partitioning.
 *
 * PostgreSQL partitions are tables with bounds; MySQL's are parts of one
 * table. One level translates: RANGE over plain columns becomes RANGE
 * COLUMNS (the bounds must chain, each partition starting where one
 * ends, since MySQL's partitions have only upper bounds), LIST becomes
 * LIST COLUMNS (DEFAULT on MariaDB only), HASH with one modulus for all
 * becomes HASH of an integer column or KEY. Each MySQL partition takes
 * its PostgreSQL partition's name. Anything else (an expression key,
 * sub-partitions, gaps, foreign keys, which InnoDB refuses on partitioned
 * tables) leaves one plain table holding every row, and the caller says
 * why. Bound literals arrive as pg_get_expr prints them in a UTC session.
 */
#include "my_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/base/banned.h"

/* One partition of the table: its bounds in MySQL's words. */
struct mpart {
	const struct table *t;
	int is_default;
	struct strbuf from, to;	/* RANGE: "(v, ...)"; LIST: to holds "(v, ...)" */
	int from_min;		/* RANGE: FROM (MINVALUE, ...) */
	int modulus, remainder;	/* HASH */
};

struct mkey {
	char method[8];			/* RANGE, LIST, HASH */
	struct strlist cols;
	const struct column *col[16];
};

/* One literal of a bound: 'text' (quotes doubled), a number, or a word
 * (MINVALUE, MAXVALUE, NULL, true, false). 0 at the end of the list. */
static int
next_token(const char **pp, struct strbuf *tok, int *quoted)
{
	const char *p = *pp;

	strbuf_reset(tok);
	*quoted = 0;
	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\'') {
		*quoted = 1;
		for (p++; *p; p++) {
			if (*p == '\'' && p[1] == '\'')
				p++;
			else if (*p == '\'')
				break;
			strbuf_addch(tok, *p);
		}
		if (*p != '\'')
			return -1;
		p++;
	} else {
		while (*p && (isalnum((unsigned char)*p) || strchr("-+._", *p)))
			strbuf_addch(tok, *p++);
	}
	*pp = p;
	return tok->len || *quoted ? 1 : 0;
}

/* A bound's literal for column col, in MySQL's words; -1 when it has none. */
static int
bound_literal(const struct column *col, const struct strbuf *tok, int quoted,
	      struct strbuf *out)
{
	const char *v = strbuf_cstr(tok);

	if (!quoted) {
		if (!strcasecmp(v, "MAXVALUE") || !strcasecmp(v, "NULL"))
			strbuf_addstr(out, strcasecmp(v, "NULL") ? "MAXVALUE" : "NULL");
		else if (!strcasecmp(v, "true") || !strcasecmp(v, "false"))
			strbuf_addstr(out, strcasecmp(v, "true") ? "0" : "1");
		else if (strspn(v, "-+0123456789") == tok->len)
			strbuf_addstr(out, v);
		else
			return -1;	/* MINVALUE in a TO, or an expression */
		return 0;
	}
	if (col->type.t == NT_TIMESTAMPTZ) {	/* held as UTC datetime */
		size_t n = tok->len;

		if (n > 3 && !strcmp(v + n - 3, "+00"))
			n -= 3;
		else if (n > 6 && !strcmp(v + n - 6, "+00:00"))
			n -= 6;
		else
			return -1;
		my_quote_literal_n(out, v, n);
		return 0;
	}
	my_quote_literal(out, v);
	return 0;
}

/* The tuple "(v1, v2)" at *pp, as MySQL's "(v1,v2)" into out; *pp moves
 * past it. *all_min when every value is MINVALUE; with all_min NULL a
 * MINVALUE is refused (MySQL's bounds have none). */
static int
bound_tuple(const char **pp, const struct mkey *k, int list, struct strbuf *out, int *all_min)
{
	struct strbuf tok = STRBUF_INIT;
	const char *p = *pp;
	int quoted, got = 0, n = 0, ret = 0, mins = 0;

	if (*p++ != '(')
		return -1;
	strbuf_addch(out, '(');
	while (ret == 0 && (got = next_token(&p, &tok, &quoted)) > 0) {
		const struct column *col = k->col[list ? 0 : n];

		if (!list && n >= (int)k->cols.n) {
			ret = -1;
			break;
		}
		if (n++)
			strbuf_addch(out, ',');
		if (!quoted && !strcasecmp(strbuf_cstr(&tok), "MINVALUE")) {
			strbuf_addstr(out, "MINVALUE");	/* FROM: to match, never said */
			mins++;
			continue;
		}
		ret = bound_literal(col, &tok, quoted, out);
	}
	if (got < 0 || *p != ')' || !n || (!list && n != (int)k->cols.n))
		ret = -1;
	strbuf_addch(out, ')');
	if (all_min)
		*all_min = mins == n;
	else if (mins)
		ret = -1;
	*pp = p + (*p == ')');
	strbuf_release(&tok);
	return ret;
}

/* Whether *pp starts with word; moves past it. */
static int
skip_word(const char **pp, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*pp, word, n))
		return 0;
	*pp += n;
	return 1;
}

/* The key "RANGE (a, b)": plain columns only, of types MySQL partitions. */
static int
parse_key(const struct table *t, const char *def, struct mkey *k,
	  int (*col_ok)(const struct table *, const struct column *), struct strbuf *why)
{
	const char *p = strchr(def, '(');
	size_t mlen = strcspn(def, " (");

	if (!p || mlen >= sizeof(k->method))
		return strbuf_addf(why, "its key %s is not understood", def), -1;
	memcpy(k->method, def, mlen);
	k->method[mlen] = '\0';
	for (p++; *p && *p != ')';) {
		struct strbuf name = STRBUF_INIT;
		const struct column *col = NULL;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
				strbuf_addch(&name, *p == '"' ? *++p : *p);
			p += *p == '"';
		} else {
			while (isalnum((unsigned char)*p) || *p == '_')
				strbuf_addch(&name, *p++);
		}
		for (int i = 0; i < t->ncols && name.len; i++)
			if (!strcmp(t->cols[i].name, name.buf))
				col = &t->cols[i];
		if (!col || (*p != ',' && *p != ')') || k->cols.n >= 16) {
			strbuf_addf(why, "its key %s is not plain columns", def);
			strbuf_release(&name);
			return -1;
		}
		if (!col_ok(t, col)) {
			strbuf_addf(why, "MySQL cannot partition by column %s of type %s", col->name,
				    col->native_type ? col->native_type : "?");
			strbuf_release(&name);
			return -1;
		}
		k->col[k->cols.n] = col;
		strlist_push(&k->cols, name.buf);
		strbuf_release(&name);
	}
	if (*p != ')' || !k->cols.n)
		return strbuf_addf(why, "its key %s is not plain columns", def), -1;
	return 0;
}

/* A partition's bound, the whole of it, as pg_get_expr prints it. */
static int
parse_bound(const struct mkey *k, struct mpart *mp, struct strbuf *why)
{
	const char *b = mp->t->partition_bound ? mp->t->partition_bound : "DEFAULT";
	const char *p = b;
	int bad = 1, used = 0;

	if (!strcmp(b, "DEFAULT")) {
		mp->is_default = 1;
		bad = 0;
	} else if (!strcmp(k->method, "RANGE") && skip_word(&p, "FOR VALUES FROM ")) {
		bad = bound_tuple(&p, k, 0, &mp->from, &mp->from_min) < 0 ||
		      !skip_word(&p, " TO ") || bound_tuple(&p, k, 0, &mp->to, NULL) < 0 || *p;
	} else if (!strcmp(k->method, "LIST") && skip_word(&p, "FOR VALUES IN ")) {
		bad = bound_tuple(&p, k, 1, &mp->to, NULL) < 0 || *p;
	} else if (!strcmp(k->method, "HASH") &&
		   sscanf(b, "FOR VALUES WITH (modulus %d, remainder %d)%n", &mp->modulus,
			  &mp->remainder, &used) == 2) {
		bad = mp->modulus < 1 || !used || b[used];
	}
	if (bad)
		strbuf_addf(why, "the bound of partition %s (%s) has no MySQL equivalent",
			    mp->t->name, b);
	return bad ? -1 : 0;
}

/* RANGE: the partitions in order, each FROM the previous TO. */
static int
range_clause(struct mpart *mp, int n, const struct mkey *k, struct strbuf *out,
	     struct strbuf *why, struct strbuf *loose)
{
	struct mpart *def = NULL, *cur = NULL;
	int placed = 0, chained = 0;

	for (int i = 0; i < n; i++)
		if (mp[i].is_default)
			def = &mp[i];
		else if (mp[i].from_min)
			cur = &mp[i];
	for (int i = 0; i < n && !cur; i++) {	/* no MINVALUE: the lowest FROM */
		int is_to = 0;

		for (int j = 0; j < n; j++)
			is_to |= !mp[i].is_default && !mp[j].is_default &&
				 !strcmp(mp[i].from.buf, mp[j].to.buf);
		if (!mp[i].is_default && !is_to)
			cur = &mp[i];
	}
	if (cur && !cur->from_min && def)
		strbuf_addf(loose, "values below %s, which PostgreSQL keeps in DEFAULT partition "
			    "%s, go to partition %s", cur->from.buf, def->t->name, cur->t->name);
	else if (cur && !cur->from_min)
		strbuf_addf(loose, "values below %s, which PostgreSQL refused, are accepted into "
			    "partition %s", cur->from.buf, cur->t->name);
	strbuf_addstr(out, " PARTITION BY RANGE COLUMNS(");
	for (size_t i = 0; i < k->cols.n; i++) {
		if (i)
			strbuf_addch(out, ',');
		my_quote_ident(out, k->cols.v[i]);
	}
	strbuf_addstr(out, ") (");
	while (cur) {
		struct mpart *next = NULL;

		strbuf_addstr(out, placed++ ? ",\n " : "\n ");
		chained++;
		strbuf_addstr(out, "PARTITION ");
		my_quote_ident(out, cur->t->name);
		strbuf_addf(out, " VALUES LESS THAN %s", cur->to.buf);
		for (int j = 0; j < n && !next; j++)
			if (!mp[j].is_default && !strcmp(mp[j].from.buf, cur->to.buf))
				next = &mp[j];
		if (!next && def && !strstr(cur->to.buf, "MAXVALUE")) {
			strbuf_addstr(out, ",\n PARTITION ");
			my_quote_ident(out, def->t->name);
			strbuf_addstr(out, " VALUES LESS THAN (");
			for (size_t i = 0; i < k->cols.n; i++)
				strbuf_addstr(out, i ? ",MAXVALUE" : "MAXVALUE");
			strbuf_addch(out, ')');
			placed++;
		}
		cur = next;
	}
	strbuf_addch(out, ')');
	if (chained < n - (def != NULL))
		return strbuf_addstr(why, "its ranges leave gaps, which MySQL's RANGE "
				     "partitions cannot"), -1;
	return 0;
}

static int
list_clause(struct mpart *mp, int n, const struct mkey *k, int mariadb, struct strbuf *out,
	    struct strbuf *why)
{
	strbuf_addstr(out, " PARTITION BY LIST COLUMNS(");
	my_quote_ident(out, k->cols.v[0]);
	strbuf_addstr(out, ") (");
	for (int i = 0; i < n; i++) {
		if (mp[i].is_default && !mariadb)
			return strbuf_addf(why, "its DEFAULT partition %s has no equivalent in "
					   "MySQL's LIST (MariaDB's has)", mp[i].t->name), -1;
		strbuf_addstr(out, i ? ",\n PARTITION " : "\n PARTITION ");
		my_quote_ident(out, mp[i].t->name);
		if (mp[i].is_default)
			strbuf_addstr(out, " DEFAULT");
		else
			strbuf_addf(out, " VALUES IN %s", mp[i].to.buf);
	}
	strbuf_addch(out, ')');
	return 0;
}

static int
by_remainder(const void *a, const void *b)
{
	return ((const struct mpart *)a)->remainder - ((const struct mpart *)b)->remainder;
}

/* HASH: every remainder of one modulus, as MySQL's HASH of an integer or
 * KEY (rows land in other partitions than on the source; they all land). */
static int
hash_clause(struct mpart *mp, int n, const struct mkey *k, struct strbuf *out,
	    struct strbuf *why)
{
	enum ntype nt = k->col[0]->type.t;

	qsort(mp, (size_t)n, sizeof(*mp), by_remainder);
	for (int i = 0; i < n; i++)
		if (mp[i].modulus != n || mp[i].remainder != i)
			return strbuf_addf(why, "its hash partitions are not all remainders of "
					   "one modulus (%s has modulus %d)", mp[i].t->name,
					   mp[i].modulus), -1;
	if (k->cols.n == 1 && (nt == NT_INT16 || nt == NT_INT32 || nt == NT_INT64)) {
		strbuf_addstr(out, " PARTITION BY HASH (");
		my_quote_ident(out, k->cols.v[0]);
	} else {
		strbuf_addstr(out, " PARTITION BY KEY (");
		for (size_t i = 0; i < k->cols.n; i++) {
			if (i)
				strbuf_addch(out, ',');
			my_quote_ident(out, k->cols.v[i]);
		}
	}
	strbuf_addstr(out, ") (");
	for (int i = 0; i < n; i++) {
		strbuf_addstr(out, i ? ",\n PARTITION " : "\n PARTITION ");
		my_quote_ident(out, mp[i].t->name);
	}
	strbuf_addch(out, ')');
	return 0;
}

/* InnoDB refuses foreign keys on a partitioned table, from or to it. */
static const char *
fk_blocker(const struct schema_model *s, const struct table *root)
{
	for (int i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];

		for (int c = 0; c < t->ncons; c++) {
			const struct constraint *con = &t->cons[c];
			const struct table *ref;

			if (con->kind != 'f')
				continue;
			if (schema_partition_root(s, t) == root)
				return con->name;
			ref = con->ref_table ? schema_find_table(s, con->ref_table) : NULL;
			if (ref && schema_partition_root(s, ref) == root)
				return con->name;
		}
	}
	return NULL;
}

/* The partitions of root (direct children), or -1 with why. */
static int
collect_parts(const struct schema_model *s, const struct table *root, struct mpart **out,
	      struct strbuf *why)
{
	struct strbuf q = STRBUF_INIT;
	struct mpart *mp = xcalloc((size_t)s->ntables + 1, sizeof(*mp));
	int n = 0, ret = 0;

	table_qualname(root, &q);
	for (int i = 0; i < s->ntables && ret == 0; i++) {
		const struct table *t = &s->tables[i];

		if (!t->partition_of || strcmp(t->partition_of, q.buf))
			continue;
		if (t->partition_key) {
			strbuf_addf(why, "it is partitioned at two levels (%s is partitioned "
				    "by %s)", t->name, t->partition_key);
			ret = -1;
		}
		for (int j = 0; j < n && ret == 0; j++)
			if (!strcasecmp(mp[j].t->name, t->name)) {
				strbuf_addf(why, "partitions %s and %s differ only in case, as "
					    "MySQL's partition names may not", mp[j].t->name, t->name);
				ret = -1;
			}
		mp[n].t = t;
		n++;
	}
	if (ret == 0 && !n) {
		strbuf_addstr(why, "it has no partitions");
		ret = -1;
	}
	strbuf_release(&q);
	*out = mp;
	return ret < 0 ? -1 : n;
}

int
my_partition_clause(const struct schema_model *s, const struct table *root,
		    int (*col_ok)(const struct table *, const struct column *), int mariadb,
		    struct strbuf *clause, struct strbuf *why, struct strbuf *loose)
{
	struct mkey k;
	struct mpart *mp = NULL;
	const char *fk = fk_blocker(s, root);
	int n = 0, ret = -1;

	memset(&k, 0, sizeof(k));
	if (fk) {
		strbuf_addf(why, "InnoDB's partitioned tables can neither have nor be referenced "
			    "by foreign keys, and %s is one", fk);
		goto out;
	}
	if (parse_key(root, root->partition_key, &k, col_ok, why) < 0 ||
	    (n = collect_parts(s, root, &mp, why)) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (parse_bound(&k, &mp[i], why) < 0)
			goto out;
	if (!strcmp(k.method, "RANGE"))
		ret = range_clause(mp, n, &k, clause, why, loose);
	else if (!strcmp(k.method, "LIST"))
		ret = list_clause(mp, n, &k, mariadb, clause, why);
	else
		ret = hash_clause(mp, n, &k, clause, why);
out:
	for (int i = 0; i < n; i++) {
		strbuf_release(&mp[i].from);
		strbuf_release(&mp[i].to);
	}
	if (n < 0 && mp)
		for (int i = 0; mp[i].t; i++) {
			strbuf_release(&mp[i].from);
			strbuf_release(&mp[i].to);
		}
	free(mp);
	strlist_release(&k.cols);
	if (ret < 0)
		strbuf_reset(clause);
	return ret;
}
