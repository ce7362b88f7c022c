/* APDU encoding and exchange (61xx, 6Cxx, malformed answers) over the fake transport. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "apdu.h"
#include "fake-transport.h"

static void test_encode(void)
{
	uint8_t data[300], out[400], *want;
	size_t len, wlen;
	struct apdu a = {.cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x80};

	memset(data, 0x11, sizeof(data));
	len = apdu_encode(&a, out, sizeof(out));
	tap_is_mem(out, len, "\x00\x20\x00\x80", 4, "case 1");

	a = (struct apdu){.ins = 0xB0, .le = 256};
	len = apdu_encode(&a, out, sizeof(out));
	tap_is_mem(out, len, "\x00\xB0\x00\x00\x00", 5, "case 2 short, Le 256 as 00");
	a.le = 7;
	len = apdu_encode(&a, out, sizeof(out));
	tap_is_mem(out, len, "\x00\xB0\x00\x00\x07", 5, "case 2 short, Le 7");

	a = (struct apdu){.ins = 0xA4, .p1 = 2, .p2 = 0x0C, .data = data, .lc = 2};
	len = apdu_encode(&a, out, sizeof(out));
	tap_is_mem(out, len, "\x00\xA4\x02\x0C\x02\x11\x11", 7, "case 3 short");

	a = (struct apdu){.cla = 0x80, .ins = 0x2A, .p2 = 0x80, .data = data, .lc = 3, .le = 256};
	len = apdu_encode(&a, out, sizeof(out));
	tap_is_mem(out, len, "\x80\x2A\x00\x80\x03\x11\x11\x11\x00", 9, "case 4 short");

	a = (struct apdu){.ins = 0xB0, .le = 65536};
	len = apdu_encode(&a, out, sizeof(out));
	tap_is_mem(out, len, "\x00\xB0\x00\x00\x00\x00\x00", 7, "case 2 extended, Le 65536");
	a.le = 257;
	len = apdu_encode(&a, out, sizeof(out));
	tap_is_mem(out, len, "\x00\xB0\x00\x00\x00\x01\x01", 7, "case 2 extended, Le 257");

	a = (struct apdu){.ins = 0xD6, .data = data, .lc = 300};
	len = apdu_encode(&a, out, sizeof(out));
	tap_ok(len == 307 && memcmp(out, "\x00\xD6\x00\x00\x00\x01\x2C", 7) == 0,
	       "case 3 extended");

	a.le = 2;
	len = apdu_encode(&a, out, sizeof(out));
	want = hex_decode("0002", &wlen);
	tap_ok(len == 309 && memcmp(out + 4, "\x00\x01\x2C", 3) == 0 &&
		       memcmp(out + 307, want, 2) == 0,
	       "case 4 extended: Lc 3 bytes, Le 2 bytes");
	free(want);

	tap_is_int(apdu_encode(&a, out, 100), 0, "does not fit: 0");
	a = (struct apdu){.ins = 0xD6, .lc = 3};
	tap_is_int(apdu_encode(&a, out, sizeof(out)), 0, "Lc without data: 0");
	a = (struct apdu){.ins = 0xB0, .le = 65537};
	tap_is_int(apdu_encode(&a, out, sizeof(out)), 0, "Le above 65536: 0");
	a = (struct apdu){.ins = 0xD6, .data = data, .lc = 65536};
	tap_is_int(apdu_encode(&a, out, sizeof(out)), 0, "Lc above 65535: 0");
}

static const struct apdu read7 = {.ins = 0xB0, .le = 7};

static void test_exchange(struct fake_transport *f)
{
	struct transport_card *c = fake_card(f);
	uint8_t buf[600];
	size_t len;
	uint16_t sw;
	enum card_error err;

	fake_expect(f, "00B0000007", "01020304050607 9000");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_ok(err == CARD_OK && sw == 0x9000 && len == 7 && memcmp(buf, "\1\2\3\4\5\6\7", 7) == 0,
	       "plain exchange");
	tap_ok(fake_check(f), "plain exchange: one APDU");

	fake_expect(f, "00B0000007", "0102 6282");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_ok(err == CARD_OK && sw == 0x6282 && len == 2, "short read with 6282 passed up");
	tap_ok(fake_check(f), "6282: one APDU");

	fake_expect(f, "00B0000007", "");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_is_int(err, CARD_E_BAD_RESPONSE, "empty answer: bad response");
	tap_ok(fake_check(f), "empty answer: one APDU");

	fake_expect(f, "00B0000007", "90");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_is_int(err, CARD_E_BAD_RESPONSE, "one-byte answer: bad response");
	tap_ok(fake_check(f), "one-byte answer: one APDU");

	fake_expect(f, "00B0000007", "0102030405060708 9000");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_is_int(err, CARD_E_BAD_RESPONSE, "more data than Le: bad response");
	tap_ok(fake_check(f), "more than Le: one APDU");

	fake_expect(f, "00B0000007", "01020304050607 9000");
	err = apdu_transmit(c, NULL, &read7, buf, 3, &len, &sw);
	tap_ok(err == CARD_E_BAD_RESPONSE && len == 0, "more data than the buffer: bad response");
	tap_ok(fake_check(f), "more than buffer: one APDU");

	{
		uint8_t big[300];
		struct apdu r256 = {.ins = 0xB0, .le = 256};
		memset(big, 0x42, sizeof(big));
		fake_expect_data(f, "00B0000000", big, 257, 0x9000);
		err = apdu_transmit(c, NULL, &r256, buf, sizeof(buf), &len, &sw);
		tap_is_int(err, CARD_E_BAD_RESPONSE, "257 bytes to a short Le: bad response");
		tap_ok(fake_check(f), "257 bytes: one APDU");
	}

	fake_expect(f, "00A4020C020001", "0102 9000");
	{
		struct apdu sel = {
			.ins = 0xA4, .p1 = 2, .p2 = 0x0C, .data = (const uint8_t *)"\0\1", .lc = 2};
		err = apdu_transmit(c, NULL, &sel, buf, sizeof(buf), &len, &sw);
	}
	tap_is_int(err, CARD_E_BAD_RESPONSE, "data answered to a command without Le: bad response");
	tap_ok(fake_check(f), "unexpected data: one APDU");

	/* 61xx: GET RESPONSE for the rest, data accumulated in order. */
	fake_expect(f, "00B0000007", "6103");
	fake_expect(f, "00C0000003", "010203 6104");
	fake_expect(f, "00C0000004", "04050607 9000");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_ok(err == CARD_OK && sw == 0x9000 && len == 7 && memcmp(buf, "\1\2\3\4\5\6\7", 7) == 0,
	       "61xx chain assembled");
	tap_ok(fake_check(f), "61xx: three APDUs");

	/* GET RESPONSE asks for exactly what the card said is waiting (ISO
	 * 7816-4: Le = xx), 00 only for 6100 (256 or more). */
	{
		uint8_t big[300], out[300];
		struct apdu r256 = {.ins = 0xB0, .le = 256}, r128 = {.ins = 0xB0, .le = 128};

		memset(big, 0x42, sizeof(big));
		fake_expect(f, "00B0000000", "6100");
		fake_expect_data(f, "00C0000000", big, 256, 0x9000);
		err = apdu_transmit(c, NULL, &r256, out, sizeof(out), &len, &sw);
		tap_ok(err == CARD_OK && sw == 0x9000 && len == 256, "6100: GET RESPONSE Le 00");
		tap_ok(fake_check(f), "6100: 00 C0 00 00 00");
		fake_expect_data(f, "00B0000080", big, 16, 0x6170);
		fake_expect_data(f, "00C0000070", big, 0x70, 0x9000);
		err = apdu_transmit(c, NULL, &r128, out, sizeof(out), &len, &sw);
		tap_ok(err == CARD_OK && sw == 0x9000 && len == 128,
		       "16 bytes and 6170: 112 more fetched");
		tap_ok(fake_check(f), "6170: 00 C0 00 00 70, not 00");
	}

	/* GET RESPONSE never asks for more than the buffer still holds. */
	fake_expect(f, "00B0000007", "6100");
	fake_expect(f, "00C0000007", "01020304050607 9000");
	err = apdu_transmit(c, NULL, &read7, buf, 7, &len, &sw);
	tap_ok(err == CARD_OK && len == 7, "6100 asks only for the room left");
	tap_ok(fake_check(f), "6100: two APDUs");

	/* 6Cxx: resend with the right Le. */
	fake_expect(f, "00B0000007", "6C05");
	fake_expect(f, "00B0000005", "0102030405 9000");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_ok(err == CARD_OK && sw == 0x9000 && len == 5, "6Cxx resent with Le = xx");
	tap_ok(fake_check(f), "6Cxx: two APDUs");

	/* Endless 61xx and 6Cxx stop after APDU_MAX_EXCHANGES. */
	fake_expect(f, "00B0000007", "6101");
	for (int i = 1; i < APDU_MAX_EXCHANGES; i++)
		fake_expect(f, "00C0000001", "00 6101");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_is_int(err, CARD_E_BAD_RESPONSE, "endless 61xx: bad response");
	tap_ok(fake_check(f), "endless 61xx: bounded to %d APDUs", APDU_MAX_EXCHANGES);

	fake_expect(f, "00B0000007", "6C07");
	for (int i = 1; i < APDU_MAX_EXCHANGES; i++)
		fake_expect(f, "00B0000007", "6C07");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_is_int(err, CARD_E_BAD_RESPONSE, "endless 6Cxx: bad response");
	tap_ok(fake_check(f), "endless 6Cxx: bounded to %d APDUs", APDU_MAX_EXCHANGES);

	/* 61xx data beyond the buffer is refused, not truncated. */
	fake_expect(f, "00B0000007", "0102030405 6105");
	err = apdu_transmit(c, NULL, &read7, buf, 5, &len, &sw);
	tap_is_int(err, CARD_E_BAD_RESPONSE, "61xx with a full buffer: bad response");
	tap_ok(fake_check(f), "61xx full buffer: one APDU");

	/* 6C on a command with no Le is just a status word. */
	fake_expect(f, "00A4020C020001", "6C00");
	{
		struct apdu sel = {
			.ins = 0xA4, .p1 = 2, .p2 = 0x0C, .data = (const uint8_t *)"\0\1", .lc = 2};
		err = apdu_transmit(c, NULL, &sel, buf, sizeof(buf), &len, &sw);
	}
	tap_ok(err == CARD_OK && sw == 0x6C00, "6Cxx to a command without Le is passed up");
	tap_ok(fake_check(f), "6C without Le: one APDU");

	/* Garbage status words are passed up for the caller to refuse. */
	fake_expect(f, "00B0000007", "1234");
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_ok(err == CARD_OK && sw == 0x1234 && len == 0, "garbage SW passed up");
	tap_ok(fake_check(f), "garbage SW: one APDU");

	/* Transport errors are passed up as they are. */
	fake_expect_error(f, "00B0000007", CARD_E_CARD_RESET);
	err = apdu_transmit(c, NULL, &read7, buf, sizeof(buf), &len, &sw);
	tap_is_int(err, CARD_E_CARD_RESET, "reset passed up");
	tap_ok(fake_check(f), "reset: one APDU");
}

static void test_log_masks_pin(struct fake_transport *f)
{
	struct log log = {.level = LOG_APDU};
	char *text = NULL;
	size_t size = 0;
	uint8_t buf[8];
	size_t len;
	uint16_t sw;
	struct apdu v = {
		.ins = 0x20, .p2 = 0x80, .data = (const uint8_t *)"1234", .lc = 4, .secret = true};

	log.fp = open_memstream(&text, &size);
	if (log.fp == NULL)
		tap_bail("open_memstream");
	fake_expect(f, "002000800431323334", "9000");
	apdu_transmit(fake_card(f), &log, &v, buf, sizeof(buf), &len, &sw);
	fclose(log.fp);
	tap_ok(text != NULL && strstr(text, "**") != NULL && strstr(text, "31 32") == NULL &&
		       strstr(text, "1234") == NULL,
	       "VERIFY data is logged as **");
	tap_ok(fake_check(f), "masked VERIFY: one APDU");
	free(text);
}

int main(void)
{
	struct fake_transport *f = fake_new();

	test_encode();
	test_exchange(f);
	test_log_masks_pin(f);
	fake_free(f);
	return tap_done();
}
