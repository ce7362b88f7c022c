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
 * sign PIN), CARD_E_BAD_RESPONSE (not DER, larger than JPKI_CERT_MAX, EF
 * shorter than the DER), CARD_E_NOT_FOUND, CARD_E_ARGUMENTS. */
enum card_error jpki_read_cert(struct jpki_card *c, enum jpki_cert id, uint8_t **der, size_t *len);

/* jpki_pin_status: tries left (0 = blocked) by an empty VERIFY, cached until
 * a VERIFY or a change of card; refresh asks the card again.
 * Errors: CARD_E_ARGUMENTS, CARD_E_BAD_RESPONSE (an answer other than 63Cx,
 * 6983, 6984). */
enum card_error jpki_pin_status(struct jpki_card *c, enum jpki_pin pin, bool refresh,
				int *tries_left);

/* jpki_pin_max_tries: the PIN's retry counter when full (3 or 5); 0 for an unknown PIN. */
int jpki_pin_max_tries(enum jpki_pin pin);

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

/* jpki_sign: COMPUTE DIGITAL SIGNATURE over a DER DigestInfo (the card pads
 * with PKCS#1 v1.5); sig must hold the key's signature length (256).
 * Errors: CARD_E_ARGUMENTS (empty or too long input, small buffer),
 * CARD_E_NOT_LOGGED_IN (the card wants the PIN: 6982), CARD_E_BAD_RESPONSE
 * (signature not exactly the modulus length). */
enum card_error jpki_sign(struct jpki_card *c, enum jpki_key key, const uint8_t *digest_info,
			  size_t len, uint8_t *sig, size_t sig_cap, size_t *sig_len);

/* jpki_change_pin: VERIFY old, then CHANGE REFERENCE DATA to new (both
 * format-checked first; new must follow the issuance rules).
 * Errors: as jpki_verify_pin. */
enum card_error jpki_change_pin(struct jpki_card *c, enum jpki_pin pin, const char *old_value,
				const char *new_value, int *tries_left);

/* jpki_kind_name: "My Number Card", ...; never NULL. */
const char *jpki_kind_name(enum jpki_kind kind);

#endif
