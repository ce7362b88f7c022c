/* What an entry point that takes a session handle needs, found in one step:
 * the session, its slot's reader and token, the card checked for changes.
 * A struct call exists only while the module lock is held (module.c): the
 * functions that take one need the lock and do not say so in their names. */
#ifndef JPKI_P11_CALL_H
#define JPKI_P11_CALL_H

#include <stdbool.h>

#include "module.h"

struct call {
	struct module *m;
	struct session *session;
	struct reader *reader;
	struct token *token;
};

/* call_session_locked: looks up the session and polls its card (no APDU).
 * A card that left or changed closes the token's sessions.
 * Errors: CKR_SESSION_HANDLE_INVALID, CKR_DEVICE_REMOVED (the card left:
 * the session is closed now). */
CK_RV call_session_locked(struct module *m, CK_SESSION_HANDLE handle, struct call *call);

/* call_logged_in: whether the token is logged in: the module's state and the
 * card layer's belief both (a 6982 or a reset drops the belief, and with it
 * the login; the module never logs in again by itself). */
bool call_logged_in(struct call *call);

/* call_card_error: the CKR_ code of a card error, after the module state
 * caught up with it (a card gone or reset closes the token's sessions:
 * call->session is then NULL). */
CK_RV call_card_error(struct call *call, enum card_error err);

/* call_object: the object with this handle as the session sees it, or NULL
 * (none, or a private object while the token is not logged in). */
struct object *call_object(struct call *call, CK_OBJECT_HANDLE handle);

/* call_read_pending: reads the certificate of a pending object from the card
 * and completes the object (object_complete).  After an error o may be gone
 * (a removal frees the objects) and so may call->session.  Errors:
 * CKR_DEVICE_REMOVED (the card left or was reset), CKR_HOST_MEMORY,
 * CKR_DEVICE_ERROR (anything else the card or the certificate did). */
CK_RV call_read_pending(struct call *call, struct object *o);

#endif
