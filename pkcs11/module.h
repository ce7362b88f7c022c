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
};

/* module_enter: traces the call to fn; if the module is initialized in this
 * process, takes the module lock and sets *module.
 * Errors: CKR_CRYPTOKI_NOT_INITIALIZED, CKR_GENERAL_ERROR (lock failed). */
CK_RV module_enter(const char *fn, struct module **module);

/* module_leave: releases the module lock taken by module_enter. */
void module_leave(struct module *module);

/* module_check: module_enter without the lock, for the entry points that
 * touch no module state.  Errors: CKR_CRYPTOKI_NOT_INITIALIZED. */
CK_RV module_check(const char *fn);

/* module_return: traces fn's return value and returns it. */
CK_RV module_return(const char *fn, CK_RV rv);

#endif
