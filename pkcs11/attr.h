/* Attribute lists: an object's attributes as (type, value) pairs, built once
 * when the token is read, and the two generic operations PKCS#11 needs on
 * them: copying out (C_GetAttributeValue) and template matching
 * (C_FindObjectsInit). */
#ifndef JPKI_P11_ATTR_H
#define JPKI_P11_ATTR_H

#include <stdbool.h>
#include <stddef.h>

#include "pkcs11.h"

struct attr {
	CK_ATTRIBUTE_TYPE type;
	void *value; /* malloc'ed, NULL when len is 0 or the attribute is sensitive */
	CK_ULONG len;
	bool sensitive; /* exists but is never revealed (a private key's secret parts) */
};

struct attr_list {
	struct attr *items;
	size_t count, cap;
	bool failed; /* an allocation failed while adding: the list is unusable */
};

/* attr_add: appends a copy of value[0..len).  On failure sets list->failed. */
void attr_add(struct attr_list *list, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len);
void attr_add_bool(struct attr_list *list, CK_ATTRIBUTE_TYPE type, bool value);
void attr_add_ulong(struct attr_list *list, CK_ATTRIBUTE_TYPE type, CK_ULONG value);
void attr_add_sensitive(struct attr_list *list, CK_ATTRIBUTE_TYPE type);

/* attr_find: the attribute of this type, or NULL. */
const struct attr *attr_find(const struct attr_list *list, CK_ATTRIBUTE_TYPE type);

/* attr_get_bool: the CK_BBOOL attribute's value; fallback when absent. */
bool attr_get_bool(const struct attr_list *list, CK_ATTRIBUTE_TYPE type, bool fallback);

/* attr_copy_out: C_GetAttributeValue's rules (PKCS#11 3.0 section 5.7) for
 * every entry of the template, each processed independently:
 * sensitive -> ulValueLen = CK_UNAVAILABLE_INFORMATION, CKR_ATTRIBUTE_SENSITIVE;
 * absent -> ulValueLen = CK_UNAVAILABLE_INFORMATION, CKR_ATTRIBUTE_TYPE_INVALID;
 * pValue NULL -> ulValueLen = the length;
 * ulValueLen large enough -> value copied, ulValueLen = the length;
 * otherwise ulValueLen = CK_UNAVAILABLE_INFORMATION, CKR_BUFFER_TOO_SMALL.
 * Returns CKR_OK or one of those errors (the spec lets any one of several
 * be returned; the first found in that order of severity is). */
CK_RV attr_copy_out(const struct attr_list *list, CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* attr_match: whether every template entry is present with an identical
 * value (an empty template matches everything; sensitive ones never match). */
bool attr_match(const struct attr_list *list, const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* attr_list_truncate: drops the attributes added after the first count
 * (and a failure while adding them). */
void attr_list_truncate(struct attr_list *list, size_t count);

/* attr_list_free: frees the values and the array; plain free(), no libcrypto. */
void attr_list_free(struct attr_list *list);

#endif
