/* Detached CMS (PKCS#7) signatures made by the card.
 *
 * The card holds the private key and signs only a DigestInfo, so the
 * SignedData is built here with OpenSSL's CMS API around the holder's
 * certificate: signed attributes (contentType, signingTime, messageDigest,
 * ESS signingCertificateV2) are DER-encoded as the SET OF that is signed,
 * the card signs the DigestInfo of their SHA-256, and the signature is
 * checked against the certificate's public key before it is put in place.
 * The result is what `openssl cms -verify` expects: SHA-256,
 * rsaEncryption (or RSASSA-PSS), the signer certificate included, no content.
 */
#ifndef JPKI_TOOL_CMS_H
#define JPKI_TOOL_CMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "card-error.h"

#define CMS_DIGEST_LEN 32 /* SHA-256 */

/* cms_sign_fn: signs into sig a DER DigestInfo (PKCS#1 v1.5), or with pss
 * the bare SHA-256 hash (RSASSA-PSS, MGF1-SHA-256, salt 32). */
typedef enum card_error (*cms_sign_fn)(void *arg, const uint8_t *input, size_t len, uint8_t *sig,
				       size_t cap, size_t *sig_len);

enum cms_result {
	CMS_RESULT_OK,
	CMS_RESULT_SIGNER,    /* the signer failed: see *card_err */
	CMS_RESULT_MALFORMED, /* not a certificate / not a CMS signature */
	CMS_RESULT_INVALID,   /* the signature does not verify */
	CMS_RESULT_FILE,      /* the content file cannot be read (errno) */
	CMS_RESULT_CRYPTO,    /* OpenSSL failed otherwise (memory) */
};

/* cms_digest_file: SHA-256 of a file's content, read in blocks.  false with
 * errno set when it cannot be read. */
bool cms_digest_file(const char *path, uint8_t md[CMS_DIGEST_LEN]);

/* cms_sign_detached: a DER (or PEM) SignedData over content with digest md,
 * signed by fn with the key of cert_der, signing time when; with pss the
 * signature algorithm is RSASSA-PSS with the RFC 4056 parameters SHA-256,
 * MGF1 with SHA-256, salt length 32.  *out is malloc'ed.  Errors: CMS_RESULT_SIGNER (*card_err set), CMS_RESULT_MALFORMED
 * (bad certificate), CMS_RESULT_INVALID (the signature made does not match
 * the certificate), CMS_RESULT_CRYPTO. */
enum cms_result cms_sign_detached(const uint8_t *cert_der, size_t cert_len,
				  const uint8_t md[CMS_DIGEST_LEN], time_t when, bool pss,
				  cms_sign_fn fn, void *arg, bool pem, uint8_t **out, size_t *out_len,
				  enum card_error *card_err);

struct cms_signer {
	uint8_t *cert; /* DER of the signer's certificate, malloc'ed */
	size_t cert_len;
	time_t signing_time; /* 0 when absent */
};

/* cms_verify_detached: checks a DER or PEM detached signature over the file
 * content_path with the given CA certificates as the only trust anchors
 * (signature, certificate chain and validity, S/MIME signing key usage).
 * Fills *signer on success (free with cms_signer_free).  *reason (may be
 * NULL) gets OpenSSL's reason in English, static.  Errors:
 * CMS_RESULT_MALFORMED, CMS_RESULT_INVALID, CMS_RESULT_FILE, CMS_RESULT_CRYPTO. */
enum cms_result cms_verify_detached(const uint8_t *sig, size_t sig_len, const char *content_path,
				    const uint8_t *const *ca_der, const size_t *ca_len, size_t n_ca,
				    struct cms_signer *signer, const char **reason);
/* cms_verify_detached_mem: cms_verify_detached over the bytes content, the
 * DER or BER signature followed by nothing but zero bytes (a PDF's
 * /Contents).  Same errors but CMS_RESULT_FILE. */
enum cms_result cms_verify_detached_mem(const uint8_t *sig, size_t sig_len, const uint8_t *content,
					size_t content_len, const uint8_t *const *ca_der,
					const size_t *ca_len, size_t n_ca, struct cms_signer *signer,
					const char **reason);
void cms_signer_free(struct cms_signer *signer);

#endif
