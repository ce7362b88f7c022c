/* The card's file system: applications (by AID) and their EFs, as facts in tables. */
#ifndef JPKI_TESTS_SIM_FILES_H
#define JPKI_TESTS_SIM_FILES_H

#include "sim-internal.h"

enum sim_ap {
	SIM_AP_JPKI,
	SIM_AP_TEXT,
	SIM_AP_VISUAL,
	SIM_AP_JUKI,
	SIM_AP_COMMON,
	SIM_AP_ISD,
	SIM_AP_COUNT
};

struct sim_ap_def {
	const char *name;
	uint8_t aid[16];
	size_t aid_len;
};
extern const struct sim_ap_def sim_aps[SIM_AP_COUNT];

enum sim_ef_kind {
	SIM_EF_DATA, /* transparent EF: READ BINARY */
	SIM_EF_PIN,  /* internal EF holding a PIN: VERIFY, CHANGE REFERENCE DATA */
	SIM_EF_KEY,  /* internal EF holding a private key: COMPUTE DIGITAL SIGNATURE */
};

enum sim_content {
	SIM_C_NONE,
	SIM_C_AUTH_CERT,
	SIM_C_SIGN_CERT,
	SIM_C_AUTH_CA,
	SIM_C_SIGN_CA,
	SIM_C_TOKEN_INFO,
	SIM_C_CERT_AVAIL,
	SIM_C_PROTECTED, /* JPKI 0009: unknown content, readable with no credential */
	SIM_C_MYNUMBER,
	SIM_C_BASIC4,
};

/* Access to READ BINARY: a bit mask of the PINs (1u << enum sim_pin) any of which opens it. */
#define SIM_FREE  0u
#define SIM_NEVER (1u << 31)

struct sim_ef_def {
	enum sim_ap ap;
	uint16_t fid;
	enum sim_ef_kind kind;
	enum sim_content content; /* SIM_EF_DATA */
	uint32_t read_access;	  /* SIM_EF_DATA */
	enum sim_pin pin;	  /* SIM_EF_PIN: the PIN; SIM_EF_KEY: the PIN that opens it */
	bool sign_key;		  /* SIM_EF_KEY: the signature key (else authentication) */
};
extern const struct sim_ef_def sim_efs[];
extern const size_t sim_ef_count;

/* sim_files_build: the content of data EF i (malloc'ed) from the state and the card's switches
 * (ef_filler, juki); -1 on allocation failure. */
int sim_files_build(size_t i, const struct sim_state *st, const struct sim_options *opt,
		    uint8_t **data, size_t *len);

/* sim_files_find: index of the EF fid of application ap, or -1. */
int sim_files_find(enum sim_ap ap, uint16_t fid);

/* ---- What differs by kind of token (sim-kinds.c) ---- */

/* sim_kind_label: the token label of EF 0006. */
const char *sim_kind_label(const struct sim_options *opt);
/* sim_kind_has_ap: whether the token has application ap (a phone: the JPKI AP alone). */
bool sim_kind_has_ap(const struct sim_options *opt, enum sim_ap ap);
/* sim_kind_select_sw: the answer to SELECT of EF ef (9000 on a normal card). */
uint16_t sim_kind_select_sw(const struct sim_options *opt, size_t ef);
/* sim_kind_read: the PINs that open EF ef to READ BINARY (*access), and the status word the
 * READ answers instead of data (*sw); true when *sw is 9000. */
bool sim_kind_read(const struct sim_options *opt, size_t ef, uint32_t *access, uint16_t *sw);
/* sim_kind_empty_read: a READ of EF ef answers 9000 with no data (an empty EF). */
bool sim_kind_empty_read(const struct sim_options *opt, size_t ef);
/* sim_kind_verify_sw: the answer to every VERIFY of pin instead of the usual one (0: as
 * usual); *never_matches: no value is the password (the card has none to check). */
uint16_t sim_kind_verify_sw(const struct sim_options *opt, enum sim_pin pin, bool *never_matches);
/* sim_reader_loses: a reader switch loses this exchange (command of clen bytes, answer of
 * outlen data bytes). */
bool sim_reader_loses(const struct sim_options *opt, size_t clen, size_t outlen);
/* sim_kind_sign_cert: EF 0008's byte 0 (*avail) and, without the signature certificate, the FF
 * filler EF 0001 holds instead (*ff_len); true when the card has the certificate. */
bool sim_kind_sign_cert(const struct sim_options *opt, uint8_t *avail, size_t *ff_len);

#endif
