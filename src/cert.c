/* X.509 helpers: see cert.h. */
#include "cert.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define CERT_JPKI_ARC "1.2.392.200149.8.5.5."

static const char *const cert_eras[] = {"", "明治", "大正", "昭和", "平成", "令和"};

const char *cert_era_name(int era)
{
	if (era < 0 || (size_t)era >= sizeof(cert_eras) / sizeof(cert_eras[0]))
		return "";
	return cert_eras[era];
}

/* Each function below takes back the errors OpenSSL queued while it ran
 * (ERR_set_mark / ERR_pop_to_mark): a malformed certificate is our answer
 * to give, not a stale entry in the calling application's error queue. */

X509 *cert_decode(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return NULL;
	ERR_set_mark();
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL && p != der + len) {
		X509_free(x); /* trailing bytes: not exactly one certificate */
		x = NULL;
	}
	ERR_pop_to_mark();
	return x;
}

/* cert_time: an ASN1_TIME as time_t and as "YYYYMMDD" (UTC). */
static bool cert_time(const ASN1_TIME *t, time_t *out, char date[9])
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = timegm(&tm);
	return strftime(date, 9, "%Y%m%d", &tm) == 8;
}

static bool cert_bn(const EVP_PKEY *pkey, const char *param, uint8_t **out, size_t *len)
{
	BIGNUM *bn = NULL;
	bool ok = false;

	if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
		goto out;
	*len = (size_t)BN_num_bytes(bn);
	*out = malloc(*len ? *len : 1);
	if (*out == NULL)
		goto out;
	BN_bn2bin(bn, *out);
	ok = true;
out:
	BN_free(bn);
	return ok;
}

/* cert_i2d: DER of an OpenSSL object into a malloc'ed buffer. */
#define cert_i2d(fn, obj, out, len)                                    \
	do {                                                           \
		int n_ = fn(obj, NULL);                                \
		unsigned char *p_;                                     \
		*(out) = NULL;                                         \
		if (n_ > 0 && (*(out) = malloc((size_t)n_)) != NULL) { \
			p_ = *(out);                                   \
			*(len) = (size_t)fn(obj, &p_);                 \
		}                                                      \
	} while (0)

enum card_error cert_parse(const uint8_t *der, size_t len, struct cert_info *info)
{
	enum card_error err = CARD_E_BAD_RESPONSE;
	EVP_PKEY *pkey = NULL;
	X509 *x;

	memset(info, 0, sizeof(*info));
	ERR_set_mark();
	x = cert_decode(der, len);
	if (x == NULL)
		goto out;
	cert_i2d(i2d_X509_NAME, X509_get_subject_name(x), &info->subject, &info->subject_len);
	cert_i2d(i2d_X509_NAME, X509_get_issuer_name(x), &info->issuer, &info->issuer_len);
	cert_i2d(i2d_ASN1_INTEGER, X509_get0_serialNumber(x), &info->serial, &info->serial_len);
	cert_i2d(i2d_X509_PUBKEY, X509_get_X509_PUBKEY(x), &info->spki, &info->spki_len);
	if (info->subject == NULL || info->issuer == NULL || info->serial == NULL ||
	    info->spki == NULL)
		goto out;
	if (!cert_time(X509_get0_notBefore(x), &info->not_before, info->not_before_date) ||
	    !cert_time(X509_get0_notAfter(x), &info->not_after, info->not_after_date))
		goto out;
	pkey = X509_get_pubkey(x);
	if (pkey == NULL)
		goto out;
	info->bits = (unsigned)EVP_PKEY_get_bits(pkey);
	info->is_rsa = EVP_PKEY_is_a(pkey, "RSA");
	if (info->is_rsa &&
	    (!cert_bn(pkey, OSSL_PKEY_PARAM_RSA_N, &info->modulus, &info->modulus_len) ||
	     !cert_bn(pkey, OSSL_PKEY_PARAM_RSA_E, &info->exponent, &info->exponent_len)))
		goto out;
	info->has_key_usage = (X509_get_extension_flags(x) & EXFLAG_KUSAGE) != 0;
	info->key_usage = info->has_key_usage ? X509_get_key_usage(x) : 0;
	err = CARD_OK;
out:
	EVP_PKEY_free(pkey);
	X509_free(x);
	ERR_pop_to_mark();
	if (err != CARD_OK)
		cert_info_free(info);
	return err;
}

void cert_info_free(struct cert_info *info)
{
	free(info->subject);
	free(info->issuer);
	free(info->serial);
	free(info->spki);
	free(info->modulus);
	free(info->exponent);
	memset(info, 0, sizeof(*info));
}

bool cert_issued_by(const uint8_t *cert, size_t cert_len, const uint8_t *ca, size_t ca_len)
{
	const ASN1_OCTET_STRING *aki, *ski;
	X509 *x = NULL, *issuer = NULL;
	bool ok = false;

	ERR_set_mark();
	x = cert_decode(cert, cert_len);
	issuer = cert_decode(ca, ca_len);
	if (x == NULL || issuer == NULL)
		goto out;
	aki = X509_get0_authority_key_id(x);
	ski = X509_get0_subject_key_id(issuer);
	ok = aki != NULL && ski != NULL && ASN1_STRING_length(aki) > 0 &&
	     ASN1_OCTET_STRING_cmp(aki, ski) == 0 && X509_check_issued(issuer, x) == X509_V_OK;
out:
	X509_free(x);
	X509_free(issuer);
	ERR_pop_to_mark();
	return ok;
}

/* cert_string: a malloc'ed NUL-terminated copy of a string value (no NULs inside). */
static enum card_error cert_string(const ASN1_TYPE *value, char **out)
{
	const ASN1_STRING *s;
	int len;

	if (*out != NULL)
		return CARD_E_BAD_RESPONSE; /* the same field twice */
	if (value == NULL ||
	    (value->type != V_ASN1_UTF8STRING && value->type != V_ASN1_PRINTABLESTRING &&
	     value->type != V_ASN1_IA5STRING))
		return CARD_E_BAD_RESPONSE;
	s = value->value.asn1_string;
	len = ASN1_STRING_length(s);
	if (len < 0 || memchr(ASN1_STRING_get0_data(s), 0, (size_t)len) != NULL)
		return CARD_E_BAD_RESPONSE;
	*out = malloc((size_t)len + 1);
	if (*out == NULL)
		return CARD_E_NO_MEMORY;
	memcpy(*out, ASN1_STRING_get0_data(s), (size_t)len);
	(*out)[len] = '\0';
	return CARD_OK;
}

/* cert_birth: "EYYYYMMDD" = era code then the Gregorian date. */
static void cert_birth(struct cert_person *p)
{
	size_t i;

	p->birth_era = -1;
	p->birth_date[0] = '\0';
	if (p->birth == NULL || strlen(p->birth) != 9)
		return;
	for (i = 0; i < 9; i++)
		if (p->birth[i] < '0' || p->birth[i] > '9')
			return;
	if (p->birth[0] > '5')
		return;
	p->birth_era = p->birth[0] - '0';
	memcpy(p->birth_date, p->birth + 1, 8);
	p->birth_date[8] = '\0';
}

enum card_error cert_person(const uint8_t *der, size_t len, struct cert_person *person)
{
	char **fields[6] = {&person->name,  &person->name_alt, &person->sex,
			    &person->birth, &person->address,  &person->address_alt};
	GENERAL_NAMES *names = NULL;
	enum card_error err = CARD_E_BAD_RESPONSE;
	bool found = false;
	char oid[64];
	int i, crit = 0;
	X509 *x;

	memset(person, 0, sizeof(*person));
	person->birth_era = -1;
	ERR_set_mark();
	x = cert_decode(der, len);
	if (x == NULL)
		goto out;
	names = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (names == NULL) {
		err = crit == -1 ? CARD_E_NOT_FOUND : CARD_E_BAD_RESPONSE;
		goto out;
	}
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		size_t arc = strlen(CERT_JPKI_ARC);
		int n;

		if (gn->type != GEN_OTHERNAME)
			continue;
		n = OBJ_obj2txt(oid, sizeof(oid), gn->d.otherName->type_id, 1);
		if (n <= 0 || (size_t)n >= sizeof(oid) || strncmp(oid, CERT_JPKI_ARC, arc) != 0 ||
		    strlen(oid) != arc + 1 || oid[arc] < '1' || oid[arc] > '6')
			continue;
		err = cert_string(gn->d.otherName->value, fields[oid[arc] - '1']);
		if (err != CARD_OK)
			goto out;
		found = true;
	}
	err = found ? CARD_OK : CARD_E_NOT_FOUND;
	cert_birth(person);
out:
	GENERAL_NAMES_free(names);
	X509_free(x);
	ERR_pop_to_mark();
	if (err != CARD_OK)
		cert_person_free(person);
	return err;
}

static void cert_wipe(char **s)
{
	if (*s != NULL) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
	}
	*s = NULL;
}

void cert_person_free(struct cert_person *p)
{
	cert_wipe(&p->name);
	cert_wipe(&p->name_alt);
	cert_wipe(&p->sex);
	cert_wipe(&p->birth);
	cert_wipe(&p->address);
	cert_wipe(&p->address_alt);
	OPENSSL_cleanse(p->birth_date, sizeof(p->birth_date));
	p->birth_era = -1;
}
