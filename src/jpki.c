/* The JPKI application: detection, certificates, PINs, signatures.  See jpki.h.
 *
 * Facts (AIDs, FIDs, status words) live in the tables at the top; the code
 * below them knows no file number.  The behaviours no public card trace
 * settles (blocked status word, re-select and PIN state, READ BINARY at the
 * end of an EF, 61xx/6Cxx, extended APDUs) are handled both ways; the
 * emulator's switches (tests/sim) prove each.
 */
#include "jpki-internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pin.h"
#include "tlv.h"

#define JPKI_CHUNK	   256 /* short READ BINARY: Le = 00 */
#define JPKI_READ_ROUNDS   64  /* bound on READ BINARY commands per EF */
#define JPKI_EF_TOKEN_INFO 0x0006
#define JPKI_FID_NONE	   0xFFFFu /* no EF selected (not a JPKI FID) */
#define JPKI_SFI_MAX	   0x1E	   /* EFs 0001-001E have a short identifier (JICSAP 4.2) */

#define INS_SELECT		  0xA4
#define INS_READ_BINARY		  0xB0
#define INS_VERIFY		  0x20
#define INS_CHANGE_REFERENCE_DATA 0x24
#define INS_COMPUTE_SIGNATURE	  0x2A

struct jpki_ap_desc {
	uint8_t aid[16];
	size_t aid_len;
	const char *name;
};

static const struct jpki_ap_desc jpki_aps[JPKI_AP_COUNT] = {
	[JPKI_AP_JPKI] = {{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}, 10, "JPKI"},
	[JPKI_AP_TEXT] = {{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}, 10, "text"},
};

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

/* A key and how the card signs with it: SELECT the key EF, then
 * cla ins p1 p2 Lc <input> Le (P1 00 = PKCS#1 v1.5 over the given DigestInfo). */
struct jpki_key_desc {
	enum jpki_ap ap;
	uint16_t fid;
	enum jpki_pin pin;
	enum jpki_key_type type;
	unsigned bits;
	size_t sig_len;
	size_t max_input; /* k - 11 for PKCS#1 v1.5 */
	uint8_t cla, ins, p1, p2;
	const char *name;
};

static const struct jpki_key_desc jpki_keys[JPKI_KEY_COUNT] = {
	[JPKI_KEY_AUTH] = {JPKI_AP_JPKI, 0x0017, JPKI_PIN_AUTH, JPKI_KEY_RSA, 2048, 256, 245, 0x80,
			   INS_COMPUTE_SIGNATURE, 0x00, 0x80, "auth key"},
	[JPKI_KEY_SIGN] = {JPKI_AP_JPKI, 0x001A, JPKI_PIN_SIGN, JPKI_KEY_RSA, 2048, 256, 245, 0x80,
			   INS_COMPUTE_SIGNATURE, 0x00, 0x80, "sign key"},
};

struct jpki_cert_desc {
	enum jpki_ap ap;
	uint16_t fid;
	bool fid_elsewhere; /* another application of the card has an EF with this FID */
	const char *name;
};

/* Fact sheet 2.2-2.4: EFs 0001 and 0002 are also in the text and visual APs. */
static const struct jpki_cert_desc jpki_certs[JPKI_CERT_COUNT] = {
	[JPKI_CERT_AUTH] = {JPKI_AP_JPKI, 0x000A, false, "auth certificate"},
	[JPKI_CERT_SIGN] = {JPKI_AP_JPKI, 0x0001, true, "sign certificate"},
	[JPKI_CERT_AUTH_CA] = {JPKI_AP_JPKI, 0x000B, false, "auth CA certificate"},
	[JPKI_CERT_SIGN_CA] = {JPKI_AP_JPKI, 0x0002, true, "sign CA certificate"},
};

/* Token labels of EF 0006 (first 32 bytes, space-padded). */
static const struct {
	const char *label;
	enum jpki_kind kind;
	const char *name;
} jpki_labels[] = {
	{"JPKIAPICCTOKEN2", JPKI_KIND_MYNUMBER, "My Number Card"},
	{"JPKIAPICCTOKEN", JPKI_KIND_JUKI, "Juki card"},
	{"JPKIAPGPSETOKEN", JPKI_KIND_ANDROID, "Android smartphone token"},
	{"JPKIAPIOSTOKEN", JPKI_KIND_IPHONE, "iPhone token"},
};

struct jpki_card {
	struct transport *transport;
	char *reader;
	const struct log *log;
	struct transport_card *conn; /* NULL until the first operation, and after a removal */
	uint32_t events;	     /* PC/SC event counter of the card we know */
	bool known;		     /* events is valid */
	unsigned depth;		     /* nesting of jpki_card_begin/jpki_op_begin */
	bool held;		     /* the transport's transaction is held (a reset drops it) */

	/* Per insertion. */
	bool sfi_off[JPKI_AP_COUNT]; /* the AP refused a READ BINARY by short EF identifier */
	enum jpki_kind kind;
	char label[JPKI_LABEL_MAX + 1];
	uint8_t *certs[JPKI_CERT_COUNT];
	size_t cert_lens[JPKI_CERT_COUNT];

	/* Per insertion, until a VERIFY, reset or refresh. */
	int tries[JPKI_PIN_COUNT]; /* -1 = unknown */

	/* Lost on reset or removal. */
	bool verified[JPKI_PIN_COUNT];
	enum jpki_ap ap; /* selected application, as far as this context knows */
	bool ap_sure;	 /* ap was selected or seen in this transaction (else a belief) */
	uint16_t ef;	 /* selected EF, valid only inside the transaction that selected it */
};

static void jpki_forget_security(struct jpki_card *c)
{
	int i;

	for (i = 0; i < JPKI_PIN_COUNT; i++) {
		c->verified[i] = false;
		c->tries[i] = -1;
	}
	c->ap = JPKI_AP_NONE;
	c->ap_sure = false;
	c->ef = JPKI_FID_NONE;
}

/* jpki_forget_card: a different card (or none): drop everything. */
static void jpki_forget_card(struct jpki_card *c)
{
	int i;

	jpki_forget_security(c);
	for (i = 0; i < JPKI_CERT_COUNT; i++) {
		free(c->certs[i]);
		c->certs[i] = NULL;
		c->cert_lens[i] = 0;
	}
	for (i = 0; i < JPKI_AP_COUNT; i++)
		c->sfi_off[i] = false;
	c->kind = JPKI_KIND_UNKNOWN;
	c->label[0] = '\0';
	c->known = false;
}

static void jpki_drop_connection(struct jpki_card *c)
{
	if (c->conn != NULL)
		c->transport->ops->disconnect(c->conn);
	c->conn = NULL;
	c->depth = 0;
	c->held = false;
	jpki_forget_card(c);
}

/* jpki_note_error: what a transport error means for the context.  A reset
 * keeps the connection (the transport re-established it) and what belongs
 * to the insertion (a reset is not a new card: the event counter says so);
 * anything else makes the connection useless. */
static void jpki_note_error(struct jpki_card *c, enum card_error err)
{
	switch (err) {
	case CARD_E_CARD_RESET:
		log_printf(c->log, LOG_WARN, "card in %s was reset: logged out", c->reader);
		jpki_forget_security(c);
		c->held = false; /* the transport ended the transaction */
		break;
	case CARD_E_CARD_REMOVED:
	case CARD_E_CARD_ABSENT:
	case CARD_E_NO_SERVICE:
	case CARD_E_NO_READER:
		log_printf(c->log, LOG_WARN, "card in %s: %s", c->reader, card_error_name(err));
		jpki_drop_connection(c);
		break;
	default:
		break;
	}
}

struct jpki_card *jpki_card_new(struct transport *t, const char *reader, const struct log *log)
{
	struct jpki_card *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->reader = strdup(reader);
	if (c->reader == NULL) {
		free(c);
		return NULL;
	}
	c->transport = t;
	c->log = log;
	jpki_forget_card(c);
	return c;
}

void jpki_card_free(struct jpki_card *c)
{
	if (c == NULL)
		return;
	if (c->conn != NULL && c->depth > 0)
		c->transport->ops->end(c->conn);
	jpki_drop_connection(c);
	free(c->reader);
	free(c);
}

const struct log *jpki_log(const struct jpki_card *c)
{
	return c->log;
}

enum card_error jpki_card_poll(struct jpki_card *c, bool *present, bool *changed)
{
	struct transport_status st;
	enum card_error err;

	*present = false;
	*changed = false;
	err = c->transport->ops->status(c->transport, c->reader, &st);
	if (err != CARD_OK) {
		if (err == CARD_E_NO_SERVICE || err == CARD_E_NO_READER) {
			*changed = c->known || c->conn != NULL;
			jpki_drop_connection(c);
		}
		return err;
	}
	*present = st.present;
	if (!st.present || (c->known && st.events != c->events)) {
		*changed = c->known || c->conn != NULL;
		jpki_drop_connection(c);
	}
	if (st.present && !c->known) {
		c->events = st.events;
		c->known = true;
	}
	return CARD_OK;
}

static enum card_error jpki_connect(struct jpki_card *c)
{
	struct transport_status st;
	enum card_error err;

	if (c->conn != NULL)
		return CARD_OK;
	/* Note the event counter first: a card swapped after this shows up as a
	 * removal on the connection. */
	err = c->transport->ops->status(c->transport, c->reader, &st);
	if (err == CARD_OK && !st.present)
		err = CARD_E_CARD_ABSENT;
	if (err != CARD_OK)
		return err;
	if (c->known && st.events != c->events)
		jpki_forget_card(c);
	err = c->transport->ops->connect(c->transport, c->reader, &c->conn);
	if (err != CARD_OK) {
		c->conn = NULL;
		return err;
	}
	c->events = st.events;
	c->known = true;
	return CARD_OK;
}

enum card_error jpki_op_begin(struct jpki_card *c)
{
	enum card_error err = jpki_connect(c);

	if (err != CARD_OK)
		return err;
	if (c->depth > 0 && c->held) {
		c->depth++;
		return CARD_OK;
	}
	/* Not held: the outermost begin, or a reset inside a group dropped the
	 * transaction; the rest of the group must not run without one. */
	err = c->transport->ops->begin(c->conn);
	if (err != CARD_OK) {
		jpki_note_error(c, err);
		return err;
	}
	c->held = true;
	if (c->depth++ > 0)
		return CARD_OK;
	/* Another process may have selected another EF, or another application,
	 * since our last transaction.  The application stays believed selected
	 * (re-selecting it may clear a verified PIN, ours and every other
	 * process's: Appendix C), but only believed: see "Which application is
	 * current" below. */
	c->ef = JPKI_FID_NONE;
	c->ap_sure = false;
	return CARD_OK;
}

void jpki_op_end(struct jpki_card *c)
{
	if (c->depth == 0)
		return;
	if (--c->depth > 0)
		return;
	/* end is a no-op when a reset already ended the transaction. */
	if (c->conn != NULL)
		c->transport->ops->end(c->conn);
	c->held = false;
}

enum card_error jpki_card_begin(struct jpki_card *c)
{
	return jpki_op_begin(c);
}

void jpki_card_end(struct jpki_card *c)
{
	jpki_op_end(c);
}

enum card_error jpki_command(struct jpki_card *c, const struct apdu *a, uint8_t *resp, size_t cap,
			     size_t *resp_len, uint16_t *sw)
{
	enum card_error err;

	if (c->conn == NULL)
		return CARD_E_CARD_REMOVED;
	err = apdu_transmit(c->conn, c->log, a, resp, cap, resp_len, sw);
	if (err != CARD_OK)
		jpki_note_error(c, err);
	return err;
}

/* jpki_sw_error: the meaning of a status word that is not success. */
static enum card_error jpki_sw_error(uint16_t sw)
{
	switch (sw) {
	case SW_SECURITY:
		return CARD_E_NOT_LOGGED_IN;
	case SW_NOT_FOUND:
		return CARD_E_NOT_FOUND;
	default:
		return CARD_E_CARD;
	}
}

/* Which application is current.
 *
 * The card has one current application for every process that talks to it,
 * and on the emulator (and maybe on the card: Appendix C) a SELECT of an
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
 *   000A/000B (fact sheet 2.2-2.4), so SELECT EF or READ BINARY answer
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

/* jpki_label_kind: the label (sanitised, trailing blanks removed) and kind
 * at the start of EF 0006. */
static enum jpki_kind jpki_label_kind(const uint8_t *buf, size_t len,
				      char label[JPKI_LABEL_MAX + 1])
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
	for (i = 0; i < sizeof(jpki_labels) / sizeof(jpki_labels[0]); i++)
		if (strcmp(label, jpki_labels[i].label) == 0)
			kind = jpki_labels[i].kind;
	return kind;
}

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

static enum card_error jpki_select_ap(struct jpki_card *c, enum jpki_ap ap)
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
	 * and its verified state: never rely on it surviving (Appendix C).  This
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
static bool jpki_ap_believed(const struct jpki_card *c, enum jpki_ap ap)
{
	return c->ap == ap && !c->ap_sure;
}

/* jpki_ap_recheck: make sure ap is current in this transaction: the probe
 * (JPKI AP), else SELECT.  Our verified PINs survive a probe that hits. */
static enum card_error jpki_ap_recheck(struct jpki_card *c, enum jpki_ap ap)
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

static enum card_error jpki_read_binary(struct jpki_card *c, size_t offset, size_t le, uint8_t *buf,
					size_t *len, uint16_t *sw)
{
	struct apdu a = {.ins = INS_READ_BINARY,
			 .p1 = (uint8_t)(offset >> 8),
			 .p2 = (uint8_t)offset,
			 .le = le};

	if (offset > 0x7FFF)
		return CARD_E_BAD_RESPONSE; /* beyond what P1-P2 can address */
	return jpki_command(c, &a, buf, le, len, sw);
}

/* READ BINARY by short EF identifier (ISO 7816-4 and JICSAP: P1 = 100xxxxx
 * with the SFI, P2 the offset) selects the EF and reads its start in one
 * APDU, sparing the SELECT; the EF is then the current one, so the rest is
 * read by offset.  Few clients use it on this card (fact sheet 3.2, [L-M]),
 * so: any answer but data is taken as "not here" (6A81, 6A82, 6A86, 6981,
 * 6986, 6D00, 6E00, 6700 alike), the read is done again with SELECT, and
 * that application is not asked by SFI again for this insertion.  An answer
 * that does not look like the EF's content counts as a refusal too. */
static bool jpki_sfi_usable(const struct jpki_card *c, enum jpki_ap ap, uint16_t fid)
{
	/* Only the JPKI AP's free EFs are read on every insertion: the text
	 * AP keeps SELECT, as every client of it does. */
	return ap == JPKI_AP_JPKI && fid >= 1 && fid <= JPKI_SFI_MAX && !c->sfi_off[ap] &&
	       c->ef != fid;
}

static void jpki_sfi_refused(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, const char *why)
{
	log_printf(c->log, LOG_CALLS,
		   "READ BINARY of EF %04X by short identifier: %s: SELECT from now on", fid, why);
	c->sfi_off[ap] = true;
	c->ef = JPKI_FID_NONE; /* whatever the card made current, select again */
}

/* jpki_read_head: the first bytes of an EF, by short identifier when
 * by_sfi, else after SELECT (unless selected in this transaction). */
static enum card_error jpki_read_head(struct jpki_card *c, enum jpki_ap ap, uint16_t fid,
				      bool by_sfi, size_t le, uint8_t *buf, size_t *len,
				      uint16_t *sw)
{
	struct apdu a = {.ins = INS_READ_BINARY, .p1 = (uint8_t)(0x80 | fid), .p2 = 0, .le = le};
	enum card_error err;
	bool believed;

	if (!by_sfi) {
		err = jpki_select_ef(c, ap, fid);
		return err != CARD_OK ? err : jpki_read_binary(c, 0, le, buf, len, sw);
	}
	err = jpki_select_ap(c, ap);
	if (err != CARD_OK)
		return err;
	believed = jpki_ap_believed(c, ap);
	c->ef = JPKI_FID_NONE;
	err = jpki_command(c, &a, buf, le, len, sw);
	/* Refused under a belief: maybe another application is current (6A82,
	 * 6986); check, then once more, before anybody judges SFI.  Not on 6982:
	 * the JPKI AP's own answer for the sign certificate before login. */
	if (err == CARD_OK && believed && *sw != SW_OK && *sw != SW_END_OF_FILE &&
	    *sw != SW_SECURITY) {
		log_printf(c->log, LOG_CALLS, "READ BINARY of EF %04X by short identifier: SW %04X",
			   fid, *sw);
		err = jpki_ap_recheck(c, ap);
		if (err != CARD_OK)
			return err;
		c->ef = JPKI_FID_NONE;
		err = jpki_command(c, &a, buf, le, len, sw);
	}
	if (err == CARD_OK && (*sw == SW_OK || *sw == SW_END_OF_FILE))
		c->ef = fid;
	return err;
}

/* jpki_refused: an error that is the card's answer (not the transport's). */
static bool jpki_refused(enum card_error err)
{
	return err == CARD_E_CARD || err == CARD_E_NOT_FOUND || err == CARD_E_NOT_LOGGED_IN ||
	       err == CARD_E_BAD_RESPONSE;
}

static enum card_error jpki_read_tlv_once(struct jpki_card *c, enum jpki_ap ap, uint16_t fid,
					  bool by_sfi, size_t max, uint8_t **out, size_t *out_len)
{
	uint8_t first[JPKI_CHUNK], *buf = NULL;
	size_t n = 0, total, off, want;
	unsigned rounds = 1;
	struct tlv hdr;
	enum card_error err;
	uint16_t sw;

	*out = NULL;
	*out_len = 0;
	/* The first chunk holds the DER header, and all of a small object. */
	err = jpki_read_head(c, ap, fid, by_sfi, JPKI_CHUNK, first, &n, &sw);
	if (err != CARD_OK)
		goto out;
	if (sw != SW_OK && sw != SW_END_OF_FILE) {
		err = sw == SW_WRONG_OFFSET ? CARD_E_BAD_RESPONSE : jpki_sw_error(sw);
		goto out;
	}
	err = tlv_parse_header(first, n, &hdr);
	if (err != CARD_OK)
		goto out;
	if (hdr.len > max || hdr.hdr_len + hdr.len > max) {
		log_printf(c->log, LOG_WARN, "EF %04X claims %zu bytes, more than %zu", fid,
			   hdr.len, max);
		err = CARD_E_BAD_RESPONSE;
		goto out;
	}
	total = hdr.hdr_len + hdr.len;
	buf = malloc(total);
	if (buf == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	off = n < total ? n : total;
	memcpy(buf, first, off);
	/* Then exactly the rest: never past the object, whatever filler follows. */
	while (off < total) {
		if (sw == SW_END_OF_FILE || ++rounds > JPKI_READ_ROUNDS) {
			err = CARD_E_BAD_RESPONSE; /* the EF ended before the object */
			goto out;
		}
		want = total - off < JPKI_CHUNK ? total - off : JPKI_CHUNK;
		err = jpki_read_binary(c, off, want, buf + off, &n, &sw);
		if (err != CARD_OK)
			goto out;
		if (sw != SW_OK && sw != SW_END_OF_FILE) {
			err = sw == SW_WRONG_OFFSET ? CARD_E_BAD_RESPONSE : jpki_sw_error(sw);
			goto out;
		}
		if (n == 0) {
			err = CARD_E_BAD_RESPONSE; /* no progress */
			goto out;
		}
		off += n;
	}
	*out = buf;
	*out_len = total;
	buf = NULL;
	err = CARD_OK;
out:
	OPENSSL_cleanse(first, sizeof(first)); /* may be personal data */
	free(buf);
	return err;
}

enum card_error jpki_read_tlv_ef(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, size_t max,
				 uint8_t **out, size_t *out_len)
{
	bool by_sfi = jpki_sfi_usable(c, ap, fid);
	enum card_error err = jpki_read_tlv_once(c, ap, fid, by_sfi, max, out, out_len);
	enum card_error first = err;

	if (by_sfi && jpki_refused(err)) {
		jpki_sfi_refused(c, ap, fid, card_error_name(err));
		err = jpki_read_tlv_once(c, ap, fid, false, max, out, out_len);
		/* The same answer both ways (the sign certificate before its
		 * password: 6982): the short form works, keep it. */
		if (err == first)
			c->sfi_off[ap] = false;
	}
	return err;
}

const char *jpki_kind_name(enum jpki_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(jpki_labels) / sizeof(jpki_labels[0]); i++)
		if (jpki_labels[i].kind == kind)
			return jpki_labels[i].name;
	return kind == JPKI_KIND_OTHER ? "unknown JPKI token" : "not detected";
}

/* jpki_parse_label: the kind and label from the start of EF 0006. */
static void jpki_parse_label(struct jpki_card *c, const uint8_t *buf, size_t len)
{
	c->kind = jpki_label_kind(buf, len, c->label);
}

enum card_error jpki_detect(struct jpki_card *c, enum jpki_kind *kind,
			    char label[JPKI_LABEL_MAX + 1])
{
	uint8_t buf[JPKI_LABEL_MAX];
	size_t len = 0;
	enum card_error err;
	uint16_t sw;
	bool held = false, by_sfi;

	*kind = JPKI_KIND_UNKNOWN;
	if (c->kind != JPKI_KIND_UNKNOWN && c->conn != NULL)
		goto done;
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	held = true;
	if (c->kind != JPKI_KIND_UNKNOWN)
		goto done; /* connecting kept what we knew */
	/* The probe, when it hits, reads the label: one APDU, no SELECT. */
	err = jpki_select_ap(c, JPKI_AP_JPKI);
	if (err != CARD_OK)
		goto out;
	if (c->kind != JPKI_KIND_UNKNOWN)
		goto found;
	by_sfi = jpki_sfi_usable(c, JPKI_AP_JPKI, JPKI_EF_TOKEN_INFO);
	for (;;) {
		err = jpki_read_head(c, JPKI_AP_JPKI, JPKI_EF_TOKEN_INFO, by_sfi, JPKI_LABEL_MAX,
				     buf, &len, &sw);
		if (err != CARD_OK)
			goto out;
		if (sw == SW_OK || sw == SW_END_OF_FILE) {
			jpki_parse_label(c, buf, len);
			/* By SFI, only a label we know proves the right EF was read. */
			if (!by_sfi || c->kind != JPKI_KIND_OTHER)
				break;
		} else if (!by_sfi) {
			err = jpki_sw_error(sw);
			goto out;
		}
		jpki_sfi_refused(c, JPKI_AP_JPKI, JPKI_EF_TOKEN_INFO,
				 sw == SW_OK || sw == SW_END_OF_FILE ? "unknown label" : "refused");
		by_sfi = false;
	}
found:
	log_printf(c->log, LOG_CALLS, "card in %s: %s (%s)", c->reader, jpki_kind_name(c->kind),
		   c->label);
done:
	*kind = c->kind;
	if (label != NULL)
		memcpy(label, c->label, sizeof(c->label));
	err = CARD_OK;
out:
	if (held)
		jpki_op_end(c);
	return err;
}

static bool jpki_is_der_sequence(const uint8_t *buf, size_t n)
{
	struct tlv tlv;

	return tlv_parse(buf, n, &tlv, NULL) == CARD_OK && tlv.tag == 0x30 && tlv.constructed;
}

enum card_error jpki_read_cert(struct jpki_card *c, enum jpki_cert id, uint8_t **der, size_t *len)
{
	const struct jpki_cert_desc *d;
	enum card_error err;
	bool held = false;

	*der = NULL;
	*len = 0;
	if ((unsigned)id >= JPKI_CERT_COUNT)
		return CARD_E_ARGUMENTS;
	d = &jpki_certs[id];
	if (c->certs[id] == NULL || c->conn == NULL) {
		err = jpki_op_begin(c);
		if (err != CARD_OK)
			goto out;
		held = true;
	}
	if (c->certs[id] == NULL) {
		uint8_t *buf;
		size_t n;
		bool by_sfi = jpki_sfi_usable(c, d->ap, d->fid);

		err = jpki_read_tlv_ef(c, d->ap, d->fid, JPKI_CERT_MAX, &buf, &n);
		/* A certificate is one DER SEQUENCE; under a belief, anything
		 * else may be another application's EF: check the application
		 * and read it again. */
		if (err == CARD_OK && !jpki_is_der_sequence(buf, n) && d->fid_elsewhere &&
		    jpki_ap_believed(c, d->ap)) {
			free(buf);
			err = jpki_ap_recheck(c, d->ap);
			by_sfi = jpki_sfi_usable(c, d->ap, d->fid);
			if (err == CARD_OK)
				err = jpki_read_tlv_ef(c, d->ap, d->fid, JPKI_CERT_MAX, &buf, &n);
		}
		/* By SFI, anything else may be another EF: read it again
		 * after SELECT. */
		if (err == CARD_OK && !jpki_is_der_sequence(buf, n) && by_sfi &&
		    !c->sfi_off[d->ap]) {
			free(buf);
			jpki_sfi_refused(c, d->ap, d->fid, "not a certificate");
			err = jpki_read_tlv_ef(c, d->ap, d->fid, JPKI_CERT_MAX, &buf, &n);
		}
		if (err != CARD_OK) {
			log_printf(c->log, LOG_CALLS, "%s: %s", d->name, card_error_name(err));
			goto out;
		}
		if (!jpki_is_der_sequence(buf, n)) {
			free(buf);
			err = CARD_E_BAD_RESPONSE;
			goto out;
		}
		c->certs[id] = buf;
		c->cert_lens[id] = n;
	}
	*der = malloc(c->cert_lens[id]);
	if (*der == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	memcpy(*der, c->certs[id], c->cert_lens[id]);
	*len = c->cert_lens[id];
	err = CARD_OK;
out:
	if (held)
		jpki_op_end(c);
	return err;
}

int jpki_pin_max_tries(enum jpki_pin pin)
{
	return (unsigned)pin < JPKI_PIN_COUNT ? jpki_pins[pin].max_tries : 0;
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

enum card_error jpki_pin_status(struct jpki_card *c, enum jpki_pin pin, bool refresh,
				int *tries_left)
{
	const struct jpki_pin_desc *d;
	struct apdu a = {.ins = INS_VERIFY, .p2 = 0x80}; /* no data: the retry query */
	enum card_error err;
	bool held = false;
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
	/* As for a VERIFY with a PIN: EF 0011 of the visual AP would answer the
	 * same query with its own counter, so a belief is checked first. */
	err = d->fid_elsewhere ? jpki_ap_recheck(c, d->ap) : CARD_OK;
	if (err == CARD_OK)
		err = jpki_select_ef(c, d->ap, d->fid);
	if (err != CARD_OK)
		goto out;
	err = jpki_command(c, &a, NULL, 0, &len, &sw);
	if (err != CARD_OK)
		goto out;
	/* The query never says "verified" on this card: 9000 here is a card
	 * we do not understand, not a login. */
	tries = jpki_tries_from_sw(sw);
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

enum card_error jpki_verify_locked(struct jpki_card *c, enum jpki_pin pin, const char *value,
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
	/* A PIN goes only to its own PIN EF (see "Which application is current"). */
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

enum card_error jpki_verify_pin(struct jpki_card *c, enum jpki_pin pin, const char *value,
				int *tries_left)
{
	char check[PIN_MAX_LEN];
	enum card_error err;
	size_t len;
	int dummy;

	if (tries_left == NULL)
		tries_left = &dummy;
	*tries_left = -1;
	if ((unsigned)pin >= JPKI_PIN_COUNT)
		return CARD_E_ARGUMENTS;
	/* Format first: a malformed PIN must not even open a transaction. */
	err = pin_normalize(jpki_pins[pin].format, value, false, check, &len);
	OPENSSL_cleanse(check, sizeof(check));
	if (err != CARD_OK)
		return err;
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		return err;
	err = jpki_verify_locked(c, pin, value, tries_left);
	jpki_op_end(c);
	return err;
}

bool jpki_key_info(enum jpki_key key, enum jpki_key_type *type, unsigned *bits, size_t *sig_len,
		   size_t *max_input, enum jpki_pin *pin)
{
	const struct jpki_key_desc *d;

	if ((unsigned)key >= JPKI_KEY_COUNT)
		return false;
	d = &jpki_keys[key];
	if (type != NULL)
		*type = d->type;
	if (bits != NULL)
		*bits = d->bits;
	if (sig_len != NULL)
		*sig_len = d->sig_len;
	if (max_input != NULL)
		*max_input = d->max_input;
	if (pin != NULL)
		*pin = d->pin;
	return true;
}

enum card_error jpki_sign(struct jpki_card *c, enum jpki_key key, const uint8_t *digest_info,
			  size_t len, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
	const struct jpki_key_desc *d;
	uint8_t buf[JPKI_SIG_MAX];
	struct apdu a;
	enum card_error err;
	bool held = false;
	size_t n = 0;
	uint16_t sw;

	*sig_len = 0;
	if ((unsigned)key >= JPKI_KEY_COUNT)
		return CARD_E_ARGUMENTS;
	d = &jpki_keys[key];
	if (digest_info == NULL || len == 0 || len > d->max_input || sig == NULL ||
	    sig_cap < d->sig_len)
		return CARD_E_ARGUMENTS;
	a = (struct apdu){.cla = d->cla,
			  .ins = d->ins,
			  .p1 = d->p1,
			  .p2 = d->p2,
			  .data = digest_info,
			  .lc = len,
			  .le = d->sig_len};
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	held = true;
	err = jpki_select_ef(c, d->ap, d->fid);
	if (err != CARD_OK)
		goto out;
	err = jpki_command(c, &a, buf, sizeof(buf), &n, &sw);
	if (err != CARD_OK)
		goto out;
	if (sw != SW_OK) {
		log_printf(c->log, LOG_CALLS, "sign with %s: SW %04X", d->name, sw);
		err = jpki_sw_error(sw);
		if (err == CARD_E_NOT_LOGGED_IN)
			c->verified[d->pin] = false;
		goto out;
	}
	if (n != d->sig_len) {
		log_printf(c->log, LOG_WARN, "sign with %s: %zu bytes, want %zu", d->name, n,
			   d->sig_len);
		err = CARD_E_BAD_RESPONSE;
		goto out;
	}
	memcpy(sig, buf, n);
	*sig_len = n;
out:
	if (held)
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
	if (err != CARD_OK)
		goto out;
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	held = true;
	err = jpki_verify_locked(c, pin, old_value, tries_left);
	if (err != CARD_OK)
		goto out;
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
