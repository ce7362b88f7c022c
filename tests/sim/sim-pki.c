/* The emulator's test PKI: two self-signed CAs named like the J-LIS roots (with O=JPKI-TEST) and
 * the card's authentication and signature certificates, shaped like docs/card.md 6. */
#include "sim-internal.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* First day of each Japanese era (Gregorian), newest first, with its code in the sign
 * certificate's birth-date otherName (section 6.2: 1 明治 .. 5 令和). */
static const struct sim_era {
	const char *first_day;
	char code;
} sim_eras[] = {
	{"20190501", '5'}, {"19890108", '4'}, {"19261225", '3'},
	{"19120730", '2'}, {"18680125", '1'},
};

int sim_era_date(const char *yyyymmdd, bool era_yymmdd, char *out, size_t cap)
{
	if (strlen(yyyymmdd) != 8 || strspn(yyyymmdd, "0123456789") != 8)
		return -1;
	for (size_t i = 0; i < sizeof(sim_eras) / sizeof(sim_eras[0]); i++) {
		const struct sim_era *e = &sim_eras[i];
		if (strcmp(yyyymmdd, e->first_day) < 0)
			continue;
		if (!era_yymmdd)
			return snprintf(out, cap, "%c%s", e->code, yyyymmdd) == 9 ? 0 : -1;
		int year = atoi((char[5]){yyyymmdd[0], yyyymmdd[1], yyyymmdd[2], yyyymmdd[3], 0});
		int first = atoi((char[5]){e->first_day[0], e->first_day[1], e->first_day[2],
					   e->first_day[3], 0});
		return snprintf(out, cap, "%02d%.4s", (year - first + 1) % 100, yyyymmdd + 4) == 6
			       ? 0
			       : -1;
	}
	return -1;
}

/* One RDN list: pairs of field name and UTF-8 value, NULL-terminated. */
static X509_NAME *name_new(const char *const *rdn)
{
	X509_NAME *name = X509_NAME_new();

	for (; name != NULL && rdn[0] != NULL; rdn += 2)
		if (!X509_NAME_add_entry_by_txt(name, rdn[0], MBSTRING_UTF8,
						(const unsigned char *)rdn[1], -1, -1, 0)) {
			X509_NAME_free(name);
			name = NULL;
		}
	return name;
}

static GENERAL_NAMES *dirname_new(const char *const *rdn)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	X509_NAME *name = name_new(rdn);

	if (gens == NULL || gen == NULL || name == NULL)
		goto fail;
	GENERAL_NAME_set0_value(gen, GEN_DIRNAME, name);
	name = NULL;
	if (!sk_GENERAL_NAME_push(gens, gen))
		goto fail;
	return gens;
fail:
	X509_NAME_free(name);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return NULL;
}

/* J-LIS's alternative name on all JPKI certificates: DirName C=JP, O=公的個人認証サービス. */
static const char *const jlis_altname[] = {"C", "JP", "O", "公的個人認証サービス", NULL};

static int add_gens(X509 *x, int nid, GENERAL_NAMES *gens)
{
	int ok = gens != NULL && X509_add1_ext_i2d(x, nid, gens, 0, X509V3_ADD_DEFAULT) == 1;

	GENERAL_NAMES_free(gens);
	return ok ? 0 : -1;
}

static int add_crldp(X509 *x, const char *const *rdn)
{
	CRL_DIST_POINTS *cdp = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	int rc = -1;

	if (cdp == NULL || dp == NULL)
		goto out;
	dp->distpoint = DIST_POINT_NAME_new();
	if (dp->distpoint == NULL)
		goto out;
	dp->distpoint->type = 0; /* fullName */
	dp->distpoint->name.fullname = dirname_new(rdn);
	if (dp->distpoint->name.fullname == NULL || !sk_DIST_POINT_push(cdp, dp))
		goto out;
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, cdp, 0, X509V3_ADD_DEFAULT) == 1)
		rc = 0;
out:
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(cdp);
	return rc;
}

/* add_conf: one extension from OpenSSL's textual form (no config database needed). */
static int add_conf(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int rc = -1;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext != NULL && X509_add_ext(x, ext, -1) == 1)
		rc = 0;
	X509_EXTENSION_free(ext);
	return rc;
}

static int add_policy(X509 *x, const char *oid)
{
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	POLICYINFO *pol = POLICYINFO_new();
	int rc = -1;

	if (pols == NULL || pol == NULL)
		goto out;
	ASN1_OBJECT_free(pol->policyid);
	pol->policyid = OBJ_txt2obj(oid, 1);
	if (pol->policyid == NULL || !sk_POLICYINFO_push(pols, pol))
		goto out;
	pol = NULL;
	if (X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT) == 1)
		rc = 0;
out:
	POLICYINFO_free(pol);
	CERTIFICATEPOLICIES_free(pols);
	return rc;
}

/* The six otherNames of the sign certificate's subjectAltName (section 6.2). */
static int add_identity_san(X509 *x, const char *const values[6])
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	char oid[48];

	if (gens == NULL)
		return -1;
	for (int i = 0; i < 6; i++) {
		GENERAL_NAME *gen = GENERAL_NAME_new();
		ASN1_TYPE *type = ASN1_TYPE_new();
		ASN1_UTF8STRING *str = ASN1_UTF8STRING_new();
		ASN1_OBJECT *obj;
		snprintf(oid, sizeof(oid), "1.2.392.200149.8.5.5.%d", i + 1);
		obj = OBJ_txt2obj(oid, 1);
		if (gen == NULL || type == NULL || str == NULL || obj == NULL ||
		    !ASN1_STRING_set(str, values[i], -1)) {
			GENERAL_NAME_free(gen);
			ASN1_TYPE_free(type);
			ASN1_UTF8STRING_free(str);
			ASN1_OBJECT_free(obj);
			GENERAL_NAMES_free(gens);
			return -1;
		}
		ASN1_TYPE_set(type, V_ASN1_UTF8STRING, str);
		GENERAL_NAME_set0_othername(gen, obj, type);
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			GENERAL_NAME_free(gen);
			GENERAL_NAMES_free(gens);
			return -1;
		}
	}
	return add_gens(x, NID_subject_alt_name, gens);
}

/* cert_new: the common skeleton (v3, random serial, validity, names, key, SKI, AKI); valid for
 * days from start_days days from now. */
static X509 *cert_new(X509_NAME *subject, X509 *issuer, EVP_PKEY *key, long start_days, long days)
{
	X509 *x = X509_new();
	unsigned char serial[9];
	BIGNUM *bn = NULL;
	time_t now = time(NULL) + start_days * 86400, end;
	struct tm tm;
	bool ok = false;

	if (x == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x3F; /* positive, 9 bytes or fewer */
	serial[0] |= 0x01;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	/* Real certificates end at 23:59:59 JST = 14:59:59Z (section 6.2). */
	end = now + days * 86400;
	gmtime_r(&end, &tm);
	end -= (time_t)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	end += 14 * 3600 + 59 * 60 + 59;
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    !X509_set_version(x, X509_VERSION_3) || !ASN1_TIME_set(X509_getm_notBefore(x), now) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), end) || !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) ||
	    !X509_set_pubkey(x, key))
		goto out;
	if (add_conf(x, issuer ? issuer : x, NID_subject_key_identifier, "hash") != 0)
		goto out;
	if (issuer != NULL &&
	    add_conf(x, issuer, NID_authority_key_identifier, "keyid:always") != 0)
		goto out;
	ok = true;
out:
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

static int write_cert(const char *dir, const char *file, X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	int rc = len > 0 ? sim_write_file(dir, file, der, (size_t)len) : -1;

	OPENSSL_free(der);
	return rc;
}

static int write_key(const char *dir, const char *file, EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int rc = -1;

	if (bio != NULL && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (len = BIO_get_mem_data(bio, &pem)) > 0)
		rc = sim_write_file(dir, file, pem, (size_t)len);
	BIO_free(bio);
	return rc;
}

/* One purpose of the PKI: CA names and the end-entity profile. */
struct sim_purpose {
	const char *ou;	       /* CA OU */
	const char *policy;    /* certificatePolicies OID */
	const char *key_usage; /* end entity */
	const char *aia;       /* authorityInfoAccess (reserved .invalid host: never resolves) */
	const char *ca_file, *ee_file, *key_file;
};

static const struct sim_purpose sim_purposes[2] = {
	{"JPKI for user authentication", "1.2.392.200149.8.5.1.3.30", "critical,digitalSignature",
	 "OCSP;URI:http://ocsp-auth.jpki-test.invalid/,"
	 "caIssuers;URI:http://repository.jpki-test.invalid/authca.der",
	 SIM_FILE_AUTH_CA, SIM_FILE_AUTH, SIM_FILE_AUTH_KEY},
	{"JPKI for digital signature", "1.2.392.200149.8.5.1.1.20",
	 "critical,digitalSignature,nonRepudiation",
	 "OCSP;URI:http://ocsp-sign.jpki-test.invalid/,"
	 "caIssuers;URI:http://repository.jpki-test.invalid/signca.der",
	 SIM_FILE_SIGN_CA, SIM_FILE_SIGN, SIM_FILE_SIGN_KEY},
};

static int make_purpose(const char *dir, const struct sim_identity *id, bool sign)
{
	const struct sim_purpose *p = &sim_purposes[sign];
	const char *const ca_rdn[] = {
		"C",  "JP",  "O",  "JPKI-TEST",
		"OU", p->ou, "OU", "Japan Agency for Local Authority Information Systems",
		NULL};
	char crldp_cn[SIM_TEXT_MAX + 8], opaque[24], era[16];
	const char *const crldp_rdn[] = {"C",  "JP",	       "O",  "JPKI-TEST",
					 "OU", p->ou,	       "OU", "CRL Distribution Points",
					 "OU", id->prefecture, "CN", crldp_cn,
					 NULL};
	const char *const auth_rdn[] = {"C", "JP", "CN", opaque, NULL};
	const char *const sign_rdn[] = {"C",  "JP",   "L", id->prefecture, "L", id->municipality,
					"CN", opaque, NULL};
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509_NAME *ca_name = NULL, *name = NULL;
	X509 *ca = NULL, *ee = NULL;
	unsigned char rnd[10];
	int rc = -1;

	snprintf(crldp_cn, sizeof(crldp_cn), "%s CRLDP", id->municipality);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	/* An opaque serial-like id, as on real cards (no personal data in the CN). */
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(opaque + 2 * i, 3, "%02X", rnd[i]);
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ca_name = name_new(ca_rdn);
	name = name_new(sign ? sign_rdn : auth_rdn);
	if (ca_key == NULL || key == NULL || ca_name == NULL || name == NULL)
		goto out;

	/* The CA was there before its certificates, expired ones too. */
	ca = cert_new(ca_name, NULL, ca_key, id->cert_start_days < 0 ? id->cert_start_days - 1 : 0,
		      10 * 365 + 2);
	if (ca == NULL || add_conf(ca, ca, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
	    add_conf(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") != 0 ||
	    add_gens(ca, NID_subject_alt_name, dirname_new(jlis_altname)) != 0 ||
	    add_crldp(ca, ca_rdn) != 0 || X509_sign(ca, ca_key, EVP_sha256()) <= 0)
		goto out;

	ee = cert_new(name, ca, key, id->cert_start_days,
		      id->cert_days ? (long)id->cert_days : 5 * 365 + 1);
	if (ee == NULL || add_conf(ee, ca, NID_key_usage, p->key_usage) != 0 ||
	    add_policy(ee, p->policy) != 0 ||
	    add_gens(ee, NID_issuer_alt_name, dirname_new(jlis_altname)) != 0 ||
	    add_crldp(ee, crldp_rdn) != 0 || add_conf(ee, ca, NID_info_access, p->aia) != 0)
		goto out;
	if (sign) {
		const char *sex = id->sex == '9' ? "3" : (id->sex == '2' ? "2" : "1");
		char name_flags[SIM_TEXT_MAX], addr_flags[SIM_TEXT_MAX];
		const char *values[6] = {id->name, name_flags, sex, era, id->address, addr_flags};
		/* Flag strings: one '0' per character (no 代替文字 used). */
		size_t nl = 0, al = 0;
		for (const char *s = id->name; *s; s++)
			if ((*s & 0xC0) != 0x80)
				name_flags[nl++] = '0';
		for (const char *s = id->address; *s; s++)
			if ((*s & 0xC0) != 0x80)
				addr_flags[al++] = '0';
		name_flags[nl] = 0;
		addr_flags[al] = 0;
		if (sim_era_date(id->birth, false, era, sizeof(era)) != 0 ||
		    add_identity_san(ee, values) != 0)
			goto out;
	}
	if (X509_sign(ee, ca_key, EVP_sha256()) <= 0)
		goto out;
	if (write_cert(dir, p->ca_file, ca) != 0 || write_cert(dir, p->ee_file, ee) != 0 ||
	    write_key(dir, p->key_file, key) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		fprintf(stderr, "jpki-card-sim: cannot generate the %s PKI in %s\n",
			sign ? "signature" : "authentication", dir);
		ERR_print_errors_fp(stderr);
	}
	X509_free(ca);
	X509_free(ee);
	X509_NAME_free(ca_name);
	X509_NAME_free(name);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return rc;
}

int sim_pki_generate(const char *dir, const struct sim_identity *id)
{
	if (make_purpose(dir, id, false) != 0 || make_purpose(dir, id, true) != 0)
		return -1;
	return 0;
}
