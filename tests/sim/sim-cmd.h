/* The card as its command handlers see it: one parsed C-APDU, the card's state, and the
 * handlers of docs/card.md Appendix A.  sim-card.c runs the card (power, transmit, dispatch);
 * sim-cmd-file.c (SELECT, READ BINARY), sim-cmd-pin.c (VERIFY, CHANGE REFERENCE DATA) and
 * sim-cmd-sign.c (COMPUTE DIGITAL SIGNATURE) answer the commands; sim-apdu.c parses a C-APDU,
 * sim-log.c writes the APDU log. */
#ifndef JPKI_TESTS_SIM_CMD_H
#define JPKI_TESTS_SIM_CMD_H

#include "sim-files.h"

#include <stdio.h>

#define SIM_BUF (65536 + 2)

struct sim_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc, le; /* le: bytes wanted (256 / 65536 for a zero Le) */
	bool has_le, extended;
	bool le_zero; /* a short Le byte of 00 */
};

struct sim_card {
	struct sim_state st;
	struct sim_options opt;
	FILE *log;
	struct sim_stats stats;
	bool powered;
	bool pulled;		/* remove_after reached: the card has left the reader */
	unsigned long answered; /* APDUs answered since sim_card_open */
	int ap;			/* enum sim_ap, or -1 at MF level */
	int ef;			/* index in sim_efs, or -1: no current EF */
	bool verified[SIM_PIN_COUNT];
	uint8_t **ef_data;
	size_t *ef_len;
	uint8_t *pending; /* data waiting for GET RESPONSE (answer_61xx) */
	size_t pending_len, pending_off;
	uint8_t out[SIM_BUF];
};

/* sim_handler: answers one command; returns its status word, the response data in c->out and
 * its length in *outlen. */
typedef uint16_t (*sim_handler)(struct sim_card *c, const struct sim_apdu *a, size_t *outlen);

/* sim_card_clear_security: forgets every verified PIN. */
void sim_card_clear_security(struct sim_card *c);

/* sim_card_sleep_ms: waits ms milliseconds (the card's latency switches). */
void sim_card_sleep_ms(unsigned ms);

/* SELECT (by AID or FID) and READ BINARY (current EF or by short identifier): sim-cmd-file.c. */
uint16_t sim_cmd_select(struct sim_card *c, const struct sim_apdu *a, size_t *outlen);
uint16_t sim_cmd_read_binary(struct sim_card *c, const struct sim_apdu *a, size_t *outlen);

/* VERIFY and CHANGE REFERENCE DATA: sim-cmd-pin.c. */
uint16_t sim_cmd_verify(struct sim_card *c, const struct sim_apdu *a, size_t *outlen);
uint16_t sim_cmd_change(struct sim_card *c, const struct sim_apdu *a, size_t *outlen);

/* COMPUTE DIGITAL SIGNATURE (80 2A, schemes P1 00-05): sim-cmd-sign.c. */
uint16_t sim_cmd_sign(struct sim_card *c, const struct sim_apdu *a, size_t *outlen);

/* sim_apdu_parse: splits a C-APDU of n bytes into its ISO 7816-4 case (short or extended);
 * 9000, or 6700 for a length that does not add up. */
uint16_t sim_apdu_parse(const uint8_t *b, size_t n, struct sim_apdu *a);

/* sim_log_apdu: one line of the APDU log (nothing without a log): the command (PINs as "**"),
 * the answer (data cut at 16 bytes), its status word and class. */
void sim_log_apdu(FILE *log, const uint8_t *capdu, size_t clen, const uint8_t *r, size_t rlen);

/* sim_log_event: a "# what" line of the APDU log (power, reset, a pulled card ...). */
void sim_log_event(FILE *log, const char *what);

#endif
