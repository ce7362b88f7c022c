/* Slot and token management (spec 3.0 section 5.5) on a module that has no
 * slots (no PC/SC service reachable): the two-call count convention,
 * argument checks, CKR_SLOT_ID_INVALID for every slot ID, and
 * C_WaitForSlotEvent without blocking.  The blocking wait and its
 * cancellation by C_Finalize are in test-card-events.c. */
#include "p11-test.h"
#include "tap.h"

static const CK_SLOT_ID slot_ids[] = {0, 1, 2, 0x7fffffff, ~0UL};
#define SLOT_ID_COUNT (sizeof(slot_ids) / sizeof(slot_ids[0]))

static void test_slot_list(CK_FUNCTION_LIST_PTR f)
{
	CK_SLOT_ID list[4] = {77, 77, 77, 77};
	CK_ULONG count;

	tap_is_int(f->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD, "NULL pulCount");
	tap_is_int(f->C_GetSlotList(CK_TRUE, list, NULL), CKR_ARGUMENTS_BAD,
		   "NULL pulCount with a list");
	count = 42;
	tap_is_int(f->C_GetSlotList(CK_FALSE, NULL, &count), CKR_OK, "count query, all slots");
	tap_is_int(count, 0, "no slots");
	count = 42;
	tap_is_int(f->C_GetSlotList(CK_TRUE, NULL, &count), CKR_OK, "count query, with token");
	tap_is_int(count, 0, "no slots with a token");
	count = 0;
	tap_is_int(f->C_GetSlotList(CK_FALSE, list, &count), CKR_OK, "list with room for 0");
	tap_is_int(count, 0, "count 0");
	count = 4;
	tap_is_int(f->C_GetSlotList(CK_TRUE, list, &count), CKR_OK, "list with room for 4");
	tap_is_int(count, 0, "count 0");
	tap_is_int(list[0], 77, "nothing written");
	count = 4;
	tap_is_int(f->C_GetSlotList(2, list, &count), CKR_OK, "tokenPresent 2 reads as true");
}

static void test_slot_ids(CK_FUNCTION_LIST_PTR f)
{
	CK_SLOT_INFO slot_info;
	CK_TOKEN_INFO token_info;
	CK_MECHANISM_TYPE mechanisms[4];
	CK_MECHANISM_INFO mechanism_info;
	CK_SESSION_HANDLE session = 99;
	CK_ULONG count;
	size_t i;

	/* SoftHSMv2's order: the slot before the info pointer here, the
	 * pointers before the slot in the three calls after (test-card-ladder). */
	tap_is_int(f->C_GetSlotInfo(0, NULL), CKR_SLOT_ID_INVALID,
		   "C_GetSlotInfo: NULL pInfo, no slot: the slot first");
	tap_is_int(f->C_GetTokenInfo(0, NULL), CKR_SLOT_ID_INVALID,
		   "C_GetTokenInfo: NULL pInfo, no slot: the slot first");
	tap_is_int(f->C_GetMechanismList(0, mechanisms, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetMechanismList: NULL pulCount");
	tap_is_int(f->C_GetMechanismInfo(0, CKM_RSA_PKCS, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetMechanismInfo: NULL pInfo");
	tap_is_int(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_OpenSession: NULL phSession");
	for (i = 0; i < SLOT_ID_COUNT; i++) {
		CK_SLOT_ID id = slot_ids[i];

		tap_is_int(f->C_GetSlotInfo(id, &slot_info), CKR_SLOT_ID_INVALID,
			   "C_GetSlotInfo(%lu)", id);
		tap_is_int(f->C_GetTokenInfo(id, &token_info), CKR_SLOT_ID_INVALID,
			   "C_GetTokenInfo(%lu)", id);
		count = 4;
		tap_is_int(f->C_GetMechanismList(id, NULL, &count), CKR_SLOT_ID_INVALID,
			   "C_GetMechanismList(%lu) count query", id);
		tap_is_int(f->C_GetMechanismList(id, mechanisms, &count), CKR_SLOT_ID_INVALID,
			   "C_GetMechanismList(%lu)", id);
		tap_is_int(f->C_GetMechanismInfo(id, CKM_SHA256_RSA_PKCS, &mechanism_info),
			   CKR_SLOT_ID_INVALID, "C_GetMechanismInfo(%lu)", id);
		tap_is_int(f->C_OpenSession(id, CKF_SERIAL_SESSION, NULL, NULL, &session),
			   CKR_SLOT_ID_INVALID, "C_OpenSession(%lu)", id);
		tap_is_int(f->C_OpenSession(id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					    &session),
			   CKR_SLOT_ID_INVALID, "C_OpenSession(%lu) read/write", id);
		tap_is_int(f->C_CloseAllSessions(id), CKR_SLOT_ID_INVALID,
			   "C_CloseAllSessions(%lu)", id);
	}
	tap_is_int(session, 99, "no session handle written");
}

static void test_wait_for_slot_event(CK_FUNCTION_LIST_PTR f)
{
	CK_SLOT_ID slot = 77;
	int reserved = 0;

	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD,
		   "C_WaitForSlotEvent: NULL pSlot");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, &reserved), CKR_ARGUMENTS_BAD,
		   "C_WaitForSlotEvent: pReserved set");
	tap_is_int(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT,
		   "C_WaitForSlotEvent(CKF_DONT_BLOCK): no event");
	tap_is_int(slot, 77, "no slot written");
}

int main(void)
{
	struct p11 p11;

	p11_open(&p11);
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "initialize");
	test_slot_list(p11.list);
	test_slot_ids(p11.list);
	test_wait_for_slot_event(p11.list);
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
