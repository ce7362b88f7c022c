/* The kinds of token the emulator plays (issue 18), as facts in tables:
 * a card or a phone (label, which applications, what EF 000A needs), and a
 * card without the signature certificate with each answer its EF 0001 and
 * its password's status query may give (docs/card.md 2.1, Appendix C).
 * The card (sim-card.c, sim-cmd-*.c) asks these helpers; it knows no kind by name. */
#include "sim-files.h"

#include <string.h>

struct sim_kind_def {
	const char *name;	  /* --kind NAME */
	const char *label;	  /* EF 0006, first 32 bytes */
	bool auth_cert_needs_pin; /* EF 000A answers 6982 before the auth PIN */
	bool jpki_only;		  /* no other application answers its SELECT */
};

/* Labels: docs/card.md 2.1 (MY-go, MY-rs, TRET).  On the Android token,
 * jpki/myna verifies the auth PIN before reading EF 000A (reading it first
 * crashed their tool, jpki/myna#6): the emulator refuses the read without it.
 * The iPhone token has no such report: it is served like the card.  A phone
 * holds the smartphone certificates only: no text, visual or other AP. */
static const struct sim_kind_def sim_kinds[SIM_KIND_COUNT] = {
	[SIM_KIND_CARD] = {"card", "JPKIAPICCTOKEN2", false, false},
	[SIM_KIND_ANDROID] = {"android", "JPKIAPGPSETOKEN", true, true},
	[SIM_KIND_IPHONE] = {"iphone", "JPKIAPIOSTOKEN", false, true},
};

#define SIM_JUKI_LABEL "JPKIAPICCTOKEN" /* the old 住基カード (--juki) */

struct sim_no_sign_def {
	const char *name;
	uint16_t select_sw; /* SELECT of EF 0001 */
	uint16_t read_sw;   /* READ BINARY of EF 0001 (9000: its content, free) */
	size_t ff_len;	    /* content: this many FF bytes (0: empty) */
};

static const struct sim_no_sign_def sim_no_signs[SIM_NO_SIGN_COUNT] = {
	[SIM_SIGN_PRESENT] = {"present", 0x9000, 0x9000, 0},
	[SIM_NO_SIGN_SELECT_6A82] = {"select-6a82", 0x6A82, 0x6A82, 0},
	[SIM_NO_SIGN_READ_6982] = {"read-6982", 0x9000, 0x6982, 0},
	[SIM_NO_SIGN_READ_6A82] = {"read-6a82", 0x9000, 0x6A82, 0},
	[SIM_NO_SIGN_EMPTY] = {"empty", 0x9000, 0x9000, 0},
	[SIM_NO_SIGN_FF] = {"ff", 0x9000, 0x9000, 2048},
};

/* The status word of every VERIFY of the signature password (0: the
 * counter as usual, but no value matches). */
static const struct {
	const char *name;
	uint16_t sw;
} sim_no_sign_pins[SIM_NO_SIGN_PIN_COUNT] = {
	[SIM_NO_SIGN_PIN_63CX] = {"63cx", 0},
	[SIM_NO_SIGN_PIN_6984] = {"6984", 0x6984},
	[SIM_NO_SIGN_PIN_6A88] = {"6a88", 0x6A88},
};

/* EF 0008 byte 0: 8F with the signature certificate (MYC, one card); the
 * value without it is not published: 00 here. */
#define SIM_CERT_AVAIL_PRESENT 0x8F
#define SIM_CERT_AVAIL_ABSENT  0x00

int sim_kind_from_name(const char *name)
{
	for (int i = 0; i < SIM_KIND_COUNT; i++)
		if (strcmp(name, sim_kinds[i].name) == 0)
			return i;
	return -1;
}

int sim_no_sign_from_name(const char *name)
{
	for (int i = 1; i < SIM_NO_SIGN_COUNT; i++) /* "present" is the default, not a switch */
		if (strcmp(name, sim_no_signs[i].name) == 0)
			return i;
	return -1;
}

int sim_no_sign_pin_from_name(const char *name)
{
	for (int i = 0; i < SIM_NO_SIGN_PIN_COUNT; i++)
		if (strcmp(name, sim_no_sign_pins[i].name) == 0)
			return i;
	return -1;
}

static const struct sim_kind_def *kind_def(const struct sim_options *opt)
{
	return &sim_kinds[(unsigned)opt->kind < SIM_KIND_COUNT ? opt->kind : SIM_KIND_CARD];
}

static const struct sim_no_sign_def *no_sign_def(const struct sim_options *opt)
{
	return &sim_no_signs[(unsigned)opt->no_sign < SIM_NO_SIGN_COUNT ? opt->no_sign
									: SIM_SIGN_PRESENT];
}

const char *sim_kind_label(const struct sim_options *opt)
{
	return opt->juki ? SIM_JUKI_LABEL : kind_def(opt)->label;
}

bool sim_kind_has_ap(const struct sim_options *opt, enum sim_ap ap)
{
	if (ap == SIM_AP_JPKI)
		return !opt->no_jpki;
	return ap == SIM_AP_ISD || !kind_def(opt)->jpki_only;
}

uint16_t sim_kind_select_sw(const struct sim_options *opt, size_t ef)
{
	return sim_efs[ef].content == SIM_C_SIGN_CERT ? no_sign_def(opt)->select_sw : 0x9000;
}

bool sim_kind_read(const struct sim_options *opt, size_t ef, uint32_t *access, uint16_t *sw)
{
	*access = sim_efs[ef].read_access;
	*sw = 0x9000;
	if (sim_efs[ef].content == SIM_C_AUTH_CERT && kind_def(opt)->auth_cert_needs_pin)
		*access = 1u << SIM_PIN_AUTH;
	if (sim_efs[ef].content == SIM_C_SIGN_CERT && opt->no_sign != SIM_SIGN_PRESENT) {
		*sw = no_sign_def(opt)->read_sw;
		*access = SIM_FREE; /* nothing secret in an empty EF */
	}
	return *sw == 0x9000;
}

bool sim_kind_empty_read(const struct sim_options *opt, size_t ef)
{
	return sim_efs[ef].content == SIM_C_SIGN_CERT && opt->no_sign == SIM_NO_SIGN_EMPTY;
}

uint16_t sim_kind_verify_sw(const struct sim_options *opt, enum sim_pin pin, bool *never_matches)
{
	*never_matches = false;
	if (pin != SIM_PIN_SIGN || opt->no_sign == SIM_SIGN_PRESENT)
		return 0;
	*never_matches = true;
	return sim_no_sign_pins[(unsigned)opt->no_sign_pin < SIM_NO_SIGN_PIN_COUNT
					? opt->no_sign_pin
					: SIM_NO_SIGN_PIN_63CX]
		.sw;
}

/* Budget contactless readers are reported to mishandle an answer of exactly
 * 256 bytes asked with Le=00 (a signature, a full READ BINARY chunk) and to
 * reject commands over 255 bytes (issue 18): the host then sees a
 * transport error, not a status word. */
#define SIM_READER_DROPPED_ANSWER 256
#define SIM_READER_MAX_COMMAND	  255

bool sim_reader_loses(const struct sim_options *opt, size_t clen, size_t outlen)
{
	return (opt->reader_drops_256 && outlen == SIM_READER_DROPPED_ANSWER) ||
	       (opt->reader_short_commands && clen > SIM_READER_MAX_COMMAND);
}

bool sim_kind_sign_cert(const struct sim_options *opt, uint8_t *avail, size_t *ff_len)
{
	*avail = opt->no_sign == SIM_SIGN_PRESENT ? SIM_CERT_AVAIL_PRESENT : SIM_CERT_AVAIL_ABSENT;
	*ff_len = no_sign_def(opt)->ff_len;
	return opt->no_sign == SIM_SIGN_PRESENT;
}
