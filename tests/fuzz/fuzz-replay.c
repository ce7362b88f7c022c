/* The regression half of each fuzz target: a plain C test (any compiler, no
 * libFuzzer) that feeds every file of the target's corpus directory (seeds
 * and the inputs of past crashes) to the same LLVMFuzzerTestOneInput.  A
 * crash, an abort on a broken promise, or a memory error under valgrind or
 * ASan fails it.  Arguments, when given, are files to replay instead.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../tap.h"

static uint8_t *replay_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL, *grown;
	size_t cap = 0, n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			grown = realloc(buf, cap);
			if (grown == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		n = fread(buf + *len, 1, cap - *len, fp);
		if (n == 0)
			break;
		*len += n;
	}
	if (ferror(fp)) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static void replay_file(const char *path, const char *name)
{
	size_t len;
	uint8_t *data = replay_read(path, &len);

	if (!tap_ok(data != NULL, "read %s", name))
		return;
	/* libFuzzer never passes NULL data; an empty input is a 0-byte buffer. */
	tap_ok(LLVMFuzzerTestOneInput(data, len) == 0, "replay %s (%zu bytes)", name, len);
	free(data);
}

static int replay_regular(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	struct dirent **names = NULL;
	char dir[4096], path[4096 + 256];
	int n, i;

	if (LLVMFuzzerInitialize(&argc, &argv) != 0)
		tap_bail("fuzz target set-up failed");
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay_file(argv[i], argv[i]);
		return tap_done();
	}
	snprintf(dir, sizeof(dir), "%s/%s", top != NULL ? top : ".", FUZZ_CORPUS);
	n = scandir(dir, &names, replay_regular, alphasort);
	if (n <= 0)
		tap_bail("no corpus in %s (set top_srcdir)", dir);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		replay_file(path, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return tap_done();
}
