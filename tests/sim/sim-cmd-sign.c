/* COMPUTE DIGITAL SIGNATURE: the schemes by P1 and the key by P2 (docs/card.md section 3.4). */
#include "sim-cmd.h"

#include <openssl/rsa.h>

/* Schemes by P1 (section 3.4, MYC): on-card hash, DigestInfo, PSS. */
static const struct sim_scheme {
	bool hash_on_card; /* SHA-256 of the input first */
	bool digest_info;  /* the card wraps a SHA-256 hash in DigestInfo */
	bool pss;
	size_t min_in, max_in;
} sim_schemes[] = {
	[0x00] = {false, false, false, 1, 245}, [0x01] = {true, false, false, 1, 255},
	[0x02] = {false, true, false, 32, 32},	[0x03] = {true, true, false, 1, 255},
	[0x04] = {false, false, true, 32, 32},	[0x05] = {true, false, true, 1, 255},
};

static int rsa_sign(EVP_PKEY *key, const struct sim_scheme *s, unsigned pss_salt, const uint8_t *in,
		    size_t inlen, uint8_t *out, size_t *outlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	uint8_t md[32];
	int rc = -1;

	if (ctx == NULL)
		goto out;
	if (s->hash_on_card) {
		if (EVP_Digest(in, inlen, md, NULL, EVP_sha256(), NULL) != 1)
			goto out;
		in = md;
		inlen = sizeof(md);
	}
	if (EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, s->pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) !=
		    1)
		goto out;
	if ((s->digest_info || s->pss) && EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1)
		goto out;
	if (s->pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, pss_salt ? (int)pss_salt
								     : RSA_PSS_SALTLEN_DIGEST) != 1)
		goto out;
	/* No digest set for P1=00/01: OpenSSL applies bare PKCS#1 v1.5 type-1 padding. */
	if (EVP_PKEY_sign(ctx, out, outlen, in, inlen) == 1)
		rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

uint16_t sim_cmd_sign(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
{
	int ef = c->ef;
	const struct sim_ef_def *key;
	const struct sim_scheme *s;
	size_t siglen = 256;

	if (a->p2 != 0x80) {
		/* The key named by its short identifier (80|SFI, MYC). */
		if (a->p2 < 0x81 || a->p2 > 0x9E || c->opt.no_sign_sfi)
			return 0x6A86;
		ef = c->ap < 0 ? -1 : sim_files_find((enum sim_ap)c->ap, a->p2 & 0x1F);
	}
	if (ef < 0 || sim_efs[ef].kind != SIM_EF_KEY)
		return 0x6A88;
	key = &sim_efs[ef];
	/* Which the card checks first, P1 or the PIN, is unknown (section 3.4). */
	if (c->opt.sign_pin_first && !c->verified[key->pin])
		return 0x6982;
	if (a->p1 >= sizeof(sim_schemes) / sizeof(sim_schemes[0]) ||
	    (sim_schemes[a->p1].pss && c->opt.no_pss))
		return 0x6A86;
	if (!c->verified[key->pin])
		return 0x6982;
	s = &sim_schemes[a->p1];
	if (a->lc < s->min_in || a->lc > s->max_in || !a->has_le || a->le < 256)
		return 0x6700;
	if (rsa_sign(key->sign_key ? c->st.sign_key : c->st.auth_key, s, c->opt.pss_salt, a->data,
		     a->lc, c->out, &siglen) != 0)
		return 0x6F00;
	sim_card_sleep_ms(c->opt.sign_latency_ms);
	if (key->sign_key && c->opt.sign_pin_per_signature)
		c->verified[key->pin] = false;
	*outlen = siglen;
	return 0x9000;
}
