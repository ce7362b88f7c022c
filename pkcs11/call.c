/* Session-based calls: see call.h. */
#include "call.h"

#include <stdlib.h>

CK_RV call_session_locked(struct module *m, CK_SESSION_HANDLE handle, struct call *call)
{
	CK_SLOT_ID slot_id;
	CK_RV rv;

	call->m = m;
	call->reader = NULL;
	call->token = NULL;
	rv = session_find_locked(&m->sessions, handle, &call->session);
	if (rv != CKR_OK)
		goto out;
	slot_id = call->session->slot_id;
	rv = slot_find_locked(m, slot_id, &call->reader, &call->token);
	if (rv != CKR_OK) { /* cannot happen: sessions exist only on valid slots */
		rv = CKR_GENERAL_ERROR;
		goto out;
	}
	if (slot_poll_locked(m, call->reader) || !call->token->present) {
		/* The poll closed the sessions of the card that left. */
		session_close_slot_locked(&m->sessions, slot_id);
		call->session = NULL;
		rv = CKR_DEVICE_REMOVED;
	}
out:
	return rv;
}

bool call_logged_in(struct call *call)
{
	struct token *t = call->token;

	if (t->logged_in && !jpki_is_verified(call->reader->card, token_pin(t->kind))) {
		log_printf(&call->m->log, LOG_WARN, "%s token: the card forgot the PIN: logged out",
			   token_short_name(t->kind));
		t->logged_in = false;
		session_end_sign_slot_locked(&call->m->sessions, t->id);
	}
	return t->logged_in;
}

CK_RV call_card_error(struct call *call, enum card_error err)
{
	CK_RV rv = slot_card_error_locked(call->m, call->reader, err);

	if (rv == CKR_DEVICE_REMOVED)
		call->session = NULL; /* closed with the token's other sessions */
	else
		call_logged_in(call); /* a 6982 or a failed VERIFY cleared the PIN */
	return rv;
}

struct object *call_object(struct call *call, CK_OBJECT_HANDLE handle)
{
	struct object *o = object_find(&call->token->objects, handle);

	if (o != NULL && o->private && !call_logged_in(call))
		o = NULL;
	return o;
}

/* A card error gives what the spec lists for C_GetAttributeValue and
 * C_FindObjectsInit (section 5.7): CKR_DEVICE_REMOVED when the card left or
 * was reset (the token's sessions are closed, as for any card call),
 * CKR_HOST_MEMORY, and CKR_DEVICE_ERROR for anything else the card or its
 * answer did (a refused read, a certificate that does not parse). */
CK_RV call_read_pending(struct call *call, struct object *o)
{
	enum card_error err;
	uint8_t *der = NULL;
	size_t len = 0;
	CK_RV rv;

	err = jpki_read_cert(call->reader->card, o->cert, &der, &len);
	if (err != CARD_OK) {
		rv = call_card_error(call, err);
		if (rv != CKR_DEVICE_REMOVED && rv != CKR_HOST_MEMORY)
			rv = CKR_DEVICE_ERROR;
		goto out;
	}
	rv = object_complete(o, der, len);
	if (rv == CKR_GENERAL_ERROR)
		rv = CKR_DEVICE_ERROR; /* the certificate lacks what the schema needs */
out:
	free(der);
	return rv;
}
