/* jpki-tool sign / verify: a detached CMS signature made by the card, and
 * its check against the CA certificates read from the same card. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "cms.h"
#include "file.h"
#include "i18n.h"
#include "tool.h"

#define SIGN_MAX_SIG_FILE (1024 * 1024) /* a signature with its certificate is a few KB */

static const struct {
	const char *arg;
	enum jpki_key key;
	enum jpki_pin pin;
	enum jpki_cert cert;
} sign_keys[] = {
	{"sign", JPKI_KEY_SIGN, JPKI_PIN_SIGN, JPKI_CERT_SIGN},
	{"auth", JPKI_KEY_AUTH, JPKI_PIN_AUTH, JPKI_CERT_AUTH},
};

struct sign_ctx {
	struct jpki_card *card;
	enum jpki_key key;
	bool pss;
};

static enum card_error sign_with_card(void *arg, const uint8_t *input, size_t len, uint8_t *sig,
				      size_t cap, size_t *sig_len)
{
	struct sign_ctx *s = arg;

	return jpki_sign_scheme(s->card, s->key, s->pss ? JPKI_SCHEME_PSS_SHA256 : JPKI_SCHEME_PKCS1,
				input, len, sig, cap, sig_len);
}

/* sign_check_pss: with --pss, whether the card signs PSS, asked before the
 * PIN (no try, and a card without PSS costs no PIN entry). */
static enum tool_exit sign_check_pss(struct tool *t)
{
	enum jpki_pss pss = JPKI_PSS_UNKNOWN;
	enum card_error err;

	err = jpki_pss_detect(t->card, &pss);
	if (err != CARD_OK)
		return tool_fail_card(t, err);
	if (pss != JPKI_PSS_YES)
		return tool_fail(t, TOOL_EXIT_FAILURE, "%s",
				 _("This card does not make RSA-PSS signatures; sign without --pss."));
	return TOOL_EXIT_OK;
}

/* sign_time_str: t as ISO 8601 UTC into buf ("-" for 0). */
static void sign_time_str(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, cap, "-");
}

/* sign_subject: a certificate's subject or issuer, RFC 2253, UTF-8
 * (malloc'ed, NULL when it cannot be decoded). */
static char *sign_subject(const uint8_t *der, size_t len, bool issuer)
{
	const unsigned char *p = der;
	char *data, *s = NULL;
	BIO *mem = NULL;
	X509 *x;
	long n;

	x = len > 0 && len <= LONG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
	mem = BIO_new(BIO_s_mem());
	if (x != NULL && mem != NULL &&
	    X509_NAME_print_ex(mem, issuer ? X509_get_issuer_name(x) : X509_get_subject_name(x), 0,
			       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(mem, &data);
		s = n >= 0 ? strndup(data, (size_t)n) : NULL;
	}
	BIO_free(mem);
	X509_free(x);
	return s;
}

void sign_out_signer(struct tool *t, const uint8_t *cert, size_t cert_len, bool with_issuer,
		     time_t when)
{
	char *subject = sign_subject(cert, cert_len, false);
	char *issuer = with_issuer ? sign_subject(cert, cert_len, true) : NULL;
	char when_str[32];

	out_str(&t->out, "signer", _("Signer"), subject);
	if (with_issuer)
		out_str(&t->out, "issuer", _("Issuer"), issuer);
	sign_time_str(when, when_str, sizeof(when_str));
	out_str(&t->out, "signing_time", _("Signing time"), when_str);
	free(subject);
	free(issuer);
}

/* sign_key_index: the row of sign_keys for key (the first when unknown). */
static size_t sign_key_index(enum jpki_key key)
{
	size_t k;

	for (k = 0; k < sizeof(sign_keys) / sizeof(sign_keys[0]); k++)
		if (sign_keys[k].key == key)
			return k;
	return 0;
}

/* sign_cms_fail: the exit for cms_sign_detached's error res. */
static enum tool_exit sign_cms_fail(struct tool *t, enum cms_result res, enum card_error card_err)
{
	switch (res) {
	case CMS_RESULT_SIGNER:
		return tool_fail_card(t, card_err);
	case CMS_RESULT_INVALID:
		return tool_fail(t, TOOL_EXIT_FAILURE, "%s",
				 _("The card's signature does not match its certificate; nothing "
				   "was written."));
	case CMS_RESULT_MALFORMED:
		return tool_fail_card(t, CARD_E_BAD_RESPONSE);
	default:
		return tool_fail_card(t, CARD_E_NO_MEMORY);
	}
}

enum tool_exit sign_on_card(struct tool *t, struct sign_job *job)
{
	const size_t k = sign_key_index(job->key);
	struct sign_ctx ctx = {NULL, job->key, job->pss};
	enum card_error card_err = CARD_OK;
	enum cms_result res;
	enum tool_exit rc;
	bool held = false;

	rc = tool_open_card(t);
	if (rc == TOOL_EXIT_OK && job->pss)
		rc = sign_check_pss(t);
	if (rc == TOOL_EXIT_OK)
		rc = tool_login(t, sign_keys[k].pin);
	if (rc != TOOL_EXIT_OK)
		goto out;
	/* One transaction from the certificate to the signature. */
	card_err = jpki_op_begin(t->card);
	if (card_err != CARD_OK) {
		rc = tool_fail_card(t, card_err);
		goto out;
	}
	held = true;
	card_err = jpki_read_cert(t->card, sign_keys[k].cert, &job->cert, &job->cert_len);
	if (card_err != CARD_OK) {
		rc = tool_fail_card(t, card_err);
		goto out;
	}
	if (job->digest != NULL) {
		rc = job->digest(t, job->digest_arg, job->cert, job->cert_len, job->md);
		if (rc != TOOL_EXIT_OK)
			goto out;
	}
	if (job->when == 0)
		job->when = time(NULL);
	ctx.card = t->card;
	res = cms_sign_detached(job->cert, job->cert_len, job->md, job->when, job->pss,
				sign_with_card, &ctx, job->pem, &job->cms, &job->cms_len,
				&card_err);
	jpki_op_end(t->card);
	held = false;
	if (res != CMS_RESULT_OK)
		rc = sign_cms_fail(t, res, card_err);
out:
	if (held)
		jpki_op_end(t->card);
	return rc;
}

void sign_job_free(struct sign_job *job)
{
	free(job->cert);
	free(job->cms);
	job->cert = NULL;
	job->cms = NULL;
}

enum tool_exit cmd_sign(struct tool *t, int argc, char **argv)
{
	struct sign_job job = {0};
	char *out_path = NULL;
	enum tool_exit rc;
	size_t k;

	if (argc != 1)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s",
				 _("Usage: jpki-tool sign FILE [-o OUT] [--key sign|auth] [--pss]"));
	for (k = 0; k < sizeof(sign_keys) / sizeof(sign_keys[0]); k++)
		if (strcmp(t->key_opt != NULL ? t->key_opt : "sign", sign_keys[k].arg) == 0)
			break;
	if (k == sizeof(sign_keys) / sizeof(sign_keys[0]))
		return tool_fail(t, TOOL_EXIT_USAGE, _("Unknown key \"%s\": use sign or auth."),
				 t->key_opt);
	if (t->der && t->pem)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s", _("Give --pem or --der, not both."));
	if (t->output != NULL)
		out_path = strdup(t->output);
	else if (asprintf(&out_path, "%s.p7s", argv[0]) < 0)
		out_path = NULL;
	if (out_path == NULL)
		return tool_fail_card(t, CARD_E_NO_MEMORY);
	if (strcmp(out_path, argv[0]) == 0) {
		rc = tool_fail(t, TOOL_EXIT_USAGE, "%s",
			       _("The signature cannot overwrite the file it signs."));
		goto out;
	}
	if (t->json && strcmp(out_path, "-") == 0) {
		rc = tool_fail(t, TOOL_EXIT_USAGE, "%s",
			       _("sign with --json needs -o FILE (standard output would mix the "
				 "signature with JSON)."));
		goto out;
	}
	/* The file first: an unreadable file must not cost a PIN entry. */
	if (!cms_digest_file(argv[0], job.md)) {
		rc = tool_fail_file(t, argv[0], false);
		goto out;
	}
	/* And where the signature goes: a PIN entry must not end in "cannot write". */
	if (!file_check_writable(out_path)) {
		rc = tool_fail_file(t, out_path, true);
		goto out;
	}
	job.key = sign_keys[k].key;
	job.pss = t->pss;
	job.pem = t->pem;
	rc = sign_on_card(t, &job);
	if (rc != TOOL_EXIT_OK)
		goto out;
	if (!file_write_atomic(out_path, job.cms, job.cms_len)) {
		rc = tool_fail_file(t, out_path, true);
		goto out;
	}
	if (strcmp(out_path, "-") != 0) {
		out_str(&t->out, "file", _("Signature written to"), out_path);
		out_str(&t->out, "format", _("Format"), t->pem ? "PEM" : "DER");
		out_str(&t->out, "key", _("Key"), sign_keys[k].arg);
		out_str(&t->out, "algorithm", _("Signature algorithm"),
			t->pss ? "RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32)" : "RSA PKCS#1 v1.5 (SHA-256)");
		sign_out_signer(t, job.cert, job.cert_len, false, job.when);
	}
out:
	sign_job_free(&job);
	free(out_path);
	return rc;
}

enum tool_exit cmd_verify(struct tool *t, int argc, char **argv)
{
	static const enum jpki_cert cas[] = {JPKI_CERT_SIGN_CA, JPKI_CERT_AUTH_CA};
	uint8_t *sig = NULL, *ca[2] = {NULL, NULL};
	size_t sig_len = 0, ca_len[2] = {0, 0}, i;
	struct cms_signer signer = {0};
	const char *reason = "";
	enum card_error err;
	enum cms_result res;
	enum tool_exit rc = TOOL_EXIT_OK;

	if (argc != 2)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s",
				 _("Usage: jpki-tool verify SIGNATURE FILE"));
	if (!file_read_all(argv[0], SIGN_MAX_SIG_FILE, &sig, &sig_len)) {
		rc = tool_fail_file(t, argv[0], false);
		goto out;
	}
	rc = tool_open_card(t);
	for (i = 0; i < 2 && rc == TOOL_EXIT_OK; i++) {
		err = jpki_read_cert(t->card, cas[i], &ca[i], &ca_len[i]);
		if (err != CARD_OK)
			rc = tool_fail_card(t, err);
	}
	if (rc != TOOL_EXIT_OK)
		goto out;
	errno = 0;
	res = cms_verify_detached(sig, sig_len, argv[1], (const uint8_t *const *)ca, ca_len, 2,
				  &signer, &reason);
	switch (res) {
	case CMS_RESULT_OK:
		break;
	case CMS_RESULT_FILE:
		rc = tool_fail_file(t, argv[1], false);
		goto out;
	case CMS_RESULT_MALFORMED:
		rc = tool_fail(t, TOOL_EXIT_INVALID,
			       _("%s is not a CMS signature made by one signer."), argv[0]);
		goto out;
	case CMS_RESULT_INVALID:
		rc = tool_fail(t, TOOL_EXIT_INVALID, _("The signature is NOT valid for %s (%s)."),
			       argv[1], reason);
		goto out;
	default:
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	out_bool(&t->out, "valid", _("Valid signature"), true);
	sign_out_signer(t, signer.cert, signer.cert_len, true, signer.signing_time);
out:
	cms_signer_free(&signer);
	free(sig);
	free(ca[0]);
	free(ca[1]);
	return rc;
}
