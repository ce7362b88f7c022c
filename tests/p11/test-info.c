/* C_GetInfo (PKCS#11 3.0 section 5.4.3.4). */
#include <string.h>

#include "p11-test.h"
#include "tap.h"

/* is_padded_text: printable ASCII, not blank at the start, blank padded, no NUL. */
static bool is_padded_text(const CK_UTF8CHAR *field, size_t size)
{
	size_t end = size;
	size_t i;

	while (end > 0 && field[end - 1] == ' ')
		end--;
	if (end == 0 || field[0] == ' ')
		return false;
	for (i = 0; i < end; i++)
		if (field[i] < 0x20 || field[i] > 0x7e)
			return false;
	return true;
}

int main(void)
{
	struct p11 p11;
	CK_INFO info, info3;

	p11_open(&p11);
	tap_is_int(p11.list->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED, "not initialized");
	tap_is_int(p11.list->C_GetInfo(NULL), CKR_CRYPTOKI_NOT_INITIALIZED,
		   "not initialized comes before the argument check");
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "initialize");
	tap_is_int(p11.list->C_GetInfo(NULL), CKR_ARGUMENTS_BAD, "NULL pInfo");

	/* The same fill in both, so that padding bytes compare equal. */
	memset(&info, 0xa5, sizeof(info));
	memset(&info3, 0xa5, sizeof(info3));
	tap_is_int(p11.list->C_GetInfo(&info), CKR_OK, "C_GetInfo");
	tap_is_int(info.cryptokiVersion.major, 3, "cryptokiVersion major 3");
	tap_is_int(info.cryptokiVersion.minor, 0, "cryptokiVersion minor 0");
	tap_ok(is_padded_text(info.manufacturerID, sizeof(info.manufacturerID)),
	       "manufacturerID is blank-padded ASCII: '%.32s'", (const char *)info.manufacturerID);
	tap_ok(is_padded_text(info.libraryDescription, sizeof(info.libraryDescription)),
	       "libraryDescription is blank-padded ASCII: '%.32s'",
	       (const char *)info.libraryDescription);
	tap_is_int(info.flags, 0, "flags 0");
	tap_is_int(info.libraryVersion.major, JPKI_VERSION_MAJOR, "libraryVersion major");
	tap_is_int(info.libraryVersion.minor, JPKI_VERSION_MINOR, "libraryVersion minor");

	tap_is_int(p11.list3->C_GetInfo(&info3), CKR_OK, "C_GetInfo through the 3.0 list");
	tap_is_mem(&info3, sizeof(info3), &info, sizeof(info), "the same answer");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	p11_close(&p11);
	return tap_done();
}
