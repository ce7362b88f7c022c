/* Exit codes and card-error messages: see exit.h. */
#include "exit.h"

#include <stddef.h>

#include "i18n.h"

static const struct exit_desc exit_table[TOOL_EXIT_COUNT] = {
	[TOOL_EXIT_OK] = {"ok", N_("success")},
	[TOOL_EXIT_FAILURE] = {"failure",
			       N_("other failure (the card refused, a malformed answer)")},
	[TOOL_EXIT_USAGE] = {"usage", N_("bad command line")},
	[TOOL_EXIT_NO_READER] = {"no-reader", N_("no PC/SC service, no reader, or no such reader")},
	[TOOL_EXIT_NO_CARD] = {"no-card", N_("no card in the reader")},
	[TOOL_EXIT_NOT_JPKI] = {"not-jpki", N_("the card has no JPKI or text application")},
	[TOOL_EXIT_PIN_WRONG] = {"pin-wrong", N_("wrong PIN (one try spent)")},
	[TOOL_EXIT_PIN_BLOCKED] = {"pin-blocked", N_("the PIN is blocked")},
	[TOOL_EXIT_PIN_REFUSED] = {"pin-refused",
				   N_("PIN refused before reaching the card (format, last try)")},
	[TOOL_EXIT_CARD_REMOVED] = {"card-removed",
				    N_("the card was removed or reset during the command")},
	[TOOL_EXIT_FILE] = {"file", N_("a file could not be read or written")},
	[TOOL_EXIT_INVALID] = {"invalid", N_("a signature or certificate check failed")},
};

struct exit_card_row {
	enum tool_exit code;
	const char *message;
};

static const struct exit_card_row exit_card_rows[CARD_E_COUNT] = {
	[CARD_OK] = {TOOL_EXIT_OK, N_("Success.")},
	[CARD_E_NO_SERVICE] = {TOOL_EXIT_NO_READER,
			       N_("The PC/SC service (pcscd) is not running or not reachable.")},
	[CARD_E_NO_READER] = {TOOL_EXIT_NO_READER, N_("The card reader is not connected.")},
	[CARD_E_CARD_ABSENT] = {TOOL_EXIT_NO_CARD, N_("There is no card in the reader.")},
	[CARD_E_CARD_REMOVED] = {TOOL_EXIT_CARD_REMOVED,
				 N_("The card was removed during the command; keep the card on the "
				    "reader until the command ends.")},
	[CARD_E_CARD_RESET] = {TOOL_EXIT_CARD_REMOVED,
			       N_("The card was reset by another program during the command.")},
	[CARD_E_SHARING] = {TOOL_EXIT_CARD_REMOVED,
			    N_("Another program is using the card exclusively.")},
	[CARD_E_TRANSPORT] = {TOOL_EXIT_FAILURE, N_("The card reader failed.")},
	[CARD_E_NOT_JPKI] =
		{TOOL_EXIT_NOT_JPKI,
		 N_("The card in the reader is not a My Number Card (no JPKI application).")},
	[CARD_E_NOT_LOGGED_IN] = {TOOL_EXIT_FAILURE,
				  N_("The card asked for a PIN that was not given.")},
	[CARD_E_PIN_WRONG] = {TOOL_EXIT_PIN_WRONG, N_("The PIN is wrong.")},
	[CARD_E_PIN_BLOCKED] = {TOOL_EXIT_PIN_BLOCKED, N_("The PIN is blocked.")},
	[CARD_E_PIN_FORMAT] = {TOOL_EXIT_PIN_REFUSED, N_("The PIN has the wrong format.")},
	[CARD_E_NOT_FOUND] = {TOOL_EXIT_NOT_JPKI,
			      N_("The card lacks the application or file this command needs.")},
	[CARD_E_BAD_RESPONSE] = {TOOL_EXIT_FAILURE, N_("The card sent a malformed answer.")},
	[CARD_E_CARD] = {TOOL_EXIT_FAILURE, N_("The card refused the command.")},
	[CARD_E_ARGUMENTS] = {TOOL_EXIT_FAILURE, N_("Internal error: invalid arguments.")},
	[CARD_E_UNSUPPORTED] = {TOOL_EXIT_FAILURE, N_("This card does not support the command.")},
	[CARD_E_NO_MEMORY] = {TOOL_EXIT_FAILURE, N_("Out of memory.")},
	[CARD_E_TIMEOUT] = {TOOL_EXIT_FAILURE, N_("Timed out waiting for the reader.")},
	[CARD_E_CANCELLED] = {TOOL_EXIT_FAILURE, N_("Cancelled.")},
};

const struct exit_desc *exit_desc(enum tool_exit code)
{
	if ((unsigned)code >= TOOL_EXIT_COUNT)
		code = TOOL_EXIT_FAILURE;
	return &exit_table[code];
}

enum tool_exit exit_from_card(enum card_error err, const char **message)
{
	if ((unsigned)err >= CARD_E_COUNT || exit_card_rows[err].message == NULL)
		err = CARD_E_CARD;
	*message = exit_card_rows[err].message;
	return exit_card_rows[err].code;
}
