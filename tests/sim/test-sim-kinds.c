/* Each kind of token the emulator plays (issue 18): the card without the
 * signature certificate with every answer its EF 0001 and its password may
 * give, the phone tokens, and the fixture with expired certificates. */
#include "sim-test.h"

#include <openssl/x509.h>

/* label_is: EF 0006 starts with label, space padded to 32 bytes. */
static void label_is(struct sim_t *t, const char *label, const char *what)
{
	char want[33];

	memset(want, ' ', 32);
	memcpy(want, label, strlen(label));
	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0006);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x00, 0x00, 0x20), 0x9000, "%s: READ the label", what);
	tap_is_mem(t->r, SIM_DLEN(t), want, 32, "%s: label %s", what, label);
}

static void avail_is(struct sim_t *t, uint8_t sign_byte, const char *what)
{
	SIM_SELECT_JPKI(t);
	tap_is_int(SIM_TX(t, 0x00, 0xB0, 0x88, 0x00, 0x00), 0x9000, "%s: EF 0008 free (by SFI)",
		   what);
	tap_is_mem(t->r, SIM_DLEN(t), ((uint8_t[]){sign_byte, 0x8F, 0x00}), 3,
		   "%s: EF 0008 = %02X 8F 00", what, sign_byte);
}

/* auth_works: the authentication side of any kind: PIN, key, certificate. */
static void auth_works(struct sim_t *t, const char *what)
{
	uint8_t buf[4096];

	SIM_SELECT_JPKI(t);
	SIM_SELECT_EF(t, 0x0018);
	tap_is_int(sim_t_verify(t, SIM_DEFAULT_AUTH_PIN), 0x9000, "%s: auth PIN verifies", what);
	SIM_SELECT_EF(t, 0x0017);
	tap_is_int(sim_t_sign_any(t), 0x9000, "%s: auth key signs", what);
	tap_ok(sim_t_read_ef(t, 0x000A, buf, sizeof(buf)) > 1000, "%s: auth certificate read",
	       what);
}

static void test_card(void)
{
	struct sim_t t;

	sim_t_open(&t, NULL, NULL);
	label_is(&t, "JPKIAPICCTOKEN2", "card");
	avail_is(&t, 0x8F, "card");
	tap_is_int(SIM_SELECT_TEXT(&t), 0x9000, "card: the text AP is there");
	sim_t_close(&t);
}

/* What EF 0001 answers in each variant, before any password (READ at offset 0, Le 4). */
static const struct {
	enum sim_no_sign v;
	const char *name;
	unsigned select_sw, read_sw;
	size_t len; /* data of the READ when 9000 */
} no_sign_cases[] = {
	{SIM_NO_SIGN_SELECT_6A82, "select-6a82", 0x6A82, 0x6986, 0},
	{SIM_NO_SIGN_READ_6982, "read-6982", 0x9000, 0x6982, 0},
	{SIM_NO_SIGN_READ_6A82, "read-6a82", 0x9000, 0x6A82, 0},
	{SIM_NO_SIGN_EMPTY, "empty", 0x9000, 0x9000, 0},
	{SIM_NO_SIGN_FF, "ff", 0x9000, 0x9000, 4},
};

static const struct {
	enum sim_no_sign_pin v;
	const char *name;
	unsigned query_sw, verify_sw;
} no_sign_pin_cases[] = {
	{SIM_NO_SIGN_PIN_63CX, "63cx", 0x63C5, 0x63C4},
	{SIM_NO_SIGN_PIN_6984, "6984", 0x6984, 0x6984},
	{SIM_NO_SIGN_PIN_6A88, "6a88", 0x6A88, 0x6A88},
};

static void test_no_sign(void)
{
	for (size_t i = 0; i < sizeof(no_sign_cases) / sizeof(no_sign_cases[0]); i++) {
		struct sim_options opt = {.no_sign = no_sign_cases[i].v};
		const char *n = no_sign_cases[i].name;
		struct sim_t t;

		tap_is_int(sim_no_sign_from_name(n), no_sign_cases[i].v, "name %s", n);
		sim_t_open(&t, NULL, &opt);
		label_is(&t, "JPKIAPICCTOKEN2", n);
		avail_is(&t, 0x00, n);
		SIM_SELECT_JPKI(&t);
		tap_is_int(SIM_SELECT_EF(&t, 0x0001), no_sign_cases[i].select_sw,
			   "%s: SELECT EF 0001", n);
		tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x04), no_sign_cases[i].read_sw,
			   "%s: READ EF 0001", n);
		if (no_sign_cases[i].read_sw == 0x9000)
			tap_is_mem(t.r, SIM_DLEN(&t), "\xFF\xFF\xFF\xFF", no_sign_cases[i].len,
				   "%s: EF 0001 data", n);
		SIM_SELECT_JPKI(&t);
		tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x81, 0x00, 0x04),
			   no_sign_cases[i].select_sw == 0x9000 ? no_sign_cases[i].read_sw : 0x6A82,
			   "%s: READ EF 0001 by SFI", n);
		auth_works(&t, n);
		SIM_SELECT_EF(&t, 0x001A);
		tap_is_int(sim_t_sign_any(&t), 0x6982, "%s: no signature without a password", n);
		sim_t_close(&t);
	}
	for (size_t i = 0; i < sizeof(no_sign_pin_cases) / sizeof(no_sign_pin_cases[0]); i++) {
		struct sim_options opt = {.no_sign = SIM_NO_SIGN_READ_6982,
					  .no_sign_pin = no_sign_pin_cases[i].v};
		const char *n = no_sign_pin_cases[i].name;
		struct sim_t t;

		tap_is_int(sim_no_sign_pin_from_name(n), no_sign_pin_cases[i].v, "name %s", n);
		sim_t_open(&t, NULL, &opt);
		SIM_SELECT_JPKI(&t);
		tap_is_int(SIM_SELECT_EF(&t, 0x001B), 0x9000, "pin %s: SELECT 001B", n);
		tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x80), no_sign_pin_cases[i].query_sw,
			   "pin %s: status query", n);
		tap_is_int(sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN), no_sign_pin_cases[i].verify_sw,
			   "pin %s: the old password does not open it", n);
		SIM_SELECT_EF(&t, 0x0001);
		tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982,
			   "pin %s: EF 0001 still closed", n);
		SIM_SELECT_EF(&t, 0x0018);
		tap_is_int(SIM_TX(&t, 0x00, 0x20, 0x00, 0x80), 0x63C3,
			   "pin %s: the auth PIN is untouched", n);
		sim_t_close(&t);
	}
	tap_is_int(sim_no_sign_from_name("present"), -1, "present is no switch");
	tap_is_int(sim_no_sign_pin_from_name("63c5"), -1, "unknown pin answer refused");
}

static void test_phones(void)
{
	struct sim_options android = {.kind = SIM_KIND_ANDROID};
	struct sim_options iphone = {.kind = SIM_KIND_IPHONE};
	uint8_t buf[4096];
	struct sim_t t;

	tap_is_int(sim_kind_from_name("android"), SIM_KIND_ANDROID, "name android");
	tap_is_int(sim_kind_from_name("iphone"), SIM_KIND_IPHONE, "name iphone");
	tap_is_int(sim_kind_from_name("card"), SIM_KIND_CARD, "name card");
	tap_is_int(sim_kind_from_name("juki"), -1, "juki is its own switch");

	sim_t_open(&t, NULL, &android);
	label_is(&t, "JPKIAPGPSETOKEN", "android");
	avail_is(&t, 0x8F, "android");
	tap_is_int(SIM_SELECT_TEXT(&t), 0x6A82, "android: no text AP");
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x000A);
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0x04), 0x6982,
		   "android: EF 000A needs the auth PIN");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x8A, 0x00, 0x04), 0x6982,
		   "android: EF 000A by SFI needs it too");
	tap_ok(sim_t_read_ef(&t, 0x000B, buf, sizeof(buf)) > 500, "android: auth CA free");
	tap_ok(sim_t_read_ef(&t, 0x0002, buf, sizeof(buf)) > 500, "android: sign CA free");
	auth_works(&t, "android");
	SIM_SELECT_EF(&t, 0x001B);
	tap_is_int(sim_t_verify(&t, SIM_DEFAULT_SIGN_PIN), 0x9000, "android: sign password");
	tap_ok(sim_t_read_ef(&t, 0x0001, buf, sizeof(buf)) > 1000, "android: sign certificate");
	sim_t_close(&t);

	sim_t_open(&t, NULL, &iphone);
	label_is(&t, "JPKIAPIOSTOKEN", "iphone");
	tap_is_int(SIM_SELECT_TEXT(&t), 0x6A82, "iphone: no text AP");
	SIM_SELECT_JPKI(&t);
	tap_ok(sim_t_read_ef(&t, 0x000A, buf, sizeof(buf)) > 1000,
	       "iphone: EF 000A free (no report says otherwise)");
	auth_works(&t, "iphone");
	sim_t_close(&t);
}

/* The fixture made with --cert-start-days -1900: both certificates ended
 * 74 days ago, their CAs are valid. */
static void test_expired_fixture(void)
{
	static const char *const files[] = {SIM_FILE_AUTH, SIM_FILE_SIGN, SIM_FILE_AUTH_CA,
					    SIM_FILE_SIGN_CA};
	const char *fix = getenv("JPKI_SIM_FIXTURE");
	char dir[4096];

	if (fix == NULL)
		tap_bail("JPKI_SIM_FIXTURE is not set");
	snprintf(dir, sizeof(dir), "%s-expired", fix);
	for (size_t i = 0; i < 4; i++) {
		char path[4200];
		FILE *fp;
		X509 *x = NULL;
		time_t now = time(NULL), ago = now - 70 * 86400L, before = now - 80 * 86400L;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		fp = fopen(path, "rb");
		if (fp != NULL) {
			x = d2i_X509_fp(fp, NULL);
			fclose(fp);
		}
		if (!tap_ok(x != NULL, "expired fixture: %s decodes", files[i]))
			continue;
		if (i < 2)
			tap_ok(X509_cmp_time(X509_get0_notAfter(x), &ago) < 0 &&
				       X509_cmp_time(X509_get0_notAfter(x), &before) > 0,
			       "expired fixture: %s ended 70-80 days ago", files[i]);
		else
			tap_ok(X509_cmp_time(X509_get0_notAfter(x), &now) > 0 &&
				       X509_cmp_time(X509_get0_notBefore(x), &now) < 0,
			       "expired fixture: %s valid now", files[i]);
		X509_free(x);
	}
}

/* The budget-reader switches: the exchange is lost (0 bytes back), the
 * card itself unchanged. */
static void test_readers(void)
{
	struct sim_options drops = {.reader_drops_256 = true};
	struct sim_options shorts = {.reader_short_commands = true};
	uint8_t big[5 + 256] = {0x80, 0x2A, 0x00, 0x80, 0x00};
	uint8_t max[5 + 245 + 1] = {0x80, 0x2A, 0x00, 0x80, 245};
	struct sim_t t;

	sim_t_open(&t, NULL, &drops);
	SIM_SELECT_JPKI(&t);
	SIM_SELECT_EF(&t, 0x000A);
	tap_is_int(sim_card_transmit(t.card, (const uint8_t[]){0x00, 0xB0, 0x00, 0x00, 0x00}, 5,
				     t.r, sizeof(t.r)),
		   0, "drops-256: a READ of 256 bytes is lost");
	tap_is_int(SIM_TX(&t, 0x00, 0xB0, 0x00, 0x00, 0xF0), 0x9000,
		   "drops-256: a READ of 240 bytes comes back");
	tap_is_int(SIM_DLEN(&t), 240, "drops-256: 240 bytes");
	SIM_SELECT_EF(&t, 0x0018);
	sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN);
	SIM_SELECT_EF(&t, 0x0017);
	tap_is_int(sim_card_transmit(
			   t.card,
			   (const uint8_t[]){0x80, 0x2A, 0x00, 0x80, 0x03, 0x01, 0x02, 0x03, 0x00},
			   9, t.r, sizeof(t.r)),
		   0, "drops-256: a 256-byte signature is lost");
	sim_t_close(&t);

	sim_t_open(&t, NULL, &shorts);
	SIM_SELECT_JPKI(&t);
	tap_is_int(sim_card_transmit(t.card, big, sizeof(big), t.r, sizeof(t.r)), 0,
		   "short-commands: a 261-byte command is lost");
	SIM_SELECT_EF(&t, 0x0018);
	sim_t_verify(&t, SIM_DEFAULT_AUTH_PIN);
	SIM_SELECT_EF(&t, 0x0017);
	memset(max + 5, 0x01, 245);
	max[sizeof(max) - 1] = 0x00;
	tap_is_int(sim_t_tx(&t, max, sizeof(max)), 0x9000,
		   "short-commands: the longest JPKI command (251 bytes, a 245-byte input) passes");
	tap_is_int(SIM_DLEN(&t), 256, "short-commands: its 256-byte signature");
	sim_t_close(&t);
}

int main(void)
{
	test_card();
	test_no_sign();
	test_phones();
	test_expired_fixture();
	test_readers();
	return tap_done();
}
