/* The mechanisms: see mech.h.
 *
 * Only what the card performs is advertised: COMPUTE DIGITAL SIGNATURE pads a
 * DigestInfo with PKCS#1 v1.5 (P1 00) or signs a SHA-256 hash with RSASSA-PSS
 * (P1 04) (docs/card.md 3.4); it has no raw RSA, no PSS with another
 * hash and no decryption, and consumers that see a mechanism listed fail
 * later when it does not work: so the PSS rows are listed only for a card
 * known to sign PSS (docs/pss.md), and PSS with other parameters is refused
 * at C_SignInit, never produced.  CKF_HW: the card does the RSA operation
 * (pkcs11-tool --test signs only with CKF_HW mechanisms). */
#include "mech.h"

#include <openssl/evp.h>
#include <string.h>

#include "jpki.h"

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

#define ROW(t, d, p, h)                      \
	{                                    \
		t, d, p, sizeof(p), h, false \
	}

static const struct mech mechs[] = {
	{CKM_RSA_PKCS, NULL, NULL, 0, 0, false},
	ROW(CKM_SHA1_RSA_PKCS, "SHA1", prefix_sha1, 20),
	ROW(CKM_SHA224_RSA_PKCS, "SHA224", prefix_sha224, 28),
	ROW(CKM_SHA256_RSA_PKCS, "SHA256", prefix_sha256, 32),
	ROW(CKM_SHA384_RSA_PKCS, "SHA384", prefix_sha384, 48),
	ROW(CKM_SHA512_RSA_PKCS, "SHA512", prefix_sha512, 64),
	/* The caller's SHA-256 hash (TLS 1.3 CertificateVerify), and a message hashed here. */
	{CKM_RSA_PKCS_PSS, NULL, NULL, 0, MECH_PSS_HASH_LEN, true},
	{CKM_SHA256_RSA_PKCS_PSS, "SHA256", NULL, 0, MECH_PSS_HASH_LEN, true},
};

_Static_assert(sizeof(mechs) / sizeof(mechs[0]) == MECH_COUNT,
	       "MECH_COUNT (mech.h) is the number of rows of the table");

const struct mech *mech_find(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < MECH_COUNT; i++)
		if (mechs[i].type == type)
			return &mechs[i];
	return NULL;
}

CK_RV mech_list(bool pss, CK_MECHANISM_TYPE *list, CK_ULONG *count)
{
	CK_ULONG n = 0;
	size_t i;

	for (i = 0; i < MECH_COUNT; i++)
		n += pss || !mechs[i].pss;
	if (list != NULL && *count < n) {
		*count = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	*count = n;
	for (i = 0, n = 0; list != NULL && i < MECH_COUNT; i++)
		if (pss || !mechs[i].pss)
			list[n++] = mechs[i].type;
	return CKR_OK;
}

/* key_sizes: the smallest and the largest key of the card layer's key
 * table (jpki.h), the keys every mechanism here signs with. */
static void key_sizes(CK_ULONG *min, CK_ULONG *max)
{
	unsigned bits;
	int key;

	*min = 0;
	*max = 0;
	for (key = 0; key < JPKI_KEY_COUNT; key++) {
		if (!jpki_key_info((enum jpki_key)key, NULL, &bits, NULL, NULL, NULL))
			continue;
		if (*min == 0 || bits < *min)
			*min = bits;
		if (bits > *max)
			*max = bits;
	}
}

CK_RV mech_info(bool pss, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info)
{
	const struct mech *mech = mech_find(type);

	if (mech == NULL || (mech->pss && !pss))
		return CKR_MECHANISM_INVALID;
	key_sizes(&info->ulMinKeySize, &info->ulMaxKeySize);
	info->flags = CKF_SIGN | CKF_HW;
	return CKR_OK;
}

CK_RV mech_check_params(const struct mech *mech, const CK_MECHANISM *mechanism)
{
	CK_RSA_PKCS_PSS_PARAMS params;

	if (!mech->pss)
		return mechanism->pParameter == NULL && mechanism->ulParameterLen == 0
			       ? CKR_OK
			       : CKR_MECHANISM_PARAM_INVALID;
	if (mechanism->pParameter == NULL || mechanism->ulParameterLen != sizeof(params))
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(&params, mechanism->pParameter, sizeof(params)); /* the caller's alignment */
	if (params.hashAlg != CKM_SHA256 || params.mgf != CKG_MGF1_SHA256 ||
	    params.sLen != MECH_PSS_HASH_LEN)
		return CKR_MECHANISM_PARAM_INVALID;
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
	if (mech->prefix_len > 0)
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
