/* Which application is current (this file: the probe, the beliefs and their
 * rechecks, SELECT of an application and of an EF).
 *
 * The card has one current application for every process that talks to it,
 * and on the emulator (and maybe on the card: docs/card.md Appendix C) a SELECT of an
 * application by name clears the verified PINs of all of them.  So:
 *
 * - When this context does not know the application (a new connection, a
 *   reset, a failed SELECT) or only believes it from an earlier transaction,
 *   it first asks without selecting: READ BINARY of EF 0006 by short EF
 *   identifier (the probe).  Only the JPKI AP answers with a JPKI label; the
 *   text and visual APs refuse (6982), the MF and other APs have no such EF
 *   (6A82), a card without SFI refuses the form (6A86).  A label we know:
 *   the JPKI AP is current, no SELECT, nobody is logged out (and detection
 *   has its label).  Anything else: SELECT, as before.  A failed probe says
 *   nothing about SFI (the JPKI AP may just not be current): it never sets
 *   sfi_off; a card known to refuse SFI is not probed.  The probe is a READ
 *   of a free EF: it spends no try and changes nothing but the current EF.
 *
 * - Between transactions another process may select another application
 *   (the tool reading the text AP; OpenSC's logout).  The belief is kept
 *   (re-selecting would log everybody out for nothing in the usual case
 *   where nobody did), and a wrong belief fails cleanly: no known
 *   application other than JPKI has EFs 0017, 0018, 001A, 001B, 0006 or
 *   000A/000B (docs/card.md 2.1-2.4), so SELECT EF or READ BINARY answer
 *   6A82/6982/6986 there; EFs 0001/0002 exist in the text and visual APs but
 *   hold no DER SEQUENCE.  A refused SELECT EF, a READ by SFI refused with
 *   anything but 6982, or a non-certificate from 0001/0002, under a belief,
 *   makes the layer check again (probe, then SELECT: jpki_ap_recheck) and
 *   retry once; it is never taken for "the card refuses SFI".  A 6982 under
 *   a belief is reported as it is (the sign certificate before login gives
 *   it in the JPKI AP too): a clean CARD_E_NOT_LOGGED_IN, never data.
 *
 * - A VERIFY that carries a PIN is where a wrong belief would cost a try of
 *   another application's PIN.  It goes only after SELECT of the PIN EF
 *   answered 9000 in this transaction, in the PIN's application: for the
 *   JPKI PINs (0018, 001B) that answer proves the application, as no other
 *   application of the card has those EFs (a wrong belief gives 6A82, then
 *   the check and one retry); the text PIN's EF 0011 is also the visual
 *   AP's birth-date key, so its VERIFY goes only after this transaction has
 *   selected the text AP (jpki_pins[].fid_elsewhere).  Checking the JPKI AP
 *   by a probe before every login would cost one APDU per login on every
 *   card, and a SELECT (logging every other process out) on a card without
 *   SFI, to guard against an application the card does not have.
 *
 * - Selecting the text AP, and the JPKI AP after it (the tool), are needed
 *   and stay.  A SELECT that the layer itself needs never depends on
 *   another process: the probe only replaces SELECTs whose application may
 *   already be current. */

#include "jpki-internal.h"

#include <string.h>

#define INS_SELECT 0xA4

struct jpki_ap_desc {
	uint8_t aid[16];
	size_t aid_len;
	const char *name;
};

static const struct jpki_ap_desc jpki_aps[JPKI_AP_COUNT] = {
	[JPKI_AP_JPKI] = {{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}, 10, "JPKI"},
	[JPKI_AP_TEXT] = {{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}, 10, "text"},
};

/* jpki_probe: whether the JPKI AP is current, by the probe described above;
 * on a hit the label is kept if the kind was not known yet. */
static enum card_error jpki_probe(struct jpki_card *c, bool *hit)
{
	struct apdu a = {.ins = INS_READ_BINARY,
			 .p1 = (uint8_t)(0x80 | JPKI_EF_TOKEN_INFO),
			 .p2 = 0,
			 .le = JPKI_LABEL_MAX};
	uint8_t buf[JPKI_LABEL_MAX];
	char label[JPKI_LABEL_MAX + 1];
	enum jpki_kind kind;
	enum card_error err;
	size_t len = 0;
	uint16_t sw;

	*hit = false;
	c->ef = JPKI_FID_NONE; /* whatever the answer, the current EF may have changed */
	err = jpki_command(c, &a, buf, sizeof(buf), &len, &sw);
	if (err != CARD_OK)
		return err;
	if (sw != SW_OK && sw != SW_END_OF_FILE) {
		log_printf(c->log, LOG_CALLS, "JPKI AP not current (probe: SW %04X): SELECT", sw);
		return CARD_OK;
	}
	kind = jpki_label_kind(buf, len, label);
	if (kind == JPKI_KIND_OTHER) {
		log_printf(c->log, LOG_CALLS, "probe: a label we do not know: SELECT");
		return CARD_OK;
	}
	*hit = true;
	c->ap = JPKI_AP_JPKI;
	c->ap_sure = true;
	c->ef = JPKI_EF_TOKEN_INFO;
	if (c->kind == JPKI_KIND_UNKNOWN) {
		c->kind = kind;
		memcpy(c->label, label, sizeof(c->label));
	}
	log_printf(c->log, LOG_CALLS, "JPKI AP already current: no SELECT");
	return CARD_OK;
}

enum card_error jpki_select_ap(struct jpki_card *c, enum jpki_ap ap)
{
	const struct jpki_ap_desc *d = &jpki_aps[ap];
	struct apdu a = {
		.ins = INS_SELECT, .p1 = 0x04, .p2 = 0x0C, .data = d->aid, .lc = d->aid_len};
	enum card_error err;
	bool hit;
	size_t len;
	uint16_t sw;
	int i;

	if (c->ap == ap)
		return CARD_OK;
	/* Probe only when the current application is unknown: not when another
	 * one was selected by this context (the tool back from the text AP: the
	 * SELECT is needed), nor on a card known to refuse SFI (it could only
	 * fail). */
	if (ap == JPKI_AP_JPKI && c->ap == JPKI_AP_NONE && !c->sfi_off[ap]) {
		err = jpki_probe(c, &hit);
		if (err != CARD_OK || hit)
			return err;
	}
	/* Whatever the SELECT's outcome, the card may have left the application
	 * and its verified state: never rely on it surviving (docs/card.md Appendix C).  This
	 * holds for a lost answer too (a transport error after the command may
	 * have reached the card): forget first, so that no later command (a
	 * VERIFY) goes to a file of an application the card may have left. */
	for (i = 0; i < JPKI_PIN_COUNT; i++)
		c->verified[i] = false;
	c->ef = JPKI_FID_NONE;
	c->ap = JPKI_AP_NONE;
	c->ap_sure = false;
	err = jpki_command(c, &a, NULL, 0, &len, &sw);
	if (err != CARD_OK)
		return err;
	if (sw != SW_OK) {
		log_printf(c->log, LOG_CALLS, "SELECT %s application: SW %04X", d->name, sw);
		return sw == SW_NOT_FOUND
			       ? (ap == JPKI_AP_JPKI ? CARD_E_NOT_JPKI : CARD_E_NOT_FOUND)
			       : CARD_E_CARD;
	}
	c->ap = ap;
	c->ap_sure = true;
	return CARD_OK;
}

/* jpki_ap_believed: ap is current only by a belief from an earlier
 * transaction (another process may have selected another application). */
bool jpki_ap_believed(const struct jpki_card *c, enum jpki_ap ap)
{
	return c->ap == ap && !c->ap_sure;
}

/* jpki_ap_recheck: make sure ap is current in this transaction: the probe
 * (JPKI AP), else SELECT.  Our verified PINs survive a probe that hits. */
enum card_error jpki_ap_recheck(struct jpki_card *c, enum jpki_ap ap)
{
	if (c->ap == ap && c->ap_sure)
		return CARD_OK;
	if (c->ap != JPKI_AP_NONE)
		log_printf(c->log, LOG_CALLS, "%s application believed current: check it",
			   jpki_aps[ap].name);
	c->ap = JPKI_AP_NONE;
	c->ap_sure = false;
	c->ef = JPKI_FID_NONE;
	return jpki_select_ap(c, ap);
}

static enum card_error jpki_select_ef_once(struct jpki_card *c, uint16_t fid, uint16_t *sw)
{
	uint8_t data[2] = {(uint8_t)(fid >> 8), (uint8_t)fid};
	struct apdu a = {.ins = INS_SELECT, .p1 = 0x02, .p2 = 0x0C, .data = data, .lc = 2};
	size_t len;

	c->ef = JPKI_FID_NONE;
	return jpki_command(c, &a, NULL, 0, &len, sw);
}

enum card_error jpki_select_ef(struct jpki_card *c, enum jpki_ap ap, uint16_t fid)
{
	enum card_error err;
	bool believed;
	uint16_t sw;

	err = jpki_select_ap(c, ap);
	if (err != CARD_OK || c->ef == fid)
		return err;
	believed = jpki_ap_believed(c, ap);
	err = jpki_select_ef_once(c, fid, &sw);
	if (err == CARD_OK && sw != SW_OK && believed) {
		/* Maybe another application is current: check, then once more. */
		log_printf(c->log, LOG_CALLS, "SELECT EF %04X: SW %04X", fid, sw);
		err = jpki_ap_recheck(c, ap);
		if (err == CARD_OK && c->ef != fid)
			err = jpki_select_ef_once(c, fid, &sw);
		else if (err == CARD_OK)
			return CARD_OK;
	}
	if (err != CARD_OK)
		return err;
	if (sw != SW_OK) {
		log_printf(c->log, LOG_CALLS, "SELECT EF %04X: SW %04X", fid, sw);
		return jpki_sw_error(sw);
	}
	c->ef = fid;
	return CARD_OK;
}
