/* The CA certificates are read when first needed (pkcs11/object.c): what
 * each step costs in APDUs, and what a card error during that late read
 * gives (spec 3.0 section 5.7: C_GetAttributeValue and C_FindObjectsInit may
 * return CKR_DEVICE_REMOVED, CKR_DEVICE_ERROR, CKR_HOST_MEMORY ...).  Only
 * on the emulator, whose APDU log, cards and files the test controls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11-card.h"
#include "sim.h"
#include "tap.h"

/* apdus: commands in the emulator's log so far. */
static long apdus(const struct p11_card *c)
{
	return p11_card_apdus(c, "");
}

/* Whether the emulated card reads by short EF identifier (no JPKI_SIM_OPTIONS
 * no_sfi); the module learns it by asking once per insertion. */
static bool sfi = true;

/* read_cost: one READ BINARY per 256 bytes, after a SELECT unless by SFI. */
static long read_cost(long len)
{
	return (sfi ? 0 : 1) + (len + 255) / 256;
}

/* What the first look at the card costs: the probe (READ of EF 0006 by SFI:
 * the fresh emulator is at the MF, 6A82; 6A86 without SFI, not counted as a
 * refusal) and SELECT AP; the label of EF 0006 by SFI (or refused, then
 * SELECT + READ); the auth certificate; each PIN's counter by an empty
 * VERIFY naming its EF by SFI (without SFI: SELECT + empty VERIFY).  No CA
 * certificate. */
static void test_enumeration(struct p11_card *c)
{
	long auth_len;
	unsigned char *auth = p11_card_state_file(c, 0, SIM_FILE_AUTH, &auth_len);
	long want = 2 + (sfi ? 1 : 3) + read_cost(auth_len) + (sfi ? 2 : 4);

	tap_is_int(apdus(c), want, "%s: enumeration costs %ld APDUs", sfi ? "SFI" : "no SFI", want);
	free(auth);
}

static CK_RV get_value(const struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
		       CK_BYTE *buf, CK_ULONG *len)
{
	CK_ATTRIBUTE t = {CKA_VALUE, buf, *len};
	CK_RV rv = c->f->C_GetAttributeValue(s, h, &t, 1);

	*len = t.ulValueLen;
	return rv;
}

/* count_found: C_FindObjectsInit's result, and the number found in *n. */
static CK_RV count_found(const struct p11_card *c, CK_SESSION_HANDLE s, CK_ATTRIBUTE *t,
			 CK_ULONG count, CK_ULONG *n)
{
	CK_OBJECT_HANDLE h[16];
	CK_RV rv = c->f->C_FindObjectsInit(s, t, count);

	*n = 0;
	if (rv != CKR_OK)
		return rv;
	c->f->C_FindObjects(s, h, 16, n);
	c->f->C_FindObjectsFinal(s);
	return rv;
}

static void test_costs(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false), s2;
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_BYTE id = 4, value[8192];
	CK_ULONG len, n, category = 0;
	CK_ATTRIBUTE t[3];
	CK_OBJECT_HANDLE ca;
	long ca_len, sign_ca_len, before;
	unsigned char *ca_der = p11_card_state_file(c, 0, SIM_FILE_AUTH_CA, &ca_len);
	unsigned char *sign_ca_der = p11_card_state_file(c, 0, SIM_FILE_SIGN_CA, &sign_ca_len);
	char label[64];

	before = apdus(c);
	ca = p11_card_find_one(c, s, CKO_CERTIFICATE, 3);
	tap_ok(ca != CK_INVALID_HANDLE, "the auth CA found by class and CKA_ID");
	t[0] = (CK_ATTRIBUTE){CKA_LABEL, label, sizeof(label)};
	t[1] = (CK_ATTRIBUTE){CKA_CERTIFICATE_CATEGORY, &category, sizeof(category)};
	tap_is_int(f->C_GetAttributeValue(s, ca, t, 2), CKR_OK, "its label and category");
	tap_is_int(category, CK_CERTIFICATE_CATEGORY_AUTHORITY, "... authority");
	tap_is_int(apdus(c) - before, 0, "... without an APDU (from the table)");

	len = 0;
	tap_is_int(get_value(c, s, ca, NULL, &len), CKR_OK, "CKA_VALUE length");
	tap_is_int(len, ca_len, "... the card's DER size");
	tap_is_int(apdus(c) - before, read_cost(ca_len),
		   "... read now: READ BINARY (by SFI, or after SELECT)");
	len = sizeof(value);
	tap_is_int(get_value(c, s, ca, value, &len), CKR_OK, "CKA_VALUE");
	tap_ok(len == (CK_ULONG)ca_len && memcmp(value, ca_der, len) == 0,
	       "... the certificate on the card");
	t[0] = (CK_ATTRIBUTE){CKA_SUBJECT, NULL, 0};
	t[1] = (CK_ATTRIBUTE){CKA_CHECK_VALUE, NULL, 0};
	t[2] = (CK_ATTRIBUTE){CKA_START_DATE, NULL, 0};
	tap_is_int(f->C_GetAttributeValue(s, ca, t, 3), CKR_OK, "subject, check value, date");
	tap_ok(t[0].ulValueLen > 0 && t[1].ulValueLen == 3 && t[2].ulValueLen == 8,
	       "... all there");
	tap_is_int(apdus(c) - before, read_cost(ca_len), "... read once: no APDU more");

	/* The sign token's CA, by a template only its DER can decide. */
	s2 = p11_card_session(c, c->sign_slot, false);
	before = apdus(c);
	t[0] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
	t[1] = (CK_ATTRIBUTE){CKA_ID, &id, 1};
	t[2] = (CK_ATTRIBUTE){CKA_VALUE, ca_der, (CK_ULONG)ca_len};
	tap_is_int(count_found(c, s2, t, 3, &n), CKR_OK, "find the sign CA by the auth CA's DER");
	tap_is_int(n, 0, "... not found");
	tap_is_int(apdus(c) - before, read_cost(sign_ca_len), "... after reading the sign CA");
	t[2] = (CK_ATTRIBUTE){CKA_VALUE, sign_ca_der, (CK_ULONG)sign_ca_len};
	tap_is_int(count_found(c, s2, t, 3, &n), CKR_OK, "by its own DER");
	tap_is_int(n, 1, "... found");
	tap_is_int(apdus(c) - before, read_cost(sign_ca_len), "... without reading it again");
	f->C_CloseSession(s2);
	f->C_CloseSession(s);
	free(ca_der);
	free(sign_ca_der);
}

/* A template the table already rules out reads nothing. */
static void test_no_needless_read(struct p11_card *c)
{
	CK_SESSION_HANDLE s = p11_card_session(c, c->sign_slot, false);
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_BYTE id = 4, der[4] = {0x30, 0x82, 0, 0};
	CK_ATTRIBUTE t[3] = {
		{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, &id, 1}, {CKA_VALUE, der, sizeof(der)}};
	CK_ULONG n = 9;
	long before = apdus(c);

	tap_is_int(count_found(c, s, t, 3, &n), CKR_OK,
		   "find a public key with CKA_ID 04 and a DER");
	tap_is_int(n, 0, "... none");
	tap_is_int(apdus(c) - before, 0, "... and no certificate read to say so");
	c->f->C_CloseSession(s);
}

/* Reset by another process before the late read: the read finds it. */
static void test_reset(struct p11_card *c)
{
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, false);
	CK_OBJECT_HANDLE ca = p11_card_find_one(c, s, CKO_CERTIFICATE, 3);
	CK_BYTE value[8192];
	CK_ULONG len = sizeof(value);
	CK_SESSION_INFO info;

	tap_is_int(c->control("reset", 0), 0, "another process resets the card");
	tap_is_int(get_value(c, s, ca, value, &len), CKR_DEVICE_REMOVED,
		   "CKA_VALUE of the auth CA: device removed");
	tap_ok(len == CK_UNAVAILABLE_INFORMATION || len == sizeof(value),
	       "... the template not filled in");
	tap_is_int(c->f->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID,
		   "... and the session is closed");
	s = p11_card_session(c, c->auth_slot, false);
	ca = p11_card_find_one(c, s, CKO_CERTIFICATE, 3);
	len = sizeof(value);
	tap_is_int(get_value(c, s, ca, value, &len), CKR_OK, "a new session reads it");
	tap_is_int(value[0], 0x30, "... a DER SEQUENCE");
	c->f->C_CloseSession(s);
}

/* Removed: the session's card check says so first; never a crash. */
static void test_removed(struct p11_card *c)
{
	CK_SESSION_HANDLE s = p11_card_session(c, c->sign_slot, false);
	CK_OBJECT_HANDLE ca = p11_card_find_one(c, s, CKO_CERTIFICATE, 4);
	CK_BYTE der[4] = {0x30, 0x82, 0, 0};
	CK_ATTRIBUTE t = {CKA_VALUE, der, sizeof(der)};
	CK_ULONG n = 9;
	CK_SESSION_HANDLE s2 = p11_card_session(c, c->sign_slot, false);

	tap_is_int(c->control("remove", 0), 0, "card removed");
	tap_is_int(count_found(c, s, &t, 1, &n), CKR_DEVICE_REMOVED,
		   "C_FindObjectsInit by CKA_VALUE: device removed");
	tap_is_int(c->f->C_GetAttributeValue(s2, ca, &t, 1), CKR_SESSION_HANDLE_INVALID,
		   "C_GetAttributeValue in the other session: closed with the token");
	tap_is_int(c->control("insert", 0), 0, "card back");
}

/* A CA certificate that does not parse: that object fails, the token works. */
static void test_bad_ca(struct p11_card *c)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE ca, crt;
	CK_BYTE value[8192];
	CK_ULONG len = sizeof(value), n = 9;
	CK_ATTRIBUTE t = {CKA_SUBJECT, NULL, 0};
	CK_TOKEN_INFO token;
	unsigned char *der;
	char path[600];
	long der_len;
	FILE *fp;

	c->f->C_Finalize(NULL);
	/* Keep the DER header (30 82 LL LL), spoil the body. */
	der = p11_card_state_file(c, 0, SIM_FILE_AUTH_CA, &der_len);
	memset(der + 4, 0x5A, (size_t)der_len - 4);
	snprintf(path, sizeof(path), "%s/%s", c->state_dirs[0], SIM_FILE_AUTH_CA);
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(der, 1, (size_t)der_len, fp) != (size_t)der_len || fclose(fp))
		tap_bail("cannot write %s", path);
	free(der);
	if (c->f->C_Initialize(NULL) != CKR_OK)
		tap_bail("C_Initialize again failed");
	c->auth_slot = p11_card_slot_by_label(c, AUTH_LABEL, 0);
	tap_is_int(c->f->C_GetTokenInfo(c->auth_slot, &token), CKR_OK,
		   "the token is there: the CA is not read to enumerate");
	s = p11_card_session(c, c->auth_slot, false);
	ca = p11_card_find_one(c, s, CKO_CERTIFICATE, 3);
	tap_ok(ca != CK_INVALID_HANDLE, "the auth CA object is there");
	tap_is_int(get_value(c, s, ca, value, &len), CKR_DEVICE_ERROR,
		   "its CKA_VALUE: device error");
	tap_is_int(c->f->C_GetAttributeValue(s, ca, &t, 1), CKR_DEVICE_ERROR,
		   "its CKA_SUBJECT: again device error");
	tap_is_int(count_found(c, s, &t, 1, &n), CKR_DEVICE_ERROR,
		   "C_FindObjectsInit by CKA_SUBJECT: device error");
	crt = p11_card_find_one(c, s, CKO_CERTIFICATE, 1);
	len = sizeof(value);
	tap_is_int(get_value(c, s, crt, value, &len), CKR_OK,
		   "the session still works: the auth certificate's value");
	c->f->C_CloseSession(s);
}

int main(void)
{
	struct p11_card c;

	if (!p11_card_open_sim(&c, 1, "its APDU log, cards and files are needed"))
		return tap_done();
	test_enumeration(&c);
	test_costs(&c);
	p11_card_close(&c);

	/* The same on a card that refuses READ BINARY by SFI. */
	setenv("JPKI_SIM_OPTIONS", "no_sfi", 1);
	sfi = false;
	p11_card_open(&c, 1);
	test_enumeration(&c);
	test_costs(&c);
	p11_card_close(&c);
	unsetenv("JPKI_SIM_OPTIONS");
	sfi = true;

	p11_card_open(&c, 1);
	test_no_needless_read(&c);
	test_reset(&c);
	test_removed(&c);
	test_bad_ca(&c);
	p11_card_close(&c);
	return tap_done();
}
