/* The JPKI objects: see object.h.
 *
 * Every CKA_ID links a certificate to its keys: 01 authentication, 02
 * signature, 03 and 04 the CA certificates.  The sign certificate and its
 * public key are private objects because the card releases the certificate
 * only after the signature password (EF 0001).  Both tokens carry a profile
 * object (CKP_PUBLIC_CERTIFICATES_TOKEN) so that NSS finds the certificates
 * without a login.
 *
 * The CA certificates are read lazily: nothing at enumeration needs them (the
 * serial and the auth public key come from the auth certificate), and each
 * costs about 6 APDUs.  Their objects are built from the table, pending, and
 * get the attributes of their DER (object_cert_types) on the first
 * C_GetAttributeValue or C_FindObjectsInit that names one. */
#include "object.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cert.h"
#include "mech.h"

#define NO_CERT (-1)
#define NO_KEY	(-1)

struct object_desc {
	enum token_kind token;
	CK_OBJECT_CLASS class;
	int cert; /* enum jpki_cert the attributes come from, or NO_CERT */
	int key;  /* enum jpki_key of a private key, or NO_KEY */
	const char *label;
	uint8_t id;
	bool private;
	CK_CERTIFICATE_CATEGORY category; /* certificates */
};

static const struct object_desc object_table[] = {
	{TOKEN_AUTH, CKO_PROFILE, NO_CERT, NO_KEY, NULL, 0, false, 0},
	{TOKEN_AUTH, CKO_CERTIFICATE, JPKI_CERT_AUTH, NO_KEY, "User Authentication Certificate", 1,
	 false, CK_CERTIFICATE_CATEGORY_TOKEN_USER},
	{TOKEN_AUTH, CKO_PUBLIC_KEY, JPKI_CERT_AUTH, NO_KEY, "User Authentication Key", 1, false,
	 0},
	{TOKEN_AUTH, CKO_PRIVATE_KEY, JPKI_CERT_AUTH, JPKI_KEY_AUTH, "User Authentication Key", 1,
	 true, 0},
	{TOKEN_AUTH, CKO_CERTIFICATE, JPKI_CERT_AUTH_CA, NO_KEY, "User Authentication CA", 3, false,
	 CK_CERTIFICATE_CATEGORY_AUTHORITY},
	{TOKEN_SIGN, CKO_PROFILE, NO_CERT, NO_KEY, NULL, 0, false, 0},
	{TOKEN_SIGN, CKO_CERTIFICATE, JPKI_CERT_SIGN, NO_KEY, "Digital Signature Certificate", 2,
	 true, CK_CERTIFICATE_CATEGORY_TOKEN_USER},
	{TOKEN_SIGN, CKO_PUBLIC_KEY, JPKI_CERT_SIGN, NO_KEY, "Digital Signature Key", 2, true, 0},
	{TOKEN_SIGN, CKO_PRIVATE_KEY, JPKI_CERT_SIGN, JPKI_KEY_SIGN, "Digital Signature Key", 2,
	 true, 0},
	{TOKEN_SIGN, CKO_CERTIFICATE, JPKI_CERT_SIGN_CA, NO_KEY, "Digital Signature CA", 4, false,
	 CK_CERTIFICATE_CATEGORY_AUTHORITY},
};

#define OBJECT_ROWS (sizeof(object_table) / sizeof(object_table[0]))

/* The schemas: what every object of a class must carry. */
static const CK_ATTRIBUTE_TYPE schema_common[] = {CKA_CLASS, CKA_TOKEN, CKA_PRIVATE,
						  CKA_MODIFIABLE};
static const CK_ATTRIBUTE_TYPE schema_certificate[] = {
	CKA_LABEL,	CKA_ID,	      CKA_CERTIFICATE_TYPE, CKA_CERTIFICATE_CATEGORY,
	CKA_SUBJECT,	CKA_ISSUER,   CKA_SERIAL_NUMBER,    CKA_VALUE,
	CKA_START_DATE, CKA_END_DATE, CKA_CHECK_VALUE,	    CKA_PUBLIC_KEY_INFO,
	CKA_TRUSTED,
};
static const CK_ATTRIBUTE_TYPE schema_key[] = {
	CKA_LABEL,   CKA_ID,	       CKA_KEY_TYPE,	       CKA_SUBJECT,
	CKA_MODULUS, CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT,    CKA_PUBLIC_KEY_INFO,
	CKA_LOCAL,   CKA_DERIVE,       CKA_ALLOWED_MECHANISMS,
};
static const CK_ATTRIBUTE_TYPE schema_public_key[] = {CKA_VERIFY, CKA_ENCRYPT, CKA_WRAP,
						      CKA_VERIFY_RECOVER};
static const CK_ATTRIBUTE_TYPE schema_private_key[] = {
	CKA_SIGN,
	CKA_DECRYPT,
	CKA_SIGN_RECOVER,
	CKA_UNWRAP,
	CKA_SENSITIVE,
	CKA_EXTRACTABLE,
	CKA_ALWAYS_SENSITIVE,
	CKA_NEVER_EXTRACTABLE,
	CKA_ALWAYS_AUTHENTICATE,
};
static const CK_ATTRIBUTE_TYPE schema_profile[] = {CKA_PROFILE_ID};

#define SCHEMA(a) a, sizeof(a) / sizeof(a[0])

static const struct {
	CK_OBJECT_CLASS class;
	const CK_ATTRIBUTE_TYPE *types;
	size_t count;
} schemas[] = {
	{CKO_CERTIFICATE, SCHEMA(schema_certificate)}, {CKO_PUBLIC_KEY, SCHEMA(schema_key)},
	{CKO_PUBLIC_KEY, SCHEMA(schema_public_key)},   {CKO_PRIVATE_KEY, SCHEMA(schema_key)},
	{CKO_PRIVATE_KEY, SCHEMA(schema_private_key)}, {CKO_PROFILE, SCHEMA(schema_profile)},
};

/* The attributes of a certificate object that come from its DER: what a
 * pending object lacks. */
static const CK_ATTRIBUTE_TYPE object_cert_types[] = {
	CKA_SUBJECT,	CKA_ISSUER,   CKA_SERIAL_NUMBER, CKA_VALUE,
	CKA_START_DATE, CKA_END_DATE, CKA_CHECK_VALUE,	 CKA_PUBLIC_KEY_INFO,
};

static bool is_cert_type(CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < sizeof(object_cert_types) / sizeof(object_cert_types[0]); i++)
		if (object_cert_types[i] == type)
			return true;
	return false;
}

/* has_all: whether every type is there (a pending object's DER ones aside). */
static bool has_all(const struct object *o, const CK_ATTRIBUTE_TYPE *types, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (attr_find(&o->attrs, types[i]) == NULL &&
		    !(o->pending && is_cert_type(types[i])))
			return false;
	return true;
}

/* schema_check: whether the object carries every attribute its class needs. */
static bool schema_check(const struct object *o)
{
	bool ok = has_all(o, schema_common, sizeof(schema_common) / sizeof(CK_ATTRIBUTE_TYPE));
	size_t i;

	for (i = 0; ok && i < sizeof(schemas) / sizeof(schemas[0]); i++)
		if (schemas[i].class == o->class)
			ok = has_all(o, schemas[i].types, schemas[i].count);
	return ok;
}

/* row_lazy: a CA certificate: free to read, needed by no enumeration. */
static bool row_lazy(const struct object_desc *d)
{
	return d->class == CKO_CERTIFICATE && d->category == CK_CERTIFICATE_CATEGORY_AUTHORITY;
}

static void add_date(struct attr_list *a, CK_ATTRIBUTE_TYPE type, const char yyyymmdd[9])
{
	/* CK_DATE is year[4] month[2] day[2] characters, the same bytes. */
	attr_add(a, type, yyyymmdd, strlen(yyyymmdd) == 8 ? 8 : 0);
}

static void add_common(struct attr_list *a, const struct object_desc *d)
{
	attr_add_ulong(a, CKA_CLASS, d->class);
	attr_add_bool(a, CKA_TOKEN, true);
	attr_add_bool(a, CKA_PRIVATE, d->private);
	attr_add_bool(a, CKA_MODIFIABLE, false);
	attr_add_bool(a, CKA_COPYABLE, false);
	attr_add_bool(a, CKA_DESTROYABLE, false);
	if (d->label != NULL) {
		attr_add(a, CKA_LABEL, d->label, strlen(d->label));
		attr_add(a, CKA_ID, &d->id, 1);
	}
}

/* add_certificate: a certificate's attributes that the table gives. */
static void add_certificate(struct attr_list *a, const struct object_desc *d)
{
	attr_add_ulong(a, CKA_CERTIFICATE_TYPE, CKC_X_509);
	attr_add_ulong(a, CKA_CERTIFICATE_CATEGORY, d->category);
	attr_add_bool(a, CKA_TRUSTED, false);
	attr_add_ulong(a, CKA_JAVA_MIDP_SECURITY_DOMAIN, CK_SECURITY_DOMAIN_UNSPECIFIED);
	attr_add(a, CKA_URL, NULL, 0);
	attr_add(a, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, NULL, 0);
	attr_add(a, CKA_HASH_OF_ISSUER_PUBLIC_KEY, NULL, 0);
	attr_add_ulong(a, CKA_NAME_HASH_ALGORITHM, CKM_SHA_1);
}

/* add_certificate_der: the attributes of object_cert_types, from the DER. */
static CK_RV add_certificate_der(struct attr_list *a, const uint8_t *der, size_t len,
				 const struct cert_info *info)
{
	uint8_t sha1[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(der, len, sha1, &n, EVP_sha1(), NULL) || n < 3)
		return CKR_DEVICE_ERROR;
	attr_add(a, CKA_SUBJECT, info->subject, info->subject_len);
	attr_add(a, CKA_ISSUER, info->issuer, info->issuer_len);
	attr_add(a, CKA_SERIAL_NUMBER, info->serial, info->serial_len);
	attr_add(a, CKA_VALUE, der, len);
	add_date(a, CKA_START_DATE, info->not_before_date);
	add_date(a, CKA_END_DATE, info->not_after_date);
	attr_add(a, CKA_CHECK_VALUE, sha1, 3); /* spec 4.6.3: first 3 bytes of the SHA-1 */
	attr_add(a, CKA_PUBLIC_KEY_INFO, info->spki, info->spki_len);
	return CKR_OK;
}

static void add_key(struct attr_list *a, const struct cert_info *info)
{
	CK_MECHANISM_TYPE allowed[MECH_COUNT];
	CK_ULONG n = MECH_COUNT;

	attr_add_ulong(a, CKA_KEY_TYPE, CKK_RSA);
	attr_add(a, CKA_SUBJECT, info->subject, info->subject_len);
	attr_add(a, CKA_MODULUS, info->modulus, info->modulus_len);
	attr_add_ulong(a, CKA_MODULUS_BITS, info->bits);
	attr_add(a, CKA_PUBLIC_EXPONENT, info->exponent, info->exponent_len);
	attr_add(a, CKA_PUBLIC_KEY_INFO, info->spki, info->spki_len);
	attr_add(a, CKA_START_DATE, NULL, 0);
	attr_add(a, CKA_END_DATE, NULL, 0);
	attr_add_bool(a, CKA_LOCAL, false);
	attr_add_bool(a, CKA_DERIVE, false);
	attr_add_ulong(a, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
	/* What the key may be used with: the PSS mechanisms too (the token's
	 * mechanism list says whether this card makes them, docs/pss.md). */
	if (mech_list(true, allowed, &n) == CKR_OK)
		attr_add(a, CKA_ALLOWED_MECHANISMS, allowed, n * sizeof(allowed[0]));
}

static void add_public_key(struct attr_list *a)
{
	attr_add_bool(a, CKA_VERIFY, true);
	attr_add_bool(a, CKA_VERIFY_RECOVER, false);
	attr_add_bool(a, CKA_ENCRYPT, false);
	attr_add_bool(a, CKA_WRAP, false);
	attr_add_bool(a, CKA_TRUSTED, false);
}

static void add_private_key(struct attr_list *a, bool always_authenticate)
{
	static const CK_ATTRIBUTE_TYPE secret[] = {CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
						   CKA_PRIME_2,		 CKA_EXPONENT_1,
						   CKA_EXPONENT_2,	 CKA_COEFFICIENT};
	size_t i;

	attr_add_bool(a, CKA_SIGN, true);
	attr_add_bool(a, CKA_SIGN_RECOVER, false);
	attr_add_bool(a, CKA_DECRYPT, false);
	attr_add_bool(a, CKA_UNWRAP, false);
	attr_add_bool(a, CKA_SENSITIVE, true);
	attr_add_bool(a, CKA_EXTRACTABLE, false);
	attr_add_bool(a, CKA_ALWAYS_SENSITIVE, true);
	attr_add_bool(a, CKA_NEVER_EXTRACTABLE, true);
	attr_add_bool(a, CKA_WRAP_WITH_TRUSTED, false);
	attr_add_bool(a, CKA_ALWAYS_AUTHENTICATE, always_authenticate);
	/* They exist on the card and never leave it: CKR_ATTRIBUTE_SENSITIVE. */
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		attr_add_sensitive(a, secret[i]);
}

/* build_one: the attributes of one table row. */
static CK_RV build_one(struct object *o, const struct object_desc *d,
		       const struct object_certs *certs, bool always_auth)
{
	struct cert_info info;
	bool parsed = false;
	CK_RV rv = CKR_OK;

	memset(&info, 0, sizeof(info));
	add_common(&o->attrs, d);
	if (d->cert != NO_CERT && !o->pending) {
		if (cert_parse(certs->der[d->cert], certs->len[d->cert], &info) != CARD_OK) {
			rv = CKR_DEVICE_ERROR;
			goto out;
		}
		parsed = true;
		if (d->class != CKO_CERTIFICATE && !info.is_rsa) {
			rv = CKR_DEVICE_ERROR;
			goto out;
		}
	}
	if (d->class == CKO_PROFILE)
		attr_add_ulong(&o->attrs, CKA_PROFILE_ID, CKP_PUBLIC_CERTIFICATES_TOKEN);
	else if (d->class == CKO_CERTIFICATE) {
		add_certificate(&o->attrs, d);
		if (!o->pending)
			rv = add_certificate_der(&o->attrs, certs->der[d->cert],
						 certs->len[d->cert], &info);
	} else
		add_key(&o->attrs, &info);
	if (d->class == CKO_PUBLIC_KEY)
		add_public_key(&o->attrs);
	if (d->class == CKO_PRIVATE_KEY)
		add_private_key(&o->attrs, d->key == JPKI_KEY_SIGN && always_auth);
	if (rv == CKR_OK && o->attrs.failed)
		rv = CKR_HOST_MEMORY;
	if (rv == CKR_OK && !schema_check(o))
		rv = CKR_GENERAL_ERROR;
out:
	if (parsed)
		cert_info_free(&info);
	return rv;
}

static bool row_built(const struct object_set *set, size_t row)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (set->items[i].row == row)
			return true;
	return false;
}

CK_RV object_build(struct object_set *set, enum token_kind token, const struct object_certs *certs,
		   bool sign_always_authenticate, CK_OBJECT_HANDLE *next_handle)
{
	const struct object_desc *d;
	struct object *grown, *o;
	CK_RV rv = CKR_OK;
	size_t row;

	for (row = 0; row < OBJECT_ROWS && rv == CKR_OK; row++) {
		d = &object_table[row];
		if (d->token != token || row_built(set, row) ||
		    (d->cert != NO_CERT && certs->der[d->cert] == NULL && !row_lazy(d)))
			continue;
		grown = realloc(set->items, (set->count + 1) * sizeof(*grown));
		if (grown == NULL) {
			rv = CKR_HOST_MEMORY;
			break;
		}
		set->items = grown;
		o = &set->items[set->count];
		memset(o, 0, sizeof(*o));
		o->row = row;
		o->class = d->class;
		o->private = d->private;
		o->key = d->key == NO_KEY ? JPKI_KEY_AUTH : (enum jpki_key)d->key;
		if (d->cert != NO_CERT) {
			o->cert = (enum jpki_cert)d->cert;
			o->pending = certs->der[d->cert] == NULL;
		}
		rv = build_one(o, d, certs, sign_always_authenticate);
		if (rv != CKR_OK) {
			attr_list_free(&o->attrs);
			break;
		}
		o->handle = (*next_handle)++;
		set->count++;
	}
	return rv;
}

bool object_needs_cert(const struct object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	CK_ULONG i;

	for (i = 0; o->pending && i < count; i++)
		if (is_cert_type(tmpl[i].type))
			return true;
	return false;
}

bool object_may_match(const struct object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	CK_ULONG i;

	for (i = 0; i < count; i++)
		if (!(o->pending && is_cert_type(tmpl[i].type)) &&
		    !attr_match(&o->attrs, &tmpl[i], 1))
			return false;
	return true;
}

CK_RV object_complete(struct object *o, const uint8_t *der, size_t len)
{
	size_t before = o->attrs.count, i;
	struct attr_list added;
	struct cert_info info;
	CK_RV rv = CKR_OK;

	memset(&added, 0, sizeof(added));
	if (!o->pending)
		return CKR_OK;
	if (cert_parse(der, len, &info) != CARD_OK)
		return CKR_DEVICE_ERROR;
	rv = add_certificate_der(&added, der, len, &info);
	cert_info_free(&info);
	if (rv == CKR_OK && added.failed)
		rv = CKR_HOST_MEMORY;
	for (i = 0; rv == CKR_OK && i < added.count; i++)
		attr_add(&o->attrs, added.items[i].type, added.items[i].value, added.items[i].len);
	if (rv == CKR_OK && o->attrs.failed)
		rv = CKR_HOST_MEMORY;
	if (rv == CKR_OK) {
		o->pending = false;
		if (!schema_check(o))
			rv = CKR_GENERAL_ERROR;
	}
	if (rv != CKR_OK) { /* a failure leaves o as it was */
		o->pending = true;
		attr_list_truncate(&o->attrs, before);
	}
	attr_list_free(&added);
	return rv;
}

bool object_needs_login(enum token_kind token, const struct object_set *set)
{
	size_t row;

	for (row = 0; row < OBJECT_ROWS; row++)
		if (object_table[row].token == token && object_table[row].cert == JPKI_CERT_SIGN &&
		    !row_built(set, row))
			return true;
	return false;
}

struct object *object_find(const struct object_set *set, CK_OBJECT_HANDLE handle)
{
	size_t i;

	for (i = 0; handle != CK_INVALID_HANDLE && i < set->count; i++)
		if (set->items[i].handle == handle)
			return &set->items[i];
	return NULL;
}

void object_set_free(struct object_set *set)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		attr_list_free(&set->items[i].attrs);
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

CK_RV object_get_size(struct call *call, CK_OBJECT_HANDLE handle, CK_ULONG *size)
{
	if (call_object(call, handle) == NULL)
		return CKR_OBJECT_HANDLE_INVALID;
	*size = CK_UNAVAILABLE_INFORMATION; /* the card's memory is not ours to count */
	return CKR_OK;
}

CK_RV object_get_attributes(struct call *call, CK_OBJECT_HANDLE handle, CK_ATTRIBUTE *tmpl,
			    CK_ULONG count)
{
	struct object *o = call_object(call, handle);
	CK_RV rv = CKR_OK;

	if (o == NULL)
		rv = CKR_OBJECT_HANDLE_INVALID;
	else if (object_needs_cert(o, tmpl, count))
		rv = call_read_pending(call, o);
	if (rv == CKR_OK)
		rv = attr_copy_out(&o->attrs, tmpl, count);
	return rv;
}

CK_RV object_refuse_change(struct call *call, bool has_object, CK_OBJECT_HANDLE handle)
{
	if (has_object && call_object(call, handle) == NULL)
		return CKR_OBJECT_HANDLE_INVALID;
	return CKR_TOKEN_WRITE_PROTECTED;
}
