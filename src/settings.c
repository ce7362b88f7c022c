/* The module's settings file: see settings.h. */
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"

#define MAX_LINE 1024

struct setting {
	const char *key;
	/* Returns NULL on success, else a message naming what is wrong. */
	const char *(*apply)(struct settings *cfg, const char *value);
};

struct word {
	const char *text;
	int value;
};

static const struct word token_words[] = {
	{"both", SETTINGS_TOKENS_BOTH},
	{"auth", SETTINGS_TOKENS_AUTH},
	{"sign", SETTINGS_TOKENS_SIGN},
};

static const struct word pss_words[] = {
	{"auto", 0},
	{"off", 1},
};

static const struct word bool_words[] = {
	{"yes", 1}, {"true", 1}, {"on", 1}, {"1", 1}, {"no", 0}, {"false", 0}, {"off", 0}, {"0", 0},
};

static bool lookup_word(const struct word *words, size_t n, const char *text, int *value)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(words[i].text, text) == 0) {
			*value = words[i].value;
			return true;
		}
	}
	return false;
}

static const char *apply_tokens(struct settings *cfg, const char *value)
{
	int v;
	if (!lookup_word(token_words, sizeof(token_words) / sizeof(token_words[0]), value, &v))
		return "tokens must be both, auth or sign";
	cfg->tokens = (enum settings_tokens)v;
	return NULL;
}

static const char *apply_always_auth(struct settings *cfg, const char *value)
{
	int v;
	if (!lookup_word(bool_words, sizeof(bool_words) / sizeof(bool_words[0]), value, &v))
		return "sign_always_authenticate must be yes or no";
	cfg->sign_always_authenticate = v != 0;
	return NULL;
}

static const char *apply_pss(struct settings *cfg, const char *value)
{
	int v;
	if (!lookup_word(pss_words, sizeof(pss_words) / sizeof(pss_words[0]), value, &v))
		return "pss must be auto or off";
	cfg->pss_off = v != 0;
	return NULL;
}

static const char *apply_cache(struct settings *cfg, const char *value)
{
	int v;
	if (!lookup_word(bool_words, sizeof(bool_words) / sizeof(bool_words[0]), value, &v))
		return "cache must be on or off";
	cfg->cache = v != 0;
	return NULL;
}

static const char *add_pattern(char (*list)[SETTINGS_MAX_PATTERN_LEN + 1], size_t *n,
			       const char *value)
{
	size_t len = strlen(value);
	if (len == 0)
		return "an empty reader pattern is ignored";
	if (len > SETTINGS_MAX_PATTERN_LEN)
		return "reader pattern too long, ignored";
	if (*n >= SETTINGS_MAX_PATTERNS)
		return "too many reader patterns, this one is ignored";
	memcpy(list[*n], value, len + 1);
	(*n)++;
	return NULL;
}

static const char *apply_include(struct settings *cfg, const char *value)
{
	return add_pattern(cfg->reader_include, &cfg->n_include, value);
}

static const char *apply_exclude(struct settings *cfg, const char *value)
{
	return add_pattern(cfg->reader_exclude, &cfg->n_exclude, value);
}

static const char *apply_debug(struct settings *cfg, const char *value)
{
	size_t len = strlen(value);
	if (len > SETTINGS_MAX_PATTERN_LEN)
		return "debug setting too long, ignored";
	memcpy(cfg->debug, value, len + 1);
	return NULL;
}

static const struct setting settings[] = {
	{"tokens", apply_tokens},
	{"sign_always_authenticate", apply_always_auth},
	{"reader_include", apply_include},
	{"reader_exclude", apply_exclude},
	{"debug", apply_debug},
	{"pss", apply_pss},
	{"cache", apply_cache},
};

void settings_defaults(struct settings *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tokens = SETTINGS_TOKENS_BOTH;
	cfg->sign_always_authenticate = true;
	cfg->cache = true;
}

static void warn_line(settings_warn_fn warn, void *ctx, unsigned int line, const char *message)
{
	if (warn != NULL)
		warn(ctx, line, message);
}

/* trim: strips blanks at both ends of s[0..*len) and returns the new start. */
static char *trim(char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t' || s[*len - 1] == '\r'))
		(*len)--;
	s[*len] = '\0';
	return s;
}

static void parse_line(struct settings *cfg, char *line, size_t len, unsigned int lineno,
		       settings_warn_fn warn, void *ctx)
{
	char *hash = memchr(line, '#', len);
	char *eq, *key, *value;
	size_t klen, vlen;

	if (hash != NULL)
		len = (size_t)(hash - line);
	if (memchr(line, '\0', len) != NULL) {
		warn_line(warn, ctx, lineno, "NUL byte in line, line ignored");
		return;
	}
	line = trim(line, &len);
	if (len == 0)
		return;
	eq = memchr(line, '=', len);
	if (eq == NULL) {
		warn_line(warn, ctx, lineno, "expected key = value, line ignored");
		return;
	}
	klen = (size_t)(eq - line);
	vlen = len - klen - 1;
	key = trim(line, &klen);
	value = trim(eq + 1, &vlen);
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (strcmp(settings[i].key, key) == 0) {
			const char *problem = settings[i].apply(cfg, value);
			if (problem != NULL)
				warn_line(warn, ctx, lineno, problem);
			return;
		}
	}
	warn_line(warn, ctx, lineno, "unknown setting, line ignored");
}

void settings_parse(struct settings *cfg, const char *buf, size_t len, settings_warn_fn warn,
		    void *ctx)
{
	char line[MAX_LINE + 1];
	unsigned int lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		size_t llen = end - pos;

		lineno++;
		if (llen > MAX_LINE) {
			warn_line(warn, ctx, lineno, "line too long, ignored");
		} else {
			memcpy(line, buf + pos, llen);
			line[llen] = '\0';
			parse_line(cfg, line, llen, lineno, warn, ctx);
		}
		pos = end + 1;
	}
}

void settings_load(struct settings *cfg, const char *path, settings_warn_fn warn, void *ctx)
{
	char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int fd;

	settings_defaults(cfg);
	if (path == NULL)
		return;
	/* O_NONBLOCK: a FIFO or device named by the hostile environment must not
	 * hang C_Initialize; only a regular file is read (checked below). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			warn_line(warn, ctx, 0, "settings file cannot be read, using defaults");
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		warn_line(warn, ctx, 0, "settings file is not a regular file, using defaults");
		goto out;
	}
	if (st.st_size > SETTINGS_MAX_FILE_SIZE) {
		warn_line(warn, ctx, 0, "settings file too large, using defaults");
		goto out;
	}
	buf = malloc(SETTINGS_MAX_FILE_SIZE + 1);
	if (buf == NULL)
		goto out;
	/* Read up to one byte more than allowed, to notice a file that grew. */
	if (!fdio_read_max(fd, (uint8_t *)buf, SETTINGS_MAX_FILE_SIZE, &len)) {
		warn_line(warn, ctx, 0, "settings file cannot be read, using defaults");
		goto out;
	}
	if (len > SETTINGS_MAX_FILE_SIZE) {
		warn_line(warn, ctx, 0, "settings file too large, using defaults");
		goto out;
	}
	settings_parse(cfg, buf, len, warn, ctx);
out:
	free(buf);
	close(fd);
}

bool settings_reader_allowed(const struct settings *cfg, const char *reader)
{
	bool included = cfg->n_include == 0;

	for (size_t i = 0; i < cfg->n_include && !included; i++)
		included = strstr(reader, cfg->reader_include[i]) != NULL;
	for (size_t i = 0; i < cfg->n_exclude && included; i++)
		included = strstr(reader, cfg->reader_exclude[i]) == NULL;
	return included;
}
