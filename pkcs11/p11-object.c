/* Object management entry points (spec 3.0 section 5.7) the token offers:
 * reading and finding.  Creating, copying, destroying and changing objects
 * are in p11-write.c.  The work is in object.c (by handle) and find.c (the
 * search).
 *
 * Private objects are invisible before a login: C_FindObjects skips them
 * and their handles read as CKR_OBJECT_HANDLE_INVALID.
 *
 * A CA certificate object is read from the card on the first call that
 * needs its DER (object.h, object_needs_cert; the reading is call.c's,
 * call_read_pending). */
#include "call.h"
#include "find.h"
#include "module.h"

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pulSize == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = object_get_size(&call, hObject, pulSize);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = object_get_attributes(&call, hObject, pTemplate, ulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	/* An empty template (NULL, 0) is valid: it matches every object. */
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = find_init(&call, pTemplate, ulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if ((phObject == NULL && ulMaxObjectCount != 0) || pulObjectCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = find_next(&call, phObject, ulMaxObjectCount, pulObjectCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = find_final(&call);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
