/* Reading and writing a file descriptor whole: see fdio.h. */
#include "fdio.h"

#include <errno.h>
#include <unistd.h>

bool fdio_read_max(int fd, uint8_t *buf, size_t max, size_t *len)
{
	size_t off = 0;
	ssize_t n;

	while (off <= max) {
		n = read(fd, buf + off, max + 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	*len = off;
	return true;
}

bool fdio_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}
