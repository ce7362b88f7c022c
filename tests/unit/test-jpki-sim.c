/* The card layer against the in-process emulator (tests/sim) through the
 * transport seam: every command and status-word outcome, each switch of
 * struct sim_options, and removal / insertion / reset.  Every operation
 * states the exact number of APDUs it must cost (sim_card_stats), so these
 * tests prove that the layer never sends an APDU whose answer it holds and
 * never sends more than the minimum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../tap.h"
#include "jpki.h"
#include "sim.h"
#include "textap.h"
#include "transport-sim.h"

#define AUTH_PIN SIM_DEFAULT_AUTH_PIN
#define SIGN_PIN SIM_DEFAULT_SIGN_PIN
#define TEXT_PIN SIM_DEFAULT_TEXT_PIN

#define INS_SELECT	 0xA4
#define INS_READ	 0xB0
#define INS_VERIFY	 0x20
#define INS_SIGN	 0x2A
#define INS_GET_RESPONSE 0xC0

/* One emulated card in one reader, and the card layer's context on it. */
struct env {
	char *dir;
	struct sim_card *card;
	struct transport *t;
	struct jpki_card *c;
	char log_path[64];
};

static void env_open(struct env *e, const struct sim_options *opt_in)
{
	struct sim_options opt = {0};

	memset(e, 0, sizeof(*e));
	if (opt_in != NULL)
		opt = *opt_in;
	e->dir = sim_fixture_clone(NULL);
	if (e->dir == NULL)
		tap_bail("cannot clone the fixture (JPKI_SIM_FIXTURE=%s)",
			 getenv("JPKI_SIM_FIXTURE") ? getenv("JPKI_SIM_FIXTURE") : "(unset)");
	snprintf(e->log_path, sizeof(e->log_path), "%s/apdu.log", e->dir);
	opt.log_path = e->log_path;
	e->card = sim_card_open(e->dir, &opt);
	if (e->card == NULL)
		tap_bail("cannot open the emulated card");
	e->t = transport_sim_new(&e->card, 1);
	if (e->t == NULL)
		tap_bail("out of memory");
	e->c = jpki_card_new(e->t, "JPKI Sim 00", NULL);
	if (e->c == NULL)
		tap_bail("out of memory");
	sim_card_stats_reset(e->card);
}

static void env_close(struct env *e)
{
	jpki_card_free(e->c);
	e->t->ops->free(e->t);
	sim_card_close(e->card);
	sim_fixture_remove(e->dir);
}

/* apdus: APDUs the card received since the last call (and restarts the count). */
static unsigned long apdus(struct env *e)
{
	unsigned long n = sim_card_stats(e->card)->apdus;

	sim_card_stats_reset(e->card);
	return n;
}

static unsigned long count_ins(struct env *e, uint8_t ins)
{
	return sim_card_stats(e->card)->by_ins[ins];
}

/* log_count: lines of the emulator's APDU log ("C-APDU -> [data] SW class")
 * whose status word starts with sw (e.g. "6C", "6984") or, when sw is NULL,
 * whose class is cls. */
static int log_count_match(struct env *e, const char *sw, const char *cls)
{
	char line[512], *last, *prev;
	int n = 0;
	FILE *fp = fopen(e->log_path, "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || (last = strrchr(line, ' ')) == NULL)
			continue;
		*last = '\0';
		prev = strrchr(line, ' ');
		if (prev == NULL)
			continue;
		if (sw != NULL ? strncmp(prev + 1, sw, strlen(sw)) == 0
			       : strcmp(last + 1, cls) == 0)
			n++;
	}
	fclose(fp);
	return n;
}

static int log_count(struct env *e, const char *sw)
{
	return log_count_match(e, sw, NULL);
}

static int log_count_class(struct env *e, const char *cls)
{
	return log_count_match(e, NULL, cls);
}

/* get_response_checked: in the emulator's APDU log, every answer 61xx
 * followed by the next command; *announced counts them, and the return
 * value those whose next command is not GET RESPONSE with Le = xx exactly
 * (00 C0 00 00 xx; 6100 means 256 or more, so Le 00); -1 without a log. */
static int get_response_checked(struct env *e, int *announced)
{
	char line[512], want[16] = "", *arrow, *cls, *sw;
	int bad = 0;
	FILE *fp = fopen(e->log_path, "r");

	*announced = 0;
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		arrow = strstr(line, " -> ");
		if (line[0] == '#' || arrow == NULL)
			continue;
		*arrow = '\0'; /* line: the C-APDU in hex */
		if (want[0] != '\0' && strcmp(line, want) != 0)
			bad++;
		want[0] = '\0';
		cls = strrchr(arrow + 4, ' '); /* "... SW class" */
		if (cls == NULL)
			continue;
		*cls = '\0';
		sw = strrchr(arrow + 4, ' ');
		sw = sw != NULL ? sw + 1 : arrow + 4;
		if (strlen(sw) == 4 && strncmp(sw, "61", 2) == 0) {
			(*announced)++;
			snprintf(want, sizeof(want), "00C00000%s", sw + 2);
		}
	}
	fclose(fp);
	return bad + (want[0] != '\0'); /* a 61xx left unfetched counts as wrong */
}

/* file_der: the certificate the emulator serves, from its state dir. */
static uint8_t *file_der(struct env *e, const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf = malloc(JPKI_CERT_MAX);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	fp = fopen(path, "rb");
	if (fp == NULL || buf == NULL)
		tap_bail("cannot read %s", path);
	*len = fread(buf, 1, JPKI_CERT_MAX, fp);
	fclose(fp);
	return buf;
}

static unsigned long reads_for(size_t len)
{
	return (unsigned long)((len + 255) / 256);
}

/* sha256_digest_info: the DER DigestInfo of SHA-256(msg). */
static size_t sha256_digest_info(const char *msg, uint8_t out[51])
{
	static const uint8_t prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x01, 0x05, 0x00, 0x04, 0x20};
	unsigned int n = 0;

	memcpy(out, prefix, sizeof(prefix));
	if (EVP_Digest(msg, strlen(msg), out + sizeof(prefix), &n, EVP_sha256(), NULL) != 1)
		tap_bail("SHA-256 failed");
	return sizeof(prefix) + n;
}

/* sig_verifies: sha256WithRSAEncryption over msg verifies with the certificate's key. */
static bool sig_verifies(const uint8_t *der, size_t der_len, const char *msg, const uint8_t *sig,
			 size_t sig_len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)der_len);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = false;

	if (x != NULL && md != NULL &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(x)) == 1 &&
	    EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)msg, strlen(msg)) == 1)
		ok = true;
	EVP_MD_CTX_free(md);
	X509_free(x);
	return ok;
}

/* sign_msg: signs SHA-256(msg) with the key; the card layer's error. */
static enum card_error sign_msg(struct env *e, enum jpki_key key, const char *msg, uint8_t *sig,
				size_t *sig_len)
{
	uint8_t di[51];
	size_t n = sha256_digest_info(msg, di);

	return jpki_sign(e->c, key, di, n, sig, JPKI_SIG_MAX, sig_len);
}

static void detect_ok(struct env *e)
{
	enum jpki_kind kind;

	if (jpki_detect(e->c, &kind, NULL) != CARD_OK || kind != JPKI_KIND_MYNUMBER)
		tap_bail("detect failed");
	apdus(e);
}

/* ---- every command ---- */

static void test_detect(void)
{
	struct env e;
	enum jpki_kind kind;
	char label[JPKI_LABEL_MAX + 1];

	env_open(&e, NULL);
	tap_is_int(jpki_detect(e.c, &kind, label), CARD_OK, "detect: ok");
	tap_ok(kind == JPKI_KIND_MYNUMBER && strcmp(label, "JPKIAPICCTOKEN2") == 0,
	       "detect: My Number Card, label JPKIAPICCTOKEN2");
	tap_is_int(apdus(&e), 3,
		   "detect at the MF: 3 APDUs (the probe: 6A82, SELECT AP, READ 32 of EF 0006 by "
		   "SFI)");
	tap_is_int(jpki_detect(e.c, &kind, label), CARD_OK, "detect again: ok");
	tap_is_int(apdus(&e), 0, "detect again: 0 APDUs (cached)");
	/* Another context (another process) finds the JPKI AP current. */
	{
		struct jpki_card *c2 = jpki_card_new(e.t, "JPKI Sim 00", NULL);

		tap_ok(c2 != NULL && jpki_detect(c2, &kind, label) == CARD_OK &&
			       kind == JPKI_KIND_MYNUMBER && strcmp(label, "JPKIAPICCTOKEN2") == 0,
		       "second context: detected");
		tap_is_int(count_ins(&e, INS_SELECT), 0, "second context: no SELECT");
		tap_is_int(apdus(&e), 1, "second context: 1 APDU (the probe reads the label)");
		jpki_card_free(c2);
	}
	env_close(&e);
}

static void test_certs(void)
{
	static const struct {
		enum jpki_cert id;
		const char *file;
	} certs[] = {
		{JPKI_CERT_AUTH, SIM_FILE_AUTH},
		{JPKI_CERT_AUTH_CA, SIM_FILE_AUTH_CA},
		{JPKI_CERT_SIGN_CA, SIM_FILE_SIGN_CA},
	};
	struct env e;
	uint8_t *der, *want;
	size_t len, want_len, i;

	env_open(&e, NULL);
	/* From a fresh context: SELECT AP + the READs, the first by SFI. */
	want = file_der(&e, SIM_FILE_AUTH, &want_len);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len), CARD_OK,
		   "auth cert from a fresh context: ok");
	tap_is_mem(der, len, want, want_len, "auth cert: byte for byte the emulator's (%zu bytes)",
		   want_len);
	tap_is_int(apdus(&e), 2 + reads_for(want_len),
		   "auth cert, fresh: probe + SELECT AP + %lu READs (the first by SFI)",
		   reads_for(want_len));
	free(der);
	free(want);
	env_close(&e);

	env_open(&e, NULL);
	detect_ok(&e);
	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		want = file_der(&e, certs[i].file, &want_len);
		tap_is_int(jpki_read_cert(e.c, certs[i].id, &der, &len), CARD_OK, "%s: read",
			   certs[i].file);
		tap_is_mem(der, len, want, want_len, "%s: byte for byte", certs[i].file);
		tap_is_int(apdus(&e), reads_for(want_len), "%s: %lu READs, the first by SFI",
			   certs[i].file, reads_for(want_len));
		free(der);
		tap_is_int(jpki_read_cert(e.c, certs[i].id, &der, &len), CARD_OK, "%s: again",
			   certs[i].file);
		tap_is_mem(der, len, want, want_len, "%s: same bytes again", certs[i].file);
		tap_is_int(apdus(&e), 0, "%s: second read 0 APDUs", certs[i].file);
		free(der);
		free(want);
	}

	/* The sign certificate: refused before the sign PIN, readable after. */
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_SIGN, &der, &len), CARD_E_NOT_LOGGED_IN,
		   "sign cert before the sign PIN: not logged in");
	tap_ok(der == NULL && len == 0, "sign cert refused: nothing returned");
	tap_is_int(apdus(&e), 3, "sign cert refused: READ by SFI, then SELECT + READ (6982)");
	tap_is_int(log_count(&e, "6982"), 2, "emulator log: 6982 both ways");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, SIGN_PIN, NULL), CARD_OK, "sign PIN ok");
	tap_is_int(apdus(&e), 2, "verify sign PIN (AP selected): SELECT 001B + VERIFY");
	want = file_der(&e, SIM_FILE_SIGN, &want_len);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_SIGN, &der, &len), CARD_OK,
		   "sign cert after the sign PIN: ok");
	tap_is_mem(der, len, want, want_len, "sign cert: byte for byte");
	tap_is_int(apdus(&e), reads_for(want_len), "sign cert: %lu READs, still by SFI",
		   reads_for(want_len));
	free(der);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_SIGN, &der, &len), CARD_OK, "sign cert again");
	tap_is_int(apdus(&e), 0, "sign cert again: 0 APDUs");
	free(der);
	free(want);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_COUNT, &der, &len), CARD_E_ARGUMENTS,
		   "unknown certificate: arguments");
	tap_is_int(apdus(&e), 0, "unknown certificate: 0 APDUs");
	env_close(&e);
}

static void test_pin_status(void)
{
	struct env e;
	int tries;

	env_open(&e, NULL);
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, false, &tries), CARD_OK,
		   "auth PIN status, fresh: ok");
	tap_is_int(tries, 3, "auth PIN: 3 tries");
	tap_is_int(apdus(&e), 3, "auth status, fresh: probe + SELECT AP + empty VERIFY by SFI 18");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, false, &tries), CARD_OK, "again");
	tap_is_int(tries, 3, "again: 3 tries");
	tap_is_int(apdus(&e), 0, "auth status again: 0 APDUs (cached)");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_SIGN, false, &tries), CARD_OK, "sign status");
	tap_is_int(tries, 5, "sign password: 5 tries");
	tap_is_int(apdus(&e), 1, "sign status: empty VERIFY by SFI 1B");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, true, &tries), CARD_OK, "refresh");
	tap_is_int(tries, 3, "refresh: 3 tries");
	tap_is_int(apdus(&e), 1, "refresh: empty VERIFY by SFI 18");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_TEXT, false, &tries), CARD_OK, "text status");
	tap_is_int(tries, 3, "text PIN: 3 tries");
	tap_is_int(apdus(&e), 3, "text status: SELECT text AP + SELECT 0011 + empty VERIFY");
	tap_is_int(log_count_class(&e, "pin-query"), 4, "emulator log: 4 retry queries in all");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_COUNT, false, &tries), CARD_E_ARGUMENTS,
		   "unknown PIN: arguments");
	tap_is_int(apdus(&e), 0, "unknown PIN: 0 APDUs");
	env_close(&e);
}

/* exhaust: wrong PINs down to blocked, then one more (blocked_sw: the card's answer). */
static void exhaust(struct env *e, enum jpki_pin pin, const char *wrong, int max,
		    const char *blocked_sw)
{
	int tries, n, logged = log_count(e, blocked_sw);
	/* The text PIN's EF 0011 is also in the visual AP: its VERIFY and its
	 * status query follow a SELECT of the text AP in the same transaction. */
	int verify = pin == JPKI_PIN_TEXT ? 3 : 2;

	for (n = max - 1; n >= 1; n--) {
		tap_is_int(jpki_verify_pin(e->c, pin, wrong, &tries), CARD_E_PIN_WRONG,
			   "wrong PIN: wrong");
		tap_is_int(tries, n, "wrong PIN: %d tries left", n);
		tap_is_int(apdus(e), verify, "wrong PIN: (SELECT AP +) SELECT + VERIFY");
		tap_is_int(jpki_pin_status(e->c, pin, false, &tries), CARD_OK, "status");
		tap_is_int(tries, n, "status after a wrong PIN: %d, cached", n);
		tap_is_int(apdus(e), 0, "status after VERIFY: 0 APDUs");
	}
	tap_is_int(jpki_verify_pin(e->c, pin, wrong, &tries), CARD_E_PIN_BLOCKED,
		   "last wrong PIN (63C0): blocked");
	tap_is_int(tries, 0, "last wrong PIN: 0 tries");
	tap_is_int(apdus(e), verify, "last wrong PIN: (SELECT AP +) SELECT + VERIFY");
	tap_is_int(jpki_verify_pin(e->c, pin, wrong, &tries), CARD_E_PIN_BLOCKED,
		   "blocked (%s): blocked", blocked_sw);
	tap_is_int(tries, 0, "blocked: 0 tries");
	tap_is_int(jpki_verify_pin(e->c, pin, NULL, &tries) == CARD_E_PIN_FORMAT ? 1 : 0, 1,
		   "NULL PIN: format");
	tap_is_int(apdus(e), verify,
		   "blocked VERIFY: (SELECT AP +) SELECT + VERIFY; the NULL PIN none");
	tap_is_int(jpki_pin_status(e->c, pin, true, &tries), CARD_OK, "status of a blocked PIN");
	tap_is_int(tries, 0, "status of a blocked PIN: 0 (63C0)");
	tap_is_int(apdus(e), pin == JPKI_PIN_TEXT ? verify : 1,
		   "status refresh: by SFI (JPKI PINs), or SELECT AP + SELECT + empty VERIFY");
	tap_is_int(log_count(e, blocked_sw) - logged, 1, "emulator log: one more %s", blocked_sw);
}

static void test_verify(void)
{
	struct env e;
	int tries;

	env_open(&e, NULL);
	detect_ok(&e);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, "12a4", &tries), CARD_E_PIN_FORMAT,
		   "malformed auth PIN: format");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, "", &tries), CARD_E_PIN_FORMAT,
		   "empty auth PIN: format");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, "ABC12", &tries), CARD_E_PIN_FORMAT,
		   "5-character sign password: format");
	tap_is_int(apdus(&e), 0, "malformed PINs: 0 APDUs");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, "0000", &tries), CARD_E_PIN_WRONG,
		   "wrong auth PIN: wrong");
	tap_is_int(tries, 2, "wrong auth PIN: 2 left");
	tap_is_int(apdus(&e), 2, "wrong auth PIN: SELECT 0018 + VERIFY");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH), "not verified after a wrong PIN");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK,
		   "right auth PIN: ok");
	tap_is_int(tries, 3, "right auth PIN: counter refilled to 3");
	tap_is_int(apdus(&e), 2, "right auth PIN: SELECT 0018 + VERIFY");
	tap_ok(jpki_is_verified(e.c, JPKI_PIN_AUTH), "auth verified");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_SIGN), "sign not verified by the auth PIN");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, false, &tries), CARD_OK, "status");
	tap_is_int(tries, 3, "status after success: 3");
	tap_is_int(apdus(&e), 0, "status after success: 0 APDUs");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, "jpkitest2026", &tries), CARD_OK,
		   "sign password in lower case: upper-cased, ok");
	tap_is_int(apdus(&e), 2, "sign password: SELECT 001B + VERIFY");
	jpki_forget_pin(e.c, JPKI_PIN_SIGN);
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_SIGN), "forget_pin: not verified");
	tap_is_int(apdus(&e), 0, "forget_pin: 0 APDUs");

	exhaust(&e, JPKI_PIN_AUTH, "9999", 3, "6984");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_E_PIN_BLOCKED,
		   "right PIN on a blocked key: still blocked");
	tap_is_int(apdus(&e), 2, "right PIN on a blocked key: SELECT + VERIFY");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH), "blocked: not verified");
	exhaust(&e, JPKI_PIN_SIGN, "WRONG1", 5, "6984");
	env_close(&e);

	/* The text PIN down to blocked, through the text AP. */
	env_open(&e, NULL);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_TEXT, "0000", &tries), CARD_E_PIN_WRONG,
		   "wrong text PIN: wrong");
	tap_is_int(tries, 2, "wrong text PIN: 2 left");
	tap_is_int(apdus(&e), 3, "wrong text PIN, fresh: SELECT text AP + SELECT 0011 + VERIFY");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_TEXT, "0000", &tries), CARD_E_PIN_WRONG,
		   "wrong text PIN: wrong");
	apdus(&e);
	exhaust(&e, JPKI_PIN_TEXT, "0000", 1, "6984");
	env_close(&e);
}

static void test_sign(void)
{
	struct env e;
	uint8_t sig[JPKI_SIG_MAX], di[51], *der;
	size_t sig_len, der_len, n;
	int tries;

	/* Login + sign from a fresh insertion: 5 APDUs (the key named by SFI). */
	env_open(&e, NULL);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK,
		   "fresh: auth PIN ok");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "hello auth", sig, &sig_len), CARD_OK,
		   "sign with the auth key: ok");
	tap_is_int(sig_len, 256, "auth signature: 256 bytes");
	tap_is_int(apdus(&e), 5,
		   "login + sign from a fresh insertion: 5 APDUs (probe, SELECT AP, SELECT 0018, "
		   "VERIFY, SIGN with P2 97)");
	if (jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &der_len) != CARD_OK)
		tap_bail("auth cert");
	apdus(&e);
	tap_ok(sig_verifies(der, der_len, "hello auth", sig, sig_len),
	       "auth signature verifies with the auth certificate's key (EVP)");
	tap_ok(!sig_verifies(der, der_len, "hello other", sig, sig_len),
	       "and not for another message");
	free(der);
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "second", sig, &sig_len), CARD_OK,
		   "second auth signature, no new VERIFY: ok");
	tap_is_int(apdus(&e), 1, "second signature: SIGN, the key by SFI");
	tap_is_int(count_ins(&e, INS_VERIFY), 0, "second signature: no VERIFY");

	/* The sign key: refused before its PIN, then signs. */
	tap_is_int(sign_msg(&e, JPKI_KEY_SIGN, "hello sign", sig, &sig_len), CARD_E_NOT_LOGGED_IN,
		   "sign key before the sign PIN: not logged in");
	tap_is_int(apdus(&e), 1, "refused signature: SIGN with P2 9A (6982)");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, SIGN_PIN, &tries), CARD_OK, "sign PIN");
	apdus(&e);
	tap_is_int(sign_msg(&e, JPKI_KEY_SIGN, "hello sign", sig, &sig_len), CARD_OK,
		   "sign with the sign key: ok");
	tap_is_int(apdus(&e), 1, "sign key: SIGN with P2 9A");
	if (jpki_read_cert(e.c, JPKI_CERT_SIGN, &der, &der_len) != CARD_OK)
		tap_bail("sign cert");
	tap_ok(sig_verifies(der, der_len, "hello sign", sig, sig_len),
	       "sign signature verifies with the sign certificate's key (EVP)");
	free(der);
	if (jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &der_len) != CARD_OK)
		tap_bail("auth cert");
	tap_ok(!sig_verifies(der, der_len, "hello sign", sig, sig_len),
	       "and not with the auth certificate's key");
	free(der);
	apdus(&e);

	/* Arguments: nothing is sent. */
	n = sha256_digest_info("x", di);
	tap_is_int(jpki_sign(e.c, JPKI_KEY_AUTH, di, 0, sig, sizeof(sig), &sig_len),
		   CARD_E_ARGUMENTS, "empty input: arguments");
	tap_is_int(jpki_sign(e.c, JPKI_KEY_AUTH, di, n, sig, 255, &sig_len), CARD_E_ARGUMENTS,
		   "255-byte buffer: arguments");
	tap_is_int(jpki_sign(e.c, JPKI_KEY_COUNT, di, n, sig, sizeof(sig), &sig_len),
		   CARD_E_ARGUMENTS, "unknown key: arguments");
	{
		uint8_t big[246];
		memset(big, 1, sizeof(big));
		tap_is_int(jpki_sign(e.c, JPKI_KEY_AUTH, big, 246, sig, sizeof(sig), &sig_len),
			   CARD_E_ARGUMENTS, "246-byte input: arguments");
		tap_is_int(jpki_sign(e.c, JPKI_KEY_AUTH, big, 245, sig, sizeof(sig), &sig_len),
			   CARD_OK, "245-byte input: signed");
	}
	tap_is_int(apdus(&e), 1, "bad arguments sent nothing; the 245-byte one SIGN by SFI");
	env_close(&e);

	/* Grouped in one transaction: still 5. */
	env_open(&e, NULL);
	tap_is_int(jpki_op_begin(e.c), CARD_OK, "begin");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, SIGN_PIN, &tries), CARD_OK, "sign PIN");
	tap_is_int(sign_msg(&e, JPKI_KEY_SIGN, "grouped", sig, &sig_len), CARD_OK, "signed");
	jpki_op_end(e.c);
	tap_is_int(apdus(&e), 5, "login + sign in one transaction: 5 APDUs (probe at the MF)");
	env_close(&e);
}

static void test_change_pin(void)
{
	struct env e;
	int tries;

	env_open(&e, NULL);
	detect_ok(&e);
	tap_is_int(jpki_change_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, "12345", &tries),
		   CARD_E_PIN_FORMAT, "new auth PIN of 5 digits: format");
	tap_is_int(jpki_change_pin(e.c, JPKI_PIN_SIGN, SIGN_PIN, "ABCDEFG", &tries),
		   CARD_E_PIN_FORMAT, "new sign password without a digit: format");
	tap_is_int(apdus(&e), 0, "bad new PINs: 0 APDUs");
	tap_is_int(jpki_change_pin(e.c, JPKI_PIN_AUTH, "0000", "4321", &tries), CARD_E_PIN_WRONG,
		   "change with a wrong old PIN: wrong");
	tap_is_int(tries, 2, "wrong old PIN: 2 left");
	tap_is_int(apdus(&e), 2, "wrong old PIN: SELECT + VERIFY, no CHANGE");
	tap_is_int(jpki_change_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, "4321", &tries), CARD_OK,
		   "change auth PIN: ok");
	tap_is_int(apdus(&e), 3, "change auth PIN: SELECT 0018 + VERIFY + CHANGE");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_E_PIN_WRONG,
		   "old auth PIN now wrong");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, "4321", &tries), CARD_OK,
		   "new auth PIN verifies");
	tap_is_int(tries, 3, "new auth PIN: 3 tries");
	tap_is_int(jpki_change_pin(e.c, JPKI_PIN_AUTH, "4321", AUTH_PIN, &tries), CARD_OK,
		   "change back");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK,
		   "original auth PIN verifies again");
	apdus(&e);
	tap_is_int(jpki_change_pin(e.c, JPKI_PIN_SIGN, SIGN_PIN, "newpass99", &tries), CARD_OK,
		   "change sign password (lower case given): ok");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, "NEWPASS99", &tries), CARD_OK,
		   "new sign password verifies (stored upper case)");
	tap_is_int(jpki_change_pin(e.c, JPKI_PIN_TEXT, TEXT_PIN, "1111", &tries), CARD_OK,
		   "change text PIN: ok");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_TEXT, "1111", &tries), CARD_OK,
		   "new text PIN verifies");
	tap_is_int(apdus(&e), 3 + 2 + 4 + 3,
		   "sign change 3 + verify 2 + text change 4 (SELECT AP) + verify 3 (SELECT AP) "
		   "APDUs");
	env_close(&e);
}

static void test_textap(void)
{
	struct env e;
	struct textap_info info;
	int tries;

	env_open(&e, NULL);
	detect_ok(&e);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK, "auth PIN");
	apdus(&e);
	tap_is_int(textap_read(e.c, "12x4", true, &info, &tries), CARD_E_PIN_FORMAT,
		   "malformed text PIN: format");
	tap_is_int(apdus(&e), 0, "malformed text PIN: 0 APDUs");
	tap_is_int(textap_read(e.c, "0000", true, &info, &tries), CARD_E_PIN_WRONG,
		   "wrong text PIN: wrong");
	tap_is_int(tries, 2, "wrong text PIN: 2 left");
	tap_is_int(apdus(&e), 3, "wrong text PIN: SELECT AP + SELECT 0011 + VERIFY");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH),
	       "after selecting the text AP the auth PIN is no longer believed verified");
	tap_is_int(textap_read(e.c, TEXT_PIN, false, &info, &tries), CARD_OK, "My Number only");
	tap_ok(strcmp(info.mynumber, SIM_DEFAULT_MYNUMBER) == 0, "My Number %s", info.mynumber);
	tap_ok(info.name == NULL, "no basic info asked, none given");
	tap_is_int(apdus(&e), 5,
		   "My Number: SELECT AP + SELECT 0011 + VERIFY + SELECT 0001 + READ");
	textap_info_free(&info);
	tap_is_int(textap_read(e.c, TEXT_PIN, true, &info, &tries), CARD_OK, "My Number + 4 info");
	tap_ok(strcmp(info.mynumber, SIM_DEFAULT_MYNUMBER) == 0, "My Number again");
	tap_ok(info.name != NULL && strcmp(info.name, SIM_DEFAULT_NAME) == 0, "name");
	tap_ok(info.address != NULL && strcmp(info.address, SIM_DEFAULT_ADDRESS) == 0, "address");
	tap_ok(strcmp(info.birth, SIM_DEFAULT_BIRTH) == 0, "birth date %s", info.birth);
	tap_ok(info.sex[0] == SIM_DEFAULT_SEX && info.sex[1] == '\0', "sex %s", info.sex);
	tap_is_int(apdus(&e), 7,
		   "4 info: SELECT AP + SELECT 0011 + VERIFY + SELECT 0001 + READ + SELECT 0002 + "
		   "READ");
	textap_info_free(&info);
	/* Back to the JPKI AP: selected again, and the auth PIN is needed again. */
	{
		uint8_t sig[JPKI_SIG_MAX];
		size_t sig_len;
		tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "after text", sig, &sig_len),
			   CARD_E_NOT_LOGGED_IN, "auth key after the text AP: not logged in");
		tap_is_int(apdus(&e), 2, "SELECT JPKI AP + SIGN by SFI (6982)");
	}
	env_close(&e);
}

/* ---- each switch of struct sim_options ---- */

static void test_blocked_6983(void)
{
	struct sim_options opt = {.blocked_6983 = true};
	struct env e;

	env_open(&e, &opt);
	detect_ok(&e);
	exhaust(&e, JPKI_PIN_AUTH, "9999", 3, "6983");
	env_close(&e);
}

static void test_reselect(bool keeps)
{
	struct sim_options opt = {.reselect_keeps_state = keeps};
	struct textap_info info;
	uint8_t sig[JPKI_SIG_MAX];
	size_t sig_len;
	struct env e;
	int tries;

	env_open(&e, &opt);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK,
		   "reselect_keeps_state=%d: auth PIN", keeps);
	tap_is_int(textap_read(e.c, TEXT_PIN, false, &info, &tries), CARD_OK, "text AP read");
	textap_info_free(&info);
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH),
	       "reselect_keeps_state=%d: the layer does not rely on the state surviving", keeps);
	apdus(&e);
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "reselect", sig, &sig_len),
		   keeps ? CARD_OK : CARD_E_NOT_LOGGED_IN,
		   "reselect_keeps_state=%d: sign after re-selecting the JPKI AP: %s", keeps,
		   keeps ? "the card still signs" : "not logged in (6982)");
	tap_is_int(apdus(&e), 2, "SELECT JPKI AP + SIGN by SFI");
	tap_is_int(count_ins(&e, INS_VERIFY), 0, "no VERIFY sent by the layer on its own");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH), "still not believed verified");
	env_close(&e);
}

static void test_sign_pin_per_signature(void)
{
	struct sim_options opt = {.sign_pin_per_signature = true};
	uint8_t sig[JPKI_SIG_MAX];
	size_t sig_len;
	struct env e;
	int tries;

	env_open(&e, &opt);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, SIGN_PIN, &tries), CARD_OK,
		   "per-signature: sign PIN");
	tap_is_int(sign_msg(&e, JPKI_KEY_SIGN, "one", sig, &sig_len), CARD_OK,
		   "per-signature: first signature");
	tap_is_int(apdus(&e), 5, "per-signature: probe + login + sign 5 APDUs");
	tap_is_int(sign_msg(&e, JPKI_KEY_SIGN, "two", sig, &sig_len), CARD_E_NOT_LOGGED_IN,
		   "per-signature: second signature refused (6982) and reported");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_SIGN), "per-signature: logged out after 6982");
	tap_is_int(apdus(&e), 1, "per-signature: SIGN by SFI, no VERIFY");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_SIGN, SIGN_PIN, &tries), CARD_OK, "PIN again");
	tap_is_int(sign_msg(&e, JPKI_KEY_SIGN, "three", sig, &sig_len), CARD_OK,
		   "per-signature: signs after a new VERIFY");
	tap_is_int(apdus(&e), 3, "VERIFY again + sign: SELECT 001B, VERIFY, SIGN by SFI");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK, "auth PIN");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "a1", sig, &sig_len), CARD_OK, "auth sig 1");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "a2", sig, &sig_len), CARD_OK,
		   "per-signature applies to the sign key only: auth sig 2");
	env_close(&e);
}

/* full_flow: detect, four certificates, auth login + sign; the APDU count. */
static unsigned long full_flow(struct env *e, const char *what)
{
	static const enum jpki_cert ids[] = {JPKI_CERT_AUTH, JPKI_CERT_AUTH_CA, JPKI_CERT_SIGN_CA,
					     JPKI_CERT_SIGN};
	uint8_t *der, sig[JPKI_SIG_MAX];
	size_t len, sig_len, i;
	enum jpki_kind kind;
	bool ok = true;
	int tries;

	ok &= jpki_detect(e->c, &kind, NULL) == CARD_OK;
	ok &= jpki_verify_pin(e->c, JPKI_PIN_SIGN, SIGN_PIN, &tries) == CARD_OK;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ok &= jpki_read_cert(e->c, ids[i], &der, &len) == CARD_OK;
		free(der);
	}
	ok &= jpki_verify_pin(e->c, JPKI_PIN_AUTH, AUTH_PIN, &tries) == CARD_OK;
	ok &= sign_msg(e, JPKI_KEY_AUTH, "flow", sig, &sig_len) == CARD_OK;
	ok &= sign_msg(e, JPKI_KEY_SIGN, "flow", sig, &sig_len) == CARD_OK;
	tap_ok(ok, "%s: detect, 4 certs, 2 PINs, 2 signatures all ok", what);
	return apdus(e);
}

static unsigned long full_flow_min(struct env *e)
{
	size_t a, s, ac, sc;
	uint8_t *d;

	free(file_der(e, SIM_FILE_AUTH, &a));
	free(file_der(e, SIM_FILE_SIGN, &s));
	free(file_der(e, SIM_FILE_AUTH_CA, &ac));
	d = file_der(e, SIM_FILE_SIGN_CA, &sc);
	free(d);
	/* detect 3 at the MF (the probe, SELECT AP, EF 0006 by SFI); sign PIN 2; certs:
	 * READs, the first by SFI; auth PIN 2; 2 x SIGN with the key by SFI. */
	return 3 + 2 + reads_for(a) + reads_for(s) + reads_for(ac) + reads_for(sc) + 2 + 2;
}

static void test_extended(void)
{
	struct sim_options on = {.accept_extended = true}, off = {.accept_extended = false};
	unsigned long n_on, n_off, min;
	struct env e;

	env_open(&e, &off);
	min = full_flow_min(&e);
	n_off = full_flow(&e, "extended refused");
	tap_is_int(n_off, min, "extended refused: %lu APDUs, the minimum", min);
	tap_is_int(log_count(&e, "6700"), 0, "extended refused: no 6700 in the log");
	env_close(&e);
	env_open(&e, &on);
	n_on = full_flow(&e, "extended accepted");
	tap_is_int(n_on, min, "extended accepted: the same %lu APDUs (short ones only)", min);
	env_close(&e);
}

/* A card that refuses READ BINARY by SFI: one refused try at detection,
 * then SELECT + READ for every EF of that insertion. */
static void test_no_sfi(void)
{
	struct sim_options opt = {.no_sfi = true};
	struct env e;

	env_open(&e, &opt);
	tap_is_int(full_flow(&e, "no SFI"), full_flow_min(&e) + 2 + 4,
		   "no SFI: the minimum + 1 refused try + SELECT 0006 + 4 certificate SELECTs");
	tap_is_int(log_count(&e, "6A86"), 2,
		   "no SFI: the probe (not counted as a refusal), then asked once");
	env_close(&e);
}

static void test_ef_filler(void)
{
	struct sim_options opt = {.ef_filler = 700};
	uint8_t *der, *want;
	size_t len, want_len;
	struct env e;

	env_open(&e, &opt);
	detect_ok(&e);
	want = file_der(&e, SIM_FILE_AUTH, &want_len);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len), CARD_OK, "filler: auth cert");
	tap_is_mem(der, len, want, want_len, "filler: exactly the DER, no filler");
	tap_is_int(apdus(&e), reads_for(want_len),
		   "filler 700 bytes: still %lu READs (never past the DER)", reads_for(want_len));
	free(der);
	free(want);
	env_close(&e);
	env_open(&e, &opt);
	tap_is_int(full_flow(&e, "filler"), full_flow_min(&e), "filler: full flow minimum");
	env_close(&e);
}

static void test_61xx(void)
{
	struct sim_options opt = {.answer_61xx = true};
	struct textap_info info;
	uint8_t *der, *want;
	size_t len, want_len;
	unsigned long min, n;
	struct env e;
	int tries;

	env_open(&e, &opt);
	detect_ok(&e);
	want = file_der(&e, SIM_FILE_AUTH, &want_len);
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len), CARD_OK, "61xx: auth cert");
	tap_is_mem(der, len, want, want_len, "61xx: byte for byte");
	n = count_ins(&e, INS_GET_RESPONSE);
	tap_is_int(n, reads_for(want_len), "61xx: one GET RESPONSE per READ (%lu)",
		   reads_for(want_len));
	tap_is_int(apdus(&e), 2 * reads_for(want_len), "61xx: %lu x (READ + GET RESPONSE)",
		   reads_for(want_len));
	free(der);
	free(want);
	env_close(&e);

	env_open(&e, &opt);
	min = full_flow_min(&e);
	/* Each data answer costs one GET RESPONSE: detect 1, certs 1 per READ, 2 signatures. */
	n = full_flow(&e, "61xx");
	tap_is_int(n, min + (min - 3 - 2 - 2 - 2) + 1 + 2,
		   "61xx full flow: the minimum plus one GET RESPONSE per data answer");
	tap_is_int(textap_read(e.c, TEXT_PIN, true, &info, &tries), CARD_OK, "61xx: text AP");
	tap_ok(strcmp(info.mynumber, SIM_DEFAULT_MYNUMBER) == 0 && info.name != NULL &&
		       strcmp(info.name, SIM_DEFAULT_NAME) == 0,
	       "61xx: My Number and name");
	textap_info_free(&info);
	tap_is_int(apdus(&e), 7 + 2, "61xx text AP: 7 + 2 GET RESPONSE");
	{
		int announced, bad = get_response_checked(&e, &announced);

		tap_ok(announced > 2, "61xx: %d answers 61xx in the emulator's log", announced);
		tap_is_int(bad, 0, "61xx: each followed by GET RESPONSE with Le = xx exactly");
	}
	env_close(&e);
}

static void test_6cxx(void)
{
	struct sim_options opt = {.answer_6cxx = true};
	struct textap_info info;
	struct env e;
	int tries;

	env_open(&e, &opt);
	tap_is_int(full_flow(&e, "6Cxx"), full_flow_min(&e),
		   "6Cxx: certificates and detection need no resend (no Le=00 below 256 left)");
	tap_is_int(textap_read(e.c, TEXT_PIN, true, &info, &tries), CARD_OK, "6Cxx: text AP");
	tap_ok(strcmp(info.mynumber, SIM_DEFAULT_MYNUMBER) == 0 && info.name != NULL &&
		       strcmp(info.name, SIM_DEFAULT_NAME) == 0 &&
		       strcmp(info.birth, SIM_DEFAULT_BIRTH) == 0,
	       "6Cxx: My Number, name, birth");
	textap_info_free(&info);
	tap_is_int(apdus(&e), 7 + 2, "6Cxx text AP: 7 + one resend per short EF (2)");
	tap_is_int(log_count(&e, "6C"), 2, "emulator log: two 6Cxx answers");
	env_close(&e);
}

static void test_read_end(int mode)
{
	struct sim_options opt = {.read_end = mode};
	struct textap_info info;
	struct env e;
	int tries;

	env_open(&e, &opt);
	tap_is_int(full_flow(&e, mode ? "read_end 6282" : "read_end short"), full_flow_min(&e),
		   "read_end=%d: full flow minimum", mode);
	tap_is_int(textap_read(e.c, TEXT_PIN, true, &info, &tries), CARD_OK, "read_end=%d: text AP",
		   mode);
	tap_ok(strcmp(info.mynumber, SIM_DEFAULT_MYNUMBER) == 0 && info.address != NULL &&
		       strcmp(info.address, SIM_DEFAULT_ADDRESS) == 0 &&
		       info.sex[0] == SIM_DEFAULT_SEX,
	       "read_end=%d: My Number, address, sex", mode);
	textap_info_free(&info);
	tap_is_int(apdus(&e), 7, "read_end=%d: text AP 7 APDUs", mode);
	tap_is_int(log_count(&e, "6282"), mode ? 2 : 0, "emulator log: %d answers 6282",
		   mode ? 2 : 0);
	env_close(&e);
}

/* ---- removal, insertion, reset ---- */

static void test_reset(void)
{
	uint8_t sig[JPKI_SIG_MAX], *der;
	size_t sig_len, len;
	bool present, changed;
	struct env e;
	int tries;

	env_open(&e, NULL);
	detect_ok(&e);
	if (jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len) != CARD_OK)
		tap_bail("auth cert");
	free(der);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK, "auth PIN");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, false, &tries), CARD_OK, "status cached");
	apdus(&e);
	transport_sim_reset(e.t, 0);
	tap_is_int(jpki_card_poll(e.c, &present, &changed), CARD_OK, "poll after a reset");
	tap_ok(present && !changed, "a reset is not a new card");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "after reset", sig, &sig_len), CARD_E_CARD_RESET,
		   "sign after a reset by another process: CARD_E_CARD_RESET");
	tap_is_int(apdus(&e), 0, "the reset was found before any APDU");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH), "reset: logged out");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "after reset", sig, &sig_len), CARD_E_NOT_LOGGED_IN,
		   "sign again: not logged in (no silent re-login)");
	tap_is_int(apdus(&e), 3,
		   "probe (the MF after the reset) + SELECT AP + SIGN by SFI (6982)");
	tap_is_int(count_ins(&e, INS_VERIFY), 0, "no VERIFY sent");
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len), CARD_OK, "cert after reset");
	free(der);
	tap_is_int(apdus(&e), 0, "same insertion: the certificate stays cached");
	tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, false, &tries), CARD_OK, "status");
	tap_is_int(tries, 3, "status after reset: 3");
	tap_is_int(apdus(&e), 1, "status after reset asks the card again: empty VERIFY by SFI");

	/* A reset inside a held transaction, between VERIFY and sign. */
	tap_is_int(jpki_op_begin(e.c), CARD_OK, "begin");
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK, "auth PIN");
	transport_sim_reset(e.t, 0);
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "mid", sig, &sig_len), CARD_E_CARD_RESET,
		   "reset between VERIFY and sign in one transaction: CARD_E_CARD_RESET");
	jpki_op_end(e.c);
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH), "logged out");
	apdus(&e);
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "mid", sig, &sig_len), CARD_E_NOT_LOGGED_IN,
		   "then not logged in, never a signature");
	tap_is_int(count_ins(&e, INS_VERIFY), 0, "no VERIFY sent");
	tap_is_int(jpki_op_begin(e.c), CARD_OK, "a new transaction after the reset");
	jpki_op_end(e.c);

	/* After a reset inside a group, the rest of the group holds the card again. */
	{
		struct jpki_card *other = jpki_card_new(e.t, "JPKI Sim 00", NULL);
		enum jpki_kind kind;

		tap_is_int(jpki_op_begin(e.c), CARD_OK, "group: begin");
		transport_sim_reset(e.t, 0);
		tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, true, &tries), CARD_E_CARD_RESET,
			   "group: reset reported");
		tap_is_int(jpki_pin_status(e.c, JPKI_PIN_AUTH, true, &tries), CARD_OK,
			   "group: the next call starts afresh");
		tap_is_int(jpki_detect(other, &kind, NULL), CARD_E_SHARING,
			   "group after a reset: the card is held again (another context waits)");
		jpki_op_end(e.c);
		tap_is_int(jpki_detect(other, &kind, NULL), CARD_OK,
			   "group ended: the other context gets the card");
		jpki_card_free(other);
	}
	env_close(&e);
}

static void test_removal(void)
{
	uint8_t sig[JPKI_SIG_MAX], *der;
	size_t sig_len, len;
	bool present, changed;
	enum jpki_kind kind;
	struct env e;
	int tries;

	env_open(&e, NULL);
	detect_ok(&e);
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK, "auth PIN");
	if (jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len) != CARD_OK)
		tap_bail("auth cert");
	free(der);
	apdus(&e);
	tap_is_int(jpki_card_poll(e.c, &present, &changed), CARD_OK, "poll");
	tap_ok(present && !changed, "unchanged card: present, not changed");
	tap_is_int(apdus(&e), 0, "poll: 0 APDUs");

	transport_sim_remove(e.t, 0);
	tap_is_int(jpki_card_poll(e.c, &present, &changed), CARD_OK, "poll after removal");
	tap_ok(!present && changed, "removal: absent, changed");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH), "removal: logged out");
	tap_is_int(jpki_detect(e.c, &kind, NULL), CARD_E_CARD_ABSENT, "detect: card absent");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "gone", sig, &sig_len), CARD_E_CARD_ABSENT,
		   "sign: card absent");
	tap_is_int(jpki_read_cert(e.c, JPKI_CERT_AUTH, &der, &len), CARD_E_CARD_ABSENT,
		   "cert: card absent (the cache is gone)");
	tap_is_int(apdus(&e), 0, "empty reader: 0 APDUs");
	transport_sim_insert(e.t, 0);
	tap_is_int(jpki_card_poll(e.c, &present, &changed), CARD_OK, "poll after insertion");
	tap_ok(present, "inserted: present");
	tap_is_int(jpki_detect(e.c, &kind, NULL), CARD_OK, "detect again");
	tap_is_int(apdus(&e), 3, "new insertion (at the MF): detect costs 3 APDUs again");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "new", sig, &sig_len), CARD_E_NOT_LOGGED_IN,
		   "new insertion: not logged in");
	tap_is_int(count_ins(&e, INS_VERIFY), 0, "no VERIFY sent");
	apdus(&e);

	/* Removed and re-inserted between two calls, no poll in between. */
	tap_is_int(jpki_verify_pin(e.c, JPKI_PIN_AUTH, AUTH_PIN, &tries), CARD_OK, "auth PIN");
	apdus(&e);
	transport_sim_remove(e.t, 0);
	transport_sim_insert(e.t, 0);
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "swap", sig, &sig_len), CARD_E_CARD_REMOVED,
		   "swapped card under an open connection: removed");
	tap_is_int(apdus(&e), 0, "found before any APDU");
	tap_ok(!jpki_is_verified(e.c, JPKI_PIN_AUTH), "logged out");
	tap_is_int(sign_msg(&e, JPKI_KEY_AUTH, "swap", sig, &sig_len), CARD_E_NOT_LOGGED_IN,
		   "next call: not logged in, no VERIFY");
	tap_is_int(count_ins(&e, INS_VERIFY), 0, "no VERIFY sent");
	apdus(&e);
	tap_is_int(jpki_detect(e.c, &kind, NULL), CARD_OK, "detect on the new insertion");
	tap_is_int(apdus(&e), 1,
		   "detect after the connection re-selected the AP: READ of EF 0006 by SFI");

	/* Swap seen by poll. */
	transport_sim_remove(e.t, 0);
	transport_sim_insert(e.t, 0);
	tap_is_int(jpki_card_poll(e.c, &present, &changed), CARD_OK, "poll after a swap");
	tap_ok(present && changed, "swap between polls: present and changed");
	tap_is_int(apdus(&e), 0, "poll: 0 APDUs");
	tap_is_int(jpki_card_poll(e.c, &present, &changed), CARD_OK, "poll again");
	tap_ok(present && !changed, "poll again: not changed");
	env_close(&e);
}

int main(void)
{
	test_detect();
	test_certs();
	test_pin_status();
	test_verify();
	test_sign();
	test_change_pin();
	test_textap();
	test_blocked_6983();
	test_reselect(false);
	test_reselect(true);
	test_sign_pin_per_signature();
	test_extended();
	test_no_sfi();
	test_ef_filler();
	test_61xx();
	test_6cxx();
	test_read_end(0);
	test_read_end(1);
	test_reset();
	test_removal();
	return tap_done();
}
