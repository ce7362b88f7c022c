/* Helpers for the emulator's C tests: send an APDU given as bytes, look at SW and data. */
#ifndef JPKI_TESTS_SIM_TEST_H
#define JPKI_TESTS_SIM_TEST_H

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sim-internal.h"
#include "sim.h"
#include "tap.h"

struct sim_t {
	struct sim_card *card;
	char *dir;
	uint8_t r[65538];
	size_t rlen;
};

/* sim_t_open: a fresh clone of the fixture (fixture_dir NULL = $JPKI_SIM_FIXTURE), powered on. */
static inline void sim_t_open(struct sim_t *t, const char *fixture_dir,
			      const struct sim_options *opt)
{
	t->dir = sim_fixture_clone(fixture_dir);
	if (t->dir == NULL)
		tap_bail("cannot clone the fixture (JPKI_SIM_FIXTURE=%s)",
			 getenv("JPKI_SIM_FIXTURE") ? getenv("JPKI_SIM_FIXTURE") : "(unset)");
	t->card = sim_card_open(t->dir, opt);
	if (t->card == NULL)
		tap_bail("cannot open the card");
	sim_card_power(t->card, SIM_POWER_ON);
}

static inline void sim_t_close(struct sim_t *t)
{
	sim_card_close(t->card);
	sim_fixture_remove(t->dir);
}

/* sim_t_tx: sends n bytes, returns SW. */
static inline unsigned sim_t_tx(struct sim_t *t, const uint8_t *c, size_t n)
{
	t->rlen = sim_card_transmit(t->card, c, n, t->r, sizeof(t->r));
	if (t->rlen < 2)
		return 0;
	return (unsigned)(t->r[t->rlen - 2] << 8 | t->r[t->rlen - 1]);
}

#define SIM_TX(t, ...) \
	sim_t_tx((t), (const uint8_t[]){__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}))

/* Length of the response data. */
#define SIM_DLEN(t) ((t)->rlen - 2)

static inline unsigned sim_t_select_ap(struct sim_t *t, const uint8_t *aid, size_t n)
{
	uint8_t c[32] = {0x00, 0xA4, 0x04, 0x0C, (uint8_t)n};

	memcpy(c + 5, aid, n);
	return sim_t_tx(t, c, 5 + n);
}

#define SIM_SELECT_JPKI(t)    sim_t_select_ap((t), (const uint8_t[]){SIM_AID_JPKI}, 10)
#define SIM_SELECT_TEXT(t)    sim_t_select_ap((t), (const uint8_t[]){SIM_AID_TEXT}, 10)
#define SIM_SELECT_EF(t, fid) SIM_TX((t), 0x00, 0xA4, 0x02, 0x0C, 0x02, (fid) >> 8, (fid)&0xFF)

/* sim_t_verify: VERIFY the current PIN EF with a string. */
static inline unsigned sim_t_verify(struct sim_t *t, const char *pin)
{
	uint8_t c[64] = {0x00, 0x20, 0x00, 0x80, (uint8_t)strlen(pin)};

	memcpy(c + 5, pin, strlen(pin));
	return sim_t_tx(t, c, 5 + strlen(pin));
}

/* sim_t_sign: COMPUTE DIGITAL SIGNATURE 80 2A p1 p2 over n bytes of data (Le 00); returns SW. */
static inline unsigned sim_t_sign(struct sim_t *t, uint8_t p1, uint8_t p2, const uint8_t *data,
				  size_t n)
{
	uint8_t c[5 + 255 + 1] = {0x80, 0x2A, p1, p2, (uint8_t)n};

	if (n > 255)
		tap_bail("sim_t_sign: %zu bytes do not fit a short APDU", n);
	memcpy(c + 5, data, n);
	c[5 + n] = 0x00;
	return sim_t_tx(t, c, 6 + n);
}

/* sim_t_sign_any: the current key EF signs a short SHA-256 DigestInfo (over a 1-byte "hash"):
 * for the tests that look only at whether the card signs; returns SW. */
static inline unsigned sim_t_sign_any(struct sim_t *t)
{
	static const uint8_t di[20] = {0x30, 0x12, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x01, 0xAB};

	return sim_t_sign(t, 0x00, 0x80, di, sizeof(di));
}

/* sim_t_signature_ok: whether sig verifies over tbs with the key of the certificate file `file` of
 * the card in dir: padding pad (RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING), digest md (NULL: tbs
 * is what is padded, no DigestInfo added) and, for PSS, MGF1 with md and this salt length. */
static inline bool sim_t_signature_ok(const char *dir, const char *file, int pad, const EVP_MD *md,
				      int salt, const uint8_t *tbs, size_t tbslen,
				      const uint8_t *sig, size_t siglen)
{
	uint8_t *der = NULL;
	const uint8_t *p;
	size_t len = 0;
	X509 *x = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	bool ok = false;

	if (sim_read_file(dir, file, &der, &len) != 0)
		return false;
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL)
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, X509_get0_pubkey(x), NULL);
	ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, pad) == 1 &&
	     (md == NULL || EVP_PKEY_CTX_set_signature_md(ctx, md) == 1) &&
	     (pad != RSA_PKCS1_PSS_PADDING || (EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
					       EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt) == 1)) &&
	     EVP_PKEY_verify(ctx, sig, siglen, tbs, tbslen) == 1;
	EVP_PKEY_CTX_free(ctx);
	X509_free(x);
	free(der);
	return ok;
}

/* sim_t_read_ef: reads a whole EF of the current AP in 256-byte chunks into buf (until 6B00 or a
 * short answer); returns its length or -1 on another status word. */
static inline long sim_t_read_ef(struct sim_t *t, uint16_t fid, uint8_t *buf, size_t cap)
{
	size_t off = 0;

	if (SIM_SELECT_EF(t, fid) != 0x9000)
		return -1;
	for (;;) {
		unsigned sw = SIM_TX(t, 0x00, 0xB0, (uint8_t)(off >> 8), (uint8_t)off, 0x00);
		if (sw == 0x6B00)
			return (long)off;
		if (sw != 0x9000 || off + SIM_DLEN(t) > cap)
			return -1;
		memcpy(buf + off, t->r, SIM_DLEN(t));
		off += SIM_DLEN(t);
		if (SIM_DLEN(t) < 256)
			return (long)off;
	}
}

#endif
