/* jpki-tool pdf verify: the signatures of a PDF file checked against the CA
 * certificates read from the card (signature, chain, validity), whether the
 * newest covers the whole file, and the rules of the Legal Affairs Bureau's
 * online filing (pdf_filing_rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cms.h"
#include "file.h"
#include "i18n.h"
#include "pdf.h"
#include "tool.h"

#define PDF_MAX_FILE ((size_t)512 * 1024 * 1024)

struct pdf_cas {
	uint8_t *der[2];
	size_t len[2];
};

static enum tool_exit pdf_read_cas(struct tool *t, struct pdf_cas *cas)
{
	static const enum jpki_cert which[] = {JPKI_CERT_SIGN_CA, JPKI_CERT_AUTH_CA};
	enum tool_exit rc = tool_open_card(t);
	enum card_error err;
	size_t i;

	for (i = 0; i < 2 && rc == TOOL_EXIT_OK; i++) {
		err = jpki_read_cert(t->card, which[i], &cas->der[i], &cas->len[i]);
		if (err != CARD_OK)
			rc = tool_fail_card(t, err);
	}
	return rc;
}

/* pdf_verify_one: one signature's fields; true when it is valid. */
static bool pdf_verify_one(struct tool *t, const uint8_t *pdf, const struct pdf_sig *sig,
			   const struct pdf_cas *cas, bool *no_memory)
{
	struct cms_signer signer = {0};
	const char *reason = "";
	char *subject = NULL, *issuer = NULL, when[32], range[96];
	uint8_t *signed_bytes;
	size_t signed_len = 0;
	enum cms_result res = CMS_RESULT_CRYPTO;

	signed_bytes = pdf_signed_bytes(pdf, sig, &signed_len);
	if (signed_bytes != NULL)
		res = cms_verify_detached_mem(sig->cms, sig->cms_len, signed_bytes, signed_len,
					      (const uint8_t *const *)cas->der, cas->len, 2,
					      &signer, &reason);
	free(signed_bytes);
	if (res == CMS_RESULT_CRYPTO) {
		*no_memory = true;
		return false;
	}
	out_obj_begin(&t->out, NULL, _("Signature"));
	out_bool(&t->out, "valid", _("Valid signature"), res == CMS_RESULT_OK);
	if (res == CMS_RESULT_MALFORMED)
		out_str(&t->out, "reason", _("Reason"),
			_("/Contents is not a CMS signature made by one signer"));
	else if (res != CMS_RESULT_OK)
		out_str(&t->out, "reason", _("Reason"), reason);
	if (res == CMS_RESULT_OK) {
		subject = sign_subject(signer.cert, signer.cert_len, false);
		issuer = sign_subject(signer.cert, signer.cert_len, true);
		out_str(&t->out, "signer", _("Signer"), subject);
		out_str(&t->out, "issuer", _("Issuer"), issuer);
		sign_time_str(signer.signing_time, when, sizeof(when));
		out_str(&t->out, "signing_time", _("Signing time"), when);
	}
	out_str(&t->out, "subfilter", _("SubFilter"), sig->subfilter);
	out_str(&t->out, "m", _("Time in the PDF (/M)"), sig->has_m ? sig->m : "-");
	snprintf(range, sizeof(range), "%zu %zu %zu %zu", sig->range[0], sig->range[1],
		 sig->range[2], sig->range[3]);
	out_str(&t->out, "byte_range", _("ByteRange"), range);
	out_bool(&t->out, "whole_file", _("Covers the whole file"), sig->whole_file);
	out_bool(&t->out, "filing_rules", _("Legal Affairs Bureau filing rules"),
		 pdf_filing_rules(sig));
	out_obj_end(&t->out);
	free(subject);
	free(issuer);
	cms_signer_free(&signer);
	return res == CMS_RESULT_OK;
}

static enum tool_exit pdf_verify(struct tool *t, const char *path)
{
	struct pdf_cas cas = {{NULL, NULL}, {0, 0}};
	struct pdf_sig *sigs = NULL;
	size_t len = 0, n = 0, i, valid = 0;
	enum tool_exit rc = TOOL_EXIT_OK;
	bool no_memory = false;
	uint8_t *pdf = NULL;

	if (!file_read_all(path, PDF_MAX_FILE, &pdf, &len))
		return tool_fail_file(t, path, false);
	switch (pdf_find_signatures(pdf, len, &sigs, &n)) {
	case PDF_OK:
		break;
	case PDF_TOO_MANY:
		rc = tool_fail(t, TOOL_EXIT_INVALID, _("%s has more than %d signatures."), path,
			       PDF_MAX_SIGS);
		goto out;
	default:
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	if (n == 0) {
		rc = tool_fail(t, TOOL_EXIT_INVALID, _("%s has no signature."), path);
		goto out;
	}
	rc = pdf_read_cas(t, &cas);
	if (rc != TOOL_EXIT_OK)
		goto out;
	out_arr_begin(&t->out, "signatures", NULL);
	for (i = 0; i < n && !no_memory; i++)
		valid += pdf_verify_one(t, pdf, &sigs[i], &cas, &no_memory);
	out_arr_end(&t->out);
	if (no_memory) {
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
	} else if (valid != n) {
		rc = tool_fail(t, TOOL_EXIT_INVALID, _("%zu of the %zu signatures of %s are NOT valid."),
			       n - valid, n, path);
	} else if (!sigs[n - 1].whole_file) {
		rc = tool_fail(t, TOOL_EXIT_INVALID,
			       _("%s was changed after its newest signature: the signature does not "
				 "cover the whole file."),
			       path);
	}
out:
	pdf_sigs_free(sigs, n);
	free(cas.der[0]);
	free(cas.der[1]);
	free(pdf);
	return rc;
}

enum tool_exit cmd_pdf(struct tool *t, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[0], "verify") == 0)
		return pdf_verify(t, argv[1]);
	return tool_fail(t, TOOL_EXIT_USAGE, "%s", _("Usage: jpki-tool pdf verify FILE"));
}
