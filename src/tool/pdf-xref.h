/* Where a PDF's objects are: the cross-reference sections from the last
 * startxref back through /Prev, classic tables and cross-reference streams
 * (ISO 32000-1 7.5.4, 7.5.8) alike, and objects inside object streams
 * (7.5.7).  Streams are read with /FlateDecode (and the PNG predictors of
 * cross-reference streams) or no filter.  Hostile input: every count,
 * offset and decoded size is bounded. */
#ifndef JPKI_TOOL_PDF_XREF_H
#define JPKI_TOOL_PDF_XREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdf-lex.h"
#include "pdf-update.h"

struct pdf_obj {
	const uint8_t *base; /* the file, or the decoded object stream it sits in */
	size_t base_len;
	size_t num, gen;
	struct pdf_span whole; /* the object's value, in base */
	struct pdf_dict dict;  /* its entries when it is a dictionary */
};

struct pdf_xref;

/* pdf_xref_read: the sections of the file (which must outlive *x).  Errors:
 * PDF_UPD_MALFORMED, PDF_UPD_NO_MEMORY, PDF_UPD_UNSUPPORTED (a stream
 * filter or predictor this code does not decode). */
enum pdf_upd_result pdf_xref_read(const uint8_t *pdf, size_t len, struct pdf_xref **x);
void pdf_xref_free(struct pdf_xref *x);

/* The newest trailer (a cross-reference stream's dictionary, or the
 * trailer after a table), with its base (the file). */
const struct pdf_dict *pdf_xref_trailer(const struct pdf_xref *x);
size_t pdf_xref_startxref(const struct pdf_xref *x); /* the newest section's offset */
bool pdf_xref_is_stream(const struct pdf_xref *x);   /* the newest is a stream */
size_t pdf_xref_size(const struct pdf_xref *x);	     /* one more than the largest number */

/* pdf_xref_load: object num ("num gen obj" in the file, or in an object
 * stream).  Errors: PDF_UPD_MALFORMED, PDF_UPD_NO_MEMORY, PDF_UPD_UNSUPPORTED. */
enum pdf_upd_result pdf_xref_load(struct pdf_xref *x, size_t num, struct pdf_obj *o);

/* pdf_obj_get: the value of key in the object's dictionary, NULL when absent. */
const struct pdf_span *pdf_obj_get(const struct pdf_obj *o, const char *key);

#endif
