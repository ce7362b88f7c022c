/* Card removal, reset and C_WaitForSlotEvent (spec 3.0 section 5.5), and two
 * cards at once: only on the emulator, whose cards the test moves through
 * jpki_sim_control. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "p11-card.h"
#include "tap.h"

static void test_removal(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false), s2;
	CK_SESSION_INFO info;
	CK_TOKEN_INFO token;
	CK_SLOT_INFO slot;
	CK_SLOT_ID event = 99;
	CK_ULONG n = 0;

	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_NO_EVENT,
		   "no event yet");
	tap_is_int(c->control("remove", 0), 0, "card removed");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_DEVICE_REMOVED,
		   "the session: device removed");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID, "... then invalid");
	tap_is_int(f->C_GetSlotInfo(c->auth_slot, &slot), CKR_OK, "the slot stays");
	tap_is_int(slot.flags & CKF_TOKEN_PRESENT, 0, "... without a token");
	tap_is_int(f->C_GetTokenInfo(c->auth_slot, &token), CKR_TOKEN_NOT_PRESENT, "token info");
	tap_is_int(f->C_OpenSession(c->auth_slot, CKF_SERIAL_SESSION, NULL, NULL, &s2),
		   CKR_TOKEN_NOT_PRESENT, "C_OpenSession: no token");
	tap_is_int(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK, "slots with a token");
	tap_is_int(n, 0, "... none");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_OK, "an event");
	tap_ok(event == c->auth_slot || event == c->sign_slot, "... on one of the card's slots");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_OK, "and the other");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &event, NULL), CKR_NO_EVENT, "no more");
	tap_is_int(c->control("insert", 0), 0, "card back");
	s = p11_card_session(c, c->auth_slot, false);
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "a new session");
	tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... logged out: no silent re-login");
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	tap_is_int(c->control("reset", 0), 0, "another process resets the card");
	/* The reset shows only when the card is used. */
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	CK_BYTE sig[256];
	CK_ULONG len = sizeof(sig);
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "sign init");
	tap_is_int(f->C_Sign(s, p11_pin("x"), 1, sig, &len), CKR_DEVICE_REMOVED,
		   "sign after the reset: device removed");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID,
		   "... and the session is gone");
	s = p11_card_session(c, c->auth_slot, false);
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "a new session");
	tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... logged out");
	f->C_CloseSession(s);
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

static void sign_with(struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE *sig, CK_ULONG *len)
{
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);

	*len = 256;
	if (c->f->C_SignInit(s, &mech, key) != CKR_OK ||
	    c->f->C_Sign(s, p11_pin("msg"), 3, sig, len) != CKR_OK)
		*len = 0;
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
	tap_is_int(c.f->C_Login(s2, CKU_USER, PIN("4321")), CKR_OK, "login to card 2");
	sign_with(&c, s1, sig1, &len1);
	sign_with(&c, s2, sig2, &len2);
	tap_ok(len1 == 256 && len2 == 256 && memcmp(sig1, sig2, 256) != 0,
	       "each signs with its own key");
	tap_is_int(c.control("remove", 0), 0, "remove card 1");
	tap_is_int(c.f->C_GetSessionInfo(s1, &info), CKR_DEVICE_REMOVED, "card 1's session");
	tap_is_int(c.f->C_GetSessionInfo(s2, &info), CKR_OK, "card 2's session");
	tap_is_int(info.state, CKS_RO_USER_FUNCTIONS, "... still logged in");
	sign_with(&c, s2, sig1, &len1);
	tap_ok(len1 == 256 && memcmp(sig1, sig2, 256) == 0, "... and signs");
	p11_card_close(&c);
}

int main(void)
{
	struct p11_card c;

	p11_card_open(&c, 1);
	if (!c.sim)
		tap_bail("removal and reset need the emulator (JPKI_P11_TARGET=sim)");
	test_removal(&c);
	test_blocking_wait(&c);
	p11_card_close(&c);
	test_two_cards();
	return tap_done();
}
