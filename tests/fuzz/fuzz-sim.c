/* Fuzz target sim (docs/fuzzing.md): the emulator's APDU parser and state machine
 * (tests/sim/sim.h) on a card opened from a clone of the fixture
 * ($JPKI_SIM_FIXTURE).  Input: an options byte (the switches of struct
 * sim_options), an answer-buffer byte (0 = 65538 bytes, else n + 2), then
 * C-APDUs as records (fuzz.h); the event records FFF0 / FFF1 / FFF2 are
 * power off / power on / warm reset.
 *
 * Each input starts from the fixture's state.  Opening a card parses its two
 * private keys, which costs more than most inputs, so one card per options
 * byte stays open between inputs.  When an input changed the state file (a
 * wrong PIN, a new PIN), the file is put back and its card reads the PINs
 * and counters again; the other cards hold the pristine file's values.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define FUZZ_SIM_RAPDU (65536 + 2)
#define FUZZ_SIM_OPTIONS 256 /* one card per value of the options byte */

static struct {
	char *dir;	   /* the clone */
	char *state;	   /* its state file */
	uint8_t *pristine; /* the state file's bytes as cloned */
	size_t pristine_len;
	struct sim_card *cards[FUZZ_SIM_OPTIONS]; /* NULL: not open */
	uint8_t rapdu[FUZZ_SIM_RAPDU];
} fuzz_sim;

static uint8_t *fuzz_sim_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rbe");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(fp);
	return buf;
}

/* fuzz_sim_restore: puts the state file back as cloned; true if it had changed. */
static bool fuzz_sim_restore(void)
{
	size_t len;
	uint8_t *now = fuzz_sim_slurp(fuzz_sim.state, &len);
	bool changed = now == NULL || len != fuzz_sim.pristine_len ||
		       memcmp(now, fuzz_sim.pristine, len) != 0;
	FILE *fp;

	free(now);
	if (!changed)
		return false;
	fp = fopen(fuzz_sim.state, "wbe");
	FUZZ_ASSERT(fp != NULL);
	FUZZ_ASSERT(fwrite(fuzz_sim.pristine, 1, fuzz_sim.pristine_len, fp) ==
		    fuzz_sim.pristine_len);
	FUZZ_ASSERT(fclose(fp) == 0);
	return true;
}

static void fuzz_sim_cleanup(void)
{
	for (size_t i = 0; i < FUZZ_SIM_OPTIONS; i++) {
		sim_card_close(fuzz_sim.cards[i]);
		fuzz_sim.cards[i] = NULL;
	}
	sim_fixture_remove(fuzz_sim.dir);
	free(fuzz_sim.state);
	free(fuzz_sim.pristine);
	fuzz_sim.dir = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t n;

	(void)argc;
	(void)argv;
	fuzz_sim.dir = sim_fixture_clone(NULL);
	if (fuzz_sim.dir == NULL)
		return 1;
	n = strlen(fuzz_sim.dir) + sizeof("/" SIM_FILE_STATE);
	fuzz_sim.state = malloc(n);
	if (fuzz_sim.state == NULL)
		return 1;
	snprintf(fuzz_sim.state, n, "%s/%s", fuzz_sim.dir, SIM_FILE_STATE);
	fuzz_sim.pristine = fuzz_sim_slurp(fuzz_sim.state, &fuzz_sim.pristine_len);
	if (fuzz_sim.pristine == NULL)
		return 1;
	atexit(fuzz_sim_cleanup);
	return 0;
}

static void fuzz_sim_options(unsigned byte, struct sim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->blocked_6983 = byte & 0x01;
	o->reselect_keeps_state = byte & 0x02;
	o->sign_pin_per_signature = byte & 0x04;
	o->accept_extended = byte & 0x08;
	o->answer_61xx = byte & 0x10;
	o->answer_6cxx = byte & 0x20;
	o->read_end = (byte & 0x40) != 0;
	o->ef_filler = byte & 0x80 ? 37 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size, 0};
	unsigned opts = fuzz_byte(&in), cap_byte = fuzz_byte(&in), field;
	size_t rcap = cap_byte == 0 ? FUZZ_SIM_RAPDU : cap_byte + 2, len, n;
	struct sim_options o;
	struct sim_card *card = fuzz_sim.cards[opts];
	const uint8_t *capdu;
	bool powered = true;
	uint16_t sw;

	if (card == NULL) {
		fuzz_sim_options(opts, &o);
		card = fuzz_sim.cards[opts] = sim_card_open(fuzz_sim.dir, &o);
		FUZZ_ASSERT(card != NULL);
	}
	sim_card_power(card, SIM_POWER_ON);
	while (fuzz_record(&in, &field, &capdu, &len)) {
		if (field >= FUZZ_RECORD_EVENT) {
			enum sim_power what = (enum sim_power)((field - FUZZ_RECORD_EVENT) % 3);
			sim_card_power(card, what);
			powered = what != SIM_POWER_OFF;
			continue;
		}
		n = sim_card_transmit(card, capdu, len, fuzz_sim.rapdu, rcap);
		FUZZ_ASSERT(n >= 2 && n <= rcap);
		sw = (uint16_t)(fuzz_sim.rapdu[n - 2] << 8 | fuzz_sim.rapdu[n - 1]);
		if (!powered)
			FUZZ_ASSERT(n == 2 && sw == 0x6F00);
		/* An empty VERIFY is the retry-counter query: never a success. */
		if (len == 4 && capdu[1] == 0x20)
			FUZZ_ASSERT(sw != 0x9000);
	}
	sim_card_power(card, SIM_POWER_OFF);
	if (fuzz_sim_restore())
		FUZZ_ASSERT(sim_card_reload(card) == 0);
	return 0;
}
