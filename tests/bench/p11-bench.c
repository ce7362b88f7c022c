/* p11-bench: one everyday PKCS#11 operation, as an application start does it, through any module.
 *
 *   p11-bench [--auth-label L] [--sign-label L] MODULE list|objects|auth-sign|sign-sign|poll [N]
 *
 * The module is loaded with dlopen and driven only through the list C_GetFunctionList returns, so
 * the same program measures our module and OpenSC's side by side.  Operations:
 *   list       slot list, every slot's info, every token's info, mechanism list and info
 *   objects    every object of every token (class, label, id), each certificate's value
 *   auth-sign  find the authentication token by label, log in (CKU_USER, $JPKI_AUTH_PIN), find the
 *              signing key and the certificate with its CKA_ID, read the certificate, sign with
 *              CKM_SHA256_RSA_PKCS
 *   sign-sign  the same on the signature token ($JPKI_SIGN_PIN), with the CKU_CONTEXT_SPECIFIC
 *              login after C_SignInit when the key has CKA_ALWAYS_AUTHENTICATE
 *   poll N     N rounds of slot list + slot info + token info (what browsers do many times a second)
 * Every signature is verified here with OpenSSL against the certificate read from the token, so a
 * module that answers fast but wrong fails.  Output: key=value lines on stdout (times in ms, memory
 * in kB) for tests/bench/run.sh; errors on stderr, exit status 1.
 *
 * Under callgrind (--collect-atstart=no --toggle-collect=bench_measured_*) only the measured calls
 * are counted: bench_measured_sign wraps C_Sign, bench_measured_token_info wraps each C_GetTokenInfo
 * after the first poll round (the steady state).
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pkcs11.h"

/* Token labels of the modules we know (the blank-padded CK_TOKEN_INFO label, trimmed). */
static const char *const bench_auth_labels[] = {"JPKI Auth (4-digit PIN)",
						"JPKI (User Authentication PIN)"};
static const char *const bench_sign_labels[] = {"JPKI Sign (6-16 char password)",
						"JPKI (Digital Signature PIN)"};

#define BENCH_MAX_SLOTS	  64
#define BENCH_MAX_OBJECTS 64

struct bench {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	const char *auth_label; /* NULL: any of bench_auth_labels */
	const char *sign_label;
	double t0;
	unsigned long measured_calls;
};

static double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool bench_ok(CK_RV rv, const char *what)
{
	if (rv == CKR_OK)
		return true;
	fprintf(stderr, "p11-bench: %s failed: 0x%08lX\n", what, (unsigned long)rv);
	return false;
}

/* The measured calls: not inlined, so callgrind can toggle collection on their names. */
__attribute__((noinline)) CK_RV bench_measured_sign(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
						    CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
						    CK_ULONG_PTR sig_len);
__attribute__((noinline)) CK_RV bench_measured_token_info(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot,
							  CK_TOKEN_INFO_PTR info);

CK_RV bench_measured_sign(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_BYTE_PTR data,
			  CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	return f->C_Sign(s, data, len, sig, sig_len);
}

CK_RV bench_measured_token_info(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	return f->C_GetTokenInfo(slot, info);
}

/* Prints VmRSS and VmHWM of this process as rss_<tag>_kb / hwm_<tag>_kb. */
static void bench_print_memory(const char *tag)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kb;

	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
			printf("rss_%s_kb=%lu\n", tag, kb);
		else if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
			printf("hwm_%s_kb=%lu\n", tag, kb);
	}
	fclose(fp);
}

/* The length of a blank-padded PKCS#11 string without its padding. */
static size_t bench_trimmed_len(const CK_UTF8CHAR *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0'))
		n--;
	return n;
}

static bool bench_label_is(const CK_TOKEN_INFO *ti, const char *label)
{
	size_t n = bench_trimmed_len(ti->label, sizeof(ti->label));

	return strlen(label) == n && memcmp(ti->label, label, n) == 0;
}

static bool bench_label_matches(const CK_TOKEN_INFO *ti, const char *wanted,
				const char *const *known, size_t n_known)
{
	if (wanted != NULL)
		return bench_label_is(ti, wanted);
	for (size_t i = 0; i < n_known; i++)
		if (bench_label_is(ti, known[i]))
			return true;
	return false;
}

/* Loads the module and initializes it; prints the time to the first slot list. */
static bool bench_load(struct bench *b, const char *path)
{
	CK_C_GetFunctionList get_list;
	void *sym;
	CK_SLOT_ID slots[BENCH_MAX_SLOTS];
	CK_ULONG n = BENCH_MAX_SLOTS;

	b->t0 = bench_now_ms();
	b->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (b->dl == NULL) {
		fprintf(stderr, "p11-bench: cannot load %s: %s\n", path, dlerror());
		return false;
	}
	/* A function pointer from dlsym: POSIX guarantees the conversion. */
	sym = dlsym(b->dl, "C_GetFunctionList");
	memcpy(&get_list, &sym, sizeof(sym));
	if (get_list == NULL) {
		fprintf(stderr, "p11-bench: %s has no C_GetFunctionList\n", path);
		return false;
	}
	if (!bench_ok(get_list(&b->f), "C_GetFunctionList"))
		return false;
	printf("load_ms=%.2f\n", bench_now_ms() - b->t0);
	if (!bench_ok(b->f->C_Initialize(NULL), "C_Initialize"))
		return false;
	printf("initialize_ms=%.2f\n", bench_now_ms() - b->t0);
	if (!bench_ok(b->f->C_GetSlotList(CK_FALSE, slots, &n), "C_GetSlotList"))
		return false;
	printf("first_slot_list_ms=%.2f\n", bench_now_ms() - b->t0);
	return true;
}

/* Finds the slot whose token label is `wanted` (or one of `known`), as applications do: slot
 * list of present tokens, then every token's info (to list them, or match a URI). */
static bool bench_find_token(struct bench *b, const char *wanted, const char *const *known,
			     size_t n_known, CK_SLOT_ID *out)
{
	CK_SLOT_ID slots[BENCH_MAX_SLOTS];
	CK_ULONG n = BENCH_MAX_SLOTS;
	CK_TOKEN_INFO ti;
	bool found = false;

	if (!bench_ok(b->f->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList"))
		return false;
	for (CK_ULONG i = 0; i < n; i++) {
		if (!bench_ok(b->f->C_GetTokenInfo(slots[i], &ti), "C_GetTokenInfo"))
			return false;
		if (!found && bench_label_matches(&ti, wanted, known, n_known)) {
			*out = slots[i];
			found = true;
		}
	}
	if (!found)
		fprintf(stderr, "p11-bench: no token labelled %s\n",
			wanted != NULL ? wanted : known[0]);
	return found;
}

/* Reads one attribute of variable length into a new buffer (length query, then value); with
 * `optional`, an attribute the object lacks gives *value NULL and success. */
static bool bench_get_attr(struct bench *b, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
			   CK_ATTRIBUTE_TYPE type, bool optional, CK_BYTE_PTR *value, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	CK_RV rv;

	*value = NULL;
	*len = 0;
	rv = b->f->C_GetAttributeValue(s, o, &a, 1);
	if (optional && rv == CKR_ATTRIBUTE_TYPE_INVALID)
		return true;
	if (!bench_ok(rv, "C_GetAttributeValue (length)"))
		return false;
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > (1UL << 20)) {
		fprintf(stderr, "p11-bench: attribute 0x%lX has no usable length\n", type);
		return false;
	}
	a.pValue = malloc(a.ulValueLen + 1);
	if (a.pValue == NULL)
		return false;
	if (!bench_ok(b->f->C_GetAttributeValue(s, o, &a, 1), "C_GetAttributeValue")) {
		free(a.pValue);
		return false;
	}
	*value = a.pValue;
	*len = a.ulValueLen;
	return true;
}

/* Collects the handles of the objects matching `tmpl`. */
static bool bench_find(struct bench *b, CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n_tmpl,
		       CK_OBJECT_HANDLE *objs, CK_ULONG *n)
{
	CK_ULONG got = 0;
	bool ok;

	if (!bench_ok(b->f->C_FindObjectsInit(s, tmpl, n_tmpl), "C_FindObjectsInit"))
		return false;
	ok = bench_ok(b->f->C_FindObjects(s, objs, BENCH_MAX_OBJECTS, &got), "C_FindObjects");
	ok = bench_ok(b->f->C_FindObjectsFinal(s), "C_FindObjectsFinal") && ok;
	*n = got;
	return ok;
}

/* (1) Slots, tokens and mechanisms. */
static bool bench_list(struct bench *b)
{
	CK_SLOT_ID slots[BENCH_MAX_SLOTS];
	CK_ULONG n = BENCH_MAX_SLOTS, tokens = 0, mechs = 0;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM_TYPE types[128];
	CK_MECHANISM_INFO mi;

	if (!bench_ok(b->f->C_GetSlotList(CK_FALSE, NULL, &n), "C_GetSlotList (count)"))
		return false;
	if (n > BENCH_MAX_SLOTS)
		n = BENCH_MAX_SLOTS;
	if (!bench_ok(b->f->C_GetSlotList(CK_FALSE, slots, &n), "C_GetSlotList"))
		return false;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_ULONG nm = 128;

		if (!bench_ok(b->f->C_GetSlotInfo(slots[i], &si), "C_GetSlotInfo"))
			return false;
		if ((si.flags & CKF_TOKEN_PRESENT) == 0)
			continue;
		if (!bench_ok(b->f->C_GetTokenInfo(slots[i], &ti), "C_GetTokenInfo"))
			return false;
		tokens++;
		if (!bench_ok(b->f->C_GetMechanismList(slots[i], types, &nm), "C_GetMechanismList"))
			return false;
		for (CK_ULONG m = 0; m < nm; m++)
			if (!bench_ok(b->f->C_GetMechanismInfo(slots[i], types[m], &mi),
				      "C_GetMechanismInfo"))
				return false;
		mechs += nm;
	}
	printf("enumerated_ms=%.2f\n", bench_now_ms() - b->t0);
	bench_print_memory("enumerated");
	printf("slots=%lu\ntokens=%lu\nmechanisms=%lu\n", n, tokens, mechs);
	if (tokens < 2) {
		fprintf(stderr, "p11-bench: %lu tokens, expected 2\n", tokens);
		return false;
	}
	return true;
}

/* (2) Every object of every token, and each certificate's value. */
static bool bench_objects(struct bench *b)
{
	CK_SLOT_ID slots[BENCH_MAX_SLOTS];
	CK_ULONG n = BENCH_MAX_SLOTS, n_objects = 0, n_certs = 0;
	CK_TOKEN_INFO ti;
	bool ok = true;

	if (!bench_ok(b->f->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList"))
		return false;
	for (CK_ULONG i = 0; i < n && ok; i++) {
		CK_SESSION_HANDLE s;
		CK_OBJECT_HANDLE objs[BENCH_MAX_OBJECTS];
		CK_ULONG no = 0;

		if (!bench_ok(b->f->C_GetTokenInfo(slots[i], &ti), "C_GetTokenInfo"))
			return false;
		if (!bench_ok(b->f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s),
			      "C_OpenSession"))
			return false;
		ok = bench_find(b, s, NULL, 0, objs, &no);
		for (CK_ULONG k = 0; k < no && ok; k++) {
			CK_OBJECT_CLASS cls;
			CK_ATTRIBUTE a = {CKA_CLASS, &cls, sizeof(cls)};
			CK_BYTE_PTR v = NULL;
			CK_ULONG len;

			ok = bench_ok(b->f->C_GetAttributeValue(s, objs[k], &a, 1), "CKA_CLASS");
			ok = ok && bench_get_attr(b, s, objs[k], CKA_LABEL, true, &v, &len);
			free(v);
			ok = ok && bench_get_attr(b, s, objs[k], CKA_ID, true, &v, &len);
			free(v);
			if (ok && cls == CKO_CERTIFICATE) {
				const unsigned char *p;
				X509 *x;

				ok = bench_get_attr(b, s, objs[k], CKA_VALUE, false, &v, &len);
				p = v;
				x = ok ? d2i_X509(NULL, &p, (long)len) : NULL;
				if (ok && x == NULL) {
					fprintf(stderr, "p11-bench: certificate does not parse\n");
					ok = false;
				}
				X509_free(x);
				free(v);
				n_certs++;
			}
			n_objects++;
		}
		ok = bench_ok(b->f->C_CloseSession(s), "C_CloseSession") && ok;
	}
	printf("tokens=%lu\nobjects=%lu\ncertificates=%lu\n", n, n_objects, n_certs);
	/* A JPKI card shows two tokens and, before any login, at least the authentication
	 * certificate and both CA certificates. */
	if (ok && (n < 2 || n_certs < 3)) {
		fprintf(stderr, "p11-bench: %lu tokens and %lu certificates, expected 2 and 3\n", n,
			n_certs);
		ok = false;
	}
	return ok;
}

/* Checks `sig` over `data` (SHA-256, PKCS#1 v1.5) with the key of the DER certificate. */
static bool bench_verify(const CK_BYTE *cert, CK_ULONG cert_len, const CK_BYTE *data, size_t len,
			 const CK_BYTE *sig, CK_ULONG sig_len)
{
	const unsigned char *p = cert;
	X509 *x = d2i_X509(NULL, &p, (long)cert_len);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = false;

	if (x == NULL || md == NULL)
		goto out;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(x)) != 1)
		goto out;
	ok = EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
out:
	EVP_MD_CTX_free(md);
	X509_free(x);
	return ok;
}

/* (3) and (4): log in, find the signing key and its certificate, read it, sign, verify. */
static bool bench_sign(struct bench *b, bool sign_token)
{
	const char *pin_var = sign_token ? "JPKI_SIGN_PIN" : "JPKI_AUTH_PIN";
	char *pin = getenv(pin_var);
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS key_class = CKO_PRIVATE_KEY, cert_class = CKO_CERTIFICATE;
	CK_BBOOL yes = CK_TRUE, always = CK_FALSE;
	CK_ATTRIBUTE key_tmpl[] = {{CKA_CLASS, &key_class, sizeof(key_class)},
				   {CKA_SIGN, &yes, sizeof(yes)}};
	CK_ATTRIBUTE cert_tmpl[] = {{CKA_CLASS, &cert_class, sizeof(cert_class)},
				    {CKA_ID, NULL, 0}};
	CK_ATTRIBUTE always_attr = {CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always)};
	CK_OBJECT_HANDLE keys[BENCH_MAX_OBJECTS], certs[BENCH_MAX_OBJECTS];
	CK_ULONG n_keys = 0, n_certs = 0, id_len = 0, cert_len = 0, sig_len;
	CK_BYTE_PTR id = NULL, cert = NULL;
	CK_BYTE sig[1024];
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	static CK_BYTE data[] = "p11-bench: the data an application signs";
	bool ok = false, opened = false;
	double t;

	if (pin == NULL || *pin == '\0') {
		fprintf(stderr, "p11-bench: %s is not set\n", pin_var);
		return false;
	}
	if (sign_token)
		ok = bench_find_token(b, b->sign_label, bench_sign_labels, 2, &slot);
	else
		ok = bench_find_token(b, b->auth_label, bench_auth_labels, 2, &slot);
	if (!ok)
		return false;
	ok = false;
	if (!bench_ok(b->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
		      "C_OpenSession"))
		goto out;
	opened = true;
	t = bench_now_ms();
	if (!bench_ok(b->f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)), "C_Login"))
		goto out;
	printf("login_ms=%.2f\n", bench_now_ms() - t);
	if (!bench_find(b, s, key_tmpl, 2, keys, &n_keys))
		goto out;
	if (n_keys == 0) {
		fprintf(stderr, "p11-bench: no signing key on the token\n");
		goto out;
	}
	if (!bench_get_attr(b, s, keys[0], CKA_ID, false, &id, &id_len))
		goto out;
	if (!bench_ok(b->f->C_GetAttributeValue(s, keys[0], &always_attr, 1),
		      "CKA_ALWAYS_AUTHENTICATE"))
		goto out;
	cert_tmpl[1].pValue = id;
	cert_tmpl[1].ulValueLen = id_len;
	if (!bench_find(b, s, cert_tmpl, 2, certs, &n_certs))
		goto out;
	if (n_certs == 0) {
		fprintf(stderr, "p11-bench: no certificate with the key's CKA_ID\n");
		goto out;
	}
	if (!bench_get_attr(b, s, certs[0], CKA_VALUE, false, &cert, &cert_len))
		goto out;
	t = bench_now_ms();
	if (!bench_ok(b->f->C_SignInit(s, &mech, keys[0]), "C_SignInit"))
		goto out;
	if (always &&
	    !bench_ok(b->f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)pin, strlen(pin)),
		      "C_Login (CKU_CONTEXT_SPECIFIC)"))
		goto out;
	sig_len = sizeof(sig);
	if (!bench_ok(bench_measured_sign(b->f, s, data, sizeof(data) - 1, sig, &sig_len),
		      "C_Sign"))
		goto out;
	printf("sign_ms=%.2f\nalways_authenticate=%d\n", bench_now_ms() - t, always ? 1 : 0);
	if (!bench_verify(cert, cert_len, data, sizeof(data) - 1, sig, sig_len)) {
		fprintf(stderr, "p11-bench: the signature does not verify with the certificate\n");
		goto out;
	}
	printf("signature=verified\n");
	ok = true;
out:
	if (opened)
		ok = bench_ok(b->f->C_CloseSession(s), "C_CloseSession") && ok;
	free(id);
	free(cert);
	return ok;
}

/* (5) `rounds` polls as browsers do them: slot list, each slot's info, each token's info. */
static bool bench_poll(struct bench *b, unsigned long rounds)
{
	CK_SLOT_ID slots[BENCH_MAX_SLOTS];
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	double t = bench_now_ms(), t1 = t;
	unsigned long tokens = 0;

	for (unsigned long r = 0; r < rounds; r++) {
		CK_ULONG n = BENCH_MAX_SLOTS;

		if (!bench_ok(b->f->C_GetSlotList(CK_FALSE, slots, &n), "C_GetSlotList"))
			return false;
		for (CK_ULONG i = 0; i < n; i++) {
			CK_RV rv;

			if (!bench_ok(b->f->C_GetSlotInfo(slots[i], &si), "C_GetSlotInfo"))
				return false;
			if ((si.flags & CKF_TOKEN_PRESENT) == 0)
				continue;
			if (r == 0) {
				rv = b->f->C_GetTokenInfo(slots[i], &ti);
				tokens++;
			} else {
				rv = bench_measured_token_info(b->f, slots[i], &ti);
				b->measured_calls++;
			}
			if (!bench_ok(rv, "C_GetTokenInfo"))
				return false;
		}
		if (r == 0)
			t1 = bench_now_ms();
		if (r == 0 && tokens < 2) {
			fprintf(stderr, "p11-bench: %lu tokens, expected 2\n", tokens);
			return false;
		}
	}
	printf("first_poll_ms=%.2f\nlater_polls_ms=%.2f\nmeasured_token_info_calls=%lu\n", t1 - t,
	       bench_now_ms() - t1, b->measured_calls);
	return true;
}

static int bench_usage(void)
{
	fprintf(stderr, "usage: p11-bench [--auth-label L] [--sign-label L] MODULE "
			"list|objects|auth-sign|sign-sign|poll [N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct bench b = {0};
	const char *module, *op;
	unsigned long rounds = 100;
	bool ok = false;
	int i = 1;

	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--auth-label") == 0)
			b.auth_label = argv[i + 1];
		else if (strcmp(argv[i], "--sign-label") == 0)
			b.sign_label = argv[i + 1];
		else
			return bench_usage();
	}
	if (argc - i < 2 || argc - i > 3)
		return bench_usage();
	module = argv[i];
	op = argv[i + 1];
	if (argc - i == 3) {
		char *end;

		rounds = strtoul(argv[i + 2], &end, 10);
		if (*end != '\0' || rounds == 0 || rounds > 1000000 || strcmp(op, "poll") != 0)
			return bench_usage();
	}
	bench_print_memory("start");
	if (!bench_load(&b, module))
		goto out;
	if (strcmp(op, "list") == 0)
		ok = bench_list(&b);
	else if (strcmp(op, "objects") == 0)
		ok = bench_objects(&b);
	else if (strcmp(op, "auth-sign") == 0)
		ok = bench_sign(&b, false);
	else if (strcmp(op, "sign-sign") == 0)
		ok = bench_sign(&b, true);
	else if (strcmp(op, "poll") == 0)
		ok = bench_poll(&b, rounds);
	else
		fprintf(stderr, "p11-bench: unknown operation %s\n", op);
	ok = bench_ok(b.f->C_Finalize(NULL), "C_Finalize") && ok;
	printf("total_ms=%.2f\n", bench_now_ms() - b.t0);
out:
	/* The module is not unloaded: some modules leave threads or exit handlers behind. */
	return ok ? 0 : 1;
}
