/* The emulator transport: see transport-sim.h. */
#include "transport-sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sim_reader {
	struct sim_card *card;
	char name[32];
	bool present;
	uint32_t events; /* moves on insertion and removal */
	unsigned resets; /* moves on each reset */
	bool locked;	 /* a transaction is held */
};

struct sim_transport {
	struct transport base;
	struct sim_reader *readers;
	size_t count;
	char trace[TRANSPORT_SIM_TRACE_MAX]; /* see transport_sim_trace */
	size_t trace_len;
};

struct sim_conn {
	struct transport_card base;
	size_t reader;
	uint32_t events;
	unsigned resets;
	bool in_transaction;
};

static struct sim_transport *sim_of(struct transport *t)
{
	return (struct sim_transport *)t;
}

static enum card_error sim_list_readers(struct transport *t, char ***readers)
{
	struct sim_transport *s = sim_of(t);
	size_t i;

	*readers = calloc(s->count + 1, sizeof(char *));
	if (*readers == NULL)
		return CARD_E_NO_MEMORY;
	for (i = 0; i < s->count; i++) {
		(*readers)[i] = strdup(s->readers[i].name);
		if ((*readers)[i] == NULL) {
			transport_readers_free(*readers);
			*readers = NULL;
			return CARD_E_NO_MEMORY;
		}
	}
	return CARD_OK;
}

static struct sim_reader *sim_find(struct sim_transport *s, const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		if (strcmp(s->readers[i].name, name) == 0) {
			if (index != NULL)
				*index = i;
			return &s->readers[i];
		}
	}
	return NULL;
}

static enum card_error sim_status(struct transport *t, const char *reader,
				  struct transport_status *st)
{
	struct sim_reader *r = sim_find(sim_of(t), reader, NULL);

	memset(st, 0, sizeof(*st));
	if (r == NULL)
		return CARD_E_NO_READER;
	st->present = r->present;
	st->events = r->events;
	if (r->present)
		st->atr_len = sim_card_atr(r->card, st->atr, sizeof(st->atr));
	return CARD_OK;
}

static enum card_error sim_wait(struct transport *t, unsigned timeout_ms)
{
	(void)t;
	(void)timeout_ms;
	return CARD_E_TIMEOUT; /* changes happen only when the test makes them */
}

static void sim_cancel(struct transport *t)
{
	(void)t;
}

static enum card_error sim_connect(struct transport *t, const char *reader,
				   struct transport_card **card)
{
	struct sim_transport *s = sim_of(t);
	struct sim_reader *r;
	struct sim_conn *c;
	size_t index;

	*card = NULL;
	r = sim_find(s, reader, &index);
	if (r == NULL)
		return CARD_E_NO_READER;
	if (!r->present)
		return CARD_E_CARD_ABSENT;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return CARD_E_NO_MEMORY;
	c->base.transport = t;
	c->reader = index;
	c->events = r->events;
	c->resets = r->resets;
	*card = &c->base;
	return CARD_OK;
}

/* sim_check: what PC/SC would report on this connection now. */
static enum card_error sim_check(struct sim_conn *c)
{
	struct sim_reader *r = &sim_of(c->base.transport)->readers[c->reader];

	if (!r->present || r->events != c->events)
		return CARD_E_CARD_REMOVED;
	if (r->resets != c->resets) {
		c->resets = r->resets; /* reported once, as SCardReconnect does */
		if (c->in_transaction) {
			c->in_transaction = false;
			r->locked = false;
		}
		return CARD_E_CARD_RESET;
	}
	return CARD_OK;
}

static void sim_end(struct transport_card *card)
{
	struct sim_conn *c = (struct sim_conn *)card;

	if (!c->in_transaction)
		return;
	sim_of(card->transport)->readers[c->reader].locked = false;
	c->in_transaction = false;
}

static void sim_disconnect(struct transport_card *card)
{
	sim_end(card);
	free(card);
}

static enum card_error sim_begin(struct transport_card *card)
{
	struct sim_conn *c = (struct sim_conn *)card;
	enum card_error err = sim_check(c);

	if (err != CARD_OK || c->in_transaction)
		return err;
	if (sim_of(card->transport)->readers[c->reader].locked)
		return CARD_E_SHARING; /* single-threaded tests never wait */
	sim_of(card->transport)->readers[c->reader].locked = true;
	c->in_transaction = true;
	return CARD_OK;
}

/* sim_trace_add: one command's first 5 bytes, and its fate when it had no answer. */
static void sim_trace_add(struct sim_transport *s, const uint8_t *capdu, size_t clen,
			  enum card_error err)
{
	char entry[16];
	size_t i, n = 0;

	for (i = 0; i < clen && i < 5; i++)
		n += (size_t)snprintf(entry + n, sizeof(entry) - n, "%02X", capdu[i]);
	if (err == CARD_E_TRANSPORT)
		entry[n++] = '!';
	else if (err == CARD_E_CARD_REMOVED || err == CARD_E_CARD_RESET)
		entry[n++] = 'x';
	entry[n] = '\0';
	if (s->trace_len + n + 2 > sizeof(s->trace)) {
		s->trace_len = 0; /* a test asks for short traces: make an overflow visible */
		snprintf(s->trace, sizeof(s->trace), "(overflow) ");
		s->trace_len = strlen(s->trace);
		return;
	}
	s->trace_len += (size_t)snprintf(s->trace + s->trace_len, sizeof(s->trace) - s->trace_len,
					 "%s%s", s->trace_len > 0 ? " " : "", entry);
}

/* A reader switch of the emulator (reader_drops_256, reader_short_commands)
 * loses the exchange: the card stays in the reader and the transport
 * reports CARD_E_TRANSPORT, as transport-pcsc.c does when the card is still
 * present after a failed transmit.  A card the emulator pulls (remove_after)
 * leaves the reader once its answer went out, as through vpcd. */
static enum card_error sim_transmit(struct transport_card *card, const uint8_t *capdu, size_t clen,
				    uint8_t *rapdu, size_t *rlen)
{
	struct sim_conn *c = (struct sim_conn *)card;
	struct sim_reader *r = &sim_of(card->transport)->readers[c->reader];
	uint8_t buf[65536 + 2];
	enum card_error err = sim_check(c);
	size_t n;

	if (err != CARD_OK) {
		sim_trace_add(sim_of(card->transport), capdu, clen, err);
		*rlen = 0;
		return err;
	}
	n = sim_card_transmit(r->card, capdu, clen, buf, sizeof(buf));
	sim_trace_add(sim_of(card->transport), capdu, clen, n < 2 ? CARD_E_TRANSPORT : CARD_OK);
	if (sim_card_pulled(r->card) && r->present) {
		r->present = false;
		r->locked = false;
		r->events++;
	}
	if (n < 2 || n > *rlen) {
		*rlen = 0;
		return n < 2 ? CARD_E_TRANSPORT : CARD_E_BAD_RESPONSE;
	}
	memcpy(rapdu, buf, n);
	*rlen = n;
	return CARD_OK;
}

static void sim_free(struct transport *t)
{
	struct sim_transport *s = sim_of(t);

	if (s == NULL)
		return;
	free(s->readers);
	free(s);
}

static const struct transport_ops sim_ops = {
	.free = sim_free,
	.list_readers = sim_list_readers,
	.status = sim_status,
	.wait = sim_wait,
	.cancel = sim_cancel,
	.connect = sim_connect,
	.disconnect = sim_disconnect,
	.begin = sim_begin,
	.end = sim_end,
	.transmit = sim_transmit,
};

struct transport *transport_sim_new(struct sim_card **cards, size_t count)
{
	struct sim_transport *s = calloc(1, sizeof(*s));
	size_t i;

	if (s == NULL)
		return NULL;
	s->readers = calloc(count ? count : 1, sizeof(*s->readers));
	if (s->readers == NULL) {
		free(s);
		return NULL;
	}
	s->base.ops = &sim_ops;
	s->count = count;
	for (i = 0; i < count; i++) {
		s->readers[i].card = cards[i];
		snprintf(s->readers[i].name, sizeof(s->readers[i].name), "JPKI Sim %02zu", i);
		transport_sim_insert(&s->base, i);
	}
	return &s->base;
}

void transport_sim_remove(struct transport *t, size_t reader)
{
	struct sim_reader *r = &sim_of(t)->readers[reader];

	if (!r->present)
		return;
	sim_card_power(r->card, SIM_POWER_OFF);
	r->present = false;
	r->locked = false;
	r->events++;
}

void transport_sim_insert(struct transport *t, size_t reader)
{
	struct sim_reader *r = &sim_of(t)->readers[reader];

	if (r->present)
		return;
	sim_card_power(r->card, SIM_POWER_ON);
	r->present = true;
	r->events++;
}

void transport_sim_reset(struct transport *t, size_t reader)
{
	struct sim_reader *r = &sim_of(t)->readers[reader];

	sim_card_power(r->card, SIM_RESET);
	r->resets++;
}

const char *transport_sim_trace(struct transport *t)
{
	return sim_of(t)->trace;
}

void transport_sim_trace_clear(struct transport *t)
{
	sim_of(t)->trace_len = 0;
	sim_of(t)->trace[0] = '\0';
}
