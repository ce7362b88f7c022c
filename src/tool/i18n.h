/* Message translation through glibc's libintl: _() marks and translates a
 * message, N_() only marks one (for tables, translated where printed). */
#ifndef JPKI_TOOL_I18N_H
#define JPKI_TOOL_I18N_H

#include <libintl.h>

#define TOOL_TEXT_DOMAIN "jpki-tool"

#define _(msg)	gettext(msg)
#define N_(msg) (msg)

#endif
