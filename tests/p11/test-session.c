/* Session management (spec 3.0 section 5.6) and C_SetPIN on a module that
 * has no slots: CKR_SESSION_HANDLE_INVALID for every handle, bad arguments
 * or not (the session comes first in these functions, as in SoftHSMv2). */
#include "p11-test.h"
#include "tap.h"

static const CK_SESSION_HANDLE handles[] = {CK_INVALID_HANDLE, 1, 2, 0x5e55, ~0UL};
#define HANDLE_COUNT (sizeof(handles) / sizeof(handles[0]))

int main(void)
{
	struct p11 p11;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_INFO info;
	CK_UTF8CHAR pin[] = "1234", new_pin[] = "5678";
	size_t i;

	p11_open(&p11);
	f = p11.list;
	tap_is_int(f->C_Initialize(NULL), CKR_OK, "initialize");

	/* SoftHSMv2's order: the session before the arguments in these four. */
	tap_is_int(f->C_GetSessionInfo(1, NULL), CKR_SESSION_HANDLE_INVALID,
		   "C_GetSessionInfo: NULL pInfo: the session first");
	tap_is_int(f->C_Login(1, CKU_USER, NULL, 4), CKR_SESSION_HANDLE_INVALID,
		   "C_Login: NULL PIN with a length: the session first");
	tap_is_int(f->C_SetPIN(1, NULL, 4, new_pin, 4), CKR_SESSION_HANDLE_INVALID,
		   "C_SetPIN: NULL old PIN with a length: the session first");
	tap_is_int(f->C_SetPIN(1, pin, 4, NULL, 4), CKR_SESSION_HANDLE_INVALID,
		   "C_SetPIN: NULL new PIN with a length: the session first");
	for (i = 0; i < HANDLE_COUNT; i++) {
		CK_SESSION_HANDLE h = handles[i];

		tap_is_int(f->C_CloseSession(h), CKR_SESSION_HANDLE_INVALID, "C_CloseSession(%lu)",
			   h);
		tap_is_int(f->C_GetSessionInfo(h, &info), CKR_SESSION_HANDLE_INVALID,
			   "C_GetSessionInfo(%lu)", h);
		tap_is_int(f->C_Login(h, CKU_USER, pin, 4), CKR_SESSION_HANDLE_INVALID,
			   "C_Login(%lu)", h);
		tap_is_int(f->C_Login(h, CKU_USER, NULL, 0), CKR_SESSION_HANDLE_INVALID,
			   "C_Login(%lu) protected path", h);
		tap_is_int(f->C_Logout(h), CKR_SESSION_HANDLE_INVALID, "C_Logout(%lu)", h);
		tap_is_int(f->C_SetPIN(h, pin, 4, new_pin, 4), CKR_SESSION_HANDLE_INVALID,
			   "C_SetPIN(%lu)", h);
	}
	tap_is_int(f->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
