/* A minimal TAP producer for the C tests (automake's tap-driver reads it).
 *
 * Usage: call tap_ok()/tap_is_int()/... for each check, then return
 * tap_done() from main().  Each check prints one "ok N - name" or
 * "not ok N - name" line; tap_done() prints the plan and returns the exit
 * status (non-zero if anything failed), so a test can never pass silently.
 */
#ifndef JPKI_TESTS_TAP_H
#define JPKI_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_state {
	unsigned int run;
	unsigned int failed;
};

static struct tap_state tap_state;

static inline __attribute__((format(printf, 2, 0))) bool tap_vok(bool pass, const char *fmt,
								    va_list ap)
{
	tap_state.run++;
	if (!pass)
		tap_state.failed++;
	printf("%sok %u - ", pass ? "" : "not ", tap_state.run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return pass;
}

static inline __attribute__((format(printf, 2, 3))) bool tap_ok(bool pass, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool r = tap_vok(pass, fmt, ap);
	va_end(ap);
	return r;
}

/* tap_is_int: passes when got == want; prints both on failure. */
#define tap_is_int(got, want, ...)                                                               \
	do {                                                                                     \
		intmax_t tap_g_ = (intmax_t)(got), tap_w_ = (intmax_t)(want);                    \
		if (!tap_ok(tap_g_ == tap_w_, __VA_ARGS__))                                      \
			printf("#   got: %jd (0x%jx)\n#   want: %jd (0x%jx)\n", tap_g_, tap_g_,     \
			       tap_w_, tap_w_);                                                  \
	} while (0)

/* tap_is_mem: passes when the two byte ranges are equal in length and content. */
#define tap_is_mem(got, gotlen, want, wantlen, ...)                                              \
	tap_ok((size_t)(gotlen) == (size_t)(wantlen) &&                                          \
		       memcmp((got), (want), (size_t)(wantlen)) == 0,                            \
	       __VA_ARGS__)

static inline __attribute__((format(printf, 1, 2))) void tap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
}

/* tap_bail: stops the whole test at once (setup failed); the harness reports an error. */
static inline __attribute__((noreturn, format(printf, 1, 2))) void tap_bail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("Bail out! ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	exit(2);
}

static inline int tap_done(void)
{
	printf("1..%u\n", tap_state.run);
	fflush(stdout);
	if (tap_state.run == 0)
		return 2; /* a test that checked nothing is a failure */
	return tap_state.failed ? 1 : 0;
}

#endif
