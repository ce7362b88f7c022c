/* Slots: one per token a reader can hold (design.md section 3).
 *
 * The table is empty until the card layer is wired in: the module then has
 * no slots, and every slot ID is invalid. */
#ifndef JPKI_P11_SLOT_H
#define JPKI_P11_SLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "pkcs11.h"

struct slot {
	CK_SLOT_ID id;
	bool token_present;
};

struct slot_table {
	struct slot *slots;
	size_t count;
};

/* slot_table_init: makes an empty table. */
void slot_table_init(struct slot_table *table);

/* slot_table_free: frees the table and what its slots hold.  Never calls
 * libcrypto (C_Finalize may run after libcrypto's exit handlers). */
void slot_table_free(struct slot_table *table);

/* slot_table_forget: in a child after fork(), frees this process's copy of
 * the table without releasing what the slots refer to (reader and card
 * handles belong to the parent's PC/SC context). */
void slot_table_forget(struct slot_table *table);

/* slot_list_locked: C_GetSlotList's two-call convention over the table: with
 * list NULL, sets *count; otherwise copies the IDs if *count is large enough.
 * Errors: CKR_BUFFER_TOO_SMALL (*count set to the number needed). */
CK_RV slot_list_locked(const struct slot_table *table, bool token_present, CK_SLOT_ID *list,
		       CK_ULONG *count);

/* slot_find_locked: finds the slot with this ID.  Errors: CKR_SLOT_ID_INVALID. */
CK_RV slot_find_locked(struct slot_table *table, CK_SLOT_ID id, struct slot **slot);

#endif
