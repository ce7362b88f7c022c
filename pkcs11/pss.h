/* The card's RSA-PSS as the mechanism table sees it: whether the card of a
 * reader signs PSS (asked once per insertion, lazily: docs/pss.md), the
 * mechanism queries that depend on it (C_GetMechanismList and
 * C_GetMechanismInfo), and the check of every PSS signature against the
 * public key before it is returned. */
#ifndef JPKI_P11_PSS_H
#define JPKI_P11_PSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"
#include "object.h"
#include "slot.h"

/* pss_ask_locked: whether the PSS mechanisms are offered for the reader's
 * card (*usable): the settings allow them (pss = auto) and the card signs
 * PSS.  The first question on an insertion asks the card (jpki_pss_detect: 2
 * APDUs on the usual card, no PIN); later ones send nothing.  Returns the
 * card's error (then *usable is false and the answer stays unknown); the
 * caller brings the module state up to date (call_card_error). */
enum card_error pss_ask_locked(struct module *m, struct reader *reader, bool *usable);

/* pss_mech_list_locked: C_GetMechanismList for the reader's card
 * (mech_list), with the PSS rows when pss_ask_locked says so.  A card error
 * counts as "no" for this call; a removal or reset is handled as for any
 * card call.  Errors: CKR_BUFFER_TOO_SMALL. */
CK_RV pss_mech_list_locked(struct module *m, struct reader *reader, CK_MECHANISM_TYPE *list,
			   CK_ULONG *count);

/* pss_mech_info_locked: C_GetMechanismInfo for the reader's card
 * (mech_info); the card is asked only about a PSS mechanism, as for
 * pss_mech_list_locked.  Errors: CKR_MECHANISM_INVALID. */
CK_RV pss_mech_info_locked(struct module *m, struct reader *reader, CK_MECHANISM_TYPE type,
			   CK_MECHANISM_INFO *info);

/* pss_signature_ok: whether sig is an RSASSA-PSS signature of the SHA-256
 * hash with MGF1-SHA-256 and salt length 32 under the key object's
 * CKA_PUBLIC_KEY_INFO: what CKM_RSA_PKCS_PSS promised the caller. */
bool pss_signature_ok(const struct object *key, const uint8_t *hash, size_t hash_len,
		      const uint8_t *sig, size_t sig_len);

#endif
