/* jpki-tool setup --system: for every user of the machine, Firefox's
 * enterprise policy (SecurityDevices) in /etc/firefox/policies/policies.json,
 * and what p11-kit already does for the other applications.
 *
 * Where no policy file exists, setup writes one, and --remove deletes it
 * again when it is still exactly that.  An administrator's file gets one
 * member added (policy-json.c: every other byte kept) and --remove takes
 * out that member alone; a file that is not JSON is never rewritten. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "i18n.h"
#include "nssdb.h"
#include "policy-json.h"
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

/* setup_policy_write: the new policy file, whole (NULL: the file goes). */
static bool setup_policy_write(const char *file, const char *text)
{
	if (text == NULL)
		return unlink(file) == 0;
	return setup_mkdirs(file) && file_write_atomic(file, (const uint8_t *)text, strlen(text));
}

enum tool_exit setup_system(struct tool *t)
{
	const char *module = t->module_opt != NULL ? t->module_opt : JPKI_MODULE_PATH;
	const char *file = secure_getenv("JPKI_TOOL_FIREFOX_POLICIES");
	const char *key, *text;
	uint8_t *have = NULL;
	size_t have_len = 0;
	char *ours = NULL, *new_text = NULL;
	enum tool_exit rc = TOOL_EXIT_OK;
	enum policy_result edit;
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
	if (!exists) {
		edit = t->setup_remove ? POLICY_UNCHANGED : POLICY_CHANGED;
		new_text = t->setup_remove ? NULL : strdup(ours);
	} else if (is_ours && t->setup_remove) {
		edit = POLICY_CHANGED; /* the whole file goes */
	} else if (t->setup_remove) {
		edit = policy_remove((const char *)have, have_len, NSSDB_OUR_NAME, module,
				     &new_text);
	} else {
		edit = policy_add((const char *)have, have_len, NSSDB_OUR_NAME, module, &new_text);
	}
	if (edit == POLICY_NO_MEMORY ||
	    (edit == POLICY_CHANGED && new_text == NULL && !(is_ours && t->setup_remove))) {
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	if (edit == POLICY_INVALID) {
		rc = tool_fail(t, TOOL_EXIT_FAILURE,
			       _("%s is not a JSON object whose policies, SecurityDevices and Add "
				 "are objects: nothing was changed."),
			       file);
		goto out;
	}
	if (edit == POLICY_OTHER_PATH) {
		key = "other-path";
		text = N_("the policy names jpki-pkcs11 with another module: left as it is");
		if (!t->setup_remove)
			rc = tool_fail(t, TOOL_EXIT_FAILURE,
				       _("%s names jpki-pkcs11 with another module: nothing was "
					 "changed."),
				       file);
	} else if (edit == POLICY_UNCHANGED) {
		key = t->setup_remove ? "absent" : "present";
		text = t->setup_remove ? N_("the module is not in the policy: nothing to do")
				       : N_("the module is in the policy: nothing to do");
	} else {
		key = t->setup_remove ? "removed" : "added";
		text = t->setup_remove ? N_("the module was taken out of the policy")
				       : N_("the module was added to the policy");
		if (!t->setup_dry_run && !setup_policy_write(file, new_text)) {
			rc = tool_fail_file(t, file, true);
			goto out;
		}
	}
	if (t->setup_dry_run && (strcmp(key, "added") == 0 || strcmp(key, "removed") == 0)) {
		key = strcmp(key, "added") == 0 ? "would-add" : "would-remove";
		text = strcmp(key, "would-add") == 0
			       ? N_("the module would be added to the policy")
			       : N_("the module would be taken out of the policy");
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
	free(new_text);
	free(ours);
	free(have);
	return rc;
}
