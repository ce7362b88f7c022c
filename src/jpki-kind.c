/* What differs by kind of token (issue 18), as facts in one table: the
 * label of EF 0006 that names the kind, and what the kind wants before a
 * certificate is read; and whether the card carries a signature certificate
 * at all (EF 0008), asked only after an unusual answer so that a normal card
 * pays no APDU for it.
 */
#include "jpki-internal.h"

#include <string.h>

#define JPKI_EF_CERT_AVAIL	0x0008
#define JPKI_CERT_AVAIL_LEN	3    /* sign, auth, unknown (MYC) */
#define JPKI_CERT_AVAIL_PRESENT 0x8F /* MYC, read on one card with both certificates */

/* The kinds (docs/card.md 2.1; labels from MY-go, MY-rs, TRET).
 * auth_cert_pin: the Android token serves the authentication certificate
 * only after the auth PIN: jpki/myna verifies it first, and reading EF 000A
 * before it crashed their tool (jpki/myna#6), so the read is never sent
 * before.  Nothing like it is reported for the iPhone token: it is read
 * like the card's. */
static const struct jpki_kind_desc {
	const char *label;
	enum jpki_kind kind;
	const char *name;
	bool auth_cert_pin; /* EF 000A wants the auth PIN first */
} jpki_kinds[] = {
	{"JPKIAPICCTOKEN2", JPKI_KIND_MYNUMBER, "My Number Card", false},
	{"JPKIAPICCTOKEN", JPKI_KIND_JUKI, "Juki card", false},
	{"JPKIAPGPSETOKEN", JPKI_KIND_ANDROID, "Android smartphone token", true},
	{"JPKIAPIOSTOKEN", JPKI_KIND_IPHONE, "iPhone token", false},
};

#define JPKI_KINDS (sizeof(jpki_kinds) / sizeof(jpki_kinds[0]))

static const struct jpki_kind_desc *jpki_kind_desc(enum jpki_kind kind)
{
	size_t i;

	for (i = 0; i < JPKI_KINDS; i++)
		if (jpki_kinds[i].kind == kind)
			return &jpki_kinds[i];
	return NULL;
}

enum jpki_kind jpki_label_kind(const uint8_t *buf, size_t len, char label[JPKI_LABEL_MAX + 1])
{
	enum jpki_kind kind = JPKI_KIND_OTHER;
	size_t i;

	if (len > JPKI_LABEL_MAX)
		len = JPKI_LABEL_MAX;
	/* Printable ASCII, space padded; anything else is not a label we know. */
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\0'))
		len--;
	for (i = 0; i < len; i++)
		label[i] = (buf[i] >= 0x20 && buf[i] < 0x7F) ? (char)buf[i] : '?';
	label[len] = '\0';
	for (i = 0; i < JPKI_KINDS; i++)
		if (strcmp(label, jpki_kinds[i].label) == 0)
			kind = jpki_kinds[i].kind;
	return kind;
}

const char *jpki_kind_name(enum jpki_kind kind)
{
	const struct jpki_kind_desc *d = jpki_kind_desc(kind);

	if (d != NULL)
		return d->name;
	return kind == JPKI_KIND_OTHER ? "unknown JPKI token" : "not detected";
}

bool jpki_cert_needs_pin(enum jpki_kind kind, enum jpki_cert id, enum jpki_pin *pin)
{
	const struct jpki_kind_desc *d = jpki_kind_desc(kind);

	if (id == JPKI_CERT_SIGN) {
		*pin = JPKI_PIN_SIGN; /* every kind: the card answers 6982 before it */
		return true;
	}
	if (id == JPKI_CERT_AUTH && d != NULL && d->auth_cert_pin) {
		*pin = JPKI_PIN_AUTH;
		return true;
	}
	return false;
}

bool jpki_cert_read_refused(const struct jpki_card *c, enum jpki_cert id)
{
	enum jpki_pin pin;

	/* The signature certificate is left to the card (6982): another
	 * process may have verified the password on the same card. */
	return id != JPKI_CERT_SIGN && jpki_cert_needs_pin(c->kind, id, &pin) && !c->verified[pin];
}

/* jpki_read_cert_avail: byte 0 of EF 0008 (by short identifier when the card
 * takes it, else after SELECT); *known false when the card gives no such
 * byte. */
static enum card_error jpki_read_cert_avail(struct jpki_card *c, bool *known, uint8_t *sign)
{
	uint8_t buf[JPKI_CERT_AVAIL_LEN];
	bool by_sfi = jpki_sfi_usable(c, JPKI_AP_JPKI, JPKI_EF_CERT_AVAIL);
	enum card_error err;
	size_t len = 0;
	uint16_t sw;

	*known = false;
	err = jpki_read_head(c, JPKI_AP_JPKI, JPKI_EF_CERT_AVAIL, by_sfi, sizeof(buf), buf, &len,
			     &sw);
	if (err == CARD_OK && by_sfi && sw != SW_OK && sw != SW_END_OF_FILE)
		err = jpki_read_head(c, JPKI_AP_JPKI, JPKI_EF_CERT_AVAIL, false, sizeof(buf), buf,
				     &len, &sw);
	if (err == CARD_E_NOT_FOUND || err == CARD_E_CARD)
		return CARD_OK; /* no EF 0008: nothing learnt */
	if (err != CARD_OK)
		return err;
	if ((sw == SW_OK || sw == SW_END_OF_FILE) && len >= 1) {
		*known = true;
		*sign = buf[0];
	}
	return CARD_OK;
}

enum card_error jpki_sign_cert_check(struct jpki_card *c)
{
	enum card_error err;
	uint8_t sign = 0;
	bool known;

	if (c->sign_cert != JPKI_SIGN_CERT_UNKNOWN)
		return CARD_OK;
	err = jpki_read_cert_avail(c, &known, &sign);
	if (err != CARD_OK)
		return err;
	/* Only a byte that is there and not 8F says "absent": a card that
	 * does not answer is taken as the usual card. */
	c->sign_cert = known && sign != JPKI_CERT_AVAIL_PRESENT ? JPKI_SIGN_CERT_ABSENT
								: JPKI_SIGN_CERT_PRESENT;
	log_printf(c->log, LOG_CALLS, "card in %s: EF 0008 %s: %s", c->reader,
		   known ? "read" : "not readable",
		   c->sign_cert == JPKI_SIGN_CERT_ABSENT ? "no signature certificate"
							 : "signature certificate present");
	return CARD_OK;
}

/* What the signature password's status query may answer on a card without
 * the signature certificate, besides a usual 63Cx (docs/card.md Appendix C):
 * no usable reference data, reference data or file not found.  6983 (the
 * ISO blocked answer) too: on a usual card these mean a blocked password,
 * rare enough that one READ of EF 0008 per insertion costs nothing. */
static const uint16_t jpki_sign_pin_unusual_sws[] = {0x6983, 0x6984, 0x6A88, 0x6A82};

bool jpki_sign_pin_unusual(uint16_t sw)
{
	size_t i;

	for (i = 0; i < sizeof(jpki_sign_pin_unusual_sws) / sizeof(jpki_sign_pin_unusual_sws[0]);
	     i++)
		if (jpki_sign_pin_unusual_sws[i] == sw)
			return true;
	return false;
}

bool jpki_sign_cert_absent(const struct jpki_card *c)
{
	return c->sign_cert == JPKI_SIGN_CERT_ABSENT;
}

enum card_error jpki_has_sign_cert(struct jpki_card *c, bool *present)
{
	enum card_error err = CARD_OK;

	*present = true;
	if (c->sign_cert == JPKI_SIGN_CERT_UNKNOWN || c->conn == NULL) {
		err = jpki_op_begin(c);
		if (err != CARD_OK)
			return err;
		err = jpki_sign_cert_check(c);
		jpki_op_end(c);
	}
	*present = c->sign_cert != JPKI_SIGN_CERT_ABSENT;
	return err;
}
