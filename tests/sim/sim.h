/* The emulated My Number Card (JPKI AP, text AP and the AIDs of the other APs).
 *
 * A pure state machine: C-APDU in, R-APDU out, no I/O except its state
 * directory (keys, certificates, PINs and their retry counters, which survive
 * restarts like the card's non-volatile memory) and the optional APDU log.
 * The behaviour follows docs/card.md, Appendix A; each unknown of its
 * Appendix C has a switch in struct sim_options.
 *
 * One struct sim_card is not thread-safe: one caller at a time.
 */
#ifndef JPKI_TESTS_SIM_H
#define JPKI_TESTS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default credentials of a freshly generated card state (overridable at --init). */
#define SIM_DEFAULT_AUTH_PIN "1234"
#define SIM_DEFAULT_SIGN_PIN "JPKITEST2026"
#define SIM_DEFAULT_TEXT_PIN "5678"

/* Default (fictional) personal data of a freshly generated card. */
#define SIM_DEFAULT_MYNUMBER	  "123456789018" /* valid check digit */
#define SIM_DEFAULT_NAME	  "公的　太郎"	 /* family U+3000 given */
#define SIM_DEFAULT_ADDRESS	  "東京都千代田区試験町１丁目２番３号"
#define SIM_DEFAULT_BIRTH	  "19800101" /* YYYYMMDD, Gregorian */
#define SIM_DEFAULT_SEX		  '1'	     /* 1 male, 2 female, 9 not applicable */
#define SIM_DEFAULT_PREFECTURE	  "Tokyo-to"
#define SIM_DEFAULT_MUNICIPALITY  "Shiken-shi"
#define SIM_DEFAULT_SECURITY_CODE "2285" /* 4 digits of 照合番号B */

/* The token the emulator plays (EF 0006 label; phones serve the JPKI AP alone). */
enum sim_kind { SIM_KIND_CARD = 0, SIM_KIND_ANDROID, SIM_KIND_IPHONE, SIM_KIND_COUNT };

/* A card without the signature certificate (not issued under 15, or declined): what EF 0001
 * answers is not published, so each possibility is a value.  SIM_SIGN_PRESENT: a normal card. */
enum sim_no_sign {
	SIM_SIGN_PRESENT = 0,
	SIM_NO_SIGN_SELECT_6A82, /* SELECT of EF 0001 answers 6A82 */
	SIM_NO_SIGN_READ_6982,	 /* READ BINARY answers 6982 (as before the password) */
	SIM_NO_SIGN_READ_6A82,	 /* READ BINARY answers 6A82 */
	SIM_NO_SIGN_EMPTY,	 /* an empty EF: READ BINARY answers 9000 with no data */
	SIM_NO_SIGN_FF,		 /* an EF of FF filler, readable */
	SIM_NO_SIGN_COUNT
};

/* ... and what the signature password's status query (empty VERIFY) answers there. */
enum sim_no_sign_pin {
	SIM_NO_SIGN_PIN_63CX = 0, /* 63C5, as a password nobody knows; a VERIFY fails */
	SIM_NO_SIGN_PIN_6984,	  /* reference data not usable */
	SIM_NO_SIGN_PIN_6A88,	  /* reference data not found */
	SIM_NO_SIGN_PIN_COUNT
};

/* sim_kind_from_name, sim_no_sign_from_name, sim_no_sign_pin_from_name: the value of a command
 * line name ("android", "read-6982", "6984"), or -1. */
int sim_kind_from_name(const char *name);
int sim_no_sign_from_name(const char *name);
int sim_no_sign_pin_from_name(const char *name);

/* Switches for the unknowns of docs/card.md Appendix C; all false/0 = default card. */
struct sim_options {
	bool blocked_6983;	     /* a blocked PIN answers 6983 instead of 6984 */
	bool reselect_keeps_state;   /* SELECT of the JPKI AID keeps the verified state */
	bool sign_pin_per_signature; /* each signature with the sign key consumes its VERIFY */
	bool accept_extended;	     /* accept extended-length APDUs (default: refuse with 6700) */
	size_t ef_filler;	     /* bytes of 0xFF filler after each certificate in its EF */
	bool answer_61xx;	     /* answer data via 61xx + GET RESPONSE */
	bool answer_6cxx;	     /* answer a READ BINARY with Le=00 by 6Cxx first */
	int read_end;		     /* READ BINARY crossing the end: 0 short data+9000, 1 6282 */
	bool no_sfi;		     /* READ BINARY and VERIFY by short EF identifier answer 6A86 */
	bool no_verify_sfi;	     /* VERIFY by short EF identifier answers 6A86 */
	/* COMPUTE DIGITAL SIGNATURE (80 2A, section 3.4): a card without PSS, PSS with another
	 * salt length, a card that refuses the key named by SFI in P2, one that checks the PIN
	 * before P1. */
	bool no_pss;	     /* P1 04/05 (RSASSA-PSS) answer 6A86 */
	unsigned pss_salt;   /* PSS salt length in bytes (0: 32, the hash length) */
	bool no_sign_sfi;    /* P2 80|SFI answers 6A86 (only P2 80, the current EF) */
	bool sign_pin_first; /* without the key's PIN: 6982 for any P1 (default: 6A86 first) */
	unsigned latency_ms, sign_latency_ms; /* sleep per APDU / per signature */
	const char *log_path;		      /* APDU log file (NULL: none) */
	/* Other cards and events, for the "bad input" tests of the tools. */
	bool no_jpki; /* a card without the JPKI AP: SELECT of its AID answers 6A82 */
	bool juki;    /* the old 住基カード: EF 0006 labelled JPKIAPICCTOKEN (docs/card.md 5) */
	unsigned long remove_after; /* pulled after answering this many APDUs (0: never) */
	/* Kinds of token a holder may present (issue 18); their facts are tables in sim-kinds.c. */
	enum sim_kind kind;		  /* a card, or a phone (label, what EF 000A needs) */
	enum sim_no_sign no_sign;	  /* no signature certificate: how EF 0001 answers */
	enum sim_no_sign_pin no_sign_pin; /* ... and the signature password's status query */
	/* Budget contactless readers (issue 18): the exchange is lost (no answer). */
	bool reader_drops_256;	    /* an answer of exactly 256 data bytes */
	bool reader_short_commands; /* a command over 255 bytes */
};

enum sim_power { SIM_POWER_OFF, SIM_POWER_ON, SIM_RESET };

struct sim_stats {
	unsigned long apdus;
	unsigned long by_ins[256];
};

struct sim_card;

/* sim_card_open: loads the card state from state_dir (generating keys, certificates and PINs there
 * on first use); NULL on failure (message on stderr). The card starts powered off. opts may be
 * NULL (all defaults); it is copied (log_path is opened here). */
struct sim_card *sim_card_open(const char *state_dir, const struct sim_options *opts);
void sim_card_close(struct sim_card *card);
/* sim_card_reload: reads the PINs and retry counters from the state file again, as if the card
 * were closed and reopened, without parsing its keys anew (the fuzz target puts the file back
 * after every input); -1 on error, the card unchanged. */
int sim_card_reload(struct sim_card *card);
/* sim_card_power: power off / on / warm reset; any of them clears the security state. */
void sim_card_power(struct sim_card *card, enum sim_power what);
/* sim_card_atr: copies the ATR (<= 33 bytes) into atr, returns its length. */
size_t sim_card_atr(const struct sim_card *card, uint8_t *atr, size_t cap);
/* sim_card_transmit: answers one C-APDU; writes the R-APDU (data then SW1 SW2) into rapdu and returns
 * its length (>= 2). rcap must be >= 2; a card powered off answers 6F00 (a transport would not send).
 * An answer that does not fit in rcap is replaced by 6F00.  0 when a reader switch loses the
 * exchange (reader_drops_256, reader_short_commands): the transport reports an error (vpcd: the
 * card is gone). */
size_t sim_card_transmit(struct sim_card *card, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			 size_t rcap);
const struct sim_stats *sim_card_stats(const struct sim_card *card);
/* sim_card_pulled: true from the answer to the remove_after-th APDU (counted since
 * sim_card_open; it happens once) until the next power-on: the front end then takes the card away
 * (vpcd: closes the connection).  A pulled card is powered off. */
bool sim_card_pulled(const struct sim_card *card);
void sim_card_stats_reset(struct sim_card *card);

/* Test fixtures: sim_fixture_clone copies the pre-generated state dir named by $JPKI_SIM_FIXTURE
 * (or the given dir when not NULL) into a fresh mkdtemp dir and returns its malloc'ed path;
 * sim_fixture_remove deletes that dir and frees the path. */
char *sim_fixture_clone(const char *fixture_dir);
void sim_fixture_remove(char *dir);

/* ---- Additions beyond the coordinator's API ---- */

/* The card holder and credentials written at first start (all strings UTF-8, NUL-terminated). */
struct sim_identity {
	const char *auth_pin;	   /* 4 digits */
	const char *sign_pin;	   /* [A-Z0-9]{6,16} */
	const char *text_pin;	   /* 4 digits */
	const char *mynumber;	   /* 12 digits (照合番号A) */
	const char *name;	   /* family U+3000 given */
	const char *address;	   /* from the prefecture, full-width digits */
	const char *birth;	   /* YYYYMMDD */
	char sex;		   /* '1', '2' or '9' */
	const char *prefecture;	   /* sign certificate subject L (ASCII) */
	const char *municipality;  /* sign certificate subject L (ASCII) */
	const char *security_code; /* 4 digits, the end of 照合番号B */
	unsigned cert_days;	   /* validity of the two end-entity certificates in days, from
				    * now (0: 5 years, as a new card) */
	int cert_start_days;	   /* their start, in days from now: negative for certificates
				    * that have expired, positive for not yet valid ones */
};

/* sim_identity_defaults: fills id with the SIM_DEFAULT_* values. */
void sim_identity_defaults(struct sim_identity *id);

/* sim_state_create: generates a complete card state (test PKI, keys, PINs, counters) in
 * state_dir (created if missing; an existing state there is replaced). Returns 0, or -1 with a
 * message on stderr (bad identity field, I/O or OpenSSL error). */
int sim_state_create(const char *state_dir, const struct sim_identity *id);

/* sim_state_exists: true when state_dir holds a card state. */
bool sim_state_exists(const char *state_dir);

/* Names of the files of a state dir (certificates as DER, for tests and tests/stack). */
#define SIM_FILE_STATE	  "card.state" /* key=value lines: PINs, counters, personal data */
#define SIM_FILE_AUTH	  "auth.der"
#define SIM_FILE_SIGN	  "sign.der"
#define SIM_FILE_AUTH_CA  "auth-ca.der"
#define SIM_FILE_SIGN_CA  "sign-ca.der"
#define SIM_FILE_AUTH_KEY "auth-key.pem"
#define SIM_FILE_SIGN_KEY "sign-key.pem"

/* AIDs (docs/card.md 1) for tests. */
#define SIM_AID_JPKI   0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01
#define SIM_AID_TEXT   0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08
#define SIM_AID_VISUAL 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02
#define SIM_AID_JUKI   0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01
#define SIM_AID_COMMON 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00
#define SIM_AID_ISD    0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00

#endif
