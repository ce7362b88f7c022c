/* The card layer over pcsc-lite (transport_pcsc_new) against the emulated
 * card of tests/stack: one program, one subcommand per scenario, driven by
 * tests/integration/card-pcsc.sh.  It prints "ok - what" / "not ok - what"
 * lines (the script numbers them as TAP) and "# ..." diagnostics, and exits
 * non-zero when a check failed.  APDU counts come from the emulator's log
 * ($JPKI_APDU_LOG, one line per APDU; "#" lines are events).
 *
 *   card-roundtrip list
 *   card-roundtrip roundtrip READER
 *   card-roundtrip reset READER                    another process: reset the card
 *   card-roundtrip reset-between READER 'CMD'      verify, CMD resets, sign
 *   card-roundtrip reinsert READER 'CMD'           CMD pulls and re-inserts the card
 *   card-roundtrip cancel
 *   card-roundtrip service READER 'STOP' 'START'   pcscd stopped, then started again
 *
 * Environment (tests/stack start): JPKI_APDU_LOG, JPKI_AUTH_PIN, JPKI_SIGN_PIN,
 * JPKI_TEXT_PIN, JPKI_MYNUMBER, JPKI_AUTH_CERT, JPKI_SIGN_CERT,
 * JPKI_AUTH_CA_CERT, JPKI_SIGN_CA_CERT.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <winscard.h>

#include "jpki.h"
#include "textap.h"
#include "transport-pcsc.h"

static int failures;

static __attribute__((format(printf, 2, 3))) bool check(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%sok - ", pass ? "" : "not ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	if (!pass)
		failures++;
	return pass;
}

#define check_err(got, want, ...)                                                                  \
	do {                                                                                       \
		enum card_error g_ = (got), w_ = (want);                                           \
		if (!check(g_ == w_, __VA_ARGS__))                                                 \
			printf("#   got %s, want %s\n", card_error_name(g_), card_error_name(w_)); \
	} while (0)

#define check_num(got, want, ...)                                  \
	do {                                                       \
		long g_ = (long)(got), w_ = (long)(want);          \
		if (!check(g_ == w_, __VA_ARGS__))                 \
			printf("#   got %ld, want %ld\n", g_, w_); \
	} while (0)

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		printf("Bail out! %s is not set (run under tests/stack)\n", name);
		exit(2);
	}
	return v;
}

/* ---- the emulator's APDU log ---- */

static long log_mark; /* APDU lines at the last apdus() */

/* log_scan: APDU lines in the log, and how many of them have INS ins (-1: any). */
static long log_scan(int ins)
{
	char line[1024];
	long n = 0;
	FILE *fp = fopen(env("JPKI_APDU_LOG"), "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		unsigned v;
		if (line[0] == '#' || strlen(line) < 4)
			continue;
		if (ins >= 0 && (sscanf(line + 2, "%2x", &v) != 1 || (int)v != ins))
			continue;
		n++;
	}
	fclose(fp);
	return n;
}

/* apdus: APDUs the card received since the last call. */
static long apdus(void)
{
	long now = log_scan(-1), n = now - log_mark;

	log_mark = now;
	return n;
}

/* ---- certificates and signatures ---- */

static uint8_t *read_file(const char *path, size_t *len)
{
	uint8_t *buf = malloc(JPKI_CERT_MAX);
	FILE *fp = fopen(path, "rb");

	*len = 0;
	if (fp == NULL || buf == NULL) {
		printf("Bail out! cannot read %s\n", path);
		exit(2);
	}
	*len = fread(buf, 1, JPKI_CERT_MAX, fp);
	fclose(fp);
	return buf;
}

static long reads_for(size_t len)
{
	return (long)((len + 255) / 256);
}

static size_t digest_info(const char *msg, uint8_t out[51])
{
	static const uint8_t prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x01, 0x05, 0x00, 0x04, 0x20};
	unsigned int n = 0;

	memcpy(out, prefix, sizeof(prefix));
	EVP_Digest(msg, strlen(msg), out + sizeof(prefix), &n, EVP_sha256(), NULL);
	return sizeof(prefix) + n;
}

static bool sig_verifies(const uint8_t *der, size_t der_len, const char *msg, const uint8_t *sig,
			 size_t sig_len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)der_len);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = x != NULL && md != NULL &&
		  EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(x)) == 1 &&
		  EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)msg, strlen(msg)) == 1;

	EVP_MD_CTX_free(md);
	X509_free(x);
	return ok;
}

static enum card_error sign_msg(struct jpki_card *c, enum jpki_key key, const char *msg,
				uint8_t sig[JPKI_SIG_MAX], size_t *sig_len)
{
	uint8_t di[51];
	size_t n = digest_info(msg, di);

	return jpki_sign(c, key, di, n, sig, JPKI_SIG_MAX, sig_len);
}

/* ---- subcommands ---- */

static int cmd_list(void)
{
	struct transport *t = transport_pcsc_new(NULL);
	char **readers = NULL;
	size_t i, n = 0;
	enum card_error err = t->ops->list_readers(t, &readers);

	check_err(err, CARD_OK, "list_readers: ok");
	for (i = 0; readers != NULL && readers[i] != NULL; i++, n++)
		printf("reader: %s\n", readers[i]);
	check(n >= 1, "list_readers: %zu reader(s)", n);
	transport_readers_free(readers);
	t->ops->free(t);
	return failures != 0;
}

static void roundtrip_certs(struct jpki_card *c)
{
	static const struct {
		enum jpki_cert id;
		const char *env;
	} certs[] = {
		{JPKI_CERT_AUTH, "JPKI_AUTH_CERT"},
		{JPKI_CERT_AUTH_CA, "JPKI_AUTH_CA_CERT"},
		{JPKI_CERT_SIGN_CA, "JPKI_SIGN_CA_CERT"},
		{JPKI_CERT_SIGN, "JPKI_SIGN_CERT"},
	};
	uint8_t *der, *want;
	size_t len, want_len, i;
	int tries;

	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		if (certs[i].id == JPKI_CERT_SIGN) {
			check_err(jpki_read_cert(c, JPKI_CERT_SIGN, &der, &len),
				  CARD_E_NOT_LOGGED_IN, "sign cert before the sign PIN: refused");
			/* By SFI, then SELECT + READ: the same 6982 both ways. */
			check_num(apdus(), 3,
				  "refused sign cert: READ by SFI, SELECT + READ (6982)");
			check_err(jpki_verify_pin(c, JPKI_PIN_SIGN, env("JPKI_SIGN_PIN"), &tries),
				  CARD_OK, "sign PIN: ok");
			check_num(apdus(), 2, "sign PIN: SELECT 001B + VERIFY");
		}
		want = read_file(env(certs[i].env), &want_len);
		check_err(jpki_read_cert(c, certs[i].id, &der, &len), CARD_OK, "%s: read",
			  certs[i].env);
		check(der != NULL && len == want_len && memcmp(der, want, len) == 0,
		      "%s: byte for byte (%zu bytes)", certs[i].env, want_len);
		check_num(apdus(), reads_for(want_len), "%s: %ld READs, the first by SFI",
			  certs[i].env, reads_for(want_len));
		free(der);
		check_err(jpki_read_cert(c, certs[i].id, &der, &len), CARD_OK, "%s: again",
			  certs[i].env);
		check_num(apdus(), 0, "%s: second read 0 APDUs", certs[i].env);
		free(der);
		free(want);
	}
}

static int cmd_roundtrip(const char *reader)
{
	struct transport *t = transport_pcsc_new(NULL);
	struct jpki_card *c = jpki_card_new(t, reader, NULL);
	char label[JPKI_LABEL_MAX + 1];
	uint8_t sig[JPKI_SIG_MAX], *der;
	struct textap_info info;
	enum jpki_kind kind;
	size_t sig_len, len;
	bool present, changed;
	int tries;

	apdus();
	check_err(jpki_card_poll(c, &present, &changed), CARD_OK, "poll");
	check(present, "poll: card present");
	check_err(jpki_detect(c, &kind, label), CARD_OK, "detect");
	check(kind == JPKI_KIND_MYNUMBER && strcmp(label, "JPKIAPICCTOKEN2") == 0,
	      "detect: My Number Card (%s)", label);
	check_num(apdus(), 3, "detect at the MF: probe (6A82), SELECT AP, READ of EF 0006 by SFI");
	check_err(jpki_detect(c, &kind, label), CARD_OK, "detect again");
	check_num(apdus(), 0, "detect again: 0 APDUs");

	check_err(jpki_pin_status(c, JPKI_PIN_AUTH, false, &tries), CARD_OK, "auth PIN status");
	check_num(tries, 3, "auth PIN: 3 tries");
	check_num(apdus(), 1, "auth status: empty VERIFY naming EF 0018 by SFI");
	check_err(jpki_pin_status(c, JPKI_PIN_AUTH, false, &tries), CARD_OK, "status again");
	check_num(apdus(), 0, "status again: 0 APDUs");
	check_err(jpki_pin_status(c, JPKI_PIN_SIGN, false, &tries), CARD_OK, "sign PIN status");
	check_num(tries, 5, "sign password: 5 tries");
	check_num(apdus(), 1, "sign status: 1 APDU (by SFI)");

	roundtrip_certs(c);

	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, "0000", &tries), CARD_E_PIN_WRONG,
		  "wrong auth PIN: wrong");
	check_num(tries, 2, "wrong auth PIN: 2 left");
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "auth PIN: ok");
	check_num(tries, 3, "auth PIN: counter refilled");
	check_num(apdus(), 4, "two VERIFYs: 2 x (SELECT 0018 + VERIFY)");

	check_err(sign_msg(c, JPKI_KEY_AUTH, "pcsc auth", sig, &sig_len), CARD_OK, "auth sign");
	check_num(apdus(), 1, "auth sign: SIGN with the key by SFI (P2 97)");
	jpki_read_cert(c, JPKI_CERT_AUTH, &der, &len);
	check(sig_len == 256 && sig_verifies(der, len, "pcsc auth", sig, sig_len),
	      "auth signature verifies with the auth certificate (EVP)");
	free(der);
	check_err(sign_msg(c, JPKI_KEY_SIGN, "pcsc sign", sig, &sig_len), CARD_OK, "sign sign");
	check_num(apdus(), 1, "sign key: SIGN with the key by SFI (P2 9A)");
	jpki_read_cert(c, JPKI_CERT_SIGN, &der, &len);
	check(sig_len == 256 && sig_verifies(der, len, "pcsc sign", sig, sig_len),
	      "sign signature verifies with the sign certificate (EVP)");
	free(der);
	check_num(apdus(), 0, "certificates for the checks: 0 APDUs");

	check_err(jpki_change_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), "9876", &tries), CARD_OK,
		  "change auth PIN");
	check_num(apdus(), 3, "change: SELECT 0018 + VERIFY + CHANGE");
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, "9876", &tries), CARD_OK,
		  "new auth PIN verifies");
	check_err(jpki_change_pin(c, JPKI_PIN_AUTH, "9876", env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "change back");
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "original auth PIN verifies");
	apdus();

	check_err(textap_read(c, env("JPKI_TEXT_PIN"), true, &info, &tries), CARD_OK,
		  "text AP: My Number and the 4 info");
	check(strcmp(info.mynumber, env("JPKI_MYNUMBER")) == 0, "text AP: My Number matches");
	check(info.name != NULL && info.address != NULL && strlen(info.birth) == 8 &&
		      info.sex[0] != '\0',
	      "text AP: name, address, birth, sex present");
	textap_info_free(&info);
	check_num(apdus(), 7, "text AP: SELECT AP, SELECT 0011, VERIFY, 2 x (SELECT + READ)");
	check(!jpki_is_verified(c, JPKI_PIN_AUTH), "after the text AP: auth PIN not believed");

	check_err(jpki_card_poll(c, &present, &changed), CARD_OK, "poll");
	check(present && !changed, "poll: same card");
	check_num(apdus(), 0, "poll: 0 APDUs");
	jpki_card_free(c);

	/* A fresh context: login + sign = 4 APDUs (the key named by SFI), and the
	 * probe (the text AP is current: 6982) before the SELECT of the JPKI AP. */
	c = jpki_card_new(t, reader, NULL);
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "fresh context: auth PIN");
	check_err(sign_msg(c, JPKI_KEY_AUTH, "fresh", sig, &sig_len), CARD_OK,
		  "fresh context: auth sign");
	check_num(apdus(), 5, "login + sign from a fresh context: probe + 4 APDUs");
	jpki_card_free(c);
	t->ops->free(t);
	return failures != 0;
}

/* cmd_reset: another process resets the card (SCardDisconnect with SCARD_RESET_CARD). */
static int cmd_reset(const char *reader)
{
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	DWORD proto;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);

	if (rv == SCARD_S_SUCCESS)
		rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED,
				  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &h, &proto);
	if (rv == SCARD_S_SUCCESS)
		rv = SCardDisconnect(h, SCARD_RESET_CARD);
	if (rv != SCARD_S_SUCCESS)
		fprintf(stderr, "reset: %s\n", pcsc_stringify_error(rv));
	SCardReleaseContext(ctx);
	return rv != SCARD_S_SUCCESS;
}

static int cmd_reset_between(const char *reader, const char *reset_cmd)
{
	struct transport *t = transport_pcsc_new(NULL);
	struct jpki_card *c = jpki_card_new(t, reader, NULL);
	uint8_t sig[JPKI_SIG_MAX], *der;
	size_t sig_len, len;
	enum card_error err;
	long verifies;
	int tries;

	check_err(jpki_read_cert(c, JPKI_CERT_AUTH, &der, &len), CARD_OK, "auth cert");
	free(der);
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "auth PIN verified");
	check(system(reset_cmd) == 0, "a second process reset the card");
	apdus();
	verifies = log_scan(0x20);
	err = sign_msg(c, JPKI_KEY_AUTH, "after reset", sig, &sig_len);
	check_err(err, CARD_E_CARD_RESET, "sign after the reset: CARD_E_CARD_RESET, reported");
	check(sig_len == 0, "no signature");
	check_num(apdus(), 0, "the reset was found before any APDU");
	check(!jpki_is_verified(c, JPKI_PIN_AUTH), "logged out");
	err = sign_msg(c, JPKI_KEY_AUTH, "after reset", sig, &sig_len);
	check_err(err, CARD_E_NOT_LOGGED_IN, "sign again: not logged in, never a silent login");
	check_num(apdus(), 3, "probe (the MF after the reset), SELECT AP + SIGN by SFI (6982)");
	check_num(log_scan(0x20) - verifies, 0, "no VERIFY sent after the reset");
	check_err(jpki_read_cert(c, JPKI_CERT_AUTH, &der, &len), CARD_OK, "cert still cached");
	free(der);
	check_num(apdus(), 0, "same insertion: cert cache kept (0 APDUs)");

	/* A reset between two transactions: the next begin reports it, once. */
	check_err(jpki_op_begin(c), CARD_OK, "begin a transaction");
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "auth PIN in the transaction");
	jpki_op_end(c);
	check(system(reset_cmd) == 0, "second reset");
	check_err(jpki_op_begin(c), CARD_E_CARD_RESET, "begin after the reset: reported");
	check_err(jpki_op_begin(c), CARD_OK, "begin again: ok");
	err = sign_msg(c, JPKI_KEY_AUTH, "after reset", sig, &sig_len);
	check_err(err, CARD_E_NOT_LOGGED_IN, "sign: not logged in");
	jpki_op_end(c);
	jpki_card_free(c);
	t->ops->free(t);
	return failures != 0;
}

struct waiter {
	struct transport *t;
	unsigned timeout_ms;
	enum card_error err;
	double seconds;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	double start = now_s();

	w->err = w->t->ops->wait(w->t, w->timeout_ms);
	w->seconds = now_s() - start;
	return NULL;
}

/* prime: list the readers and note each one's state, so that a wait reports
 * only what changes from now on (as the module does through its slot list). */
static void prime(struct transport *t)
{
	struct transport_status st;
	char **readers = NULL;
	size_t i;

	t->ops->list_readers(t, &readers);
	for (i = 0; readers != NULL && readers[i] != NULL; i++)
		t->ops->status(t, readers[i], &st);
	transport_readers_free(readers);
}

static int cmd_reinsert(const char *reader, const char *reinsert_cmd)
{
	struct transport *t = transport_pcsc_new(NULL);
	struct jpki_card *c = jpki_card_new(t, reader, NULL);
	struct waiter w = {.t = t, .timeout_ms = 20000};
	uint8_t sig[JPKI_SIG_MAX];
	size_t sig_len;
	bool present, changed;
	enum jpki_kind kind;
	pthread_t th;
	long verifies;
	int tries;

	check_err(jpki_detect(c, &kind, NULL), CARD_OK, "detect");
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "auth PIN");
	prime(t);
	check_err(t->ops->wait(t, 300), CARD_E_TIMEOUT, "wait with nothing happening: timeout");
	pthread_create(&th, NULL, waiter_run, &w);
	check(system(reinsert_cmd) == 0, "the card was pulled and put back");
	pthread_join(th, NULL);
	check_err(w.err, CARD_OK, "wait returned on the removal");
	printf("# wait returned after %.2f s\n", w.seconds);
	check(w.seconds < 15, "wait returned before its timeout");
	/* The first wait may already have seen both; one more returns at once if not. */
	w.err = t->ops->wait(t, 2000);
	check(w.err == CARD_OK || w.err == CARD_E_TIMEOUT, "second wait: the insertion or nothing");
	check_err(t->ops->wait(t, 300), CARD_E_TIMEOUT, "then quiet: timeout");

	apdus();
	verifies = log_scan(0x20);
	check_err(jpki_card_poll(c, &present, &changed), CARD_OK, "poll");
	check(present && changed, "poll: present and changed");
	check_num(apdus(), 0, "poll: 0 APDUs");
	check(!jpki_is_verified(c, JPKI_PIN_AUTH), "re-inserted: logged out");
	check_err(jpki_detect(c, &kind, NULL), CARD_OK, "detect the new insertion");
	check_num(apdus(), 3, "detect again at the MF: 3 APDUs (cache forgotten)");
	check_err(sign_msg(c, JPKI_KEY_AUTH, "reinserted", sig, &sig_len), CARD_E_NOT_LOGGED_IN,
		  "sign: not logged in");
	check_num(log_scan(0x20) - verifies, 0, "no VERIFY sent");
	jpki_card_free(c);
	t->ops->free(t);
	return failures != 0;
}

static int cmd_cancel(void)
{
	struct transport *t = transport_pcsc_new(NULL);
	struct waiter w = {.t = t, .timeout_ms = 60000};
	pthread_t th;

	prime(t);
	pthread_create(&th, NULL, waiter_run, &w);
	usleep(500000);
	t->ops->cancel(t);
	pthread_join(th, NULL);
	check_err(w.err, CARD_E_CANCELLED, "wait cancelled from another thread");
	printf("# cancelled after %.2f s\n", w.seconds);
	check(w.seconds < 5, "cancel ended the wait at once");
	check_err(t->ops->wait(t, 300), CARD_E_TIMEOUT,
		  "the next wait is not cancelled by the old cancel: timeout");
	t->ops->cancel(t);
	check_err(t->ops->wait(t, 5000), CARD_E_CANCELLED,
		  "a cancel before the wait: the wait returns cancelled");
	check_err(t->ops->wait(t, 300), CARD_E_TIMEOUT, "and only that one wait");
	t->ops->free(t);
	return failures != 0;
}

static int cmd_service(const char *reader, const char *stop_cmd, const char *start_cmd)
{
	struct transport *t = transport_pcsc_new(NULL);
	struct jpki_card *c = jpki_card_new(t, reader, NULL);
	uint8_t *der;
	size_t len;
	bool present, changed;
	enum jpki_kind kind;
	enum card_error err;
	char **readers = NULL;
	int tries, i;

	check_err(jpki_detect(c, &kind, NULL), CARD_OK, "detect");
	check_err(jpki_verify_pin(c, JPKI_PIN_AUTH, env("JPKI_AUTH_PIN"), &tries), CARD_OK,
		  "auth PIN");
	check(system(stop_cmd) == 0, "pcscd stopped");
	err = jpki_card_poll(c, &present, &changed);
	check_err(err, CARD_E_NO_SERVICE, "poll without pcscd: no service");
	check(changed, "poll without pcscd: changed (the card is no longer known)");
	check_err(jpki_read_cert(c, JPKI_CERT_AUTH, &der, &len), CARD_E_NO_SERVICE,
		  "read without pcscd: no service");
	check_err(t->ops->list_readers(t, &readers), CARD_E_NO_SERVICE,
		  "list_readers without pcscd: no service");
	check_err(t->ops->wait(t, 100), CARD_E_NO_SERVICE, "wait without pcscd: no service");
	check(system(start_cmd) == 0, "pcscd started again");
	log_mark = 0;
	/* The card may take a moment to appear in the new pcscd. */
	for (i = 0; i < 50; i++) {
		err = jpki_card_poll(c, &present, &changed);
		if (err == CARD_OK && present)
			break;
		usleep(100000);
	}
	check_err(err, CARD_OK, "poll after the restart: ok (new context)");
	check(present, "the card is back");
	check(!jpki_is_verified(c, JPKI_PIN_AUTH), "logged out");
	check_err(jpki_detect(c, &kind, NULL), CARD_OK, "detect after the restart");
	check_num(apdus(), 3, "detect after the restart (the MF): 3 APDUs");
	check_err(jpki_read_cert(c, JPKI_CERT_AUTH, &der, &len), CARD_OK, "read after restart");
	free(der);
	check_err(t->ops->list_readers(t, &readers), CARD_OK, "list_readers after restart");
	transport_readers_free(readers);
	jpki_card_free(c);
	t->ops->free(t);
	return failures != 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "list") == 0)
		return cmd_list();
	if (strcmp(cmd, "roundtrip") == 0 && argc == 3)
		return cmd_roundtrip(argv[2]);
	if (strcmp(cmd, "reset") == 0 && argc == 3)
		return cmd_reset(argv[2]);
	if (strcmp(cmd, "reset-between") == 0 && argc == 4)
		return cmd_reset_between(argv[2], argv[3]);
	if (strcmp(cmd, "reinsert") == 0 && argc == 4)
		return cmd_reinsert(argv[2], argv[3]);
	if (strcmp(cmd, "cancel") == 0)
		return cmd_cancel();
	if (strcmp(cmd, "service") == 0 && argc == 5)
		return cmd_service(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: see the comment at the top of card-roundtrip.c\n");
	return 2;
}
