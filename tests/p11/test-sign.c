/* Signing (spec 3.0 section 5.11) on a module that has no slots: every
 * session handle is invalid.  The buffers of C_Sign, C_SignUpdate and
 * C_SignFinal are checked before the session lookup, as SoftHSMv2 does (a
 * failing call still ends an existing session's operation: test-card-ladder). */
#include "p11-test.h"
#include "tap.h"

static const CK_SESSION_HANDLE handles[] = {CK_INVALID_HANDLE, 1, 0x5e55, ~0UL};
#define HANDLE_COUNT (sizeof(handles) / sizeof(handles[0]))

int main(void)
{
	struct p11 p11;
	CK_FUNCTION_LIST_PTR f;
	CK_MECHANISM mechanism = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE data[32] = {0}, signature[256];
	CK_ULONG len;
	size_t i;

	p11_open(&p11);
	f = p11.list;
	tap_is_int(f->C_Initialize(NULL), CKR_OK, "initialize");
	tap_is_int(f->C_SignInit(1, NULL, 1), CKR_ARGUMENTS_BAD, "C_SignInit: NULL mechanism");
	for (i = 0; i < HANDLE_COUNT; i++) {
		CK_SESSION_HANDLE h = handles[i];

		len = sizeof(signature);
		tap_is_int(f->C_SignInit(h, &mechanism, 1), CKR_SESSION_HANDLE_INVALID,
			   "C_SignInit(%lu)", h);
		tap_is_int(f->C_Sign(h, data, sizeof(data), signature, &len),
			   CKR_SESSION_HANDLE_INVALID, "C_Sign(%lu)", h);
		tap_is_int(f->C_Sign(h, data, sizeof(data), NULL, &len), CKR_SESSION_HANDLE_INVALID,
			   "C_Sign(%lu) length query", h);
		tap_is_int(f->C_Sign(h, NULL, 5, NULL, NULL), CKR_ARGUMENTS_BAD,
			   "C_Sign(%lu) bad buffers: the buffers first", h);
		tap_is_int(f->C_SignUpdate(h, NULL, 5), CKR_ARGUMENTS_BAD,
			   "C_SignUpdate(%lu) bad buffer: the buffer first", h);
		tap_is_int(f->C_SignFinal(h, signature, NULL), CKR_ARGUMENTS_BAD,
			   "C_SignFinal(%lu) bad length: the length first", h);
		tap_is_int(f->C_SignUpdate(h, data, sizeof(data)), CKR_SESSION_HANDLE_INVALID,
			   "C_SignUpdate(%lu)", h);
		tap_is_int(f->C_SignFinal(h, signature, &len), CKR_SESSION_HANDLE_INVALID,
			   "C_SignFinal(%lu)", h);
		tap_is_int(len, sizeof(signature), "no length written");
	}
	tap_is_int(f->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
