/* Sessions: see session.h. */
#include "session.h"

#include <stdlib.h>

void session_table_init(struct session_table *table)
{
	table->sessions = NULL;
	table->count = 0;
}

void session_table_free(struct session_table *table)
{
	free(table->sessions);
	session_table_init(table);
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
