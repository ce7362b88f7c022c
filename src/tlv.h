/* BER-TLV as the card writes it: multi-byte tags, including the non-minimal
 * private-class forms of the text AP (FF 10, DF 21: tag numbers below 31
 * written in the long form), and definite lengths of up to four bytes.
 * Every length is checked against the bytes actually present.
 */
#ifndef JPKI_TLV_H
#define JPKI_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card-error.h"

#define TLV_TAG_MAX_BYTES 4

struct tlv {
	uint32_t tag;	      /* the tag bytes as a big-endian number: 0x30, 0xFF10, 0xDF21 */
	bool constructed;     /* bit 6 of the first tag byte */
	size_t hdr_len;	      /* bytes of tag and length */
	size_t len;	      /* bytes of value */
	const uint8_t *value; /* NULL from tlv_parse_header, else points into the buffer */
};

/* tlv_parse_header: reads the tag and length at buf (avail bytes present);
 * the value need not be present.  Errors: CARD_E_BAD_RESPONSE (truncated
 * header, tag longer than 4 bytes, indefinite or over-long length, a length
 * that overflows size_t when added to the header). */
enum card_error tlv_parse_header(const uint8_t *buf, size_t avail, struct tlv *out);

/* tlv_parse: as tlv_parse_header, and the whole value must lie inside the
 * avail bytes; *next (may be NULL) = offset just after the value.
 * Errors: CARD_E_BAD_RESPONSE. */
enum card_error tlv_parse(const uint8_t *buf, size_t avail, struct tlv *out, size_t *next);

/* tlv_find: looks for the first object with this tag among the objects that
 * fill buf (one level, no descent).  Errors: CARD_E_NOT_FOUND,
 * CARD_E_BAD_RESPONSE (a malformed object before it). */
enum card_error tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct tlv *out);

#endif
