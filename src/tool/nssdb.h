/* An NSS database as jpki-tool setup sees it: the modules its pkcs11.txt
 * lists (the text file NSS itself writes beside cert9.db), and modutil
 * (libnss3-tools) run as a subprocess to change it.  The tool does not link
 * NSS: modutil is the documented way to change a database, and it takes the
 * database's own locks. */
#ifndef JPKI_TOOL_NSSDB_H
#define JPKI_TOOL_NSSDB_H

#include <stdbool.h>
#include <stddef.h>

/* The name setup registers the module under: the mark of what it added. */
#define NSSDB_OUR_NAME "jpki-pkcs11"

struct nssdb_module {
	char *name;
	char *library; /* "" for NSS's internal module */
};

struct nssdb_modules {
	struct nssdb_module *v;
	size_t n;
};

/* nssdb_read: the modules of the database in dir (its pkcs11.txt; none when
 * the file does not exist).  false with errno set when it cannot be read. */
bool nssdb_read(const char *dir, struct nssdb_modules *mods);
/* nssdb_parse: the modules of pkcs11.txt's text (len bytes, NUL not needed). */
bool nssdb_parse(const char *text, size_t len, struct nssdb_modules *mods);
void nssdb_free(struct nssdb_modules *mods);

/* nssdb_is_ours: the entry setup adds (our name and our library's file name). */
bool nssdb_is_ours(const struct nssdb_module *m, const char *module_path);
/* nssdb_same_library: the entry loads our module (same file name, or the
 * same file), whatever its name. */
bool nssdb_same_library(const struct nssdb_module *m, const char *module_path);
/* nssdb_is_p11kit_proxy: the entry loads p11-kit-proxy.so, which loads
 * every module registered with p11-kit. */
bool nssdb_is_p11kit_proxy(const struct nssdb_module *m);

/* nssdb_find_modutil: modutil's path found on PATH into buf; false when
 * it is not there (Debian package libnss3-tools). */
bool nssdb_find_modutil(char *buf, size_t cap);

/* nssdb_modutil: runs modutil (its path, then args, NULL-terminated) with no
 * shell and standard input from /dev/null; its output (both streams, line breaks
 * as spaces) goes into msg (truncated to cap).  true when it exited with status 0. */
bool nssdb_modutil(const char *modutil, const char *const *args, char *msg, size_t cap);

#endif
