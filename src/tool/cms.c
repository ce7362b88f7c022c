/* Detached CMS signatures: see cms.h. */
#include "cms.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h, which declares PEM_*_CMS only after it */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cert.h"

#define CMS_BLOCK 65536

/* DigestInfo header for SHA-256 (RFC 8017 section 9.2, note 1). */
static const uint8_t cms_sha256_prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					    0x01, 0x05, 0x00, 0x04, 0x20};

bool cms_digest_file(const char *path, uint8_t md[CMS_DIGEST_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	unsigned int mdlen = 0;
	bool ok = false;
	FILE *fp;
	size_t n;
	int saved = 0;

	fp = fopen(path, "rbe");
	if (fp == NULL)
		return false;
	buf = malloc(CMS_BLOCK);
	ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		saved = ENOMEM;
		goto out;
	}
	while ((n = fread(buf, 1, CMS_BLOCK, fp)) > 0)
		if (!EVP_DigestUpdate(ctx, buf, n)) {
			saved = ENOMEM;
			goto out;
		}
	if (ferror(fp)) {
		saved = errno != 0 ? errno : EIO;
		goto out;
	}
	ok = EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == CMS_DIGEST_LEN;
	if (!ok)
		saved = ENOMEM;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	fclose(fp);
	errno = saved;
	return ok;
}

struct cms_enc {
	unsigned char *der;
	int len;
};

/* DER order of a SET OF: by encoding, as octet strings (X.690 11.6). */
static int cms_enc_cmp(const void *a, const void *b)
{
	const struct cms_enc *x = a, *y = b;
	int n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->der, y->der, (size_t)n);

	return c != 0 ? c : x->len - y->len;
}

/* cms_signed_attrs_der: the SET OF signed attributes as signed (tag 31,
 * not the [0] of the SignerInfo): RFC 5652 section 5.4. */
static bool cms_signed_attrs_der(CMS_SignerInfo *si, uint8_t **out, size_t *out_len)
{
	int n = CMS_signed_get_attr_count(si), i;
	struct cms_enc *enc = NULL;
	size_t body = 0, hdr, off;
	uint8_t *buf = NULL;
	bool ok = false;

	*out = NULL;
	if (n <= 0 || n > 64)
		return false;
	enc = calloc((size_t)n, sizeof(*enc));
	if (enc == NULL)
		return false;
	for (i = 0; i < n; i++) {
		enc[i].len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &enc[i].der);
		if (enc[i].len <= 0)
			goto out;
		body += (size_t)enc[i].len;
	}
	qsort(enc, (size_t)n, sizeof(*enc), cms_enc_cmp);
	hdr = body < 0x80 ? 2 : body < 0x100 ? 3 : body < 0x10000 ? 4 : 0;
	if (hdr == 0)
		goto out;
	buf = malloc(hdr + body);
	if (buf == NULL)
		goto out;
	buf[0] = 0x31;
	if (hdr == 2) {
		buf[1] = (uint8_t)body;
	} else if (hdr == 3) {
		buf[1] = 0x81;
		buf[2] = (uint8_t)body;
	} else {
		buf[1] = 0x82;
		buf[2] = (uint8_t)(body >> 8);
		buf[3] = (uint8_t)body;
	}
	off = hdr;
	for (i = 0; i < n; i++) {
		memcpy(buf + off, enc[i].der, (size_t)enc[i].len);
		off += (size_t)enc[i].len;
	}
	*out = buf;
	*out_len = off;
	buf = NULL;
	ok = true;
out:
	for (i = 0; i < n; i++)
		OPENSSL_free(enc[i].der);
	free(enc);
	free(buf);
	return ok;
}

static bool cms_add_attrs(CMS_SignerInfo *si, X509 *cert, const uint8_t md[CMS_DIGEST_LEN],
			  time_t when)
{
	ESS_SIGNING_CERT_V2 *ess = NULL;
	ASN1_STRING *seq = NULL;
	unsigned char *der = NULL;
	ASN1_TIME *t = NULL;
	bool ok = false;
	int len;

	t = X509_time_adj(NULL, 0, &when);
	if (t == NULL)
		goto out;
	if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
					OBJ_nid2obj(NID_pkcs7_data), -1) <= 0 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t, -1) <= 0 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md,
					CMS_DIGEST_LEN) <= 0)
		goto out;
	/* ESS signingCertificateV2 (RFC 5035) binds the certificate to the
	 * signature, as CAdES expects. */
	ess = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert, NULL, 0);
	if (ess == NULL || (len = i2d_ESS_SIGNING_CERT_V2(ess, &der)) <= 0)
		goto out;
	seq = ASN1_STRING_new();
	if (seq == NULL || !ASN1_STRING_set(seq, der, len) ||
	    CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE,
					seq, -1) <= 0)
		goto out;
	ok = true;
out:
	ASN1_STRING_free(seq);
	OPENSSL_free(der);
	ESS_SIGNING_CERT_V2_free(ess);
	ASN1_TIME_free(t);
	return ok;
}

/* cms_check_signature: the card's signature over data, checked with the
 * certificate's key before it goes into the SignedData (PSS: salt 32). */
static bool cms_check_signature(EVP_PKEY *pub, bool pss, const uint8_t *data, size_t len,
				const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool ok;

	ok = ctx != NULL && EVP_DigestVerifyInit_ex(ctx, &pctx, "SHA256", NULL, NULL, pub, NULL) &&
	     (!pss || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
		       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, CMS_DIGEST_LEN) == 1)) &&
	     EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* cms_set_pss: the SignerInfo's signature algorithm becomes id-RSASSA-PSS
 * with the RFC 4056 parameters SHA-256, MGF1 with SHA-256, salt length 32
 * (trailer field 1, the default, omitted). */
static bool cms_set_pss(CMS_SignerInfo *si)
{
	RSA_PSS_PARAMS *params = RSA_PSS_PARAMS_new();
	X509_ALGOR *sig_alg = NULL, *mgf_md = X509_ALGOR_new();
	ASN1_STRING *mgf_param = NULL, *packed = NULL;
	bool ok = false;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
	if (params == NULL || mgf_md == NULL || sig_alg == NULL)
		goto out;
	params->hashAlgorithm = X509_ALGOR_new();
	params->maskGenAlgorithm = X509_ALGOR_new();
	params->saltLength = ASN1_INTEGER_new();
	if (params->hashAlgorithm == NULL || params->maskGenAlgorithm == NULL ||
	    params->saltLength == NULL || !ASN1_INTEGER_set(params->saltLength, CMS_DIGEST_LEN))
		goto out;
	X509_ALGOR_set_md(params->hashAlgorithm, EVP_sha256());
	X509_ALGOR_set_md(mgf_md, EVP_sha256());
	if (ASN1_item_pack(mgf_md, ASN1_ITEM_rptr(X509_ALGOR), &mgf_param) == NULL ||
	    !X509_ALGOR_set0(params->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE,
			     mgf_param))
		goto out;
	mgf_param = NULL;
	if (ASN1_item_pack(params, ASN1_ITEM_rptr(RSA_PSS_PARAMS), &packed) == NULL ||
	    !X509_ALGOR_set0(sig_alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, packed))
		goto out;
	packed = NULL;
	ok = true;
out:
	ASN1_STRING_free(mgf_param);
	ASN1_STRING_free(packed);
	X509_ALGOR_free(mgf_md);
	RSA_PSS_PARAMS_free(params);
	return ok;
}

/* cms_encode: the ContentInfo as DER, or as PEM ("-----BEGIN CMS-----"). */
static bool cms_encode(CMS_ContentInfo *cms, bool pem, uint8_t **out, size_t *out_len)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data;
	long n;
	bool ok = false;

	if (mem == NULL)
		return false;
	if (!(pem ? PEM_write_bio_CMS(mem, cms) : i2d_CMS_bio(mem, cms)))
		goto out;
	n = BIO_get_mem_data(mem, &data);
	if (n <= 0)
		goto out;
	*out = malloc((size_t)n);
	if (*out == NULL)
		goto out;
	memcpy(*out, data, (size_t)n);
	*out_len = (size_t)n;
	ok = true;
out:
	BIO_free(mem);
	return ok;
}

enum cms_result cms_sign_detached(const uint8_t *cert_der, size_t cert_len,
				  const uint8_t md[CMS_DIGEST_LEN], time_t when, bool pss,
				  cms_sign_fn fn, void *arg, bool pem, uint8_t **out, size_t *out_len,
				  enum card_error *card_err)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
	uint8_t di[sizeof(cms_sha256_prefix) + CMS_DIGEST_LEN], sig[512];
	enum cms_result res = CMS_RESULT_CRYPTO;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	uint8_t *attrs = NULL;
	size_t attrs_len = 0, sig_len = 0;
	unsigned int dlen = 0;
	EVP_PKEY *pub;
	X509 *cert;

	*out = NULL;
	*out_len = 0;
	*card_err = CARD_OK;
	cert = cert_decode(cert_der, cert_len);
	pub = cert != NULL ? X509_get0_pubkey(cert) : NULL;
	if (pub == NULL || !EVP_PKEY_is_a(pub, "RSA")) {
		res = CMS_RESULT_MALFORMED;
		goto out;
	}
	/* CMS_PARTIAL: OpenSSL prepares the SignerInfo (digest and signature
	 * algorithms, certificate) but signs nothing; the public key stands in
	 * for the private one, which never leaves the card. */
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (cms == NULL)
		goto out;
	si = CMS_add1_signer(cms, cert, pub, EVP_sha256(), flags);
	if (si == NULL || !cms_add_attrs(si, cert, md, when) ||
	    !cms_signed_attrs_der(si, &attrs, &attrs_len))
		goto out;
	memcpy(di, cms_sha256_prefix, sizeof(cms_sha256_prefix));
	if (!EVP_Digest(attrs, attrs_len, di + sizeof(cms_sha256_prefix), &dlen, EVP_sha256(),
			NULL) ||
	    dlen != CMS_DIGEST_LEN)
		goto out;
	if (pss && !cms_set_pss(si))
		goto out;
	/* PKCS#1 v1.5: the card signs the DigestInfo; PSS: the bare hash. */
	if (pss)
		*card_err = fn(arg, di + sizeof(cms_sha256_prefix), CMS_DIGEST_LEN, sig, sizeof(sig),
			       &sig_len);
	else
		*card_err = fn(arg, di, sizeof(di), sig, sizeof(sig), &sig_len);
	if (*card_err != CARD_OK) {
		res = CMS_RESULT_SIGNER;
		goto out;
	}
	if (!cms_check_signature(pub, pss, attrs, attrs_len, sig, sig_len)) {
		res = CMS_RESULT_INVALID;
		goto out;
	}
	if (!ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len) ||
	    !cms_encode(cms, pem, out, out_len))
		goto out;
	res = CMS_RESULT_OK;
out:
	free(attrs);
	CMS_ContentInfo_free(cms);
	X509_free(cert);
	return res;
}

/* cms_decode: DER (or BER), nothing after it but zero bytes when zero_pad,
 * else PEM. */
static CMS_ContentInfo *cms_decode(const uint8_t *sig, size_t len, bool zero_pad)
{
	const unsigned char *p = sig;
	CMS_ContentInfo *cms = NULL;
	BIO *mem;

	if (len == 0 || len > INT_MAX)
		return NULL;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	while (cms != NULL && zero_pad && p < sig + len && *p == 0)
		p++;
	if (cms != NULL && p != sig + len) {
		CMS_ContentInfo_free(cms);
		cms = NULL;
	}
	if (cms != NULL || zero_pad)
		return cms;
	mem = BIO_new_mem_buf(sig, (int)len);
	if (mem != NULL)
		cms = PEM_read_bio_CMS(mem, NULL, NULL, NULL);
	BIO_free(mem);
	return cms;
}

static time_t cms_signing_time(CMS_SignerInfo *si)
{
	int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *attr;
	ASN1_TYPE *at;
	struct tm tm;

	if (idx < 0)
		return 0;
	attr = CMS_signed_get_attr(si, idx);
	at = attr != NULL ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
	if (at == NULL || (at->type != V_ASN1_UTCTIME && at->type != V_ASN1_GENERALIZEDTIME) ||
	    !ASN1_TIME_to_tm(at->value.utctime, &tm))
		return 0;
	return timegm(&tm);
}

/* cms_verify: the check of cms_verify_detached, over content_path or (when
 * it is NULL) the bytes content; zero_pad lets zero bytes follow the
 * signature (a PDF's /Contents is padded so). */
static enum cms_result cms_verify(const uint8_t *sig, size_t sig_len, bool zero_pad,
				  const char *content_path, const uint8_t *content_mem,
				  size_t content_len, const uint8_t *const *ca_der,
				  const size_t *ca_len, size_t n_ca, struct cms_signer *signer,
				  const char **reason)
{
	enum cms_result res = CMS_RESULT_CRYPTO;
	STACK_OF(CMS_SignerInfo) * sis;
	STACK_OF(X509) *signers = NULL;
	CMS_ContentInfo *cms = NULL;
	X509_STORE *store = NULL;
	BIO *content = NULL;
	unsigned char *p = NULL;
	X509 *ca;
	size_t i;
	int n;

	memset(signer, 0, sizeof(*signer));
	if (reason != NULL)
		*reason = "";
	ERR_clear_error();
	cms = cms_decode(sig, sig_len, zero_pad);
	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		res = CMS_RESULT_MALFORMED;
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		res = CMS_RESULT_MALFORMED; /* this tool makes and checks one signer */
		goto out;
	}
	if (content_path != NULL)
		content = BIO_new_file(content_path, "rb");
	else if (content_len <= INT_MAX)
		content = BIO_new_mem_buf(content_mem, (int)content_len);
	if (content == NULL) {
		res = content_path != NULL ? CMS_RESULT_FILE : CMS_RESULT_CRYPTO;
		goto out;
	}
	store = X509_STORE_new();
	if (store == NULL)
		goto out;
	for (i = 0; i < n_ca; i++) {
		ca = cert_decode(ca_der[i], ca_len[i]);
		if (ca == NULL || !X509_STORE_add_cert(store, ca)) {
			X509_free(ca);
			res = CMS_RESULT_MALFORMED;
			goto out;
		}
		X509_free(ca);
	}
	if (CMS_verify(cms, NULL, store, content, NULL, CMS_BINARY) != 1) {
		if (reason != NULL && ERR_peek_last_error() != 0)
			*reason = ERR_reason_error_string(ERR_peek_last_error());
		if (reason != NULL && *reason == NULL)
			*reason = "";
		res = CMS_RESULT_INVALID;
		goto out;
	}
	signers = CMS_get0_signers(cms);
	if (signers == NULL || sk_X509_num(signers) != 1)
		goto out;
	n = i2d_X509(sk_X509_value(signers, 0), &p);
	if (n <= 0)
		goto out;
	signer->cert = malloc((size_t)n);
	if (signer->cert == NULL)
		goto out;
	memcpy(signer->cert, p, (size_t)n);
	signer->cert_len = (size_t)n;
	signer->signing_time = cms_signing_time(sk_CMS_SignerInfo_value(sis, 0));
	res = CMS_RESULT_OK;
out:
	OPENSSL_free(p);
	sk_X509_free(signers);
	X509_STORE_free(store);
	BIO_free(content);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return res;
}

enum cms_result cms_verify_detached(const uint8_t *sig, size_t sig_len, const char *content_path,
				    const uint8_t *const *ca_der, const size_t *ca_len, size_t n_ca,
				    struct cms_signer *signer, const char **reason)
{
	return cms_verify(sig, sig_len, false, content_path, NULL, 0, ca_der, ca_len, n_ca, signer,
			  reason);
}

enum cms_result cms_verify_detached_mem(const uint8_t *sig, size_t sig_len, const uint8_t *content,
					size_t content_len, const uint8_t *const *ca_der,
					const size_t *ca_len, size_t n_ca, struct cms_signer *signer,
					const char **reason)
{
	return cms_verify(sig, sig_len, true, NULL, content, content_len, ca_der, ca_len, n_ca,
			  signer, reason);
}

void cms_signer_free(struct cms_signer *signer)
{
	free(signer->cert);
	memset(signer, 0, sizeof(*signer));
}
