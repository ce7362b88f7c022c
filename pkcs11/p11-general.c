/* General-purpose entry points (spec 3.0 section 5.4) and the interface
 * functions of 3.0 (section 5.4 too): C_Initialize, C_Finalize, C_GetInfo,
 * C_GetFunctionList, C_GetInterfaceList, C_GetInterface.  The work is in
 * module.c, with the module's state and its function lists. */
#include "module.h"

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	return module_return(__func__, module_initialize(__func__, pInitArgs));
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);
	bool finalized = false;

	if (rv != CKR_OK)
		goto out;
	if (pReserved != NULL) {
		rv = CKR_ARGUMENTS_BAD;
		module_leave(m);
		goto out;
	}
	module_finalize(m);
	finalized = true;
out:
	module_return(__func__, rv);
	if (finalized)
		module_close_log();
	return rv;
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		module_get_info(pInfo);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

/* The three functions below work before C_Initialize and take no lock: they
 * read constant tables only. */

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	CK_RV rv = CKR_ARGUMENTS_BAD;

	if (ppFunctionList != NULL) {
		*ppFunctionList = module_function_list();
		rv = CKR_OK;
	}
	return rv;
}

CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = CKR_ARGUMENTS_BAD;

	if (pulCount != NULL)
		rv = module_interface_list(pInterfacesList, pulCount);
	return rv;
}

CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
		     CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
	CK_INTERFACE_PTR found;
	CK_RV rv = CKR_ARGUMENTS_BAD;

	/* No match is CKR_ARGUMENTS_BAD too. */
	if (ppInterface != NULL) {
		found = module_interface_find(pInterfaceName, pVersion, flags);
		if (found != NULL) {
			*ppInterface = found;
			rv = CKR_OK;
		}
	}
	return rv;
}
