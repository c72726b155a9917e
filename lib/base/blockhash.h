/*
 * blockhash.h - feeding bytes to a hash of 64-byte blocks (MD5, SHA-256):
 * the partial block is kept in buf until it fills, whole blocks of the
 * input go straight to the compression function.
 */
#ifndef DBMIG_BLOCKHASH_H
#define DBMIG_BLOCKHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void (*blockhash_fn)(void *ctx, const unsigned char *block);

static inline void
blockhash_update(void *ctx, unsigned char buf[64], uint64_t *len, const void *data,
		 size_t n, blockhash_fn block)
{
	const unsigned char *p = data;
	size_t have = (size_t)(*len % 64);

	*len += n;
	if (have) {
		size_t take = 64 - have < n ? 64 - have : n;

		memcpy(buf + have, p, take);
		p += take;
		n -= take;
		if (have + take < 64)
			return;
		block(ctx, buf);
	}
	for (; n >= 64; p += 64, n -= 64)
		block(ctx, p);
	if (n)
		memcpy(buf, p, n);
}

#endif
