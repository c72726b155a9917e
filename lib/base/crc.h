/*
 * crc.h - CRC-32 (ISO-HDLC, zlib's: the binlog's event checksum and
 * MySQL's CRC32()) and CRC-32C (Castagnoli: MariaDB's CRC32C()).
 *
 * verify computes in the client the digest MariaDB computes in the
 * server as CRC32(x) << 32 | CRC32C(x): two different polynomials over
 * the same bytes, at a fraction of MD5's cost. Never for security.
 */
#ifndef DBMIG_CRC_H
#define DBMIG_CRC_H

#include <stddef.h>
#include <stdint.h>

/* crc continued over p[0..n); start from 0. */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);
uint32_t crc32c_update(uint32_t crc, const void *p, size_t n);

/* By the tables alone, even where the processor has instructions for
 * them (tests compare the two). */
uint32_t crc32_tables(uint32_t crc, const void *p, size_t n);
uint32_t crc32c_tables(uint32_t crc, const void *p, size_t n);

/* CRC32(p) << 32 | CRC32C(p), as MariaDB computes it. */
uint64_t crc64_pair(const void *p, size_t n);

#endif
