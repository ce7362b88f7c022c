/* Slot and token management entry points (spec 3.0 section 5.5), except
 * C_InitToken and C_InitPIN (p11-unsupported.c).
 *
 * Until the card layer is wired in the slot table is empty, so every slot ID
 * is invalid and every session handle too; the code after a successful
 * lookup is unreachable and answers CKR_FUNCTION_NOT_SUPPORTED until the
 * token code exists. */
#include <stdbool.h>

#include "module.h"

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pulCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_list_locked(&m->slots, tokenPresent != CK_FALSE, pSlotList, pulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct module *m;
	struct slot *slot;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_find_locked(&m->slots, slotID, &slot);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no slots yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct module *m;
	struct slot *slot;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_find_locked(&m->slots, slotID, &slot);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no slots yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
			 CK_ULONG_PTR pulCount)
{
	struct module *m;
	struct slot *slot;
	CK_RV rv = module_enter(__func__, &m);

	(void)pMechanismList;
	if (rv != CKR_OK)
		goto out;
	if (pulCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_find_locked(&m->slots, slotID, &slot);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no slots yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	struct module *m;
	struct slot *slot;
	CK_RV rv = module_enter(__func__, &m);

	(void)type;
	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_find_locked(&m->slots, slotID, &slot);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no slots yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
	       CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct module *m;
	struct session *session;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	/* A NULL PIN is allowed only with length 0 (protected path readers). */
	if ((pOldPin == NULL && ulOldLen != 0) || (pNewPin == NULL && ulNewLen != 0))
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = session_find_locked(&m->sessions, hSession, &session);
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* unreachable: no sessions yet */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pSlot == NULL || pReserved != NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (flags & CKF_DONT_BLOCK)
		rv = CKR_NO_EVENT; /* no slots, so nothing ever happens */
	else
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* blocking waits come with the readers */
	module_leave(m);
out:
	return module_return(__func__, rv);
}
