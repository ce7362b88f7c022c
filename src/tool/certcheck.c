/* Certificate checks: see certcheck.h. */
#include "certcheck.h"

#include <limits.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "i18n.h"

static const struct certcheck_desc certcheck_rows[CERTCHECK_COUNT] = {
	[CERTCHECK_CA_SIGNATURE] = {"ca_signature", N_("CA certificate self-signature")},
	[CERTCHECK_CA_VALIDITY] = {"ca_validity", N_("CA certificate validity period")},
	[CERTCHECK_CA_CONSTRAINTS] = {"ca_constraints",
				      N_("CA certificate basic constraints and key usage")},
	[CERTCHECK_ISSUER] = {"issuer", N_("issuer matches the CA")},
	[CERTCHECK_SIGNATURE] = {"signature", N_("signature by the CA")},
	[CERTCHECK_VALIDITY] = {"validity", N_("validity period")},
	[CERTCHECK_KEY_USAGE] = {"key_usage", N_("key usage")},
	[CERTCHECK_NOT_CA] = {"basic_constraints", N_("basic constraints (not a CA)")},
};

const struct certcheck_desc *certcheck_desc(enum certcheck_item item)
{
	return (unsigned)item < CERTCHECK_COUNT ? &certcheck_rows[item] : NULL;
}

static bool certcheck_in_validity(X509 *x, time_t now)
{
	return X509_cmp_time(X509_get0_notBefore(x), &now) < 0 &&
	       X509_cmp_time(X509_get0_notAfter(x), &now) > 0;
}

static bool certcheck_has_ku(X509 *x, uint32_t bits)
{
	return (X509_get_extension_flags(x) & EXFLAG_KUSAGE) != 0 &&
	       (X509_get_key_usage(x) & bits) == bits;
}

bool certcheck_run(const uint8_t *cert, size_t cert_len, const uint8_t *ca, size_t ca_len,
		   uint32_t required_ku, time_t now, bool result[CERTCHECK_COUNT])
{
	X509 *x = cert_decode(cert, cert_len), *c = cert_decode(ca, ca_len);
	EVP_PKEY *ca_key = c != NULL ? X509_get0_pubkey(c) : NULL;
	bool ok = false;
	int i;

	for (i = 0; i < CERTCHECK_COUNT; i++)
		result[i] = false;
	if (x == NULL || c == NULL || ca_key == NULL)
		goto out;
	result[CERTCHECK_CA_SIGNATURE] =
		X509_check_issued(c, c) == X509_V_OK && X509_verify(c, ca_key) == 1;
	result[CERTCHECK_CA_VALIDITY] = certcheck_in_validity(c, now);
	result[CERTCHECK_CA_CONSTRAINTS] =
		X509_check_ca(c) == 1 && certcheck_has_ku(c, CERT_KU_KEY_CERT_SIGN);
	/* X509_check_issued compares names, key identifiers and the CA's key usage. */
	result[CERTCHECK_ISSUER] = X509_check_issued(c, x) == X509_V_OK;
	result[CERTCHECK_SIGNATURE] = X509_verify(x, ca_key) == 1;
	result[CERTCHECK_VALIDITY] = certcheck_in_validity(x, now);
	result[CERTCHECK_KEY_USAGE] = certcheck_has_ku(x, required_ku);
	result[CERTCHECK_NOT_CA] = X509_check_ca(x) == 0;
	ok = true;
out:
	X509_free(x);
	X509_free(c);
	return ok;
}
