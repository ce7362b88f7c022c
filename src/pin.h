/* PIN format rules, one table row per kind of PIN, checked before anything
 * reaches the card: a malformed PIN must never cost a try, and an empty one
 * must never be sent (on this card an empty VERIFY is the retry-counter query).
 */
#ifndef JPKI_PIN_H
#define JPKI_PIN_H

#include <stdbool.h>
#include <stddef.h>

#include "card-error.h"

#define PIN_MAX_LEN 16 /* the longest format's longest PIN (the sign password) */

enum pin_format {
	PIN_FORMAT_DIGITS4,   /* auth PIN, text-AP PIN: exactly 4 digits */
	PIN_FORMAT_ALNUM6_16, /* sign password: 6-16 of A-Z 0-9, lower case folded to upper */
	PIN_FORMAT_COUNT
};

/* pin_lengths: the shortest and the longest PIN of a format (0 and 0 for an
 * unknown format). */
void pin_lengths(enum pin_format format, size_t *min_len, size_t *max_len);

/* pin_normalize: checks value against the format and writes the bytes to send
 * into out (not NUL-terminated; *out_len bytes; lower case upper-cased where
 * the format says so).  is_new applies the rules for choosing a new PIN too
 * (the sign password must mix letters and digits).  The caller wipes out.
 * Errors: CARD_E_PIN_FORMAT (NULL, empty, too short or long, a character
 * outside the set), CARD_E_ARGUMENTS (unknown format). */
enum card_error pin_normalize(enum pin_format format, const char *value, bool is_new,
			      char out[PIN_MAX_LEN], size_t *out_len);

#endif
