/* Card removal, reset and C_WaitForSlotEvent (spec 3.0 section 5.5), and two
 * cards at once: on the emulator (jpki_sim_control moves the cards) and over
 * tests/stack (tests/stack remove/insert, a reset by card-roundtrip; two
 * cards when the stack was started with --second-card). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p11-card.h"
#include "tap.h"

static CK_ULONG present_slots(struct p11_card *c)
{
	CK_ULONG n = 99;

	c->f->C_GetSlotList(CK_TRUE, NULL, &n);
	return n;
}

/* sign_auth: C_SignInit and C_Sign with the auth key (CKA_ID 01) of the
 * session's token; the C_Sign result, the signature in sig. */
static CK_RV sign_auth(struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE *sig, CK_ULONG *len)
{
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	CK_RV rv = c->f->C_SignInit(s, &mech, key);

	*len = 256;
	if (rv == CKR_OK)
		rv = c->f->C_Sign(s, p11_pin("msg"), 3, sig, len);
	return rv;
}

/* Removal between C_Login and C_Sign (spec 3.0 section 5.1.2: the token was
 * removed, CKR_DEVICE_REMOVED; its sessions are then closed), and a new
 * session and login after re-insertion, in the same process. */
static void test_removal(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false), s2;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_SESSION_INFO info;
	CK_TOKEN_INFO token;
	CK_SLOT_INFO slot;
	CK_SLOT_ID event = 99;
	CK_ULONG n = present_slots(c), len = 256;
	CK_BYTE sig[256];
	long mark;

	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_NO_EVENT,
		   "no event yet");
	tap_is_int(f->C_SignInit(s, &mech, p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1)), CKR_OK,
		   "sign init");
	tap_is_int(c->control("remove", 0), 0, "card removed");
	tap_is_int(f->C_Sign(s, p11_pin("msg"), 3, sig, &len), CKR_DEVICE_REMOVED,
		   "C_Sign: device removed");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID,
		   "... then the session is invalid");
	tap_is_int(f->C_Logout(s), CKR_SESSION_HANDLE_INVALID, "... for every call");
	tap_is_int(f->C_GetSlotInfo(c->auth_slot, &slot), CKR_OK, "the slot stays");
	tap_is_int(slot.flags & CKF_TOKEN_PRESENT, 0, "... without a token");
	tap_is_int(f->C_GetTokenInfo(c->auth_slot, &token), CKR_TOKEN_NOT_PRESENT, "token info");
	tap_is_int(f->C_OpenSession(c->auth_slot, CKF_SERIAL_SESSION, NULL, NULL, &s2),
		   CKR_TOKEN_NOT_PRESENT, "C_OpenSession: no token");
	tap_is_int(present_slots(c), n - 2, "two slots with a token fewer");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_OK, "an event");
	tap_ok(event == c->auth_slot || event == c->sign_slot, "... on one of the card's slots");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_OK, "and the other");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_NO_EVENT, "no more");
	tap_is_int(c->control("insert", 0), 0, "card back");
	tap_is_int(present_slots(c), n, "the tokens are back");
	s = p11_card_session(c, c->auth_slot, false);
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "a new session");
	tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... logged out: no silent re-login");
	tap_is_int(sign_auth(c, s, sig, &len), CKR_KEY_HANDLE_INVALID,
		   "no signature without a login (the key is private)");
	mark = p11_card_verifies(c);
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	tap_is_int(p11_card_verifies(c) - mark, 1, "... one VERIFY");
	tap_is_int(sign_auth(c, s, sig, &len), CKR_OK, "sign");
	tap_ok(p11_card_signature_ok(c, s, 1, "SHA256", "msg", 3, sig, len),
	       "... verifies with the auth certificate");
	f->C_CloseSession(s);
	while (f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL) == CKR_OK)
		;
}

/* A reset by another process between C_Login and C_Sign: the card forgot
 * the PIN.  Never a signature, never a VERIFY the application did not ask
 * for; a new login works. */
static void test_reset(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false), s2;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE key;
	CK_SESSION_INFO info;
	CK_BYTE sig[256];
	CK_ULONG len = sizeof(sig);
	CK_RV rv;
	long mark;

	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "sign init");
	tap_is_int(c->control("reset", 0), 0, "another process resets the card");
	mark = p11_card_verifies(c);
	rv = f->C_Sign(s, p11_pin("x"), 1, sig, &len);
	tap_ok(rv == CKR_DEVICE_REMOVED || rv == CKR_USER_NOT_LOGGED_IN,
	       "C_Sign after the reset: CKR_DEVICE_REMOVED or CKR_USER_NOT_LOGGED_IN (0x%lx)", rv);
	tap_is_int(p11_card_verifies(c) - mark, 0, "... no VERIFY sent: no silent re-login");
	if (rv == CKR_DEVICE_REMOVED) {
		tap_is_int(f->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID,
			   "... and the session is gone");
		s = p11_card_session(c, c->auth_slot, false);
	}
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "a session");
	tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... logged out");
	s2 = p11_card_session(c, c->auth_slot, false);
	tap_is_int(f->C_Login(s2, CKU_USER, PIN(c->auth_pin)), CKR_OK, "a new login");
	tap_is_int(p11_card_verifies(c) - mark, 1, "... one VERIFY");
	tap_is_int(sign_auth(c, s2, sig, &len), CKR_OK, "sign");
	tap_ok(p11_card_signature_ok(c, s2, 1, "SHA256", "msg", 3, sig, len),
	       "... verifies with the auth certificate");
	f->C_CloseAllSessions(c->auth_slot);
}

struct waiter {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_RV rv;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->rv = w->f->C_WaitForSlotEvent(0, &w->slot, NULL);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_blocking_wait(struct p11_card *c)
{
	struct waiter w = {c->f, 99, 0};
	pthread_t t;
	double start;

	pthread_create(&t, NULL, wait_thread, &w);
	nanosleep(&(struct timespec){0, 200000000L}, NULL);
	tap_is_int(c->control("remove", 0), 0, "remove while a thread waits");
	pthread_join(t, NULL);
	tap_is_int(w.rv, CKR_OK, "the blocking wait returned an event");
	tap_ok(w.slot == c->auth_slot || w.slot == c->sign_slot, "... on the card's slot");
	c->control("insert", 0);
	c->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &w.slot, NULL);
	while (c->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &w.slot, NULL) == CKR_OK)
		;
	/* C_Finalize must end a blocked wait promptly (Firefox exits that way). */
	w.rv = 0;
	pthread_create(&t, NULL, wait_thread, &w);
	nanosleep(&(struct timespec){0, 200000000L}, NULL);
	start = now_s();
	tap_is_int(c->f->C_Finalize(NULL), CKR_OK, "C_Finalize while a thread waits");
	pthread_join(t, NULL);
	tap_ok(now_s() - start < 2.0, "... returned promptly");
	tap_is_int(w.rv, CKR_CRYPTOKI_NOT_INITIALIZED, "the wait: CKR_CRYPTOKI_NOT_INITIALIZED");
	tap_is_int(c->f->C_Initialize(NULL), CKR_OK, "initialize again");
}

static void test_two_cards(void)
{
	struct p11_card c;
	CK_SLOT_ID auth2;
	CK_TOKEN_INFO t1, t2;
	CK_SESSION_HANDLE s1, s2;
	CK_SESSION_INFO info;
	CK_BYTE sig1[256], sig2[256];
	CK_ULONG n = 0, len1, len2;

	p11_card_open(&c, 2);
	tap_is_int(c.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK, "two cards: slots");
	tap_is_int(n, 4, "... four tokens");
	auth2 = p11_card_slot_by_label(&c, AUTH_LABEL, 1);
	c.f->C_GetTokenInfo(c.auth_slot, &t1);
	c.f->C_GetTokenInfo(auth2, &t2);
	tap_ok(memcmp(t1.serialNumber, t2.serialNumber, 16) != 0, "distinct serials");
	s1 = p11_card_session(&c, c.auth_slot, false);
	s2 = p11_card_session(&c, auth2, false);
	tap_is_int(c.f->C_Login(s1, CKU_USER, PIN(c.auth_pin)), CKR_OK, "login to card 1");
	tap_is_int(c.f->C_Login(s2, CKU_USER, PIN(c.auth_pin)), CKR_PIN_INCORRECT,
		   "card 2 has its own PIN");
	tap_is_int(c.f->C_Login(s2, CKU_USER, PIN(c.auth_pin2)), CKR_OK, "login to card 2");
	tap_is_int(sign_auth(&c, s1, sig1, &len1), CKR_OK, "card 1 signs");
	tap_is_int(sign_auth(&c, s2, sig2, &len2), CKR_OK, "card 2 signs");
	tap_ok(p11_card_signature_ok(&c, s1, 1, "SHA256", "msg", 3, sig1, len1),
	       "... card 1's signature verifies with card 1's certificate");
	tap_ok(p11_card_signature_ok(&c, s2, 1, "SHA256", "msg", 3, sig2, len2),
	       "... card 2's with card 2's");
	tap_ok(!p11_card_signature_ok(&c, s2, 1, "SHA256", "msg", 3, sig1, len1),
	       "... and not with the other's");
	tap_is_int(c.control("remove", 0), 0, "remove card 1");
	tap_is_int(c.f->C_GetSessionInfo(s1, &info), CKR_DEVICE_REMOVED, "card 1's session");
	tap_is_int(c.f->C_GetSessionInfo(s2, &info), CKR_OK, "card 2's session");
	tap_is_int(info.state, CKS_RO_USER_FUNCTIONS, "... still logged in");
	tap_is_int(sign_auth(&c, s2, sig1, &len1), CKR_OK, "... and signs");
	tap_ok(len1 == len2 && memcmp(sig1, sig2, len2) == 0, "... the same signature");
	tap_is_int(c.control("insert", 0), 0, "card 1 back");
	p11_card_close(&c);
}

int main(void)
{
	struct p11_card c;

	p11_card_open(&c, 1);
	if (c.control == NULL)
		tap_bail("removal and reset need the emulator or tests/stack");
	test_removal(&c);
	test_reset(&c);
	test_blocking_wait(&c);
	p11_card_close(&c);
	/* Over tests/stack only with --second-card. */
	if (c.sim || getenv("JPKI_READER2") != NULL)
		test_two_cards();
	return tap_done();
}
