/* Attribute lists: see attr.h. */
#include "attr.h"

#include <stdlib.h>
#include <string.h>

static struct attr *attr_append(struct attr_list *list, CK_ATTRIBUTE_TYPE type)
{
	struct attr *grown;
	size_t cap;

	if (list->failed)
		return NULL;
	if (list->count == list->cap) {
		cap = list->cap ? list->cap * 2 : 16;
		grown = realloc(list->items, cap * sizeof(*grown));
		if (grown == NULL) {
			list->failed = true;
			return NULL;
		}
		list->items = grown;
		list->cap = cap;
	}
	grown = &list->items[list->count++];
	memset(grown, 0, sizeof(*grown));
	grown->type = type;
	return grown;
}

void attr_add(struct attr_list *list, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len)
{
	struct attr *a = attr_append(list, type);

	if (a == NULL || len == 0)
		return;
	a->value = malloc(len);
	if (a->value == NULL) {
		list->failed = true;
		return;
	}
	memcpy(a->value, value, len);
	a->len = len;
}

void attr_add_bool(struct attr_list *list, CK_ATTRIBUTE_TYPE type, bool value)
{
	CK_BBOOL b = value ? CK_TRUE : CK_FALSE;

	attr_add(list, type, &b, sizeof(b));
}

void attr_add_ulong(struct attr_list *list, CK_ATTRIBUTE_TYPE type, CK_ULONG value)
{
	attr_add(list, type, &value, sizeof(value));
}

void attr_add_sensitive(struct attr_list *list, CK_ATTRIBUTE_TYPE type)
{
	struct attr *a = attr_append(list, type);

	if (a != NULL)
		a->sensitive = true;
}

const struct attr *attr_find(const struct attr_list *list, CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (list->items[i].type == type)
			return &list->items[i];
	return NULL;
}

bool attr_get_bool(const struct attr_list *list, CK_ATTRIBUTE_TYPE type, bool fallback)
{
	const struct attr *a = attr_find(list, type);

	if (a == NULL || a->len != sizeof(CK_BBOOL))
		return fallback;
	return *(const CK_BBOOL *)a->value != CK_FALSE;
}

/* copy_one: the rules for one template entry; CKR_OK or its error. */
static CK_RV copy_one(const struct attr_list *list, CK_ATTRIBUTE *entry)
{
	const struct attr *a = attr_find(list, entry->type);
	CK_RV rv = CKR_OK;

	if (a == NULL) {
		entry->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		rv = CKR_ATTRIBUTE_TYPE_INVALID;
	} else if (a->sensitive) {
		entry->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		rv = CKR_ATTRIBUTE_SENSITIVE;
	} else if (entry->pValue == NULL) {
		entry->ulValueLen = a->len;
	} else if (entry->ulValueLen >= a->len) {
		/* Compare the caller's capacity before overwriting it. */
		if (a->len > 0)
			memcpy(entry->pValue, a->value, a->len);
		entry->ulValueLen = a->len;
	} else {
		entry->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		rv = CKR_BUFFER_TOO_SMALL;
	}
	return rv;
}

/* severity: which error wins when several entries fail. */
static int severity(CK_RV rv)
{
	switch (rv) {
	case CKR_ATTRIBUTE_SENSITIVE:
		return 3;
	case CKR_ATTRIBUTE_TYPE_INVALID:
		return 2;
	case CKR_BUFFER_TOO_SMALL:
		return 1;
	default:
		return 0;
	}
}

CK_RV attr_copy_out(const struct attr_list *list, CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	CK_RV rv = CKR_OK, one;
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		one = copy_one(list, &tmpl[i]);
		if (severity(one) > severity(rv))
			rv = one;
	}
	return rv;
}

bool attr_match(const struct attr_list *list, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	const struct attr *a;
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		a = attr_find(list, tmpl[i].type);
		if (a == NULL || a->sensitive || a->len != tmpl[i].ulValueLen)
			return false;
		if (a->len > 0 &&
		    (tmpl[i].pValue == NULL || memcmp(a->value, tmpl[i].pValue, a->len)))
			return false;
	}
	return true;
}

void attr_list_truncate(struct attr_list *list, size_t count)
{
	while (list->count > count)
		free(list->items[--list->count].value);
	list->failed = false;
}

void attr_list_free(struct attr_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->items[i].value);
	free(list->items);
	memset(list, 0, sizeof(*list));
}
