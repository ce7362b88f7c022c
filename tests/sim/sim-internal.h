/* Shared between the emulator's files (sim-card.c, sim-cmd-*.c, sim-state.c, sim-pki.c,
 * sim-files.c). */
#ifndef JPKI_TESTS_SIM_INTERNAL_H
#define JPKI_TESTS_SIM_INTERNAL_H

#include "sim.h"

#include <openssl/evp.h>
#include <stdio.h>

/* The credentials of the card (key EFs in ISO terms). */
enum sim_pin {
	SIM_PIN_AUTH,	/* JPKI 0018 */
	SIM_PIN_SIGN,	/* JPKI 001B */
	SIM_PIN_TEXT,	/* text AP 0011 */
	SIM_PIN_TEXT_A, /* text AP 0014, 照合番号A */
	SIM_PIN_TEXT_B, /* text AP 0015, 照合番号B */
	SIM_PIN_COUNT
};

struct sim_pin_def {
	const char *name; /* key in the state file */
	unsigned max_tries;
	size_t min_len, max_len; /* accepted by CHANGE REFERENCE DATA */
};
extern const struct sim_pin_def sim_pin_defs[SIM_PIN_COUNT];

enum sim_cert { SIM_CERT_AUTH, SIM_CERT_SIGN, SIM_CERT_AUTH_CA, SIM_CERT_SIGN_CA, SIM_CERT_COUNT };
extern const char *const sim_cert_files[SIM_CERT_COUNT];

#define SIM_PIN_MAX  16
#define SIM_TEXT_MAX 256

/* The persistent card state (what the chip's EEPROM holds). */
struct sim_state {
	char *dir;
	char pin[SIM_PIN_COUNT][SIM_PIN_MAX + 1];
	unsigned tries[SIM_PIN_COUNT];
	char name[SIM_TEXT_MAX], address[SIM_TEXT_MAX];
	char birth[9], sex;
	char serial[17]; /* token serial, 16 digits */
	EVP_PKEY *auth_key, *sign_key;
	uint8_t *cert[SIM_CERT_COUNT];
	size_t cert_len[SIM_CERT_COUNT];
};

/* sim_state_load: reads a state dir; -1 with a message on stderr. */
int sim_state_load(struct sim_state *st, const char *dir);
/* sim_state_reload_pins: reads the PINs and retry counters of the state file again (the only
 * state the card itself changes); -1 with a message on stderr, st unchanged. */
int sim_state_reload_pins(struct sim_state *st);
/* sim_state_save: rewrites the state file (atomically: temp file and rename); -1 on error. */
int sim_state_save(const struct sim_state *st);
void sim_state_free(struct sim_state *st);

/* sim_pki_generate: creates the test PKI for id in dir (keys and the four certificates). */
int sim_pki_generate(const char *dir, const struct sim_identity *id);

/* sim_era_date: formats a YYYYMMDD Gregorian date as era code + YYYYMMDD ("319800101") when
 * era_yymmdd is false, or as the 6-digit Japanese-era YYMMDD (照合番号B) when true. */
int sim_era_date(const char *yyyymmdd, bool era_yymmdd, char *out, size_t cap);

/* sim_write_file / sim_read_file: whole-file helpers; -1 on error (errno set). */
int sim_write_file(const char *dir, const char *name, const void *data, size_t len);
int sim_read_file(const char *dir, const char *name, uint8_t **data, size_t *len);

#endif
