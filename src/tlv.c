/* BER-TLV parsing: see tlv.h. */
#include "tlv.h"

#define TLV_LEN_MAX_BYTES 4

enum card_error tlv_parse_header(const uint8_t *buf, size_t avail, struct tlv *out)
{
	size_t pos = 0, nlen, i;
	uint32_t tag;
	size_t len;

	*out = (struct tlv){0};
	if (avail < 2)
		return CARD_E_BAD_RESPONSE;
	tag = buf[pos++];
	out->constructed = (tag & 0x20) != 0;
	if ((tag & 0x1f) == 0x1f) {
		/* Subsequent tag bytes: bit 8 set means another one follows. */
		do {
			if (pos >= avail || pos >= TLV_TAG_MAX_BYTES)
				return CARD_E_BAD_RESPONSE;
			tag = tag << 8 | buf[pos];
		} while (buf[pos++] & 0x80);
	}
	if (pos >= avail)
		return CARD_E_BAD_RESPONSE;
	len = buf[pos++];
	if (len & 0x80) {
		nlen = len & 0x7f;
		/* 0x80 is the indefinite form, which DER and this card never use. */
		if (nlen == 0 || nlen > TLV_LEN_MAX_BYTES || nlen > avail - pos)
			return CARD_E_BAD_RESPONSE;
		len = 0;
		for (i = 0; i < nlen; i++)
			len = len << 8 | buf[pos++];
	}
	if (len > SIZE_MAX - pos)
		return CARD_E_BAD_RESPONSE;
	out->tag = tag;
	out->hdr_len = pos;
	out->len = len;
	return CARD_OK;
}

enum card_error tlv_parse(const uint8_t *buf, size_t avail, struct tlv *out, size_t *next)
{
	enum card_error err = tlv_parse_header(buf, avail, out);

	if (err != CARD_OK)
		return err;
	if (out->len > avail - out->hdr_len) {
		*out = (struct tlv){0};
		return CARD_E_BAD_RESPONSE;
	}
	out->value = buf + out->hdr_len;
	if (next != NULL)
		*next = out->hdr_len + out->len;
	return CARD_OK;
}

enum card_error tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct tlv *out)
{
	size_t pos = 0, next;
	enum card_error err;

	while (pos < len) {
		err = tlv_parse(buf + pos, len - pos, out, &next);
		if (err != CARD_OK)
			return err;
		if (out->tag == tag)
			return CARD_OK;
		pos += next;
	}
	*out = (struct tlv){0};
	return CARD_E_NOT_FOUND;
}
