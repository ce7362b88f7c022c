/* The functions the card can never serve, after C_Initialize: the handle
 * rung of their ladder (SoftHSMv2's order: initialisation, the session
 * handle, then the answer).  With no reader there is no session, so each
 * answers CKR_SESSION_HANDLE_INVALID (C_InitToken, which takes a slot:
 * CKR_SLOT_ID_INVALID), never CKR_FUNCTION_FAILED.  The last rung, the
 * answer itself in a valid session (CKR_FUNCTION_NOT_SUPPORTED, random
 * numbers CKR_RANDOM_NO_RNG, C_GetFunctionStatus and C_CancelFunction
 * CKR_FUNCTION_NOT_PARALLEL), is test-card-ladder's. */
#include <string.h>

#include "p11-test.h"
#include "tap.h"

int main(void)
{
	struct p11 p11;
	size_t i, count = 0;

	p11_open(&p11);
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "initialize");
	for (i = 0; i < p11_function_count; i++) {
		const struct p11_function *fn = &p11_functions[i];
		CK_RV want = CKR_SESSION_HANDLE_INVALID;

		if (!fn->unsupported)
			continue;
		if (strcmp(fn->name, "C_InitToken") == 0)
			want = CKR_SLOT_ID_INVALID;
		tap_is_int(fn->call(p11.list3), want, "%s: no such handle", fn->name);
		count++;
	}
	tap_is_int(count, 60, "60 functions the card cannot serve");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
