/* Sessions: the table of open sessions, looked up by handle, and the state
 * of the operations they run (find, sign).
 *
 * Operation state owns no libcrypto object: C_CloseSession,
 * C_CloseAllSessions and C_Finalize free it with plain free(), because
 * OpenSSL consumers call them from exit handlers after libcrypto is gone. */
#ifndef JPKI_P11_SESSION_H
#define JPKI_P11_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jpki.h"
#include "pkcs11.h"

struct sign_op {
	bool active;
	CK_MECHANISM_TYPE mechanism;
	CK_OBJECT_HANDLE key;
	enum jpki_key card_key;
	bool always_authenticate; /* the key wants CKU_CONTEXT_SPECIFIC ... */
	bool context_login;	  /* ... and it was given */
	bool multipart;		  /* C_SignUpdate was called */
	uint8_t *data;		  /* the message so far (hashed at the end) */
	size_t len, cap;
};

struct find_op {
	bool active;
	CK_OBJECT_HANDLE *handles; /* matches, found at C_FindObjectsInit */
	size_t count, next;
};

struct session {
	CK_SESSION_HANDLE handle; /* never CK_INVALID_HANDLE, never reused */
	CK_SLOT_ID slot_id;
	CK_FLAGS flags; /* CKF_SERIAL_SESSION, CKF_RW_SESSION */
	struct find_op find;
	struct sign_op sign;
};

struct session_table {
	struct session *sessions;
	size_t count;
	CK_SESSION_HANDLE next_handle;
};

/* session_table_init: makes an empty table. */
void session_table_init(struct session_table *table);

/* session_table_free: closes every session and frees the table; plain
 * free(), never libcrypto. */
void session_table_free(struct session_table *table);

/* session_open_locked: a new session on the slot.
 * Errors: CKR_HOST_MEMORY. */
CK_RV session_open_locked(struct session_table *table, CK_SLOT_ID slot_id, CK_FLAGS flags,
			  CK_SESSION_HANDLE *handle);

/* session_find_locked: finds the open session with this handle.
 * Errors: CKR_SESSION_HANDLE_INVALID. */
CK_RV session_find_locked(struct session_table *table, CK_SESSION_HANDLE handle,
			  struct session **session);

/* session_close_locked: closes one session (operations end). */
void session_close_locked(struct session_table *table, CK_SESSION_HANDLE handle);

/* session_close_slot_locked: closes every session of the slot. */
void session_close_slot_locked(struct session_table *table, CK_SLOT_ID slot_id);

/* session_count_locked: the number of sessions on the slot, and of RW ones. */
void session_count_locked(const struct session_table *table, CK_SLOT_ID slot_id, CK_ULONG *all,
			  CK_ULONG *rw);

/* session_end_sign / session_end_find: end the operation, freeing its state. */
void session_end_sign(struct session *session);
void session_end_find(struct session *session);

/* session_end_sign_slot_locked: ends the signing operations of the slot's
 * sessions (after a logout: the keys are private objects). */
void session_end_sign_slot_locked(struct session_table *table, CK_SLOT_ID slot_id);

/* The entry points' work (p11-session.c), after their lookup. */
struct call;
struct module;
struct reader;
struct token;

/* session_close_one_locked: C_CloseSession: closes the session; the token's
 * last session closed logs the token out (slot_logout_locked). */
void session_close_one_locked(struct module *m, struct session *session);

/* session_close_all_locked: C_CloseAllSessions: closes the slot's sessions
 * and logs its token out. */
void session_close_all_locked(struct module *m, struct reader *reader, struct token *token);

/* session_get_info: C_GetSessionInfo: the slot, the state (CKS_*, from the
 * token's login: call_logged_in), the flags; no device error. */
void session_get_info(struct call *call, CK_SESSION_INFO *info);

#endif
