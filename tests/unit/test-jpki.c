/* The JPKI layer over the scripted fake transport: every command and status
 * word, malformed answers, and the exact APDUs each operation sends. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "fake-transport.h"
#include "jpki.h"

#define SEL_JPKI "00A4040C0AD392F000260100000001"
#define SEL_TEXT "00A4040C0AD3921000310001010408"
#define SEL_0006 "00A4020C020006"
#define SEL_000A "00A4020C02000A"
#define SEL_0001 "00A4020C020001"
#define SEL_0018 "00A4020C020018"
#define SEL_001B "00A4020C02001B"
#define SEL_0017 "00A4020C020017"
#define SEL_001A "00A4020C02001A"
#define LABEL2	 "4A504B49415049434354 4F4B454E32 2020202020202020202020202020202020"
#define SFI_0006 "00B0860020" /* READ BINARY by short EF identifier 06, 32 bytes */

static struct fake_transport *f;

static bool check(void)
{
	return fake_check(f);
}

/* make_der: a fake "certificate": 30 82 LL LL then a counting pattern. */
static uint8_t *make_der(size_t total)
{
	uint8_t *d = malloc(total);
	size_t i;

	d[0] = 0x30;
	d[1] = 0x82;
	d[2] = (uint8_t)((total - 4) >> 8);
	d[3] = (uint8_t)(total - 4);
	for (i = 4; i < total; i++)
		d[i] = (uint8_t)(i * 7);
	return d;
}

/* new_detected_card: a card that refuses READ BINARY by SFI (6A86), so the
 * tests below see SELECT + READ; test_sfi covers the short form. */
static struct jpki_card *new_detected_card(void)
{
	struct jpki_card *c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	enum jpki_kind kind;

	fake_expect(f, SFI_0006, "6A86"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, "6A86");
	fake_expect(f, SEL_0006, "9000");
	fake_expect(f, "00B0000020", LABEL2 "9000");
	if (jpki_detect(c, &kind, NULL) != CARD_OK || kind != JPKI_KIND_MYNUMBER || !check())
		tap_bail("detect failed");
	return c;
}

static void test_detect(void)
{
	struct jpki_card *c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	enum jpki_kind kind;
	char label[JPKI_LABEL_MAX + 1];

	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "6A82");
	tap_is_int(jpki_detect(c, &kind, label), CARD_E_NOT_JPKI, "no JPKI AP: not JPKI");
	tap_ok(check(), "not JPKI: the probe, one SELECT");
	tap_ok(!fake_in_transaction(f), "transaction ended");

	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, LABEL2 "9000");
	tap_ok(jpki_detect(c, &kind, label) == CARD_OK && kind == JPKI_KIND_MYNUMBER &&
		       strcmp(label, "JPKIAPICCTOKEN2") == 0,
	       "My Number Card detected by its label");
	tap_ok(check(), "detect at the MF: the probe, SELECT AP, READ 32 of EF 0006 by SFI");
	tap_ok(jpki_detect(c, &kind, label) == CARD_OK && kind == JPKI_KIND_MYNUMBER,
	       "detect again");
	tap_ok(check(), "detect again: no APDU");
	jpki_card_free(c);

	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, "4A504B49415049434354 4F4B454E 2020 9000");
	tap_ok(jpki_detect(c, &kind, label) == CARD_OK && kind == JPKI_KIND_JUKI,
	       "old Juki card told apart (JPKIAPICCTOKEN)");
	tap_ok(check(), "Juki: three APDUs");
	jpki_card_free(c);

	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, "4A504B494150475053 45544F4B454E 9000");
	tap_ok(jpki_detect(c, &kind, label) == CARD_OK && kind == JPKI_KIND_ANDROID,
	       "Android token (short label, no padding)");
	tap_ok(check(), "Android: three APDUs");
	jpki_card_free(c);

	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	/* By SFI only a label we know proves the EF: anything else is read
	 * again after SELECT (and SFI is not used again for this card). */
	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, "3082 9000");
	fake_expect(f, SEL_0006, "9000");
	fake_expect(f, "00B0000020", "0001FF 9000");
	tap_ok(jpki_detect(c, &kind, label) == CARD_OK && kind == JPKI_KIND_OTHER &&
		       strcmp(label, "???") == 0,
	       "garbage label: other kind, sanitised");
	tap_ok(check(), "garbage label: the probe, by SFI, then again after SELECT");
	jpki_card_free(c);

	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, "6A82");
	fake_expect(f, SEL_0006, "6A82");
	tap_is_int(jpki_detect(c, &kind, label), CARD_E_NOT_FOUND, "no EF 0006: not found");
	tap_ok(check(), "no token info: the probe, SFI refused, SELECT refused");
	jpki_card_free(c);

	fake_set_card(f, false, 1);
	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	tap_is_int(jpki_detect(c, &kind, label), CARD_E_CARD_ABSENT, "empty reader: absent");
	tap_ok(check(), "empty reader: no APDU");
	jpki_card_free(c);
	fake_set_card(f, true, 1);
}

static void test_certs(void)
{
	struct jpki_card *c = new_detected_card();
	uint8_t *der = make_der(1583), *got, big[300];
	size_t len, off;
	char hdr[32];

	/* SELECT + 256-byte first read + exactly the remaining 6 chunks. */
	fake_expect(f, SEL_000A, "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	for (off = 256; off < 1583; off += 256) {
		size_t n = 1583 - off < 256 ? 1583 - off : 256;
		snprintf(hdr, sizeof(hdr), "00B0%04zX%02zX", off, n & 0xff);
		fake_expect_data(f, hdr, der + off, n, 0x9000);
	}
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len) == CARD_OK && len == 1583 &&
		       memcmp(got, der, len) == 0,
	       "auth certificate read whole");
	tap_ok(check(), "auth certificate: SELECT + 7 READs, nothing past the DER");
	free(got);
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len) == CARD_OK && len == 1583,
	       "auth certificate again");
	tap_ok(check(), "cached certificate: no APDU");
	free(got);

	/* Short reads: the card gives less than asked; the rest is asked for. */
	fake_expect(f, "00A4020C02000B", "9000");
	fake_expect_data(f, "00B0000000", der, 100, 0x9000);
	fake_expect_data(f, "00B0006400", der + 100, 256, 0x9000);
	for (off = 356; off < 1583; off += 256) {
		size_t n = 1583 - off < 256 ? 1583 - off : 256;
		snprintf(hdr, sizeof(hdr), "00B0%04zX%02zX", off, n & 0xff);
		fake_expect_data(f, hdr, der + off, n, 0x9000);
	}
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH_CA, &got, &len) == CARD_OK && len == 1583 &&
		       memcmp(got, der, len) == 0,
	       "short first read then the rest");
	tap_ok(check(), "short reads: offsets follow what came back");
	free(got);
	jpki_card_free(c);

	/* A header claiming 60 KB: refused after the first read. */
	c = new_detected_card();
	memcpy(big, "\x30\x82\xEA\x60", 4);
	memset(big + 4, 0, sizeof(big) - 4);
	fake_expect(f, SEL_000A, "9000");
	fake_expect_data(f, "00B0000000", big, 256, 0x9000);
	tap_is_int(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len), CARD_E_BAD_RESPONSE,
		   "60 KB header: bad response");
	tap_ok(got == NULL && len == 0, "nothing returned");
	tap_ok(check(), "60 KB: SELECT + one READ, no more");

	/* Fewer bytes than the header needs. */
	fake_expect(f, SEL_000A, "9000");
	fake_expect(f, "00B0000000", "3082 9000");
	tap_is_int(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len), CARD_E_BAD_RESPONSE,
		   "2-byte EF: bad response");
	tap_ok(check(), "2-byte EF: two APDUs");

	/* Empty EF: 6B00 at offset 0. */
	fake_expect(f, "00A4020C02000B", "9000");
	fake_expect(f, "00B0000000", "6B00");
	tap_is_int(jpki_read_cert(c, JPKI_CERT_AUTH_CA, &got, &len), CARD_E_BAD_RESPONSE,
		   "6B00 at offset 0: bad response");
	tap_ok(check(), "6B00 first: two APDUs");

	/* EF ends before the DER: 6282 with a short chunk. */
	fake_expect(f, "00A4020C020002", "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	fake_expect_data(f, "00B0010000", der + 256, 10, 0x6282);
	tap_is_int(jpki_read_cert(c, JPKI_CERT_SIGN_CA, &got, &len), CARD_E_BAD_RESPONSE,
		   "6282 before the end of the DER: bad response");
	tap_ok(check(), "6282 early: three APDUs, no read after 6282");

	/* 6B00 in the middle. */
	fake_expect(f, "00A4020C020002", "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	fake_expect(f, "00B0010000", "6B00");
	tap_is_int(jpki_read_cert(c, JPKI_CERT_SIGN_CA, &got, &len), CARD_E_BAD_RESPONSE,
		   "6B00 before the end of the DER: bad response");
	tap_ok(check(), "6B00 early: three APDUs");

	/* Zero bytes with 9000: no progress, stop. */
	fake_expect(f, "00A4020C020002", "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	fake_expect(f, "00B0010000", "9000");
	tap_is_int(jpki_read_cert(c, JPKI_CERT_SIGN_CA, &got, &len), CARD_E_BAD_RESPONSE,
		   "empty chunk: bad response");
	tap_ok(check(), "empty chunk: three APDUs");

	/* A small certificate inside one chunk, with filler and 6282: one READ. */
	{
		uint8_t small[256];
		memset(small, 0xFF, sizeof(small));
		memcpy(small, der, 4);
		small[2] = 0;
		small[3] = 196; /* 200 bytes in all */
		fake_expect(f, "00A4020C020002", "9000");
		fake_expect_data(f, "00B0000000", small, 230, 0x6282);
		tap_ok(jpki_read_cert(c, JPKI_CERT_SIGN_CA, &got, &len) == CARD_OK && len == 200,
		       "small certificate with filler: trimmed to the DER");
		tap_ok(check(), "small certificate: SELECT + one READ");
		free(got);
	}

	/* Not a SEQUENCE. */
	{
		uint8_t notseq[8] = {0x04, 0x06, 1, 2, 3, 4, 5, 6};
		fake_expect(f, SEL_000A, "9000");
		fake_expect_data(f, "00B0000000", notseq, 8, 0x9000);
		tap_is_int(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len), CARD_E_BAD_RESPONSE,
			   "not a SEQUENCE: bad response");
		tap_ok(check(), "not a SEQUENCE: two APDUs");
	}

	/* The sign certificate before the sign PIN. */
	fake_expect(f, SEL_0001, "9000");
	fake_expect(f, "00B0000000", "6982");
	tap_is_int(jpki_read_cert(c, JPKI_CERT_SIGN, &got, &len), CARD_E_NOT_LOGGED_IN,
		   "sign certificate without PIN: not logged in");
	tap_ok(check(), "sign certificate without PIN: two APDUs");
	tap_is_int(jpki_read_cert(c, JPKI_CERT_COUNT, &got, &len), CARD_E_ARGUMENTS,
		   "unknown certificate: arguments");
	tap_ok(check(), "unknown certificate: no APDU");
	free(der);
	jpki_card_free(c);
}

static void test_pins(void)
{
	struct jpki_card *c = new_detected_card();
	int tries;

	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "00200080", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, false, &tries) == CARD_OK && tries == 3,
	       "auth PIN: 3 tries");
	tap_ok(check(), "PIN status: SELECT PIN EF + empty VERIFY");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, false, &tries) == CARD_OK && tries == 3,
	       "auth PIN again");
	tap_ok(check(), "PIN status cached: no APDU");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "00200080", "63C2");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 2,
	       "refresh asks the card again");
	tap_ok(check(), "refresh: SELECT (new transaction) + empty VERIFY");

	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "00200080", "63C0");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, false, &tries) == CARD_OK && tries == 0,
	       "63C0: blocked (0 tries)");
	tap_ok(check(), "63C0: two APDUs");
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "00200080", "6984");
	fake_expect(f, "00A4020C020008", "9000");
	fake_expect(f, "00B0000003", "8F8F009000");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries) == CARD_OK && tries == 0,
	       "6984: blocked");
	tap_ok(check(), "6984: two APDUs, then EF 0008 once: the card has the certificate");
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "00200080", "6983");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries) == CARD_OK && tries == 0,
	       "6983: blocked");
	tap_ok(check(), "6983: two APDUs");
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "00200080", "9000");
	tap_is_int(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries), CARD_E_BAD_RESPONSE,
		   "9000 to the retry query is not a login: bad response");
	tap_ok(check(), "9000 query: two APDUs");
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "00200080", "63C9");
	tap_is_int(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries), CARD_E_BAD_RESPONSE,
		   "more tries than the maximum: bad response");
	tap_ok(check(), "63C9: two APDUs");

	/* Malformed PINs never reach the card. */
	static const struct {
		enum jpki_pin pin;
		const char *value;
	} bad[] = {
		{JPKI_PIN_AUTH, ""},	    {JPKI_PIN_AUTH, NULL},
		{JPKI_PIN_AUTH, "123"},	    {JPKI_PIN_AUTH, "12345"},
		{JPKI_PIN_AUTH, "12a4"},    {JPKI_PIN_AUTH, "12 4"},
		{JPKI_PIN_SIGN, ""},	    {JPKI_PIN_SIGN, "AB12"},
		{JPKI_PIN_SIGN, "ABC-123"}, {JPKI_PIN_SIGN, "ABCDEFGH123456789"},
		{JPKI_PIN_TEXT, "abcd"},    {JPKI_PIN_SIGN, "ÄBC123"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_is_int(jpki_verify_pin(c, bad[i].pin, bad[i].value, &tries), CARD_E_PIN_FORMAT,
			   "malformed PIN %zu: format error", i);
		tap_ok(check() && !fake_in_transaction(f), "malformed PIN %zu: no APDU", i);
	}

	/* Sign password: lower case upper-cased before it is sent. */
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "002000800C 4A504B4954455354 32303236", "9000");
	tap_ok(jpki_verify_pin(c, JPKI_PIN_SIGN, "jpkiTest2026", &tries) == CARD_OK && tries == 5,
	       "sign password verified, upper-cased");
	tap_ok(check(), "VERIFY sign: SELECT + VERIFY");
	tap_ok(jpki_is_verified(c, JPKI_PIN_SIGN) && !jpki_is_verified(c, JPKI_PIN_AUTH),
	       "sign verified, auth not");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, false, &tries) == CARD_OK && tries == 5,
	       "success refilled the counter");
	tap_ok(check(), "counter after success: no APDU");

	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323335", "63C2");
	tap_ok(jpki_verify_pin(c, JPKI_PIN_AUTH, "1235", &tries) == CARD_E_PIN_WRONG && tries == 2,
	       "wrong PIN: 2 left");
	tap_ok(check(), "wrong PIN: SELECT + VERIFY");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323335", "63C0");
	tap_ok(jpki_verify_pin(c, JPKI_PIN_AUTH, "1235", &tries) == CARD_E_PIN_BLOCKED &&
		       tries == 0,
	       "exhausting try: blocked");
	tap_ok(check(), "63C0: two APDUs");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "6984");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_E_PIN_BLOCKED,
		   "6984: blocked");
	tap_ok(check(), "6984: two APDUs");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "6983");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_E_PIN_BLOCKED,
		   "6983: blocked");
	tap_ok(check(), "6983: two APDUs");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "6700");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_E_CARD,
		   "6700: card error");
	tap_ok(check(), "6700: two APDUs");
	tap_ok(!jpki_is_verified(c, JPKI_PIN_AUTH), "auth still not verified");

	/* Change: SELECT, VERIFY old, CHANGE REFERENCE DATA. */
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "9000");
	fake_expect(f, "0024018004 39383736", "9000");
	tap_is_int(jpki_change_pin(c, JPKI_PIN_AUTH, "1234", "9876", &tries), CARD_OK,
		   "auth PIN changed");
	tap_ok(check(), "change: three APDUs");
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "0020008006 414243313233", "63C4");
	tap_ok(jpki_change_pin(c, JPKI_PIN_SIGN, "abc123", "NEWPASS1", &tries) ==
			       CARD_E_PIN_WRONG &&
		       tries == 4,
	       "change with a wrong old PIN: wrong, 4 left");
	tap_ok(check(), "change, wrong old: no CHANGE sent");
	tap_is_int(jpki_change_pin(c, JPKI_PIN_SIGN, "abc123", "ONLYLETTERS", &tries),
		   CARD_E_PIN_FORMAT, "new sign password without a digit: format");
	tap_is_int(jpki_change_pin(c, JPKI_PIN_AUTH, "1234", "", &tries), CARD_E_PIN_FORMAT,
		   "empty new PIN: format");
	tap_ok(check(), "format errors on change: no APDU");

	/* The text PIN's EF 0011 is also in the visual AP: a later transaction
	 * that believes the text AP current selects it again before asking. */
	fake_expect(f, SEL_TEXT, "9000");
	fake_expect(f, "00A4020C020011", "9000");
	fake_expect(f, "00200080", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_TEXT, true, &tries) == CARD_OK && tries == 3,
	       "text PIN: 3 tries");
	tap_ok(check(), "text PIN status: SELECT text AP, SELECT 0011, empty VERIFY");
	fake_expect(f, SEL_TEXT, "9000");
	fake_expect(f, "00A4020C020011", "9000");
	fake_expect(f, "00200080", "63C2");
	tap_ok(jpki_pin_status(c, JPKI_PIN_TEXT, true, &tries) == CARD_OK && tries == 2,
	       "text PIN again: 2 tries");
	tap_ok(check(), "text PIN under a belief: the text AP selected again first");
	jpki_card_free(c);
}

static void test_sign(void)
{
	struct jpki_card *c = new_detected_card();
	uint8_t di[51], sig[256], big[300];
	size_t len;
	char apdu[300], apdu80[300];
	int tries;

	memset(di, 0x5A, sizeof(di));
	memset(big, 0x77, sizeof(big));
	strcpy(apdu, "802A009733");
	strcpy(apdu80, "802A008033");
	for (int i = 0; i < 51; i++) {
		strcat(apdu, "5A");
		strcat(apdu80, "5A");
	}
	strcat(apdu, "00");
	strcat(apdu80, "00");

	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "9000");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_OK, "auth PIN verified");
	tap_ok(check(), "verify: two APDUs");

	/* The key named by SFI (P2 97): no SELECT. */
	fake_expect_data(f, apdu, big, 256, 0x9000);
	tap_ok(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len) == CARD_OK &&
		       len == 256 && memcmp(sig, big, 256) == 0,
	       "auth signature");
	tap_ok(check(), "sign: one COMPUTE with P2 97, no SELECT");

	fake_expect_data(f, apdu, big, 255, 0x9000);
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len),
		   CARD_E_BAD_RESPONSE, "255-byte signature: bad response");
	tap_ok(check(), "short signature: one APDU");

	fake_expect_data(f, apdu, big, 257, 0x9000);
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len),
		   CARD_E_BAD_RESPONSE, "257-byte signature: bad response");
	tap_ok(check(), "long signature: one APDU");

	fake_expect(f, apdu, "6982");
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len),
		   CARD_E_NOT_LOGGED_IN, "6982 where a login was believed: not logged in");
	tap_ok(!jpki_is_verified(c, JPKI_PIN_AUTH), "belief dropped after 6982");
	tap_ok(check(), "6982: one APDU (not a refusal of the form)");

	/* Any other answer by SFI is a refusal: SELECT + P2 80, and SELECT from now on. */
	fake_expect(f, apdu, "6A86");
	fake_expect(f, SEL_0017, "9000");
	fake_expect_data(f, apdu80, big, 256, 0x9000);
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len), CARD_OK,
		   "key by SFI refused (6A86): signed after SELECT");
	tap_ok(check(), "refused by SFI: P2 97, SELECT 0017, P2 80");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, apdu80, "6A86");
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len), CARD_E_CARD,
		   "6A86 with P2 80: card error");
	tap_ok(check(), "no SFI signing any more on this insertion: SELECT + P2 80");

	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, 0, sig, sizeof(sig), &len), CARD_E_ARGUMENTS,
		   "empty input refused");
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, big, 246, sig, sizeof(sig), &len), CARD_E_ARGUMENTS,
		   "246-byte input refused");
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, 255, &len), CARD_E_ARGUMENTS,
		   "small signature buffer refused");
	tap_is_int(jpki_sign(c, JPKI_KEY_COUNT, di, sizeof(di), sig, sizeof(sig), &len),
		   CARD_E_ARGUMENTS, "unknown key refused");
	tap_ok(check(), "argument errors: no APDU");

	/* 245 bytes: the largest input, still a short APDU. */
	{
		char *cmd = malloc(600);
		strcpy(cmd, "802A0080F5");
		for (int i = 0; i < 245; i++)
			strcat(cmd, "77");
		strcat(cmd, "00");
		fake_expect(f, SEL_001A, "9000");
		fake_expect_data(f, cmd, big, 256, 0x9000);
		tap_is_int(jpki_sign(c, JPKI_KEY_SIGN, big, 245, sig, sizeof(sig), &len), CARD_OK,
			   "245-byte input signed with the sign key");
		tap_ok(check(), "sign key (SFI off since the refusal): SELECT + COMPUTE");
		free(cmd);
	}
	jpki_card_free(c);
}

static void test_reset_and_removal(void)
{
	struct jpki_card *c = new_detected_card();
	enum jpki_kind kind;
	uint8_t di[20] = {0}, sig[256];
	size_t len;
	int tries;
	bool present, changed;

	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "9000");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_OK, "verified");
	tap_ok(check(), "verify: two APDUs");

	/* Another process reset the card between VERIFY and sign. */
	fake_begin_error(f, CARD_E_CARD_RESET);
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len),
		   CARD_E_CARD_RESET, "reset reported, not hidden");
	tap_ok(!fake_in_transaction(f), "no transaction left held");
	tap_ok(!jpki_is_verified(c, JPKI_PIN_AUTH), "reset: logged out");
	tap_ok(check(), "reset at begin: no APDU");

	/* The next call starts afresh: the application is selected again. */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, "802A009714 0000000000000000000000000000000000000000 00", "6982");
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len),
		   CARD_E_NOT_LOGGED_IN, "after the reset: not logged in");
	tap_ok(check(), "after reset: SELECT AP, COMPUTE with the key by SFI");
	tap_ok(jpki_detect(c, &kind, NULL) == CARD_OK && kind == JPKI_KIND_MYNUMBER,
	       "detection survives a reset (same insertion)");
	tap_ok(check(), "detect after reset: no APDU");

	/* A reset in the middle of a command. */
	fake_expect(f, SEL_0018, "9000");
	fake_expect_error(f, "00200080", CARD_E_CARD_RESET);
	tap_is_int(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries), CARD_E_CARD_RESET,
		   "reset during the query: reported");
	tap_ok(!fake_in_transaction(f), "transaction released");
	tap_ok(check(), "reset mid-command: two APDUs");

	/* Removal: everything forgotten; the poll sees it without APDUs. */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect_error(f, SEL_0018, CARD_E_CARD_REMOVED);
	tap_is_int(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries), CARD_E_CARD_REMOVED,
		   "removal reported");
	tap_ok(check(), "removal: two APDUs");
	fake_set_card(f, true, 2);
	tap_ok(jpki_card_poll(c, &present, &changed) == CARD_OK && present && !changed,
	       "poll after the context dropped the card: present");
	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, LABEL2 "9000");
	tap_ok(jpki_detect(c, &kind, NULL) == CARD_OK, "new card detected afresh");
	tap_ok(check(), "new card: SFI asked again (per insertion), three APDUs");
	tap_ok(jpki_card_poll(c, &present, &changed) == CARD_OK && present && !changed,
	       "poll, same card: unchanged");
	fake_set_card(f, true, 4);
	tap_ok(jpki_card_poll(c, &present, &changed) == CARD_OK && present && changed,
	       "poll, event counter moved: changed");
	fake_set_card(f, false, 5);
	tap_ok(jpki_card_poll(c, &present, &changed) == CARD_OK && !present,
	       "poll, card gone: absent");
	tap_ok(check(), "polling: no APDU");
	fake_set_card(f, true, 1);
	jpki_card_free(c);
}

/* READ BINARY by short EF identifier and every way back to SELECT + READ. */
/* detected_sfi_card: a card at the MF that reads by SFI (probe, SELECT, label). */
static struct jpki_card *detected_sfi_card(void)
{
	struct jpki_card *c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	enum jpki_kind kind;

	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, LABEL2 "9000");
	if (jpki_detect(c, &kind, NULL) != CARD_OK || !check())
		tap_bail("detect failed");
	return c;
}

/* PIN counters by short EF identifier (00 20 00 80|SFI, no data). */
static void test_pin_sfi(void)
{
	struct jpki_card *c = detected_sfi_card();
	bool present, changed;
	int tries;

	/* Inside one transaction the JPKI AP is sure: one APDU per counter. */
	jpki_op_begin(c);
	fake_expect(f, "00200098", "63C3");
	fake_expect(f, "0020009B", "63C4");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, false, &tries) == CARD_OK && tries == 3,
	       "auth counter by SFI 18: 3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, false, &tries) == CARD_OK && tries == 4,
	       "sign counter by SFI 1B: 4");
	tap_ok(check(), "one empty VERIFY each, no SELECT");
	/* A VERIFY that carries a PIN is never sent by SFI. */
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "9000");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_OK,
		   "VERIFY with the PIN: SELECT 0018 + VERIFY 00 20 00 80");
	tap_ok(check(), "a PIN never goes by SFI");
	/* Refused (6A86) while the application is sure: SELECT + empty VERIFY,
	 * and that form only until the card is removed. */
	fake_expect(f, "0020009B", "6A86");
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "00200080", "63C5");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries) == CARD_OK && tries == 5,
	       "refused by SFI: SELECT + empty VERIFY give the counter");
	tap_ok(check(), "refusal: 3 APDUs");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "00200080", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 3,
	       "after a refusal: no SFI try for the other PIN either");
	tap_ok(check(), "after a refusal: SELECT + empty VERIFY");
	jpki_op_end(c);
	jpki_card_free(c);

	/* Under a belief (a new transaction) a refusal checks the application
	 * first: another application current answers 6A88/6A82, never a counter. */
	c = detected_sfi_card();
	fake_expect(f, "00200098", "6A88");
	fake_expect(f, SFI_0006, "6982"); /* the probe: the text AP is current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, "00200098", "63C2");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 2,
	       "belief refused: probe, SELECT AP, counter by SFI again");
	tap_ok(check(), "belief refused: 4 APDUs, SFI kept");
	fake_expect(f, "0020009B", "63C5");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries) == CARD_OK && tries == 5,
	       "SFI still in use after a wrong belief");
	tap_ok(check(), "a counter under a belief: one APDU");
	/* 6984 to the sign password by SFI: what a card without the signature
	 * certificate answers, so no proof of a refusal of the form: EF 0008
	 * says the certificate is there, the long form says "blocked" this
	 * time, and the form stays in use. */
	jpki_op_begin(c);
	fake_expect(f, "0020009B", "6984");
	fake_expect(f, SFI_0006, LABEL2 "9000"); /* a belief: the application checked */
	fake_expect(f, "0020009B", "6984");
	fake_expect(f, "00B0880003", "8F8F009000"); /* EF 0008 by SFI: present */
	fake_expect(f, SEL_001B, "9000");
	fake_expect(f, "00200080", "6984");
	tap_ok(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries) == CARD_OK && tries == 0,
	       "6984 by SFI: EF 0008 read, the long form says blocked");
	tap_ok(check(), "6984 under a belief: SFI, probe, SFI, EF 0008, SELECT, empty VERIFY");
	fake_expect(f, "00200098", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 3,
	       "6984 to the sign password: the auth counter still by SFI");
	tap_ok(check(), "not taken as a refusal of VERIFY by SFI: one APDU");
	jpki_op_end(c);
	jpki_card_free(c);

	/* A card without the signature certificate: 6A88 by SFI, EF 0008 says
	 * absent: no password, and VERIFY by SFI is still the card's form. */
	c = detected_sfi_card();
	jpki_op_begin(c);
	fake_expect(f, "0020009B", "6A88");
	fake_expect(f, SFI_0006, LABEL2 "9000");
	fake_expect(f, "0020009B", "6A88");
	fake_expect(f, "00B0880003", "008F009000"); /* EF 0008: no signature certificate */
	tap_is_int(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries), CARD_E_NOT_FOUND,
		   "6A88 by SFI, EF 0008 says absent: no password");
	tap_ok(check(), "no sign certificate: SFI, probe, SFI, EF 0008; no SELECT, no long form");
	tap_is_int(jpki_pin_status(c, JPKI_PIN_SIGN, true, &tries), CARD_E_NOT_FOUND,
		   "no sign certificate: asked again");
	tap_ok(check(), "... without an APDU");
	fake_expect(f, "00200098", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 3,
	       "no sign certificate: the auth counter by SFI");
	tap_ok(check(), "... one APDU: the 6A88 was not a refusal of the form");
	jpki_op_end(c);
	jpki_card_free(c);
	c = detected_sfi_card();
	jpki_op_begin(c);
	fake_expect(f, "00200098", "63C9");
	fake_expect(f, SFI_0006, LABEL2 "9000");
	fake_expect(f, "00200098", "63C9");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "00200080", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 3,
	       "63C9 by SFI (more than 3 tries): a refusal");
	tap_ok(check(), "63C9: SFI, probe, SFI, SELECT, empty VERIFY");
	jpki_op_end(c);
	/* Removal forgets the refusal: the next card is asked by SFI again. */
	fake_set_card(f, false, 1);
	jpki_card_poll(c, &present, &changed);
	fake_set_card(f, true, 2);
	jpki_card_poll(c, &present, &changed);
	fake_expect(f, SFI_0006, "6A82");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, "00200098", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 3,
	       "a new insertion: by SFI again");
	tap_ok(check(), "new insertion: probe, SELECT AP, counter by SFI");
	jpki_card_free(c);
	(void)present;
	(void)changed;
}

static void test_sfi(void)
{
	struct jpki_card *c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	uint8_t *der = make_der(600), *got, notseq[8] = {0x04, 0x06, 1, 2, 3, 4, 5, 6};
	enum jpki_kind kind;
	size_t len;
	int tries;

	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, LABEL2 "9000");
	tap_is_int(jpki_detect(c, &kind, NULL), CARD_OK, "SFI: detected");
	/* The sign certificate before its password: 6982 both ways, so the
	 * short form works and stays in use. */
	fake_expect(f, "00B0810000", "6982");
	fake_expect(f, SEL_0001, "9000");
	fake_expect(f, "00B0000000", "6982");
	tap_is_int(jpki_read_cert(c, JPKI_CERT_SIGN, &got, &len), CARD_E_NOT_LOGGED_IN,
		   "SFI: sign certificate before the password: not logged in");
	tap_ok(check(), "SFI: 6982, then SELECT + READ 6982");
	/* First chunk by SFI 0A (the EF becomes current), the rest by offset. */
	fake_expect_data(f, "00B08A0000", der, 256, 0x9000);
	fake_expect_data(f, "00B0010000", der + 256, 256, 0x9000);
	fake_expect_data(f, "00B0020058", der + 512, 88, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len) == CARD_OK && len == 600 &&
		       memcmp(got, der, len) == 0,
	       "SFI: auth certificate read whole");
	tap_ok(check(), "SFI: 3 READs, no SELECT");
	free(got);
	/* The PIN counter by SFI too (test_pin_sfi); then SFI again for a certificate. */
	fake_expect(f, "00200098", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, false, &tries) == CARD_OK && tries == 3,
	       "SFI: PIN status by SFI, one APDU");
	/* Not a certificate by SFI: maybe another EF: again after SELECT. */
	fake_expect_data(f, "00B08B0000", notseq, 8, 0x9000);
	fake_expect(f, "00A4020C02000B", "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	fake_expect_data(f, "00B0010000", der + 256, 256, 0x9000);
	fake_expect_data(f, "00B0020058", der + 512, 88, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH_CA, &got, &len) == CARD_OK && len == 600,
	       "SFI: not a DER SEQUENCE: read again after SELECT");
	tap_ok(check(), "SFI: one READ by SFI, then SELECT + 3 READs");
	free(got);
	/* From now on this card is read with SELECT. */
	fake_expect(f, "00A4020C020002", "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	fake_expect_data(f, "00B0010000", der + 256, 256, 0x9000);
	fake_expect_data(f, "00B0020058", der + 512, 88, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_SIGN_CA, &got, &len) == CARD_OK,
	       "SFI off for the insertion: SELECT + READ");
	tap_ok(check(), "SFI off: no SFI try");
	free(got);
	jpki_card_free(c);

	/* The short form accepted, the offset form after it refused (6986: no
	 * current EF): the whole read again after SELECT. */
	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, LABEL2 "9000");
	tap_is_int(jpki_detect(c, &kind, NULL), CARD_OK, "SFI: detected");
	fake_expect_data(f, "00B08A0000", der, 256, 0x9000);
	fake_expect(f, "00B0010000", "6986");
	fake_expect(f, SEL_000A, "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	fake_expect_data(f, "00B0010000", der + 256, 256, 0x9000);
	fake_expect_data(f, "00B0020058", der + 512, 88, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len) == CARD_OK && len == 600 &&
		       memcmp(got, der, len) == 0,
	       "SFI: 6986 on the next chunk: read again after SELECT");
	tap_ok(check(), "SFI: 2 READs, SELECT + 3 READs");
	free(got);
	jpki_card_free(c);

	/* Each refusal status: back to SELECT + READ, same result. */
	{
		static const char *const refusals[] = {"6A81", "6A82", "6A86", "6981", "6986",
						       "6D00", "6E00", "6700", "6982", "6B00"};
		size_t i;

		for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
			c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
			fake_expect(f, SFI_0006, refusals[i]); /* the probe: JPKI AP not current */
			fake_expect(f, SEL_JPKI, "9000");
			fake_expect(f, SFI_0006, refusals[i]);
			fake_expect(f, SEL_0006, "9000");
			fake_expect(f, "00B0000020", LABEL2 "9000");
			tap_ok(jpki_detect(c, &kind, NULL) == CARD_OK &&
				       kind == JPKI_KIND_MYNUMBER && check(),
			       "SFI refused with %s: SELECT + READ", refusals[i]);
			jpki_card_free(c);
		}
	}
	/* A transport error is not a refusal: reported as it is. */
	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SFI_0006, "6A82"); /* the probe: JPKI AP not current */
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect_error(f, SFI_0006, CARD_E_CARD_REMOVED);
	tap_is_int(jpki_detect(c, &kind, NULL), CARD_E_CARD_REMOVED, "SFI: removal reported");
	tap_ok(check(), "SFI: removal: no fallback APDU");
	jpki_card_free(c);
	free(der);
}

/* The probe: READ BINARY of EF 0006 by SFI before any SELECT of the JPKI AP,
 * so that a process finding the JPKI AP current logs nobody out. */
static void test_probe(void)
{
	struct jpki_card *c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	uint8_t *der = make_der(300), *got, di[20] = {0}, sig[256];
	static const char *const misses[] = {"6982", "6A82"};
	enum jpki_kind kind;
	char label[JPKI_LABEL_MAX + 1];
	size_t len, i;
	int tries;

	/* Hit: the label, no SELECT. */
	fake_expect(f, SFI_0006, LABEL2 "9000");
	tap_ok(jpki_detect(c, &kind, label) == CARD_OK && kind == JPKI_KIND_MYNUMBER &&
		       strcmp(label, "JPKIAPICCTOKEN2") == 0,
	       "probe hit: My Number Card");
	tap_ok(check(), "probe hit: detection is 1 APDU, no SELECT");
	/* SFI stays in use, and the AP believed selected in later transactions. */
	fake_expect_data(f, "00B08A0000", der, 256, 0x9000);
	fake_expect_data(f, "00B001002C", der + 256, 44, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len) == CARD_OK && len == 300,
	       "after a hit: certificate by SFI");
	tap_ok(check(), "after a hit: 2 READs, no SELECT");
	free(got);
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "9000");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_OK,
		   "after a hit: login");
	tap_ok(check(), "after a hit: SELECT 0018 + VERIFY, no SELECT of the AP");

	/* A wrong belief: another process selected the text AP in between.
	 * The key by SFI is refused there (taken for a card without it: SELECT
	 * from now on); SELECT 0017 is refused; the layer checks (the probe:
	 * 6982, the text AP), selects the JPKI AP (logged out) and retries once. */
	fake_expect(f, "802A009714 0000000000000000000000000000000000000000 00", "6A88");
	fake_expect(f, SEL_0017, "6A82");
	fake_expect(f, SFI_0006, "6982");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, "802A008014 0000000000000000000000000000000000000000 00", "6982");
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, di, sizeof(di), sig, sizeof(sig), &len),
		   CARD_E_NOT_LOGGED_IN, "wrong belief at sign: a clean not-logged-in");
	tap_ok(check(),
	       "wrong belief: key by SFI refused, SELECT EF refused, probe, SELECT AP, SELECT EF again");
	tap_ok(!jpki_is_verified(c, JPKI_PIN_AUTH), "wrong belief: logged out");
	/* A login: the PIN goes only after SELECT 0018 answered 9000. */
	fake_expect(f, SEL_0018, "6A82");
	fake_expect(f, SFI_0006, "6A82");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "0020008004 31323334", "9000");
	tap_is_int(jpki_verify_pin(c, JPKI_PIN_AUTH, "1234", &tries), CARD_OK,
		   "wrong belief at login: verified");
	tap_ok(check(), "wrong belief at login: no VERIFY before SELECT 0018 answered 9000");
	/* A certificate by SFI under a wrong belief: 6A82, the check, once
	 * more by SFI; the card still counts as one with SFI. */
	fake_expect(f, "00B08B0000", "6A82");
	fake_expect(f, SFI_0006, "6982");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect_data(f, "00B08B0000", der, 256, 0x9000);
	fake_expect_data(f, "00B001002C", der + 256, 44, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH_CA, &got, &len) == CARD_OK && len == 300,
	       "wrong belief at a READ by SFI: read");
	tap_ok(check(), "wrong belief at a READ by SFI: probe, SELECT AP, READ by SFI again");
	free(got);
	/* EF 0002 exists in the text and visual APs too: what is not a
	 * certificate there, under a belief, makes the layer check. */
	fake_expect(f, "00B0820000", "FF2002 4142 9000");
	fake_expect(f, SFI_0006, "6982");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect_data(f, "00B0820000", der, 256, 0x9000);
	fake_expect_data(f, "00B001002C", der + 256, 44, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_SIGN_CA, &got, &len) == CARD_OK && len == 300,
	       "another AP's EF 0002 under a belief: the certificate after the check");
	tap_ok(check(), "EF 0002: READ by SFI, probe, SELECT AP, READ by SFI again");
	free(got);
	jpki_card_free(c);

	/* Misses: the JPKI AP is not current (text/visual AP: 6982; MF or
	 * another AP: 6A82): SELECT, then the label by SFI as before. */
	for (i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
		fake_expect(f, SFI_0006, misses[i]);
		fake_expect(f, SEL_JPKI, "9000");
		fake_expect(f, SFI_0006, LABEL2 "9000");
		tap_ok(jpki_detect(c, &kind, NULL) == CARD_OK && kind == JPKI_KIND_MYNUMBER,
		       "probe %s: detected", misses[i]);
		tap_ok(check(), "probe %s: probe, SELECT AP, READ of EF 0006 by SFI", misses[i]);
		fake_expect_data(f, "00B08A0000", der, 256, 0x9000);
		fake_expect_data(f, "00B001002C", der + 256, 44, 0x9000);
		tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len) == CARD_OK && check(),
		       "probe %s: not taken for a card without SFI", misses[i]);
		free(got);
		jpki_card_free(c);
	}

	/* A card without SFI: the probe fails (6A86), SELECT, the label's READ
	 * by SFI is refused too (that one counts), SELECT 0006 + READ; later
	 * EFs with SELECT, and no probe after a reset (it could only fail). */
	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SFI_0006, "6A86");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, "6A86");
	fake_expect(f, SEL_0006, "9000");
	fake_expect(f, "00B0000020", LABEL2 "9000");
	tap_ok(jpki_detect(c, &kind, NULL) == CARD_OK && kind == JPKI_KIND_MYNUMBER,
	       "no SFI: detected");
	tap_ok(check(), "no SFI: probe, SELECT AP, refused READ by SFI, SELECT 0006, READ");
	fake_expect(f, SEL_000A, "9000");
	fake_expect_data(f, "00B0000000", der, 256, 0x9000);
	fake_expect_data(f, "00B001002C", der + 256, 44, 0x9000);
	tap_ok(jpki_read_cert(c, JPKI_CERT_AUTH, &got, &len) == CARD_OK && check(),
	       "no SFI: certificate with SELECT, no SFI try");
	free(got);
	fake_begin_error(f, CARD_E_CARD_RESET);
	tap_is_int(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries), CARD_E_CARD_RESET,
		   "no SFI: a reset");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SEL_0018, "9000");
	fake_expect(f, "00200080", "63C3");
	tap_ok(jpki_pin_status(c, JPKI_PIN_AUTH, true, &tries) == CARD_OK && tries == 3,
	       "no SFI, after the reset: PIN status");
	tap_ok(check(), "no SFI, after the reset: SELECT AP without a probe");
	jpki_card_free(c);

	/* A label we do not know is no proof: SELECT, then as before. */
	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SFI_0006, "4142 9000");
	fake_expect(f, SEL_JPKI, "9000");
	fake_expect(f, SFI_0006, "4142 9000");
	fake_expect(f, SEL_0006, "9000");
	fake_expect(f, "00B0000020", "4142 9000");
	tap_ok(jpki_detect(c, &kind, label) == CARD_OK && kind == JPKI_KIND_OTHER &&
		       strcmp(label, "AB") == 0,
	       "probe with an unknown label: other kind");
	tap_ok(check(), "unknown label: probe, SELECT AP, READ by SFI, SELECT 0006, READ");
	jpki_card_free(c);

	/* A transport error during the probe is reported as it is. */
	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect_error(f, SFI_0006, CARD_E_CARD_REMOVED);
	tap_is_int(jpki_detect(c, &kind, NULL), CARD_E_CARD_REMOVED, "probe: removal reported");
	tap_ok(check(), "probe: removal: nothing more");
	jpki_card_free(c);
	free(der);
}

/* The card's PSS (jpki_pss_detect, docs/pss.md): each answer, the exact APDUs. */
#define ZEROS32 "0000000000000000000000000000000000000000000000000000000000000000"
#define ASK(p1, p2) "802A" p1 p2 "20" ZEROS32 "00"
#define HASH32 "1111111111111111111111111111111111111111111111111111111111111111"
#define SIGN_PSS(p2) "802A04" p2 "20" HASH32 "00"

static void test_pss(void)
{
	struct jpki_card *c;
	enum jpki_pss pss;
	uint8_t hash[32], sig[256], big[256];
	size_t len;

	memset(hash, 0x11, sizeof(hash));
	memset(big, 0x77, sizeof(big));

	/* P1 checked first: 6982 to P1 04, 6A86 to the control P1 06: yes. */
	c = new_detected_card();
	tap_is_int(jpki_pss_get(c), JPKI_PSS_UNKNOWN, "not asked yet: unknown");
	fake_expect(f, ASK("04", "97"), "6982");
	fake_expect(f, ASK("06", "97"), "6A86");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_YES, "6982 then 6A86: yes");
	tap_ok(check(), "2 APDUs, the key by SFI, no SELECT");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_YES &&
		       jpki_pss_get(c) == JPKI_PSS_YES,
	       "asked once per insertion");
	tap_ok(check(), "the second time: no APDU");
	/* A PSS signature: P1 04, exactly 32 bytes. */
	tap_is_int(jpki_sign_scheme(c, JPKI_KEY_AUTH, JPKI_SCHEME_PSS_SHA256, hash, 31, sig,
				    sizeof(sig), &len),
		   CARD_E_ARGUMENTS, "PSS over 31 bytes: refused");
	tap_is_int(jpki_sign_scheme(c, JPKI_KEY_AUTH, (enum jpki_scheme)0x05, hash, 32, sig,
				    sizeof(sig), &len),
		   CARD_E_ARGUMENTS, "a scheme the layer does not use: refused");
	tap_ok(check(), "argument errors: no APDU");
	fake_expect_data(f, "802A049720" "1111111111111111111111111111111111111111111111111111111111111111" "00",
			 big, 256, 0x9000);
	tap_ok(jpki_sign_scheme(c, JPKI_KEY_AUTH, JPKI_SCHEME_PSS_SHA256, hash, 32, sig, sizeof(sig),
				&len) == CARD_OK &&
		       len == 256,
	       "PSS signature: 80 2A 04 97");
	tap_ok(check(), "PSS signature: one APDU");
	/* A status that says nothing of PSS (an execution error): still yes. */
	fake_expect(f, SIGN_PSS("97"), "6400");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, SIGN_PSS("80"), "6400");
	tap_is_int(jpki_sign_scheme(c, JPKI_KEY_AUTH, JPKI_SCHEME_PSS_SHA256, hash, 32, sig,
				    sizeof(sig), &len),
		   CARD_E_CARD, "PSS signature, 6400: a card error");
	tap_is_int(jpki_pss_get(c), JPKI_PSS_YES, "... and PSS still yes");
	tap_ok(check(), "6400: by SFI, SELECT 0017, P2 80");
	jpki_card_free(c);

	/* The card said yes, then refuses a PSS signature in both forms: no. */
	c = new_detected_card();
	fake_expect(f, ASK("04", "97"), "6982");
	fake_expect(f, ASK("06", "97"), "6A86");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_YES, "yes again");
	tap_ok(check(), "yes: 2 APDUs");
	fake_expect(f, SIGN_PSS("97"), "6A86");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, SIGN_PSS("80"), "6A86");
	tap_is_int(jpki_sign_scheme(c, JPKI_KEY_AUTH, JPKI_SCHEME_PSS_SHA256, hash, 32, sig,
				    sizeof(sig), &len),
		   CARD_E_CARD, "PSS signature refused: a card error");
	tap_ok(check(), "refused: by SFI, SELECT 0017, P2 80 (no APDU more than before)");
	tap_is_int(jpki_pss_get(c), JPKI_PSS_NO, "a refused PSS signature: PSS no");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_NO,
	       "... and not asked again on this insertion");
	tap_ok(check(), "... no APDU");
	jpki_card_free(c);

	/* 6A81 (function not supported) to the P2 80 form: no as well. */
	c = new_detected_card();
	fake_expect_data(f, ASK("04", "97"), big, 256, 0x9000);
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_YES, "signed: yes");
	fake_expect(f, SIGN_PSS("97"), "6A81");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, SIGN_PSS("80"), "6A81");
	tap_is_int(jpki_sign_scheme(c, JPKI_KEY_AUTH, JPKI_SCHEME_PSS_SHA256, hash, 32, sig,
				    sizeof(sig), &len),
		   CARD_E_CARD, "6A81: a card error");
	tap_is_int(jpki_pss_get(c), JPKI_PSS_NO, "6A81: PSS no");
	tap_ok(check(), "6A81: 4 APDUs");
	jpki_card_free(c);

	/* A PKCS#1 v1.5 signature refused with 6A86 says nothing of PSS. */
	c = new_detected_card();
	fake_expect_data(f, ASK("04", "97"), big, 256, 0x9000);
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_YES, "signed: yes");
	fake_expect(f, "802A009720" HASH32 "00", "6A86");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, "802A008020" HASH32 "00", "6A86");
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, hash, 32, sig, sizeof(sig), &len), CARD_E_CARD,
		   "PKCS#1 v1.5 refused: a card error");
	tap_is_int(jpki_pss_get(c), JPKI_PSS_YES, "... PSS still yes");
	tap_ok(check(), "PKCS#1 refused: 4 APDUs");
	jpki_card_free(c);

	/* The PIN checked first: 6982 to both: undecided (not listed). */
	c = new_detected_card();
	fake_expect(f, ASK("04", "97"), "6982");
	fake_expect(f, ASK("06", "97"), "6982");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_UNDECIDED,
	       "6982 to P1 04 and P1 06: undecided");
	tap_ok(check(), "undecided: 2 APDUs");
	jpki_card_free(c);

	/* Someone's PIN is verified: the card signs P1 04: yes. */
	c = new_detected_card();
	fake_expect_data(f, ASK("04", "97"), big, 256, 0x9000);
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_YES, "a PSS signature: yes");
	tap_ok(check(), "1 APDU");
	jpki_card_free(c);

	/* P1 04 refused, P1 00 not (6982): no. */
	c = new_detected_card();
	fake_expect(f, ASK("04", "97"), "6A86");
	fake_expect(f, ASK("00", "97"), "6982");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_NO, "6A86 then 6982: no");
	tap_ok(check(), "no: 2 APDUs");
	jpki_card_free(c);

	/* Both refused by SFI: the form; SELECT 0017 + P2 80, and SFI signing off. */
	c = new_detected_card();
	fake_expect(f, ASK("04", "97"), "6A86");
	fake_expect(f, ASK("00", "97"), "6A86");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, ASK("04", "80"), "6982");
	fake_expect(f, ASK("06", "80"), "6A86");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_YES,
	       "key by SFI refused: asked after SELECT, yes");
	tap_ok(check(), "5 APDUs: 04 97, 00 97, SELECT 0017, 04 80, 06 80");
	fake_expect(f, SEL_0017, "9000");
	fake_expect_data(f, "802A008014 0000000000000000000000000000000000000000 00", big, 256,
			 0x9000);
	memset(hash, 0, sizeof(hash));
	tap_is_int(jpki_sign(c, JPKI_KEY_AUTH, hash, 20, sig, sizeof(sig), &len), CARD_OK,
		   "then a signature");
	tap_ok(check(), "... SELECT 0017 + P2 80: no SFI signing on this insertion");
	jpki_card_free(c);

	/* Both refused after SELECT too: undecided. */
	c = new_detected_card();
	fake_expect(f, ASK("04", "97"), "6A86");
	fake_expect(f, ASK("00", "97"), "6A86");
	fake_expect(f, SEL_0017, "9000");
	fake_expect(f, ASK("04", "80"), "6D00");
	fake_expect(f, ASK("00", "80"), "6D00");
	tap_ok(jpki_pss_detect(c, &pss) == CARD_OK && pss == JPKI_PSS_UNDECIDED,
	       "everything refused: undecided");
	tap_ok(check(), "undecided: 5 APDUs");
	jpki_card_free(c);

	/* A removal while asking: an error, the answer stays unknown. */
	c = new_detected_card();
	fake_expect_error(f, ASK("04", "97"), CARD_E_CARD_REMOVED);
	tap_is_int(jpki_pss_detect(c, &pss), CARD_E_CARD_REMOVED, "removed while asking: the error");
	tap_is_int(pss, JPKI_PSS_UNKNOWN, "... and unknown");
	tap_ok(check(), "removal: 1 APDU");
	jpki_card_free(c);
}

int main(void)
{
	f = fake_new();
	test_detect();
	test_certs();
	test_pins();
	test_sign();
	test_reset_and_removal();
	test_sfi();
	test_pin_sfi();
	test_probe();
	test_pss();
	fake_free(f);
	return tap_done();
}
