/* Fuzz target cert (docs/fuzzing.md): certificate handling (src/cert.h) on arbitrary DER:
 * cert_parse and cert_person, as the module runs them on whatever the card's
 * certificate EFs hold. */
#include "fuzz.h"

#include <string.h>

#include "cert.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void fuzz_cert_field(const char *s)
{
	if (s != NULL)
		FUZZ_ASSERT(strlen(s) < 1u << 20);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert_info info;
	struct cert_person p;
	enum card_error err;

	err = cert_parse(data, size, &info);
	if (err == CARD_OK) {
		FUZZ_ASSERT(info.subject != NULL && info.subject_len > 0);
		FUZZ_ASSERT(info.issuer != NULL && info.issuer_len > 0);
		FUZZ_ASSERT(info.serial != NULL && info.spki != NULL);
		FUZZ_ASSERT(strlen(info.not_before_date) == 8 && strlen(info.not_after_date) == 8);
		FUZZ_ASSERT(!info.is_rsa || (info.modulus != NULL && info.exponent != NULL));
		cert_info_free(&info);
	} else {
		FUZZ_ASSERT(err == CARD_E_BAD_RESPONSE || err == CARD_E_NO_MEMORY);
		FUZZ_ASSERT(info.subject == NULL && info.modulus == NULL);
	}
	err = cert_person(data, size, &p);
	if (err == CARD_OK) {
		fuzz_cert_field(p.name);
		fuzz_cert_field(p.name_alt);
		fuzz_cert_field(p.sex);
		fuzz_cert_field(p.address);
		fuzz_cert_field(p.address_alt);
		FUZZ_ASSERT(p.birth_era >= -1 && p.birth_era <= 5);
		FUZZ_ASSERT(p.birth_date[0] == '\0' || strlen(p.birth_date) == 8);
		FUZZ_ASSERT(cert_era_name(p.birth_era) != NULL);
		cert_person_free(&p);
	} else {
		FUZZ_ASSERT(p.name == NULL && p.birth == NULL);
	}
	return 0;
}
