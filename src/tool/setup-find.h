/* Where jpki-tool setup looks: the NSS databases of the user that an
 * application reads (Firefox and Thunderbird profiles from profiles.ini,
 * the shared ~/.pki/nssdb and $XDG_DATA_HOME/pki/nssdb of Chromium, Chrome
 * and other NSS programs), the sandboxed copies (snap, Flatpak) it only
 * reports, and the signs that an application is using a profile now. */
#ifndef JPKI_TOOL_SETUP_FIND_H
#define JPKI_TOOL_SETUP_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum setup_app {
	SETUP_APP_FIREFOX,
	SETUP_APP_THUNDERBIRD,
	SETUP_APP_SHARED, /* ~/.pki/nssdb: Chromium, Chrome, other NSS programs */
};

enum setup_box {
	SETUP_BOX_NONE,
	SETUP_BOX_SNAP,
	SETUP_BOX_FLATPAK,
};

struct setup_target {
	enum setup_app app;
	enum setup_box box;
	char *dir;   /* the database directory (a sandbox: its profile root) */
	bool exists; /* false: the shared database, to be created */
};

struct setup_targets {
	struct setup_target *v;
	size_t n;
};

/* setup_find: every target under home; xdg_data and xdg_config are
 * $XDG_DATA_HOME and $XDG_CONFIG_HOME (NULL or empty: the defaults).
 * create_shared: list ~/.pki/nssdb to be created when no shared database
 * exists.  false only when memory runs out. */
bool setup_find(const char *home, const char *xdg_data, const char *xdg_config, bool create_shared,
		struct setup_targets *out);
void setup_targets_free(struct setup_targets *t);

/* setup_profile_user: the process using the Firefox or Thunderbird profile
 * in dir (the lock Firefox takes on .parentlock, or its "lock" symlink
 * naming a live process); 0 when none. */
pid_t setup_profile_user(const char *dir);

/* setup_p11kit_has_module: whether a p11-kit module file (the package's,
 * /etc/pkcs11/modules or, when home is not NULL, the user's
 * ~/.config/pkcs11/modules) registers a library with the file name of
 * module_path. */
bool setup_p11kit_has_module(const char *home, const char *module_path);

#endif
