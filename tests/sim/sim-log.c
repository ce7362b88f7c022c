/* The APDU log: one line per exchange, "#" lines for events; PINs never reach it. */
#include "sim-cmd.h"

static const char *log_class(const uint8_t *capdu, size_t clen, uint16_t sw)
{
	bool pin_cmd = clen >= 2 && (capdu[1] == 0x20 || capdu[1] == 0x24);

	if (sw == 0x9000 || (sw & 0xFF00) == 0x6100 || sw == 0x6282 || (sw & 0xFF00) == 0x6C00)
		return "ok";
	if (pin_cmd && clen == 4 && (sw & 0xFFF0) == 0x63C0)
		return "pin-query";
	if (pin_cmd && ((sw & 0xFFF0) == 0x63C0 || sw == 0x6983 || sw == 0x6984))
		return "pin-fail";
	if (sw == 0x6982)
		return "denied";
	if (sw == 0x6B00)
		return "eof";
	return "unexpected";
}

static void log_hex(FILE *fp, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%02X", p[i]);
}

void sim_log_apdu(FILE *log, const uint8_t *capdu, size_t clen, const uint8_t *r, size_t rlen)
{
	uint16_t sw = (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
	size_t dlen = rlen - 2;

	if (log == NULL)
		return;
	/* PINs never reach the log: VERIFY and CHANGE data are shown as "**". */
	if (clen > 5 && (capdu[1] == 0x20 || capdu[1] == 0x24)) {
		log_hex(log, capdu, 5);
		fputs("**", log);
	} else {
		log_hex(log, capdu, clen);
	}
	fputs(" -> ", log);
	if (dlen > 16) {
		log_hex(log, r, 16);
		fprintf(log, "..(%zu bytes) ", dlen);
	} else if (dlen > 0) {
		log_hex(log, r, dlen);
		fputc(' ', log);
	}
	fprintf(log, "%04X %s\n", sw, log_class(capdu, clen, sw));
	fflush(log);
}

void sim_log_event(FILE *log, const char *what)
{
	if (log != NULL) {
		fprintf(log, "# %s\n", what);
		fflush(log);
	}
}
