/* Login, logout and PIN change: see login.h.
 *
 * Decisions (PKCS#11 3.0 section 5.6, SoftHSMv2 2.6 compared):
 * - CKU_SO: CKR_USER_TYPE_INVALID.  The card has no SO PIN; SoftHSMv2 has
 *   one and so cannot serve as reference here; the spec's code for a user
 *   type the token does not know is this one.
 * - A NULL PIN asks for the protected authentication path, which the token
 *   does not declare (no CKF_PROTECTED_AUTHENTICATION_PATH): CKR_ARGUMENTS_BAD,
 *   as SoftHSMv2 answers, checked by the entry points (p11-login.c).
 * - A blocked PIN is refused with CKR_PIN_LOCKED before any APDU.
 * - A failed VERIFY clears the card's verified state for that PIN (the card
 *   layer assumes so): a wrong PIN, CKU_CONTEXT_SPECIFIC included, logs the
 *   token out and ends its signing operations.
 * - The counter the token info shows is the one the card gave on insertion
 *   and after each attempt: a wrong PIN sets CKF_USER_PIN_COUNT_LOW at once. */
#include "login.h"

#include <openssl/crypto.h>

#include "ckr-map.h"

/* note_tries: the counter after an attempt; asked again when the answer
 * did not carry it (never for a card that is gone). */
static void note_tries(struct call *call, enum card_error err, int tries)
{
	enum jpki_pin pin = token_pin(call->token->kind);

	if (tries < 0 && !ckr_card_gone(err) &&
	    jpki_pin_status(call->reader->card, pin, true, &tries) != CARD_OK)
		tries = -1;
	call->token->tries = tries;
}

/* pin_call_rv: a code C_Login and C_SetPIN may return.  A 6982 in the middle
 * of a PIN operation (the card asks for the PIN it is being given, or
 * forgets it at once) comes up as CKR_USER_NOT_LOGGED_IN, which neither
 * function may return (spec 3.0 section 5.6): the card misbehaved. */
static CK_RV pin_call_rv(CK_RV rv)
{
	return rv == CKR_USER_NOT_LOGGED_IN ? CKR_DEVICE_ERROR : rv;
}

CK_RV login_user(struct call *call, CK_USER_TYPE type, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	char value[PIN_MAX_LEN + 1];
	enum card_error err;
	int tries = -1;
	CK_RV rv;

	if (type != CKU_USER && type != CKU_CONTEXT_SPECIFIC) {
		rv = CKR_USER_TYPE_INVALID;
		goto out;
	}
	if (type == CKU_USER && call_logged_in(call)) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		goto out;
	}
	if (type == CKU_CONTEXT_SPECIFIC && !call->session->sign.active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	rv = token_check_pin(call->token->kind, pin, len, false, value);
	if (rv != CKR_OK)
		goto out;
	if (call->token->tries == 0) {
		rv = CKR_PIN_LOCKED;
		goto out;
	}
	err = jpki_verify_pin(call->reader->card, token_pin(call->token->kind), value, &tries);
	OPENSSL_cleanse(value, sizeof(value));
	note_tries(call, err, tries);
	if (err != CARD_OK) {
		rv = pin_call_rv(call_card_error(call, err));
		goto out;
	}
	if (type == CKU_CONTEXT_SPECIFIC) {
		call->session->sign.context_login = true;
		goto out;
	}
	call->token->logged_in = true;
	rv = pin_call_rv(slot_login_read_locked(call->m, call->reader, call->token));
	if (rv != CKR_OK && call->session != NULL)
		call->token->logged_in = false;
out:
	OPENSSL_cleanse(value, sizeof(value));
	return rv;
}

CK_RV login_logout(struct call *call)
{
	if (!call_logged_in(call))
		return CKR_USER_NOT_LOGGED_IN;
	slot_logout_locked(call->m, call->reader, call->token);
	return CKR_OK;
}

CK_RV login_set_pin(struct call *call, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
		    const CK_UTF8CHAR *new_pin, CK_ULONG new_len)
{
	char old_value[PIN_MAX_LEN + 1], new_value[PIN_MAX_LEN + 1];
	enum card_error err;
	int tries = -1;
	CK_RV rv;

	OPENSSL_cleanse(old_value, sizeof(old_value));
	OPENSSL_cleanse(new_value, sizeof(new_value));
	/* Spec 3.0 5.6 C_SetPIN: only in a read/write session. */
	if (!(call->session->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	rv = token_check_pin(call->token->kind, old_pin, old_len, false, old_value);
	if (rv == CKR_OK)
		rv = token_check_pin(call->token->kind, new_pin, new_len, true, new_value);
	if (rv != CKR_OK)
		goto out;
	if (call->token->tries == 0) {
		rv = CKR_PIN_LOCKED;
		goto out;
	}
	err = jpki_change_pin(call->reader->card, token_pin(call->token->kind), old_value,
			      new_value, &tries);
	note_tries(call, err, tries);
	if (err != CARD_OK)
		rv = pin_call_rv(call_card_error(call, err));
out:
	OPENSSL_cleanse(old_value, sizeof(old_value));
	OPENSSL_cleanse(new_value, sizeof(new_value));
	return rv;
}
