/* Shared helpers of jpki-tool: see tool.h. */
#include "tool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "era.h"
#include "i18n.h"
#include "pin.h"
#include "transport-pcsc.h"

#define TOOL_GONE_POLLS 20 /* x 100 ms: how long a removal may take to show */

/* The texts of each PIN; its format is the card layer's (jpki_pin_format). */
struct tool_pin_row {
	const char *name;     /* N_() */
	const char *hint;     /* N_(): what a PIN must look like */
	const char *new_hint; /* N_(): what a new one must look like */
};

static const struct tool_pin_row tool_pins[JPKI_PIN_COUNT] = {
	[JPKI_PIN_AUTH] = {N_("authentication PIN"),
			   N_("The authentication PIN is exactly 4 digits."),
			   N_("The authentication PIN is exactly 4 digits.")},
	[JPKI_PIN_SIGN] = {N_("signature password"),
			   N_("The signature password is 6 to 16 letters A-Z and digits."),
			   N_("A new signature password is 6 to 16 letters A-Z and digits, with at "
			      "least one of each.")},
	[JPKI_PIN_TEXT] = {N_("text PIN"),
			   N_("The text PIN (for the My Number and personal data) is exactly 4 "
			      "digits."),
			   N_("The text PIN (for the My Number and personal data) is exactly 4 "
			      "digits.")},
};

/* Juki cards were issued until 2015 with 3-year JPKI certificates, and no
 * JPKI certificate can be put on one since 2016: every one has expired. */
const char tool_juki_refused[] =
	N_("The card in the reader is an old Juki card (basic resident registry card), whose JPKI "
	   "certificates have all expired; jpki-tool works only with a My Number Card.");

/* A card without the signature certificate (not issued to holders under 15,
 * declined, or revoked by a move and not renewed yet: J-LIS's lists, not the
 * card, say which; docs/card.md 2.1, EF 0008). */
const char tool_no_sign_cert[] = N_("no signature certificate on this card (not issued, or not "
				    "yet renewed)");
const char tool_no_sign_cert_refused[] =
	N_("This card has no signature certificate (not issued, or not yet renewed), so there is "
	   "no signature password to ask for; your municipal office issues one.");

enum tool_exit tool_fail(struct tool *t, enum tool_exit code, const char *fmt, ...)
{
	va_list ap;

	if (t->error != NULL)
		return t->error_code;
	va_start(ap, fmt);
	if (vasprintf(&t->error, fmt, ap) < 0)
		t->error = NULL;
	va_end(ap);
	t->error_code = code;
	return code;
}

/* tool_card_gone: after a failed transmit, whether the card left the reader.
 * pcsc-lite answers a transmit to a card pulled mid-command with "transaction
 * failed" (or, from some drivers, an empty answer), and reports the removal
 * only once its presence polling (a few hundred ms) saw it: ask the reader
 * for a while. */
static bool tool_card_gone(struct tool *t)
{
	struct timespec pause = {0, 100 * 1000 * 1000L};
	struct transport_status st;
	int i;

	if (t->card == NULL || t->reader == NULL || !t->have_events)
		return false;
	for (i = 0; i < TOOL_GONE_POLLS; i++) {
		if (t->transport->ops->status(t->transport, t->reader, &st) != CARD_OK)
			return false; /* the reader itself failed */
		if (!st.present || st.events != t->card_events)
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

enum tool_exit tool_fail_card(struct tool *t, enum card_error err)
{
	const char *msg;
	enum tool_exit code;

	if (t->error != NULL)
		return t->error_code;
	if ((err == CARD_E_TRANSPORT || err == CARD_E_BAD_RESPONSE) && tool_card_gone(t))
		err = CARD_E_CARD_REMOVED;
	code = exit_from_card(err, &msg);

	return tool_fail(t, code, "%s", _(msg));
}

enum tool_exit tool_fail_file(struct tool *t, const char *path, bool writing)
{
	int e = errno;

	return tool_fail(t, TOOL_EXIT_FILE,
			 writing ? _("Cannot write %s: %s.") : _("Cannot read %s: %s."), path,
			 strerror(e));
}

const char *tool_pin_name(enum jpki_pin pin)
{
	return (unsigned)pin < JPKI_PIN_COUNT ? _(tool_pins[pin].name) : "?";
}

const char *tool_pin_format_hint(enum jpki_pin pin)
{
	return (unsigned)pin < JPKI_PIN_COUNT ? _(tool_pins[pin].hint) : "";
}

enum tool_exit tool_transport(struct tool *t)
{
	if (t->transport == NULL)
		t->transport = transport_pcsc_new(&t->log);
	if (t->transport == NULL)
		return tool_fail_card(t, CARD_E_NO_MEMORY);
	return TOOL_EXIT_OK;
}

/* tool_pick_reader: --reader (exact name, else a unique part of one), the
 * only reader, or the only reader holding a card. */
static enum tool_exit tool_pick_reader(struct tool *t, char **readers)
{
	struct transport_status st;
	const char *pick = NULL;
	size_t i, n = 0, hits = 0;

	for (n = 0; readers[n] != NULL; n++)
		;
	if (n == 0)
		return tool_fail(t, TOOL_EXIT_NO_READER, "%s",
				 _("No smart-card reader is connected."));
	if (t->reader_opt != NULL) {
		for (i = 0; i < n && pick == NULL; i++)
			if (strcmp(readers[i], t->reader_opt) == 0)
				pick = readers[i];
		for (i = 0; i < n && pick == NULL; i++)
			if (strstr(readers[i], t->reader_opt) != NULL)
				hits++;
		if (pick == NULL && hits == 1)
			for (i = 0; i < n && pick == NULL; i++)
				if (strstr(readers[i], t->reader_opt) != NULL)
					pick = readers[i];
		if (pick == NULL && hits > 1)
			return tool_fail(t, TOOL_EXIT_USAGE,
					 _("Several readers match \"%s\"; give the full name."),
					 t->reader_opt);
		if (pick == NULL)
			return tool_fail(t, TOOL_EXIT_NO_READER,
					 _("No reader is named \"%s\" (see jpki-tool status)."),
					 t->reader_opt);
	} else if (n == 1) {
		pick = readers[0];
	} else {
		for (i = 0; i < n; i++)
			if (t->transport->ops->status(t->transport, readers[i], &st) == CARD_OK &&
			    st.present) {
				hits++;
				pick = readers[i];
			}
		if (hits == 0)
			return tool_fail(t, TOOL_EXIT_NO_CARD, "%s",
					 _("There is no card in any reader."));
		if (hits > 1)
			return tool_fail(t, TOOL_EXIT_USAGE, "%s",
					 _("Several readers hold a card; choose one with --reader "
					   "(see jpki-tool status)."));
	}
	t->reader = strdup(pick);
	if (t->reader == NULL)
		return tool_fail_card(t, CARD_E_NO_MEMORY);
	return TOOL_EXIT_OK;
}

enum tool_exit tool_open_card(struct tool *t)
{
	char **readers = NULL;
	struct transport_status st;
	enum card_error err;
	enum tool_exit rc;
	enum jpki_kind kind;

	if (t->card != NULL)
		return TOOL_EXIT_OK;
	rc = tool_transport(t);
	if (rc != TOOL_EXIT_OK)
		return rc;
	err = t->transport->ops->list_readers(t->transport, &readers);
	if (err != CARD_OK) {
		rc = tool_fail_card(t, err);
		goto out;
	}
	rc = tool_pick_reader(t, readers);
	if (rc != TOOL_EXIT_OK)
		goto out;
	/* The reader's event counter now: a later change means another card. */
	if (t->transport->ops->status(t->transport, t->reader, &st) == CARD_OK && st.present) {
		t->have_events = true;
		t->card_events = st.events;
	}
	t->card = jpki_card_new(t->transport, t->reader, &t->log);
	if (t->card == NULL) {
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	err = jpki_detect(t->card, &kind, NULL);
	if (err != CARD_OK)
		rc = tool_fail_card(t, err);
	else if (kind == JPKI_KIND_JUKI)
		rc = tool_fail(t, TOOL_EXIT_NOT_JPKI, "%s", _(tool_juki_refused));
out:
	transport_readers_free(readers);
	return rc;
}

enum tool_exit tool_pin_error(struct tool *t, enum jpki_pin pin, enum card_error err, int tries)
{
	switch (err) {
	case CARD_E_PIN_WRONG:
		t->error_tries = tries;
		if (tries < 0)
			return tool_fail(t, TOOL_EXIT_PIN_WRONG, _("The %s is wrong."),
					 tool_pin_name(pin));
		return tool_fail(t, TOOL_EXIT_PIN_WRONG,
				 ngettext("The %s is wrong; %d try left.",
					  "The %s is wrong; %d tries left.", (unsigned long)tries),
				 tool_pin_name(pin), tries);
	case CARD_E_PIN_BLOCKED:
		t->error_tries = 0;
		return tool_fail(t, TOOL_EXIT_PIN_BLOCKED,
				 _("The %s is blocked; your municipal office can reset it."),
				 tool_pin_name(pin));
	case CARD_E_PIN_FORMAT:
		return tool_fail(t, TOOL_EXIT_PIN_REFUSED, "%s", tool_pin_format_hint(pin));
	default:
		return tool_fail_card(t, err);
	}
}

enum tool_exit tool_pin_guard(struct tool *t, enum jpki_pin pin, int *tries)
{
	enum card_error err = CARD_OK;
	bool present = true;

	*tries = -1;
	/* A card without the signature certificate: its holder has no
	 * password to give, so none is asked. */
	if (pin == JPKI_PIN_SIGN)
		err = jpki_has_sign_cert(t->card, &present);
	if (err == CARD_OK && !present)
		return tool_fail(t, TOOL_EXIT_NOT_JPKI, "%s", _(tool_no_sign_cert_refused));
	if (err == CARD_OK)
		err = jpki_pin_status(t->card, pin, true, tries);
	if (err != CARD_OK)
		return tool_fail_card(t, err);
	if (*tries == 0)
		return tool_pin_error(t, pin, CARD_E_PIN_BLOCKED, 0);
	if (*tries == 1 && !t->force) {
		t->error_tries = 1;
		return tool_fail(t, TOOL_EXIT_PIN_REFUSED,
				 _("Only one try is left for the %s: a wrong entry would block "
				   "it.  Nothing was sent; use --force to try anyway."),
				 tool_pin_name(pin));
	}
	return TOOL_EXIT_OK;
}

enum tool_exit tool_ask_pin(struct tool *t, enum jpki_pin pin, bool is_new,
			    char value[SECRET_MAX + 1], const char *fmt, ...)
{
	char check[PIN_MAX_LEN], *prompt = NULL;
	enum secret_result res;
	enum tool_exit rc = TOOL_EXIT_OK;
	va_list ap;
	size_t len;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&prompt, fmt, ap);
	va_end(ap);
	if (n < 0)
		return tool_fail_card(t, CARD_E_NO_MEMORY);
	res = secret_read(&t->pins, prompt, value);
	free(prompt);
	switch (res) {
	case SECRET_OK:
		break;
	case SECRET_E_NO_TTY:
		return tool_fail(t, TOOL_EXIT_PIN_REFUSED, "%s",
				 _("There is no terminal to ask for the PIN on; use --pin-fd or "
				   "--pin-file."));
	case SECRET_E_EOF:
		return tool_fail(t, TOOL_EXIT_PIN_REFUSED, _("No %s was given."),
				 tool_pin_name(pin));
	case SECRET_E_TOO_LONG:
		return tool_fail(t, TOOL_EXIT_PIN_REFUSED, "%s", tool_pin_format_hint(pin));
	default:
		return tool_fail(t, TOOL_EXIT_FILE, _("Cannot read the %s: %s."),
				 tool_pin_name(pin), strerror(errno));
	}
	if (pin_normalize(jpki_pin_format(pin), value, is_new, check, &len) != CARD_OK) {
		OPENSSL_cleanse(value, SECRET_MAX + 1);
		rc = tool_fail(t, TOOL_EXIT_PIN_REFUSED, "%s",
			       is_new ? _(tool_pins[pin].new_hint) : _(tool_pins[pin].hint));
	}
	OPENSSL_cleanse(check, sizeof(check));
	return rc;
}

enum tool_exit tool_guard_ask(struct tool *t, enum jpki_pin pin, char value[SECRET_MAX + 1])
{
	enum tool_exit rc;
	int tries;

	rc = tool_pin_guard(t, pin, &tries);
	if (rc == TOOL_EXIT_OK)
		rc = tool_ask_pin(t, pin, false, value,
				  ngettext("%s (%d try left): ", "%s (%d tries left): ",
					   (unsigned long)tries),
				  tool_pin_name(pin), tries);
	return rc;
}

enum tool_exit tool_login(struct tool *t, enum jpki_pin pin)
{
	char value[SECRET_MAX + 1];
	enum tool_exit rc;
	enum card_error err;
	int tries;

	rc = tool_guard_ask(t, pin, value);
	if (rc != TOOL_EXIT_OK)
		goto out;
	err = jpki_verify_pin(t->card, pin, value, &tries);
	if (err != CARD_OK)
		rc = tool_pin_error(t, pin, err, tries);
out:
	OPENSSL_cleanse(value, sizeof(value));
	return rc;
}

void tool_format_birth(const char *yyyymmdd, int era_code, char *buf, size_t cap)
{
	int code = era_code, year;

	if (yyyymmdd == NULL || strlen(yyyymmdd) != 8) {
		snprintf(buf, cap, "%s", yyyymmdd != NULL ? yyyymmdd : "");
		return;
	}
	if (era_of_date(yyyymmdd, &code, &year))
		/* TRANSLATORS: a birth date, then its era and the year in it: 1990-01-02 (Heisei 2) */
		snprintf(buf, cap, _("%.4s-%.2s-%.2s (%s %d)"), yyyymmdd, yyyymmdd + 4,
			 yyyymmdd + 6, _(era_name(code)), year);
	else
		snprintf(buf, cap, "%.4s-%.2s-%.2s", yyyymmdd, yyyymmdd + 4, yyyymmdd + 6);
}
