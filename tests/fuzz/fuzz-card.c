/* Fuzz target card (docs/fuzzing.md): the card layer's response path.  The input is a flags
 * byte (fuzz-card-run.h) and then the card's answers, one record each
 * (fuzz.h), served in order whatever was asked: short and oversized reads,
 * 61xx/6Cxx chains, bad status words, resets and removals in mid-operation.
 */
#include "fuzz-card-run.h"

#include <stdio.h>
#include <stdlib.h>

static struct log fuzz_card_log;

static void fuzz_card_cleanup(void)
{
	log_close(&fuzz_card_log);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_card_log.fp = fopen("/dev/null", "we");
	fuzz_card_log.own_fp = fuzz_card_log.fp != NULL;
	atexit(fuzz_card_cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size, 0};
	unsigned flags = fuzz_byte(&in);
	struct fuzz_transport *ft = fuzz_transport_script(&in);

	fuzz_transport_pins(ft, fuzz_card_pins);
	fuzz_card_log.level =
		(flags & FUZZ_CARD_LOG) && fuzz_card_log.fp != NULL ? LOG_APDU : LOG_NONE;
	fuzz_card_run(fuzz_transport_base(ft), ft, &fuzz_card_log, flags);
	fuzz_transport_free(ft);
	return 0;
}
