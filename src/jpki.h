/* The JPKI application of the My Number Card, one context per reader.
 *
 * A struct jpki_card remembers what is known about the card in its reader
 * for the current insertion (kind and label, certificates once read, PIN
 * retry counters until a VERIFY changes them, the selected application), so
 * that no call sends an APDU whose answer it already holds.  Removal, a new
 * card (PC/SC event counter), or a reset (by anybody) forget the security
 * state and the selection; removal forgets everything.
 *
 * Every operation that needs several APDUs runs inside one PC/SC
 * transaction; callers may group operations (e.g. verify then sign) with
 * jpki_op_begin/jpki_op_end.  The context is not thread-safe: the caller
 * serialises calls (the module holds its lock).
 *
 * Errors common to every call that talks to the card: the transport's
 * (CARD_E_NO_SERVICE, CARD_E_NO_READER, CARD_E_CARD_ABSENT,
 * CARD_E_CARD_REMOVED, CARD_E_CARD_RESET, CARD_E_SHARING, CARD_E_TRANSPORT),
 * CARD_E_NOT_JPKI, CARD_E_BAD_RESPONSE, CARD_E_CARD (unexpected status
 * word), CARD_E_NO_MEMORY.  CARD_E_CARD_RESET is reported once, by the call
 * that found it; the next call starts afresh (and is logged out).
 */
#ifndef JPKI_JPKI_H
#define JPKI_JPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card-error.h"
#include "log.h"
#include "pin.h"
#include "transport.h"

#define JPKI_LABEL_MAX 32
#define JPKI_CERT_MAX  8192 /* real certificates are 1.2-1.6 KB */
#define JPKI_SIG_MAX   512  /* largest signature of any key in the table */

enum jpki_kind {
	JPKI_KIND_UNKNOWN = 0, /* not detected yet */
	JPKI_KIND_MYNUMBER,    /* My Number Card, JPKIAPICCTOKEN2 */
	JPKI_KIND_JUKI,	       /* old Juki card (住基カード), JPKIAPICCTOKEN */
	JPKI_KIND_ANDROID,     /* smartphone token, JPKIAPGPSETOKEN */
	JPKI_KIND_IPHONE,      /* smartphone token, JPKIAPIOSTOKEN */
	JPKI_KIND_OTHER,       /* a JPKI AP with a label we do not know */
};

enum jpki_pin {
	JPKI_PIN_AUTH, /* 利用者証明用PIN, 4 digits, 3 tries */
	JPKI_PIN_SIGN, /* 署名用パスワード, 6-16 A-Z0-9, 5 tries */
	JPKI_PIN_TEXT, /* 券面事項入力補助用暗証番号 (text AP), 4 digits, 3 tries */
	JPKI_PIN_COUNT
};

enum jpki_key {
	JPKI_KEY_AUTH, /* RSA-2048, needs JPKI_PIN_AUTH */
	JPKI_KEY_SIGN, /* RSA-2048, needs JPKI_PIN_SIGN */
	JPKI_KEY_COUNT
};

enum jpki_cert {
	JPKI_CERT_AUTH,	   /* EF 000A, free */
	JPKI_CERT_SIGN,	   /* EF 0001, needs JPKI_PIN_SIGN */
	JPKI_CERT_AUTH_CA, /* EF 000B, free */
	JPKI_CERT_SIGN_CA, /* EF 0002, free */
	JPKI_CERT_COUNT
};

enum jpki_key_type { JPKI_KEY_RSA, JPKI_KEY_EC };

struct jpki_card;

/* jpki_card_new: a context for the card in this reader; sends nothing.  NULL
 * when out of memory.  log may be NULL and must outlive the context. */
struct jpki_card *jpki_card_new(struct transport *t, const char *reader, const struct log *log);

/* jpki_card_set_cache: certificates across processes (cert-cache.h), owned
 * by the caller and outliving the context; NULL (the default): none. */
struct cert_cache;
void jpki_card_set_cache(struct jpki_card *c, struct cert_cache *cache);

/* jpki_card_free: disconnects (leaving the card as it is) and frees. */
void jpki_card_free(struct jpki_card *c);

/* jpki_card_poll: asks PC/SC (no APDU) whether a card is present and whether
 * it is still the card this context knows; forgets everything when it is not
 * (*changed = true).  Errors: CARD_E_NO_SERVICE, CARD_E_NO_READER, CARD_E_TRANSPORT. */
enum card_error jpki_card_poll(struct jpki_card *c, bool *present, bool *changed);

/* jpki_op_begin / jpki_op_end: connect if needed and hold the card for one
 * or several operations (one PC/SC transaction; nested calls are counted).
 * Errors of begin: the transport's, CARD_E_CARD_RESET (state forgotten; the
 * transaction is not held). */
enum card_error jpki_op_begin(struct jpki_card *c);
void jpki_op_end(struct jpki_card *c);

/* jpki_detect: the kind of card and its token label (EF 0006, NUL-terminated,
 * trailing spaces removed), cached per insertion.  label may be NULL.
 * Errors: CARD_E_NOT_JPKI (no JPKI application). */
enum card_error jpki_detect(struct jpki_card *c, enum jpki_kind *kind,
			    char label[JPKI_LABEL_MAX + 1]);

/* jpki_read_cert: a malloc'ed copy of the certificate's DER (cached per
 * insertion).  Errors: CARD_E_NOT_LOGGED_IN (sign certificate before the
 * sign PIN; a certificate the kind of token serves only after a PIN, see
 * jpki_cert_needs_pin: then nothing is sent), CARD_E_BAD_RESPONSE (not DER,
 * larger than JPKI_CERT_MAX, EF shorter than the DER), CARD_E_NOT_FOUND
 * (also: the card has no signature certificate), CARD_E_ARGUMENTS. */
enum card_error jpki_read_cert(struct jpki_card *c, enum jpki_cert id, uint8_t **der, size_t *len);

/* jpki_pin_status: tries left (0 = blocked) by an empty VERIFY, cached until
 * a VERIFY or a change of card; refresh asks the card again.
 * Errors: CARD_E_ARGUMENTS, CARD_E_BAD_RESPONSE (an answer other than 63Cx,
 * 6983, 6984), CARD_E_NOT_FOUND (the signature password of a card without
 * the signature certificate: learnt from EF 0008 after an answer other than
 * 63Cx; nothing is sent once known). */
enum card_error jpki_pin_status(struct jpki_card *c, enum jpki_pin pin, bool refresh,
				int *tries_left);

/* jpki_pin_max_tries: the PIN's retry counter when full (3 or 5); 0 for an unknown PIN. */
int jpki_pin_max_tries(enum jpki_pin pin);

/* jpki_pin_format: the format the PIN must have (pin.h: its lengths and
 * characters); PIN_FORMAT_COUNT for an unknown PIN. */
enum pin_format jpki_pin_format(enum jpki_pin pin);

/* jpki_verify_pin: checks the PIN's format (nothing is sent if it is wrong),
 * then VERIFY; *tries_left (may be NULL) is set when known, -1 otherwise.
 * Errors: CARD_E_PIN_FORMAT, CARD_E_PIN_WRONG, CARD_E_PIN_BLOCKED, CARD_E_ARGUMENTS. */
enum card_error jpki_verify_pin(struct jpki_card *c, enum jpki_pin pin, const char *value,
				int *tries_left);

/* jpki_is_verified: whether this context verified the PIN and has seen
 * nothing since that may have cleared it (a reset, a SELECT of an
 * application, a 6982).  A belief, not a card query. */
bool jpki_is_verified(const struct jpki_card *c, enum jpki_pin pin);

/* jpki_forget_pin: drops the belief that the PIN is verified (logout).  The
 * card itself keeps its state until a reset. */
void jpki_forget_pin(struct jpki_card *c, enum jpki_pin pin);

/* jpki_key_info: the key's type, size in bits, signature length and largest
 * input (DigestInfo) in bytes, and the PIN it needs; false for an unknown key. */
bool jpki_key_info(enum jpki_key key, enum jpki_key_type *type, unsigned *bits, size_t *sig_len,
		   size_t *max_input, enum jpki_pin *pin);

/* The signature schemes the layer uses: COMPUTE DIGITAL SIGNATURE's P1
 * (docs/card.md 3.4). */
enum jpki_scheme {
	JPKI_SCHEME_PKCS1 = 0x00,      /* PKCS#1 v1.5 over the given DigestInfo (1..k-11 bytes) */
	JPKI_SCHEME_PSS_SHA256 = 0x04, /* RSASSA-PSS over the given 32-byte SHA-256 hash */
};

/* jpki_sign: jpki_sign_scheme with JPKI_SCHEME_PKCS1 (over a DER DigestInfo). */
enum card_error jpki_sign(struct jpki_card *c, enum jpki_key key, const uint8_t *digest_info,
			  size_t len, uint8_t *sig, size_t sig_cap, size_t *sig_len);

/* jpki_sign_scheme: COMPUTE DIGITAL SIGNATURE with the scheme, the key named
 * by its short EF identifier (P2 80|SFI, no SELECT) unless the card refused
 * that form, then SELECT + P2 80; sig must hold the key's signature length
 * (256).  A PSS signature is returned as the card made it: the caller
 * checks it against the public key (the card's salt length is not published).
 * Errors: CARD_E_ARGUMENTS (input of the wrong length for the scheme, small
 * buffer), CARD_E_NOT_LOGGED_IN (the card wants the PIN: 6982),
 * CARD_E_BAD_RESPONSE (signature not exactly the modulus length), the card's. */
enum card_error jpki_sign_scheme(struct jpki_card *c, enum jpki_key key, enum jpki_scheme scheme,
				 const uint8_t *input, size_t len, uint8_t *sig, size_t sig_cap,
				 size_t *sig_len);

/* Whether the card signs RSA-PSS (P1 04), per insertion: a small piece of
 * card state that a cache across processes can keep (docs/pss.md). */
enum jpki_pss {
	JPKI_PSS_UNKNOWN,   /* not asked on this insertion */
	JPKI_PSS_YES,	    /* it knows P1 04 */
	JPKI_PSS_NO,	    /* it refuses P1 04, or its PSS signature did not verify */
	JPKI_PSS_UNDECIDED, /* its answers do not tell (it checks the PIN before P1) */
};

/* jpki_pss_get / jpki_pss_set: what the layer knows of the card's PSS; set
 * is for the caller's own findings (a signature that does not verify: NO)
 * and a cache's answer. */
enum jpki_pss jpki_pss_get(const struct jpki_card *c);
void jpki_pss_set(struct jpki_card *c, enum jpki_pss pss);

/* jpki_pss_name: "unknown", "yes", "no", "undecided"; never NULL. */
const char *jpki_pss_name(enum jpki_pss pss);

/* jpki_pss_detect: asks the card whether it signs PSS, without a PIN and
 * without a PIN try (docs/pss.md: 80 2A 04 with the auth key, then a
 * control command), once per insertion; the answer is kept (jpki_pss_get).
 * Errors: the transport's (removal, reset, ...); the card's refusals are
 * answers, not errors. */
enum card_error jpki_pss_detect(struct jpki_card *c, enum jpki_pss *pss);

/* jpki_change_pin: VERIFY old, then CHANGE REFERENCE DATA to new (both
 * format-checked first; new must follow the issuance rules).
 * Errors: as jpki_verify_pin. */
enum card_error jpki_change_pin(struct jpki_card *c, enum jpki_pin pin, const char *old_value,
				const char *new_value, int *tries_left);

/* jpki_kind_name: "My Number Card", ...; never NULL. */
const char *jpki_kind_name(enum jpki_kind kind);

/* jpki_cert_needs_pin: whether a token of this kind wants *pin verified
 * before certificate id is read: the signature certificate the signature
 * password (every kind: the card answers 6982), the Android token's
 * authentication certificate the auth PIN (jpki/myna#6).  The one place for
 * this rule: jpki_read_cert sends no read of such a certificate before its
 * PIN (except the signature certificate, left to the card's answer), and
 * whatever keeps certificates beyond an insertion must not hand one out
 * before it either. */
bool jpki_cert_needs_pin(enum jpki_kind kind, enum jpki_cert id, enum jpki_pin *pin);

/* jpki_has_sign_cert: whether the card carries a signature certificate (not
 * issued to holders under 15; may be declined): known from an earlier
 * unusual answer, else read from EF 0008 (one READ BINARY, once per
 * insertion).  A card that does not say is taken to have one. */
enum card_error jpki_has_sign_cert(struct jpki_card *c, bool *present);

#endif
