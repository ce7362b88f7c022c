/* The signatures of a PDF file: see pdf.h. */
#include "pdf.h"
#include "pdf-lex.h"

#include <stdlib.h>
#include <string.h>

#define PDF_OBJ_WINDOW 65536 /* how far before /Contents its object may start */

/* The entries of a signature dictionary this code reads. */
static const char *const pdf_keys[] = {"Type", "Filter", "SubFilter", "Name", "M", "Contents",
				       "ByteRange"};
enum { PDF_K_TYPE, PDF_K_FILTER, PDF_K_SUBFILTER, PDF_K_NAME, PDF_K_M, PDF_K_CONTENTS,
       PDF_K_BYTERANGE, PDF_K_COUNT };
static const struct pdf_span pdf_none = {PDF_V_NONE, 0, 0};

/* ISO 32000-1 7.2.2: white-space and delimiter characters. */
bool pdf_is_ws(uint8_t c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

bool pdf_is_regular(uint8_t c)
{
	return !pdf_is_ws(c) && strchr("()<>[]{}/%", c) == NULL;
}

void pdf_skip_ws(struct pdf_lex *l)
{
	while (l->pos < l->len) {
		if (pdf_is_ws(l->p[l->pos])) {
			l->pos++;
		} else if (l->p[l->pos] == '%') {
			while (l->pos < l->len && l->p[l->pos] != '\n' && l->p[l->pos] != '\r')
				l->pos++;
		} else {
			break;
		}
	}
}

bool pdf_is_int(const struct pdf_lex *l, size_t start, size_t end)
{
	size_t i;

	for (i = start; i < end; i++)
		if (l->p[i] < '0' || l->p[i] > '9')
			return false;
	return end > start;
}

size_t pdf_token_end(const struct pdf_lex *l, size_t pos)
{
	while (pos < l->len && pdf_is_regular(l->p[pos]))
		pos++;
	return pos;
}

/* pdf_dict_body: after "<<", up to and with ">>"; the entries are recorded
 * in want when it is not NULL (false when there are more than fit). */
static bool pdf_dict_body(struct pdf_lex *l, int depth, struct pdf_dict *want)
{
	struct pdf_span key, val;

	for (;;) {
		pdf_skip_ws(l);
		if (l->pos + 1 < l->len && l->p[l->pos] == '>' && l->p[l->pos + 1] == '>') {
			l->pos += 2;
			return true;
		}
		if (!pdf_value(l, depth, &key, NULL) || key.kind != PDF_V_NAME ||
		    !pdf_value(l, depth, &val, NULL))
			return false;
		if (want == NULL)
			continue;
		if (want->n == PDF_DICT_MAX)
			return false;
		want->key[want->n] = key;
		want->val[want->n++] = val;
	}
}

const struct pdf_span *pdf_dict_get(const struct pdf_lex *l, const struct pdf_dict *d,
				    const char *key, size_t *key_at)
{
	size_t i, n = strlen(key);

	for (i = 0; i < d->n; i++)
		if (d->key[i].end - d->key[i].start == n + 1 &&
		    memcmp(l->p + d->key[i].start + 1, key, n) == 0) {
			if (key_at != NULL)
				*key_at = d->key[i].start;
			return &d->val[i];
		}
	return NULL;
}

static bool pdf_literal(struct pdf_lex *l)
{
	size_t nest = 0;

	for (; l->pos < l->len; l->pos++) {
		if (l->p[l->pos] == '\\') {
			l->pos++; /* the escaped character, whatever it is */
		} else if (l->p[l->pos] == '(') {
			nest++;
		} else if (l->p[l->pos] == ')' && --nest == 0) {
			l->pos++;
			return true;
		}
	}
	return false;
}

bool pdf_value(struct pdf_lex *l, int depth, struct pdf_span *v, struct pdf_dict *want)
{
	struct pdf_span item;
	size_t save, gen_end;
	uint8_t c;

	if (depth > PDF_MAX_DEPTH)
		return false;
	pdf_skip_ws(l);
	if (l->pos >= l->len)
		return false;
	v->start = l->pos;
	c = l->p[l->pos];
	if (c == '<' && l->pos + 1 < l->len && l->p[l->pos + 1] == '<') {
		l->pos += 2;
		v->kind = PDF_V_DICT;
		if (!pdf_dict_body(l, depth + 1, want))
			return false;
	} else if (c == '<') {
		v->kind = PDF_V_HEX;
		for (l->pos++; l->pos < l->len && l->p[l->pos] != '>'; l->pos++)
			if (!pdf_is_ws(l->p[l->pos]) && strchr("0123456789abcdefABCDEF", l->p[l->pos]) == NULL)
				return false;
		if (l->pos >= l->len)
			return false;
		l->pos++;
	} else if (c == '(') {
		v->kind = PDF_V_STRING;
		if (!pdf_literal(l))
			return false;
	} else if (c == '[') {
		v->kind = PDF_V_ARRAY;
		for (l->pos++;;) {
			pdf_skip_ws(l);
			if (l->pos < l->len && l->p[l->pos] == ']')
				break;
			if (!pdf_value(l, depth + 1, &item, NULL))
				return false;
		}
		l->pos++;
	} else if (c == '/') {
		v->kind = PDF_V_NAME;
		l->pos = pdf_token_end(l, l->pos + 1);
	} else if (pdf_is_regular(c)) {
		l->pos = pdf_token_end(l, l->pos);
		v->kind = strchr("+-.0123456789", c) != NULL ? PDF_V_NUMBER : PDF_V_KEYWORD;
		/* "N G R", an indirect reference, when two integers and R follow. */
		save = l->pos;
		if (v->kind == PDF_V_NUMBER && pdf_is_int(l, v->start, l->pos)) {
			pdf_skip_ws(l);
			gen_end = pdf_token_end(l, l->pos);
			if (pdf_is_int(l, l->pos, gen_end)) {
				l->pos = gen_end;
				pdf_skip_ws(l);
				if (l->pos < l->len && l->p[l->pos] == 'R' &&
				    pdf_token_end(l, l->pos) == l->pos + 1) {
					l->pos++;
					v->kind = PDF_V_REF;
				}
			}
			if (v->kind != PDF_V_REF)
				l->pos = save;
		}
	} else {
		return false;
	}
	v->end = l->pos;
	return true;
}

bool pdf_keyword(struct pdf_lex *l, const char *word)
{
	size_t end;

	pdf_skip_ws(l);
	end = pdf_token_end(l, l->pos);
	if (end - l->pos != strlen(word) || memcmp(l->p + l->pos, word, end - l->pos) != 0)
		return false;
	l->pos = end;
	return true;
}

bool pdf_ref(const uint8_t *base, size_t len, const struct pdf_span *s, size_t *num, size_t *gen)
{
	struct pdf_lex l = {base, len, s != NULL ? s->start : 0};

	return s != NULL && s->kind == PDF_V_REF && pdf_uint(&l, num) && pdf_uint(&l, gen) &&
	       pdf_keyword(&l, "R");
}

bool pdf_name_is(const uint8_t *base, const struct pdf_span *s, const char *name)
{
	size_t n = strlen(name);

	return s != NULL && s->kind == PDF_V_NAME && s->end - s->start == n + 1 &&
	       memcmp(base + s->start + 1, name, n) == 0;
}

bool pdf_uint(struct pdf_lex *l, size_t *out)
{
	size_t v = 0, end;

	pdf_skip_ws(l);
	end = pdf_token_end(l, l->pos);
	if (!pdf_is_int(l, l->pos, end))
		return false;
	for (; l->pos < end; l->pos++) {
		if (v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(l->p[l->pos] - '0');
	}
	*out = v;
	return true;
}

/* pdf_byterange: "[a b c d]" at pos; the four values, checked to lie in the
 * file with a gap of at least "<>" between the two ranges. */
static bool pdf_byterange(const uint8_t *pdf, size_t len, size_t pos, size_t r[4])
{
	struct pdf_lex l = {pdf, len, pos};
	int i;

	pdf_skip_ws(&l);
	if (l.pos >= len || pdf[l.pos] != '[')
		return false;
	l.pos++;
	for (i = 0; i < 4; i++)
		if (!pdf_uint(&l, &r[i]))
			return false;
	pdf_skip_ws(&l);
	if (l.pos >= len || pdf[l.pos] != ']')
		return false;
	return r[0] <= len && r[1] <= len - r[0] && r[2] <= len && r[3] <= len - r[2] &&
	       r[0] + r[1] < r[2] && r[2] - (r[0] + r[1]) >= 2;
}

bool pdf_obj_header(const uint8_t *pdf, size_t len, size_t k)
{
	size_t i = k, digits;
	int n;

	if (k + 3 > len || memcmp(pdf + k, "obj", 3) != 0 || (k + 3 < len && pdf_is_regular(pdf[k + 3])))
		return false;
	for (n = 0; n < 2; n++) {
		if (i == 0 || !pdf_is_ws(pdf[i - 1]))
			return false;
		while (i > 0 && pdf_is_ws(pdf[i - 1]))
			i--;
		for (digits = 0; i > 0 && pdf[i - 1] >= '0' && pdf[i - 1] <= '9'; digits++)
			i--;
		if (digits == 0)
			return false;
	}
	return i == 0 || !pdf_is_regular(pdf[i - 1]);
}

static int pdf_hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10; /* the lexer let only hex digits through */
}

/* pdf_hex_decode: a hex string's bytes (an odd last digit is followed by 0). */
static uint8_t *pdf_hex_decode(const uint8_t *pdf, const struct pdf_span *s, size_t *out_len)
{
	uint8_t *out = malloc((s->end - s->start) / 2 + 1);
	size_t i, n = 0;
	int half = -1;

	if (out == NULL)
		return NULL;
	for (i = s->start + 1; i + 1 < s->end; i++) {
		if (pdf_is_ws(pdf[i]))
			continue;
		if (half < 0) {
			half = pdf_hex_digit(pdf[i]);
		} else {
			out[n++] = (uint8_t)(half << 4 | pdf_hex_digit(pdf[i]));
			half = -1;
		}
	}
	if (half >= 0)
		out[n++] = (uint8_t)(half << 4);
	*out_len = n;
	return out;
}

/* pdf_copy_text: a name (without '/') or literal string (without the
 * parentheses) into buf, printable ASCII only (others become '?'). */
static void pdf_copy_text(const uint8_t *pdf, const struct pdf_span *s, char *buf, size_t cap)
{
	size_t i, n = 0, start = s->start + 1, end = s->end;

	if (s->kind == PDF_V_STRING)
		end--;
	for (i = start; i < end && n + 1 < cap; i++)
		buf[n++] = pdf[i] >= 0x20 && pdf[i] < 0x7f ? (char)pdf[i] : '?';
	buf[n] = '\0';
}

/* pdf_sig_at: the signature whose /ByteRange key is at q, if it is one. */
static bool pdf_sig_at(const uint8_t *pdf, size_t len, size_t q, struct pdf_sig *sig,
		       bool *no_memory)
{
	const struct pdf_span *v[PDF_K_COUNT], *found;
	struct pdf_lex l = {pdf, len, 0};
	struct pdf_span whole;
	struct pdf_dict *d;
	size_t r[4], gap0, gap1, k, lowest, br_at = 0;
	bool ok = false;
	int i;

	if (!pdf_byterange(pdf, len, q + strlen("/ByteRange"), r))
		return false;
	d = malloc(sizeof(*d));
	if (d == NULL) {
		*no_memory = true;
		return false;
	}
	gap0 = r[0] + r[1];
	gap1 = r[2];
	k = q < gap0 ? q : gap0;
	lowest = k > PDF_OBJ_WINDOW ? k - PDF_OBJ_WINDOW : 0;
	for (; k-- > lowest && !ok;) {
		if (!pdf_obj_header(pdf, len, k))
			continue;
		d->n = 0;
		l.pos = k + 3;
		if (!pdf_value(&l, 0, &whole, d) || whole.kind != PDF_V_DICT)
			continue;
		for (i = 0; i < PDF_K_COUNT; i++) {
			found = pdf_dict_get(&l, d, pdf_keys[i], i == PDF_K_BYTERANGE ? &br_at : NULL);
			v[i] = found != NULL ? found : &pdf_none;
		}
		ok = v[PDF_K_CONTENTS]->kind == PDF_V_HEX && v[PDF_K_CONTENTS]->start == gap0 &&
		     v[PDF_K_CONTENTS]->end == gap1 && v[PDF_K_BYTERANGE]->kind == PDF_V_ARRAY &&
		     br_at == q;
	}
	if (!ok)
		goto out;
	memset(sig, 0, sizeof(*sig));
	memcpy(sig->range, r, sizeof(r));
	sig->cms = pdf_hex_decode(pdf, v[PDF_K_CONTENTS], &sig->cms_len);
	if (sig->cms == NULL) {
		*no_memory = true;
		ok = false;
		goto out;
	}
	if (v[PDF_K_TYPE]->kind == PDF_V_NAME)
		pdf_copy_text(pdf, v[PDF_K_TYPE], sig->type, sizeof(sig->type));
	if (v[PDF_K_FILTER]->kind == PDF_V_NAME)
		pdf_copy_text(pdf, v[PDF_K_FILTER], sig->filter, sizeof(sig->filter));
	if (v[PDF_K_SUBFILTER]->kind == PDF_V_NAME)
		pdf_copy_text(pdf, v[PDF_K_SUBFILTER], sig->subfilter, sizeof(sig->subfilter));
	sig->has_name = v[PDF_K_NAME]->kind == PDF_V_STRING || v[PDF_K_NAME]->kind == PDF_V_HEX;
	sig->has_m = v[PDF_K_M]->kind == PDF_V_STRING;
	if (sig->has_m)
		pdf_copy_text(pdf, v[PDF_K_M], sig->m, sizeof(sig->m));
	sig->whole_file = r[0] == 0 && r[2] + r[3] == len;
out:
	free(d);
	return ok;
}

enum pdf_result pdf_find_signatures(const uint8_t *pdf, size_t len, struct pdf_sig **sigs,
				    size_t *n)
{
	static const char key[] = "/ByteRange";
	struct pdf_sig *found = NULL, one;
	enum pdf_result res = PDF_OK;
	bool no_memory = false;
	const uint8_t *hit;
	size_t q = 0, count = 0;

	*sigs = NULL;
	*n = 0;
	while (q < len && (hit = memmem(pdf + q, len - q, key, sizeof(key) - 1)) != NULL) {
		q = (size_t)(hit - pdf);
		if (pdf_sig_at(pdf, len, q, &one, &no_memory)) {
			if (count == PDF_MAX_SIGS) {
				free(one.cms);
				res = PDF_TOO_MANY;
				goto out;
			}
			if (found == NULL)
				found = calloc(PDF_MAX_SIGS, sizeof(*found));
			if (found == NULL) {
				free(one.cms);
				res = PDF_NO_MEMORY;
				goto out;
			}
			found[count++] = one;
		} else if (no_memory) {
			res = PDF_NO_MEMORY;
			goto out;
		}
		q += sizeof(key) - 1;
	}
out:
	if (res != PDF_OK) {
		pdf_sigs_free(found, count);
		return res;
	}
	*sigs = found;
	*n = count;
	return PDF_OK;
}

void pdf_sigs_free(struct pdf_sig *sigs, size_t n)
{
	size_t i;

	for (i = 0; sigs != NULL && i < n; i++)
		free(sigs[i].cms);
	free(sigs);
}

uint8_t *pdf_signed_bytes(const uint8_t *pdf, const struct pdf_sig *sig, size_t *len)
{
	uint8_t *out = malloc(sig->range[1] + sig->range[3] + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, pdf + sig->range[0], sig->range[1]);
	memcpy(out + sig->range[1], pdf + sig->range[2], sig->range[3]);
	*len = sig->range[1] + sig->range[3];
	return out;
}

bool pdf_filing_rules(const struct pdf_sig *sig)
{
	return strcmp(sig->subfilter, "adbe.pkcs7.detached") == 0 && sig->has_name && sig->has_m &&
	       sig->whole_file;
}
