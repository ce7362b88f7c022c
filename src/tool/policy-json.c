/* Editing one member of policies.json in place (see policy-json.h).
 *
 * A small RFC 8259 checker walks the text; the edit is a splice at byte
 * offsets it found, so the rest of the administrator's file (order,
 * spacing, other policies) stays exactly as it was. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-json.h"

/* Nesting deeper than this is not a policy file (and would cost stack). */
#define PJ_MAX_DEPTH 64

struct pj {
	const char *s;
	size_t len, pos;
	int depth;
};

static void pj_ws(struct pj *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool pj_is(struct pj *p, char c)
{
	return p->pos < p->len && p->s[p->pos] == c;
}

static bool pj_digits(struct pj *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > start;
}

/* pj_string: a string at pos (its quote), pos left after its end quote. */
static bool pj_string(struct pj *p)
{
	static const char escapes[] = "\"\\/bfnrt";
	size_t i;

	if (!pj_is(p, '"'))
		return false;
	for (p->pos++; p->pos < p->len; p->pos++) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c == '"') {
			p->pos++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (++p->pos >= p->len)
			return false;
		if (p->s[p->pos] == 'u') {
			for (i = 1; i <= 4; i++)
				if (p->pos + i >= p->len ||
				    strchr("0123456789abcdefABCDEF", p->s[p->pos + i]) == NULL ||
				    p->s[p->pos + i] == '\0')
					return false;
			p->pos += 4;
		} else if (p->s[p->pos] == '\0' || strchr(escapes, p->s[p->pos]) == NULL) {
			return false;
		}
	}
	return false;
}

static bool pj_number(struct pj *p)
{
	if (pj_is(p, '-'))
		p->pos++;
	if (pj_is(p, '0'))
		p->pos++;
	else if (!pj_digits(p))
		return false;
	if (pj_is(p, '.')) {
		p->pos++;
		if (!pj_digits(p))
			return false;
	}
	if (pj_is(p, 'e') || pj_is(p, 'E')) {
		p->pos++;
		if (pj_is(p, '+') || pj_is(p, '-'))
			p->pos++;
		if (!pj_digits(p))
			return false;
	}
	return true;
}

static bool pj_value(struct pj *p);

/* pj_items: the members of an object or the elements of an array, after
 * its opening bracket, through its closing one. */
static bool pj_items(struct pj *p, bool object)
{
	bool ok;

	p->pos++;
	pj_ws(p);
	if (pj_is(p, object ? '}' : ']')) {
		p->pos++;
		return true;
	}
	for (;;) {
		if (object) {
			if (!pj_string(p))
				return false;
			pj_ws(p);
			if (!pj_is(p, ':'))
				return false;
			p->pos++;
			pj_ws(p);
		}
		ok = pj_value(p);
		if (!ok)
			return false;
		pj_ws(p);
		if (pj_is(p, ',')) {
			p->pos++;
			pj_ws(p);
			continue;
		}
		if (!pj_is(p, object ? '}' : ']'))
			return false;
		p->pos++;
		return true;
	}
}

static bool pj_value(struct pj *p)
{
	bool ok;

	if (p->pos >= p->len)
		return false;
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		if (++p->depth > PJ_MAX_DEPTH)
			return false;
		ok = pj_items(p, p->s[p->pos] == '{');
		p->depth--;
		return ok;
	case '"':
		return pj_string(p);
	case 't':
		return p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0 &&
		       (p->pos += 4, true);
	case 'f':
		return p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0 &&
		       (p->pos += 5, true);
	case 'n':
		return p->len - p->pos >= 4 && memcmp(p->s + p->pos, "null", 4) == 0 &&
		       (p->pos += 4, true);
	default:
		return pj_number(p);
	}
}

/* A member of an object: where its key starts and its value ends. */
struct pj_member {
	size_t key, value, end;
};

/* pj_find: the member named key (compared as written, without escapes) of
 * the object whose '{' is at obj in a checked text; false when absent. */
static bool pj_find(const char *s, size_t len, size_t obj, const char *key, struct pj_member *m)
{
	struct pj p = {s, len, obj + 1, 0};
	size_t klen = strlen(key);

	pj_ws(&p);
	while (!pj_is(&p, '}')) {
		m->key = p.pos;
		pj_string(&p);
		pj_ws(&p);
		p.pos++; /* ':' */
		pj_ws(&p);
		m->value = p.pos;
		pj_value(&p);
		m->end = p.pos;
		if (m->value - m->key >= klen + 2 && memcmp(s + m->key + 1, key, klen) == 0 &&
		    s[m->key + 1 + klen] == '"')
			return true;
		pj_ws(&p);
		if (pj_is(&p, ','))
			p.pos++;
		pj_ws(&p);
	}
	return false;
}

static bool pj_empty(const char *s, size_t len, size_t obj)
{
	struct pj p = {s, len, obj + 1, 0};

	pj_ws(&p);
	return pj_is(&p, '}');
}

/* pj_splice: text with [from, to) replaced by ins (a new string). */
static char *pj_splice(const char *s, size_t len, size_t from, size_t to, const char *ins)
{
	size_t n = strlen(ins);
	char *out = malloc(len - (to - from) + n + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, s, from);
	memcpy(out + from, ins, n);
	memcpy(out + from + n, s + to, len - to);
	out[len - (to - from) + n] = '\0';
	return out;
}

/* pj_quote: "value" with JSON escapes (malloc'ed). */
static char *pj_quote(const char *v)
{
	char *out = malloc(strlen(v) * 6 + 3), *o = out;

	if (out == NULL)
		return NULL;
	*o++ = '"';
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\')
			o += sprintf(o, "\\%c", c);
		else if (c < 0x20)
			o += sprintf(o, "\\u%04x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* pj_check: the text is one JSON object; *top gets its '{'. */
static bool pj_check(const char *s, size_t len, size_t *top)
{
	struct pj p = {s, len, 0, 0};

	pj_ws(&p);
	*top = p.pos;
	if (!pj_is(&p, '{') || !pj_value(&p))
		return false;
	pj_ws(&p);
	return p.pos == len;
}

/* The path of objects down to the member: the keys, outermost first. */
static const char *const pj_path[] = {"policies", "SecurityDevices", "Add"};
#define PJ_LEVELS (sizeof(pj_path) / sizeof(pj_path[0]))

enum policy_result policy_add(const char *text, size_t len, const char *name, const char *path,
			      char **out)
{
	char *qname = pj_quote(name), *qpath = pj_quote(path), *member = NULL;
	enum policy_result rc = POLICY_NO_MEMORY;
	struct pj_member m;
	size_t obj, level, i, n;
	bool empty;

	*out = NULL;
	if (qname == NULL || qpath == NULL)
		goto done;
	rc = POLICY_INVALID;
	if (!pj_check(text, len, &obj))
		goto done;
	for (level = 0; level < PJ_LEVELS; level++) {
		if (!pj_find(text, len, obj, pj_path[level], &m))
			break;
		if (text[m.value] != '{')
			goto done;
		obj = m.value;
	}
	if (level == PJ_LEVELS && pj_find(text, len, obj, name, &m)) {
		n = strlen(qpath);
		rc = m.end - m.value == n && memcmp(text + m.value, qpath, n) == 0
			     ? POLICY_UNCHANGED
			     : POLICY_OTHER_PATH;
		goto done;
	}
	/* The missing levels, innermost last, then the member itself. */
	rc = POLICY_NO_MEMORY;
	n = 0;
	for (i = level; i < PJ_LEVELS; i++)
		n += strlen(pj_path[i]) + 6;
	member = malloc(n + strlen(qname) + strlen(qpath) + 8);
	if (member == NULL)
		goto done;
	member[0] = '\0';
	for (i = level; i < PJ_LEVELS; i++)
		sprintf(member + strlen(member), "\"%s\": {", pj_path[i]);
	sprintf(member + strlen(member), "%s: %s", qname, qpath);
	for (i = level; i < PJ_LEVELS; i++)
		strcat(member, "}");
	/* Inserted first in the object, so no neighbour's comma moves. */
	empty = pj_empty(text, len, obj);
	if (!empty)
		strcat(member, ", ");
	*out = pj_splice(text, len, obj + 1, obj + 1, member);
	rc = *out != NULL ? POLICY_CHANGED : POLICY_NO_MEMORY;
done:
	free(member);
	free(qname);
	free(qpath);
	return rc;
}

/* pj_cut: the text without the member m and one comma beside it: the one
 * after it with one space that follows, or for the last member the one
 * before it with the space that precedes (malloc'ed). */
static char *pj_cut(const char *s, size_t len, const struct pj_member *m)
{
	struct pj p = {s, len, m->end, 0};
	size_t from = m->key, to;

	pj_ws(&p);
	if (pj_is(&p, ',')) {
		/* The ", " policy_add writes; the line breaks of the file stay. */
		p.pos++;
		if (pj_is(&p, ' '))
			p.pos++;
		to = p.pos;
	} else {
		/* The last member: the comma before it goes. */
		to = m->end;
		while (from > 0 && strchr(" \t\r\n", s[from - 1]) != NULL)
			from--;
		if (from > 0 && s[from - 1] == ',') {
			from--;
			while (from > 0 && strchr(" \t\r\n", s[from - 1]) != NULL)
				from--;
		} else {
			from = m->key;
		}
	}
	return pj_splice(s, len, from, to, "");
}

enum policy_result policy_remove(const char *text, size_t len, const char *name, const char *path,
				 char **out)
{
	char *qpath = pj_quote(path), *cur = NULL, *next;
	enum policy_result rc = POLICY_NO_MEMORY;
	size_t objs[PJ_LEVELS + 1], level, n;
	struct pj_member m;

	*out = NULL;
	if (qpath == NULL)
		goto done;
	rc = POLICY_INVALID;
	if (!pj_check(text, len, &objs[0]))
		goto done;
	rc = POLICY_UNCHANGED;
	for (level = 0; level < PJ_LEVELS; level++) {
		if (!pj_find(text, len, objs[level], pj_path[level], &m))
			goto done;
		if (text[m.value] != '{') {
			rc = POLICY_INVALID;
			goto done;
		}
		objs[level + 1] = m.value;
	}
	if (!pj_find(text, len, objs[PJ_LEVELS], name, &m))
		goto done;
	n = strlen(qpath);
	if (m.end - m.value != n || memcmp(text + m.value, qpath, n) != 0) {
		rc = POLICY_OTHER_PATH;
		goto done;
	}
	rc = POLICY_NO_MEMORY;
	if ((cur = pj_cut(text, len, &m)) == NULL)
		goto done;
	/* Add, then SecurityDevices, when the cut left them empty; the
	 * offsets before the cut are unchanged, so objs still hold. */
	for (level = PJ_LEVELS; level > 1; level--) {
		len = strlen(cur);
		if (!pj_empty(cur, len, objs[level]) ||
		    !pj_find(cur, len, objs[level - 1], pj_path[level - 1], &m))
			break;
		if ((next = pj_cut(cur, len, &m)) == NULL)
			goto done;
		free(cur);
		cur = next;
	}
	*out = cur;
	cur = NULL;
	rc = POLICY_CHANGED;
done:
	free(cur);
	free(qpath);
	return rc;
}
