/* RSA-PSS made by the card (docs/pss.md): the mechanisms are listed only for
 * a card that signs PSS; the module asks the card once per insertion, with
 * no PIN try, and never on the polling path; the parameters are exactly
 * {SHA-256, MGF1-SHA-256, salt 32}; every PSS signature verifies with
 * OpenSSL, and one that does not (a card with another salt length) is never
 * handed out.  On the emulator, whose switches (JPKI_SIM_OPTIONS) make the
 * cards without PSS, with another salt length, without the key by SFI, and
 * checking the PIN before P1. */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11-card.h"
#include "tap.h"

static CK_BYTE msg[] = "TLS 1.3 CertificateVerify content";

/* The one parameter set the card's PSS takes (docs/pss.md): SHA-256,
 * MGF1-SHA-256, salt 32. */
static CK_RSA_PKCS_PSS_PARAMS pss_params = {CKM_SHA256, CKG_MGF1_SHA256, 32};
static CK_MECHANISM pss_mech = {CKM_RSA_PKCS_PSS, &pss_params, sizeof(pss_params)};

static CK_ULONG mech_count(struct p11_card *c, CK_SLOT_ID slot, bool *has_pss)
{
	CK_MECHANISM_TYPE list[16];
	CK_ULONG n = 16, i;

	*has_pss = false;
	if (c->f->C_GetMechanismList(slot, list, &n) != CKR_OK)
		return 0;
	for (i = 0; i < n; i++)
		if (list[i] == CKM_RSA_PKCS_PSS || list[i] == CKM_SHA256_RSA_PKCS_PSS)
			*has_pss = true;
	return n;
}

/* pss_ok: sig is RSASSA-PSS over the SHA-256 hash, MGF1-SHA-256, this salt length. */
static bool pss_ok(EVP_PKEY *key, const CK_BYTE hash[32], const CK_BYTE *sig, CK_ULONG len,
		   int salt)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	bool ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
		  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
		  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
		  EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt) == 1 &&
		  EVP_PKEY_verify(ctx, sig, len, hash, 32) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* login_auth: a session on the auth token, logged in; *key the private key. */
static CK_SESSION_HANDLE login_auth(struct p11_card *c, CK_OBJECT_HANDLE *key)
{
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false);

	tap_is_int(c->f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "auth login");
	*key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	return s;
}

/* sign_hash: CKM_RSA_PKCS_PSS over the 32-byte hash with key (the C_SignInit
 * checked as "init"); returns C_Sign's answer, the signature in sig. */
static CK_RV sign_hash(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
		       CK_BYTE hash[32], CK_BYTE sig[512], CK_ULONG *len)
{
	tap_is_int(c->f->C_SignInit(s, &pss_mech, key), CKR_OK, "init");
	*len = 512;
	return c->f->C_Sign(s, hash, 32, sig, len);
}

/* The default card signs PSS: what detection costs, the parameters, the signatures. */
static void test_pss_card(struct p11_card *c)
{
	CK_RSA_PKCS_PSS_PARAMS bad = pss_params;
	CK_MECHANISM sha256_pss = {CKM_SHA256_RSA_PKCS_PSS, &pss_params, sizeof(pss_params)};
	CK_MECHANISM sha384_pss = {CKM_SHA384_RSA_PKCS_PSS, &pss_params, sizeof(pss_params)};
	CK_MECHANISM short_params = {CKM_RSA_PKCS_PSS, &pss_params, sizeof(pss_params) - 1};
	CK_MECHANISM bad_mech = {CKM_RSA_PKCS_PSS, &bad, sizeof(bad)};
	CK_MECHANISM_INFO info;
	CK_BYTE hash[32], sig[512], sig2[512];
	CK_ULONG len, len2, n;
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE s;
	EVP_PKEY *pub;
	long before = p11_card_apdus(c, ""), verifies = p11_card_verifies(c), probe;
	bool has_pss;

	n = mech_count(c, c->auth_slot, &has_pss);
	probe = p11_card_apdus(c, "") - before;
	tap_is_int(n, 8, "PSS card: eight mechanisms");
	tap_ok(has_pss, "... CKM_RSA_PKCS_PSS and CKM_SHA256_RSA_PKCS_PSS among them");
	tap_is_int(probe, 2, "the question cost 2 APDUs");
	tap_is_int(p11_card_apdus(c, "802A0497"), 1, "... P1 04 with the auth key by SFI (97)");
	tap_is_int(p11_card_apdus(c, "802A0697"), 1, "... and the control P1 06");
	tap_is_int(p11_card_verifies(c) - verifies, 0, "... and no VERIFY");
	before = p11_card_apdus(c, "");
	mech_count(c, c->sign_slot, &has_pss);
	tap_ok(has_pss, "the sign token lists them too");
	tap_is_int(c->f->C_GetMechanismInfo(c->auth_slot, CKM_RSA_PKCS_PSS, &info), CKR_OK,
		   "CKM_RSA_PKCS_PSS info");
	tap_ok(info.flags == (CKF_SIGN | CKF_HW) && info.ulMinKeySize == 2048 &&
		       info.ulMaxKeySize == 2048,
	       "... sign, hardware, 2048 bits");
	tap_is_int(c->f->C_GetMechanismInfo(c->auth_slot, CKM_SHA384_RSA_PKCS_PSS, &info),
		   CKR_MECHANISM_INVALID, "SHA384_RSA_PKCS_PSS: invalid");
	tap_is_int(p11_card_apdus(c, "") - before, 0, "asked once per insertion: no APDU more");

	s = login_auth(c, &key);
	pub = p11_card_public_key(c, s, 1);
	tap_ok(pub != NULL, "auth public key");
	/* Anything but {SHA-256, MGF1-SHA-256, 32}: refused at C_SignInit. */
	tap_is_int(c->f->C_SignInit(s, &(CK_MECHANISM){CKM_RSA_PKCS_PSS, NULL, 0}, key),
		   CKR_MECHANISM_PARAM_INVALID, "PSS without parameters");
	tap_is_int(c->f->C_SignInit(s, &short_params, key), CKR_MECHANISM_PARAM_INVALID,
		   "PSS parameters of the wrong size");
	bad.hashAlg = CKM_SHA384;
	bad.mgf = CKG_MGF1_SHA384;
	bad.sLen = 48;
	tap_is_int(c->f->C_SignInit(s, &bad_mech, key), CKR_MECHANISM_PARAM_INVALID,
		   "PSS with SHA-384");
	bad = pss_params;
	bad.hashAlg = CKM_SHA512;
	tap_is_int(c->f->C_SignInit(s, &bad_mech, key), CKR_MECHANISM_PARAM_INVALID,
		   "PSS with SHA-512");
	bad = pss_params;
	bad.mgf = CKG_MGF1_SHA1;
	tap_is_int(c->f->C_SignInit(s, &bad_mech, key), CKR_MECHANISM_PARAM_INVALID,
		   "PSS with MGF1-SHA-1");
	bad = pss_params;
	bad.sLen = 20;
	tap_is_int(c->f->C_SignInit(s, &bad_mech, key), CKR_MECHANISM_PARAM_INVALID,
		   "PSS with salt length 20");
	bad.sLen = 0;
	tap_is_int(c->f->C_SignInit(s, &bad_mech, key), CKR_MECHANISM_PARAM_INVALID,
		   "PSS with salt length 0");
	tap_is_int(c->f->C_SignInit(s, &sha384_pss, key), CKR_MECHANISM_INVALID,
		   "CKM_SHA384_RSA_PKCS_PSS: invalid");

	/* CKM_RSA_PKCS_PSS over the caller's hash (what TLS 1.3 clients use). */
	EVP_Digest(msg, sizeof(msg), hash, NULL, EVP_sha256(), NULL);
	before = p11_card_apdus(c, "");
	tap_is_int(c->f->C_SignInit(s, &pss_mech, key), CKR_OK, "CKM_RSA_PKCS_PSS: init");
	len = sizeof(sig);
	tap_is_int(c->f->C_Sign(s, hash, 31, sig, &len), CKR_DATA_LEN_RANGE, "31 bytes: refused");
	tap_is_int(c->f->C_SignInit(s, &pss_mech, key), CKR_OK, "init again");
	len = sizeof(sig);
	tap_is_int(c->f->C_Sign(s, hash, sizeof(hash), sig, &len), CKR_OK, "C_Sign");
	tap_ok(len == 256 && pss_ok(pub, hash, sig, len, 32),
	       "verifies: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32");
	tap_is_int(p11_card_apdus(c, "") - before, 1, "one APDU: the key named by SFI, no SELECT");
	tap_is_int(p11_card_apdus(c, "802A0497"), 2, "... 80 2A 04 97");
	tap_is_int(c->f->C_SignInit(s, &pss_mech, key), CKR_OK, "a second one");
	len2 = sizeof(sig2);
	tap_is_int(c->f->C_Sign(s, hash, sizeof(hash), sig2, &len2), CKR_OK, "C_Sign");
	tap_ok(len2 == 256 && memcmp(sig, sig2, 256) != 0 && pss_ok(pub, hash, sig2, len2, 32),
	       "another salt, verifies too");
	tap_is_int(c->f->C_SignInit(s, &pss_mech, key), CKR_OK, "PSS is single-part");
	tap_is_int(c->f->C_SignUpdate(s, hash, 16), CKR_FUNCTION_NOT_SUPPORTED,
		   "... C_SignUpdate refused");

	/* CKM_SHA256_RSA_PKCS_PSS over the message, single and multi-part. */
	tap_is_int(c->f->C_SignInit(s, &sha256_pss, key), CKR_OK, "SHA256_RSA_PKCS_PSS: init");
	len = sizeof(sig);
	tap_is_int(c->f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK, "C_Sign");
	tap_ok(len == 256 && pss_ok(pub, hash, sig, len, 32), "verifies over the message's hash");
	tap_is_int(c->f->C_SignInit(s, &sha256_pss, key), CKR_OK, "multi-part: init");
	c->f->C_SignUpdate(s, msg, 7);
	c->f->C_SignUpdate(s, msg + 7, sizeof(msg) - 7);
	len = sizeof(sig);
	tap_is_int(c->f->C_SignFinal(s, sig, &len), CKR_OK, "C_SignFinal");
	tap_ok(len == 256 && pss_ok(pub, hash, sig, len, 32), "verifies");

	/* PKCS#1 v1.5 by SFI too: one APDU. */
	before = p11_card_apdus(c, "");
	tap_is_int(c->f->C_SignInit(s, &(CK_MECHANISM){CKM_SHA256_RSA_PKCS, NULL, 0}, key), CKR_OK,
		   "SHA256_RSA_PKCS: init");
	len = sizeof(sig);
	tap_is_int(c->f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK, "C_Sign");
	tap_ok(p11_card_signature_ok(c, s, 1, "SHA256", msg, sizeof(msg), sig, len), "verifies");
	tap_is_int(p11_card_apdus(c, "") - before, 1, "one APDU (80 2A 00 97)");
	tap_is_int(p11_card_apdus(c, "802A0097"), 1, "... P1 00, the key by SFI");
	EVP_PKEY_free(pub);
	c->f->C_CloseSession(s);
}

/* A card that refuses PSS (6A86): today's list, PKCS#1 v1.5 unchanged. */
static void test_no_pss(struct p11_card *c)
{
	CK_MECHANISM_INFO info;
	CK_BYTE sig[512];
	CK_ULONG len;
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE s;
	long before = p11_card_apdus(c, ""), verifies = p11_card_verifies(c);
	bool has_pss;

	tap_is_int(mech_count(c, c->auth_slot, &has_pss), 6, "no-PSS card: six mechanisms");
	tap_ok(!has_pss, "... no PSS");
	tap_is_int(p11_card_apdus(c, "") - before, 2, "the question cost 2 APDUs");
	tap_is_int(p11_card_apdus(c, "802A0097"), 1, "... P1 04 refused, the control P1 00 not");
	tap_is_int(p11_card_verifies(c) - verifies, 0, "... and no VERIFY");
	tap_is_int(c->f->C_GetMechanismInfo(c->auth_slot, CKM_RSA_PKCS_PSS, &info),
		   CKR_MECHANISM_INVALID, "PSS info: invalid");
	s = login_auth(c, &key);
	tap_is_int(c->f->C_SignInit(s, &pss_mech, key), CKR_MECHANISM_INVALID,
		   "PSS: invalid at C_SignInit");
	tap_is_int(c->f->C_SignInit(s, &(CK_MECHANISM){CKM_SHA256_RSA_PKCS, NULL, 0}, key), CKR_OK,
		   "SHA256_RSA_PKCS: init");
	len = sizeof(sig);
	tap_is_int(c->f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK, "C_Sign");
	tap_ok(p11_card_signature_ok(c, s, 1, "SHA256", msg, sizeof(msg), sig, len), "verifies");
	c->f->C_CloseSession(s);
}

/* A card whose PSS uses another salt length: caught, never handed out. */
static void test_other_salt(struct p11_card *c)
{
	CK_BYTE hash[32], sig[512];
	CK_ULONG len;
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE s;
	bool has_pss;

	memset(hash, 0x42, sizeof(hash));
	mech_count(c, c->auth_slot, &has_pss);
	tap_ok(has_pss, "salt-20 card: PSS listed (its answers look like PSS)");
	s = login_auth(c, &key);
	memset(sig, 0, sizeof(sig));
	tap_is_int(sign_hash(c, s, key, hash, sig, &len), CKR_DEVICE_ERROR,
		   "the signature does not verify with salt 32: CKR_DEVICE_ERROR");
	tap_ok(sig[0] == 0 && memcmp(sig, sig + 1, 255) == 0, "... nothing written");
	tap_is_int(mech_count(c, c->auth_slot, &has_pss), 6, "PSS withdrawn: six mechanisms");
	tap_is_int(c->f->C_SignInit(s, &pss_mech, key), CKR_MECHANISM_INVALID, "PSS init: invalid");
	c->f->C_CloseSession(s);
}

/* A card that refuses the key by SFI: SELECT + P2 80, and PSS still found. */
static void test_no_sign_sfi(struct p11_card *c)
{
	CK_BYTE hash[32], sig[512];
	CK_ULONG len;
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE s;
	EVP_PKEY *pub;
	long before = p11_card_apdus(c, "");
	bool has_pss;

	mech_count(c, c->auth_slot, &has_pss);
	tap_ok(has_pss, "no key by SFI: PSS found (SELECT 0017 + P2 80)");
	tap_is_int(p11_card_apdus(c, "") - before, 5,
		   "... 5 APDUs: 04 97, 00 97 (both refused), SELECT, 04 80, 06 80");
	s = login_auth(c, &key);
	pub = p11_card_public_key(c, s, 1);
	memset(hash, 0x17, sizeof(hash));
	before = p11_card_apdus(c, "");
	tap_is_int(sign_hash(c, s, key, hash, sig, &len), CKR_OK, "C_Sign");
	tap_ok(pss_ok(pub, hash, sig, len, 32), "verifies");
	tap_is_int(p11_card_apdus(c, "") - before, 2, "SELECT + 80 2A 04 80: no SFI tried again");
	EVP_PKEY_free(pub);
	c->f->C_CloseSession(s);
}

/* A card that checks the PIN before P1: its answers do not tell, PSS not listed. */
static void test_pin_first(struct p11_card *c)
{
	long verifies = p11_card_verifies(c);
	bool has_pss;

	tap_is_int(mech_count(c, c->auth_slot, &has_pss), 6, "PIN-first card: six mechanisms");
	tap_ok(!has_pss, "... PSS not listed (undecided)");
	tap_is_int(p11_card_verifies(c) - verifies, 0, "... no VERIFY");
}

/* pss = off: today's list, and the card is never asked. */
static void test_setting_off(struct p11_card *c)
{
	long before = p11_card_apdus(c, "");
	bool has_pss;

	tap_is_int(mech_count(c, c->auth_slot, &has_pss), 6, "pss = off: six mechanisms");
	tap_ok(!has_pss, "... no PSS");
	tap_is_int(p11_card_apdus(c, "") - before, 0, "... and no APDU");
}

static void run(const char *options, void (*test)(struct p11_card *))
{
	struct p11_card c;

	if (options != NULL)
		setenv("JPKI_SIM_OPTIONS", options, 1);
	p11_card_open(&c, 1);
	test(&c);
	p11_card_close(&c);
	unsetenv("JPKI_SIM_OPTIONS");
}

int main(void)
{
	struct p11_card c;
	char conf[] = "/tmp/jpki-pss-conf-XXXXXX";
	int fd;

	if (!p11_card_open_sim(&c, 1, "its switches and APDU log are needed"))
		return tap_done();
	test_pss_card(&c);
	p11_card_close(&c);
	run("no_pss", test_no_pss);
	run("pss_salt=20", test_other_salt);
	run("no_sign_sfi", test_no_sign_sfi);
	run("sign_pin_first", test_pin_first);

	fd = mkstemp(conf);
	if (fd < 0 || write(fd, "pss = off\n", 10) != 10 || close(fd) != 0)
		tap_bail("cannot write %s", conf);
	setenv("JPKI_PKCS11_CONF", conf, 1);
	run(NULL, test_setting_off);
	unsetenv("JPKI_PKCS11_CONF");
	unlink(conf);
	return tap_done();
}
