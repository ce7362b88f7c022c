/* C_GetFunctionList, C_GetInterfaceList and C_GetInterface (PKCS#11 3.0
 * sections 5.4.3.5-5.4.3.7), and the function lists they hand out. */
#include <dlfcn.h>
#include <string.h>

#include "p11-test.h"
#include "tap.h"

static struct p11 p11;
static CK_C_GetInterfaceList get_interface_list;
static CK_C_GetInterface get_interface;

static void *symbol(const char *name)
{
	return dlsym(p11.dl, name);
}

static void load_symbols(void)
{
	void *sym = symbol("C_GetInterfaceList");

	memcpy(&get_interface_list, &sym, sizeof(sym));
	sym = symbol("C_GetInterface");
	memcpy(&get_interface, &sym, sizeof(sym));
	if (get_interface_list == NULL || get_interface == NULL)
		tap_bail("C_GetInterfaceList or C_GetInterface not exported");
}

static bool version_is(const void *list, int major, int minor)
{
	const CK_VERSION *v = list;

	return v->major == major && v->minor == minor;
}

static void test_interface_list(void)
{
	CK_INTERFACE list[4];
	CK_ULONG count = 0;

	tap_is_int(get_interface_list(NULL, NULL), CKR_ARGUMENTS_BAD, "list: NULL count");
	tap_is_int(get_interface_list(list, NULL), CKR_ARGUMENTS_BAD, "list: NULL count");
	tap_is_int(get_interface_list(NULL, &count), CKR_OK, "list: count query");
	tap_is_int(count, 2, "two interfaces");
	count = 1;
	tap_is_int(get_interface_list(list, &count), CKR_BUFFER_TOO_SMALL, "list: room for one");
	tap_is_int(count, 2, "count says two");
	count = 4;
	memset(list, 0, sizeof(list));
	tap_is_int(get_interface_list(list, &count), CKR_OK, "list: room for four");
	tap_is_int(count, 2, "count says two");
	for (int i = 0; i < 2; i++) {
		tap_ok(list[i].pInterfaceName != NULL &&
			       strcmp((const char *)list[i].pInterfaceName, "PKCS 11") == 0,
		       "interface %d is \"PKCS 11\"", i);
		tap_is_int(list[i].flags, 0, "interface %d: no flags (not fork safe)", i);
	}
	tap_ok(version_is(list[0].pFunctionList, 3, 0), "first: version 3.0");
	tap_ok(version_is(list[1].pFunctionList, 2, 40), "second: version 2.40");
	tap_ok(list[0].pFunctionList == p11.list3, "first: the 3.0 list");
	tap_ok(list[1].pFunctionList == p11.list, "second: the list of C_GetFunctionList");
}

static void test_get_interface(void)
{
	CK_UTF8CHAR name[] = "PKCS 11", other[] = "Vendor Thing", prefix[] = "PKCS";
	CK_VERSION v30 = {3, 0}, v240 = {2, 40}, v31 = {3, 1}, v220 = {2, 20};
	CK_INTERFACE_PTR iface = NULL;

	tap_is_int(get_interface(name, NULL, NULL, 0), CKR_ARGUMENTS_BAD, "NULL ppInterface");
	tap_is_int(get_interface(NULL, NULL, &iface, 0), CKR_OK, "default interface");
	tap_ok(iface != NULL && version_is(iface->pFunctionList, 3, 0), "default is 3.0");
	iface = NULL;
	tap_is_int(get_interface(name, NULL, &iface, 0), CKR_OK, "by name");
	tap_ok(iface != NULL && iface->pFunctionList == p11.list3, "by name: the 3.0 list");
	iface = NULL;
	tap_is_int(get_interface(name, &v30, &iface, 0), CKR_OK, "by name and 3.0");
	tap_ok(iface != NULL && iface->pFunctionList == p11.list3, "the 3.0 list");
	iface = NULL;
	tap_is_int(get_interface(name, &v240, &iface, 0), CKR_OK, "by name and 2.40");
	tap_ok(iface != NULL && iface->pFunctionList == p11.list, "the 2.40 list");
	iface = NULL;
	tap_is_int(get_interface(NULL, &v240, &iface, 0), CKR_OK, "any name, 2.40");
	tap_ok(iface != NULL && iface->pFunctionList == p11.list, "the 2.40 list");
	tap_is_int(get_interface(name, &v31, &iface, 0), CKR_ARGUMENTS_BAD, "3.1: none");
	tap_is_int(get_interface(name, &v220, &iface, 0), CKR_ARGUMENTS_BAD, "2.20: none");
	tap_is_int(get_interface(other, NULL, &iface, 0), CKR_ARGUMENTS_BAD, "other name: none");
	tap_is_int(get_interface(prefix, NULL, &iface, 0), CKR_ARGUMENTS_BAD,
		   "a prefix of the name: none");
	tap_is_int(get_interface(name, NULL, &iface, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD,
		   "fork-safe asked: none (a child must call C_Initialize)");
}

static void test_lists(void)
{
	CK_FUNCTION_LIST_PTR again = NULL;
	size_t slots, i, mismatched = 0, wrong_symbol = 0, missing = 0, in_240 = 0;
	void *sym;

	tap_is_int(p11.list->C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD, "C_GetFunctionList(NULL)");
	tap_ok(version_is(p11.list, 2, 40), "C_GetFunctionList: version 2.40");
	tap_is_int(p11.list->C_GetFunctionList(&again), CKR_OK, "2.40 list's C_GetFunctionList");
	tap_ok(again == p11.list, "returns the 2.40 list");
	again = NULL;
	tap_is_int(p11.list3->C_GetFunctionList(&again), CKR_OK, "3.0 list's C_GetFunctionList");
	tap_ok((void *)again == (void *)p11.list3, "returns the 3.0 list");

	slots = (sizeof(CK_FUNCTION_LIST_3_0) - offsetof(CK_FUNCTION_LIST_3_0, C_Initialize)) /
		sizeof(CK_C_Initialize);
	tap_is_int(slots, 92, "the 3.0 list has 92 functions");
	tap_is_int(p11_function_count, slots, "the test table names each of them");
	for (i = 0; i < p11_function_count; i++) {
		const struct p11_function *fn = &p11_functions[i];
		p11_any_function pointer = p11_function_pointer(p11.list3, fn);

		if (fn->offset !=
		    offsetof(CK_FUNCTION_LIST_3_0, C_Initialize) + i * sizeof(CK_C_Initialize))
			tap_bail("test table out of order at %s", fn->name);
		sym = symbol(fn->name);
		if (pointer == NULL || sym == NULL) {
			tap_diag("%s: list %p, symbol %p", fn->name, (void *)(size_t)pointer, sym);
			missing++;
			continue;
		}
		/* The 3.0 list's C_GetFunctionList is its own (see above). */
		if (strcmp(fn->name, "C_GetFunctionList") != 0 &&
		    memcmp(&pointer, &sym, sizeof(sym)) != 0) {
			tap_diag("%s: the list holds another function", fn->name);
			wrong_symbol++;
		}
		if (fn->offset < sizeof(CK_FUNCTION_LIST)) {
			p11_any_function old;

			in_240++;
			memcpy(&old, (const char *)p11.list + fn->offset, sizeof(old));
			if (strcmp(fn->name, "C_GetFunctionList") != 0 && old != pointer)
				mismatched++;
		}
	}
	tap_is_int(missing, 0, "every function is in the 3.0 list and exported");
	tap_is_int(wrong_symbol, 0, "each list entry is the exported function of that name");
	tap_is_int(in_240, 68, "the 2.40 list is the first 68 functions");
	tap_is_int(mismatched, 0, "and holds the same functions at the same offsets");
	tap_is_int(offsetof(CK_FUNCTION_LIST, C_WaitForSlotEvent),
		   offsetof(CK_FUNCTION_LIST_3_0, C_WaitForSlotEvent),
		   "layouts agree up to C_WaitForSlotEvent");
	tap_is_int(sizeof(CK_FUNCTION_LIST), offsetof(CK_FUNCTION_LIST_3_0, C_GetInterfaceList),
		   "the 3.0 additions follow the 2.40 list");
}

int main(void)
{
	p11_open(&p11);
	load_symbols();
	tap_diag("before C_Initialize");
	test_interface_list();
	test_get_interface();
	test_lists();
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "initialize");
	tap_diag("after C_Initialize");
	test_interface_list();
	test_get_interface();
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
