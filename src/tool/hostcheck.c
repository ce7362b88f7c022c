/* Machine checks for jpki-tool status: see hostcheck.h. */
#include "hostcheck.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Readers that cannot work on Linux, by USB ID: the Sony RC-S380 has no
 * PC/SC driver there (libccid does not list it; Sony ships none), so pcscd
 * never shows it.  Its successor, the RC-S300 family, is a CCID reader
 * (libccid 1.4.35 and later). */
static const struct {
	unsigned vendor, product;
	const char *name;
} hostcheck_dead[] = {
	{0x054c, 0x06c1, "Sony RC-S380/S"},
	{0x054c, 0x06c3, "Sony RC-S380/P"},
};

/* hostcheck_hex_file: a 4-digit hex ID file of sysfs ("054c\n"). */
static bool hostcheck_hex_file(const char *dir, const char *dev, const char *name, unsigned *out)
{
	char path[512], buf[16];
	FILE *fp;
	char *end;
	bool ok = false;

	if (snprintf(path, sizeof(path), "%s/%s/%s", dir, dev, name) >= (int)sizeof(path))
		return false;
	fp = fopen(path, "re");
	if (fp == NULL)
		return false;
	if (fgets(buf, sizeof(buf), fp) != NULL) {
		unsigned long v = strtoul(buf, &end, 16);
		ok = end != buf && (*end == '\n' || *end == '\0') && v <= 0xFFFF;
		*out = (unsigned)v;
	}
	fclose(fp);
	return ok;
}

const char *hostcheck_dead_reader(const char *dir)
{
	DIR *d = opendir(dir);
	const char *found = NULL;
	struct dirent *e;
	unsigned vendor, product;
	size_t i;

	if (d == NULL)
		return NULL;
	while (found == NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    !hostcheck_hex_file(dir, e->d_name, "idVendor", &vendor) ||
		    !hostcheck_hex_file(dir, e->d_name, "idProduct", &product))
			continue;
		for (i = 0; i < sizeof(hostcheck_dead) / sizeof(hostcheck_dead[0]); i++)
			if (hostcheck_dead[i].vendor == vendor &&
			    hostcheck_dead[i].product == product)
				found = hostcheck_dead[i].name;
	}
	closedir(d);
	return found;
}

/* hostcheck_loads_opensc: the p11-kit module file's "module:" line names
 * OpenSC's PKCS#11 module. */
static bool hostcheck_loads_opensc(const char *path)
{
	char line[1024];
	FILE *fp = fopen(path, "re");
	bool found = false;

	if (fp == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), fp) != NULL)
		found = strncmp(line, "module:", 7) == 0 && strstr(line, "opensc-pkcs11") != NULL;
	fclose(fp);
	return found;
}

int hostcheck_opensc_module(const char *const *dirs, size_t ndirs, char *path, size_t cap)
{
	size_t i;
	int found = 0;

	for (i = 0; i < ndirs && !found; i++) {
		DIR *d = dirs[i] != NULL ? opendir(dirs[i]) : NULL;
		struct dirent *e;

		while (d != NULL && !found && (e = readdir(d)) != NULL) {
			size_t n = strlen(e->d_name);
			if (n < 8 || strcmp(e->d_name + n - 7, ".module") != 0)
				continue;
			if (snprintf(path, cap, "%s/%s", dirs[i], e->d_name) >= (int)cap)
				continue;
			found = hostcheck_loads_opensc(path);
		}
		if (d != NULL)
			closedir(d);
	}
	if (!found && cap > 0)
		path[0] = '\0';
	return found;
}
