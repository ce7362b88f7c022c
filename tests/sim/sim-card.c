/* The card's command interpreter: APDU in, APDU out (docs/card.md, Appendix A). */
#include "sim-files.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIM_BUF (65536 + 2)

/* The contact ATR in OpenSC's JPKI driver table (section 5): T=1, no historical bytes. */
static const uint8_t sim_atr[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};

struct sim_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc, le; /* le: bytes wanted (256 / 65536 for a zero Le) */
	bool has_le, extended;
	bool le_zero; /* a short Le byte of 00 */
};

struct sim_card {
	struct sim_state st;
	struct sim_options opt;
	FILE *log;
	struct sim_stats stats;
	bool powered;
	bool pulled;		/* remove_after reached: the card has left the reader */
	unsigned long answered; /* APDUs answered since sim_card_open */
	int ap;			/* enum sim_ap, or -1 at MF level */
	int ef;			/* index in sim_efs, or -1: no current EF */
	bool verified[SIM_PIN_COUNT];
	uint8_t **ef_data;
	size_t *ef_len;
	uint8_t *pending; /* data waiting for GET RESPONSE (answer_61xx) */
	size_t pending_len, pending_off;
	uint8_t out[SIM_BUF];
};

typedef uint16_t (*sim_handler)(struct sim_card *c, const struct sim_apdu *a, size_t *outlen);

static void sim_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void clear_security(struct sim_card *c)
{
	memset(c->verified, 0, sizeof(c->verified));
}

static uint16_t sw_blocked(const struct sim_card *c)
{
	return c->opt.blocked_6983 ? 0x6983 : 0x6984;
}

/* ---- SELECT ---- */

static uint16_t cmd_select(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
{
	(void)outlen;
	if (a->p1 == 0x00) {
		/* MYC: 6A86 at MF level; with an AP selected 9000 without changing the DF.
		 * Selecting the MF by FID 3F00 is refused (6A82). */
		if (a->lc == 2)
			return 0x6A82;
		if (a->lc != 0)
			return 0x6700;
		return c->ap < 0 ? 0x6A86 : 0x9000;
	}
	if (a->p1 != 0x04 && a->p1 != 0x02)
		return 0x6A86;
	if (a->p2 != 0x0C) /* only "no response data" is known to work (section 3.1) */
		return 0x6A86;
	if (a->p1 == 0x04) {
		if (a->lc == 0 || a->lc > 16)
			return 0x6700;
		for (int i = 0; i < SIM_AP_COUNT; i++) {
			if (sim_aps[i].aid_len != a->lc || memcmp(sim_aps[i].aid, a->data, a->lc))
				continue;
			if (!sim_kind_has_ap(&c->opt, (enum sim_ap)i))
				break; /* a card without the application: unknown AID */
			/* Selecting the card manager restores the power-on state (MYC). */
			c->ap = i == SIM_AP_ISD ? -1 : i;
			c->ef = -1;
			if (!c->opt.reselect_keeps_state || i == SIM_AP_ISD)
				clear_security(c);
			return 0x9000;
		}
		return 0x6A82;
	}
	if (a->lc != 2)
		return 0x6700;
	if (c->ap < 0)
		return 0x6A82; /* no EF is selectable at MF level */
	int ef = sim_files_find((enum sim_ap)c->ap, (uint16_t)(a->data[0] << 8 | a->data[1]));
	if (ef < 0 || sim_kind_select_sw(&c->opt, (size_t)ef) != 0x9000)
		return ef < 0 ? 0x6A82 : sim_kind_select_sw(&c->opt, (size_t)ef);
	c->ef = ef;
	return 0x9000;
}

/* ---- READ BINARY ---- */

static bool may_read(const struct sim_card *c, uint32_t access)
{
	if (access == SIM_FREE)
		return true;
	for (int p = 0; p < SIM_PIN_COUNT; p++)
		if ((access & (1u << p)) && c->verified[p])
			return true;
	return false;
}

static uint16_t cmd_read_binary(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
{
	size_t offset, n;
	int ef = c->ef;
	uint32_t access;
	uint16_t kind_sw;

	if (a->lc != 0 || !a->has_le)
		return 0x6700;
	if (a->p1 & 0x80) {
		/* Short EF identifier in P1, offset in P2 (section 3.2); a card
		 * without it sees P1-P2 it does not accept. */
		if ((a->p1 & 0x60) || c->opt.no_sfi)
			return 0x6A86;
		if (c->ap < 0)
			return 0x6A82;
		ef = sim_files_find((enum sim_ap)c->ap, a->p1 & 0x1F);
		if (ef < 0 || sim_kind_select_sw(&c->opt, (size_t)ef) != 0x9000)
			return 0x6A82;
		c->ef = ef;
		offset = a->p2;
	} else {
		offset = (size_t)a->p1 << 8 | a->p2;
	}
	if (ef < 0)
		return 0x6986; /* no current EF */
	if (sim_efs[ef].kind != SIM_EF_DATA)
		return 0x6981; /* an internal EF (key or PIN) */
	if (!sim_kind_read(&c->opt, (size_t)ef, &access, &kind_sw))
		return kind_sw; /* the kind of token answers otherwise (sim-kinds.c) */
	if (access == SIM_NEVER || !may_read(c, access))
		return 0x6982;
	if (offset == 0 && sim_kind_empty_read(&c->opt, (size_t)ef))
		return 0x9000;
	if (offset >= c->ef_len[ef])
		return 0x6B00;
	n = c->ef_len[ef] - offset;
	if (c->opt.answer_6cxx && a->le_zero && n < 256)
		return (uint16_t)(0x6C00 | n); /* wrong Le: the client resends with Le = n */
	if (n > a->le)
		n = a->le;
	memcpy(c->out, c->ef_data[ef] + offset, n);
	*outlen = n;
	if (n < a->le && c->opt.read_end == 1)
		return 0x6282; /* end of file reached before Le bytes */
	return 0x9000;
}

/* ---- VERIFY and CHANGE REFERENCE DATA ---- */

/* pin_ef: the PIN EF named by P2 (80 = current EF, 80|SFI = by short identifier), or -1 with
 * *sw set. */
static int pin_ef(const struct sim_card *c, uint8_t p2, uint16_t *sw)
{
	int ef = c->ef;

	if (p2 < 0x80 || p2 > 0x9E) {
		*sw = 0x6A86;
		return -1;
	}
	if (p2 != 0x80)
		ef = c->ap < 0 ? -1 : sim_files_find((enum sim_ap)c->ap, p2 & 0x1F);
	if (ef < 0 || sim_efs[ef].kind != SIM_EF_PIN) {
		*sw = 0x6A88; /* referenced data not found */
		return -1;
	}
	return ef;
}

static uint16_t save_state(struct sim_card *c)
{
	return sim_state_save(&c->st) == 0 ? 0x9000 : 0x6581; /* memory failure */
}

static uint16_t cmd_verify(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
{
	uint16_t sw = 0x9000;
	int ef;
	enum sim_pin p;
	unsigned *tries;
	const char *pin;
	bool no_match;

	(void)outlen;
	if (a->p1 != 0x00)
		return 0x6A86;
	/* A card without the short form of P2 (section 3.3: single source). */
	if (a->p2 != 0x80 && (c->opt.no_sfi || c->opt.no_verify_sfi))
		return 0x6A86;
	ef = pin_ef(c, a->p2, &sw);
	if (ef < 0)
		return sw;
	if (a->has_le)
		return 0x6700;
	p = sim_efs[ef].pin;
	tries = &c->st.tries[p];
	sw = sim_kind_verify_sw(&c->opt, p, &no_match);
	if (sw != 0)
		return sw; /* a password the card does not have (sim-kinds.c) */
	sw = 0x9000;
	/* Empty VERIFY: the retry counter, never 9000, even right after a success (section 3.3). */
	if (a->lc == 0)
		return (uint16_t)(0x63C0 | (*tries > 15 ? 15 : *tries));
	if (*tries == 0)
		return sw_blocked(c);
	pin = c->st.pin[p];
	if (!no_match && a->lc == strlen(pin) && CRYPTO_memcmp(a->data, pin, a->lc) == 0) {
		c->verified[p] = true;
		if (*tries != sim_pin_defs[p].max_tries) {
			*tries = sim_pin_defs[p].max_tries;
			sw = save_state(c);
		}
		return sw;
	}
	c->verified[p] = false;
	(*tries)--;
	sw = save_state(c);
	return sw != 0x9000 ? sw : (uint16_t)(0x63C0 | (*tries > 15 ? 15 : *tries));
}

static bool pin_format_ok(enum sim_pin p, const uint8_t *v, size_t n)
{
	const char *set = p == SIM_PIN_SIGN ? "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "0123456789";

	if (n < sim_pin_defs[p].min_len || n > sim_pin_defs[p].max_len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] == 0 || strchr(set, v[i]) == NULL)
			return false;
	return true;
}

static uint16_t cmd_change(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
{
	uint16_t sw = 0x9000;
	int ef;
	enum sim_pin p;

	(void)outlen;
	if (a->p1 != 0x01) /* only "new value" is known (section 3.5) */
		return 0x6A86;
	ef = pin_ef(c, a->p2, &sw);
	if (ef < 0)
		return sw;
	if (a->lc == 0 || a->has_le)
		return 0x6700;
	p = sim_efs[ef].pin;
	if (p == SIM_PIN_TEXT_A || p == SIM_PIN_TEXT_B)
		return 0x6985; /* 照合番号 are card data, not user PINs */
	if (c->st.tries[p] == 0)
		return sw_blocked(c);
	if (!c->verified[p])
		return 0x6982;
	if (!pin_format_ok(p, a->data, a->lc))
		return 0x6A80;
	memcpy(c->st.pin[p], a->data, a->lc);
	c->st.pin[p][a->lc] = 0;
	return save_state(c);
}

/* ---- COMPUTE DIGITAL SIGNATURE (80 2A) ---- */

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
	if (s->pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(
			      ctx, pss_salt ? (int)pss_salt : RSA_PSS_SALTLEN_DIGEST) != 1)
		goto out;
	/* No digest set for P1=00/01: OpenSSL applies bare PKCS#1 v1.5 type-1 padding. */
	if (EVP_PKEY_sign(ctx, out, outlen, in, inlen) == 1)
		rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static uint16_t cmd_sign(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
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
	sim_sleep_ms(c->opt.sign_latency_ms);
	if (key->sign_key && c->opt.sign_pin_per_signature)
		c->verified[key->pin] = false;
	*outlen = siglen;
	return 0x9000;
}

/* ---- GET CHALLENGE, GET RESPONSE ---- */

static void pending_clear(struct sim_card *c)
{
	free(c->pending);
	c->pending = NULL;
	c->pending_len = c->pending_off = 0;
}

static uint16_t cmd_get_challenge(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
{
	if (a->p1 != 0 || a->p2 != 0)
		return 0x6A86;
	if (a->lc != 0 || !a->has_le)
		return 0x6700;
	if (a->extended)
		return 0x6985; /* MYC */
	if (RAND_bytes(c->out, (int)a->le) != 1)
		return 0x6F00;
	*outlen = a->le;
	return 0x9000;
}

static uint16_t cmd_get_response(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
{
	size_t n;

	if (a->p1 != 0 || a->p2 != 0)
		return 0x6A86;
	if (a->lc != 0 || !a->has_le)
		return 0x6700;
	if (c->pending == NULL)
		return 0x6985;
	n = c->pending_len - c->pending_off;
	if (n > a->le)
		n = a->le;
	memcpy(c->out, c->pending + c->pending_off, n);
	c->pending_off += n;
	*outlen = n;
	n = c->pending_len - c->pending_off;
	if (n == 0) {
		pending_clear(c);
		return 0x9000;
	}
	return (uint16_t)(0x6100 | (n > 255 ? 0 : n));
}

/* ---- dispatch ---- */

/* The command repertoire: CLA (without channel/SM/chaining bits), INS, the answer to a secure
 * messaging CLA (docs/card.md Appendix A), and the handler. */
static const struct sim_cmd {
	uint8_t cla, ins;
	uint16_t sm_sw;
	sim_handler fn;
} sim_cmds[] = {
	{0x00, 0xA4, 0x6882, cmd_select},	{0x00, 0xB0, 0x69FC, cmd_read_binary},
	{0x00, 0x20, 0x69FC, cmd_verify},	{0x00, 0x24, 0x6882, cmd_change},
	{0x80, 0x2A, 0x6882, cmd_sign},		{0x00, 0x84, 0x6882, cmd_get_challenge},
	{0x00, 0xC0, 0x6882, cmd_get_response},
};

/* apdu_parse: splits a C-APDU into its ISO 7816-4 case (short or extended). */
static uint16_t apdu_parse(const uint8_t *b, size_t n, struct sim_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (n < 4)
		return 0x6700;
	a->cla = b[0];
	a->ins = b[1];
	a->p1 = b[2];
	a->p2 = b[3];
	if (n == 4)
		return 0x9000;
	if (n == 5) {
		a->has_le = true;
		a->le = b[4] ? b[4] : 256;
		a->le_zero = b[4] == 0;
		return 0x9000;
	}
	if (b[4] != 0) {
		a->lc = b[4];
		a->data = b + 5;
		if (n == 5 + a->lc)
			return 0x9000;
		if (n != 6 + a->lc)
			return 0x6700;
		a->has_le = true;
		a->le = b[n - 1] ? b[n - 1] : 256;
		a->le_zero = b[n - 1] == 0;
		return 0x9000;
	}
	a->extended = true;
	if (n < 7)
		return 0x6700; /* 00 marks an extended length: two more bytes must follow */
	if (n == 7) {
		a->has_le = true;
		a->le = (size_t)(b[5] << 8 | b[6]);
		a->le = a->le ? a->le : 65536;
		return 0x9000;
	}
	a->lc = (size_t)(b[5] << 8 | b[6]);
	a->data = b + 7;
	if (a->lc == 0)
		return 0x6700;
	if (n == 7 + a->lc)
		return 0x9000;
	if (n != 9 + a->lc)
		return 0x6700;
	a->has_le = true;
	a->le = (size_t)(b[n - 2] << 8 | b[n - 1]);
	a->le = a->le ? a->le : 65536;
	return 0x9000;
}

static uint16_t dispatch(struct sim_card *c, const uint8_t *capdu, size_t clen, size_t *outlen)
{
	struct sim_apdu a;
	const struct sim_cmd *cmd = NULL;
	uint16_t sw;
	uint8_t base;

	if (clen < 4)
		return 0x6700;
	base = capdu[0] & 0xE0;
	if (capdu[0] == 0xFF || (base != 0x00 && base != 0x80))
		return 0x6E00;
	if ((capdu[1] & 0xF0) == 0x60 || (capdu[1] & 0xF0) == 0x90)
		return 0x6D00; /* invalid INS (they would be status bytes) */
	for (size_t i = 0; i < sizeof(sim_cmds) / sizeof(sim_cmds[0]); i++)
		if (sim_cmds[i].ins == capdu[1])
			cmd = &sim_cmds[i];
	if (cmd == NULL)
		return 0x6D00;
	if (cmd->cla != base)
		return 0x6E00;
	if (capdu[0] & 0x0C)
		return cmd->sm_sw; /* secure messaging is not supported here */
	if (capdu[0] & 0x03)
		return 0x6881; /* logical channel not supported */
	if (capdu[0] & 0x10)
		return 0x6884; /* command chaining not supported */
	sw = apdu_parse(capdu, clen, &a);
	if (sw != 0x9000)
		return sw;
	if (a.extended && !c->opt.accept_extended)
		return 0x6700;
	if (a.has_le && !a.extended && a.le > 256)
		return 0x6700;
	return cmd->fn(c, &a, outlen);
}

/* ---- the APDU log ---- */

static const char *log_class(const uint8_t *capdu, size_t clen, uint16_t sw)
{
	bool pin_cmd = clen >= 2 && (capdu[1] == 0x20 || capdu[1] == 0x24);

	if (sw == 0x9000 || (sw & 0xFF00) == 0x6100 || sw == 0x6282 || (sw & 0xFF00) == 0x6C00)
		return "ok";
	if (pin_cmd && clen == 4 && (sw & 0xFFF0) == 0x63C0)
		return "pin-query";
	if (pin_cmd && ((sw & 0xFFF0) == 0x63C0 || sw == 0x6983 || sw == 0x6984))
		return "pin-fail";
	if (sw == 0x6982)
		return "denied";
	if (sw == 0x6B00)
		return "eof";
	return "unexpected";
}

static void log_hex(FILE *fp, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%02X", p[i]);
}

static void log_apdu(struct sim_card *c, const uint8_t *capdu, size_t clen, const uint8_t *r,
		     size_t rlen)
{
	uint16_t sw = (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
	size_t dlen = rlen - 2;

	if (c->log == NULL)
		return;
	/* PINs never reach the log: VERIFY and CHANGE data are shown as "**". */
	if (clen > 5 && (capdu[1] == 0x20 || capdu[1] == 0x24)) {
		log_hex(c->log, capdu, 5);
		fputs("**", c->log);
	} else {
		log_hex(c->log, capdu, clen);
	}
	fputs(" -> ", c->log);
	if (dlen > 16) {
		log_hex(c->log, r, 16);
		fprintf(c->log, "..(%zu bytes) ", dlen);
	} else if (dlen > 0) {
		log_hex(c->log, r, dlen);
		fputc(' ', c->log);
	}
	fprintf(c->log, "%04X %s\n", sw, log_class(capdu, clen, sw));
	fflush(c->log);
}

static void log_event(struct sim_card *c, const char *what)
{
	if (c->log != NULL) {
		fprintf(c->log, "# %s\n", what);
		fflush(c->log);
	}
}

/* ---- public API ---- */

size_t sim_card_transmit(struct sim_card *card, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			 size_t rcap)
{
	size_t outlen = 0;
	uint16_t sw;

	if (rcap < 2)
		return 0;
	card->stats.apdus++;
	if (clen >= 2)
		card->stats.by_ins[capdu[1]]++;
	if (!card->powered) {
		sw = 0x6F00;
		goto answer;
	}
	sim_sleep_ms(card->opt.latency_ms);
	if (clen < 2 || capdu[1] != 0xC0)
		pending_clear(card);
	sw = dispatch(card, capdu, clen, &outlen);
	if (card->opt.answer_61xx && sw == 0x9000 && outlen > 0 && capdu[1] != 0xC0) {
		/* Data only through GET RESPONSE (docs/card.md Appendix C). */
		card->pending = malloc(outlen);
		if (card->pending == NULL) {
			sw = 0x6F00;
		} else {
			memcpy(card->pending, card->out, outlen);
			card->pending_len = outlen;
			sw = (uint16_t)(0x6100 | (outlen > 255 ? 0 : outlen));
		}
		outlen = 0;
	}
	if (sim_reader_loses(&card->opt, clen, outlen)) {
		log_event(card, "the reader lost the exchange");
		card->answered++;
		return 0;
	}
answer:
	if (outlen + 2 > rcap) {
		outlen = 0;
		sw = 0x6F00;
	}
	memcpy(rapdu, card->out, outlen);
	rapdu[outlen] = (uint8_t)(sw >> 8);
	rapdu[outlen + 1] = (uint8_t)sw;
	log_apdu(card, capdu, clen, rapdu, outlen + 2);
	card->answered++;
	if (card->opt.remove_after != 0 && card->answered == card->opt.remove_after &&
	    !card->pulled) {
		/* The answer went out; then the card leaves the reader. */
		card->pulled = true;
		card->powered = false;
		clear_security(card);
		log_event(card, "card pulled");
	}
	return outlen + 2;
}

bool sim_card_pulled(const struct sim_card *card)
{
	return card->pulled;
}

void sim_card_power(struct sim_card *card, enum sim_power what)
{
	static const char *const names[] = {"power off", "power on", "reset"};

	card->powered = what != SIM_POWER_OFF;
	if (what == SIM_POWER_ON)
		card->pulled = false; /* back in a reader */
	card->ap = -1;
	card->ef = -1;
	clear_security(card);
	pending_clear(card);
	log_event(card, names[what]);
}

size_t sim_card_atr(const struct sim_card *card, uint8_t *atr, size_t cap)
{
	(void)card;
	if (cap < sizeof(sim_atr))
		return 0;
	memcpy(atr, sim_atr, sizeof(sim_atr));
	return sizeof(sim_atr);
}

const struct sim_stats *sim_card_stats(const struct sim_card *card)
{
	return &card->stats;
}

void sim_card_stats_reset(struct sim_card *card)
{
	memset(&card->stats, 0, sizeof(card->stats));
}

struct sim_card *sim_card_open(const char *state_dir, const struct sim_options *opts)
{
	struct sim_card *c = calloc(1, sizeof(*c));
	bool ok = false;

	if (c == NULL)
		return NULL;
	if (opts != NULL)
		c->opt = *opts;
	c->opt.log_path = NULL;
	c->ap = c->ef = -1;
	if (!sim_state_exists(state_dir)) {
		struct sim_identity id;
		sim_identity_defaults(&id);
		if (sim_state_create(state_dir, &id) != 0)
			goto out;
	}
	if (sim_state_load(&c->st, state_dir) != 0)
		goto out;
	c->ef_data = calloc(sim_ef_count, sizeof(*c->ef_data));
	c->ef_len = calloc(sim_ef_count, sizeof(*c->ef_len));
	if (c->ef_data == NULL || c->ef_len == NULL)
		goto out;
	for (size_t i = 0; i < sim_ef_count; i++)
		if (sim_efs[i].kind == SIM_EF_DATA &&
		    sim_files_build(i, &c->st, &c->opt, &c->ef_data[i], &c->ef_len[i]) != 0)
			goto out;
	if (opts != NULL && opts->log_path != NULL) {
		c->log = fopen(opts->log_path, "ae");
		if (c->log == NULL) {
			fprintf(stderr, "jpki-card-sim: cannot open the log %s: %s\n",
				opts->log_path, strerror(errno));
			goto out;
		}
	}
	ok = true;
out:
	if (!ok) {
		fprintf(stderr, "jpki-card-sim: cannot open the card in %s\n", state_dir);
		sim_card_close(c);
		c = NULL;
	}
	return c;
}

int sim_card_reload(struct sim_card *card)
{
	return sim_state_reload_pins(&card->st);
}

void sim_card_close(struct sim_card *card)
{
	if (card == NULL)
		return;
	if (card->log != NULL)
		fclose(card->log);
	if (card->ef_data != NULL)
		for (size_t i = 0; i < sim_ef_count; i++)
			free(card->ef_data[i]);
	free(card->ef_data);
	free(card->ef_len);
	pending_clear(card);
	sim_state_free(&card->st);
	OPENSSL_cleanse(card, sizeof(*card));
	free(card);
}
