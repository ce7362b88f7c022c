/* What the files of the card layer share, and nobody outside src/: the
 * context, applications, file selection with its cache, EF reading, and the
 * begin/end of one operation.  The card layer, one job a file:
 *
 *   jpki-card.c    the context, connection, transaction, poll, one APDU, errors
 *   jpki-ap.c      which application is current: the probe, beliefs, rechecks,
 *                  SELECT of an application and of an EF
 *   jpki-read.c    READ BINARY, by short EF identifier and its fallbacks, TLV EFs
 *   jpki-detect.c  the card's kind and label, the certificates
 *   jpki-pin.c     PIN status, VERIFY, PIN change
 *   jpki-sign.c    the keys and signing
 *   jpki-cache.c   the certificate cache (cert-cache.h) as the card layer uses it
 *   textap.c       the text AP (券面事項入力補助AP)
 *
 * Facts (AIDs, FIDs, status words) live in the tables at the top of each
 * file; the code below them knows no file number.  The behaviours no public
 * card trace settles (blocked status word, re-select and PIN state, READ
 * BINARY at the end of an EF, 61xx/6Cxx, extended APDUs) are handled both
 * ways; the emulator's switches (tests/sim) prove each.
 */
#ifndef JPKI_JPKI_INTERNAL_H
#define JPKI_JPKI_INTERNAL_H

#include "apdu.h"
#include "cert-cache.h"
#include "jpki.h"

#define JPKI_EF_TOKEN_INFO 0x0006
#define JPKI_FID_NONE	   0xFFFFu /* no EF selected (not a JPKI FID) */
#define JPKI_SFI_MAX	   0x1E	   /* EFs 0001-001E have a short identifier (JICSAP 4.2) */

#define INS_READ_BINARY 0xB0

/* What is known of the card's signature certificate (jpki-kind.c). */
enum jpki_sign_cert {
	JPKI_SIGN_CERT_UNKNOWN = 0, /* not asked: the usual card */
	JPKI_SIGN_CERT_PRESENT,
	JPKI_SIGN_CERT_ABSENT,
};

enum jpki_ap {
	JPKI_AP_NONE = -1,
	JPKI_AP_JPKI = 0, /* 公的個人認証AP */
	JPKI_AP_TEXT,	  /* 券面事項入力補助AP */
	JPKI_AP_COUNT
};

struct jpki_card {
	struct transport *transport;
	char *reader;
	const struct log *log;
	struct transport_card *conn; /* NULL until the first operation, and after a removal */
	uint32_t events;	     /* PC/SC event counter of the card we know */
	bool known;		     /* events is valid */
	unsigned depth;		     /* nesting of jpki_op_begin */
	bool held;		     /* the transport's transaction is held (a reset drops it) */

	struct cert_cache *cache; /* NULL: no cache (jpki_card_set_cache) */

	/* Per insertion. */
	bool sfi_off[JPKI_AP_COUNT]; /* the AP refused a READ BINARY by short EF identifier */
	bool sign_sfi_off;	     /* the card refused a key named by SFI in COMPUTE SIGNATURE */
	enum jpki_pss pss;	     /* whether the card signs RSA-PSS (jpki-sign.c) */
	size_t read_max;	     /* largest READ BINARY Le the reader passes (0: 256) */
	bool verify_sfi_off;	     /* the card refused the empty VERIFY by short EF identifier */
	bool verify_sfi_off_sure;    /* ... and answered SELECT + empty VERIFY with 63Cx */
	struct cert_cache_entry
		cached; /* the card's cache entry, once its auth certificate is known */
	enum jpki_kind kind;
	char label[JPKI_LABEL_MAX + 1];
	enum jpki_sign_cert sign_cert; /* whether the card carries a signature certificate */
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

/* jpki-card.c */

/* jpki_command: one APDU on the current connection; transport failures
 * update the context (reset, removal). */
enum card_error jpki_command(struct jpki_card *c, const struct apdu *a, uint8_t *resp, size_t cap,
			     size_t *resp_len, uint16_t *sw);

/* jpki_sw_error: the meaning of a status word that is not success. */
enum card_error jpki_sw_error(uint16_t sw);

const struct log *jpki_log(const struct jpki_card *c);

/* jpki-ap.c */

/* jpki_select_ap: make ap current (unless believed current, or found
 * current by the probe); forgets the verified PINs whenever it SELECTs. */
enum card_error jpki_select_ap(struct jpki_card *c, enum jpki_ap ap);

/* jpki_ap_believed: ap is current only by a belief from an earlier transaction. */
bool jpki_ap_believed(const struct jpki_card *c, enum jpki_ap ap);

/* jpki_ap_recheck: make sure ap is current in this transaction: the probe
 * (JPKI AP), else SELECT. */
enum card_error jpki_ap_recheck(struct jpki_card *c, enum jpki_ap ap);

/* jpki_select_ef: SELECT the application (unless believed selected, or found
 * current by the probe of jpki-ap.c) and the EF (unless selected in this
 * transaction); a SELECT EF refused under a belief from an earlier
 * transaction checks the application and retries once. */
enum card_error jpki_select_ef(struct jpki_card *c, enum jpki_ap ap, uint16_t fid);

/* jpki-read.c */

/* jpki_sfi_usable: whether to read the EF by short EF identifier. */
bool jpki_sfi_usable(const struct jpki_card *c, enum jpki_ap ap, uint16_t fid);

/* jpki_sfi_refused: the application refused a read by short EF identifier
 * (why): SELECT from now on, for this insertion. */
void jpki_sfi_refused(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, const char *why);

/* jpki_read_head: the first bytes of an EF, by short identifier when
 * by_sfi, else after SELECT (unless selected in this transaction). */
enum card_error jpki_read_head(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, bool by_sfi,
			       size_t le, uint8_t *buf, size_t *len, uint16_t *sw);

/* jpki_read_tlv_ef: reads the BER-TLV object at the start of the EF (first a
 * 256-byte READ BINARY, by short EF identifier on the JPKI AP unless the
 * card refused that form, then exactly the rest), refusing objects above max.
 * Errors: CARD_E_NOT_LOGGED_IN, CARD_E_BAD_RESPONSE, CARD_E_CARD. */
enum card_error jpki_read_tlv_ef(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, size_t max,
				 uint8_t **out, size_t *out_len);

/* jpki_read_tlv: jpki_read_tlv_ef; with try_cache (the auth certificate)
 * the cache may serve all but the first chunk (jpki_cache_serves). */
enum card_error jpki_read_tlv(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, bool try_cache,
			      size_t max, uint8_t **out, size_t *out_len);

/* jpki-kind.c */

/* jpki_label_kind: the label (sanitised, trailing blanks removed) and kind
 * at the start of EF 0006. */
enum jpki_kind jpki_label_kind(const uint8_t *buf, size_t len, char label[JPKI_LABEL_MAX + 1]);

/* jpki_cert_read_refused: the kind of token serves certificate id only
 * after a PIN this context has not verified (not the signature
 * certificate: the card answers for it). */
bool jpki_cert_read_refused(const struct jpki_card *c, enum jpki_cert id);

/* jpki_sign_cert_check: after an unusual answer about the signature
 * certificate or password, inside a held operation: reads EF 0008 once per
 * insertion and sets c->sign_cert.  Errors: the transport's. */
enum card_error jpki_sign_cert_check(struct jpki_card *c);

/* jpki_sign_cert_absent: the card is known to have no signature certificate. */
bool jpki_sign_cert_absent(const struct jpki_card *c);

/* jpki_sign_pin_unusual: an answer to the signature password's status query
 * that a card without the signature certificate may give (not 63Cx). */
bool jpki_sign_pin_unusual(uint16_t sw);

/* jpki-cache.c */

/* jpki_cache_serves: the cached auth certificate (a malloc'ed copy in *out)
 * when the card's first chunk of it (n bytes; the DER is total bytes) is
 * the cached one's byte for byte; c->cached then holds the card's entry. */
bool jpki_cache_serves(struct jpki_card *c, const uint8_t *first, size_t n, size_t total,
		       uint8_t **out);

/* jpki_cache_get: a copy of a CA certificate (item) from the card's
 * validated entry, no APDU; false when the entry has none. */
bool jpki_cache_get(struct jpki_card *c, int item, uint8_t **der, size_t *len);

/* jpki_cache_note: a certificate read from the card (item; -1 for the sign
 * certificate, which is never cached) updates the card's entry. */
void jpki_cache_note(struct jpki_card *c, int item, const uint8_t *der, size_t len);

/* jpki_cache_verify_sfi_refused: the card refused the empty VERIFY by SFI
 * and answered the long form: kept in its entry.  jpki_cache_verify_sfi_known:
 * the entry says so. */
void jpki_cache_verify_sfi_refused(struct jpki_card *c);
bool jpki_cache_verify_sfi_known(const struct jpki_card *c);

/* jpki_cache_pss: the PSS answer the card's entry holds (yes, no; else
 * unknown).  jpki_cache_pss_learnt: a definite answer (yes, no) the card
 * gave goes into its entry; unknown and undecided are never kept. */
enum jpki_pss jpki_cache_pss(const struct jpki_card *c);
void jpki_cache_pss_learnt(struct jpki_card *c, enum jpki_pss pss);

/* jpki-pin.c */

/* jpki_verify_in_op: VERIFY inside an operation the caller holds
 * (jpki_op_begin: the PC/SC transaction); see jpki_verify_pin.  (The suffix
 * _locked is the PKCS#11 layer's, for its module lock.) */
enum card_error jpki_verify_in_op(struct jpki_card *c, enum jpki_pin pin, const char *value,
				  int *tries_left);

/* jpki_op_begin_verified: the PIN's format checked (a malformed PIN opens
 * no transaction), jpki_op_begin, then jpki_verify_in_op: on CARD_OK the
 * operation is held and the caller ends it (jpki_op_end); on an error it is
 * not held.  *tries_left as for jpki_verify_pin (tries_left not NULL).
 * Errors: those of jpki_verify_pin. */
enum card_error jpki_op_begin_verified(struct jpki_card *c, enum jpki_pin pin, const char *value,
				       int *tries_left);

#endif
