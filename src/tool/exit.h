/* The tool's exit codes, in one table (also printed by --help and listed in
 * jpki-tool(1)), and what each card-layer error means to the user. */
#ifndef JPKI_TOOL_EXIT_H
#define JPKI_TOOL_EXIT_H

#include "card-error.h"

enum tool_exit {
	TOOL_EXIT_OK = 0,
	TOOL_EXIT_FAILURE = 1,	    /* anything else: the card refused, a malformed answer */
	TOOL_EXIT_USAGE = 2,	    /* bad command line */
	TOOL_EXIT_NO_READER = 3,    /* no PC/SC service, no reader, no such reader */
	TOOL_EXIT_NO_CARD = 4,	    /* the reader holds no card */
	TOOL_EXIT_NOT_JPKI = 5,	    /* the card has no JPKI (or no text) application */
	TOOL_EXIT_PIN_WRONG = 6,    /* the card refused the PIN: one try spent */
	TOOL_EXIT_PIN_BLOCKED = 7,  /* the PIN is blocked: nothing was sent */
	TOOL_EXIT_PIN_REFUSED = 8,  /* the tool refused the PIN before sending it */
	TOOL_EXIT_CARD_REMOVED = 9, /* the card was removed, reset or taken mid-command */
	TOOL_EXIT_FILE = 10,	    /* a file could not be read or written */
	TOOL_EXIT_INVALID = 11,	    /* a signature or a certificate check failed */
	TOOL_EXIT_COUNT
};

struct exit_desc {
	const char *name;    /* stable, for --json: "pin-wrong" */
	const char *summary; /* untranslated (N_), for --help */
};

/* exit_desc: the row of an exit code; never NULL (row 1 for unknown codes). */
const struct exit_desc *exit_desc(enum tool_exit code);

/* exit_from_card: the exit code for a card-layer error, and one sentence
 * (untranslated, N_) that says what happened.  PIN errors have a generic
 * sentence here; the caller names the PIN and the tries left. */
enum tool_exit exit_from_card(enum card_error err, const char **message);

#endif
