/* The text AP over the fake transport: PIN, My Number, basic facts. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "fake-transport.h"
#include "textap.h"

#define SEL_TEXT "00A4040C0AD3921000310001010408"

/* EF 0002 as on the card: FF 20 { DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex }. */
static const char basic_hex[] = "FF202C"
				"DF2108000E0017001D0027"
				"DF2206E5B1B1E794B0" /* 山田 */
				"DF2306E69DB1E4BAAC" /* 東京 */
				"DF24083139393030313032"
				"DF250131"
				"FFFFFF";

int main(void)
{
	struct fake_transport *f = fake_new();
	struct jpki_card *c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	struct textap_info info;
	uint8_t *basic;
	size_t basic_len;
	int tries;

	basic = hex_decode(basic_hex, &basic_len);

	fake_expect(f, SEL_TEXT, "9000");
	fake_expect(f, "00A4020C020011", "9000");
	fake_expect(f, "0020008004 35363738", "9000");
	fake_expect(f, "00A4020C020001", "9000");
	fake_expect(f, "00B0000000", "FF100C 313233343536373839303132 FFFF 9000");
	fake_expect(f, "00A4020C020002", "9000");
	fake_expect_data(f, "00B0000000", basic, basic_len, 0x9000);
	tap_is_int(textap_read(c, "5678", true, &info, &tries), CARD_OK, "text AP read");
	tap_ok(fake_check(f), "text AP: 7 APDUs");
	tap_ok(strcmp(info.mynumber, "123456789012") == 0, "My Number");
	tap_ok(info.name && strcmp(info.name, "山田") == 0, "name");
	tap_ok(info.address && strcmp(info.address, "東京") == 0, "address");
	tap_ok(strcmp(info.birth, "19900102") == 0 && strcmp(info.sex, "1") == 0, "birth, sex");
	textap_info_free(&info);

	/* A new transaction: another process may have selected the visual AP,
	 * whose EF 0011 is a key too: the text PIN goes only after SELECT of the
	 * text AP in the same transaction. */
	fake_expect(f, SEL_TEXT, "9000");
	fake_expect(f, "00A4020C020011", "9000");
	fake_expect(f, "0020008004 35363738", "63C2");
	tap_ok(textap_read(c, "5678", false, &info, &tries) == CARD_E_PIN_WRONG && tries == 2,
	       "wrong text PIN: 2 left");
	tap_ok(fake_check(f), "wrong PIN: SELECT AP + SELECT + VERIFY, nothing read");

	tap_is_int(textap_read(c, "56789", false, &info, &tries), CARD_E_PIN_FORMAT,
		   "5-digit PIN: format");
	tap_is_int(textap_read(c, "", false, &info, &tries), CARD_E_PIN_FORMAT, "empty: format");
	tap_ok(fake_check(f), "format errors: no APDU");

	/* Malformed My Number EF. */
	fake_expect(f, SEL_TEXT, "9000");
	fake_expect(f, "00A4020C020011", "9000");
	fake_expect(f, "0020008004 35363738", "9000");
	fake_expect(f, "00A4020C020001", "9000");
	fake_expect(f, "00B0000000", "FF100C 3132333435363738393031 9000");
	fake_expect(f, "00B0000E01", "6B00");
	tap_is_int(textap_read(c, "5678", false, &info, &tries), CARD_E_BAD_RESPONSE,
		   "My Number EF cut short: bad response");
	tap_ok(fake_check(f), "cut short: the missing byte asked for once, then 6B00");

	fake_expect(f, SEL_TEXT, "9000");
	fake_expect(f, "00A4020C020011", "9000");
	fake_expect(f, "0020008004 35363738", "9000");
	fake_expect(f, "00A4020C020001", "9000");
	fake_expect(f, "00B0000000", "FF100C 31323334353637383930312A 9000");
	tap_is_int(textap_read(c, "5678", false, &info, &tries), CARD_E_BAD_RESPONSE,
		   "non-digit in My Number: bad response");
	tap_ok(fake_check(f), "non-digit: five APDUs");

	/* Basic facts with a field missing. */
	basic[2] = 0x2C - 4;
	fake_expect(f, SEL_TEXT, "9000");
	fake_expect(f, "00A4020C020011", "9000");
	fake_expect(f, "0020008004 35363738", "9000");
	fake_expect(f, "00A4020C020001", "9000");
	fake_expect(f, "00B0000000", "FF100C 313233343536373839303132 9000");
	fake_expect(f, "00A4020C020002", "9000");
	fake_expect_data(f, "00B0000000", basic, basic_len, 0x9000);
	tap_is_int(textap_read(c, "5678", true, &info, &tries), CARD_E_BAD_RESPONSE,
		   "sex missing: bad response");
	tap_ok(info.name == NULL && info.address == NULL, "nothing returned on error");
	tap_ok(fake_check(f), "missing field: seven APDUs");

	/* No text AP. */
	jpki_card_free(c);
	c = jpki_card_new(fake_transport(f), "Fake Reader 00", NULL);
	fake_expect(f, SEL_TEXT, "6A82");
	tap_is_int(textap_read(c, "5678", false, &info, &tries), CARD_E_NOT_FOUND,
		   "no text AP: not found");
	tap_ok(fake_check(f), "no text AP: one APDU");

	free(basic);
	jpki_card_free(c);
	fake_free(f);
	return tap_done();
}
