/* Objects on a token (spec 3.0 section 5.7): find ladder, private objects
 * invisible before the login, C_GetAttributeValue's rules through the
 * function list, the JPKI objects and their attributes. */
#include <string.h>

#include "p11-card.h"
#include "tap.h"

static CK_ULONG count_objects(struct p11_card *c, CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_OBJECT_HANDLE h[32];
	CK_ULONG got = 0, total = 0;

	if (c->f->C_FindObjectsInit(s, t, n) != CKR_OK)
		return 999;
	/* One at a time: C_FindObjects continues where it stopped. */
	while (c->f->C_FindObjects(s, h, 1, &got) == CKR_OK && got == 1 && total < 32)
		total++;
	c->f->C_FindObjectsFinal(s);
	return total;
}

static void test_find_ladder(struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_OBJECT_HANDLE h[4];
	CK_ULONG n = 77;

	tap_is_int(f->C_FindObjectsInit(s, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_FindObjectsInit: NULL template with a count");
	tap_is_int(f->C_FindObjectsInit(0x5e55, NULL, 0), CKR_SESSION_HANDLE_INVALID,
		   "C_FindObjectsInit: bad session");
	tap_is_int(f->C_FindObjects(s, h, 4, &n), CKR_OPERATION_NOT_INITIALIZED,
		   "C_FindObjects before init");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED,
		   "C_FindObjectsFinal before init");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OK, "C_FindObjectsInit: all");
	tap_is_int(f->C_FindObjectsInit(s, NULL, 0), CKR_OPERATION_ACTIVE, "again: active");
	tap_is_int(f->C_FindObjects(s, h, 4, NULL), CKR_ARGUMENTS_BAD, "NULL count");
	tap_is_int(f->C_FindObjects(s, NULL, 4, &n), CKR_ARGUMENTS_BAD, "NULL handles");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OK, "C_FindObjectsFinal");
	tap_is_int(f->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED, "final again");
}

static void test_visibility(struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_OBJECT_CLASS priv = CKO_PRIVATE_KEY, cert = CKO_CERTIFICATE;
	CK_ATTRIBUTE by_priv = {CKA_CLASS, &priv, sizeof(priv)};
	CK_ATTRIBUTE by_cert = {CKA_CLASS, &cert, sizeof(cert)};
	CK_ULONG before_all = count_objects(c, s, NULL, 0);
	CK_OBJECT_HANDLE key;
	CK_ATTRIBUTE label = {CKA_LABEL, NULL, 0};
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_ULONG size = 0;

	tap_is_int(count_objects(c, s, &by_priv, 1), 0, "no private key before the login");
	tap_ok(count_objects(c, s, &by_cert, 1) >= 1, "certificates are public");
	tap_is_int(c->f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	tap_is_int(count_objects(c, s, &by_priv, 1), 1, "one private key after it");
	tap_is_int(count_objects(c, s, NULL, 0), before_all + 1, "one object more in all");
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	tap_ok(key != CK_INVALID_HANDLE, "the private key with CKA_ID 01");
	tap_is_int(c->f->C_GetAttributeValue(s, key, &label, 1), CKR_OK, "its label's length");
	tap_is_int(c->f->C_Logout(s), CKR_OK, "logout");
	tap_is_int(c->f->C_GetAttributeValue(s, key, &label, 1), CKR_OBJECT_HANDLE_INVALID,
		   "the key's handle is invalid after the logout");
	tap_is_int(count_objects(c, s, &by_priv, 1), 0, "and it is not found");
	/* One rule for every call (spec 3.0 section 5.6.4, C_Logout: the
	 * handles to private objects become invalid), each with its code for
	 * an unknown handle: C_SignInit's is CKR_KEY_HANDLE_INVALID (section
	 * 5.11.1), where SoftHSMv2 answers CKR_OBJECT_HANDLE_INVALID. */
	tap_is_int(c->f->C_GetObjectSize(s, key, &size), CKR_OBJECT_HANDLE_INVALID,
		   "... for C_GetObjectSize");
	tap_is_int(c->f->C_DestroyObject(s, key), CKR_OBJECT_HANDLE_INVALID,
		   "... for C_DestroyObject");
	tap_is_int(c->f->C_SignInit(s, &mech, key),
		   p11_spec_or_ref(c, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID),
		   "... for C_SignInit");
	/* After a new login the module knows the key by the same handle again:
	 * NSS keeps its key objects across a logout and logs in before it signs
	 * with one (PK11_SignWithMechanism).  SoftHSMv2 keeps it invalid, as
	 * section 5.6.4 has it. */
	tap_is_int(c->f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login again");
	tap_is_int(c->f->C_GetAttributeValue(s, key, &label, 1),
		   c->softhsm ? CKR_OBJECT_HANDLE_INVALID : CKR_OK,
		   "the key's handle after the new login");
	tap_is_int(c->f->C_Logout(s), CKR_OK, "logout");
}

static void test_attributes(struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_OBJECT_HANDLE crt = p11_card_find_one(c, s, CKO_CERTIFICATE, 1), key;
	CK_BYTE value[4096], small[4];
	CK_CERTIFICATE_TYPE type = 0;
	CK_BBOOL b = CK_TRUE, b2 = CK_TRUE;
	CK_ATTRIBUTE t[3];

	tap_ok(crt != CK_INVALID_HANDLE, "the certificate with CKA_ID 01");
	tap_is_int(f->C_GetAttributeValue(s, crt, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_GetAttributeValue: NULL template with a count");
	tap_is_int(f->C_GetAttributeValue(s, 0x0b1ec7, t, 0), CKR_OBJECT_HANDLE_INVALID,
		   "unknown object");
	t[0] = (CK_ATTRIBUTE){CKA_VALUE, NULL, 0};
	tap_is_int(f->C_GetAttributeValue(s, crt, t, 1), CKR_OK, "CKA_VALUE length query");
	tap_ok(t[0].ulValueLen > 500 && t[0].ulValueLen <= sizeof(value), "... a DER size");
	t[0].pValue = value;
	tap_is_int(f->C_GetAttributeValue(s, crt, t, 1), CKR_OK, "CKA_VALUE");
	tap_is_int(value[0], 0x30, "... DER SEQUENCE");
	t[0] = (CK_ATTRIBUTE){CKA_VALUE, small, sizeof(small)};
	tap_is_int(f->C_GetAttributeValue(s, crt, t, 1), CKR_BUFFER_TOO_SMALL, "small buffer");
	tap_ok(t[0].ulValueLen == CK_UNAVAILABLE_INFORMATION, "... length unavailable");
	t[0] = (CK_ATTRIBUTE){CKA_CERTIFICATE_TYPE, &type, sizeof(type)};
	t[1] = (CK_ATTRIBUTE){CKA_PRIME_1, NULL, 0}; /* not a certificate attribute */
	t[2] = (CK_ATTRIBUTE){CKA_TOKEN, &b, sizeof(b)};
	tap_is_int(f->C_GetAttributeValue(s, crt, t, 3), CKR_ATTRIBUTE_TYPE_INVALID,
		   "invalid type among valid ones");
	tap_is_int(type, CKC_X_509, "... the others still copied: X.509");
	tap_ok(t[1].ulValueLen == CK_UNAVAILABLE_INFORMATION, "... invalid one unavailable");
	tap_ok(b == CK_TRUE && t[2].ulValueLen == sizeof(b), "... CKA_TOKEN true");

	tap_is_int(f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	t[0] = (CK_ATTRIBUTE){CKA_PRIVATE_EXPONENT, NULL, 0};
	tap_is_int(f->C_GetAttributeValue(s, key, t, 1), CKR_ATTRIBUTE_SENSITIVE,
		   "private exponent: sensitive");
	tap_ok(t[0].ulValueLen == CK_UNAVAILABLE_INFORMATION, "... length unavailable");
	t[0] = (CK_ATTRIBUTE){CKA_SENSITIVE, &b, sizeof(b)};
	t[1] = (CK_ATTRIBUTE){CKA_EXTRACTABLE, &b2, sizeof(b2)};
	tap_is_int(f->C_GetAttributeValue(s, key, t, 2), CKR_OK, "CKA_SENSITIVE, CKA_EXTRACTABLE");
	tap_ok(b == CK_TRUE && b2 == CK_FALSE, "... sensitive, not extractable");
	t[0] = (CK_ATTRIBUTE){CKA_SIGN, &b, sizeof(b)};
	t[1] = (CK_ATTRIBUTE){CKA_DECRYPT, &b2, sizeof(b2)};
	tap_is_int(f->C_GetAttributeValue(s, key, t, 2), CKR_OK, "CKA_SIGN, CKA_DECRYPT");
	tap_ok(b == CK_TRUE && (c->softhsm || b2 == CK_FALSE), "... signs (and never decrypts)");
	tap_is_int(f->C_Logout(s), CKR_OK, "logout");
}

/* cert_whole: the certificate with this CKA_ID reads as exactly one DER
 * SEQUENCE with a two-byte length (what JPKI's 2048-bit certificates are):
 * no filler after it, nothing cut off at the end of its file. */
static bool cert_whole(struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE id)
{
	CK_OBJECT_HANDLE crt = p11_card_find_one(c, s, CKO_CERTIFICATE, id);
	CK_BYTE der[4096];
	CK_ATTRIBUTE t = {CKA_VALUE, der, sizeof(der)};

	if (crt == CK_INVALID_HANDLE || c->f->C_GetAttributeValue(s, crt, &t, 1) != CKR_OK ||
	    t.ulValueLen < 4)
		return false;
	return der[0] == 0x30 && der[1] == 0x82 &&
	       t.ulValueLen == 4 + ((CK_ULONG)der[2] << 8 | der[3]);
}

/* The JPKI objects as the task lists them. */
static void test_jpki_objects(struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_OBJECT_CLASS profile = CKO_PROFILE;
	CK_ATTRIBUTE by_profile = {CKA_CLASS, &profile, sizeof(profile)};
	CK_PROFILE_ID pid = 0;
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE, ca;
	CK_ULONG n = 0, category = 0;
	char label[64];
	CK_BYTE check[3];
	CK_ATTRIBUTE t[3];

	tap_is_int(f->C_FindObjectsInit(s, &by_profile, 1), CKR_OK, "find the profile object");
	tap_is_int(f->C_FindObjects(s, &h, 1, &n), CKR_OK, "...");
	f->C_FindObjectsFinal(s);
	t[0] = (CK_ATTRIBUTE){CKA_PROFILE_ID, &pid, sizeof(pid)};
	tap_is_int(f->C_GetAttributeValue(s, h, t, 1), CKR_OK, "its CKA_PROFILE_ID");
	tap_is_int(pid, CKP_PUBLIC_CERTIFICATES_TOKEN, "... public certificates token");
	ca = p11_card_find_one(c, s, CKO_CERTIFICATE, 3);
	t[0] = (CK_ATTRIBUTE){CKA_LABEL, label, sizeof(label)};
	t[1] = (CK_ATTRIBUTE){CKA_CERTIFICATE_CATEGORY, &category, sizeof(category)};
	t[2] = (CK_ATTRIBUTE){CKA_CHECK_VALUE, check, sizeof(check)};
	tap_is_int(f->C_GetAttributeValue(s, ca, t, 3), CKR_OK, "the auth CA (CKA_ID 03)");
	tap_ok(t[0].ulValueLen == 22 && memcmp(label, "User Authentication CA", 22) == 0,
	       "... labelled User Authentication CA");
	tap_is_int(category, CK_CERTIFICATE_CATEGORY_AUTHORITY, "... category authority");
	tap_is_int(t[2].ulValueLen, 3, "... 3-byte check value");
	tap_ok(p11_card_find_one(c, s, CKO_PUBLIC_KEY, 1) != CK_INVALID_HANDLE,
	       "the auth public key is public");
	tap_ok(cert_whole(c, s, 1), "the auth certificate reads whole");
	tap_ok(cert_whole(c, s, 3), "the auth CA certificate reads whole");
}

static void test_sign_token(struct p11_card *c)
{
	CK_SESSION_HANDLE s = p11_card_session(c, c->sign_slot, false);
	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE t = {CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always)};
	CK_OBJECT_HANDLE key;

	tap_ok(p11_card_find_one(c, s, CKO_CERTIFICATE, 2) == CK_INVALID_HANDLE,
	       "sign certificate hidden before the password");
	tap_ok(p11_card_find_one(c, s, CKO_CERTIFICATE, 4) != CK_INVALID_HANDLE,
	       "sign CA (CKA_ID 04) public");
	tap_is_int(c->f->C_Login(s, CKU_USER, PIN(c->sign_pin)), CKR_OK, "login to the sign token");
	tap_ok(p11_card_find_one(c, s, CKO_CERTIFICATE, 2) != CK_INVALID_HANDLE,
	       "sign certificate after it");
	tap_ok(p11_card_find_one(c, s, CKO_PUBLIC_KEY, 2) != CK_INVALID_HANDLE,
	       "sign public key after it");
	tap_ok(cert_whole(c, s, 2), "the sign certificate reads whole");
	tap_ok(cert_whole(c, s, 4), "the sign CA certificate reads whole");
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 2);
	tap_is_int(c->f->C_GetAttributeValue(s, key, &t, 1), CKR_OK, "sign key attributes");
	tap_is_int(always, CK_TRUE, "... CKA_ALWAYS_AUTHENTICATE");
	tap_is_int(c->f->C_CloseSession(s), CKR_OK, "closed");
}

int main(void)
{
	struct p11_card c;
	CK_SESSION_HANDLE s;

	p11_card_open(&c, 1);
	s = p11_card_session(&c, c.auth_slot, false);
	test_find_ladder(&c, s);
	test_visibility(&c, s);
	test_attributes(&c, s);
	if (c.jpki) {
		test_jpki_objects(&c, s);
		test_sign_token(&c);
	}
	c.f->C_CloseSession(s);
	p11_card_close(&c);
	return tap_done();
}
