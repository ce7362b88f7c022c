/* Blank-padded text fields of the PKCS#11 info structures. */
#ifndef JPKI_P11_PAD_H
#define JPKI_P11_PAD_H

#include <stddef.h>

#include "pkcs11.h"

/* pad_copy: fills field[0..size) with text, truncated to size bytes, then
 * blanks; no NUL is written (spec: these fields are not NUL terminated).
 * text must be ASCII, so truncation never splits a UTF-8 character. */
void pad_copy(CK_UTF8CHAR *field, size_t size, const char *text);

#endif
