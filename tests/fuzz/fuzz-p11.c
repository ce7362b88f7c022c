/* Fuzz target p11 (docs/fuzzing.md): the APDU response path through the whole PKCS#11 flow.
 * The module (pkcs11/ over src/) runs over the script transport: the input
 * is a flags byte (fuzz-p11-run.h), then the card's answers, one record each
 * (fuzz.h), served in order whatever was asked, and before each step of the
 * flow one control byte (fuzz-transport.h: the card stays, leaves, comes
 * back, is swapped or reset), read from the same stream where the step
 * falls.  Every call's return code, lengths, PIN tries and signatures are
 * checked (fuzz-p11-run.c) and so are the C-APDUs (fuzz-transport.c).
 */
#include "fuzz-p11-run.h"

struct fuzz_p11_input {
	struct fuzz_input in;
	struct fuzz_transport *ft;
};

static void fuzz_p11_control(void *ctx)
{
	struct fuzz_p11_input *fi = ctx;

	fuzz_transport_control(fi->ft, fuzz_byte(&fi->in));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_p11_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_p11_input fi = {.in = {data, size, 0}};
	unsigned flags = fuzz_byte(&fi.in);
	struct fuzz_p11_env env = {.step = fuzz_p11_control, .ctx = &fi};

	fi.ft = fuzz_transport_script(&fi.in);
	env.ft = fi.ft;
	fuzz_transport_pins(fi.ft, fuzz_p11_pins);
	fuzz_p11_backend_set(fuzz_transport_base(fi.ft));
	fuzz_p11_run(&env, flags);
	fuzz_p11_backend_set(NULL);
	fuzz_transport_free(fi.ft);
	return 0;
}
