/* Unit tests of the settings-file parser (src/settings.c). */
#include "settings.h"

#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct warnings {
	unsigned int count;
	unsigned int last_line;
};

static void count_warning(void *ctx, unsigned int line, const char *message)
{
	struct warnings *w = ctx;
	w->count++;
	w->last_line = line;
	(void)message;
}

static void parse(struct settings *cfg, struct warnings *w, const char *text)
{
	settings_defaults(cfg);
	*w = (struct warnings){0};
	settings_parse(cfg, text, strlen(text), count_warning, w);
}

static void test_defaults(void)
{
	struct settings cfg;
	settings_defaults(&cfg);
	tap_is_int(cfg.tokens, SETTINGS_TOKENS_BOTH, "default: both tokens");
	tap_ok(cfg.sign_always_authenticate, "default: the signature key always authenticates");
	tap_ok(!cfg.pss_off, "default: pss = auto");
	tap_ok(settings_reader_allowed(&cfg, "Any Reader 00 00"), "default: every reader allowed");
	tap_is_int(cfg.debug[0], 0, "default: no debug");
	tap_ok(cfg.cache, "default: certificate cache on");
}

static void test_settings(void)
{
	struct settings cfg;
	struct warnings w;

	parse(&cfg, &w,
	      "# a comment\n\n  tokens = auth   # browsers only\n"
	      "sign_always_authenticate=no\r\n"
	      "reader_include = ACS\nreader_include=Virtual\nreader_exclude = Virtual PCD 01\n"
	      "debug = 3:/tmp/x.log\n");
	tap_is_int(w.count, 0, "a valid file gives no warning");
	tap_is_int(cfg.tokens, SETTINGS_TOKENS_AUTH, "tokens = auth");
	tap_ok(!cfg.sign_always_authenticate, "sign_always_authenticate = no (CRLF line)");
	tap_ok(strcmp(cfg.debug, "3:/tmp/x.log") == 0, "debug value kept");
	tap_ok(settings_reader_allowed(&cfg, "ACS ACR39U 00 00"), "included reader allowed");
	tap_ok(settings_reader_allowed(&cfg, "Virtual PCD 00 00"), "second include pattern");
	tap_ok(!settings_reader_allowed(&cfg, "Virtual PCD 01 00"), "exclude wins over include");
	tap_ok(!settings_reader_allowed(&cfg, "Gemalto 00 00"),
	       "reader matching no include refused");
	parse(&cfg, &w, "pss = off\n");
	tap_ok(w.count == 0 && cfg.pss_off, "pss = off");
	parse(&cfg, &w, "pss = off\npss = auto\n");
	tap_ok(w.count == 0 && !cfg.pss_off, "pss = auto (the last line wins)");
}

static void test_bad_input(void)
{
	struct settings cfg;
	struct warnings w;
	char big[3000];

	parse(&cfg, &w, "tokens = all\n");
	tap_is_int(w.count, 1, "bad tokens value warned");
	tap_is_int(cfg.tokens, SETTINGS_TOKENS_BOTH, "bad tokens value keeps the default");

	parse(&cfg, &w, "sign_always_authenticate = maybe\n");
	tap_ok(w.count == 1 && cfg.sign_always_authenticate, "bad boolean keeps the default");

	parse(&cfg, &w, "pss = on\n");
	tap_ok(w.count == 1 && !cfg.pss_off, "bad pss value warned, keeps auto");
	parse(&cfg, &w, "cache = off\n");
	tap_ok(w.count == 0 && !cfg.cache, "cache = off");
	parse(&cfg, &w, "cache = sometimes\n");
	tap_ok(w.count == 1 && cfg.cache, "bad cache value warned, keeps the default (on)");

	parse(&cfg, &w, "\n\nno equals sign\n");
	tap_ok(w.count == 1 && w.last_line == 3, "line without '=' warned with its number");

	parse(&cfg, &w, "colour = blue\n");
	tap_is_int(w.count, 1, "unknown key warned");

	parse(&cfg, &w, "tokens = sign\0tokens = auth\n");
	tap_is_int(cfg.tokens, SETTINGS_TOKENS_SIGN, "a string stops at its NUL (C caller)");
	settings_defaults(&cfg);
	w = (struct warnings){0};
	settings_parse(&cfg, "tokens = sign\0x\n", 16, count_warning, &w);
	tap_ok(w.count == 1 && cfg.tokens == SETTINGS_TOKENS_BOTH,
	       "NUL inside a line: line ignored");

	memset(big, 'a', sizeof(big));
	memcpy(big, "debug = ", 8);
	big[sizeof(big) - 1] = '\0';
	parse(&cfg, &w, big);
	tap_ok(w.count == 1 && cfg.debug[0] == '\0', "over-long line ignored");

	parse(&cfg, &w, "reader_include =\n");
	tap_ok(w.count == 1 && cfg.n_include == 0, "empty pattern ignored");

	settings_defaults(&cfg);
	w = (struct warnings){0};
	for (int i = 0; i < SETTINGS_MAX_PATTERNS + 2; i++)
		settings_parse(&cfg, "reader_exclude = X\n", 19, count_warning, &w);
	tap_ok(cfg.n_exclude == SETTINGS_MAX_PATTERNS && w.count == 2, "pattern list bounded");

	parse(&cfg, &w, "=\n = x\ntokens\n");
	tap_is_int(w.count, 3, "degenerate lines each warned");

	parse(&cfg, &w, "tokens = auth");
	tap_is_int(cfg.tokens, SETTINGS_TOKENS_AUTH, "last line without newline parsed");
}

static void test_load(void)
{
	struct settings cfg;
	struct warnings w = {0};
	char path[] = "/tmp/jpki-settings-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	if (fd < 0)
		tap_bail("mkstemp failed");
	settings_load(&cfg, "/nonexistent/jpki-pkcs11.conf", count_warning, &w);
	tap_ok(w.count == 0 && cfg.tokens == SETTINGS_TOKENS_BOTH,
	       "missing file: defaults, no warning");

	fp = fdopen(fd, "w");
	fputs("tokens = sign\n", fp);
	fclose(fp);
	settings_load(&cfg, path, count_warning, &w);
	tap_ok(w.count == 0 && cfg.tokens == SETTINGS_TOKENS_SIGN, "file loaded");

	fp = fopen(path, "w");
	for (int i = 0; i < SETTINGS_MAX_FILE_SIZE / 10 + 10; i++)
		fputs("# filler\n\n", fp);
	fclose(fp);
	w.count = 0;
	settings_load(&cfg, path, count_warning, &w);
	tap_ok(w.count == 1 && w.last_line == 0, "oversized file refused whole");
	unlink(path);

	w.count = 0;
	settings_load(&cfg, "/", count_warning, &w);
	tap_ok(w.count == 1 && cfg.tokens == SETTINGS_TOKENS_BOTH, "a directory: defaults, warned");

	/* A FIFO with no writer would block a plain open() for ever. */
	if (mkfifo(path, 0600) != 0)
		tap_bail("mkfifo failed");
	w.count = 0;
	settings_load(&cfg, path, count_warning, &w);
	tap_ok(w.count == 1 && cfg.tokens == SETTINGS_TOKENS_BOTH,
	       "a FIFO: not read, defaults, warned");
	unlink(path);
}

int main(void)
{
	test_defaults();
	test_settings();
	test_bad_input();
	test_load();
	return tap_done();
}
