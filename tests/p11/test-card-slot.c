/* Slots and tokens with a card (spec 3.0 section 5.5): the slot list's
 * two-call convention, slot and token info, mechanisms, and polling that
 * sends no APDU while the card is unchanged. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "p11-card.h"
#include "tap.h"

static void test_slot_list(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SLOT_ID list[8];
	CK_ULONG all = 0, present = 0, n;

	tap_is_int(f->C_GetSlotList(CK_FALSE, NULL, &all), CKR_OK, "count of all slots");
	tap_is_int(f->C_GetSlotList(CK_TRUE, NULL, &present), CKR_OK, "count with a token");
	tap_ok(present >= (c->jpki ? 2 : 1) && all >= present, "%lu slots, %lu with a token", all,
	       present);
	n = present - 1;
	tap_is_int(f->C_GetSlotList(CK_TRUE, list, &n), CKR_BUFFER_TOO_SMALL, "one slot short");
	tap_is_int(n, present, "... the count needed");
	n = 8;
	tap_is_int(f->C_GetSlotList(CK_TRUE, list, &n), CKR_OK, "the list");
	tap_is_int(n, present, "... as counted");
}

static void test_infos(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SLOT_INFO slot;
	CK_TOKEN_INFO auth, sign;

	tap_is_int(f->C_GetSlotInfo(c->auth_slot, &slot), CKR_OK, "auth slot info");
	tap_ok(slot.flags & CKF_TOKEN_PRESENT, "... token present");
	tap_ok(slot.flags & CKF_REMOVABLE_DEVICE, "... removable");
	tap_ok(memmem(slot.slotDescription, 64, "(auth)", 6) != NULL, "... names the token");
	tap_is_int(f->C_GetTokenInfo(c->auth_slot, &auth), CKR_OK, "auth token info");
	tap_is_int(f->C_GetTokenInfo(c->sign_slot, &sign), CKR_OK, "sign token info");
	tap_ok(memcmp(auth.manufacturerID, "J-LIS (JPKI)    ", 16) == 0, "manufacturer");
	tap_ok(memcmp(auth.serialNumber, "0000000000000000", 16) != 0, "serial not zeros");
	tap_ok(memcmp(auth.serialNumber, sign.serialNumber, 16) == 0,
	       "both tokens share the card serial");
	tap_is_int(auth.flags & ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY),
		   CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED |
			   CKF_WRITE_PROTECTED,
		   "auth token flags (no RNG)");
	tap_ok(auth.ulMinPinLen == 4 && auth.ulMaxPinLen == 4, "auth PIN 4/4");
	tap_ok(sign.ulMinPinLen == 6 && sign.ulMaxPinLen == 16, "sign password 6/16");
}

static void test_mechanisms(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_MECHANISM_TYPE list[16];
	CK_MECHANISM_INFO info;
	CK_ULONG n = 0, i;

	/* The emulated card signs PSS: PKCS#1 v1.5 (6) and PSS (2); test-card-pss.c
	 * has the card without PSS and pss = off (today's six). */
	tap_is_int(f->C_GetMechanismList(c->auth_slot, NULL, &n), CKR_OK, "mechanism count");
	tap_is_int(n, 8, "... eight");
	n = 2;
	tap_is_int(f->C_GetMechanismList(c->auth_slot, list, &n), CKR_BUFFER_TOO_SMALL,
		   "room for two");
	tap_is_int(n, 8, "... eight needed");
	n = 16;
	tap_is_int(f->C_GetMechanismList(c->sign_slot, list, &n), CKR_OK, "the list");
	for (i = 0; i < n; i++) {
		tap_is_int(f->C_GetMechanismInfo(c->sign_slot, list[i], &info), CKR_OK,
			   "info of 0x%lx", list[i]);
		tap_ok(info.flags == (CKF_SIGN | CKF_HW) && info.ulMinKeySize == 2048 &&
			       info.ulMaxKeySize == 2048,
		       "... sign, hardware, 2048 bits");
	}
	tap_is_int(f->C_GetMechanismInfo(c->auth_slot, CKM_RSA_PKCS_OAEP, &info),
		   CKR_MECHANISM_INVALID, "OAEP: invalid");
	tap_is_int(f->C_GetMechanismInfo(c->auth_slot, CKM_RSA_X_509, &info), CKR_MECHANISM_INVALID,
		   "raw RSA: invalid");
}

static off_t log_size(const struct p11_card *c)
{
	struct stat st;

	return c->apdu_log != NULL && stat(c->apdu_log, &st) == 0 ? st.st_size : 0;
}

static void test_quiet_polling(struct p11_card *c)
{
	CK_FUNCTION_LIST_PTR f = c->f;
	CK_SLOT_ID list[8];
	CK_SLOT_INFO slot;
	CK_TOKEN_INFO token;
	CK_ULONG n;
	off_t before = log_size(c);
	int i;
	bool ok = true;

	for (i = 0; i < 50; i++) {
		n = 8;
		ok = ok && f->C_GetSlotList(CK_TRUE, NULL, &n) == CKR_OK;
		ok = ok && f->C_GetSlotList(CK_TRUE, list, &n) == CKR_OK;
		ok = ok && f->C_GetSlotInfo(c->auth_slot, &slot) == CKR_OK;
		ok = ok && f->C_GetTokenInfo(c->auth_slot, &token) == CKR_OK;
		ok = ok && f->C_GetTokenInfo(c->sign_slot, &token) == CKR_OK;
	}
	tap_ok(ok, "250 polls answered");
	tap_is_int(log_size(c) - before, 0, "... without one APDU");
}

int main(void)
{
	struct p11_card c;

	p11_card_open(&c, 1);
	test_slot_list(&c);
	if (c.jpki) {
		test_infos(&c);
		test_mechanisms(&c);
		test_quiet_polling(&c);
	}
	p11_card_close(&c);
	return tap_done();
}
