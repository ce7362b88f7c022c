/* The per-user cache of a card's public certificates, across processes.
 *
 * Every process that loads the module would otherwise read the same public
 * certificates from the card again (6 APDUs for the auth certificate, 10 for
 * the two CA certificates).  One file per card, in
 * $XDG_CACHE_HOME/jpki-pkcs11/ (else $HOME/.cache/jpki-pkcs11/), holds what
 * is public and was read from that card: the auth certificate, the two CA
 * certificates, whether the card refused VERIFY by short EF identifier and
 * whether it signs RSA-PSS (definite answers the card gave).
 * Never the sign certificate (private; the holder's name and address), never
 * anything of the text AP.
 *
 * Trust: nothing in the cache is believed on its own.  An entry is found by
 * the card's own first chunk of its auth certificate (the 256 bytes one READ
 * BINARY returns: serial number, issuer, validity) and used only when the
 * cached auth certificate starts with exactly those bytes (a renewed
 * certificate or another card has another serial); its auth CA only when it
 * issued that auth certificate (key identifiers, cert_issued_by).  A file
 * that is missing, not a regular file (a symlink), not the user's, open to
 * group or others, too large, of another version, or that does not parse is
 * a miss (and the caller's store replaces it).  The directory must be the
 * user's and is made 0700; files are 0600 and written atomically (a temp
 * file in the same directory, fsync, rename), so two processes writing at
 * once leave one complete file.
 *
 * The environment is read with secure_getenv (a setuid program gets no
 * cache).  No usable directory (no HOME, a read-only HOME, a foreign owner)
 * means no cache: every call is then a miss or a no-op.  The log says hit,
 * miss and why, never a certificate or a file name.
 *
 * Not thread-safe: the caller serialises (the module lock).
 */
#ifndef JPKI_CERT_CACHE_H
#define JPKI_CERT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "log.h"

#define CERT_CACHE_CHUNK    256	  /* the first READ BINARY of a certificate (Le = 00) */
#define CERT_CACHE_DER_MAX  8192  /* as JPKI_CERT_MAX */
#define CERT_CACHE_FILE_MAX 32768 /* larger files are not read */

enum cert_cache_item {
	CERT_CACHE_AUTH,    /* EF 000A, the key of the entry */
	CERT_CACHE_AUTH_CA, /* EF 000B */
	CERT_CACHE_SIGN_CA, /* EF 0002 */
	CERT_CACHE_ITEMS
};

#define CERT_CACHE_NO_VERIFY_SFI 0x01 /* the card refused the empty VERIFY by SFI */
#define CERT_CACHE_PSS_YES	 0x02 /* the card signs RSA-PSS (jpki_pss_detect) */
#define CERT_CACHE_PSS_NO	 0x04 /* it does not (both set: neither is believed) */
#define CERT_CACHE_FLAGS	 0x07

struct cert_cache_entry {
	uint8_t *der[CERT_CACHE_ITEMS]; /* NULL when not known */
	size_t len[CERT_CACHE_ITEMS];
	unsigned flags; /* CERT_CACHE_* */
};

struct cert_cache;

/* cert_cache_new: a cache in the user's directory, found and created on
 * first use; NULL when out of memory.  log may be NULL and must outlive it. */
struct cert_cache *cert_cache_new(const struct log *log);

/* cert_cache_new_dir: a cache in dir itself (created if missing), whose
 * directory and files must belong to owner: for tests. */
struct cert_cache *cert_cache_new_dir(const char *dir, uid_t owner, const struct log *log);

void cert_cache_free(struct cert_cache *cc);

/* cert_cache_lookup: the entry of the card whose auth certificate starts
 * with chunk (chunk_len >= CERT_CACHE_CHUNK, only the first
 * CERT_CACHE_CHUNK bytes count).  On a hit e holds the auth certificate and
 * whatever else passed its checks (free with cert_cache_entry_clear); on a
 * miss e is empty.  e is overwritten: pass an empty (or cleared) entry.
 * cc may be NULL (a miss). */
bool cert_cache_lookup(struct cert_cache *cc, const uint8_t *chunk, size_t chunk_len,
		       struct cert_cache_entry *e);

/* cert_cache_store: writes the entry (it needs an auth certificate longer
 * than CERT_CACHE_CHUNK), replacing the card's old file atomically; false
 * when it was not written (logged).  cc may be NULL. */
bool cert_cache_store(struct cert_cache *cc, const struct cert_cache_entry *e);

/* cert_cache_entry_set: a copy of der as item (replacing the old one); false when out of memory. */
bool cert_cache_entry_set(struct cert_cache_entry *e, enum cert_cache_item item, const uint8_t *der,
			  size_t len);

/* cert_cache_entry_clear: frees the entry's certificates and empties it. */
void cert_cache_entry_clear(struct cert_cache_entry *e);

#endif
