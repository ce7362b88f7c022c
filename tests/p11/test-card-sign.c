/* Signing (spec 3.0 section 5.11): the C_SignInit ladder, every mechanism
 * checked with OpenSSL against the certificate's public key, the two-call
 * length convention, which failures end the operation, multi-part, and the
 * sign key's CKU_CONTEXT_SPECIFIC login. */
#include <openssl/evp.h>
#include <string.h>

#include "p11-card.h"
#include "tap.h"

static CK_BYTE msg[] = "the message to sign";

/* DER DigestInfo header of SHA-256 (RFC 8017 9.2 note 1). */
static const CK_BYTE sha256_prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

static void test_init_ladder(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
			     CK_OBJECT_HANDLE pub)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, NULL, 0};
	CK_BYTE param[4] = {0};
	CK_MECHANISM with_param = {CKM_SHA256_RSA_PKCS, param, sizeof(param)};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);

	tap_is_int(f->C_SignInit(s, NULL, key), CKR_ARGUMENTS_BAD, "NULL mechanism");
	tap_is_int(f->C_SignInit(0x5e55, &mech, key), CKR_SESSION_HANDLE_INVALID, "bad session");
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OPERATION_NOT_INITIALIZED,
		   "C_Sign before C_SignInit");
	/* Spec 3.0 section 5.11.1 (C_SignInit) lists CKR_KEY_HANDLE_INVALID;
	 * SoftHSMv2 answers CKR_OBJECT_HANDLE_INVALID. */
	tap_is_int(f->C_SignInit(s, &mech, 0x0b1ec7),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "unknown key");
	tap_is_int(f->C_SignInit(s, &mech, pub), CKR_KEY_FUNCTION_NOT_PERMITTED, "a public key");
	if (c->jpki) {
		/* The emulated card signs PSS (test-card-pss.c has the rest). */
		tap_is_int(f->C_SignInit(s, &pss, key), CKR_MECHANISM_PARAM_INVALID,
			   "PSS without its parameters");
		tap_is_int(f->C_SignInit(s, &with_param, key), CKR_MECHANISM_PARAM_INVALID,
			   "a parameter where none belongs");
	}
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "C_SignInit");
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OPERATION_ACTIVE, "again: active");
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), NULL, NULL), CKR_ARGUMENTS_BAD,
		   "NULL length pointer: fails ...");
	/* Spec 3.0 section 5.11.2 (C_Sign): it "always terminates the active
	 * signing operation unless it returns CKR_BUFFER_TOO_SMALL or is a
	 * successful call to determine the length"; SoftHSMv2 keeps it. */
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), sig, &len),
		   p11_spec_or_ref(c, CKR_OPERATION_NOT_INITIALIZED, CKR_OK),
		   "... and ended the operation (spec 5.11.2)");
}

static void test_mechanisms(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
			    EVP_PKEY *pub)
{
	static const struct {
		CK_MECHANISM_TYPE type;
		const char *md;
	} mechs[] = {{CKM_SHA1_RSA_PKCS, "SHA1"},
		     {CKM_SHA224_RSA_PKCS, "SHA224"},
		     {CKM_SHA256_RSA_PKCS, "SHA256"},
		     {CKM_SHA384_RSA_PKCS, "SHA384"},
		     {CKM_SHA512_RSA_PKCS, "SHA512"}};
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_BYTE sig[512], sig2[512], di[sizeof(sha256_prefix) + 32];
	CK_ULONG len, len2;
	CK_MECHANISM mech = {0, NULL, 0};
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		mech.mechanism = mechs[i].type;
		len = sizeof(sig);
		tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "%s: init", mechs[i].md);
		tap_is_int(f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK, "%s: C_Sign",
			   mechs[i].md);
		tap_ok(len == 256 &&
			       p11_card_key_verifies(pub, mechs[i].md, msg, sizeof(msg), sig, len),
		       "%s: verifies", mechs[i].md);
	}
	/* Multi-part gives the same (deterministic) signature. */
	mech.mechanism = CKM_SHA256_RSA_PKCS;
	len = sizeof(sig);
	f->C_SignInit(s, &mech, key);
	f->C_Sign(s, msg, sizeof(msg), sig, &len);
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "multi-part: init");
	tap_is_int(f->C_SignUpdate(s, msg, 5), CKR_OK, "update 1");
	tap_is_int(f->C_SignUpdate(s, msg + 5, sizeof(msg) - 5), CKR_OK, "update 2");
	len2 = 0;
	tap_is_int(f->C_SignFinal(s, NULL, &len2), CKR_OK, "final: length query");
	tap_is_int(len2, 256, "... 256");
	len2 = 10;
	tap_is_int(f->C_SignFinal(s, sig2, &len2), CKR_BUFFER_TOO_SMALL, "final: small buffer");
	tap_is_int(len2, 256, "... 256 needed");
	len2 = sizeof(sig2);
	tap_is_int(f->C_SignFinal(s, sig2, &len2), CKR_OK, "final: the operation was kept");
	tap_ok(len2 == len && memcmp(sig, sig2, len) == 0, "same signature as single-part");
	tap_is_int(f->C_SignFinal(s, sig2, &len2), CKR_OPERATION_NOT_INITIALIZED,
		   "final again: ended");

	/* CKM_RSA_PKCS over the caller's DigestInfo: the same signature. */
	memcpy(di, sha256_prefix, sizeof(sha256_prefix));
	EVP_Digest(msg, sizeof(msg), di + sizeof(sha256_prefix), &n, EVP_sha256(), NULL);
	mech.mechanism = CKM_RSA_PKCS;
	len2 = sizeof(sig2);
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "RSA_PKCS: init");
	tap_is_int(f->C_Sign(s, di, sizeof(di), sig2, &len2), CKR_OK, "RSA_PKCS over a DigestInfo");
	tap_ok(len2 == len && memcmp(sig, sig2, len) == 0, "... equals SHA256_RSA_PKCS");
}

static void test_ending_rules(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM mech = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE big[246], sig[512];
	CK_ULONG len;
	long mark = p11_card_verifies(c);

	memset(big, 0x30, sizeof(big));
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "RSA_PKCS: init");
	len = 0;
	tap_is_int(f->C_Sign(s, big, 35, NULL, &len), CKR_OK, "length query");
	tap_is_int(len, 256, "... 256");
	len = 255;
	tap_is_int(f->C_Sign(s, big, 35, sig, &len), CKR_BUFFER_TOO_SMALL, "255-byte buffer");
	tap_is_int(len, 256, "... 256 needed");
	len = sizeof(sig);
	if (c->jpki) {
		tap_is_int(f->C_Sign(s, big, 246, sig, &len), CKR_DATA_LEN_RANGE,
			   "246 bytes: more than k - 11");
		tap_is_int(f->C_Sign(s, big, 35, sig, &len), CKR_OPERATION_NOT_INITIALIZED,
			   "... that ended the operation");
		tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "init again");
		/* CKM_RSA_PKCS is single-part (spec 2.1.6 table). */
		tap_is_int(f->C_SignUpdate(s, big, 10), CKR_FUNCTION_NOT_SUPPORTED,
			   "C_SignUpdate with RSA_PKCS");
		tap_is_int(f->C_SignUpdate(s, big, 10), CKR_OPERATION_NOT_INITIALIZED,
			   "... ended it");
		tap_ok(p11_card_verifies(c) == mark, "no VERIFY in all that");
	}
}

static void test_context_specific(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->sign_slot, false);
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_OBJECT_HANDLE key;
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);
	EVP_PKEY *pub;
	long mark;

	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->sign_pin)), CKR_OK, "sign token: login");
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 2);
	pub = p11_card_public_key(c, s, 2);
	tap_ok(pub != NULL, "sign certificate's key");
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "sign key: init");
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_USER_NOT_LOGGED_IN,
		   "C_Sign without CKU_CONTEXT_SPECIFIC");
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OPERATION_NOT_INITIALIZED,
		   "... ended the operation");
	mark = p11_card_verifies(c);
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "init again");
	tap_is_int(f->C_Login(s, CKU_CONTEXT_SPECIFIC, PIN("WRONG123")), CKR_PIN_INCORRECT,
		   "context login, wrong password");
	/* The failed VERIFY cleared the card's state: logged out, operation ended. */
	tap_is_int(f->C_Login(s, CKU_CONTEXT_SPECIFIC, PIN(c->sign_pin)),
		   CKR_OPERATION_NOT_INITIALIZED, "... which logged the token out");
	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->sign_pin)), CKR_OK, "login again");
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "init again");
	tap_is_int(f->C_Login(s, CKU_CONTEXT_SPECIFIC, PIN(c->sign_pin)), CKR_OK, "context login");
	tap_ok(p11_card_verifies(c) - mark == 3, "three VERIFY sent");
	len = sizeof(sig);
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK, "C_Sign");
	tap_ok(p11_card_key_verifies(pub, "SHA256", msg, sizeof(msg), sig, len),
	       "... verifies with the sign certificate");
	tap_is_int(f->C_SignInit(s, &mech, key), CKR_OK, "a second signature: init");
	len = sizeof(sig);
	tap_is_int(f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_USER_NOT_LOGGED_IN,
		   "... needs its own context login");
	EVP_PKEY_free(pub);
	f->C_CloseSession(s);
}

int main(void)
{
	struct p11_card c;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key, pub_obj;
	EVP_PKEY *pub;

	p11_card_open(&c, 1);
	s = p11_card_session(&c, c.auth_slot, true);
	pub_obj = p11_card_find_one(&c, s, CKO_PUBLIC_KEY, 1);
	pub = p11_card_public_key(&c, s, 1);
	tap_ok(pub != NULL, "auth certificate's key");
	tap_is_int(c.f->C_Login(s, CKU_USER, PIN(c.auth_pin)), CKR_OK, "login");
	key = p11_card_find_one(&c, s, CKO_PRIVATE_KEY, 1);
	tap_ok(key != CK_INVALID_HANDLE, "the auth key");
	test_init_ladder(&c, s, key, pub_obj);
	test_mechanisms(&c, s, key, pub);
	test_ending_rules(&c, s, key);
	if (c.jpki)
		test_context_specific(&c);
	EVP_PKEY_free(pub);
	c.f->C_CloseSession(s);
	p11_card_close(&c);
	return tap_done();
}
