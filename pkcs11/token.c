/* Tokens: see token.h. */
#include "token.h"

#include <openssl/crypto.h>
#include <string.h>

#include "pad.h"

/* One row per token kind. */
static const struct {
	enum jpki_pin pin;
	const char *label, *name;
} token_table[TOKEN_KIND_COUNT] = {
	[TOKEN_AUTH] = {JPKI_PIN_AUTH, "JPKI Auth (4-digit PIN)", "auth"},
	[TOKEN_SIGN] = {JPKI_PIN_SIGN, "JPKI Sign (6-16 char password)", "sign"},
};

/* token_pin_format: the format of the token's PIN (the card layer's table;
 * its lengths and characters: src/pin.c). */
static enum pin_format token_pin_format(enum token_kind kind)
{
	return jpki_pin_format(token_table[kind].pin);
}

enum jpki_pin token_pin(enum token_kind kind)
{
	return token_table[kind].pin;
}

const char *token_label(enum token_kind kind)
{
	return token_table[kind].label;
}

const char *token_short_name(enum token_kind kind)
{
	return token_table[kind].name;
}

/* pin_flags: CKF_USER_PIN_* exactly as the card's counter says (consumers
 * expect COUNT_LOW after one wrong PIN). */
static CK_FLAGS pin_flags(const struct token *token)
{
	int max = jpki_pin_max_tries(token_table[token->kind].pin);
	CK_FLAGS flags = 0;

	if (token->tries < 0)
		return 0;
	if (token->tries == 0)
		return CKF_USER_PIN_LOCKED;
	if (token->tries < max)
		flags |= CKF_USER_PIN_COUNT_LOW;
	if (token->tries == 1)
		flags |= CKF_USER_PIN_FINAL_TRY;
	return flags;
}

void token_fill_info(const struct token *token, enum jpki_kind card_kind, const char *serial,
		     CK_ULONG sessions, CK_ULONG rw_sessions, CK_TOKEN_INFO *info)
{
	size_t min_len, max_len;

	memset(info, 0, sizeof(*info));
	pad_copy(info->label, sizeof(info->label), token_table[token->kind].label);
	pad_copy(info->manufacturerID, sizeof(info->manufacturerID), "J-LIS (JPKI)");
	pad_copy(info->model, sizeof(info->model), jpki_kind_name(card_kind));
	pad_copy(info->serialNumber, sizeof(info->serialNumber), serial);
	/* Write-protected: no object can be created, changed or destroyed;
	 * the PINs can still be changed (C_SetPIN). */
	info->flags = CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED |
		      CKF_WRITE_PROTECTED | pin_flags(token);
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulSessionCount = sessions;
	info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulRwSessionCount = rw_sessions;
	pin_lengths(token_pin_format(token->kind), &min_len, &max_len);
	info->ulMaxPinLen = max_len;
	info->ulMinPinLen = min_len;
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pad_copy(info->utcTime, sizeof(info->utcTime), "");
}

CK_RV token_check_pin(enum token_kind kind, const CK_UTF8CHAR *pin, CK_ULONG len, bool is_new,
		      char out[PIN_MAX_LEN + 1])
{
	char normalized[PIN_MAX_LEN];
	size_t normalized_len, min_len, max_len;
	CK_RV rv = CKR_OK;

	memset(out, 0, PIN_MAX_LEN + 1);
	pin_lengths(token_pin_format(kind), &min_len, &max_len);
	if (len < min_len || len > max_len) {
		rv = CKR_PIN_LEN_RANGE;
		goto out;
	}
	/* The card layer takes C strings: a NUL inside would shorten the PIN. */
	if (memchr(pin, '\0', len) != NULL) {
		rv = CKR_PIN_INVALID;
		goto out;
	}
	memcpy(out, pin, len);
	if (pin_normalize(token_pin_format(kind), out, is_new, normalized, &normalized_len) !=
	    CARD_OK)
		rv = CKR_PIN_INVALID;
out:
	OPENSSL_cleanse(normalized, sizeof(normalized));
	if (rv != CKR_OK)
		OPENSSL_cleanse(out, PIN_MAX_LEN + 1);
	return rv;
}

void token_forget(struct token *token, bool drop_objects)
{
	token->logged_in = false;
	if (drop_objects) {
		if (token->present)
			token->event = true;
		token->present = false;
		token->tries = -1;
		object_set_free(&token->objects);
	}
}
