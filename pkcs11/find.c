/* Searches: see find.h.
 *
 * The matches are fixed at C_FindObjectsInit, in table order; C_FindObjects
 * hands them out, skipping those the session no longer sees. */
#include "find.h"

#include <stdlib.h>

CK_RV find_init(struct call *call, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
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
		rv = call_read_pending(call, o);
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

CK_RV find_next(struct call *call, CK_OBJECT_HANDLE *handles, CK_ULONG max, CK_ULONG *count)
{
	struct find_op *find = &call->session->find;
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;

	if (!find->active)
		return CKR_OPERATION_NOT_INITIALIZED;
	/* A logout since C_FindObjectsInit hides the private ones again. */
	while (n < max && find->next < find->count) {
		h = find->handles[find->next++];
		if (call_object(call, h) != NULL)
			handles[n++] = h;
	}
	*count = n;
	return CKR_OK;
}

CK_RV find_final(struct call *call)
{
	if (!call->session->find.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	session_end_find(call->session);
	return CKR_OK;
}
