/* Login, logout and PIN change on a token, behind the entry points of
 * p11-login.c.  Every PIN is format-checked before anything reaches the
 * card, wiped after use, and never logged. */
#ifndef JPKI_P11_LOGIN_H
#define JPKI_P11_LOGIN_H

#include "call.h"

/* login_user: C_Login for CKU_USER or CKU_CONTEXT_SPECIFIC after the
 * session lookup and the NULL-PIN check (pin is not NULL).  Errors:
 * CKR_USER_TYPE_INVALID (CKU_SO: the card has no security officer),
 * CKR_USER_ALREADY_LOGGED_IN,
 * CKR_OPERATION_NOT_INITIALIZED (CKU_CONTEXT_SPECIFIC without a signing
 * operation), CKR_PIN_LEN_RANGE, CKR_PIN_INVALID, CKR_PIN_INCORRECT,
 * CKR_PIN_LOCKED, and the card's errors (ckr-map.h). */
CK_RV login_user(struct call *call, CK_USER_TYPE type, const CK_UTF8CHAR *pin, CK_ULONG len);

/* login_logout: C_Logout.  Errors: CKR_USER_NOT_LOGGED_IN. */
CK_RV login_logout(struct call *call);

/* login_set_pin: C_SetPIN after the session lookup and the NULL-PIN
 * check (neither PIN is NULL).  Errors: CKR_SESSION_READ_ONLY, CKR_PIN_LEN_RANGE, CKR_PIN_INVALID (old or new),
 * CKR_PIN_INCORRECT, CKR_PIN_LOCKED, the card's errors. */
CK_RV login_set_pin(struct call *call, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
		    const CK_UTF8CHAR *new_pin, CK_ULONG new_len);

#endif
