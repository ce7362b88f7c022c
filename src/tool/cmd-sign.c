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

	if (!t->pss)
		return TOOL_EXIT_OK;
	err = jpki_pss_detect(t->card, &pss);
	if (err != CARD_OK)
		return tool_fail_card(t, err);
	if (pss != JPKI_PSS_YES)
		return tool_fail(t, TOOL_EXIT_FAILURE, "%s",
				 _("This card does not make RSA-PSS signatures; sign without --pss."));
	return TOOL_EXIT_OK;
}

void sign_time_str(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, cap, "-");
}

char *sign_subject(const uint8_t *der, size_t len, bool issuer)
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

enum tool_exit cmd_sign(struct tool *t, int argc, char **argv)
{
	uint8_t md[CMS_DIGEST_LEN], *cert = NULL, *sig = NULL;
	size_t cert_len = 0, sig_len = 0, k;
	char *out_path = NULL, *subject = NULL, when_str[32];
	struct sign_ctx ctx;
	enum card_error card_err = CARD_OK;
	enum cms_result res;
	enum tool_exit rc;
	bool held = false;
	time_t when;

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
	if (!cms_digest_file(argv[0], md)) {
		rc = tool_fail_file(t, argv[0], false);
		goto out;
	}
	/* And where the signature goes: a PIN entry must not end in "cannot write". */
	if (!file_check_writable(out_path)) {
		rc = tool_fail_file(t, out_path, true);
		goto out;
	}
	rc = tool_open_card(t);
	if (rc == TOOL_EXIT_OK)
		rc = sign_check_pss(t);
	if (rc == TOOL_EXIT_OK)
		rc = tool_login(t, sign_keys[k].pin);
	if (rc != TOOL_EXIT_OK)
		goto out;
	card_err = jpki_op_begin(t->card);
	if (card_err != CARD_OK) {
		rc = tool_fail_card(t, card_err);
		goto out;
	}
	held = true;
	card_err = jpki_read_cert(t->card, sign_keys[k].cert, &cert, &cert_len);
	if (card_err != CARD_OK) {
		rc = tool_fail_card(t, card_err);
		goto out;
	}
	ctx.card = t->card;
	ctx.key = sign_keys[k].key;
	ctx.pss = t->pss;
	when = time(NULL);
	res = cms_sign_detached(cert, cert_len, md, when, t->pss, sign_with_card, &ctx, t->pem, &sig,
				&sig_len, &card_err);
	jpki_op_end(t->card);
	held = false;
	switch (res) {
	case CMS_RESULT_OK:
		break;
	case CMS_RESULT_SIGNER:
		rc = tool_fail_card(t, card_err);
		goto out;
	case CMS_RESULT_INVALID:
		rc = tool_fail(t, TOOL_EXIT_FAILURE, "%s",
			       _("The card's signature does not match its certificate; nothing "
				 "was written."));
		goto out;
	case CMS_RESULT_MALFORMED:
		rc = tool_fail_card(t, CARD_E_BAD_RESPONSE);
		goto out;
	default:
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	if (!file_write_atomic(out_path, sig, sig_len)) {
		rc = tool_fail_file(t, out_path, true);
		goto out;
	}
	if (strcmp(out_path, "-") != 0) {
		subject = sign_subject(cert, cert_len, false);
		out_str(&t->out, "file", _("Signature written to"), out_path);
		out_str(&t->out, "format", _("Format"), t->pem ? "PEM" : "DER");
		out_str(&t->out, "key", _("Key"), sign_keys[k].arg);
		out_str(&t->out, "algorithm", _("Signature algorithm"),
			t->pss ? "RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32)" : "RSA PKCS#1 v1.5 (SHA-256)");
		out_str(&t->out, "signer", _("Signer"), subject);
		sign_time_str(when, when_str, sizeof(when_str));
		out_str(&t->out, "signing_time", _("Signing time"), when_str);
	}
out:
	if (held)
		jpki_op_end(t->card);
	free(subject);
	free(cert);
	free(sig);
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
	char *subject = NULL, *issuer = NULL, when[32];
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
	subject = sign_subject(signer.cert, signer.cert_len, false);
	issuer = sign_subject(signer.cert, signer.cert_len, true);
	out_bool(&t->out, "valid", _("Valid signature"), true);
	out_str(&t->out, "signer", _("Signer"), subject);
	out_str(&t->out, "issuer", _("Issuer"), issuer);
	sign_time_str(signer.signing_time, when, sizeof(when));
	out_str(&t->out, "signing_time", _("Signing time"), when);
out:
	free(subject);
	free(issuer);
	cms_signer_free(&signer);
	free(sig);
	free(ca[0]);
	free(ca[1]);
	return rc;
}
