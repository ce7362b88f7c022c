/* jpki-tool: the command line for what PKCS#11 cannot do with a My Number
 * Card: PIN tries left, certificates and their personal data, PIN changes,
 * the text application, CMS signatures.  See jpki-tool(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "i18n.h"
#include "tool.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

struct main_command {
	const char *name;
	enum tool_exit (*run)(struct tool *t, int argc, char **argv);
	bool keep_output; /* print what was gathered even when it fails (status) */
};

static const struct main_command main_commands[] = {
	{"status", cmd_status, true},	   {"cert", cmd_cert, false},  {"pin", cmd_pin, false},
	{"mynumber", cmd_mynumber, false}, {"info", cmd_info, false},  {"sign", cmd_sign, false},
	{"verify", cmd_verify, false},	   {"setup", cmd_setup, true}, {"pdf", cmd_pdf, true},
};

enum {
	OPT_PIN_FD = 256,
	OPT_PIN_FILE,
	OPT_DER,
	OPT_PEM,
	OPT_REVEAL,
	OPT_SETUP_REMOVE,
	OPT_SETUP_DRY_RUN,
	OPT_SETUP_SYSTEM,
	OPT_SETUP_MODULE,
	OPT_PSS,
};

static const struct option main_options[] = {
	{"reader", required_argument, NULL, 'r'},
	{"json", no_argument, NULL, 'j'},
	{"pin-fd", required_argument, NULL, OPT_PIN_FD},
	{"pin-file", required_argument, NULL, OPT_PIN_FILE},
	{"force", no_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"key", required_argument, NULL, 'k'},
	{"der", no_argument, NULL, OPT_DER},
	{"pem", no_argument, NULL, OPT_PEM},
	{"reveal", no_argument, NULL, OPT_REVEAL},
	{"remove", no_argument, NULL, OPT_SETUP_REMOVE},
	{"dry-run", no_argument, NULL, OPT_SETUP_DRY_RUN},
	{"system", no_argument, NULL, OPT_SETUP_SYSTEM},
	{"module", required_argument, NULL, OPT_SETUP_MODULE},
	{"pss", no_argument, NULL, OPT_PSS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void main_usage(FILE *fp)
{
	int code;

	fputs(_("Usage: jpki-tool [OPTIONS] COMMAND [ARGUMENTS]\n"
		"\n"
		"Commands:\n"
		"  setup                          register the module in your applications\n"
		"  status                         readers, card, PIN tries left (spends none)\n"
		"  cert show|export WHICH         a certificate: auth, sign, auth-ca, sign-ca\n"
		"  cert check [auth|sign|all]     check certificates against the card's CA\n"
		"  pin change auth|sign|text      change a PIN\n"
		"  mynumber                       the My Number (text PIN)\n"
		"  info                           My Number, name, address, birth date, sex\n"
		"  sign FILE                      a detached CMS signature (FILE.p7s)\n"
		"  verify SIGNATURE FILE          check a signature against the card's CA\n"
		"  pdf sign FILE                  sign a PDF (FILE-signed.pdf) for online filing\n"
		"  pdf verify FILE [CA-CERT...]   check a PDF's signatures against the card's CA\n"
		"\n"
		"Options:\n"
		"  -r, --reader NAME   the reader to use (a unique part of its name)\n"
		"  -j, --json          output for scripts\n"
		"      --pin-fd N      read PINs from file descriptor N, one per line\n"
		"      --pin-file F    read PINs from file F, one per line\n"
		"  -f, --force         allow a PIN entry when only one try is left\n"
		"  -o, --output FILE   where to write (cert export, sign)\n"
		"  -k, --key sign|auth the key for sign (default: sign)\n"
		"      --pss           sign with RSASSA-PSS (SHA-256, salt 32)\n"
		"      --der, --pem    output format (cert export: PEM; sign: DER)\n"
		"      --reveal        show the whole My Number\n"
		"      --remove        setup: take the registration out again\n"
		"      --dry-run       setup: list what would change, change nothing\n"
		"      --system        setup: Firefox's policy for every user (root)\n"
		"      --module PATH   setup: the module to register\n"
		"  -h, --help          this help\n"
		"  -V, --version       the version\n"
		"\n"
		"Exit codes:\n"),
	      fp);
	for (code = 0; code < TOOL_EXIT_COUNT; code++)
		fprintf(fp, "  %2d  %s\n", code, _(exit_desc((enum tool_exit)code)->summary));
}

static bool main_parse_fd(const char *s, int *fd)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX)
		return false;
	*fd = (int)v;
	return fcntl(*fd, F_GETFD) >= 0;
}

/* main_report: the error on stderr, and with --json as an object on stdout. */
static void main_report(struct tool *t, enum tool_exit rc, bool keep)
{
	const char *msg = t->error != NULL ? t->error : _(exit_desc(rc)->summary);

	fprintf(stderr, "jpki-tool: ");
	out_text_string(stderr, msg);
	fputc('\n', stderr);
	if (!t->json)
		return;
	if (!keep) {
		out_discard(&t->out);
		if (!out_init(&t->out, true))
			return;
	}
	out_obj_begin(&t->out, "error", NULL);
	out_int(&t->out, "exit_code", NULL, rc);
	out_str(&t->out, "name", NULL, exit_desc(rc)->name);
	out_str(&t->out, "message", NULL, msg);
	if (t->error_tries >= 0)
		out_int(&t->out, "tries_left", NULL, t->error_tries);
	out_obj_end(&t->out);
}

/* main_option: one option into t; false (error recorded) on a bad value. */
static bool main_option(struct tool *t, int opt, const char **pin_file, int *pin_fd)
{
	switch (opt) {
	case 'r':
		t->reader_opt = optarg;
		return true;
	case 'j':
		t->json = true;
		return true;
	case OPT_PIN_FD:
		if (main_parse_fd(optarg, pin_fd))
			return true;
		tool_fail(t, TOOL_EXIT_USAGE,
			  _("--pin-fd needs an open file descriptor, not \"%s\"."), optarg);
		return false;
	case OPT_PIN_FILE:
		*pin_file = optarg;
		return true;
	case 'f':
		t->force = true;
		return true;
	case 'o':
		t->output = optarg;
		return true;
	case 'k':
		t->key_opt = optarg;
		return true;
	case OPT_DER:
		t->der = true;
		return true;
	case OPT_PEM:
		t->pem = true;
		return true;
	case OPT_REVEAL:
		t->reveal = true;
		return true;
	case OPT_SETUP_REMOVE:
		t->setup_remove = true;
		return true;
	case OPT_SETUP_DRY_RUN:
		t->setup_dry_run = true;
		return true;
	case OPT_SETUP_SYSTEM:
		t->setup_system = true;
		return true;
	case OPT_SETUP_MODULE:
		t->module_opt = optarg;
		return true;
	case OPT_PSS:
		t->pss = true;
		return true;
	default:
		tool_fail(t, TOOL_EXIT_USAGE, "%s", _("Invalid option (see jpki-tool --help)."));
		return false;
	}
}

static void main_cleanup(struct tool *t)
{
	jpki_card_free(t->card);
	if (t->transport != NULL)
		t->transport->ops->free(t->transport);
	free(t->reader);
	free(t->error);
	secret_source_close(&t->pins);
	out_discard(&t->out);
	log_close(&t->log);
}

int main(int argc, char **argv)
{
	const struct main_command *cmd = NULL;
	const char *localedir, *pin_file = NULL;
	struct tool t;
	enum tool_exit rc = TOOL_EXIT_OK;
	int opt, pin_fd = -1;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.error_tries = -1;
	secret_source_tty(&t.pins);
	setlocale(LC_ALL, "");
	/* Tests run before installation point this at the build tree; ignored
	 * in setuid programs (secure_getenv). */
	localedir = secure_getenv("JPKI_TOOL_LOCALEDIR");
	bindtextdomain(TOOL_TEXT_DOMAIN,
		       localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
	textdomain(TOOL_TEXT_DOMAIN);
	log_open(&t.log, secure_getenv("JPKI_TOOL_DEBUG"));

	/* GNU order: options may come before or after the command. */
	while ((opt = getopt_long(argc, argv, "r:jfo:k:hV", main_options, NULL)) != -1) {
		if (opt == 'h') {
			main_usage(stdout);
			goto out;
		}
		if (opt == 'V') {
			printf("jpki-tool %s\n", PACKAGE_VERSION);
			goto out;
		}
		if (!main_option(&t, opt, &pin_file, &pin_fd)) {
			rc = t.error_code;
			goto report;
		}
	}
	if (optind >= argc) {
		rc = tool_fail(&t, TOOL_EXIT_USAGE, "%s",
			       _("No command given (see jpki-tool --help)."));
		goto report;
	}
	for (i = 0; i < sizeof(main_commands) / sizeof(main_commands[0]); i++)
		if (strcmp(argv[optind], main_commands[i].name) == 0)
			cmd = &main_commands[i];
	if (cmd == NULL) {
		rc = tool_fail(&t, TOOL_EXIT_USAGE,
			       _("Unknown command \"%s\" (see jpki-tool --help)."), argv[optind]);
		goto report;
	}
	if (pin_fd >= 0 && pin_file != NULL) {
		rc = tool_fail(&t, TOOL_EXIT_USAGE, "%s",
			       _("Give --pin-fd or --pin-file, not both."));
		goto report;
	}
	if (pin_fd >= 0) {
		secret_source_fd(&t.pins, pin_fd);
	} else if (pin_file != NULL && secret_source_file(&t.pins, pin_file) != SECRET_OK) {
		rc = tool_fail_file(&t, pin_file, false);
		goto report;
	}
	if (!out_init(&t.out, t.json)) {
		rc = tool_fail_card(&t, CARD_E_NO_MEMORY);
		goto report;
	}
	rc = cmd->run(&t, argc - optind - 1, argv + optind + 1);
	/* A failed --json command answers with the error alone, unless what it
	 * gathered is still true (status); text output is true as far as it goes. */
	if (rc != TOOL_EXIT_OK && t.json && !cmd->keep_output)
		goto report;
	if (rc != TOOL_EXIT_OK)
		main_report(&t, rc, true);
	if (!out_flush(&t.out, stdout) && rc == TOOL_EXIT_OK) {
		rc = TOOL_EXIT_FILE;
		fprintf(stderr, "jpki-tool: %s\n", _("Cannot write the output."));
	}
	goto out;
report:
	main_report(&t, rc, false);
	if (t.json)
		out_flush(&t.out, stdout);
out:
	main_cleanup(&t);
	return rc;
}
