/* Each switch of struct sim_options (the unknowns of docs/card.md Appendix C). */
#include "sim-test.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <time.h>

#include "sim-internal.h"

static void test_blocked_6983(void)
{
	struct sim_options opt = {.blocked_6983 = true};
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0018);
	tap_is_int(sim_t_verify(&t, "0000"), 0x63C2, "6983 card: wrong PIN 63C2");
	tap_is_int(sim_t_verify(&t, "0000"), 0x63C1, "6983 card: wrong PIN 63C1");
	tap_is_int(sim_t_verify(&t, "0000"), 0x63C0, "6983 card: last try 63C0");
	tap_is_int(sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN), 0x6983, "6983 card: blocked 6983");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x80), 0x63C0, "6983 card: query 63C0");
	sim_t_close(&t);
}

static void test_reselect(void)
{
	struct sim_options opt = {.reselect_keeps_state = true};
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x001B);
	sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0001);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x9000,
		   "reselect_keeps_state: sign cert readable after re-SELECT");
	sim_card_power(t.card, SIM_RESET);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0001);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982,
		   "reselect_keeps_state: a reset still clears it");
	sim_t_close(&t);
}

static void test_per_signature(void)
{
	struct sim_options opt = {.sign_pin_per_signature = true};
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x001B);
	sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN);
	SIM_SELECT_EF(&t, 0x001A);
	tap_is_int(sim_t_sign_any(&t), 0x9000, "sign_pin_per_signature: first signature");
	tap_is_int(sim_t_sign_any(&t), 0x6982, "sign_pin_per_signature: second needs a new VERIFY");
	SIM_SELECT_EF(&t, 0x001B);
	sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN);
	SIM_SELECT_EF(&t, 0x001A);
	tap_is_int(sim_t_sign_any(&t), 0x9000, "sign_pin_per_signature: after VERIFY again");
	sim_t_close(&t);

	sim_t_open(&t, NULL, NULL);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x001B);
	sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN);
	SIM_SELECT_EF(&t, 0x001A);
	sim_t_sign_any(&t);
	tap_is_int(sim_t_sign_any(&t), 0x9000, "default: one VERIFY allows several signatures");
	sim_t_close(&t);
}

static void test_extended_and_filler(void)
{
	struct sim_options opt = {.accept_extended = true, .ef_filler = 100};
	struct sim_t t;
	size_t der;

	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x000A);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x9000, "header");
	der = (size_t)(t.r[2] << 8 | t.r[3]) + 4;
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x10, 0x00), 0x9000,
		   "accept_extended: READ with extended Le 4096");
	tap_is_int(SIM_DLEN(&t), der + 100, "ef_filler: EF = DER + 100 bytes");
	tap_ok(SIM_DLEN(&t) == der + 100 && t.r[der] == 0xFF && t.r[der + 99] == 0xFF,
	       "ef_filler: the filler is FF");
	tap_is_int(SIM_TX(&t, 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x08), 0x6985,
		   "accept_extended: GET CHALLENGE with extended Le 6985");
	sim_t_close(&t);
}

static void test_61xx(void)
{
	struct sim_options opt = {.answer_61xx = true};
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0006);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x20), 0x6120, "61xx: READ 32 answers 6120");
	tap_is_int(SIM_DLEN(&t), 0, "61xx: no data yet");
	tap_is_int(SIM_TX(&t, 0x00, 0xC0, 0x00, 0x00, 0x10), 0x6110,
		   "61xx: GET RESPONSE 16, 16 left");
	tap_is_mem(t.r, SIM_DLEN(&t), "JPKIAPICCTOKEN2 ", 16, "61xx: first 16 bytes");
	tap_is_int(SIM_TX(&t, 0x00, 0xC0, 0x00, 0x00, 0x10), 0x9000, "61xx: rest, 9000");
	tap_is_int(SIM_TX(&t, 0x00, 0xC0, 0x00, 0x00, 0x10), 0x6985, "61xx: nothing left 6985");
	SIM_SELECT_EF(&t, 0x000A);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x00), 0x6100, "61xx: READ 256 gives 6100");
	tap_is_int(SIM_TX(&t, 0x00, 0xC0, 0x00, 0x00, 0x00), 0x9000, "61xx: GET RESPONSE 256");
	tap_is_int(SIM_DLEN(&t), 256, "61xx: 256 bytes");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6104, "61xx: pending again");
	SIM_SELECT_EF(&t, 0x000A);
	tap_is_int(SIM_TX(&t, 0x00, 0xC0, 0x00, 0x00, 0x04), 0x6985,
		   "61xx: another command drops pending data");
	sim_t_close(&t);
}

/* ISO 7816-4 READ BINARY by short EF identifier: P1 = 100xxxxx, P2 = offset;
 * the EF becomes the current one.  --no-sfi refuses it. */
static void test_sfi(void)
{
	struct sim_options opt = {.no_sfi = true};
	struct sim_t t;

	sim_t_open(&t, NULL, NULL);
	SIM_SELECT_JPKI(&t);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x86, 0x00, 0x20), 0x9000, "SFI 06: READ BINARY");
	tap_is_int(SIM_DLEN(&t), 32, "SFI 06: 32 bytes");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x20, 0x20), 0x9000,
		   "SFI 06 is now the current EF: READ at offset 32");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0xA6, 0x00, 0x20), 0x6A86, "P1 bits 7-6 not 00: 6A86");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x9F, 0x00, 0x20), 0x6A82, "unknown SFI: 6A82");
	sim_t_close(&t);
	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x86, 0x00, 0x20), 0x6A86, "no_sfi: refused, 6A86");
	SIM_SELECT_EF(&t, 0x0006);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x20), 0x9000, "no_sfi: SELECT + READ work");
	sim_t_close(&t);
}

/* sign_hash: 80 2A p1 p2 over a 32-byte hash; returns SW. */
static unsigned sign_hash(struct sim_t *t, uint8_t p1, uint8_t p2)
{
	uint8_t hash[32];

	memset(hash, 0x5A, sizeof(hash));
	return sim_t_sign(t, p1, p2, hash, sizeof(hash));
}

/* pss_verifies: the answer in t is an RSASSA-PSS signature (SHA-256, MGF1-SHA-256, this salt
 * length) of the 32 bytes sign_hash sends, by the auth key. */
static bool pss_verifies(struct sim_t *t, int salt)
{
	uint8_t hash[32];

	memset(hash, 0x5A, sizeof(hash));
	return sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PSS_PADDING, EVP_sha256(), salt,
				  hash, sizeof(hash), t->r, SIM_DLEN(t));
}

/* The COMPUTE DIGITAL SIGNATURE switches: no PSS, another salt length, no key by SFI, the PIN
 * checked before P1. */
static void test_sign_switches(void)
{
	struct sim_options no_pss = {.no_pss = true}, salt = {.pss_salt = 20},
			   no_sign_sfi = {.no_sign_sfi = true}, pin_first = {.sign_pin_first = true};
	struct sim_t t;

	sim_t_open(&t, NULL, &no_pss);
	SIM_SELECT_JPKI(&t);
	tap_is_int(sign_hash(&t, 0x04, 0x97), 0x6A86, "no_pss: P1 04 without the PIN: 6A86");
	SIM_SELECT_EF(&t, 0x0018);
	sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN);
	tap_is_int(sign_hash(&t, 0x04, 0x97), 0x6A86, "no_pss: P1 04 with the PIN: 6A86");
	tap_is_int(sign_hash(&t, 0x05, 0x97), 0x6A86, "no_pss: P1 05: 6A86");
	tap_is_int(sign_hash(&t, 0x02, 0x97), 0x9000, "no_pss: P1 02 signs");
	sim_t_close(&t);

	sim_t_open(&t, NULL, &salt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0018);
	sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN);
	tap_is_int(sign_hash(&t, 0x04, 0x97), 0x9000, "pss_salt 20: P1 04 signs");
	tap_ok(pss_verifies(&t, 20), "pss_salt 20: verifies with salt length 20");
	tap_ok(!pss_verifies(&t, 32), "pss_salt 20: not with salt length 32");
	sim_t_close(&t);

	sim_t_open(&t, NULL, &no_sign_sfi);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0018);
	sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN);
	tap_is_int(sign_hash(&t, 0x04, 0x97), 0x6A86, "no_sign_sfi: P2 97 refused, 6A86");
	tap_is_int(sign_hash(&t, 0x00, 0x97), 0x6A86, "no_sign_sfi: for any P1");
	SIM_SELECT_EF(&t, 0x0017);
	tap_is_int(sign_hash(&t, 0x04, 0x80), 0x9000, "no_sign_sfi: SELECT + P2 80 signs");
	sim_t_close(&t);

	sim_t_open(&t, NULL, &pin_first);
	SIM_SELECT_JPKI(&t);
	tap_is_int(sign_hash(&t, 0x06, 0x97), 0x6982, "sign_pin_first: P1 06 without the PIN: 6982");
	tap_is_int(sign_hash(&t, 0x04, 0x97), 0x6982, "sign_pin_first: P1 04 without the PIN: 6982");
	SIM_SELECT_EF(&t, 0x0018);
	sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN);
	tap_is_int(sign_hash(&t, 0x06, 0x97), 0x6A86, "sign_pin_first: P1 06 with the PIN: 6A86");
	sim_t_close(&t);
}

/* VERIFY by short EF identifier (P2 = 80|SFI, section 3.3): the empty form
 * answers the counter like SELECT + empty VERIFY and spends nothing;
 * --no-sfi and --no-verify-sfi refuse it (6A86), SELECT + VERIFY still work. */
static void test_verify_sfi(void)
{
	struct sim_options no_sfi = {.no_sfi = true}, no_verify = {.no_verify_sfi = true};
	const struct sim_options *refusing[] = {&no_sfi, &no_verify};
	struct sim_t t;
	size_t i;

	sim_t_open(&t, NULL, NULL);
	SIM_SELECT_JPKI(&t);
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x98), 0x63C3, "VERIFY by SFI 18, empty: 63C3");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x9B), 0x63C5, "VERIFY by SFI 1B, empty: 63C5");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x98), 0x63C3, "asking again spends nothing");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x97), 0x6A88, "SFI 17 (a key): 6A88");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x98, 0x04, '9', '9', '9', '9'), 0x63C2,
		   "VERIFY by SFI with a wrong PIN counts it (the form the module never sends)");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x98, 0x04, '1', '2', '3', '4'), 0x9000,
		   "VERIFY by SFI with the PIN: 9000");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x98), 0x63C3, "empty by SFI after it: 63C3");
	sim_t_close(&t);
	sim_t_open(&t, NULL, NULL);
	SIM_TX(&t, 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01,
	       0x04, 0x08);
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x98), 0x6A88,
		   "text AP current: no EF 0018 there (6A88), never another counter");
	sim_t_close(&t);
	for (i = 0; i < 2; i++) {
		sim_t_open(&t, NULL, refusing[i]);
		SIM_SELECT_JPKI(&t);
		tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x98), 0x6A86, "%s: VERIFY by SFI refused",
			   i ? "no_verify_sfi" : "no_sfi");
		SIM_SELECT_EF(&t, 0x0018);
		tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x80), 0x63C3,
			   "%s: SELECT + empty VERIFY work", i ? "no_verify_sfi" : "no_sfi");
		tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x86, 0x00, 0x20), i ? 0x9000 : 0x6A86,
			   "%s: READ BINARY by SFI %s", i ? "no_verify_sfi" : "no_sfi",
			   i ? "still works" : "refused too");
		sim_t_close(&t);
	}
}

static void test_6cxx_and_read_end(void)
{
	struct sim_options opt = {.answer_6cxx = true, .read_end = 1};
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0006);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x00), 0x6CA0,
		   "6cxx: READ Le=00 of a 160-byte EF answers 6CA0");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0xA0), 0x9000, "6cxx: resend Le=A0");
	tap_is_int(SIM_DLEN(&t), 160, "6cxx: 160 bytes");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x90, 0x20), 0x6282,
		   "read_end=1: READ crossing the end answers 6282");
	tap_is_int(SIM_DLEN(&t), 16, "read_end=1: with the 16 remaining bytes");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0xA0, 0x20), 0x6B00, "read_end=1: at end 6B00");
	sim_t_close(&t);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void test_latency(void)
{
	struct sim_options opt = {.latency_ms = 30};
	struct sim_t t;
	double t0;

	sim_t_open(&t, NULL, &opt);
	t0 = now_ms();
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0006);
	tap_ok(now_ms() - t0 >= 60.0, "latency_ms 30: two APDUs take >= 60 ms");
	sim_t_close(&t);

	opt = (struct sim_options){.sign_latency_ms = 80};
	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0018);
	sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN);
	SIM_SELECT_EF(&t, 0x0017);
	t0 = now_ms();
	tap_is_int(sim_t_sign_any(&t), 0x9000, "sign_latency_ms 80: signature");
	tap_ok(now_ms() - t0 >= 80.0, "sign_latency_ms 80: the signature takes >= 80 ms");
	t0 = now_ms();
	SIM_SELECT_EF(&t, 0x0018);
	tap_ok(now_ms() - t0 < 80.0, "sign_latency_ms: other APDUs are not slowed");
	sim_t_close(&t);
}

static void test_small_buffer(void)
{
	struct sim_t t;
	uint8_t r[8];
	size_t n;

	sim_t_open(&t, NULL, NULL);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x000A);
	n = sim_card_transmit(t.card, (const uint8_t[]){0x00, 0xB0, 0x00, 0x00, 0x10}, 5, r,
			      sizeof(r));
	tap_ok(n == 2 && r[0] == 0x6F && r[1] == 0x00, "an answer larger than rcap becomes 6F00");
	n = sim_card_transmit(t.card, (const uint8_t[]){0x00, 0xB0, 0x00, 0x00, 0x06}, 5, r,
			      sizeof(r));
	tap_ok(n == 8 && r[6] == 0x90 && r[7] == 0x00, "an answer that fits exactly");
	sim_t_close(&t);
}

static void test_no_jpki(void)
{
	struct sim_options opt = {.no_jpki = true};
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	tap_is_int(SIM_SELECT_JPKI(&t), 0x6A82, "no_jpki: SELECT of the JPKI AID answers 6A82");
	tap_is_int(SIM_SELECT_EF(&t, 0x0006), 0x6A82, "no_jpki: no EF at MF level");
	tap_is_int(SIM_SELECT_TEXT(&t), 0x9000, "no_jpki: the text AP is still there");
	tap_is_int(SIM_SELECT_EF(&t, 0x0011), 0x9000, "no_jpki: text PIN EF selectable");
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x80), 0x63C3, "no_jpki: text PIN query 63C3");
	tap_is_int(sim_t_select_ap(&t, (const uint8_t[]){SIM_AID_COMMON}, 10), 0x9000,
		   "no_jpki: the common AP is still there");
	tap_is_int(SIM_SELECT_JPKI(&t), 0x6A82, "no_jpki: still 6A82 from another AP");
	sim_t_close(&t);
}

static void test_juki(void)
{
	struct sim_options opt = {.juki = true};
	static const char label[33] = "JPKIAPICCTOKEN                  ";
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	tap_is_int(SIM_SELECT_JPKI(&t), 0x9000, "juki: the JPKI AP is there");
	SIM_SELECT_EF(&t, 0x0006);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x20), 0x9000, "juki: READ the label");
	tap_is_mem(t.r, SIM_DLEN(&t), label, 32, "juki: label JPKIAPICCTOKEN, space padded");
	SIM_SELECT_EF(&t, 0x0018);
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x80), 0x63C3, "juki: auth PIN query 63C3");
	sim_t_close(&t);
}

static void test_remove_after(void)
{
	struct sim_options opt = {.remove_after = 3};
	struct sim_t t;

	sim_t_open(&t, NULL, &opt);
	SIM_SELECT_JPKI(&t);
	tap_ok(!sim_card_pulled(t.card), "remove_after 3: in after 1 APDU");
	SIM_SELECT_EF(&t, 0x0018);
	tap_ok(!sim_card_pulled(t.card), "remove_after 3: in after 2 APDUs");
	tap_is_int(sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN), 0x9000,
		   "remove_after 3: the 3rd APDU is answered");
	tap_ok(sim_card_pulled(t.card), "remove_after 3: pulled after the 3rd answer");
	SIM_SELECT_EF(&t, 0x0017);
	tap_is_int(sim_t_sign_any(&t), 0x6F00,
		   "remove_after: a pulled card answers nothing (6F00)");
	sim_card_power(t.card, SIM_POWER_ON);
	tap_ok(!sim_card_pulled(t.card), "remove_after: back in after a power-on");
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x0017);
	tap_is_int(sim_t_sign_any(&t), 0x6982, "remove_after: the verified state did not survive");
	SIM_SELECT_EF(&t, 0x0018);
	tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x80), 0x63C3,
		   "remove_after: the correct PIN spent no try");
	tap_ok(!sim_card_pulled(t.card), "remove_after: pulled only once");
	sim_t_close(&t);
}

int main(void)
{
	test_blocked_6983();
	test_reselect();
	test_per_signature();
	test_extended_and_filler();
	test_61xx();
	test_6cxx_and_read_end();
	test_sfi();
	test_sign_switches();
	test_verify_sfi();
	test_latency();
	test_small_buffer();
	test_no_jpki();
	test_juki();
	test_remove_after();
	return tap_done();
}
