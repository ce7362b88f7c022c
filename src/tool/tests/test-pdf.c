/* The PDF signature finder (pdf.c) on made-up and hostile files: a
 * signature dictionary is found and read; a /ByteRange whose gap is not the
 * dictionary's /Contents, out of the file, overflowing, unterminated, in a
 * string, or nested too deep is not a signature; nothing reads past the
 * file (run under valgrind and ASan with the other C tests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tests/tap.h"
#include "pdf.h"

/* make_pdf: head, then "1 0 obj\n<< ... /Contents <HEX> /ByteRange [...] >>"
 * with the ByteRange filled in for the file's real layout, then tail. */
static size_t make_pdf(char *buf, size_t cap, const char *extra, const char *hex, const char *tail)
{
	size_t pre, gap_end, after;

	pre = (size_t)snprintf(buf, cap,
			       "%%PDF-1.7\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite "
			       "/SubFilter /adbe.pkcs7.detached /Name (Taro) /M (D:20260101000000Z) "
			       "%s/Contents ",
			       extra);
	gap_end = pre + strlen(hex) + 2;
	/* The last length is printed in 10 digits, so the size is known first. */
	after = (size_t)snprintf(NULL, 0, " /ByteRange [0 %zu %zu %010d] >>\nendobj\n%s", pre,
				 gap_end, 0, tail);
	snprintf(buf + pre, cap - pre, "<%s> /ByteRange [0 %zu %zu %010zu] >>\nendobj\n%s", hex,
		 pre, gap_end, after, tail);
	return strlen(buf);
}

static size_t find(const char *pdf, size_t len, struct pdf_sig **sigs)
{
	size_t n = 99;
	/* an exact-size copy, so that ASan sees any read past the end */
	uint8_t *copy = malloc(len);

	memcpy(copy, pdf, len);
	if (pdf_find_signatures(copy, len, sigs, &n) != PDF_OK)
		n = 99;
	free(copy);
	return n;
}

int main(void)
{
	char buf[4096], bad[4096];
	struct pdf_sig *sigs = NULL;
	size_t len, n, signed_len = 0;
	uint8_t *signed_bytes;

	len = make_pdf(buf, sizeof(buf), "", "3003020100000000", "%%EOF\n");
	n = find(buf, len, &sigs);
	tap_is_int(n, 1, "a signature dictionary is found");
	if (n == 1) {
		tap_is_mem(sigs[0].cms, sigs[0].cms_len, "\x30\x03\x02\x01\x00\x00\x00\x00", 8,
			   "/Contents decoded");
		tap_ok(strcmp(sigs[0].subfilter, "adbe.pkcs7.detached") == 0, "/SubFilter read");
		tap_ok(strcmp(sigs[0].filter, "Adobe.PPKLite") == 0 && strcmp(sigs[0].type, "Sig") == 0,
		       "/Filter and /Type read");
		tap_ok(sigs[0].has_name && sigs[0].has_m && strcmp(sigs[0].m, "D:20260101000000Z") == 0,
		       "/Name and /M read");
		tap_ok(sigs[0].whole_file && pdf_filing_rules(&sigs[0]),
		       "it covers the whole file and meets the filing rules");
		signed_bytes = pdf_signed_bytes((const uint8_t *)buf, &sigs[0], &signed_len);
		tap_ok(signed_bytes != NULL && signed_len == len - 18, "the signed bytes leave out /Contents");
		free(signed_bytes);
	}
	pdf_sigs_free(sigs, n == 99 ? 0 : n);

	/* One byte more at the end: still a signature, no longer the whole file. */
	memcpy(bad, buf, len);
	bad[len] = '\n';
	n = find(bad, len + 1, &sigs);
	tap_ok(n == 1 && !sigs[0].whole_file && !pdf_filing_rules(&sigs[0]),
	       "a byte appended: not the whole file");
	pdf_sigs_free(sigs, n == 99 ? 0 : n);

	/* Without /Name: the filing rules fail. */
	len = make_pdf(buf, sizeof(buf), "", "3003020100", "%%EOF\n");
	{
		char *name = strstr(buf, "/Name (Taro)");

		memcpy(name, "/Nome", 5);
	}
	n = find(buf, len, &sigs);
	tap_ok(n == 1 && !sigs[0].has_name && !pdf_filing_rules(&sigs[0]), "no /Name: rules fail");
	pdf_sigs_free(sigs, n == 99 ? 0 : n);

	/* Hostile ByteRanges: none is a signature, none crashes. */
	{
		static const char *const cases[] = {
			"1 0 obj << /Contents <00> /ByteRange [0 10 9 1] >> endobj",
			"1 0 obj << /Contents <00> /ByteRange [0 18446744073709551615 1 1] >> endobj",
			"1 0 obj << /Contents <00> /ByteRange [0 184467440737095516150 1 1] >> endobj",
			"1 0 obj << /Contents <00> /ByteRange [0 1 99999 1] >> endobj",
			"1 0 obj << /Contents <00> /ByteRange [0 14 19 -1] >> endobj",
			"1 0 obj << /Contents <00> /ByteRange [0 14",
			"/ByteRange",
			"(1 0 obj << /Contents <00> /ByteRange [0 8 12 1] >>)",
			"1 0 obj << /Contents <0g> /ByteRange [0 14 18 40] >> endobj",
			"1 0 obj << /Contents (00) /ByteRange [0 14 18 40] >> endobj",
		};
		size_t i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			n = find(cases[i], strlen(cases[i]), &sigs);
			tap_is_int(n, 0, "hostile case %zu: no signature", i);
			pdf_sigs_free(sigs, n == 99 ? 0 : n);
		}
	}

	/* Nesting far deeper than the limit before /Contents: refused, no stack overflow. */
	{
		size_t depth = 3000, pos = 0, i;
		char *deep = malloc(depth * 4 + 200);

		pos += (size_t)sprintf(deep, "1 0 obj << /X ");
		for (i = 0; i < depth; i++)
			deep[pos++] = '[';
		pos += (size_t)sprintf(deep + pos, " /Contents <00> /ByteRange [0 %zu %zu 0] >>",
				       pos + 11, pos + 15);
		n = find(deep, pos, &sigs);
		tap_is_int(n, 0, "deep nesting: no signature");
		pdf_sigs_free(sigs, n == 99 ? 0 : n);
		free(deep);
	}
	return tap_done();
}
