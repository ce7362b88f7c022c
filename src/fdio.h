/* A file descriptor read or written whole: the loops around read() and
 * write() that a signal (EINTR) or a short count must not cut short, for
 * the settings file, the certificate cache and the tool's files. */
#ifndef JPKI_FDIO_H
#define JPKI_FDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fdio_read_max: fd read to its end into buf (max + 1 bytes), at most one
 * byte more than max: *len > max says the file is larger than allowed,
 * whatever its size said before.  false on a read error (errno set). */
bool fdio_read_max(int fd, uint8_t *buf, size_t max, size_t *len);

/* fdio_write_all: all len bytes to fd.  false on a write error (errno set;
 * a write of 0 bytes is taken as an error). */
bool fdio_write_all(int fd, const uint8_t *buf, size_t len);

#endif
