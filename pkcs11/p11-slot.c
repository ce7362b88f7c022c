/* Slot and token management entry points (spec 3.0 section 5.5), except
 * C_InitToken and C_InitPIN (p11-unsupported.c), C_SetPIN (p11-login.c)
 * and C_WaitForSlotEvent (p11-wait.c).  The work is in slot.c (slots and
 * tokens) and pss.c (the mechanisms, which depend on the card's PSS). */
#include "module.h"
#include "pss.h"

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pulCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_list_locked(m, tokenPresent != CK_FALSE, pSlotList, pulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct module *m;
	struct reader *reader;
	struct token *token;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = slot_find_locked(m, slotID, &reader, &token);
	if (rv == CKR_OK && pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD; /* after the slot, as SoftHSMv2 */
	if (rv == CKR_OK)
		slot_get_info_locked(m, reader, token, pInfo);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct module *m;
	struct reader *reader;
	struct token *token;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = slot_find_token_locked(m, slotID, &reader, &token);
	if (rv == CKR_OK && pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD; /* after the slot and the token, as SoftHSMv2 */
	if (rv == CKR_OK)
		slot_get_token_info_locked(m, reader, token, pInfo);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
			 CK_ULONG_PTR pulCount)
{
	struct module *m;
	struct reader *reader;
	struct token *token;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pulCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_find_token_locked(m, slotID, &reader, &token);
	if (rv == CKR_OK)
		rv = pss_mech_list_locked(m, reader, pMechanismList, pulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	struct module *m;
	struct reader *reader;
	struct token *token;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = slot_find_token_locked(m, slotID, &reader, &token);
	if (rv == CKR_OK)
		rv = pss_mech_info_locked(m, reader, type, pInfo);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
