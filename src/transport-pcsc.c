/* The transport over pcsc-lite: see transport.h and transport-pcsc.h.
 *
 * Two service contexts: one for everything the module does under its lock,
 * and one only for the blocking SCardGetStatusChange of wait(), because
 * pcsc-lite serialises the calls on one context and a wait would otherwise
 * block every other call for its whole timeout.  SCardCancel on the wait
 * context ends a wait from another thread.
 */
#include "transport-pcsc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winscard.h>

#include "card-error.h"

#ifndef SCARD_E_NO_READERS_AVAILABLE
#define SCARD_E_NO_READERS_AVAILABLE ((LONG)0x8010002E)
#endif

#define PCSC_PNP_READER	 "\\\\?PnP?\\Notification"
#define PCSC_MAX_READERS 64
/* How long a card pulled during a transmit may take to show in pcscd (its
 * reader thread polls the reader): PCSC_GONE_POLLS x PCSC_GONE_PAUSE_MS. */
#define PCSC_GONE_POLLS	   20
#define PCSC_GONE_PAUSE_MS 100

struct pcsc_known {
	char *name;
	DWORD state; /* last dwEventState seen, without SCARD_STATE_CHANGED */
};

struct pcsc_transport {
	struct transport base;
	const struct log *log;
	SCARDCONTEXT ctx;
	bool have_ctx;

	pthread_mutex_t lock; /* guards what wait() shares: wait_ctx, known, pnp_state */
	SCARDCONTEXT wait_ctx;
	bool have_wait_ctx, cancel_pending;
	struct pcsc_known *known;
	size_t nknown;
	DWORD pnp_state;
};

struct pcsc_card {
	struct transport_card base;
	SCARDHANDLE handle;
	DWORD protocol;
	bool in_transaction;
	char *reader;
};

/* PC/SC return codes and what they mean to the card layer. */
static const struct {
	LONG rv;
	enum card_error err;
} pcsc_errors[] = {
	{SCARD_S_SUCCESS, CARD_OK},
	{SCARD_E_NO_SERVICE, CARD_E_NO_SERVICE},
	{SCARD_E_SERVICE_STOPPED, CARD_E_NO_SERVICE},
	{SCARD_E_INVALID_HANDLE, CARD_E_NO_SERVICE},
	{SCARD_E_NO_READERS_AVAILABLE, CARD_E_NO_READER},
	{SCARD_E_UNKNOWN_READER, CARD_E_NO_READER},
	{SCARD_E_READER_UNAVAILABLE, CARD_E_NO_READER},
	{SCARD_E_NO_SMARTCARD, CARD_E_CARD_ABSENT},
	{SCARD_W_REMOVED_CARD, CARD_E_CARD_REMOVED},
	{SCARD_W_RESET_CARD, CARD_E_CARD_RESET},
	{SCARD_E_SHARING_VIOLATION, CARD_E_SHARING},
	{SCARD_E_TIMEOUT, CARD_E_TIMEOUT},
	{SCARD_E_CANCELLED, CARD_E_CANCELLED},
	{SCARD_E_NO_MEMORY, CARD_E_NO_MEMORY},
	{SCARD_E_INSUFFICIENT_BUFFER, CARD_E_BAD_RESPONSE},
};

static enum card_error pcsc_error(const struct pcsc_transport *p, const char *what, LONG rv)
{
	size_t i;

	for (i = 0; i < sizeof(pcsc_errors) / sizeof(pcsc_errors[0]); i++)
		if (pcsc_errors[i].rv == rv)
			break;
	if (rv != SCARD_S_SUCCESS)
		log_printf(p->log, LOG_CALLS, "%s: %s (0x%08lX)", what, pcsc_stringify_error(rv),
			   (unsigned long)rv);
	if (i == sizeof(pcsc_errors) / sizeof(pcsc_errors[0]))
		return CARD_E_TRANSPORT;
	return pcsc_errors[i].err;
}

/* pcsc_context: the main context, established again after pcscd went away. */
static enum card_error pcsc_context(struct pcsc_transport *p)
{
	LONG rv;

	if (p->have_ctx)
		return CARD_OK;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
	if (rv != SCARD_S_SUCCESS)
		return pcsc_error(p, "SCardEstablishContext", rv);
	p->have_ctx = true;
	return CARD_OK;
}

/* pcsc_check_service: after a failed call, drop a context the service no
 * longer knows so that the next call starts a new one. */
static enum card_error pcsc_check_service(struct pcsc_transport *p, const char *what, LONG rv)
{
	enum card_error err = pcsc_error(p, what, rv);

	if (err == CARD_E_NO_SERVICE && p->have_ctx) {
		SCardReleaseContext(p->ctx);
		p->have_ctx = false;
	}
	return err;
}

/* pcsc_remember: notes a reader's state for the next wait (lock held). */
static void pcsc_remember(struct pcsc_transport *p, const char *name, DWORD state)
{
	struct pcsc_known *k;
	size_t i;

	state &= ~(DWORD)SCARD_STATE_CHANGED;
	for (i = 0; i < p->nknown; i++) {
		if (strcmp(p->known[i].name, name) == 0) {
			p->known[i].state = state;
			return;
		}
	}
	k = realloc(p->known, (p->nknown + 1) * sizeof(*k));
	if (k == NULL)
		return; /* the reader is then reported as changed by the next wait */
	p->known = k;
	k[p->nknown].name = strdup(name);
	if (k[p->nknown].name == NULL)
		return;
	k[p->nknown++].state = state;
}

static DWORD pcsc_known_state(const struct pcsc_transport *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nknown; i++)
		if (strcmp(p->known[i].name, name) == 0)
			return p->known[i].state;
	return SCARD_STATE_UNAWARE;
}

/* pcsc_reader_names: the service's reader list as a multi-string (malloc'ed). */
static enum card_error pcsc_reader_names(struct pcsc_transport *p, SCARDCONTEXT ctx, char **names,
					 DWORD *len)
{
	LONG rv;

	*names = NULL;
	*len = 0;
	rv = SCardListReaders(ctx, NULL, NULL, len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return CARD_OK;
	if (rv != SCARD_S_SUCCESS)
		return pcsc_error(p, "SCardListReaders", rv);
	*names = calloc(1, *len + 1);
	if (*names == NULL)
		return CARD_E_NO_MEMORY;
	rv = SCardListReaders(ctx, NULL, *names, len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		**names = '\0';
		*len = 0;
		return CARD_OK;
	}
	if (rv != SCARD_S_SUCCESS) {
		free(*names);
		*names = NULL;
		return pcsc_error(p, "SCardListReaders", rv);
	}
	return CARD_OK;
}

static enum card_error pcsc_list_readers(struct transport *t, char ***readers)
{
	struct pcsc_transport *p = (struct pcsc_transport *)t;
	char *names = NULL, *name, **list = NULL;
	size_t count = 0, i = 0;
	DWORD len;
	enum card_error err;

	*readers = NULL;
	err = pcsc_context(p);
	if (err != CARD_OK)
		goto out;
	err = pcsc_reader_names(p, p->ctx, &names, &len);
	if (err == CARD_E_NO_SERVICE)
		pcsc_check_service(p, "SCardListReaders", SCARD_E_NO_SERVICE);
	if (err != CARD_OK)
		goto out;
	for (name = names; name != NULL && *name != '\0'; name += strlen(name) + 1)
		count++;
	list = calloc(count + 1, sizeof(*list));
	if (list == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	for (name = names; name != NULL && *name != '\0'; name += strlen(name) + 1) {
		list[i] = strdup(name);
		if (list[i++] == NULL) {
			err = CARD_E_NO_MEMORY;
			goto out;
		}
	}
	pthread_mutex_lock(&p->lock);
	/* The PnP pseudo-reader compares the reader count in the high word. */
	p->pnp_state = (DWORD)count << 16;
	pthread_mutex_unlock(&p->lock);
	*readers = list;
	list = NULL;
out:
	transport_readers_free(list);
	free(names);
	return err;
}

static enum card_error pcsc_status(struct transport *t, const char *reader,
				   struct transport_status *st)
{
	struct pcsc_transport *p = (struct pcsc_transport *)t;
	SCARD_READERSTATE rs;
	enum card_error err;
	LONG rv;

	memset(st, 0, sizeof(*st));
	err = pcsc_context(p);
	if (err != CARD_OK)
		return err;
	memset(&rs, 0, sizeof(rs));
	rs.szReader = reader;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	rv = SCardGetStatusChange(p->ctx, 0, &rs, 1);
	if (rv != SCARD_S_SUCCESS)
		return pcsc_check_service(p, "SCardGetStatusChange", rv);
	if (rs.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE))
		return CARD_E_NO_READER;
	st->present = (rs.dwEventState & SCARD_STATE_PRESENT) != 0;
	/* pcsc-lite counts insertions and removals in the high 16 bits. */
	st->events = (uint32_t)(rs.dwEventState >> 16);
	if (st->present && rs.cbAtr <= TRANSPORT_ATR_MAX) {
		memcpy(st->atr, rs.rgbAtr, rs.cbAtr);
		st->atr_len = rs.cbAtr;
	}
	pthread_mutex_lock(&p->lock);
	pcsc_remember(p, reader, rs.dwEventState);
	pthread_mutex_unlock(&p->lock);
	return CARD_OK;
}

static enum card_error pcsc_wait(struct transport *t, unsigned timeout_ms)
{
	struct pcsc_transport *p = (struct pcsc_transport *)t;
	SCARD_READERSTATE rs[PCSC_MAX_READERS + 1];
	char *names = NULL, *name;
	DWORD len, n = 0, i;
	enum card_error err;
	LONG rv;

	pthread_mutex_lock(&p->lock);
	if (p->cancel_pending) {
		p->cancel_pending = false;
		pthread_mutex_unlock(&p->lock);
		return CARD_E_CANCELLED;
	}
	if (!p->have_wait_ctx) {
		rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->wait_ctx);
		if (rv != SCARD_S_SUCCESS) {
			pthread_mutex_unlock(&p->lock);
			return pcsc_error(p, "SCardEstablishContext", rv);
		}
		p->have_wait_ctx = true;
	}
	pthread_mutex_unlock(&p->lock);

	err = pcsc_reader_names(p, p->wait_ctx, &names, &len);
	if (err != CARD_OK)
		goto out;
	memset(rs, 0, sizeof(rs));
	pthread_mutex_lock(&p->lock);
	for (name = names; name != NULL && *name != '\0' && n < PCSC_MAX_READERS;
	     name += strlen(name) + 1) {
		rs[n].szReader = name;
		rs[n++].dwCurrentState = pcsc_known_state(p, name);
	}
	rs[n].szReader = PCSC_PNP_READER;
	rs[n++].dwCurrentState = p->pnp_state;
	pthread_mutex_unlock(&p->lock);

	rv = SCardGetStatusChange(p->wait_ctx, timeout_ms, rs, n);
	err = pcsc_error(p, "SCardGetStatusChange", rv);
	if (err == CARD_E_CANCELLED) {
		/* This wait consumed the cancel: it must not also end the next one. */
		pthread_mutex_lock(&p->lock);
		p->cancel_pending = false;
		pthread_mutex_unlock(&p->lock);
	}
	if (err == CARD_OK) {
		pthread_mutex_lock(&p->lock);
		for (i = 0; i + 1 < n; i++)
			pcsc_remember(p, rs[i].szReader, rs[i].dwEventState);
		p->pnp_state = rs[n - 1].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
		pthread_mutex_unlock(&p->lock);
	}
out:
	if (err == CARD_E_NO_SERVICE) {
		pthread_mutex_lock(&p->lock);
		SCardReleaseContext(p->wait_ctx);
		p->have_wait_ctx = false;
		pthread_mutex_unlock(&p->lock);
	}
	free(names);
	return err;
}

static void pcsc_cancel(struct transport *t)
{
	struct pcsc_transport *p = (struct pcsc_transport *)t;

	pthread_mutex_lock(&p->lock);
	if (p->have_wait_ctx)
		SCardCancel(p->wait_ctx);
	/* A wait that has not reached SCardGetStatusChange yet returns at once. */
	p->cancel_pending = true;
	pthread_mutex_unlock(&p->lock);
}

static enum card_error pcsc_connect(struct transport *t, const char *reader,
				    struct transport_card **card)
{
	struct pcsc_transport *p = (struct pcsc_transport *)t;
	struct pcsc_card *c = NULL;
	enum card_error err;
	LONG rv;

	*card = NULL;
	err = pcsc_context(p);
	if (err != CARD_OK)
		goto out;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->reader = strdup(reader)) == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	c->base.transport = t;
	rv = SCardConnect(p->ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			  &c->handle, &c->protocol);
	if (rv == SCARD_W_REMOVED_CARD)
		rv = SCARD_E_NO_SMARTCARD;
	err = pcsc_check_service(p, "SCardConnect", rv);
	if (err != CARD_OK)
		goto out;
	log_printf(p->log, LOG_CALLS, "connected to %s (T=%d)", reader,
		   c->protocol == SCARD_PROTOCOL_T1 ? 1 : 0);
	*card = &c->base;
	c = NULL;
out:
	if (c != NULL)
		free(c->reader);
	free(c);
	return err;
}

static void pcsc_disconnect(struct transport_card *card)
{
	struct pcsc_card *c = (struct pcsc_card *)card;

	if (c == NULL)
		return;
	if (c->in_transaction)
		SCardEndTransaction(c->handle, SCARD_LEAVE_CARD);
	SCardDisconnect(c->handle, SCARD_LEAVE_CARD);
	free(c->reader);
	free(c);
}

/* pcsc_card_left: after a transmit that failed without saying why, whether
 * the card left.  pcsc-lite answers a card pulled during a transmit with
 * "transaction failed" (or a communication error) before its reader thread
 * has seen the card go; the handle's status tells once it has. */
static bool pcsc_card_left(struct pcsc_card *c)
{
	const struct timespec pause = {0, PCSC_GONE_PAUSE_MS * 1000000L};
	DWORD state, protocol, atr_len;
	BYTE atr[MAX_ATR_SIZE];
	LONG rv;

	for (int i = 0; i < PCSC_GONE_POLLS; i++) {
		atr_len = sizeof(atr);
		rv = SCardStatus(c->handle, NULL, NULL, &state, &protocol, atr, &atr_len);
		if (rv == SCARD_W_REMOVED_CARD || rv == SCARD_E_NO_SMARTCARD)
			return true;
		if (rv != SCARD_S_SUCCESS)
			return false; /* reset, or pcscd gone: not a removal */
		if ((state & SCARD_PRESENT) == 0)
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

/* pcsc_card_error: maps a failure on a connection; a reset is answered by
 * reconnecting (leaving the card as it is) and then reported. */
static enum card_error pcsc_card_error(struct pcsc_card *c, const char *what, LONG rv)
{
	struct pcsc_transport *p = (struct pcsc_transport *)c->base.transport;
	enum card_error err = pcsc_error(p, what, rv);
	LONG rv2;

	if ((rv == SCARD_E_NOT_TRANSACTED || rv == SCARD_F_COMM_ERROR) && pcsc_card_left(c)) {
		log_printf(p->log, LOG_CALLS, "%s: the card left during the command", what);
		c->in_transaction = false;
		err = CARD_E_CARD_REMOVED;
	} else if (err == CARD_E_CARD_RESET) {
		c->in_transaction = false;
		rv2 = SCardReconnect(c->handle, SCARD_SHARE_SHARED,
				     SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD,
				     &c->protocol);
		if (rv2 != SCARD_S_SUCCESS) {
			err = pcsc_error(p, "SCardReconnect", rv2);
			if (err == CARD_OK || err == CARD_E_CARD_RESET)
				err = CARD_E_TRANSPORT;
			if (err == CARD_E_CARD_ABSENT)
				err = CARD_E_CARD_REMOVED;
		}
	} else if (err == CARD_E_CARD_ABSENT) {
		err = CARD_E_CARD_REMOVED; /* the card we were talking to is gone */
	}
	if (err == CARD_E_NO_SERVICE && rv != SCARD_E_INVALID_HANDLE && p->have_ctx) {
		/* pcscd went away: the next call needs a new context. */
		SCardReleaseContext(p->ctx);
		p->have_ctx = false;
	}
	return err;
}

static enum card_error pcsc_begin(struct transport_card *card)
{
	struct pcsc_card *c = (struct pcsc_card *)card;
	LONG rv;

	if (c->in_transaction)
		return CARD_OK;
	rv = SCardBeginTransaction(c->handle);
	if (rv != SCARD_S_SUCCESS)
		return pcsc_card_error(c, "SCardBeginTransaction", rv);
	c->in_transaction = true;
	return CARD_OK;
}

static void pcsc_end(struct transport_card *card)
{
	struct pcsc_card *c = (struct pcsc_card *)card;

	if (!c->in_transaction)
		return;
	SCardEndTransaction(c->handle, SCARD_LEAVE_CARD);
	c->in_transaction = false;
}

static enum card_error pcsc_transmit(struct transport_card *card, const uint8_t *capdu, size_t clen,
				     uint8_t *rapdu, size_t *rlen)
{
	struct pcsc_card *c = (struct pcsc_card *)card;
	const SCARD_IO_REQUEST *pci =
		c->protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	DWORD len = (DWORD)*rlen;
	LONG rv;

	rv = SCardTransmit(c->handle, pci, capdu, (DWORD)clen, NULL, rapdu, &len);
	if (rv != SCARD_S_SUCCESS) {
		*rlen = 0;
		return pcsc_card_error(c, "SCardTransmit", rv);
	}
	if (len > *rlen) {
		*rlen = 0;
		return CARD_E_BAD_RESPONSE;
	}
	if (len < 2) {
		/* No status word: the reader lost the answer (vpcd answers so
		 * when the card went during the command).  Removal or not, as
		 * for a failed transmit. */
		*rlen = 0;
		return pcsc_card_error(c, "SCardTransmit (no status word)", SCARD_F_COMM_ERROR);
	}
	*rlen = len;
	return CARD_OK;
}

static void pcsc_free(struct transport *t)
{
	struct pcsc_transport *p = (struct pcsc_transport *)t;
	size_t i;

	if (p == NULL)
		return;
	if (p->have_ctx)
		SCardReleaseContext(p->ctx);
	if (p->have_wait_ctx)
		SCardReleaseContext(p->wait_ctx);
	for (i = 0; i < p->nknown; i++)
		free(p->known[i].name);
	free(p->known);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct transport_ops pcsc_ops = {
	.free = pcsc_free,
	.list_readers = pcsc_list_readers,
	.status = pcsc_status,
	.wait = pcsc_wait,
	.cancel = pcsc_cancel,
	.connect = pcsc_connect,
	.disconnect = pcsc_disconnect,
	.begin = pcsc_begin,
	.end = pcsc_end,
	.transmit = pcsc_transmit,
};

struct transport *transport_pcsc_new(const struct log *log)
{
	struct pcsc_transport *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return NULL;
	}
	p->base.ops = &pcsc_ops;
	p->log = log;
	return &p->base;
}
