/* The signatures of a PDF file, read from its bytes (hostile input).
 *
 * A signature dictionary cannot sit in a compressed object stream: its
 * signer writes /Contents in place at a known offset after the rest of the
 * file is fixed (ISO 32000-1 12.8.1).  So each /ByteRange in the file is a
 * candidate; the object around it ("N G obj << ... >>") is parsed, and it
 * is a signature when its /Contents hex string is exactly the gap that its
 * /ByteRange leaves.  Nothing else of the file is parsed, so classic
 * cross-reference tables and cross-reference streams read the same.
 * Every read is bounded; nesting is limited.
 */
#ifndef JPKI_TOOL_PDF_H
#define JPKI_TOOL_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDF_MAX_SIGS 64
#define PDF_NAME_MAX 64

struct pdf_sig {
	size_t range[4];		  /* /ByteRange: offset, length, offset, length */
	uint8_t *cms;			  /* decoded /Contents, malloc'ed (zero padding kept) */
	size_t cms_len;
	char type[PDF_NAME_MAX];	  /* /Type, "" when absent */
	char filter[PDF_NAME_MAX];	  /* /Filter */
	char subfilter[PDF_NAME_MAX];	  /* /SubFilter */
	bool has_name;			  /* /Name (the signer's name) present */
	bool has_m;			  /* /M (the signing time) present */
	char m[PDF_NAME_MAX];		  /* /M as written, printable ASCII only */
	bool whole_file;		  /* the ranges cover every byte but /Contents */
};

enum pdf_result {
	PDF_OK,
	PDF_NO_MEMORY,
	PDF_TOO_MANY, /* more than PDF_MAX_SIGS signatures */
};

/* pdf_find_signatures: the signatures of the file, in file order (the last
 * is the newest).  *sigs is malloc'ed (NULL when none); free with
 * pdf_sigs_free.  Errors: PDF_NO_MEMORY, PDF_TOO_MANY. */
enum pdf_result pdf_find_signatures(const uint8_t *pdf, size_t len, struct pdf_sig **sigs,
				    size_t *n);
void pdf_sigs_free(struct pdf_sig *sigs, size_t n);

/* pdf_signed_bytes: the bytes the signature covers (both ranges, joined),
 * malloc'ed; NULL when out of memory. */
uint8_t *pdf_signed_bytes(const uint8_t *pdf, const struct pdf_sig *sig, size_t *len);

/* pdf_filing_rules: whether the signature meets what the Legal Affairs
 * Bureau's online filing asks: /SubFilter /adbe.pkcs7.detached, /Name and
 * /M present, and the ranges cover the whole file. */
bool pdf_filing_rules(const struct pdf_sig *sig);

#endif
