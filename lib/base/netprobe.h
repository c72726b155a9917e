/*
 * netprobe.h - what answers on a TCP port, for the connect errors of the
 * drivers: a mysql:// URI pointed at a PostgreSQL port, or the reverse,
 * fails with the other protocol's bytes in a confusing message. Each
 * driver sends the other engine's opening (or nothing) and reads what
 * comes back, to say which server it reached.
 */
#ifndef DBMIG_NETPROBE_H
#define DBMIG_NETPROBE_H

#include <stddef.h>
#include <sys/types.h>

/* Connects to host:port (a name or an address; NULL or a path: not
 * probed), sends send[0..sendlen) when sendlen > 0, and reads what
 * arrives within timeout_ms into buf. Returns the bytes read, or -1. */
ssize_t netprobe_exchange(const char *host, const char *port, const void *send,
			  size_t sendlen, unsigned char *buf, size_t bufsz, int timeout_ms);

#endif
