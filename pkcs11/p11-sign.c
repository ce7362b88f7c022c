/* Signing entry points (spec 3.0 section 5.11): C_SignInit, C_Sign,
 * C_SignUpdate, C_SignFinal.  Sign-recover is in p11-unsupported.c.
 *
 * The session is looked up before the buffers are checked: once sessions
 * exist, a C_Sign that fails on bad arguments must still end the session's
 * signing operation (spec 5.11: only CKR_BUFFER_TOO_SMALL and the length
 * query keep it), and that needs the session.
 *
 * No session can exist until the card layer is wired in; the code after a
 * successful lookup is unreachable and answers CKR_FUNCTION_NOT_SUPPORTED
 * until the signing code exists. */
#include "module.h"

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	(void)hKey;
	if (rv != CKR_OK)
		goto out;
	if (pMechanism == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
	     CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)pulSignatureLen;
	if (rv != CKR_OK)
		goto out;
	rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	(void)pPart;
	(void)ulPartLen;
	if (rv != CKR_OK)
		goto out;
	rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	(void)pSignature;
	(void)pulSignatureLen;
	if (rv != CKR_OK)
		goto out;
	rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}
