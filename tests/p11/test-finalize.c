/* C_Finalize (PKCS#11 3.0 section 5.4.3.3): its ladder, and the module's
 * state after it. */
#include "p11-test.h"
#include "tap.h"

int main(void)
{
	struct p11 p11;
	CK_INFO info;
	CK_ULONG count = 5;
	int reserved = 0;

	p11_open(&p11);
	tap_is_int(p11.list->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED, "not initialized");
	tap_is_int(p11.list->C_Finalize(&reserved), CKR_CRYPTOKI_NOT_INITIALIZED,
		   "not initialized comes before the argument check");

	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "initialize");
	tap_is_int(p11.list->C_Finalize(&reserved), CKR_ARGUMENTS_BAD, "pReserved set");
	tap_is_int(p11.list->C_GetInfo(&info), CKR_OK, "a refused C_Finalize changes nothing");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	tap_is_int(p11.list->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED,
		   "C_GetInfo after C_Finalize");
	tap_is_int(p11.list->C_GetSlotList(CK_FALSE, NULL, &count), CKR_CRYPTOKI_NOT_INITIALIZED,
		   "C_GetSlotList after C_Finalize");
	tap_is_int(count, 5, "count untouched");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED, "a second C_Finalize");
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "initialize again");
	tap_is_int(p11.list->C_GetInfo(&info), CKR_OK, "works again");
	tap_is_int(p11.list3->C_Finalize(NULL), CKR_OK, "finalize through the 3.0 list");
	p11_close(&p11);
	return tap_done();
}
