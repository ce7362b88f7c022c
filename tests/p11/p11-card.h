/* Shared by the contract tests that need a token: the same test binary runs
 * against three targets, chosen by JPKI_P11_TARGET:
 *
 *   sim (default)  $JPKI_SIM_MODULE over a fresh copy of $JPKI_SIM_FIXTURE
 *                  (a second card too when asked), APDU log in a temp dir;
 *   stack          $JPKI_MODULE over tests/stack (the shell test exports
 *                  PCSCLITE_CSOCK_NAME, JPKI_APDU_LOG, JPKI_AUTH_PIN, ...,
 *                  JPKI_STACK_DIR; JPKI_READER2 etc. with --second-card);
 *   softhsm        $JPKI_REF_MODULE, a SoftHSMv2 token set up like the
 *                  card (label $JPKI_REF_LABEL, PIN $JPKI_REF_PIN, RSA-2048
 *                  key and certificate with CKA_ID 01).
 *
 * Tests of what only the card does (labels, mechanisms, VERIFY counts,
 * removal) check p11_card.jpki / .sim and run only there; the others are
 * the semantics both share, and where SoftHSMv2 and the spec disagree the
 * test names the clause and follows the spec. */
#ifndef JPKI_TESTS_P11_CARD_H
#define JPKI_TESTS_P11_CARD_H

#include <stdbool.h>
#include <string.h>

#include "p11-test.h"

/* OpenSSL's (openssl/types.h), named here so that a test that checks no
 * signature needs no OpenSSL header. */
typedef struct evp_pkey_st EVP_PKEY;

#define AUTH_LABEL "JPKI Auth (4-digit PIN)"
#define SIGN_LABEL "JPKI Sign (6-16 char password)"

struct p11_card {
	struct p11 p11;
	CK_FUNCTION_LIST_PTR f;
	bool jpki; /* our module (sim or stack), not SoftHSMv2 */
	bool sim;  /* the in-process emulator: cards can be removed */
	bool softhsm;
	CK_SLOT_ID auth_slot, sign_slot; /* sign_slot only when jpki */
	char auth_pin[32], sign_pin[32];
	char auth_pin2[32]; /* the second card's (cards = 2) */
	const char *apdu_log; /* NULL for SoftHSMv2 */
	char *state_dirs[2];
	char log_path[256];
	/* "remove", "insert" or "reset" (by another process) the card in
	 * reader 0 or 1; 0 on success.  The emulator's jpki_sim_control, or
	 * over the stack tests/stack and card-roundtrip; NULL for SoftHSMv2. */
	int (*control)(const char *op, unsigned reader);
};

/* p11_card_open: loads the target, C_Initialize, finds the slots by token
 * label; cards = 2 gives the sim a second card (fixture2).  Bails on failure. */
void p11_card_open(struct p11_card *c, int cards);

/* p11_card_open_sim: p11_card_open for a test that runs on the emulator
 * only (it needs its switches, APDU log or files); on another target it
 * says so with why, closes again and returns false. */
bool p11_card_open_sim(struct p11_card *c, int cards, const char *why);

/* p11_card_close: C_Finalize, unload, remove the temp dirs. */
void p11_card_close(struct p11_card *c);

/* p11_card_verifies: VERIFY commands carrying a PIN that reached the
 * card(s) so far (the retry-counter query is not counted); -1 without a log. */
long p11_card_verifies(const struct p11_card *c);

/* p11_card_apdus: commands in the APDU log so far whose hex starts with
 * prefix ("" for every one; the "#" event lines are not commands); -1
 * without a log. */
long p11_card_apdus(const struct p11_card *c, const char *prefix);

/* p11_card_state_file: the bytes of a file of the emulated card's state
 * (card 0 or 1; e.g. SIM_FILE_AUTH, a certificate's DER), malloc'ed, its
 * length in *len.  Emulator only; bails if it cannot be read. */
unsigned char *p11_card_state_file(const struct p11_card *c, int card, const char *name, long *len);

/* p11_card_session: opens a session on the slot (RW when rw); bails on failure. */
CK_SESSION_HANDLE p11_card_session(const struct p11_card *c, CK_SLOT_ID slot, bool rw);

/* p11_card_find_one: the handle of the one object of this class and CKA_ID
 * (CK_INVALID_HANDLE if none or several). */
CK_OBJECT_HANDLE p11_card_find_one(const struct p11_card *c, CK_SESSION_HANDLE s,
				   CK_OBJECT_CLASS cls, CK_BYTE id);

/* p11_card_slot_by_label: the slot whose token has this label; bails if none. */
CK_SLOT_ID p11_card_slot_by_label(const struct p11_card *c, const char *label, int nth);

/* p11_card_public_key: the public key of the session's certificate with
 * this CKA_ID, read through the module (EVP_PKEY_free it); NULL if there is
 * none or it does not parse. */
EVP_PKEY *p11_card_public_key(const struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE id);

/* p11_card_key_verifies: whether sig is md's ("SHA256", ...) PKCS#1 v1.5
 * signature of msg under key. */
bool p11_card_key_verifies(EVP_PKEY *key, const char *md, const void *msg, size_t msg_len,
			   const CK_BYTE *sig, CK_ULONG sig_len);

/* p11_card_signature_ok: whether sig is md's PKCS#1 v1.5 signature of msg
 * under the public key of the session's certificate with this CKA_ID. */
bool p11_card_signature_ok(const struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE id,
			   const char *md, const void *msg, size_t msg_len, const CK_BYTE *sig,
			   CK_ULONG sig_len);

/* p11_pin: a C string as PKCS#11 wants it (the API is not const-correct;
 * modules never write PINs).  PIN(s) expands to the pointer and length. */
static inline CK_UTF8CHAR_PTR p11_pin(const char *s)
{
	CK_UTF8CHAR_PTR p;

	memcpy(&p, &s, sizeof(p));
	return p;
}
#define PIN(s) p11_pin(s), strlen(s)

/* p11_spec_or_ref: the answer expected: the spec's, except where SoftHSMv2
 * (the reference) is known to differ; each use names the clause. */
static inline CK_RV p11_spec_or_ref(const struct p11_card *c, CK_RV spec, CK_RV softhsm)
{
	return c->softhsm ? softhsm : spec;
}

#endif
