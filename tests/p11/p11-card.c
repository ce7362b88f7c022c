/* Shared by the contract tests that need a token: see p11-card.h. */
#include "p11-card.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim-internal.h"
#include "sim.h"
#include "tap.h"

static const char *need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		tap_bail("%s is not set", name);
	return v;
}

static void open_sim(struct p11_card *c, int cards)
{
	char fixture2[512], states[1100];
	void *sym;

	c->state_dirs[0] = sim_fixture_clone(NULL);
	if (c->state_dirs[0] == NULL)
		tap_bail("cannot copy the emulator fixture");
	snprintf(states, sizeof(states), "%s", c->state_dirs[0]);
	if (cards > 1) {
		snprintf(fixture2, sizeof(fixture2), "%s2", need_env("JPKI_SIM_FIXTURE"));
		c->state_dirs[1] = sim_fixture_clone(fixture2);
		if (c->state_dirs[1] == NULL)
			tap_bail("cannot copy the second fixture");
		snprintf(states, sizeof(states), "%s:%s", c->state_dirs[0], c->state_dirs[1]);
	}
	snprintf(c->log_path, sizeof(c->log_path), "%s/apdu.log", c->state_dirs[0]);
	setenv("JPKI_SIM_STATE", states, 1);
	setenv("JPKI_SIM_LOG", c->log_path, 1);
	c->apdu_log = c->log_path;
	snprintf(c->auth_pin, sizeof(c->auth_pin), "%s", SIM_DEFAULT_AUTH_PIN);
	snprintf(c->sign_pin, sizeof(c->sign_pin), "%s", SIM_DEFAULT_SIGN_PIN);
	snprintf(c->auth_pin2, sizeof(c->auth_pin2), "4321"); /* tests/sim/local.mk's fixture2 */
	p11_open_module(&c->p11, need_env("JPKI_SIM_MODULE"));
	sym = dlsym(c->p11.dl, "jpki_sim_control");
	memcpy(&c->control, &sym, sizeof(sym));
	if (c->control == NULL)
		tap_bail("the test module has no jpki_sim_control");
}

/* stack_control: the card changes over tests/stack: tests/stack moves the
 * card (and waits until pcscd has seen it), and card-roundtrip, another
 * process, resets it with SCardDisconnect(SCARD_RESET_CARD). */
static int stack_control(const char *op, unsigned reader)
{
	const char *name = getenv(reader == 0 ? "JPKI_READER" : "JPKI_READER2");
	char cmd[1024];

	if (name == NULL || reader > 1 || strchr(name, '\'') != NULL)
		return -1;
	if (strcmp(op, "reset") == 0)
		snprintf(cmd, sizeof(cmd), "'%s/tests/integration/card-roundtrip' reset '%s'",
			 need_env("top_builddir"), name);
	else if (strcmp(op, "remove") == 0 || strcmp(op, "insert") == 0)
		snprintf(cmd, sizeof(cmd), "'%s/tests/stack' %s --card %u >/dev/null",
			 need_env("top_srcdir"), op, reader + 1);
	else
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

CK_SLOT_ID p11_card_slot_by_label(const struct p11_card *c, const char *label, int nth)
{
	CK_SLOT_ID slots[16];
	CK_TOKEN_INFO info;
	CK_ULONG n = 16, i;
	char padded[33];

	snprintf(padded, sizeof(padded), "%-32s", label);
	if (c->f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		tap_bail("C_GetSlotList failed");
	for (i = 0; i < n; i++) {
		if (c->f->C_GetTokenInfo(slots[i], &info) != CKR_OK)
			continue;
		if (memcmp(info.label, padded, 32) == 0 && nth-- == 0)
			return slots[i];
	}
	tap_bail("no token labelled \"%s\"", label);
}

void p11_card_open(struct p11_card *c, int cards)
{
	const char *target = getenv("JPKI_P11_TARGET");

	memset(c, 0, sizeof(*c));
	if (target == NULL || *target == '\0' || strcmp(target, "sim") == 0) {
		c->jpki = c->sim = true;
		open_sim(c, cards);
	} else if (strcmp(target, "stack") == 0) {
		c->jpki = true;
		c->apdu_log = need_env("JPKI_APDU_LOG");
		snprintf(c->auth_pin, sizeof(c->auth_pin), "%s", need_env("JPKI_AUTH_PIN"));
		snprintf(c->sign_pin, sizeof(c->sign_pin), "%s", need_env("JPKI_SIGN_PIN"));
		if (cards > 1)
			snprintf(c->auth_pin2, sizeof(c->auth_pin2), "%s",
				 need_env("JPKI_AUTH_PIN2"));
		c->control = stack_control;
		p11_open_module(&c->p11, need_env("JPKI_MODULE"));
	} else if (strcmp(target, "softhsm") == 0) {
		c->softhsm = true;
		snprintf(c->auth_pin, sizeof(c->auth_pin), "%s", need_env("JPKI_REF_PIN"));
		p11_open_module(&c->p11, need_env("JPKI_REF_MODULE"));
	} else {
		tap_bail("unknown JPKI_P11_TARGET %s", target);
	}
	c->f = c->p11.list;
	if (c->f->C_Initialize(NULL) != CKR_OK)
		tap_bail("C_Initialize failed");
	if (c->softhsm) {
		c->auth_slot = p11_card_slot_by_label(c, need_env("JPKI_REF_LABEL"), 0);
	} else {
		c->auth_slot = p11_card_slot_by_label(c, AUTH_LABEL, 0);
		c->sign_slot = p11_card_slot_by_label(c, SIGN_LABEL, 0);
	}
	tap_diag("target %s, auth slot %lu", target ? target : "sim", c->auth_slot);
}

bool p11_card_open_sim(struct p11_card *c, int cards, const char *why)
{
	p11_card_open(c, cards);
	if (c->sim)
		return true;
	tap_diag("emulator only: %s", why);
	p11_card_close(c);
	return false;
}

void p11_card_close(struct p11_card *c)
{
	size_t i;

	c->f->C_Finalize(NULL);
	p11_close(&c->p11);
	for (i = 0; i < 2; i++)
		if (c->state_dirs[i] != NULL)
			sim_fixture_remove(c->state_dirs[i]);
}

/* log_count: lines of the APDU log that are whole commands (not "#" event
 * lines) starting with prefix; with pin_data, only those whose data the log
 * hides as "**" after the 5-byte header (a VERIFY or CHANGE with a PIN). */
static long log_count(const struct p11_card *c, const char *prefix, bool pin_data)
{
	char line[4096];
	long n = 0;
	FILE *fp;

	if (c->apdu_log == NULL)
		return -1;
	fp = fopen(c->apdu_log, "r");
	if (fp == NULL)
		return 0; /* no APDU yet */
	while (fgets(line, sizeof(line), fp) != NULL)
		if (line[0] != '#' && strchr(line, '\n') != NULL &&
		    strncmp(line, prefix, strlen(prefix)) == 0 &&
		    (!pin_data || (strlen(line) > 12 && strncmp(line + 10, "**", 2) == 0)))
			n++;
	fclose(fp);
	return n;
}

long p11_card_verifies(const struct p11_card *c)
{
	/* "00200080" Lc "**": a VERIFY with data (the retry query has none). */
	return log_count(c, "002000", true);
}

long p11_card_apdus(const struct p11_card *c, const char *prefix)
{
	return log_count(c, prefix, false);
}

unsigned char *p11_card_state_file(const struct p11_card *c, int card, const char *name, long *len)
{
	uint8_t *data = NULL;
	size_t n = 0;

	if (card < 0 || card > 1 || c->state_dirs[card] == NULL ||
	    sim_read_file(c->state_dirs[card], name, &data, &n) != 0 || n == 0)
		tap_bail("cannot read %s of card %d", name, card);
	*len = (long)n;
	return data;
}

CK_SESSION_HANDLE p11_card_session(const struct p11_card *c, CK_SLOT_ID slot, bool rw)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);

	if (c->f->C_OpenSession(slot, flags, NULL, NULL, &s) != CKR_OK)
		tap_bail("C_OpenSession(%lu) failed", slot);
	return s;
}

CK_OBJECT_HANDLE p11_card_find_one(const struct p11_card *c, CK_SESSION_HANDLE s,
				   CK_OBJECT_CLASS cls, CK_BYTE id)
{
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, &id, 1}};
	CK_OBJECT_HANDLE found[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
	CK_ULONG n = 0;

	if (c->f->C_FindObjectsInit(s, tmpl, 2) != CKR_OK)
		return CK_INVALID_HANDLE;
	if (c->f->C_FindObjects(s, found, 2, &n) != CKR_OK)
		n = 0;
	c->f->C_FindObjectsFinal(s);
	return n == 1 ? found[0] : CK_INVALID_HANDLE;
}

EVP_PKEY *p11_card_public_key(const struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE id)
{
	CK_OBJECT_HANDLE crt = p11_card_find_one(c, s, CKO_CERTIFICATE, id);
	CK_BYTE der[8192];
	CK_ATTRIBUTE t = {CKA_VALUE, der, sizeof(der)};
	const unsigned char *p = der;
	EVP_PKEY *key = NULL;
	X509 *x;

	if (crt == CK_INVALID_HANDLE || c->f->C_GetAttributeValue(s, crt, &t, 1) != CKR_OK)
		return NULL;
	x = d2i_X509(NULL, &p, (long)t.ulValueLen);
	if (x != NULL)
		key = X509_get_pubkey(x);
	X509_free(x);
	return key;
}

bool p11_card_key_verifies(EVP_PKEY *key, const char *md, const void *msg, size_t msg_len,
			   const CK_BYTE *sig, CK_ULONG sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = key != NULL && ctx != NULL &&
		  EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, key, NULL) == 1 &&
		  EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;

	EVP_MD_CTX_free(ctx);
	return ok;
}

bool p11_card_signature_ok(const struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE id,
			   const char *md, const void *msg, size_t msg_len, const CK_BYTE *sig,
			   CK_ULONG sig_len)
{
	EVP_PKEY *key = p11_card_public_key(c, s, id);
	bool ok = p11_card_key_verifies(key, md, msg, msg_len, sig, sig_len);

	EVP_PKEY_free(key);
	return ok;
}
