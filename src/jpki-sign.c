/* The keys: their table, what each one is (jpki_key_info), COMPUTE DIGITAL
 * SIGNATURE with its schemes, and whether the card signs RSA-PSS.
 *
 * The key is named in P2 by its short EF identifier (80|SFI: 97 auth, 9A
 * sign), which saves the SELECT of the key EF on every signature
 * (soltia48/myna-card signs that way on real cards: "byte-identical either
 * way").  As for READ BINARY by SFI, any refusal (a status word other than
 * 9000 and 6982) makes the layer SELECT the key EF and use P2 80, and no
 * more SFI signing on that card until it is removed.  A refusal because
 * another process left another application current looks the same and
 * costs the same (the SELECT of the key EF then checks the application, as
 * any SELECT EF under a belief does): one APDU per signature more for the
 * rest of the insertion, never a wrong answer; re-checking the application
 * here instead would SELECT it on a card without READ BINARY by SFI, which
 * logs every process out.  Whether the card made the key EF current is
 * unknown: the layer forgets its current EF.
 *
 * PSS (P1 04) is asked once per insertion by jpki_pss_detect, without a PIN:
 * docs/pss.md has the reasoning and the costs. */
#include "jpki-internal.h"

#include <string.h>

#define INS_COMPUTE_SIGNATURE 0x2A
#define P2_CURRENT_KEY	      0x80 /* the key EF selected before; 0x80|SFI names it */
#define P1_UNKNOWN_SCHEME     0x06 /* no card knows it: the control of jpki_pss_detect */
#define PSS_HASH_LEN	      32   /* P1 04 signs a SHA-256 hash */
#define PKCS1_PAD_MIN	      11   /* RFC 8017 9.2: 00 01, eight FF or more, 00 */

/* A key and how the card signs with it: cla ins P1 P2 Lc <input> Le, P1 the
 * scheme (enum jpki_scheme), P2 80|SFI (the SFI is the FID) or 80 after a
 * SELECT of the key EF.  The size in bits is the one place of that fact:
 * the signature length and the largest input follow from it (key_sig_len),
 * and the PKCS#11 layer's mechanism info asks jpki_key_info. */
struct jpki_key_desc {
	enum jpki_ap ap;
	uint16_t fid;
	enum jpki_pin pin;
	enum jpki_key_type type;
	unsigned bits;
	uint8_t cla, ins;
	const char *name;
};

static const struct jpki_key_desc jpki_keys[JPKI_KEY_COUNT] = {
	[JPKI_KEY_AUTH] = {JPKI_AP_JPKI, 0x0017, JPKI_PIN_AUTH, JPKI_KEY_RSA, 2048, 0x80,
			   INS_COMPUTE_SIGNATURE, "auth key"},
	[JPKI_KEY_SIGN] = {JPKI_AP_JPKI, 0x001A, JPKI_PIN_SIGN, JPKI_KEY_RSA, 2048, 0x80,
			   INS_COMPUTE_SIGNATURE, "sign key"},
};

/* key_sig_len: the key's signature length, its modulus in bytes (k). */
static size_t key_sig_len(const struct jpki_key_desc *d)
{
	return (d->bits + 7) / 8;
}

/* key_max_input: the largest DigestInfo PKCS#1 v1.5 pads, k - 11 bytes. */
static size_t key_max_input(const struct jpki_key_desc *d)
{
	return key_sig_len(d) - PKCS1_PAD_MIN;
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
		*sig_len = key_sig_len(d);
	if (max_input != NULL)
		*max_input = key_max_input(d);
	if (pin != NULL)
		*pin = d->pin;
	return true;
}

/* sign_once: one COMPUTE DIGITAL SIGNATURE with the key by SFI (by_sfi) or
 * the current EF; sw is the card's answer, sig filled on 9000. */
static enum card_error sign_once(struct jpki_card *c, const struct jpki_key_desc *d, uint8_t p1,
				 bool by_sfi, const uint8_t *input, size_t len, uint8_t *sig,
				 size_t *n, uint16_t *sw)
{
	struct apdu a = {.cla = d->cla,
			 .ins = d->ins,
			 .p1 = p1,
			 .p2 = by_sfi ? (uint8_t)(P2_CURRENT_KEY | d->fid) : P2_CURRENT_KEY,
			 .data = input,
			 .lc = len,
			 .le = key_sig_len(d)};
	enum card_error err = jpki_command(c, &a, sig, JPKI_SIG_MAX, n, sw);

	if (by_sfi)
		c->ef = JPKI_FID_NONE; /* whether the card made the key EF current is unknown */
	return err;
}

/* sign_refused: a status word that says the card did not take the command
 * as sent (anything but a signature or "PIN needed"). */
static bool sign_refused(uint16_t sw)
{
	return sw != SW_OK && sw != SW_SECURITY;
}

/* pss_refused: the card's answer to a PSS signature in the form every card
 * has (the key EF selected, P2 80; sign_command falls back to it on any
 * refusal) says that it does not know P1 04: wrong P1-P2, or function not
 * supported.  Any other status (an execution error, 6982) says nothing of
 * PSS. */
static bool pss_refused(uint16_t sw)
{
	return sw == SW_WRONG_P1P2 || sw == SW_FUNC_NOT_SUPPORTED;
}

/* sign_command: the command with the key by SFI unless the card refused
 * that form, else (or then) SELECT + P2 80; inside a held operation. */
static enum card_error sign_command(struct jpki_card *c, const struct jpki_key_desc *d,
				    uint8_t p1, const uint8_t *input, size_t len, uint8_t *sig,
				    size_t *n, uint16_t *sw)
{
	enum card_error err;

	if (!c->sign_sfi_off) {
		err = jpki_select_ap(c, d->ap);
		if (err == CARD_OK)
			err = sign_once(c, d, p1, true, input, len, sig, n, sw);
		if (err != CARD_OK || !sign_refused(*sw))
			return err;
		log_printf(c->log, LOG_CALLS,
			   "sign with %s by SFI refused (SW %04X): SELECT from now on", d->name,
			   *sw);
		c->sign_sfi_off = true;
	}
	err = jpki_select_ef(c, d->ap, d->fid);
	if (err == CARD_OK)
		err = sign_once(c, d, p1, false, input, len, sig, n, sw);
	return err;
}

enum card_error jpki_sign(struct jpki_card *c, enum jpki_key key, const uint8_t *digest_info,
			  size_t len, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
	return jpki_sign_scheme(c, key, JPKI_SCHEME_PKCS1, digest_info, len, sig, sig_cap,
				sig_len);
}

enum card_error jpki_sign_scheme(struct jpki_card *c, enum jpki_key key, enum jpki_scheme scheme,
				 const uint8_t *input, size_t len, uint8_t *sig, size_t sig_cap,
				 size_t *sig_len)
{
	const struct jpki_key_desc *d;
	uint8_t buf[JPKI_SIG_MAX];
	enum card_error err;
	bool held = false;
	size_t n = 0;
	uint16_t sw = 0;

	*sig_len = 0;
	if ((unsigned)key >= JPKI_KEY_COUNT)
		return CARD_E_ARGUMENTS;
	d = &jpki_keys[key];
	if (input == NULL || sig == NULL || sig_cap < key_sig_len(d) ||
	    (scheme == JPKI_SCHEME_PKCS1 && (len == 0 || len > key_max_input(d))) ||
	    (scheme == JPKI_SCHEME_PSS_SHA256 && len != PSS_HASH_LEN) ||
	    (scheme != JPKI_SCHEME_PKCS1 && scheme != JPKI_SCHEME_PSS_SHA256))
		return CARD_E_ARGUMENTS;
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	held = true;
	err = sign_command(c, d, (uint8_t)scheme, input, len, buf, &n, &sw);
	if (err != CARD_OK)
		goto out;
	if (sw != SW_OK) {
		log_printf(c->log, LOG_CALLS, "sign with %s: SW %04X", d->name, sw);
		err = jpki_sw_error(sw);
		if (err == CARD_E_NOT_LOGGED_IN)
			c->verified[d->pin] = false;
		if (scheme == JPKI_SCHEME_PSS_SHA256 && pss_refused(sw)) {
			/* The card refuses PSS although it was believed to sign it
			 * (from an earlier answer or the certificate cache): no
			 * PSS for this insertion, and the cache entry says no, so
			 * that later starts do not offer it and fail again. */
			log_printf(c->log, LOG_WARN,
				   "sign with %s: the card refuses PSS (SW %04X): PSS is off "
				   "for this card",
				   d->name, sw);
			jpki_pss_set(c, JPKI_PSS_NO);
		}
		goto out;
	}
	if (n != key_sig_len(d)) {
		log_printf(c->log, LOG_WARN, "sign with %s: %zu bytes, want %zu", d->name, n,
			   key_sig_len(d));
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

enum jpki_pss jpki_pss_get(const struct jpki_card *c)
{
	return c->pss;
}

void jpki_pss_set(struct jpki_card *c, enum jpki_pss pss)
{
	c->pss = pss;
	/* A PSS signature that did not verify or that the card refused: the
	 * card's answer, kept (a "yes" set from outside is not the card's, so
	 * only "no").  "No" rather than forgetting: a card that answers the
	 * question "yes" but refuses the signature would otherwise be asked,
	 * offered PSS and fail again on every start; a renewed card has a new
	 * auth certificate, so a new entry that asks afresh. */
	if (pss == JPKI_PSS_NO)
		jpki_cache_pss_learnt(c, pss);
}

const char *jpki_pss_name(enum jpki_pss pss)
{
	static const char *const names[] = {
		[JPKI_PSS_UNKNOWN] = "unknown",
		[JPKI_PSS_YES] = "yes",
		[JPKI_PSS_NO] = "no",
		[JPKI_PSS_UNDECIDED] = "undecided",
	};

	return (unsigned)pss < sizeof(names) / sizeof(names[0]) ? names[pss] : "unknown";
}

/* pss_ask: the auth key (by SFI or current) with scheme p1 over 32 zero
 * bytes.  Without the PIN no card signs; with it (another process logged
 * in) the signature is of a hash nobody has a message for, and is dropped. */
static enum card_error pss_ask(struct jpki_card *c, uint8_t p1, bool by_sfi, uint16_t *sw)
{
	static const uint8_t zeros[PSS_HASH_LEN];
	uint8_t sig[JPKI_SIG_MAX];
	size_t n = 0;

	return sign_once(c, &jpki_keys[JPKI_KEY_AUTH], p1, by_sfi, zeros, sizeof(zeros), sig, &n,
			 sw);
}

/* pss_ask_key: P1 04 and its control with the key by SFI or after SELECT;
 * *done false when both were refused (the form, not the scheme). */
static enum card_error pss_ask_key(struct jpki_card *c, bool by_sfi, enum jpki_pss *pss,
				   bool *done)
{
	enum card_error err;
	uint16_t sw = 0, control = 0;

	*done = true;
	err = pss_ask(c, JPKI_SCHEME_PSS_SHA256, by_sfi, &sw);
	if (err != CARD_OK)
		return err;
	if (sw == SW_OK) {
		*pss = JPKI_PSS_YES; /* a PIN was verified, and the card signed PSS */
		return err;
	}
	if (sw == SW_SECURITY) {
		/* Known scheme, or a card that checks the PIN first: an unknown P1
		 * tells which (6A86: P1 first, so P1 04 is known). */
		err = pss_ask(c, P1_UNKNOWN_SCHEME, by_sfi, &control);
		*pss = control == SW_WRONG_P1P2 ? JPKI_PSS_YES : JPKI_PSS_UNDECIDED;
		return err;
	}
	/* P1 04 refused: so is the scheme if P1 00, which every card has, is not. */
	err = pss_ask(c, JPKI_SCHEME_PKCS1, by_sfi, &control);
	if (err == CARD_OK && !sign_refused(control))
		*pss = JPKI_PSS_NO;
	else
		*done = false;
	return err;
}

enum card_error jpki_pss_detect(struct jpki_card *c, enum jpki_pss *pss)
{
	enum card_error err;
	bool done = false;

	if (c->pss == JPKI_PSS_UNKNOWN && jpki_cache_pss(c) != JPKI_PSS_UNKNOWN) {
		/* The card's answer in an earlier process (its entry was found
		 * by its own first chunk of the auth certificate). */
		c->pss = jpki_cache_pss(c);
		log_printf(c->log, LOG_CALLS, "PSS %s from the certificate cache",
			   jpki_pss_name(c->pss));
	}
	*pss = c->pss;
	if (c->pss != JPKI_PSS_UNKNOWN)
		return CARD_OK;
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		return err;
	if (!c->sign_sfi_off) {
		err = jpki_select_ap(c, JPKI_AP_JPKI);
		if (err == CARD_OK)
			err = pss_ask_key(c, true, pss, &done);
		/* Both refused by SFI: the form (or, under a belief, the application). */
		if (err == CARD_OK && !done) {
			log_printf(c->log, LOG_CALLS, "auth key by SFI refused: SELECT from now on");
			c->sign_sfi_off = true;
		}
	}
	if (err == CARD_OK && !done) {
		err = jpki_select_ef(c, JPKI_AP_JPKI, jpki_keys[JPKI_KEY_AUTH].fid);
		if (err == CARD_OK)
			err = pss_ask_key(c, false, pss, &done);
		if (err == CARD_OK && !done)
			*pss = JPKI_PSS_UNDECIDED;
	}
	if (err == CARD_OK) {
		c->pss = *pss;
		jpki_cache_pss_learnt(c, *pss);
	} else {
		*pss = JPKI_PSS_UNKNOWN;
	}
	jpki_op_end(c);
	return err;
}
