/*
 * xform.c - the text form of column transforms (xform.h).
 */
#include "xform.h"

#include <string.h>

#include "types.h"
#include "banned.h"

static const struct {
	unsigned flag;
	const char *word;
} words[] = {
	{ XF_BOOL_FROM_INT, "bool-from-int" },
	{ XF_ZERO_DATE_NULL, "zero-date-null" },
	{ XF_TIME_INTERVAL, "time-interval" },
	{ XF_UUID_BINARY, "uuid-binary" },
	{ XF_STRIP_NUL, "strip-nul" },
	{ XF_JSONB, "jsonb" },
	{ XF_SPECIAL_NULL, "special-null" },
	{ XF_NUMERIC_TEXT, "numeric-text" },
};

void
xform_to_type(unsigned flags, struct ntype_desc *d)
{
	if (flags & XF_UUID_BINARY)
		d->length = 16;
	d->special = flags & XF_NUMERIC_TEXT ? NT_SPECIAL_TEXT
		     : flags & XF_SPECIAL_NULL ? NT_SPECIAL_NULL : NT_SPECIAL_REFUSE;
}

void
xform_format(unsigned flags, struct strbuf *o)
{
	int first = 1;

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (flags & words[i].flag) {
			strbuf_addf(o, "%s%s", first ? "" : ",", words[i].word);
			first = 0;
		}
}

int
xform_parse(const char *text, unsigned *flags)
{
	*flags = 0;
	while (*text) {
		size_t n = strcspn(text, ","), i;

		for (i = 0; i < ARRAY_SIZE(words); i++)
			if (strlen(words[i].word) == n && !strncmp(text, words[i].word, n))
				break;
		if (i == ARRAY_SIZE(words))
			return -1;
		*flags |= words[i].flag;
		text += n;
		if (*text == ',' && *++text == '\0')
			return -1;	/* a trailing comma */
	}
	return 0;
}
