/* Shared by the PKCS#11 contract tests: loading the module under test and
 * the table of every function of the 3.0 list.
 *
 * The tests reach the module only the way an application does: dlopen()
 * $JPKI_MODULE, then C_GetFunctionList and C_GetInterface, then the lists. */
#ifndef JPKI_TESTS_P11_TEST_H
#define JPKI_TESTS_P11_TEST_H

#include <stdbool.h>
#include <stddef.h>

#include "pkcs11.h"

struct p11 {
	void *dl;
	CK_FUNCTION_LIST_PTR list;	/* from C_GetFunctionList */
	CK_FUNCTION_LIST_3_0_PTR list3; /* from C_GetInterface("PKCS 11", 3.0) */
};

/* p11_open: points PC/SC at a socket that does not exist (nothing may reach a
 * real pcscd), loads $JPKI_MODULE and fetches both lists; bails on failure. */
void p11_open(struct p11 *p11);

/* p11_open_module: loads the module at path (environment untouched) and
 * fetches both lists (list3 NULL for a 2.40 module); bails on failure. */
void p11_open_module(struct p11 *p11, const char *path);

/* p11_close: unloads the module. */
void p11_close(struct p11 *p11);

/* One function of the 3.0 list. */
struct p11_function {
	const char *name;
	size_t offset; /* of its pointer in CK_FUNCTION_LIST_3_0 */
	/* Calls it through the list with harmless, well-formed arguments
	 * (never blocking); NULL for C_Initialize. */
	CK_RV (*call)(CK_FUNCTION_LIST_3_0_PTR list);
	bool without_init;    /* callable before C_Initialize */
	bool unsupported;     /* the card can never do it ... */
	CK_RV unsupported_rv; /* ... and this is the answer after C_Initialize */
};

/* The session and slot handles the calls below pass: by default 0x5e55 and
 * 0, which no module under test hands out or has; a test may aim them at a
 * session or slot of its own. */
extern CK_SESSION_HANDLE p11_call_session;
extern CK_SLOT_ID p11_call_slot;

/* Every function of CK_FUNCTION_LIST_3_0, in list order. */
extern const struct p11_function p11_functions[];
extern const size_t p11_function_count;

/* Any function pointer, for comparing list entries. */
typedef void (*p11_any_function)(void);

/* p11_function_pointer: the function's pointer in a 3.0 list. */
p11_any_function p11_function_pointer(CK_FUNCTION_LIST_3_0_PTR list, const struct p11_function *fn);

#endif
