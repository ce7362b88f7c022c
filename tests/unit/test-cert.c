/* Certificate helpers on certificates built here with OpenSSL: fields,
 * JPKI subjectAltName otherNames, eras, and malformed input. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../tap.h"
#include "cert.h"

/* The sign certificate's otherNames, as {arc, value}; a value NULL ends the list. */
struct other {
	int arc;
	const char *value;
	int type;
};

static const struct other sign_names[] = {
	{1, "山田　太郎", V_ASN1_UTF8STRING},
	{2, "0000", V_ASN1_UTF8STRING},
	{3, "1", V_ASN1_UTF8STRING},
	{4, "419900102", V_ASN1_UTF8STRING},
	{5, "東京都千代田区霞が関２－１－２", V_ASN1_UTF8STRING},
	{6, "00000000000000", V_ASN1_UTF8STRING},
	{0, NULL, 0},
};
static const struct other bad_era[] = {{4, "919900102", V_ASN1_UTF8STRING}, {0, NULL, 0}};
static const struct other not_string[] = {{1, "\x05", V_ASN1_OCTET_STRING}, {0, NULL, 0}};
static const struct other only_dns[] = {{0, NULL, 0}};

static void add_san(X509 *x, const struct other *o, bool dns)
{
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	char oid[64];

	for (; o->value != NULL; o++) {
		GENERAL_NAME *gn = GENERAL_NAME_new();
		ASN1_TYPE *t = ASN1_TYPE_new();
		ASN1_STRING *str = ASN1_STRING_type_new(o->type);
		snprintf(oid, sizeof(oid), "1.2.392.200149.8.5.5.%d", o->arc);
		ASN1_STRING_set(str, o->value, (int)strlen(o->value));
		ASN1_TYPE_set(t, o->type, str);
		GENERAL_NAME_set0_othername(gn, OBJ_txt2obj(oid, 1), t);
		sk_GENERAL_NAME_push(names, gn);
	}
	if (dns) {
		GENERAL_NAME *gn = GENERAL_NAME_new();
		ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
		ASN1_STRING_set(ia5, "example.jp", -1);
		GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
		sk_GENERAL_NAME_push(names, gn);
	}
	if (!X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, 0))
		tap_bail("cannot add the subjectAltName");
	GENERAL_NAMES_free(names);
}

static EVP_PKEY *key;

static uint8_t *make_cert(const struct other *san, bool dns, const char *ku, size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509_EXTENSION *ext;
	unsigned char *der = NULL;
	int n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234567);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"JP", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"TEST0001", -1,
				   -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	ASN1_TIME_set_string(X509_getm_notBefore(x), "20240101000000Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20290317145959Z");
	X509_set_pubkey(x, key);
	if (ku != NULL) {
		ext = X509V3_EXT_nconf_nid(NULL, NULL, NID_key_usage, ku);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (san != NULL)
		add_san(x, san, dns);
	if (!X509_sign(x, key, EVP_sha256()))
		tap_bail("X509_sign");
	n = i2d_X509(x, &der);
	X509_NAME_free(name);
	X509_free(x);
	if (n <= 0)
		tap_bail("i2d_X509");
	*len = (size_t)n;
	return der;
}

int main(void)
{
	struct cert_info info;
	struct cert_person p;
	uint8_t *der, *copy;
	size_t len;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	if (key == NULL)
		tap_bail("keygen");

	der = make_cert(sign_names, false, "critical,digitalSignature,nonRepudiation", &len);
	tap_is_int(cert_parse(der, len, &info), CARD_OK, "sign-like certificate parsed");
	tap_ok(info.is_rsa && info.bits == 1024 && info.modulus_len == 128 &&
		       info.exponent_len == 3 && memcmp(info.exponent, "\x01\x00\x01", 3) == 0,
	       "RSA key: 1024 bits, modulus 128 bytes, e = 65537");
	tap_is_mem(info.serial, info.serial_len, "\x02\x04\x01\x23\x45\x67", 6,
		   "serial as DER INTEGER");
	tap_ok(info.subject_len > 0 && info.subject_len == info.issuer_len &&
		       memcmp(info.subject, info.issuer, info.subject_len) == 0 &&
		       info.subject[0] == 0x30,
	       "subject and issuer DER");
	tap_ok(info.spki_len > 128 && info.spki[0] == 0x30, "SubjectPublicKeyInfo DER");
	tap_ok(info.not_before == 1704067200 && strcmp(info.not_before_date, "20240101") == 0,
	       "notBefore as time_t and YYYYMMDD");
	tap_ok(info.not_after == 1868453999 && strcmp(info.not_after_date, "20290317") == 0,
	       "notAfter 14:59:59Z");
	tap_ok(info.has_key_usage &&
		       info.key_usage == (CERT_KU_DIGITAL_SIGNATURE | CERT_KU_NON_REPUDIATION),
	       "key usage digitalSignature + nonRepudiation");
	cert_info_free(&info);

	tap_is_int(cert_person(der, len, &p), CARD_OK, "otherNames decoded");
	tap_ok(p.name && strcmp(p.name, "山田　太郎") == 0, "name");
	tap_ok(p.address && strcmp(p.address, "東京都千代田区霞が関２－１－２") == 0, "address");
	tap_ok(p.sex && strcmp(p.sex, "1") == 0, "sex");
	tap_ok(p.birth_era == 4 && strcmp(p.birth_date, "19900102") == 0 &&
		       strcmp(cert_era_name(p.birth_era), "平成") == 0,
	       "birth date 平成, 1990-01-02");
	tap_ok(p.name_alt && strcmp(p.name_alt, "0000") == 0 && p.address_alt != NULL,
	       "substitution flags");
	cert_person_free(&p);
	tap_ok(p.name == NULL && p.address == NULL, "person data freed");

	/* Trailing bytes, truncation, garbage. */
	copy = malloc(len + 1);
	memcpy(copy, der, len);
	copy[len] = 0;
	tap_is_int(cert_parse(copy, len + 1, &info), CARD_E_BAD_RESPONSE, "trailing byte refused");
	tap_is_int(cert_parse(copy, len - 1, &info), CARD_E_BAD_RESPONSE, "truncated refused");
	tap_is_int(cert_parse(copy, 0, &info), CARD_E_BAD_RESPONSE, "empty refused");
	memset(copy, 0xFF, len);
	tap_is_int(cert_parse(copy, len, &info), CARD_E_BAD_RESPONSE, "garbage refused");
	tap_is_int(cert_person(copy, len, &p), CARD_E_BAD_RESPONSE, "garbage: no person");
	tap_ok(cert_decode(copy, len) == NULL, "garbage: no X509");
	/* The application's own queued error stays; ours are taken back. */
	ERR_raise_data(ERR_LIB_USER, 42, "the application's");
	tap_is_int(cert_parse(copy, len, &info), CARD_E_BAD_RESPONSE, "garbage refused again");
	tap_ok(ERR_GET_REASON(ERR_peek_last_error()) == 42 && ERR_get_error() != 0 &&
		       ERR_get_error() == 0,
	       "OpenSSL error queue: only the application's error left");
	tap_ok(cert_decode(copy, len) == NULL && cert_person(copy, len, &p) != CARD_OK &&
		       ERR_peek_error() == 0,
	       "OpenSSL error queue: decode and person leave nothing");
	free(copy);
	OPENSSL_free(der);

	/* The auth certificate carries no personal data. */
	der = make_cert(NULL, false, "critical,digitalSignature", &len);
	tap_ok(cert_parse(der, len, &info) == CARD_OK &&
		       info.key_usage == CERT_KU_DIGITAL_SIGNATURE,
	       "auth-like certificate: digitalSignature only");
	cert_info_free(&info);
	tap_is_int(cert_person(der, len, &p), CARD_E_NOT_FOUND, "no subjectAltName: not found");
	OPENSSL_free(der);

	der = make_cert(only_dns, true, NULL, &len);
	tap_ok(cert_parse(der, len, &info) == CARD_OK && !info.has_key_usage,
	       "no key usage extension");
	cert_info_free(&info);
	tap_is_int(cert_person(der, len, &p), CARD_E_NOT_FOUND,
		   "SAN without JPKI names: not found");
	OPENSSL_free(der);

	der = make_cert(bad_era, false, NULL, &len);
	tap_ok(cert_person(der, len, &p) == CARD_OK && p.birth_era == -1 && p.birth_date[0] == 0,
	       "unknown era code: unparsed, raw value kept");
	cert_person_free(&p);
	OPENSSL_free(der);

	der = make_cert(not_string, false, NULL, &len);
	tap_is_int(cert_person(der, len, &p), CARD_E_BAD_RESPONSE, "non-string otherName refused");
	OPENSSL_free(der);

	tap_ok(strcmp(cert_era_name(1), "明治") == 0 && strcmp(cert_era_name(5), "令和") == 0 &&
		       strcmp(cert_era_name(6), "") == 0 && strcmp(cert_era_name(-1), "") == 0,
	       "era names");
	EVP_PKEY_free(key);
	return tap_done();
}
