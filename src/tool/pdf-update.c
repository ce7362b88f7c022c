/* A signature added to a PDF as an incremental update: see pdf-update.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf-lex.h"
#include "pdf-update.h"
#include "pdf-xref.h"

#define UPD_MAX_OBJECTS 8388607 /* ISO 32000-1 C.2: the largest object number */
#define UPD_MAX_TREE 32		/* page tree levels followed to the first page */
#define UPD_WIDTH 10		/* digits kept for each ByteRange number */
#define UPD_MAX_NEW 7 /* signature, field, catalog or AcroForm, /Fields, page or /Annots, xref */

struct upd_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

struct upd_new {
	size_t num, gen, off;
};

struct upd_ctx {
	const uint8_t *pdf;
	size_t len;
	struct pdf_xref *x;
	struct pdf_obj catalog, page, acro, array;
	size_t root_num, root_gen, sig_num;
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

/* upd_first_page: down the page tree from the catalog's /Pages. */
static enum pdf_upd_result upd_first_page(struct upd_ctx *c)
{
	struct pdf_obj *page = &c->page;
	const struct pdf_span *s;
	enum pdf_upd_result r;
	struct pdf_lex l;
	struct pdf_span kid;
	size_t num, gen;
	int level;

	if (!pdf_ref(c->catalog.base, c->catalog.base_len, pdf_obj_get(&c->catalog, "Pages"), &num,
		     &gen))
		return PDF_UPD_MALFORMED;
	for (level = 0; level < UPD_MAX_TREE; level++) {
		r = pdf_xref_load(c->x, num, page);
		if (r != PDF_UPD_OK || page->whole.kind != PDF_V_DICT)
			return r != PDF_UPD_OK ? r : PDF_UPD_MALFORMED;
		if (pdf_name_is(page->base, pdf_obj_get(page, "Type"), "Page"))
			return PDF_UPD_OK;
		s = pdf_obj_get(page, "Kids");
		if (s == NULL || s->kind != PDF_V_ARRAY)
			return PDF_UPD_MALFORMED;
		l = (struct pdf_lex){page->base, page->base_len, s->start + 1};
		if (!pdf_value(&l, 1, &kid, NULL) || !pdf_ref(page->base, page->base_len, &kid, &num, &gen))
			return PDF_UPD_MALFORMED;
	}
	return PDF_UPD_MALFORMED;
}

/* upd_entry: entry j of d (in base), as written. */
static void upd_entry(struct upd_ctx *c, const uint8_t *base, const struct pdf_dict *d, size_t j)
{
	buf_add(&c->b, " ", 1);
	buf_add(&c->b, base + d->key[j].start, d->key[j].end - d->key[j].start);
	buf_add(&c->b, " ", 1);
	buf_add(&c->b, base + d->val[j].start, d->val[j].end - d->val[j].start);
}

static void upd_begin_obj(struct upd_ctx *c, size_t num, size_t gen)
{
	c->list[c->n].num = num;
	c->list[c->n].gen = gen;
	c->list[c->n].off = c->b.len;
	c->n++;
	buf_printf(&c->b, "%zu %zu obj\n", num, gen);
}

/* upd_rewrite_but: a new version of obj, begun: "<<", its entries but key,
 * then " /key " for the caller to write key's new value and " >>". */
static void upd_rewrite_but(struct upd_ctx *c, const struct pdf_obj *obj, const char *key)
{
	size_t j;

	upd_begin_obj(c, obj->num, obj->gen);
	buf_add(&c->b, "<<", 2);
	for (j = 0; j < obj->dict.n; j++)
		if (!pdf_name_is(obj->base, &obj->dict.key[j], key))
			upd_entry(c, obj->base, &obj->dict, j);
	buf_printf(&c->b, " /%s ", key);
}

/* upd_array_plus: the array value arr of base (absent, inline, or a
 * reference to an array object) with a reference to the new field added.
 * An absent or inline array is written where the caller is; a referenced
 * one gets a new version (an object of its own) here. */
static enum pdf_upd_result upd_array_plus(struct upd_ctx *c, const uint8_t *base, size_t base_len,
					  const struct pdf_span *arr)
{
	bool referenced = arr != NULL && arr->kind == PDF_V_REF;
	enum pdf_upd_result r;
	size_t num, gen;

	if (referenced) {
		if (!pdf_ref(base, base_len, arr, &num, &gen))
			return PDF_UPD_MALFORMED;
		r = pdf_xref_load(c->x, num, &c->array);
		if (r != PDF_UPD_OK)
			return r;
		if (c->array.whole.kind != PDF_V_ARRAY)
			return PDF_UPD_UNSUPPORTED;
		base = c->array.base;
		arr = &c->array.whole;
		upd_begin_obj(c, num, c->array.gen);
	} else if (arr != NULL && arr->kind != PDF_V_ARRAY) {
		return PDF_UPD_UNSUPPORTED;
	}
	buf_add(&c->b, "[", 1);
	if (arr != NULL)
		buf_add(&c->b, base + arr->start + 1, arr->end - arr->start - 2);
	buf_printf(&c->b, " %zu 0 R]", c->sig_num + 1);
	if (referenced)
		buf_printf(&c->b, "\nendobj\n");
	return PDF_UPD_OK;
}

/* upd_acro_body: an AcroForm dictionary (entries d of base, or none) with
 * the field in /Fields and /SigFlags 3 (signatures exist, append only: ISO
 * 32000-1 12.7.2).  A referenced /Fields array got its new version before
 * (upd_fields_first) and is referred to as it was. */
static enum pdf_upd_result upd_acro_body(struct upd_ctx *c, const uint8_t *base, size_t base_len,
					 const struct pdf_dict *d)
{
	struct pdf_lex l = {base, base_len, 0};
	const struct pdf_span *fields = d != NULL ? pdf_dict_get(&l, d, "Fields", NULL) : NULL;
	enum pdf_upd_result r = PDF_UPD_OK;
	size_t j;

	buf_add(&c->b, "<<", 2);
	for (j = 0; d != NULL && j < d->n; j++)
		if (!pdf_name_is(base, &d->key[j], "Fields") && !pdf_name_is(base, &d->key[j], "SigFlags"))
			upd_entry(c, base, d, j);
	buf_add(&c->b, " /Fields ", 9);
	if (fields != NULL && fields->kind == PDF_V_REF)
		buf_add(&c->b, base + fields->start, fields->end - fields->start);
	else
		r = upd_array_plus(c, base, base_len, fields);
	buf_printf(&c->b, " /SigFlags 3 >>");
	return r;
}

/* upd_fields_first: a referenced /Fields array's new version, written
 * before the AcroForm that keeps referring to it. */
static enum pdf_upd_result upd_fields_first(struct upd_ctx *c, const uint8_t *base, size_t base_len,
					    const struct pdf_dict *d)
{
	struct pdf_lex l = {base, base_len, 0};
	const struct pdf_span *fields = pdf_dict_get(&l, d, "Fields", NULL);

	return fields != NULL && fields->kind == PDF_V_REF ? upd_array_plus(c, base, base_len, fields) :
							     PDF_UPD_OK;
}

/* upd_write_form: the field into the document's form: a new version of an
 * indirect AcroForm, or of the catalog with the AcroForm inline. */
static enum pdf_upd_result upd_write_form(struct upd_ctx *c)
{
	const struct pdf_obj *cat = &c->catalog;
	const struct pdf_span *acro = pdf_obj_get(cat, "AcroForm");
	struct pdf_dict *inline_acro = NULL;
	enum pdf_upd_result r;
	struct pdf_lex l;
	size_t num, gen;

	if (acro != NULL && acro->kind == PDF_V_REF) {
		if (!pdf_ref(cat->base, cat->base_len, acro, &num, &gen))
			return PDF_UPD_MALFORMED;
		r = pdf_xref_load(c->x, num, &c->acro);
		if (r == PDF_UPD_OK && c->acro.whole.kind != PDF_V_DICT)
			r = PDF_UPD_UNSUPPORTED;
		if (r == PDF_UPD_OK)
			r = upd_fields_first(c, c->acro.base, c->acro.base_len, &c->acro.dict);
		if (r != PDF_UPD_OK)
			return r;
		upd_begin_obj(c, num, c->acro.gen);
		r = upd_acro_body(c, c->acro.base, c->acro.base_len, &c->acro.dict);
		buf_printf(&c->b, "\nendobj\n");
		return r;
	}
	if (acro != NULL && acro->kind != PDF_V_DICT)
		return PDF_UPD_UNSUPPORTED;
	if (acro != NULL) {
		inline_acro = &c->acro.dict; /* the inline dictionary's entries, in the catalog's base */
		inline_acro->n = 0;
		l = (struct pdf_lex){cat->base, cat->base_len, acro->start};
		if (!pdf_value(&l, 0, &c->acro.whole, inline_acro))
			return PDF_UPD_MALFORMED;
		r = upd_fields_first(c, cat->base, cat->base_len, inline_acro);
		if (r != PDF_UPD_OK)
			return r;
	}
	upd_rewrite_but(c, cat, "AcroForm");
	r = upd_acro_body(c, cat->base, cat->base_len, inline_acro);
	buf_printf(&c->b, " >>\nendobj\n");
	return r;
}

/* upd_write_annots: the widget into the first page's /Annots: a new version
 * of a referenced array, or of the page with the array inline. */
static enum pdf_upd_result upd_write_annots(struct upd_ctx *c)
{
	const struct pdf_obj *page = &c->page;
	const struct pdf_span *annots = pdf_obj_get(page, "Annots");
	enum pdf_upd_result r;

	if (annots != NULL && annots->kind == PDF_V_REF)
		return upd_array_plus(c, page->base, page->base_len, annots);
	upd_rewrite_but(c, page, "Annots");
	r = upd_array_plus(c, page->base, page->base_len, annots);
	buf_printf(&c->b, " >>\nendobj\n");
	return r;
}

/* upd_read: the cross-reference sections, the newest trailer, the catalog
 * and the first page. */
static enum pdf_upd_result upd_read(struct upd_ctx *c)
{
	const struct pdf_dict *t;
	const struct pdf_span *s;
	enum pdf_upd_result r;
	struct pdf_lex l = {c->pdf, c->len, 0};
	size_t size;

	r = pdf_xref_read(c->pdf, c->len, &c->x);
	if (r != PDF_UPD_OK)
		return r;
	t = pdf_xref_trailer(c->x);
	if (pdf_dict_get(&l, t, "Encrypt", NULL) != NULL)
		return PDF_UPD_ENCRYPTED;
	s = pdf_dict_get(&l, t, "Size", NULL);
	l.pos = s != NULL ? s->start : 0;
	if (!pdf_ref(c->pdf, c->len, pdf_dict_get(&l, t, "Root", NULL), &c->root_num, &c->root_gen) ||
	    s == NULL || !pdf_uint(&l, &size) || size > UPD_MAX_OBJECTS - 3)
		return PDF_UPD_MALFORMED;
	c->sig_num = size > pdf_xref_size(c->x) ? size : pdf_xref_size(c->x);
	if (c->sig_num > UPD_MAX_OBJECTS - 3)
		return PDF_UPD_MALFORMED;
	r = pdf_xref_load(c->x, c->root_num, &c->catalog);
	if (r == PDF_UPD_OK && c->catalog.whole.kind != PDF_V_DICT)
		r = PDF_UPD_MALFORMED;
	if (r == PDF_UPD_OK)
		r = upd_first_page(c);
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

/* upd_trailer_entries: /Root, /Prev, and /Info and /ID as they were. */
static void upd_trailer_entries(struct upd_ctx *c)
{
	const struct pdf_dict *t = pdf_xref_trailer(c->x);
	size_t j;

	buf_printf(&c->b, " /Root %zu %zu R /Prev %zu", c->root_num, c->root_gen,
		   pdf_xref_startxref(c->x));
	for (j = 0; j < t->n; j++)
		if (pdf_name_is(c->pdf, &t->key[j], "Info") || pdf_name_is(c->pdf, &t->key[j], "ID"))
			upd_entry(c, c->pdf, t, j);
}

/* upd_sort: the new objects by number (subsections in ascending order,
 * ISO 32000-1 7.5.8.2); false when one object was written twice. */
static bool upd_sort(struct upd_ctx *c)
{
	struct upd_new tmp;
	size_t i, j;

	for (i = 1; i < c->n; i++)
		for (j = i; j > 0 && c->list[j - 1].num > c->list[j].num; j--) {
			tmp = c->list[j];
			c->list[j] = c->list[j - 1];
			c->list[j - 1] = tmp;
		}
	for (i = 1; i < c->n; i++)
		if (c->list[i - 1].num == c->list[i].num)
			return false;
	return true;
}

/* upd_write_xref: the new objects' cross-reference section: a table and a
 * trailer, or, after a cross-reference stream, a stream of its own
 * (uncompressed, /W [1 4 2]) that also lists itself. */
static void upd_write_xref(struct upd_ctx *c)
{
	size_t j, xref_at = c->b.len;
	uint8_t row[7];

	if (!pdf_xref_is_stream(c->x)) {
		buf_printf(&c->b, "xref\n");
		for (j = 0; j < c->n; j++)
			buf_printf(&c->b, "%zu 1\n%010zu %05zu n\r\n", c->list[j].num, c->list[j].off,
				   c->list[j].gen);
		buf_printf(&c->b, "trailer\n<< /Size %zu", c->sig_num + 2);
		upd_trailer_entries(c);
		buf_printf(&c->b, " >>\nstartxref\n%zu\n%%%%EOF\n", xref_at);
		return;
	}
	upd_begin_obj(c, c->sig_num + 2, 0);
	buf_printf(&c->b, "<< /Type /XRef /Size %zu /W [1 4 2] /Index [", c->sig_num + 3);
	for (j = 0; j < c->n; j++)
		buf_printf(&c->b, "%s%zu 1", j > 0 ? " " : "", c->list[j].num);
	buf_printf(&c->b, "] /Length %zu", c->n * sizeof(row));
	upd_trailer_entries(c);
	buf_printf(&c->b, " >>\nstream\n");
	for (j = 0; j < c->n; j++) {
		row[0] = 1;
		row[1] = (uint8_t)(c->list[j].off >> 24);
		row[2] = (uint8_t)(c->list[j].off >> 16);
		row[3] = (uint8_t)(c->list[j].off >> 8);
		row[4] = (uint8_t)c->list[j].off;
		row[5] = (uint8_t)(c->list[j].gen >> 8);
		row[6] = (uint8_t)c->list[j].gen;
		buf_add(&c->b, row, sizeof(row));
	}
	buf_printf(&c->b, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", xref_at);
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
	r = len <= UINT32_MAX / 2 ? upd_read(c) : PDF_UPD_UNSUPPORTED;
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
	if (r == PDF_UPD_OK && !upd_sort(c))
		r = PDF_UPD_UNSUPPORTED; /* /Fields and /Annots in one array object */
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
	pdf_xref_free(c->x);
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
