/* PIN input: see secret.h. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* The signal that interrupted a prompt: handlers may only set a flag. */
static volatile sig_atomic_t secret_signal;

static const int secret_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define SECRET_NSIG (sizeof(secret_signals) / sizeof(secret_signals[0]))

static void secret_on_signal(int sig)
{
	secret_signal = sig;
}

void secret_source_tty(struct secret_source *s)
{
	s->fd = -1;
	s->own_fd = false;
}

void secret_source_fd(struct secret_source *s, int fd)
{
	s->fd = fd;
	s->own_fd = false;
}

enum secret_result secret_source_file(struct secret_source *s, const char *path)
{
	secret_source_tty(s);
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (s->fd < 0)
		return SECRET_E_IO;
	s->own_fd = true;
	return SECRET_OK;
}

void secret_source_close(struct secret_source *s)
{
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->own_fd = false;
}

/* secret_read_line: one line from fd into out, without its LF (and CR). */
static enum secret_result secret_read_line(int fd, char out[SECRET_MAX + 1])
{
	enum secret_result res = SECRET_OK;
	size_t len = 0;
	bool any = false;
	ssize_t n;
	char ch;

	for (;;) {
		n = read(fd, &ch, 1);
		if (n < 0 && errno == EINTR) {
			if (secret_signal != 0)
				break;
			continue;
		}
		if (n < 0) {
			res = SECRET_E_IO;
			break;
		}
		if (n == 0) {
			if (!any)
				res = SECRET_E_EOF;
			break;
		}
		any = true;
		if (ch == '\n')
			break;
		if (len < SECRET_MAX)
			out[len++] = ch;
		else
			res = SECRET_E_TOO_LONG; /* read on to the end of the line */
	}
	ch = 0;
	if (res == SECRET_OK && len > 0 && out[len - 1] == '\r')
		len--;
	out[len] = '\0';
	if (res != SECRET_OK)
		OPENSSL_cleanse(out, SECRET_MAX + 1);
	return res;
}

static enum secret_result secret_prompt(const char *prompt, char out[SECRET_MAX + 1])
{
	struct sigaction sa, old_sa[SECRET_NSIG];
	struct termios old_tio, tio;
	enum secret_result res;
	bool tio_set = false;
	size_t i;
	int fd, sig;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return SECRET_E_NO_TTY;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = secret_on_signal; /* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	secret_signal = 0;
	for (i = 0; i < SECRET_NSIG; i++)
		sigaction(secret_signals[i], &sa, &old_sa[i]);
	if (tcgetattr(fd, &old_tio) == 0) {
		tio = old_tio;
		tio.c_lflag &= ~(tcflag_t)ECHO;
		tio.c_lflag |= ICANON | ECHONL;
		tio_set = tcsetattr(fd, TCSAFLUSH, &tio) == 0;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		/* nothing to do: the read below still works or fails */
	}
	res = secret_read_line(fd, out);
	if (tio_set)
		tcsetattr(fd, TCSAFLUSH, &old_tio);
	for (i = 0; i < SECRET_NSIG; i++)
		sigaction(secret_signals[i], &old_sa[i], NULL);
	close(fd);
	sig = secret_signal;
	if (sig != 0) {
		OPENSSL_cleanse(out, SECRET_MAX + 1);
		/* The terminal is restored: die by the signal as the shell expects. */
		signal(sig, SIG_DFL);
		raise(sig);
		res = SECRET_E_EOF; /* SIGTSTP stops and resumes: the prompt is abandoned */
	}
	return res;
}

enum secret_result secret_read(struct secret_source *s, const char *prompt,
			       char out[SECRET_MAX + 1])
{
	out[0] = '\0';
	if (s->fd < 0)
		return secret_prompt(prompt, out);
	return secret_read_line(s->fd, out);
}
