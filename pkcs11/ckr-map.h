/* The one boundary where card-layer errors become PKCS#11 return values. */
#ifndef JPKI_P11_CKR_MAP_H
#define JPKI_P11_CKR_MAP_H

#include <stdbool.h>

#include "card-error.h"
#include "pkcs11.h"

/* ckr_from_card: the CKR_ code for a card error (CKR_OK for CARD_OK,
 * CKR_GENERAL_ERROR for a value outside the enum). */
CK_RV ckr_from_card(enum card_error err);

/* ckr_card_gone: whether the error means the token the call used is gone
 * for its sessions (removed, reset, reader or service lost): exactly the
 * errors that map to CKR_DEVICE_REMOVED.  A failed card call on a token in
 * use goes through slot_card_error_locked (slot.h), which applies this. */
bool ckr_card_gone(enum card_error err);

/* ckr_token_error: err as a call on a token in use sees it.  A card that
 * now answers it has no JPKI application is not that token any more (one
 * swapped without a removal being seen): CARD_E_CARD_REMOVED, so that its
 * sessions close and the call returns CKR_DEVICE_REMOVED, which every
 * token function may return (CKR_TOKEN_NOT_RECOGNIZED is only for
 * C_GetTokenInfo and the like). */
enum card_error ckr_token_error(enum card_error err);

#endif
