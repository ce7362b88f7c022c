/* Japanese eras (元号) for birth dates: the sign certificate gives an era
 * code with a Gregorian date, the text AP a Gregorian date only. */
#ifndef JPKI_TOOL_ERA_H
#define JPKI_TOOL_ERA_H

#include <stdbool.h>

/* era_name: the era's name, untranslated romaji (N_: "Heisei"); NULL for an
 * unknown code.  Codes as in the certificate: 1 Meiji .. 5 Reiwa. */
const char *era_name(int code);

/* era_of_date: the era code and the year within it of a Gregorian
 * "YYYYMMDD" (the era starts on its first day); false before Meiji or for a
 * malformed date.  code may be given (> 0) to force the era the card
 * states; *year is then counted from that era's first year. */
bool era_of_date(const char *yyyymmdd, int *code, int *year);

#endif
