/* Fuzz target settings (docs/fuzzing.md): the settings-file parser (src/settings.h) on arbitrary
 * bytes: never a crash, every setting within its bounds, and warnings that
 * name real line numbers. */
#include "fuzz.h"

#include <string.h>

#include "settings.h"

struct fuzz_settings_ctx {
	unsigned lines; /* lines in the input */
	unsigned warnings;
};

static void fuzz_settings_warn(void *ctx, unsigned int line, const char *message)
{
	struct fuzz_settings_ctx *fc = ctx;

	FUZZ_ASSERT(message != NULL && message[0] != '\0');
	FUZZ_ASSERT(line >= 1 && line <= fc->lines);
	fc->warnings++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_settings_ctx ctx = {0, 0};
	struct settings cfg;
	size_t i;

	for (i = 0; i < size; i++)
		ctx.lines += data[i] == '\n';
	ctx.lines += size > 0 && data[size - 1] != '\n';
	settings_defaults(&cfg);
	settings_parse(&cfg, (const char *)data, size, fuzz_settings_warn, &ctx);
	FUZZ_ASSERT(cfg.tokens == SETTINGS_TOKENS_BOTH || cfg.tokens == SETTINGS_TOKENS_AUTH ||
		    cfg.tokens == SETTINGS_TOKENS_SIGN);
	FUZZ_ASSERT(cfg.n_include <= SETTINGS_MAX_PATTERNS);
	FUZZ_ASSERT(cfg.n_exclude <= SETTINGS_MAX_PATTERNS);
	for (i = 0; i < cfg.n_include; i++)
		FUZZ_ASSERT(strnlen(cfg.reader_include[i], SETTINGS_MAX_PATTERN_LEN + 1) - 1 <
			    SETTINGS_MAX_PATTERN_LEN);
	for (i = 0; i < cfg.n_exclude; i++)
		FUZZ_ASSERT(strnlen(cfg.reader_exclude[i], SETTINGS_MAX_PATTERN_LEN + 1) - 1 <
			    SETTINGS_MAX_PATTERN_LEN);
	FUZZ_ASSERT(strnlen(cfg.debug, sizeof(cfg.debug)) < sizeof(cfg.debug));
	/* Both lists apply to any reader name; an include list admits only its matches. */
	if (cfg.n_include > 0)
		FUZZ_ASSERT(!settings_reader_allowed(&cfg, ""));
	settings_reader_allowed(&cfg, "Fuzz Reader 00");
	return 0;
}
