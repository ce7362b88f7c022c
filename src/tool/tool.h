/* jpki-tool's shared state and the helpers every command uses: finding the
 * reader and the card, asking for a PIN (tries left first, format checked
 * before anything reaches the card), reporting errors with their exit code.
 */
#ifndef JPKI_TOOL_TOOL_H
#define JPKI_TOOL_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cms.h"
#include "exit.h"
#include "jpki.h"
#include "log.h"
#include "out.h"
#include "secret.h"
#include "transport.h"

struct tool {
	/* Options. */
	const char *reader_opt; /* --reader */
	bool json, force, reveal, pem, der;
	bool pss; /* --pss: sign with RSASSA-PSS (the card's scheme 04) */
	const char *output;  /* -o */
	const char *key_opt; /* --key */
	/* setup: --remove, --dry-run, --system, --module. */
	bool setup_remove, setup_dry_run, setup_system;
	const char *module_opt;
	struct secret_source pins;

	/* State. */
	struct log log;
	struct transport *transport;
	struct jpki_card *card;
	char *reader; /* the reader in use */
	bool have_events;
	uint32_t card_events; /* the reader's event counter when the card was opened */
	struct out out;

	/* The first error: printed by main (and as JSON with --json). */
	enum tool_exit error_code;
	char *error;
	int error_tries; /* tries left after a PIN error, -1 otherwise */
};

/* tool_fail: records the error (the first one wins) and returns its code. */
enum tool_exit tool_fail(struct tool *t, enum tool_exit code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* tool_fail_card: tool_fail with the sentence for a card-layer error.  A
 * transport failure or a malformed answer on the open card is reported as a
 * removal when the reader says the card left (or was replaced) meanwhile. */
enum tool_exit tool_fail_card(struct tool *t, enum card_error err);

/* tool_fail_file: tool_fail(TOOL_EXIT_FILE) naming the file and errno. */
enum tool_exit tool_fail_file(struct tool *t, const char *path, bool writing);

/* tool_transport: the PC/SC transport, created on first use. */
enum tool_exit tool_transport(struct tool *t);

/* tool_open_card: picks the reader (--reader, the only one, or the only
 * one holding a card), connects and detects the JPKI application.  A card
 * without it, and an old Juki card, are refused (TOOL_EXIT_NOT_JPKI) with no
 * APDU beyond the detection. */
enum tool_exit tool_open_card(struct tool *t);

/* tool_juki_refused: the sentence (untranslated) refusing an old Juki card. */
extern const char tool_juki_refused[];

/* tool_no_sign_cert: the words (untranslated) for a card without the
 * signature certificate; tool_no_sign_cert_refused: the sentence refusing a
 * command that needs it. */
extern const char tool_no_sign_cert[];
extern const char tool_no_sign_cert_refused[];

/* tool_pin_name: "authentication PIN", ... (translated). */
const char *tool_pin_name(enum jpki_pin pin);

/* tool_pin_guard: asks the card how many tries are left (an empty VERIFY,
 * which spends none) and refuses a blocked PIN, and a PIN with one try left
 * unless --force.  *tries gets the count. */
enum tool_exit tool_pin_guard(struct tool *t, enum jpki_pin pin, int *tries);

/* tool_ask_pin: reads one PIN after the prompt fmt (printf: what, and the
 * tries left) and checks its format; is_new applies the rules for a new
 * PIN.  The caller wipes value. */
enum tool_exit tool_ask_pin(struct tool *t, enum jpki_pin pin, bool is_new,
			    char value[SECRET_MAX + 1], const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* tool_guard_ask: tool_pin_guard, then tool_ask_pin with the tries left in
 * the prompt.  The caller wipes value. */
enum tool_exit tool_guard_ask(struct tool *t, enum jpki_pin pin, char value[SECRET_MAX + 1]);

/* tool_pin_error: the exit for a failed VERIFY (wrong with tries left,
 * blocked) or any other card error. */
enum tool_exit tool_pin_error(struct tool *t, enum jpki_pin pin, enum card_error err, int tries);

/* tool_login: guard, ask, verify: the PIN is verified on the card after it. */
enum tool_exit tool_login(struct tool *t, enum jpki_pin pin);

/* tool_pin_format_hint: one sentence on what the PIN must look like. */
const char *tool_pin_format_hint(enum jpki_pin pin);

/* jpki-tool setup (cmd-setup.c), which needs no card, and its --system
 * part (setup-system.c): Firefox's enterprise policy for every user. */
enum tool_exit cmd_setup(struct tool *t, int argc, char **argv);
enum tool_exit setup_system(struct tool *t);

/* The commands: argv[0] is the first argument after the command name. */
enum tool_exit cmd_status(struct tool *t, int argc, char **argv);
enum tool_exit cmd_cert(struct tool *t, int argc, char **argv);
enum tool_exit cmd_pin(struct tool *t, int argc, char **argv);
enum tool_exit cmd_mynumber(struct tool *t, int argc, char **argv);
enum tool_exit cmd_info(struct tool *t, int argc, char **argv);
enum tool_exit cmd_sign(struct tool *t, int argc, char **argv);
enum tool_exit cmd_verify(struct tool *t, int argc, char **argv);

/* Shared by the cert and text commands: the birth date as "YYYY-MM-DD
 * (Era N)" into buf; era_code 0 = derive it from the date. */
void tool_format_birth(const char *yyyymmdd, int era_code, char *buf, size_t cap);

/* jpki-tool pdf sign|verify (cmd-pdf.c), and what it shares with sign and
 * verify (cmd-sign.c). */
enum tool_exit cmd_pdf(struct tool *t, int argc, char **argv);

/* A detached CMS signature made by the card (sign_on_card). */
struct sign_job {
	enum jpki_key key;	    /* its PIN and certificate go with it */
	bool pss, pem;		    /* RSASSA-PSS; the signature in PEM */
	time_t when;		    /* the signing time; 0: taken when the card signs */
	uint8_t md[CMS_DIGEST_LEN]; /* the content's SHA-256, unless digest makes it */
	/* digest: called with the card held and the certificate read, to make
	 * md (pdf sign: the signed bytes carry the signer's name); NULL: md
	 * is given.  Its failure is recorded (tool_fail) and returned. */
	enum tool_exit (*digest)(struct tool *t, void *arg, const uint8_t *cert, size_t cert_len,
				 uint8_t md[CMS_DIGEST_LEN]);
	void *digest_arg;
	/* Results (sign_job_free). */
	uint8_t *cert, *cms;
	size_t cert_len, cms_len;
};

/* sign_on_card: opens the card; with pss asks it whether it signs PSS
 * (before the PIN: a card without costs no PIN entry); the key's PIN
 * (tool_login); then in one transaction its certificate, the digest and
 * the signature, checked against the certificate.  On TOOL_EXIT_OK
 * job->cert and job->cms are set.  Errors: tool_fail's record, with the
 * card's, TOOL_EXIT_FAILURE for a signature that does not match. */
enum tool_exit sign_on_card(struct tool *t, struct sign_job *job);
void sign_job_free(struct sign_job *job);

/* sign_out_signer: the certificate's subject as "signer" (RFC 2253), with
 * with_issuer its issuer, and when as "signing_time" (ISO 8601 UTC, "-"
 * for 0). */
void sign_out_signer(struct tool *t, const uint8_t *cert, size_t cert_len, bool with_issuer,
		     time_t when);

#endif
