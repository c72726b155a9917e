/*
 * sha256.h - SHA-256 (FIPS 180-4), for verify --digest=sha256 only: the
 * client must compute the digest PostgreSQL's sha256() and MySQL's
 * SHA2(x, 256) compute inside the server, for a side it digests itself.
 */
#ifndef DBMIG_SHA256_H
#define DBMIG_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	unsigned char buf[64];
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *p, size_t n);
void sha256_final(struct sha256_ctx *c, unsigned char out[32]);
void sha256_digest(const void *p, size_t n, unsigned char out[32]);

#endif
