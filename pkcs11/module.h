/* The module: its one piece of global state, and the entry/exit helpers every
 * C_* entry point uses.
 *
 * An entry point looks like this:
 *
 *	struct module *m;
 *	CK_RV rv = module_enter(__func__, &m);
 *
 *	if (rv != CKR_OK)
 *		goto out;
 *	rv = ...one call down, with m's tables...;
 *	module_leave(m);
 * out:
 *	return module_return(__func__, rv);
 */
#ifndef JPKI_P11_MODULE_H
#define JPKI_P11_MODULE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lock.h"
#include "log.h"
#include "pkcs11.h"
#include "session.h"
#include "settings.h"
#include "slot.h"
#include "transport.h"

struct module {
	/* The process that called C_Initialize, 0 when not initialized.  A
	 * forked child sees its parent's pid here and so reads as not
	 * initialized until it calls C_Initialize itself. */
	_Atomic pid_t pid;
	struct lock lock; /* the module lock: see module.c */
	struct log log;	  /* JPKI_PKCS11_DEBUG; off before C_Initialize */
	struct settings settings;
	struct transport *transport; /* backend.h */
	struct cert_cache *cache;    /* the certificate cache; NULL with cache = off */
	struct slot_table slots;
	struct session_table sessions;
	CK_OBJECT_HANDLE next_object; /* object handles are never reused */
	/* C_WaitForSlotEvent waits without the lock: C_Finalize sets
	 * finalizing, cancels the wait and lets the waiters leave before it
	 * frees anything. */
	atomic_bool finalizing;
	atomic_int waiters;
	/* What a forked child inherited and must neither use nor release. */
	struct slot_table inherited;
	struct transport *inherited_transport;
	struct cert_cache *inherited_cache; /* theirs too: kept, never freed in the child */
};

/* module_enter: traces the call to fn; if the module is initialized in this
 * process, takes the module lock and sets *module.
 * Errors: CKR_CRYPTOKI_NOT_INITIALIZED, CKR_GENERAL_ERROR (lock failed). */
CK_RV module_enter(const char *fn, struct module **module);

/* module_leave: releases the module lock taken by module_enter. */
void module_leave(struct module *module);

/* module_initialize: C_Initialize's work, traced as fn once the log is open:
 * drops a parent's state in a forked child, makes the lock the arguments ask
 * for, reads the settings, opens the transport.  Errors:
 * CKR_CRYPTOKI_ALREADY_INITIALIZED, CKR_ARGUMENTS_BAD (lock.h),
 * CKR_HOST_MEMORY, CKR_GENERAL_ERROR (the lock could not be made). */
CK_RV module_initialize(const char *fn, const CK_C_INITIALIZE_ARGS *args);

/* module_finalize: C_Finalize's work after module_enter: new calls fail, a
 * blocked C_WaitForSlotEvent is woken and waited for, the lock is released
 * and everything freed but the log (module_close_log, after the trace). */
void module_finalize(struct module *m);

/* module_close_log: closes the log once C_Finalize has traced its return. */
void module_close_log(void);

/* module_function_list: the 2.40 function list (C_GetFunctionList). */
CK_FUNCTION_LIST_PTR module_function_list(void);

/* module_get_info: C_GetInfo: the module's description and versions. */
void module_get_info(CK_INFO *info);

/* module_interface_list: C_GetInterfaceList's two-call convention over the
 * interfaces, default first (count is not NULL; list NULL asks the number).
 * Errors: CKR_BUFFER_TOO_SMALL (*count set to the number needed). */
CK_RV module_interface_list(CK_INTERFACE *list, CK_ULONG *count);

/* module_interface_find: the first interface with this name and version
 * (NULL: any) that offers every flag asked for, or NULL. */
CK_INTERFACE_PTR module_interface_find(const CK_UTF8CHAR *name, const CK_VERSION *version,
				       CK_FLAGS flags);

/* module_return: traces fn's return value and returns it. */
CK_RV module_return(const char *fn, CK_RV rv);

#endif
