/* The certificate cache (src/cert-cache.c) on a real directory: hits and
 * misses, and each way a cache can lie (another card, a renewed
 * certificate, a CA that did not issue it, a truncated or corrupt file,
 * another version, a symlink, a FIFO, a foreign owner, loose modes, no or a
 * read-only HOME, two processes writing at once).  The certificates are the
 * emulator's (tests/fuzz/corpus/cert: two cards, each with its CAs). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "../tap.h"
#include "cert-cache.h"

struct blob {
	uint8_t *der;
	size_t len;
};

static struct blob auth, auth2, auth_ca, auth_ca2, sign_ca, sign_ca2;
static char root[256];

static void load(struct blob *b, const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/cert/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0)
		tap_bail("cannot read %s (set top_srcdir)", path);
	rewind(f);
	b->der = malloc((size_t)n);
	if (b->der == NULL || fread(b->der, 1, (size_t)n, f) != (size_t)n)
		tap_bail("cannot read %s", path);
	b->len = (size_t)n;
	fclose(f);
}

static void entry_of(struct cert_cache_entry *e, const struct blob *a, const struct blob *aca,
		     const struct blob *sca)
{
	memset(e, 0, sizeof(*e));
	cert_cache_entry_set(e, CERT_CACHE_AUTH, a->der, a->len);
	if (aca != NULL)
		cert_cache_entry_set(e, CERT_CACHE_AUTH_CA, aca->der, aca->len);
	if (sca != NULL)
		cert_cache_entry_set(e, CERT_CACHE_SIGN_CA, sca->der, sca->len);
}

static bool same(const struct cert_cache_entry *e, enum cert_cache_item i, const struct blob *b)
{
	return e->der[i] != NULL && e->len[i] == b->len && memcmp(e->der[i], b->der, b->len) == 0;
}

/* The directory's only entry file (not a temp file), as a path; "" if none or several. */
static void entry_path(const char *dir, char *out, size_t cap)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	out[0] = '\0';
	while (dp != NULL && (d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		n++;
		snprintf(out, cap, "%s/%s", dir, d->d_name);
	}
	if (dp != NULL)
		closedir(dp);
	if (n != 1)
		out[0] = '\0';
}

static int count_files(const char *dir, bool temps)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	while (dp != NULL && (d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0 &&
		    (!temps || strncmp(d->d_name, ".tmp-", 5) == 0))
			n++;
	if (dp != NULL)
		closedir(dp);
	return n;
}

static void fresh_dir(char *dir, size_t cap, const char *name)
{
	snprintf(dir, cap, "%s/%s", root, name);
	mkdir(dir, 0700);
}

static bool lookup(const char *dir, const struct blob *card, struct cert_cache_entry *e)
{
	struct cert_cache *cc = cert_cache_new_dir(dir, geteuid(), NULL);
	bool hit = cert_cache_lookup(cc, card->der, card->len, e);

	cert_cache_free(cc);
	return hit;
}

static bool store(const char *dir, const struct cert_cache_entry *e)
{
	struct cert_cache *cc = cert_cache_new_dir(dir, geteuid(), NULL);
	bool ok = cert_cache_store(cc, e);

	cert_cache_free(cc);
	return ok;
}

static void store_full(const char *dir)
{
	struct cert_cache_entry e;

	entry_of(&e, &auth, &auth_ca, &sign_ca);
	e.flags = CERT_CACHE_NO_VERIFY_SFI;
	if (!store(dir, &e))
		tap_bail("cannot store in %s", dir);
	cert_cache_entry_clear(&e);
}

static void test_round_trip(void)
{
	struct cert_cache_entry e;
	char dir[512], path[1024];
	struct stat st;

	fresh_dir(dir, sizeof(dir), "round");
	tap_ok(!lookup(dir, &auth, &e), "empty cache: miss");
	tap_ok(e.der[CERT_CACHE_AUTH] == NULL, "a miss leaves the entry empty");
	store_full(dir);
	entry_path(dir, path, sizeof(path));
	tap_ok(path[0] != '\0' && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		       (st.st_mode & 0777) == 0600,
	       "one entry file, regular, mode 0600");
	tap_is_int(count_files(dir, true), 0, "no temp file left");
	tap_ok(lookup(dir, &auth, &e), "the same card: hit");
	tap_ok(same(&e, CERT_CACHE_AUTH, &auth), "hit: the auth certificate byte for byte");
	tap_ok(same(&e, CERT_CACHE_AUTH_CA, &auth_ca), "hit: the auth CA (it issued the cert)");
	tap_ok(same(&e, CERT_CACHE_SIGN_CA, &sign_ca), "hit: the sign CA");
	tap_is_int(e.flags, CERT_CACHE_NO_VERIFY_SFI, "hit: the flags");
	cert_cache_entry_clear(&e);

	/* Only the first chunk is the key: a card chunk of exactly 256 bytes. */
	struct blob chunk = {auth.der, CERT_CACHE_CHUNK};
	tap_ok(lookup(dir, &chunk, &e), "the card's first 256-byte chunk alone finds it");
	cert_cache_entry_clear(&e);
	chunk.len = CERT_CACHE_CHUNK - 1;
	tap_ok(!lookup(dir, &chunk, &e), "a chunk shorter than 256 bytes: miss");
}

static void test_other_card(void)
{
	struct cert_cache_entry e;
	struct blob renewed;
	char dir[512];

	fresh_dir(dir, sizeof(dir), "other");
	store_full(dir);
	tap_ok(!lookup(dir, &auth2, &e), "another card: miss");
	/* A renewed certificate: same card, new serial and validity in the first chunk. */
	renewed.len = auth.len;
	renewed.der = malloc(auth.len);
	memcpy(renewed.der, auth.der, auth.len);
	renewed.der[20] ^= 0x01; /* inside the serial number */
	tap_ok(!lookup(dir, &renewed, &e), "a renewed certificate (other first chunk): miss");
	renewed.der[20] ^= 0x01;
	renewed.der[CERT_CACHE_CHUNK - 1] ^= 0x01; /* the chunk's last byte */
	tap_ok(!lookup(dir, &renewed, &e), "one byte off at the end of the chunk: miss");
	free(renewed.der);
	tap_ok(lookup(dir, &auth, &e), "the first card still hits");
	cert_cache_entry_clear(&e);
}

/* The entry of auth in dir rewritten with other certificates (a lying file). */
static void test_wrong_cas(void)
{
	struct cert_cache_entry e;
	char dir[512];

	fresh_dir(dir, sizeof(dir), "cas");
	entry_of(&e, &auth, &auth_ca2, &auth);
	store(dir, &e);
	cert_cache_entry_clear(&e);
	tap_ok(lookup(dir, &auth, &e), "auth certificate of a lying entry still served");
	tap_ok(e.der[CERT_CACHE_AUTH_CA] == NULL, "an auth CA that did not issue it: not used");
	tap_ok(e.der[CERT_CACHE_SIGN_CA] == NULL, "a sign CA that is not a CA: not used");
	cert_cache_entry_clear(&e);
	entry_of(&e, &auth2, &auth_ca2, &sign_ca2);
	store(dir, &e);
	cert_cache_entry_clear(&e);
	tap_ok(lookup(dir, &auth2, &e) && same(&e, CERT_CACHE_AUTH_CA, &auth_ca2),
	       "the second card's own CA is used");
	cert_cache_entry_clear(&e);
}

static void rewrite(const char *path, const uint8_t *buf, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		tap_bail("cannot write %s", path);
	fchmod(fd, mode);
	close(fd);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	static uint8_t buf[CERT_CACHE_FILE_MAX + 16];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (fd >= 0)
		close(fd);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

static void test_corrupt(void)
{
	struct cert_cache_entry e;
	char dir[512], path[1024];
	uint8_t good[CERT_CACHE_FILE_MAX + 16], *big;
	size_t len;

	fresh_dir(dir, sizeof(dir), "corrupt");
	store_full(dir);
	entry_path(dir, path, sizeof(path));
	const uint8_t *got = slurp(path, &len);
	memcpy(good, got, len);

	rewrite(path, good, len / 2, 0600);
	tap_ok(!lookup(dir, &auth, &e), "truncated file: miss");
	rewrite(path, good, len - 1, 0600);
	tap_ok(!lookup(dir, &auth, &e), "one byte short: miss");
	good[len] = 0;
	rewrite(path, good, len + 1, 0600);
	tap_ok(!lookup(dir, &auth, &e), "a trailing byte: miss");
	good[8] = 2;
	rewrite(path, good, len, 0600);
	tap_ok(!lookup(dir, &auth, &e), "another version: miss");
	good[8] = 1;
	good[0] ^= 0xFF;
	rewrite(path, good, len, 0600);
	tap_ok(!lookup(dir, &auth, &e), "another magic: miss");
	good[0] ^= 0xFF;
	/* The auth certificate's DER damaged after the chunk (the signature's
	 * BIT STRING tag, 03 82 01 01 00 + 256 bytes at the end): it must parse. */
	if (auth.der[auth.len - 261] != 0x03)
		tap_bail("unexpected auth certificate layout");
	good[12 + 2 + auth.len - 261] = 0x04;
	rewrite(path, good, len, 0600);
	tap_ok(!lookup(dir, &auth, &e), "auth certificate damaged after the chunk: miss");
	good[12 + 2 + auth.len - 261] = 0x03;
	rewrite(path, good, 0, 0600);
	tap_ok(!lookup(dir, &auth, &e), "empty file: miss");
	big = calloc(1, CERT_CACHE_FILE_MAX + 1);
	memcpy(big, good, len);
	rewrite(path, big, CERT_CACHE_FILE_MAX + 1, 0600);
	free(big);
	tap_ok(!lookup(dir, &auth, &e), "file above the size bound: miss");
	rewrite(path, good, len, 0644);
	tap_ok(!lookup(dir, &auth, &e), "file readable by others (0644): miss");
	rewrite(path, good, len, 0620);
	tap_ok(!lookup(dir, &auth, &e), "file writable by the group (0620): miss");
	store_full(dir);
	tap_ok(lookup(dir, &auth, &e), "a store replaces the bad file: hit");
	cert_cache_entry_clear(&e);
}

static void test_symlink_fifo(void)
{
	struct cert_cache_entry e;
	char dir[512], path[1024], elsewhere[1024];
	uint8_t copy[CERT_CACHE_FILE_MAX + 16];
	struct stat st;
	size_t len, after;

	fresh_dir(dir, sizeof(dir), "symlink");
	store_full(dir);
	entry_path(dir, path, sizeof(path));
	const uint8_t *got = slurp(path, &len);
	memcpy(copy, got, len);
	/* A valid entry elsewhere, and the cache's file replaced by a symlink to it. */
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", root);
	rewrite(elsewhere, copy, len, 0600);
	unlink(path);
	if (symlink(elsewhere, path) != 0)
		tap_bail("symlink: %s", strerror(errno));
	tap_ok(!lookup(dir, &auth, &e), "entry replaced by a symlink (to a valid entry): miss");
	store_full(dir);
	tap_ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode),
	       "a store replaces the symlink by a regular file");
	slurp(elsewhere, &after);
	tap_ok(after == len, "the symlink's target is left alone");
	tap_ok(lookup(dir, &auth, &e), "then: hit");
	cert_cache_entry_clear(&e);

	unlink(path);
	if (mkfifo(path, 0600) != 0)
		tap_bail("mkfifo: %s", strerror(errno));
	tap_ok(!lookup(dir, &auth, &e), "entry replaced by a FIFO: miss, no hang");
	store_full(dir);
	tap_ok(lookup(dir, &auth, &e), "a store replaces the FIFO: hit");
	cert_cache_entry_clear(&e);

	/* The cache directory itself a symlink to a directory of ours. */
	char real[512], link[512];
	fresh_dir(real, sizeof(real), "realdir");
	store_full(real);
	snprintf(link, sizeof(link), "%s/linkdir", root);
	if (symlink(real, link) != 0)
		tap_bail("symlink: %s", strerror(errno));
	tap_ok(!lookup(link, &auth, &e), "cache directory that is a symlink: not used");
	tap_ok(!store(link, &e), "nor written");
}

static void test_owner_mode(void)
{
	struct cert_cache_entry e;
	char dir[512], path[1024];
	struct cert_cache *cc;
	struct stat st;

	fresh_dir(dir, sizeof(dir), "owner");
	store_full(dir);
	/* A directory that is not the expected owner's. */
	cc = cert_cache_new_dir(dir, geteuid() + 1, NULL);
	tap_ok(!cert_cache_lookup(cc, auth.der, auth.len, &e),
	       "cache directory of another user: miss");
	entry_of(&e, &auth, NULL, NULL);
	tap_ok(!cert_cache_store(cc, &e), "and nothing written there");
	cert_cache_entry_clear(&e);
	cert_cache_free(cc);

	/* A file of another user (root can make one; others cannot chown). */
	entry_path(dir, path, sizeof(path));
	if (geteuid() == 0) {
		tap_ok(chown(path, 65534, 65534) == 0, "entry given to nobody (as root)");
		tap_ok(!lookup(dir, &auth, &e), "entry of another user: miss");
		store_full(dir);
		tap_ok(stat(path, &st) == 0 && st.st_uid == 0, "a store replaces it by ours");
		tap_ok(lookup(dir, &auth, &e), "then: hit");
		cert_cache_entry_clear(&e);
	} else {
		tap_ok(true, "# SKIP foreign-owned file needs root (directory case above)");
	}

	/* A directory open to others is made private before use. */
	chmod(dir, 0755);
	tap_ok(lookup(dir, &auth, &e), "cache directory 0755: used");
	cert_cache_entry_clear(&e);
	tap_ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "and made 0700");
}

static void test_environment(void)
{
	struct cert_cache_entry e;
	struct cert_cache *cc;
	char xdg[512], home[512], path[1024];
	struct stat st;

	/* XDG_CACHE_HOME/jpki-pkcs11, created 0700. */
	snprintf(xdg, sizeof(xdg), "%s/xdg", root);
	setenv("XDG_CACHE_HOME", xdg, 1);
	unsetenv("HOME");
	cc = cert_cache_new(NULL);
	entry_of(&e, &auth, NULL, NULL);
	tap_ok(cert_cache_store(cc, &e), "XDG_CACHE_HOME (missing): created and written");
	cert_cache_entry_clear(&e);
	cert_cache_free(cc);
	snprintf(path, sizeof(path), "%s/jpki-pkcs11", xdg);
	tap_ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	       "$XDG_CACHE_HOME/jpki-pkcs11 is a directory, mode 0700");
	tap_ok(stat(xdg, &st) == 0 && (st.st_mode & 0777) == 0700, "$XDG_CACHE_HOME made 0700");
	cc = cert_cache_new(NULL);
	tap_ok(cert_cache_lookup(cc, auth.der, auth.len, &e), "and found again: hit");
	cert_cache_entry_clear(&e);
	cert_cache_free(cc);

	/* HOME/.cache/jpki-pkcs11 when XDG_CACHE_HOME is unset or relative. */
	snprintf(home, sizeof(home), "%s/home", root);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	setenv("XDG_CACHE_HOME", "relative/path", 1);
	cc = cert_cache_new(NULL);
	entry_of(&e, &auth, NULL, NULL);
	tap_ok(cert_cache_store(cc, &e), "relative XDG_CACHE_HOME ignored: HOME used");
	cert_cache_entry_clear(&e);
	cert_cache_free(cc);
	snprintf(path, sizeof(path), "%s/.cache/jpki-pkcs11", home);
	tap_ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "$HOME/.cache/jpki-pkcs11 made");

	/* No HOME at all: no cache, no crash. */
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	cc = cert_cache_new(NULL);
	entry_of(&e, &auth, NULL, NULL);
	tap_ok(!cert_cache_store(cc, &e), "no HOME: nothing written");
	cert_cache_entry_clear(&e);
	tap_ok(!cert_cache_lookup(cc, auth.der, auth.len, &e), "no HOME: miss");
	cert_cache_free(cc);

	/* A read-only HOME (procfs refuses mkdir, even to root). */
	setenv("HOME", "/proc", 1);
	cc = cert_cache_new(NULL);
	entry_of(&e, &auth, NULL, NULL);
	tap_ok(!cert_cache_store(cc, &e), "read-only HOME: nothing written");
	cert_cache_entry_clear(&e);
	tap_ok(!cert_cache_lookup(cc, auth.der, auth.len, &e), "read-only HOME: miss");
	cert_cache_free(cc);
	/* XDG_CACHE_HOME naming a file (the test suite's "no cache"). */
	setenv("XDG_CACHE_HOME", "/dev/null", 1);
	cc = cert_cache_new(NULL);
	entry_of(&e, &auth, NULL, NULL);
	tap_ok(!cert_cache_store(cc, &e), "XDG_CACHE_HOME=/dev/null: nothing written");
	cert_cache_entry_clear(&e);
	cert_cache_free(cc);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
}

/* Two processes storing different entries of one card at once, while this
 * one reads: every read is a hit with a complete entry. */
static void test_concurrent(void)
{
	struct cert_cache_entry e;
	char dir[512];
	pid_t kids[2];
	int i, status, hits = 0, reads = 0, complete = 0;

	fresh_dir(dir, sizeof(dir), "race");
	store_full(dir);
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct cert_cache *cc = cert_cache_new_dir(dir, geteuid(), NULL);
			struct cert_cache_entry mine;
			int n, ok = 1;

			entry_of(&mine, &auth, i ? &auth_ca : NULL, i ? NULL : &sign_ca);
			for (n = 0; n < 300; n++)
				ok &= cert_cache_store(cc, &mine);
			cert_cache_entry_clear(&mine);
			cert_cache_free(cc);
			_exit(ok ? 0 : 1);
		}
	}
	for (;;) {
		bool running = false;

		for (i = 0; i < 2; i++)
			if (kids[i] > 0 && waitpid(kids[i], &status, WNOHANG) == 0)
				running = true;
		if (!running && reads > 0)
			break;
		reads++;
		if (lookup(dir, &auth, &e)) {
			hits++;
			if (same(&e, CERT_CACHE_AUTH, &auth) &&
			    (e.der[CERT_CACHE_AUTH_CA] != NULL) +
					    (e.der[CERT_CACHE_SIGN_CA] != NULL) >=
				    1)
				complete++;
		}
		cert_cache_entry_clear(&e);
	}
	for (i = 0; i < 2; i++) {
		waitpid(kids[i], &status, 0);
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: every store done",
		       i);
	}
	tap_ok(reads > 0 && hits == reads, "reader during the writes: %d of %d hits", hits, reads);
	tap_is_int(complete, hits, "every hit a complete entry");
	tap_is_int(count_files(dir, true), 0, "no temp file left");
	tap_is_int(count_files(dir, false), 1, "one entry file");
}

int main(void)
{
	char cmd[600];

	load(&auth, "auth");
	load(&auth2, "auth-2");
	load(&auth_ca, "auth-ca");
	load(&auth_ca2, "auth-ca-2");
	load(&sign_ca, "sign-ca");
	load(&sign_ca2, "sign-ca-2");
	snprintf(root, sizeof(root), "/tmp/test-cert-cache.XXXXXX");
	if (mkdtemp(root) == NULL)
		tap_bail("mkdtemp: %s", strerror(errno));
	test_round_trip();
	test_other_card();
	test_wrong_cas();
	test_corrupt();
	test_symlink_fifo();
	test_owner_mode();
	test_environment();
	test_concurrent();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_ok(false, "remove %s", root);
	free(auth.der);
	free(auth2.der);
	free(auth_ca.der);
	free(auth_ca2.der);
	free(sign_ca.der);
	free(sign_ca2.der);
	return tap_done();
}
