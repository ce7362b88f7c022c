/* Blank-padded text fields: see pad.h. */
#include "pad.h"

#include <string.h>

void pad_copy(CK_UTF8CHAR *field, size_t size, const char *text)
{
	size_t len = strnlen(text, size);

	memset(field, ' ', size);
	memcpy(field, text, len);
}
