/* The card layer's whole sequence and the promises it keeps: see fuzz-card-run.h. */
#include "fuzz-card-run.h"

#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "jpki.h"
#include "textap.h"

const struct fuzz_pin fuzz_card_pins[] = {
	{FUZZ_AUTH_PIN, FUZZ_AP_JPKI, 0x0018},
	{FUZZ_SIGN_PIN, FUZZ_AP_JPKI, 0x001B},
	{FUZZ_TEXT_PIN, FUZZ_AP_TEXT, 0x0011},
	{FUZZ_NEW_AUTH_PIN, FUZZ_AP_JPKI, 0x0018},
	{NULL, FUZZ_AP_UNKNOWN, 0},
};

/* DigestInfo of SHA-256 (any 32 bytes will do for the card layer). */
static const uint8_t fuzz_card_digest_info[51] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
						  0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
						  0x00, 0x04, 0x20, 0x46, 0x55, 0x5a, 0x5a};

struct fuzz_card {
	struct jpki_card *c;
	struct fuzz_transport *ft;
	unsigned flags;
	bool held;
};

static bool fuzz_card_digits(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* fuzz_card_after: what holds after any top-level call. */
static void fuzz_card_after(const struct fuzz_card *fc)
{
	if (fc->ft != NULL && !fc->held)
		FUZZ_ASSERT(!fuzz_transport_in_transaction(fc->ft));
}

static unsigned fuzz_card_sent(const struct fuzz_card *fc)
{
	return fc->ft != NULL ? fuzz_transport_sent(fc->ft) : 0;
}

static unsigned fuzz_card_pin_tries(const struct fuzz_card *fc)
{
	return fc->ft != NULL ? fuzz_transport_pin_tries(fc->ft) : 0;
}

static void fuzz_card_detect(struct fuzz_card *fc)
{
	char label[JPKI_LABEL_MAX + 1];
	enum jpki_kind kind;
	size_t i;

	memset(label, 'X', sizeof(label));
	if (jpki_detect(fc->c, &kind, label) == CARD_OK) {
		FUZZ_ASSERT(kind > JPKI_KIND_UNKNOWN && kind <= JPKI_KIND_OTHER);
		FUZZ_ASSERT(memchr(label, '\0', sizeof(label)) != NULL);
		for (i = 0; label[i] != '\0'; i++)
			FUZZ_ASSERT(label[i] >= 0x20 && label[i] < 0x7F);
		FUZZ_ASSERT(jpki_kind_name(kind) != NULL);
	}
	fuzz_card_after(fc);
}

static void fuzz_card_cert(struct fuzz_card *fc, enum jpki_cert id)
{
	struct cert_info info;
	struct cert_person person;
	uint8_t *der, *again;
	size_t len, again_len;
	unsigned sent;

	if (jpki_read_cert(fc->c, id, &der, &len) != CARD_OK) {
		FUZZ_ASSERT(der == NULL && len == 0);
		fuzz_card_after(fc);
		return;
	}
	fuzz_card_after(fc);
	FUZZ_ASSERT(der != NULL && len >= 2 && len <= JPKI_CERT_MAX && der[0] == 0x30);
	/* Read once per insertion: the second read is served from the cache. */
	sent = fuzz_card_sent(fc);
	FUZZ_ASSERT(jpki_read_cert(fc->c, id, &again, &again_len) == CARD_OK);
	FUZZ_ASSERT(fuzz_card_sent(fc) == sent);
	FUZZ_ASSERT(again_len == len && memcmp(again, der, len) == 0);
	free(again);
	if (cert_parse(der, len, &info) == CARD_OK) {
		FUZZ_ASSERT(info.subject != NULL && info.issuer != NULL && info.serial != NULL &&
			    info.spki != NULL);
		cert_info_free(&info);
	}
	if ((fc->flags & FUZZ_CARD_PERSON) && cert_person(der, len, &person) == CARD_OK)
		cert_person_free(&person);
	free(der);
}

static void fuzz_card_status(struct fuzz_card *fc, enum jpki_pin pin, bool refresh)
{
	int tries = 99;
	enum card_error err = jpki_pin_status(fc->c, pin, refresh, &tries);

	if (err == CARD_OK)
		FUZZ_ASSERT(tries >= 0 && tries <= jpki_pin_max_tries(pin));
	else
		FUZZ_ASSERT(tries == -1);
	fuzz_card_after(fc);
}

static void fuzz_card_verify(struct fuzz_card *fc, enum jpki_pin pin, const char *value)
{
	unsigned before = fuzz_card_pin_tries(fc);
	int tries = 99;
	enum card_error err = jpki_verify_pin(fc->c, pin, value, &tries);

	/* One call, at most one try of the PIN: never a silent retry. */
	FUZZ_ASSERT(fuzz_card_pin_tries(fc) - before <= 1);
	FUZZ_ASSERT(jpki_is_verified(fc->c, pin) == (err == CARD_OK));
	if (err == CARD_OK)
		FUZZ_ASSERT(tries == jpki_pin_max_tries(pin));
	else if (err == CARD_E_PIN_WRONG)
		FUZZ_ASSERT(tries > 0 && tries <= jpki_pin_max_tries(pin));
	else if (err == CARD_E_PIN_BLOCKED)
		FUZZ_ASSERT(tries == 0);
	else
		FUZZ_ASSERT(tries == -1);
	fuzz_card_after(fc);
}

static void fuzz_card_sign(struct fuzz_card *fc, enum jpki_key key)
{
	uint8_t sig[JPKI_SIG_MAX];
	size_t sig_len = 1, want;

	FUZZ_ASSERT(jpki_key_info(key, NULL, NULL, &want, NULL, NULL));
	if (jpki_sign(fc->c, key, fuzz_card_digest_info, sizeof(fuzz_card_digest_info), sig,
		      sizeof(sig), &sig_len) == CARD_OK)
		FUZZ_ASSERT(sig_len == want);
	else
		FUZZ_ASSERT(sig_len == 0);
	fuzz_card_after(fc);
}

static void fuzz_card_change(struct fuzz_card *fc)
{
	unsigned before = fuzz_card_pin_tries(fc);
	int tries;

	jpki_change_pin(fc->c, JPKI_PIN_AUTH, FUZZ_AUTH_PIN, FUZZ_NEW_AUTH_PIN, &tries);
	/* One VERIFY of the old PIN, one CHANGE. */
	FUZZ_ASSERT(fuzz_card_pin_tries(fc) - before <= 2);
	FUZZ_ASSERT(tries >= -1 && tries <= jpki_pin_max_tries(JPKI_PIN_AUTH));
	fuzz_card_after(fc);
}

static void fuzz_card_textap(struct fuzz_card *fc)
{
	struct textap_info info;
	unsigned before = fuzz_card_pin_tries(fc);
	bool basic = (fc->flags & FUZZ_CARD_BASIC) != 0;
	int tries;

	if (textap_read(fc->c, FUZZ_TEXT_PIN, basic, &info, &tries) == CARD_OK) {
		FUZZ_ASSERT(fuzz_card_digits(info.mynumber, 12));
		if (basic) {
			FUZZ_ASSERT(info.name != NULL && info.address != NULL);
			FUZZ_ASSERT(fuzz_card_digits(info.birth, 8));
			FUZZ_ASSERT(fuzz_card_digits(info.sex, 1));
		}
		textap_info_free(&info);
	}
	FUZZ_ASSERT(fuzz_card_pin_tries(fc) - before <= 1);
	fuzz_card_after(fc);
}

void fuzz_card_run(struct transport *t, struct fuzz_transport *ft, const struct log *log,
		   unsigned flags)
{
	struct fuzz_card fc = {.ft = ft, .flags = flags};

	fc.c = jpki_card_new(t, FUZZ_READER, log);
	FUZZ_ASSERT(fc.c != NULL);
	if (flags & FUZZ_CARD_HOLD)
		fc.held = jpki_op_begin(fc.c) == CARD_OK;
	fuzz_card_detect(&fc);
	fuzz_card_cert(&fc, JPKI_CERT_AUTH);
	fuzz_card_cert(&fc, JPKI_CERT_AUTH_CA);
	fuzz_card_cert(&fc, JPKI_CERT_SIGN_CA);
	fuzz_card_status(&fc, JPKI_PIN_AUTH, false);
	fuzz_card_verify(&fc, JPKI_PIN_AUTH, FUZZ_AUTH_PIN);
	fuzz_card_sign(&fc, JPKI_KEY_AUTH);
	fuzz_card_status(&fc, JPKI_PIN_SIGN, true);
	fuzz_card_verify(&fc, JPKI_PIN_SIGN, FUZZ_SIGN_PIN);
	fuzz_card_cert(&fc, JPKI_CERT_SIGN);
	fuzz_card_sign(&fc, JPKI_KEY_SIGN);
	fuzz_card_change(&fc);
	fuzz_card_textap(&fc);
	/* Back to the JPKI AP, as a module does between text AP and signatures. */
	fuzz_card_verify(&fc, JPKI_PIN_AUTH, FUZZ_NEW_AUTH_PIN);
	fuzz_card_sign(&fc, JPKI_KEY_AUTH);
	if (fc.held)
		jpki_op_end(fc.c);
	fc.held = false;
	fuzz_card_after(&fc);
	jpki_card_free(fc.c);
}
