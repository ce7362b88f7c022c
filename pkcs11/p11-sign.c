/* Signing entry points (spec 3.0 section 5.11): C_SignInit, C_Sign,
 * C_SignUpdate, C_SignFinal.  Sign-recover is in p11-unsupported.c; the
 * logic is in sign.c.
 *
 * The session is looked up before the buffers are checked: a C_Sign that
 * fails on bad arguments must still end the session's signing operation
 * (only CKR_BUFFER_TOO_SMALL and the length query keep it). */
#include "call.h"
#include "module.h"
#include "sign.h"

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pMechanism == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = sign_init(&call, pMechanism, hKey);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
	     CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = sign_single(&call, pData, ulDataLen, pSignature, pulSignatureLen);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = sign_update(&call, pPart, ulPartLen);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = sign_final(&call, pSignature, pulSignatureLen);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
