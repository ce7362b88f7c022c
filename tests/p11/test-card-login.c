/* C_Login, C_Logout and C_SetPIN (spec 3.0 sections 5.5-5.6), ladder style,
 * each failing PIN checked against the number of VERIFY commands that
 * reached the card (from the APDU log): malformed PINs cost none. */
#include <string.h>

#include "p11-card.h"
#include "tap.h"

/* verifies_is: the card saw want more VERIFY commands since *mark. */
static void verifies_is(const struct p11_card *c, long *mark, long want, const char *what)
{
	long now = p11_card_verifies(c);

	if (now < 0)
		return; /* SoftHSMv2: no card */
	tap_is_int(now - *mark, want, "%s: %ld VERIFY sent", what, want);
	*mark = now;
}

static CK_FLAGS token_flags(const struct p11_card *c, CK_SLOT_ID slot)
{
	CK_TOKEN_INFO info;

	if (c->f->C_GetTokenInfo(slot, &info) != CKR_OK)
		return ~0UL;
	return info.flags;
}

static void test_login_ladder(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false);
	CK_UTF8CHAR with_nul[] = {'1', '2', '\0', '4'};
	long mark = p11_card_verifies(c);

	tap_is_int(f->C_Login(s, CKU_USER, NULL, 4), CKR_ARGUMENTS_BAD, "NULL PIN with a length");
	tap_is_int(f->C_Login(0x5e55, CKU_USER, PIN(c->auth_pin)), CKR_SESSION_HANDLE_INVALID,
		   "bad session");
	tap_is_int(f->C_Login(s, 77, PIN(c->auth_pin)), CKR_USER_TYPE_INVALID, "user type 77");
	/* Spec 3.0 section 5.6.4 (C_Logout) returns CKR_USER_NOT_LOGGED_IN;
	 * SoftHSMv2 answers CKR_OK.  The spec decides for the module. */
	tap_is_int(f->C_Logout(s), p11_spec_or_ref(c, CKR_USER_NOT_LOGGED_IN, CKR_OK),
		   "C_Logout before C_Login");
	tap_is_int(f->C_Login(s, CKU_CONTEXT_SPECIFIC, PIN(c->auth_pin)),
		   CKR_OPERATION_NOT_INITIALIZED, "CKU_CONTEXT_SPECIFIC without an operation");
	verifies_is(c, &mark, 0, "argument errors");
	if (c->jpki) {
		/* No SO on the card; SoftHSMv2 has one, so it cannot be the reference. */
		tap_is_int(f->C_Login(s, CKU_SO, PIN("12345678")), CKR_USER_TYPE_INVALID, "CKU_SO");
		/* No protected authentication path: SoftHSMv2 answers the same. */
		tap_is_int(f->C_Login(s, CKU_USER, NULL, 0), CKR_ARGUMENTS_BAD, "NULL PIN");
		tap_is_int(f->C_Login(s, CKU_USER, PIN("123")), CKR_PIN_LEN_RANGE, "3 digits");
		tap_is_int(f->C_Login(s, CKU_USER, PIN("12345")), CKR_PIN_LEN_RANGE, "5 digits");
		tap_is_int(f->C_Login(s, CKU_USER, PIN("")), CKR_PIN_LEN_RANGE, "empty PIN");
		tap_is_int(f->C_Login(s, CKU_USER, PIN("12a4")), CKR_PIN_INVALID, "a letter");
		tap_is_int(f->C_Login(s, CKU_USER, with_nul, 4), CKR_PIN_INVALID, "a NUL inside");
		verifies_is(c, &mark, 0, "malformed PINs");
		tap_is_int(token_flags(c, c->auth_slot) & CKF_USER_PIN_COUNT_LOW, 0,
			   "counter untouched");
	}
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->jpki ? "0000" : "wrong-pin")), CKR_PIN_INCORRECT,
		   "wrong PIN");
	verifies_is(c, &mark, 1, "wrong PIN");
	if (c->jpki)
		tap_ok(token_flags(c, c->auth_slot) & CKF_USER_PIN_COUNT_LOW,
		       "CKF_USER_PIN_COUNT_LOW after one wrong PIN");
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "right PIN");
	verifies_is(c, &mark, 1, "right PIN");
	if (c->jpki)
		tap_is_int(token_flags(c, c->auth_slot) & CKF_USER_PIN_COUNT_LOW, 0,
			   "counter full again");
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_USER_ALREADY_LOGGED_IN,
		   "again: already logged in");
	verifies_is(c, &mark, 0, "already logged in");
	tap_is_int(f->C_Logout(s), CKR_OK, "C_Logout");
	tap_is_int(f->C_Logout(s), p11_spec_or_ref(c, CKR_USER_NOT_LOGGED_IN, CKR_OK),
		   "C_Logout again (spec 5.6.4)");
	tap_is_int(f->C_CloseSession(s), CKR_OK, "closed");
}

static void test_sign_password(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->sign_slot, false);
	char lower[32];
	long mark = p11_card_verifies(c);
	size_t i;

	tap_is_int(f->C_Login(s, CKU_USER, PIN("ABC12")), CKR_PIN_LEN_RANGE, "5 characters");
	tap_is_int(f->C_Login(s, CKU_USER, PIN("ABCDEFGH123456789")), CKR_PIN_LEN_RANGE,
		   "17 characters");
	tap_is_int(f->C_Login(s, CKU_USER, PIN("ABC-1234")), CKR_PIN_INVALID, "a hyphen");
	/* The auth PIN given to the sign token (ssh-add, NSS password files). */
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_PIN_LEN_RANGE,
		   "the 4-digit PIN on the sign token");
	verifies_is(c, &mark, 0, "malformed passwords");
	/* Lower case is folded: the card stores upper case (docs/card.md 4). */
	for (i = 0; c->sign_pin[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)((c->sign_pin[i] >= 'A' && c->sign_pin[i] <= 'Z')
					  ? c->sign_pin[i] + 32
					  : c->sign_pin[i]);
	lower[i] = '\0';
	tap_is_int(f->C_Login(s, CKU_USER, PIN(lower)), CKR_OK, "password in lower case");
	verifies_is(c, &mark, 1, "lower-case password");
	tap_is_int(f->C_CloseSession(s), CKR_OK, "closed");
}

static void test_set_pin(struct p11_card *c, CK_SLOT_ID slot, const char *pin, const char *new_pin,
			 const char *bad_new)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE ro = p11_card_session(c, slot, false);
	CK_SESSION_HANDLE rw = p11_card_session(c, slot, true);
	long mark = p11_card_verifies(c);

	tap_is_int(f->C_SetPIN(rw, NULL, 4, PIN(new_pin)), CKR_ARGUMENTS_BAD, "NULL old PIN");
	tap_is_int(f->C_SetPIN(0x5e55, PIN(pin), PIN(new_pin)), CKR_SESSION_HANDLE_INVALID,
		   "bad session");
	/* Spec 5.6 C_SetPIN: only in a read/write session (SoftHSMv2 agrees). */
	tap_is_int(f->C_SetPIN(ro, PIN(pin), PIN(new_pin)), CKR_SESSION_READ_ONLY,
		   "read-only session");
	if (c->jpki) {
		tap_is_int(f->C_SetPIN(rw, PIN(pin), PIN(bad_new)), CKR_PIN_INVALID,
			   "malformed new PIN");
		tap_is_int(f->C_SetPIN(rw, PIN("1"), PIN(new_pin)), CKR_PIN_LEN_RANGE,
			   "malformed old PIN");
	}
	verifies_is(c, &mark, 0, "refused before the card");
	tap_is_int(f->C_SetPIN(rw, PIN(new_pin), PIN(new_pin)), CKR_PIN_INCORRECT, "wrong old PIN");
	verifies_is(c, &mark, 1, "wrong old PIN");
	tap_is_int(f->C_SetPIN(rw, PIN(pin), PIN(new_pin)), CKR_OK, "change");
	tap_is_int(f->C_SetPIN(rw, PIN(new_pin), PIN(pin)), CKR_OK, "and back");
	verifies_is(c, &mark, 2, "two changes");
	tap_is_int(f->C_Login(ro, CKU_USER, PIN(pin)), CKR_OK, "the old PIN works again");
	f->C_CloseSession(ro);
	f->C_CloseSession(rw);
}

/* Only on the emulator: a copy of the card, so the PIN may be blocked. */
static void test_locked(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false);
	long mark = p11_card_verifies(c);

	tap_is_int(f->C_Login(s, CKU_USER, PIN("0000")), CKR_PIN_INCORRECT, "wrong 1/3");
	tap_is_int(f->C_Login(s, CKU_USER, PIN("0000")), CKR_PIN_INCORRECT, "wrong 2/3");
	tap_ok(token_flags(c, c->auth_slot) & CKF_USER_PIN_FINAL_TRY, "CKF_USER_PIN_FINAL_TRY");
	tap_is_int(f->C_Login(s, CKU_USER, PIN("0000")), CKR_PIN_LOCKED, "wrong 3/3: locked");
	tap_ok(token_flags(c, c->auth_slot) & CKF_USER_PIN_LOCKED, "CKF_USER_PIN_LOCKED");
	verifies_is(c, &mark, 3, "three wrong PINs");
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_PIN_LOCKED,
		   "the right PIN: still locked");
	verifies_is(c, &mark, 0, "a login to a locked PIN");
	f->C_CloseSession(s);
}

int main(void)
{
	struct p11_card c;

	p11_card_open(&c, 1);
	test_login_ladder(&c);
	if (c.jpki) {
		test_sign_password(&c);
		test_set_pin(&c, c.auth_slot, c.auth_pin, "9876", "98a6");
		test_set_pin(&c, c.sign_slot, c.sign_pin, "NEWPASS2026", "ONLYLETTERS");
	} else {
		test_set_pin(&c, c.auth_slot, c.auth_pin, "87654321", "");
	}
	if (c.sim)
		test_locked(&c);
	p11_card_close(&c);
	return tap_done();
}
