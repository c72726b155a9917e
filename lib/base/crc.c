/*
 * crc.c - CRC-32 and CRC-32C, eight bytes a step (slicing-by-8): a
 * verify of one engine against another hashes every row in the client.
 */
#include "crc.h"

#include <pthread.h>

#include "banned.h"

static uint32_t t32[8][256], t32c[8][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void
tables_fill(uint32_t t[8][256], uint32_t poly)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? poly ^ (c >> 1) : c >> 1;
		t[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
}

static void
tables_init(void)
{
	tables_fill(t32, 0xEDB88320u);
	tables_fill(t32c, 0x82F63B78u);
}

static uint32_t
crc_sliced(uint32_t t[8][256], uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n >= 8) {	/* bytes, not a word: any alignment, any byte order */
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);

		crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
		      t[4][lo >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t
crc32_update(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	return crc_sliced(t32, crc, p, n);
}

uint32_t
crc32c_update(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	return crc_sliced(t32c, crc, p, n);
}

uint64_t
crc64_pair(const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	return (uint64_t)crc_sliced(t32, 0, p, n) << 32 | crc_sliced(t32c, 0, p, n);
}
