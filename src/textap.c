/* The text AP: see textap.h.  Layouts: docs/card.md 2.2. */
#include "textap.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "jpki-internal.h"
#include "tlv.h"

#define TEXTAP_EF_MYNUMBER 0x0001
#define TEXTAP_EF_BASIC	   0x0002
#define TEXTAP_MAX	   2048 /* the basic-facts EF is a few hundred bytes */

#define TAG_MYNUMBER 0xFF10
#define TAG_BASIC    0xFF20
#define TAG_NAME     0xDF22
#define TAG_ADDRESS  0xDF23
#define TAG_BIRTH    0xDF24
#define TAG_SEX	     0xDF25

static bool textap_digits(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* textap_fixed: a digit field of exactly len bytes into out (len + 1 bytes). */
static enum card_error textap_fixed(const uint8_t *buf, size_t n, uint32_t tag, size_t len,
				    char *out)
{
	struct tlv t;
	enum card_error err = tlv_find(buf, n, tag, &t);

	if (err != CARD_OK)
		return err == CARD_E_NOT_FOUND ? CARD_E_BAD_RESPONSE : err;
	if (t.len != len || !textap_digits(t.value, len))
		return CARD_E_BAD_RESPONSE;
	memcpy(out, t.value, len);
	out[len] = '\0';
	return CARD_OK;
}

static enum card_error textap_text(const uint8_t *buf, size_t n, uint32_t tag, char **out)
{
	struct tlv t;
	enum card_error err = tlv_find(buf, n, tag, &t);

	if (err != CARD_OK)
		return err == CARD_E_NOT_FOUND ? CARD_E_BAD_RESPONSE : err;
	if (memchr(t.value, 0, t.len) != NULL)
		return CARD_E_BAD_RESPONSE;
	*out = malloc(t.len + 1);
	if (*out == NULL)
		return CARD_E_NO_MEMORY;
	memcpy(*out, t.value, t.len);
	(*out)[t.len] = '\0';
	return CARD_OK;
}

static enum card_error textap_read_object(struct jpki_card *c, uint16_t fid, uint32_t tag,
					  uint8_t **buf, size_t *len, struct tlv *obj)
{
	enum card_error err = jpki_read_tlv_ef(c, JPKI_AP_TEXT, fid, TEXTAP_MAX, buf, len);

	if (err != CARD_OK)
		return err;
	err = tlv_parse(*buf, *len, obj, NULL);
	if (err == CARD_OK && obj->tag != tag)
		err = CARD_E_BAD_RESPONSE;
	return err;
}

enum card_error textap_read(struct jpki_card *c, const char *pin, bool want_basic,
			    struct textap_info *info, int *tries_left)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct tlv obj;
	enum card_error err;
	bool held = false;
	int dummy;

	memset(info, 0, sizeof(*info));
	err = jpki_op_begin_verified(c, JPKI_PIN_TEXT, pin,
				     tries_left != NULL ? tries_left : &dummy);
	if (err != CARD_OK)
		goto out;
	held = true;
	err = textap_read_object(c, TEXTAP_EF_MYNUMBER, TAG_MYNUMBER, &buf, &len, &obj);
	if (err != CARD_OK)
		goto out;
	if (obj.len != 12 || !textap_digits(obj.value, 12)) {
		err = CARD_E_BAD_RESPONSE;
		goto out;
	}
	memcpy(info->mynumber, obj.value, 12);
	OPENSSL_cleanse(buf, len);
	free(buf);
	buf = NULL;
	if (!want_basic)
		goto out;
	err = textap_read_object(c, TEXTAP_EF_BASIC, TAG_BASIC, &buf, &len, &obj);
	if (err == CARD_OK)
		err = textap_text(obj.value, obj.len, TAG_NAME, &info->name);
	if (err == CARD_OK)
		err = textap_text(obj.value, obj.len, TAG_ADDRESS, &info->address);
	if (err == CARD_OK)
		err = textap_fixed(obj.value, obj.len, TAG_BIRTH, 8, info->birth);
	if (err == CARD_OK)
		err = textap_fixed(obj.value, obj.len, TAG_SEX, 1, info->sex);
out:
	if (buf != NULL)
		OPENSSL_cleanse(buf, len);
	free(buf);
	if (held)
		jpki_op_end(c);
	if (err != CARD_OK)
		textap_info_free(info);
	log_printf(jpki_log(c), LOG_CALLS, "text AP read: %s", card_error_name(err));
	return err;
}

static void textap_wipe(char **s)
{
	if (*s != NULL) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
	}
	*s = NULL;
}

void textap_info_free(struct textap_info *info)
{
	textap_wipe(&info->name);
	textap_wipe(&info->address);
	OPENSSL_cleanse(info, sizeof(*info));
}
