/* The certificate cache as the card layer uses it (cert-cache.h has the
 * file and its checks).
 *
 * Per insertion, c->cached is the card's entry: empty until the auth
 * certificate is known, then either the entry the card's first chunk of it
 * found (a hit: the CA certificates it holds are served without APDU) or a
 * new one that the certificates read from the card fill and store.  The
 * sign certificate never goes in; it is only used to check the cached sign
 * CA, which no public certificate names: a sign certificate renewed under
 * another CA generation drops that CA from the entry (this process then
 * reads it from the card, the next finds it cached again).  The entry also
 * keeps two answers the card gave: VERIFY by SFI refused, and whether it
 * signs RSA-PSS (so that a warm process lists mechanisms without asking).
 */
#include "jpki-internal.h"

#include <stdlib.h>
#include <string.h>

#include "cert.h"

bool jpki_cache_serves(struct jpki_card *c, const uint8_t *first, size_t n, size_t total,
		       uint8_t **out)
{
	struct cert_cache_entry e;

	*out = NULL;
	if (c->cache == NULL || n < CERT_CACHE_CHUNK || total <= CERT_CACHE_CHUNK)
		return false;
	if (!cert_cache_lookup(c->cache, first, n, &e))
		return false;
	/* The chunk holds the DER header: a hit has the card's length. */
	if (e.len[CERT_CACHE_AUTH] == total)
		*out = malloc(total);
	if (*out == NULL) {
		cert_cache_entry_clear(&e);
		return false;
	}
	memcpy(*out, e.der[CERT_CACHE_AUTH], total);
	cert_cache_entry_clear(&c->cached);
	c->cached = e;
	return true;
}

bool jpki_cache_get(struct jpki_card *c, int item, uint8_t **der, size_t *len)
{
	const struct cert_cache_entry *e = &c->cached;

	/* Only the CA certificates: the auth certificate's first chunk is
	 * always the card's own (jpki_cache_serves). */
	if (item <= CERT_CACHE_AUTH || item >= CERT_CACHE_ITEMS || e->der[item] == NULL)
		return false;
	*der = malloc(e->len[item]);
	if (*der == NULL)
		return false;
	memcpy(*der, e->der[item], e->len[item]);
	*len = e->len[item];
	return true;
}

/* jpki_cache_check_sign_ca: the sign certificate against the cached sign CA. */
static bool jpki_cache_check_sign_ca(struct jpki_card *c, const uint8_t *der, size_t len)
{
	struct cert_cache_entry *e = &c->cached;
	uint8_t *ca = e->der[CERT_CACHE_SIGN_CA];
	size_t ca_len = e->len[CERT_CACHE_SIGN_CA];

	if (ca == NULL || cert_issued_by(der, len, ca, ca_len))
		return false;
	log_printf(c->log, LOG_CALLS,
		   "certificate cache: the cached sign CA did not issue the "
		   "sign certificate: dropped");
	if (c->certs[JPKI_CERT_SIGN_CA] != NULL && c->cert_lens[JPKI_CERT_SIGN_CA] == ca_len &&
	    memcmp(c->certs[JPKI_CERT_SIGN_CA], ca, ca_len) == 0) {
		free(c->certs[JPKI_CERT_SIGN_CA]);
		c->certs[JPKI_CERT_SIGN_CA] = NULL;
		c->cert_lens[JPKI_CERT_SIGN_CA] = 0;
	}
	free(ca);
	e->der[CERT_CACHE_SIGN_CA] = NULL;
	e->len[CERT_CACHE_SIGN_CA] = 0;
	return true;
}

void jpki_cache_note(struct jpki_card *c, int item, const uint8_t *der, size_t len)
{
	struct cert_cache_entry *e = &c->cached;

	if (c->cache == NULL)
		return;
	if (item < 0) {
		if (!jpki_cache_check_sign_ca(c, der, len))
			return;
	} else if (item == CERT_CACHE_AUTH) {
		cert_cache_entry_clear(e);
		if (!cert_cache_entry_set(e, CERT_CACHE_AUTH, der, len))
			return;
		if (c->verify_sfi_off_sure)
			e->flags |= CERT_CACHE_NO_VERIFY_SFI;
		if (c->pss == JPKI_PSS_YES)
			e->flags |= CERT_CACHE_PSS_YES;
		else if (c->pss == JPKI_PSS_NO)
			e->flags |= CERT_CACHE_PSS_NO;
	} else if (item >= CERT_CACHE_ITEMS || e->der[CERT_CACHE_AUTH] == NULL) {
		return; /* nothing names the entry yet */
	} else if (item == CERT_CACHE_AUTH_CA &&
		   !cert_issued_by(e->der[CERT_CACHE_AUTH], e->len[CERT_CACHE_AUTH], der, len)) {
		return; /* a lookup would not use it */
	} else if (!cert_cache_entry_set(e, (enum cert_cache_item)item, der, len)) {
		return;
	}
	cert_cache_store(c->cache, e);
}

void jpki_cache_verify_sfi_refused(struct jpki_card *c)
{
	c->verify_sfi_off_sure = true;
	if (c->cache == NULL || c->cached.der[CERT_CACHE_AUTH] == NULL ||
	    (c->cached.flags & CERT_CACHE_NO_VERIFY_SFI))
		return;
	c->cached.flags |= CERT_CACHE_NO_VERIFY_SFI;
	cert_cache_store(c->cache, &c->cached);
}

bool jpki_cache_verify_sfi_known(const struct jpki_card *c)
{
	return (c->cached.flags & CERT_CACHE_NO_VERIFY_SFI) != 0;
}

enum jpki_pss jpki_cache_pss(const struct jpki_card *c)
{
	if (c->cached.flags & CERT_CACHE_PSS_YES)
		return JPKI_PSS_YES;
	if (c->cached.flags & CERT_CACHE_PSS_NO)
		return JPKI_PSS_NO;
	return JPKI_PSS_UNKNOWN;
}

void jpki_cache_pss_learnt(struct jpki_card *c, enum jpki_pss pss)
{
	unsigned flags = c->cached.flags & ~(unsigned)(CERT_CACHE_PSS_YES | CERT_CACHE_PSS_NO);

	/* Only what the card answered: undecided (or unknown) is not kept. */
	if (pss == JPKI_PSS_YES)
		flags |= CERT_CACHE_PSS_YES;
	else if (pss == JPKI_PSS_NO)
		flags |= CERT_CACHE_PSS_NO;
	else
		return;
	if (c->cache == NULL || c->cached.der[CERT_CACHE_AUTH] == NULL || flags == c->cached.flags)
		return; /* no entry yet: jpki_cache_note adds it with the auth certificate */
	c->cached.flags = flags;
	cert_cache_store(c->cache, &c->cached);
}
