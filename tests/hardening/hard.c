/* Shared by the hardening tests: see hard.h. */
#include "hard.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

void hard_keys_init(struct p11_card *c, struct hard_key *auth, struct hard_key *sign)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;

	memset(auth, 0, sizeof(*auth));
	memset(sign, 0, sizeof(*sign));
	*auth = (struct hard_key){
		.name = "auth", .slot = c->auth_slot, .pin = c->auth_pin, .id = 1};
	*sign = (struct hard_key){.name = "sign",
				  .slot = c->sign_slot,
				  .pin = c->sign_pin,
				  .id = 2,
				  .context_login = true};
	s = p11_card_session(c, auth->slot, false);
	auth->pub = p11_card_public_key(c, s, auth->id);
	c->f->C_CloseSession(s);
	s = p11_card_session(c, sign->slot, false);
	rv = c->f->C_Login(s, CKU_USER, PIN(sign->pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		tap_bail("sign token: login failed (0x%lx)", rv);
	sign->pub = p11_card_public_key(c, s, sign->id);
	c->f->C_CloseSession(s);
	if (auth->pub == NULL || sign->pub == NULL)
		tap_bail("the certificates' public keys cannot be read");
}

void hard_keys_free(struct hard_key *auth, struct hard_key *sign)
{
	EVP_PKEY_free(auth->pub);
	EVP_PKEY_free(sign->pub);
	auth->pub = sign->pub = NULL;
}

CK_RV hard_login(struct p11_card *c, CK_SESSION_HANDLE s, struct hard_key *k)
{
	CK_RV rv = c->f->C_Login(s, CKU_USER, PIN(k->pin));

	if (rv == CKR_USER_ALREADY_LOGGED_IN)
		rv = CKR_OK;
	if (rv != CKR_OK)
		return rv;
	k->key = p11_card_find_one(c, s, CKO_PRIVATE_KEY, k->id);
	return k->key == CK_INVALID_HANDLE ? CKR_KEY_HANDLE_INVALID : CKR_OK;
}

CK_RV hard_sign(struct p11_card *c, CK_SESSION_HANDLE s, const struct hard_key *k, const void *msg,
		size_t len)
{
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512], data[256];
	CK_ULONG sig_len = sizeof(sig);
	CK_RV rv;

	if (len > sizeof(data))
		return CKR_DATA_LEN_RANGE;
	memcpy(data, msg, len); /* the API takes non-const data */
	rv = c->f->C_SignInit(s, &mech, k->key);
	if (rv == CKR_OK && k->context_login)
		rv = c->f->C_Login(s, CKU_CONTEXT_SPECIFIC, PIN(k->pin));
	if (rv == CKR_OK)
		rv = c->f->C_Sign(s, data, len, sig, &sig_len);
	else
		c->f->C_Sign(s, data, len, sig, &sig_len); /* ends a half-begun operation */
	if (rv == CKR_OK && !p11_card_key_verifies(k->pub, "SHA256", msg, len, sig, sig_len))
		rv = HARD_WRONG_SIGNATURE;
	return rv;
}

static const char *watchdog_what = "";

static void watchdog_fire(int sig)
{
	static const char head[] = "Bail out! watchdog: no progress within the bound: ";
	ssize_t w;

	(void)sig;
	w = write(STDOUT_FILENO, head, sizeof(head) - 1);
	w = write(STDOUT_FILENO, watchdog_what, strlen(watchdog_what));
	w = write(STDOUT_FILENO, "\n", 1);
	(void)w;
	_exit(3);
}

void hard_watchdog(unsigned seconds, const char *what)
{
	fflush(stdout);
	watchdog_what = what;
	signal(SIGALRM, watchdog_fire);
	alarm(seconds);
}

double hard_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *hard_rv_name(CK_RV rv)
{
	static const struct {
		CK_RV rv;
		const char *name;
	} names[] = {
		{CKR_OK, "CKR_OK"},
		{CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
		{CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
		{CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
		{CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
		{CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"},
		{CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
		{CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
		{CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"},
		{CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED"},
		{CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID"},
		{CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
		{CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
		{HARD_WRONG_SIGNATURE, "WRONG SIGNATURE"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].rv == rv)
			return names[i].name;
	return "other";
}
