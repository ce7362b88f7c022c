/* jpki-tool cert show|export|check: the four certificates of the JPKI
 * application, the personal data in the signature certificate, and offline
 * checks of the holder's certificates against the card's CA certificates. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "certcheck.h"
#include "file.h"
#include "i18n.h"
#include "tool.h"
#include "validity.h"

static const struct {
	const char *arg;
	enum jpki_cert cert;
	enum jpki_cert ca; /* its CA certificate (itself for a CA) */
	uint32_t ku;	   /* key usage the JPKI profile sets (end-entity) */
	const char *title; /* N_() */
} cert_rows[] = {
	{"auth", JPKI_CERT_AUTH, JPKI_CERT_AUTH_CA, CERT_KU_DIGITAL_SIGNATURE,
	 N_("Authentication certificate")},
	{"sign", JPKI_CERT_SIGN, JPKI_CERT_SIGN_CA,
	 CERT_KU_DIGITAL_SIGNATURE | CERT_KU_NON_REPUDIATION, N_("Signature certificate")},
	{"auth-ca", JPKI_CERT_AUTH_CA, JPKI_CERT_AUTH_CA, CERT_KU_KEY_CERT_SIGN,
	 N_("Authentication CA certificate")},
	{"sign-ca", JPKI_CERT_SIGN_CA, JPKI_CERT_SIGN_CA, CERT_KU_KEY_CERT_SIGN,
	 N_("Signature CA certificate")},
};

#define CERT_ROWS (sizeof(cert_rows) / sizeof(cert_rows[0]))

static const struct {
	uint32_t bit;
	const char *name;
} cert_ku_names[] = {
	{KU_DIGITAL_SIGNATURE, "digitalSignature"},
	{KU_NON_REPUDIATION, "nonRepudiation"},
	{KU_KEY_ENCIPHERMENT, "keyEncipherment"},
	{KU_DATA_ENCIPHERMENT, "dataEncipherment"},
	{KU_KEY_AGREEMENT, "keyAgreement"},
	{KU_KEY_CERT_SIGN, "keyCertSign"},
	{KU_CRL_SIGN, "cRLSign"},
};

/* The sex codes of the certificate's otherName .3. */
static const struct {
	char code;
	const char *key;
	const char *name; /* N_() */
} cert_sexes[] = {
	{'1', "male", N_("male")}, {'2', "female", N_("female")}, {'3', "unknown", N_("unknown")}};

static int cert_find(const char *arg)
{
	size_t i;

	for (i = 0; arg != NULL && i < CERT_ROWS; i++)
		if (strcmp(arg, cert_rows[i].arg) == 0)
			return (int)i;
	return -1;
}

/* cert_name: a Name as an RFC 2253 string in UTF-8 (malloc'ed). */
static char *cert_name(const X509_NAME *name)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data, *s = NULL;
	long n;

	if (mem == NULL)
		return NULL;
	if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(mem, &data);
		s = n >= 0 ? strndup(data, (size_t)n) : NULL;
	}
	BIO_free(mem);
	return s;
}

/* cert_hex: upper-case hex, with colons between bytes when asked. */
static void cert_hex(const uint8_t *p, size_t n, bool colons, char *buf, size_t cap)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i, off = 0;

	for (i = 0; i < n && off + 4 <= cap; i++) {
		if (i > 0 && colons)
			buf[off++] = ':';
		buf[off++] = digits[p[i] >> 4];
		buf[off++] = digits[p[i] & 0x0F];
	}
	buf[off] = '\0';
}

/* cert_show_person: the signature certificate's personal data. */
static enum card_error cert_show_person(struct tool *t, const uint8_t *der, size_t len)
{
	struct cert_person p;
	enum card_error err = cert_person(der, len, &p);
	char birth[96];
	size_t i;

	if (err != CARD_OK)
		return err;
	out_obj_begin(&t->out, "person", _("Personal data (from the certificate)"));
	out_str(&t->out, "name", _("Name"), p.name);
	out_str(&t->out, "address", _("Address"), p.address);
	if (p.birth_date[0] != '\0') {
		tool_format_birth(p.birth_date, p.birth_era > 0 ? p.birth_era : 0, birth,
				  sizeof(birth));
		out_str(&t->out, "birth_date", _("Birth date"), birth);
		if (t->json) {
			out_str(&t->out, "birth_date_iso", NULL, p.birth_date);
			out_int(&t->out, "birth_era_code", NULL, p.birth_era);
		}
	} else {
		out_str(&t->out, "birth_date", _("Birth date"), p.birth);
	}
	for (i = 0; i < sizeof(cert_sexes) / sizeof(cert_sexes[0]); i++)
		if (p.sex != NULL && p.sex[0] == cert_sexes[i].code && p.sex[1] == '\0')
			break;
	if (i < sizeof(cert_sexes) / sizeof(cert_sexes[0]))
		out_str(&t->out, "sex", _("Sex"),
			t->json ? cert_sexes[i].key : _(cert_sexes[i].name));
	else
		out_str(&t->out, "sex", _("Sex"), p.sex);
	out_obj_end(&t->out);
	OPENSSL_cleanse(birth, sizeof(birth));
	cert_person_free(&p);
	return CARD_OK;
}

/* cert_show_one: what a person wants to know about one certificate. */
static enum tool_exit cert_show_one(struct tool *t, int row, const uint8_t *der, size_t len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	const char *kus[8];
	char *subject = NULL, *issuer = NULL, buf[256], hex[3 * EVP_MAX_MD_SIZE + 1];
	struct cert_info info;
	enum tool_exit rc = TOOL_EXIT_OK;
	size_t nku = 0, i;
	X509 *x = cert_decode(der, len);
	time_t now = time(NULL);

	memset(&info, 0, sizeof(info));
	if (x == NULL || cert_parse(der, len, &info) != CARD_OK) {
		rc = tool_fail_card(t, CARD_E_BAD_RESPONSE);
		goto out;
	}
	subject = cert_name(X509_get_subject_name(x));
	issuer = cert_name(X509_get_issuer_name(x));
	out_obj_begin(&t->out, "certificate", _(cert_rows[row].title));
	out_str(&t->out, "which", _("Certificate"), cert_rows[row].arg);
	out_str(&t->out, "subject", _("Subject"), subject);
	out_str(&t->out, "issuer", _("Issuer"), issuer);
	cert_hex(info.serial, info.serial_len, false, buf, sizeof(buf));
	out_str(&t->out, "serial", _("Serial number"), buf);
	validity_show(t, &info, now);
	for (i = 0; i < sizeof(cert_ku_names) / sizeof(cert_ku_names[0]); i++)
		if (info.has_key_usage && (info.key_usage & cert_ku_names[i].bit))
			kus[nku++] = cert_ku_names[i].name;
	out_strv(&t->out, "key_usage", _("Key usage"), kus, nku);
	snprintf(buf, sizeof(buf), "%s %u", info.is_rsa ? "RSA" : "EC", info.bits);
	out_str(&t->out, "public_key", _("Public key"), buf);
	if (X509_digest(x, EVP_sha256(), md, &md_len)) {
		cert_hex(md, md_len, true, hex, sizeof(hex));
		out_str(&t->out, "sha256_fingerprint", _("SHA-256 fingerprint"), hex);
	}
	if (cert_rows[row].cert == JPKI_CERT_SIGN) {
		enum card_error err = cert_show_person(t, der, len);
		if (err != CARD_OK && err != CARD_E_NOT_FOUND)
			rc = tool_fail_card(t, err);
	}
	out_obj_end(&t->out);
out:
	free(subject);
	free(issuer);
	cert_info_free(&info);
	X509_free(x);
	return rc;
}

/* cert_read: reads certificate row (after the signature password for the
 * signature certificate). */
static enum tool_exit cert_read(struct tool *t, enum jpki_cert cert, uint8_t **der, size_t *len)
{
	enum tool_exit rc = tool_open_card(t);
	enum card_error err;

	if (rc != TOOL_EXIT_OK)
		return rc;
	if (cert == JPKI_CERT_SIGN && !jpki_is_verified(t->card, JPKI_PIN_SIGN)) {
		rc = tool_login(t, JPKI_PIN_SIGN);
		if (rc != TOOL_EXIT_OK)
			return rc;
	}
	err = jpki_read_cert(t->card, cert, der, len);
	if (err != CARD_OK)
		return tool_fail_card(t, err);
	return TOOL_EXIT_OK;
}

static enum tool_exit cert_show(struct tool *t, int row)
{
	uint8_t *der = NULL;
	size_t len = 0;
	enum tool_exit rc = cert_read(t, cert_rows[row].cert, &der, &len);

	if (rc == TOOL_EXIT_OK)
		rc = cert_show_one(t, row, der, len);
	free(der);
	return rc;
}

static enum tool_exit cert_export(struct tool *t, int row)
{
	const char *path = t->output != NULL ? t->output : "-";
	uint8_t *der = NULL, *data = NULL;
	size_t len = 0, data_len = 0;
	enum tool_exit rc;
	BIO *mem = NULL;
	X509 *x = NULL;
	char *pem;
	long n;

	if (t->json && strcmp(path, "-") == 0)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s",
				 _("cert export with --json needs -o FILE (standard output would "
				   "mix the certificate with JSON)."));
	/* Before the card (and the signature password): the target must be writable. */
	if (!file_check_writable(path))
		return tool_fail_file(t, path, true);
	rc = cert_read(t, cert_rows[row].cert, &der, &len);
	if (rc != TOOL_EXIT_OK)
		goto out;
	if (t->der) {
		data = der;
		data_len = len;
	} else {
		x = cert_decode(der, len);
		mem = BIO_new(BIO_s_mem());
		if (x == NULL || mem == NULL || !PEM_write_bio_X509(mem, x) ||
		    (n = BIO_get_mem_data(mem, &pem)) <= 0) {
			rc = tool_fail_card(t, x == NULL ? CARD_E_BAD_RESPONSE : CARD_E_NO_MEMORY);
			goto out;
		}
		data = (uint8_t *)pem;
		data_len = (size_t)n;
	}
	if (!file_write_atomic(path, data, data_len)) {
		rc = tool_fail_file(t, path, true);
		goto out;
	}
	if (strcmp(path, "-") != 0) {
		out_str(&t->out, "file", _("Written"), path);
		out_str(&t->out, "format", _("Format"), t->der ? "DER" : "PEM");
		out_int(&t->out, "bytes", _("Bytes"), (long)data_len);
	}
out:
	BIO_free(mem);
	X509_free(x);
	free(der);
	return rc;
}

/* cert_check_one: the certificate against its CA certificate. */
static enum tool_exit cert_check_one(struct tool *t, int row, bool *all_ok)
{
	uint8_t *der = NULL, *ca = NULL;
	size_t len = 0, ca_len = 0;
	bool result[CERTCHECK_COUNT], ok;
	enum tool_exit rc;
	int i;

	rc = cert_read(t, cert_rows[row].cert, &der, &len);
	if (rc == TOOL_EXIT_OK)
		rc = cert_read(t, cert_rows[row].ca, &ca, &ca_len);
	if (rc != TOOL_EXIT_OK)
		goto out;
	ok = certcheck_run(der, len, ca, ca_len, cert_rows[row].ku, time(NULL), result);
	if (!ok) {
		rc = tool_fail_card(t, CARD_E_BAD_RESPONSE);
		goto out;
	}
	out_obj_begin(&t->out, NULL, _(cert_rows[row].title));
	if (t->json)
		out_str(&t->out, "which", NULL, cert_rows[row].arg);
	if (t->json)
		out_obj_begin(&t->out, "checks", NULL);
	for (i = 0; i < CERTCHECK_COUNT; i++) {
		const struct certcheck_desc *d = certcheck_desc((enum certcheck_item)i);
		if (t->json)
			out_bool(&t->out, d->key, NULL, result[i]);
		else
			out_str(&t->out, d->key, _(d->label), result[i] ? _("ok") : _("FAILED"));
		ok = ok && result[i];
	}
	if (t->json)
		out_obj_end(&t->out);
	out_bool(&t->out, "valid", _("Valid"), ok);
	out_obj_end(&t->out);
	*all_ok = *all_ok && ok;
out:
	free(der);
	free(ca);
	return rc;
}

static enum tool_exit cert_check(struct tool *t, int argc, char **argv)
{
	bool all_ok = true, want[2] = {true, false};
	enum tool_exit rc = TOOL_EXIT_OK;
	int i;

	if (argc > 1)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s",
				 _("Usage: jpki-tool cert check [auth|sign|all]"));
	if (argc == 1) {
		want[0] = strcmp(argv[0], "auth") == 0 || strcmp(argv[0], "all") == 0;
		want[1] = strcmp(argv[0], "sign") == 0 || strcmp(argv[0], "all") == 0;
		if (!want[0] && !want[1])
			return tool_fail(t, TOOL_EXIT_USAGE,
					 _("Unknown certificate \"%s\": use auth, sign or all."),
					 argv[0]);
	}
	out_arr_begin(&t->out, "certificates", _("Certificates"));
	for (i = 0; i < 2 && rc == TOOL_EXIT_OK; i++)
		if (want[i])
			rc = cert_check_one(t, i, &all_ok);
	out_arr_end(&t->out);
	if (rc == TOOL_EXIT_OK)
		out_bool(&t->out, "valid", _("All checks passed"), all_ok);
	if (rc == TOOL_EXIT_OK && !all_ok)
		rc = tool_fail(t, TOOL_EXIT_INVALID, "%s",
			       _("A certificate check failed (see the list above)."));
	return rc;
}

enum tool_exit cmd_cert(struct tool *t, int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : NULL;
	int row;

	if (sub != NULL && strcmp(sub, "check") == 0)
		return cert_check(t, argc - 1, argv + 1);
	if (sub == NULL || (strcmp(sub, "show") != 0 && strcmp(sub, "export") != 0) || argc != 2)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s",
				 _("Usage: jpki-tool cert show|export auth|sign|auth-ca|sign-ca, "
				   "or jpki-tool cert check [auth|sign|all]"));
	row = cert_find(argv[1]);
	if (row < 0)
		return tool_fail(
			t, TOOL_EXIT_USAGE,
			_("Unknown certificate \"%s\": use auth, sign, auth-ca or sign-ca."),
			argv[1]);
	if (t->pem && t->der)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s", _("Give --pem or --der, not both."));
	return strcmp(sub, "show") == 0 ? cert_show(t, row) : cert_export(t, row);
}
