/* The emulator's persistent state: one key=value file plus keys and certificates as files. */
#include "sim-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Retry counters: docs/card.md 4 (照合番号A/B counts are unknown; MYC implies 10). */
const struct sim_pin_def sim_pin_defs[SIM_PIN_COUNT] = {
	[SIM_PIN_AUTH] = {"auth-pin", 3, 4, 4},	   [SIM_PIN_SIGN] = {"sign-pin", 5, 6, 16},
	[SIM_PIN_TEXT] = {"text-pin", 3, 4, 4},	   [SIM_PIN_TEXT_A] = {"text-a", 10, 12, 12},
	[SIM_PIN_TEXT_B] = {"text-b", 10, 14, 14},
};

const char *const sim_cert_files[SIM_CERT_COUNT] = {
	[SIM_CERT_AUTH] = SIM_FILE_AUTH,
	[SIM_CERT_SIGN] = SIM_FILE_SIGN,
	[SIM_CERT_AUTH_CA] = SIM_FILE_AUTH_CA,
	[SIM_CERT_SIGN_CA] = SIM_FILE_SIGN_CA,
};

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int sim_write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = path_join(dir, name), *tmp = NULL;
	int fd = -1, rc = -1;
	size_t n;

	if (path == NULL)
		goto out;
	n = strlen(path) + 5;
	tmp = malloc(n);
	if (tmp == NULL)
		goto out;
	snprintf(tmp, n, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	for (size_t done = 0; done < len;) {
		ssize_t w = write(fd, (const uint8_t *)data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		done += (size_t)w;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	/* rename: a crash never leaves a half-written counter file behind. */
	if (rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

int sim_read_file(const char *dir, const char *name, uint8_t **data, size_t *len)
{
	char *path = path_join(dir, name);
	FILE *fp = NULL;
	uint8_t *buf = NULL;
	long size;
	int rc = -1;

	if (path == NULL)
		goto out;
	fp = fopen(path, "rbe");
	if (fp == NULL)
		goto out;
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || size > 1 << 20 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, fp) != (size_t)size)
		goto out;
	buf[size] = 0; /* text files can be parsed as strings */
	*data = buf;
	*len = (size_t)size;
	buf = NULL;
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	free(buf);
	free(path);
	return rc;
}

bool sim_state_exists(const char *state_dir)
{
	char *path = path_join(state_dir, SIM_FILE_STATE);
	bool ok = path != NULL && access(path, R_OK) == 0;

	free(path);
	return ok;
}

void sim_identity_defaults(struct sim_identity *id)
{
	*id = (struct sim_identity){
		.auth_pin = SIM_DEFAULT_AUTH_PIN,
		.sign_pin = SIM_DEFAULT_SIGN_PIN,
		.text_pin = SIM_DEFAULT_TEXT_PIN,
		.mynumber = SIM_DEFAULT_MYNUMBER,
		.name = SIM_DEFAULT_NAME,
		.address = SIM_DEFAULT_ADDRESS,
		.birth = SIM_DEFAULT_BIRTH,
		.sex = SIM_DEFAULT_SEX,
		.prefecture = SIM_DEFAULT_PREFECTURE,
		.municipality = SIM_DEFAULT_MUNICIPALITY,
		.security_code = SIM_DEFAULT_SECURITY_CODE,
	};
}

static bool all_in(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = s == NULL ? 0 : strlen(s);

	return s != NULL && n >= min && n <= max && strspn(s, set) == n;
}

#define DIGITS "0123456789"

static bool text_ok(const char *s)
{
	return s != NULL && *s != '\0' && strlen(s) < SIM_TEXT_MAX && strchr(s, '\n') == NULL;
}

/* identity_check: the card issuer's rules (section 4); a bad field is named on stderr. */
static int identity_check(const struct sim_identity *id)
{
	const char *bad = NULL;
	char era[8];

	if (!all_in(id->auth_pin, DIGITS, 4, 4))
		bad = "auth PIN (4 digits)";
	else if (!all_in(id->sign_pin, DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 6, 16))
		bad = "sign password ([A-Z0-9]{6,16})";
	else if (!all_in(id->text_pin, DIGITS, 4, 4))
		bad = "text PIN (4 digits)";
	else if (!all_in(id->mynumber, DIGITS, 12, 12))
		bad = "My Number (12 digits)";
	else if (!all_in(id->birth, DIGITS, 8, 8) || sim_era_date(id->birth, true, era, 8) != 0)
		bad = "birth date (YYYYMMDD, after 1868)";
	else if (id->sex != '1' && id->sex != '2' && id->sex != '9')
		bad = "sex (1, 2 or 9)";
	else if (!all_in(id->security_code, DIGITS, 4, 4))
		bad = "security code (4 digits)";
	else if (!text_ok(id->name) || !text_ok(id->address) || !text_ok(id->prefecture) ||
		 !text_ok(id->municipality))
		bad = "name, address, prefecture or municipality";
	if (bad != NULL)
		fprintf(stderr, "jpki-card-sim: invalid %s\n", bad);
	return bad == NULL ? 0 : -1;
}

static void serial_from_cert(struct sim_state *st)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	memset(st->serial, '0', 16);
	st->serial[16] = 0;
	if (st->cert[SIM_CERT_AUTH] != NULL &&
	    EVP_Digest(st->cert[SIM_CERT_AUTH], st->cert_len[SIM_CERT_AUTH], md, &mdlen,
		       EVP_sha256(), NULL) == 1)
		for (int i = 0; i < 16; i++)
			st->serial[i] = (char)('0' + md[i] % 10);
}

int sim_state_create(const char *state_dir, const struct sim_identity *id)
{
	struct sim_state st = {0};
	char era[8];
	int rc = -1;

	if (identity_check(id) != 0)
		goto out;
	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "jpki-card-sim: cannot create %s: %s\n", state_dir,
			strerror(errno));
		goto out;
	}
	if (sim_pki_generate(state_dir, id) != 0)
		goto out;
	st.dir = strdup(state_dir);
	if (st.dir == NULL)
		goto out;
	snprintf(st.pin[SIM_PIN_AUTH], sizeof(st.pin[0]), "%s", id->auth_pin);
	snprintf(st.pin[SIM_PIN_SIGN], sizeof(st.pin[0]), "%s", id->sign_pin);
	snprintf(st.pin[SIM_PIN_TEXT], sizeof(st.pin[0]), "%s", id->text_pin);
	snprintf(st.pin[SIM_PIN_TEXT_A], sizeof(st.pin[0]), "%s", id->mynumber);
	/* 照合番号B: era YYMMDD of birth + card expiry year (10 years on) + security code. */
	if (sim_era_date(id->birth, true, era, sizeof(era)) != 0)
		goto out;
	{
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		snprintf(st.pin[SIM_PIN_TEXT_B], sizeof(st.pin[0]), "%.6s%04d%.4s", era,
			 (tm.tm_year + 1910) % 10000, id->security_code);
	}
	for (int i = 0; i < SIM_PIN_COUNT; i++)
		st.tries[i] = sim_pin_defs[i].max_tries;
	snprintf(st.name, sizeof(st.name), "%s", id->name);
	snprintf(st.address, sizeof(st.address), "%s", id->address);
	snprintf(st.birth, sizeof(st.birth), "%s", id->birth);
	st.sex = id->sex;
	if (sim_read_file(state_dir, SIM_FILE_AUTH, &st.cert[SIM_CERT_AUTH],
			  &st.cert_len[SIM_CERT_AUTH]) != 0)
		goto out;
	serial_from_cert(&st);
	rc = sim_state_save(&st);
out:
	sim_state_free(&st);
	return rc;
}

int sim_state_save(const struct sim_state *st)
{
	char buf[4096];
	size_t n = 0;
	int rc;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "version=1\n");
	for (int i = 0; i < SIM_PIN_COUNT; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s=%s\n%s-tries=%u\n",
				      sim_pin_defs[i].name, st->pin[i], sim_pin_defs[i].name,
				      st->tries[i]);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "name=%s\naddress=%s\nbirth=%s\nsex=%c\nserial=%s\n", st->name,
			      st->address, st->birth, st->sex, st->serial);
	if (n >= sizeof(buf))
		return -1;
	rc = sim_write_file(st->dir, SIM_FILE_STATE, buf, n);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != 0)
		fprintf(stderr, "jpki-card-sim: cannot write the state in %s: %s\n", st->dir,
			strerror(errno));
	return rc;
}

/* state_set: applies one key=value line; unknown keys are ignored (newer state files). */
static int state_set(struct sim_state *st, const char *key, const char *val)
{
	for (int i = 0; i < SIM_PIN_COUNT; i++) {
		size_t kl = strlen(sim_pin_defs[i].name);
		if (strncmp(key, sim_pin_defs[i].name, kl) != 0)
			continue;
		if (key[kl] == 0) {
			if (strlen(val) > SIM_PIN_MAX)
				return -1;
			snprintf(st->pin[i], sizeof(st->pin[i]), "%s", val);
			return 0;
		}
		if (strcmp(key + kl, "-tries") == 0) {
			char *end;
			unsigned long t = strtoul(val, &end, 10);
			if (*end != 0 || t > sim_pin_defs[i].max_tries)
				return -1;
			st->tries[i] = (unsigned)t;
			return 0;
		}
	}
	if (strcmp(key, "name") == 0)
		snprintf(st->name, sizeof(st->name), "%s", val);
	else if (strcmp(key, "address") == 0)
		snprintf(st->address, sizeof(st->address), "%s", val);
	else if (strcmp(key, "birth") == 0 && strlen(val) == 8)
		memcpy(st->birth, val, 9);
	else if (strcmp(key, "sex") == 0 && strlen(val) == 1)
		st->sex = val[0];
	else if (strcmp(key, "serial") == 0 && strlen(val) == 16)
		memcpy(st->serial, val, 17);
	return 0;
}

/* load_key: the PEM PKCS#8 RSA key that sim-pki.c wrote.  Naming the format,
 * structure and type spares OpenSSL from trying every decoder it has, which
 * took most of the time of opening a card. */
static EVP_PKEY *load_key(const char *dir, const char *name)
{
	uint8_t *pem = NULL;
	size_t len = 0, left;
	const unsigned char *p;
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *key = NULL;

	if (sim_read_file(dir, name, &pem, &len) != 0)
		goto out;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", "PrivateKeyInfo", "RSA",
					     OSSL_KEYMGMT_SELECT_KEYPAIR, NULL, NULL);
	p = pem;
	left = len;
	if (dctx == NULL || OSSL_DECODER_from_data(dctx, &p, &left) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	OSSL_DECODER_CTX_free(dctx);
	if (pem != NULL)
		OPENSSL_clear_free(pem, len);
	return key;
}

/* state_parse: applies the key=value lines of the state file in dir to st. */
static int state_parse(struct sim_state *st, const char *dir)
{
	uint8_t *text = NULL;
	size_t len = 0;
	char *line, *save = NULL;
	int rc = -1;

	if (sim_read_file(dir, SIM_FILE_STATE, &text, &len) != 0) {
		fprintf(stderr, "jpki-card-sim: cannot read the state in %s\n", dir);
		return -1;
	}
	for (line = strtok_r((char *)text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (eq == NULL)
			continue;
		*eq = 0;
		if (state_set(st, line, eq + 1) != 0) {
			fprintf(stderr, "jpki-card-sim: bad value for %s in the state file\n",
				line);
			goto out;
		}
	}
	rc = 0;
out:
	OPENSSL_clear_free(text, len);
	return rc;
}

int sim_state_load(struct sim_state *st, const char *dir)
{
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->dir = strdup(dir);
	if (st->dir == NULL || state_parse(st, dir) != 0)
		goto out;
	for (int i = 0; i < SIM_CERT_COUNT; i++)
		if (sim_read_file(dir, sim_cert_files[i], &st->cert[i], &st->cert_len[i]) != 0) {
			fprintf(stderr, "jpki-card-sim: cannot read %s in %s\n", sim_cert_files[i],
				dir);
			goto out;
		}
	st->auth_key = load_key(dir, SIM_FILE_AUTH_KEY);
	st->sign_key = load_key(dir, SIM_FILE_SIGN_KEY);
	if (st->auth_key == NULL || st->sign_key == NULL) {
		fprintf(stderr, "jpki-card-sim: cannot load the keys in %s\n", dir);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		sim_state_free(st);
	return rc;
}

int sim_state_reload_pins(struct sim_state *st)
{
	struct sim_state now;
	int rc;

	memset(&now, 0, sizeof(now));
	rc = state_parse(&now, st->dir);
	if (rc == 0) {
		memcpy(st->pin, now.pin, sizeof(st->pin));
		memcpy(st->tries, now.tries, sizeof(st->tries));
	}
	OPENSSL_cleanse(&now, sizeof(now));
	return rc;
}

void sim_state_free(struct sim_state *st)
{
	free(st->dir);
	for (int i = 0; i < SIM_CERT_COUNT; i++)
		free(st->cert[i]);
	EVP_PKEY_free(st->auth_key);
	EVP_PKEY_free(st->sign_key);
	OPENSSL_cleanse(st, sizeof(*st));
}

char *sim_fixture_clone(const char *fixture_dir)
{
	const char *src = fixture_dir;
	const char *tmpdir = getenv("TMPDIR");
	char *dst = NULL;
	DIR *d = NULL;
	struct dirent *e;
	bool ok = false;

	if (src == NULL)
		src = getenv("JPKI_SIM_FIXTURE");
	if (src == NULL || !sim_state_exists(src)) {
		fprintf(stderr, "sim_fixture_clone: no fixture (set JPKI_SIM_FIXTURE)\n");
		return NULL;
	}
	if (tmpdir == NULL || *tmpdir == 0)
		tmpdir = "/tmp";
	dst = path_join(tmpdir, "jpki-sim.XXXXXX");
	if (dst == NULL || mkdtemp(dst) == NULL)
		goto out;
	d = opendir(src);
	if (d == NULL)
		goto out;
	while ((e = readdir(d)) != NULL) {
		uint8_t *data = NULL;
		size_t len = 0;
		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp") != NULL)
			continue;
		if (sim_read_file(src, e->d_name, &data, &len) != 0)
			goto out;
		int rc = sim_write_file(dst, e->d_name, data, len);
		OPENSSL_clear_free(data, len);
		if (rc != 0)
			goto out;
	}
	ok = true;
out:
	if (d != NULL)
		closedir(d);
	if (!ok) {
		fprintf(stderr, "sim_fixture_clone: cannot copy %s\n", src);
		if (dst != NULL && dst[0] != 0)
			sim_fixture_remove(dst);
		else
			free(dst);
		dst = NULL;
	}
	return dst;
}

void sim_fixture_remove(char *dir)
{
	DIR *d;
	struct dirent *e;

	if (dir == NULL)
		return;
	d = opendir(dir);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char *p = path_join(dir, e->d_name);
			if (p != NULL)
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}
