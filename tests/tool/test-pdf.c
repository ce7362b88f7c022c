/* The PDF signature finder (pdf.c) and writer (pdf-update.c) on made-up
 * and hostile files: a signature dictionary is found and read; a /ByteRange
 * whose gap is not the dictionary's /Contents, out of the file, overflowing,
 * unterminated, in a string, or nested too deep is not a signature; an
 * update is prepared on a small PDF and found again by the finder; broken
 * trailers, tables, /Prev and page-tree loops are refused; nothing reads
 * past the file (run under valgrind and ASan with the other C tests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "pdf-update.h"
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

/* A one-page PDF with a classic table; body replaces the page's entries. */
static size_t small_pdf(char *buf, size_t cap, const char *page, const char *trailer_extra)
{
	size_t off[4], n, i;
	const char *objs[3] = {"<< /Type /Catalog /Pages 2 0 R >>",
			       "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page};

	n = (size_t)snprintf(buf, cap, "%%PDF-1.4\n");
	for (i = 0; i < 3; i++) {
		off[i] = n;
		n += (size_t)snprintf(buf + n, cap - n, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	off[3] = n;
	n += (size_t)snprintf(buf + n, cap - n, "xref\n0 4\n0000000000 65535 f \n");
	for (i = 0; i < 3; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%010zu 00000 n \n", off[i]);
	n += (size_t)snprintf(buf + n, cap - n, "trailer\n<< /Size 4 /Root 1 0 R%s >>\nstartxref\n%zu\n%%%%EOF\n",
			      trailer_extra, off[3]);
	return n;
}

static enum pdf_upd_result prepare(const char *pdf, size_t len, struct pdf_prepared *out)
{
	uint8_t *copy = malloc(len);
	enum pdf_upd_result r;

	memcpy(copy, pdf, len);
	r = pdf_prepare_signature(copy, len, "\xe5\xb1\xb1\xe7\x94\xb0 \xff", 0, out);
	free(copy);
	return r;
}

static void test_update(void)
{
	static const uint8_t cms[] = {0x30, 0x03, 0x02, 0x01, 0x07};
	struct pdf_prepared p;
	struct pdf_sig *sigs = NULL;
	char buf[4096], bad[4096];
	size_t len, n = 0;
	char *at;

	len = small_pdf(buf, sizeof(buf), "<< /Type /Page /Parent 2 0 R >>", "");
	tap_is_int(prepare(buf, len, &p), PDF_UPD_OK, "update prepared on a small PDF");
	if (p.data != NULL) {
		tap_ok(p.len > len && memcmp(p.data, buf, len) == 0, "the original bytes come first");
		tap_ok(pdf_put_contents(&p, cms, sizeof(cms)), "the CMS fits in /Contents");
		tap_ok(pdf_find_signatures(p.data, p.len, &sigs, &n) == PDF_OK && n == 1 &&
			       sigs[0].whole_file && pdf_filing_rules(&sigs[0]) &&
			       sigs[0].cms_len == PDF_CMS_CAP && memcmp(sigs[0].cms, cms, sizeof(cms)) == 0,
		       "the finder reads the new signature: whole file, filing rules, the CMS");
		tap_ok(memmem(p.data, p.len, "/Name <FEFF5C7175300020FFFD>", 28) != NULL,
		       "/Name in UTF-16BE with a BOM, invalid UTF-8 as U+FFFD");
		tap_ok(memmem(p.data, p.len, "/Annots [ 5 0 R]", 16) != NULL &&
			       memmem(p.data, p.len, "/AcroForm << /Fields [ 5 0 R] /SigFlags 3 >>", 44) != NULL,
		       "the widget in /Annots and the field in a new /AcroForm");
		tap_ok(!pdf_put_contents(&p, p.data, PDF_CMS_CAP + 1), "a CMS too large is refused");
		pdf_sigs_free(sigs, n);
		free(p.data);
	}

	tap_is_int(prepare(buf, len - 30, &p), PDF_UPD_MALFORMED, "no startxref: malformed");
	memcpy(bad, buf, len);
	at = strstr(bad, "/Root 1 0 R");
	memcpy(at, "/Rooo", 5);
	tap_is_int(prepare(bad, len, &p), PDF_UPD_MALFORMED, "no /Root: malformed");
	memcpy(bad, buf, len);
	at = strstr(bad, "0 4\n");
	memcpy(at, "0 9", 3);
	tap_is_int(prepare(bad, len, &p), PDF_UPD_MALFORMED, "a table longer than its entries: malformed");
	len = small_pdf(buf, sizeof(buf), "<< /Type /Page /Parent 2 0 R >>", " /Encrypt 9 0 R");
	tap_is_int(prepare(buf, len, &p), PDF_UPD_ENCRYPTED, "/Encrypt: refused");
	len = small_pdf(buf, sizeof(buf), "<< /Type /Pages /Kids [3 0 R] >>", "");
	tap_is_int(prepare(buf, len, &p), PDF_UPD_MALFORMED, "a page tree that loops: malformed");
	len = small_pdf(buf, sizeof(buf), "<< /Type /Page /Annots 7 >>", "");
	tap_is_int(prepare(buf, len, &p), PDF_UPD_UNSUPPORTED, "/Annots not an array: unsupported");
	len = small_pdf(buf, sizeof(buf), "<< /Type /Page /Annots [1 0 R] >>", " /Prev 9");
	at = strstr(buf, "/Prev 9");
	snprintf(bad, sizeof(bad), "%zu", (size_t)(strstr(buf, "xref") - buf));
	tap_ok(strlen(bad) <= 3, "the table offset fits the /Prev field");
	memset(at + 6, ' ', 1);
	memcpy(at + 6, bad, strlen(bad)); /* /Prev to itself: a loop of sections */
	tap_is_int(prepare(buf, len, &p), PDF_UPD_MALFORMED,
		   "/Prev pointing to its own section: a loop, malformed");
	len = small_pdf(buf, sizeof(buf), "<< /Type /Page >>", "");
	memcpy(bad, buf, len);
	at = strstr(bad, "xref\n");
	memcpy(at, "9 0 obj4", 8);
	tap_is_int(prepare(bad, len, &p), PDF_UPD_MALFORMED,
		   "startxref at neither a table nor an object: malformed");
	memcpy(at, "9 0 obj  ", 9);
	tap_is_int(prepare(bad, len, &p), PDF_UPD_MALFORMED,
		   "startxref at an object that is not a cross-reference stream: malformed");
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
	test_update();
	return tap_done();
}
