/* jpki-tool pdf sign: a PDF signed with the signature key as an
 * incremental update (pdf-update.h) in the form the Legal Affairs Bureau's
 * online filing asks for.  jpki-tool pdf verify: the signatures of a PDF
 * file checked against the CA certificates read from the card (signature,
 * chain, validity), whether the newest covers the whole file, and the
 * filing rules (pdf_filing_rules). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cert.h"
#include "cms.h"
#include "file.h"
#include "i18n.h"
#include "pdf-update.h"
#include "pdf.h"
#include "tool.h"

#define PDF_MAX_FILE ((size_t)512 * 1024 * 1024)
#define PDF_MAX_CAS 8		 /* the card's two and up to six given as files */
#define PDF_MAX_CA_FILE (64 * 1024) /* a CA certificate is 1-2 KB */

struct pdf_cas {
	uint8_t *der[PDF_MAX_CAS];
	size_t len[PDF_MAX_CAS];
	size_t n;
};

/* pdf_ca_file: a CA certificate file, DER or PEM, as DER (malloc'ed). */
static bool pdf_ca_file(const char *path, uint8_t **der, size_t *len)
{
	uint8_t *data = NULL;
	size_t n = 0;
	X509 *x = NULL;
	BIO *mem;
	int dl;

	*der = NULL;
	if (!file_read_all(path, PDF_MAX_CA_FILE, &data, &n))
		return false;
	x = cert_decode(data, n);
	if (x == NULL && n <= INT_MAX && (mem = BIO_new_mem_buf(data, (int)n)) != NULL) {
		x = PEM_read_bio_X509(mem, NULL, NULL, NULL);
		BIO_free(mem);
	}
	dl = x != NULL ? i2d_X509(x, der) : -1;
	X509_free(x);
	free(data);
	if (dl <= 0) {
		*der = NULL;
		return false;
	}
	*len = (size_t)dl;
	return true;
}

/* pdf_read_cas: the two CA certificates of the card in the reader, and
 * those given as files (another generation of J-LIS's CA, for a PDF
 * signed with an earlier or later card). */
static enum tool_exit pdf_read_cas(struct tool *t, struct pdf_cas *cas, int nfiles, char **files)
{
	static const enum jpki_cert which[] = {JPKI_CERT_SIGN_CA, JPKI_CERT_AUTH_CA};
	enum tool_exit rc = TOOL_EXIT_OK;
	enum card_error err;
	uint8_t *der;
	size_t i;
	int f;

	for (f = 0; f < nfiles && rc == TOOL_EXIT_OK; f++) {
		if (!pdf_ca_file(files[f], &der, &cas->len[cas->n]))
			rc = tool_fail(t, TOOL_EXIT_FILE, _("%s is not a certificate (DER or PEM)."),
				       files[f]);
		else
			cas->der[cas->n++] = der;
	}
	if (rc == TOOL_EXIT_OK)
		rc = tool_open_card(t);
	for (i = 0; i < 2 && rc == TOOL_EXIT_OK; i++) {
		err = jpki_read_cert(t->card, which[i], &cas->der[cas->n], &cas->len[cas->n]);
		if (err != CARD_OK)
			rc = tool_fail_card(t, err);
		else
			cas->n++;
	}
	return rc;
}

/* pdf_verify_one: one signature's fields; true when it is valid. */
static bool pdf_verify_one(struct tool *t, const uint8_t *pdf, const struct pdf_sig *sig,
			   const struct pdf_cas *cas, bool *no_memory)
{
	struct cms_signer signer = {0};
	const char *reason = "";
	char range[96];
	uint8_t *signed_bytes;
	size_t signed_len = 0;
	enum cms_result res = CMS_RESULT_CRYPTO;

	signed_bytes = pdf_signed_bytes(pdf, sig, &signed_len);
	if (signed_bytes != NULL)
		res = cms_verify_detached_mem(sig->cms, sig->cms_len, signed_bytes, signed_len,
					      (const uint8_t *const *)cas->der, cas->len, cas->n,
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
	if (res == CMS_RESULT_OK)
		sign_out_signer(t, signer.cert, signer.cert_len, true, signer.signing_time);
	out_str(&t->out, "subfilter", _("SubFilter"), sig->subfilter);
	out_str(&t->out, "m", _("Time in the PDF (/M)"), sig->has_m ? sig->m : "-");
	snprintf(range, sizeof(range), "%zu %zu %zu %zu", sig->range[0], sig->range[1],
		 sig->range[2], sig->range[3]);
	out_str(&t->out, "byte_range", _("ByteRange"), range);
	out_bool(&t->out, "whole_file", _("Covers the whole file"), sig->whole_file);
	out_bool(&t->out, "filing_rules", _("Legal Affairs Bureau filing rules"),
		 pdf_filing_rules(sig));
	out_obj_end(&t->out);
	cms_signer_free(&signer);
	return res == CMS_RESULT_OK;
}

static enum tool_exit pdf_verify(struct tool *t, const char *path, int nfiles, char **files)
{
	struct pdf_cas cas = {{NULL}, {0}, 0};
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
	rc = pdf_read_cas(t, &cas, nfiles, files);
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
	for (i = 0; i < cas.n; i++)
		free(cas.der[i]);
	free(pdf);
	return rc;
}

/* pdf_signer_name: the certificate's common name (UTF-8, malloc'ed), ""
 * when it has none; NULL when out of memory or not a certificate. */
static char *pdf_signer_name(const uint8_t *der, size_t len)
{
	X509 *x = cert_decode(der, len);
	unsigned char *utf8 = NULL;
	char *name = NULL;
	int i, n = -1;

	if (x == NULL)
		return NULL;
	i = X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1);
	if (i >= 0)
		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
						       X509_NAME_get_entry(X509_get_subject_name(x), i)));
	name = n >= 0 ? strndup((const char *)utf8, (size_t)n) : strdup("");
	OPENSSL_free(utf8);
	X509_free(x);
	return name;
}

static bool pdf_digest(const struct pdf_prepared *p, uint8_t md[CMS_DIGEST_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	bool ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, p->data, p->range[1]) &&
	     EVP_DigestUpdate(ctx, p->data + p->range[2], p->range[3]) &&
	     EVP_DigestFinal_ex(ctx, md, &n) && n == CMS_DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* pdf_prepare: pdf_prepare_signature, its refusals as messages. */
static enum tool_exit pdf_prepare(struct tool *t, const char *path, const uint8_t *pdf, size_t len,
				  const char *name, time_t when, struct pdf_prepared *out)
{
	switch (pdf_prepare_signature(pdf, len, name, when, out)) {
	case PDF_UPD_OK:
		return TOOL_EXIT_OK;
	case PDF_UPD_MALFORMED:
		return tool_fail(t, TOOL_EXIT_FAILURE,
				 _("%s cannot be read as a PDF file (no usable cross-reference "
				   "section, catalog or page)."),
				 path);
	case PDF_UPD_ENCRYPTED:
		return tool_fail(t, TOOL_EXIT_FAILURE, _("%s is encrypted; pdf sign does not sign "
							 "encrypted PDF files."),
				 path);
	case PDF_UPD_UNSUPPORTED:
		return tool_fail(t, TOOL_EXIT_FAILURE,
				 _("%s has a form, an annotation list or a compressed stream that "
				   "pdf sign cannot handle; sign it with pdfsig."),
				 path);
	default:
		return tool_fail_card(t, CARD_E_NO_MEMORY);
	}
}

/* What pdf sign's digest step (pdf_sign_digest) reads and makes. */
struct pdf_signing {
	const char *path;
	const uint8_t *pdf;
	size_t len;
	time_t when;
	struct pdf_prepared prep;
};

/* pdf_sign_digest: the signed file with the signer's name from the
 * certificate just read, and the digest of its signed bytes. */
static enum tool_exit pdf_sign_digest(struct tool *t, void *arg, const uint8_t *cert,
				      size_t cert_len, uint8_t md[CMS_DIGEST_LEN])
{
	struct pdf_signing *s = arg;
	char *name = pdf_signer_name(cert, cert_len);
	enum tool_exit rc;

	if (name == NULL)
		rc = tool_fail_card(t, CARD_E_BAD_RESPONSE);
	else
		rc = pdf_prepare(t, s->path, s->pdf, s->len, name, s->when, &s->prep);
	if (rc == TOOL_EXIT_OK && !pdf_digest(&s->prep, md))
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
	free(name);
	return rc;
}

static enum tool_exit pdf_sign(struct tool *t, const char *path)
{
	struct pdf_signing s = {path, NULL, 0, time(NULL), {NULL, 0, {0, 0, 0, 0}}};
	struct sign_job job = {0};
	uint8_t *pdf = NULL;
	char *out_path = NULL;
	enum tool_exit rc;
	size_t n;

	if (t->output != NULL) {
		out_path = strdup(t->output);
	} else {
		n = strlen(path);
		if (n > 4 && strcmp(path + n - 4, ".pdf") == 0)
			n -= 4;
		if (asprintf(&out_path, "%.*s-signed.pdf", (int)(n < INT_MAX ? n : 0), path) < 0)
			out_path = NULL;
	}
	if (out_path == NULL)
		return tool_fail_card(t, CARD_E_NO_MEMORY);
	if (strcmp(out_path, path) == 0 || strcmp(out_path, "-") == 0) {
		rc = tool_fail(t, TOOL_EXIT_USAGE, "%s",
			       _("pdf sign writes a new file: give -o with another name."));
		goto out;
	}
	/* The file, its structure and where the result goes, before any PIN entry. */
	if (!file_read_all(path, PDF_MAX_FILE, &pdf, &s.len)) {
		rc = tool_fail_file(t, path, false);
		goto out;
	}
	s.pdf = pdf;
	rc = pdf_prepare(t, path, pdf, s.len, "", s.when, &s.prep);
	free(s.prep.data);
	s.prep.data = NULL;
	if (rc != TOOL_EXIT_OK)
		goto out;
	if (!file_check_writable(out_path)) {
		rc = tool_fail_file(t, out_path, true);
		goto out;
	}
	job.key = JPKI_KEY_SIGN;
	job.when = s.when;
	job.digest = pdf_sign_digest;
	job.digest_arg = &s;
	rc = sign_on_card(t, &job);
	if (rc != TOOL_EXIT_OK)
		goto out;
	if (!pdf_put_contents(&s.prep, job.cms, job.cms_len)) {
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	if (!file_write_atomic(out_path, s.prep.data, s.prep.len)) {
		rc = tool_fail_file(t, out_path, true);
		goto out;
	}
	out_str(&t->out, "file", _("Signed PDF written to"), out_path);
	sign_out_signer(t, job.cert, job.cert_len, false, job.when);
out:
	sign_job_free(&job);
	free(s.prep.data);
	free(pdf);
	free(out_path);
	return rc;
}

enum tool_exit cmd_pdf(struct tool *t, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[0], "sign") == 0)
		return pdf_sign(t, argv[1]);
	if (argc >= 2 && argc - 2 <= PDF_MAX_CAS - 2 && strcmp(argv[0], "verify") == 0)
		return pdf_verify(t, argv[1], argc - 2, argv + 2);
	return tool_fail(t, TOOL_EXIT_USAGE, "%s",
			 _("Usage: jpki-tool pdf sign FILE [-o OUT] | pdf verify FILE [CA-CERT...]"));
}
