/* The mechanisms: one table of what the card does (PKCS#1 v1.5 signatures
 * with RSA-2048, the DigestInfo built here) and the digests done here. */
#ifndef JPKI_P11_MECH_H
#define JPKI_P11_MECH_H

#include <stddef.h>
#include <stdint.h>

#include "pkcs11.h"

#define MECH_DIGEST_INFO_MAX 83 /* SHA-512 prefix (19) + 64-byte hash */
#define MECH_MAX	     8	/* rows in the table, at most */

struct mech {
	CK_MECHANISM_TYPE type;
	const char *digest;    /* OpenSSL digest name; NULL: the caller's DigestInfo */
	const uint8_t *prefix; /* DER DigestInfo header before the hash */
	size_t prefix_len, hash_len;
};

/* mech_find: the table row for a mechanism, or NULL (CKR_MECHANISM_INVALID). */
const struct mech *mech_find(CK_MECHANISM_TYPE type);

/* mech_list: C_GetMechanismList's two-call convention over the table.
 * Errors: CKR_BUFFER_TOO_SMALL (*count set to the number needed). */
CK_RV mech_list(CK_MECHANISM_TYPE *list, CK_ULONG *count);

/* mech_info: C_GetMechanismInfo for one mechanism.  Errors: CKR_MECHANISM_INVALID. */
CK_RV mech_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);

/* mech_digest_info: hashes data with the mechanism's digest (OpenSSL EVP)
 * and writes the DER DigestInfo.  Errors: CKR_HOST_MEMORY, CKR_GENERAL_ERROR
 * (the digest is unavailable). */
CK_RV mech_digest_info(const struct mech *mech, const uint8_t *data, size_t len,
		       uint8_t out[MECH_DIGEST_INFO_MAX], size_t *out_len);

#endif
