/* Offline checks of the holder's own certificate against the CA
 * certificate read from the same card: signatures, validity periods, key
 * usage, basic constraints.  No revocation check (that needs J-LIS's online
 * service, reserved to approved parties). */
#ifndef JPKI_TOOL_CERTCHECK_H
#define JPKI_TOOL_CERTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum certcheck_item {
	CERTCHECK_CA_SIGNATURE,	  /* the CA certificate is self-signed with a valid signature */
	CERTCHECK_CA_VALIDITY,	  /* now is within the CA certificate's validity */
	CERTCHECK_CA_CONSTRAINTS, /* CA:TRUE and keyCertSign */
	CERTCHECK_ISSUER,	  /* the certificate's issuer is the CA's subject */
	CERTCHECK_SIGNATURE,	  /* the CA's key verifies the certificate's signature */
	CERTCHECK_VALIDITY,	  /* now is within the certificate's validity */
	CERTCHECK_KEY_USAGE,	  /* the key usage the JPKI profile sets */
	CERTCHECK_NOT_CA,	  /* basicConstraints absent or CA:FALSE */
	CERTCHECK_COUNT
};

struct certcheck_desc {
	const char *key;   /* JSON key: "ca_signature" */
	const char *label; /* N_(): "CA certificate signature" */
};

const struct certcheck_desc *certcheck_desc(enum certcheck_item item);

/* certcheck_run: runs every check; result[i] says whether check i passed.
 * required_ku are CERT_KU_* bits the certificate must have.  false when
 * either certificate cannot be decoded (results then all false). */
bool certcheck_run(const uint8_t *cert, size_t cert_len, const uint8_t *ca, size_t ca_len,
		   uint32_t required_ku, time_t now, bool result[CERTCHECK_COUNT]);

#endif
