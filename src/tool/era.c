/* Japanese eras: see era.h. */
#include "era.h"

#include <stddef.h>

#include "i18n.h"

struct era_row {
	int code;	  /* as in the JPKI certificate (1.2.392.200149.8.5.5.4) */
	const char *name; /* N_(): translated where printed */
	int start;	  /* first day, YYYYMMDD */
};

/* Newest first, so the first row that starts on or before a date is its era. */
static const struct era_row era_rows[] = {
	{5, N_("Reiwa"), 20190501},  {4, N_("Heisei"), 19890108}, {3, N_("Showa"), 19261225},
	{2, N_("Taisho"), 19120730}, {1, N_("Meiji"), 18681023},
};

#define ERA_ROWS (sizeof(era_rows) / sizeof(era_rows[0]))

const char *era_name(int code)
{
	size_t i;

	for (i = 0; i < ERA_ROWS; i++)
		if (era_rows[i].code == code)
			return era_rows[i].name;
	return NULL;
}

static bool era_parse(const char *s, int *date)
{
	int v = 0, i;

	for (i = 0; i < 8; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (s[8] != '\0' || v % 100 < 1 || v % 100 > 31 || v / 100 % 100 < 1 || v / 100 % 100 > 12)
		return false;
	*date = v;
	return true;
}

bool era_of_date(const char *yyyymmdd, int *code, int *year)
{
	const struct era_row *row = NULL;
	size_t i;
	int date;

	if (yyyymmdd == NULL || !era_parse(yyyymmdd, &date))
		return false;
	for (i = 0; i < ERA_ROWS; i++) {
		if (*code > 0 ? era_rows[i].code == *code : era_rows[i].start <= date) {
			row = &era_rows[i];
			break;
		}
	}
	/* A stated era must also contain the year (or be at most a day off at its start). */
	if (row == NULL || date / 10000 < row->start / 10000)
		return false;
	*code = row->code;
	*year = date / 10000 - row->start / 10000 + 1;
	return true;
}
