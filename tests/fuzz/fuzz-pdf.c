/* Fuzz target (g): jpki-tool's PDF code (src/tool/pdf*.c) on arbitrary
 * files: the signature finder, and the incremental update of pdf sign with
 * the cross-reference tables, streams, object streams and zlib it reads.
 * Promises checked: every signature found lies in the file; an update
 * keeps the original bytes first, and the finder reads its new signature
 * back, covering the whole new file. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "pdf-update.h"
#include "pdf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdf_prepared p;
	struct pdf_sig *sigs = NULL;
	size_t n = 0, i;
	bool found = false;

	if (pdf_find_signatures(data, size, &sigs, &n) == PDF_OK)
		for (i = 0; i < n; i++) {
			FUZZ_ASSERT(sigs[i].range[0] + sigs[i].range[1] < sigs[i].range[2]);
			FUZZ_ASSERT(sigs[i].range[2] + sigs[i].range[3] <= size);
			FUZZ_ASSERT(sigs[i].whole_file == (sigs[i].range[0] == 0 &&
							   sigs[i].range[2] + sigs[i].range[3] == size));
		}
	pdf_sigs_free(sigs, n);
	if (pdf_prepare_signature(data, size, "Fuzz \xe5\xb1\xb1", 0, &p) != PDF_UPD_OK)
		return 0;
	FUZZ_ASSERT(p.len > size && memcmp(p.data, data, size) == 0);
	FUZZ_ASSERT(p.range[0] == 0 && p.range[2] + p.range[3] == p.len);
	if (pdf_find_signatures(p.data, p.len, &sigs, &n) == PDF_OK)
		for (i = 0; i < n; i++)
			found |= memcmp(sigs[i].range, p.range, sizeof(p.range)) == 0 && sigs[i].whole_file;
	else
		found = true; /* more than PDF_MAX_SIGS in the input: not this check's matter */
	FUZZ_ASSERT(found);
	pdf_sigs_free(sigs, n);
	free(p.data);
	return 0;
}
