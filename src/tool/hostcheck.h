/* What jpki-tool status can tell about the machine beyond PC/SC: a plugged
 * reader that has no driver on Linux (by its USB ID in sysfs), and OpenSC's
 * PKCS#11 module registered with p11-kit next to ours.  Reads files only. */
#ifndef JPKI_TOOL_HOSTCHECK_H
#define JPKI_TOOL_HOSTCHECK_H

#include <stddef.h>

#define HOSTCHECK_USB_DEVICES "/sys/bus/usb/devices"

/* hostcheck_dead_reader: the name of a plugged reader (a directory of dir
 * with idVendor and idProduct, as sysfs has them) known not to work on
 * Linux, or NULL. */
const char *hostcheck_dead_reader(const char *dir);

/* hostcheck_opensc_module: the first p11-kit module file of the directories
 * (a NULL-terminated list; NULL entries skipped) that loads OpenSC's
 * PKCS#11 module, copied into path; 0 when there is none. */
int hostcheck_opensc_module(const char *const *dirs, size_t ndirs, char *path, size_t cap);

#endif
