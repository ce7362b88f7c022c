/* Firefox's enterprise policy file (policies.json) edited in place: one
 * member, policies.SecurityDevices.Add.NAME = PATH, added or taken out,
 * every other byte of the file kept.  The whole file is checked as JSON
 * (RFC 8259) first; a file that is not JSON, or whose members on the way
 * are not objects, is refused, never rewritten. */
#ifndef JPKI_TOOL_POLICY_JSON_H
#define JPKI_TOOL_POLICY_JSON_H

#include <stddef.h>

enum policy_result {
	POLICY_CHANGED,	   /* *out holds the new file */
	POLICY_UNCHANGED,  /* add: already there with PATH; remove: not there */
	POLICY_OTHER_PATH, /* NAME is there with another value: left alone */
	POLICY_INVALID,	   /* not JSON, or a member on the way is not an object */
	POLICY_NO_MEMORY,
};

/* policy_add: the file text (len bytes) with NAME = PATH added to
 * policies.SecurityDevices.Add (each level made when missing); on
 * POLICY_CHANGED *out is a malloc'ed NUL-terminated text. */
enum policy_result policy_add(const char *text, size_t len, const char *name, const char *path,
			      char **out);

/* policy_remove: the file text with the member NAME = PATH taken out of
 * policies.SecurityDevices.Add, and Add and SecurityDevices with it when
 * they are left empty. */
enum policy_result policy_remove(const char *text, size_t len, const char *name, const char *path,
				 char **out);

#endif
