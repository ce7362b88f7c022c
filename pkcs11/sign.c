/* Signing: see sign.h. */
#include "sign.h"

#include <stdlib.h>
#include <string.h>

#include "mech.h"
#include "pss.h"

CK_RV sign_init(struct call *call, const CK_MECHANISM *mechanism, CK_OBJECT_HANDLE key)
{
	struct sign_op *op = &call->session->sign;
	const struct object *o;
	const struct mech *mech;
	enum card_error err;
	enum jpki_key card_key;
	bool usable = true, always_authenticate;
	CK_RV rv;

	/* SoftHSMv2's order: the operation, the key (a handle the session
	 * sees, CKA_SIGN), then the mechanism and its parameters.  The card's
	 * PSS answer is asked last, so a key that fails costs no APDU.  A
	 * private key's handle while the token is logged out is an invalid
	 * handle, as for every call (object.h). */
	if (op->active)
		return CKR_OPERATION_ACTIVE;
	o = call_object(call, key);
	if (o == NULL || (o->class != CKO_PRIVATE_KEY && o->class != CKO_PUBLIC_KEY))
		return CKR_KEY_HANDLE_INVALID;
	if (o->class != CKO_PRIVATE_KEY || !attr_get_bool(&o->attrs, CKA_SIGN, false))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	card_key = o->key;
	always_authenticate = attr_get_bool(&o->attrs, CKA_ALWAYS_AUTHENTICATE, false);
	mech = mech_find(mechanism->mechanism);
	if (mech == NULL)
		return CKR_MECHANISM_INVALID;
	/* PSS only where listed: the settings allow it and the card signs it.  A
	 * card error here may close the session (call->session NULL): return. */
	if (mech->pss) {
		err = pss_ask_locked(call->m, call->reader, &usable);
		if (err != CARD_OK)
			return call_card_error(call, err);
	}
	if (!usable)
		return CKR_MECHANISM_INVALID;
	rv = mech_check_params(mech, mechanism);
	if (rv != CKR_OK)
		return rv;
	memset(op, 0, sizeof(*op));
	op->active = true;
	op->mechanism = mechanism->mechanism;
	op->key = key;
	op->card_key = card_key;
	op->always_authenticate = always_authenticate;
	return CKR_OK;
}

/* card_sign: the signature over a DigestInfo (PKCS#1 v1.5) or a SHA-256 hash
 * (PSS), ending the operation.  A PSS signature is returned only when it
 * verifies as CKM_RSA_PKCS_PSS's parameters say (salt length 32): the salt
 * length of the card's PSS is not published (docs/pss.md), and a card that
 * signs otherwise loses its PSS mechanisms until it is removed. */
static CK_RV card_sign(struct call *call, bool pss, const uint8_t *input, size_t len,
		       CK_BYTE *sig, CK_ULONG *sig_len)
{
	struct sign_op *op = &call->session->sign;
	const struct object *key;
	uint8_t out[JPKI_SIG_MAX];
	enum card_error err;
	size_t n = 0;
	CK_RV rv = CKR_OK;

	if (!call_logged_in(call) || (op->always_authenticate && !op->context_login)) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	err = jpki_sign_scheme(call->reader->card, op->card_key,
			       pss ? JPKI_SCHEME_PSS_SHA256 : JPKI_SCHEME_PKCS1, input, len, out,
			       sizeof(out), &n);
	if (err != CARD_OK) {
		rv = call_card_error(call, err);
		goto out;
	}
	key = object_find(&call->token->objects, op->key);
	if (pss && (key == NULL || !pss_signature_ok(key, input, len, out, n))) {
		log_printf(&call->m->log, LOG_WARN,
			   "card in %s: its PSS signature does not verify with salt length 32; "
			   "PSS is off for this card",
			   call->reader->name);
		jpki_pss_set(call->reader->card, JPKI_PSS_NO);
		rv = CKR_DEVICE_ERROR;
		goto out;
	}
	memcpy(sig, out, n);
	*sig_len = n;
out:
	if (call->session != NULL)
		session_end_sign(call->session);
	return rv;
}

/* finish: the end of C_Sign and C_SignFinal over the whole message. */
static CK_RV finish(struct call *call, const uint8_t *data, size_t len, CK_BYTE *sig,
		    CK_ULONG *sig_len)
{
	const struct mech *mech = mech_find(call->session->sign.mechanism);
	uint8_t digest_info[MECH_DIGEST_INFO_MAX];
	const uint8_t *input = data;
	size_t max_input = 0, input_len = len, key_sig_len = 0;
	CK_RV rv = CKR_OK;

	jpki_key_info(call->session->sign.card_key, NULL, NULL, &key_sig_len, &max_input, NULL);
	/* The caller's DigestInfo, at most k - 11 bytes; or its SHA-256 hash (PSS). */
	if (mech->digest == NULL &&
	    (mech->pss ? len != mech->hash_len : (len == 0 || len > max_input))) {
		rv = CKR_DATA_LEN_RANGE;
		goto end;
	}
	/* The two-call convention keeps the operation. */
	if (sig == NULL) {
		*sig_len = key_sig_len;
		goto out;
	}
	if (*sig_len < key_sig_len) {
		*sig_len = key_sig_len;
		rv = CKR_BUFFER_TOO_SMALL;
		goto out;
	}
	if (mech->digest != NULL) {
		rv = mech_digest_info(mech, data, len, digest_info, &input_len);
		if (rv != CKR_OK)
			goto end;
		input = digest_info;
	}
	rv = card_sign(call, mech->pss, input, input_len, sig, sig_len);
	goto out;
end:
	session_end_sign(call->session);
out:
	return rv;
}

CK_RV sign_single(struct call *call, const CK_BYTE *data, CK_ULONG len, CK_BYTE *sig,
		  CK_ULONG *sig_len)
{
	struct sign_op *op = &call->session->sign;

	if (!op->active)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (!op->multipart)
		return finish(call, data, len, sig, sig_len);
	session_end_sign(call->session); /* C_Sign cannot end a multi-part operation */
	return CKR_OPERATION_ACTIVE;
}

CK_RV sign_update(struct call *call, const CK_BYTE *part, CK_ULONG len)
{
	struct sign_op *op = &call->session->sign;
	const struct mech *mech;
	uint8_t *grown;
	size_t cap;
	CK_RV rv = CKR_OK;

	if (!op->active)
		return CKR_OPERATION_NOT_INITIALIZED;
	mech = mech_find(op->mechanism);
	if (mech->digest == NULL) {
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* CKM_RSA_PKCS is single-part (spec 2.1.6) */
		goto fail;
	}
	if (len > SIGN_DATA_MAX - op->len) {
		rv = CKR_DATA_LEN_RANGE;
		goto fail;
	}
	if (op->len + len > op->cap) {
		cap = op->cap ? op->cap : 1024;
		while (cap < op->len + len)
			cap *= 2;
		grown = realloc(op->data, cap);
		if (grown == NULL) {
			rv = CKR_HOST_MEMORY;
			goto fail;
		}
		op->data = grown;
		op->cap = cap;
	}
	if (len > 0)
		memcpy(op->data + op->len, part, len);
	op->len += len;
	op->multipart = true;
	return CKR_OK;
fail:
	session_end_sign(call->session);
	return rv;
}

CK_RV sign_final(struct call *call, CK_BYTE *sig, CK_ULONG *sig_len)
{
	struct sign_op *op = &call->session->sign;
	const struct mech *mech;

	if (!op->active)
		return CKR_OPERATION_NOT_INITIALIZED;
	mech = mech_find(op->mechanism);
	if (mech->digest != NULL)
		return finish(call, op->data, op->len, sig, sig_len);
	session_end_sign(call->session); /* the caller's input: single-part */
	return CKR_FUNCTION_NOT_SUPPORTED;
}
