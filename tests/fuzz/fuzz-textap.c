/* Fuzz target textap (docs/fuzzing.md): the text AP's parsers (src/textap.c), fed through the
 * card layer: a minimal card (fuzz-transport.h, file mode) whose EF 0001
 * (My Number) and EF 0002 (basic facts) hold fuzz-chosen bytes.  Input: a
 * flags byte, then the two EFs as records (fuzz.h). */
#include "fuzz-transport.h"

#include <string.h>

#include "textap.h"

#define FUZZ_TEXTAP_BASIC 0x01 /* read the four basic facts too */
#define FUZZ_TEXTAP_6282  0x02 /* the card ends short reads with 6282 */

static const struct fuzz_pin fuzz_textap_pins[] = {{"5678", FUZZ_AP_TEXT, 0x0011},
						   {NULL, FUZZ_AP_UNKNOWN, 0}};

static bool fuzz_textap_digits(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size, 0};
	unsigned flags = fuzz_byte(&in), field;
	struct fuzz_ef efs[2] = {{0x0001, NULL, 0}, {0x0002, NULL, 0}};
	struct fuzz_transport *ft;
	struct jpki_card *c;
	struct textap_info info;
	bool basic = (flags & FUZZ_TEXTAP_BASIC) != 0;
	int tries;

	fuzz_record(&in, &field, &efs[0].data, &efs[0].len);
	fuzz_record(&in, &field, &efs[1].data, &efs[1].len);
	ft = fuzz_transport_files(efs, 2, (flags & FUZZ_TEXTAP_6282) != 0);
	fuzz_transport_pins(ft, fuzz_textap_pins);
	c = jpki_card_new(fuzz_transport_base(ft), FUZZ_READER, NULL);
	FUZZ_ASSERT(c != NULL);
	if (textap_read(c, "5678", basic, &info, &tries) == CARD_OK) {
		FUZZ_ASSERT(fuzz_textap_digits(info.mynumber, 12));
		if (basic) {
			FUZZ_ASSERT(info.name != NULL && info.address != NULL);
			FUZZ_ASSERT(fuzz_textap_digits(info.birth, 8));
			FUZZ_ASSERT(fuzz_textap_digits(info.sex, 1));
		} else {
			FUZZ_ASSERT(info.name == NULL && info.address == NULL);
		}
		textap_info_free(&info);
	} else {
		FUZZ_ASSERT(info.name == NULL && info.address == NULL);
	}
	FUZZ_ASSERT(!fuzz_transport_in_transaction(ft));
	jpki_card_free(c);
	fuzz_transport_free(ft);
	return 0;
}
