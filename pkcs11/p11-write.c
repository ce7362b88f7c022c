/* Object management entry points (spec 3.0 section 5.7) that would change a
 * token: C_CreateObject, C_CopyObject, C_DestroyObject, C_SetAttributeValue.
 *
 * The tokens are write-protected (CKF_WRITE_PROTECTED): the card's files are
 * written by the issuer alone, and the module keeps no session objects.  The
 * spec leaves what the flag forbids to the token (3.0 section 3.2,
 * CK_TOKEN_INFO); here it is every object, session objects included, so the
 * template is never examined: nothing it could say would be honoured.  Each
 * function walks this ladder:
 *
 *   CKR_CRYPTOKI_NOT_INITIALIZED
 *   CKR_ARGUMENTS_BAD            a NULL the function cannot do without
 *   CKR_SESSION_HANDLE_INVALID   (or CKR_DEVICE_REMOVED: the card left)
 *   CKR_OBJECT_HANDLE_INVALID    copy, destroy, set: no such object in the
 *                                session's view (private ones before login)
 *   CKR_TOKEN_WRITE_PROTECTED
 *
 * SoftHSMv2 checks the session and the object, then whether the session may
 * write (CKR_SESSION_READ_ONLY), then the object's CKA_COPYABLE,
 * CKA_MODIFIABLE or CKA_DESTROYABLE (CKR_ACTION_PROHIBITED).  The same order
 * here, with the token's write protection as the write check: spec 3.0
 * section 5.1.6 gives CKR_TOKEN_WRITE_PROTECTED priority over
 * CKR_SESSION_READ_ONLY, so read-only and read/write sessions get the same
 * answer.  Every object here has those three attributes false, but the
 * token-wide refusal comes first and is the code consumers have known since
 * v2.01 (CKR_ACTION_PROHIBITED is new in 2.40). */
#include "call.h"
#include "module.h"

/* write_check: the session lookup, then the refusal (object.c). */
static CK_RV write_check(struct module *m, CK_SESSION_HANDLE session, bool has_object,
			 CK_OBJECT_HANDLE object)
{
	struct call call;
	CK_RV rv = call_session_locked(m, session, &call);

	if (rv == CKR_OK)
		rv = object_refuse_change(&call, has_object, object);
	return rv;
}

CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
		     CK_OBJECT_HANDLE_PTR phObject)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if ((pTemplate == NULL && ulCount != 0) || phObject == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = write_check(m, hSession, false, CK_INVALID_HANDLE);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
		   CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	/* An empty template is valid: a copy with nothing changed. */
	if ((pTemplate == NULL && ulCount != 0) || phNewObject == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = write_check(m, hSession, true, hObject);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = write_check(m, hSession, true, hObject);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = write_check(m, hSession, true, hObject);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
