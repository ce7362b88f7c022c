/* Shared by the hardening tests (tests/hardening/): the two keys of a card
 * with their certificates' public keys, one signature checked with OpenSSL,
 * a watchdog, a clock.  Built on tests/p11/p11-card.h, so the same program
 * runs on the emulator in-process (sim) or over tests/stack (stack). */
#ifndef JPKI_TESTS_HARD_H
#define JPKI_TESTS_HARD_H

#include <openssl/evp.h>
#include <stdbool.h>

#include "p11-card.h"

/* A return value no module gives: the card answered, but the signature
 * does not verify with the certificate (the one outcome never allowed). */
#define HARD_WRONG_SIGNATURE (CKR_VENDOR_DEFINED | 0x5167)

/* One token of the card: its slot, PIN, signing key and public key. */
struct hard_key {
	const char *name; /* "auth" or "sign" */
	CK_SLOT_ID slot;
	const char *pin;
	CK_BYTE id;	      /* CKA_ID of its certificate and keys */
	bool context_login;   /* CKA_ALWAYS_AUTHENTICATE: a login per signature */
	CK_OBJECT_HANDLE key; /* valid while the token stays logged in */
	EVP_PKEY *pub;	      /* from the certificate */
};

/* hard_keys_init: fills auth and sign for the card's two tokens (no login,
 * no key handle yet); the certificates are read through the module (the
 * sign certificate after a login, in a session closed again, which logs the
 * token out).  Bails on failure. */
void hard_keys_init(struct p11_card *c, struct hard_key *auth, struct hard_key *sign);

/* hard_keys_free: frees the public keys. */
void hard_keys_free(struct hard_key *auth, struct hard_key *sign);

/* hard_login: logs the token in through session s (CKR_USER_ALREADY_LOGGED_IN
 * counts as done) and finds its private key.  Returns the C_Login or
 * lookup failure (CKR_KEY_HANDLE_INVALID when the key is not found). */
CK_RV hard_login(struct p11_card *c, CK_SESSION_HANDLE s, struct hard_key *k);

/* hard_sign: one signature of msg with k in session s (SHA256-RSA-PKCS,
 * context login when the key asks), checked against the certificate.
 * Returns CKR_OK only for a signature that verifies; the first failing
 * call's code; HARD_WRONG_SIGNATURE for a signature that does not verify. */
CK_RV hard_sign(struct p11_card *c, CK_SESSION_HANDLE s, const struct hard_key *k, const void *msg,
		size_t len);

/* hard_watchdog: the process prints "Bail out!" and exits 3 after seconds
 * (a deadlock fails the test instead of hanging it); 0 disarms. */
void hard_watchdog(unsigned seconds, const char *what);

/* hard_now: a monotonic clock in seconds. */
double hard_now(void);

/* hard_rv_name: a short name for the codes these tests expect. */
const char *hard_rv_name(CK_RV rv);

#endif
