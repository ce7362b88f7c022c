/* Every function of the 3.0 list answers CKR_CRYPTOKI_NOT_INITIALIZED before
 * C_Initialize and after C_Finalize (spec 3.0 section 5.1), except the ones
 * an application calls to get started: C_GetFunctionList, C_GetInterfaceList,
 * C_GetInterface and C_Initialize; with broken arguments too. */
#include "p11-test.h"
#include "tap.h"

static void check_all(struct p11 *p11, const char *when)
{
	size_t i, checked = 0;

	for (i = 0; i < p11_function_count; i++) {
		const struct p11_function *fn = &p11_functions[i];

		if (fn->without_init)
			continue;
		tap_is_int(fn->call(p11->list3), CKR_CRYPTOKI_NOT_INITIALIZED, "%s %s", fn->name,
			   when);
		checked++;
	}
	tap_is_int(checked, 88, "88 functions checked %s", when);
}

/* check_broken: CKR_CRYPTOKI_NOT_INITIALIZED comes before the arguments too
 * (SoftHSMv2's order): each function that checks its arguments, with NULL
 * pointers, non-zero lengths and handles nothing has. */
static void check_broken(struct p11 *p11)
{
	CK_FUNCTION_LIST_3_0_PTR f = p11->list3;
	const CK_RV want = CKR_CRYPTOKI_NOT_INITIALIZED;
	CK_RV got[] = {
		f->C_Finalize(p11),
		f->C_GetInfo(NULL),
		f->C_GetSlotList(CK_FALSE, NULL, NULL),
		f->C_GetSlotInfo(0x7777, NULL),
		f->C_GetTokenInfo(0x7777, NULL),
		f->C_GetMechanismList(0x7777, NULL, NULL),
		f->C_GetMechanismInfo(0x7777, 0x7777777, NULL),
		f->C_OpenSession(0x7777, 0, NULL, NULL, NULL),
		f->C_GetSessionInfo(0x5e55, NULL),
		f->C_Login(0x5e55, 0x777, NULL, 4),
		f->C_SetPIN(0x5e55, NULL, 4, NULL, 4),
		f->C_CreateObject(0x5e55, NULL, 1, NULL),
		f->C_CopyObject(0x5e55, 0x0b1, NULL, 1, NULL),
		f->C_GetObjectSize(0x5e55, 0x0b1, NULL),
		f->C_GetAttributeValue(0x5e55, 0x0b1, NULL, 1),
		f->C_SetAttributeValue(0x5e55, 0x0b1, NULL, 1),
		f->C_FindObjectsInit(0x5e55, NULL, 1),
		f->C_FindObjects(0x5e55, NULL, 1, NULL),
		f->C_SignInit(0x5e55, NULL, 0x0b1),
		f->C_Sign(0x5e55, NULL, 4, NULL, NULL),
		f->C_SignUpdate(0x5e55, NULL, 4),
		f->C_SignFinal(0x5e55, NULL, NULL),
		f->C_SeedRandom(0x5e55, NULL, 4),
		f->C_GenerateRandom(0x5e55, NULL, 4),
		f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, p11),
	};
	size_t i;

	for (i = 0; i < sizeof(got) / sizeof(got[0]); i++)
		tap_is_int(got[i], want, "broken arguments, call %zu: not initialized first",
			   i + 1);
}

int main(void)
{
	struct p11 p11;
	size_t i;

	p11_open(&p11);
	check_all(&p11, "before C_Initialize");
	check_broken(&p11);
	for (i = 0; i < p11_function_count; i++)
		if (p11_functions[i].without_init && p11_functions[i].call != NULL)
			tap_ok(p11_functions[i].call(p11.list3) != CKR_CRYPTOKI_NOT_INITIALIZED,
			       "%s works before C_Initialize", p11_functions[i].name);
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "initialize");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	check_all(&p11, "after C_Finalize");
	p11_close(&p11);
	return tap_done();
}
