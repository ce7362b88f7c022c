/* A signature added to a PDF as an incremental update: see pdf-update.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf-lex.h"
#include "pdf-update.h"

#define UPD_MAX_OBJECTS 8388607 /* ISO 32000-1 C.2: the largest object number */
#define UPD_MAX_SECTIONS 256	/* cross-reference sections followed through /Prev */
#define UPD_MAX_TREE 32		/* page tree levels followed to the first page */
#define UPD_WIDTH 10		/* digits kept for each ByteRange number */

/* The newest offset of each object, from the classic tables (0: none). */
struct upd_xref {
	size_t *off;
	bool *seen;
	size_t n;
};

struct upd_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

struct upd_obj {
	size_t num, gen;
	struct pdf_span whole; /* the object's value */
	struct pdf_dict dict;  /* its entries when it is a dictionary */
};

struct upd_new {
	size_t num, gen, off;
};

#define UPD_MAX_NEW 6 /* signature, field, catalog or AcroForm, /Fields, page or /Annots */

struct upd_ctx {
	const uint8_t *pdf;
	size_t len;
	struct pdf_lex l;
	struct upd_xref x;
	struct pdf_dict newest, older; /* the newest trailer; the one being read */
	struct upd_obj catalog, page, acro, array;
	size_t root_num, root_gen, prev_xref, sig_num;
	struct upd_buf b;
	struct upd_new list[UPD_MAX_NEW];
	size_t n;
};

static void buf_add(struct upd_buf *b, const void *data, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->failed)
		return;
	if (n > b->cap - b->len) {
		cap = b->cap == 0 ? 4096 : b->cap;
		while (cap - b->len < n && cap < SIZE_MAX / 2)
			cap *= 2;
		p = cap - b->len >= n ? realloc(b->p, cap) : NULL;
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static __attribute__((format(printf, 2, 3))) void buf_printf(struct upd_buf *b, const char *fmt,
							      ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->failed = true;
	else
		buf_add(b, tmp, (size_t)n);
}

static bool upd_keyword(struct pdf_lex *l, const char *word)
{
	size_t end;

	pdf_skip_ws(l);
	end = pdf_token_end(l, l->pos);
	if (end - l->pos != strlen(word) || memcmp(l->p + l->pos, word, end - l->pos) != 0)
		return false;
	l->pos = end;
	return true;
}

/* upd_ref: "N G R" in span s. */
static bool upd_ref(const uint8_t *pdf, size_t len, const struct pdf_span *s, size_t *num,
		    size_t *gen)
{
	struct pdf_lex l = {pdf, len, s != NULL ? s->start : 0};

	return s != NULL && s->kind == PDF_V_REF && pdf_uint(&l, num) && pdf_uint(&l, gen) &&
	       upd_keyword(&l, "R");
}

/* upd_section: the classic table at off into x (older entries never replace
 * newer ones), then its trailer dictionary into trailer. */
static enum pdf_upd_result upd_section(size_t len, size_t off, struct upd_xref *x,
				       struct pdf_lex *l, struct pdf_dict *trailer)
{
	size_t start, count, i, eoff, gen, want, *noff;
	struct pdf_span v;
	bool *nseen, used;

	l->pos = off;
	if (!upd_keyword(l, "xref")) {
		l->pos = off;
		/* "N G obj" here: a cross-reference stream. */
		return pdf_uint(l, &start) && pdf_uint(l, &gen) && upd_keyword(l, "obj") ?
			       PDF_UPD_XREF_STREAM : PDF_UPD_MALFORMED;
	}
	for (;;) {
		if (upd_keyword(l, "trailer"))
			break;
		if (!pdf_uint(l, &start) || !pdf_uint(l, &count) || start > UPD_MAX_OBJECTS ||
		    count > UPD_MAX_OBJECTS - start || count > (len - l->pos) / 18)
			return PDF_UPD_MALFORMED;
		want = start + count;
		if (want > x->n) {
			noff = realloc(x->off, want * sizeof(*noff));
			if (noff != NULL)
				x->off = noff;
			nseen = realloc(x->seen, want * sizeof(*nseen));
			if (nseen != NULL)
				x->seen = nseen;
			if (noff == NULL || nseen == NULL)
				return PDF_UPD_NO_MEMORY;
			memset(x->off + x->n, 0, (want - x->n) * sizeof(*noff));
			memset(x->seen + x->n, 0, (want - x->n) * sizeof(*nseen));
			x->n = want;
		}
		for (i = start; i < want; i++) {
			if (!pdf_uint(l, &eoff) || !pdf_uint(l, &gen))
				return PDF_UPD_MALFORMED;
			used = upd_keyword(l, "n");
			if (!used && !upd_keyword(l, "f"))
				return PDF_UPD_MALFORMED;
			if (!x->seen[i]) {
				x->seen[i] = true;
				x->off[i] = used && eoff < len ? eoff : 0;
			}
		}
	}
	trailer->n = 0;
	if (!pdf_value(l, 0, &v, trailer) || v.kind != PDF_V_DICT)
		return PDF_UPD_MALFORMED;
	return PDF_UPD_OK;
}

/* upd_load: object num through the table: "num gen obj" and its value. */
static enum pdf_upd_result upd_load(const uint8_t *pdf, size_t len, const struct upd_xref *x,
				    size_t num, struct upd_obj *o)
{
	struct pdf_lex l = {pdf, len, 0};
	size_t n;

	if (num >= x->n || x->off[num] == 0)
		/* not in a classic table: in an object stream, or missing */
		return x->n > 0 ? PDF_UPD_XREF_STREAM : PDF_UPD_MALFORMED;
	l.pos = x->off[num];
	o->dict.n = 0;
	if (!pdf_uint(&l, &n) || n != num || !pdf_uint(&l, &o->gen) || !upd_keyword(&l, "obj") ||
	    !pdf_value(&l, 0, &o->whole, &o->dict))
		return PDF_UPD_MALFORMED;
	o->num = num;
	return PDF_UPD_OK;
}

static bool upd_name_is(const uint8_t *pdf, const struct pdf_span *s, const char *name)
{
	size_t n = strlen(name);

	return s != NULL && s->kind == PDF_V_NAME && s->end - s->start == n + 1 &&
	       memcmp(pdf + s->start + 1, name, n) == 0;
}

/* upd_first_page: down the page tree from the catalog's /Pages. */
static enum pdf_upd_result upd_first_page(const uint8_t *pdf, size_t len, const struct upd_xref *x,
					  const struct upd_obj *catalog, struct upd_obj *page)
{
	struct pdf_lex l = {pdf, len, 0};
	const struct pdf_span *s;
	enum pdf_upd_result r;
	struct pdf_span kid;
	size_t num, gen;
	int level;

	if (!upd_ref(pdf, len, pdf_dict_get(&l, &catalog->dict, "Pages", NULL), &num, &gen))
		return PDF_UPD_MALFORMED;
	for (level = 0; level < UPD_MAX_TREE; level++) {
		r = upd_load(pdf, len, x, num, page);
		if (r != PDF_UPD_OK || page->whole.kind != PDF_V_DICT)
			return r != PDF_UPD_OK ? r : PDF_UPD_MALFORMED;
		s = pdf_dict_get(&l, &page->dict, "Type", NULL);
		if (upd_name_is(pdf, s, "Page"))
			return PDF_UPD_OK;
		s = pdf_dict_get(&l, &page->dict, "Kids", NULL);
		if (s == NULL || s->kind != PDF_V_ARRAY)
			return PDF_UPD_MALFORMED;
		l.pos = s->start + 1;
		if (!pdf_value(&l, 1, &kid, NULL) || !upd_ref(pdf, len, &kid, &num, &gen))
			return PDF_UPD_MALFORMED;
	}
	return PDF_UPD_MALFORMED;
}

/* upd_name_hex: name (UTF-8) as a PDF text string: UTF-16BE with a BOM, in
 * hex.  Invalid UTF-8 becomes U+FFFD. */
static void upd_name_hex(struct upd_buf *b, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	unsigned long cp;
	int more, i;

	buf_add(b, "<FEFF", 5);
	while (*s != '\0') {
		more = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : -1;
		cp = more == 0 ? *s : more == 1 ? *s & 0x1fu : more == 2 ? *s & 0x0fu : *s & 0x07u;
		s++;
		for (i = 0; i < more; i++, s++) {
			if ((*s & 0xc0) != 0x80) {
				more = -1;
				break;
			}
			cp = cp << 6 | (*s & 0x3fu);
		}
		if (more < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			cp = 0xfffd;
			if (more < 0 && *s != '\0' && (*s & 0xc0) == 0x80)
				s++;
		}
		if (cp >= 0x10000)
			buf_printf(b, "%04lX%04lX", 0xd800 + ((cp - 0x10000) >> 10),
				   0xdc00 + ((cp - 0x10000) & 0x3ff));
		else
			buf_printf(b, "%04lX", cp);
	}
	buf_add(b, ">", 1);
}

static void upd_put_number(uint8_t *at, size_t v)
{
	char tmp[UPD_WIDTH + 2];
	int n = snprintf(tmp, sizeof(tmp), "%zu", v);

	memset(at, ' ', UPD_WIDTH);
	memcpy(at, tmp, (size_t)n);
}

/* upd_entry: entry j of d, as written. */
static void upd_entry(struct upd_ctx *c, const struct pdf_dict *d, size_t j)
{
	buf_add(&c->b, " ", 1);
	buf_add(&c->b, c->pdf + d->key[j].start, d->key[j].end - d->key[j].start);
	buf_add(&c->b, " ", 1);
	buf_add(&c->b, c->pdf + d->val[j].start, d->val[j].end - d->val[j].start);
}

static void upd_begin_obj(struct upd_ctx *c, size_t num, size_t gen)
{
	c->list[c->n].num = num;
	c->list[c->n].gen = gen;
	c->list[c->n].off = c->b.len;
	c->n++;
	buf_printf(&c->b, "%zu %zu obj\n", num, gen);
}

/* upd_array_plus: the array value arr (absent, inline, or a reference to an
 * array object) with a reference to the new field added.  An absent or
 * inline array is written where the caller is; a referenced one gets a new
 * version (an object of its own) here. */
static enum pdf_upd_result upd_array_plus(struct upd_ctx *c, const struct pdf_span *arr)
{
	const struct pdf_span *inner = arr;
	bool referenced = arr != NULL && arr->kind == PDF_V_REF;
	enum pdf_upd_result r;
	size_t num, gen;

	if (referenced) {
		if (!upd_ref(c->pdf, c->len, arr, &num, &gen))
			return PDF_UPD_MALFORMED;
		r = upd_load(c->pdf, c->len, &c->x, num, &c->array);
		if (r != PDF_UPD_OK)
			return r;
		if (c->array.whole.kind != PDF_V_ARRAY)
			return PDF_UPD_UNSUPPORTED;
		inner = &c->array.whole;
		upd_begin_obj(c, num, c->array.gen);
	} else if (arr != NULL && arr->kind != PDF_V_ARRAY) {
		return PDF_UPD_UNSUPPORTED;
	}
	buf_add(&c->b, "[", 1);
	if (inner != NULL)
		buf_add(&c->b, c->pdf + inner->start + 1, inner->end - inner->start - 2);
	buf_printf(&c->b, " %zu 0 R]", c->sig_num + 1);
	if (referenced)
		buf_printf(&c->b, "\nendobj\n");
	return PDF_UPD_OK;
}

/* upd_acro_body: an AcroForm dictionary with the field in /Fields and
 * /SigFlags 3 (signatures exist, append only: ISO 32000-1 12.7.2).  A
 * referenced /Fields array got its new version before (upd_write_form). */
static enum pdf_upd_result upd_acro_body(struct upd_ctx *c, const struct pdf_dict *acro)
{
	const struct pdf_span *fields = acro != NULL ? pdf_dict_get(&c->l, acro, "Fields", NULL) : NULL;
	enum pdf_upd_result r = PDF_UPD_OK;
	size_t j;

	buf_add(&c->b, "<<", 2);
	for (j = 0; acro != NULL && j < acro->n; j++)
		if (!upd_name_is(c->pdf, &acro->key[j], "Fields") &&
		    !upd_name_is(c->pdf, &acro->key[j], "SigFlags"))
			upd_entry(c, acro, j);
	buf_add(&c->b, " /Fields ", 9);
	if (fields != NULL && fields->kind == PDF_V_REF)
		buf_add(&c->b, c->pdf + fields->start, fields->end - fields->start);
	else
		r = upd_array_plus(c, fields);
	buf_printf(&c->b, " /SigFlags 3 >>");
	return r;
}

/* upd_fields_first: a referenced /Fields array's new version, written
 * before the AcroForm that keeps referring to it. */
static enum pdf_upd_result upd_fields_first(struct upd_ctx *c, const struct pdf_dict *acro)
{
	const struct pdf_span *fields = pdf_dict_get(&c->l, acro, "Fields", NULL);

	return fields != NULL && fields->kind == PDF_V_REF ? upd_array_plus(c, fields) : PDF_UPD_OK;
}

/* upd_write_form: the field into the document's form: a new version of an
 * indirect AcroForm, or of the catalog with the AcroForm inline. */
static enum pdf_upd_result upd_write_form(struct upd_ctx *c)
{
	const struct pdf_span *acro = pdf_dict_get(&c->l, &c->catalog.dict, "AcroForm", NULL);
	struct pdf_dict *inline_acro = NULL;
	enum pdf_upd_result r;
	size_t num, gen, j;

	if (acro != NULL && acro->kind == PDF_V_REF) {
		if (!upd_ref(c->pdf, c->len, acro, &num, &gen))
			return PDF_UPD_MALFORMED;
		r = upd_load(c->pdf, c->len, &c->x, num, &c->acro);
		if (r == PDF_UPD_OK && c->acro.whole.kind != PDF_V_DICT)
			r = PDF_UPD_UNSUPPORTED;
		if (r == PDF_UPD_OK)
			r = upd_fields_first(c, &c->acro.dict);
		if (r != PDF_UPD_OK)
			return r;
		upd_begin_obj(c, num, c->acro.gen);
		r = upd_acro_body(c, &c->acro.dict);
		buf_printf(&c->b, "\nendobj\n");
		return r;
	}
	if (acro != NULL && acro->kind != PDF_V_DICT)
		return PDF_UPD_UNSUPPORTED;
	if (acro != NULL) {
		inline_acro = &c->acro.dict; /* the inline dictionary's entries */
		inline_acro->n = 0;
		c->l.pos = acro->start;
		if (!pdf_value(&c->l, 0, &c->acro.whole, inline_acro))
			return PDF_UPD_MALFORMED;
		r = upd_fields_first(c, inline_acro);
		if (r != PDF_UPD_OK)
			return r;
	}
	upd_begin_obj(c, c->catalog.num, c->catalog.gen);
	buf_add(&c->b, "<<", 2);
	for (j = 0; j < c->catalog.dict.n; j++)
		if (!upd_name_is(c->pdf, &c->catalog.dict.key[j], "AcroForm"))
			upd_entry(c, &c->catalog.dict, j);
	buf_add(&c->b, " /AcroForm ", 11);
	r = upd_acro_body(c, inline_acro);
	buf_printf(&c->b, " >>\nendobj\n");
	return r;
}

/* upd_write_annots: the widget into the first page's /Annots: a new version
 * of a referenced array, or of the page with the array inline. */
static enum pdf_upd_result upd_write_annots(struct upd_ctx *c)
{
	const struct pdf_span *annots = pdf_dict_get(&c->l, &c->page.dict, "Annots", NULL);
	enum pdf_upd_result r;
	size_t j;

	if (annots != NULL && annots->kind == PDF_V_REF)
		return upd_array_plus(c, annots);
	upd_begin_obj(c, c->page.num, c->page.gen);
	buf_add(&c->b, "<<", 2);
	for (j = 0; j < c->page.dict.n; j++)
		if (!upd_name_is(c->pdf, &c->page.dict.key[j], "Annots"))
			upd_entry(c, &c->page.dict, j);
	buf_add(&c->b, " /Annots ", 9);
	r = upd_array_plus(c, annots);
	buf_printf(&c->b, " >>\nendobj\n");
	return r;
}

/* upd_read: the cross-reference tables from the last startxref through
 * /Prev, the newest trailer, the catalog and the first page. */
static enum pdf_upd_result upd_read(struct upd_ctx *c)
{
	static const char startxref[] = "startxref";
	const size_t kw = sizeof(startxref) - 1, lo = c->len > 2048 ? c->len - 2048 : 0;
	const struct pdf_span *s;
	enum pdf_upd_result r;
	size_t i, off, size, sections;
	bool found = false;

	/* The last startxref, within the last 2 KB (the file may end in junk). */
	for (i = c->len; !found && i >= lo + kw; i--)
		found = memcmp(c->pdf + i - kw, startxref, kw) == 0;
	if (!found)
		return PDF_UPD_MALFORMED;
	c->l.pos = i + 1; /* the loop stepped once more after the match ending at i + 1 */
	if (!pdf_uint(&c->l, &off) || off >= c->len)
		return PDF_UPD_MALFORMED;
	c->prev_xref = off;
	for (sections = 0; sections < UPD_MAX_SECTIONS; sections++) {
		r = upd_section(c->len, off, &c->x, &c->l, sections == 0 ? &c->newest : &c->older);
		if (r != PDF_UPD_OK)
			return r;
		s = pdf_dict_get(&c->l, sections == 0 ? &c->newest : &c->older, "Prev", NULL);
		if (s == NULL)
			break;
		c->l.pos = s->start;
		if (s->kind != PDF_V_NUMBER || !pdf_uint(&c->l, &off) || off >= c->len)
			return PDF_UPD_MALFORMED;
	}
	if (sections == UPD_MAX_SECTIONS)
		return PDF_UPD_MALFORMED;
	if (pdf_dict_get(&c->l, &c->newest, "Encrypt", NULL) != NULL)
		return PDF_UPD_ENCRYPTED;
	s = pdf_dict_get(&c->l, &c->newest, "Size", NULL);
	c->l.pos = s != NULL ? s->start : 0;
	if (!upd_ref(c->pdf, c->len, pdf_dict_get(&c->l, &c->newest, "Root", NULL), &c->root_num,
		     &c->root_gen) ||
	    s == NULL || !pdf_uint(&c->l, &size) || size > UPD_MAX_OBJECTS - 2)
		return PDF_UPD_MALFORMED;
	c->sig_num = size > c->x.n ? size : c->x.n;
	r = upd_load(c->pdf, c->len, &c->x, c->root_num, &c->catalog);
	if (r == PDF_UPD_OK && c->catalog.whole.kind != PDF_V_DICT)
		r = PDF_UPD_MALFORMED;
	if (r == PDF_UPD_OK)
		r = upd_first_page(c->pdf, c->len, &c->x, &c->catalog, &c->page);
	return r;
}

/* upd_write_sig: the signature dictionary and its field; *range_at gets
 * where the ByteRange numbers go, *gap0 and *gap1 where /Contents is. */
static void upd_write_sig(struct upd_ctx *c, const char *name, const char *date,
			  size_t *range_at, size_t *gap0, size_t *gap1)
{
	size_t j;

	upd_begin_obj(c, c->sig_num, 0);
	buf_printf(&c->b, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Name ");
	upd_name_hex(&c->b, name);
	buf_printf(&c->b, " /M (%s) /ByteRange [0 ", date);
	*range_at = c->b.len;
	for (j = 0; j < 3; j++)
		buf_printf(&c->b, "%*s%s", UPD_WIDTH, "", j < 2 ? " " : "]");
	buf_add(&c->b, " /Contents ", 11);
	*gap0 = c->b.len;
	buf_add(&c->b, "<", 1);
	for (j = 0; j < PDF_CMS_CAP; j++)
		buf_add(&c->b, "00", 2);
	buf_add(&c->b, ">", 1);
	*gap1 = c->b.len;
	buf_printf(&c->b, " >>\nendobj\n");
	/* The field and its widget in one dictionary: invisible (empty /Rect),
	 * printed and locked (/F 132). */
	upd_begin_obj(c, c->sig_num + 1, 0);
	buf_printf(&c->b, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature%zu) /V %zu 0 R"
			  " /F 132 /Rect [0 0 0 0] /P %zu %zu R >>\nendobj\n",
		   c->sig_num, c->sig_num, c->page.num, c->page.gen);
}

/* upd_write_xref: one subsection per new object, and the trailer. */
static void upd_write_xref(struct upd_ctx *c)
{
	size_t j, xref_at = c->b.len;

	buf_printf(&c->b, "xref\n");
	for (j = 0; j < c->n; j++)
		buf_printf(&c->b, "%zu 1\n%010zu %05zu n\r\n", c->list[j].num, c->list[j].off,
			   c->list[j].gen);
	buf_printf(&c->b, "trailer\n<< /Size %zu /Root %zu %zu R /Prev %zu", c->sig_num + 2,
		   c->root_num, c->root_gen, c->prev_xref);
	for (j = 0; j < c->newest.n; j++)
		if (upd_name_is(c->pdf, &c->newest.key[j], "Info") ||
		    upd_name_is(c->pdf, &c->newest.key[j], "ID"))
			upd_entry(c, &c->newest, j);
	buf_printf(&c->b, " >>\nstartxref\n%zu\n%%%%EOF\n", xref_at);
}

enum pdf_upd_result pdf_prepare_signature(const uint8_t *pdf, size_t len, const char *name,
					  time_t when, struct pdf_prepared *out)
{
	struct upd_ctx *c = calloc(1, sizeof(*c));
	size_t range_at = 0, gap0 = 0, gap1 = 0, j;
	enum pdf_upd_result r;
	char date[32];
	struct tm tm;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return PDF_UPD_NO_MEMORY;
	c->pdf = pdf;
	c->len = len;
	c->l.p = pdf;
	c->l.len = len;
	r = upd_read(c);
	if (r != PDF_UPD_OK)
		goto out;
	r = PDF_UPD_MALFORMED;
	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(date, sizeof(date), "D:%Y%m%d%H%M%S+00'00'", &tm) == 0)
		goto out;
	/* The original bytes, then the update. */
	buf_add(&c->b, pdf, len);
	if (len > 0 && pdf[len - 1] != '\n' && pdf[len - 1] != '\r')
		buf_add(&c->b, "\n", 1);
	upd_write_sig(c, name, date, &range_at, &gap0, &gap1);
	r = upd_write_form(c);
	if (r == PDF_UPD_OK)
		r = upd_write_annots(c);
	if (r != PDF_UPD_OK)
		goto out;
	upd_write_xref(c);
	r = PDF_UPD_NO_MEMORY;
	if (c->b.failed)
		goto out;
	out->range[0] = 0;
	out->range[1] = gap0;
	out->range[2] = gap1;
	out->range[3] = c->b.len - gap1;
	for (j = 0; j < 3; j++)
		upd_put_number(c->b.p + range_at + j * (UPD_WIDTH + 1), out->range[j + 1]);
	out->data = c->b.p;
	out->len = c->b.len;
	c->b.p = NULL;
	r = PDF_UPD_OK;
out:
	free(c->b.p);
	free(c->x.off);
	free(c->x.seen);
	free(c);
	return r;
}

bool pdf_put_contents(struct pdf_prepared *p, const uint8_t *cms, size_t cms_len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (cms_len > PDF_CMS_CAP || p->range[2] - p->range[1] != 2 * PDF_CMS_CAP + 2)
		return false;
	for (i = 0; i < cms_len; i++) {
		p->data[p->range[1] + 1 + 2 * i] = (uint8_t)hex[cms[i] >> 4];
		p->data[p->range[1] + 2 + 2 * i] = (uint8_t)hex[cms[i] & 15];
	}
	return true;
}
