/* The PINs: their table, the retry counters (an empty VERIFY), VERIFY and
 * CHANGE REFERENCE DATA, and the beliefs about what is verified.
 */
#include "jpki-internal.h"

#include <string.h>

#include <openssl/crypto.h>

#include "pin.h"

#define INS_VERIFY		  0x20
#define INS_CHANGE_REFERENCE_DATA 0x24

struct jpki_pin_desc {
	enum jpki_ap ap;
	uint16_t fid;
	bool fid_elsewhere; /* another application of the card has an EF with this FID */
	int max_tries;
	enum pin_format format;
	const char *name;
};

static const struct jpki_pin_desc jpki_pins[JPKI_PIN_COUNT] = {
	/* Fact sheet 2.1-2.4: 0018 and 001B are only in the JPKI AP; 0011 is also
	 * the visual AP's birth-date key. */
	[JPKI_PIN_AUTH] = {JPKI_AP_JPKI, 0x0018, false, 3, PIN_FORMAT_DIGITS4, "auth PIN"},
	[JPKI_PIN_SIGN] = {JPKI_AP_JPKI, 0x001B, false, 5, PIN_FORMAT_ALNUM6_16, "sign password"},
	[JPKI_PIN_TEXT] = {JPKI_AP_TEXT, 0x0011, true, 3, PIN_FORMAT_DIGITS4, "text PIN"},
};

int jpki_pin_max_tries(enum jpki_pin pin)
{
	return (unsigned)pin < JPKI_PIN_COUNT ? jpki_pins[pin].max_tries : 0;
}

enum pin_format jpki_pin_format(enum jpki_pin pin)
{
	return (unsigned)pin < JPKI_PIN_COUNT ? jpki_pins[pin].format : PIN_FORMAT_COUNT;
}

bool jpki_is_verified(const struct jpki_card *c, enum jpki_pin pin)
{
	return (unsigned)pin < JPKI_PIN_COUNT && c->verified[pin];
}

void jpki_forget_pin(struct jpki_card *c, enum jpki_pin pin)
{
	if ((unsigned)pin < JPKI_PIN_COUNT)
		c->verified[pin] = false;
}

/* jpki_tries_from_sw: tries left from a VERIFY status word; -1 if it says nothing. */
static int jpki_tries_from_sw(uint16_t sw)
{
	if ((sw & 0xFFF0) == 0x63C0)
		return sw & 0x0F;
	if (sw == SW_AUTH_BLOCKED || sw == SW_REF_DATA_UNUSABLE)
		return 0; /* 6984 seen on cards, 6983 per ISO: both mean blocked */
	return -1;
}

/* The retry counter by short EF identifier: `00 20 00 (80|SFI)` without
 * data names the PIN EF in P2 and spends no try: 1 APDU instead of SELECT +
 * empty VERIFY (soltia48/myna-card's verify_sfi; no trace shows a card
 * answering it: docs/card.md 3.3, Appendix C).  So any answer but a counter
 * (63Cx, x at most the PIN's tries) is a refusal: under a belief the
 * application is checked and the query sent once more; otherwise SELECT +
 * empty VERIFY, and only that form until the card is removed (from the
 * start, when the card's cache entry says it refused).  Only for the JPKI
 * PINs, whose EFs no other application of the card has: a wrong belief is
 * refused, never answered with another counter.  Never for a VERIFY that
 * carries a PIN (jpki_verify_in_op): were P2 read otherwise by some card,
 * a try of another PIN could be spent. */
static bool jpki_pin_counter(const struct jpki_pin_desc *d, uint16_t sw)
{
	return (sw & 0xFFF0) == 0x63C0 && (sw & 0x0F) <= d->max_tries;
}

static bool jpki_verify_sfi_usable(const struct jpki_card *c, const struct jpki_pin_desc *d)
{
	/* A card that refused READ BINARY by SFI is not asked this either. */
	return !d->fid_elsewhere && d->fid <= JPKI_SFI_MAX && !c->sfi_off[d->ap] &&
	       !c->verify_sfi_off && !jpki_cache_verify_sfi_known(c);
}

/* jpki_pin_status_sfi: the empty VERIFY by SFI; *sw its answer (0 when not sent). */
static enum card_error jpki_pin_status_sfi(struct jpki_card *c, const struct jpki_pin_desc *d,
					   uint16_t *sw)
{
	struct apdu a = {.ins = INS_VERIFY, .p2 = (uint8_t)(0x80 | d->fid)};
	enum card_error err;
	bool believed;
	size_t len;

	*sw = 0;
	err = jpki_select_ap(c, d->ap);
	if (err != CARD_OK)
		return err;
	believed = jpki_ap_believed(c, d->ap);
	err = jpki_command(c, &a, NULL, 0, &len, sw);
	if (err == CARD_OK && !jpki_pin_counter(d, *sw) && believed) {
		log_printf(c->log, LOG_CALLS, "%s status by short identifier: SW %04X", d->name,
			   *sw);
		err = jpki_ap_recheck(c, d->ap);
		if (err == CARD_OK)
			err = jpki_command(c, &a, NULL, 0, &len, sw);
	}
	c->ef = JPKI_FID_NONE; /* whatever the card made current */
	/* A counter from an EF only the JPKI AP has: the AP is current. */
	if (err == CARD_OK && jpki_pin_counter(d, *sw))
		c->ap_sure = true;
	return err;
}

enum card_error jpki_pin_status(struct jpki_card *c, enum jpki_pin pin, bool refresh,
				int *tries_left)
{
	const struct jpki_pin_desc *d;
	struct apdu a = {.ins = INS_VERIFY, .p2 = 0x80}; /* no data: the retry query */
	enum card_error err;
	bool held = false, by_sfi = false;
	size_t len;
	uint16_t sw;
	int tries;

	*tries_left = -1;
	if ((unsigned)pin >= JPKI_PIN_COUNT)
		return CARD_E_ARGUMENTS;
	d = &jpki_pins[pin];
	if (!refresh && c->tries[pin] >= 0 && c->conn != NULL) {
		*tries_left = c->tries[pin];
		return CARD_OK;
	}
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	held = true;
	if (pin == JPKI_PIN_SIGN && jpki_sign_cert_absent(c)) {
		err = CARD_E_NOT_FOUND; /* no certificate, no password: nothing to ask */
		goto out;
	}
	if (jpki_verify_sfi_usable(c, d)) {
		err = jpki_pin_status_sfi(c, d, &sw);
		if (err != CARD_OK)
			goto out;
		by_sfi = jpki_pin_counter(d, sw);
		if (!by_sfi && pin == JPKI_PIN_SIGN && jpki_sign_pin_unusual(sw)) {
			/* What a card without the signature certificate answers
			 * (docs/card.md Appendix C): no proof that the card
			 * refuses VERIFY by SFI.  EF 0008 says; a card with the
			 * certificate is asked the long way this time only. */
			err = jpki_sign_cert_check(c);
			if (err == CARD_OK && jpki_sign_cert_absent(c))
				err = CARD_E_NOT_FOUND;
			if (err != CARD_OK)
				goto out;
		} else if (!by_sfi) {
			log_printf(c->log, LOG_CALLS,
				   "%s status by short identifier refused (SW %04X): SELECT "
				   "until removal",
				   d->name, sw);
			c->verify_sfi_off = true;
		}
	}
	if (!by_sfi) {
		/* As for a VERIFY with a PIN: EF 0011 of the visual AP would
		 * answer the same query with its own counter, so a belief is
		 * checked first. */
		err = d->fid_elsewhere ? jpki_ap_recheck(c, d->ap) : CARD_OK;
		if (err == CARD_OK)
			err = jpki_select_ef(c, d->ap, d->fid);
		if (err == CARD_E_NOT_FOUND && pin == JPKI_PIN_SIGN) {
			/* No password EF: a card without the signature certificate? */
			err = jpki_sign_cert_check(c);
			if (err == CARD_OK)
				err = CARD_E_NOT_FOUND;
		}
		if (err != CARD_OK)
			goto out;
		err = jpki_command(c, &a, NULL, 0, &len, &sw);
		if (err != CARD_OK)
			goto out;
		/* Refused by SFI, answered this way: a fact about the card. */
		if (c->verify_sfi_off && !c->verify_sfi_off_sure && !d->fid_elsewhere &&
		    jpki_pin_counter(d, sw))
			jpki_cache_verify_sfi_refused(c);
	}
	/* The query never says "verified" on this card: 9000 here is a card
	 * we do not understand, not a login. */
	tries = jpki_tries_from_sw(sw);
	/* The signature password unusable or not there (6984, 6A88): maybe a
	 * card without the signature certificate.  EF 0008 says (one READ,
	 * never on a usual card's 63Cx). */
	if (pin == JPKI_PIN_SIGN && jpki_sign_pin_unusual(sw)) {
		err = jpki_sign_cert_check(c);
		if (err == CARD_OK && jpki_sign_cert_absent(c))
			err = CARD_E_NOT_FOUND;
		if (err != CARD_OK)
			goto out;
	}
	if (tries < 0 || tries > d->max_tries) {
		log_printf(c->log, LOG_WARN, "%s status: SW %04X", d->name, sw);
		err = CARD_E_BAD_RESPONSE;
		goto out;
	}
	c->tries[pin] = tries;
	*tries_left = tries;
out:
	if (held)
		jpki_op_end(c);
	return err;
}

enum card_error jpki_verify_in_op(struct jpki_card *c, enum jpki_pin pin, const char *value,
				  int *tries_left)
{
	const struct jpki_pin_desc *d = &jpki_pins[pin];
	char buf[PIN_MAX_LEN];
	struct apdu a = {
		.ins = INS_VERIFY, .p2 = 0x80, .data = (const uint8_t *)buf, .secret = true};
	enum card_error err;
	size_t len;
	uint16_t sw;
	int tries;

	*tries_left = -1;
	err = pin_normalize(d->format, value, false, buf, &a.lc);
	if (err != CARD_OK)
		goto out;
	if (pin == JPKI_PIN_SIGN && jpki_sign_cert_absent(c)) {
		err = CARD_E_NOT_FOUND; /* no password on this card: no try spent */
		goto out;
	}
	/* A PIN goes only to its own PIN EF (see jpki-ap.c, "Which application is
	 * current"). */
	err = d->fid_elsewhere ? jpki_ap_recheck(c, d->ap) : CARD_OK;
	if (err == CARD_OK)
		err = jpki_select_ef(c, d->ap, d->fid);
	if (err != CARD_OK)
		goto out;
	if (c->ap != d->ap || c->ef != d->fid || (d->fid_elsewhere && !c->ap_sure)) {
		err = CARD_E_CARD; /* cannot happen: never VERIFY on a belief */
		goto out;
	}
	c->verified[pin] = false;
	err = jpki_command(c, &a, NULL, 0, &len, &sw);
	if (err != CARD_OK)
		goto out;
	tries = jpki_tries_from_sw(sw);
	if (sw == SW_OK) {
		c->verified[pin] = true;
		c->tries[pin] = d->max_tries; /* a success refills the counter */
		*tries_left = d->max_tries;
	} else if (tries == 0) {
		c->tries[pin] = 0;
		*tries_left = 0;
		err = CARD_E_PIN_BLOCKED;
	} else if (tries > 0 && tries <= d->max_tries) {
		c->tries[pin] = tries;
		*tries_left = tries;
		err = CARD_E_PIN_WRONG;
	} else {
		log_printf(c->log, LOG_WARN, "VERIFY %s: SW %04X", d->name, sw);
		c->tries[pin] = -1;
		err = sw == SW_SECURITY ? CARD_E_CARD : jpki_sw_error(sw);
	}
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	log_printf(c->log, LOG_CALLS, "VERIFY %s: %s", d->name, card_error_name(err));
	return err;
}

enum card_error jpki_op_begin_verified(struct jpki_card *c, enum jpki_pin pin, const char *value,
				       int *tries_left)
{
	char check[PIN_MAX_LEN];
	enum card_error err;
	size_t len;

	*tries_left = -1;
	if ((unsigned)pin >= JPKI_PIN_COUNT)
		return CARD_E_ARGUMENTS;
	/* Format first: a malformed PIN must not even open a transaction. */
	err = pin_normalize(jpki_pins[pin].format, value, false, check, &len);
	OPENSSL_cleanse(check, sizeof(check));
	if (err == CARD_OK)
		err = jpki_op_begin(c);
	if (err != CARD_OK)
		return err;
	err = jpki_verify_in_op(c, pin, value, tries_left);
	if (err != CARD_OK)
		jpki_op_end(c);
	return err;
}

enum card_error jpki_verify_pin(struct jpki_card *c, enum jpki_pin pin, const char *value,
				int *tries_left)
{
	enum card_error err;
	int dummy;

	err = jpki_op_begin_verified(c, pin, value, tries_left != NULL ? tries_left : &dummy);
	if (err == CARD_OK)
		jpki_op_end(c);
	return err;
}

enum card_error jpki_change_pin(struct jpki_card *c, enum jpki_pin pin, const char *old_value,
				const char *new_value, int *tries_left)
{
	const struct jpki_pin_desc *d;
	char buf[PIN_MAX_LEN];
	struct apdu a = {.ins = INS_CHANGE_REFERENCE_DATA,
			 .p1 = 0x01,
			 .p2 = 0x80,
			 .data = (const uint8_t *)buf,
			 .secret = true};
	enum card_error err;
	bool held = false;
	size_t len;
	uint16_t sw;
	int dummy;

	if (tries_left == NULL)
		tries_left = &dummy;
	*tries_left = -1;
	memset(buf, 0, sizeof(buf));
	if ((unsigned)pin >= JPKI_PIN_COUNT)
		return CARD_E_ARGUMENTS;
	d = &jpki_pins[pin];
	/* Both formats before anything is sent. */
	err = pin_normalize(d->format, old_value, false, buf, &len);
	if (err == CARD_OK)
		err = pin_normalize(d->format, new_value, true, buf, &a.lc);
	if (err == CARD_OK)
		err = jpki_op_begin_verified(c, pin, old_value, tries_left);
	if (err != CARD_OK)
		goto out;
	held = true;
	err = jpki_command(c, &a, NULL, 0, &len, &sw);
	if (err != CARD_OK)
		goto out;
	if (sw != SW_OK) {
		log_printf(c->log, LOG_WARN, "CHANGE REFERENCE DATA %s: SW %04X", d->name, sw);
		err = jpki_sw_error(sw);
	}
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (held)
		jpki_op_end(c);
	return err;
}
