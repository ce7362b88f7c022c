/* The test PKI of the fixtures: names, extensions and the SAN otherNames (docs/card.md 6). */
#include "sim-test.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static X509 *load(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;
	X509 *x;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (fp == NULL)
		tap_bail("cannot open %s", path);
	x = d2i_X509_fp(fp, NULL);
	fclose(fp);
	if (x == NULL)
		tap_bail("%s is not a DER certificate", path);
	return x;
}

static char *name_str(X509_NAME *n)
{
	static char buf[1024];
	BIO *bio = BIO_new(BIO_s_mem());
	int len;

	X509_NAME_print_ex(bio, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_read(bio, buf, sizeof(buf) - 1);
	buf[len > 0 ? len : 0] = 0;
	BIO_free(bio);
	return buf;
}

static bool has_policy(X509 *x, const char *oid)
{
	CERTIFICATEPOLICIES *pol = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	bool found = false;
	char buf[64];

	for (int i = 0; pol != NULL && i < sk_POLICYINFO_num(pol); i++) {
		OBJ_obj2txt(buf, sizeof(buf), sk_POLICYINFO_value(pol, i)->policyid, 1);
		found |= strcmp(buf, oid) == 0;
	}
	CERTIFICATEPOLICIES_free(pol);
	return found;
}

static bool is_rsa2048_f4(X509 *x)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	BIGNUM *e = NULL;
	bool ok = k != NULL && EVP_PKEY_get_bits(k) == 2048 &&
		  EVP_PKEY_get_bn_param(k, "e", &e) == 1 && BN_is_word(e, 65537);

	BN_free(e);
	return ok;
}

static void check_common(X509 *ee, X509 *ca, const char *what)
{
	char path[4096];
	unsigned char *der = NULL;
	int len = i2d_X509(ee, &der);
	const ASN1_TIME *nb = X509_get0_notBefore(ee), *na = X509_get0_notAfter(ee);
	int days = 0, secs = 0;
	ASN1_GENERALIZEDTIME *gt;

	(void)path;
	OPENSSL_free(der);
	tap_ok(len >= 1200 && len <= 1700, "%s: DER size %d in 1.2-1.7 KB", what, len);
	tap_ok(X509_verify(ee, X509_get0_pubkey(ca)) == 1, "%s: signed by its CA", what);
	tap_ok(X509_verify(ca, X509_get0_pubkey(ca)) == 1, "%s: CA self-signed", what);
	tap_is_int(X509_get_signature_nid(ee), NID_sha256WithRSAEncryption, "%s: sha256WithRSA",
		   what);
	tap_ok(is_rsa2048_f4(ee) && is_rsa2048_f4(ca), "%s: RSA-2048, e=65537", what);
	ASN1_TIME_diff(&days, &secs, nb, na);
	tap_ok(days >= 5 * 365 && days <= 5 * 365 + 2, "%s: 5-year validity (%d days)", what, days);
	gt = ASN1_TIME_to_generalizedtime(na, NULL);
	tap_ok(gt != NULL && memcmp(gt->data + 8, "145959", 6) == 0,
	       "%s: ends at 14:59:59Z (23:59:59 JST)", what);
	ASN1_GENERALIZEDTIME_free(gt);
	tap_ok((X509_get_extension_flags(ca) & EXFLAG_CA) &&
		       (X509_get_key_usage(ca) & KU_KEY_CERT_SIGN),
	       "%s: CA has CA:TRUE and keyCertSign", what);
	tap_ok(X509_get_ext_by_NID(ee, NID_issuer_alt_name, -1) >= 0, "%s: issuerAltName", what);
	tap_ok(X509_get_ext_by_NID(ee, NID_crl_distribution_points, -1) >= 0, "%s: CRL DP", what);
	int ku = X509_get_ext_by_NID(ee, NID_key_usage, -1);
	tap_ok(ku >= 0 && X509_EXTENSION_get_critical(X509_get_ext(ee, ku)), "%s: KU critical",
	       what);
}

/* san_value: the UTF8String of otherName 1.2.392.200149.8.5.5.<n>, or NULL. */
static const char *san_value(GENERAL_NAMES *gens, int n)
{
	static char buf[512];
	char want[40], oid[40];

	snprintf(want, sizeof(want), "1.2.392.200149.8.5.5.%d", n);
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		ASN1_OBJECT *obj;
		ASN1_TYPE *val;
		if (!GENERAL_NAME_get0_otherName(sk_GENERAL_NAME_value(gens, i), &obj, &val))
			continue;
		OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		if (strcmp(oid, want) != 0 || val->type != V_ASN1_UTF8STRING)
			continue;
		snprintf(buf, sizeof(buf), "%.*s", val->value.utf8string->length,
			 (const char *)val->value.utf8string->data);
		return buf;
	}
	return NULL;
}

static void check_card(const char *dir, const char *name, const char *birth, const char *sex)
{
	X509 *auth = load(dir, SIM_FILE_AUTH), *sign = load(dir, SIM_FILE_SIGN);
	X509 *auth_ca = load(dir, SIM_FILE_AUTH_CA), *sign_ca = load(dir, SIM_FILE_SIGN_CA);
	GENERAL_NAMES *san;
	const char *v;

	tap_diag("card in %s", dir);
	check_common(auth, auth_ca, "auth");
	check_common(sign, sign_ca, "sign");
	tap_ok(strcmp(name_str(X509_get_subject_name(auth_ca)),
		      "OU=Japan Agency for Local Authority Information Systems,"
		      "OU=JPKI for user authentication,O=JPKI-TEST,C=JP") == 0,
	       "auth CA DN: %s", name_str(X509_get_subject_name(auth_ca)));
	tap_ok(strcmp(name_str(X509_get_subject_name(sign_ca)),
		      "OU=Japan Agency for Local Authority Information Systems,"
		      "OU=JPKI for digital signature,O=JPKI-TEST,C=JP") == 0,
	       "sign CA DN: %s", name_str(X509_get_subject_name(sign_ca)));
	tap_ok(X509_NAME_entry_count(X509_get_subject_name(auth)) == 2 &&
		       strncmp(name_str(X509_get_subject_name(auth)), "CN=", 3) == 0,
	       "auth subject C=JP, CN=<id>: %s", name_str(X509_get_subject_name(auth)));
	tap_ok(X509_NAME_entry_count(X509_get_subject_name(sign)) == 4,
	       "sign subject C, L, L, CN: %s", name_str(X509_get_subject_name(sign)));
	tap_is_int(X509_get_key_usage(auth), KU_DIGITAL_SIGNATURE, "auth KU digitalSignature");
	tap_is_int(X509_get_key_usage(sign), KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION,
		   "sign KU digitalSignature + nonRepudiation");
	tap_ok(has_policy(auth, "1.2.392.200149.8.5.1.3.30"), "auth policy");
	tap_ok(has_policy(sign, "1.2.392.200149.8.5.1.1.20"), "sign policy");
	tap_ok(X509_get_ext_by_NID(auth, NID_subject_alt_name, -1) < 0, "auth: no SAN");
	san = X509_get_ext_d2i(sign, NID_subject_alt_name, NULL, NULL);
	tap_is_int(san ? sk_GENERAL_NAME_num(san) : 0, 6, "sign SAN: six otherNames");
	v = san_value(san, 1);
	tap_ok(v && strcmp(v, name) == 0, "SAN .1 name: %s", v ? v : "-");
	v = san_value(san, 2);
	tap_ok(v && strspn(v, "0") == strlen(v) && *v, "SAN .2 name flags: %s", v ? v : "-");
	v = san_value(san, 3);
	tap_ok(v && strcmp(v, sex) == 0, "SAN .3 sex: %s", v ? v : "-");
	v = san_value(san, 4);
	tap_ok(v && strcmp(v, birth) == 0, "SAN .4 birth EYYYYMMDD: %s", v ? v : "-");
	v = san_value(san, 5);
	tap_ok(v && strlen(v) > 10, "SAN .5 address: %s", v ? v : "-");
	v = san_value(san, 6);
	tap_ok(v && *v && strspn(v, "0") == strlen(v), "SAN .6 address flags");
	GENERAL_NAMES_free(san);
	X509_free(auth);
	X509_free(sign);
	X509_free(auth_ca);
	X509_free(sign_ca);
}

int main(void)
{
	const char *fix = getenv("JPKI_SIM_FIXTURE");
	char fix2[4096];
	struct sim_identity id;
	X509 *a, *b;

	if (fix == NULL)
		tap_bail("JPKI_SIM_FIXTURE is not set");
	snprintf(fix2, sizeof(fix2), "%s2", fix);
	check_card(fix, SIM_DEFAULT_NAME, "319800101", "1");
	check_card(fix2, "試験　花子", "419950401", "2");
	a = load(fix, SIM_FILE_AUTH);
	b = load(fix2, SIM_FILE_AUTH);
	tap_ok(EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(b)) != 1,
	       "fixture2 has other keys");
	X509_free(a);
	X509_free(b);

	sim_identity_defaults(&id);
	id.auth_pin = "12a4";
	tap_is_int(sim_state_create("/nonexistent/x", &id), -1, "identity: bad auth PIN refused");
	sim_identity_defaults(&id);
	id.sign_pin = "jpkitest2026";
	tap_is_int(sim_state_create("/nonexistent/x", &id), -1, "identity: lower-case refused");
	sim_identity_defaults(&id);
	id.birth = "18000101";
	tap_is_int(sim_state_create("/nonexistent/x", &id), -1, "identity: pre-Meiji refused");
	return tap_done();
}
