/* What jpki.c shares with textap.c: applications, file selection with the
 * cache, EF reading, and the begin/end of one operation.  Not for callers
 * outside src/.
 */
#ifndef JPKI_JPKI_INTERNAL_H
#define JPKI_JPKI_INTERNAL_H

#include "apdu.h"
#include "jpki.h"

enum jpki_ap {
	JPKI_AP_NONE = -1,
	JPKI_AP_JPKI = 0, /* 公的個人認証AP */
	JPKI_AP_TEXT,	  /* 券面事項入力補助AP */
	JPKI_AP_COUNT
};

/* jpki_op_begin / jpki_op_end: connect if needed and hold the transaction. */
enum card_error jpki_op_begin(struct jpki_card *c);
void jpki_op_end(struct jpki_card *c);

/* jpki_select_ef: SELECT the application (unless believed selected, or found
 * current by the probe of jpki.c) and the EF (unless selected in this
 * transaction); a SELECT EF refused under a belief from an earlier
 * transaction checks the application and retries once. */
enum card_error jpki_select_ef(struct jpki_card *c, enum jpki_ap ap, uint16_t fid);

/* jpki_command: one APDU on the current connection; transport failures
 * update the context (reset, removal). */
enum card_error jpki_command(struct jpki_card *c, const struct apdu *a, uint8_t *resp, size_t cap,
			     size_t *resp_len, uint16_t *sw);

/* jpki_read_tlv_ef: reads the BER-TLV object at the start of the EF (first a
 * 256-byte READ BINARY, by short EF identifier on the JPKI AP unless the
 * card refused that form, then exactly the rest), refusing objects above max.
 * Errors: CARD_E_NOT_LOGGED_IN, CARD_E_BAD_RESPONSE, CARD_E_CARD. */
enum card_error jpki_read_tlv_ef(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, size_t max,
				 uint8_t **out, size_t *out_len);

/* jpki_verify_locked: VERIFY inside a held operation (see jpki_verify_pin). */
enum card_error jpki_verify_locked(struct jpki_card *c, enum jpki_pin pin, const char *value,
				   int *tries_left);

const struct log *jpki_log(const struct jpki_card *c);

#endif
