/* Object management entry points (spec 3.0 section 5.7) the token offers:
 * reading and finding.  Creating, copying, destroying and changing objects
 * are in p11-write.c.
 *
 * Private objects are invisible before a login: C_FindObjects skips them
 * and their handles read as CKR_OBJECT_HANDLE_INVALID.
 *
 * A CA certificate object is read from the card on the first call that
 * needs its DER (object.h, object_needs_cert; the reading is call.c's,
 * call_read_pending). */
#include "call.h"
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
	if (rv == CKR_OK && call_object(&call, hObject) == NULL)
		rv = CKR_OBJECT_HANDLE_INVALID;
	if (rv == CKR_OK)
		*pulSize = CK_UNAVAILABLE_INFORMATION; /* the card's memory is not ours to count */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	struct call call;
	struct object *o = NULL;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK) {
		o = call_object(&call, hObject);
		if (o == NULL)
			rv = CKR_OBJECT_HANDLE_INVALID;
	}
	if (rv == CKR_OK && object_needs_cert(o, pTemplate, ulCount))
		rv = call_read_pending(&call, o);
	if (rv == CKR_OK)
		rv = attr_copy_out(&o->attrs, pTemplate, ulCount);
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
		rv = call_find_init(&call, pTemplate, ulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct module *m;
	struct call call;
	struct find_op *find;
	CK_ULONG n = 0;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if ((phObject == NULL && ulMaxObjectCount != 0) || pulObjectCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK && !call.session->find.active)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK) {
		find = &call.session->find;
		/* A logout since C_FindObjectsInit hides the private ones again. */
		while (n < ulMaxObjectCount && find->next < find->count) {
			CK_OBJECT_HANDLE h = find->handles[find->next++];

			if (call_object(&call, h) != NULL)
				phObject[n++] = h;
		}
		*pulObjectCount = n;
	}
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
	if (rv == CKR_OK && !call.session->find.active)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK)
		session_end_find(call.session);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
