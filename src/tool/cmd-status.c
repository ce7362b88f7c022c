/* jpki-tool status: readers, cards, and the tries left of each PIN, found
 * with the empty VERIFY (the retry-counter query), which spends no try. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "hostcheck.h"
#include "i18n.h"
#include "tool.h"
#include "validity.h"

static const struct {
	enum jpki_kind kind;
	const char *key;
	const char *name; /* N_() */
} status_kinds[] = {
	{JPKI_KIND_MYNUMBER, "mynumber", N_("My Number Card")},
	{JPKI_KIND_JUKI, "juki", N_("Juki card (old basic resident registry card)")},
	{JPKI_KIND_ANDROID, "android", N_("JPKI on an Android smartphone")},
	{JPKI_KIND_IPHONE, "iphone", N_("JPKI on an iPhone")},
	{JPKI_KIND_OTHER, "other", N_("unknown JPKI token")},
};

static const struct {
	enum jpki_pin pin;
	const char *key;
} status_pins[] = {
	{JPKI_PIN_AUTH, "auth"},
	{JPKI_PIN_SIGN, "sign"},
	{JPKI_PIN_TEXT, "text"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* status_pin: one PIN's counter; a card without the text AP says n/a. */
/* What the card answered to the PSS question (docs/pss.md): no PIN, no try. */
static const struct {
	enum jpki_pss pss;
	const char *text; /* N_() */
} status_pss_texts[] = {
	{JPKI_PSS_YES, N_("yes (TLS 1.3 client login works)")},
	{JPKI_PSS_NO, N_("no (TLS 1.2 only; see the README)")},
	{JPKI_PSS_UNDECIDED, N_("unknown (the card's answers do not tell; treated as no)")},
};

static enum card_error status_pss(struct tool *t, struct jpki_card *c)
{
	enum jpki_pss pss;
	enum card_error err = jpki_pss_detect(c, &pss);
	size_t i;

	if (err != CARD_OK)
		return err;
	for (i = 0; i < COUNT(status_pss_texts); i++)
		if (status_pss_texts[i].pss == pss)
			break;
	if (i == COUNT(status_pss_texts))
		i = COUNT(status_pss_texts) - 1;
	if (t->json)
		out_str(&t->out, "pss", NULL, jpki_pss_name(pss));
	else
		out_str(&t->out, "pss", _("RSA-PSS signatures"), _(status_pss_texts[i].text));
	return CARD_OK;
}

static enum card_error status_pin(struct tool *t, struct jpki_card *c, enum jpki_pin pin,
				  const char *key)
{
	int tries = -1, max = jpki_pin_max_tries(pin);
	enum card_error err = jpki_pin_status(c, pin, true, &tries);
	char text[64];

	if (err == CARD_E_NOT_FOUND) {
		if (t->json) {
			out_obj_begin(&t->out, key, NULL);
			out_bool(&t->out, "available", NULL, false);
			out_obj_end(&t->out);
		} else {
			out_str(&t->out, key, tool_pin_name(pin), _("not on this card"));
		}
		return CARD_OK;
	}
	if (err != CARD_OK)
		return err;
	if (t->json) {
		out_obj_begin(&t->out, key, NULL);
		out_bool(&t->out, "available", NULL, true);
		out_int(&t->out, "tries_left", NULL, tries);
		out_int(&t->out, "max_tries", NULL, max);
		out_bool(&t->out, "blocked", NULL, tries == 0);
		out_obj_end(&t->out);
	} else {
		if (tries == 0)
			snprintf(text, sizeof(text), "%s", _("BLOCKED"));
		else
			snprintf(text, sizeof(text), _("%d of %d tries left"), tries, max);
		out_str(&t->out, key, tool_pin_name(pin), text);
	}
	return CARD_OK;
}

/* status_sign_cert: whether the card carries a signature certificate
 * (EF 0008, unless an answer already said). */
static enum card_error status_sign_cert(struct tool *t, struct jpki_card *c)
{
	bool present = true;
	enum card_error err = jpki_has_sign_cert(c, &present);

	if (err != CARD_OK)
		return err;
	if (t->json) {
		out_obj_begin(&t->out, "sign_certificate", NULL);
		out_bool(&t->out, "present", NULL, present);
		out_obj_end(&t->out);
	} else {
		out_str(&t->out, "sign_certificate", _("Signature certificate"),
			present ? _("on the card (shown after the signature password: jpki-tool "
				    "cert show sign)")
				: _(tool_no_sign_cert));
	}
	return CARD_OK;
}

/* status_auth_cert: the authentication certificate's validity (free to
 * read on a card), with the warning and what to do; a token that serves it
 * only after the PIN (Android) is not asked. */
static enum card_error status_auth_cert(struct tool *t, struct jpki_card *c, enum jpki_kind kind)
{
	struct cert_info info;
	enum card_error err = CARD_OK;
	enum jpki_pin pin;
	uint8_t *der = NULL;
	size_t len = 0;

	memset(&info, 0, sizeof(info));
	if (jpki_cert_needs_pin(kind, JPKI_CERT_AUTH, &pin)) {
		out_str(&t->out, "auth_certificate", _("Authentication certificate"),
			_("this token shows it only after the authentication PIN (jpki-tool cert "
			  "show auth)"));
		goto out;
	}
	err = jpki_read_cert(c, JPKI_CERT_AUTH, &der, &len);
	if (err == CARD_OK)
		err = cert_parse(der, len, &info);
	if (err != CARD_OK)
		goto out;
	out_obj_begin(&t->out, "auth_certificate", _("Authentication certificate"));
	validity_show(t, &info, time(NULL));
	out_obj_end(&t->out);
out:
	cert_info_free(&info);
	free(der);
	return err;
}

/* status_reader: one reader; *jpki is set when it holds a card the other
 * commands work with (a JPKI application, not an old Juki card), *juki when
 * it holds a Juki card. */
static enum card_error status_reader(struct tool *t, const char *reader, bool *present, bool *jpki,
				     bool *juki)
{
	struct transport_status st;
	struct jpki_card *c = NULL;
	char label[JPKI_LABEL_MAX + 1], title[512];
	enum jpki_kind kind;
	enum card_error err;
	size_t i;

	*present = *jpki = *juki = false;
	snprintf(title, sizeof(title), _("Reader %s"), reader);
	out_obj_begin(&t->out, NULL, title);
	if (t->json)
		out_str(&t->out, "name", NULL, reader);
	err = t->transport->ops->status(t->transport, reader, &st);
	if (err != CARD_OK)
		goto out;
	*present = st.present;
	out_bool(&t->out, "card_present", _("Card present"), st.present);
	if (!st.present)
		goto out;
	c = jpki_card_new(t->transport, reader, &t->log);
	if (c == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	/* One transaction: the counters of one card, not of two. */
	err = jpki_op_begin(c);
	if (err != CARD_OK)
		goto out;
	err = jpki_detect(c, &kind, label);
	if (err == CARD_E_NOT_JPKI) {
		out_bool(&t->out, "jpki", _("JPKI application"), false);
		if (t->json)
			out_str(&t->out, "kind", NULL, "no-jpki");
		else
			out_str(&t->out, "kind", _("Card"),
				_("not a My Number Card (no JPKI application)"));
		err = CARD_OK;
		goto end;
	}
	if (err != CARD_OK)
		goto end;
	*jpki = kind != JPKI_KIND_JUKI;
	*juki = kind == JPKI_KIND_JUKI;
	out_bool(&t->out, "jpki", _("JPKI application"), true);
	for (i = 0; i < COUNT(status_kinds); i++)
		if (status_kinds[i].kind == kind)
			break;
	if (i == COUNT(status_kinds))
		i = COUNT(status_kinds) - 1;
	if (t->json) {
		out_str(&t->out, "kind", NULL, status_kinds[i].key);
		out_str(&t->out, "kind_name", NULL, _(status_kinds[i].name));
		out_str(&t->out, "label", NULL, label);
	} else {
		snprintf(title, sizeof(title), "%s (%s)", _(status_kinds[i].name), label);
		out_str(&t->out, "kind", _("Card"), title);
	}
	/* First the signature certificate: on a card without it, the
	 * password's counter means nothing and is not asked. */
	if (*jpki)
		err = status_sign_cert(t, c);
	if (err != CARD_OK)
		goto end;
	out_obj_begin(&t->out, "pins", _("PIN tries left (none spent to find out)"));
	for (i = 0; i < COUNT(status_pins) && err == CARD_OK; i++)
		err = status_pin(t, c, status_pins[i].pin, status_pins[i].key);
	out_obj_end(&t->out);
	if (err == CARD_OK && *jpki)
		err = status_auth_cert(t, c, kind);
	if (err == CARD_OK && *jpki)
		err = status_pss(t, c);
end:
	jpki_op_end(c);
out:
	out_obj_end(&t->out);
	jpki_card_free(c);
	return err;
}

/* status_opensc: a note when OpenSC's PKCS#11 module is registered with
 * p11-kit too: its own JPKI driver offers the same card a second time. */
static void status_opensc(struct tool *t)
{
	const char *home = secure_getenv("HOME");
	char user[4096], path[4096], text[4096 + 512];
	const char *dirs[] = {"/etc/pkcs11/modules", "/usr/share/p11-kit/modules", NULL};

	if (home != NULL && home[0] == '/' &&
	    snprintf(user, sizeof(user), "%s/.config/pkcs11/modules", home) < (int)sizeof(user))
		dirs[2] = user;
	if (!hostcheck_opensc_module(dirs, 3, path, sizeof(path)))
		return;
	if (t->json) {
		out_str(&t->out, "opensc_module", NULL, path);
		return;
	}
	snprintf(text, sizeof(text),
		 _("OpenSC's PKCS#11 module is registered too (%s): its own JPKI driver offers "
		   "the card a second time, and applications use whichever module they load "
		   "first; docs/card-kinds.md says how to leave the card to one module."),
		 path);
	out_str(&t->out, "opensc_module", _("Note"), text);
}

enum tool_exit cmd_status(struct tool *t, int argc, char **argv)
{
	const char *dead;
	bool present, jpki, juki, any_present = false, any_jpki = false, any_juki = false;
	bool matched = false;
	char **readers = NULL;
	enum card_error err;
	enum tool_exit rc;
	size_t i;

	(void)argv;
	if (argc > 0)
		return tool_fail(t, TOOL_EXIT_USAGE, "%s", _("status takes no arguments."));
	rc = tool_transport(t);
	if (rc != TOOL_EXIT_OK)
		return rc;
	err = t->transport->ops->list_readers(t->transport, &readers);
	if (err != CARD_OK)
		return tool_fail_card(t, err);
	out_arr_begin(&t->out, "readers", _("Readers"));
	for (i = 0; readers[i] != NULL; i++) {
		if (t->reader_opt != NULL && strcmp(readers[i], t->reader_opt) != 0 &&
		    strstr(readers[i], t->reader_opt) == NULL)
			continue;
		matched = true;
		err = status_reader(t, readers[i], &present, &jpki, &juki);
		if (err != CARD_OK) {
			rc = tool_fail_card(t, err);
			break;
		}
		any_present |= present;
		any_jpki |= jpki;
		any_juki |= juki;
	}
	out_arr_end(&t->out);
	if (rc == TOOL_EXIT_OK && any_jpki)
		status_opensc(t);
	dead = readers[0] == NULL ? hostcheck_dead_reader(HOSTCHECK_USB_DEVICES) : NULL;
	if (rc == TOOL_EXIT_OK && dead != NULL)
		rc = tool_fail(
			t, TOOL_EXIT_NO_READER,
			_("No smart-card reader that Linux can use is connected: the %s "
			  "plugged in has no PC/SC driver on Linux; use a reader of the Sony "
			  "RC-S300 family (libccid 1.4.35 or later) or another CCID reader."),
			dead);
	else if (rc == TOOL_EXIT_OK && readers[0] == NULL)
		rc = tool_fail(t, TOOL_EXIT_NO_READER, "%s",
			       _("No smart-card reader is connected."));
	else if (rc == TOOL_EXIT_OK && !matched)
		rc = tool_fail(t, TOOL_EXIT_NO_READER,
			       _("No reader is named \"%s\" (see jpki-tool status)."),
			       t->reader_opt);
	else if (rc == TOOL_EXIT_OK && !any_present)
		rc = tool_fail(t, TOOL_EXIT_NO_CARD, "%s", _("There is no card in the reader."));
	else if (rc == TOOL_EXIT_OK && !any_jpki && any_juki)
		rc = tool_fail(t, TOOL_EXIT_NOT_JPKI, "%s", _(tool_juki_refused));
	else if (rc == TOOL_EXIT_OK && !any_jpki)
		rc = tool_fail_card(t, CARD_E_NOT_JPKI);
	transport_readers_free(readers);
	return rc;
}
