/* Signing: one operation per session, single- or multi-part, over the
 * mechanism table (mech.h) and the card's COMPUTE DIGITAL SIGNATURE.
 *
 * Ending rules (spec 3.0 section 5.11, docs/consumers.md 1.3): the length
 * query (NULL signature buffer) and CKR_BUFFER_TOO_SMALL keep the operation;
 * every other return of C_Sign, C_SignUpdate and C_SignFinal, success
 * included, ends it. */
#ifndef JPKI_P11_SIGN_H
#define JPKI_P11_SIGN_H

#include "call.h"

#define SIGN_DATA_MAX (64UL << 20) /* multi-part messages are kept until C_SignFinal */

/* The entry points (p11-sign.c) check the arguments (CKR_ARGUMENTS_BAD)
 * before these are called: mechanism and sig_len are never NULL, data and
 * part NULL only with length 0. */

/* sign_init: C_SignInit.  Errors, in the order checked (SoftHSMv2's):
 * CKR_OPERATION_ACTIVE, CKR_KEY_HANDLE_INVALID (no key the session sees: a
 * private key while the token is logged out too), CKR_KEY_FUNCTION_NOT_PERMITTED,
 * CKR_MECHANISM_INVALID (also PSS where the card does not sign it: the card
 * is asked only once the key passed), the card's, CKR_MECHANISM_PARAM_INVALID. */
CK_RV sign_init(struct call *call, const CK_MECHANISM *mechanism, CK_OBJECT_HANDLE key);

/* sign_single: C_Sign.  Errors: CKR_OPERATION_NOT_INITIALIZED,
 * CKR_OPERATION_ACTIVE (after C_SignUpdate), CKR_DATA_LEN_RANGE,
 * CKR_BUFFER_TOO_SMALL, CKR_USER_NOT_LOGGED_IN, the card's. */
CK_RV sign_single(struct call *call, const CK_BYTE *data, CK_ULONG len, CK_BYTE *sig,
		  CK_ULONG *sig_len);

/* sign_update: C_SignUpdate.  Errors: CKR_OPERATION_NOT_INITIALIZED,
 * CKR_FUNCTION_NOT_SUPPORTED (CKM_RSA_PKCS and CKM_RSA_PKCS_PSS are
 * single-part), CKR_DATA_LEN_RANGE (over SIGN_DATA_MAX), CKR_HOST_MEMORY. */
CK_RV sign_update(struct call *call, const CK_BYTE *part, CK_ULONG len);

/* sign_final: C_SignFinal.  Errors: as sign_single, and CKR_FUNCTION_NOT_SUPPORTED
 * for the single-part mechanisms. */
CK_RV sign_final(struct call *call, CK_BYTE *sig, CK_ULONG *sig_len);

#endif
