/* Malformed PINs never reach the card: through C_Login (user and
 * context-specific) and C_SetPIN (old and new), on both tokens, each bad
 * PIN gets the spec's code and the emulator's APDU log shows no command at
 * all (a malformed PIN must cost no try; an empty VERIFY would be the
 * retry-counter query: docs/card.md 3.3).  Runs on the emulator (sim) and
 * over tests/stack (stack.sh); not on SoftHSMv2, whose PIN rules are its own. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hard.h"
#include "tap.h"

#define MEGA (1024 * 1024)

struct bad_pin {
	const char *what;
	const char *auth, *sign; /* the value given to each token */
	CK_ULONG auth_len, sign_len;
	bool null_pointer;	/* NULL instead of the value */
	bool mega;		/* the 1 MB buffer instead of the value */
	CK_RV auth_rv, sign_rv; /* the answer on each token */
};

/* Each one is wrong for the token it is given to (auth: 4 digits; sign:
 * 6-16 of A-Z 0-9, lower case folded). */
static const struct bad_pin bad_pins[] = {
	{"empty", "", "", 0, 0, false, false, CKR_PIN_LEN_RANGE, CKR_PIN_LEN_RANGE},
	{"one character short", "123", "ABC12", 3, 5, false, false, CKR_PIN_LEN_RANGE,
	 CKR_PIN_LEN_RANGE},
	{"one character long", "12345", "ABCDEFGH123456789", 5, 17, false, false, CKR_PIN_LEN_RANGE,
	 CKR_PIN_LEN_RANGE},
	{"a character outside the set", "12a4", "ABC-123", 4, 7, false, false, CKR_PIN_INVALID,
	 CKR_PIN_INVALID},
	{"a space inside", "12 4", "ABC 123", 4, 7, false, false, CKR_PIN_INVALID, CKR_PIN_INVALID},
	{"NUL inside", "12\0004", "ABC\000123", 4, 7, false, false, CKR_PIN_INVALID,
	 CKR_PIN_INVALID},
	{"non-ASCII (UTF-8)", "\xef\xbc\x91\xef",
	 "\xc3\x84"
	 "BC1234",
	 4, 8, false, false, CKR_PIN_INVALID, CKR_PIN_INVALID},
	{"1 MB long", NULL, NULL, MEGA, MEGA, false, true, CKR_PIN_LEN_RANGE, CKR_PIN_LEN_RANGE},
	{"length ULONG_MAX over a short buffer", "1234", "ABC123", ULONG_MAX, ULONG_MAX, false,
	 false, CKR_PIN_LEN_RANGE, CKR_PIN_LEN_RANGE},
	{"NULL pointer with a length", NULL, NULL, 4, 8, true, false, CKR_ARGUMENTS_BAD,
	 CKR_ARGUMENTS_BAD},
};

static CK_UTF8CHAR_PTR pin_ptr(const struct bad_pin *b, bool is_sign, CK_UTF8CHAR *mega)
{
	if (b->null_pointer)
		return NULL;
	if (b->mega)
		return mega;
	return p11_pin(is_sign ? b->sign : b->auth);
}

static void try_token(struct p11_card *c, struct hard_key *k, bool is_sign, CK_UTF8CHAR *mega)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, k->slot, true);
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_TOKEN_INFO info;
	long mark;
	size_t i;

	for (i = 0; i < sizeof(bad_pins) / sizeof(bad_pins[0]); i++) {
		const struct bad_pin *b = &bad_pins[i];
		CK_UTF8CHAR_PTR p = pin_ptr(b, is_sign, mega);
		CK_ULONG len = is_sign ? b->sign_len : b->auth_len;
		CK_RV want = is_sign ? b->sign_rv : b->auth_rv;

		mark = p11_card_apdus(c, "");
		tap_is_int(f->C_Login(s, CKU_USER, p, len), want, "%s C_Login: %s", k->name,
			   b->what);
		tap_is_int(f->C_SetPIN(s, p, len, PIN(k->pin)), want, "%s C_SetPIN old: %s",
			   k->name, b->what);
		/* The new PIN's own rules may refuse more (CKR_PIN_INVALID), never less. */
		tap_is_int(f->C_SetPIN(s, PIN(k->pin), p, len), want, "%s C_SetPIN new: %s",
			   k->name, b->what);
		if (is_sign) {
			tap_is_int(hard_login(c, s, k), CKR_OK, "sign: login");
			tap_is_int(f->C_SignInit(s, &mech, k->key), CKR_OK, "sign: init");
			mark = p11_card_apdus(c, "");
			tap_is_int(f->C_Login(s, CKU_CONTEXT_SPECIFIC, p, len), want,
				   "sign CKU_CONTEXT_SPECIFIC: %s", b->what);
			f->C_Logout(s);
		}
		tap_is_int(p11_card_apdus(c, "") - mark, 0, "%s: %s: no APDU reached the card",
			   k->name, b->what);
	}
	tap_is_int(f->C_GetTokenInfo(k->slot, &info), CKR_OK, "%s token info", k->name);
	tap_is_int(info.flags &
			   (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED),
		   0, "%s: no try was spent", k->name);
	tap_is_int(hard_login(c, s, k), CKR_OK, "%s: the right PIN still logs in", k->name);
	f->C_CloseSession(s);
}

int main(void)
{
	struct p11_card c;
	struct hard_key auth, sign;
	CK_UTF8CHAR *mega = malloc(MEGA);

	if (mega == NULL)
		tap_bail("out of memory");
	memset(mega, '1', MEGA);
	p11_card_open(&c, 1);
	if (!c.jpki || c.apdu_log == NULL)
		tap_bail("needs the emulator's APDU log (JPKI_P11_TARGET sim or stack)");
	hard_keys_init(&c, &auth, &sign);
	try_token(&c, &auth, false, mega);
	memset(mega, 'A', MEGA);
	try_token(&c, &sign, true, mega);
	hard_keys_free(&auth, &sign);
	p11_card_close(&c);
	free(mega);
	return tap_done();
}
