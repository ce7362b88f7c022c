/* Tokens: the authentication and the signature token of a reader's card,
 * one per slot: presence, login state, PIN counter and objects. */
#ifndef JPKI_P11_TOKEN_H
#define JPKI_P11_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "jpki.h"
#include "object.h"
#include "pin.h"
#include "pkcs11.h"

#define TOKEN_SERIAL_LEN 16 /* hex characters of CK_TOKEN_INFO.serialNumber */

struct token {
	enum token_kind kind;
	CK_SLOT_ID id;
	bool exposed;	/* the settings show this token (tokens = both|auth|sign) */
	bool present;	/* a JPKI card was read for this insertion */
	bool event;	/* presence changed and C_WaitForSlotEvent has not said so yet */
	bool logged_in; /* CKU_USER, shared by all the application's sessions */
	int tries;	/* PIN tries left as the card last said; -1 unknown */
	struct object_set objects;
};

/* token_pin: the card PIN that guards the token. */
enum jpki_pin token_pin(enum token_kind kind);

/* token_label: the fixed token label ("JPKI Auth (4-digit PIN)", ...). */
const char *token_label(enum token_kind kind);

/* token_short_name: "auth" or "sign", for slot descriptions and logs. */
const char *token_short_name(enum token_kind kind);

/* token_fill_info: C_GetTokenInfo from what is known; sends nothing. */
void token_fill_info(const struct token *token, enum jpki_kind card_kind, const char *serial,
		     CK_ULONG sessions, CK_ULONG rw_sessions, CK_TOKEN_INFO *info);

/* token_check_pin: checks a PIN from the application against the token's
 * format and copies it NUL-terminated into out (the caller wipes out);
 * is_new also applies the rules for a new PIN.  Nothing reaches the card.
 * Errors: CKR_PIN_LEN_RANGE (too short or long), CKR_PIN_INVALID (a
 * character outside the set, a NUL inside, a new password that does not
 * mix letters and digits). */
CK_RV token_check_pin(enum token_kind kind, const CK_UTF8CHAR *pin, CK_ULONG len, bool is_new,
		      char out[PIN_MAX_LEN + 1]);

/* token_forget: the card left (or was reset): logged out, not present, and
 * when drop_objects the objects freed.  Plain free(), no libcrypto. */
void token_forget(struct token *token, bool drop_objects);

#endif
