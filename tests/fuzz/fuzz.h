/* What the fuzz targets share: the libFuzzer entry points (each fuzz-*.c
 * defines both; fuzz-replay.c drives them without libFuzzer), a reader for
 * the length-prefixed records most inputs are made of, and a check that
 * aborts so that the fuzzer (or the replay test) reports a broken promise
 * of the code under test, not only memory errors.
 */
#ifndef JPKI_TESTS_FUZZ_H
#define JPKI_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Record lengths from FUZZ_RECORD_EVENT up are not lengths but events
 * (a transport error, a power event): the record then has no bytes. */
#define FUZZ_RECORD_EVENT 0xFFF0u

struct fuzz_input {
	const uint8_t *data;
	size_t size, pos;
};

/* fuzz_byte: the next byte; 0 once the input is used up. */
uint8_t fuzz_byte(struct fuzz_input *in);

/* fuzz_record: the next record: two bytes of big-endian length, then that
 * many bytes (fewer if the input ends first).  *len_field is the length as
 * written (>= FUZZ_RECORD_EVENT: an event, *len = 0).  false at the end. */
bool fuzz_record(struct fuzz_input *in, unsigned *len_field, const uint8_t **rec, size_t *len);

/* fuzz_put_record: appends one record to a file (the seed generator). */
void fuzz_put_record(FILE *fp, unsigned len_field, const uint8_t *rec, size_t len);

__attribute__((noreturn)) void fuzz_assert_fail(const char *what, const char *file, int line);

/* FUZZ_ASSERT: a promise of the code under test; a broken one aborts. */
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : fuzz_assert_fail(#cond, __FILE__, __LINE__))

#endif
