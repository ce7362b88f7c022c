/* jpki-tool mynumber / info: the text AP (券面事項入力補助AP) behind its
 * 4-digit PIN: the My Number (masked unless --reveal) and the four basic
 * facts (name, address, birth date, sex). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "i18n.h"
#include "textap.h"
#include "tool.h"

/* The sex codes of the text AP (JIS X 0303). */
static const struct {
	char code;
	const char *key;
	const char *name; /* N_() */
} textap_sexes[] = {{'1', "male", N_("male")},
		    {'2', "female", N_("female")},
		    {'9', "not_applicable", N_("not applicable")},
		    {'0', "unknown", N_("unknown")}};

static void textap_show(struct tool *t, const struct textap_info *info, bool basic)
{
	char shown[16], birth[96];
	size_t i;

	/* Masked: only the last 4 digits, as on receipts. */
	snprintf(shown, sizeof(shown), "%s", info->mynumber);
	if (!t->reveal)
		memset(shown, '*', 8);
	out_str(&t->out, "mynumber", _("My Number"), shown);
	if (t->json)
		out_bool(&t->out, "revealed", NULL, t->reveal);
	OPENSSL_cleanse(shown, sizeof(shown));
	if (!basic)
		return;
	out_str(&t->out, "name", _("Name"), info->name);
	out_str(&t->out, "address", _("Address"), info->address);
	tool_format_birth(info->birth, 0, birth, sizeof(birth));
	out_str(&t->out, "birth_date", _("Birth date"), birth);
	if (t->json)
		out_str(&t->out, "birth_date_iso", NULL, info->birth);
	OPENSSL_cleanse(birth, sizeof(birth));
	for (i = 0; i < sizeof(textap_sexes) / sizeof(textap_sexes[0]); i++)
		if (info->sex[0] == textap_sexes[i].code)
			break;
	if (i < sizeof(textap_sexes) / sizeof(textap_sexes[0]))
		out_str(&t->out, "sex", _("Sex"),
			t->json ? textap_sexes[i].key : _(textap_sexes[i].name));
	else
		out_str(&t->out, "sex", _("Sex"), info->sex);
}

static enum tool_exit textap_command(struct tool *t, int argc, bool basic)
{
	char pin[SECRET_MAX + 1];
	struct textap_info info;
	enum card_error err;
	enum tool_exit rc;
	int tries;

	memset(pin, 0, sizeof(pin));
	memset(&info, 0, sizeof(info));
	if (argc != 0)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s",
				 basic ? _("info takes no arguments.")
				       : _("mynumber takes no arguments."));
	rc = tool_open_card(t);
	if (rc == TOOL_EXIT_OK)
		rc = tool_guard_ask(t, JPKI_PIN_TEXT, pin);
	if (rc != TOOL_EXIT_OK)
		goto out;
	err = textap_read(t->card, pin, basic, &info, &tries);
	if (err != CARD_OK) {
		rc = tool_pin_error(t, JPKI_PIN_TEXT, err, tries);
		goto out;
	}
	textap_show(t, &info, basic);
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	textap_info_free(&info);
	return rc;
}

enum tool_exit cmd_mynumber(struct tool *t, int argc, char **argv)
{
	(void)argv;
	return textap_command(t, argc, false);
}

enum tool_exit cmd_info(struct tool *t, int argc, char **argv)
{
	(void)argv;
	return textap_command(t, argc, true);
}
