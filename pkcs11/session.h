/* Sessions: the table of open sessions, looked up by handle.
 *
 * Sessions are opened on slots; while the module has no slots the table
 * stays empty and every handle is invalid. */
#ifndef JPKI_P11_SESSION_H
#define JPKI_P11_SESSION_H

#include <stddef.h>

#include "pkcs11.h"

struct session {
	CK_SESSION_HANDLE handle; /* never CK_INVALID_HANDLE */
	CK_SLOT_ID slot_id;
	CK_FLAGS flags; /* CKF_SERIAL_SESSION, CKF_RW_SESSION */
};

struct session_table {
	struct session *sessions;
	size_t count;
};

/* session_table_init: makes an empty table. */
void session_table_init(struct session_table *table);

/* session_table_free: closes every session and frees the table.  Never calls
 * libcrypto (C_Finalize and C_CloseAllSessions may run after libcrypto's exit
 * handlers), so operation state must not own libcrypto objects past the call
 * that created them. */
void session_table_free(struct session_table *table);

/* session_find_locked: finds the open session with this handle.
 * Errors: CKR_SESSION_HANDLE_INVALID. */
CK_RV session_find_locked(struct session_table *table, CK_SESSION_HANDLE handle,
			  struct session **session);

#endif
