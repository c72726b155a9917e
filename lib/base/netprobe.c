/*
 * netprobe.c - one short TCP exchange to tell which server answers on a
 * port (netprobe.h).
 */
#include "netprobe.h"

#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/base/banned.h"

static int
connect_to(const char *host, const char *port, int timeout_ms)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

ssize_t
netprobe_exchange(const char *host, const char *port, const void *send, size_t sendlen,
		  unsigned char *buf, size_t bufsz, int timeout_ms)
{
	struct pollfd pfd;
	ssize_t got = -1;
	int fd;

	if (!host || !*host || host[0] == '/' || !port || !*port)
		return -1;
	if ((fd = connect_to(host, port, timeout_ms)) < 0)
		return -1;
	if (sendlen && write(fd, send, sendlen) != (ssize_t)sendlen)
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, timeout_ms) == 1)
		got = read(fd, buf, bufsz);
out:
	close(fd);
	return got;
}
