/*
 * latin1.c - MySQL's latin1 against UTF-8.
 */
#include "latin1.h"

#include <string.h>

#include "banned.h"

const uint16_t latin1_c1[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static int
latin1_byte(uint32_t cp)
{
	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (int)cp;
	for (int i = 0; i < 32; i++)
		if (latin1_c1[i] == cp)
			return 0x80 + i;
	return -1;
}

int
latin1_from_utf8(const char *p, size_t n, struct strbuf *o)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		uint32_t cp;
		int b, k;

		for (;;) {	/* ASCII as it is, eight bytes a step */
			uint64_t x;

			if (run + 8 > n)
				break;
			memcpy(&x, s + run, 8);
			if (x & 0x8080808080808080ULL)
				break;
			run += 8;
		}
		while (run < n && s[run] < 0x80)
			run++;
		strbuf_add(o, p + i, run - i);
		if ((i = run) == n)
			break;
		if ((s[i] & 0xE0) == 0xC0)
			cp = s[i] & 0x1F, k = 1;
		else if ((s[i] & 0xF0) == 0xE0)
			cp = s[i] & 0x0F, k = 2;
		else if ((s[i] & 0xF8) == 0xF0)
			cp = s[i] & 0x07, k = 3;
		else
			return -1;
		if (i + (size_t)k >= n)	/* cut short */
			return -1;
		for (int j = 1; j <= k; j++) {
			if ((s[i + (size_t)j] & 0xC0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i + (size_t)j] & 0x3F);
		}
		if ((b = latin1_byte(cp)) < 0)
			return -1;
		strbuf_addch(o, (char)b);
		i += (size_t)k + 1;
	}
	return 0;
}
