/* PKCS#11 misuse (spec 3.0 chapter 5's return codes): NULL pointers, invalid
 * handles, calls in the wrong state, a session or key of the other token or
 * of another card, handles after C_CloseAllSessions.  Every call answers a
 * code and nothing crashes.  The same binary runs on the emulator (sim),
 * over tests/stack (stack.sh) and against SoftHSMv2 (softhsm.sh) for the
 * parts both share; where SoftHSMv2 differs, the check names the clause and
 * expects the spec's code from us. */
#include <string.h>

#include "hard.h"
#include "tap.h"

#define BAD_SESSION ((CK_SESSION_HANDLE)0x5e55)
#define BAD_SLOT    ((CK_SLOT_ID)4242)
#define BAD_OBJECT  ((CK_OBJECT_HANDLE)0x0b1ec7)

static CK_BYTE data[] = "misuse";

/* sign_null_case: a NULL pointer in C_Sign (1), C_SignUpdate (2) or
 * C_SignFinal (3), in a session of its own.  Spec 3.0 sections 5.11.2-5.11.4:
 * a failing C_Sign, C_SignUpdate or C_SignFinal ends the operation (except
 * CKR_BUFFER_TOO_SMALL and the length query); SoftHSMv2 keeps it. */
static void sign_null_case(struct p11_card *c, CK_OBJECT_HANDLE key, int which)
{
	static const char *what[] = {"", "C_Sign: NULL data with a length",
				     "C_SignUpdate: NULL part with a length",
				     "C_SignFinal: NULL length pointer"};
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false);
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = CKR_GENERAL_ERROR;

	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "C_SignInit (%s)", what[which]);
	if (which == 1) {
		rv = f->C_Sign(s, NULL, 10, sig, &len);
	} else if (which == 2) {
		rv = f->C_SignUpdate(s, NULL, 10);
	} else {
		f->C_SignUpdate(s, data, sizeof(data));
		rv = f->C_SignFinal(s, sig, NULL);
	}
	tap_is_int(rv, CKR_ARGUMENTS_BAD, "%s", what[which]);
	tap_is_int(f->C_SignInit(s, &mech, key), p11_spec_or_ref(c, CKR_OK, CKR_OPERATION_ACTIVE),
		   "... ended the operation (spec 5.11.2-4)");
	f->C_CloseSession(s);
}

static void test_null_pointers(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_OBJECT_HANDLE found[4];
	CK_ULONG n = 4;

	tap_is_int(f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD, "C_GetInfo(NULL)");
	tap_is_int(f->C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD, "C_GetFunctionList(NULL)");
	tap_is_int(f->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetSlotList: NULL count");
	tap_is_int(f->C_GetSlotInfo(c->auth_slot, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetSlotInfo: NULL info");
	tap_is_int(f->C_GetTokenInfo(c->auth_slot, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetTokenInfo: NULL info");
	tap_is_int(f->C_GetMechanismList(c->auth_slot, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetMechanismList: NULL count");
	tap_is_int(f->C_GetMechanismInfo(c->auth_slot, CKM_SHA256_RSA_PKCS, NULL),
		   CKR_ARGUMENTS_BAD, "C_GetMechanismInfo: NULL info");
	tap_is_int(f->C_OpenSession(c->auth_slot, CKF_SERIAL_SESSION, NULL, NULL, NULL),
		   CKR_ARGUMENTS_BAD, "C_OpenSession: NULL handle pointer");
	tap_is_int(f->C_GetSessionInfo(s, NULL), CKR_ARGUMENTS_BAD, "C_GetSessionInfo: NULL");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_FindObjectsInit: NULL template, count 1");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OK,
		   "C_FindObjectsInit: NULL template, count 0 (matches all)");
	tap_is_int(f->C_FindObjects(s, NULL, 4, &n), CKR_ARGUMENTS_BAD,
		   "C_FindObjects: NULL handle array");
	tap_is_int(f->C_FindObjects(s, found, 4, NULL), CKR_ARGUMENTS_BAD,
		   "C_FindObjects: NULL count");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OK, "C_FindObjectsFinal");
	tap_is_int(f->C_GetAttributeValue(s, key, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_GetAttributeValue: NULL template");
	tap_is_int(f->C_SignInit(s, NULL, key), CKR_ARGUMENTS_BAD, "C_SignInit: NULL mechanism");
	sign_null_case(c, key, 1);
	sign_null_case(c, key, 2);
	sign_null_case(c, key, 3);
	tap_is_int(f->C_Login(s, CKU_USER, NULL, 4), CKR_ARGUMENTS_BAD,
		   "C_Login: NULL PIN with a length");
	/* SoftHSMv2 has no slot events: it answers CKR_NO_EVENT to any
	 * non-blocking call without looking at pSlot. */
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL),
		   p11_spec_or_ref(c, CKR_ARGUMENTS_BAD, CKR_NO_EVENT),
		   "C_WaitForSlotEvent: NULL slot pointer");
}

static void test_bad_handles(struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_ATTRIBUTE t = {CKA_CLASS, NULL, 0};
	CK_SESSION_INFO sinfo;
	CK_SLOT_INFO slot;
	CK_TOKEN_INFO token;
	CK_MECHANISM_TYPE types[32];
	CK_SESSION_HANDLE s2;
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 32;
	CK_BYTE sig[512];
	CK_SESSION_HANDLE bad[] = {CK_INVALID_HANDLE, BAD_SESSION, (CK_SESSION_HANDLE)-1};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_is_int(f->C_GetSessionInfo(bad[i], &sinfo), CKR_SESSION_HANDLE_INVALID,
			   "session 0x%lx: C_GetSessionInfo", bad[i]);
		tap_is_int(f->C_CloseSession(bad[i]), CKR_SESSION_HANDLE_INVALID,
			   "session 0x%lx: C_CloseSession", bad[i]);
		tap_is_int(f->C_SignInit(bad[i], &mech, 1), CKR_SESSION_HANDLE_INVALID,
			   "session 0x%lx: C_SignInit", bad[i]);
		tap_is_int(f->C_FindObjectsInit(bad[i], NULL, 0), CKR_SESSION_HANDLE_INVALID,
			   "session 0x%lx: C_FindObjectsInit", bad[i]);
		tap_is_int(f->C_Login(bad[i], CKU_USER, PIN(c->auth_pin)),
			   CKR_SESSION_HANDLE_INVALID, "session 0x%lx: C_Login", bad[i]);
	}
	tap_is_int(f->C_GetSlotInfo(BAD_SLOT, &slot), CKR_SLOT_ID_INVALID, "slot: C_GetSlotInfo");
	tap_is_int(f->C_GetTokenInfo(BAD_SLOT, &token), CKR_SLOT_ID_INVALID,
		   "slot: C_GetTokenInfo");
	tap_is_int(f->C_GetMechanismList(BAD_SLOT, types, &n), CKR_SLOT_ID_INVALID,
		   "slot: C_GetMechanismList");
	tap_is_int(f->C_OpenSession(BAD_SLOT, CKF_SERIAL_SESSION, NULL, NULL, &s2),
		   CKR_SLOT_ID_INVALID, "slot: C_OpenSession");
	tap_is_int(f->C_CloseAllSessions(BAD_SLOT), CKR_SLOT_ID_INVALID,
		   "slot: C_CloseAllSessions");
	tap_is_int(f->C_GetAttributeValue(s, BAD_OBJECT, &t, 1), CKR_OBJECT_HANDLE_INVALID,
		   "object: C_GetAttributeValue");
	tap_is_int(f->C_GetAttributeValue(s, CK_INVALID_HANDLE, &t, 1), CKR_OBJECT_HANDLE_INVALID,
		   "object CK_INVALID_HANDLE: C_GetAttributeValue");
	/* Spec 3.0 section 5.11.1 (C_SignInit): CKR_KEY_HANDLE_INVALID;
	 * SoftHSMv2 answers CKR_OBJECT_HANDLE_INVALID. */
	tap_is_int(f->C_SignInit(s, &mech, BAD_OBJECT),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "key: C_SignInit");
	tap_is_int(f->C_Sign(s, data, sizeof(data), sig, &n), CKR_OPERATION_NOT_INITIALIZED,
		   "... no operation began");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OK, "find: init");
	n = 0;
	tap_is_int(f->C_FindObjects(s, found, 0, &n), CKR_OK, "find: room for none");
	tap_is_int(n, 0, "... none returned");
	f->C_FindObjectsFinal(s);
}

static void test_wrong_states(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE found[2];
	CK_SESSION_HANDLE s2;
	CK_ULONG n = 2, len = 512;
	CK_BYTE sig[512];

	tap_is_int(f->C_Sign(s, data, sizeof(data), sig, &len), CKR_OPERATION_NOT_INITIALIZED,
		   "C_Sign without C_SignInit");
	tap_is_int(f->C_SignUpdate(s, data, sizeof(data)), CKR_OPERATION_NOT_INITIALIZED,
		   "C_SignUpdate without C_SignInit");
	tap_is_int(f->C_SignFinal(s, sig, &len), CKR_OPERATION_NOT_INITIALIZED,
		   "C_SignFinal without C_SignInit");
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "C_SignInit");
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OPERATION_ACTIVE, "C_SignInit twice");
	len = sizeof(sig);
	tap_is_int(f->C_Sign(s, data, sizeof(data), sig, &len), CKR_OK,
		   "the first operation still signs");
	tap_is_int(f->C_FindObjects(s, found, 2, &n), CKR_OPERATION_NOT_INITIALIZED,
		   "C_FindObjects without C_FindObjectsInit");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED,
		   "C_FindObjectsFinal without C_FindObjectsInit");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OK, "C_FindObjectsInit");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OPERATION_ACTIVE,
		   "C_FindObjectsInit twice");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OK, "C_FindObjectsFinal");
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_USER_ALREADY_LOGGED_IN,
		   "C_Login twice");
	tap_is_int(f->C_Login(s, 42, PIN(c->auth_pin)), CKR_USER_TYPE_INVALID,
		   "C_Login: unknown user type");
	/* Spec 3.0 section 5.6 (C_OpenSession): without CKF_SERIAL_SESSION. */
	tap_is_int(f->C_OpenSession(c->auth_slot, 0, NULL, NULL, &s2),
		   CKR_SESSION_PARALLEL_NOT_SUPPORTED, "C_OpenSession without CKF_SERIAL_SESSION");
	s2 = p11_card_session(c, c->auth_slot, false);
	tap_is_int(f->C_SetPIN(s2, PIN(c->auth_pin), PIN(c->auth_pin)), CKR_SESSION_READ_ONLY,
		   "C_SetPIN in a read-only session");
	f->C_CloseSession(s2);
	tap_is_int(f->C_Logout(s), CKR_OK, "C_Logout");
	/* Spec 3.0 section 5.6 (C_Logout) lists CKR_USER_NOT_LOGGED_IN;
	 * SoftHSMv2 answers CKR_OK. */
	tap_is_int(f->C_Logout(s), p11_spec_or_ref(c, CKR_USER_NOT_LOGGED_IN, CKR_OK),
		   "C_Logout twice");
	/* A private key's handle kept from before the logout is invalid (spec
	 * 3.0 section 5.6.4, C_Logout): C_SignInit's code for a bad key handle
	 * (section 5.11.1); SoftHSMv2 answers CKR_OBJECT_HANDLE_INVALID. */
	tap_is_int(f->C_SignInit(s, &mech, key),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "C_SignInit with a key from before C_Logout");
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login again");
}

static void test_close_all(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE a = p11_card_session(c, c->auth_slot, false);
	CK_SESSION_HANDLE b = p11_card_session(c, c->auth_slot, true);
	CK_SESSION_INFO info;

	tap_is_int(f->C_CloseAllSessions(c->auth_slot), CKR_OK, "C_CloseAllSessions");
	tap_is_int(f->C_GetSessionInfo(a, &info), CKR_SESSION_HANDLE_INVALID,
		   "a session handle after C_CloseAllSessions");
	tap_is_int(f->C_CloseSession(b), CKR_SESSION_HANDLE_INVALID,
		   "C_CloseSession after C_CloseAllSessions");
	a = p11_card_session(c, c->auth_slot, false);
	tap_is_int(f->C_CloseSession(a), CKR_OK, "C_CloseSession");
	tap_is_int(f->C_CloseSession(a), CKR_SESSION_HANDLE_INVALID, "C_CloseSession twice");
}

/* The two tokens of one card, and two cards: a handle is valid only in its
 * own token's sessions (our module: each token has its own objects). */
static void test_wrong_token(struct p11_card *c, struct hard_key *auth, struct hard_key *sign)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_SESSION_HANDLE sa = p11_card_session(c, auth->slot, false);
	CK_SESSION_HANDLE ss = p11_card_session(c, sign->slot, false);
	CK_ATTRIBUTE t = {CKA_CLASS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);

	tap_is_int(hard_login(c, sa, auth), CKR_OK, "auth: login");
	tap_is_int(hard_login(c, ss, sign), CKR_OK, "sign: login");
	tap_is_int(f->C_SignInit(sa, &mech, sign->key), CKR_KEY_HANDLE_INVALID,
		   "the sign key in an auth session");
	tap_is_int(f->C_SignInit(ss, &mech, auth->key), CKR_KEY_HANDLE_INVALID,
		   "the auth key in a sign session");
	tap_is_int(f->C_GetAttributeValue(sa, sign->key, &t, 1), CKR_OBJECT_HANDLE_INVALID,
		   "the sign key's attributes through an auth session");
	tap_is_int(f->C_Sign(sa, data, sizeof(data), sig, &len), CKR_OPERATION_NOT_INITIALIZED,
		   "... no operation began");
	tap_is_int(hard_sign(c, sa, auth, data, sizeof(data)), CKR_OK,
		   "the auth session still signs with its own key");
	f->C_CloseSession(sa);
	f->C_CloseSession(ss);
}

static void test_other_card(void)
{
	struct p11_card c;
	struct hard_key auth1, sign1, auth2;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_SESSION_HANDLE s1, s2;

	p11_card_open(&c, 2);
	hard_keys_init(&c, &auth1, &sign1);
	auth2 = auth1;
	auth2.slot = p11_card_slot_by_label(&c, AUTH_LABEL, 1);
	auth2.pin = "4321"; /* the second fixture's (tests/sim/local.mk) */
	auth2.pub = NULL;
	s1 = p11_card_session(&c, auth1.slot, false);
	s2 = p11_card_session(&c, auth2.slot, false);
	tap_is_int(hard_login(&c, s1, &auth1), CKR_OK, "card 1: login");
	tap_is_int(hard_login(&c, s2, &auth2), CKR_OK, "card 2: login");
	tap_ok(auth1.key != auth2.key, "two cards: distinct key handles");
	tap_is_int(c.f->C_SignInit(s1, &mech, auth2.key), CKR_KEY_HANDLE_INVALID,
		   "card 2's key in a session of card 1");
	tap_is_int(c.f->C_SignInit(s2, &mech, auth1.key), CKR_KEY_HANDLE_INVALID,
		   "card 1's key in a session of card 2");
	c.f->C_CloseSession(s1);
	c.f->C_CloseSession(s2);
	hard_keys_free(&auth1, &sign1);
	p11_card_close(&c);
}

int main(void)
{
	struct p11_card c;
	struct hard_key auth = {0}, sign = {0};
	CK_SESSION_HANDLE s;

	p11_card_open(&c, 1);
	if (c.jpki) {
		hard_keys_init(&c, &auth, &sign);
	} else {
		auth.name = "auth";
		auth.slot = c.auth_slot;
		auth.pin = c.auth_pin;
		auth.id = 1;
	}
	s = p11_card_session(&c, c.auth_slot, true);
	tap_is_int(hard_login(&c, s, &auth), CKR_OK, "login, key found");
	test_null_pointers(&c, s, auth.key);
	test_bad_handles(&c, s);
	test_wrong_states(&c, s, auth.key);
	test_close_all(&c);
	if (c.jpki)
		test_wrong_token(&c, &auth, &sign);
	hard_keys_free(&auth, &sign);
	p11_card_close(&c);
	if (c.sim)
		test_other_card();
	return tap_done();
}
