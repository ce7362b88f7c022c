/* Reading and atomically writing files: see file.h. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"

/* file_temp: creates .NAME.XXXXXX beside path (so that rename() stays on
 * one file system); its name in *tmp (malloc'ed), the descriptor or -1. */
static int file_temp(const char *path, char **tmp)
{
	const char *slash = strrchr(path, '/');

	if (asprintf(tmp, "%.*s.%s.XXXXXX", slash != NULL ? (int)(slash - path + 1) : 0, path,
		     slash != NULL ? slash + 1 : path) < 0) {
		*tmp = NULL;
		errno = ENOMEM;
		return -1;
	}
	return mkostemp(*tmp, O_CLOEXEC);
}

bool file_check_writable(const char *path)
{
	struct stat st;
	char *tmp = NULL;
	int fd;

	if (strcmp(path, "-") == 0)
		return true;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return false;
	}
	fd = file_temp(path, &tmp);
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return fd >= 0;
}

bool file_write_atomic(const char *path, const uint8_t *data, size_t len)
{
	char *tmp = NULL;
	bool ok = false, created = false;
	mode_t mask;
	int fd = -1, saved;

	if (strcmp(path, "-") == 0)
		return fdio_write_all(STDOUT_FILENO, data, len);
	fd = file_temp(path, &tmp);
	if (fd < 0)
		goto out;
	created = true;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0644 & ~mask) != 0 || !fdio_write_all(fd, data, len) || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	ok = true;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (!ok && created)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return ok;
}

bool file_read_all(const char *path, size_t max, uint8_t **data, size_t *len)
{
	uint8_t *buf = NULL, *bigger;
	size_t cap = 0, n = 0;
	bool ok = false;
	ssize_t r;
	int fd, saved;

	*data = NULL;
	*len = 0;
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	for (;;) {
		if (n == cap) {
			if (cap >= max + 1) {
				errno = EFBIG;
				goto out;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > max + 1)
				cap = max + 1;
			bigger = realloc(buf, cap);
			if (bigger == NULL)
				goto out;
			buf = bigger;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			goto out;
		}
	}
	*data = buf;
	*len = n;
	buf = NULL;
	ok = true;
out:
	saved = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	errno = saved;
	return ok;
}

bool file_next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *eol;

	if (*p >= end)
		return false;
	eol = memchr(*p, '\n', (size_t)(end - *p));
	if (eol == NULL)
		eol = end;
	*line = *p;
	*len = (size_t)(eol - *p);
	if (*len > 0 && (*p)[*len - 1] == '\r')
		(*len)--;
	*p = eol < end ? eol + 1 : end;
	return true;
}
