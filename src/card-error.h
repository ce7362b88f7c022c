/* The card layer's one error type.
 *
 * Every function of src/ that can fail returns one of these; the PKCS#11
 * layer maps them to CKR_ codes in one table, the tool to messages.  The
 * number of PIN tries left travels separately (see jpki.h), never inside the
 * code.
 */
#ifndef JPKI_CARD_ERROR_H
#define JPKI_CARD_ERROR_H

enum card_error {
	CARD_OK = 0,
	CARD_E_NO_SERVICE,    /* the PC/SC service is not running (or just restarted) */
	CARD_E_NO_READER,     /* no such reader, or it was unplugged */
	CARD_E_CARD_ABSENT,   /* the reader holds no card */
	CARD_E_CARD_REMOVED,  /* the card we were talking to was removed */
	CARD_E_CARD_RESET,    /* the card was reset (by us or another process): all state lost */
	CARD_E_SHARING,	      /* another process holds the card exclusively */
	CARD_E_TRANSPORT,     /* the reader or service failed in another way */
	CARD_E_NOT_JPKI,      /* the card has no JPKI application */
	CARD_E_NOT_LOGGED_IN, /* security status not satisfied (6982): the PIN is not verified */
	CARD_E_PIN_WRONG,     /* VERIFY refused the PIN; tries left are reported apart */
	CARD_E_PIN_BLOCKED,   /* the PIN's retry counter is exhausted (63C0, 6983, 6984) */
	CARD_E_PIN_FORMAT,    /* the PIN breaks the format rules; nothing was sent */
	CARD_E_NOT_FOUND,     /* the card has no such application or file (6A82) */
	CARD_E_BAD_RESPONSE,  /* the card's answer is malformed, too long or too short */
	CARD_E_CARD,	      /* the card refused the command with an unexpected status word */
	CARD_E_ARGUMENTS,     /* the caller's arguments are invalid (e.g. DigestInfo too long) */
	CARD_E_UNSUPPORTED,   /* the card kind or key does not support this operation */
	CARD_E_NO_MEMORY,     /* an allocation failed */
	CARD_E_TIMEOUT,	      /* a wait for a reader change timed out */
	CARD_E_CANCELLED,     /* a wait was cancelled from another thread */
	CARD_E_COUNT	      /* number of codes, not an error */
};

/* card_error_name: the enum name as a string for logs ("CARD_E_PIN_WRONG"); never NULL. */
const char *card_error_name(enum card_error err);

#endif
