/* Slot and token management entry points (spec 3.0 section 5.5), except
 * C_InitToken and C_InitPIN (p11-unsupported.c), C_SetPIN (p11-login.c)
 * and C_WaitForSlotEvent (p11-wait.c). */
#include <stdbool.h>

#include "mech.h"
#include "module.h"
#include "pss.h"

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pulCount == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		/* New readers join only on the count query (spec 3.0 5.5: the
		 * list may change between that and the call that fetches it,
		 * never between two calls with a buffer). */
		slot_refresh_locked(m, pSlotList == NULL || m->slots.count == 0);
		rv = slot_list_locked(m, tokenPresent != CK_FALSE, pSlotList, pulCount);
	}
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
	if (rv == CKR_OK) {
		slot_poll_locked(m, reader);
		slot_fill_info(reader, token, pInfo);
	}
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct module *m;
	struct reader *reader;
	struct token *token;
	CK_ULONG sessions, rw_sessions;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = slot_find_locked(m, slotID, &reader, &token);
	if (rv == CKR_OK) {
		slot_poll_locked(m, reader);
		if (!token->present)
			rv = CKR_TOKEN_NOT_PRESENT;
	}
	if (rv == CKR_OK && pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD; /* after the slot and the token, as SoftHSMv2 */
	if (rv == CKR_OK) {
		session_count_locked(&m->sessions, slotID, &sessions, &rw_sessions);
		token_fill_info(token, reader->kind, reader->serial, sessions, rw_sessions, pInfo);
	}
	module_leave(m);
out:
	return module_return(__func__, rv);
}

/* token_slot_locked: the reader of a mechanism query, which needs its token. */
static CK_RV token_slot_locked(struct module *m, CK_SLOT_ID slotID, struct reader **reader)
{
	struct token *token;
	CK_RV rv = slot_find_locked(m, slotID, reader, &token);

	if (rv == CKR_OK) {
		slot_poll_locked(m, *reader);
		if (!token->present)
			rv = CKR_TOKEN_NOT_PRESENT;
	}
	return rv;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
			 CK_ULONG_PTR pulCount)
{
	struct reader *reader = NULL;
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pulCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = token_slot_locked(m, slotID, &reader);
	/* The PSS rows need the card's answer: asked here once per insertion,
	 * never on the polling path (docs/pss.md). */
	if (rv == CKR_OK)
		rv = mech_list(pss_usable_locked(m, reader), pMechanismList, pulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	const struct mech *mech = mech_find(type);
	struct reader *reader = NULL;
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = token_slot_locked(m, slotID, &reader);
	/* Only a PSS mechanism needs the card's answer. */
	if (rv == CKR_OK)
		rv = mech_info(mech != NULL && mech->pss && pss_usable_locked(m, reader), type,
			       pInfo);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
