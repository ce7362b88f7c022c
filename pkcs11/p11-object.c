/* Object management entry points (spec 3.0 section 5.7) the token offers:
 * reading and finding.  Creating, copying, destroying and changing objects
 * are in p11-unsupported.c.
 *
 * No session can exist until the card layer is wired in; the code after a
 * successful lookup is unreachable and answers CKR_FUNCTION_NOT_SUPPORTED
 * until the object code exists. */
#include "module.h"

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	(void)hObject;
	if (rv != CKR_OK)
		goto out;
	if (pulSize == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	(void)hObject;
	if (rv != CKR_OK)
		goto out;
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	/* An empty template (NULL, 0) is valid: it matches every object. */
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if ((phObject == NULL && ulMaxObjectCount != 0) || pulObjectCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}
