/* BER-TLV parsing: long-form private tags, length forms, truncation. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "fake-transport.h"
#include "tlv.h"

static enum card_error parse_hex(const char *hex, struct tlv *t, size_t *next)
{
	size_t len;
	uint8_t *buf = hex_decode(hex, &len);
	enum card_error err = tlv_parse(buf, len, t, next);

	/* The value points into buf: the callers only look at tag and lengths. */
	t->value = NULL;
	free(buf);
	return err;
}

int main(void)
{
	struct tlv t;
	size_t next = 0, len;
	uint8_t *buf;

	tap_ok(parse_hex("FF100C313233343536373839303132FFFF", &t, &next) == CARD_OK &&
		       t.tag == 0xFF10 && t.constructed && t.hdr_len == 3 && t.len == 12 &&
		       next == 15,
	       "FF 10: non-minimal long-form tag, short length");
	tap_ok(parse_hex("DF210800000000000000 00", &t, &next) == CARD_OK && t.tag == 0xDF21 &&
		       !t.constructed && t.len == 8 && next == 11,
	       "DF 21 primitive");
	tap_ok(parse_hex("DF8101 01 AA", &t, &next) == CARD_OK && t.tag == 0xDF8101 && t.len == 1,
	       "three-byte tag");
	tap_is_int(parse_hex("DF81818101 01 AA", &t, &next), CARD_E_BAD_RESPONSE,
		   "five-byte tag refused");
	tap_is_int(parse_hex("DF", &t, &next), CARD_E_BAD_RESPONSE, "tag cut short");
	tap_is_int(parse_hex("DF81", &t, &next), CARD_E_BAD_RESPONSE, "tag continuation cut short");
	tap_is_int(parse_hex("DF21", &t, &next), CARD_E_BAD_RESPONSE, "length missing");
	tap_is_int(parse_hex("", &t, &next), CARD_E_BAD_RESPONSE, "empty input");
	tap_ok(parse_hex("0400", &t, &next) == CARD_OK && t.len == 0 && next == 2, "empty value");
	tap_ok(parse_hex("30 81 02 0102", &t, &next) == CARD_OK && t.len == 2 && t.hdr_len == 3,
	       "81 length form");
	tap_ok(parse_hex("30 83 000002 0102", &t, &next) == CARD_OK && t.len == 2 && t.hdr_len == 5,
	       "83 length form (non-minimal)");
	tap_is_int(parse_hex("30 80 0000", &t, &next), CARD_E_BAD_RESPONSE, "indefinite refused");
	tap_is_int(parse_hex("30 85 0000000001 00", &t, &next), CARD_E_BAD_RESPONSE,
		   "five length bytes refused");
	tap_is_int(parse_hex("30 82 01", &t, &next), CARD_E_BAD_RESPONSE, "length bytes cut short");
	tap_is_int(parse_hex("30 03 0102", &t, &next), CARD_E_BAD_RESPONSE,
		   "value longer than the buffer");
	tap_is_int(parse_hex("30 84 FFFFFFFF 00", &t, &next), CARD_E_BAD_RESPONSE,
		   "4 GB value refused");

	/* A DER certificate header is readable from its first bytes alone. */
	buf = hex_decode("3082062B3082", &len);
	tap_ok(tlv_parse_header(buf, len, &t) == CARD_OK && t.tag == 0x30 && t.hdr_len == 4 &&
		       t.len == 0x62B && t.value == NULL,
	       "certificate header: 1583 bytes in all");
	tap_is_int(tlv_parse_header(buf, 3, &t), CARD_E_BAD_RESPONSE, "header cut short");
	free(buf);

	/* tlv_find over one level of the text AP's basic-facts template. */
	buf = hex_decode("DF2108000E00200059 0064 DF2203414243 DF2408313937303031303120", &len);
	tap_ok(tlv_find(buf, len - 1, 0xDF22, &t) == CARD_OK && t.len == 3 &&
		       memcmp(t.value, "ABC", 3) == 0,
	       "find DF 22");
	tap_is_int(tlv_find(buf, len - 2, 0xDF25, &t), CARD_E_BAD_RESPONSE,
		   "find past a truncated object: bad response");
	tap_is_int(tlv_find(buf, 17, 0xDF25, &t), CARD_E_NOT_FOUND, "find a missing tag");
	tap_is_int(tlv_find(buf, 0, 0xDF21, &t), CARD_E_NOT_FOUND, "find in nothing");
	free(buf);
	return tap_done();
}
