/* Command output, as text for people or as JSON for scripts, from one code
 * path: each field has a stable JSON key and a translated label.
 *
 * Output is collected in memory and written by out_flush only when the
 * command succeeds (a failed --json command prints an error object instead,
 * never half an answer).  The buffer may hold personal data: out_flush and
 * out_discard wipe it.  Strings from the card are hostile: JSON escapes
 * them (invalid UTF-8 becomes U+FFFD) and text replaces control characters,
 * so a crafted name cannot drive the terminal.
 */
#ifndef JPKI_TOOL_OUT_H
#define JPKI_TOOL_OUT_H

#include <stdbool.h>
#include <stdio.h>

#define OUT_MAX_DEPTH 8

struct out {
	bool json;
	FILE *fp;
	char *buf;
	size_t len;
	int depth;
	bool first[OUT_MAX_DEPTH + 1]; /* no member written yet at this depth */
	bool failed;		       /* memory ran out: out_flush reports it */
};

/* out_init: an empty document (JSON: the top-level object is open). */
bool out_init(struct out *o, bool json);

/* out_obj_begin: a nested object; key is its JSON member name (NULL inside
 * an array), title its text heading (NULL: none). */
void out_obj_begin(struct out *o, const char *key, const char *title);
void out_obj_end(struct out *o);
/* out_arr_begin: an array of objects (text: only the title is printed). */
void out_arr_begin(struct out *o, const char *key, const char *title);
void out_arr_end(struct out *o);

/* Fields: key for JSON, label (already translated) for text. */
void out_str(struct out *o, const char *key, const char *label, const char *value);
/* out_str_null: a JSON null; text shows none_text. */
void out_null(struct out *o, const char *key, const char *label, const char *none_text);
void out_int(struct out *o, const char *key, const char *label, long value);
void out_bool(struct out *o, const char *key, const char *label, bool value);
/* out_strv: an array of strings (text: comma-separated). */
void out_strv(struct out *o, const char *key, const char *label, const char *const *values,
	      size_t n);

/* out_flush: closes the document and writes it to to; false when memory
 * ran out or the write failed.  Wipes and frees the buffer either way. */
bool out_flush(struct out *o, FILE *to);
/* out_discard: wipes and frees without writing. */
void out_discard(struct out *o);

/* out_json_string: writes s as a JSON string literal (with quotes). */
void out_json_string(FILE *fp, const char *s);
/* out_text_string: writes s with control characters replaced by '?'. */
void out_text_string(FILE *fp, const char *s);

#endif
