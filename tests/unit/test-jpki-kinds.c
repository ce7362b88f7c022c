/* The card layer on each kind of token (issue 18), against the in-process
 * emulator through the transport seam, with the exact APDUs each operation
 * costs: a usual card never reads EF 0008; a card without the signature
 * certificate is learnt from one READ of EF 0008 after an unusual answer,
 * and then its password is neither queried nor sent; the Android token's
 * authentication certificate is never asked for before the PIN; a reader
 * that loses 256-byte answers costs one lost READ per insertion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "jpki.h"
#include "sim.h"
#include "transport-sim.h"

#define INS_READ   0xB0
#define INS_VERIFY 0x20

struct env {
	char *dir;
	struct sim_card *card;
	struct transport *t;
	struct jpki_card *c;
};

static void env_open(struct env *e, const struct sim_options *opt)
{
	memset(e, 0, sizeof(*e));
	e->dir = sim_fixture_clone(NULL);
	if (e->dir == NULL)
		tap_bail("cannot clone the fixture (JPKI_SIM_FIXTURE)");
	e->card = sim_card_open(e->dir, opt);
	e->t = e->card != NULL ? transport_sim_new(&e->card, 1) : NULL;
	e->c = e->t != NULL ? jpki_card_new(e->t, "JPKI Sim 00", NULL) : NULL;
	if (e->c == NULL)
		tap_bail("cannot open the emulated card");
}

static void env_close(struct env *e)
{
	jpki_card_free(e->c);
	e->t->ops->free(e->t);
	sim_card_close(e->card);
	sim_fixture_remove(e->dir);
}

/* apdus: APDUs since the last call; reads: READ BINARY among them. */
static unsigned long reads, verifies;
static unsigned long apdus(struct env *e)
{
	unsigned long n = sim_card_stats(e->card)->apdus;

	reads = sim_card_stats(e->card)->by_ins[INS_READ];
	verifies = sim_card_stats(e->card)->by_ins[INS_VERIFY];
	sim_card_stats_reset(e->card);
	return n;
}

/* insertion: what the module reads when a card comes: detection, the auth
 * certificate, both PIN counters. */
static enum card_error insertion(struct env *e, int *sign_tries)
{
	enum jpki_kind kind;
	uint8_t *der = NULL;
	size_t len;
	int tries;
	enum card_error err = jpki_detect(e->c, &kind, NULL);

	if (err == CARD_OK)
		err = jpki_read_cert(e->c, JPKI_CERT_AUTH, &der, &len);
	free(der);
	if (err == CARD_OK)
		err = jpki_pin_status(e->c, JPKI_PIN_AUTH, false, &tries);
	if (err == CARD_OK)
		err = jpki_pin_status(e->c, JPKI_PIN_SIGN, false, sign_tries);
	return err;
}

/* trace_is: the exact commands sent since the last check (transport-sim.h:
 * first 5 bytes each, "!" lost by the reader, "x" refused for a removal). */
static void trace_is(struct env *e, const char *want, const char *what)
{
	const char *got = transport_sim_trace(e->t);

	if (!tap_ok(strcmp(got, want) == 0, "%s: exactly these commands", what))
		tap_diag("got:  %s\n#   want: %s", got, want);
	transport_sim_trace_clear(e->t);
}

/* Insertion: the probe (READ of the label by short identifier, refused
 * while no application is selected), SELECT of the JPKI AP, the label, the
 * authentication certificate (1314 bytes) by short identifier, then both
 * passwords' status (VERIFY without data, the PIN EF named by short
 * identifier). */
#define TRACE_HEAD	"00B0860020 00A4040C0A 00B0860020 "
#define TRACE_PIN_QUERY " 00200098 0020009B"
#define TRACE_AUTH_F0	"00B08A00F0 00B000F0F0 00B001E0F0 00B002D0F0 00B003C0F0 00B004B072"

static void test_usual(void)
{
	struct env e;
	int tries;
	unsigned long n;
	bool present = false;

	env_open(&e, NULL);
	transport_sim_trace_clear(e.t);
	tap_is_int(insertion(&e, &tries), CARD_OK, "usual card: insertion");
	trace_is(&e,
		 TRACE_HEAD "00B08A0000 00B0010000 00B0020000 00B0030000 00B0040000 00B0050022"
			    TRACE_PIN_QUERY,
		 "usual card: insertion: READs with Le=00");
	n = apdus(&e);
	tap_is_int(tries, 5, "usual card: 5 password tries");
	/* probe + SELECT + READ label, READ 000A x6 (1314 bytes), 2 counters by SFI */
	tap_is_int(n, 11, "usual card: 11 APDUs, no READ of EF 0008");
	tap_is_int(jpki_has_sign_cert(e.c, &present), CARD_OK, "usual card: has_sign_cert");
	tap_ok(present, "usual card: the signature certificate is there");
	tap_is_int(apdus(&e), 1, "usual card: asking costs one READ (EF 0008)");
	tap_is_int(reads, 1, "... a READ");
	tap_is_int(jpki_has_sign_cert(e.c, &present), CARD_OK, "usual card: asked again");
	tap_is_int(apdus(&e), 0, "usual card: known for this insertion: 0 APDUs");
	env_close(&e);
}

static void test_no_sign(enum sim_no_sign ef, enum sim_no_sign_pin pin, const char *name)
{
	struct sim_options opt = {.no_sign = ef, .no_sign_pin = pin};
	struct env e;
	int tries = -7;
	bool present = true;
	uint8_t *der = NULL;
	size_t len;

	env_open(&e, &opt);
	tap_is_int(insertion(&e, &tries), CARD_E_NOT_FOUND, "%s: the password is not there", name);
	/* The usual 3 + 6 + the auth counter by SFI; the password by SFI answers
	 * 6984/6A88 under a belief: probe, asked again, then one READ of EF 0008. */
	tap_is_int(apdus(&e), 14, "%s: 10 APDUs, the password by SFI twice, a probe and EF 0008",
		   name);
	tap_is_int(reads, 10,
		   "%s: ... 10 READ (probe, label, 6 of the certificate, probe, EF 0008)", name);
	tap_is_int(verifies, 3, "%s: ... 3 empty VERIFY by SFI, no SELECT of EF 001B", name);
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, true, &tries), CARD_OK,
		   "%s: the auth counter again", name);
	tap_is_int(apdus(&e), 1, "%s: ... by SFI still: the answer was not a refusal of the form",
		   name);
	tap_is_int(verifies, 1, "%s: ... one empty VERIFY", name);
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_SIGN, true, &tries), CARD_E_NOT_FOUND,
		   "%s: asked again: not there", name);
	tap_is_int(apdus(&e), 0, "%s: ... without an APDU", name);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, "GUESS1", &tries), CARD_E_NOT_FOUND,
		   "%s: VERIFY refused", name);
	tap_is_int(apdus(&e), 0, "%s: ... nothing sent, no try spent", name);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_SIGN, &der, &len), CARD_E_NOT_FOUND,
		   "%s: no signature certificate", name);
	tap_is_int(apdus(&e), 0, "%s: ... without an APDU", name);
	tap_is_int(jpki_has_sign_cert(e.c, &present), CARD_OK, "%s: has_sign_cert", name);
	tap_ok(!present, "%s: absent", name);
	env_close(&e);
}

/* The card answers like a usual one (63Cx, 6982): the layer reads EF 0001
 * only after the password, so it learns of the absence when asked. */
static void test_no_sign_63cx(void)
{
	struct sim_options opt = {.no_sign = SIM_NO_SIGN_READ_6982,
				  .no_sign_pin = SIM_NO_SIGN_PIN_63CX};
	struct env e;
	int tries;
	bool present = true;

	env_open(&e, &opt);
	tap_is_int(insertion(&e, &tries), CARD_OK, "63cx: insertion as a usual card");
	tap_is_int(apdus(&e), 11, "63cx: 11 APDUs, as a usual card");
	tap_is_int(jpki_has_sign_cert(e.c, &present), CARD_OK, "63cx: has_sign_cert");
	tap_ok(!present, "63cx: EF 0008 says absent");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_SIGN, true, &tries), CARD_E_NOT_FOUND,
		   "63cx: then the password is not there");
	apdus(&e);
	tap_is_int(verifies, 0, "63cx: no VERIFY after that");
	env_close(&e);
}

static void test_android(void)
{
	struct sim_options opt = {.kind = SIM_KIND_ANDROID};
	struct env e;
	enum jpki_kind kind;
	enum jpki_pin pin;
	uint8_t *der = NULL;
	size_t len = 0;
	int tries;

	tap_ok(jpki_cert_needs_pin(JPKI_KIND_ANDROID, JPKI_CERT_AUTH, &pin) && pin == JPKI_PIN_AUTH,
	       "table: Android's auth certificate needs the auth PIN");
	tap_ok(!jpki_cert_needs_pin(JPKI_KIND_IPHONE, JPKI_CERT_AUTH, &pin),
	       "table: the iPhone's does not");
	tap_ok(!jpki_cert_needs_pin(JPKI_KIND_MYNUMBER, JPKI_CERT_AUTH, &pin),
	       "table: the card's does not");
	tap_ok(jpki_cert_needs_pin(JPKI_KIND_MYNUMBER, JPKI_CERT_SIGN, &pin) &&
		       pin == JPKI_PIN_SIGN,
	       "table: the signature certificate needs the password on every kind");
	tap_ok(!jpki_cert_needs_pin(JPKI_KIND_ANDROID, JPKI_CERT_AUTH_CA, &pin),
	       "table: CA certificates need nothing");

	env_open(&e, &opt);
	tap_is_int(jpki_detect(e.c, &kind, NULL), CARD_OK, "android: detected");
	tap_is_int(kind, JPKI_KIND_ANDROID, "android: kind");
	apdus(&e);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len), CARD_E_NOT_LOGGED_IN,
		   "android: auth certificate before the PIN: not logged in");
	tap_is_int(apdus(&e), 0, "android: ... nothing sent");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, SIM_DEFAULT_AUTH_PIN, &tries), CARD_OK,
		   "android: the auth PIN");
	apdus(&e);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len), CARD_OK,
		   "android: then the certificate");
	tap_ok(len > 1000, "android: %zu bytes", len);
	free(der);
	env_close(&e);
}

/* A reader that loses every command over 255 bytes: the layer never sends
 * one (the longest, a signature over a 245-byte input, is 251 bytes). */
static void test_short_commands(void)
{
	struct sim_options opt = {.reader_short_commands = true};
	struct env e;
	uint8_t in[245], sig[JPKI_SIG_MAX], *der = NULL;
	size_t len = 0, sig_len = 0;
	int tries, k;

	memset(in, 0x01, sizeof(in));
	env_open(&e, &opt);
	tap_is_int(insertion(&e, &tries), CARD_OK, "short commands: insertion");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, SIM_DEFAULT_AUTH_PIN, &tries), CARD_OK,
		   "short commands: auth PIN");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, SIM_DEFAULT_SIGN_PIN, &tries), CARD_OK,
		   "short commands: sign password");
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_SIGN, &der, &len), CARD_OK,
		   "short commands: sign certificate");
	free(der);
	for (k = 0; k < JPKI_KEY_COUNT; k++)
		tap_is_int(jpki_sign(e.c, (enum jpki_key)k, in, sizeof(in), sig, sizeof(sig),
				     &sig_len),
			   CARD_OK, "short commands: key %d signs a 245-byte input", k);
	env_close(&e);
}

/* A reader that loses every answer of exactly 256 bytes (the card stays):
 * the first READ with Le=00 is lost and sent again with Le=F0, and F0 is
 * kept for the insertion; a removal is never retried; the signature (256
 * bytes whatever Le says) is not retried either. */
static void test_drops_256(void)
{
	struct sim_options opt = {.reader_drops_256 = true};
	struct env e;
	uint8_t in[51], sig[JPKI_SIG_MAX], *der = NULL;
	size_t len = 0, sig_len = 7;
	bool present = false, changed = false;
	int tries;

	memset(in, 0x01, sizeof(in));
	env_open(&e, &opt);
	transport_sim_trace_clear(e.t);
	tap_is_int(insertion(&e, &tries), CARD_OK, "drops 256: insertion");
	trace_is(&e, TRACE_HEAD "00B08A0000! " TRACE_AUTH_F0 TRACE_PIN_QUERY,
		 "drops 256: insertion: one lost READ, sent again with Le=F0");
	tap_is_int(apdus(&e), 12, "drops 256: the usual 11 APDUs and the lost one");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, SIM_DEFAULT_SIGN_PIN, &tries), CARD_OK,
		   "drops 256: sign password");
	transport_sim_trace_clear(e.t);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_SIGN, &der, &len), CARD_OK,
		   "drops 256: sign certificate");
	trace_is(&e,
		 "00B08100F0 00B000F0F0 00B001E0F0 00B002D0F0 00B003C0F0 00B004B0F0 00B005A082",
		 "drops 256: later READs ask F0 at once (7 READs for 1570 bytes, as with 00)");
	tap_is_int(len, 1570, "drops 256: the whole certificate");
	free(der);
	der = NULL;
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, SIM_DEFAULT_AUTH_PIN, &tries), CARD_OK,
		   "drops 256: auth PIN");
	transport_sim_trace_clear(e.t);
	tap_is_int(jpki_sign(e.c, JPKI_KEY_AUTH, in, sizeof(in), sig, sizeof(sig), &sig_len),
		   CARD_E_TRANSPORT, "drops 256: the signature is lost: a transport error");
	trace_is(&e, "802A009733!", "drops 256: the signature (key by SFI) is not sent again");
	tap_is_int(sig_len, 0, "drops 256: no signature");

	/* The size belongs to the insertion: a new one starts from Le=00. */
	transport_sim_remove(e.t, 0);
	transport_sim_insert(e.t, 0);
	tap_is_int(jpki_card_poll(e.c, &present, &changed), CARD_OK, "drops 256: poll");
	tap_ok(present && changed, "drops 256: a new insertion");
	transport_sim_trace_clear(e.t);
	tap_is_int(insertion(&e, &tries), CARD_OK, "drops 256: card back: insertion");
	trace_is(&e, TRACE_HEAD "00B08A0000! " TRACE_AUTH_F0 TRACE_PIN_QUERY,
		 "drops 256: card back: Le=00 first again");
	env_close(&e);

	/* A card lifted during a certificate's READs (Le=00, a usual
	 * reader): a removal, never retried. */
	opt = (struct sim_options){.remove_after = 4}; /* after the first READ of EF 000A */
	env_open(&e, &opt);
	transport_sim_trace_clear(e.t);
	tap_is_int(insertion(&e, &tries), CARD_E_CARD_REMOVED, "lifted card: removed");
	trace_is(&e, TRACE_HEAD "00B08A0000 00B0010000x",
		 "lifted card: the READ is not sent again");
	env_close(&e);
}

int main(void)
{
	test_usual();
	test_no_sign(SIM_NO_SIGN_READ_6982, SIM_NO_SIGN_PIN_6984, "6982/6984");
	test_no_sign(SIM_NO_SIGN_SELECT_6A82, SIM_NO_SIGN_PIN_6A88, "select-6a82/6a88");
	test_no_sign(SIM_NO_SIGN_EMPTY, SIM_NO_SIGN_PIN_6984, "empty/6984");
	test_no_sign(SIM_NO_SIGN_FF, SIM_NO_SIGN_PIN_6A88, "ff/6a88");
	test_no_sign_63cx();
	test_android();
	test_short_commands();
	test_drops_256();
	return tap_done();
}
