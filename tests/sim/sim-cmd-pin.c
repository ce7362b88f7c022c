/* VERIFY and CHANGE REFERENCE DATA: the PINs, their retry counters and the verified state
 * (docs/card.md sections 3.3 and 3.5). */
#include "sim-cmd.h"

#include <openssl/crypto.h>
#include <string.h>

static uint16_t sw_blocked(const struct sim_card *c)
{
	return c->opt.blocked_6983 ? 0x6983 : 0x6984;
}

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

uint16_t sim_cmd_verify(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
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

uint16_t sim_cmd_change(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
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
