/* The card layer's whole sequence, as a PKCS#11 session would drive it:
 * detect, read each certificate (and parse it), PIN status, VERIFY, sign,
 * the sign password, the sign certificate and key, CHANGE REFERENCE DATA,
 * the text AP.  Run by the fuzz-card target over the script transport and
 * by fuzz-seeds over the emulator, so the seeds follow the same APDUs.
 */
#ifndef JPKI_TESTS_FUZZ_CARD_RUN_H
#define JPKI_TESTS_FUZZ_CARD_RUN_H

#include "fuzz-transport.h"
#include "log.h"

/* The PINs the sequence uses: the emulator fixture's (tests/sim/sim.h), and the new auth PIN. */
#define FUZZ_AUTH_PIN	  "1234"
#define FUZZ_SIGN_PIN	  "JPKITEST2026"
#define FUZZ_TEXT_PIN	  "5678"
#define FUZZ_NEW_AUTH_PIN "4321"

/* Flags, the first byte of a fuzz-card input. */
#define FUZZ_CARD_PERSON 0x01 /* decode the certificates' JPKI otherNames too */
#define FUZZ_CARD_BASIC	 0x02 /* read the text AP's four basic facts */
#define FUZZ_CARD_HOLD	 0x04 /* everything inside one jpki_op_begin/end */
#define FUZZ_CARD_LOG	 0x08 /* log at LOG_APDU level */

extern const struct fuzz_pin fuzz_card_pins[];

/* fuzz_card_run: the sequence over t; ft (may be NULL) is t's fuzz transport,
 * for the checks on what was sent. */
void fuzz_card_run(struct transport *t, struct fuzz_transport *ft, const struct log *log,
		   unsigned flags);

#endif
