/* jpki-tool pin change auth|sign|text: shows the tries left, reads the
 * current PIN and the new one twice (once from --pin-fd/--pin-file), checks
 * every format before anything reaches the card, then VERIFY and CHANGE
 * REFERENCE DATA in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "i18n.h"
#include "tool.h"

static const struct {
	const char *arg;
	enum jpki_pin pin;
} pin_args[] = {{"auth", JPKI_PIN_AUTH}, {"sign", JPKI_PIN_SIGN}, {"text", JPKI_PIN_TEXT}};

enum tool_exit cmd_pin(struct tool *t, int argc, char **argv)
{
	char old_pin[SECRET_MAX + 1], new_pin[SECRET_MAX + 1], again[SECRET_MAX + 1];
	enum tool_exit rc;
	enum card_error err;
	enum jpki_pin pin = JPKI_PIN_COUNT;
	size_t i;
	int tries;

	memset(old_pin, 0, sizeof(old_pin));
	memset(new_pin, 0, sizeof(new_pin));
	memset(again, 0, sizeof(again));
	for (i = 0; argc == 2 && i < sizeof(pin_args) / sizeof(pin_args[0]); i++)
		if (strcmp(argv[1], pin_args[i].arg) == 0)
			pin = pin_args[i].pin;
	if (argc != 2 || strcmp(argv[0], "change") != 0 || pin == JPKI_PIN_COUNT)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s",
				 _("Usage: jpki-tool pin change auth|sign|text"));
	rc = tool_open_card(t);
	if (rc != TOOL_EXIT_OK)
		goto out;
	rc = tool_pin_guard(t, pin, &tries);
	if (rc != TOOL_EXIT_OK)
		goto out;
	rc = tool_ask_pin(t, pin, false, old_pin,
			  ngettext("Current %s (%d try left): ", "Current %s (%d tries left): ",
				   (unsigned long)tries),
			  tool_pin_name(pin), tries);
	if (rc == TOOL_EXIT_OK)
		rc = tool_ask_pin(t, pin, true, new_pin, _("New %s: "), tool_pin_name(pin));
	if (rc != TOOL_EXIT_OK)
		goto out;
	/* Typed blind on a terminal: asked twice.  A script gives it once. */
	if (t->pins.fd < 0) {
		rc = tool_ask_pin(t, pin, true, again, _("New %s again: "), tool_pin_name(pin));
		if (rc != TOOL_EXIT_OK)
			goto out;
		if (strcmp(new_pin, again) != 0) {
			rc = tool_fail(t, TOOL_EXIT_PIN_REFUSED, "%s",
				       _("The two new PINs differ; nothing was sent to the card."));
			goto out;
		}
	}
	err = jpki_change_pin(t->card, pin, old_pin, new_pin, &tries);
	if (err != CARD_OK) {
		rc = tool_pin_error(t, pin, err, tries);
		goto out;
	}
	out_str(&t->out, "pin", _("PIN"), argv[1]);
	out_bool(&t->out, "changed", _("Changed"), true);
out:
	OPENSSL_cleanse(old_pin, sizeof(old_pin));
	OPENSSL_cleanse(new_pin, sizeof(new_pin));
	OPENSSL_cleanse(again, sizeof(again));
	return rc;
}
