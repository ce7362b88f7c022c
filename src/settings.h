/* The module's settings file (jpki-pkcs11.conf).
 *
 * Format: one "key = value" per line; '#' starts a comment; blank lines are
 * ignored.  Keys (see jpki-pkcs11.conf(5)):
 *   tokens = both | auth | sign          which tokens each reader shows
 *   reader_include = TEXT                use only readers whose name contains TEXT (repeatable)
 *   reader_exclude = TEXT                never use readers whose name contains TEXT (repeatable)
 *   sign_always_authenticate = yes | no  CKA_ALWAYS_AUTHENTICATE on the signature key
 *   pss = auto | off                     RSA-PSS where the card signs it, or never
 *   debug = LEVEL[:FILE]                 as JPKI_PKCS11_DEBUG, which takes precedence
 *   cache = on | off                     the public certificates cached across processes
 *
 * The file is hostile input: anything malformed is reported through the
 * warning callback and the setting keeps its safe default.  Parsing never
 * fails; a file that cannot be read gives the defaults.
 */
#ifndef JPKI_SETTINGS_H
#define JPKI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#define SETTINGS_MAX_PATTERNS	 8     /* include/exclude patterns kept, each */
#define SETTINGS_MAX_PATTERN_LEN 128   /* bytes, without the NUL */
#define SETTINGS_MAX_FILE_SIZE	 65536 /* larger files are refused whole */

enum settings_tokens {
	SETTINGS_TOKENS_BOTH,
	SETTINGS_TOKENS_AUTH,
	SETTINGS_TOKENS_SIGN,
};

struct settings {
	enum settings_tokens tokens;
	bool sign_always_authenticate;
	bool pss_off; /* pss = off: PKCS#1 v1.5 only, as before the card's PSS was used */
	bool cache;   /* src/cert-cache.h */
	char reader_include[SETTINGS_MAX_PATTERNS][SETTINGS_MAX_PATTERN_LEN + 1];
	size_t n_include;
	char reader_exclude[SETTINGS_MAX_PATTERNS][SETTINGS_MAX_PATTERN_LEN + 1];
	size_t n_exclude;
	char debug[SETTINGS_MAX_PATTERN_LEN + 1]; /* "" when not set */
};

/* Called once per problem found: line number (0 = the whole file) and a message
 * that never quotes the file's content beyond the key name. */
typedef void (*settings_warn_fn)(void *ctx, unsigned int line, const char *message);

/* settings_defaults: both tokens, sign key always authenticates, PSS where the card has it,
 * every reader, no debug, certificate cache on. */
void settings_defaults(struct settings *cfg);

/* settings_parse: applies the settings in buf[0..len) on top of cfg. */
void settings_parse(struct settings *cfg, const char *buf, size_t len, settings_warn_fn warn,
		    void *ctx);

/* settings_load: settings_defaults, then the file at path if it exists.  A missing
 * file is not a problem; an unreadable or oversized one is reported. */
void settings_load(struct settings *cfg, const char *path, settings_warn_fn warn, void *ctx);

/* settings_reader_allowed: whether a reader name passes the include/exclude lists. */
bool settings_reader_allowed(const struct settings *cfg, const char *reader);

#endif
