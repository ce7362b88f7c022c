/* Fuzz target tlv (docs/fuzzing.md): the BER-TLV parser (src/tlv.h) on arbitrary bytes.  The
 * first bytes name a tag for tlv_find; the rest is parsed as a list of
 * objects, descending into constructed ones, checking every promise of
 * tlv.h: headers and values inside the buffer, lengths that add up. */
#include "fuzz.h"

#include "tlv.h"

#define FUZZ_TLV_DEPTH 8

static void fuzz_tlv_check(const uint8_t *buf, size_t avail, const struct tlv *t)
{
	FUZZ_ASSERT(t->hdr_len >= 2 && t->hdr_len <= avail);
	FUZZ_ASSERT(t->hdr_len <= 1 + TLV_TAG_MAX_BYTES + 5);
	FUZZ_ASSERT(t->constructed == ((buf[0] & 0x20) != 0));
}

/* fuzz_tlv_walk: every object of buf, and inside the constructed ones. */
static void fuzz_tlv_walk(const uint8_t *buf, size_t len, unsigned depth)
{
	size_t pos = 0, next;
	struct tlv t, h;

	while (pos < len) {
		if (tlv_parse_header(buf + pos, len - pos, &h) == CARD_OK) {
			fuzz_tlv_check(buf + pos, len - pos, &h);
			FUZZ_ASSERT(h.value == NULL);
		}
		if (tlv_parse(buf + pos, len - pos, &t, &next) != CARD_OK) {
			FUZZ_ASSERT(t.value == NULL && t.len == 0);
			return;
		}
		fuzz_tlv_check(buf + pos, len - pos, &t);
		FUZZ_ASSERT(t.tag == h.tag && t.len == h.len && t.hdr_len == h.hdr_len);
		FUZZ_ASSERT(t.len <= len - pos - t.hdr_len);
		FUZZ_ASSERT(t.value == buf + pos + t.hdr_len && next == t.hdr_len + t.len);
		if (t.constructed && depth < FUZZ_TLV_DEPTH)
			fuzz_tlv_walk(t.value, t.len, depth + 1);
		pos += next;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlv t;
	uint32_t tag = 0;
	enum card_error err;
	size_t n, i;

	/* The first byte says how many tag bytes follow (1-4), then the objects. */
	if (size < 1)
		return 0;
	n = (data[0] & 3u) + 1;
	if (size < 1 + n)
		return 0;
	for (i = 0; i < n; i++)
		tag = tag << 8 | data[1 + i];
	data += 1 + n;
	size -= 1 + n;
	err = tlv_find(data, size, tag, &t);
	if (err == CARD_OK) {
		FUZZ_ASSERT(t.tag == tag && t.value != NULL);
		FUZZ_ASSERT(t.value >= data && t.len <= size - (size_t)(t.value - data));
	} else {
		FUZZ_ASSERT(err == CARD_E_NOT_FOUND || err == CARD_E_BAD_RESPONSE);
	}
	fuzz_tlv_walk(data, size, 0);
	return 0;
}
