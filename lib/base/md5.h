/*
 * md5.h - MD5 (RFC 1321), for verify's row digests only.
 *
 * verify must compute, in the client, the same digest PostgreSQL's md5()
 * and MySQL's MD5() compute inside the server; MD5 is the one hash both
 * engines have. It is used to spread rows over buckets and to sum row
 * digests, never for security.
 */
#ifndef DBMIG_MD5_H
#define DBMIG_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5_ctx {
	uint32_t h[4];
	uint64_t len;		/* bytes hashed so far */
	unsigned char buf[64];
};

void md5_init(struct md5_ctx *c);
void md5_update(struct md5_ctx *c, const void *p, size_t n);
void md5_final(struct md5_ctx *c, unsigned char out[16]);
void md5_digest(const void *p, size_t n, unsigned char out[16]);

#endif
