/* The one copy-out helper behind C_GetAttributeValue (pkcs11/attr.c), on
 * each path of PKCS#11 3.0 section 5.7: value copied, length query, buffer
 * too small, exact fit, unknown type, sensitive attribute, several entries
 * failing differently in one call, and template matching. */
#include <string.h>

#include "attr.h"
#include "tap.h"

static void build(struct attr_list *list)
{
	static const char label[] = "Key";

	memset(list, 0, sizeof(*list));
	attr_add_ulong(list, CKA_CLASS, CKO_PRIVATE_KEY);
	attr_add(list, CKA_LABEL, label, 3);
	attr_add(list, CKA_ID, NULL, 0);
	attr_add_bool(list, CKA_SIGN, true);
	attr_add_sensitive(list, CKA_PRIVATE_EXPONENT);
	tap_ok(!list->failed && list->count == 5, "list built");
}

static void test_single_paths(const struct attr_list *list)
{
	char buf[8];
	CK_ATTRIBUTE a = {CKA_LABEL, NULL, 99};

	tap_is_int(attr_copy_out(list, &a, 1), CKR_OK, "NULL pValue: length query");
	tap_is_int(a.ulValueLen, 3, "... length 3");
	memset(buf, 'x', sizeof(buf));
	a = (CK_ATTRIBUTE){CKA_LABEL, buf, sizeof(buf)};
	tap_is_int(attr_copy_out(list, &a, 1), CKR_OK, "large buffer: copied");
	tap_is_int(a.ulValueLen, 3, "... length set to the value's");
	tap_ok(memcmp(buf, "Keyxx", 5) == 0, "... value copied, nothing past it");
	a = (CK_ATTRIBUTE){CKA_LABEL, buf, 3};
	tap_is_int(attr_copy_out(list, &a, 1), CKR_OK, "exact fit");
	memset(buf, 'x', sizeof(buf));
	a = (CK_ATTRIBUTE){CKA_LABEL, buf, 2};
	tap_is_int(attr_copy_out(list, &a, 1), CKR_BUFFER_TOO_SMALL, "small buffer");
	tap_ok(a.ulValueLen == CK_UNAVAILABLE_INFORMATION, "... length unavailable");
	tap_ok(buf[0] == 'x', "... nothing written");
	a = (CK_ATTRIBUTE){CKA_MODULUS, buf, sizeof(buf)};
	tap_is_int(attr_copy_out(list, &a, 1), CKR_ATTRIBUTE_TYPE_INVALID, "absent type");
	tap_ok(a.ulValueLen == CK_UNAVAILABLE_INFORMATION, "... length unavailable");
	a = (CK_ATTRIBUTE){CKA_PRIVATE_EXPONENT, NULL, 0};
	tap_is_int(attr_copy_out(list, &a, 1), CKR_ATTRIBUTE_SENSITIVE, "sensitive, length query");
	tap_ok(a.ulValueLen == CK_UNAVAILABLE_INFORMATION, "... length unavailable");
	a = (CK_ATTRIBUTE){CKA_PRIVATE_EXPONENT, buf, sizeof(buf)};
	tap_is_int(attr_copy_out(list, &a, 1), CKR_ATTRIBUTE_SENSITIVE, "sensitive with buffer");
	a = (CK_ATTRIBUTE){CKA_ID, buf, 0};
	tap_is_int(attr_copy_out(list, &a, 1), CKR_OK, "empty value into a 0-byte buffer");
	tap_is_int(a.ulValueLen, 0, "... length 0");
	tap_is_int(attr_copy_out(list, NULL, 0), CKR_OK, "empty template");
}

static void test_mixed(const struct attr_list *list)
{
	CK_OBJECT_CLASS cls = 77;
	CK_BBOOL sign = CK_FALSE;
	char small[1];
	CK_ATTRIBUTE t[] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_LABEL, small, sizeof(small)},
		{CKA_VALUE, NULL, 0},
		{CKA_SIGN, &sign, sizeof(sign)},
		{CKA_PRIVATE_EXPONENT, NULL, 0},
	};

	/* Spec: every entry is processed; any one of the errors may be returned. */
	tap_is_int(attr_copy_out(list, t, 5), CKR_ATTRIBUTE_SENSITIVE,
		   "mixed template: the sensitive error wins");
	tap_is_int(cls, CKO_PRIVATE_KEY, "... the class was still copied");
	tap_ok(t[1].ulValueLen == CK_UNAVAILABLE_INFORMATION, "... small buffer unavailable");
	tap_ok(t[2].ulValueLen == CK_UNAVAILABLE_INFORMATION, "... absent type unavailable");
	tap_ok(sign == CK_TRUE && t[3].ulValueLen == 1, "... the entry after them copied");
	tap_ok(t[4].ulValueLen == CK_UNAVAILABLE_INFORMATION, "... sensitive unavailable");
	t[4].type = CKA_LABEL;
	t[4].ulValueLen = 0;
	t[4].pValue = NULL;
	t[1].ulValueLen = sizeof(small); /* the caller's capacity again */
	tap_is_int(attr_copy_out(list, t, 5), CKR_ATTRIBUTE_TYPE_INVALID,
		   "without it: the absent type wins over the small buffer");
	t[2].type = CKA_ID;
	t[2].ulValueLen = 0;
	t[1].ulValueLen = sizeof(small);
	tap_is_int(attr_copy_out(list, t, 5), CKR_BUFFER_TOO_SMALL, "then the small buffer");
}

static void test_match(const struct attr_list *list)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY, other = CKO_CERTIFICATE;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_SIGN, &yes, sizeof(yes)}};
	CK_ATTRIBUTE wrong = {CKA_CLASS, &other, sizeof(other)};
	char ke[] = "Ke";
	CK_ATTRIBUTE short_len = {CKA_LABEL, ke, 2};
	CK_ATTRIBUTE secret = {CKA_PRIVATE_EXPONENT, NULL, 0};
	CK_ATTRIBUTE empty = {CKA_ID, NULL, 0};

	tap_ok(attr_match(list, NULL, 0), "empty template matches");
	tap_ok(attr_match(list, t, 2), "class and CKA_SIGN match");
	tap_ok(!attr_match(list, &wrong, 1), "other class does not");
	tap_ok(!attr_match(list, &short_len, 1), "a prefix of the label does not");
	tap_ok(!attr_match(list, &secret, 1), "a sensitive attribute never matches");
	tap_ok(attr_match(list, &empty, 1), "an empty value matches an empty value");
}

int main(void)
{
	struct attr_list list;

	build(&list);
	test_single_paths(&list);
	test_mixed(&list);
	test_match(&list);
	attr_list_free(&list);
	tap_ok(list.count == 0 && list.items == NULL, "freed");
	return tap_done();
}
