/* The functions the card can never serve: after C_Initialize each answers
 * CKR_FUNCTION_NOT_SUPPORTED or the spec's more precise code (random numbers:
 * CKR_RANDOM_NO_RNG; C_GetFunctionStatus and C_CancelFunction:
 * CKR_FUNCTION_NOT_PARALLEL), never CKR_FUNCTION_FAILED. */
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

		if (!fn->unsupported)
			continue;
		tap_is_int(fn->call(p11.list3), fn->unsupported_rv, "%s", fn->name);
		count++;
	}
	tap_is_int(count, 60, "60 functions the card cannot serve");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
