/* Certificate validity for the holder: see validity.h. */
#include "validity.h"

#include <stdio.h>

#include "i18n.h"

long validity_days_left(const struct cert_info *info, time_t now)
{
	long days = (long)((info->not_after - now) / 86400);

	return info->not_after < now && days == 0 ? -1 : days;
}

enum validity_state validity_state(const struct cert_info *info, time_t now)
{
	if (now < info->not_before)
		return VALIDITY_NOT_YET;
	if (info->not_after < now)
		return VALIDITY_EXPIRED;
	if (validity_days_left(info, now) < VALIDITY_WARN_DAYS)
		return VALIDITY_SOON;
	return VALIDITY_OK;
}

static void validity_time_str(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, cap, "?");
}

void validity_show(struct tool *t, const struct cert_info *info, time_t now)
{
	enum validity_state state = validity_state(info, now);
	long days = validity_days_left(info, now);
	char buf[512];

	validity_time_str(info->not_before, buf, sizeof(buf));
	out_str(&t->out, "not_before", _("Valid from"), buf);
	validity_time_str(info->not_after, buf, sizeof(buf));
	out_str(&t->out, "not_after", _("Valid until"), buf);
	out_int(&t->out, "days_left", _("Days left"), days);
	if (t->json) {
		out_bool(&t->out, "expired", NULL, state == VALIDITY_EXPIRED);
		out_bool(&t->out, "expires_soon", NULL, days < VALIDITY_WARN_DAYS);
		out_bool(&t->out, "not_yet_valid", NULL, state == VALIDITY_NOT_YET);
		return;
	}
	switch (state) {
	case VALIDITY_EXPIRED:
		/* Services refuse an expired certificate; only a new one helps. */
		snprintf(buf, sizeof(buf), "%s",
			 _("this certificate has expired: get a new one at your municipal office "
			   "(bring the card; the renewal also replaces a signature certificate "
			   "revoked by a move or a change of name)"));
		break;
	case VALIDITY_SOON:
		snprintf(buf, sizeof(buf),
			 ngettext("this certificate expires in %ld day: renew it at your "
				  "municipal office (bring the card; the renewal also replaces a "
				  "signature certificate revoked by a move or a change of name)",
				  "this certificate expires in %ld days: renew it at your "
				  "municipal office (bring the card; the renewal also replaces a "
				  "signature certificate revoked by a move or a change of name)",
				  (unsigned long)days),
			 days);
		break;
	case VALIDITY_NOT_YET:
		snprintf(buf, sizeof(buf), "%s",
			 _("this certificate is not valid yet: check the computer's clock"));
		break;
	case VALIDITY_OK:
		return;
	}
	out_str(&t->out, "warning", _("Warning"), buf);
}
