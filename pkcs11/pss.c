/* The card's RSA-PSS: see pss.h and docs/pss.md. */
#include "pss.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mech.h"

enum card_error pss_ask_locked(struct module *m, struct reader *reader, bool *usable)
{
	enum jpki_pss pss;
	enum card_error err = CARD_OK;

	*usable = false;
	if (m->settings.pss_off || reader->card == NULL)
		return CARD_OK;
	pss = jpki_pss_get(reader->card);
	if (pss == JPKI_PSS_UNKNOWN) {
		err = jpki_pss_detect(reader->card, &pss);
		if (err != CARD_OK) {
			log_printf(&m->log, LOG_WARN, "card in %s: PSS not asked: %s",
				   reader->name, card_error_name(err));
			return err;
		}
		log_printf(&m->log, LOG_CALLS, "card in %s: PSS %s", reader->name,
			   jpki_pss_name(pss));
	}
	*usable = pss == JPKI_PSS_YES;
	return CARD_OK;
}

/* usable_locked: pss_ask_locked for the calls without a session: a card
 * error counts as "no" for this call, and a removal or reset is handled as
 * for any card call. */
static bool usable_locked(struct module *m, struct reader *reader)
{
	bool usable;
	enum card_error err = pss_ask_locked(m, reader, &usable);

	if (err != CARD_OK)
		slot_card_error_locked(m, reader, err);
	return usable;
}

CK_RV pss_mech_list_locked(struct module *m, struct reader *reader, CK_MECHANISM_TYPE *list,
			   CK_ULONG *count)
{
	/* The PSS rows need the card's answer: asked here once per insertion,
	 * never on the polling path (docs/pss.md). */
	return mech_list(usable_locked(m, reader), list, count);
}

CK_RV pss_mech_info_locked(struct module *m, struct reader *reader, CK_MECHANISM_TYPE type,
			   CK_MECHANISM_INFO *info)
{
	const struct mech *mech = mech_find(type);

	/* Only a PSS mechanism needs the card's answer. */
	return mech_info(mech != NULL && mech->pss && usable_locked(m, reader), type, info);
}

bool pss_signature_ok(const struct object *key, const uint8_t *hash, size_t hash_len,
		      const uint8_t *sig, size_t sig_len)
{
	const struct attr *spki = attr_find(&key->attrs, CKA_PUBLIC_KEY_INFO);
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	bool ok = false;

	/* A signature that does not verify is our answer, not an error for the
	 * application's OpenSSL queue. */
	ERR_set_mark();
	if (spki == NULL || spki->value == NULL || hash_len != MECH_PSS_HASH_LEN)
		goto out;
	p = spki->value;
	pub = d2i_PUBKEY(NULL, &p, (long)spki->len);
	if (pub == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, MECH_PSS_HASH_LEN) == 1 &&
	     EVP_PKEY_verify(ctx, sig, sig_len, hash, hash_len) == 1;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
	ERR_pop_to_mark();
	return ok;
}
