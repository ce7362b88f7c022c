/* PIN input: a no-echo prompt on the controlling terminal, or lines from a
 * file descriptor or file for scripts.  Never from the command line (other
 * users see it in ps) and never from the environment.
 *
 * From a descriptor or file each PIN is one line (LF or CRLF); `pin change`
 * reads the current PIN, then the new one.  The descriptor is read one byte
 * at a time so that nothing past the needed lines is consumed.  Callers
 * wipe the buffers (OPENSSL_cleanse) as soon as they are done.
 */
#ifndef JPKI_TOOL_SECRET_H
#define JPKI_TOOL_SECRET_H

#include <stdbool.h>

#define SECRET_MAX 64 /* longer lines are refused, never truncated */

enum secret_result {
	SECRET_OK,
	SECRET_E_EOF,	   /* no line left */
	SECRET_E_TOO_LONG, /* a line longer than SECRET_MAX */
	SECRET_E_IO,	   /* read error, or the file cannot be opened */
	SECRET_E_NO_TTY,   /* no terminal to ask on */
};

struct secret_source {
	int fd;	     /* -1: ask on /dev/tty */
	bool own_fd; /* opened here (--pin-file) */
};

/* secret_source_tty / _fd / _file: where PINs come from.  _file opens the
 * file now (SECRET_E_IO if it cannot). */
void secret_source_tty(struct secret_source *s);
void secret_source_fd(struct secret_source *s, int fd);
enum secret_result secret_source_file(struct secret_source *s, const char *path);
void secret_source_close(struct secret_source *s);

/* secret_read: the next PIN into out (NUL-terminated).  prompt is shown on
 * the terminal only.  An interrupt during the prompt restores the terminal
 * and ends the program by the same signal. */
enum secret_result secret_read(struct secret_source *s, const char *prompt,
			       char out[SECRET_MAX + 1]);

#endif
