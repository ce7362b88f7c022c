/* The transport seam: how the card layer reaches a card.
 *
 * A transport is a small object with a table of operations; pcsc-lite
 * (transport-pcsc.c), the in-process emulator (tests/sim/transport-sim.c)
 * and a scripted fake (tests/unit/fake-transport.c) implement it, and the
 * program picks one at link time.
 *
 * A struct transport is one service context (one SCARDCONTEXT): it lists
 * readers, reports their state without talking to the card, and waits for
 * changes.  A struct transport_card is one connection to the card in one
 * reader (one SCARDHANDLE).
 *
 * Errors: CARD_E_NO_SERVICE (the service is down; the next call tries a new
 * context, and every existing connection is dead), CARD_E_NO_READER,
 * CARD_E_CARD_ABSENT, CARD_E_CARD_REMOVED (the connection is dead:
 * disconnect it), CARD_E_CARD_RESET (somebody reset the card: the
 * connection has been re-established and is usable, but everything the
 * caller knew about the card's state - selected file, verified PINs - is
 * gone), CARD_E_SHARING, CARD_E_TRANSPORT, CARD_E_NO_MEMORY, CARD_E_TIMEOUT,
 * CARD_E_CANCELLED.
 */
#ifndef JPKI_TRANSPORT_H
#define JPKI_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card-error.h"

#define TRANSPORT_ATR_MAX 33

/* What PC/SC knows about a reader without sending an APDU. */
struct transport_status {
	bool present;	 /* a card is in the reader */
	uint32_t events; /* changes whenever a card is inserted or removed: same value and
			  * present = the same card as before (pcsc-lite's event counter) */
	uint8_t atr[TRANSPORT_ATR_MAX];
	size_t atr_len;
};

struct transport;
struct transport_card;

struct transport_ops {
	/* free: releases the transport; all its connections must be gone. */
	void (*free)(struct transport *t);
	/* list_readers: a malloc'ed NULL-terminated array of malloc'ed names
	 * (free with transport_readers_free); no reader = an empty array. */
	enum card_error (*list_readers)(struct transport *t, char ***readers);
	/* status: the reader's state now, without an APDU and without connecting. */
	enum card_error (*status)(struct transport *t, const char *reader,
				  struct transport_status *st);
	/* wait: blocks until a reader is added or removed or a card inserted or
	 * removed since the last list_readers/status/wait, at most timeout_ms
	 * (0 = do not block); CARD_OK on a change, CARD_E_TIMEOUT, CARD_E_CANCELLED. */
	enum card_error (*wait)(struct transport *t, unsigned timeout_ms);
	/* cancel: makes a wait in another thread return CARD_E_CANCELLED; thread-safe. */
	void (*cancel)(struct transport *t);
	/* connect: a shared connection to the card in the reader (T=0 or T=1). */
	enum card_error (*connect)(struct transport *t, const char *reader,
				   struct transport_card **card);
	/* disconnect: closes the connection, leaving the card as it is (no reset). */
	void (*disconnect)(struct transport_card *card);
	/* begin: starts an exclusive transaction so no other process interleaves
	 * APDUs; CARD_E_CARD_RESET when the card was reset since the last call
	 * (the connection is re-established, the transaction is not held). */
	enum card_error (*begin)(struct transport_card *card);
	/* end: ends the transaction, leaving the card as it is (no-op if none). */
	void (*end)(struct transport_card *card);
	/* transmit: sends one C-APDU; *rlen is the capacity of rapdu on entry and
	 * the R-APDU length (data + SW1 SW2) on return.  An answer longer than
	 * the capacity is CARD_E_BAD_RESPONSE, never a truncation. */
	enum card_error (*transmit)(struct transport_card *card, const uint8_t *capdu, size_t clen,
				    uint8_t *rapdu, size_t *rlen);
};

/* Implementations embed these as their first member. */
struct transport {
	const struct transport_ops *ops;
};

struct transport_card {
	struct transport *transport;
};

/* transport_readers_free: frees a list from list_readers (NULL is fine). */
void transport_readers_free(char **readers);

#endif
