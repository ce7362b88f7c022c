/* jpki-tool setup: registers the module in every NSS database of the user
 * that an application reads, and --remove takes exactly that registration
 * out again.  Two passes: the plan (what each database needs, read from its
 * pkcs11.txt) is made and checked whole before the first change, so a
 * running application or a missing modutil stops the run with nothing
 * written.  The registration is the entry named NSSDB_OUR_NAME with our
 * library: --remove touches nothing else. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "nssdb.h"
#include "setup-find.h"
#include "tool.h"

#ifndef JPKI_MODULE_PATH
#define JPKI_MODULE_PATH "/usr/lib/pkcs11/jpki-pkcs11.so"
#endif

/* What a database needs, or why it is left alone.  key is the stable
 * --json name; text is said to people (N_). */
enum setup_action {
	SETUP_ADD,
	SETUP_CREATE,
	SETUP_REMOVE,
	SETUP_PRESENT,
	SETUP_ABSENT,
	SETUP_P11KIT,
	SETUP_OTHER_NAME,
	SETUP_SNAP,
	SETUP_FLATPAK,
	SETUP_IN_USE,
	SETUP_ACTION_COUNT
};

static const struct {
	const char *key, *done_key, *text, *done_text;
} setup_actions[SETUP_ACTION_COUNT] = {
	[SETUP_ADD] = {"would-add", "added", N_("the module would be added"),
		       N_("the module was added")},
	[SETUP_CREATE] = {"would-create", "created",
			  N_("the database would be created with the module"),
			  N_("the database was created with the module")},
	[SETUP_REMOVE] = {"would-remove", "removed", N_("the module would be removed"),
			  N_("the module was removed")},
	[SETUP_PRESENT] = {"present", "present", N_("the module is registered: nothing to do"),
			   NULL},
	[SETUP_ABSENT] = {"absent", "absent", N_("the module is not registered: nothing to do"),
			  NULL},
	[SETUP_P11KIT] = {"p11-kit", "p11-kit",
			  N_("loads the module through p11-kit (p11-kit-proxy.so): not added "
			     "a second time"),
			  NULL},
	[SETUP_OTHER_NAME] = {"other-name", "other-name",
			      N_("loads the module under another name: not added a second time"),
			      NULL},
	[SETUP_SNAP] = {"snap", "snap",
			N_("a snap: its confinement does not let it load a module from the host "
			   "(the Firefox snap bundles OpenSC instead); not changed, see "
			   "jpki-tool(1)"),
			NULL},
	[SETUP_FLATPAK] = {"flatpak", "flatpak",
			   N_("a Flatpak: it sees neither the host's modules nor always the host's "
			      "pcscd; not changed, see jpki-tool(1)"),
			   NULL},
	[SETUP_IN_USE] = {"in-use", "in-use",
			  N_("in use by a running program: close it and run the command again"),
			  NULL},
};

static const struct {
	const char *key, *name; /* name: N_() */
} setup_apps[] = {
	[SETUP_APP_FIREFOX] = {"firefox", N_("Firefox")},
	[SETUP_APP_THUNDERBIRD] = {"thunderbird", N_("Thunderbird")},
	[SETUP_APP_SHARED] = {"nssdb", N_("Chromium, Chrome and other NSS programs")},
};

struct setup_plan {
	const struct setup_target *target;
	enum setup_action action;
	char *other_name; /* SETUP_OTHER_NAME: the user's name for the module */
	pid_t user;	  /* SETUP_IN_USE: the process */
};

static bool setup_changes(enum setup_action a)
{
	return a == SETUP_ADD || a == SETUP_CREATE || a == SETUP_REMOVE;
}

/* setup_decide: what the target needs; false (error recorded) when its
 * module list cannot be read. */
static bool setup_decide(struct tool *t, const char *home, const char *module, struct setup_plan *p)
{
	const struct setup_target *tg = p->target;
	struct nssdb_modules mods;
	bool ours = false, proxy = false;
	size_t i;

	if (tg->box != SETUP_BOX_NONE) {
		p->action = tg->box == SETUP_BOX_SNAP ? SETUP_SNAP : SETUP_FLATPAK;
		return true;
	}
	if (!tg->exists) {
		p->action = t->setup_remove ? SETUP_ABSENT : SETUP_CREATE;
		return true;
	}
	if (!nssdb_read(tg->dir, &mods)) {
		tool_fail(t, TOOL_EXIT_FILE, _("Cannot read the module list of %s: %s."), tg->dir,
			  strerror(errno));
		return false;
	}
	for (i = 0; i < mods.n; i++) {
		if (nssdb_is_ours(&mods.v[i], module))
			ours = true;
		else if (nssdb_is_p11kit_proxy(&mods.v[i]))
			proxy = true;
		else if (p->other_name == NULL && nssdb_same_library(&mods.v[i], module))
			p->other_name = strdup(mods.v[i].name);
	}
	nssdb_free(&mods);
	if (t->setup_remove)
		p->action = ours ? SETUP_REMOVE : SETUP_ABSENT;
	else if (ours)
		p->action = SETUP_PRESENT;
	else if (p->other_name != NULL)
		p->action = SETUP_OTHER_NAME;
	else if (proxy && setup_p11kit_has_module(home, module))
		p->action = SETUP_P11KIT;
	else
		p->action = SETUP_ADD;
	/* A profile's application holds it while it runs, and writes its own
	 * pkcs11.txt on exit: a change now would be lost or fight it. */
	if (setup_changes(p->action) && tg->app != SETUP_APP_SHARED &&
	    (p->user = setup_profile_user(tg->dir)) != 0)
		p->action = SETUP_IN_USE;
	return true;
}

/* setup_apply: makes the planned change with modutil and checks it in the
 * module list; false (error recorded) on failure. */
static bool setup_apply(struct tool *t, const char *modutil, const char *module,
			struct setup_plan *p)
{
	char db[PATH_MAX + 4], msg[1024];
	const char *add[] = {"-dbdir",	 db,	 "-add",   NSSDB_OUR_NAME,
			     "-libfile", module, "-force", NULL};
	const char *del[] = {"-dbdir", db, "-delete", NSSDB_OUR_NAME, "-force", NULL};
	struct nssdb_modules mods;
	bool found = false;
	size_t i;

	snprintf(db, sizeof(db), "sql:%s", p->target->dir);
	if (p->action == SETUP_CREATE) {
		/* Only the last two levels (.pki and nssdb) can be missing. */
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%s", p->target->dir);
		*strrchr(parent, '/') = '\0';
		if ((mkdir(parent, 0700) != 0 && errno != EEXIST) ||
		    (mkdir(p->target->dir, 0700) != 0 && errno != EEXIST)) {
			tool_fail_file(t, p->target->dir, true);
			return false;
		}
	}
	if (!nssdb_modutil(modutil, p->action == SETUP_REMOVE ? del : add, msg, sizeof(msg))) {
		tool_fail(t, TOOL_EXIT_FAILURE, _("modutil could not change %s: %s"),
			  p->target->dir, msg);
		return false;
	}
	if (!nssdb_read(p->target->dir, &mods)) {
		tool_fail(t, TOOL_EXIT_FILE, _("Cannot read the module list of %s: %s."),
			  p->target->dir, strerror(errno));
		return false;
	}
	for (i = 0; i < mods.n; i++)
		found = found || nssdb_is_ours(&mods.v[i], module);
	nssdb_free(&mods);
	if (found != (p->action != SETUP_REMOVE)) {
		tool_fail(t, TOOL_EXIT_FAILURE, _("modutil did not change %s: %s"), p->target->dir,
			  msg);
		return false;
	}
	return true;
}

static void setup_report(struct tool *t, const struct setup_plan *p, bool done)
{
	enum setup_action a = p->action;
	const char *key = done ? setup_actions[a].done_key : setup_actions[a].key;
	const char *text = done && setup_actions[a].done_text != NULL ? setup_actions[a].done_text
								      : setup_actions[a].text;
	char title[PATH_MAX + 128];

	snprintf(title, sizeof(title), "%s (%s)", _(setup_apps[p->target->app].name),
		 p->target->dir);
	out_obj_begin(&t->out, NULL, title);
	if (t->json) {
		out_str(&t->out, "application", NULL, setup_apps[p->target->app].key);
		out_str(&t->out, "directory", NULL, p->target->dir);
	}
	out_str(&t->out, "action", _("Result"), t->json ? key : _(text));
	if (a == SETUP_OTHER_NAME)
		out_str(&t->out, "module_name", _("Registered as"), p->other_name);
	if (a == SETUP_IN_USE)
		out_int(&t->out, "process", _("Process"), (long)p->user);
	/* Chromium and Chrome read their database when they start. */
	if (p->target->app == SETUP_APP_SHARED && p->target->box == SETUP_BOX_NONE &&
	    setup_changes(a))
		out_str(&t->out, "note", _("Note"),
			_("programs that use this database see the change when they next start"));
	out_obj_end(&t->out);
}

/* setup_module: the module to register: --module or the installed one, an
 * absolute path to a file that exists (--remove needs only its name). */
static bool setup_module(struct tool *t, const char **module)
{
	struct stat st;

	*module = t->module_opt != NULL ? t->module_opt : JPKI_MODULE_PATH;
	if ((*module)[0] != '/') {
		tool_fail(t, TOOL_EXIT_USAGE, _("--module needs an absolute path, not \"%s\"."),
			  *module);
		return false;
	}
	if (!t->setup_remove && (stat(*module, &st) != 0 || !S_ISREG(st.st_mode))) {
		tool_fail(t, TOOL_EXIT_FILE, _("The module %s does not exist (see --module)."),
			  *module);
		return false;
	}
	return true;
}

enum tool_exit cmd_setup(struct tool *t, int argc, char **argv)
{
	struct setup_targets targets = {NULL, 0};
	struct setup_plan *plan = NULL;
	char modutil[PATH_MAX];
	const char *home, *module;
	size_t i, in_use = 0, changes = 0, done;
	enum tool_exit rc = TOOL_EXIT_OK;

	(void)argv;
	if (argc != 0) {
		rc = tool_fail(t, TOOL_EXIT_USAGE, "%s",
			       _("setup takes no arguments (see jpki-tool --help)."));
		goto out;
	}
	if (t->setup_system) {
		rc = setup_system(t);
		goto out;
	}
	if (!setup_module(t, &module)) {
		rc = t->error_code;
		goto out;
	}
	home = secure_getenv("HOME");
	if (home == NULL || home[0] != '/') {
		rc = tool_fail(t, TOOL_EXIT_USAGE, "%s",
			       _("HOME is not set to an absolute path: no profiles to look in."));
		goto out;
	}
	if (!setup_find(home, secure_getenv("XDG_DATA_HOME"), secure_getenv("XDG_CONFIG_HOME"),
			!t->setup_remove, &targets) ||
	    (targets.n > 0 && (plan = calloc(targets.n, sizeof(*plan))) == NULL)) {
		rc = tool_fail_card(t, CARD_E_NO_MEMORY);
		goto out;
	}
	for (i = 0; i < targets.n; i++) {
		plan[i].target = &targets.v[i];
		if (!setup_decide(t, home, module, &plan[i])) {
			rc = t->error_code;
			goto out;
		}
		in_use += plan[i].action == SETUP_IN_USE;
		changes += setup_changes(plan[i].action);
	}
	out_arr_begin(&t->out, "databases", _("NSS databases"));
	if (t->setup_dry_run || in_use > 0 || changes == 0) {
		for (i = 0; i < targets.n; i++)
			setup_report(t, &plan[i], false);
		out_arr_end(&t->out);
		if (in_use > 0)
			rc = tool_fail(
				t, TOOL_EXIT_FAILURE, "%s",
				_("An application is running with a profile to change: "
				  "close it and run the command again. Nothing was changed."));
		goto out;
	}
	if (!nssdb_find_modutil(modutil, sizeof(modutil))) {
		out_arr_end(&t->out);
		rc = tool_fail(t, TOOL_EXIT_FAILURE, "%s",
			       _("modutil is not installed (Debian package libnss3-tools). Nothing "
				 "was changed."));
		goto out;
	}
	for (done = 0; done < targets.n; done++) {
		if (setup_changes(plan[done].action) &&
		    !setup_apply(t, modutil, module, &plan[done])) {
			rc = t->error_code;
			break;
		}
		setup_report(t, &plan[done], true);
	}
	out_arr_end(&t->out);
out:
	for (i = 0; plan != NULL && i < targets.n; i++)
		free(plan[i].other_name);
	free(plan);
	setup_targets_free(&targets);
	return rc;
}
