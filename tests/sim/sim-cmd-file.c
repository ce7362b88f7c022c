/* SELECT and READ BINARY: the card's files as its applications serve them (docs/card.md
 * sections 3.1 and 3.2). */
#include "sim-cmd.h"

#include <string.h>

/* ---- SELECT ---- */

uint16_t sim_cmd_select(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
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
				sim_card_clear_security(c);
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

uint16_t sim_cmd_read_binary(struct sim_card *c, const struct sim_apdu *a, size_t *outlen)
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
