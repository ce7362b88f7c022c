/* ISO 7816-4 command APDUs: encoding and one exchange with the card.
 *
 * apdu_transmit hides the two ways a card may split an answer: 61xx (fetch
 * the rest with GET RESPONSE) and 6Cxx (resend with Le = xx), each in a
 * bounded loop, and checks that no answer is longer than what was asked for.
 */
#ifndef JPKI_APDU_H
#define JPKI_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card-error.h"
#include "log.h"
#include "transport.h"

#define APDU_SHORT_LC_MAX  255
#define APDU_SHORT_LE_MAX  256
#define APDU_EXT_LEN_MAX   65535 /* Lc */
#define APDU_EXT_LE_MAX	   65536
#define APDU_MAX_EXCHANGES 8 /* bound on 61xx / 6Cxx round trips per command */

/* Status words the card layer reads. */
#define SW_OK		     0x9000
#define SW_END_OF_FILE	     0x6282 /* end of file reached before Le bytes */
#define SW_WRONG_LENGTH	     0x6700
#define SW_SECURITY	     0x6982 /* security status not satisfied */
#define SW_AUTH_BLOCKED	     0x6983
#define SW_REF_DATA_UNUSABLE 0x6984
#define SW_FUNC_NOT_SUPPORTED 0x6A81
#define SW_NOT_FOUND	     0x6A82
#define SW_WRONG_P1P2	     0x6A86
#define SW_WRONG_OFFSET	     0x6B00

struct apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data; /* command data (Lc = lc bytes), NULL when lc = 0 */
	size_t lc;
	size_t le;   /* expected answer length: 0 = none, 1..256 short, up to 65536 extended */
	bool secret; /* the data is a PIN: logged as "**" */
};

/* apdu_encode: writes the APDU in its shortest encoding (short unless Lc > 255
 * or Le > 256) into out; returns the length, or 0 when the APDU is invalid
 * (Lc/Le out of range, data missing) or does not fit in cap. */
size_t apdu_encode(const struct apdu *a, uint8_t *out, size_t cap);

/* apdu_transmit: sends the APDU and collects the answer data into resp (at
 * most cap bytes; *resp_len = bytes received) and the final status word into
 * *sw, following 61xx and 6Cxx.  A status word other than 9000 is not an
 * error here: the caller interprets it.  Errors: the transport's errors,
 * CARD_E_ARGUMENTS (cannot encode), CARD_E_BAD_RESPONSE (answer shorter than
 * a status word, more data than asked for or than cap, endless 61xx/6Cxx). */
enum card_error apdu_transmit(struct transport_card *card, const struct log *log,
			      const struct apdu *a, uint8_t *resp, size_t cap, size_t *resp_len,
			      uint16_t *sw);

#endif
