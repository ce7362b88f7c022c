/* Login entry points (spec 3.0 sections 5.5 and 5.6): C_Login, C_Logout,
 * C_SetPIN.  The logic is in login.c.
 *
 * The order of checks is SoftHSMv2's: the session, then a NULL PIN
 * (CKR_ARGUMENTS_BAD), then the user type and the rest (login.c). */
#include "call.h"
#include "login.h"
#include "module.h"

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
	      CK_ULONG ulPinLen)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	/* A NULL PIN asks for the protected authentication path, which the
	 * tokens do not declare (no CKF_PROTECTED_AUTHENTICATION_PATH). */
	if (rv == CKR_OK && pPin == NULL)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = login_user(&call, userType, pPin, ulPinLen);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = login_logout(&call);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
	       CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK && (pOldPin == NULL || pNewPin == NULL))
		rv = CKR_ARGUMENTS_BAD; /* no protected authentication path, as for C_Login */
	if (rv == CKR_OK)
		rv = login_set_pin(&call, pOldPin, ulOldLen, pNewPin, ulNewLen);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
