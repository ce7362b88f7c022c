/* The debug log shared by the module, the card layer and the tool.
 *
 * A log is a small value owned by whoever runs the show (the module struct,
 * the tool's main); the layers below receive a pointer to it, so there is no
 * global logging state.  A NULL log, or level LOG_NONE, logs nothing.
 *
 * Never pass a PIN, a certificate body or personal data to these functions:
 * the callers are responsible for masking (VERIFY data is logged as "**").
 */
#ifndef JPKI_LOG_H
#define JPKI_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum log_level {
	LOG_NONE = 0,
	LOG_ERROR = 1, /* failures the user should know about */
	LOG_WARN = 2,  /* odd card answers, ignored settings */
	LOG_CALLS = 3, /* every PKCS#11 call and its return code */
	LOG_APDU = 4,  /* every APDU, with PIN data masked */
};

struct log {
	enum log_level level;
	FILE *fp;
	bool own_fp; /* fp was opened by log_open and is closed by log_close */
};

/* log_open: configures a log from a "<level>[:<file>]" spec (NULL or "" = off).
 * A malformed spec or an unwritable file leaves the log off or on stderr and
 * says so on stderr; it never fails. */
void log_open(struct log *log, const char *spec);

/* log_close: closes the file log_open opened and turns the log off. */
void log_close(struct log *log);

/* log_enabled: true when messages of this level are written. */
bool log_enabled(const struct log *log, enum log_level level);

/* log_printf: writes one line (a newline is added) if the level is enabled. */
void log_printf(const struct log *log, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* log_hex: writes "<prefix> <hex bytes>" as one line if the level is enabled. */
void log_hex(const struct log *log, enum log_level level, const char *prefix, const uint8_t *data,
	     size_t len);

#endif
