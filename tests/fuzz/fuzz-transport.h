/* Transports for the fuzz targets: one reader, "Fuzz Reader 00".
 *
 * The script transport answers every C-APDU, whatever it is, with the next
 * record of the fuzz input (fuzz.h): the R-APDU bytes, or an event record
 * that makes the exchange fail with a transport error (a reset, a removal,
 * ...).  Past the end of the input every exchange fails with
 * CARD_E_TRANSPORT.  An answer longer than the caller's buffer is
 * CARD_E_BAD_RESPONSE, as pcsc-lite's SCardTransmit does.
 *
 * The file transport is a minimal card whose EFs hold fuzz-chosen bytes:
 * SELECT and VERIFY succeed, READ BINARY serves the selected EF (other FIDs
 * are PIN or key EFs: selectable, not readable).
 *
 * Both check what the card layer sends: every C-APDU is a well-formed ISO
 * 7816-4 command; VERIFY / CHANGE REFERENCE DATA carry only the PINs the
 * target allows (fuzz_transport_pins), each only to its own PIN EF: the
 * last SELECT of an application and of an EF, in this transaction, since
 * the last reset, answered 9000, must name where that PIN lives (a PIN sent
 * to another EF would cost a try of another PIN).  COMPUTE DIGITAL
 * SIGNATURE likewise needs a key EF selected.
 *
 * Between calls a target can change the card (fuzz_transport_control): take
 * it out, put one in, swap it, or reset it.  A connection made before a
 * removal is dead (CARD_E_CARD_REMOVED, no record used); a reset is seen
 * once, by the next begin() or transmit (CARD_E_CARD_RESET).
 */
#ifndef JPKI_TESTS_FUZZ_TRANSPORT_H
#define JPKI_TESTS_FUZZ_TRANSPORT_H

#include "fuzz.h"
#include "transport.h"

#define FUZZ_READER "Fuzz Reader 00"

struct fuzz_transport;

enum fuzz_ap { FUZZ_AP_JPKI, FUZZ_AP_TEXT, FUZZ_AP_OTHER, FUZZ_AP_UNKNOWN };

/* A PIN value the card layer may send, and the EF that holds it. */
struct fuzz_pin {
	const char *value;
	enum fuzz_ap ap;
	uint16_t fid;
};

struct fuzz_ef {
	uint16_t fid;
	const uint8_t *data;
	size_t len;
};

/* fuzz_transport_script: answers from in (not copied: it must outlive the transport). */
struct fuzz_transport *fuzz_transport_script(struct fuzz_input *in);
/* fuzz_transport_files: serves these EFs (not copied); end_6282 answers a
 * READ BINARY that reaches the end of the EF with 6282 instead of 9000. */
struct fuzz_transport *fuzz_transport_files(const struct fuzz_ef *efs, size_t count, bool end_6282);
void fuzz_transport_free(struct fuzz_transport *f);
struct transport *fuzz_transport_base(struct fuzz_transport *f);

/* fuzz_transport_pins: the PINs VERIFY and CHANGE REFERENCE DATA may carry,
 * ended by a NULL value (the caller's array, not copied). */
void fuzz_transport_pins(struct fuzz_transport *f, const struct fuzz_pin *pins);

/* fuzz_transport_in_transaction: begin() not yet matched by end() (or lost to a reset). */
bool fuzz_transport_in_transaction(const struct fuzz_transport *f);

/* fuzz_transport_event: the event record length that makes an exchange
 * fail with err (FUZZ_RECORD_EVENT + index); 0 if err is not one. */
unsigned fuzz_transport_event(enum card_error err);

/* fuzz_transport_sent: C-APDUs received so far. */
unsigned fuzz_transport_sent(const struct fuzz_transport *f);

/* fuzz_transport_pin_tries: VERIFY and CHANGE commands carrying a PIN sent so far. */
unsigned fuzz_transport_pin_tries(const struct fuzz_transport *f);

/* fuzz_transport_verifies: VERIFY commands carrying a PIN sent so far. */
unsigned fuzz_transport_verifies(const struct fuzz_transport *f);

/* fuzz_transport_connected: a connection is open. */
bool fuzz_transport_connected(const struct fuzz_transport *f);

/* Control bytes (fuzz_transport_control): bits 0-1 the card's move, bit 2 a reset. */
#define FUZZ_CARD_STAYS	  0x00
#define FUZZ_CARD_SWAPPED 0x01 /* out and another one in */
#define FUZZ_CARD_OUT	  0x02
#define FUZZ_CARD_IN	  0x03 /* a card inserted (if one was there: swapped) */
#define FUZZ_CARD_RESET	  0x04 /* another process resets the card */

/* fuzz_transport_control: what happens to the card between two calls. */
void fuzz_transport_control(struct fuzz_transport *f, uint8_t control);

/* fuzz_transport_signs: COMPUTE DIGITAL SIGNATURE commands sent so far. */
unsigned fuzz_transport_signs(const struct fuzz_transport *f);

/* fuzz_transport_sign_answer: the card's answer to the last COMPUTE DIGITAL
 * SIGNATURE: its data (joined over 61xx / GET RESPONSE; *len may exceed what
 * *data holds: then false) and final status word (0: the exchange failed). */
bool fuzz_transport_sign_answer(const struct fuzz_transport *f, const uint8_t **data, size_t *len,
				uint16_t *sw);

#endif
