/* General-purpose entry points (spec 3.0 section 5.4) other than those of
 * module.c: C_GetInfo. */
#include "module.h"
#include "pad.h"

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		pInfo->cryptokiVersion.major = CRYPTOKI_VERSION_MAJOR;
		pInfo->cryptokiVersion.minor = CRYPTOKI_VERSION_MINOR;
		pad_copy(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "jpki-pkcs11");
		pInfo->flags = 0;
		pad_copy(pInfo->libraryDescription, sizeof(pInfo->libraryDescription),
			 "JPKI My Number Card");
		pInfo->libraryVersion.major = JPKI_VERSION_MAJOR;
		pInfo->libraryVersion.minor = JPKI_VERSION_MINOR;
	}
	module_leave(m);
out:
	return module_return(__func__, rv);
}
