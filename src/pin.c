/* PIN format rules: see pin.h. */
#include "pin.h"

#include <string.h>

#include <openssl/crypto.h>

struct pin_rule {
	size_t min_len, max_len;
	bool letters;	/* A-Z allowed (besides digits) */
	bool fold_case; /* a-z accepted and sent upper-cased: the card stores upper case */
	bool new_mix;	/* a new PIN must hold both a letter and a digit (issuance rule) */
};

static const struct pin_rule pin_rules[PIN_FORMAT_COUNT] = {
	[PIN_FORMAT_DIGITS4] = {.min_len = 4, .max_len = 4},
	/* The longest format: its length is PIN_MAX_LEN, which sizes the buffers. */
	[PIN_FORMAT_ALNUM6_16] = {.min_len = 6,
				  .max_len = PIN_MAX_LEN,
				  .letters = true,
				  .fold_case = true,
				  .new_mix = true},
};

void pin_lengths(enum pin_format format, size_t *min_len, size_t *max_len)
{
	*min_len = 0;
	*max_len = 0;
	if ((unsigned)format < PIN_FORMAT_COUNT) {
		*min_len = pin_rules[format].min_len;
		*max_len = pin_rules[format].max_len;
	}
}

enum card_error pin_normalize(enum pin_format format, const char *value, bool is_new,
			      char out[PIN_MAX_LEN], size_t *out_len)
{
	const struct pin_rule *rule;
	bool has_letter = false, has_digit = false;
	enum card_error err = CARD_E_PIN_FORMAT;
	size_t len, i;

	*out_len = 0;
	if ((unsigned)format >= PIN_FORMAT_COUNT)
		return CARD_E_ARGUMENTS;
	rule = &pin_rules[format];
	if (value == NULL)
		goto out;
	len = strnlen(value, rule->max_len + 1);
	if (len < rule->min_len || len > rule->max_len)
		goto out;
	for (i = 0; i < len; i++) {
		char ch = value[i];
		if (ch >= '0' && ch <= '9') {
			has_digit = true;
		} else if (rule->letters && ch >= 'A' && ch <= 'Z') {
			has_letter = true;
		} else if (rule->letters && rule->fold_case && ch >= 'a' && ch <= 'z') {
			ch = (char)(ch - 'a' + 'A');
			has_letter = true;
		} else {
			goto out;
		}
		out[i] = ch;
	}
	if (is_new && rule->new_mix && !(has_letter && has_digit))
		goto out;
	*out_len = len;
	err = CARD_OK;
out:
	if (err != CARD_OK)
		OPENSSL_cleanse(out, PIN_MAX_LEN);
	return err;
}
