/* Signing entry points (spec 3.0 section 5.11): C_SignInit, C_Sign,
 * C_SignUpdate, C_SignFinal.  Sign-recover is in p11-unsupported.c; the
 * logic is in sign.c.
 *
 * The order of checks is SoftHSMv2's: the mechanism or buffer pointers
 * (CKR_ARGUMENTS_BAD) before the session handle, then the operation; for
 * C_SignInit the key before the mechanism (sign.h, sign_init).  A
 * C_Sign, C_SignUpdate or C_SignFinal that fails on bad arguments still ends
 * the session's signing operation when the session exists (only
 * CKR_BUFFER_TOO_SMALL and the length query keep it). */
#include "call.h"
#include "module.h"
#include "sign.h"

/* bad_arguments: CKR_ARGUMENTS_BAD, after ending the signing operation of
 * the session, if there is one. */
static CK_RV bad_arguments(struct module *m, CK_SESSION_HANDLE hSession)
{
	struct call call;

	if (call_session_locked(m, hSession, &call) == CKR_OK)
		session_end_sign(call.session);
	return CKR_ARGUMENTS_BAD;
}

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
	if ((pData == NULL && ulDataLen != 0) || pulSignatureLen == NULL)
		rv = bad_arguments(m, hSession);
	else
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
	if (pPart == NULL && ulPartLen != 0)
		rv = bad_arguments(m, hSession);
	else
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
	if (pulSignatureLen == NULL)
		rv = bad_arguments(m, hSession);
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = sign_final(&call, pSignature, pulSignatureLen);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
