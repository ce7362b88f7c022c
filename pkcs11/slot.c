/* Slots: see slot.h. */
#include "slot.h"

#include <stdlib.h>

void slot_table_init(struct slot_table *table)
{
	table->slots = NULL;
	table->count = 0;
}

void slot_table_free(struct slot_table *table)
{
	free(table->slots);
	slot_table_init(table);
}

void slot_table_forget(struct slot_table *table)
{
	/* Slots hold no reader or card handle yet: the memory is all there is. */
	free(table->slots);
	slot_table_init(table);
}

CK_RV slot_list_locked(const struct slot_table *table, bool token_present, CK_SLOT_ID *list,
		       CK_ULONG *count)
{
	CK_ULONG wanted = 0, i = 0;
	size_t k;
	CK_RV rv = CKR_OK;

	for (k = 0; k < table->count; k++)
		if (!token_present || table->slots[k].token_present)
			wanted++;
	if (list != NULL && *count < wanted) {
		rv = CKR_BUFFER_TOO_SMALL;
		goto out;
	}
	for (k = 0; list != NULL && k < table->count; k++)
		if (!token_present || table->slots[k].token_present)
			list[i++] = table->slots[k].id;
out:
	*count = wanted;
	return rv;
}

CK_RV slot_find_locked(struct slot_table *table, CK_SLOT_ID id, struct slot **slot)
{
	CK_RV rv = CKR_SLOT_ID_INVALID;
	size_t k;

	*slot = NULL;
	for (k = 0; k < table->count && rv != CKR_OK; k++) {
		if (table->slots[k].id == id) {
			*slot = &table->slots[k];
			rv = CKR_OK;
		}
	}
	return rv;
}
