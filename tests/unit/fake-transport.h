/* A scripted transport for unit tests: each expected C-APDU is paired with a
 * canned answer (or a transport error).  An APDU that differs from the
 * script, or any APDU past its end, is recorded as a failure, so a test
 * proves both what an operation sends and that it sends nothing more.
 */
#ifndef JPKI_FAKE_TRANSPORT_H
#define JPKI_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

struct fake_transport;

struct fake_transport *fake_new(void);
void fake_free(struct fake_transport *f);
struct transport *fake_transport(struct fake_transport *f);
/* fake_card: the one connection (also returned by the transport's connect). */
struct transport_card *fake_card(struct fake_transport *f);

/* fake_expect: the next C-APDU must be capdu_hex; the card answers rapdu_hex
 * (hex digits, spaces ignored). */
void fake_expect(struct fake_transport *f, const char *capdu_hex, const char *rapdu_hex);
/* fake_expect_data: as fake_expect, answering len data bytes then sw. */
void fake_expect_data(struct fake_transport *f, const char *capdu_hex, const uint8_t *data,
		      size_t len, uint16_t sw);
/* fake_expect_error: the transport fails this exchange with err. */
void fake_expect_error(struct fake_transport *f, const char *capdu_hex, enum card_error err);
/* fake_begin_error: the next begin() fails with err (once). */
void fake_begin_error(struct fake_transport *f, enum card_error err);
/* fake_set_card: what status() reports for every reader. */
void fake_set_card(struct fake_transport *f, bool present, uint32_t events);

/* fake_check: true when every scripted APDU was sent, in order, and nothing
 * else (prints a TAP comment saying what differed); clears the script. */
bool fake_check(struct fake_transport *f);
/* fake_sent: APDUs sent since the last fake_check. */
unsigned fake_sent(const struct fake_transport *f);
/* fake_in_transaction: true while begin() has not been matched by end(). */
bool fake_in_transaction(const struct fake_transport *f);

/* hex_decode: test helper, malloc'ed bytes of a hex string (spaces ignored). */
uint8_t *hex_decode(const char *hex, size_t *len);

#endif
