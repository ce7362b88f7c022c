/* Names of the card layer's errors, for logs: see card-error.h. */
#include "card-error.h"

#include <stddef.h>

static const char *const card_error_names[CARD_E_COUNT] = {
	[CARD_OK] = "CARD_OK",
	[CARD_E_NO_SERVICE] = "CARD_E_NO_SERVICE",
	[CARD_E_NO_READER] = "CARD_E_NO_READER",
	[CARD_E_CARD_ABSENT] = "CARD_E_CARD_ABSENT",
	[CARD_E_CARD_REMOVED] = "CARD_E_CARD_REMOVED",
	[CARD_E_CARD_RESET] = "CARD_E_CARD_RESET",
	[CARD_E_SHARING] = "CARD_E_SHARING",
	[CARD_E_TRANSPORT] = "CARD_E_TRANSPORT",
	[CARD_E_NOT_JPKI] = "CARD_E_NOT_JPKI",
	[CARD_E_NOT_LOGGED_IN] = "CARD_E_NOT_LOGGED_IN",
	[CARD_E_PIN_WRONG] = "CARD_E_PIN_WRONG",
	[CARD_E_PIN_BLOCKED] = "CARD_E_PIN_BLOCKED",
	[CARD_E_PIN_FORMAT] = "CARD_E_PIN_FORMAT",
	[CARD_E_NOT_FOUND] = "CARD_E_NOT_FOUND",
	[CARD_E_BAD_RESPONSE] = "CARD_E_BAD_RESPONSE",
	[CARD_E_CARD] = "CARD_E_CARD",
	[CARD_E_ARGUMENTS] = "CARD_E_ARGUMENTS",
	[CARD_E_UNSUPPORTED] = "CARD_E_UNSUPPORTED",
	[CARD_E_NO_MEMORY] = "CARD_E_NO_MEMORY",
	[CARD_E_TIMEOUT] = "CARD_E_TIMEOUT",
	[CARD_E_CANCELLED] = "CARD_E_CANCELLED",
};

const char *card_error_name(enum card_error err)
{
	if ((unsigned)err >= CARD_E_COUNT || card_error_names[err] == NULL)
		return "CARD_E_UNKNOWN";
	return card_error_names[err];
}
