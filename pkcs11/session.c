/* Sessions: see session.h.  The table first, then the work of the entry
 * points of p11-session.c, which also needs the slots (the login is the
 * token's). */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "call.h"

void session_table_init(struct session_table *table)
{
	table->sessions = NULL;
	table->count = 0;
	table->next_handle = 1;
}

void session_end_sign(struct session *session)
{
	free(session->sign.data);
	memset(&session->sign, 0, sizeof(session->sign));
}

void session_end_find(struct session *session)
{
	free(session->find.handles);
	memset(&session->find, 0, sizeof(session->find));
}

static void session_release(struct session *session)
{
	session_end_sign(session);
	session_end_find(session);
}

void session_table_free(struct session_table *table)
{
	size_t k;

	for (k = 0; k < table->count; k++)
		session_release(&table->sessions[k]);
	free(table->sessions);
	table->sessions = NULL;
	table->count = 0;
}

CK_RV session_open_locked(struct session_table *table, CK_SLOT_ID slot_id, CK_FLAGS flags,
			  CK_SESSION_HANDLE *handle)
{
	struct session *grown, *s;

	grown = realloc(table->sessions, (table->count + 1) * sizeof(*grown));
	if (grown == NULL)
		return CKR_HOST_MEMORY;
	table->sessions = grown;
	s = &table->sessions[table->count++];
	memset(s, 0, sizeof(*s));
	if (table->next_handle == CK_INVALID_HANDLE)
		table->next_handle++;
	s->handle = table->next_handle++;
	s->slot_id = slot_id;
	s->flags = flags;
	*handle = s->handle;
	return CKR_OK;
}

CK_RV session_find_locked(struct session_table *table, CK_SESSION_HANDLE handle,
			  struct session **session)
{
	CK_RV rv = CKR_SESSION_HANDLE_INVALID;
	size_t k;

	*session = NULL;
	for (k = 0; handle != CK_INVALID_HANDLE && k < table->count && rv != CKR_OK; k++) {
		if (table->sessions[k].handle == handle) {
			*session = &table->sessions[k];
			rv = CKR_OK;
		}
	}
	return rv;
}

/* session_remove: closes the session at index k, keeping the order. */
static void session_remove(struct session_table *table, size_t k)
{
	session_release(&table->sessions[k]);
	memmove(&table->sessions[k], &table->sessions[k + 1],
		(table->count - k - 1) * sizeof(table->sessions[0]));
	table->count--;
}

void session_close_locked(struct session_table *table, CK_SESSION_HANDLE handle)
{
	size_t k;

	for (k = 0; k < table->count; k++) {
		if (table->sessions[k].handle == handle) {
			session_remove(table, k);
			break;
		}
	}
}

void session_close_slot_locked(struct session_table *table, CK_SLOT_ID slot_id)
{
	size_t k = 0;

	while (k < table->count) {
		if (table->sessions[k].slot_id == slot_id)
			session_remove(table, k);
		else
			k++;
	}
}

void session_count_locked(const struct session_table *table, CK_SLOT_ID slot_id, CK_ULONG *all,
			  CK_ULONG *rw)
{
	size_t k;

	*all = 0;
	*rw = 0;
	for (k = 0; k < table->count; k++) {
		if (table->sessions[k].slot_id != slot_id)
			continue;
		(*all)++;
		if (table->sessions[k].flags & CKF_RW_SESSION)
			(*rw)++;
	}
}

void session_end_sign_slot_locked(struct session_table *table, CK_SLOT_ID slot_id)
{
	size_t k;

	for (k = 0; k < table->count; k++)
		if (table->sessions[k].slot_id == slot_id)
			session_end_sign(&table->sessions[k]);
}

void session_close_one_locked(struct module *m, struct session *session)
{
	struct reader *reader;
	struct token *token;
	CK_SLOT_ID slot_id = session->slot_id;
	CK_ULONG left, rw;

	session_close_locked(&m->sessions, session->handle);
	session_count_locked(&m->sessions, slot_id, &left, &rw);
	/* Closing the token's last session logs it out (spec 3.0 5.6.2). */
	if (left == 0 && slot_find_locked(m, slot_id, &reader, &token) == CKR_OK)
		slot_logout_locked(m, reader, token);
}

void session_close_all_locked(struct module *m, struct reader *reader, struct token *token)
{
	/* Closing the last session logs the token out (spec 5.6). */
	session_close_slot_locked(&m->sessions, token->id);
	slot_logout_locked(m, reader, token);
}

void session_get_info(struct call *call, CK_SESSION_INFO *info)
{
	bool rw = (call->session->flags & CKF_RW_SESSION) != 0;

	info->slotID = call->session->slot_id;
	if (call_logged_in(call))
		info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	else
		info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	info->flags = call->session->flags;
	info->ulDeviceError = 0;
}
