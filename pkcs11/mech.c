/* The mechanisms: see mech.h.
 *
 * Only what the card performs is advertised: COMPUTE DIGITAL SIGNATURE pads a
 * DigestInfo with PKCS#1 v1.5 (docs/card.md 3.4); it has no raw RSA,
 * no PSS and no decryption, and consumers that see a mechanism listed fail
 * later when it does not work.  CKF_HW: the card does the RSA operation
 * (pkcs11-tool --test signs only with CKF_HW mechanisms). */
#include "mech.h"

#include <openssl/evp.h>
#include <string.h>

#define KEY_BITS 2048

/* DER DigestInfo headers (RFC 8017 section 9.2, note 1). */
static const uint8_t prefix_sha1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
				      0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
static const uint8_t prefix_sha224[] = {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c};
static const uint8_t prefix_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t prefix_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t prefix_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

#define ROW(t, d, p, h)               \
	{                             \
		t, d, p, sizeof(p), h \
	}

static const struct mech mechs[] = {
	{CKM_RSA_PKCS, NULL, NULL, 0, 0},
	ROW(CKM_SHA1_RSA_PKCS, "SHA1", prefix_sha1, 20),
	ROW(CKM_SHA224_RSA_PKCS, "SHA224", prefix_sha224, 28),
	ROW(CKM_SHA256_RSA_PKCS, "SHA256", prefix_sha256, 32),
	ROW(CKM_SHA384_RSA_PKCS, "SHA384", prefix_sha384, 48),
	ROW(CKM_SHA512_RSA_PKCS, "SHA512", prefix_sha512, 64),
};

#define MECH_COUNT (sizeof(mechs) / sizeof(mechs[0]))

const struct mech *mech_find(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < MECH_COUNT; i++)
		if (mechs[i].type == type)
			return &mechs[i];
	return NULL;
}

CK_RV mech_list(CK_MECHANISM_TYPE *list, CK_ULONG *count)
{
	CK_RV rv = CKR_OK;
	size_t i;

	if (list != NULL && *count < MECH_COUNT)
		rv = CKR_BUFFER_TOO_SMALL;
	else
		for (i = 0; list != NULL && i < MECH_COUNT; i++)
			list[i] = mechs[i].type;
	*count = MECH_COUNT;
	return rv;
}

CK_RV mech_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info)
{
	if (mech_find(type) == NULL)
		return CKR_MECHANISM_INVALID;
	info->ulMinKeySize = KEY_BITS;
	info->ulMaxKeySize = KEY_BITS;
	info->flags = CKF_SIGN | CKF_HW;
	return CKR_OK;
}

CK_RV mech_digest_info(const struct mech *mech, const uint8_t *data, size_t len,
		       uint8_t out[MECH_DIGEST_INFO_MAX], size_t *out_len)
{
	unsigned int hash_len = 0;
	CK_RV rv = CKR_GENERAL_ERROR;
	EVP_MD *md = NULL;

	*out_len = 0;
	if (mech->digest == NULL || mech->prefix_len + mech->hash_len > MECH_DIGEST_INFO_MAX)
		goto out;
	md = EVP_MD_fetch(NULL, mech->digest, NULL);
	if (md == NULL)
		goto out;
	memcpy(out, mech->prefix, mech->prefix_len);
	/* EVP_Digest accepts a NULL pointer only with length 0. */
	if (!EVP_Digest(len > 0 ? data : (const uint8_t *)"", len, out + mech->prefix_len,
			&hash_len, md, NULL) ||
	    hash_len != mech->hash_len)
		goto out;
	*out_len = mech->prefix_len + hash_len;
	rv = CKR_OK;
out:
	EVP_MD_free(md);
	return rv;
}
