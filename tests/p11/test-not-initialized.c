/* Every function of the 3.0 list answers CKR_CRYPTOKI_NOT_INITIALIZED before
 * C_Initialize and after C_Finalize (spec 3.0 section 5.1), except the ones
 * an application calls to get started: C_GetFunctionList, C_GetInterfaceList,
 * C_GetInterface and C_Initialize. */
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

int main(void)
{
	struct p11 p11;
	size_t i;

	p11_open(&p11);
	check_all(&p11, "before C_Initialize");
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
