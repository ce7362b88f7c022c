/* The connection to the card in one reader: the context (what is known
 * about the card, per insertion and per transaction), connecting, polling
 * PC/SC, holding the transaction, sending one APDU, and what a transport error
 * or a status word means.  See jpki.h; the map of the card layer is in
 * jpki-internal.h.
 */
#include "jpki-internal.h"

#include <stdlib.h>
#include <string.h>

static void jpki_forget_security(struct jpki_card *c)
{
	int i;

	for (i = 0; i < JPKI_PIN_COUNT; i++) {
		c->verified[i] = false;
		c->tries[i] = -1;
	}
	c->ap = JPKI_AP_NONE;
	c->ap_sure = false;
	c->ef = JPKI_FID_NONE;
}

/* jpki_forget_card: a different card (or none): drop everything. */
static void jpki_forget_card(struct jpki_card *c)
{
	int i;

	jpki_forget_security(c);
	for (i = 0; i < JPKI_CERT_COUNT; i++) {
		free(c->certs[i]);
		c->certs[i] = NULL;
		c->cert_lens[i] = 0;
	}
	for (i = 0; i < JPKI_AP_COUNT; i++)
		c->sfi_off[i] = false;
	c->sign_sfi_off = false;
	c->pss = JPKI_PSS_UNKNOWN;
	c->read_max = 0;
	c->verify_sfi_off = false;
	c->verify_sfi_off_sure = false;
	cert_cache_entry_clear(&c->cached);
	c->kind = JPKI_KIND_UNKNOWN;
	c->label[0] = '\0';
	c->sign_cert = JPKI_SIGN_CERT_UNKNOWN;
	c->known = false;
}

static void jpki_drop_connection(struct jpki_card *c)
{
	if (c->conn != NULL)
		c->transport->ops->disconnect(c->conn);
	c->conn = NULL;
	c->depth = 0;
	c->held = false;
	jpki_forget_card(c);
}

/* jpki_note_error: what a transport error means for the context.  A reset
 * keeps the connection (the transport re-established it) and what belongs
 * to the insertion (a reset is not a new card: the event counter says so);
 * anything else makes the connection useless. */
static void jpki_note_error(struct jpki_card *c, enum card_error err)
{
	switch (err) {
	case CARD_E_CARD_RESET:
		log_printf(c->log, LOG_WARN, "card in %s was reset: logged out", c->reader);
		jpki_forget_security(c);
		c->held = false; /* the transport ended the transaction */
		break;
	case CARD_E_CARD_REMOVED:
	case CARD_E_CARD_ABSENT:
	case CARD_E_NO_SERVICE:
	case CARD_E_NO_READER:
		log_printf(c->log, LOG_WARN, "card in %s: %s", c->reader, card_error_name(err));
		jpki_drop_connection(c);
		break;
	default:
		break;
	}
}

struct jpki_card *jpki_card_new(struct transport *t, const char *reader, const struct log *log)
{
	struct jpki_card *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->reader = strdup(reader);
	if (c->reader == NULL) {
		free(c);
		return NULL;
	}
	c->transport = t;
	c->log = log;
	jpki_forget_card(c);
	return c;
}

void jpki_card_free(struct jpki_card *c)
{
	if (c == NULL)
		return;
	if (c->conn != NULL && c->depth > 0)
		c->transport->ops->end(c->conn);
	jpki_drop_connection(c);
	free(c->reader);
	free(c);
}

void jpki_card_set_cache(struct jpki_card *c, struct cert_cache *cache)
{
	c->cache = cache;
}

const struct log *jpki_log(const struct jpki_card *c)
{
	return c->log;
}

enum card_error jpki_card_poll(struct jpki_card *c, bool *present, bool *changed)
{
	struct transport_status st;
	enum card_error err;

	*present = false;
	*changed = false;
	err = c->transport->ops->status(c->transport, c->reader, &st);
	if (err != CARD_OK) {
		if (err == CARD_E_NO_SERVICE || err == CARD_E_NO_READER) {
			*changed = c->known || c->conn != NULL;
			jpki_drop_connection(c);
		}
		return err;
	}
	*present = st.present;
	if (!st.present || (c->known && st.events != c->events)) {
		*changed = c->known || c->conn != NULL;
		jpki_drop_connection(c);
	}
	if (st.present && !c->known) {
		c->events = st.events;
		c->known = true;
	}
	return CARD_OK;
}

static enum card_error jpki_connect(struct jpki_card *c)
{
	struct transport_status st;
	enum card_error err;

	if (c->conn != NULL)
		return CARD_OK;
	/* Note the event counter first: a card swapped after this shows up as a
	 * removal on the connection. */
	err = c->transport->ops->status(c->transport, c->reader, &st);
	if (err == CARD_OK && !st.present)
		err = CARD_E_CARD_ABSENT;
	if (err != CARD_OK)
		return err;
	if (c->known && st.events != c->events)
		jpki_forget_card(c);
	err = c->transport->ops->connect(c->transport, c->reader, &c->conn);
	if (err != CARD_OK) {
		c->conn = NULL;
		return err;
	}
	c->events = st.events;
	c->known = true;
	return CARD_OK;
}

enum card_error jpki_op_begin(struct jpki_card *c)
{
	enum card_error err = jpki_connect(c);

	if (err != CARD_OK)
		return err;
	if (c->depth > 0 && c->held) {
		c->depth++;
		return CARD_OK;
	}
	/* Not held: the outermost begin, or a reset inside a group dropped the
	 * transaction; the rest of the group must not run without one. */
	err = c->transport->ops->begin(c->conn);
	if (err != CARD_OK) {
		jpki_note_error(c, err);
		return err;
	}
	c->held = true;
	if (c->depth++ > 0)
		return CARD_OK;
	/* Another process may have selected another EF, or another application,
	 * since our last transaction.  The application stays believed selected
	 * (re-selecting it may clear a verified PIN, ours and every other
	 * process's: docs/card.md Appendix C), but only believed: see "Which application is
	 * current" in jpki-ap.c. */
	c->ef = JPKI_FID_NONE;
	c->ap_sure = false;
	return CARD_OK;
}

void jpki_op_end(struct jpki_card *c)
{
	if (c->depth == 0)
		return;
	if (--c->depth > 0)
		return;
	/* end is a no-op when a reset already ended the transaction. */
	if (c->conn != NULL)
		c->transport->ops->end(c->conn);
	c->held = false;
}

enum card_error jpki_command(struct jpki_card *c, const struct apdu *a, uint8_t *resp, size_t cap,
			     size_t *resp_len, uint16_t *sw)
{
	enum card_error err;

	if (c->conn == NULL)
		return CARD_E_CARD_REMOVED;
	err = apdu_transmit(c->conn, c->log, a, resp, cap, resp_len, sw);
	if (err != CARD_OK)
		jpki_note_error(c, err);
	return err;
}

/* jpki_sw_error: the meaning of a status word that is not success. */
enum card_error jpki_sw_error(uint16_t sw)
{
	switch (sw) {
	case SW_SECURITY:
		return CARD_E_NOT_LOGGED_IN;
	case SW_NOT_FOUND:
		return CARD_E_NOT_FOUND;
	default:
		return CARD_E_CARD;
	}
}
