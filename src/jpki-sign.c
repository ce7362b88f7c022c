/* The keys: their table, what each one is (jpki_key_info), and
 * COMPUTE DIGITAL SIGNATURE.
 */
#include "jpki-internal.h"

#include <string.h>

#define INS_COMPUTE_SIGNATURE 0x2A

/* A key and how the card signs with it: SELECT the key EF, then
 * cla ins p1 p2 Lc <input> Le (P1 00 = PKCS#1 v1.5 over the given DigestInfo). */
struct jpki_key_desc {
	enum jpki_ap ap;
	uint16_t fid;
	enum jpki_pin pin;
	enum jpki_key_type type;
	unsigned bits;
	size_t sig_len;
	size_t max_input; /* k - 11 for PKCS#1 v1.5 */
	uint8_t cla, ins, p1, p2;
	const char *name;
};

static const struct jpki_key_desc jpki_keys[JPKI_KEY_COUNT] = {
	[JPKI_KEY_AUTH] = {JPKI_AP_JPKI, 0x0017, JPKI_PIN_AUTH, JPKI_KEY_RSA, 2048, 256, 245, 0x80,
			   INS_COMPUTE_SIGNATURE, 0x00, 0x80, "auth key"},
	[JPKI_KEY_SIGN] = {JPKI_AP_JPKI, 0x001A, JPKI_PIN_SIGN, JPKI_KEY_RSA, 2048, 256, 245, 0x80,
			   INS_COMPUTE_SIGNATURE, 0x00, 0x80, "sign key"},
};

bool jpki_key_info(enum jpki_key key, enum jpki_key_type *type, unsigned *bits, size_t *sig_len,
		   size_t *max_input, enum jpki_pin *pin)
{
	const struct jpki_key_desc *d;

	if ((unsigned)key >= JPKI_KEY_COUNT)
		return false;
	d = &jpki_keys[key];
	if (type != NULL)
		*type = d->type;
	if (bits != NULL)
		*bits = d->bits;
	if (sig_len != NULL)
		*sig_len = d->sig_len;
	if (max_input != NULL)
		*max_input = d->max_input;
	if (pin != NULL)
		*pin = d->pin;
	return true;
}

enum card_error jpki_sign(struct jpki_card *c, enum jpki_key key, const uint8_t *digest_info,
			  size_t len, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
	const struct jpki_key_desc *d;
	uint8_t buf[JPKI_SIG_MAX];
	struct apdu a;
	enum card_error err;
	bool held = false;
	size_t n = 0;
	uint16_t sw;

	*sig_len = 0;
	if ((unsigned)key >= JPKI_KEY_COUNT)
		return CARD_E_ARGUMENTS;
	d = &jpki_keys[key];
	if (digest_info == NULL || len == 0 || len > d->max_input || sig == NULL ||
	    sig_cap < d->sig_len)
		return CARD_E_ARGUMENTS;
	a = (struct apdu){.cla = d->cla,
			  .ins = d->ins,
			  .p1 = d->p1,
			  .p2 = d->p2,
			  .data = digest_info,
			  .lc = len,
			  .le = d->sig_len};
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	held = true;
	err = jpki_select_ef(c, d->ap, d->fid);
	if (err != CARD_OK)
		goto out;
	err = jpki_command(c, &a, buf, sizeof(buf), &n, &sw);
	if (err != CARD_OK)
		goto out;
	if (sw != SW_OK) {
		log_printf(c->log, LOG_CALLS, "sign with %s: SW %04X", d->name, sw);
		err = jpki_sw_error(sw);
		if (err == CARD_E_NOT_LOGGED_IN)
			c->verified[d->pin] = false;
		goto out;
	}
	if (n != d->sig_len) {
		log_printf(c->log, LOG_WARN, "sign with %s: %zu bytes, want %zu", d->name, n,
			   d->sig_len);
		err = CARD_E_BAD_RESPONSE;
		goto out;
	}
	memcpy(sig, buf, n);
	*sig_len = n;
out:
	if (held)
		jpki_op_end(c);
	return err;
}
