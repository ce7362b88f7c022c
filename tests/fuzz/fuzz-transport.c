/* The fuzz targets' transports: see fuzz-transport.h. */
#include "fuzz-transport.h"

#include <stdlib.h>
#include <string.h>

#define INS_SELECT	 0xA4
#define INS_READ_BINARY	 0xB0
#define INS_VERIFY	 0x20
#define INS_CHANGE	 0x24
#define INS_SIGN	 0x2A
#define INS_GET_RESPONSE 0xC0
#define SIGN_ANSWER_MAX	 1024
#define FID_NONE	 -1

static const uint8_t fuzz_transport_aids[][10] = {
	[FUZZ_AP_JPKI] = {0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01},
	[FUZZ_AP_TEXT] = {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08},
};

/* What an event record makes the exchange fail with (index = length - FUZZ_RECORD_EVENT). */
static const enum card_error fuzz_transport_events[] = {
	CARD_E_CARD_RESET,  CARD_E_CARD_REMOVED, CARD_E_TRANSPORT, CARD_E_NO_SERVICE,
	CARD_E_CARD_ABSENT, CARD_E_SHARING,	 CARD_E_NO_READER, CARD_E_TIMEOUT,
};

struct fuzz_transport {
	struct transport base;
	struct transport_card card;
	struct fuzz_input *in;	   /* script mode */
	const struct fuzz_ef *efs; /* file mode */
	size_t ef_count;
	bool end_6282;
	const struct fuzz_ef *selected;
	const struct fuzz_pin *pins;
	/* What the card has selected, as far as the commands and answers show. */
	enum fuzz_ap ap;
	long ef;
	bool select_pending;	 /* the command being answered is a SELECT... */
	enum fuzz_ap pending_ap; /* ...of this application (FUZZ_AP_UNKNOWN: of an EF) */
	long pending_ef;
	long pending_sfi; /* the command being answered is a READ BINARY by this SFI */
	bool connected, in_transaction;
	uint32_t events;
	unsigned pin_tries, verifies, sent;
	/* The card as fuzz_transport_control moved it. */
	bool absent, reset_pending;
	unsigned generation, conn_generation; /* removals; as of the connection */
	/* The answer to the last COMPUTE DIGITAL SIGNATURE. */
	unsigned signs;
	bool sign_open; /* the exchanges since are its GET RESPONSEs */
	uint8_t sign_data[SIGN_ANSWER_MAX];
	size_t sign_len;
	uint16_t sign_sw;
};

/* fuzz_transport_parse: splits a C-APDU into Lc/data/Le as ISO 7816-4 cases
 * 1-4, short or extended; false if it is none of them. */
static bool fuzz_transport_parse(const uint8_t *c, size_t n, const uint8_t **data, size_t *lc,
				 size_t *le)
{
	*data = NULL;
	*lc = *le = 0;
	if (n < 4)
		return false;
	if (n == 4)
		return true;
	if (n == 5) {
		*le = c[4] ? c[4] : 256;
		return true;
	}
	if (c[4] != 0) {
		*lc = c[4];
		*data = c + 5;
		if (n == 5 + *lc)
			return true;
		*le = c[n - 1] ? c[n - 1] : 256;
		return n == 6 + *lc;
	}
	if (n == 7) {
		*le = (size_t)(c[5] << 8 | c[6]);
		*le = *le ? *le : 65536;
		return true;
	}
	*lc = (size_t)(c[5] << 8 | c[6]);
	*data = c + 7;
	if (*lc == 0)
		return false;
	if (n == 7 + *lc)
		return true;
	*le = (size_t)(c[n - 2] << 8 | c[n - 1]);
	*le = *le ? *le : 65536;
	return n == 9 + *lc;
}

/* fuzz_transport_pin_allowed: a PIN we were given, sent to its own EF. */
static bool fuzz_transport_pin_allowed(const struct fuzz_transport *f, const uint8_t *data,
				       size_t lc)
{
	const struct fuzz_pin *p;

	for (p = f->pins; p != NULL && p->value != NULL; p++)
		if (strlen(p->value) == lc && memcmp(p->value, data, lc) == 0)
			return f->ap == p->ap && f->ef == p->fid;
	return false;
}

static void fuzz_transport_forget(struct fuzz_transport *f)
{
	f->ap = FUZZ_AP_UNKNOWN;
	f->ef = FID_NONE;
	f->select_pending = false;
	f->pending_sfi = FID_NONE;
}

/* fuzz_transport_note_select: a SELECT is being sent; it counts once answered 9000. */
static void fuzz_transport_note_select(struct fuzz_transport *f, const uint8_t *c,
				       const uint8_t *data, size_t lc)
{
	size_t i;

	f->select_pending = true;
	f->pending_ap = FUZZ_AP_UNKNOWN;
	f->pending_ef = FID_NONE;
	if (c[2] == 0x04) {
		f->pending_ap = FUZZ_AP_OTHER;
		for (i = 0; i < FUZZ_AP_OTHER; i++)
			if (lc == sizeof(fuzz_transport_aids[i]) &&
			    memcmp(data, fuzz_transport_aids[i], lc) == 0)
				f->pending_ap = (enum fuzz_ap)i;
	} else if (c[2] == 0x02 && lc == 2) {
		f->pending_ef = data[0] << 8 | data[1];
	}
	/* Until the answer says otherwise, the card may have done it or not. */
	if (f->pending_ap != FUZZ_AP_UNKNOWN)
		f->ap = FUZZ_AP_UNKNOWN;
	f->ef = FID_NONE;
}

/* fuzz_transport_note_read_sfi: a READ BINARY by short EF identifier that
 * answered data made that EF current; only the JPKI AP answers EF 0006 with a
 * JPKI token label ("JPKIAP..."), so that answer also proves the application
 * (the card layer's probe relies on it).  Any other outcome leaves the
 * current EF unknown. */
static void fuzz_transport_note_read_sfi(struct fuzz_transport *f, enum card_error err,
					 const uint8_t *rapdu, size_t rlen)
{
	static const char label[] = "JPKIAP";
	uint16_t sw = rlen >= 2 ? (uint16_t)(rapdu[rlen - 2] << 8 | rapdu[rlen - 1]) : 0;
	bool data = err == CARD_OK && rlen > 2 && (sw == 0x9000 || sw == 0x6282);

	if (err == CARD_OK && rlen == 2 && rapdu[0] == 0x61)
		return; /* the data comes with the GET RESPONSE that follows */

	f->ef = data ? f->pending_sfi : FID_NONE;
	if (data && f->pending_sfi == 0x0006 && rlen - 2 >= sizeof(label) - 1 &&
	    memcmp(rapdu, label, sizeof(label) - 1) == 0)
		f->ap = FUZZ_AP_JPKI;
	f->pending_sfi = FID_NONE;
}

/* fuzz_transport_note_answer: what the card's answer (or its loss) tells about the selection. */
static void fuzz_transport_note_answer(struct fuzz_transport *f, enum card_error err,
				       const uint8_t *rapdu, size_t rlen)
{
	bool ok = err == CARD_OK && rlen == 2 && rapdu[0] == 0x90 && rapdu[1] == 0x00;

	if (err == CARD_E_CARD_RESET) {
		fuzz_transport_forget(f);
		return;
	}
	if (f->pending_sfi != FID_NONE) {
		fuzz_transport_note_read_sfi(f, err, rapdu, rlen);
		return;
	}
	if (!f->select_pending || !ok)
		return;
	f->select_pending = false;
	if (f->pending_ap != FUZZ_AP_UNKNOWN)
		f->ap = f->pending_ap;
	else
		f->ef = f->pending_ef;
}

/* fuzz_transport_check: what every C-APDU of the card layer must be. */
static void fuzz_transport_check(struct fuzz_transport *f, const uint8_t *c, size_t n, size_t *le)
{
	const uint8_t *data;
	size_t lc;

	FUZZ_ASSERT(f->connected);
	FUZZ_ASSERT(fuzz_transport_parse(c, n, &data, &lc, le));
	f->select_pending = false;
	/* A READ by SFI answered 61xx finishes with GET RESPONSE: still pending. */
	if (c[1] != INS_GET_RESPONSE)
		f->pending_sfi = FID_NONE;
	if (c[1] == INS_READ_BINARY && (c[2] & 0xE0) == 0x80)
		f->pending_sfi = c[2] & 0x1F;
	if (c[1] == INS_SELECT)
		fuzz_transport_note_select(f, c, data, lc);
	/* A signature names its key: by SFI in P2 (97, 9A), or P2 80 after its SELECT. */
	if (c[1] == INS_SIGN)
		FUZZ_ASSERT(f->ap == FUZZ_AP_JPKI &&
			    (c[3] == 0x97 || c[3] == 0x9A ||
			     (c[3] == 0x80 && (f->ef == 0x0017 || f->ef == 0x001A))));
	if (c[1] == INS_VERIFY || c[1] == INS_CHANGE) {
		/* No PIN the caller did not give, and never an empty CHANGE. */
		FUZZ_ASSERT(c[1] == INS_VERIFY || lc > 0);
		if (lc > 0) {
			FUZZ_ASSERT(fuzz_transport_pin_allowed(f, data, lc));
			f->pin_tries++;
			f->verifies += c[1] == INS_VERIFY;
		}
	}
	if (c[1] == INS_SIGN) {
		f->signs++;
		f->sign_open = true;
		f->sign_len = 0;
		f->sign_sw = 0;
	} else if (c[1] != INS_GET_RESPONSE) {
		f->sign_open = false;
	}
}

/* fuzz_transport_note_sign: what the card answered to a signature (and its GET RESPONSEs). */
static void fuzz_transport_note_sign(struct fuzz_transport *f, enum card_error err,
				     const uint8_t *rapdu, size_t rlen)
{
	size_t n;

	if (!f->sign_open)
		return;
	if (err != CARD_OK || rlen < 2) {
		f->sign_open = false;
		f->sign_sw = 0;
		return;
	}
	n = rlen - 2;
	if (f->sign_len < SIGN_ANSWER_MAX)
		memcpy(f->sign_data + f->sign_len, rapdu,
		       n < SIGN_ANSWER_MAX - f->sign_len ? n : SIGN_ANSWER_MAX - f->sign_len);
	f->sign_len += n;
	f->sign_sw = (uint16_t)(rapdu[rlen - 2] << 8 | rapdu[rlen - 1]);
}

/* fuzz_transport_lost: the connection is from before a removal. */
static bool fuzz_transport_lost(const struct fuzz_transport *f)
{
	return f->absent || f->generation != f->conn_generation;
}

/* fuzz_transport_reset_seen: the reset another process did, seen once. */
static bool fuzz_transport_reset_seen(struct fuzz_transport *f)
{
	if (!f->reset_pending)
		return false;
	f->reset_pending = false;
	f->in_transaction = false;
	fuzz_transport_forget(f);
	return true;
}

static enum card_error fuzz_transport_answer(uint8_t *rapdu, size_t *rlen, const uint8_t *data,
					     size_t len, uint16_t sw)
{
	if (len + 2 > *rlen) {
		*rlen = 0;
		return CARD_E_BAD_RESPONSE;
	}
	if (len > 0)
		memcpy(rapdu, data, len);
	rapdu[len] = (uint8_t)(sw >> 8);
	rapdu[len + 1] = (uint8_t)sw;
	*rlen = len + 2;
	return CARD_OK;
}

static enum card_error fuzz_transport_scripted(struct fuzz_transport *f, uint8_t *rapdu,
					       size_t *rlen)
{
	const uint8_t *rec;
	unsigned field;
	size_t len;
	enum card_error err;

	if (!fuzz_record(f->in, &field, &rec, &len)) {
		*rlen = 0;
		return CARD_E_TRANSPORT;
	}
	if (field >= FUZZ_RECORD_EVENT) {
		err = fuzz_transport_events[(field - FUZZ_RECORD_EVENT) %
					    (sizeof(fuzz_transport_events) /
					     sizeof(fuzz_transport_events[0]))];
		*rlen = 0;
		if (err == CARD_E_CARD_RESET)
			f->in_transaction = false; /* the transaction did not survive */
		if (err == CARD_E_CARD_REMOVED || err == CARD_E_CARD_ABSENT)
			f->events++; /* whatever comes next is another card */
		return err;
	}
	if (len > *rlen) {
		*rlen = 0;
		return CARD_E_BAD_RESPONSE;
	}
	if (len > 0)
		memcpy(rapdu, rec, len);
	*rlen = len;
	return CARD_OK;
}

static enum card_error fuzz_transport_file(struct fuzz_transport *f, const uint8_t *c, size_t n,
					   size_t le, uint8_t *rapdu, size_t *rlen)
{
	size_t i, off, len;

	switch (c[1]) {
	case INS_SELECT:
		if (c[2] == 0x04)
			return fuzz_transport_answer(rapdu, rlen, NULL, 0, 0x9000);
		f->selected = NULL;
		for (i = 0; n >= 7 && i < f->ef_count; i++)
			if (f->efs[i].fid == (c[5] << 8 | c[6]))
				f->selected = &f->efs[i];
		/* Any other FID is a PIN or key EF: selectable, not readable. */
		return fuzz_transport_answer(rapdu, rlen, NULL, 0, 0x9000);
	case INS_VERIFY:
		return fuzz_transport_answer(rapdu, rlen, NULL, 0, n == 4 ? 0x63C3 : 0x9000);
	case INS_READ_BINARY:
		if (f->selected == NULL)
			return fuzz_transport_answer(rapdu, rlen, NULL, 0, 0x6986);
		off = (size_t)(c[2] << 8 | c[3]);
		if (off >= f->selected->len)
			return fuzz_transport_answer(rapdu, rlen, NULL, 0, 0x6B00);
		len = f->selected->len - off < le ? f->selected->len - off : le;
		return fuzz_transport_answer(rapdu, rlen, f->selected->data + off, len,
					     len < le && f->end_6282 ? 0x6282 : 0x9000);
	default:
		return fuzz_transport_answer(rapdu, rlen, NULL, 0, 0x6D00);
	}
}

static enum card_error fuzz_transport_transmit(struct transport_card *card, const uint8_t *capdu,
					       size_t clen, uint8_t *rapdu, size_t *rlen)
{
	struct fuzz_transport *f = (struct fuzz_transport *)card->transport;
	enum card_error err;
	size_t le;

	f->sent++;
	fuzz_transport_check(f, capdu, clen, &le);
	if (fuzz_transport_lost(f)) {
		*rlen = 0;
		err = CARD_E_CARD_REMOVED;
	} else if (fuzz_transport_reset_seen(f)) {
		*rlen = 0;
		err = CARD_E_CARD_RESET;
	} else if (f->in != NULL)
		err = fuzz_transport_scripted(f, rapdu, rlen);
	else
		err = fuzz_transport_file(f, capdu, clen, le, rapdu, rlen);
	fuzz_transport_note_answer(f, err, rapdu, *rlen);
	fuzz_transport_note_sign(f, err, rapdu, *rlen);
	return err;
}

static void fuzz_transport_free_base(struct transport *t)
{
	(void)t;
}

static enum card_error fuzz_transport_list(struct transport *t, char ***readers)
{
	(void)t;
	*readers = calloc(2, sizeof(char *));
	if (*readers == NULL)
		return CARD_E_NO_MEMORY;
	(*readers)[0] = strdup(FUZZ_READER);
	if ((*readers)[0] == NULL) {
		free(*readers);
		*readers = NULL;
		return CARD_E_NO_MEMORY;
	}
	return CARD_OK;
}

static enum card_error fuzz_transport_status(struct transport *t, const char *reader,
					     struct transport_status *st)
{
	struct fuzz_transport *f = (struct fuzz_transport *)t;
	static const uint8_t atr[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};

	memset(st, 0, sizeof(*st));
	if (strcmp(reader, FUZZ_READER) != 0)
		return CARD_E_NO_READER;
	st->present = !f->absent;
	st->events = f->events;
	memcpy(st->atr, atr, sizeof(atr));
	st->atr_len = sizeof(atr);
	return CARD_OK;
}

static enum card_error fuzz_transport_wait(struct transport *t, unsigned timeout_ms)
{
	(void)t;
	(void)timeout_ms;
	return CARD_E_TIMEOUT;
}

static void fuzz_transport_cancel(struct transport *t)
{
	(void)t;
}

static enum card_error fuzz_transport_connect(struct transport *t, const char *reader,
					      struct transport_card **card)
{
	struct fuzz_transport *f = (struct fuzz_transport *)t;

	FUZZ_ASSERT(!f->connected); /* the card layer holds one connection */
	if (strcmp(reader, FUZZ_READER) != 0)
		return CARD_E_NO_READER;
	if (f->absent)
		return CARD_E_CARD_ABSENT;
	f->connected = true;
	f->conn_generation = f->generation;
	f->reset_pending = false; /* a new connection is not told of an old reset */
	*card = &f->card;
	return CARD_OK;
}

static void fuzz_transport_disconnect(struct transport_card *card)
{
	struct fuzz_transport *f = (struct fuzz_transport *)card->transport;

	FUZZ_ASSERT(f->connected);
	f->connected = false;
	f->in_transaction = false;
	fuzz_transport_forget(f);
}

static enum card_error fuzz_transport_begin(struct transport_card *card)
{
	struct fuzz_transport *f = (struct fuzz_transport *)card->transport;

	FUZZ_ASSERT(f->connected);
	FUZZ_ASSERT(!f->in_transaction); /* the card layer counts nesting itself */
	if (fuzz_transport_lost(f))
		return CARD_E_CARD_REMOVED;
	if (fuzz_transport_reset_seen(f))
		return CARD_E_CARD_RESET;
	f->in_transaction = true;
	f->ef = FID_NONE; /* another process may select another EF between transactions */
	return CARD_OK;
}

static void fuzz_transport_end(struct transport_card *card)
{
	struct fuzz_transport *f = (struct fuzz_transport *)card->transport;

	FUZZ_ASSERT(f->connected);
	f->in_transaction = false;
}

static const struct transport_ops fuzz_transport_ops = {
	.free = fuzz_transport_free_base,
	.list_readers = fuzz_transport_list,
	.status = fuzz_transport_status,
	.wait = fuzz_transport_wait,
	.cancel = fuzz_transport_cancel,
	.connect = fuzz_transport_connect,
	.disconnect = fuzz_transport_disconnect,
	.begin = fuzz_transport_begin,
	.end = fuzz_transport_end,
	.transmit = fuzz_transport_transmit,
};

static struct fuzz_transport *fuzz_transport_new(void)
{
	struct fuzz_transport *f = calloc(1, sizeof(*f));

	if (f == NULL)
		abort();
	f->base.ops = &fuzz_transport_ops;
	f->card.transport = &f->base;
	f->events = 1;
	fuzz_transport_forget(f);
	return f;
}

struct fuzz_transport *fuzz_transport_script(struct fuzz_input *in)
{
	struct fuzz_transport *f = fuzz_transport_new();

	f->in = in;
	return f;
}

struct fuzz_transport *fuzz_transport_files(const struct fuzz_ef *efs, size_t count, bool end_6282)
{
	struct fuzz_transport *f = fuzz_transport_new();

	f->efs = efs;
	f->ef_count = count;
	f->end_6282 = end_6282;
	return f;
}

void fuzz_transport_free(struct fuzz_transport *f)
{
	free(f);
}

struct transport *fuzz_transport_base(struct fuzz_transport *f)
{
	return &f->base;
}

void fuzz_transport_pins(struct fuzz_transport *f, const struct fuzz_pin *pins)
{
	f->pins = pins;
}

bool fuzz_transport_in_transaction(const struct fuzz_transport *f)
{
	return f->in_transaction;
}

unsigned fuzz_transport_pin_tries(const struct fuzz_transport *f)
{
	return f->pin_tries;
}

unsigned fuzz_transport_sent(const struct fuzz_transport *f)
{
	return f->sent;
}

unsigned fuzz_transport_event(enum card_error err)
{
	size_t i;

	for (i = 0; i < sizeof(fuzz_transport_events) / sizeof(fuzz_transport_events[0]); i++)
		if (fuzz_transport_events[i] == err)
			return FUZZ_RECORD_EVENT + (unsigned)i;
	return 0;
}

unsigned fuzz_transport_verifies(const struct fuzz_transport *f)
{
	return f->verifies;
}

bool fuzz_transport_connected(const struct fuzz_transport *f)
{
	return f->connected;
}

void fuzz_transport_control(struct fuzz_transport *f, uint8_t control)
{
	bool out = (control & 3) == FUZZ_CARD_OUT;

	if ((control & 3) != FUZZ_CARD_STAYS && !(out && f->absent)) {
		/* pcsc-lite's counter moves on each removal and insertion. */
		f->events += f->absent || out ? 1 : 2;
		f->generation++;
		f->absent = out;
	}
	if ((control & FUZZ_CARD_RESET) && !f->absent)
		f->reset_pending = true;
}

unsigned fuzz_transport_signs(const struct fuzz_transport *f)
{
	return f->signs;
}

bool fuzz_transport_sign_answer(const struct fuzz_transport *f, const uint8_t **data, size_t *len,
				uint16_t *sw)
{
	*data = f->sign_data;
	*len = f->sign_len;
	*sw = f->sign_sw;
	return f->sign_len <= SIGN_ANSWER_MAX;
}
