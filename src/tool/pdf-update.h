/* A signature added to a PDF as an incremental update (ISO 32000-1 7.5.6):
 * the original bytes stay as they are, and after them come a signature
 * dictionary (/Type /Sig, /Filter /Adobe.PPKLite, /SubFilter
 * /adbe.pkcs7.detached, /Name, /M, /ByteRange, a zero-filled /Contents), a
 * signature field that is also its (invisible) widget annotation, new
 * versions of the catalog (/AcroForm with the field and /SigFlags 3) and of
 * the first page (/Annots with the widget), a cross-reference section and a
 * trailer with /Prev.  The ByteRange covers the whole new file but
 * /Contents, where the CMS signature goes afterwards.
 *
 * Supported: classic cross-reference tables and cross-reference streams
 * (the update is written in the same kind), objects in object streams,
 * earlier updates and signatures.  Refused: encrypted files, streams with a
 * filter other than /FlateDecode, and structures this code does not
 * rewrite (an /AcroForm /Fields or /Annots that is not an array).
 */
#ifndef JPKI_TOOL_PDF_UPDATE_H
#define JPKI_TOOL_PDF_UPDATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PDF_CMS_CAP 8192 /* bytes kept for the CMS: a JPKI signature with its certificate is ~2 KB */

enum pdf_upd_result {
	PDF_UPD_OK,
	PDF_UPD_NO_MEMORY,
	PDF_UPD_MALFORMED,   /* no readable trailer, catalog or page */
	PDF_UPD_ENCRYPTED,   /* /Encrypt in the trailer */
	PDF_UPD_UNSUPPORTED, /* a structure or stream filter this code does not handle */
};

struct pdf_prepared {
	uint8_t *data; /* the whole new file, malloc'ed */
	size_t len;
	size_t range[4]; /* its /ByteRange */
};

/* pdf_prepare_signature: the file with the update appended, /Contents
 * zero-filled (PDF_CMS_CAP bytes); name is the signer's name (UTF-8, for
 * /Name), when the signing time (/M).  Free out->data.  Errors: see the
 * enum. */
enum pdf_upd_result pdf_prepare_signature(const uint8_t *pdf, size_t len, const char *name,
					  time_t when, struct pdf_prepared *out);

/* pdf_put_contents: the CMS signature into /Contents, in hex; false when it
 * does not fit. */
bool pdf_put_contents(struct pdf_prepared *p, const uint8_t *cms, size_t cms_len);

#endif
