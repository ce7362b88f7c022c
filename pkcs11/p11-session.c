/* Session management entry points (spec 3.0 section 5.6), except
 * C_GetOperationState, C_SetOperationState, C_LoginUser and C_SessionCancel
 * (p11-unsupported.c).
 *
 * No slot exists until the card layer is wired in, so no session can be
 * opened; the code after a successful lookup is unreachable and answers
 * CKR_FUNCTION_NOT_SUPPORTED until the session code exists. */
#include "module.h"

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
		    CK_SESSION_HANDLE_PTR phSession)
{
	struct module *m;
	struct slot *slot;
	CK_RV rv = module_enter(__func__, &m);

	/* Notify callbacks are optional (spec 5.6) and never called by this
	 * module: a card operation cannot be interrupted. */
	(void)pApplication;
	(void)Notify;
	if (rv != CKR_OK)
		goto out;
	if (phSession == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_find_locked(&m->slots, slotID, &slot);
	if (rv == CKR_OK && !(flags & CKF_SERIAL_SESSION))
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	else if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no slots yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
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

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct module *m;
	struct slot *slot;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = slot_find_locked(&m->slots, slotID, &slot);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no slots yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
	      CK_ULONG ulPinLen)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	(void)userType;
	if (rv != CKR_OK)
		goto out;
	if (pPin == NULL && ulPinLen != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
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
