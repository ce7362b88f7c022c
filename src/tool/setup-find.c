/* Finding the NSS databases jpki-tool setup changes or reports. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "setup-find.h"

/* profiles.ini and p11-kit module files are small text files. */
#define SETUP_TEXT_MAX (256 * 1024)

/* Profile roots, relative to $HOME (or the XDG directory named).  A
 * sandboxed root is reported, never changed: setup cannot make a snap or
 * Flatpak load a module from the host. */
enum setup_base { SETUP_BASE_HOME, SETUP_BASE_XDG_CONFIG };
static const struct {
	enum setup_app app;
	enum setup_box box;
	enum setup_base base;
	const char *path;
} setup_roots[] = {
	{SETUP_APP_FIREFOX, SETUP_BOX_NONE, SETUP_BASE_HOME, ".mozilla/firefox"},
	/* Newer Firefox releases keep new profiles under the XDG directory. */
	{SETUP_APP_FIREFOX, SETUP_BOX_NONE, SETUP_BASE_XDG_CONFIG, "mozilla/firefox"},
	{SETUP_APP_THUNDERBIRD, SETUP_BOX_NONE, SETUP_BASE_HOME, ".thunderbird"},
	{SETUP_APP_FIREFOX, SETUP_BOX_SNAP, SETUP_BASE_HOME,
	 "snap/firefox/common/.mozilla/firefox"},
	{SETUP_APP_THUNDERBIRD, SETUP_BOX_SNAP, SETUP_BASE_HOME,
	 "snap/thunderbird/common/.thunderbird"},
	{SETUP_APP_SHARED, SETUP_BOX_SNAP, SETUP_BASE_HOME, "snap/chromium/current/.pki/nssdb"},
	{SETUP_APP_FIREFOX, SETUP_BOX_FLATPAK, SETUP_BASE_HOME,
	 ".var/app/org.mozilla.firefox/.mozilla/firefox"},
	{SETUP_APP_THUNDERBIRD, SETUP_BOX_FLATPAK, SETUP_BASE_HOME,
	 ".var/app/org.mozilla.Thunderbird/.thunderbird"},
	{SETUP_APP_SHARED, SETUP_BOX_FLATPAK, SETUP_BASE_HOME,
	 ".var/app/org.chromium.Chromium/.pki/nssdb"},
	{SETUP_APP_SHARED, SETUP_BOX_FLATPAK, SETUP_BASE_HOME,
	 ".var/app/com.google.Chrome/.pki/nssdb"},
};

static bool setup_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void setup_targets_free(struct setup_targets *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].dir);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* setup_add: appends a target (dir is copied); a directory already listed
 * (the same real path) is not listed twice.  false when memory runs out. */
static bool setup_add(struct setup_targets *t, enum setup_app app, enum setup_box box,
		      const char *dir, bool exists)
{
	char real[PATH_MAX], other[PATH_MAX];
	struct setup_target *grown;
	size_t i;

	if (exists && realpath(dir, real) != NULL)
		for (i = 0; i < t->n; i++)
			if (t->v[i].exists && realpath(t->v[i].dir, other) != NULL &&
			    strcmp(real, other) == 0)
				return true;
	grown = realloc(t->v, (t->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return false;
	t->v = grown;
	grown[t->n].app = app;
	grown[t->n].box = box;
	grown[t->n].exists = exists;
	grown[t->n].dir = strdup(dir);
	if (grown[t->n].dir == NULL)
		return false;
	t->n++;
	return true;
}

/* setup_ini_profile: one profile of profiles.ini (path as written there). */
static bool setup_ini_profile(struct setup_targets *t, enum setup_app app, const char *root,
			      const char *path, bool relative)
{
	char dir[PATH_MAX];

	if (path[0] == '\0')
		return true;
	if (snprintf(dir, sizeof(dir), "%s%s%s", relative ? root : "", relative ? "/" : "", path) >=
		    (int)sizeof(dir) ||
	    !setup_is_dir(dir))
		return true; /* listed but gone: nothing to register in */
	return setup_add(t, app, SETUP_BOX_NONE, dir, true);
}

/* setup_ini: the profiles of root/profiles.ini ([ProfileN] sections, their
 * Path= and IsRelative= keys), the format Firefox and Thunderbird share. */
static bool setup_ini(struct setup_targets *t, enum setup_app app, const char *root)
{
	char ini[PATH_MAX], path[PATH_MAX] = "";
	uint8_t *data = NULL;
	size_t len = 0, n;
	const char *next, *p;
	bool in_profile = false, relative = true, ok = true;

	if (snprintf(ini, sizeof(ini), "%s/profiles.ini", root) >= (int)sizeof(ini) ||
	    !file_read_all(ini, SETUP_TEXT_MAX, &data, &len))
		return true; /* no profiles.ini: no profiles to find */
	next = (const char *)data;
	while (ok && file_next_line(&next, (const char *)data + len, &p, &n)) {
		if (n > 0 && p[0] == '[') {
			if (in_profile)
				ok = setup_ini_profile(t, app, root, path, relative);
			in_profile = n > 9 && memcmp(p, "[Profile", 8) == 0;
			path[0] = '\0';
			relative = true;
		} else if (in_profile && n > 5 && memcmp(p, "Path=", 5) == 0 &&
			   n - 5 < sizeof(path)) {
			memcpy(path, p + 5, n - 5);
			path[n - 5] = '\0';
		} else if (in_profile && n == 12 && memcmp(p, "IsRelative=0", 12) == 0) {
			relative = false;
		}
	}
	if (ok && in_profile)
		ok = setup_ini_profile(t, app, root, path, relative);
	free(data);
	return ok;
}

bool setup_find(const char *home, const char *xdg_data, const char *xdg_config, bool create_shared,
		struct setup_targets *out)
{
	char root[PATH_MAX], pki[PATH_MAX], xdg[PATH_MAX];
	size_t i;
	bool have_pki, have_xdg;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < sizeof(setup_roots) / sizeof(setup_roots[0]); i++) {
		if (setup_roots[i].base == SETUP_BASE_HOME)
			snprintf(root, sizeof(root), "%s/%s", home, setup_roots[i].path);
		else if (xdg_config != NULL && xdg_config[0] == '/')
			snprintf(root, sizeof(root), "%s/%s", xdg_config, setup_roots[i].path);
		else
			snprintf(root, sizeof(root), "%s/.config/%s", home, setup_roots[i].path);
		if (!setup_is_dir(root))
			continue;
		if (setup_roots[i].box != SETUP_BOX_NONE) {
			if (!setup_add(out, setup_roots[i].app, setup_roots[i].box, root, true))
				goto fail;
		} else if (!setup_ini(out, setup_roots[i].app, root)) {
			goto fail;
		}
	}
	/* NSS (and Chrome 146 and later) use ~/.pki/nssdb when it exists and
	 * $XDG_DATA_HOME/pki/nssdb otherwise.  Both are registered in when they
	 * exist; when neither does, ~/.pki/nssdb is created, the one every NSS
	 * program then agrees on.  ~/.pki is never created beside an existing
	 * XDG database: Chrome would leave that database for the new one. */
	snprintf(pki, sizeof(pki), "%s/.pki/nssdb", home);
	if (xdg_data != NULL && xdg_data[0] == '/')
		snprintf(xdg, sizeof(xdg), "%s/pki/nssdb", xdg_data);
	else
		snprintf(xdg, sizeof(xdg), "%s/.local/share/pki/nssdb", home);
	have_pki = setup_is_dir(pki);
	have_xdg = setup_is_dir(xdg);
	if ((have_pki || (create_shared && !have_xdg)) &&
	    !setup_add(out, SETUP_APP_SHARED, SETUP_BOX_NONE, pki, have_pki))
		goto fail;
	if (have_xdg && !setup_add(out, SETUP_APP_SHARED, SETUP_BOX_NONE, xdg, true))
		goto fail;
	return true;
fail:
	setup_targets_free(out);
	return false;
}

/* setup_pid_alive: kill(pid, 0) finds it (EPERM: it exists, not ours). */
static bool setup_pid_alive(long pid)
{
	return pid > 0 && pid <= INT32_MAX && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

pid_t setup_profile_user(const char *dir)
{
	char path[PATH_MAX], target[256];
	struct flock fl;
	const char *plus;
	ssize_t n;
	long pid;
	int fd;

	/* Firefox and Thunderbird hold an fcntl write lock on .parentlock
	 * while they run (nsProfileLock): F_GETLK names the holder. */
	snprintf(path, sizeof(path), "%s/.parentlock", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0) {
			close(fd);
			return fl.l_pid;
		}
		close(fd);
	}
	/* And a symlink "lock" -> "ADDRESS:+PID"; a stale one (a crash) names
	 * a process that is gone. */
	snprintf(path, sizeof(path), "%s/lock", dir);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	plus = strrchr(target, '+');
	if (plus == NULL)
		return 0;
	pid = strtol(plus + 1, NULL, 10);
	return setup_pid_alive(pid) ? (pid_t)pid : 0;
}

/* setup_module_file_names: whether the p11-kit module file's "module:" line
 * names a library with the file name base. */
static bool setup_module_file_names(const char *file, const char *base)
{
	uint8_t *data = NULL;
	size_t len = 0, n, blen = strlen(base);
	const char *next, *p, *v;
	bool found = false;

	if (!file_read_all(file, SETUP_TEXT_MAX, &data, &len))
		return false;
	next = (const char *)data;
	while (!found && file_next_line(&next, (const char *)data + len, &p, &n)) {
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n < 7 || memcmp(p, "module:", 7) != 0)
			continue;
		for (v = p + 7; v < p + n && (*v == ' ' || *v == '\t'); v++)
			;
		/* A bare name or a path ending in "/base". */
		if ((size_t)(p + n - v) >= blen && memcmp(p + n - blen, base, blen) == 0 &&
		    (p + n - blen == v || p[n - blen - 1] == '/'))
			found = true;
	}
	free(data);
	return found;
}

bool setup_p11kit_has_module(const char *home, const char *module_path)
{
	char user[PATH_MAX], file[PATH_MAX];
	const char *dirs[3] = {"/usr/share/p11-kit/modules", "/etc/pkcs11/modules", user};
	const char *base = strrchr(module_path, '/');
	struct dirent *de;
	size_t i, n;
	DIR *d;
	bool found = false;

	base = base != NULL ? base + 1 : module_path;
	snprintf(user, sizeof(user), "%s/.config/pkcs11/modules", home != NULL ? home : "");
	for (i = 0; !found && i < (home != NULL ? 3 : 2); i++) {
		d = opendir(dirs[i]);
		if (d == NULL)
			continue;
		while (!found && (de = readdir(d)) != NULL) {
			n = strlen(de->d_name);
			/* p11-kit reads only files ending in ".module". */
			if (n <= 7 || strcmp(de->d_name + n - 7, ".module") != 0)
				continue;
			if (snprintf(file, sizeof(file), "%s/%s", dirs[i], de->d_name) <
			    (int)sizeof(file))
				found = setup_module_file_names(file, base);
		}
		closedir(d);
	}
	return found;
}
