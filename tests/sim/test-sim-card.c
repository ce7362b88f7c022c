/* The emulated card against docs/card.md Appendix A, row by row, with the default options. */
#include "sim-test.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <unistd.h>

static uint8_t buf[8192];

static size_t read_file(const char *dir, const char *name, uint8_t *out, size_t cap)
{
	char path[4096];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (fp == NULL)
		tap_bail("cannot open %s", path);
	n = fread(out, 1, cap, fp);
	fclose(fp);
	return n;
}

/* A SHA-256 DigestInfo over an arbitrary 32-byte "hash". */
static const uint8_t digest_info[51] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0x05, 0x00, 0x04, 0x20, 1,	  2,	3,    4,    5,	  6,	7,
	8,    9,    10,	  11,	12,   13,   14,	  15,	16,   17,   18,	  19,	20,
	21,   22,   23,	  24,	25,   26,   27,	  28,	29,   30,   31,	  32};

/* sign_apdu: 80 2A p1 80 over n bytes: digest_info, then zeros. */
static unsigned sign_apdu(struct sim_t *t, uint8_t p1, size_t n)
{
	uint8_t data[255] = {0};

	memcpy(data, digest_info, n > sizeof(digest_info) ? sizeof(digest_info) : n);
	return sim_t_sign(t, p1, 0x80, data, n);
}

static void test_select(struct sim_t *t)
{
	static const uint8_t aids[][10] = {
		{SIM_AID_JPKI}, {SIM_AID_TEXT}, {SIM_AID_VISUAL}, {SIM_AID_JUKI}, {SIM_AID_COMMON}};
	for (size_t i = 0; i < 5; i++)
		tap_is_int(sim_t_select_ap(t, aids[i], 10), 0x9000, "SELECT AP %zu by name: 9000",
			   i);
	tap_is_int(sim_t_select_ap(t, (const uint8_t[]){SIM_AID_ISD}, 7), 0x9000,
		   "SELECT card manager: 9000");
	tap_is_int(SIM_SELECT_EF(t, 0x000A), 0x6A82, "SELECT EF at MF level: 6A82");
	tap_is_int(SIM_TX(t, 0x00, 0xA4, 0x00, 0x00), 0x6A86, "SELECT P1=00 at MF level: 6A86");
	tap_is_int(sim_t_select_ap(t,
				   (const uint8_t[]){0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00,
						     0x00, 0x02},
				   10),
		   0x6A82, "SELECT unknown AID: 6A82");
	tap_is_int(SIM_SELECT_JPKI(t), 0x9000, "SELECT JPKI AP");
	tap_is_int(SIM_TX(t, 0x00, 0xA4, 0x00, 0x00), 0x9000, "SELECT P1=00 in an AP: 9000");
	tap_is_int(SIM_TX(t, 0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00), 0x6A82,
		   "SELECT 3F00: 6A82");
	tap_is_int(SIM_SELECT_EF(t, 0x1234), 0x6A82, "SELECT unknown FID: 6A82");
	static const uint16_t fids[] = {0x0001, 0x0002, 0x0006, 0x0008, 0x000A,
					0x000B, 0x0017, 0x0018, 0x001A, 0x001B};
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++)
		tap_is_int(SIM_SELECT_EF(t, fids[i]), 0x9000, "SELECT JPKI EF %04X: 9000", fids[i]);
	tap_is_int(SIM_TX(t, 0x00, 0xA4, 0x02, 0x00, 0x02, 0x00, 0x0A), 0x6A86,
		   "SELECT EF with P2=00 (FCI): 6A86");
	tap_is_int(SIM_TX(t, 0x00, 0xA4, 0x02, 0x0C, 0x01, 0x0A), 0x6700, "SELECT FID Lc=1: 6700");
	tap_is_int(SIM_TX(t, 0x00, 0xA4, 0x02, 0x0C, 0x03, 0x00, 0x0A), 0x6700,
		   "SELECT with Lc longer than the data: 6700");
}

static void test_read(struct sim_t *t)
{
	size_t n;
	long got;
	uint8_t file[4096];

	SIM_SELECT_JPKI(t);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x00), 0x6986,
		   "READ BINARY without a current EF: 6986");
	SIM_SELECT_EF(t, 0x0006);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x20), 0x9000, "READ token info 32 bytes");
	tap_is_mem(t->r, SIM_DLEN(t), "JPKIAPICCTOKEN2                 ", 32,
		   "token label JPKIAPICCTOKEN2 padded with spaces");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x00), 0x9000, "READ token info Le=00");
	tap_is_int(SIM_DLEN(t), 160, "token info is 160 bytes (short read at the end, 9000)");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0xA0, 0x01), 0x6B00, "READ at the end: 6B00");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x9F, 0x10), 0x9000, "READ crossing the end: 9000");
	tap_is_int(SIM_DLEN(t), 1, "... with the one remaining byte");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x7F, 0xFF, 0x01), 0x6B00, "READ at offset 7FFF: 6B00");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00), 0x6700, "READ without Le (case 1): 6700");

	n = read_file(t->dir, SIM_FILE_AUTH, file, sizeof(file));
	got = sim_t_read_ef(t, 0x000A, buf, sizeof(buf));
	tap_is_mem(buf, got, file, n, "auth certificate EF 000A = auth.der (%zu bytes)", n);
	tap_ok(n >= 1200 && n <= 1700, "auth certificate size %zu is realistic", n);
	SIM_SELECT_EF(t, 0x000A);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x9000, "READ 4-byte header");
	tap_ok(SIM_DLEN(t) == 4 && t->r[0] == 0x30 && t->r[1] == 0x82 &&
		       (size_t)(t->r[2] << 8 | t->r[3]) + 4 == n,
	       "header 30 82 LL LL gives the DER length");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x81 | 0x0A, 0x00, 0x04), 0x9000, "READ BINARY by SFI 0A");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00), 0x6700,
		   "extended READ refused (default): 6700");
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00), 0x6700,
		   "6-byte APDU with a truncated extended Le: 6700");
	n = read_file(t->dir, SIM_FILE_AUTH_CA, file, sizeof(file));
	got = sim_t_read_ef(t, 0x000B, buf, sizeof(buf));
	tap_is_mem(buf, got, file, n, "auth CA EF 000B = auth-ca.der");
	n = read_file(t->dir, SIM_FILE_SIGN_CA, file, sizeof(file));
	got = sim_t_read_ef(t, 0x0002, buf, sizeof(buf));
	tap_is_mem(buf, got, file, n, "sign CA EF 0002 = sign-ca.der");
	got = sim_t_read_ef(t, 0x0008, buf, sizeof(buf));
	tap_is_mem(buf, got, "\x8F\x8F\x00", 3, "EF 0008 = 8F 8F 00");

	SIM_SELECT_EF(t, 0x0001);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982,
		   "READ sign certificate without the sign PIN: 6982");
	SIM_SELECT_EF(t, 0x0009);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982, "READ EF 0009: 6982");
	static const uint16_t iefs[] = {0x0017, 0x0018, 0x001A, 0x001B};
	for (size_t i = 0; i < 4; i++) {
		SIM_SELECT_EF(t, iefs[i]);
		tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6981,
			   "READ internal EF %04X: 6981", iefs[i]);
	}
	SIM_SELECT_EF(t, 0x001B);
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_SIGN_PIN), 0x9000, "VERIFY sign password");
	n = read_file(t->dir, SIM_FILE_SIGN, file, sizeof(file));
	got = sim_t_read_ef(t, 0x0001, buf, sizeof(buf));
	tap_is_mem(buf, got, file, n, "sign certificate readable after VERIFY = sign.der");
	tap_ok(n >= 1200 && n <= 1700, "sign certificate size %zu is realistic", n);
}

static void test_text_ap(struct sim_t *t)
{
	long got;
	char expect[32];

	tap_is_int(SIM_SELECT_TEXT(t), 0x9000, "SELECT text AP");
	SIM_SELECT_EF(t, 0x0001);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x11), 0x6982, "text 0001 without PIN: 6982");
	SIM_SELECT_EF(t, 0x0002);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x00), 0x6982, "text 0002 without PIN: 6982");
	/* 照合番号A opens the My Number but not the basic 4 info. */
	SIM_SELECT_EF(t, 0x0014);
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_MYNUMBER), 0x9000, "VERIFY 照合番号A");
	got = sim_t_read_ef(t, 0x0001, buf, sizeof(buf));
	snprintf(expect, sizeof(expect), "\xFF\x10\x0C%s\xFF\xFF", SIM_DEFAULT_MYNUMBER);
	tap_is_mem(buf, got, expect, 17, "text 0001 = FF 10 0C + 12 digits + FF FF (17 bytes)");
	SIM_SELECT_EF(t, 0x0002);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x00), 0x6982,
		   "text 0002 with 照合番号A only: 6982");

	SIM_SELECT_TEXT(t);
	SIM_SELECT_EF(t, 0x0011);
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C3, "text PIN counter 3");
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_TEXT_PIN), 0x9000, "VERIFY text PIN");
	got = sim_t_read_ef(t, 0x0002, buf, sizeof(buf));
	tap_ok(got > 40 && buf[0] == 0xFF && buf[1] == 0x20, "text 0002 starts with FF 20");
	/* Walk the DF21 offsets: each must point at DF22..DF25 in turn. */
	size_t hdr = buf[2] == 0x81 ? 4 : 3;
	bool offsets_ok = got > 0 && buf[hdr] == 0xDF && buf[hdr + 1] == 0x21 && buf[hdr + 2] == 8;
	for (int i = 0; offsets_ok && i < 4; i++) {
		size_t off = (size_t)(buf[hdr + 3 + 2 * i] << 8 | buf[hdr + 4 + 2 * i]);
		offsets_ok = off + 2 < (size_t)got && buf[off] == 0xDF && buf[off + 1] == 0x22 + i;
	}
	tap_ok(offsets_ok, "DF21 offsets point at DF22, DF23, DF24, DF25");
	const char *name = SIM_DEFAULT_NAME;
	tap_ok(got > 0 && memmem(buf, (size_t)got, name, strlen(name)) != NULL,
	       "name in DF22 (UTF-8)");
	tap_ok(got > 0 && memmem(buf, (size_t)got, "\xDF\x24\x08" SIM_DEFAULT_BIRTH, 11) != NULL,
	       "birth date DF24 YYYYMMDD");
	tap_ok(got > 0 && memmem(buf, (size_t)got, "\xDF\x25\x01\x31", 4) != NULL, "sex DF25 '1'");
}

static void test_pins(struct sim_t *t)
{
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0018);
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C3, "auth PIN counter starts at 3");
	SIM_SELECT_EF(t, 0x001B);
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C5, "sign PIN counter starts at 5");
	SIM_SELECT_EF(t, 0x0018);
	tap_is_int(sim_t_verify(t, "0000"), 0x63C2, "wrong auth PIN: 63C2");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C2, "empty VERIFY: 63C2, not consumed");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C2, "... and again 63C2");
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_AUTH_PIN), 0x9000, "right auth PIN: 9000");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C3,
		   "empty VERIFY after success: 63C3, never 9000");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80 | 0x18), 0x63C3, "empty VERIFY by SFI 18");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x01, 0x80), 0x6A86, "VERIFY P1=01: 6A86");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x81), 0x6A88, "VERIFY unknown key ref: 6A88");
	SIM_SELECT_EF(t, 0x000A);
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x6A88, "VERIFY on a certificate EF: 6A88");

	/* Block the text PIN: 63C2, 63C1, 63C0, then 6984; counters survive a reopen. */
	SIM_SELECT_TEXT(t);
	SIM_SELECT_EF(t, 0x0011);
	tap_is_int(sim_t_verify(t, "9999"), 0x63C2, "wrong text PIN 1: 63C2");
	tap_is_int(sim_t_verify(t, "99999"), 0x63C1, "wrong text PIN 2 (bad length): 63C1");
	sim_card_close(t->card);
	t->card = sim_card_open(t->dir, NULL);
	if (t->card == NULL)
		tap_bail("reopen failed");
	sim_card_power(t->card, SIM_POWER_ON);
	SIM_SELECT_TEXT(t);
	SIM_SELECT_EF(t, 0x0011);
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C1, "counter 1 persists across restarts");
	tap_is_int(sim_t_verify(t, "9999"), 0x63C0, "last wrong try: 63C0");
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_TEXT_PIN), 0x6984, "blocked: right PIN gets 6984");
	tap_is_int(sim_t_verify(t, "9999"), 0x6984, "blocked: wrong PIN gets 6984");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C0, "blocked: empty VERIFY 63C0");
	SIM_SELECT_EF(t, 0x0001);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x11), 0x6982, "blocked: My Number 6982");

	/* Security state: per PIN, cleared by reset and by SELECT of an AP. */
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0018);
	sim_t_verify(t, SIM_DEFAULT_AUTH_PIN);
	SIM_SELECT_EF(t, 0x0001);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982,
		   "auth PIN does not open the sign certificate");
	SIM_SELECT_EF(t, 0x001A);
	tap_is_int(sign_apdu(t, 0x00, 51), 0x6982, "auth PIN does not open the sign key");
	SIM_SELECT_EF(t, 0x001B);
	sim_t_verify(t, SIM_DEFAULT_SIGN_PIN);
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0001);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982,
		   "re-SELECT of the AP clears the verified state (default)");
	SIM_SELECT_EF(t, 0x001B);
	sim_t_verify(t, SIM_DEFAULT_SIGN_PIN);
	sim_card_power(t->card, SIM_RESET);
	tap_is_int(SIM_SELECT_EF(t, 0x0001), 0x6A82, "after reset: MF level, no EF");
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0001);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982,
		   "reset clears the verified state");
	sim_card_power(t->card, SIM_POWER_OFF);
	tap_is_int(SIM_SELECT_JPKI(t), 0x6F00, "powered off: 6F00");
	sim_card_power(t->card, SIM_POWER_ON);
}

static void test_sign(struct sim_t *t)
{
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0017);
	tap_is_int(sign_apdu(t, 0x00, 51), 0x6982, "80 2A without PIN: 6982");
	SIM_SELECT_EF(t, 0x0018);
	sim_t_verify(t, SIM_DEFAULT_AUTH_PIN);
	SIM_SELECT_EF(t, 0x0017);
	tap_is_int(sign_apdu(t, 0x06, 51), 0x6A86, "80 2A bad P1: 6A86");
	tap_is_int(sign_apdu(t, 0x00, 246), 0x6700, "80 2A with 246 bytes: 6700");
	tap_is_int(SIM_TX(t, 0x00, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00), 0x6E00,
		   "00 2A (ISO class): 6E00");
	tap_is_int(sign_apdu(t, 0x00, 51), 0x9000, "80 2A 00 80 with the auth PIN: 9000");
	tap_is_int(SIM_DLEN(t), 256, "signature is 256 bytes");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PADDING, NULL, 0, digest_info,
				  51, t->r, 256),
	       "auth signature verifies (PKCS#1 v1.5 type 1 over the DigestInfo)");
	SIM_SELECT_EF(t, 0x000A);
	tap_is_int(sign_apdu(t, 0x00, 51), 0x6A88, "80 2A with a certificate EF current: 6A88");
	tap_is_int(SIM_TX(t, 0x80, 0x2A, 0x00, 0x9A, 0x01, 0x00, 0x00), 0x6982,
		   "80 2A P2=9A (sign key by SFI) without the sign PIN: 6982");

	SIM_SELECT_EF(t, 0x001B);
	sim_t_verify(t, SIM_DEFAULT_SIGN_PIN);
	SIM_SELECT_EF(t, 0x001A);
	tap_is_int(sign_apdu(t, 0x00, 51), 0x9000, "sign key signature after the sign password");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_SIGN, RSA_PKCS1_PADDING, NULL, 0, digest_info,
				  51, t->r, 256),
	       "sign signature verifies");
	SIM_SELECT_EF(t, 0x0001);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x9000,
		   "sign certificate still readable after a signature");
}

/* Every scheme of section 3.4 (P1 00-05), with the key named by SFI (P2 97), each signature
 * checked by OpenSSL with the padding, digest and salt length the scheme stands for. */
static void test_schemes(struct sim_t *t)
{
	static const uint8_t msg[] = "TLS 1.3, CertificateVerify content";
	const uint8_t *hash = digest_info + 19;
	uint8_t hash33[33] = {0}; /* one byte too many for P1 04 */
	uint8_t msg_hash[32], first[256];

	EVP_Digest(msg, sizeof(msg), msg_hash, NULL, EVP_sha256(), NULL);
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0018);
	sim_t_verify(t, SIM_DEFAULT_AUTH_PIN);
	SIM_SELECT_EF(t, 0x000A); /* the key is named in P2, not current */
	tap_is_int(sim_t_sign(t, 0x00, 0x97, digest_info, 51), 0x9000, "P1 00, P2 97: 9000");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PADDING, NULL, 0, digest_info,
				  51, t->r, SIM_DLEN(t)),
	       "P1 00: PKCS#1 v1.5 over the given DigestInfo");
	tap_is_int(sim_t_sign(t, 0x01, 0x97, msg, sizeof(msg)), 0x9000, "P1 01: 9000");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PADDING, NULL, 0, msg_hash, 32,
				  t->r, SIM_DLEN(t)),
	       "P1 01: PKCS#1 v1.5 over the bare SHA-256 of the message");
	tap_is_int(sim_t_sign(t, 0x02, 0x97, hash, 32), 0x9000, "P1 02: 9000");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PADDING, EVP_sha256(), 0, hash,
				  32, t->r, SIM_DLEN(t)),
	       "P1 02: PKCS#1 v1.5 over the hash's DigestInfo");
	tap_is_int(sim_t_sign(t, 0x02, 0x97, hash, 31), 0x6700, "P1 02 with 31 bytes: 6700");
	tap_is_int(sim_t_sign(t, 0x03, 0x97, msg, sizeof(msg)), 0x9000, "P1 03: 9000");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PADDING, EVP_sha256(), 0,
				  msg_hash, 32, t->r, SIM_DLEN(t)),
	       "P1 03: sha256WithRSAEncryption over the message");
	tap_is_int(sim_t_sign(t, 0x04, 0x97, hash, 32), 0x9000, "P1 04: 9000");
	tap_is_int(SIM_DLEN(t), 256, "P1 04: 256 bytes");
	memcpy(first, t->r, sizeof(first));
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PSS_PADDING, EVP_sha256(), 32,
				  hash, 32, t->r, SIM_DLEN(t)),
	       "P1 04: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 over the given hash");
	tap_ok(!sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PSS_PADDING, EVP_sha256(), 20,
				   hash, 32, t->r, SIM_DLEN(t)),
	       "P1 04: not with salt 20");
	tap_is_int(sim_t_sign(t, 0x04, 0x97, hash, 32), 0x9000, "P1 04 again: 9000");
	tap_ok(memcmp(first, t->r, sizeof(first)) != 0, "P1 04: random salt, two signatures differ");
	memcpy(hash33, hash, 32);
	tap_is_int(sim_t_sign(t, 0x04, 0x97, hash33, 33), 0x6700, "P1 04 with 33 bytes: 6700");
	tap_is_int(sim_t_sign(t, 0x05, 0x97, msg, sizeof(msg)), 0x9000, "P1 05: 9000");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PSS_PADDING, EVP_sha256(), 32,
				  msg_hash, 32, t->r, SIM_DLEN(t)),
	       "P1 05: RSASSA-PSS over the SHA-256 of the message");
	tap_is_int(sim_t_sign(t, 0x06, 0x97, hash, 32), 0x6A86, "P1 06: 6A86");
	SIM_SELECT_EF(t, 0x0017);
	tap_is_int(sim_t_sign(t, 0x04, 0x80, hash, 32), 0x9000,
		   "P1 04, P2 80 (the current key EF)");
	tap_ok(sim_t_signature_ok(t->dir, SIM_FILE_AUTH, RSA_PKCS1_PSS_PADDING, EVP_sha256(), 32,
				  hash, 32, t->r, SIM_DLEN(t)),
	       "P1 04, P2 80: verifies");
	tap_is_int(sim_t_sign(t, 0x04, 0x9A, hash, 32), 0x6982,
		   "P1 04, P2 9A (sign key) with the auth PIN only: 6982");
	tap_is_int(sim_t_sign(t, 0x04, 0x8A, hash, 32), 0x6A88, "P2 8A (a certificate EF): 6A88");
	sim_card_power(t->card, SIM_RESET);
	SIM_SELECT_JPKI(t);
	tap_is_int(sim_t_sign(t, 0x04, 0x97, hash, 32), 0x6982, "P1 04 without the PIN: 6982");
	tap_is_int(sim_t_sign(t, 0x06, 0x97, hash, 32), 0x6A86,
		   "P1 06 without the PIN: 6A86 (P1 is checked before the PIN)");
}

static void test_change(struct sim_t *t)
{
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0018);
	tap_is_int(SIM_TX(t, 0x00, 0x24, 0x01, 0x80, 0x04, '4', '3', '2', '1'), 0x6982,
		   "CHANGE REFERENCE DATA without VERIFY: 6982");
	sim_t_verify(t, SIM_DEFAULT_AUTH_PIN);
	tap_is_int(SIM_TX(t, 0x00, 0x24, 0x01, 0x80, 0x03, '4', '3', '2'), 0x6A80,
		   "CHANGE to a 3-digit PIN: 6A80");
	tap_is_int(SIM_TX(t, 0x00, 0x24, 0x00, 0x80, 0x04, '4', '3', '2', '1'), 0x6A86,
		   "CHANGE P1=00: 6A86");
	tap_is_int(SIM_TX(t, 0x00, 0x24, 0x01, 0x80, 0x04, '4', '3', '2', '1'), 0x9000,
		   "CHANGE REFERENCE DATA after VERIFY: 9000");
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_AUTH_PIN), 0x63C2, "old PIN now wrong");
	tap_is_int(sim_t_verify(t, "4321"), 0x9000, "new PIN verifies, counter restored");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C3, "counter back to 3");
}

static void test_iso(struct sim_t *t)
{
	tap_is_int(SIM_TX(t, 0x00, 0x12, 0x00, 0x00), 0x6D00, "unknown INS: 6D00");
	tap_is_int(SIM_TX(t, 0x00, 0x61, 0x00, 0x00), 0x6D00, "INS 61: 6D00");
	tap_is_int(SIM_TX(t, 0xA0, 0xA4, 0x04, 0x0C, 0x01, 0xD3), 0x6E00, "CLA A0: 6E00");
	tap_is_int(SIM_TX(t, 0x80, 0xA4, 0x04, 0x0C, 0x01, 0xD3), 0x6E00, "CLA 80 SELECT: 6E00");
	tap_is_int(SIM_TX(t, 0x0C, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A), 0x6882,
		   "SM CLA 0C SELECT: 6882");
	tap_is_int(SIM_TX(t, 0x08, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A), 0x6882,
		   "SM CLA 08 SELECT: 6882");
	tap_is_int(SIM_TX(t, 0x0C, 0xB0, 0x00, 0x00, 0x04), 0x69FC, "SM CLA READ: 69FC");
	tap_is_int(SIM_TX(t, 0x0C, 0x20, 0x00, 0x80), 0x69FC, "SM CLA VERIFY: 69FC");
	tap_is_int(SIM_TX(t, 0x01, 0xB0, 0x00, 0x00, 0x04), 0x6881, "logical channel 1: 6881");
	tap_is_int(SIM_TX(t, 0x10, 0xB0, 0x00, 0x00, 0x04), 0x6884, "command chaining: 6884");
	tap_is_int(SIM_TX(t, 0x00, 0xA4), 0x6700, "2-byte APDU: 6700");
	tap_is_int(SIM_TX(t, 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92), 0x6700,
		   "Lc larger than the data: 6700");
	tap_is_int(SIM_TX(t, 0x00, 0x84, 0x00, 0x00, 0x08), 0x9000, "GET CHALLENGE 8");
	tap_is_int(SIM_DLEN(t), 8, "8 random bytes");
	tap_is_int(SIM_TX(t, 0x00, 0xC0, 0x00, 0x00, 0x10), 0x6985,
		   "GET RESPONSE with nothing pending: 6985");
}

static void test_log_and_stats(const char *fixture)
{
	struct sim_options opt = {0};
	struct sim_t t;
	char logpath[4200];
	uint8_t logbuf[8192];
	size_t n;

	t.dir = sim_fixture_clone(fixture);
	if (t.dir == NULL)
		tap_bail("clone");
	snprintf(logpath, sizeof(logpath), "%s/apdu.log", t.dir);
	opt.log_path = logpath;
	t.card = sim_card_open(t.dir, &opt);
	if (t.card == NULL)
		tap_bail("open");
	sim_card_power(t.card, SIM_POWER_ON);
	sim_card_stats_reset(t.card);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x001B);
	sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN);
	sim_t_verify(&t, "WRONG1");
	SIM_TX(&t, 0x00, 0x20, 0x00, 0x80);
	sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN);
	SIM_TX(&t, 0x00, 0x24, 0x01, 0x80, 0x08, 'N', 'E', 'W', 'P', 'A', 'S', 'S', '1');
	SIM_SELECT_EF(&t, 0x0002);
	SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x00);
	const struct sim_stats *st = sim_card_stats(t.card);
	tap_is_int(st->apdus, 9, "stats: 9 APDUs");
	tap_is_int(st->by_ins[0x20], 4, "stats: 4 VERIFY");
	tap_is_int(st->by_ins[0xA4], 3, "stats: 3 SELECT");
	sim_card_close(t.card);
	n = read_file(t.dir, "apdu.log", logbuf, sizeof(logbuf) - 1);
	logbuf[n] = 0;
	tap_ok(strstr((char *)logbuf, SIM_DEFAULT_SIGN_PIN) == NULL &&
		       strstr((char *)logbuf, "WRONG1") == NULL &&
		       strstr((char *)logbuf, "NEWPASS1") == NULL,
	       "the APDU log holds no PIN");
	tap_ok(strstr((char *)logbuf, "002000800C** -> 9000 ok") != NULL,
	       "VERIFY logged as ** with class ok");
	tap_ok(strstr((char *)logbuf, "0020008006** -> 63C4 pin-fail") != NULL,
	       "wrong VERIFY logged as pin-fail");
	tap_ok(strstr((char *)logbuf, "00200080 -> 63C4 pin-query") != NULL,
	       "empty VERIFY logged as pin-query");
	tap_ok(strstr((char *)logbuf, "0024018008** -> 9000 ok") != NULL, "CHANGE logged as **");
	tap_ok(strstr((char *)logbuf, "..(256 bytes) 9000 ok") != NULL, "long answers shortened");
	tap_ok(strstr((char *)logbuf, "# power on") != NULL, "power events logged");
	sim_fixture_remove(t.dir);
}

/* test_reload: sim_card_reload takes the PINs and counters from the state file again. */
static void test_reload(struct sim_t *t)
{
	static uint8_t saved[8192];
	size_t n = read_file(t->dir, SIM_FILE_STATE, saved, sizeof(saved));
	char path[4096];
	FILE *fp;

	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0018);
	tap_is_int(sim_t_verify(t, "0000"), 0x63C2, "reload: a wrong auth PIN saved 63C2");
	tap_is_int(sim_card_reload(t->card), 0, "reload: the changed file read again");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C2, "reload: the file's counter, 2");
	snprintf(path, sizeof(path), "%s/%s", t->dir, SIM_FILE_STATE);
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(saved, 1, n, fp) != n || fclose(fp) != 0)
		tap_bail("cannot write %s", path);
	tap_is_int(sim_card_reload(t->card), 0, "reload: the earlier file read again");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C3, "reload: the earlier counter, 3");
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_AUTH_PIN), 0x9000, "reload: the PIN still verifies");
	fp = fopen(path, "wb");
	if (fp == NULL || fputs("auth-pin-tries=9\n", fp) < 0 || fclose(fp) != 0)
		tap_bail("cannot write %s", path);
	tap_is_int(sim_card_reload(t->card), -1, "reload: a bad file refused");
	tap_is_int(SIM_TX(t, 0x00, 0x20, 0x00, 0x80), 0x63C3, "reload: refused, card unchanged");
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(saved, 1, n, fp) != n || fclose(fp) != 0)
		tap_bail("cannot write %s", path);
}

int main(void)
{
	struct sim_t t;

	sim_t_open(&t, NULL, NULL);
	test_select(&t);
	test_read(&t);
	test_text_ap(&t);
	test_reload(&t);
	sim_t_close(&t);

	sim_t_open(&t, NULL, NULL);
	test_pins(&t);
	test_sign(&t);
	test_change(&t);
	test_iso(&t);
	sim_t_close(&t);

	sim_t_open(&t, NULL, NULL);
	test_schemes(&t);
	sim_t_close(&t);

	test_log_and_stats(NULL);
	return tap_done();
}
