/* The text AP (券面事項入力補助AP): the My Number and the four basic facts,
 * opened by its 4-digit PIN (0011).  Personal data: never logged; the
 * caller frees it with textap_info_free, which wipes it.
 */
#ifndef JPKI_TEXTAP_H
#define JPKI_TEXTAP_H

#include <stdbool.h>

#include "card-error.h"
#include "jpki.h"

struct textap_info {
	char mynumber[13]; /* 12 digits (EF 0001) */
	char *name;	   /* UTF-8, family and given name separated by U+3000 (EF 0002 DF 22) */
	char *address;	   /* UTF-8 (DF 23) */
	char birth[9];	   /* Gregorian YYYYMMDD (DF 24) */
	char sex[2];	   /* "1" male, "2" female, "9" not applicable, "0" unknown (DF 25) */
};

/* textap_read: in one transaction, VERIFY the text PIN (format-checked
 * first), then read the My Number and, when want_basic, the four facts.
 * *tries_left (may be NULL) as jpki_verify_pin.  Errors: as jpki_verify_pin,
 * CARD_E_NOT_FOUND (no text AP), CARD_E_BAD_RESPONSE (malformed EF),
 * CARD_E_NOT_LOGGED_IN. */
enum card_error textap_read(struct jpki_card *c, const char *pin, bool want_basic,
			    struct textap_info *info, int *tries_left);

void textap_info_free(struct textap_info *info);

#endif
