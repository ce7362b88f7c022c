/* Reading an NSS database's module list and running modutil on it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "nssdb.h"

extern char **environ;

/* pkcs11.txt is a few hundred bytes per module; anything larger is not one. */
#define NSSDB_TEXT_MAX (1024 * 1024)

static const char *nssdb_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

void nssdb_free(struct nssdb_modules *mods)
{
	size_t i;

	for (i = 0; i < mods->n; i++) {
		free(mods->v[i].name);
		free(mods->v[i].library);
	}
	free(mods->v);
	mods->v = NULL;
	mods->n = 0;
}

/* nssdb_set: *field = a copy of the value (len bytes). */
static bool nssdb_set(char **field, const char *value, size_t len)
{
	char *copy = strndup(value, len);

	if (copy == NULL)
		return false;
	free(*field);
	*field = copy;
	return true;
}

/* The file is a list of entries separated by blank lines; each entry's
 * "library=" line starts it (NSS writes "library=" first, empty for its
 * internal module) and "name=" names it.  Other keys are not ours. */
bool nssdb_parse(const char *text, size_t len, struct nssdb_modules *mods)
{
	const char *next = text, *p;
	struct nssdb_module *grown, *cur = NULL;
	size_t n;

	mods->v = NULL;
	mods->n = 0;
	while (file_next_line(&next, text + len, &p, &n)) {
		if (n >= 8 && memcmp(p, "library=", 8) == 0) {
			grown = realloc(mods->v, (mods->n + 1) * sizeof(*grown));
			if (grown == NULL)
				goto fail;
			mods->v = grown;
			cur = &mods->v[mods->n++];
			cur->name = NULL;
			cur->library = NULL;
			if (!nssdb_set(&cur->library, p + 8, n - 8))
				goto fail;
		} else if (cur != NULL && n >= 5 && memcmp(p, "name=", 5) == 0) {
			if (!nssdb_set(&cur->name, p + 5, n - 5))
				goto fail;
		}
	}
	/* An entry without a name line still gets one, so callers need no check. */
	for (n = 0; n < mods->n; n++)
		if (mods->v[n].name == NULL && !nssdb_set(&mods->v[n].name, "", 0))
			goto fail;
	return true;
fail:
	nssdb_free(mods);
	errno = ENOMEM;
	return false;
}

bool nssdb_read(const char *dir, struct nssdb_modules *mods)
{
	char path[PATH_MAX];
	uint8_t *data = NULL;
	size_t len = 0;
	bool ok;

	mods->v = NULL;
	mods->n = 0;
	if (snprintf(path, sizeof(path), "%s/pkcs11.txt", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return false;
	}
	if (!file_read_all(path, NSSDB_TEXT_MAX, &data, &len))
		return errno == ENOENT;
	ok = nssdb_parse((const char *)data, len, mods);
	free(data);
	return ok;
}

bool nssdb_same_library(const struct nssdb_module *m, const char *module_path)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (m->library[0] == '\0')
		return false;
	if (strcmp(nssdb_basename(m->library), nssdb_basename(module_path)) == 0)
		return true;
	return realpath(m->library, a) != NULL && realpath(module_path, b) != NULL &&
	       strcmp(a, b) == 0;
}

bool nssdb_is_ours(const struct nssdb_module *m, const char *module_path)
{
	return strcmp(m->name, NSSDB_OUR_NAME) == 0 &&
	       strcmp(nssdb_basename(m->library), nssdb_basename(module_path)) == 0;
}

bool nssdb_is_p11kit_proxy(const struct nssdb_module *m)
{
	char real[PATH_MAX];
	const char *base = nssdb_basename(m->library);

	/* Debian's p11-kit-proxy.so is a link to libp11-kit.so.0. */
	if (strcmp(base, "p11-kit-proxy.so") == 0 || strncmp(base, "libp11-kit.so", 13) == 0)
		return true;
	return m->library[0] != '\0' && realpath(m->library, real) != NULL &&
	       strncmp(nssdb_basename(real), "libp11-kit.so", 13) == 0;
}

bool nssdb_find_modutil(char *buf, size_t cap)
{
	const char *path = getenv("PATH"), *p, *colon;
	size_t n;

	if (path == NULL || *path == '\0')
		path = "/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *colon != '\0' ? colon + 1 : colon) {
		colon = strchr(p, ':');
		if (colon == NULL)
			colon = p + strlen(p);
		n = (size_t)(colon - p);
		/* An empty PATH entry is the current directory: not trusted here. */
		if (n == 0 || p[0] != '/')
			continue;
		if (snprintf(buf, cap, "%.*s/modutil", (int)n, p) < (int)cap &&
		    access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

bool nssdb_modutil(const char *modutil, const char *const *args, char *msg, size_t cap)
{
	posix_spawn_file_actions_t fa;
	char *argv[16] = {NULL};
	int fds[2] = {-1, -1}, status = 0;
	size_t i, used = 0;
	ssize_t got;
	pid_t pid;
	bool ok = false, have_fa = false;
	int err;

	msg[0] = '\0';
	/* posix_spawn takes writable strings: copies. */
	argv[0] = strdup(modutil);
	for (i = 0; argv[i] != NULL && args[i] != NULL && i + 2 < sizeof(argv) / sizeof(argv[0]);
	     i++)
		argv[i + 1] = strdup(args[i]);
	if (argv[i] == NULL) {
		snprintf(msg, cap, "%s", strerror(ENOMEM));
		goto out;
	}
	if (pipe2(fds, O_CLOEXEC) != 0 || posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	have_fa = true;
	err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (err == 0)
		err = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (err == 0)
		err = posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	if (err == 0)
		err = posix_spawn(&pid, modutil, &fa, NULL, argv, environ);
	if (err != 0) {
		snprintf(msg, cap, "%s: %s", modutil, strerror(err));
		goto out;
	}
	close(fds[1]);
	fds[1] = -1;
	/* Read everything (modutil must not block on a full pipe), keep the start. */
	for (;;) {
		char chunk[512];

		got = read(fds[0], chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		/* One line for an error message: line breaks become spaces. */
		for (i = 0; i < (size_t)got && used + 1 < cap; i++)
			msg[used++] = chunk[i] == '\n' || chunk[i] == '\r' ? ' ' : chunk[i];
		msg[used] = '\0';
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	while (used > 0 && msg[used - 1] == ' ')
		msg[--used] = '\0';
out:
	for (i = 0; i < sizeof(argv) / sizeof(argv[0]); i++)
		free(argv[i]);
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return ok;
}
