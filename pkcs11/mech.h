/* The mechanisms: one table of what the card does (PKCS#1 v1.5 signatures
 * with the card's RSA keys, the DigestInfo built here; RSASSA-PSS over
 * SHA-256 on a card that signs it) and the digests done here.  The key sizes
 * are the card layer's (jpki_key_info). */
#ifndef JPKI_P11_MECH_H
#define JPKI_P11_MECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkcs11.h"

#define MECH_DIGEST_INFO_MAX 83 /* SHA-512 prefix (19) + 64-byte hash */
#define MECH_COUNT	     8	/* rows in the table (mech.c asserts it) */
#define MECH_PSS_HASH_LEN    32 /* the card's PSS: SHA-256, MGF1-SHA-256, salt 32 */

struct mech {
	CK_MECHANISM_TYPE type;
	const char *digest;    /* OpenSSL digest name; NULL: the caller's input */
	const uint8_t *prefix; /* DER DigestInfo header before the hash; NULL for PSS */
	size_t prefix_len, hash_len;
	bool pss; /* RSASSA-PSS (COMPUTE DIGITAL SIGNATURE P1 04) over a SHA-256 hash */
};

/* mech_find: the table row for a mechanism, or NULL (CKR_MECHANISM_INVALID). */
const struct mech *mech_find(CK_MECHANISM_TYPE type);

/* mech_list: C_GetMechanismList's two-call convention over the table, the
 * PSS rows only when pss (the card signs PSS and the settings allow it).
 * Errors: CKR_BUFFER_TOO_SMALL (*count set to the number needed). */
CK_RV mech_list(bool pss, CK_MECHANISM_TYPE *list, CK_ULONG *count);

/* mech_info: C_GetMechanismInfo for one mechanism (PSS ones only when pss).
 * Errors: CKR_MECHANISM_INVALID. */
CK_RV mech_info(bool pss, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);

/* mech_check_params: the mechanism's parameter: none for PKCS#1 v1.5; for
 * PSS exactly CK_RSA_PKCS_PSS_PARAMS {CKM_SHA256, CKG_MGF1_SHA256, 32}, the
 * card's only PSS (TLS 1.3 rsa_pss_rsae_sha256).
 * Errors: CKR_MECHANISM_PARAM_INVALID. */
CK_RV mech_check_params(const struct mech *mech, const CK_MECHANISM *mechanism);

/* mech_digest_info: hashes data with the mechanism's digest (OpenSSL EVP)
 * and writes the DER DigestInfo (PSS: the bare hash).  Errors: CKR_HOST_MEMORY, CKR_GENERAL_ERROR
 * (the digest is unavailable). */
CK_RV mech_digest_info(const struct mech *mech, const uint8_t *data, size_t len,
		       uint8_t out[MECH_DIGEST_INFO_MAX], size_t *out_len);

#endif
