/*
 * binlog_charset.c - character data in a row image is in its column's
 * character set; the dump reads it as UTF-8 (the session's utf8mb4), so
 * the binlog reader converts it the way the server would have.
 */
#include "binlog.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/latin1.h"
#include "lib/base/banned.h"

static void
put_utf8(struct strbuf *o, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(o, (char)cp);
	} else if (cp < 0x800) {
		strbuf_addch(o, (char)(0xC0 | cp >> 6));
		strbuf_addch(o, (char)(0x80 | (cp & 0x3F)));
	} else {
		strbuf_addch(o, (char)(0xE0 | cp >> 12));
		strbuf_addch(o, (char)(0x80 | ((cp >> 6) & 0x3F)));
		strbuf_addch(o, (char)(0x80 | (cp & 0x3F)));
	}
}

/* MySQL's names for what iconv calls otherwise. */
static const char *
iconv_name(const char *cs)
{
	static const struct { const char *my, *iconv; } names[] = {
		{ "ucs2", "UCS-2BE" }, { "utf16", "UTF-16BE" }, { "utf16le", "UTF-16LE" },
		{ "utf32", "UTF-32BE" }, { "gbk", "GBK" }, { "gb2312", "GB2312" },
		{ "gb18030", "GB18030" }, { "big5", "BIG5" }, { "sjis", "SHIFT_JIS" },
		{ "cp932", "CP932" }, { "ujis", "EUC-JP" }, { "eucjpms", "EUC-JP-MS" },
		{ "euckr", "EUC-KR" }, { "koi8r", "KOI8-R" }, { "koi8u", "KOI8-U" },
		{ "cp1250", "CP1250" }, { "cp1251", "CP1251" }, { "cp1256", "CP1256" },
		{ "cp1257", "CP1257" }, { "cp850", "CP850" }, { "cp852", "CP852" },
		{ "cp866", "CP866" }, { "latin2", "ISO-8859-2" }, { "latin5", "ISO-8859-9" },
		{ "latin7", "ISO-8859-13" }, { "greek", "ISO-8859-7" },
		{ "hebrew", "ISO-8859-8" }, { "tis620", "TIS-620" },
		{ "armscii8", "ARMSCII-8" }, { "macroman", "MACINTOSH" },
		{ "macce", "MAC-CENTRALEUROPE" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(cs, names[i].my))
			return names[i].iconv;
	return NULL;
}

int
binlog_to_utf8(const char *cs, const unsigned char *p, size_t n, struct strbuf *o, char *emsg,
	       size_t emsz)
{
	const char *name;
	iconv_t cd;
	char *in = (char *)p;
	size_t inleft = n;

	if (!strcmp(cs, "utf8mb4") || !strcmp(cs, "utf8mb3") || !strcmp(cs, "utf8") ||
	    !strcmp(cs, "ascii") || !strcmp(cs, "binary")) {
		strbuf_add(o, p, n);
		return 0;
	}
	if (!strcmp(cs, "latin1")) {
		for (size_t i = 0; i < n; i++)
			put_utf8(o, p[i] >= 0x80 && p[i] < 0xA0 ? latin1_c1[p[i] - 0x80] : p[i]);
		return 0;
	}
	if (!(name = iconv_name(cs)) || (cd = iconv_open("UTF-8", name)) == (iconv_t)-1) {
		snprintf(emsg, emsz, "character set %s: dbmig cannot convert it to UTF-8 here "
			 "(convert the column to utf8mb4 on the source)", cs);
		return -1;
	}
	while (inleft) {
		char buf[4096], *out = buf;
		size_t outleft = sizeof(buf);

		if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1 && errno != E2BIG) {
			iconv_close(cd);
			snprintf(emsg, emsz, "bytes that are no %s text", cs);
			return -1;
		}
		strbuf_add(o, buf, sizeof(buf) - outleft);
	}
	iconv_close(cd);
	return 0;
}
