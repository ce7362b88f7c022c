/* Helpers shared by the fuzz targets: see fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

uint8_t fuzz_byte(struct fuzz_input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

bool fuzz_record(struct fuzz_input *in, unsigned *len_field, const uint8_t **rec, size_t *len)
{
	size_t n;

	*rec = NULL;
	*len = 0;
	*len_field = 0;
	if (in->size - in->pos < 2) {
		in->pos = in->size;
		return false;
	}
	*len_field = (unsigned)in->data[in->pos] << 8 | in->data[in->pos + 1];
	in->pos += 2;
	if (*len_field >= FUZZ_RECORD_EVENT)
		return true;
	n = *len_field;
	if (n > in->size - in->pos)
		n = in->size - in->pos;
	*rec = in->data + in->pos;
	*len = n;
	in->pos += n;
	return true;
}

void fuzz_put_record(FILE *fp, unsigned len_field, const uint8_t *rec, size_t len)
{
	putc((int)(len_field >> 8 & 0xff), fp);
	putc((int)(len_field & 0xff), fp);
	if (len > 0)
		fwrite(rec, 1, len, fp);
}

void fuzz_assert_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
	fflush(stderr);
	abort();
}
