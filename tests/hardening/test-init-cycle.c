/* C_Initialize and C_Finalize cycled 1,000 times with a token present (the
 * emulator in-process): each cycle finds the card again, reads it and sees
 * both tokens, and one in a hundred also logs in and signs.  Under
 * make check-valgrind any leak or error of a cycle fails the test. */
#include <stdlib.h>
#include <string.h>

#include "hard.h"
#include "tap.h"

#define CYCLES 1000

int main(void)
{
	struct p11_card c;
	struct hard_key auth, sign;
	CK_SLOT_ID slots[8];
	CK_TOKEN_INFO info;
	CK_SESSION_HANDLE s;
	const char *env = getenv("JPKI_HARD_CYCLES");
	int cycles = env != NULL ? atoi(env) : CYCLES, i, init = 0, found = 0, signed_ok = 0,
	    signs = 0;
	CK_ULONG n;

	p11_card_open(&c, 1);
	hard_keys_init(&c, &auth, &sign);
	for (i = 0; i < cycles; i++) {
		if (c.f->C_Finalize(NULL) == CKR_OK && c.f->C_Initialize(NULL) == CKR_OK)
			init++;
		n = 8;
		if (c.f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n == 2 &&
		    c.f->C_GetTokenInfo(c.auth_slot, &info) == CKR_OK &&
		    (info.flags & CKF_TOKEN_INITIALIZED) != 0)
			found++;
		if (i % 100 == 0) {
			signs++;
			s = p11_card_session(&c, c.auth_slot, false);
			if (hard_login(&c, s, &auth) == CKR_OK &&
			    hard_sign(&c, s, &auth, "cycle", 5) == CKR_OK)
				signed_ok++;
			/* Sessions left open: C_Finalize must close them. */
		}
	}
	tap_is_int(init, cycles, "%d C_Finalize + C_Initialize cycles", cycles);
	tap_is_int(found, cycles, "... each finds both tokens of the card");
	tap_is_int(signed_ok, signs,
		   "... and signs after a login (%d times, sessions left "
		   "open for C_Finalize to close)",
		   signs);
	hard_keys_free(&auth, &sign);
	p11_card_close(&c);
	return tap_done();
}
