/* The module's whole flow and the promises it keeps: see fuzz-p11-run.h. */
#include "fuzz-p11-run.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkcs11.h"

#define MAX_OBJECTS 32
#define MAX_MECHS   16
#define SIG_LEN	    256 /* RSA-2048, both keys */
#define GUARD	    16	/* bytes past the caller's buffer that must stay untouched */
#define ATTR_MAX    65536

const struct fuzz_pin fuzz_p11_pins[] = {
	{FUZZ_P11_AUTH_PIN, FUZZ_AP_JPKI, 0x0018},
	{FUZZ_P11_NEW_AUTH_PIN, FUZZ_AP_JPKI, 0x0018},
	{FUZZ_P11_WRONG_AUTH_PIN, FUZZ_AP_JPKI, 0x0018},
	{FUZZ_P11_SIGN_PIN, FUZZ_AP_JPKI, 0x001B},
	{FUZZ_P11_NEW_SIGN_PIN, FUZZ_AP_JPKI, 0x001B},
	{FUZZ_P11_WRONG_SIGN_PIN, FUZZ_AP_JPKI, 0x001B},
	{NULL, FUZZ_AP_UNKNOWN, 0},
};

/* Per token (slot 0 auth, slot 1 sign): its PINs and a malformed one. */
static const struct {
	const char *pin, *new_pin, *wrong_pin, *malformed, *bad_new;
} fuzz_p11_tokens[2] = {
	{FUZZ_P11_AUTH_PIN, FUZZ_P11_NEW_AUTH_PIN, FUZZ_P11_WRONG_AUTH_PIN, "12a4", "12"},
	{FUZZ_P11_SIGN_PIN, FUZZ_P11_NEW_SIGN_PIN, FUZZ_P11_WRONG_SIGN_PIN, "ABC", "ONLYLETTERS"},
};

/* Every attribute an object of the module can have, and a few it cannot. */
static const CK_ATTRIBUTE_TYPE fuzz_p11_attrs[] = {
	CKA_CLASS,
	CKA_TOKEN,
	CKA_PRIVATE,
	CKA_MODIFIABLE,
	CKA_COPYABLE,
	CKA_DESTROYABLE,
	CKA_LABEL,
	CKA_ID,
	CKA_PROFILE_ID,
	CKA_CERTIFICATE_TYPE,
	CKA_CERTIFICATE_CATEGORY,
	CKA_SUBJECT,
	CKA_ISSUER,
	CKA_SERIAL_NUMBER,
	CKA_VALUE,
	CKA_START_DATE,
	CKA_END_DATE,
	CKA_CHECK_VALUE,
	CKA_PUBLIC_KEY_INFO,
	CKA_TRUSTED,
	CKA_URL,
	CKA_HASH_OF_SUBJECT_PUBLIC_KEY,
	CKA_HASH_OF_ISSUER_PUBLIC_KEY,
	CKA_NAME_HASH_ALGORITHM,
	CKA_JAVA_MIDP_SECURITY_DOMAIN,
	CKA_KEY_TYPE,
	CKA_MODULUS,
	CKA_MODULUS_BITS,
	CKA_PUBLIC_EXPONENT,
	CKA_PRIVATE_EXPONENT,
	CKA_PRIME_1,
	CKA_PRIME_2,
	CKA_EXPONENT_1,
	CKA_EXPONENT_2,
	CKA_COEFFICIENT,
	CKA_LOCAL,
	CKA_DERIVE,
	CKA_KEY_GEN_MECHANISM,
	CKA_ALLOWED_MECHANISMS,
	CKA_VERIFY,
	CKA_ENCRYPT,
	CKA_WRAP,
	CKA_VERIFY_RECOVER,
	CKA_WRAP_WITH_TRUSTED,
	CKA_SIGN,
	CKA_DECRYPT,
	CKA_SIGN_RECOVER,
	CKA_UNWRAP,
	CKA_SENSITIVE,
	CKA_EXTRACTABLE,
	CKA_ALWAYS_SENSITIVE,
	CKA_NEVER_EXTRACTABLE,
	CKA_ALWAYS_AUTHENTICATE,
	CKA_VALUE_LEN,
	CKA_APPLICATION,
	CKA_OBJECT_ID,
	CKA_VENDOR_DEFINED,
	0x7FFFFFF0UL,
};

#define ATTR_COUNT (sizeof(fuzz_p11_attrs) / sizeof(fuzz_p11_attrs[0]))

/* The return codes the spec allows each function (PKCS#11 3.0 section 5),
 * beyond the universal ones (5.1.1: CKR_OK, CKR_GENERAL_ERROR,
 * CKR_HOST_MEMORY, CKR_FUNCTION_FAILED), those of functions that take a
 * session (5.1.2) and those of functions that use a token (5.1.3).  The
 * module is initialized all along: CKR_CRYPTOKI_NOT_INITIALIZED is a bug. */
enum fuzz_p11_fn {
	FN_INITIALIZE,
	FN_FINALIZE,
	FN_SLOT_LIST,
	FN_SLOT_INFO,
	FN_TOKEN_INFO,
	FN_MECH_LIST,
	FN_OPEN_SESSION,
	FN_CLOSE_ALL,
	FN_SESSION_INFO,
	FN_LOGIN,
	FN_LOGIN_MALFORMED,
	FN_LOGOUT,
	FN_SET_PIN,
	FN_FIND_INIT,
	FN_FIND,
	FN_FIND_FINAL,
	FN_GET_ATTR,
	FN_SIGN_INIT,
	FN_SIGN,
	FN_WAIT,
	FN_COUNT
};

static const struct {
	const char *name;
	bool session, token;
	CK_RV codes[16]; /* ended by 0 (CKR_OK is universal) */
} fuzz_p11_rvs[FN_COUNT] = {
	[FN_INITIALIZE] = {"C_Initialize",
			   false,
			   false,
			   {CKR_ARGUMENTS_BAD, CKR_CANT_LOCK, CKR_CRYPTOKI_ALREADY_INITIALIZED,
			    CKR_NEED_TO_CREATE_THREADS}},
	[FN_FINALIZE] = {"C_Finalize", false, false, {CKR_ARGUMENTS_BAD}},
	[FN_SLOT_LIST] = {"C_GetSlotList", false, false, {CKR_ARGUMENTS_BAD, CKR_BUFFER_TOO_SMALL}},
	[FN_SLOT_INFO] = {"C_GetSlotInfo", false, true, {CKR_ARGUMENTS_BAD, CKR_SLOT_ID_INVALID}},
	[FN_TOKEN_INFO] = {"C_GetTokenInfo",
			   false,
			   true,
			   {CKR_ARGUMENTS_BAD, CKR_SLOT_ID_INVALID, CKR_TOKEN_NOT_RECOGNIZED}},
	[FN_MECH_LIST] = {"C_GetMechanismList",
			  false,
			  true,
			  {CKR_ARGUMENTS_BAD, CKR_BUFFER_TOO_SMALL, CKR_SLOT_ID_INVALID,
			   CKR_TOKEN_NOT_RECOGNIZED}},
	[FN_OPEN_SESSION] = {"C_OpenSession",
			     false,
			     true,
			     {CKR_ARGUMENTS_BAD, CKR_SESSION_COUNT,
			      CKR_SESSION_PARALLEL_NOT_SUPPORTED, CKR_SESSION_READ_WRITE_SO_EXISTS,
			      CKR_SLOT_ID_INVALID, CKR_TOKEN_NOT_RECOGNIZED,
			      CKR_TOKEN_WRITE_PROTECTED}},
	[FN_CLOSE_ALL] = {"C_CloseAllSessions", false, true, {CKR_SLOT_ID_INVALID}},
	[FN_SESSION_INFO] = {"C_GetSessionInfo", true, true, {CKR_ARGUMENTS_BAD}},
	[FN_LOGIN] = {"C_Login",
		      true,
		      true,
		      {CKR_ARGUMENTS_BAD, CKR_FUNCTION_CANCELED, CKR_OPERATION_NOT_INITIALIZED,
		       CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_SESSION_READ_ONLY_EXISTS,
		       CKR_USER_ALREADY_LOGGED_IN, CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
		       CKR_USER_PIN_NOT_INITIALIZED, CKR_USER_TOO_MANY_TYPES,
		       CKR_USER_TYPE_INVALID}},
	/* A PIN of the wrong format: refused before the card (token.h) with the
	 * codes the module chose for it (as OpenSC does), or the call's usual
	 * session and token errors. */
	[FN_LOGIN_MALFORMED] = {"C_Login (malformed PIN)",
				true,
				true,
				{CKR_PIN_INVALID, CKR_PIN_LEN_RANGE, CKR_USER_ALREADY_LOGGED_IN}},
	[FN_LOGOUT] = {"C_Logout", true, true, {CKR_USER_NOT_LOGGED_IN}},
	[FN_SET_PIN] = {"C_SetPIN",
			true,
			true,
			{CKR_ARGUMENTS_BAD, CKR_FUNCTION_CANCELED, CKR_PIN_INCORRECT,
			 CKR_PIN_INVALID, CKR_PIN_LEN_RANGE, CKR_PIN_LOCKED, CKR_SESSION_READ_ONLY,
			 CKR_TOKEN_WRITE_PROTECTED}},
	[FN_FIND_INIT] = {"C_FindObjectsInit",
			  true,
			  true,
			  {CKR_ARGUMENTS_BAD, CKR_ATTRIBUTE_TYPE_INVALID,
			   CKR_ATTRIBUTE_VALUE_INVALID, CKR_OPERATION_ACTIVE, CKR_PIN_EXPIRED}},
	[FN_FIND] = {"C_FindObjects",
		     true,
		     true,
		     {CKR_ARGUMENTS_BAD, CKR_OPERATION_NOT_INITIALIZED}},
	[FN_FIND_FINAL] = {"C_FindObjectsFinal",
			   true,
			   true,
			   {CKR_ARGUMENTS_BAD, CKR_OPERATION_NOT_INITIALIZED}},
	[FN_GET_ATTR] = {"C_GetAttributeValue",
			 true,
			 true,
			 {CKR_ARGUMENTS_BAD, CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID,
			  CKR_BUFFER_TOO_SMALL, CKR_OBJECT_HANDLE_INVALID}},
	[FN_SIGN_INIT] = {"C_SignInit",
			  true,
			  true,
			  {CKR_ARGUMENTS_BAD, CKR_FUNCTION_CANCELED, CKR_KEY_FUNCTION_NOT_PERMITTED,
			   CKR_KEY_HANDLE_INVALID, CKR_KEY_SIZE_RANGE, CKR_KEY_TYPE_INCONSISTENT,
			   CKR_MECHANISM_INVALID, CKR_MECHANISM_PARAM_INVALID, CKR_OPERATION_ACTIVE,
			   CKR_PIN_EXPIRED, CKR_USER_NOT_LOGGED_IN}},
	[FN_SIGN] = {"C_Sign",
		     true,
		     true,
		     {CKR_ARGUMENTS_BAD, CKR_BUFFER_TOO_SMALL, CKR_DATA_INVALID, CKR_DATA_LEN_RANGE,
		      CKR_FUNCTION_CANCELED, CKR_OPERATION_NOT_INITIALIZED, CKR_USER_NOT_LOGGED_IN,
		      CKR_FUNCTION_REJECTED, CKR_TOKEN_RESOURCE_EXCEEDED}},
	[FN_WAIT] = {"C_WaitForSlotEvent", false, false, {CKR_ARGUMENTS_BAD, CKR_NO_EVENT}},
};

static bool fuzz_p11_rv_allowed(enum fuzz_p11_fn fn, CK_RV rv)
{
	size_t i;

	if (rv == CKR_OK || rv == CKR_GENERAL_ERROR || rv == CKR_HOST_MEMORY ||
	    rv == CKR_FUNCTION_FAILED)
		return true;
	if (fuzz_p11_rvs[fn].session &&
	    (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED))
		return true;
	if (fuzz_p11_rvs[fn].token && (rv == CKR_DEVICE_MEMORY || rv == CKR_DEVICE_ERROR ||
				       rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT))
		return true;
	for (i = 0; i < sizeof(fuzz_p11_rvs[fn].codes) / sizeof(CK_RV) && fuzz_p11_rvs[fn].codes[i];
	     i++)
		if (fuzz_p11_rvs[fn].codes[i] == rv)
			return true;
	return false;
}

/* FUZZ_P11_TRACE set: every call and its code on stderr (to read a crash input). */
static bool fuzz_p11_trace;

struct fuzz_p11 {
	CK_FUNCTION_LIST *f;
	const struct fuzz_p11_env *env;
	unsigned flags;
	/* The transport's counters before the current call. */
	unsigned pin_tries, verifies, signs, sent;
};

static unsigned fuzz_p11_pin_tries(const struct fuzz_p11 *p)
{
	return p->env->ft != NULL ? fuzz_transport_pin_tries(p->env->ft) : 0;
}

static unsigned fuzz_p11_verifies(const struct fuzz_p11 *p)
{
	return p->env->ft != NULL ? fuzz_transport_verifies(p->env->ft) : 0;
}

static unsigned fuzz_p11_signs(const struct fuzz_p11 *p)
{
	return p->env->ft != NULL ? fuzz_transport_signs(p->env->ft) : 0;
}

static void fuzz_p11_before(struct fuzz_p11 *p)
{
	p->pin_tries = fuzz_p11_pin_tries(p);
	p->verifies = fuzz_p11_verifies(p);
	p->signs = fuzz_p11_signs(p);
}

/* fuzz_p11_after: what holds after every call: a code the spec allows, at
 * most one PIN try (C_SetPIN: the old PIN's VERIFY and the CHANGE), no PIN
 * at all from a call that takes none, no card transaction left open. */
static CK_RV fuzz_p11_after(struct fuzz_p11 *p, enum fuzz_p11_fn fn, CK_RV rv)
{
	unsigned tries = fuzz_p11_pin_tries(p) - p->pin_tries;

	if (fuzz_p11_trace)
		fprintf(stderr, "fuzz-p11: %s = 0x%lx\n", fuzz_p11_rvs[fn].name, rv);
	if (!fuzz_p11_rv_allowed(fn, rv)) {
		fprintf(stderr, "%s returned 0x%08lx\n", fuzz_p11_rvs[fn].name, rv);
		fuzz_assert_fail("a return code the spec allows", __FILE__, __LINE__);
	}
	FUZZ_ASSERT(fuzz_p11_verifies(p) - p->verifies <= 1);
	if (fn == FN_SET_PIN)
		FUZZ_ASSERT(tries <= 2);
	else if (fn == FN_LOGIN)
		FUZZ_ASSERT(tries <= 1);
	else
		FUZZ_ASSERT(tries == 0);
	if (fn != FN_SIGN)
		FUZZ_ASSERT(fuzz_p11_signs(p) == p->signs);
	if (p->env->ft != NULL)
		FUZZ_ASSERT(!fuzz_transport_in_transaction(p->env->ft));
	return rv;
}

/* CALL: one call through the function list, checked. */
#define CALL(p, fn, expr) (fuzz_p11_before(p), fuzz_p11_after((p), (fn), (expr)))

/* A PIN as the application passes it: a writable copy (the API takes no const). */
struct fuzz_p11_pin {
	CK_UTF8CHAR s[32];
	CK_ULONG len;
};

static struct fuzz_p11_pin *fuzz_p11_pin(struct fuzz_p11_pin *pin, const char *value)
{
	pin->len = strlen(value);
	FUZZ_ASSERT(pin->len <= sizeof(pin->s));
	memcpy(pin->s, value, pin->len);
	return pin;
}

static void fuzz_p11_step(const struct fuzz_p11 *p)
{
	if (p->env->step != NULL)
		p->env->step(p->env->ctx);
}

/* fuzz_p11_padded: a blank-padded PKCS#11 text field: printable, no NUL. */
static void fuzz_p11_padded(const CK_UTF8CHAR *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		FUZZ_ASSERT(s[i] >= 0x20 && s[i] < 0x7F);
}

static void fuzz_p11_slot_list(struct fuzz_p11 *p)
{
	CK_SLOT_ID list[4];
	CK_ULONG n = 0, cap, i, j;
	CK_RV rv;
	int present;

	/* One reader, two slots, with or without a card. */
	rv = CALL(p, FN_SLOT_LIST, p->f->C_GetSlotList(CK_FALSE, NULL, &n));
	FUZZ_ASSERT(rv == CKR_OK && n == 2);
	cap = 1;
	rv = CALL(p, FN_SLOT_LIST, p->f->C_GetSlotList(CK_FALSE, list, &cap));
	FUZZ_ASSERT(rv == CKR_BUFFER_TOO_SMALL && cap == 2);
	cap = n;
	rv = CALL(p, FN_SLOT_LIST, p->f->C_GetSlotList(CK_FALSE, list, &cap));
	FUZZ_ASSERT(rv == CKR_OK && cap == 2 && list[0] == 0 && list[1] == 1);
	for (present = 0; present < 2; present++) {
		fuzz_p11_step(p);
		n = 99;
		rv = CALL(p, FN_SLOT_LIST, p->f->C_GetSlotList(CK_TRUE, NULL, &n));
		/* Both tokens of a card come and go together. */
		FUZZ_ASSERT(rv == CKR_OK && (n == 0 || n == 2));
		cap = n;
		rv = CALL(p, FN_SLOT_LIST, p->f->C_GetSlotList(CK_TRUE, list, &cap));
		if (rv == CKR_BUFFER_TOO_SMALL) {
			FUZZ_ASSERT(cap > n);
			continue;
		}
		FUZZ_ASSERT(rv == CKR_OK && cap <= n);
		for (i = 0; i < cap; i++) {
			FUZZ_ASSERT(list[i] < 2);
			for (j = 0; j < i; j++)
				FUZZ_ASSERT(list[i] != list[j]);
		}
	}
}

static void fuzz_p11_infos(struct fuzz_p11 *p, CK_SLOT_ID slot)
{
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	rv = CALL(p, FN_SLOT_INFO, p->f->C_GetSlotInfo(slot, &si));
	FUZZ_ASSERT(rv == CKR_OK);
	fuzz_p11_padded(si.slotDescription, sizeof(si.slotDescription));
	fuzz_p11_padded(si.manufacturerID, sizeof(si.manufacturerID));
	FUZZ_ASSERT(si.flags & CKF_REMOVABLE_DEVICE);
	rv = CALL(p, FN_TOKEN_INFO, p->f->C_GetTokenInfo(slot, &ti));
	if (rv != CKR_OK)
		return;
	fuzz_p11_padded(ti.label, sizeof(ti.label));
	fuzz_p11_padded(ti.manufacturerID, sizeof(ti.manufacturerID));
	fuzz_p11_padded(ti.model, sizeof(ti.model));
	fuzz_p11_padded(ti.serialNumber, sizeof(ti.serialNumber));
	FUZZ_ASSERT(ti.ulMinPinLen <= ti.ulMaxPinLen && ti.ulMaxPinLen <= 16);
	FUZZ_ASSERT(ti.ulRwSessionCount <= ti.ulSessionCount);
	if (ti.flags & CKF_USER_PIN_FINAL_TRY)
		FUZZ_ASSERT(ti.flags & CKF_USER_PIN_COUNT_LOW);
	if (ti.flags & CKF_USER_PIN_LOCKED)
		FUZZ_ASSERT(!(ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)));
	/* The token is there: its slot says so (nothing moved the card since). */
	rv = CALL(p, FN_SLOT_INFO, p->f->C_GetSlotInfo(slot, &si));
	FUZZ_ASSERT(rv == CKR_OK && (si.flags & CKF_TOKEN_PRESENT));
}

/* fuzz_p11_find: the handles of the objects matching tmpl; 0 when the search failed. */
static size_t fuzz_p11_find(struct fuzz_p11 *p, CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl,
			    CK_ULONG count, CK_OBJECT_HANDLE out[MAX_OBJECTS])
{
	CK_OBJECT_HANDLE batch[3];
	CK_ULONG got, i, j;
	size_t n = 0, rounds;
	CK_RV rv;

	rv = CALL(p, FN_FIND_INIT, p->f->C_FindObjectsInit(h, tmpl, count));
	if (rv != CKR_OK)
		return 0;
	for (rounds = 0; rounds < MAX_OBJECTS; rounds++) {
		got = 99;
		rv = CALL(p, FN_FIND, p->f->C_FindObjects(h, batch, 3, &got));
		if (rv != CKR_OK)
			break;
		FUZZ_ASSERT(got <= 3);
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			FUZZ_ASSERT(batch[i] != CK_INVALID_HANDLE);
			for (j = 0; j < n; j++)
				FUZZ_ASSERT(out[j] != batch[i]);
			FUZZ_ASSERT(n < MAX_OBJECTS);
			out[n++] = batch[i];
		}
	}
	FUZZ_ASSERT(rounds < MAX_OBJECTS);
	CALL(p, FN_FIND_FINAL, p->f->C_FindObjectsFinal(h));
	return rv == CKR_OK ? n : 0;
}

/* fuzz_p11_attr: one attribute by the two-call convention, then into a
 * buffer one byte short; returns its length or CK_UNAVAILABLE_INFORMATION. */
static CK_ULONG fuzz_p11_attr(struct fuzz_p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
			      CK_ATTRIBUTE_TYPE type, uint8_t **value)
{
	CK_ATTRIBUTE a = {type, NULL, 12345};
	CK_ULONG len, i;
	uint8_t *buf;
	CK_RV rv;

	*value = NULL;
	rv = CALL(p, FN_GET_ATTR, p->f->C_GetAttributeValue(h, o, &a, 1));
	if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE)
		FUZZ_ASSERT(a.ulValueLen == CK_UNAVAILABLE_INFORMATION);
	if (rv != CKR_OK)
		return CK_UNAVAILABLE_INFORMATION;
	len = a.ulValueLen;
	FUZZ_ASSERT(len <= ATTR_MAX);
	buf = malloc(len + GUARD);
	FUZZ_ASSERT(buf != NULL);
	memset(buf, 0x5A, len + GUARD);
	a.pValue = buf;
	a.ulValueLen = len;
	rv = CALL(p, FN_GET_ATTR, p->f->C_GetAttributeValue(h, o, &a, 1));
	FUZZ_ASSERT(rv == CKR_OK && a.ulValueLen == len);
	for (i = len; i < len + GUARD; i++)
		FUZZ_ASSERT(buf[i] == 0x5A);
	if (len > 0) {
		*value = malloc(len);
		FUZZ_ASSERT(*value != NULL);
		memcpy(*value, buf, len);
		memset(buf, 0x5A, len + GUARD);
		a.ulValueLen = len - 1;
		rv = CALL(p, FN_GET_ATTR, p->f->C_GetAttributeValue(h, o, &a, 1));
		FUZZ_ASSERT(rv == CKR_BUFFER_TOO_SMALL &&
			    a.ulValueLen == CK_UNAVAILABLE_INFORMATION);
		for (i = len - 1; i < len + GUARD; i++)
			FUZZ_ASSERT(buf[i] == 0x5A);
	}
	free(buf);
	return len;
}

/* fuzz_p11_object: every attribute of one object, one by one and all at once. */
static void fuzz_p11_object(struct fuzz_p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
			    bool logged_in)
{
	CK_ATTRIBUTE all[ATTR_COUNT];
	CK_ULONG lens[ATTR_COUNT];
	uint8_t *value;
	size_t i;
	CK_RV rv;

	for (i = 0; i < ATTR_COUNT; i++) {
		lens[i] = fuzz_p11_attr(p, h, o, fuzz_p11_attrs[i], &value);
		if (lens[i] != CK_UNAVAILABLE_INFORMATION && value != NULL &&
		    (fuzz_p11_attrs[i] == CKA_CLASS || fuzz_p11_attrs[i] == CKA_KEY_TYPE))
			FUZZ_ASSERT(lens[i] == sizeof(CK_ULONG));
		if (fuzz_p11_attrs[i] == CKA_PRIVATE && lens[i] != CK_UNAVAILABLE_INFORMATION) {
			FUZZ_ASSERT(lens[i] == sizeof(CK_BBOOL));
			/* Private objects only after a login. */
			FUZZ_ASSERT(logged_in || value[0] == CK_FALSE);
		}
		free(value);
	}
	/* The whole template at once: each entry as it was alone. */
	for (i = 0; i < ATTR_COUNT; i++)
		all[i] = (CK_ATTRIBUTE){fuzz_p11_attrs[i], NULL, 0};
	rv = CALL(p, FN_GET_ATTR, p->f->C_GetAttributeValue(h, o, all, ATTR_COUNT));
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_ATTRIBUTE_SENSITIVE)
		return;
	for (i = 0; i < ATTR_COUNT; i++)
		FUZZ_ASSERT(all[i].ulValueLen == lens[i]);
}

static void fuzz_p11_objects(struct fuzz_p11 *p, CK_SESSION_HANDLE h, bool logged_in)
{
	CK_OBJECT_HANDLE objs[MAX_OBJECTS];
	size_t n = fuzz_p11_find(p, h, NULL, 0, objs), i;

	for (i = 0; i < n; i++)
		fuzz_p11_object(p, h, objs[i], logged_in);
}

/* DigestInfo of SHA-256 for CKM_RSA_PKCS (any hash value will do). */
static const uint8_t fuzz_p11_digest_info[51] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
						 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
						 0x00, 0x04, 0x20, 0x46, 0x55, 0x5a, 0x5a};

/* fuzz_p11_sign: one signature with one mechanism and key. */
static void fuzz_p11_sign(struct fuzz_p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key,
			  CK_MECHANISM_TYPE type, bool context_login, const char *pin)
{
	CK_MECHANISM mech = {type, NULL, 0};
	struct fuzz_p11_pin pin_arg;
	uint8_t data[sizeof(fuzz_p11_digest_info)], sig[SIG_LEN + GUARD];
	const uint8_t *answer;
	CK_ULONG dlen = sizeof(data), len, i;
	size_t answer_len;
	uint16_t sw;
	CK_RV rv;

	memcpy(data, fuzz_p11_digest_info, sizeof(data));
	if (CALL(p, FN_SIGN_INIT, p->f->C_SignInit(h, &mech, key)) != CKR_OK)
		return;
	if (context_login) {
		fuzz_p11_pin(&pin_arg, pin);
		CALL(p, FN_LOGIN, p->f->C_Login(h, CKU_CONTEXT_SPECIFIC, pin_arg.s, pin_arg.len));
	}
	/* The length query keeps the operation and asks nothing of the card. */
	len = 0;
	rv = CALL(p, FN_SIGN, p->f->C_Sign(h, data, dlen, NULL, &len));
	FUZZ_ASSERT(fuzz_p11_signs(p) == p->signs);
	if (rv != CKR_OK)
		goto ended;
	FUZZ_ASSERT(len == SIG_LEN);
	if (p->flags & FUZZ_P11_SHORT_SIG) {
		len = SIG_LEN - 1;
		rv = CALL(p, FN_SIGN, p->f->C_Sign(h, data, dlen, sig, &len));
		FUZZ_ASSERT(fuzz_p11_signs(p) == p->signs);
		FUZZ_ASSERT(rv != CKR_OK);
		if (rv != CKR_BUFFER_TOO_SMALL)
			goto ended;
		FUZZ_ASSERT(len == SIG_LEN);
	}
	memset(sig, 0xA5, sizeof(sig));
	len = sizeof(sig);
	rv = CALL(p, FN_SIGN, p->f->C_Sign(h, data, dlen, sig, &len));
	FUZZ_ASSERT(rv != CKR_BUFFER_TOO_SMALL);
	if (rv == CKR_OK) {
		/* Exactly the card's 256 bytes, answered with 9000, nothing more written. */
		FUZZ_ASSERT(len == SIG_LEN);
		for (i = len; i < sizeof(sig); i++)
			FUZZ_ASSERT(sig[i] == 0xA5);
		if (p->env->ft != NULL) {
			FUZZ_ASSERT(fuzz_p11_signs(p) > p->signs);
			FUZZ_ASSERT(
				fuzz_transport_sign_answer(p->env->ft, &answer, &answer_len, &sw));
			FUZZ_ASSERT(sw == 0x9000 && answer_len == SIG_LEN);
			FUZZ_ASSERT(memcmp(sig, answer, SIG_LEN) == 0);
		}
	}
ended:
	/* Whatever the outcome, the operation is over. */
	len = sizeof(sig);
	rv = CALL(p, FN_SIGN, p->f->C_Sign(h, data, dlen, sig, &len));
	FUZZ_ASSERT(rv == CKR_OPERATION_NOT_INITIALIZED || rv == CKR_SESSION_HANDLE_INVALID);
}

static void fuzz_p11_sign_all(struct fuzz_p11 *p, CK_SLOT_ID slot, CK_SESSION_HANDLE h,
			      const char *pin)
{
	CK_OBJECT_CLASS class = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl = {CKA_CLASS, &class, sizeof(class)};
	CK_OBJECT_HANDLE keys[MAX_OBJECTS];
	CK_MECHANISM_TYPE mechs[MAX_MECHS];
	CK_ULONG n_mechs = 0, cap, k, i;
	size_t n_keys;
	uint8_t *always;
	bool context_login;
	CK_RV rv;

	rv = CALL(p, FN_MECH_LIST, p->f->C_GetMechanismList(slot, NULL, &n_mechs));
	if (rv != CKR_OK)
		return;
	FUZZ_ASSERT(n_mechs > 0 && n_mechs <= MAX_MECHS);
	cap = n_mechs;
	rv = CALL(p, FN_MECH_LIST, p->f->C_GetMechanismList(slot, mechs, &cap));
	if (rv != CKR_OK)
		return;
	FUZZ_ASSERT(cap == n_mechs);
	n_keys = fuzz_p11_find(p, h, &tmpl, 1, keys);
	for (k = 0; k < n_keys; k++) {
		context_login =
			fuzz_p11_attr(p, h, keys[k], CKA_ALWAYS_AUTHENTICATE, &always) == 1 &&
			always[0] != CK_FALSE;
		free(always);
		for (i = 0; i < n_mechs; i++)
			fuzz_p11_sign(p, h, keys[k], mechs[i], context_login, pin);
	}
}

static CK_RV fuzz_p11_login(struct fuzz_p11 *p, CK_SESSION_HANDLE h, const char *pin)
{
	struct fuzz_p11_pin arg;

	fuzz_p11_pin(&arg, pin);
	return CALL(p, FN_LOGIN, p->f->C_Login(h, CKU_USER, arg.s, arg.len));
}

static void fuzz_p11_session(struct fuzz_p11 *p, CK_SLOT_ID slot)
{
	const char *pin = fuzz_p11_tokens[slot].pin, *bad = fuzz_p11_tokens[slot].malformed;
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	struct fuzz_p11_pin old_arg, new_arg;
	CK_SESSION_INFO info;
	CK_RV rv, login;

	rv = CALL(p, FN_OPEN_SESSION,
		  p->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h));
	if (rv != CKR_OK)
		return;
	FUZZ_ASSERT(h != CK_INVALID_HANDLE);
	fuzz_p11_objects(p, h, false);
	fuzz_p11_step(p);
	/* A malformed PIN never reaches the card (CALL checks: no PIN sent). */
	fuzz_p11_pin(&old_arg, bad);
	CALL(p, FN_LOGIN_MALFORMED, p->f->C_Login(h, CKU_USER, old_arg.s, old_arg.len));
	if (p->flags & FUZZ_P11_WRONG_PIN) {
		fuzz_p11_step(p);
		fuzz_p11_login(p, h, fuzz_p11_tokens[slot].wrong_pin);
	}
	fuzz_p11_step(p);
	login = fuzz_p11_login(p, h, pin);
	if (login == CKR_OK) {
		rv = CALL(p, FN_SESSION_INFO, p->f->C_GetSessionInfo(h, &info));
		FUZZ_ASSERT(rv == CKR_OK && info.state == CKS_RW_USER_FUNCTIONS &&
			    info.slotID == slot);
	}
	fuzz_p11_step(p);
	fuzz_p11_objects(p, h, true);
	fuzz_p11_step(p);
	fuzz_p11_sign_all(p, slot, h, pin);
	if (p->flags & FUZZ_P11_SET_PIN) {
		fuzz_p11_step(p);
		fuzz_p11_pin(&old_arg, pin);
		fuzz_p11_pin(&new_arg, fuzz_p11_tokens[slot].bad_new);
		CALL(p, FN_SET_PIN,
		     p->f->C_SetPIN(h, old_arg.s, old_arg.len, new_arg.s, new_arg.len));
		FUZZ_ASSERT(fuzz_p11_pin_tries(p) == p->pin_tries);
		fuzz_p11_pin(&new_arg, fuzz_p11_tokens[slot].new_pin);
		CALL(p, FN_SET_PIN,
		     p->f->C_SetPIN(h, old_arg.s, old_arg.len, new_arg.s, new_arg.len));
	}
	fuzz_p11_step(p);
	CALL(p, FN_LOGOUT, p->f->C_Logout(h));
	rv = CALL(p, FN_SESSION_INFO, p->f->C_GetSessionInfo(h, &info));
	if (rv == CKR_OK)
		FUZZ_ASSERT(info.state == CKS_RW_PUBLIC_SESSION);
}

static void fuzz_p11_events(struct fuzz_p11 *p)
{
	CK_SLOT_ID slot;
	CK_RV rv = CKR_OK;
	int i;

	for (i = 0; i < 8 && rv == CKR_OK; i++) {
		slot = 99;
		rv = CALL(p, FN_WAIT, p->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL));
		if (rv == CKR_OK)
			FUZZ_ASSERT(slot < 2);
	}
}

static char fuzz_p11_dir[64], fuzz_p11_conf_no[96];

static void fuzz_p11_cleanup(void)
{
	if (fuzz_p11_conf_no[0] != '\0')
		unlink(fuzz_p11_conf_no);
	if (fuzz_p11_dir[0] != '\0')
		rmdir(fuzz_p11_dir);
}

void fuzz_p11_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	FILE *fp;

	snprintf(fuzz_p11_dir, sizeof(fuzz_p11_dir), "%s/jpki-fuzz-p11.XXXXXX",
		 tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	FUZZ_ASSERT(mkdtemp(fuzz_p11_dir) != NULL);
	snprintf(fuzz_p11_conf_no, sizeof(fuzz_p11_conf_no), "%s/no-always.conf", fuzz_p11_dir);
	fp = fopen(fuzz_p11_conf_no, "we");
	FUZZ_ASSERT(fp != NULL);
	fputs("sign_always_authenticate = no\n", fp);
	FUZZ_ASSERT(fclose(fp) == 0);
	atexit(fuzz_p11_cleanup);
	fuzz_p11_trace = getenv("FUZZ_P11_TRACE") != NULL;
}

void fuzz_p11_run(const struct fuzz_p11_env *env, unsigned flags)
{
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	struct fuzz_p11 p = {.env = env, .flags = flags};
	CK_SLOT_ID slot;
	CK_RV rv;

	/* No certificate cache: each input starts from the card alone, never
	 * from what an earlier one left, and nothing is written. */
	setenv("XDG_CACHE_HOME", "/dev/null", 1);
	/* The defaults (no file), or sign_always_authenticate = no. */
	setenv("JPKI_PKCS11_CONF",
	       flags & FUZZ_P11_NO_ALWAYS ? fuzz_p11_conf_no : "/nonexistent/jpki-pkcs11.conf", 1);
	if (flags & FUZZ_P11_LOG)
		setenv("JPKI_PKCS11_DEBUG", "4:/dev/null", 1);
	else
		unsetenv("JPKI_PKCS11_DEBUG");
	FUZZ_ASSERT(C_GetFunctionList(&p.f) == CKR_OK);
	fuzz_p11_step(&p);
	rv = CALL(&p, FN_INITIALIZE, p.f->C_Initialize(flags & FUZZ_P11_OS_LOCKING ? &args : NULL));
	FUZZ_ASSERT(rv == CKR_OK);
	fuzz_p11_slot_list(&p);
	for (slot = 0; slot < 2; slot++) {
		fuzz_p11_step(&p);
		fuzz_p11_infos(&p, slot);
	}
	for (slot = 0; slot < 2; slot++) {
		fuzz_p11_step(&p);
		fuzz_p11_session(&p, slot);
	}
	fuzz_p11_step(&p);
	fuzz_p11_events(&p);
	for (slot = 0; slot < 2; slot++)
		FUZZ_ASSERT(CALL(&p, FN_CLOSE_ALL, p.f->C_CloseAllSessions(slot)) == CKR_OK);
	rv = CALL(&p, FN_FINALIZE, p.f->C_Finalize(NULL));
	FUZZ_ASSERT(rv == CKR_OK);
	if (env->ft != NULL)
		FUZZ_ASSERT(!fuzz_transport_connected(env->ft));
}
