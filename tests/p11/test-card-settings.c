/* The settings file (jpki-pkcs11.conf(5)) through the module: each case
 * writes a file, points JPKI_PKCS11_CONF at it and initializes the module
 * again (the file is read in C_Initialize).  Runs on the emulator and over
 * tests/stack, where the reader's name is PC/SC's ("Virtual PCD 00 00");
 * the test takes it from the slot description.
 *
 *   tokens = auth | sign        one slot per reader, IDs unchanged
 *   reader_include / _exclude   by the reader's name, exclusion wins
 *   sign_always_authenticate    no: C_Sign after one C_Login, no context
 *                               login (and with the emulator's
 *                               sign_pin_per_signature, a second C_Sign is
 *                               CKR_USER_NOT_LOGGED_IN: no silent VERIFY)
 *   debug                       the log; JPKI_PKCS11_DEBUG wins
 *   malformed, unreadable, oversized files: warnings at level 2, defaults */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p11-card.h"
#include "tap.h"

static char dir[] = "/tmp/jpki-p11-settings-XXXXXX";
static char conf[256], reader[65];

/* is_str: a string check that shows both sides when it fails. */
static void is_str(const char *got, const char *want, const char *what)
{
	if (!tap_ok(strcmp(got, want) == 0, "%s", what))
		tap_diag("got \"%s\", want \"%s\"", got, want);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		tap_bail("cannot write %s", path);
}

/* restart: C_Finalize, the settings file holding text (NULL: the file at
 * conf_path as it is), C_Initialize, and the slot list as applications
 * fetch it first (the module lists the readers then). */
static CK_RV restart(struct p11_card *c, const char *conf_path, const char *text)
{
	CK_ULONG n = 0;
	CK_RV rv;

	c->f->C_Finalize(NULL);
	if (text != NULL)
		write_file(conf_path, text, strlen(text));
	setenv("JPKI_PKCS11_CONF", conf_path, 1);
	rv = c->f->C_Initialize(NULL);
	if (rv == CKR_OK)
		c->f->C_GetSlotList(CK_FALSE, NULL, &n);
	return rv;
}

/* slots: the slot list (all slots, with or without a token) as "a,b,". */
static const char *slots(struct p11_card *c)
{
	static char text[128];
	CK_SLOT_ID list[16];
	CK_ULONG n = 16, i;
	size_t used = 0;

	text[0] = '\0';
	if (c->f->C_GetSlotList(CK_FALSE, list, &n) != CKR_OK)
		return "error";
	for (i = 0; i < n && used + 24 < sizeof(text); i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%lu,", list[i]);
	return text;
}

/* ids: "first,first+step,..." (count IDs), the slot list expected. */
static const char *ids(CK_SLOT_ID first, CK_SLOT_ID step, size_t count, char *text, size_t size)
{
	size_t used = 0, i;

	text[0] = '\0';
	for (i = 0; i < count && used + 24 < size; i++)
		used += (size_t)snprintf(text + used, size - used, "%lu,", first + i * step);
	return text;
}

static size_t readers; /* with the default settings: two slots each */

static char *read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text = calloc(1, 65536);
	size_t n = 0;

	if (fp != NULL && text != NULL)
		n = fread(text, 1, 65535, fp);
	if (fp != NULL)
		fclose(fp);
	if (text != NULL)
		text[n] = '\0';
	return text;
}

static bool log_has(const char *path, const char *needle)
{
	char *text = read_text(path);
	bool found = text != NULL && strstr(text, needle) != NULL;

	free(text);
	return found;
}

/* reader_name: the reader of the auth slot, from "<reader> (auth)". */
static void reader_name(struct p11_card *c)
{
	CK_SLOT_INFO info;
	char *end;

	if (c->f->C_GetSlotInfo(c->auth_slot, &info) != CKR_OK)
		tap_bail("C_GetSlotInfo");
	memcpy(reader, info.slotDescription, 64);
	reader[64] = '\0';
	end = strstr(reader, " (auth)");
	if (end == NULL)
		tap_bail("slot description without \" (auth)\"");
	*end = '\0';
	tap_diag("reader \"%s\"", reader);
}

/* The readers are numbered in the order PC/SC listed them, and the slot
 * IDs follow (jpki-pkcs11.conf(5)): reader n has 2n (auth) and 2n+1 (sign).
 * The test's card is in the first reader (tests/stack's vpcd has a second,
 * empty one). */
static void test_tokens(struct p11_card *c)
{
	char all[128], want[128];
	CK_SLOT_INFO info;
	CK_TOKEN_INFO token;
	CK_SESSION_HANDLE s;

	tap_ok(c->auth_slot == 0 && c->sign_slot == 1, "the card's slots are 0 and 1");
	ids(0, 1, 2 * readers, all, sizeof(all));
	tap_is_int(restart(c, conf, "tokens = auth\n"), CKR_OK, "tokens = auth");
	is_str(slots(c), ids(0, 2, readers, want, sizeof(want)),
	       "... the auth slot of each reader, IDs unchanged");
	tap_is_int(c->f->C_GetTokenInfo(c->auth_slot, &token), CKR_OK, "... its token");
	tap_ok(memcmp(token.label, AUTH_LABEL, strlen(AUTH_LABEL)) == 0, "... the auth token");
	tap_is_int(c->f->C_GetSlotInfo(c->sign_slot, &info), CKR_SLOT_ID_INVALID,
		   "... the sign slot's ID is invalid");
	tap_is_int(c->f->C_OpenSession(c->sign_slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
		   CKR_SLOT_ID_INVALID, "... no session on it");
	tap_is_int(restart(c, conf, "tokens = sign\n"), CKR_OK, "tokens = sign");
	is_str(slots(c), ids(1, 2, readers, want, sizeof(want)),
	       "... the sign slot of each reader, IDs unchanged");
	tap_is_int(c->f->C_GetSlotInfo(c->auth_slot, &info), CKR_SLOT_ID_INVALID,
		   "... the auth slot's ID is invalid");
	tap_is_int(restart(c, conf, "tokens = both\n"), CKR_OK, "tokens = both");
	is_str(slots(c), all, "... both slots of each reader");
}

static void test_readers(struct p11_card *c)
{
	char all[128], others[128], text[300], part[8];

	ids(0, 1, 2 * readers, all, sizeof(all));
	/* Without the card's reader the others move up: excluded ones are not counted. */
	ids(0, 1, 2 * readers - 2, others, sizeof(others));
	snprintf(text, sizeof(text), "reader_include = %s\n", reader);
	tap_is_int(restart(c, conf, text), CKR_OK, "reader_include = the reader's name");
	is_str(slots(c), "0,1,", "... its two slots");
	snprintf(part, sizeof(part), "%.7s", reader);
	snprintf(text, sizeof(text), "reader_include = nothing like it\nreader_include = %s\n",
		 part);
	tap_is_int(restart(c, conf, text), CKR_OK, "reader_include = a part of the name");
	is_str(slots(c), all, "... every reader's slots");
	tap_is_int(restart(c, conf, "reader_include = No Such Reader\n"), CKR_OK,
		   "reader_include = another name");
	is_str(slots(c), "", "... no slot");
	snprintf(text, sizeof(text), "reader_exclude = %s\n", reader);
	tap_is_int(restart(c, conf, text), CKR_OK, "reader_exclude = the reader's name");
	is_str(slots(c), others, "... only the other readers' slots");
	snprintf(text, sizeof(text), "reader_include = %s\nreader_exclude = %s\n", reader, reader);
	tap_is_int(restart(c, conf, text), CKR_OK, "included and excluded");
	is_str(slots(c), "", "... the exclusion wins");
	tap_is_int(restart(c, conf, "reader_exclude = No Such Reader\n"), CKR_OK,
		   "reader_exclude = another name");
	is_str(slots(c), all, "... every reader's slots");
}

static void test_always_authenticate(struct p11_card *c)
{
	const char *opts = getenv("JPKI_SIM_OPTIONS");
	bool per_signature = c->sim && opts != NULL && strstr(opts, "sign_pin_per_signature");
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE msg[] = "settings", sig[512];
	CK_ULONG len = sizeof(sig);
	CK_BBOOL always = CK_TRUE;
	CK_ATTRIBUTE t = {CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always)};
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO info;
	CK_OBJECT_HANDLE key;
	long mark;

	tap_is_int(restart(c, conf, "sign_always_authenticate = no\n"), CKR_OK,
		   "sign_always_authenticate = no");
	s = p11_card_session(c, c->sign_slot, false);
	mark = p11_card_verifies(c);
	tap_is_int(c->f->C_Login(s, CKU_USER, PIN(c->sign_pin)), CKR_OK, "login to the sign token");
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 2);
	tap_is_int(c->f->C_GetAttributeValue(s, key, &t, 1), CKR_OK, "the sign key");
	tap_is_int(always, CK_FALSE, "... CKA_ALWAYS_AUTHENTICATE false");
	tap_is_int(c->f->C_SignInit(s, &mech, key), CKR_OK, "C_SignInit");
	tap_is_int(c->f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK,
		   "C_Sign without a context login");
	tap_ok(p11_card_signature_ok(c, s, 2, "SHA256", msg, sizeof(msg), sig, len),
	       "... verifies with the sign certificate");
	len = sizeof(sig);
	tap_is_int(c->f->C_SignInit(s, &mech, key), CKR_OK, "a second C_SignInit");
	if (!per_signature) {
		tap_is_int(c->f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK,
			   "a second C_Sign: the login still holds");
		tap_ok(p11_card_signature_ok(c, s, 2, "SHA256", msg, sizeof(msg), sig, len),
		       "... verifies");
	} else {
		/* The card consumed its VERIFY with the first signature. */
		tap_is_int(c->f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_USER_NOT_LOGGED_IN,
			   "a second C_Sign: the card wants the password again");
		tap_is_int(c->f->C_GetSessionInfo(s, &info), CKR_OK, "session info");
		tap_is_int(info.state, CKS_RO_PUBLIC_SESSION, "... logged out, no silent login");
		tap_is_int(c->f->C_Login(s, CKU_USER, PIN(c->sign_pin)), CKR_OK, "login again");
		tap_is_int(c->f->C_SignInit(s, &mech, key), CKR_OK, "C_SignInit");
		len = sizeof(sig);
		tap_is_int(c->f->C_Sign(s, msg, sizeof(msg), sig, &len), CKR_OK, "C_Sign");
	}
	if (mark >= 0)
		tap_is_int(p11_card_verifies(c) - mark, per_signature ? 2 : 1,
			   "VERIFY only for the logins");
	c->f->C_CloseSession(s);
	tap_is_int(restart(c, conf, "sign_always_authenticate = yes\n"), CKR_OK,
		   "sign_always_authenticate = yes");
	s = p11_card_session(c, c->sign_slot, false);
	c->f->C_Login(s, CKU_USER, PIN(c->sign_pin));
	key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, 2);
	tap_is_int(c->f->C_GetAttributeValue(s, key, &t, 1), CKR_OK, "the sign key");
	tap_is_int(always, CK_TRUE, "... CKA_ALWAYS_AUTHENTICATE true");
	c->f->C_CloseSession(s);
}

static void test_debug(struct p11_card *c)
{
	char text[600], file[300], env_file[300];
	struct stat st;

	snprintf(file, sizeof(file), "%s/conf.log", dir);
	snprintf(env_file, sizeof(env_file), "%s/env.log", dir);
	snprintf(text, sizeof(text), "debug = 3:%s\n", file);
	unsetenv("JPKI_PKCS11_DEBUG");
	tap_is_int(restart(c, conf, text), CKR_OK, "debug = 3:FILE");
	slots(c);
	tap_ok(log_has(file, "<- C_GetSlotList = CKR_OK"), "... the calls are in FILE");
	snprintf(text, sizeof(text), "3:%s", env_file);
	setenv("JPKI_PKCS11_DEBUG", text, 1);
	tap_is_int(restart(c, conf, NULL), CKR_OK, "... and JPKI_PKCS11_DEBUG=3:OTHER");
	tap_is_int(stat(file, &st), 0, "FILE");
	slots(c);
	c->f->C_Finalize(NULL);
	tap_ok(log_has(env_file, "<- C_GetSlotList = CKR_OK"), "... the variable wins");
	tap_ok(log_has(file, "<- C_Finalize") && !log_has(env_file, "<- C_Finalize = CKR_CRYPTOKI"),
	       "... FILE ends with the previous run");
	unsetenv("JPKI_PKCS11_DEBUG");
	restart(c, getenv("JPKI_PKCS11_CONF"), NULL);
}

/* bad_file: the module starts with defaults, the problems in the log at
 * level 2 (not at 1), never the values. */
static void bad_file(struct p11_card *c, const char *path, const char *what, const char *warning,
		     const char *secret)
{
	char spec[320], log[300], all[128];
	static int n;

	ids(0, 1, 2 * readers, all, sizeof(all));
	snprintf(log, sizeof(log), "%s/bad%d.log", dir, n++);
	snprintf(spec, sizeof(spec), "2:%s", log);
	setenv("JPKI_PKCS11_DEBUG", spec, 1);
	tap_is_int(restart(c, path, NULL), CKR_OK, "%s: C_Initialize", what);
	is_str(slots(c), all, "... the defaults: every slot");
	c->f->C_Finalize(NULL);
	tap_ok(log_has(log, warning), "... the log says \"%s\"", warning);
	tap_ok(secret == NULL || !log_has(log, secret), "... without quoting the file");
	snprintf(log, sizeof(log), "%s/bad%d.log", dir, n++);
	snprintf(spec, sizeof(spec), "1:%s", log);
	setenv("JPKI_PKCS11_DEBUG", spec, 1);
	c->f->C_Initialize(NULL);
	c->f->C_Finalize(NULL);
	tap_ok(!log_has(log, "settings"), "... nothing at level 1");
	unsetenv("JPKI_PKCS11_DEBUG");
	restart(c, getenv("JPKI_PKCS11_CONF"), NULL);
}

static void test_bad_files(struct p11_card *c)
{
	static const char garbage[] = "tokens = none-of-them\n"
				      "this line means nothing 0000\n"
				      "sign_always_authenticate = maybe\n"
				      "unknown_key = 1234\n"
				      "reader_include =\n"
				      "\x01\xff\xfe = \x80\n";
	char path[300], *big;
	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE t = {CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always)};
	CK_SESSION_HANDLE s;

	snprintf(path, sizeof(path), "%s/garbage.conf", dir);
	write_file(path, garbage, sizeof(garbage) - 1);
	bad_file(c, path, "malformed lines", "settings line 3:", "maybe");
	setenv("JPKI_PKCS11_CONF", path, 1);
	s = p11_card_session(c, c->sign_slot, false);
	c->f->C_Login(s, CKU_USER, PIN(c->sign_pin));
	c->f->C_GetAttributeValue(s, p11_card_find_one(c, s, CKO_PRIVATE_KEY, 2), &t, 1);
	tap_is_int(always, CK_TRUE, "... CKA_ALWAYS_AUTHENTICATE keeps its default");
	c->f->C_CloseSession(s);
	bad_file(c, dir, "a directory", "settings line 0: settings file is not a regular file",
		 NULL);
	big = calloc(1, 70000);
	if (big == NULL)
		tap_bail("calloc");
	memset(big, '#', 69999);
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	write_file(path, big, 69999);
	free(big);
	bad_file(c, path, "a 70 KB file", "settings file too large", NULL);
	snprintf(path, sizeof(path), "%s/none/such.conf", dir);
	setenv("JPKI_PKCS11_CONF", path, 1);
	tap_is_int(restart(c, path, NULL), CKR_OK, "a missing file: C_Initialize");
	tap_ok(strchr(slots(c), ',') != NULL, "... the defaults");
}

int main(void)
{
	struct p11_card c;
	char cmd[128];

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	snprintf(conf, sizeof(conf), "%s/jpki-pkcs11.conf", dir);
	/* The defaults first: no settings file. */
	setenv("JPKI_PKCS11_CONF", conf, 1);
	unsetenv("JPKI_PKCS11_DEBUG");
	p11_card_open(&c, 1);
	if (!c.jpki)
		tap_bail("the settings are the module's (JPKI_P11_TARGET=sim or stack)");
	for (const char *p = slots(&c); *p != '\0'; p++)
		readers += *p == ',';
	readers /= 2;
	tap_ok(readers >= 1, "%zu reader(s)", readers);
	reader_name(&c);
	test_tokens(&c);
	test_readers(&c);
	test_always_authenticate(&c);
	test_debug(&c);
	test_bad_files(&c);
	unsetenv("JPKI_PKCS11_CONF");
	p11_card_close(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir); /* mkdtemp's name: no quote in it */
	if (system(cmd) != 0)
		tap_diag("left %s", dir);
	return tap_done();
}
