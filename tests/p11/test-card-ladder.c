/* The order of checks of every C_* function, rung by rung.
 *
 * Where a call can fail for several reasons the specification leaves the
 * order open; applications and conformance suites expect the reference's,
 * SoftHSMv2's: initialisation, then the handle (session or slot) and the
 * arguments in the order SoftHSMv2 checks them, then the operation's own
 * conditions.  SoftHSMv2 checks the arguments before the session handle in
 * the object, find and signing functions and in C_GenerateRandom and
 * C_SeedRandom, and after it in the login functions and C_GetSessionInfo;
 * it checks the slot before the info pointer in C_GetSlotInfo and
 * C_GetTokenInfo, and "already initialized" before C_Initialize's arguments.
 * C_SignInit checks the key (handle, login, CKA_SIGN) before the mechanism,
 * as SoftHSMv2 does (the module checked the mechanism first until issue 19).
 *
 * Each rung is reached with every later rung broken too: a bad handle comes
 * with NULL pointers, a bad object with a bad session, and so on, so the
 * answer shows which check comes first.  The first rung,
 * CKR_CRYPTOKI_NOT_INITIALIZED, is test-not-initialized's.  The same binary
 * runs against the emulator, over tests/stack and against SoftHSMv2; where
 * SoftHSMv2 answers differently on a rung both have, p11_spec_or_ref says
 * why.  The functions the card can never serve get their last rung (the
 * refusal itself) from the module only: SoftHSMv2 performs most of them. */
#include <string.h>
#include <sys/stat.h>

#include "p11-card.h"
#include "tap.h"

#define BAD_SESSION ((CK_SESSION_HANDLE)0x5e55)
#define BAD_SLOT    ((CK_SLOT_ID)0x7777)
#define BAD_OBJECT  ((CK_OBJECT_HANDLE)0x0b1ec7)
#define BAD_MECH    ((CK_MECHANISM_TYPE)0x7777777)
#define BAD_USER    ((CK_USER_TYPE)0x777)

static CK_BYTE buf[512];
static CK_BYTE msg[] = "the order of checks";
static CK_BBOOL yes = CK_TRUE;
static CK_ATTRIBUTE token_tmpl[] = {{CKA_TOKEN, &yes, sizeof(yes)}};

static void ladder_general(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_C_INITIALIZE_ARGS bad = {.pReserved = &bad};

	tap_is_int(f->C_Initialize(&bad), CKR_CRYPTOKI_ALREADY_INITIALIZED,
		   "C_Initialize: already initialized before the arguments");
	tap_is_int(f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD, "C_GetInfo: arguments");
	tap_is_int(f->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetSlotList: arguments");
}

static void ladder_slot(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SLOT_ID slot = c->auth_slot;
	CK_MECHANISM_INFO info;
	CK_SESSION_HANDLE h = 99;
	CK_ULONG n = 0;

	tap_is_int(f->C_GetSlotInfo(BAD_SLOT, NULL), CKR_SLOT_ID_INVALID,
		   "C_GetSlotInfo: the slot before the arguments");
	tap_is_int(f->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD, "C_GetSlotInfo: arguments");
	tap_is_int(f->C_GetTokenInfo(BAD_SLOT, NULL), CKR_SLOT_ID_INVALID,
		   "C_GetTokenInfo: the slot before the arguments");
	tap_is_int(f->C_GetTokenInfo(slot, NULL), CKR_ARGUMENTS_BAD, "C_GetTokenInfo: arguments");
	tap_is_int(f->C_GetMechanismList(BAD_SLOT, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetMechanismList: the arguments before the slot");
	tap_is_int(f->C_GetMechanismList(BAD_SLOT, NULL, &n), CKR_SLOT_ID_INVALID,
		   "C_GetMechanismList: slot");
	tap_is_int(f->C_GetMechanismInfo(BAD_SLOT, BAD_MECH, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetMechanismInfo: the arguments before the slot");
	tap_is_int(f->C_GetMechanismInfo(BAD_SLOT, BAD_MECH, &info), CKR_SLOT_ID_INVALID,
		   "C_GetMechanismInfo: the slot before the mechanism");
	tap_is_int(f->C_GetMechanismInfo(slot, BAD_MECH, &info), CKR_MECHANISM_INVALID,
		   "C_GetMechanismInfo: mechanism");
	tap_is_int(f->C_OpenSession(BAD_SLOT, 0, NULL, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_OpenSession: the arguments before the slot");
	tap_is_int(f->C_OpenSession(BAD_SLOT, 0, NULL, NULL, &h), CKR_SLOT_ID_INVALID,
		   "C_OpenSession: the slot before the flags");
	tap_is_int(f->C_OpenSession(slot, 0, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED,
		   "C_OpenSession: flags");
	tap_is_int(f->C_CloseAllSessions(BAD_SLOT), CKR_SLOT_ID_INVALID,
		   "C_CloseAllSessions: slot");
	tap_is_int(f->C_InitToken(BAD_SLOT, NULL, 0, NULL), CKR_SLOT_ID_INVALID,
		   "C_InitToken: slot");
	/* SoftHSMv2 would go on to initialise its token: the module only. */
	if (c->jpki) {
		tap_is_int(f->C_InitToken(slot, NULL, 0, NULL), CKR_FUNCTION_NOT_SUPPORTED,
			   "C_InitToken: not supported");
		tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD,
			   "C_WaitForSlotEvent: arguments");
	}
}

/* Session management and login: the session handle before the arguments. */
static void ladder_session(struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	long verifies = p11_card_verifies(c);

	tap_is_int(f->C_CloseSession(BAD_SESSION), CKR_SESSION_HANDLE_INVALID,
		   "C_CloseSession: session");
	tap_is_int(f->C_GetSessionInfo(BAD_SESSION, NULL), CKR_SESSION_HANDLE_INVALID,
		   "C_GetSessionInfo: the session before the arguments");
	tap_is_int(f->C_GetSessionInfo(s, NULL), CKR_ARGUMENTS_BAD, "C_GetSessionInfo: arguments");
	tap_is_int(f->C_Login(BAD_SESSION, BAD_USER, NULL, 4), CKR_SESSION_HANDLE_INVALID,
		   "C_Login: the session before the arguments");
	tap_is_int(f->C_Login(s, BAD_USER, NULL, 4), CKR_ARGUMENTS_BAD,
		   "C_Login: the arguments before the user type");
	tap_is_int(f->C_Login(s, BAD_USER, PIN(c->auth_pin)), CKR_USER_TYPE_INVALID,
		   "C_Login: user type");
	tap_is_int(f->C_Logout(BAD_SESSION), CKR_SESSION_HANDLE_INVALID, "C_Logout: session");
	/* Spec 3.0 section 5.6.4 (C_Logout) lists CKR_USER_NOT_LOGGED_IN;
	 * SoftHSMv2 answers CKR_OK. */
	tap_is_int(f->C_Logout(s), p11_spec_or_ref(c, CKR_USER_NOT_LOGGED_IN, CKR_OK),
		   "C_Logout: not logged in");
	tap_is_int(f->C_SetPIN(BAD_SESSION, NULL, 4, NULL, 4), CKR_SESSION_HANDLE_INVALID,
		   "C_SetPIN: the session before the arguments");
	tap_is_int(f->C_SetPIN(s, NULL, 4, NULL, 4), CKR_ARGUMENTS_BAD,
		   "C_SetPIN: the arguments before the session's mode");
	tap_is_int(f->C_SetPIN(s, PIN(c->auth_pin), PIN(c->auth_pin)), CKR_SESSION_READ_ONLY,
		   "C_SetPIN: read-only session");
	if (c->jpki)
		tap_is_int(p11_card_verifies(c), verifies, "... no PIN reached the card");
}

/* Objects: the arguments before the session, the session before the object. */
static void ladder_object(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE crt)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_RV write = p11_spec_or_ref(c, CKR_TOKEN_WRITE_PROTECTED, CKR_SESSION_READ_ONLY);
	CK_ATTRIBUTE attr = {CKA_CLASS, NULL, 0};
	CK_OBJECT_HANDLE h = 77;
	CK_ULONG n = 0;

	/* Spec 3.0 section 5.1.6 puts CKR_TOKEN_WRITE_PROTECTED above
	 * CKR_SESSION_READ_ONLY; SoftHSMv2's token is writable. */
	tap_is_int(f->C_CreateObject(BAD_SESSION, NULL, 1, NULL), CKR_ARGUMENTS_BAD,
		   "C_CreateObject: the arguments before the session");
	tap_is_int(f->C_CreateObject(BAD_SESSION, token_tmpl, 1, &h), CKR_SESSION_HANDLE_INVALID,
		   "C_CreateObject: session");
	tap_is_int(f->C_CreateObject(s, token_tmpl, 1, &h),
		   p11_spec_or_ref(c, CKR_TOKEN_WRITE_PROTECTED, CKR_TEMPLATE_INCOMPLETE),
		   "C_CreateObject: write protection (SoftHSMv2: its template check)");
	tap_is_int(f->C_CopyObject(BAD_SESSION, BAD_OBJECT, NULL, 1, NULL), CKR_ARGUMENTS_BAD,
		   "C_CopyObject: the arguments before the session");
	tap_is_int(f->C_CopyObject(BAD_SESSION, BAD_OBJECT, token_tmpl, 1, &h),
		   CKR_SESSION_HANDLE_INVALID, "C_CopyObject: the session before the object");
	tap_is_int(f->C_CopyObject(s, BAD_OBJECT, token_tmpl, 1, &h), CKR_OBJECT_HANDLE_INVALID,
		   "C_CopyObject: object");
	tap_is_int(f->C_CopyObject(s, crt, token_tmpl, 1, &h), write,
		   "C_CopyObject: write protection");
	tap_is_int(f->C_DestroyObject(BAD_SESSION, BAD_OBJECT), CKR_SESSION_HANDLE_INVALID,
		   "C_DestroyObject: the session before the object");
	tap_is_int(f->C_DestroyObject(s, BAD_OBJECT), CKR_OBJECT_HANDLE_INVALID,
		   "C_DestroyObject: object");
	tap_is_int(f->C_DestroyObject(s, crt), write, "C_DestroyObject: write protection");
	tap_is_int(f->C_GetObjectSize(BAD_SESSION, BAD_OBJECT, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetObjectSize: the arguments before the session");
	tap_is_int(f->C_GetObjectSize(BAD_SESSION, BAD_OBJECT, &n), CKR_SESSION_HANDLE_INVALID,
		   "C_GetObjectSize: the session before the object");
	tap_is_int(f->C_GetObjectSize(s, BAD_OBJECT, &n), CKR_OBJECT_HANDLE_INVALID,
		   "C_GetObjectSize: object");
	tap_is_int(f->C_GetAttributeValue(BAD_SESSION, BAD_OBJECT, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_GetAttributeValue: the arguments before the session");
	tap_is_int(f->C_GetAttributeValue(BAD_SESSION, BAD_OBJECT, &attr, 1),
		   CKR_SESSION_HANDLE_INVALID,
		   "C_GetAttributeValue: the session before the object");
	tap_is_int(f->C_GetAttributeValue(s, BAD_OBJECT, &attr, 1), CKR_OBJECT_HANDLE_INVALID,
		   "C_GetAttributeValue: object");
	tap_is_int(f->C_SetAttributeValue(BAD_SESSION, BAD_OBJECT, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_SetAttributeValue: the arguments before the session");
	tap_is_int(f->C_SetAttributeValue(BAD_SESSION, BAD_OBJECT, token_tmpl, 1),
		   CKR_SESSION_HANDLE_INVALID,
		   "C_SetAttributeValue: the session before the object");
	tap_is_int(f->C_SetAttributeValue(s, BAD_OBJECT, token_tmpl, 1), CKR_OBJECT_HANDLE_INVALID,
		   "C_SetAttributeValue: object");
	tap_is_int(f->C_SetAttributeValue(s, crt, token_tmpl, 1), write,
		   "C_SetAttributeValue: write protection");

	tap_is_int(f->C_FindObjectsInit(BAD_SESSION, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_FindObjectsInit: the arguments before the session");
	tap_is_int(f->C_FindObjectsInit(BAD_SESSION, NULL, 0), CKR_SESSION_HANDLE_INVALID,
		   "C_FindObjectsInit: session");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OK, "C_FindObjectsInit");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OPERATION_ACTIVE,
		   "C_FindObjectsInit: operation active");
	tap_is_int(f->C_FindObjectsFinal(BAD_SESSION), CKR_SESSION_HANDLE_INVALID,
		   "C_FindObjectsFinal: session");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OK, "C_FindObjectsFinal");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED,
		   "C_FindObjectsFinal: no operation");
	tap_is_int(f->C_FindObjects(BAD_SESSION, NULL, 1, NULL), CKR_ARGUMENTS_BAD,
		   "C_FindObjects: the arguments before the session");
	tap_is_int(f->C_FindObjects(BAD_SESSION, &h, 1, &n), CKR_SESSION_HANDLE_INVALID,
		   "C_FindObjects: the session before the operation");
	tap_is_int(f->C_FindObjects(s, &h, 1, &n), CKR_OPERATION_NOT_INITIALIZED,
		   "C_FindObjects: no operation");
}

/* log_size: the emulator's APDU log so far, in bytes (0 without one). */
static off_t log_size(const struct p11_card *c)
{
	struct stat st;

	return c->apdu_log != NULL && stat(c->apdu_log, &st) == 0 ? st.st_size : 0;
}

/* C_SignInit's key before its mechanism, as SoftHSMv2: the object handle,
 * the login for a private key, CKA_SIGN, and only then the mechanism and its
 * parameters.  Each rung comes with a bad mechanism, so the answer shows
 * which check comes first; a key that fails costs no APDU (the card's PSS
 * question comes after the key's checks). */
static void ladder_sign_key(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE crt)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM bad = {BAD_MECH, NULL, 0};
	CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, NULL, 0}; /* its parameters missing */
	CK_OBJECT_HANDLE pub = p11_card_find_one(c, s, CKO_PUBLIC_KEY, 1);
	off_t apdus = log_size(c);

	tap_is_int(f->C_SignInit(s, &bad, BAD_OBJECT),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "C_SignInit: the key before the mechanism");
	tap_is_int(f->C_SignInit(s, &pss, BAD_OBJECT),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "C_SignInit: the key before a PSS mechanism's parameters");
	if (c->jpki)
		tap_ok(log_size(c) == apdus, "... no APDU for a bad key");
	/* Spec 3.0 section 5.11 (C_SignInit): a handle that is not a key is
	 * CKR_KEY_HANDLE_INVALID; SoftHSMv2 finds no CKA_SIGN on it. */
	tap_is_int(f->C_SignInit(s, &bad, crt),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_KEY_FUNCTION_NOT_PERMITTED),
		   "C_SignInit: a certificate before the mechanism");
	tap_ok(pub != CK_INVALID_HANDLE, "the public key (CKA_ID 01)");
	tap_is_int(f->C_SignInit(s, &bad, pub), CKR_KEY_FUNCTION_NOT_PERMITTED,
		   "C_SignInit: CKA_SIGN before the mechanism");
	tap_is_int(f->C_SignInit(s, &pss, pub), CKR_KEY_FUNCTION_NOT_PERMITTED,
		   "C_SignInit: CKA_SIGN before a PSS mechanism's parameters");
	if (c->jpki)
		tap_ok(log_size(c) == apdus, "... no APDU for a key that does not sign");
}

/* Signing: the mechanism or buffer pointers before the session, then the
 * operation; a bad-arguments failure still ends a running operation. */
static void ladder_sign(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE crt)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_MECHANISM bad = {BAD_MECH, NULL, 0};
	CK_ULONG len = sizeof(buf);
	CK_ATTRIBUTE label = {CKA_LABEL, NULL, 0};
	CK_OBJECT_HANDLE key;

	tap_is_int(f->C_SignInit(BAD_SESSION, NULL, BAD_OBJECT), CKR_ARGUMENTS_BAD,
		   "C_SignInit: the arguments before the session");
	tap_is_int(f->C_SignInit(BAD_SESSION, &mech, BAD_OBJECT), CKR_SESSION_HANDLE_INVALID,
		   "C_SignInit: the session before the key");
	/* Spec 3.0 section 5.11 (C_SignInit) lists CKR_KEY_HANDLE_INVALID;
	 * SoftHSMv2 answers CKR_OBJECT_HANDLE_INVALID. */
	tap_is_int(f->C_SignInit(s, &mech, BAD_OBJECT),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "C_SignInit: key");
	ladder_sign_key(c, s, crt);
	tap_is_int(f->C_Sign(BAD_SESSION, NULL, 4, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_Sign: the arguments before the session");
	tap_is_int(f->C_Sign(BAD_SESSION, msg, sizeof(msg), buf, &len), CKR_SESSION_HANDLE_INVALID,
		   "C_Sign: the session before the operation");
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), buf, &len), CKR_OPERATION_NOT_INITIALIZED,
		   "C_Sign: no operation");
	tap_is_int(f->C_SignUpdate(BAD_SESSION, NULL, 4), CKR_ARGUMENTS_BAD,
		   "C_SignUpdate: the arguments before the session");
	tap_is_int(f->C_SignUpdate(BAD_SESSION, msg, sizeof(msg)), CKR_SESSION_HANDLE_INVALID,
		   "C_SignUpdate: the session before the operation");
	tap_is_int(f->C_SignUpdate(s, msg, sizeof(msg)), CKR_OPERATION_NOT_INITIALIZED,
		   "C_SignUpdate: no operation");
	tap_is_int(f->C_SignFinal(BAD_SESSION, buf, NULL), CKR_ARGUMENTS_BAD,
		   "C_SignFinal: the arguments before the session");
	tap_is_int(f->C_SignFinal(BAD_SESSION, buf, &len), CKR_SESSION_HANDLE_INVALID,
		   "C_SignFinal: the session before the operation");
	tap_is_int(f->C_SignFinal(s, buf, &len), CKR_OPERATION_NOT_INITIALIZED,
		   "C_SignFinal: no operation");

	/* The key is private: its handle is found after the login (SoftHSMv2
	 * drops private handles at a logout, as spec 3.0 section 5.6 allows). */
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "C_SignInit");
	tap_is_int(f->C_SignInit(s, &mech, BAD_OBJECT), CKR_OPERATION_ACTIVE,
		   "C_SignInit: an active operation before the key");
	tap_is_int(f->C_SignUpdate(s, NULL, 4), CKR_ARGUMENTS_BAD, "C_SignUpdate: arguments");
	/* Spec 3.0 section 5.11 (C_SignUpdate): a failing call ends the
	 * operation.  SoftHSMv2 2.6 checks the arguments without the session
	 * and so keeps it (its issue 585, fixed for encryption later). */
	tap_is_int(f->C_SignUpdate(s, msg, sizeof(msg)),
		   p11_spec_or_ref(c, CKR_OPERATION_NOT_INITIALIZED, CKR_OK),
		   "... which ended the operation");
	f->C_SignFinal(s, buf, &len);
	tap_is_int(f->C_SignInit(s, &bad, key), CKR_MECHANISM_INVALID,
		   "C_SignInit: the key's checks passed, then the mechanism");
	tap_is_int(f->C_Logout(s), CKR_OK, "logout");
	/* A private key's handle from before the logout is invalid (spec 3.0
	 * section 5.6.4, C_Logout: the application's handles to private objects
	 * become invalid), for C_SignInit as for every call: the code of its
	 * list for a bad key handle, as for any handle it does not know;
	 * SoftHSMv2 answers CKR_OBJECT_HANDLE_INVALID. */
	tap_is_int(f->C_SignInit(s, &bad, key),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "C_SignInit: a private key's handle after the logout, before the mechanism");
	tap_is_int(f->C_GetAttributeValue(s, key, &label, 1), CKR_OBJECT_HANDLE_INVALID,
		   "... the same handle for C_GetAttributeValue");
}

/* What every function the card can never serve answers on each rung, and
 * the random-number functions' arguments, checked before the session. */
static void ladder_refused(struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_FUNCTION_LIST_3_0_PTR list = c->p11.list3;
	size_t i, count = 0;

	/* SoftHSMv2 2.6 is a 2.40 module: its list is the first part of the
	 * 3.0 layout (spec 3.0 section 3.6), so the 2.40 functions are reached
	 * through it and the 3.0 ones are the module's only. */
	if (list == NULL)
		memcpy(&list, &c->f, sizeof(list));
	for (i = 0; i < p11_function_count; i++) {
		const struct p11_function *fn = &p11_functions[i];
		bool in_list = c->p11.list3 != NULL || fn->offset < sizeof(CK_FUNCTION_LIST);
		bool shared = fn->unsupported_rv == CKR_FUNCTION_NOT_PARALLEL ||
			      strstr(fn->name, "OperationState") != NULL;

		if (!fn->unsupported || !in_list || strcmp(fn->name, "C_InitToken") == 0)
			continue;
		p11_call_session = BAD_SESSION;
		tap_is_int(fn->call(list), CKR_SESSION_HANDLE_INVALID, "%s: session", fn->name);
		p11_call_session = s;
		/* SoftHSMv2 performs the others; C_InitPIN needs its SO. */
		if (c->jpki || shared)
			tap_is_int(fn->call(list), fn->unsupported_rv, "%s: refused", fn->name);
		count++;
	}
	p11_call_session = BAD_SESSION;
	tap_is_int(count, c->p11.list3 != NULL ? 59 : 37, "every refused function but C_InitToken");
	tap_is_int(c->f->C_SeedRandom(BAD_SESSION, NULL, 4), CKR_ARGUMENTS_BAD,
		   "C_SeedRandom: the arguments before the session");
	tap_is_int(c->f->C_GenerateRandom(BAD_SESSION, NULL, 4), CKR_ARGUMENTS_BAD,
		   "C_GenerateRandom: the arguments before the session");
	if (c->sim) {
		/* The session rung includes the card's removal, as for every
		 * call with a session (call.h). */
		tap_is_int(c->control("remove", 0), 0, "card removed");
		tap_is_int(c->f->C_GenerateRandom(s, buf, 4), CKR_DEVICE_REMOVED,
			   "C_GenerateRandom: the card left");
		tap_is_int(c->control("insert", 0), 0, "card back");
	}
}

int main(void)
{
	struct p11_card c;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE crt;

	p11_card_open(&c, 1);
	s = p11_card_session(&c, c.auth_slot, false);
	crt = p11_card_find_one(&c, s, CKO_CERTIFICATE, 1);
	tap_ok(crt != CK_INVALID_HANDLE, "the certificate (CKA_ID 01)");
	ladder_general(&c);
	ladder_slot(&c);
	ladder_session(&c, s);
	ladder_object(&c, s, crt);
	ladder_sign(&c, s, crt);
	ladder_refused(&c, s);
	tap_is_int(c.f->C_Finalize(&c), CKR_ARGUMENTS_BAD, "C_Finalize: arguments");
	p11_card_close(&c);
	return tap_done();
}
