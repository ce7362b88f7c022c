/* Files the tool reads and writes.  Output is written to a temporary file
 * in the target's directory and renamed over the target only when complete,
 * so a failure (a full disk, a removed card) never leaves half a file. */
#ifndef JPKI_TOOL_FILE_H
#define JPKI_TOOL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* file_write_atomic: writes data to path ("-" = standard output), mode
 * 0644 less the umask.  false with errno set on failure; the target is then
 * untouched and no temporary file remains. */
bool file_write_atomic(const char *path, const uint8_t *data, size_t len);

/* file_check_writable: whether file_write_atomic(path) can work, found
 * before any PIN is asked for: a temporary file is created beside the target
 * and removed again, and the target must not be a directory.  "-" is always
 * writable.  false with errno set. */
bool file_check_writable(const char *path);

/* file_read_all: the whole file (at most max bytes) into a malloc'ed
 * buffer.  false with errno set (EFBIG when larger than max). */
bool file_read_all(const char *path, size_t max, uint8_t **data, size_t *len);

/* file_next_line: the line at *p (before end) as *line and *len, without
 * its "\n" or "\r\n"; *p moves past it.  false when nothing is left (a
 * text ending in "\n" has no empty last line). */
bool file_next_line(const char **p, const char *end, const char **line, size_t *len);

#endif
