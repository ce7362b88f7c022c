/* Session management entry points (spec 3.0 section 5.6) except the login
 * ones (p11-login.c), C_GetOperationState, C_SetOperationState,
 * C_LoginUser and C_SessionCancel (p11-unsupported.c).
 *
 * Read/write sessions are accepted on these write-protected tokens.  The
 * spec leaves what CKF_WRITE_PROTECTED forbids to the token (3.0 section
 * 3.2, CK_TOKEN_INFO: "exactly what this flag means"); ssh opens every
 * session read/write (docs/consumers.md 1.8) and SoftHSMv2 accepts them.
 * Writes are refused per object call instead (CKR_TOKEN_WRITE_PROTECTED),
 * and C_SetPIN, which the spec allows only in a read/write session, works.
 * The work is in session.c. */
#include "call.h"
#include "module.h"

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
		    CK_SESSION_HANDLE_PTR phSession)
{
	struct module *m;
	struct reader *reader;
	struct token *token;
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
		rv = slot_find_locked(m, slotID, &reader, &token);
	if (rv == CKR_OK && !(flags & CKF_SERIAL_SESSION))
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED; /* after the slot, as SoftHSMv2 */
	if (rv == CKR_OK)
		rv = slot_check_token_locked(m, reader, token);
	if (rv == CKR_OK)
		rv = session_open_locked(&m->sessions, slotID,
					 flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION), phSession);
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
		session_close_one_locked(m, session);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct module *m;
	struct reader *reader;
	struct token *token;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = slot_find_locked(m, slotID, &reader, &token);
	if (rv == CKR_OK)
		session_close_all_locked(m, reader, token);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK && pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD; /* after the session, as SoftHSMv2 */
	if (rv == CKR_OK)
		session_get_info(&call, pInfo);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
