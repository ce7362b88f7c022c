/* The module: its state, the function lists and interfaces, and the work of
 * C_Initialize and C_Finalize (their entry points are in p11-general.c).
 *
 * The module lock.  All module state (slots, tokens, sessions, the card
 * connections) lives in the one struct below and is touched only with
 * module.lock held, so calls from many threads run one at a time: a smart
 * card does one thing at a time anyway, and one lock cannot deadlock.  Every
 * entry point takes it (module_enter) except C_GetFunctionList and
 * C_GetInterface*, which read only constant tables.  A function of a header
 * that is given the module or one of its tables (struct module, struct
 * session_table) and expects the lock held ends in _locked, and _locked
 * means nothing else; one given what only exists under the lock (a struct
 * call, a session, a token) needs it by construction and does not repeat
 * it, nor do the static helpers of the entry points.  It must never be
 * held across a blocking wait for a reader event.  C_Initialize creates it and C_Finalize destroys it; the
 * specification (3.0 section 5.4) makes the application responsible for not
 * calling those two while other calls are running, so the lifecycle itself
 * needs only the atomic module.pid.
 *
 * Fork: a child inherits a copy of an initialized module, but PKCS#11 says
 * the child must call C_Initialize before using it.  module.pid != getpid()
 * makes every call answer CKR_CRYPTOKI_NOT_INITIALIZED until then (C_Finalize
 * too, so a child can never release its parent's resources), and the child's
 * C_Initialize drops the inherited state without touching what it refers to.
 */
#include "module.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "cert-cache.h"
#include "ckr-names.h"
#include "pad.h"

#ifndef HAVE_SECURE_GETENV
#define secure_getenv getenv
#endif

#define SETTINGS_FILE SYSCONFDIR "/jpki-pkcs11.conf"

static struct module module;

static CK_RV get_function_list_3_0(CK_FUNCTION_LIST_PTR_PTR ppFunctionList);

/* The functions of each list, in the spec's order, but C_GetFunctionList
 * (each list names its own, below).  One list of names fills both tables. */
#define FUNCTIONS_2_40(X)        \
	X(C_Initialize)          \
	X(C_Finalize)            \
	X(C_GetInfo)             \
	X(C_GetSlotList)         \
	X(C_GetSlotInfo)         \
	X(C_GetTokenInfo)        \
	X(C_GetMechanismList)    \
	X(C_GetMechanismInfo)    \
	X(C_InitToken)           \
	X(C_InitPIN)             \
	X(C_SetPIN)              \
	X(C_OpenSession)         \
	X(C_CloseSession)        \
	X(C_CloseAllSessions)    \
	X(C_GetSessionInfo)      \
	X(C_GetOperationState)   \
	X(C_SetOperationState)   \
	X(C_Login)               \
	X(C_Logout)              \
	X(C_CreateObject)        \
	X(C_CopyObject)          \
	X(C_DestroyObject)       \
	X(C_GetObjectSize)       \
	X(C_GetAttributeValue)   \
	X(C_SetAttributeValue)   \
	X(C_FindObjectsInit)     \
	X(C_FindObjects)         \
	X(C_FindObjectsFinal)    \
	X(C_EncryptInit)         \
	X(C_Encrypt)             \
	X(C_EncryptUpdate)       \
	X(C_EncryptFinal)        \
	X(C_DecryptInit)         \
	X(C_Decrypt)             \
	X(C_DecryptUpdate)       \
	X(C_DecryptFinal)        \
	X(C_DigestInit)          \
	X(C_Digest)              \
	X(C_DigestUpdate)        \
	X(C_DigestKey)           \
	X(C_DigestFinal)         \
	X(C_SignInit)            \
	X(C_Sign)                \
	X(C_SignUpdate)          \
	X(C_SignFinal)           \
	X(C_SignRecoverInit)     \
	X(C_SignRecover)         \
	X(C_VerifyInit)          \
	X(C_Verify)              \
	X(C_VerifyUpdate)        \
	X(C_VerifyFinal)         \
	X(C_VerifyRecoverInit)   \
	X(C_VerifyRecover)       \
	X(C_DigestEncryptUpdate) \
	X(C_DecryptDigestUpdate) \
	X(C_SignEncryptUpdate)   \
	X(C_DecryptVerifyUpdate) \
	X(C_GenerateKey)         \
	X(C_GenerateKeyPair)     \
	X(C_WrapKey)             \
	X(C_UnwrapKey)           \
	X(C_DeriveKey)           \
	X(C_SeedRandom)          \
	X(C_GenerateRandom)      \
	X(C_GetFunctionStatus)   \
	X(C_CancelFunction)      \
	X(C_WaitForSlotEvent)

#define FUNCTIONS_3_0(X)         \
	X(C_GetInterfaceList)    \
	X(C_GetInterface)        \
	X(C_LoginUser)           \
	X(C_SessionCancel)       \
	X(C_MessageEncryptInit)  \
	X(C_EncryptMessage)      \
	X(C_EncryptMessageBegin) \
	X(C_EncryptMessageNext)  \
	X(C_MessageEncryptFinal) \
	X(C_MessageDecryptInit)  \
	X(C_DecryptMessage)      \
	X(C_DecryptMessageBegin) \
	X(C_DecryptMessageNext)  \
	X(C_MessageDecryptFinal) \
	X(C_MessageSignInit)     \
	X(C_SignMessage)         \
	X(C_SignMessageBegin)    \
	X(C_SignMessageNext)     \
	X(C_MessageSignFinal)    \
	X(C_MessageVerifyInit)   \
	X(C_VerifyMessage)       \
	X(C_VerifyMessageBegin)  \
	X(C_VerifyMessageNext)   \
	X(C_MessageVerifyFinal)

#define LIST_ENTRY(name) .name = name,

/* One entry per line (clang-format would run the macros together). */
/* clang-format off */
/* The 2.40 list, returned by C_GetFunctionList. */
static CK_FUNCTION_LIST function_list_2_40 = {
	.version = {2, 40},
	.C_GetFunctionList = C_GetFunctionList,
	FUNCTIONS_2_40(LIST_ENTRY)
};

/* The 3.0 list.  Its C_GetFunctionList returns this list (consumers check
 * that the list's own C_GetFunctionList gives back the list they hold). */
static CK_FUNCTION_LIST_3_0 function_list_3_0 = {
	.version = {3, 0},
	.C_GetFunctionList = get_function_list_3_0,
	FUNCTIONS_2_40(LIST_ENTRY)
	FUNCTIONS_3_0(LIST_ENTRY)
};
/* clang-format on */

static CK_CHAR interface_name[] = "PKCS 11";

/* The interfaces, default first.  Not CKF_INTERFACE_FORK_SAFE: a child must
 * call C_Initialize again (the card connection cannot be shared). */
static CK_INTERFACE interfaces[] = {
	{interface_name, &function_list_3_0, 0},
	{interface_name, &function_list_2_40, 0},
};

#define INTERFACE_COUNT (sizeof(interfaces) / sizeof(interfaces[0]))

CK_RV module_enter(const char *fn, struct module **out)
{
	CK_RV rv;

	log_printf(&module.log, LOG_CALLS, "-> %s", fn);
	rv = atomic_load(&module.pid) == getpid() ? CKR_OK : CKR_CRYPTOKI_NOT_INITIALIZED;
	*out = NULL;
	if (rv == CKR_OK)
		rv = lock_acquire(&module.lock);
	if (rv == CKR_OK)
		*out = &module;
	return rv;
}

void module_leave(struct module *m)
{
	lock_release(&m->lock);
}

CK_RV module_return(const char *fn, CK_RV rv)
{
	const char *name = ckr_name(rv);

	if (name != NULL)
		log_printf(&module.log, LOG_CALLS, "<- %s = %s", fn, name);
	else
		log_printf(&module.log, LOG_CALLS, "<- %s = 0x%08lx", fn, rv);
	return rv;
}

/* forget_inherited: in a child after fork(), drops the parent's copy of the
 * module state.  Nothing the parent still uses is released: no lock call, no
 * PC/SC call.  The log file is closed: that closes only the child's
 * descriptor, and the log flushes every line, so nothing is written twice. */
static void forget_inherited(void)
{
	session_table_free(&module.sessions);
	slot_table_forget(&module.slots, &module.inherited);
	if (module.transport != NULL)
		module.inherited_transport = module.transport;
	module.transport = NULL;
	if (module.cache != NULL)
		module.inherited_cache = module.cache; /* the inherited card contexts point at it */
	module.cache = NULL;
	lock_forget(&module.lock);
	log_close(&module.log);
	atomic_store(&module.pid, 0);
}

static void settings_warning(void *ctx, unsigned int line, const char *message)
{
	struct log *log = ctx;

	log_printf(log, LOG_WARN, "settings line %u: %s", line, message);
}

/* load_settings: the settings file, then the debug log (JPKI_PKCS11_DEBUG
 * wins over the file's debug key).  The file is read once quietly for its
 * debug key, then again with its problems going to the log. */
static void load_settings(struct module *m)
{
	const char *path = secure_getenv("JPKI_PKCS11_CONF");
	const char *debug = secure_getenv("JPKI_PKCS11_DEBUG");

	if (path == NULL || *path == '\0')
		path = SETTINGS_FILE;
	settings_load(&m->settings, path, NULL, NULL);
	if (debug == NULL || *debug == '\0')
		debug = m->settings.debug;
	log_open(&m->log, debug);
	settings_load(&m->settings, path, settings_warning, &m->log);
}

CK_RV module_initialize(const char *fn, const CK_C_INITIALIZE_ARGS *args)
{
	pid_t self = getpid(), owner = atomic_load(&module.pid);
	CK_RV rv = CKR_OK;

	/* Already initialized comes before the arguments (SoftHSMv2's order). */
	if (owner == self) {
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
		goto out;
	}
	rv = lock_check_args(args);
	if (rv != CKR_OK)
		goto out;
	if (owner != 0)
		forget_inherited();
	rv = lock_create(&module.lock, args);
	if (rv != CKR_OK)
		goto out;
	load_settings(&module);
	log_printf(&module.log, LOG_CALLS, "-> %s (%s locking)", fn,
		   module.lock.acquire != NULL ? "application" : "native");
	module.transport = backend_transport_new(&module.log);
	if (module.transport == NULL) {
		log_close(&module.log);
		lock_destroy(&module.lock);
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	/* No memory for it: no cache, as with cache = off. */
	module.cache = module.settings.cache ? cert_cache_new(&module.log) : NULL;
	slot_table_init(&module.slots);
	session_table_init(&module.sessions);
	module.next_object = 1;
	atomic_store(&module.finalizing, false);
	atomic_store(&module.waiters, 0);
	atomic_store(&module.pid, self);
out:
	return rv;
}

void module_finalize(struct module *m)
{
	/* New calls now fail; a blocked C_WaitForSlotEvent is woken and
	 * leaves without the lock's protection being needed again. */
	atomic_store(&m->pid, 0);
	atomic_store(&m->finalizing, true);
	m->transport->ops->cancel(m->transport);
	module_leave(m);
	while (atomic_load(&m->waiters) > 0)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	/* The last waiter counted itself out holding the lock (p11-wait.c):
	 * taking the lock once waits until it let go of it, and makes all it
	 * did visible here (to thread checkers too, which see no atomics). */
	if (lock_acquire(&m->lock) == CKR_OK)
		lock_release(&m->lock);
	session_table_free(&m->sessions);
	slot_table_free(&m->slots);
	cert_cache_free(m->cache);
	m->cache = NULL;
	m->transport->ops->free(m->transport);
	m->transport = NULL;
	lock_destroy(&m->lock);
}

void module_close_log(void)
{
	log_close(&module.log);
}

void module_get_info(CK_INFO *info)
{
	info->cryptokiVersion.major = CRYPTOKI_VERSION_MAJOR;
	info->cryptokiVersion.minor = CRYPTOKI_VERSION_MINOR;
	pad_copy(info->manufacturerID, sizeof(info->manufacturerID), "jpki-pkcs11");
	info->flags = 0;
	pad_copy(info->libraryDescription, sizeof(info->libraryDescription), "JPKI My Number Card");
	info->libraryVersion.major = JPKI_VERSION_MAJOR;
	info->libraryVersion.minor = JPKI_VERSION_MINOR;
}

CK_FUNCTION_LIST_PTR module_function_list(void)
{
	return &function_list_2_40;
}

static CK_RV get_function_list_3_0(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	CK_RV rv = CKR_ARGUMENTS_BAD;
	/* The 3.0 list begins with the 2.40 list's layout (spec 3.0 section 3.6):
	 * handing it out as a CK_FUNCTION_LIST is what the interface is for. */
	void *list = &function_list_3_0;

	if (ppFunctionList != NULL) {
		*ppFunctionList = list;
		rv = CKR_OK;
	}
	return rv;
}

CK_RV module_interface_list(CK_INTERFACE *list, CK_ULONG *count)
{
	CK_RV rv = CKR_OK;

	if (list != NULL && *count < INTERFACE_COUNT)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (list != NULL)
		memcpy(list, interfaces, sizeof(interfaces));
	*count = INTERFACE_COUNT;
	return rv;
}

/* interface_version: the version of the function list an interface offers. */
static const CK_VERSION *interface_version(const CK_INTERFACE *interface)
{
	return (const CK_VERSION *)interface->pFunctionList;
}

CK_INTERFACE_PTR module_interface_find(const CK_UTF8CHAR *name, const CK_VERSION *version,
				       CK_FLAGS flags)
{
	const CK_VERSION *offered;
	size_t i;

	/* The first match wins: NULL name and NULL version mean any (so the
	 * default interface comes first), and the interface must offer every
	 * flag asked for. */
	for (i = 0; i < INTERFACE_COUNT; i++) {
		offered = interface_version(&interfaces[i]);
		if (name != NULL &&
		    strcmp((const char *)name, (const char *)interfaces[i].pInterfaceName))
			continue;
		if (version != NULL &&
		    (version->major != offered->major || version->minor != offered->minor))
			continue;
		if ((interfaces[i].flags & flags) != flags)
			continue;
		return &interfaces[i];
	}
	return NULL;
}
