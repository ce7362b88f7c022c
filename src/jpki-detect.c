/* Which card this is (the token label of EF 0006 and its kind) and its four
 * certificates, each read once per insertion.
 */
#include "jpki-internal.h"

#include <stdlib.h>
#include <string.h>

#include "tlv.h"

struct jpki_cert_desc {
	enum jpki_ap ap;
	uint16_t fid;
	bool fid_elsewhere; /* another application of the card has an EF with this FID */
	int cache_item;	    /* enum cert_cache_item; -1: never cached */
	const char *name;
};

/* docs/card.md 2.2-2.4: EFs 0001 and 0002 are also in the text and visual APs.
 * The sign certificate is private (the holder's name and address): never in
 * the cache. */
static const struct jpki_cert_desc jpki_certs[JPKI_CERT_COUNT] = {
	[JPKI_CERT_AUTH] = {JPKI_AP_JPKI, 0x000A, false, CERT_CACHE_AUTH, "auth certificate"},
	[JPKI_CERT_SIGN] = {JPKI_AP_JPKI, 0x0001, true, -1, "sign certificate"},
	[JPKI_CERT_AUTH_CA] = {JPKI_AP_JPKI, 0x000B, false, CERT_CACHE_AUTH_CA,
			       "auth CA certificate"},
	[JPKI_CERT_SIGN_CA] = {JPKI_AP_JPKI, 0x0002, true, CERT_CACHE_SIGN_CA,
			       "sign CA certificate"},
};

/* jpki_parse_label: the kind and label from the start of EF 0006. */
static void jpki_parse_label(struct jpki_card *c, const uint8_t *buf, size_t len)
{
	c->kind = jpki_label_kind(buf, len, c->label);
}

enum card_error jpki_detect(struct jpki_card *c, enum jpki_kind *kind,
			    char label[JPKI_LABEL_MAX + 1])
{
	uint8_t buf[JPKI_LABEL_MAX];
	size_t len = 0;
	enum card_error err;
	uint16_t sw;
	bool held = false, by_sfi;

	*kind = JPKI_KIND_UNKNOWN;
	if (c->kind != JPKI_KIND_UNKNOWN && c->conn != NULL)
		goto done;
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	held = true;
	if (c->kind != JPKI_KIND_UNKNOWN)
		goto done; /* connecting kept what we knew */
	/* The probe, when it hits, reads the label: one APDU, no SELECT. */
	err = jpki_select_ap(c, JPKI_AP_JPKI);
	if (err != CARD_OK)
		goto out;
	if (c->kind != JPKI_KIND_UNKNOWN)
		goto found;
	by_sfi = jpki_sfi_usable(c, JPKI_AP_JPKI, JPKI_EF_TOKEN_INFO);
	for (;;) {
		err = jpki_read_head(c, JPKI_AP_JPKI, JPKI_EF_TOKEN_INFO, by_sfi, JPKI_LABEL_MAX,
				     buf, &len, &sw);
		if (err != CARD_OK)
			goto out;
		if (sw == SW_OK || sw == SW_END_OF_FILE) {
			jpki_parse_label(c, buf, len);
			/* By SFI, only a label we know proves the right EF was read. */
			if (!by_sfi || c->kind != JPKI_KIND_OTHER)
				break;
		} else if (!by_sfi) {
			err = jpki_sw_error(sw);
			goto out;
		}
		jpki_sfi_refused(c, JPKI_AP_JPKI, JPKI_EF_TOKEN_INFO,
				 sw == SW_OK || sw == SW_END_OF_FILE ? "unknown label" : "refused");
		by_sfi = false;
	}
found:
	log_printf(c->log, LOG_CALLS, "card in %s: %s (%s)", c->reader, jpki_kind_name(c->kind),
		   c->label);
done:
	*kind = c->kind;
	if (label != NULL)
		memcpy(label, c->label, sizeof(c->label));
	err = CARD_OK;
out:
	if (held)
		jpki_op_end(c);
	return err;
}

static bool jpki_is_der_sequence(const uint8_t *buf, size_t n)
{
	struct tlv tlv;

	return tlv_parse(buf, n, &tlv, NULL) == CARD_OK && tlv.tag == 0x30 && tlv.constructed;
}

enum card_error jpki_read_cert(struct jpki_card *c, enum jpki_cert id, uint8_t **der, size_t *len)
{
	const struct jpki_cert_desc *d;
	enum card_error err;
	bool held = false;

	*der = NULL;
	*len = 0;
	if ((unsigned)id >= JPKI_CERT_COUNT)
		return CARD_E_ARGUMENTS;
	d = &jpki_certs[id];
	if (id == JPKI_CERT_SIGN && jpki_sign_cert_absent(c) && c->conn != NULL)
		return CARD_E_NOT_FOUND; /* known for this insertion: nothing to read */
	if (c->certs[id] == NULL || c->conn == NULL) {
		err = jpki_op_begin(c);
		if (err != CARD_OK)
			goto out;
		held = true;
	}
	if (c->certs[id] == NULL && jpki_cert_read_refused(c, id)) {
		log_printf(c->log, LOG_CALLS, "%s: wants the PIN first on a %s", d->name,
			   jpki_kind_name(c->kind));
		err = CARD_E_NOT_LOGGED_IN;
		goto out;
	}
	/* A CA certificate from the card's cache entry (its auth certificate
	 * was checked against the card in this insertion): no APDU.  After the
	 * check above: a token that wants the PIN first gets no certificate
	 * from the cache either. */
	if (c->certs[id] == NULL &&
	    jpki_cache_get(c, d->cache_item, &c->certs[id], &c->cert_lens[id]))
		log_printf(c->log, LOG_CALLS, "%s from the certificate cache", d->name);
	if (c->certs[id] == NULL) {
		uint8_t *buf;
		size_t n;
		bool by_sfi = jpki_sfi_usable(c, d->ap, d->fid);
		bool try_cache = d->cache_item == CERT_CACHE_AUTH;

		err = jpki_read_tlv(c, d->ap, d->fid, try_cache, JPKI_CERT_MAX, &buf, &n);
		/* A certificate is one DER SEQUENCE; under a belief, anything
		 * else may be another application's EF: check the application
		 * and read it again. */
		if (err == CARD_OK && !jpki_is_der_sequence(buf, n) && d->fid_elsewhere &&
		    jpki_ap_believed(c, d->ap)) {
			free(buf);
			err = jpki_ap_recheck(c, d->ap);
			by_sfi = jpki_sfi_usable(c, d->ap, d->fid);
			if (err == CARD_OK)
				err = jpki_read_tlv(c, d->ap, d->fid, try_cache, JPKI_CERT_MAX,
						    &buf, &n);
		}
		/* By SFI, anything else may be another EF: read it again
		 * after SELECT. */
		if (err == CARD_OK && !jpki_is_der_sequence(buf, n) && by_sfi &&
		    !c->sfi_off[d->ap]) {
			free(buf);
			jpki_sfi_refused(c, d->ap, d->fid, "not a certificate");
			err = jpki_read_tlv(c, d->ap, d->fid, try_cache, JPKI_CERT_MAX, &buf, &n);
		}
		if (err == CARD_OK && !jpki_is_der_sequence(buf, n)) {
			free(buf);
			err = CARD_E_BAD_RESPONSE;
		}
		/* No signature certificate where one should be (6A82, an empty
		 * or filler EF): a card without one?  EF 0008 says. */
		if (id == JPKI_CERT_SIGN &&
		    (err == CARD_E_NOT_FOUND || err == CARD_E_BAD_RESPONSE)) {
			enum card_error check = jpki_sign_cert_check(c);
			if (check != CARD_OK)
				err = check;
			else if (jpki_sign_cert_absent(c))
				err = CARD_E_NOT_FOUND;
		}
		if (err != CARD_OK) {
			log_printf(c->log, LOG_CALLS, "%s: %s", d->name, card_error_name(err));
			goto out;
		}
		c->certs[id] = buf;
		c->cert_lens[id] = n;
		/* Unless the cache served it (its entry is c->cached then). */
		if (!try_cache || c->cached.der[CERT_CACHE_AUTH] == NULL)
			jpki_cache_note(c, d->cache_item, buf, n);
	}
	*der = malloc(c->cert_lens[id]);
	if (*der == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	memcpy(*der, c->certs[id], c->cert_lens[id]);
	*len = c->cert_lens[id];
	err = CARD_OK;
out:
	if (held)
		jpki_op_end(c);
	return err;
}
