/* jpki-tool setup --system: for every user of the machine, Firefox's
 * enterprise policy (SecurityDevices) in /etc/firefox/policies/policies.json,
 * and what p11-kit already does for the other applications.
 *
 * The tool has no JSON parser, so it does not edit a policy file it did not
 * write: it writes one where none exists, recognises its own, and for any
 * other file prints the member to merge by hand and changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "i18n.h"
#include "nssdb.h"
#include "setup-find.h"
#include "tool.h"

#ifndef JPKI_MODULE_PATH
#define JPKI_MODULE_PATH "/usr/lib/pkcs11/jpki-pkcs11.so"
#endif

#define SETUP_POLICY_FILE "/etc/firefox/policies/policies.json"
#define SETUP_POLICY_MAX  (1024 * 1024)

/* setup_policy_text: the whole file setup writes (and recognises). */
static char *setup_policy_text(const char *module)
{
	char *text = NULL;

	if (asprintf(&text,
		     "{\"policies\": {\"SecurityDevices\": {\"Add\": {\"" NSSDB_OUR_NAME
		     "\": \"%s\"}}}}\n",
		     module) < 0)
		return NULL;
	return text;
}

/* setup_mkdirs: the directories above path (mode 0755, as /etc's). */
static bool setup_mkdirs(const char *path)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return false;
	for (slash = strchr(dir + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return false;
		*slash = '/';
	}
	return true;
}

enum tool_exit setup_system(struct tool *t)
{
	const char *module = t->module_opt != NULL ? t->module_opt : JPKI_MODULE_PATH;
	const char *file = secure_getenv("JPKI_TOOL_FIREFOX_POLICIES");
	const char *key, *text;
	uint8_t *have = NULL;
	size_t have_len = 0;
	char *ours = NULL;
	enum tool_exit rc = TOOL_EXIT_OK;
	bool exists, is_ours;

	if (file == NULL || file[0] != '/')
		file = SETUP_POLICY_FILE;
	if (module[0] != '/') {
		rc = tool_fail(t, TOOL_EXIT_USAGE,
			       _("--module needs an absolute path, not \"%s\"."), module);
		goto out;
	}
	if ((ours = setup_policy_text(module)) == NULL) {
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	exists = file_read_all(file, SETUP_POLICY_MAX, &have, &have_len);
	if (!exists && errno != ENOENT) {
		rc = tool_fail_file(t, file, false);
		goto out;
	}
	is_ours = exists && have_len == strlen(ours) && memcmp(have, ours, have_len) == 0;
	if (t->setup_remove) {
		key = is_ours ? "removed" : exists ? "foreign" : "absent";
		text = is_ours	? N_("the policy file setup wrote was removed")
		       : exists ? N_("not written by jpki-tool setup: left as it is")
				: N_("there is no policy file: nothing to do");
		if (is_ours && !t->setup_dry_run && unlink(file) != 0) {
			rc = tool_fail_file(t, file, true);
			goto out;
		}
	} else if (is_ours) {
		key = "present";
		text = N_("the module is in the policy: nothing to do");
	} else if (exists) {
		/* Merging needs a JSON editor; saying what to add is honest. */
		key = "foreign";
		text = N_("the file has other policies: add the module to its "
			  "\"SecurityDevices\" \"Add\" member by hand (see jpki-tool(1))");
		rc = tool_fail(t, TOOL_EXIT_FAILURE,
			       _("%s has other policies; merge \"%s\": \"%s\" into its "
				 "SecurityDevices/Add member. Nothing was changed."),
			       file, NSSDB_OUR_NAME, module);
	} else {
		key = "added";
		text = N_("the policy file was written with the module");
		if (!t->setup_dry_run &&
		    (!setup_mkdirs(file) ||
		     !file_write_atomic(file, (const uint8_t *)ours, strlen(ours)))) {
			rc = tool_fail_file(t, file, true);
			goto out;
		}
	}
	if (t->setup_dry_run && (strcmp(key, "added") == 0 || strcmp(key, "removed") == 0)) {
		key = strcmp(key, "added") == 0 ? "would-add" : "would-remove";
		text = strcmp(key, "would-add") == 0 ? N_("the policy file would be written")
						     : N_("the policy file would be removed");
	}
	out_obj_begin(&t->out, "firefox_policy", _("Firefox (every user)"));
	out_str(&t->out, "file", _("Policy file"), file);
	out_str(&t->out, "action", _("Result"), t->json ? key : _(text));
	out_obj_end(&t->out);
	/* The others read p11-kit's registration (the Debian package's), or
	 * their users' own databases. */
	out_obj_begin(&t->out, "others", _("Other applications"));
	out_bool(&t->out, "p11_kit_registered", _("Registered with p11-kit"),
		 setup_p11kit_has_module(NULL, module));
	out_str(&t->out, "note", _("Note"),
		_("programs that load p11-kit-proxy.so see a module registered with p11-kit; "
		  "Chromium, Chrome and Thunderbird read each user's own databases: each "
		  "user runs jpki-tool setup"));
	out_obj_end(&t->out);
out:
	free(ours);
	free(have);
	return rc;
}
