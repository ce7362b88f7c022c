/* The PKCS#11 module's whole flow through its function list, as an
 * application drives it, with the promises checked after every call:
 * C_Initialize, the slot list, slot and token info of both tokens, a session
 * per token, every object found and every attribute read (length query, then
 * exact, then short buffers), C_Login (a malformed PIN first: nothing may
 * reach the card), each mechanism's C_SignInit / C_Sign (with the
 * context-specific login when the key wants it), C_SetPIN, C_Logout, slot
 * events (CKF_DONT_BLOCK), C_CloseAllSessions, C_Finalize.
 *
 * Run by the fuzz-p11 target over the script transport and by fuzz-seeds
 * over the emulator, so the seeds follow the same APDUs.  Before each step
 * the environment's step hook may move the card (fuzz_transport_control).
 */
#ifndef JPKI_TESTS_FUZZ_P11_RUN_H
#define JPKI_TESTS_FUZZ_P11_RUN_H

#include "fuzz-transport.h"

/* The PINs the flow uses: the emulator fixture's (tests/sim/sim.h), the new
 * ones C_SetPIN sets, and wrong ones of the right format. */
#define FUZZ_P11_AUTH_PIN	"1234"
#define FUZZ_P11_SIGN_PIN	"JPKITEST2026"
#define FUZZ_P11_NEW_AUTH_PIN	"4321"
#define FUZZ_P11_NEW_SIGN_PIN	"JPKITEST2027"
#define FUZZ_P11_WRONG_AUTH_PIN "9999"
#define FUZZ_P11_WRONG_SIGN_PIN "WRONG1PASS"

/* Flags, the first byte of a fuzz-p11 input. */
#define FUZZ_P11_OS_LOCKING 0x01 /* C_Initialize with CKF_OS_LOCKING_OK */
#define FUZZ_P11_NO_ALWAYS  0x02 /* settings: sign_always_authenticate = no */
#define FUZZ_P11_LOG	    0x04 /* JPKI_PKCS11_DEBUG at the APDU level (to /dev/null) */
#define FUZZ_P11_WRONG_PIN  0x08 /* a wrong PIN of the right format before the right one */
#define FUZZ_P11_SET_PIN    0x10 /* C_SetPIN on both tokens */
#define FUZZ_P11_SHORT_SIG  0x20 /* C_Sign into a short buffer before the right one */

extern const struct fuzz_pin fuzz_p11_pins[];

struct fuzz_p11_env {
	struct fuzz_transport *ft; /* the module's transport, for the checks (may be NULL) */
	void (*step)(void *ctx);   /* before each step: may move the card */
	void *ctx;
};

/* fuzz_p11_setup: the settings files the flags choose, in a temp dir
 * (removed by fuzz_p11_cleanup, registered with atexit). */
void fuzz_p11_setup(void);

/* fuzz_p11_backend_set: the transport the module's next C_Initialize gets
 * (fuzz-p11-backend.c); the module never frees it (its free is a no-op). */
void fuzz_p11_backend_set(struct transport *t);

/* fuzz_p11_run: the flow over the transport set with fuzz_p11_backend_set. */
void fuzz_p11_run(const struct fuzz_p11_env *env, unsigned flags);

#endif
