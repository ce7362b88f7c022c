/* Names of the PKCS#11 return values, for logging. */
#ifndef JPKI_P11_CKR_NAMES_H
#define JPKI_P11_CKR_NAMES_H

#include "pkcs11.h"

/* ckr_name: the name of a CKR_* value ("CKR_OK"), or NULL if unknown. */
const char *ckr_name(CK_RV rv);

#endif
