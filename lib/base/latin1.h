/*
 * latin1.h - MySQL's latin1: Windows-1252, with the five bytes that code
 * page leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) mapped to the C1
 * controls of the same number, as MySQL and MariaDB convert it.
 */
#ifndef DBMIG_LATIN1_H
#define DBMIG_LATIN1_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The code points of bytes 0x80..0x9F (the others are their own). */
extern const uint16_t latin1_c1[32];

/* Appends UTF-8 text p[0..n) to o as latin1 bytes. Returns -1 when a
 * character has no latin1 byte (o then holds the part before it), or
 * when p is no UTF-8. */
int latin1_from_utf8(const char *p, size_t n, struct strbuf *o);

#endif
