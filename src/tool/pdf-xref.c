/* Where a PDF's objects are: see pdf-xref.h. */
#include "pdf-xref.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define XREF_MAX_OBJECTS 8388607   /* ISO 32000-1 C.2: the largest object number */
#define XREF_MAX_SECTIONS 256	   /* sections followed through /Prev and /XRefStm */
#define XREF_MAX_DECODED (32u << 20) /* bytes one stream may decode to */
#define XREF_MAX_STREAMS 32	   /* object streams decoded for one file */

enum xref_type { XREF_NONE, XREF_OFFSET, XREF_IN_STREAM };

struct xref_entry {
	uint8_t type;
	uint32_t a; /* offset, or the object stream's number */
	uint32_t b; /* generation, or the index in the object stream */
};

struct xref_stream {
	size_t num;
	uint8_t *data;
	size_t len;
};

struct pdf_xref {
	const uint8_t *pdf;
	size_t len;
	struct xref_entry *e;
	size_t n;
	struct pdf_dict newest, older;
	size_t startxref;
	bool stream;
	struct xref_stream decoded[XREF_MAX_STREAMS];
	size_t ndecoded;
};

const struct pdf_span *pdf_obj_get(const struct pdf_obj *o, const char *key)
{
	struct pdf_lex l = {o->base, o->base_len, 0};

	return o->whole.kind == PDF_V_DICT ? pdf_dict_get(&l, &o->dict, key, NULL) : NULL;
}

static bool xref_span_uint(const uint8_t *base, size_t len, const struct pdf_span *s, size_t *v)
{
	struct pdf_lex l = {base, len, s != NULL ? s->start : 0};

	return s != NULL && s->kind == PDF_V_NUMBER && pdf_uint(&l, v) && l.pos == s->end;
}

/* xref_grow: room for entries below want; new ones are XREF_NONE. */
static bool xref_grow(struct pdf_xref *x, size_t want)
{
	struct xref_entry *e;

	if (want <= x->n)
		return true;
	e = realloc(x->e, want * sizeof(*e));
	if (e == NULL)
		return false;
	memset(e + x->n, 0, (want - x->n) * sizeof(*e));
	x->e = e;
	x->n = want;
	return true;
}

/* xref_set: entry num, unless a newer section set it already. */
static void xref_set(struct pdf_xref *x, size_t num, uint8_t type, size_t a, size_t b)
{
	if (x->e[num].type == XREF_NONE && a <= UINT32_MAX && b <= UINT32_MAX) {
		x->e[num].type = type;
		x->e[num].a = (uint32_t)a;
		x->e[num].b = (uint32_t)b;
	}
}

/* xref_inflate: FlateDecode of in into a malloc'ed buffer of at most
 * XREF_MAX_DECODED bytes. */
static enum pdf_upd_result xref_inflate(const uint8_t *in, size_t in_len, uint8_t **out,
					size_t *out_len)
{
	enum pdf_upd_result r = PDF_UPD_MALFORMED;
	size_t cap = in_len < 4096 ? 16384 : in_len * 4;
	z_stream z;
	uint8_t *buf = NULL, *bigger;
	int zr = Z_OK;

	memset(&z, 0, sizeof(z));
	if (in_len > UINT_MAX || inflateInit(&z) != Z_OK)
		return PDF_UPD_NO_MEMORY;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)in_len;
	while (zr == Z_OK) {
		if (cap > XREF_MAX_DECODED)
			cap = XREF_MAX_DECODED;
		bigger = realloc(buf, cap);
		if (bigger == NULL) {
			r = PDF_UPD_NO_MEMORY;
			goto out;
		}
		buf = bigger;
		z.next_out = buf + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_OK && z.avail_out == 0 && cap == XREF_MAX_DECODED)
			goto out; /* larger than allowed */
		if (zr == Z_OK && z.avail_out == 0)
			cap *= 2;
		else if (zr == Z_OK || zr == Z_BUF_ERROR)
			zr = z.avail_in == 0 ? Z_STREAM_END : Z_DATA_ERROR; /* truncated data ends it */
	}
	if (zr != Z_STREAM_END)
		goto out;
	*out = buf;
	*out_len = z.total_out;
	buf = NULL;
	r = PDF_UPD_OK;
out:
	inflateEnd(&z);
	free(buf);
	return r;
}

/* xref_png: undoes the PNG predictors (ISO 32000-1 7.4.4.4, one byte per
 * pixel) in place: rows of 1 + columns bytes become rows of columns bytes. */
static bool xref_png(uint8_t *data, size_t *len, size_t columns)
{
	size_t rows, r, i, in, out = 0;
	uint8_t f, left, up, upleft;
	int p, pa, pb, pc;

	if (columns == 0 || columns > 4096 || *len % (columns + 1) != 0)
		return false;
	rows = *len / (columns + 1);
	for (r = 0; r < rows; r++) {
		in = r * (columns + 1);
		f = data[in++];
		for (i = 0; i < columns; i++, in++) {
			left = i > 0 ? data[out + i - 1] : 0;
			up = r > 0 ? data[out - columns + i] : 0;
			upleft = r > 0 && i > 0 ? data[out - columns + i - 1] : 0;
			p = left + up - upleft;
			pa = abs(p - left);
			pb = abs(p - up);
			pc = abs(p - upleft);
			switch (f) {
			case 0: data[out + i] = data[in]; break;
			case 1: data[out + i] = (uint8_t)(data[in] + left); break;
			case 2: data[out + i] = (uint8_t)(data[in] + up); break;
			case 3: data[out + i] = (uint8_t)(data[in] + (left + up) / 2); break;
			case 4: data[out + i] = (uint8_t)(data[in] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upleft)); break;
			default: return false;
			}
		}
		out += columns;
	}
	*len = out;
	return true;
}

/* xref_stream_data: the decoded data of the stream whose dictionary o is
 * (the keyword "stream" follows at l->pos).  /Length is direct or, when
 * x is given, an indirect integer. */
static enum pdf_upd_result xref_stream_data(struct pdf_xref *x, const struct pdf_obj *o,
					    struct pdf_lex *l, uint8_t **out, size_t *out_len)
{
	const struct pdf_span *filter = pdf_obj_get(o, "Filter"), *parms = pdf_obj_get(o, "DecodeParms");
	const struct pdf_span *length = pdf_obj_get(o, "Length");
	struct pdf_obj *tmp = NULL;
	enum pdf_upd_result r = PDF_UPD_MALFORMED;
	struct pdf_lex pl = {o->base, o->base_len, 0};
	struct pdf_dict *pd = NULL;
	struct pdf_span pv;
	size_t n = 0, num, gen, predictor = 1, columns = 1;
	const struct pdf_span *s;

	if (!pdf_keyword(l, "stream"))
		return PDF_UPD_MALFORMED;
	if (l->pos < l->len && l->p[l->pos] == '\r')
		l->pos++;
	if (l->pos < l->len && l->p[l->pos] == '\n')
		l->pos++;
	if (x != NULL && pdf_ref(o->base, o->base_len, length, &num, &gen)) {
		tmp = malloc(sizeof(*tmp));
		if (tmp == NULL)
			return PDF_UPD_NO_MEMORY;
		r = pdf_xref_load(x, num, tmp);
		if (r == PDF_UPD_OK && !xref_span_uint(tmp->base, tmp->base_len, &tmp->whole, &n))
			r = PDF_UPD_MALFORMED;
		free(tmp);
		if (r != PDF_UPD_OK)
			return r;
	} else if (!xref_span_uint(o->base, o->base_len, length, &n)) {
		return PDF_UPD_MALFORMED;
	}
	if (n > l->len - l->pos)
		return PDF_UPD_MALFORMED;
	if (filter != NULL && !pdf_name_is(o->base, filter, "FlateDecode"))
		return PDF_UPD_UNSUPPORTED;
	if (parms != NULL) {
		pd = malloc(sizeof(*pd));
		if (pd == NULL)
			return PDF_UPD_NO_MEMORY;
		pd->n = 0;
		pl.pos = parms->start;
		r = PDF_UPD_UNSUPPORTED;
		if (!pdf_value(&pl, 0, &pv, pd) || pv.kind != PDF_V_DICT)
			goto out;
		s = pdf_dict_get(&pl, pd, "Predictor", NULL);
		if (s != NULL && !xref_span_uint(o->base, o->base_len, s, &predictor))
			goto out;
		s = pdf_dict_get(&pl, pd, "Columns", NULL);
		if (s != NULL && !xref_span_uint(o->base, o->base_len, s, &columns))
			goto out;
		s = pdf_dict_get(&pl, pd, "Colors", NULL);
		if (s != NULL && !(xref_span_uint(o->base, o->base_len, s, &num) && num == 1))
			goto out;
		s = pdf_dict_get(&pl, pd, "BitsPerComponent", NULL);
		if (s != NULL && !(xref_span_uint(o->base, o->base_len, s, &num) && num == 8))
			goto out;
		if (predictor != 1 && predictor < 10)
			goto out; /* TIFF predictor */
	}
	if (filter == NULL) {
		r = PDF_UPD_NO_MEMORY;
		*out = malloc(n + 1);
		if (*out == NULL)
			goto out;
		memcpy(*out, l->p + l->pos, n);
		*out_len = n;
		r = PDF_UPD_OK;
	} else {
		r = xref_inflate(l->p + l->pos, n, out, out_len);
	}
	if (r == PDF_UPD_OK && predictor >= 10 && !xref_png(*out, out_len, columns)) {
		free(*out);
		*out = NULL;
		r = PDF_UPD_MALFORMED;
	}
out:
	free(pd);
	return r;
}

/* xref_field: a big-endian field of w bytes. */
static size_t xref_field(const uint8_t *p, size_t w)
{
	size_t v = 0, i;

	for (i = 0; i < w; i++)
		v = v << 8 | p[i];
	return v;
}

/* xref_read_stream: the cross-reference stream whose "N G obj" is at off;
 * its dictionary goes to trailer. */
static enum pdf_upd_result xref_read_stream(struct pdf_xref *x, size_t off, struct pdf_dict *trailer)
{
	struct pdf_obj *o = calloc(1, sizeof(*o));
	struct pdf_lex l = {x->pdf, x->len, off};
	enum pdf_upd_result r = PDF_UPD_MALFORMED;
	const struct pdf_span *w, *index, *size;
	size_t ws[3], idx[2 * 64], nidx = 0, num, gen, i, k, entry, sz, wsum, dlen = 0, type;
	uint8_t *data = NULL;
	struct pdf_lex al;
	const uint8_t *row;

	if (o == NULL)
		return PDF_UPD_NO_MEMORY;
	o->base = x->pdf;
	o->base_len = x->len;
	if (!pdf_uint(&l, &num) || !pdf_uint(&l, &gen) || !pdf_keyword(&l, "obj") ||
	    !pdf_value(&l, 0, &o->whole, &o->dict) || o->whole.kind != PDF_V_DICT ||
	    !pdf_name_is(x->pdf, pdf_obj_get(o, "Type"), "XRef"))
		goto out;
	w = pdf_obj_get(o, "W");
	index = pdf_obj_get(o, "Index");
	size = pdf_obj_get(o, "Size");
	if (w == NULL || w->kind != PDF_V_ARRAY || !xref_span_uint(x->pdf, x->len, size, &sz) ||
	    sz > XREF_MAX_OBJECTS + 1)
		goto out;
	al = (struct pdf_lex){x->pdf, x->len, w->start + 1};
	for (i = 0; i < 3; i++)
		if (!pdf_uint(&al, &ws[i]) || ws[i] > 8)
			goto out;
	wsum = ws[0] + ws[1] + ws[2];
	if (index == NULL) {
		idx[0] = 0;
		idx[1] = sz;
		nidx = 1;
	} else if (index->kind == PDF_V_ARRAY) {
		al.pos = index->start + 1;
		for (nidx = 0; nidx < 64; nidx++) {
			pdf_skip_ws(&al);
			if (al.pos < al.len && al.p[al.pos] == ']')
				break;
			if (!pdf_uint(&al, &idx[2 * nidx]) || !pdf_uint(&al, &idx[2 * nidx + 1]))
				goto out;
		}
	} else {
		goto out;
	}
	r = xref_stream_data(NULL, o, &l, &data, &dlen);
	if (r != PDF_UPD_OK)
		goto out;
	r = PDF_UPD_MALFORMED;
	for (k = 0, entry = 0; k < nidx; k++) {
		if (wsum == 0 || idx[2 * k] > XREF_MAX_OBJECTS ||
		    idx[2 * k + 1] > XREF_MAX_OBJECTS + 1 - idx[2 * k] ||
		    idx[2 * k + 1] > (dlen / wsum) - entry)
			goto out;
		if (!xref_grow(x, idx[2 * k] + idx[2 * k + 1])) {
			r = PDF_UPD_NO_MEMORY;
			goto out;
		}
		for (i = 0; i < idx[2 * k + 1]; i++, entry++) {
			row = data + entry * wsum;
			type = ws[0] == 0 ? 1 : xref_field(row, ws[0]);
			if (type == 1 || type == 2)
				xref_set(x, idx[2 * k] + i, type == 1 ? XREF_OFFSET : XREF_IN_STREAM,
					 xref_field(row + ws[0], ws[1]), xref_field(row + ws[0] + ws[1], ws[2]));
		}
	}
	trailer->n = 0;
	l.pos = off;
	if (pdf_uint(&l, &num) && pdf_uint(&l, &gen) && pdf_keyword(&l, "obj") &&
	    pdf_value(&l, 0, &o->whole, trailer))
		r = PDF_UPD_OK;
out:
	free(data);
	free(o);
	return r;
}

/* xref_read_table: the classic table at l->pos (after "xref"), then its
 * trailer into trailer. */
static enum pdf_upd_result xref_read_table(struct pdf_xref *x, struct pdf_lex *l,
					   struct pdf_dict *trailer)
{
	size_t start, count, i, off, gen;
	struct pdf_span v;
	bool used;

	while (!pdf_keyword(l, "trailer")) {
		if (!pdf_uint(l, &start) || !pdf_uint(l, &count) || start > XREF_MAX_OBJECTS ||
		    count > XREF_MAX_OBJECTS + 1 - start || count > (l->len - l->pos) / 18)
			return PDF_UPD_MALFORMED;
		if (!xref_grow(x, start + count))
			return PDF_UPD_NO_MEMORY;
		for (i = start; i < start + count; i++) {
			if (!pdf_uint(l, &off) || !pdf_uint(l, &gen))
				return PDF_UPD_MALFORMED;
			used = pdf_keyword(l, "n");
			if (!used && !pdf_keyword(l, "f"))
				return PDF_UPD_MALFORMED;
			if (used && off < x->len)
				xref_set(x, i, XREF_OFFSET, off, gen);
		}
	}
	trailer->n = 0;
	return pdf_value(l, 0, &v, trailer) && v.kind == PDF_V_DICT ? PDF_UPD_OK : PDF_UPD_MALFORMED;
}

/* xref_section: the section at off, a table or a stream; *prev gets its
 * /Prev (0: none).  A table's /XRefStm (a hybrid file) is read right after
 * it, so that its entries come before older sections'. */
static enum pdf_upd_result xref_section(struct pdf_xref *x, size_t off, bool first, size_t *prev)
{
	struct pdf_dict *t = first ? &x->newest : &x->older;
	struct pdf_lex l = {x->pdf, x->len, off};
	const struct pdf_span *s;
	enum pdf_upd_result r;
	size_t hybrid = 0;

	if (pdf_keyword(&l, "xref")) {
		r = xref_read_table(x, &l, t);
		s = pdf_dict_get(&l, t, "XRefStm", NULL);
		if (r == PDF_UPD_OK && s != NULL &&
		    (!xref_span_uint(x->pdf, x->len, s, &hybrid) || hybrid >= x->len))
			r = PDF_UPD_MALFORMED;
		if (r == PDF_UPD_OK && hybrid != 0) {
			/* The stream's dictionary is not the trailer: read into a scratch one. */
			struct pdf_dict *scratch = malloc(sizeof(*scratch));

			r = scratch == NULL ? PDF_UPD_NO_MEMORY : xref_read_stream(x, hybrid, scratch);
			free(scratch);
		}
	} else {
		x->stream |= first;
		r = xref_read_stream(x, off, t);
	}
	if (r != PDF_UPD_OK)
		return r;
	l.pos = 0;
	s = pdf_dict_get(&l, t, "Prev", NULL);
	*prev = 0;
	if (s != NULL && (!xref_span_uint(x->pdf, x->len, s, prev) || *prev >= x->len || *prev == 0))
		return PDF_UPD_MALFORMED;
	return PDF_UPD_OK;
}

enum pdf_upd_result pdf_xref_read(const uint8_t *pdf, size_t len, struct pdf_xref **out)
{
	static const char startxref[] = "startxref";
	const size_t kw = sizeof(startxref) - 1, lo = len > 2048 ? len - 2048 : 0;
	struct pdf_xref *x = calloc(1, sizeof(*x));
	struct pdf_lex l = {pdf, len, 0};
	enum pdf_upd_result r = PDF_UPD_MALFORMED;
	size_t i, off, sections, seen[XREF_MAX_SECTIONS];
	bool found = false;

	*out = NULL;
	if (x == NULL)
		return PDF_UPD_NO_MEMORY;
	x->pdf = pdf;
	x->len = len;
	/* The last startxref, within the last 2 KB (the file may end in junk). */
	for (i = len; !found && i >= lo + kw; i--)
		found = memcmp(pdf + i - kw, startxref, kw) == 0;
	l.pos = i + 1; /* the loop stepped once more after the match ending at i + 1 */
	if (!found || !pdf_uint(&l, &off) || off >= len)
		goto out;
	x->startxref = off;
	for (sections = 0; off != 0 && sections < XREF_MAX_SECTIONS; sections++) {
		/* A /Prev back to a section already read is a loop. */
		for (i = 0; i < sections; i++)
			if (seen[i] == off)
				off = SIZE_MAX;
		if (off == SIZE_MAX) {
			r = PDF_UPD_MALFORMED;
			goto out;
		}
		seen[sections] = off;
		r = xref_section(x, off, sections == 0, &off);
		if (r != PDF_UPD_OK)
			goto out;
	}
	r = off == 0 ? PDF_UPD_OK : PDF_UPD_MALFORMED;
out:
	if (r == PDF_UPD_OK)
		*out = x;
	else
		pdf_xref_free(x);
	return r;
}

void pdf_xref_free(struct pdf_xref *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->ndecoded; i++)
		free(x->decoded[i].data);
	free(x->e);
	free(x);
}

const struct pdf_dict *pdf_xref_trailer(const struct pdf_xref *x)
{
	return &x->newest;
}

size_t pdf_xref_startxref(const struct pdf_xref *x)
{
	return x->startxref;
}

bool pdf_xref_is_stream(const struct pdf_xref *x)
{
	return x->stream;
}

size_t pdf_xref_size(const struct pdf_xref *x)
{
	return x->n;
}

/* xref_objstm: the decoded object stream num (kept in x). */
static enum pdf_upd_result xref_objstm(struct pdf_xref *x, size_t num, const struct xref_stream **out)
{
	struct pdf_obj *o;
	struct pdf_lex l = {x->pdf, x->len, 0};
	enum pdf_upd_result r;
	size_t i, n, g;

	for (i = 0; i < x->ndecoded; i++)
		if (x->decoded[i].num == num) {
			*out = &x->decoded[i];
			return PDF_UPD_OK;
		}
	if (x->ndecoded == XREF_MAX_STREAMS || num >= x->n || x->e[num].type != XREF_OFFSET)
		return x->ndecoded == XREF_MAX_STREAMS ? PDF_UPD_UNSUPPORTED : PDF_UPD_MALFORMED;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return PDF_UPD_NO_MEMORY;
	o->base = x->pdf;
	o->base_len = x->len;
	l.pos = x->e[num].a;
	r = PDF_UPD_MALFORMED;
	if (pdf_uint(&l, &n) && n == num && pdf_uint(&l, &g) && pdf_keyword(&l, "obj") &&
	    pdf_value(&l, 0, &o->whole, &o->dict) && o->whole.kind == PDF_V_DICT &&
	    pdf_name_is(x->pdf, pdf_obj_get(o, "Type"), "ObjStm"))
		r = xref_stream_data(x, o, &l, &x->decoded[x->ndecoded].data,
				     &x->decoded[x->ndecoded].len);
	free(o);
	if (r != PDF_UPD_OK)
		return r;
	x->decoded[x->ndecoded].num = num;
	*out = &x->decoded[x->ndecoded++];
	return PDF_UPD_OK;
}

enum pdf_upd_result pdf_xref_load(struct pdf_xref *x, size_t num, struct pdf_obj *o)
{
	const struct xref_stream *stm;
	struct pdf_lex l = {x->pdf, x->len, 0};
	const struct pdf_span *first_s, *n_s;
	struct pdf_obj *so;
	enum pdf_upd_result r;
	size_t n, first, count, i, objnum, rel = 0;

	o->dict.n = 0;
	if (num >= x->n || x->e[num].type == XREF_NONE)
		return PDF_UPD_MALFORMED;
	if (x->e[num].type == XREF_OFFSET) {
		o->base = x->pdf;
		o->base_len = x->len;
		l.pos = x->e[num].a;
		if (!pdf_uint(&l, &n) || n != num || !pdf_uint(&l, &o->gen) ||
		    !pdf_keyword(&l, "obj") || !pdf_value(&l, 0, &o->whole, &o->dict))
			return PDF_UPD_MALFORMED;
		o->num = num;
		return PDF_UPD_OK;
	}
	/* In an object stream: "objnum offset" pairs, then the objects from /First. */
	r = xref_objstm(x, x->e[num].a, &stm);
	if (r != PDF_UPD_OK)
		return r;
	so = calloc(1, sizeof(*so));
	if (so == NULL)
		return PDF_UPD_NO_MEMORY;
	so->base = x->pdf;
	so->base_len = x->len;
	l.pos = x->e[x->e[num].a].a;
	r = PDF_UPD_MALFORMED;
	if (!pdf_uint(&l, &n) || !pdf_uint(&l, &n) || !pdf_keyword(&l, "obj") ||
	    !pdf_value(&l, 0, &so->whole, &so->dict))
		goto out;
	first_s = pdf_obj_get(so, "First");
	n_s = pdf_obj_get(so, "N");
	if (!xref_span_uint(x->pdf, x->len, first_s, &first) || !xref_span_uint(x->pdf, x->len, n_s, &count) ||
	    first > stm->len || x->e[num].b >= count)
		goto out;
	l = (struct pdf_lex){stm->data, first, 0};
	for (i = 0; i <= x->e[num].b; i++)
		if (!pdf_uint(&l, &objnum) || !pdf_uint(&l, &rel))
			goto out;
	if (objnum != num || rel > stm->len - first)
		goto out;
	o->base = stm->data;
	o->base_len = stm->len;
	o->num = num;
	o->gen = 0;
	l = (struct pdf_lex){stm->data, stm->len, first + rel};
	if (pdf_value(&l, 0, &o->whole, &o->dict))
		r = PDF_UPD_OK;
out:
	free(so);
	return r;
}
