/* The certificate cache: see cert-cache.h.
 *
 * File format (version 1), all lengths big-endian:
 *   "JPKICACH" | version (1 byte) | flags (1 byte) | 2 bytes zero
 *   then for auth, auth CA, sign CA: length (2 bytes, 0 = absent) | DER
 * and nothing after.  Flags a reader does not know are ignored (a version 1
 * file without the PSS flags says "not known": the card is asked again and
 * the entry rewritten), so adding a flag needs no new version.  The file's name is the hex SHA-256 of the auth
 * certificate's first CERT_CACHE_CHUNK bytes: one file per card and
 * certificate, found from the card's first READ BINARY.
 */
#include "cert-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "fdio.h"

#ifndef HAVE_SECURE_GETENV
#define secure_getenv getenv
#endif

#define CACHE_MAGIC	"JPKICACH"
#define CACHE_MAGIC_LEN 8
#define CACHE_VERSION	1
#define CACHE_HDR_LEN	(CACHE_MAGIC_LEN + 4)
#define CACHE_SUBDIR	"jpki-pkcs11"
#define CACHE_NAME_LEN	64 /* hex SHA-256 */

static const char *const cache_item_names[CERT_CACHE_ITEMS] = {
	[CERT_CACHE_AUTH] = "auth certificate",
	[CERT_CACHE_AUTH_CA] = "auth CA certificate",
	[CERT_CACHE_SIGN_CA] = "sign CA certificate",
};

struct cert_cache {
	const struct log *log;
	char *fixed_dir; /* cert_cache_new_dir: this directory; NULL: the user's */
	uid_t owner;
	int dfd;      /* the open cache directory; -1 before first use or when unusable */
	bool tried;   /* the directory was looked for (once per cache) */
	unsigned seq; /* temp file names */
};

struct cert_cache *cert_cache_new(const struct log *log)
{
	struct cert_cache *cc = calloc(1, sizeof(*cc));

	if (cc == NULL)
		return NULL;
	cc->log = log;
	cc->owner = geteuid();
	cc->dfd = -1;
	return cc;
}

struct cert_cache *cert_cache_new_dir(const char *dir, uid_t owner, const struct log *log)
{
	struct cert_cache *cc = cert_cache_new(log);

	if (cc == NULL)
		return NULL;
	cc->fixed_dir = strdup(dir);
	if (cc->fixed_dir == NULL) {
		free(cc);
		return NULL;
	}
	cc->owner = owner;
	return cc;
}

void cert_cache_free(struct cert_cache *cc)
{
	if (cc == NULL)
		return;
	if (cc->dfd >= 0)
		close(cc->dfd);
	free(cc->fixed_dir);
	free(cc);
}

/* cache_open_base: the directory the cache directory goes in, created (0700)
 * if it is missing but its parent exists (XDG: a relative path is ignored). */
static int cache_open_base(const char **why)
{
	const char *xdg = secure_getenv("XDG_CACHE_HOME");
	const char *home = secure_getenv("HOME");
	char path[4096];
	int fd;

	if (xdg != NULL && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s", xdg);
	else if (home != NULL && home[0] == '/')
		snprintf(path, sizeof(path), "%s/.cache", home);
	else {
		*why = "no XDG_CACHE_HOME or HOME";
		return -1;
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		*why = "cannot create the cache base directory";
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		*why = "cannot open the cache base directory";
	return fd;
}

/* cache_dir: the open cache directory, found and checked once: ours (the
 * owner), a directory (not a symlink to one), 0700 (tightened if looser). */
static int cache_dir(struct cert_cache *cc)
{
	const char *why = NULL, *name = CACHE_SUBDIR;
	struct stat st;
	int base = AT_FDCWD, fd = -1;

	if (cc->tried)
		return cc->dfd;
	cc->tried = true;
	if (cc->fixed_dir != NULL) {
		name = cc->fixed_dir;
	} else {
		base = cache_open_base(&why);
		if (base < 0)
			goto out;
	}
	if (mkdirat(base, name, 0700) != 0 && errno != EEXIST) {
		why = "cannot create the cache directory";
		goto out;
	}
	fd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		why = "cannot open the cache directory (or it is a symlink)";
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != cc->owner) {
		why = "the cache directory is not the user's";
		goto out;
	}
	if ((st.st_mode & 077) != 0 && fchmod(fd, 0700) != 0) {
		why = "the cache directory is open to others and cannot be made private";
		goto out;
	}
	cc->dfd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (base >= 0)
		close(base);
	if (why != NULL)
		log_printf(cc->log, LOG_CALLS, "certificate cache not used: %s", why);
	return cc->dfd;
}

/* cache_name: the file name of the entry whose auth certificate starts with chunk. */
static bool cache_name(const uint8_t *chunk, char name[CACHE_NAME_LEN + 1])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(chunk, CERT_CACHE_CHUNK, md, &n, EVP_sha256(), NULL) ||
	    n * 2 != CACHE_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		snprintf(name + 2 * i, 3, "%02x", md[i]);
	return true;
}

/* cache_read_file: the whole file, if it is a regular file of ours, private
 * and at most CERT_CACHE_FILE_MAX bytes. */
static bool cache_read_file(struct cert_cache *cc, const char *name, uint8_t *buf, size_t *len)
{
	const char *why = NULL;
	struct stat st;
	size_t off = 0;
	int fd;

	/* O_NOFOLLOW: a symlink fails (ELOOP); O_NONBLOCK: a FIFO does not hang. */
	fd = openat(cc->dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		why = errno == ENOENT ? "no entry for this card"
				      : "entry not openable (a symlink?)";
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		why = "entry is not a regular file";
		goto out;
	}
	if (st.st_uid != cc->owner || (st.st_mode & 077) != 0) {
		why = "entry is not the user's, or is open to others";
		goto out;
	}
	if (st.st_size > CERT_CACHE_FILE_MAX) {
		why = "entry too large";
		goto out;
	}
	/* Bounded by the buffer whatever the size said. */
	if (!fdio_read_max(fd, buf, CERT_CACHE_FILE_MAX, &off)) {
		why = "entry unreadable";
		goto out;
	}
	if (off > CERT_CACHE_FILE_MAX) {
		why = "entry too large";
		goto out;
	}
	*len = off;
out:
	if (fd >= 0)
		close(fd);
	if (why != NULL)
		log_printf(cc->log, LOG_CALLS, "certificate cache miss: %s", why);
	return why == NULL;
}

/* cache_parse: the entry in buf, without judging its certificates. */
static bool cache_parse(const uint8_t *buf, size_t len, struct cert_cache_entry *e,
			const char **why)
{
	size_t off = CACHE_HDR_LEN, n;
	int i;

	if (len < CACHE_HDR_LEN || memcmp(buf, CACHE_MAGIC, CACHE_MAGIC_LEN) != 0) {
		*why = "not a cache entry";
		return false;
	}
	if (buf[CACHE_MAGIC_LEN] != CACHE_VERSION || buf[CACHE_MAGIC_LEN + 2] != 0 ||
	    buf[CACHE_MAGIC_LEN + 3] != 0) {
		*why = "entry of another version";
		return false;
	}
	e->flags = buf[CACHE_MAGIC_LEN + 1] & CERT_CACHE_FLAGS;
	if ((e->flags & CERT_CACHE_PSS_YES) && (e->flags & CERT_CACHE_PSS_NO))
		e->flags &= ~(unsigned)(CERT_CACHE_PSS_YES | CERT_CACHE_PSS_NO);
	for (i = 0; i < CERT_CACHE_ITEMS; i++) {
		if (len - off < 2)
			goto truncated;
		n = (size_t)buf[off] << 8 | buf[off + 1];
		off += 2;
		if (n > CERT_CACHE_DER_MAX || len - off < n)
			goto truncated;
		if (n > 0 && !cert_cache_entry_set(e, (enum cert_cache_item)i, buf + off, n)) {
			*why = "out of memory";
			return false;
		}
		off += n;
	}
	if (off != len)
		goto truncated;
	return true;
truncated:
	*why = "entry truncated or corrupt";
	return false;
}

static void cache_drop(struct cert_cache_entry *e, enum cert_cache_item item)
{
	free(e->der[item]);
	e->der[item] = NULL;
	e->len[item] = 0;
}

/* cache_is_ca: one DER certificate that is a CA's. */
static bool cache_is_ca(const uint8_t *der, size_t len)
{
	X509 *x = cert_decode(der, len);
	bool ok = x != NULL && X509_check_ca(x) > 0;

	X509_free(x);
	return ok;
}

bool cert_cache_lookup(struct cert_cache *cc, const uint8_t *chunk, size_t chunk_len,
		       struct cert_cache_entry *e)
{
	char name[CACHE_NAME_LEN + 1];
	const char *why = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	X509 *auth = NULL;
	bool hit = false;

	memset(e, 0, sizeof(*e));
	if (cc == NULL || chunk == NULL || chunk_len < CERT_CACHE_CHUNK)
		return false;
	if (cache_dir(cc) < 0 || !cache_name(chunk, name))
		return false;
	buf = malloc(CERT_CACHE_FILE_MAX + 1);
	if (buf == NULL || !cache_read_file(cc, name, buf, &len))
		goto out;
	if (!cache_parse(buf, len, e, &why))
		goto out;
	/* The card's own bytes decide: its serial, issuer and validity. */
	if (e->der[CERT_CACHE_AUTH] == NULL || e->len[CERT_CACHE_AUTH] <= CERT_CACHE_CHUNK ||
	    memcmp(e->der[CERT_CACHE_AUTH], chunk, CERT_CACHE_CHUNK) != 0) {
		why = "entry is not this card's certificate";
		goto out;
	}
	auth = cert_decode(e->der[CERT_CACHE_AUTH], e->len[CERT_CACHE_AUTH]);
	if (auth == NULL) {
		why = "cached auth certificate does not parse";
		goto out;
	}
	/* The auth CA only if it issued this certificate; the sign CA only if
	 * it is a CA (the sign certificate that would name it is private: it
	 * is checked when read after login, see jpki's use of the cache). */
	if (e->der[CERT_CACHE_AUTH_CA] != NULL &&
	    !cert_issued_by(e->der[CERT_CACHE_AUTH], e->len[CERT_CACHE_AUTH],
			    e->der[CERT_CACHE_AUTH_CA], e->len[CERT_CACHE_AUTH_CA])) {
		log_printf(cc->log, LOG_CALLS, "certificate cache: %s not used (not the issuer)",
			   cache_item_names[CERT_CACHE_AUTH_CA]);
		cache_drop(e, CERT_CACHE_AUTH_CA);
	}
	if (e->der[CERT_CACHE_SIGN_CA] != NULL &&
	    !cache_is_ca(e->der[CERT_CACHE_SIGN_CA], e->len[CERT_CACHE_SIGN_CA])) {
		log_printf(cc->log, LOG_CALLS, "certificate cache: %s not used (not a CA)",
			   cache_item_names[CERT_CACHE_SIGN_CA]);
		cache_drop(e, CERT_CACHE_SIGN_CA);
	}
	hit = true;
	log_printf(cc->log, LOG_CALLS, "certificate cache hit: auth certificate%s%s",
		   e->der[CERT_CACHE_AUTH_CA] != NULL ? ", auth CA" : "",
		   e->der[CERT_CACHE_SIGN_CA] != NULL ? ", sign CA" : "");
out:
	if (why != NULL)
		log_printf(cc->log, LOG_CALLS, "certificate cache miss: %s", why);
	if (!hit)
		cert_cache_entry_clear(e);
	X509_free(auth);
	free(buf);
	return hit;
}

/* cache_serialise: the file's bytes for e into a malloc'ed buffer. */
static uint8_t *cache_serialise(const struct cert_cache_entry *e, size_t *len)
{
	size_t total = CACHE_HDR_LEN, off;
	uint8_t *buf;
	int i;

	for (i = 0; i < CERT_CACHE_ITEMS; i++)
		total += 2 + (e->der[i] != NULL ? e->len[i] : 0);
	buf = malloc(total);
	if (buf == NULL)
		return NULL;
	memcpy(buf, CACHE_MAGIC, CACHE_MAGIC_LEN);
	buf[CACHE_MAGIC_LEN] = CACHE_VERSION;
	buf[CACHE_MAGIC_LEN + 1] = (uint8_t)e->flags;
	buf[CACHE_MAGIC_LEN + 2] = 0;
	buf[CACHE_MAGIC_LEN + 3] = 0;
	off = CACHE_HDR_LEN;
	for (i = 0; i < CERT_CACHE_ITEMS; i++) {
		size_t n = e->der[i] != NULL ? e->len[i] : 0;

		buf[off] = (uint8_t)(n >> 8);
		buf[off + 1] = (uint8_t)n;
		if (n > 0)
			memcpy(buf + off + 2, e->der[i], n);
		off += 2 + n;
	}
	*len = total;
	return buf;
}

bool cert_cache_store(struct cert_cache *cc, const struct cert_cache_entry *e)
{
	char name[CACHE_NAME_LEN + 1], tmp[96];
	const char *why = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct timespec ts;
	bool created = false;
	int fd = -1, i, tries;

	if (cc == NULL || e->der[CERT_CACHE_AUTH] == NULL ||
	    e->len[CERT_CACHE_AUTH] <= CERT_CACHE_CHUNK)
		return false;
	for (i = 0; i < CERT_CACHE_ITEMS; i++)
		if (e->der[i] != NULL && e->len[i] > CERT_CACHE_DER_MAX)
			return false;
	if (cache_dir(cc) < 0)
		return false;
	if (!cache_name(e->der[CERT_CACHE_AUTH], name) ||
	    (buf = cache_serialise(e, &len)) == NULL) {
		why = "out of memory";
		goto out;
	}
	/* A temp file of our own (O_EXCL: never an existing file or symlink),
	 * then rename over the entry: readers see the old file or the new one,
	 * never a part; a symlink or foreign file at the name is replaced. */
	for (tries = 0; fd < 0 && tries < 8; tries++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(tmp, sizeof(tmp), ".tmp-%ld-%u-%ld", (long)getpid(), cc->seq++,
			 (long)ts.tv_nsec);
		fd = openat(cc->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	created = fd >= 0;
	if (fd < 0) {
		why = "cannot create a file in the cache directory";
		goto out;
	}
	if (!fdio_write_all(fd, buf, len) || fsync(fd) != 0) {
		why = "cannot write the entry";
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		why = "cannot write the entry";
		goto out;
	}
	fd = -1;
	if (renameat(cc->dfd, tmp, cc->dfd, name) != 0) {
		why = "cannot rename the entry into place";
		goto out;
	}
	created = false;
	log_printf(cc->log, LOG_CALLS, "certificate cache: entry written (%s%s%s)",
		   e->der[CERT_CACHE_AUTH_CA] != NULL ? "auth CA, " : "",
		   e->der[CERT_CACHE_SIGN_CA] != NULL ? "sign CA, " : "", "auth certificate");
out:
	if (fd >= 0)
		close(fd);
	if (why != NULL) {
		if (created)
			unlinkat(cc->dfd, tmp, 0);
		log_printf(cc->log, LOG_CALLS, "certificate cache not written: %s", why);
	}
	free(buf);
	return why == NULL;
}

bool cert_cache_entry_set(struct cert_cache_entry *e, enum cert_cache_item item, const uint8_t *der,
			  size_t len)
{
	uint8_t *copy;

	if ((unsigned)item >= CERT_CACHE_ITEMS || der == NULL || len == 0)
		return false;
	copy = malloc(len);
	if (copy == NULL)
		return false;
	memcpy(copy, der, len);
	free(e->der[item]);
	e->der[item] = copy;
	e->len[item] = len;
	return true;
}

void cert_cache_entry_clear(struct cert_cache_entry *e)
{
	int i;

	for (i = 0; i < CERT_CACHE_ITEMS; i++)
		cache_drop(e, (enum cert_cache_item)i);
	e->flags = 0;
}
