/* Card errors to CKR_ codes: see ckr-map.h.
 *
 * Why each row (PKCS#11 3.0 section 5.1):
 * - The card, its reader or pcscd vanishing mid-call is CKR_DEVICE_REMOVED
 *   ("the token was removed from its slot during the execution of the
 *   function"); the module then closes the token's sessions, so the next call
 *   sees CKR_SESSION_HANDLE_INVALID.  A reset by another process is treated
 *   the same way: the card forgot every PIN, and the module must not log in
 *   again behind the application's back.
 * - 6982 (security status not satisfied) is CKR_USER_NOT_LOGGED_IN: the card
 *   has forgotten a PIN the module believed verified (docs/card.md Appendix C).
 * - Malformed answers, unexpected status words, missing files and other
 *   processes holding the card are CKR_DEVICE_ERROR; so is a card or reader
 *   that does not answer in time (CKR_NO_EVENT is C_WaitForSlotEvent's own
 *   code, which never comes through here).
 * - Nothing the card layer does is "not supported" by a function that
 *   reaches the card: should it ever say so, CKR_FUNCTION_FAILED, which every
 *   function may return.
 */
#include "ckr-map.h"

/* CKR_DEVICE_REMOVED doubles as "the card is gone" (ckr_card_gone). */
static const CK_RV card_map[CARD_E_COUNT] = {
	[CARD_OK] = CKR_OK,
	[CARD_E_NO_SERVICE] = CKR_DEVICE_REMOVED,
	[CARD_E_NO_READER] = CKR_DEVICE_REMOVED,
	[CARD_E_CARD_ABSENT] = CKR_DEVICE_REMOVED,
	[CARD_E_CARD_REMOVED] = CKR_DEVICE_REMOVED,
	[CARD_E_CARD_RESET] = CKR_DEVICE_REMOVED,
	[CARD_E_SHARING] = CKR_DEVICE_ERROR,
	[CARD_E_TRANSPORT] = CKR_DEVICE_ERROR,
	[CARD_E_NOT_JPKI] = CKR_TOKEN_NOT_RECOGNIZED,
	[CARD_E_NOT_LOGGED_IN] = CKR_USER_NOT_LOGGED_IN,
	[CARD_E_PIN_WRONG] = CKR_PIN_INCORRECT,
	[CARD_E_PIN_BLOCKED] = CKR_PIN_LOCKED,
	[CARD_E_PIN_FORMAT] = CKR_PIN_INVALID,
	[CARD_E_NOT_FOUND] = CKR_DEVICE_ERROR,
	[CARD_E_BAD_RESPONSE] = CKR_DEVICE_ERROR,
	[CARD_E_CARD] = CKR_DEVICE_ERROR,
	[CARD_E_ARGUMENTS] = CKR_ARGUMENTS_BAD,
	[CARD_E_UNSUPPORTED] = CKR_FUNCTION_FAILED,
	[CARD_E_NO_MEMORY] = CKR_HOST_MEMORY,
	[CARD_E_TIMEOUT] = CKR_DEVICE_ERROR,
	[CARD_E_CANCELLED] = CKR_FUNCTION_CANCELED,
};

CK_RV ckr_from_card(enum card_error err)
{
	return (unsigned)err < CARD_E_COUNT ? card_map[err] : CKR_GENERAL_ERROR;
}

bool ckr_card_gone(enum card_error err)
{
	return ckr_from_card(err) == CKR_DEVICE_REMOVED;
}

enum card_error ckr_token_error(enum card_error err)
{
	return err == CARD_E_NOT_JPKI ? CARD_E_CARD_REMOVED : err;
}
