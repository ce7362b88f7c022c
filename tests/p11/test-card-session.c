/* Session management on a token (spec 3.0 section 5.6), ladder style:
 * bad arguments, bad slot, bad flags, then success; session info states;
 * read/write sessions; closing one, all, and the login shared by sessions. */
#include <string.h>

#include "p11-card.h"
#include "tap.h"

static void test_open(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = 99, s2 = 99;
	CK_SESSION_INFO info;

	tap_is_int(f->C_OpenSession(c->auth_slot, CKF_SERIAL_SESSION, NULL, NULL, NULL),
		   CKR_ARGUMENTS_BAD, "C_OpenSession: NULL phSession");
	tap_is_int(f->C_OpenSession(0x7777, CKF_SERIAL_SESSION, NULL, NULL, &s),
		   CKR_SLOT_ID_INVALID, "C_OpenSession: unknown slot");
	/* Spec 5.6: CKF_SERIAL_SESSION must be set (legacy parallel sessions). */
	tap_is_int(f->C_OpenSession(c->auth_slot, 0, NULL, NULL, &s),
		   CKR_SESSION_PARALLEL_NOT_SUPPORTED, "C_OpenSession without CKF_SERIAL_SESSION");
	tap_is_int(s, 99, "no handle written on failure");
	tap_is_int(f->C_OpenSession(c->auth_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK,
		   "read-only session");
	tap_ok(s != CK_INVALID_HANDLE, "... a valid handle");
	/* RW on a write-protected token: accepted (ssh needs it; SoftHSMv2 too). */
	tap_is_int(f->C_OpenSession(c->auth_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				    &s2),
		   CKR_OK, "read/write session");
	tap_ok(s2 != s, "... another handle");

	tap_is_int(f->C_GetSessionInfo(s, NULL), CKR_ARGUMENTS_BAD, "C_GetSessionInfo: NULL");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "C_GetSessionInfo (RO)");
	tap_is_int(info.slotID, c->auth_slot, "... slot");
	tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... CKS_RO_PUBLIC_SESSION");
	tap_is_int(info.flags, CKF_SERIAL_SESSION, "... flags");
	tap_is_int(f->C_GetSessionInfo(s2, &info), CKR_OK, "C_GetSessionInfo (RW)");
	tap_is_int(info.state, CKS_RW_PUBLIC_SESSION, "... CKS_RW_PUBLIC_SESSION");
	tap_is_int(info.flags, CKF_SERIAL_SESSION | CKF_RW_SESSION, "... flags");

	/* The login belongs to the token: every session of the application sees it. */
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login in the RO session");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "info after login");
	tap_is_int(info.state, CKS_RO_USER_FUNCTIONS, "... CKS_RO_USER_FUNCTIONS");
	tap_is_int(f->C_GetSessionInfo(s2, &info), CKR_OK, "the other session");
	tap_is_int(info.state, CKS_RW_USER_FUNCTIONS, "... CKS_RW_USER_FUNCTIONS");

	tap_is_int(f->C_CloseSession(s), CKR_OK, "close the first");
	tap_is_int(f->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID, "close it again");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID, "its info");
	tap_is_int(f->C_GetSessionInfo(s2, &info), CKR_OK, "the second still open");
	tap_is_int(info.state, CKS_RW_USER_FUNCTIONS, "... and still logged in");
	/* Spec 5.6.7: closing the last session logs the user out. */
	tap_is_int(f->C_CloseSession(s2), CKR_OK, "close the last one");
	s = p11_card_session(c, c->auth_slot, false);
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "a new session");
	tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... logged out");
	tap_is_int(f->C_CloseSession(s), CKR_OK, "closed");
}

static void test_close_all(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s[3];
	CK_SESSION_INFO info;
	CK_TOKEN_INFO token;
	int i;

	for (i = 0; i < 3; i++)
		s[i] = p11_card_session(c, c->auth_slot, i == 2);
	tap_is_int(f->C_GetTokenInfo(c->auth_slot, &token), CKR_OK, "token info");
	/* Spec 3.0 section 3.2 (CK_TOKEN_INFO) allows CK_UNAVAILABLE_INFORMATION
	 * here, which SoftHSMv2 answers; the module counts. */
	tap_is_int(token.ulSessionCount, p11_spec_or_ref(c, 3, CK_UNAVAILABLE_INFORMATION),
		   "... 3 sessions");
	tap_is_int(token.ulRwSessionCount, p11_spec_or_ref(c, 1, CK_UNAVAILABLE_INFORMATION),
		   "... 1 read/write");
	tap_is_int(f->C_CloseAllSessions(0x7777), CKR_SLOT_ID_INVALID,
		   "C_CloseAllSessions: unknown slot");
	tap_is_int(f->C_CloseAllSessions(c->auth_slot), CKR_OK, "C_CloseAllSessions");
	for (i = 0; i < 3; i++)
		tap_is_int(f->C_GetSessionInfo(s[i], &info), CKR_SESSION_HANDLE_INVALID,
			   "session %d closed", i);
	tap_is_int(f->C_GetTokenInfo(c->auth_slot, &token), CKR_OK, "token info");
	tap_is_int(token.ulSessionCount, p11_spec_or_ref(c, 0, CK_UNAVAILABLE_INFORMATION),
		   "... no session");
}

static void test_two_tokens(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE a, s;
	CK_SESSION_INFO info;

	if (!c->jpki)
		return;
	a = p11_card_session(c, c->auth_slot, false);
	s = p11_card_session(c, c->sign_slot, false);
	tap_is_int(f->C_Login(a, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login to the auth token");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "the sign token's session");
	tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... is not logged in: its own PIN");
	tap_is_int(f->C_CloseAllSessions(c->auth_slot), CKR_OK, "close the auth token's");
	tap_is_int(f->C_GetSessionInfo(s, &info), CKR_OK, "the sign token's session is left");
	tap_is_int(f->C_CloseSession(s), CKR_OK, "closed");
}

/* Slot IDs are stable while the module is loaded, and an application may
 * remember one (from a configuration, or an earlier initialisation) and
 * open a session on it without listing the slots first. */
static void test_open_before_listing(struct p11_card *c)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_TOKEN_INFO info;

	tap_is_int(c->f->C_Finalize(NULL), CKR_OK, "re-initialise: C_Finalize");
	tap_is_int(c->f->C_Initialize(NULL), CKR_OK, "re-initialise: C_Initialize");
	tap_is_int(c->f->C_OpenSession(c->auth_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK,
		   "C_OpenSession on a known slot ID before any C_GetSlotList");
	tap_is_int(c->f->C_GetTokenInfo(c->auth_slot, &info), CKR_OK,
		   "and its token answers C_GetTokenInfo");
	tap_ok(memcmp(info.label, AUTH_LABEL, strlen(AUTH_LABEL)) == 0, "the same token as before");
	if (s != CK_INVALID_HANDLE)
		c->f->C_CloseSession(s);
}

int main(void)
{
	struct p11_card c;

	p11_card_open(&c, 1);
	test_open(&c);
	test_close_all(&c);
	test_two_tokens(&c);
	if (c.jpki)
		test_open_before_listing(&c);
	p11_card_close(&c);
	return tap_done();
}
