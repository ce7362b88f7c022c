/* The object functions that would write (spec 3.0 section 5.7) on a token:
 * C_CreateObject, C_CopyObject, C_DestroyObject, C_SetAttributeValue, ladder
 * style: bad arguments, bad session, bad object, read-only session,
 * read/write session, logged in, after a removal.  The module's tokens are
 * write-protected: see pkcs11/p11-write.c for the ladder and its reasons.
 *
 * Against SoftHSMv2 only the calls that fail there too are made (its token
 * is writable: a read/write session would really change it).  Where it
 * differs the test names the clause: on a write-protected token spec 3.0
 * section 5.1.6 puts CKR_TOKEN_WRITE_PROTECTED above CKR_SESSION_READ_ONLY,
 * which is SoftHSMv2's answer for its writable token in a read-only session. */
#include <string.h>

#include "p11-card.h"
#include "tap.h"

static CK_OBJECT_CLASS data_class = CKO_DATA;
static CK_BBOOL yes = CK_TRUE;
static char new_label[] = "changed";

/* A token data object: the simplest thing an application may try to create. */
static CK_ATTRIBUTE data_tmpl[] = {
	{CKA_CLASS, &data_class, sizeof(data_class)},
	{CKA_TOKEN, &yes, sizeof(yes)},
	{CKA_LABEL, new_label, sizeof(new_label) - 1},
};
static CK_ATTRIBUTE label_tmpl[] = {{CKA_LABEL, new_label, sizeof(new_label) - 1}};

static CK_ULONG count_all(const struct p11_card *c, CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE h[64];
	CK_ULONG n = 0;

	if (c->f->C_FindObjectsInit(s, NULL, 0) != CKR_OK ||
	    c->f->C_FindObjects(s, h, 64, &n) != CKR_OK)
		n = 999;
	c->f->C_FindObjectsFinal(s);
	return n;
}

static void test_arguments(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE crt)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_OBJECT_HANDLE h = 77;

	tap_is_int(f->C_CreateObject(s, NULL, 3, &h), CKR_ARGUMENTS_BAD,
		   "C_CreateObject: NULL template with a count");
	tap_is_int(f->C_CreateObject(s, data_tmpl, 3, NULL), CKR_ARGUMENTS_BAD,
		   "C_CreateObject: NULL phObject");
	tap_is_int(f->C_CopyObject(s, crt, NULL, 1, &h), CKR_ARGUMENTS_BAD,
		   "C_CopyObject: NULL template with a count");
	tap_is_int(f->C_CopyObject(s, crt, label_tmpl, 1, NULL), CKR_ARGUMENTS_BAD,
		   "C_CopyObject: NULL phNewObject");
	tap_is_int(f->C_SetAttributeValue(s, crt, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_SetAttributeValue: NULL template with a count");
	tap_is_int(f->C_CreateObject(0x5e55, data_tmpl, 3, &h), CKR_SESSION_HANDLE_INVALID,
		   "C_CreateObject: bad session");
	tap_is_int(f->C_CopyObject(0x5e55, crt, label_tmpl, 1, &h), CKR_SESSION_HANDLE_INVALID,
		   "C_CopyObject: bad session");
	tap_is_int(f->C_DestroyObject(0x5e55, crt), CKR_SESSION_HANDLE_INVALID,
		   "C_DestroyObject: bad session");
	tap_is_int(f->C_SetAttributeValue(0x5e55, crt, label_tmpl, 1), CKR_SESSION_HANDLE_INVALID,
		   "C_SetAttributeValue: bad session");
	tap_is_int(f->C_CopyObject(s, 0x0b1ec7, label_tmpl, 1, &h), CKR_OBJECT_HANDLE_INVALID,
		   "C_CopyObject: unknown object");
	tap_is_int(f->C_DestroyObject(s, 0x0b1ec7), CKR_OBJECT_HANDLE_INVALID,
		   "C_DestroyObject: unknown object");
	tap_is_int(f->C_SetAttributeValue(s, 0x0b1ec7, label_tmpl, 1), CKR_OBJECT_HANDLE_INVALID,
		   "C_SetAttributeValue: unknown object");
	if (c->jpki) /* SoftHSMv2 writes CK_INVALID_HANDLE, which the spec allows */
		tap_is_int(h, 77, "no handle written");
}

/* read_only: what a read-only session gets (SoftHSMv2 too). */
static void test_read_only(struct p11_card *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE crt)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_RV want = p11_spec_or_ref(c, CKR_TOKEN_WRITE_PROTECTED, CKR_SESSION_READ_ONLY);
	CK_OBJECT_HANDLE h = 77;

	tap_is_int(f->C_CreateObject(s, data_tmpl, 3, &h), want,
		   "C_CreateObject of a token object, RO session (spec 5.1.6)");
	tap_is_int(f->C_DestroyObject(s, crt), want, "C_DestroyObject, RO session (spec 5.1.6)");
	tap_is_int(f->C_SetAttributeValue(s, crt, label_tmpl, 1), want,
		   "C_SetAttributeValue, RO session (spec 5.1.6)");
	if (c->jpki)
		tap_is_int(h, 77, "no handle written");
}

/* The module only: read/write sessions, logged in, the objects unchanged,
 * nothing sent to the card. */
static void test_write_protected(struct p11_card *c, CK_SESSION_HANDLE ro, CK_OBJECT_HANDLE crt)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SESSION_HANDLE rw = p11_card_session(c, c->auth_slot, true);
	CK_OBJECT_HANDLE h = 77, key;
	CK_ULONG before = count_all(c, rw);
	CK_BBOOL modifiable = CK_TRUE, copyable = CK_TRUE, destroyable = CK_TRUE;
	CK_ATTRIBUTE policy[] = {{CKA_MODIFIABLE, &modifiable, sizeof(modifiable)},
				 {CKA_COPYABLE, &copyable, sizeof(copyable)},
				 {CKA_DESTROYABLE, &destroyable, sizeof(destroyable)}};
	char label[64];
	CK_ATTRIBUTE get_label = {CKA_LABEL, label, sizeof(label)};
	CK_TOKEN_INFO info;
	long sent = p11_card_apdus(c, "");

	tap_is_int(f->C_GetTokenInfo(c->auth_slot, &info), CKR_OK, "token info");
	tap_ok(info.flags & CKF_WRITE_PROTECTED, "... CKF_WRITE_PROTECTED");
	tap_is_int(f->C_GetAttributeValue(rw, crt, policy, 3), CKR_OK,
		   "CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE");
	tap_ok(!modifiable && !copyable && !destroyable, "... all false");
	tap_is_int(f->C_CreateObject(rw, data_tmpl, 3, &h), CKR_TOKEN_WRITE_PROTECTED,
		   "C_CreateObject, RW session");
	data_tmpl[1].pValue = &(CK_BBOOL){CK_FALSE};
	tap_is_int(f->C_CreateObject(rw, data_tmpl, 3, &h), CKR_TOKEN_WRITE_PROTECTED,
		   "C_CreateObject of a session object: no session objects either");
	tap_is_int(f->C_CreateObject(ro, data_tmpl, 3, &h), CKR_TOKEN_WRITE_PROTECTED,
		   "... nor in a RO session");
	data_tmpl[1].pValue = &yes;
	tap_is_int(f->C_CopyObject(rw, crt, NULL, 0, &h), CKR_TOKEN_WRITE_PROTECTED,
		   "C_CopyObject, RW session");
	tap_is_int(f->C_CopyObject(ro, crt, label_tmpl, 1, &h), CKR_TOKEN_WRITE_PROTECTED,
		   "C_CopyObject, RO session");
	tap_is_int(f->C_DestroyObject(rw, crt), CKR_TOKEN_WRITE_PROTECTED,
		   "C_DestroyObject, RW session");
	tap_is_int(f->C_SetAttributeValue(rw, crt, label_tmpl, 1), CKR_TOKEN_WRITE_PROTECTED,
		   "C_SetAttributeValue, RW session");
	tap_is_int(f->C_Login(rw, CKU_USER, PIN(c->auth_pin)), CKR_OK, "login");
	sent = p11_card_apdus(c, "");
	key = p11_card_find_one(c, rw, CKO_PRIVATE_KEY, 1);
	tap_is_int(f->C_DestroyObject(rw, key), CKR_TOKEN_WRITE_PROTECTED,
		   "C_DestroyObject of the private key, logged in");
	tap_is_int(f->C_SetAttributeValue(ro, key, label_tmpl, 1), CKR_TOKEN_WRITE_PROTECTED,
		   "C_SetAttributeValue of the private key, logged in");
	tap_is_int(f->C_CopyObject(rw, key, NULL, 0, &h), CKR_TOKEN_WRITE_PROTECTED,
		   "C_CopyObject of the private key, logged in");
	tap_is_int(f->C_CreateObject(rw, data_tmpl, 3, &h), CKR_TOKEN_WRITE_PROTECTED,
		   "C_CreateObject, logged in");
	tap_is_int(h, 77, "no handle written");
	tap_is_int(p11_card_apdus(c, ""), sent, "no APDU sent for any of them");
	tap_is_int(f->C_Logout(rw), CKR_OK, "logout");
	/* A private object is invisible again: its handle is invalid. */
	tap_is_int(f->C_DestroyObject(rw, key), CKR_OBJECT_HANDLE_INVALID,
		   "C_DestroyObject of the private key after the logout");
	tap_is_int(f->C_SetAttributeValue(rw, key, label_tmpl, 1), CKR_OBJECT_HANDLE_INVALID,
		   "C_SetAttributeValue of it");
	tap_is_int(f->C_CopyObject(rw, key, NULL, 0, &h), CKR_OBJECT_HANDLE_INVALID,
		   "C_CopyObject of it");
	tap_is_int(count_all(c, rw), before, "as many objects as before");
	tap_is_int(f->C_GetAttributeValue(rw, crt, &get_label, 1), CKR_OK, "the label");
	tap_ok(get_label.ulValueLen == 31 &&
		       memcmp(label, "User Authentication Certificate", 31) == 0,
	       "... unchanged");
	f->C_CloseSession(rw);
}

/* The emulator only: a card that left answers CKR_DEVICE_REMOVED first. */
static void test_removed(struct p11_card *c)
{
	CK_SESSION_HANDLE s = p11_card_session(c, c->auth_slot, true);
	CK_OBJECT_HANDLE crt = p11_card_find_one(c, s, CKO_CERTIFICATE, 1);

	tap_is_int(c->control("remove", 0), 0, "card removed");
	tap_is_int(c->f->C_DestroyObject(s, crt), CKR_DEVICE_REMOVED,
		   "C_DestroyObject: device removed");
	tap_is_int(c->f->C_DestroyObject(s, crt), CKR_SESSION_HANDLE_INVALID,
		   "... then the session is invalid");
	tap_is_int(c->control("insert", 0), 0, "card back");
}

int main(void)
{
	struct p11_card c;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE crt;

	p11_card_open(&c, 1);
	s = p11_card_session(&c, c.auth_slot, false);
	crt = p11_card_find_one(&c, s, CKO_CERTIFICATE, 1);
	tap_ok(crt != CK_INVALID_HANDLE, "the certificate with CKA_ID 01");
	test_arguments(&c, s, crt);
	test_read_only(&c, s, crt);
	if (c.jpki)
		test_write_protected(&c, s, crt);
	if (c.sim)
		test_removed(&c);
	c.f->C_CloseSession(s);
	p11_card_close(&c);
	return tap_done();
}
