/* The scripted fake transport: see fake-transport.h. */
#include "fake-transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fake_bail(const char *why)
{
	printf("Bail out! %s\n", why);
	fflush(stdout);
	exit(2);
}

struct fake_step {
	uint8_t *capdu;
	size_t clen;
	uint8_t *rapdu;
	size_t rlen;
	enum card_error err;
};

struct fake_transport {
	struct transport base;
	struct transport_card card;
	struct fake_step *steps;
	size_t nsteps, next;
	unsigned sent, mismatches, extra;
	char first_problem[160];
	enum card_error begin_err;
	int txn_depth;
	bool present;
	uint32_t events;
};

uint8_t *hex_decode(const char *hex, size_t *len)
{
	size_t n = 0, cap = strlen(hex) / 2 + 1;
	uint8_t *out = malloc(cap);
	int hi = -1;

	if (out == NULL)
		fake_bail("out of memory");
	for (; *hex != '\0'; hex++) {
		int v;
		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else
			fake_bail("bad hex in test script");
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		fake_bail("odd hex in test script");
	*len = n;
	return out;
}

static struct fake_step *fake_push(struct fake_transport *f, const char *capdu_hex)
{
	struct fake_step *s;

	f->steps = realloc(f->steps, (f->nsteps + 1) * sizeof(*f->steps));
	if (f->steps == NULL)
		fake_bail("out of memory");
	s = &f->steps[f->nsteps++];
	memset(s, 0, sizeof(*s));
	s->capdu = hex_decode(capdu_hex, &s->clen);
	return s;
}

void fake_expect(struct fake_transport *f, const char *capdu_hex, const char *rapdu_hex)
{
	struct fake_step *s = fake_push(f, capdu_hex);
	s->rapdu = hex_decode(rapdu_hex, &s->rlen);
}

void fake_expect_data(struct fake_transport *f, const char *capdu_hex, const uint8_t *data,
		      size_t len, uint16_t sw)
{
	struct fake_step *s = fake_push(f, capdu_hex);
	s->rapdu = malloc(len + 2);
	if (s->rapdu == NULL)
		fake_bail("out of memory");
	if (len > 0)
		memcpy(s->rapdu, data, len);
	s->rapdu[len] = (uint8_t)(sw >> 8);
	s->rapdu[len + 1] = (uint8_t)sw;
	s->rlen = len + 2;
}

void fake_expect_error(struct fake_transport *f, const char *capdu_hex, enum card_error err)
{
	fake_push(f, capdu_hex)->err = err;
}

void fake_begin_error(struct fake_transport *f, enum card_error err)
{
	f->begin_err = err;
}

void fake_set_card(struct fake_transport *f, bool present, uint32_t events)
{
	f->present = present;
	f->events = events;
}

static void fake_clear(struct fake_transport *f)
{
	size_t i;

	for (i = 0; i < f->nsteps; i++) {
		free(f->steps[i].capdu);
		free(f->steps[i].rapdu);
	}
	free(f->steps);
	f->steps = NULL;
	f->nsteps = f->next = 0;
	f->sent = f->mismatches = f->extra = 0;
	f->first_problem[0] = '\0';
}

bool fake_check(struct fake_transport *f)
{
	bool ok = f->mismatches == 0 && f->extra == 0 && f->next == f->nsteps;

	if (!ok)
		printf("# %u APDUs sent, %zu scripted; %s\n", f->sent, f->nsteps,
		       f->first_problem[0] != '\0' ? f->first_problem : "script not finished");
	fake_clear(f);
	return ok;
}

unsigned fake_sent(const struct fake_transport *f)
{
	return f->sent;
}

bool fake_in_transaction(const struct fake_transport *f)
{
	return f->txn_depth > 0;
}

static void fake_note(struct fake_transport *f, const char *what, const uint8_t *capdu, size_t clen)
{
	size_t pos, i;

	if (f->first_problem[0] != '\0')
		return;
	pos = (size_t)snprintf(f->first_problem, sizeof(f->first_problem), "APDU %u %s:", f->sent,
			       what);
	for (i = 0; i < clen && pos + 4 < sizeof(f->first_problem); i++)
		pos += (size_t)snprintf(f->first_problem + pos, sizeof(f->first_problem) - pos,
					" %02X", capdu[i]);
}

static enum card_error fake_transmit(struct transport_card *card, const uint8_t *capdu, size_t clen,
				     uint8_t *rapdu, size_t *rlen)
{
	struct fake_transport *f = (struct fake_transport *)card->transport;
	struct fake_step *s;

	f->sent++;
	if (f->next >= f->nsteps) {
		f->extra++;
		fake_note(f, "not in the script", capdu, clen);
		*rlen = 0;
		return CARD_E_TRANSPORT;
	}
	s = &f->steps[f->next++];
	if (s->clen != clen || memcmp(s->capdu, capdu, clen) != 0) {
		f->mismatches++;
		fake_note(f, "differs from the script", capdu, clen);
	}
	if (s->err != CARD_OK) {
		*rlen = 0;
		return s->err;
	}
	/* As SCardTransmit does: an answer longer than the buffer is an error. */
	if (s->rlen > *rlen) {
		*rlen = 0;
		return CARD_E_BAD_RESPONSE;
	}
	/* Poison the whole buffer first so that an overread shows up in tests. */
	memset(rapdu, 0xA5, *rlen);
	memcpy(rapdu, s->rapdu, s->rlen);
	*rlen = s->rlen;
	return CARD_OK;
}

static void fake_transport_free(struct transport *t)
{
	(void)t;
}

static enum card_error fake_list_readers(struct transport *t, char ***readers)
{
	(void)t;
	*readers = calloc(2, sizeof(char *));
	if (*readers == NULL)
		return CARD_E_NO_MEMORY;
	(*readers)[0] = strdup("Fake Reader 00");
	if ((*readers)[0] == NULL) {
		free(*readers);
		*readers = NULL;
		return CARD_E_NO_MEMORY;
	}
	return CARD_OK;
}

static enum card_error fake_status(struct transport *t, const char *reader,
				   struct transport_status *st)
{
	struct fake_transport *f = (struct fake_transport *)t;

	(void)reader;
	memset(st, 0, sizeof(*st));
	st->present = f->present;
	st->events = f->events;
	if (f->present) {
		static const uint8_t atr[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
		memcpy(st->atr, atr, sizeof(atr));
		st->atr_len = sizeof(atr);
	}
	return CARD_OK;
}

static enum card_error fake_wait(struct transport *t, unsigned timeout_ms)
{
	(void)t;
	(void)timeout_ms;
	return CARD_E_TIMEOUT;
}

static void fake_cancel(struct transport *t)
{
	(void)t;
}

static enum card_error fake_connect(struct transport *t, const char *reader,
				    struct transport_card **card)
{
	struct fake_transport *f = (struct fake_transport *)t;

	(void)reader;
	if (!f->present)
		return CARD_E_CARD_ABSENT;
	*card = &f->card;
	return CARD_OK;
}

static void fake_disconnect(struct transport_card *card)
{
	(void)card;
}

static enum card_error fake_begin(struct transport_card *card)
{
	struct fake_transport *f = (struct fake_transport *)card->transport;
	enum card_error err = f->begin_err;

	f->begin_err = CARD_OK;
	if (err == CARD_OK)
		f->txn_depth++;
	return err;
}

static void fake_end(struct transport_card *card)
{
	struct fake_transport *f = (struct fake_transport *)card->transport;

	if (f->txn_depth <= 0)
		fake_bail("end() without begin()");
	f->txn_depth--;
}

static const struct transport_ops fake_ops = {
	.free = fake_transport_free,
	.list_readers = fake_list_readers,
	.status = fake_status,
	.wait = fake_wait,
	.cancel = fake_cancel,
	.connect = fake_connect,
	.disconnect = fake_disconnect,
	.begin = fake_begin,
	.end = fake_end,
	.transmit = fake_transmit,
};

struct fake_transport *fake_new(void)
{
	struct fake_transport *f = calloc(1, sizeof(*f));

	if (f == NULL)
		fake_bail("out of memory");
	f->base.ops = &fake_ops;
	f->card.transport = &f->base;
	f->present = true;
	f->events = 1;
	return f;
}

void fake_free(struct fake_transport *f)
{
	if (f == NULL)
		return;
	fake_clear(f);
	free(f);
}

struct transport *fake_transport(struct fake_transport *f)
{
	return &f->base;
}

struct transport_card *fake_card(struct fake_transport *f)
{
	return &f->card;
}
