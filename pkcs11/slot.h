/* Slots: each PC/SC reader gives two slots, the authentication token and
 * the signature token, with IDs that stay the same for
 * a reader name while the module is loaded: reader n has slots 2n (auth) and
 * 2n+1 (sign).  A reader that goes away keeps its slots, empty; the settings
 * may hide one of the two tokens (its slot ID is then invalid). */
#ifndef JPKI_P11_SLOT_H
#define JPKI_P11_SLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "jpki.h"
#include "pkcs11.h"
#include "token.h"

struct reader {
	char *name;
	struct jpki_card *card;
	bool seen;    /* polled once: later changes are slot events */
	bool read;    /* the card of this insertion was examined (JPKI or not) */
	bool jpki;    /* ... and it is a JPKI card whose tokens are present */
	bool missing; /* the reader was not listed at the last refresh */
	enum jpki_kind kind;
	bool no_sign; /* the card carries no signature certificate: no signature token */
	char serial[TOKEN_SERIAL_LEN + 1];
	struct token tokens[TOKEN_KIND_COUNT];
};

struct slot_table {
	struct reader **readers;
	size_t count;
};

struct module;

/* slot_table_init: makes an empty table. */
void slot_table_init(struct slot_table *table);

/* slot_table_free: disconnects every card and frees the table.  Never calls
 * libcrypto (C_Finalize may run after libcrypto's exit handlers). */
void slot_table_free(struct slot_table *table);

/* slot_table_forget: in a child after fork(), frees this process's memory
 * without touching the card connections (they belong to the parent's PC/SC
 * context): the card contexts are moved to the list *kept, to stay reachable
 * and never be used. */
void slot_table_forget(struct slot_table *table, struct slot_table *kept);

/* slot_refresh_locked: with list_readers, adds readers that appeared (and
 * marks vanished ones); then polls every reader (no APDU unless a card was
 * inserted, which is then read once).  Never fails: readers that cannot be
 * polled read as empty. */
void slot_refresh_locked(struct module *m, bool list_readers);

/* slot_list_locked: C_GetSlotList's two-call convention over the table,
 * after a refresh (slot_refresh_locked; new readers are listed only when
 * list is NULL or no reader is known yet).
 * Errors: CKR_BUFFER_TOO_SMALL (*count set to the number needed). */
CK_RV slot_list_locked(struct module *m, bool token_present, CK_SLOT_ID *list, CK_ULONG *count);

/* slot_find_locked: the reader and token of a slot ID.  Errors: CKR_SLOT_ID_INVALID. */
CK_RV slot_find_locked(struct module *m, CK_SLOT_ID id, struct reader **reader,
		       struct token **token);

/* slot_check_token_locked: polls the reader (slot_poll_locked) for a call
 * that needs the slot's token.  Errors: CKR_TOKEN_NOT_PRESENT. */
CK_RV slot_check_token_locked(struct module *m, struct reader *reader, const struct token *token);

/* slot_find_token_locked: slot_find_locked, then slot_check_token_locked.
 * Errors: CKR_SLOT_ID_INVALID, CKR_TOKEN_NOT_PRESENT. */
CK_RV slot_find_token_locked(struct module *m, CK_SLOT_ID id, struct reader **reader,
			     struct token **token);

/* slot_get_info_locked: C_GetSlotInfo for a token's slot, after a poll. */
void slot_get_info_locked(struct module *m, struct reader *reader, const struct token *token,
			  CK_SLOT_INFO *info);

/* slot_get_token_info_locked: C_GetTokenInfo for a present token, with its
 * session counts; sends nothing. */
void slot_get_token_info_locked(struct module *m, const struct reader *reader,
				const struct token *token, CK_TOKEN_INFO *info);

/* slot_next_event_locked: the first exposed slot with an event not reported
 * yet (C_WaitForSlotEvent), its event then cleared; false when none. */
bool slot_next_event_locked(struct module *m, CK_SLOT_ID *slot);

/* slot_poll_locked: asks PC/SC (no APDU) whether the reader's card changed;
 * on a change closes the sessions of its tokens and forgets them, on an
 * insertion reads the new card.  Returns true when the card the tokens knew
 * is gone (the caller's session then is too). */
bool slot_poll_locked(struct module *m, struct reader *reader);

/* slot_card_error_locked: the one path of a failed card call on a token in
 * use: err as the token sees it (ckr_token_error); when that means the card
 * is gone or was reset, closes the sessions of both tokens and logs them out
 * (a removal also forgets the objects).  Returns the CKR_ code (ckr-map.h),
 * CKR_DEVICE_REMOVED exactly when the card is gone. */
CK_RV slot_card_error_locked(struct module *m, struct reader *reader, enum card_error err);

/* slot_login_read_locked: after a login to the signature token, reads the
 * certificate the password unlocked and builds its objects (once per
 * insertion).  Errors: those of the card (ckr-map.h), of object_build. */
CK_RV slot_login_read_locked(struct module *m, struct reader *reader, struct token *token);

/* slot_logout_locked: logs the token out (C_Logout, or its last session
 * closed): the login and the card layer's belief dropped, signing ended.
 * Sends nothing and calls no libcrypto. */
void slot_logout_locked(struct module *m, struct reader *reader, struct token *token);

#endif
