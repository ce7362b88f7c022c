/* Object management entry points (spec 3.0 section 5.7) the token offers:
 * reading and finding.  Creating, copying, destroying and changing objects
 * are in p11-write.c.
 *
 * Private objects are invisible before a login: C_FindObjects skips them
 * and their handles read as CKR_OBJECT_HANDLE_INVALID.
 *
 * A CA certificate object is read from the card on the first call that
 * needs its DER (object.h, object_needs_cert).  A card error then gives what
 * the spec lists for these two functions (section 5.7): CKR_DEVICE_REMOVED
 * when the card left or was reset (the token's sessions are closed, as for
 * any card call), CKR_HOST_MEMORY, and CKR_DEVICE_ERROR for anything else
 * the card or its answer did (a refused read, a certificate that does not
 * parse). */
#include <stdlib.h>

#include "call.h"
#include "module.h"

/* read_pending: reads the certificate of a pending object and completes it.
 * After an error, o may be gone (a removal frees the objects) and so may
 * call->session. */
static CK_RV read_pending(struct call *call, struct object *o)
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

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pulSize == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK && call_object(&call, hObject) == NULL)
		rv = CKR_OBJECT_HANDLE_INVALID;
	if (rv == CKR_OK)
		*pulSize = CK_UNAVAILABLE_INFORMATION; /* the card's memory is not ours to count */
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	struct call call;
	struct object *o = NULL;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK) {
		o = call_object(&call, hObject);
		if (o == NULL)
			rv = CKR_OBJECT_HANDLE_INVALID;
	}
	if (rv == CKR_OK && object_needs_cert(o, pTemplate, ulCount))
		rv = read_pending(&call, o);
	if (rv == CKR_OK)
		rv = attr_copy_out(&o->attrs, pTemplate, ulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

/* find_init: the visible objects matching the template, in table order;
 * a pending certificate is read first when only its DER can decide. */
static CK_RV find_init(struct call *call, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	const struct object_set *set = &call->token->objects;
	struct find_op *find = &call->session->find;
	bool logged_in = call_logged_in(call);
	struct object *o;
	CK_RV rv;
	size_t i;

	if (find->active)
		return CKR_OPERATION_ACTIVE;
	for (i = 0; i < set->count; i++) {
		o = &set->items[i];
		if ((o->private && !logged_in) || !object_needs_cert(o, tmpl, count) ||
		    !object_may_match(o, tmpl, count))
			continue;
		rv = read_pending(call, o);
		if (rv != CKR_OK)
			return rv;
	}
	find->handles = calloc(set->count + 1, sizeof(CK_OBJECT_HANDLE));
	if (find->handles == NULL)
		return CKR_HOST_MEMORY;
	for (i = 0; i < set->count; i++) {
		if (set->items[i].private && !logged_in)
			continue;
		if (attr_match(&set->items[i].attrs, tmpl, count))
			find->handles[find->count++] = set->items[i].handle;
	}
	find->active = true;
	return CKR_OK;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	/* An empty template (NULL, 0) is valid: it matches every object. */
	if (pTemplate == NULL && ulCount != 0)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK)
		rv = find_init(&call, pTemplate, ulCount);
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct module *m;
	struct call call;
	struct find_op *find;
	CK_ULONG n = 0;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	if ((phObject == NULL && ulMaxObjectCount != 0) || pulObjectCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK && !call.session->find.active)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK) {
		find = &call.session->find;
		/* A logout since C_FindObjectsInit hides the private ones again. */
		while (n < ulMaxObjectCount && find->next < find->count) {
			CK_OBJECT_HANDLE h = find->handles[find->next++];

			if (call_object(&call, h) != NULL)
				phObject[n++] = h;
		}
		*pulObjectCount = n;
	}
	module_leave(m);
out:
	return module_return(__func__, rv);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct module *m;
	struct call call;
	CK_RV rv = module_enter(__func__, &m);

	if (rv != CKR_OK)
		goto out;
	rv = call_session_locked(m, hSession, &call);
	if (rv == CKR_OK && !call.session->find.active)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK)
		session_end_find(call.session);
	module_leave(m);
out:
	return module_return(__func__, rv);
}
