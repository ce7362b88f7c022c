/* The JPKI objects of a token, built once per card insertion from one table
 * ({class, label, certificate, key, CKA_ID, private?}) and checked against
 * per-class schemas; C_GetAttributeValue and C_FindObjects are generic code
 * over the resulting attribute lists (attr.h). */
#ifndef JPKI_P11_OBJECT_H
#define JPKI_P11_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "jpki.h"
#include "pkcs11.h"

enum token_kind {
	TOKEN_AUTH, /* 利用者証明用: auth certificate and key, auth CA, 4-digit PIN */
	TOKEN_SIGN, /* 署名用: sign certificate and key, sign CA, 6-16 char password */
	TOKEN_KIND_COUNT
};

struct object {
	CK_OBJECT_HANDLE handle; /* unique while the module is loaded */
	size_t row;		 /* of the object table */
	CK_OBJECT_CLASS class;
	bool private;	   /* CKA_PRIVATE: visible only after a login */
	enum jpki_key key; /* private keys: the card key */
	/* A CA certificate built from the table alone: the attributes that come
	 * from its DER (object_cert_types) are added when first needed. */
	bool pending;
	enum jpki_cert cert; /* the certificate a pending object waits for */
	struct attr_list attrs;
};

struct object_set {
	struct object *items;
	size_t count;
};

/* The certificates a build can use: NULL where not (yet) read. */
struct object_certs {
	uint8_t *der[JPKI_CERT_COUNT];
	size_t len[JPKI_CERT_COUNT];
};

/* object_build: adds to set every object of the token whose certificate is
 * in certs and that the set does not hold yet (so a second call after the
 * signature password adds the sign certificate and its keys).  A CA
 * certificate missing from certs is built pending: from the table, without
 * the attributes its DER gives (read only when asked: object_needs_cert).
 * Handles come from *next_handle.  Parses certificates with OpenSSL: call it when the
 * token is read, never from a close or finalize path.
 * Errors: CKR_HOST_MEMORY, CKR_DEVICE_ERROR (a certificate does not parse or
 * is not RSA), CKR_GENERAL_ERROR (an object misses an attribute of its schema). */
CK_RV object_build(struct object_set *set, enum token_kind token, const struct object_certs *certs,
		   bool sign_always_authenticate, CK_OBJECT_HANDLE *next_handle);

/* object_needs_cert: whether the object is pending and the template names
 * an attribute that comes from its certificate's DER. */
bool object_needs_cert(const struct object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* object_may_match: attr_match over what is known: a pending object's
 * missing DER attributes are not compared (object_needs_cert then says
 * whether the certificate must be read to decide). */
bool object_may_match(const struct object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* object_complete: adds a pending certificate object's DER attributes, once
 * (CKA_VALUE, CKA_SUBJECT, ...).  Parses with OpenSSL.  On failure the object
 * stays pending and unchanged.  Errors: CKR_DEVICE_ERROR (the DER does not
 * parse), CKR_HOST_MEMORY, CKR_GENERAL_ERROR (schema). */
CK_RV object_complete(struct object *o, const uint8_t *der, size_t len);

/* object_needs_login: whether the token has objects that can only be built
 * after its PIN was verified (the signature certificate and its keys). */
bool object_needs_login(enum token_kind token, const struct object_set *set);

/* object_find: the object with this handle in the set, or NULL. */
struct object *object_find(const struct object_set *set, CK_OBJECT_HANDLE handle);

/* object_set_free: frees every object; plain free(), no libcrypto. */
void object_set_free(struct object_set *set);

/* The object calls by handle, after the entry points' argument checks and
 * session lookup (p11-object.c, p11-write.c).  A handle names an object the
 * session sees (call_object): a private object while the token is logged
 * out is CKR_OBJECT_HANDLE_INVALID, as an unknown handle (spec 3.0 5.6.4,
 * C_Logout: the handles to private objects become invalid). */
struct call;

/* object_get_size: C_GetObjectSize: always CK_UNAVAILABLE_INFORMATION.
 * Errors: CKR_OBJECT_HANDLE_INVALID. */
CK_RV object_get_size(struct call *call, CK_OBJECT_HANDLE handle, CK_ULONG *size);

/* object_get_attributes: C_GetAttributeValue (tmpl NULL only with count 0):
 * a pending certificate is read first when the template names what only its
 * DER gives (call_read_pending), then attr_copy_out.  Errors:
 * CKR_OBJECT_HANDLE_INVALID, those of call_read_pending and attr_copy_out. */
CK_RV object_get_attributes(struct call *call, CK_OBJECT_HANDLE handle, CK_ATTRIBUTE *tmpl,
			    CK_ULONG count);

/* object_refuse_change: C_CreateObject (has_object false), C_CopyObject,
 * C_DestroyObject, C_SetAttributeValue: the token is write-protected.
 * Errors: CKR_OBJECT_HANDLE_INVALID (the object), else always
 * CKR_TOKEN_WRITE_PROTECTED. */
CK_RV object_refuse_change(struct call *call, bool has_object, CK_OBJECT_HANDLE handle);

#endif
