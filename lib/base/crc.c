/*
 * crc.c - CRC-32 and CRC-32C, eight bytes a step (slicing-by-8): a
 * verify of one engine against another hashes every row in the client.
 */
#include "crc.h"

#include <pthread.h>
#include <string.h>

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

static void insn_init(void);
static pthread_once_t insn_once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_CRC32C_INSN 1
#include <immintrin.h>
/* SSE 4.2's crc32 instruction is CRC-32C: eight bytes a cycle or so,
 * where the tables take a few. */
__attribute__((target("sse4.2"))) static uint32_t
crc32c_insn(uint32_t crc, const unsigned char *p, size_t n)
{
	uint64_t c = ~crc;

	while (n >= 8) {
		uint64_t x;

		memcpy(&x, p, 8);
		c = __builtin_ia32_crc32di(c, x);
		p += 8;
		n -= 8;
	}
	while (n--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}

/* CRC-32 (zlib's polynomial, which has no instruction) by carry-less
 * multiplication: the message folded 64 bytes at a time into four
 * 128-bit lanes, the lanes into one, that to 64 and then 32 bits, and a
 * Barrett reduction (Gopal et al., "Fast CRC computation for generic
 * polynomials using PCLMULQDQ", Intel 2009: its bit-reflected constants
 * for 0x04C11DB7). For n >= 64, a multiple of 16; crc is the inverted
 * running value, as crc_sliced keeps it inside. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc32_clmul(uint32_t crc, const unsigned char *p, size_t n)
{
	const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
	const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
	const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124);
	const __m128i pu = _mm_set_epi64x(0x01f7011641, 0x01db710641);
	const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
	__m128i lane[4], t;

	for (int i = 0; i < 4; i++)
		lane[i] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
	lane[0] = _mm_xor_si128(lane[0], _mm_cvtsi32_si128((int)crc));
	p += 64;
	n -= 64;
	for (; n >= 64; p += 64, n -= 64)	/* each lane 512 bits on */
		for (int i = 0; i < 4; i++) {
			t = _mm_clmulepi64_si128(lane[i], k1k2, 0x00);
			lane[i] = _mm_clmulepi64_si128(lane[i], k1k2, 0x11);
			lane[i] = _mm_xor_si128(_mm_xor_si128(lane[i], t),
						_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)));
		}
	for (int i = 1; i < 4; i++) {		/* the lanes into the first, 128 bits apart */
		t = _mm_clmulepi64_si128(lane[0], k3k4, 0x00);
		lane[0] = _mm_clmulepi64_si128(lane[0], k3k4, 0x11);
		lane[0] = _mm_xor_si128(_mm_xor_si128(lane[0], t), lane[i]);
	}
	for (; n >= 16; p += 16, n -= 16) {	/* the rest, 16 bytes at a time */
		t = _mm_clmulepi64_si128(lane[0], k3k4, 0x00);
		lane[0] = _mm_clmulepi64_si128(lane[0], k3k4, 0x11);
		lane[0] = _mm_xor_si128(_mm_xor_si128(lane[0], t),
					_mm_loadu_si128((const __m128i *)(const void *)p));
	}
	/* 128 bits to 64, then to 32 and the reduction */
	t = _mm_clmulepi64_si128(lane[0], k3k4, 0x10);
	lane[0] = _mm_xor_si128(_mm_srli_si128(lane[0], 8), t);
	t = _mm_srli_si128(lane[0], 4);
	lane[0] = _mm_clmulepi64_si128(_mm_and_si128(lane[0], low32), k5, 0x00);
	lane[0] = _mm_xor_si128(lane[0], t);
	t = _mm_clmulepi64_si128(_mm_and_si128(lane[0], low32), pu, 0x10);
	t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), pu, 0x00);
	return (uint32_t)_mm_extract_epi32(_mm_xor_si128(lane[0], t), 1);
}
#endif

static int use_insn, use_clmul;

static uint32_t
crc32_any(uint32_t crc, const unsigned char *p, size_t n)
{
#ifdef HAVE_CRC32C_INSN
	if (use_clmul && n >= 64) {
		size_t head = n & ~(size_t)15;

		crc = ~crc32_clmul(~crc, p, head);
		return crc_sliced(t32, crc, p + head, n - head);
	}
#endif
	return crc_sliced(t32, crc, p, n);
}

static void
insn_init(void)
{
#ifdef HAVE_CRC32C_INSN
	__builtin_cpu_init();
	use_insn = __builtin_cpu_supports("sse4.2");
	use_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#endif
}

static uint32_t
crc32c_any(uint32_t crc, const unsigned char *p, size_t n)
{
#ifdef HAVE_CRC32C_INSN
	if (use_insn)
		return crc32c_insn(crc, p, n);
#endif
	return crc_sliced(t32c, crc, p, n);
}

uint32_t
crc32_update(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	pthread_once(&insn_once, insn_init);
	return crc32_any(crc, p, n);
}

uint32_t
crc32c_update(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	pthread_once(&insn_once, insn_init);
	return crc32c_any(crc, p, n);
}

uint64_t
crc64_pair(const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	pthread_once(&insn_once, insn_init);
	return (uint64_t)crc32_any(0, p, n) << 32 | crc32c_any(0, p, n);
}

/* The tables alone, whatever the processor (the unit test holds the
 * instructions to them). */
uint32_t
crc32_tables(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	return crc_sliced(t32, crc, p, n);
}

uint32_t
crc32c_tables(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&tables_once, tables_init);
	return crc_sliced(t32c, crc, p, n);
}
