/* Object management (spec 3.0 section 5.7) on a module that has no slots:
 * argument checks first, then CKR_SESSION_HANDLE_INVALID for every handle,
 * for the functions that read objects and for those that would write. */
#include "p11-test.h"
#include "tap.h"

static const CK_SESSION_HANDLE handles[] = {CK_INVALID_HANDLE, 1, 0x5e55, ~0UL};
#define HANDLE_COUNT (sizeof(handles) / sizeof(handles[0]))

int main(void)
{
	struct p11 p11;
	CK_FUNCTION_LIST_PTR f;
	CK_OBJECT_CLASS class = CKO_CERTIFICATE;
	CK_ATTRIBUTE attribute = {CKA_CLASS, &class, sizeof(class)};
	CK_OBJECT_HANDLE objects[4];
	CK_ULONG count, size;
	size_t i;

	p11_open(&p11);
	f = p11.list;
	tap_is_int(f->C_Initialize(NULL), CKR_OK, "initialize");

	tap_is_int(f->C_GetObjectSize(1, 1, NULL), CKR_ARGUMENTS_BAD,
		   "C_GetObjectSize: NULL pulSize");
	tap_is_int(f->C_GetAttributeValue(1, 1, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_GetAttributeValue: NULL template with a count");
	tap_is_int(f->C_FindObjectsInit(1, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_FindObjectsInit: NULL template with a count");
	tap_is_int(f->C_FindObjects(1, objects, 4, NULL), CKR_ARGUMENTS_BAD,
		   "C_FindObjects: NULL pulObjectCount");
	tap_is_int(f->C_FindObjects(1, NULL, 4, &count), CKR_ARGUMENTS_BAD,
		   "C_FindObjects: NULL phObject with a maximum");
	tap_is_int(f->C_CreateObject(1, NULL, 1, objects), CKR_ARGUMENTS_BAD,
		   "C_CreateObject: NULL template with a count");
	tap_is_int(f->C_CreateObject(1, &attribute, 1, NULL), CKR_ARGUMENTS_BAD,
		   "C_CreateObject: NULL phObject");
	tap_is_int(f->C_CopyObject(1, 1, NULL, 1, objects), CKR_ARGUMENTS_BAD,
		   "C_CopyObject: NULL template with a count");
	tap_is_int(f->C_CopyObject(1, 1, &attribute, 1, NULL), CKR_ARGUMENTS_BAD,
		   "C_CopyObject: NULL phNewObject");
	tap_is_int(f->C_SetAttributeValue(1, 1, NULL, 1), CKR_ARGUMENTS_BAD,
		   "C_SetAttributeValue: NULL template with a count");
	for (i = 0; i < HANDLE_COUNT; i++) {
		CK_SESSION_HANDLE h = handles[i];

		tap_is_int(f->C_GetObjectSize(h, 1, &size), CKR_SESSION_HANDLE_INVALID,
			   "C_GetObjectSize(%lu)", h);
		tap_is_int(f->C_GetAttributeValue(h, 1, &attribute, 1), CKR_SESSION_HANDLE_INVALID,
			   "C_GetAttributeValue(%lu)", h);
		tap_is_int(f->C_FindObjectsInit(h, &attribute, 1), CKR_SESSION_HANDLE_INVALID,
			   "C_FindObjectsInit(%lu)", h);
		tap_is_int(f->C_FindObjectsInit(h, NULL, 0), CKR_SESSION_HANDLE_INVALID,
			   "C_FindObjectsInit(%lu) empty template", h);
		tap_is_int(f->C_FindObjects(h, objects, 4, &count), CKR_SESSION_HANDLE_INVALID,
			   "C_FindObjects(%lu)", h);
		tap_is_int(f->C_FindObjectsFinal(h), CKR_SESSION_HANDLE_INVALID,
			   "C_FindObjectsFinal(%lu)", h);
		tap_is_int(f->C_CreateObject(h, &attribute, 1, objects), CKR_SESSION_HANDLE_INVALID,
			   "C_CreateObject(%lu)", h);
		tap_is_int(f->C_CopyObject(h, 1, NULL, 0, objects), CKR_SESSION_HANDLE_INVALID,
			   "C_CopyObject(%lu)", h);
		tap_is_int(f->C_DestroyObject(h, 1), CKR_SESSION_HANDLE_INVALID,
			   "C_DestroyObject(%lu)", h);
		tap_is_int(f->C_SetAttributeValue(h, 1, &attribute, 1), CKR_SESSION_HANDLE_INVALID,
			   "C_SetAttributeValue(%lu)", h);
	}
	tap_is_int(f->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
