/* The PDF object lexer shared by pdf.c (reading signatures) and
 * pdf-update.c (writing one): bounded reads of hostile bytes, nesting
 * limited to PDF_MAX_DEPTH. */
#ifndef JPKI_TOOL_PDF_LEX_H
#define JPKI_TOOL_PDF_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDF_MAX_DEPTH 32
#define PDF_DICT_MAX 128 /* entries of one dictionary this code records */

struct pdf_lex {
	const uint8_t *p;
	size_t len, pos;
};

enum pdf_kind { PDF_V_NONE, PDF_V_DICT, PDF_V_ARRAY, PDF_V_NAME, PDF_V_STRING, PDF_V_HEX,
		PDF_V_NUMBER, PDF_V_REF, PDF_V_KEYWORD };

struct pdf_span {
	enum pdf_kind kind;
	size_t start, end; /* [start, end) in the file */
};

/* A dictionary's entries, in order (keys are names, with their '/'). */
struct pdf_dict {
	size_t n;
	struct pdf_span key[PDF_DICT_MAX], val[PDF_DICT_MAX];
};

bool pdf_is_ws(uint8_t c);
bool pdf_is_regular(uint8_t c);
/* pdf_skip_ws: past white-space and comments. */
void pdf_skip_ws(struct pdf_lex *l);
/* pdf_token_end: the end of the regular characters from pos. */
size_t pdf_token_end(const struct pdf_lex *l, size_t pos);
/* pdf_is_int: whether [start, end) is a non-empty run of digits. */
bool pdf_is_int(const struct pdf_lex *l, size_t start, size_t end);
/* pdf_uint: a non-negative integer token (after white-space), no overflow. */
bool pdf_uint(struct pdf_lex *l, size_t *out);
/* pdf_value: one object at l->pos (after white-space) into *v; when it is a
 * dictionary and d is not NULL, its entries go to d.  false when malformed,
 * truncated, nested deeper than PDF_MAX_DEPTH, or with more than
 * PDF_DICT_MAX entries for d. */
bool pdf_value(struct pdf_lex *l, int depth, struct pdf_span *v, struct pdf_dict *d);
/* pdf_dict_get: the value of key (without '/') in d, NULL when absent;
 * *key_at (may be NULL) gets where the key is. */
const struct pdf_span *pdf_dict_get(const struct pdf_lex *l, const struct pdf_dict *d,
				    const char *key, size_t *key_at);
/* pdf_ref: "N G R" in span s of base. */
bool pdf_ref(const uint8_t *base, size_t len, const struct pdf_span *s, size_t *num, size_t *gen);
/* pdf_name_is: whether span s of base is the name /name. */
bool pdf_name_is(const uint8_t *base, const struct pdf_span *s, const char *name);
/* pdf_keyword: the keyword word at l->pos (after white-space), consumed. */
bool pdf_keyword(struct pdf_lex *l, const char *word);
/* pdf_obj_header: whether "N G obj" ends at k + 3 (k: where "obj" is). */
bool pdf_obj_header(const uint8_t *pdf, size_t len, size_t k);

#endif
