/* Text or JSON output: see out.h. */
#include "out.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "i18n.h"

bool out_init(struct out *o, bool json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
	o->fp = open_memstream(&o->buf, &o->len);
	if (o->fp == NULL)
		return false;
	o->first[0] = true;
	if (json)
		fputc('{', o->fp);
	return true;
}

/* out_utf8_len: the length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t out_utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0; /* also stops at the NUL */
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void out_json_string(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str != NULL ? str : "");
	size_t n;

	fputc('"', fp);
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			fputc('\\', fp);
			fputc(*s++, fp);
		} else if (*s < 0x20 || *s == 0x7F) {
			fprintf(fp, "\\u%04x", *s++);
		} else if ((n = out_utf8_len(s)) == 0) {
			fputs("\xEF\xBF\xBD", fp); /* U+FFFD for a byte that is not UTF-8 */
			s++;
		} else {
			fwrite(s, 1, n, fp);
			s += n;
		}
	}
	fputc('"', fp);
}

void out_text_string(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str != NULL ? str : "");
	size_t n;

	while (*s != '\0') {
		n = out_utf8_len(s);
		/* C0, DEL and C1 controls (U+0080-U+009F, C2 80-C2 9F) could
		 * steer the terminal: shown as '?'. */
		if (n == 0 || *s < 0x20 || *s == 0x7F || (n == 2 && s[0] == 0xC2 && s[1] < 0xA0)) {
			fputc('?', fp);
			s += n == 0 ? 1 : n;
		} else {
			fwrite(s, 1, n, fp);
			s += n;
		}
	}
}

static void out_indent(struct out *o)
{
	int i;

	for (i = 0; i < o->depth; i++)
		fputs("  ", o->fp);
}

/* out_member: starts a JSON member (comma, key) or a text line (label). */
static void out_member(struct out *o, const char *key, const char *label)
{
	if (o->json) {
		if (!o->first[o->depth])
			fputc(',', o->fp);
		o->first[o->depth] = false;
		if (key != NULL) {
			out_json_string(o->fp, key);
			fputc(':', o->fp);
		}
	} else {
		out_indent(o);
		fputs(label, o->fp);
		fputs(": ", o->fp);
	}
}

static void out_push(struct out *o)
{
	if (o->depth >= OUT_MAX_DEPTH) {
		o->failed = true;
		return;
	}
	o->depth++;
	o->first[o->depth] = true;
}

static void out_pop(struct out *o)
{
	if (o->depth > 0)
		o->depth--;
}

void out_obj_begin(struct out *o, const char *key, const char *title)
{
	if (o->json) {
		out_member(o, key, NULL);
		fputc('{', o->fp);
	} else if (title != NULL) {
		out_indent(o);
		out_text_string(o->fp, title);
		fputs(":\n", o->fp);
	}
	out_push(o);
}

void out_obj_end(struct out *o)
{
	out_pop(o);
	if (o->json)
		fputc('}', o->fp);
}

void out_arr_begin(struct out *o, const char *key, const char *title)
{
	if (o->json) {
		out_member(o, key, NULL);
		fputc('[', o->fp);
		out_push(o);
	} else if (title != NULL) {
		out_indent(o);
		fputs(title, o->fp);
		fputs(":\n", o->fp);
		out_push(o);
	} else {
		out_push(o);
	}
}

void out_arr_end(struct out *o)
{
	out_pop(o);
	if (o->json)
		fputc(']', o->fp);
}

void out_str(struct out *o, const char *key, const char *label, const char *value)
{
	out_member(o, key, label);
	if (o->json) {
		out_json_string(o->fp, value);
	} else {
		out_text_string(o->fp, value);
		fputc('\n', o->fp);
	}
}

void out_null(struct out *o, const char *key, const char *label, const char *none_text)
{
	out_member(o, key, label);
	if (o->json) {
		fputs("null", o->fp);
	} else {
		fputs(none_text, o->fp);
		fputc('\n', o->fp);
	}
}

void out_int(struct out *o, const char *key, const char *label, long value)
{
	out_member(o, key, label);
	fprintf(o->fp, o->json ? "%ld" : "%ld\n", value);
}

void out_bool(struct out *o, const char *key, const char *label, bool value)
{
	out_member(o, key, label);
	if (o->json)
		fputs(value ? "true" : "false", o->fp);
	else
		fprintf(o->fp, "%s\n", value ? _("yes") : _("no"));
}

void out_strv(struct out *o, const char *key, const char *label, const char *const *values,
	      size_t n)
{
	size_t i;

	out_member(o, key, label);
	if (o->json)
		fputc('[', o->fp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(o->json ? "," : ", ", o->fp);
		if (o->json)
			out_json_string(o->fp, values[i]);
		else
			out_text_string(o->fp, values[i]);
	}
	fputs(o->json ? "]" : "\n", o->fp);
}

static void out_release(struct out *o)
{
	if (o->fp != NULL)
		fclose(o->fp);
	o->fp = NULL;
	if (o->buf != NULL)
		OPENSSL_cleanse(o->buf, o->len);
	free(o->buf);
	o->buf = NULL;
	o->len = 0;
}

bool out_flush(struct out *o, FILE *to)
{
	bool ok = false;

	if (o->fp == NULL)
		return false;
	if (o->json)
		fputs("}\n", o->fp);
	if (fflush(o->fp) != 0 || ferror(o->fp) || o->failed)
		goto out;
	ok = fwrite(o->buf, 1, o->len, to) == o->len && fflush(to) == 0;
out:
	out_release(o);
	return ok;
}

void out_discard(struct out *o)
{
	out_release(o);
}
