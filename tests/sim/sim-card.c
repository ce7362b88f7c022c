/* The card itself: power, the command repertoire and its dispatch, GET CHALLENGE and GET
 * RESPONSE, the public API of sim.h (docs/card.md, Appendix A).  The commands are answered in
 * sim-cmd-*.c (see sim-cmd.h). */
#include "sim-cmd.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The contact ATR in OpenSC's JPKI driver table (section 5): T=1, no historical bytes. */
static const uint8_t sim_atr[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};

void sim_card_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void sim_card_clear_security(struct sim_card *c)
{
	memset(c->verified, 0, sizeof(c->verified));
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
	{0x00, 0xA4, 0x6882, sim_cmd_select},	{0x00, 0xB0, 0x69FC, sim_cmd_read_binary},
	{0x00, 0x20, 0x69FC, sim_cmd_verify},	{0x00, 0x24, 0x6882, sim_cmd_change},
	{0x80, 0x2A, 0x6882, sim_cmd_sign},	{0x00, 0x84, 0x6882, cmd_get_challenge},
	{0x00, 0xC0, 0x6882, cmd_get_response},
};

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
	sw = sim_apdu_parse(capdu, clen, &a);
	if (sw != 0x9000)
		return sw;
	if (a.extended && !c->opt.accept_extended)
		return 0x6700;
	if (a.has_le && !a.extended && a.le > 256)
		return 0x6700;
	return cmd->fn(c, &a, outlen);
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
	sim_card_sleep_ms(card->opt.latency_ms);
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
		sim_log_event(card->log, "the reader lost the exchange");
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
	sim_log_apdu(card->log, capdu, clen, rapdu, outlen + 2);
	card->answered++;
	if (card->opt.remove_after != 0 && card->answered == card->opt.remove_after &&
	    !card->pulled) {
		/* The answer went out; then the card leaves the reader. */
		card->pulled = true;
		card->powered = false;
		sim_card_clear_security(card);
		sim_log_event(card->log, "card pulled");
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
	sim_card_clear_security(card);
	pending_clear(card);
	sim_log_event(card->log, names[what]);
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
