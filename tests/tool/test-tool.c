/* jpki-tool's pieces without a card: JSON and text output of hostile
 * strings, eras, the exit-code tables, atomic writes, PIN lines from a
 * descriptor, and a CMS signature made through the signer callback with a
 * software key (as the card would), verified by the tool's own check. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../tap.h"
#include "cms.h"
#include "era.h"
#include "exit.h"
#include "file.h"
#include "hostcheck.h"
#include "out.h"
#include "secret.h"

static char *render(bool json, void (*fill)(struct out *))
{
	struct out o;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	out_init(&o, json);
	fill(&o);
	out_flush(&o, fp);
	fclose(fp);
	return buf;
}

static void fill_hostile(struct out *o)
{
	out_str(o, "name", "Name", "a\"b\\c\n\x1b[31m\xff\xc3\xa9\xe5\x85\xac");
	out_int(o, "n", "N", -3);
	out_obj_begin(o, "obj", "Obj");
	out_bool(o, "t", "T", true);
	out_null(o, "z", "Z", "-");
	out_obj_end(o);
}

static void test_out(void)
{
	char *j = render(true, fill_hostile), *t = render(false, fill_hostile);

	tap_ok(strcmp(j,
		      "{\"name\":\"a\\\"b\\\\c\\u000a\\u001b[31m\xef\xbf\xbd\xc3\xa9\xe5\x85\xac\","
		      "\"n\":-3,\"obj\":{\"t\":true,\"z\":null}}\n") == 0,
	       "JSON: quotes, backslash, controls escaped; bad UTF-8 is U+FFFD");
	tap_ok(strcmp(t, "Name: a\"b\\c??[31m?\xc3\xa9\xe5\x85\xac\nN: -3\nObj:\n  T: yes\n  Z: "
			 "-\n") == 0,
	       "text: control characters and bad UTF-8 shown as '?'");
	free(j);
	free(t);
}

static void test_era(void)
{
	int code = 0, year = 0;

	tap_ok(era_of_date("19800101", &code, &year) && code == 3 && year == 55, "1980: Showa 55");
	code = 0;
	tap_ok(era_of_date("19890108", &code, &year) && code == 4 && year == 1,
	       "1989-01-08: Heisei 1");
	code = 0;
	tap_ok(era_of_date("19890107", &code, &year) && code == 3 && year == 64,
	       "1989-01-07: Showa 64");
	code = 0;
	tap_ok(era_of_date("20190501", &code, &year) && code == 5 && year == 1,
	       "2019-05-01: Reiwa 1");
	code = 4;
	tap_ok(era_of_date("19900102", &code, &year) && code == 4 && year == 2, "stated era kept");
	code = 0;
	tap_ok(!era_of_date("1990010", &code, &year) && !era_of_date("19901301", &code, &year) &&
		       !era_of_date("18000101", &code, &year) && !era_of_date(NULL, &code, &year),
	       "malformed and pre-Meiji dates refused");
	tap_ok(era_name(9) == NULL && strcmp(era_name(1), "Meiji") == 0, "era names");
}

static void test_exit(void)
{
	const char *msg = NULL;
	int i;
	bool all = true;

	for (i = 0; i < CARD_E_COUNT; i++) {
		enum tool_exit code = exit_from_card((enum card_error)i, &msg);
		all = all && msg != NULL && code < TOOL_EXIT_COUNT;
	}
	tap_ok(all, "every card error has a message and an exit code");
	tap_is_int(exit_from_card(CARD_E_PIN_WRONG, &msg), TOOL_EXIT_PIN_WRONG, "wrong PIN: 6");
	tap_is_int(exit_from_card(CARD_E_CARD_ABSENT, &msg), TOOL_EXIT_NO_CARD, "no card: 4");
	tap_is_int(exit_from_card(CARD_E_CARD_REMOVED, &msg), TOOL_EXIT_CARD_REMOVED, "removed: 9");
	tap_is_int(exit_from_card((enum card_error)999, &msg), TOOL_EXIT_FAILURE, "unknown: 1");
	tap_ok(strcmp(exit_desc(TOOL_EXIT_PIN_BLOCKED)->name, "pin-blocked") == 0 &&
		       strcmp(exit_desc((enum tool_exit)99)->name, "failure") == 0,
	       "exit names");
}

static void test_file(const char *dir)
{
	char path[512], bad[512];
	uint8_t *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/out.bin", dir);
	snprintf(bad, sizeof(bad), "%s/missing/out.bin", dir);
	tap_ok(file_write_atomic(path, (const uint8_t *)"hello", 5), "atomic write");
	tap_ok(file_read_all(path, 100, &data, &len) && len == 5 && memcmp(data, "hello", 5) == 0,
	       "read back");
	free(data);
	tap_ok(!file_read_all(path, 4, &data, &len) && errno == EFBIG, "read refuses a large file");
	tap_ok(!file_write_atomic(bad, (const uint8_t *)"x", 1) && errno == ENOENT,
	       "write into a missing directory fails with errno");
	tap_ok(file_check_writable(path) && file_check_writable("-"),
	       "check_writable: an existing file, standard output");
	tap_ok(!file_check_writable(bad) && errno == ENOENT,
	       "check_writable: a missing directory, with errno");
	tap_ok(!file_check_writable(dir) && errno == EISDIR, "check_writable: a directory");
	unlink(path);
	tap_ok(file_check_writable(path), "check_writable: a new file");
	tap_ok(access(path, F_OK) != 0, "check_writable leaves no file behind");
}

/* test_lines: file_next_line over LF, CRLF, an empty line, a bare CR kept
 * inside a line, and a last line with and without its newline. */
static void test_lines(void)
{
	static const char text[] = "a\r\n\nb\rc\nlast";
	static const char *const want[] = {"a", "", "b\rc", "last"};
	const char *p = text, *end = text + strlen(text), *line;
	size_t len, n = 0;
	bool ok = true;

	while (file_next_line(&p, end, &line, &len)) {
		ok = ok && n < 4 && len == strlen(want[n]) && memcmp(line, want[n], len) == 0;
		n++;
	}
	tap_ok(ok && n == 4 && p == end, "lines: LF, CRLF, empty, inner CR, no final newline");
	p = "x\n";
	end = p + 2;
	tap_ok(file_next_line(&p, end, &line, &len) && len == 1 &&
		       !file_next_line(&p, end, &line, &len),
	       "lines: a final newline makes no empty last line");
	p = "";
	tap_ok(!file_next_line(&p, p, &line, &len), "lines: an empty text has none");
}

static void test_secret(const char *dir)
{
	char path[512], pin[SECRET_MAX + 1], longline[200];
	struct secret_source s;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/pins", dir);
	memset(longline, 'A', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	fp = fopen(path, "w");
	fprintf(fp, "1234\nABCDEF12\r\n%s\n", longline);
	fclose(fp);
	tap_ok(secret_source_file(&s, path) == SECRET_OK, "PIN file opened");
	tap_ok(secret_read(&s, "", pin) == SECRET_OK && strcmp(pin, "1234") == 0, "first line");
	tap_ok(secret_read(&s, "", pin) == SECRET_OK && strcmp(pin, "ABCDEF12") == 0, "CRLF line");
	tap_ok(secret_read(&s, "", pin) == SECRET_E_TOO_LONG && pin[0] == '\0',
	       "too long: refused and wiped");
	tap_ok(secret_read(&s, "", pin) == SECRET_E_EOF, "end of file");
	secret_source_close(&s);
	tap_ok(secret_source_file(&s, "/nonexistent/pins") == SECRET_E_IO, "missing PIN file");
	unlink(path);
}

/* A software "card": PKCS#1 v1.5 over the DigestInfo, as COMPUTE DIGITAL SIGNATURE does. */
static enum card_error soft_sign(void *arg, const uint8_t *di, size_t len, uint8_t *sig, size_t cap,
				 size_t *sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(arg, NULL);
	enum card_error err = CARD_E_CARD;

	*sig_len = cap;
	if (ctx != NULL && EVP_PKEY_sign_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_sign(ctx, sig, sig_len, di, len) > 0)
		err = CARD_OK;
	EVP_PKEY_CTX_free(ctx);
	return err;
}

/* soft_pss: what the card's scheme 04 does: RSASSA-PSS over the given SHA-256
 * hash, MGF1-SHA-256, salt pss_salt (32, as the card; 20 to be caught). */
static int pss_salt = 32;

static enum card_error soft_pss(void *arg, const uint8_t *hash, size_t len, uint8_t *sig,
				size_t cap, size_t *sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(arg, NULL);
	enum card_error err = CARD_E_CARD;

	*sig_len = cap;
	if (len == 32 && ctx != NULL && EVP_PKEY_sign_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, pss_salt) > 0 &&
	    EVP_PKEY_sign(ctx, sig, sig_len, hash, len) > 0)
		err = CARD_OK;
	EVP_PKEY_CTX_free(ctx);
	return err;
}

static enum card_error failing_sign(void *arg, const uint8_t *di, size_t len, uint8_t *sig,
				    size_t cap, size_t *sig_len)
{
	(void)arg, (void)di, (void)len, (void)sig, (void)cap;
	*sig_len = 0;
	return CARD_E_CARD_REMOVED;
}

static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *issuer_key, X509 *issuer, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)(ca ? "Test CA" : "Holder"), -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
				  ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
				  ca ? "critical,keyCertSign,cRLSign"
				     : "critical,digitalSignature,nonRepudiation");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, issuer_key, EVP_sha256());
	X509_NAME_free(name);
	return x;
}

static void test_cms(const char *dir)
{
	EVP_PKEY *ca_key = EVP_RSA_gen(2048), *key = EVP_RSA_gen(2048);
	X509 *ca = make_cert(ca_key, ca_key, NULL, true), *cert = make_cert(key, ca_key, ca, false);
	uint8_t *cert_der = NULL, *ca_der = NULL, md[CMS_DIGEST_LEN], *sig = NULL;
	int cert_len = i2d_X509(cert, &cert_der), ca_len = i2d_X509(ca, &ca_der);
	const uint8_t *cas[1] = {ca_der};
	size_t ca_lens[1] = {(size_t)ca_len}, sig_len = 0;
	char content[512];
	struct cms_signer signer;
	enum card_error card_err;
	const char *reason;
	FILE *fp;

	snprintf(content, sizeof(content), "%s/content", dir);
	fp = fopen(content, "w");
	fputs("to be signed\n", fp);
	fclose(fp);
	tap_ok(cms_digest_file(content, md), "digest of the content");
	tap_is_int(cms_sign_detached(cert_der, (size_t)cert_len, md, time(NULL), false, soft_sign, key,
				     false, &sig, &sig_len, &card_err),
		   CMS_RESULT_OK, "SignedData through the signer callback");
	tap_is_int(cms_verify_detached(sig, sig_len, content, cas, ca_lens, 1, &signer, &reason),
		   CMS_RESULT_OK, "verified with the CA as the only anchor");
	tap_ok(signer.cert_len == (size_t)cert_len &&
		       memcmp(signer.cert, cert_der, cert_len) == 0 && signer.signing_time > 0,
	       "signer certificate and signing time");
	cms_signer_free(&signer);
	sig[sig_len - 5] ^= 1;
	tap_is_int(cms_verify_detached(sig, sig_len, content, cas, ca_lens, 1, &signer, &reason),
		   CMS_RESULT_INVALID, "a flipped signature byte: invalid");
	tap_is_int(cms_verify_detached(sig, 10, content, cas, ca_lens, 1, &signer, &reason),
		   CMS_RESULT_MALFORMED, "truncated: malformed");
	free(sig);
	sig = NULL;
	tap_is_int(cms_sign_detached(cert_der, (size_t)cert_len, md, time(NULL), false, soft_sign, ca_key,
				     true, &sig, &sig_len, &card_err),
		   CMS_RESULT_INVALID, "a signature by another key is caught before output");
	tap_ok(sig == NULL, "nothing returned");
	tap_is_int(cms_sign_detached(cert_der, (size_t)cert_len, md, time(NULL), false, failing_sign, NULL,
				     false, &sig, &sig_len, &card_err),
		   CMS_RESULT_SIGNER, "signer failure reported");
	tap_is_int(card_err, CARD_E_CARD_REMOVED, "with the card's error");
	tap_is_int(cms_sign_detached(cert_der, 10, md, time(NULL), false, soft_sign, key, false, &sig,
				     &sig_len, &card_err),
		   CMS_RESULT_MALFORMED, "bad certificate");
	/* RSASSA-PSS (RFC 4056 parameters), as jpki-tool sign --pss makes it. */
	free(sig);
	sig = NULL;
	tap_is_int(cms_sign_detached(cert_der, (size_t)cert_len, md, time(NULL), true, soft_pss, key,
				     false, &sig, &sig_len, &card_err),
		   CMS_RESULT_OK, "PSS SignedData");
	tap_is_int(cms_verify_detached(sig, sig_len, content, cas, ca_lens, 1, &signer, &reason),
		   CMS_RESULT_OK, "PSS: verified");
	cms_signer_free(&signer);
	{
		const unsigned char *p = sig;
		CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
		STACK_OF(CMS_SignerInfo) *sis = cms != NULL ? CMS_get0_SignerInfos(cms) : NULL;
		X509_ALGOR *alg = NULL;
		const ASN1_OBJECT *oid = NULL;

		if (sis != NULL && sk_CMS_SignerInfo_num(sis) == 1)
			CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, NULL, NULL,
						 &alg);
		if (alg != NULL)
			X509_ALGOR_get0(&oid, NULL, NULL, alg);
		tap_is_int(oid != NULL ? OBJ_obj2nid(oid) : NID_undef, NID_rsassaPss,
			   "PSS: the signature algorithm is id-RSASSA-PSS");
		CMS_ContentInfo_free(cms);
	}
	free(sig);
	sig = NULL;
	pss_salt = 20;
	tap_is_int(cms_sign_detached(cert_der, (size_t)cert_len, md, time(NULL), true, soft_pss, key,
				     false, &sig, &sig_len, &card_err),
		   CMS_RESULT_INVALID, "PSS with salt 20: caught before output");
	tap_ok(sig == NULL, "nothing returned");
	pss_salt = 32;
	tap_ok(!cms_digest_file("/nonexistent/x", md) && errno == ENOENT, "unreadable content");
	unlink(content);
	OPENSSL_free(cert_der);
	OPENSSL_free(ca_der);
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
}

/* put: writes text into dir/name (making dir). */
static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (fp == NULL)
		tap_bail("cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

/* A fake sysfs and p11-kit configuration: the RC-S380 by its USB ID, other
 * devices ignored, a hostile ID refused; OpenSC's module file found by its
 * module: line only. */
static void test_hostcheck(const char *dir)
{
	char usb[256], dev[300], mods[256], path[512];
	const char *dirs[2];

	snprintf(usb, sizeof(usb), "%s/usb", dir);
	mkdir(usb, 0700);
	snprintf(dev, sizeof(dev), "%s/1-1", usb);
	put(dev, "idVendor", "1d6b\n");
	put(dev, "idProduct", "0002\n");
	snprintf(dev, sizeof(dev), "%s/1-2", usb);
	put(dev, "idVendor", "054c\n");
	put(dev, "idProduct", "zz06c3\n");
	tap_ok(hostcheck_dead_reader(usb) == NULL, "hostcheck: a hub and a hostile ID: nothing");
	snprintf(dev, sizeof(dev), "%s/1-3", usb);
	put(dev, "idVendor", "054c\n");
	put(dev, "idProduct", "06c3\n");
	tap_ok(hostcheck_dead_reader(usb) != NULL &&
		       strcmp(hostcheck_dead_reader(usb), "Sony RC-S380/P") == 0,
	       "hostcheck: an RC-S380 by its USB ID");
	tap_ok(hostcheck_dead_reader("/nonexistent") == NULL, "hostcheck: no sysfs: nothing");

	snprintf(mods, sizeof(mods), "%s/modules", dir);
	put(mods, "a.module", "# opensc-pkcs11.so in a comment\nmodule: jpki-pkcs11.so\n");
	put(mods, "b.txt", "module: opensc-pkcs11.so\n");
	dirs[0] = NULL;
	dirs[1] = mods;
	tap_is_int(hostcheck_opensc_module(dirs, 2, path, sizeof(path)), 0,
		   "hostcheck: OpenSC named outside a module: line or file: not registered");
	put(mods, "opensc.module", "module: opensc-pkcs11.so\n");
	tap_is_int(hostcheck_opensc_module(dirs, 2, path, sizeof(path)), 1,
		   "hostcheck: OpenSC's module file found");
	tap_ok(strstr(path, "/modules/opensc.module") != NULL, "hostcheck: its path (%s)", path);
	for (const char *const *n =
		     (const char *const[]){"a.module", "b.txt", "opensc.module", NULL};
	     *n != NULL; n++) {
		snprintf(path, sizeof(path), "%s/%s", mods, *n);
		unlink(path);
	}
	rmdir(mods);
	for (int i = 1; i <= 3; i++) {
		snprintf(dev, sizeof(dev), "%s/1-%d/idVendor", usb, i);
		unlink(dev);
		snprintf(dev, sizeof(dev), "%s/1-%d/idProduct", usb, i);
		unlink(dev);
		snprintf(dev, sizeof(dev), "%s/1-%d", usb, i);
		rmdir(dev);
	}
	rmdir(usb);
}

int main(void)
{
	char dir[] = "/tmp/test-tool.XXXXXX";

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	test_out();
	test_era();
	test_exit();
	test_file(dir);
	test_lines();
	test_secret(dir);
	test_cms(dir);
	test_hostcheck(dir);
	rmdir(dir);
	return tap_done();
}
