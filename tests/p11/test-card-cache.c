/* The certificate cache through the module (src/cert-cache.h, issue 16):
 * each p11_card_open is an application start on a fresh emulated card with
 * the same certificates, so a second open finds the cache warm.  What each
 * start costs in APDUs, cold and warm; that the values served are the
 * card's; that a cache that lies (another card's entry under this card's
 * name, a truncated file, a symlink) is caught, the right certificate
 * served and the file replaced; that a second card is never served the
 * first one's; cache = off; the sign certificate never cached; PIN counters
 * by SFI and a card that refuses them (remembered in the cache); the card's
 * PSS answer (yes and no remembered, undecided not; a yes that a refused
 * or unverifiable PSS signature proves wrong becomes no).  Only on
 * the emulator, whose APDU log and files the test controls. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p11-card.h"
#include "sim.h"
#include "tap.h"

static char root[256], xdg[300], cache_dir[350], debug_log[300];

static long apdus(const struct p11_card *c)
{
	return p11_card_apdus(c, "");
}

static unsigned char *file_bytes(const char *path, long *len)
{
	unsigned char *buf = NULL;
	FILE *fp = fopen(path, "rb");

	*len = 0;
	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (*len = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0)
		buf = malloc((size_t)*len);
	if (buf != NULL && fread(buf, 1, (size_t)*len, fp) != (size_t)*len) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static long reads(long len)
{
	return (len + 255) / 256;
}

/* entries: the cache's entry files (not temp files); the last one's path in path. */
static int entries(char *path, size_t cap)
{
	struct dirent *d;
	DIR *dp = opendir(cache_dir);
	int n = 0;

	if (path != NULL)
		path[0] = '\0';
	while (dp != NULL && (d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		n++;
		if (path != NULL)
			snprintf(path, cap, "%s/%s", cache_dir, d->d_name);
	}
	if (dp != NULL)
		closedir(dp);
	return n;
}

static bool debug_says(const char *text)
{
	long len;
	unsigned char *buf = file_bytes(debug_log, &len);
	bool found = buf != NULL && memmem(buf, (size_t)len, text, strlen(text)) != NULL;

	free(buf);
	return found;
}

/* value: the CKA_VALUE of the certificate with this CKA_ID on the slot. */
static bool value_is(const struct p11_card *c, CK_SLOT_ID slot, CK_BYTE id,
		     const unsigned char *want, long want_len)
{
	CK_SESSION_HANDLE s = p11_card_session(c, slot, false);
	CK_OBJECT_HANDLE h = p11_card_find_one(c, s, CKO_CERTIFICATE, id);
	CK_BYTE buf[8192];
	CK_ATTRIBUTE t = {CKA_VALUE, buf, sizeof(buf)};
	bool ok = h != CK_INVALID_HANDLE && c->f->C_GetAttributeValue(s, h, &t, 1) == CKR_OK &&
		  t.ulValueLen == (CK_ULONG)want_len && memcmp(buf, want, t.ulValueLen) == 0;

	c->f->C_CloseSession(s);
	return ok;
}

struct sizes {
	long auth, auth_ca, sign_ca;
	unsigned char *auth_der, *auth_ca_der, *sign_ca_der;
};

static void sizes_of(const struct p11_card *c, int card, struct sizes *z)
{
	z->auth_der = p11_card_state_file(c, card, SIM_FILE_AUTH, &z->auth);
	z->auth_ca_der = p11_card_state_file(c, card, SIM_FILE_AUTH_CA, &z->auth_ca);
	z->sign_ca_der = p11_card_state_file(c, card, SIM_FILE_SIGN_CA, &z->sign_ca);
}

static void sizes_free(struct sizes *z)
{
	free(z->auth_der);
	free(z->auth_ca_der);
	free(z->sign_ca_der);
}

/* start: an application start (p11_card_open), its enumeration cost in
 * *enum_apdus, then every certificate value read and checked against the
 * card's files; *ca_apdus what the two CA values cost. */
static void start(struct p11_card *c, const char *what, long *enum_apdus, long *ca_apdus)
{
	struct sizes z;
	long before;

	unlink(debug_log);
	p11_card_open(c, 1);
	if (!c->sim)
		tap_bail("emulator only");
	*enum_apdus = apdus(c);
	sizes_of(c, 0, &z);
	before = apdus(c);
	tap_ok(value_is(c, c->auth_slot, 1, z.auth_der, z.auth),
	       "%s: the auth certificate is the card's", what);
	tap_is_int(apdus(c) - before, 0, "%s: the auth certificate costs nothing more", what);
	tap_ok(value_is(c, c->auth_slot, 3, z.auth_ca_der, z.auth_ca),
	       "%s: the auth CA is the card's", what);
	tap_ok(value_is(c, c->sign_slot, 4, z.sign_ca_der, z.sign_ca),
	       "%s: the sign CA is the card's", what);
	*ca_apdus = apdus(c) - before;
	sizes_free(&z);
}

/* pss_start: an application start on an empty or warm cache, then the auth
 * token's mechanism list; *asked the PSS questions (80 2A with P1 04 or 06)
 * it cost, *total every APDU; true when CKM_RSA_PKCS_PSS is listed. */
static bool pss_start(struct p11_card *c, long *asked, long *total)
{
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = sizeof(list) / sizeof(list[0]), i;
	bool pss = false;

	p11_card_open(c, 1);
	if (c->f->C_GetMechanismList(c->auth_slot, list, &n) != CKR_OK)
		n = 0;
	for (i = 0; i < n; i++)
		pss = pss || list[i] == CKM_RSA_PKCS_PSS;
	*asked = p11_card_apdus(c, "802A04") + p11_card_apdus(c, "802A06");
	*total = apdus(c);
	p11_card_close(c);
	return pss;
}

/* pss_refused_start: a start whose entry says the card signs PSS, on a card
 * that (now) does not (the emulator switch in JPKI_SIM_OPTIONS): PSS
 * listed without asking, a PSS signature fails with CKR_DEVICE_ERROR, and
 * the list then drops PSS for the rest of the insertion. */
static void pss_refused_start(struct p11_card *c, const char *what)
{
	CK_RSA_PKCS_PSS_PARAMS params = {CKM_SHA256, CKG_MGF1_SHA256, 32};
	CK_MECHANISM mech = {CKM_RSA_PKCS_PSS, &params, sizeof(params)};
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = sizeof(list) / sizeof(list[0]), i, len = 512;
	CK_BYTE hash[32], sig[512];
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE s;
	bool pss = false;

	memset(hash, 0x5A, sizeof(hash));
	p11_card_open(c, 1);
	tap_is_int(c->f->C_GetMechanismList(c->auth_slot, list, &n), CKR_OK, "%s: list", what);
	for (i = 0; i < n; i++)
		pss = pss || list[i] == CKM_RSA_PKCS_PSS;
	tap_ok(pss, "%s: PSS listed (the entry says yes)", what);
	tap_is_int(p11_card_apdus(c, "802A04") + p11_card_apdus(c, "802A06"), 0,
		   "%s: not asked", what);
	s = p11_card_session(c, c->auth_slot, false);
	tap_is_int(c->f->C_Login(s, CKU_USER, PIN(c->auth_pin)), CKR_OK, "%s: login", what);
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 1);
	tap_is_int(c->f->C_SignInit(s, &mech, key), CKR_OK, "%s: PSS init", what);
	tap_is_int(c->f->C_Sign(s, hash, sizeof(hash), sig, &len), CKR_DEVICE_ERROR,
		   "%s: the PSS signature fails", what);
	n = sizeof(list) / sizeof(list[0]);
	pss = false;
	if (c->f->C_GetMechanismList(c->auth_slot, list, &n) != CKR_OK)
		n = 0;
	for (i = 0; i < n; i++)
		pss = pss || list[i] == CKM_RSA_PKCS_PSS;
	tap_ok(n > 0 && !pss, "%s: then PSS is off for the insertion", what);
	tap_is_int(c->f->C_SignInit(s, &mech, key), CKR_MECHANISM_INVALID,
		   "%s: PSS invalid at C_SignInit", what);
	c->f->C_CloseSession(s);
	p11_card_close(c);
}

/* empty_cache: removes every entry. */
static void empty_cache(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache_dir);
	if (system(cmd) != 0)
		tap_bail("cannot empty the cache");
}

int main(void)
{
	struct p11_card c;
	struct sizes z;
	long cold, warm, ca_cold, ca_warm, len, len2;
	char path[700], conf[400], cmd[4000];
	unsigned char *entry, *sign;
	struct stat st;
	FILE *fp;

	snprintf(root, sizeof(root), "/tmp/test-card-cache.XXXXXX");
	if (mkdtemp(root) == NULL)
		tap_bail("mkdtemp: %s", strerror(errno));
	snprintf(xdg, sizeof(xdg), "%s/xdg", root);
	snprintf(cache_dir, sizeof(cache_dir), "%s/jpki-pkcs11", xdg);
	snprintf(debug_log, sizeof(debug_log), "%s/debug.log", root);
	setenv("XDG_CACHE_HOME", xdg, 1);
	snprintf(cmd, sizeof(cmd), "3:%s", debug_log);
	setenv("JPKI_PKCS11_DEBUG", cmd, 1);

	/* Cold: today's cost (the PIN counters by SFI: 1 APDU each). */
	start(&c, "cold", &cold, &ca_cold);
	sizes_of(&c, 0, &z);
	tap_is_int(cold, 3 + reads(z.auth) + 2,
		   "cold: probe + SELECT AP + label, the auth certificate, 2 counters by SFI");
	tap_is_int(ca_cold, reads(z.auth_ca) + reads(z.sign_ca), "cold: the CAs read by SFI");
	tap_is_int(p11_card_apdus(&c, "00A4020C02001"), 0, "cold: no SELECT of a PIN EF");
	tap_ok(debug_says("certificate cache miss"), "cold: the log says miss");
	tap_is_int(entries(path, sizeof(path)), 1, "cold: one cache entry written");
	tap_ok(stat(cache_dir, &st) == 0 && (st.st_mode & 0777) == 0700, "cache directory 0700");
	tap_ok(stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600,
	       "cache entry: a regular file, 0600");
	/* The sign certificate is read after login and never cached. */
	{
		CK_SESSION_HANDLE s = p11_card_session(&c, c.sign_slot, false);
		CK_OBJECT_HANDLE h;

		tap_is_int(c.f->C_Login(s, CKU_USER, PIN(c.sign_pin)), CKR_OK, "sign login");
		h = p11_card_find_one(&c, s, CKO_CERTIFICATE, 2);
		tap_ok(h != CK_INVALID_HANDLE, "sign certificate after login");
		c.f->C_CloseSession(s);
	}
	sign = p11_card_state_file(&c, 0, SIM_FILE_SIGN, &len2);
	p11_card_close(&c);
	entry = file_bytes(path, &len);
	tap_ok(entry != NULL && len > z.auth + z.auth_ca + z.sign_ca,
	       "the entry holds the 3 certs");
	tap_ok(entry != NULL && memmem(entry, (size_t)len, sign + 4, 64) == NULL,
	       "the entry holds nothing of the sign certificate");
	tap_ok(!debug_says("BEGIN CERTIFICATE") && !debug_says(path + strlen(cache_dir) + 1),
	       "the log names no certificate content or entry name");
	free(sign);

	/* Warm: the first chunk of the auth certificate and the 2 counters. */
	start(&c, "warm", &warm, &ca_warm);
	tap_is_int(warm, 3 + 1 + 2, "warm: probe + SELECT AP + label, 1 auth chunk, 2 counters");
	tap_is_int(ca_warm, 0, "warm: the CAs cost 0 APDUs");
	tap_ok(debug_says("certificate cache hit"), "warm: the log says hit");
	p11_card_close(&c);

	/* A lying cache: the second card's entry under this card's name. */
	{
		struct p11_card two;
		char path2[700];
		long e1, e2;

		e1 = entries(NULL, 0);
		p11_card_open(&two, 2);
		{
			CK_SLOT_ID slot2 = p11_card_slot_by_label(&two, AUTH_LABEL, 1);
			unsigned char *a2 = p11_card_state_file(&two, 1, SIM_FILE_AUTH, &len2);

			tap_ok(value_is(&two, slot2, 1, a2, len2),
			       "a second card: its own auth certificate, not the cached one");
			free(a2);
		}
		p11_card_close(&two);
		e2 = entries(NULL, 0);
		tap_is_int(e2, e1 + 1, "the second card gets an entry of its own");
		/* Copy card 2's entry over card 1's. */
		DIR *dp = opendir(cache_dir);
		struct dirent *d;
		path2[0] = '\0';
		while (dp != NULL && (d = readdir(dp)) != NULL)
			if (d->d_name[0] != '.' && strstr(path, d->d_name) == NULL)
				snprintf(path2, sizeof(path2), "%s/%s", cache_dir, d->d_name);
		if (dp != NULL)
			closedir(dp);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path2, path);
		tap_ok(path2[0] != '\0' && system(cmd) == 0, "card 1's entry replaced by card 2's");
	}
	start(&c, "another card's entry", &warm, &ca_warm);
	tap_is_int(warm, cold, "another card's entry: a miss, the cold cost");
	p11_card_close(&c);
	start(&c, "after the lying entry", &warm, &ca_warm);
	tap_is_int(warm, 3 + 1 + 2, "... it was replaced: warm again");
	tap_is_int(ca_warm, 0, "... the CAs from the cache again");
	p11_card_close(&c);

	/* A truncated entry. */
	tap_ok(truncate(path, len / 2) == 0, "entry truncated");
	start(&c, "truncated entry", &warm, &ca_warm);
	tap_is_int(warm, cold, "truncated: a miss, the cold cost");
	p11_card_close(&c);
	start(&c, "after the truncated entry", &warm, &ca_warm);
	tap_is_int(warm, 3 + 1 + 2, "... replaced: warm again");
	p11_card_close(&c);

	/* The entry replaced by a symlink to a valid entry elsewhere. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/elsewhere' && rm '%s' && ln -s '%s/elsewhere' '%s'",
		 path, root, path, root, path);
	tap_ok(system(cmd) == 0, "entry replaced by a symlink to a valid entry elsewhere");
	start(&c, "symlink", &warm, &ca_warm);
	tap_is_int(warm, cold, "symlink: not followed, the cold cost");
	p11_card_close(&c);
	tap_ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode), "... replaced by a regular file");

	/* cache = off: the warm cache is not used. */
	snprintf(conf, sizeof(conf), "%s/off.conf", root);
	fp = fopen(conf, "w");
	if (fp == NULL || fputs("cache = off\n", fp) < 0 || fclose(fp) != 0)
		tap_bail("cannot write %s", conf);
	setenv("JPKI_PKCS11_CONF", conf, 1);
	start(&c, "cache = off", &warm, &ca_warm);
	tap_is_int(warm, cold, "cache = off: the cold cost");
	tap_is_int(ca_warm, ca_cold, "cache = off: the CAs read from the card");
	p11_card_close(&c);
	unsetenv("JPKI_PKCS11_CONF");

	/* A card that refuses VERIFY by SFI: one refused try per process
	 * until the cache knows it, then SELECT + empty VERIFY at once. */
	empty_cache();
	setenv("JPKI_SIM_OPTIONS", "no_verify_sfi", 1);
	start(&c, "no VERIFY by SFI, cold", &warm, &ca_warm);
	tap_is_int(warm, 3 + reads(z.auth) + 1 + 4,
		   "no VERIFY by SFI, cold: one refused try, then SELECT + empty VERIFY twice");
	p11_card_close(&c);
	start(&c, "no VERIFY by SFI, warm", &warm, &ca_warm);
	tap_is_int(warm, 3 + 1 + 4, "no VERIFY by SFI, warm: the cache knows, no try");
	tap_is_int(p11_card_apdus(&c, "00200098") + p11_card_apdus(&c, "0020009B"), 0,
		   "... no VERIFY by SFI sent");
	p11_card_close(&c);
	unsetenv("JPKI_SIM_OPTIONS");

	/* The card's PSS answer in its entry: a warm start lists the
	 * mechanisms without asking; only yes or no is kept, never undecided. */
	{
		long asked, total;
		bool pss;

		empty_cache();
		pss = pss_start(&c, &asked, &total);
		tap_ok(pss, "PSS card, cold: PSS listed");
		tap_is_int(asked, 2, "PSS card, cold: asked (P1 04 and the control P1 06)");
		pss = pss_start(&c, &asked, &total);
		tap_ok(pss, "PSS card, warm: PSS listed");
		tap_is_int(asked, 0, "PSS card, warm: not asked, the entry knows");
		tap_is_int(total, 3 + 1 + 2,
			   "PSS card, warm: list in probe + SELECT AP + label, "
			   "1 auth chunk, 2 counters");

		empty_cache();
		setenv("JPKI_SIM_OPTIONS", "no_pss", 1);
		pss = pss_start(&c, &asked, &total);
		tap_ok(!pss, "no-PSS card, cold: not listed");
		tap_is_int(asked, 1, "no-PSS card, cold: P1 04 asked (then P1 00, the control)");
		pss = pss_start(&c, &asked, &total);
		tap_ok(!pss, "no-PSS card, warm: not listed");
		tap_is_int(asked, 0, "no-PSS card, warm: not asked");

		empty_cache();
		setenv("JPKI_SIM_OPTIONS", "sign_pin_first", 1);
		pss = pss_start(&c, &asked, &total);
		tap_ok(!pss, "PIN-first card: undecided, not listed");
		tap_is_int(asked, 2, "PIN-first card, cold: asked");
		pss = pss_start(&c, &asked, &total);
		tap_is_int(asked, 2,
			   "PIN-first card, next start: asked again (undecided not kept)");
		unsetenv("JPKI_SIM_OPTIONS");

		/* A card whose entry says yes but that refuses PSS (6A86 in both
		 * forms, the no-PSS card) or signs it with another salt (the
		 * salt-20 card): the failed signature turns the entry's yes into
		 * no, so the next start neither offers PSS nor asks. */
		empty_cache();
		tap_ok(pss_start(&c, &asked, &total), "PSS card: the entry says yes");
		setenv("JPKI_SIM_OPTIONS", "no_pss", 1);
		pss_refused_start(&c, "refusing card, entry yes");
		pss = pss_start(&c, &asked, &total);
		tap_ok(!pss, "refusing card, next start: not listed");
		tap_is_int(asked, 0, "refusing card, next start: not asked, the entry says no");
		unsetenv("JPKI_SIM_OPTIONS");
		pss = pss_start(&c, &asked, &total);
		tap_ok(!pss && asked == 0,
		       "the entry's no is kept (a card that signs PSS again is not asked)");

		empty_cache();
		tap_ok(pss_start(&c, &asked, &total), "PSS card: the entry says yes (2)");
		setenv("JPKI_SIM_OPTIONS", "pss_salt=20", 1);
		pss_refused_start(&c, "salt-20 card, entry yes");
		pss = pss_start(&c, &asked, &total);
		tap_ok(!pss && asked == 0, "salt-20 card, next start: not listed, not asked");
		unsetenv("JPKI_SIM_OPTIONS");
	}

	sizes_free(&z);
	free(entry);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_ok(false, "remove %s", root);
	return tap_done();
}
