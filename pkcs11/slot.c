/* Slots: see slot.h.
 *
 * Polling is what C_GetSlotList, C_GetSlotInfo and C_GetTokenInfo do many
 * times a second (NSS): it asks PC/SC for the reader's state and event
 * counter, never the card.  Only a new insertion costs APDUs, once: detect
 * the application, read the auth certificate (the serial, the auth public
 * key) and the two PIN counters, build the objects.  The CA certificates
 * wait until an application asks for what only they hold (object.c). */
#include "slot.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckr-map.h"
#include "module.h"
#include "pad.h"

void slot_table_init(struct slot_table *table)
{
	table->readers = NULL;
	table->count = 0;
}

static void reader_free(struct reader *r, bool disconnect)
{
	size_t k;

	for (k = 0; k < TOKEN_KIND_COUNT; k++)
		object_set_free(&r->tokens[k].objects);
	if (disconnect)
		jpki_card_free(r->card);
	free(r->name);
	free(r);
}

void slot_table_free(struct slot_table *table)
{
	size_t i;

	for (i = 0; i < table->count; i++)
		reader_free(table->readers[i], true);
	free(table->readers);
	slot_table_init(table);
}

void slot_table_forget(struct slot_table *table, struct slot_table *kept)
{
	struct reader **grown;
	size_t i;

	/* The card contexts hold the parent's PC/SC handles: keep them
	 * reachable in kept, unused, rather than disconnect the parent. */
	grown = realloc(kept->readers, (kept->count + table->count) * sizeof(*grown));
	if (grown != NULL) {
		kept->readers = grown;
		for (i = 0; i < table->count; i++)
			kept->readers[kept->count++] = table->readers[i];
	}
	free(table->readers);
	slot_table_init(table);
}

static bool exposed(const struct settings *cfg, enum token_kind kind)
{
	return cfg->tokens == SETTINGS_TOKENS_BOTH ||
	       (cfg->tokens == SETTINGS_TOKENS_AUTH && kind == TOKEN_AUTH) ||
	       (cfg->tokens == SETTINGS_TOKENS_SIGN && kind == TOKEN_SIGN);
}

static struct reader *reader_new(struct module *m, const char *name, size_t index)
{
	struct reader *r = calloc(1, sizeof(*r));
	size_t k;

	if (r == NULL)
		return NULL;
	r->name = strdup(name);
	r->card = r->name != NULL ? jpki_card_new(m->transport, name, &m->log) : NULL;
	if (r->card == NULL) {
		free(r->name);
		free(r);
		return NULL;
	}
	jpki_card_set_cache(r->card, m->cache);
	for (k = 0; k < TOKEN_KIND_COUNT; k++) {
		r->tokens[k].kind = (enum token_kind)k;
		r->tokens[k].id = index * TOKEN_KIND_COUNT + k;
		r->tokens[k].exposed = exposed(&m->settings, (enum token_kind)k);
		r->tokens[k].tries = -1;
	}
	return r;
}

static struct reader *reader_by_name(struct slot_table *table, const char *name)
{
	size_t i;

	for (i = 0; i < table->count; i++)
		if (strcmp(table->readers[i]->name, name) == 0)
			return table->readers[i];
	return NULL;
}

/* add_readers: appends the readers PC/SC lists that are new and allowed. */
static void add_readers(struct module *m)
{
	struct slot_table *table = &m->slots;
	struct reader **grown, *r;
	char **names = NULL;
	size_t i;

	if (m->transport->ops->list_readers(m->transport, &names) != CARD_OK)
		names = NULL;
	for (i = 0; i < table->count; i++)
		table->readers[i]->missing = true;
	for (i = 0; names != NULL && names[i] != NULL; i++) {
		r = reader_by_name(table, names[i]);
		if (r != NULL) {
			r->missing = false;
			continue;
		}
		if (!settings_reader_allowed(&m->settings, names[i])) {
			log_printf(&m->log, LOG_CALLS, "reader %s excluded by the settings",
				   names[i]);
			continue;
		}
		grown = realloc(table->readers, (table->count + 1) * sizeof(*grown));
		if (grown == NULL)
			break;
		table->readers = grown;
		r = reader_new(m, names[i], table->count);
		if (r == NULL)
			break;
		table->readers[table->count++] = r;
	}
	transport_readers_free(names);
}

/* forget_card: the card the tokens knew is gone (drop) or was reset. */
static void forget_card(struct module *m, struct reader *r, bool drop)
{
	size_t k;

	for (k = 0; k < TOKEN_KIND_COUNT; k++) {
		session_close_slot_locked(&m->sessions, r->tokens[k].id);
		token_forget(&r->tokens[k], drop);
	}
	if (drop) {
		r->read = false;
		r->jpki = false;
		r->no_sign = false;
	}
}

/* card_serial: 16 hex digits of the SHA-256 of the auth certificate: real,
 * stable per card, never zeros; both tokens of a card share it. */
static bool card_serial(const uint8_t *der, size_t len, char out[TOKEN_SERIAL_LEN + 1])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(der, len, md, &n, EVP_sha256(), NULL) || n * 2 < TOKEN_SERIAL_LEN)
		return false;
	for (i = 0; i < TOKEN_SERIAL_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
	return true;
}

/* read_card: the once-per-insertion reading, inside one transaction. */
static enum card_error read_card(struct reader *r, struct object_certs *certs)
{
	enum card_error err;
	uint8_t *der;
	size_t len, k;

	err = jpki_op_begin(r->card);
	if (err != CARD_OK)
		return err;
	err = jpki_detect(r->card, &r->kind, NULL);
	/* The old 住基カード (Juki card) kept JPKI under other rules, and every
	 * certificate issued on it has expired: its reader shows no token. */
	if (err == CARD_OK && r->kind == JPKI_KIND_JUKI)
		err = CARD_E_UNSUPPORTED;
	if (err == CARD_OK)
		err = jpki_read_cert(r->card, JPKI_CERT_AUTH, &der, &len);
	if (err == CARD_OK) {
		free(certs->der[JPKI_CERT_AUTH]);
		certs->der[JPKI_CERT_AUTH] = der;
		certs->len[JPKI_CERT_AUTH] = len;
	}
	for (k = 0; err == CARD_OK && k < TOKEN_KIND_COUNT; k++) {
		err = jpki_pin_status(r->card, token_pin((enum token_kind)k), false,
				      &r->tokens[k].tries);
		/* A card without the signature certificate (a holder under 15,
		 * or one who declined it): the card layer found no password
		 * behind an unusual answer.  No signature token, so that no
		 * application asks for a password the holder does not have. */
		if (err == CARD_E_NOT_FOUND && k == TOKEN_SIGN) {
			r->no_sign = true;
			err = CARD_OK;
		}
	}
	jpki_op_end(r->card);
	return err;
}

static void free_certs(struct object_certs *certs)
{
	size_t i;

	for (i = 0; i < JPKI_CERT_COUNT; i++)
		free(certs->der[i]);
	memset(certs, 0, sizeof(*certs));
}

/* examine_card: a card was inserted: read it and build its tokens. */
static void examine_card(struct module *m, struct reader *r)
{
	struct object_certs certs;
	enum card_error err;
	CK_RV rv = CKR_OK;
	size_t k;

	memset(&certs, 0, sizeof(certs));
	r->read = true;
	err = read_card(r, &certs);
	if (err == CARD_E_CARD_RESET) { /* somebody reset it: start again, once */
		free_certs(&certs);	/* the first try's certificates */
		err = read_card(r, &certs);
	}
	if (err != CARD_OK) {
		log_printf(&m->log, err == CARD_E_NOT_JPKI ? LOG_CALLS : LOG_WARN,
			   "card in %s not usable: %s", r->name, card_error_name(err));
		if (ckr_card_gone(err))
			r->read = false;
		goto out;
	}
	if (!card_serial(certs.der[JPKI_CERT_AUTH], certs.len[JPKI_CERT_AUTH], r->serial))
		goto out;
	for (k = 0; k < TOKEN_KIND_COUNT && rv == CKR_OK; k++)
		if (k != TOKEN_SIGN || !r->no_sign)
			rv = object_build(&r->tokens[k].objects, (enum token_kind)k, &certs,
					  m->settings.sign_always_authenticate, &m->next_object);
	if (rv != CKR_OK) {
		log_printf(&m->log, LOG_WARN, "card in %s: objects not built (0x%lx)", r->name, rv);
		for (k = 0; k < TOKEN_KIND_COUNT; k++)
			object_set_free(&r->tokens[k].objects);
		goto out;
	}
	r->jpki = true;
	for (k = 0; k < TOKEN_KIND_COUNT; k++) {
		r->tokens[k].present = k != TOKEN_SIGN || !r->no_sign;
		if (r->seen && r->tokens[k].present)
			r->tokens[k].event = true;
	}
	log_printf(&m->log, LOG_CALLS, "card in %s: %s, serial %s%s", r->name,
		   jpki_kind_name(r->kind), r->serial,
		   r->no_sign ? ", no signature certificate" : "");
out:
	free_certs(&certs);
}

bool slot_poll_locked(struct module *m, struct reader *r)
{
	bool present = false, changed = false, gone = false;
	enum card_error err;

	err = jpki_card_poll(r->card, &present, &changed);
	if (err != CARD_OK)
		present = false;
	if (r->read && (changed || !present)) {
		gone = r->jpki;
		forget_card(m, r, true);
	}
	if (present && !r->read)
		examine_card(m, r);
	r->seen = true;
	return gone;
}

void slot_refresh_locked(struct module *m, bool list_readers)
{
	size_t i;

	if (list_readers)
		add_readers(m);
	for (i = 0; i < m->slots.count; i++)
		slot_poll_locked(m, m->slots.readers[i]);
}

CK_RV slot_list_locked(struct module *m, bool token_present, CK_SLOT_ID *list, CK_ULONG *count)
{
	CK_ULONG wanted = 0, n = 0;
	const struct token *t;
	size_t i, k;
	CK_RV rv = CKR_OK;

	/* New readers join only on the count query (spec 3.0 5.5: the list
	 * may change between that and the call that fetches it, never between
	 * two calls with a buffer). */
	slot_refresh_locked(m, list == NULL || m->slots.count == 0);
	for (i = 0; i < m->slots.count; i++)
		for (k = 0; k < TOKEN_KIND_COUNT; k++) {
			t = &m->slots.readers[i]->tokens[k];
			if (t->exposed && (!token_present || t->present))
				wanted++;
		}
	if (list != NULL && *count < wanted) {
		rv = CKR_BUFFER_TOO_SMALL;
		goto out;
	}
	for (i = 0; list != NULL && i < m->slots.count; i++)
		for (k = 0; k < TOKEN_KIND_COUNT; k++) {
			t = &m->slots.readers[i]->tokens[k];
			if (t->exposed && (!token_present || t->present))
				list[n++] = t->id;
		}
out:
	*count = wanted;
	return rv;
}

CK_RV slot_find_locked(struct module *m, CK_SLOT_ID id, struct reader **reader,
		       struct token **token)
{
	size_t index = id / TOKEN_KIND_COUNT, kind = id % TOKEN_KIND_COUNT;

	*reader = NULL;
	*token = NULL;
	/* An application may use a slot ID it remembers without C_GetSlotList
	 * in this initialisation: look for readers (no APDU) before refusing. */
	if (index >= m->slots.count) {
		add_readers(m);
		if (index < m->slots.count)
			slot_poll_locked(m, m->slots.readers[index]);
	}
	if (index >= m->slots.count || !m->slots.readers[index]->tokens[kind].exposed)
		return CKR_SLOT_ID_INVALID;
	*reader = m->slots.readers[index];
	*token = &(*reader)->tokens[kind];
	return CKR_OK;
}

/* ascii_copy: the reader name for a blank-padded ASCII field ('?' for the rest). */
static void ascii_copy(char *out, size_t size, const char *in)
{
	size_t i;

	for (i = 0; i + 1 < size && in[i] != '\0'; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

void slot_get_info_locked(struct module *m, struct reader *reader, const struct token *token,
			  CK_SLOT_INFO *info)
{
	char name[sizeof(info->slotDescription) + 1], text[sizeof(info->slotDescription) + 16];
	const char *suffix = token_short_name(token->kind);
	size_t room = sizeof(info->slotDescription) - strlen(suffix) - 3;

	slot_poll_locked(m, reader); /* the token's presence as PC/SC sees it now */
	/* "<reader> (auth)": the reader name shortened so the token shows. */
	ascii_copy(name, room + 1, reader->name);
	snprintf(text, sizeof(text), "%s (%s)", name, suffix);
	memset(info, 0, sizeof(*info));
	pad_copy(info->slotDescription, sizeof(info->slotDescription), text);
	pad_copy(info->manufacturerID, sizeof(info->manufacturerID), "jpki-pkcs11");
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT | (token->present ? CKF_TOKEN_PRESENT : 0);
	info->hardwareVersion.major = 0;
	info->firmwareVersion.major = 0;
}

CK_RV slot_card_error_locked(struct module *m, struct reader *reader, enum card_error err)
{
	err = ckr_token_error(err);
	if (ckr_card_gone(err)) {
		log_printf(&m->log, LOG_WARN, "card in %s: %s: sessions closed", reader->name,
			   card_error_name(err));
		forget_card(m, reader, err != CARD_E_CARD_RESET);
	}
	return ckr_from_card(err);
}

CK_RV slot_login_read_locked(struct module *m, struct reader *reader, struct token *token)
{
	struct object_certs certs;
	enum card_error err;
	uint8_t *der = NULL;
	size_t len = 0;
	CK_RV rv;

	if (!object_needs_login(token->kind, &token->objects))
		return CKR_OK;
	memset(&certs, 0, sizeof(certs));
	err = jpki_read_cert(reader->card, JPKI_CERT_SIGN, &der, &len);
	if (err != CARD_OK) {
		rv = slot_card_error_locked(m, reader, err);
		goto out;
	}
	certs.der[JPKI_CERT_SIGN] = der;
	certs.len[JPKI_CERT_SIGN] = len;
	rv = object_build(&token->objects, token->kind, &certs,
			  m->settings.sign_always_authenticate, &m->next_object);
out:
	free(der);
	return rv;
}

void slot_logout_locked(struct module *m, struct reader *reader, struct token *token)
{
	token->logged_in = false;
	jpki_forget_pin(reader->card, token_pin(token->kind));
	session_end_sign_slot_locked(&m->sessions, token->id);
}

CK_RV slot_check_token_locked(struct module *m, struct reader *reader, const struct token *token)
{
	slot_poll_locked(m, reader);
	return token->present ? CKR_OK : CKR_TOKEN_NOT_PRESENT;
}

CK_RV slot_find_token_locked(struct module *m, CK_SLOT_ID id, struct reader **reader,
			     struct token **token)
{
	CK_RV rv = slot_find_locked(m, id, reader, token);

	if (rv == CKR_OK)
		rv = slot_check_token_locked(m, *reader, *token);
	return rv;
}

void slot_get_token_info_locked(struct module *m, const struct reader *reader,
				const struct token *token, CK_TOKEN_INFO *info)
{
	CK_ULONG sessions, rw_sessions;

	session_count_locked(&m->sessions, token->id, &sessions, &rw_sessions);
	token_fill_info(token, reader->kind, reader->serial, sessions, rw_sessions, info);
}

bool slot_next_event_locked(struct module *m, CK_SLOT_ID *slot)
{
	struct token *t;
	size_t i, k;

	for (i = 0; i < m->slots.count; i++)
		for (k = 0; k < TOKEN_KIND_COUNT; k++) {
			t = &m->slots.readers[i]->tokens[k];
			if (t->exposed && t->event) {
				t->event = false;
				*slot = t->id;
				return true;
			}
		}
	return false;
}
