/* CKA_START_DATE and CKA_END_DATE on a card whose certificates have expired
 * (issue 18): the module still offers the certificate and its keys (the
 * server decides), with dates that are exactly each certificate's validity
 * (UTC calendar days); the keys carry no dates (empty, as PKCS#11 allows).
 * Runs on the in-process emulator with the fixture-expired card. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "p11-card.h"
#include "tap.h"

/* date_of: the UTC calendar day of an ASN1_TIME as CK_DATE digits. */
static bool date_of(const ASN1_TIME *t, char out[9])
{
	struct tm tm;

	return ASN1_TIME_to_tm(t, &tm) == 1 && strftime(out, 9, "%Y%m%d", &tm) == 8;
}

static void check_dates(struct p11_card *c, CK_SESSION_HANDLE s, CK_BYTE id, const char *want_start,
			const char *want_end, const char *what)
{
	CK_OBJECT_HANDLE o = p11_card_find_one(c, s, CKO_CERTIFICATE, id);
	CK_DATE start, end;
	CK_ATTRIBUTE t[2] = {{CKA_START_DATE, &start, sizeof(start)},
			     {CKA_END_DATE, &end, sizeof(end)}};
	char got_start[9] = "", got_end[9] = "";

	tap_ok(o != CK_INVALID_HANDLE, "%s offered", what);
	memset(&start, 0, sizeof(start));
	memset(&end, 0, sizeof(end));
	tap_is_int(c->f->C_GetAttributeValue(s, o, t, 2), CKR_OK, "%s: its dates", what);
	tap_ok(t[0].ulValueLen == sizeof(start) && t[1].ulValueLen == sizeof(end),
	       "%s: two CK_DATEs (%lu and %lu bytes)", what, (unsigned long)t[0].ulValueLen,
	       (unsigned long)t[1].ulValueLen);
	memcpy(got_start, &start, 8);
	memcpy(got_end, &end, 8);
	tap_ok(strcmp(got_start, want_start) == 0, "%s: CKA_START_DATE %s (the certificate's %s)",
	       what, got_start, want_start);
	tap_ok(strcmp(got_end, want_end) == 0, "%s: CKA_END_DATE %s (the certificate's %s)", what,
	       got_end, want_end);
}

int main(void)
{
	const char *fix = getenv("JPKI_SIM_FIXTURE");
	char expired[4096], start[9], end[9];
	struct p11_card c;
	CK_SESSION_HANDLE s;
	CK_BYTE der[8192];
	CK_ATTRIBUTE value = {CKA_VALUE, der, sizeof(der)};
	const unsigned char *p = der;
	X509 *x;
	time_t now = time(NULL);

	if (fix == NULL)
		tap_bail("JPKI_SIM_FIXTURE is not set");
	snprintf(expired, sizeof(expired), "%s-expired", fix);
	setenv("JPKI_SIM_FIXTURE", expired, 1);
	p11_card_open(&c, 1);
	if (!c.sim)
		tap_bail("this test runs on the emulator only");
	s = p11_card_session(&c, c.auth_slot, false);
	tap_is_int(c.f->C_GetAttributeValue(s, p11_card_find_one(&c, s, CKO_CERTIFICATE, 1), &value,
					    1),
		   CKR_OK, "the expired certificate's value");
	x = d2i_X509(NULL, &p, (long)value.ulValueLen);
	tap_ok(x != NULL, "... a certificate");
	if (x == NULL)
		tap_bail("no certificate");
	tap_ok(X509_cmp_time(X509_get0_notAfter(x), &now) < 0, "... that has expired");
	tap_ok(date_of(X509_get0_notBefore(x), start) && date_of(X509_get0_notAfter(x), end),
	       "... its validity %s-%s", start, end);
	check_dates(&c, s, 1, start, end, "the authentication certificate");
	X509_free(x);
	c.f->C_CloseSession(s);

	/* The signature certificate, after the password. */
	s = p11_card_session(&c, c.sign_slot, false);
	tap_is_int(c.f->C_Login(s, CKU_USER, PIN(c.sign_pin)), CKR_OK, "signature token login");
	value.ulValueLen = sizeof(der);
	tap_is_int(c.f->C_GetAttributeValue(s, p11_card_find_one(&c, s, CKO_CERTIFICATE, 2), &value,
					    1),
		   CKR_OK, "the expired signature certificate's value");
	p = der;
	x = d2i_X509(NULL, &p, (long)value.ulValueLen);
	tap_ok(x != NULL && date_of(X509_get0_notBefore(x), start) &&
		       date_of(X509_get0_notAfter(x), end),
	       "... its validity %s-%s", start, end);
	check_dates(&c, s, 2, start, end, "the signature certificate");
	X509_free(x);
	c.f->C_CloseSession(s);
	p11_card_close(&c);
	return tap_done();
}
