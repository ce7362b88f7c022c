/* The debug log: see log.h. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void log_open(struct log *log, const char *spec)
{
	char *end = NULL;
	long level;

	log->level = LOG_NONE;
	log->fp = NULL;
	log->own_fp = false;
	if (spec == NULL || *spec == '\0')
		return;
	errno = 0;
	level = strtol(spec, &end, 10);
	if (errno != 0 || end == spec || (*end != '\0' && *end != ':') || level < LOG_NONE) {
		fprintf(stderr,
			"jpki-pkcs11: ignoring malformed debug setting (want <level>[:<file>])\n");
		return;
	}
	if (level == LOG_NONE)
		return;
	log->level = level > LOG_APDU ? LOG_APDU : (enum log_level)level;
	log->fp = stderr;
	if (*end == ':' && end[1] != '\0') {
		/* "a": several processes may share one log file; "e": close on exec. */
		FILE *fp = fopen(end + 1, "ae");
		if (fp == NULL) {
			fprintf(stderr,
				"jpki-pkcs11: cannot open the debug log file, logging to stderr\n");
			return;
		}
		setvbuf(fp, NULL, _IOLBF, 0);
		log->fp = fp;
		log->own_fp = true;
	}
}

void log_close(struct log *log)
{
	if (log->own_fp && log->fp != NULL)
		fclose(log->fp);
	log->fp = NULL;
	log->own_fp = false;
	log->level = LOG_NONE;
}

bool log_enabled(const struct log *log, enum log_level level)
{
	return log != NULL && log->fp != NULL && level != LOG_NONE && level <= log->level;
}

/* write_line: formats the whole line first so that concurrent writers (threads,
 * processes sharing the file) never interleave inside a line. */
static void write_line(const struct log *log, const char *text)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32] = "";

	if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm) != NULL)
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	fprintf(log->fp, "jpki-pkcs11 %s.%03ld: %s\n", stamp, ts.tv_nsec / 1000000L, text);
	fflush(log->fp);
}

void log_printf(const struct log *log, enum log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!log_enabled(log, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	write_line(log, line);
}

void log_hex(const struct log *log, enum log_level level, const char *prefix, const uint8_t *data,
	     size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	char line[1024];
	size_t pos, i;

	if (!log_enabled(log, level))
		return;
	pos = (size_t)snprintf(line, sizeof(line), "%s", prefix);
	if (pos >= sizeof(line))
		pos = sizeof(line) - 1;
	for (i = 0; i < len && pos + 4 < sizeof(line); i++) {
		line[pos++] = ' ';
		line[pos++] = digits[data[i] >> 4];
		line[pos++] = digits[data[i] & 0x0f];
	}
	if (i < len && pos + 4 < sizeof(line)) {
		memcpy(line + pos, " ..", 3);
		pos += 3;
	}
	line[pos] = '\0';
	write_line(log, line);
}
