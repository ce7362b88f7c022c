/* jpki-tool setup's pieces without NSS or a card: pkcs11.txt as NSS writes
 * it (and as a hostile file might), which entries are ours, p11-kit's or the
 * user's; profiles.ini and the database directories found in a private home;
 * the profile locks of a running Firefox; p11-kit module files.  The real
 * path (modutil, NSS, Firefox) is tests/integration/tool-setup.sh. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "nssdb.h"
#include "policy-json.h"
#include "setup-find.h"

#define MOD "/usr/lib/x86_64-linux-gnu/pkcs11/jpki-pkcs11.so"

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0)
		tap_bail("cannot write %s", path);
}

static void dir(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		tap_bail("mkdir %s", path);
}

static void test_parse(void)
{
	static const char written[] =
		"library=\nname=NSS Internal PKCS #11 Module\nparameters=configdir='sql:/x'\n"
		"NSS=Flags=internal,critical trustOrder=75\n\n"
		"library=" MOD "\nname=jpki-pkcs11\n\n"
		"library=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so\r\nname=p11-kit\r\n\n"
		"library=/opt/other/jpki-pkcs11.so\nname=My Number Card";
	struct nssdb_modules m;
	struct nssdb_module probe;
	char our_name[] = "jpki-pkcs11", proxy_lib[] = "/usr/lib/libp11-kit.so.0";

	tap_ok(nssdb_parse(written, strlen(written), &m), "pkcs11.txt as NSS writes it parses");
	tap_is_int(m.n, 4, "four modules");
	tap_ok(m.n == 4 && strcmp(m.v[0].library, "") == 0 &&
		       strcmp(m.v[0].name, "NSS Internal PKCS #11 Module") == 0,
	       "the internal module: empty library, its name");
	tap_ok(m.n == 4 && nssdb_is_ours(&m.v[1], MOD), "our entry is ours");
	tap_ok(m.n == 4 && !nssdb_is_ours(&m.v[3], MOD),
	       "the same library under another name is not ours");
	tap_ok(m.n == 4 && nssdb_same_library(&m.v[3], MOD),
	       "but it is the same library (file name)");
	tap_ok(m.n == 4 && strcmp(m.v[2].name, "p11-kit") == 0 && nssdb_is_p11kit_proxy(&m.v[2]),
	       "CRLF lines: p11-kit-proxy.so recognised");
	tap_ok(m.n == 4 && strcmp(m.v[3].name, "My Number Card") == 0,
	       "a last line without a newline");
	tap_ok(m.n == 4 && !nssdb_same_library(&m.v[0], MOD) && !nssdb_is_p11kit_proxy(&m.v[0]),
	       "the internal module is neither");
	nssdb_free(&m);

	tap_ok(nssdb_parse("name=orphan\nlibrary=/a.so\n", 26, &m) && m.n == 1 &&
		       strcmp(m.v[0].name, "") == 0,
	       "a name before any library line is ignored; an entry without a name gets \"\"");
	nssdb_free(&m);
	tap_ok(nssdb_parse("", 0, &m) && m.n == 0, "an empty file: no modules");
	nssdb_free(&m);

	probe.name = our_name;
	probe.library = proxy_lib;
	tap_ok(nssdb_is_p11kit_proxy(&probe), "libp11-kit.so.0 is the proxy too");
	tap_ok(!nssdb_is_ours(&probe, MOD), "our name with another library is not ours");
}

static void test_read(const char *root)
{
	char d[PATH_MAX], f[PATH_MAX + 16];
	struct nssdb_modules m;

	snprintf(d, sizeof(d), "%s/db", root);
	dir(d);
	tap_ok(nssdb_read(d, &m) && m.n == 0, "no pkcs11.txt: no modules, no error");
	snprintf(f, sizeof(f), "%s/pkcs11.txt", d);
	put(f, "library=" MOD "\nname=jpki-pkcs11\n");
	tap_ok(nssdb_read(d, &m) && m.n == 1 && nssdb_is_ours(&m.v[0], MOD), "pkcs11.txt read");
	nssdb_free(&m);
	unlink(f);
	if (mkdir(f, 0700) != 0)
		tap_bail("mkdir %s", f);
	tap_ok(!nssdb_read(d, &m), "an unreadable pkcs11.txt is an error");
	rmdir(f);
}

/* find: setup_find in home; the index of dir in the result or -1. */
static int find_index(const struct setup_targets *t, const char *d)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].dir, d) == 0)
			return (int)i;
	return -1;
}

static void test_find(const char *home)
{
	char p[PATH_MAX], q[2 * PATH_MAX], abs[PATH_MAX];
	struct setup_targets t;
	int i;

	snprintf(p, sizeof(p), "%s/.mozilla", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.mozilla/firefox", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.mozilla/firefox/a.default", home);
	dir(p);
	snprintf(abs, sizeof(abs), "%s/elsewhere", home);
	dir(abs);
	snprintf(p, sizeof(p), "%s/.mozilla/firefox/profiles.ini", home);
	snprintf(q, sizeof(q),
		 "[General]\nStartWithLastProfile=1\n\n[Profile1]\nName=gone\nIsRelative=1\n"
		 "Path=gone.profile\n\n[Profile0]\r\nName=a\r\nIsRelative=1\r\nPath=a.default\r\n\n"
		 "[Profile2]\nName=b\nIsRelative=0\nPath=%s\n\n[Install4F96D1932A9F858E]\n"
		 "Default=a.default\n[Profile3]\nName=dup\nIsRelative=1\nPath=../firefox/a.default",
		 abs);
	put(p, q);
	tap_ok(setup_find(home, NULL, NULL, false, &t), "setup_find");
	snprintf(p, sizeof(p), "%s/.mozilla/firefox/a.default", home);
	i = find_index(&t, p);
	tap_ok(i >= 0 && t.v[i].app == SETUP_APP_FIREFOX && t.v[i].box == SETUP_BOX_NONE,
	       "a relative profile (CRLF lines)");
	tap_ok(find_index(&t, abs) >= 0, "an absolute profile (IsRelative=0)");
	tap_is_int(t.n, 2, "a profile that is gone is skipped, one listed twice counted once");
	tap_ok(find_index(&t, "") < 0, "no empty path");
	setup_targets_free(&t);

	tap_ok(setup_find(home, NULL, NULL, true, &t), "setup_find, creating");
	snprintf(p, sizeof(p), "%s/.pki/nssdb", home);
	i = find_index(&t, p);
	tap_ok(i >= 0 && !t.v[i].exists && t.v[i].app == SETUP_APP_SHARED,
	       "no shared database: ~/.pki/nssdb, to be created");
	setup_targets_free(&t);

	snprintf(p, sizeof(p), "%s/xdg", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/xdg/pki", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/xdg/pki/nssdb", home);
	dir(p);
	snprintf(q, sizeof(q), "%s/xdg", home);
	tap_ok(setup_find(home, q, NULL, true, &t), "setup_find with XDG_DATA_HOME");
	tap_ok(find_index(&t, p) >= 0, "the XDG database is listed");
	snprintf(p, sizeof(p), "%s/.pki/nssdb", home);
	tap_ok(find_index(&t, p) < 0, "and no ~/.pki/nssdb is made beside it");
	setup_targets_free(&t);

	snprintf(p, sizeof(p), "%s/.var", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.var/app", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.var/app/org.chromium.Chromium", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.var/app/org.chromium.Chromium/.pki", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.var/app/org.chromium.Chromium/.pki/nssdb", home);
	dir(p);
	tap_ok(setup_find(home, NULL, NULL, false, &t), "setup_find with a Flatpak Chromium");
	i = find_index(&t, p);
	tap_ok(i >= 0 && t.v[i].box == SETUP_BOX_FLATPAK, "the Flatpak database is a sandbox");
	setup_targets_free(&t);
}

static void test_lock(const char *root)
{
	char d[PATH_MAX], f[PATH_MAX + 16], target[64];
	int fd, pipefd[2];
	pid_t child;
	char c;

	snprintf(d, sizeof(d), "%s/profile", root);
	dir(d);
	tap_is_int(setup_profile_user(d), 0, "a profile without locks is free");
	snprintf(f, sizeof(f), "%s/lock", d);
	if (symlink("127.0.0.1:+2147483647", f) != 0)
		tap_bail("symlink");
	tap_is_int(setup_profile_user(d), 0, "a stale lock link (no such process) is free");
	unlink(f);
	snprintf(target, sizeof(target), "127.0.0.1:+%ld", (long)getpid());
	if (symlink(target, f) != 0)
		tap_bail("symlink");
	tap_is_int(setup_profile_user(d), getpid(), "a lock link naming a live process");
	unlink(f);
	if (symlink("garbage", f) != 0)
		tap_bail("symlink");
	tap_is_int(setup_profile_user(d), 0, "a lock link without a process id");
	unlink(f);

	/* The fcntl lock Firefox holds, from another process (a lock of our
	 * own would not show in F_GETLK). */
	snprintf(f, sizeof(f), "%s/.parentlock", d);
	if (pipe(pipefd) != 0)
		tap_bail("pipe");
	child = fork();
	if (child < 0)
		tap_bail("fork");
	if (child == 0) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

		close(pipefd[0]);
		fd = open(f, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || fcntl(fd, F_SETLK, &fl) != 0 || write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		tap_bail("the locking child failed");
	close(pipefd[0]);
	tap_is_int(setup_profile_user(d), child, ".parentlock locked by another process");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	tap_is_int(setup_profile_user(d), 0, ".parentlock unlocked");
	unlink(f);
	rmdir(d);
}

static void test_p11kit(const char *home)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/.config", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.config/pkcs11", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.config/pkcs11/modules", home);
	dir(p);
	snprintf(p, sizeof(p), "%s/.config/pkcs11/modules/other.module", home);
	put(p, "module: opensc-pkcs11.so\n# module: jpki-pkcs11.so\n");
	snprintf(p, sizeof(p), "%s/.config/pkcs11/modules/jpki.module.bak", home);
	put(p, "module: jpki-pkcs11.so\n");
	tap_ok(!setup_p11kit_has_module(home, MOD) || setup_p11kit_has_module(NULL, MOD),
	       "other modules, comments and files not ending in .module do not count");
	snprintf(p, sizeof(p), "%s/.config/pkcs11/modules/my-jpki-pkcs11.module", home);
	put(p, "module: not-jpki-pkcs11.so\n");
	tap_ok(!setup_p11kit_has_module(home, MOD) || setup_p11kit_has_module(NULL, MOD),
	       "a file name that only ends in ours does not count");
	snprintf(p, sizeof(p), "%s/.config/pkcs11/modules/jpki-pkcs11.module", home);
	put(p, "module:\tjpki-pkcs11.so \r\ncritical: yes\n");
	tap_ok(setup_p11kit_has_module(home, MOD), "a bare module name (the package's form)");
	put(p, "module: /opt/lib/jpki-pkcs11.so\n");
	tap_ok(setup_p11kit_has_module(home, MOD), "a full path");
}

/* add_is / remove_is: the edit of IN gives OUT (NULL: no new text) and RC. */
static void edit_is(bool add, const char *in, const char *path, const char *want,
		    enum policy_result want_rc, const char *what)
{
	char *out = NULL;
	enum policy_result rc = add ? policy_add(in, strlen(in), "jpki-pkcs11", path, &out)
				    : policy_remove(in, strlen(in), "jpki-pkcs11", path, &out);

	if (!tap_ok(rc == want_rc &&
			    (want == NULL ? out == NULL : out != NULL && strcmp(out, want) == 0),
		    "%s", what))
		tap_diag("rc %d, got %s", (int)rc, out != NULL ? out : "(none)");
	free(out);
}

/* nested_is: {"a": DEPTH nested arrays} added to gives want. */
static void nested_is(int depth, enum policy_result want, const char *what)
{
	char text[256], *out = NULL;
	size_t n;
	int i;

	n = (size_t)snprintf(text, sizeof(text), "{\"a\": ");
	for (i = 0; i < depth; i++)
		text[n++] = '[';
	for (i = 0; i < depth; i++)
		text[n++] = ']';
	text[n++] = '}';
	text[n] = '\0';
	tap_is_int(policy_add(text, n, "jpki-pkcs11", "/m.so", &out), want, "%s", what);
	free(out);
}

static void test_policy(void)
{
	edit_is(true, "{}", "/m.so",
		"{\"policies\": {\"SecurityDevices\": {\"Add\": {\"jpki-pkcs11\": \"/m.so\"}}}}",
		POLICY_CHANGED, "an empty object gets every level");
	edit_is(false,
		"{\"policies\": {\"SecurityDevices\": {\"Add\": {\"jpki-pkcs11\": \"/m.so\"}}}}",
		"/m.so", "{\"policies\": {}}", POLICY_CHANGED,
		"removed again: Add and SecurityDevices go with it, policies stays");
	edit_is(true, " {\"policies\": {\"DisableAppUpdate\": true}}\n", "/m.so",
		" {\"policies\": {\"SecurityDevices\": {\"Add\": {\"jpki-pkcs11\": \"/m.so\"}}, "
		"\"DisableAppUpdate\": true}}\n",
		POLICY_CHANGED, "other policies are kept byte for byte");
	edit_is(false,
		" {\"policies\": {\"SecurityDevices\": {\"Add\": {\"jpki-pkcs11\": \"/m.so\"}}, "
		"\"DisableAppUpdate\": true}}\n",
		"/m.so", " {\"policies\": {\"DisableAppUpdate\": true}}\n", POLICY_CHANGED,
		"and removing gives the file back byte for byte");
	edit_is(true, "{\"policies\":{\"SecurityDevices\":{\"Add\":{\"OpenSC\":\"/o.so\"}}}}",
		"/m.so",
		"{\"policies\":{\"SecurityDevices\":{\"Add\":{\"jpki-pkcs11\": \"/m.so\", "
		"\"OpenSC\":\"/o.so\"}}}}",
		POLICY_CHANGED, "beside another module");
	edit_is(false,
		"{\"policies\":{\"SecurityDevices\":{\"Add\":{\"jpki-pkcs11\": \"/m.so\", "
		"\"OpenSC\":\"/o.so\"}}}}",
		"/m.so", "{\"policies\":{\"SecurityDevices\":{\"Add\":{\"OpenSC\":\"/o.so\"}}}}",
		POLICY_CHANGED, "removed from beside it, its comma too");
	edit_is(false,
		"{\"policies\":{\"SecurityDevices\":{\"Add\":{\"A\":\"/a.so\" ,\n "
		"\"jpki-pkcs11\":\"/m.so\"}}}}",
		"/m.so", "{\"policies\":{\"SecurityDevices\":{\"Add\":{\"A\":\"/a.so\"}}}}",
		POLICY_CHANGED, "the last member: the comma before it goes");
	edit_is(true, "{\"policies\":{\"SecurityDevices\":{\"Add\":{\"jpki-pkcs11\":\"/m.so\"}}}}",
		"/m.so", NULL, POLICY_UNCHANGED, "already there: unchanged");
	edit_is(true,
		"{\"policies\":{\"SecurityDevices\":{\"Add\":{\"jpki-pkcs11\":\"/old.so\"}}}}",
		"/m.so", NULL, POLICY_OTHER_PATH, "there with another path: left alone");
	edit_is(false,
		"{\"policies\":{\"SecurityDevices\":{\"Add\":{\"jpki-pkcs11\":\"/old.so\"}}}}",
		"/m.so", NULL, POLICY_OTHER_PATH, "and not removed");
	edit_is(false, "{\"policies\":{\"SecurityDevices\":{\"Delete\":[\"x\"]}}}", "/m.so", NULL,
		POLICY_UNCHANGED, "nothing to remove");
	edit_is(true, "{\"policies\":{\"SecurityDevices\":{\"Add\":{}}}}", "/a\"b\\c",
		"{\"policies\":{\"SecurityDevices\":{\"Add\":{\"jpki-pkcs11\": "
		"\"/a\\\"b\\\\c\"}}}}",
		POLICY_CHANGED, "a path with a quote and a backslash is escaped");
	edit_is(true, "{\"policies\": [1, 2]}", "/m.so", NULL, POLICY_INVALID,
		"policies not an object: refused");
	edit_is(true, "[]", "/m.so", NULL, POLICY_INVALID, "not an object at the top: refused");
	edit_is(true, "{\"policies\": {}", "/m.so", NULL, POLICY_INVALID, "cut short: refused");
	edit_is(true, "{} x", "/m.so", NULL, POLICY_INVALID, "trailing bytes: refused");
	edit_is(true, "{\"a\": \"\x01\"}", "/m.so", NULL, POLICY_INVALID,
		"a control character in a string: refused");
	edit_is(true, "{\"a\": \"\\q\"}", "/m.so", NULL, POLICY_INVALID, "a bad escape: refused");
	edit_is(true, "{\"a\": \"\\u12\"}", "/m.so", NULL, POLICY_INVALID, "a short \\u: refused");
	edit_is(true, "{\"a\": 01}", "/m.so", NULL, POLICY_INVALID, "a leading zero: refused");
	edit_is(true, "{\"a\": -1.5e+3, \"b\": [true, false, null, \"\\u00e9\"]}", "/m.so",
		"{\"policies\": {\"SecurityDevices\": {\"Add\": {\"jpki-pkcs11\": \"/m.so\"}}}, "
		"\"a\": -1.5e+3, \"b\": [true, false, null, \"\\u00e9\"]}",
		POLICY_CHANGED, "numbers, literals and escapes are JSON");
	nested_is(70, POLICY_INVALID, "70 nested arrays: deeper than a policy file needs, refused");
	nested_is(10, POLICY_CHANGED, "10 nested arrays are JSON");
}

int main(void)
{
	char root[] = "/tmp/test-setup.XXXXXX";
	char cmd[PATH_MAX + 16];

	if (mkdtemp(root) == NULL)
		tap_bail("mkdtemp");
	test_parse();
	test_read(root);
	test_find(root);
	test_lock(root);
	test_p11kit(root);
	test_policy();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", root);
	return tap_done();
}
