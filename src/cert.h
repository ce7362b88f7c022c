/* What the layers above need from an X.509 certificate (OpenSSL 3 EVP/X509
 * only): names, serial, validity, public key, key usage, and the personal
 * data JPKI puts in the sign certificate's subjectAltName.
 */
#ifndef JPKI_CERT_H
#define JPKI_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#include "card-error.h"

/* Key usage bits as X509_get_key_usage reports them (KU_DIGITAL_SIGNATURE = 0x80 ...). */
#define CERT_KU_DIGITAL_SIGNATURE 0x0080
#define CERT_KU_NON_REPUDIATION	  0x0040
#define CERT_KU_KEY_CERT_SIGN	  0x0004

struct cert_info {
	uint8_t *subject, *issuer, *serial,
		*spki; /* DER: Name, Name, INTEGER, SubjectPublicKeyInfo */
	size_t subject_len, issuer_len, serial_len, spki_len;
	time_t not_before, not_after;
	char not_before_date[9], not_after_date[9]; /* "YYYYMMDD" (UTC), for CK_DATE */
	bool is_rsa;
	uint8_t *modulus, *exponent; /* big-endian, RSA only */
	size_t modulus_len, exponent_len;
	unsigned bits;
	bool has_key_usage;
	uint32_t key_usage; /* CERT_KU_* bits when has_key_usage */
};

/* cert_decode: exactly one DER certificate (no trailing bytes) as an OpenSSL
 * X509 for the caller to X509_free; NULL when it is not one. */
X509 *cert_decode(const uint8_t *der, size_t len);

/* cert_parse: fills info from one DER certificate (exactly len bytes); free
 * with cert_info_free.  Errors: CARD_E_BAD_RESPONSE (not a certificate,
 * trailing bytes, unreadable field), CARD_E_NO_MEMORY. */
enum card_error cert_parse(const uint8_t *der, size_t len, struct cert_info *info);
void cert_info_free(struct cert_info *info);

/* cert_issued_by: whether ca (DER) names cert (DER) as issued by it: cert's
 * authority key identifier is present and equals ca's subject key
 * identifier, and OpenSSL's issuer check (names, key usage) passes.  Says
 * nothing about signatures; false for anything that does not parse. */
bool cert_issued_by(const uint8_t *cert, size_t cert_len, const uint8_t *ca, size_t ca_len);

/* The sign certificate's subjectAltName otherNames 1.2.392.200149.8.5.5.1-6. */
struct cert_person {
	char *name;	   /* .1 氏名, UTF-8 */
	char *name_alt;	   /* .2 代替文字の使用位置 (0/1 flags) */
	char *sex;	   /* .3 "1" male, "2" female, "3" unknown */
	char *birth;	   /* .4 as written: era digit + YYYYMMDD */
	char *address;	   /* .5 住所 */
	char *address_alt; /* .6 代替文字の使用位置 */
	int birth_era; /* 0 unknown, 1 明治 2 大正 3 昭和 4 平成 5 令和; -1 unparsable */
	char birth_date[9]; /* Gregorian "YYYYMMDD" from .4, "" if unparsable */
};

/* cert_person: decodes the otherNames (missing ones stay NULL); free with
 * cert_person_free, which wipes them.  Errors: CARD_E_NOT_FOUND (no JPKI
 * otherName at all, as in the auth certificate), CARD_E_BAD_RESPONSE,
 * CARD_E_NO_MEMORY. */
enum card_error cert_person(const uint8_t *der, size_t len, struct cert_person *person);
void cert_person_free(struct cert_person *person);

/* cert_era_name: "明治", "大正", "昭和", "平成", "令和"; "" for 0 or unknown codes. */
const char *cert_era_name(int era);

#endif
