/* A C-APDU split into its ISO 7816-4 case: header, Lc and data, Le; short or extended. */
#include "sim-cmd.h"

#include <string.h>

uint16_t sim_apdu_parse(const uint8_t *b, size_t n, struct sim_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (n < 4)
		return 0x6700;
	a->cla = b[0];
	a->ins = b[1];
	a->p1 = b[2];
	a->p2 = b[3];
	if (n == 4)
		return 0x9000;
	if (n == 5) {
		a->has_le = true;
		a->le = b[4] ? b[4] : 256;
		a->le_zero = b[4] == 0;
		return 0x9000;
	}
	if (b[4] != 0) {
		a->lc = b[4];
		a->data = b + 5;
		if (n == 5 + a->lc)
			return 0x9000;
		if (n != 6 + a->lc)
			return 0x6700;
		a->has_le = true;
		a->le = b[n - 1] ? b[n - 1] : 256;
		a->le_zero = b[n - 1] == 0;
		return 0x9000;
	}
	a->extended = true;
	if (n < 7)
		return 0x6700; /* 00 marks an extended length: two more bytes must follow */
	if (n == 7) {
		a->has_le = true;
		a->le = (size_t)(b[5] << 8 | b[6]);
		a->le = a->le ? a->le : 65536;
		return 0x9000;
	}
	a->lc = (size_t)(b[5] << 8 | b[6]);
	a->data = b + 7;
	if (a->lc == 0)
		return 0x6700;
	if (n == 7 + a->lc)
		return 0x9000;
	if (n != 9 + a->lc)
		return 0x6700;
	a->has_le = true;
	a->le = (size_t)(b[n - 2] << 8 | b[n - 1]);
	a->le = a->le ? a->le : 65536;
	return 0x9000;
}
