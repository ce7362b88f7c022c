/* A certificate's validity as a holder needs it: the dates, the days left,
 * and a warning with what to do from 90 days before the end (JPKI renewal
 * opens three months before), after it, and before the start.  Shared by
 * jpki-tool status and cert show. */
#ifndef JPKI_TOOL_VALIDITY_H
#define JPKI_TOOL_VALIDITY_H

#include <stdbool.h>
#include <time.h>

#include "cert.h"
#include "tool.h"

#define VALIDITY_WARN_DAYS 90

enum validity_state {
	VALIDITY_OK,
	VALIDITY_NOT_YET, /* before its start */
	VALIDITY_SOON,	  /* ends within VALIDITY_WARN_DAYS days */
	VALIDITY_EXPIRED,
};

/* validity_days_left: whole days until the end, -1 at least once it ended. */
long validity_days_left(const struct cert_info *info, time_t now);

enum validity_state validity_state(const struct cert_info *info, time_t now);

/* validity_show: "Valid from", "Valid until", "Days left" and, when there is
 * one, the warning (text) or the flags expired, expires_soon, not_yet_valid
 * (JSON) into the current object. */
void validity_show(struct tool *t, const struct cert_info *info, time_t now);

#endif
