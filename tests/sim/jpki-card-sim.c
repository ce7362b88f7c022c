/* jpki-card-sim: the emulated My Number Card as a virtual card for vsmartcard's vpcd.
 *
 * vpcd (the pcscd reader driver) listens on a TCP port; a virtual card connects to it.  Each
 * message either way is a 2-byte big-endian length and a payload.  From vpcd, a 1-byte payload is
 * a control code (00 power off, 01 power on, 02 reset, 04 send the ATR); anything longer is a
 * C-APDU to answer with the R-APDU.  The card is "inserted" while the connection is up: SIGUSR1
 * drops it for --reinsert-ms and reconnects (a card pulled and re-inserted).  --remove-after N
 * drops it right after answering the Nth APDU (a card pulled mid-command, at a known point): vpcd
 * then reports the reader empty, as a real removal looks to pcscd; the card comes back after
 * --reinsert-ms when that is given, else it stays out until the emulator is stopped.  An
 * exchange a reader switch loses (--reader-drops-256, --reader-short-commands) drops the card
 * for --reinsert-ms (default 1 s): pcscd sees a removal, then the card again.
 */
#include "sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested, reinsert_requested;
static int exchange_lost; /* serve() ended on an exchange a reader switch lost */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		reinsert_requested = 1;
	else
		stop_requested = 1;
}

static bool interrupted(void)
{
	return stop_requested || reinsert_requested;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL); /* a signal may cut it short: the caller rechecks its flags */
}

/* read_exact: n bytes or -1 (EOF, error, or a stop/reinsert request). vpcd writes the length and
 * the payload separately, so never rely on one read per message. */
static int read_exact(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int r = poll(&pfd, 1, 200);
		if (interrupted())
			return -1;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		/* vpcd writes length and payload separately without TCP_NODELAY: with delayed ACKs
		 * here, Nagle holds its second write for ~40 ms.  Linux clears QUICKACK after use,
		 * so set it before every read. */
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		ssize_t got = read(fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_msg(int fd, const uint8_t *payload, size_t len)
{
	uint8_t *msg = malloc(len + 2);
	int rc;

	if (msg == NULL)
		return -1;
	msg[0] = (uint8_t)(len >> 8);
	msg[1] = (uint8_t)len;
	memcpy(msg + 2, payload, len);
	rc = write_all(fd, msg, len + 2);
	free(msg);
	return rc;
}

static int connect_vpcd(const char *host, unsigned port)
{
	union {
		struct sockaddr_in in;
		struct sockaddr any;
	} sa = {.in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)}};
	int one = 1;

	if (inet_pton(AF_INET, host, &sa.in.sin_addr) != 1)
		return -1;
	while (!stop_requested) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (connect(fd, &sa.any, sizeof(sa.in)) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			return fd;
		}
		close(fd);
		sleep_ms(100); /* vpcd listens only once pcscd has loaded the driver */
	}
	return -1;
}

/* serve: answers vpcd until the connection ends or a signal asks to stop or re-insert. */
static void serve(struct sim_card *card, int fd)
{
	static uint8_t capdu[65536], rapdu[65538];
	uint8_t hdr[2];

	for (;;) {
		size_t len, rlen;
		if (read_exact(fd, hdr, 2) != 0)
			return;
		len = (size_t)(hdr[0] << 8 | hdr[1]);
		if (len == 0)
			continue;
		if (read_exact(fd, capdu, len) != 0)
			return;
		if (len == 1) {
			switch (capdu[0]) {
			case 0x00:
				sim_card_power(card, SIM_POWER_OFF);
				break;
			case 0x01:
				sim_card_power(card, SIM_POWER_ON);
				break;
			case 0x02:
				sim_card_power(card, SIM_RESET);
				break;
			case 0x04:
				rlen = sim_card_atr(card, rapdu, sizeof(rapdu));
				if (send_msg(fd, rapdu, rlen) != 0)
					return;
				break;
			default:
				break; /* unknown control codes are ignored, as vicc does */
			}
			continue;
		}
		rlen = sim_card_transmit(card, capdu, len, rapdu, sizeof(rapdu));
		if (rlen == 0) {
			/* A reader switch lost the exchange: vpcd drops the card. */
			exchange_lost = 1;
			return;
		}
		if (send_msg(fd, rapdu, rlen) != 0)
			return;
		if (sim_card_pulled(card))
			return; /* --remove-after: the card leaves the reader */
	}
}

static void usage(FILE *fp)
{
	fputs("usage: jpki-card-sim --state-dir DIR [--init] [options]\n"
	      "  --port N                 vpcd port on 127.0.0.1 (default 35963)\n"
	      "  --state-dir DIR          card state (keys, certificates, PINs, counters)\n"
	      "  --init                   create the state in DIR and exit\n"
	      "  --log FILE               APDU log (one line per APDU, PINs as **)\n"
	      "  --latency-ms N           sleep per APDU\n"
	      "  --sign-latency-ms N      sleep per signature\n"
	      "  --reinsert-ms N          card absence on SIGUSR1 (default 1000) and after\n"
	      "                           --remove-after (default: stays out)\n"
	      "other cards and events (tests of bad input):\n"
	      "  --no-jpki                no JPKI application (its SELECT answers 6A82)\n"
	      "  --juki                   the old Juki card (EF 0006 label JPKIAPICCTOKEN)\n"
	      "  --remove-after N         pull the card after answering the Nth APDU\n"
	      "kinds of token (issue 18; facts in sim-kinds.c):\n"
	      "  --kind card|android|iphone  a card, or a phone's JPKI token\n"
	      "  --no-sign-cert select-6a82|read-6982|read-6a82|empty|ff\n"
	      "                           no signature certificate; how EF 0001 answers\n"
	      "  --no-sign-pin 63cx|6984|6a88  and its password's status query (default 63cx)\n"
	      "budget readers (the exchange is lost: the card leaves for --reinsert-ms):\n"
	      "  --reader-drops-256       an answer of exactly 256 data bytes\n"
	      "  --reader-short-commands  a command over 255 bytes\n"
	      "unknowns of the real card (docs/card.md Appendix C):\n"
	      "  --blocked-6983           a blocked PIN answers 6983 (default 6984)\n"
	      "  --reselect-keeps-state   SELECT of an AP keeps the verified state\n"
	      "  --sign-pin-per-signature each sign-key signature consumes its VERIFY\n"
	      "  --accept-extended        accept extended-length APDUs\n"
	      "  --ef-filler N            N bytes of FF after each certificate in its EF\n"
	      "  --answer-61xx            data only through 61xx + GET RESPONSE\n"
	      "  --answer-6cxx            READ BINARY with Le=00 answers 6Cxx first\n"
	      "  --read-end short|6282    READ BINARY crossing the end of the EF\n"
	      "  --no-sfi                 refuse READ BINARY and VERIFY by short EF identifier "
	      "(6A86)\n"
	      "  --no-verify-sfi          refuse VERIFY by short EF identifier only (6A86)\n"
	      "  --no-pss                 refuse COMPUTE DIGITAL SIGNATURE P1 04/05 (6A86)\n"
	      "  --pss-salt N             PSS salt length N bytes (default 32)\n"
	      "  --no-sign-sfi            refuse the key named by SFI in P2 (6A86)\n"
	      "  --sign-pin-first         80 2A checks the PIN before P1 (6982 for any P1)\n"
	      "identity at --init (defaults in sim.h):\n"
	      "  --auth-pin --sign-pin --text-pin --mynumber --name --address --birth YYYYMMDD\n"
	      "  --sex 1|2|9 --prefecture --municipality --security-code\n"
	      "  --cert-days N            end-entity certificates valid N days from now\n"
	      "  --cert-start-days N      ... starting N days from now (negative: in the past)\n",
	      fp);
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == 0 && *out <= max && s[0] != '-';
}

enum {
	OPT_PORT = 256,
	OPT_STATE,
	OPT_INIT,
	OPT_LOG,
	OPT_LATENCY,
	OPT_SIGN_LATENCY,
	OPT_REINSERT,
	OPT_6983,
	OPT_KEEP,
	OPT_PER_SIG,
	OPT_EXT,
	OPT_FILLER,
	OPT_61,
	OPT_6C,
	OPT_NO_SFI,
	OPT_NO_PSS,
	OPT_PSS_SALT,
	OPT_NO_SIGN_SFI,
	OPT_SIGN_PIN_FIRST,
	OPT_NO_VERIFY_SFI,
	OPT_READ_END,
	OPT_AUTH_PIN,
	OPT_SIGN_PIN,
	OPT_TEXT_PIN,
	OPT_MYNUMBER,
	OPT_NAME,
	OPT_ADDRESS,
	OPT_BIRTH,
	OPT_SEX,
	OPT_PREF,
	OPT_MUNI,
	OPT_CODE,
	OPT_NO_JPKI,
	OPT_JUKI,
	OPT_REMOVE_AFTER,
	OPT_CERT_DAYS,
	OPT_KIND,
	OPT_NO_SIGN,
	OPT_NO_SIGN_PIN,
	OPT_CERT_START,
	OPT_DROPS_256,
	OPT_SHORT_COMMANDS,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{"port", required_argument, NULL, OPT_PORT},
	{"state-dir", required_argument, NULL, OPT_STATE},
	{"init", no_argument, NULL, OPT_INIT},
	{"log", required_argument, NULL, OPT_LOG},
	{"latency-ms", required_argument, NULL, OPT_LATENCY},
	{"sign-latency-ms", required_argument, NULL, OPT_SIGN_LATENCY},
	{"reinsert-ms", required_argument, NULL, OPT_REINSERT},
	{"blocked-6983", no_argument, NULL, OPT_6983},
	{"reselect-keeps-state", no_argument, NULL, OPT_KEEP},
	{"sign-pin-per-signature", no_argument, NULL, OPT_PER_SIG},
	{"accept-extended", no_argument, NULL, OPT_EXT},
	{"ef-filler", required_argument, NULL, OPT_FILLER},
	{"answer-61xx", no_argument, NULL, OPT_61},
	{"answer-6cxx", no_argument, NULL, OPT_6C},
	{"no-sfi", no_argument, NULL, OPT_NO_SFI},
	{"no-pss", no_argument, NULL, OPT_NO_PSS},
	{"pss-salt", required_argument, NULL, OPT_PSS_SALT},
	{"no-sign-sfi", no_argument, NULL, OPT_NO_SIGN_SFI},
	{"sign-pin-first", no_argument, NULL, OPT_SIGN_PIN_FIRST},
	{"no-verify-sfi", no_argument, NULL, OPT_NO_VERIFY_SFI},
	{"read-end", required_argument, NULL, OPT_READ_END},
	{"auth-pin", required_argument, NULL, OPT_AUTH_PIN},
	{"sign-pin", required_argument, NULL, OPT_SIGN_PIN},
	{"text-pin", required_argument, NULL, OPT_TEXT_PIN},
	{"mynumber", required_argument, NULL, OPT_MYNUMBER},
	{"name", required_argument, NULL, OPT_NAME},
	{"address", required_argument, NULL, OPT_ADDRESS},
	{"birth", required_argument, NULL, OPT_BIRTH},
	{"sex", required_argument, NULL, OPT_SEX},
	{"prefecture", required_argument, NULL, OPT_PREF},
	{"municipality", required_argument, NULL, OPT_MUNI},
	{"security-code", required_argument, NULL, OPT_CODE},
	{"no-jpki", no_argument, NULL, OPT_NO_JPKI},
	{"juki", no_argument, NULL, OPT_JUKI},
	{"remove-after", required_argument, NULL, OPT_REMOVE_AFTER},
	{"cert-days", required_argument, NULL, OPT_CERT_DAYS},
	{"kind", required_argument, NULL, OPT_KIND},
	{"no-sign-cert", required_argument, NULL, OPT_NO_SIGN},
	{"no-sign-pin", required_argument, NULL, OPT_NO_SIGN_PIN},
	{"cert-start-days", required_argument, NULL, OPT_CERT_START},
	{"reader-drops-256", no_argument, NULL, OPT_DROPS_256},
	{"reader-short-commands", no_argument, NULL, OPT_SHORT_COMMANDS},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	struct sim_options opt = {0};
	struct sim_identity id;
	struct sim_card *card = NULL;
	const char *state_dir = NULL;
	unsigned long port = 35963, reinsert_ms = 1000, v;
	bool init = false, reinsert_given = false;
	int c, n, rc = 1;
	struct sigaction sa = {.sa_handler = on_signal};

	sim_identity_defaults(&id);
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case OPT_PORT:
			ok = parse_uint(optarg, 65535, &port) && port > 0;
			break;
		case OPT_STATE:
			state_dir = optarg;
			break;
		case OPT_INIT:
			init = true;
			break;
		case OPT_LOG:
			opt.log_path = optarg;
			break;
		case OPT_LATENCY:
			ok = parse_uint(optarg, 60000, &v);
			opt.latency_ms = (unsigned)v;
			break;
		case OPT_SIGN_LATENCY:
			ok = parse_uint(optarg, 60000, &v);
			opt.sign_latency_ms = (unsigned)v;
			break;
		case OPT_REINSERT:
			ok = parse_uint(optarg, 60000, &reinsert_ms);
			reinsert_given = true;
			break;
		case OPT_6983:
			opt.blocked_6983 = true;
			break;
		case OPT_KEEP:
			opt.reselect_keeps_state = true;
			break;
		case OPT_PER_SIG:
			opt.sign_pin_per_signature = true;
			break;
		case OPT_EXT:
			opt.accept_extended = true;
			break;
		case OPT_FILLER:
			ok = parse_uint(optarg, 4096, &v);
			opt.ef_filler = v;
			break;
		case OPT_61:
			opt.answer_61xx = true;
			break;
		case OPT_6C:
			opt.answer_6cxx = true;
			break;
		case OPT_NO_SFI:
			opt.no_sfi = true;
			break;
		case OPT_NO_PSS:
			opt.no_pss = true;
			break;
		case OPT_PSS_SALT:
			ok = parse_uint(optarg, 222, &v) && v > 0; /* 256 - 32 - 2 */
			opt.pss_salt = (unsigned)v;
			break;
		case OPT_NO_SIGN_SFI:
			opt.no_sign_sfi = true;
			break;
		case OPT_SIGN_PIN_FIRST:
			opt.sign_pin_first = true;
			break;
		case OPT_NO_VERIFY_SFI:
			opt.no_verify_sfi = true;
			break;
		case OPT_READ_END:
			if (strcmp(optarg, "short") == 0)
				opt.read_end = 0;
			else if (strcmp(optarg, "6282") == 0)
				opt.read_end = 1;
			else
				ok = false;
			break;
		case OPT_AUTH_PIN:
			id.auth_pin = optarg;
			break;
		case OPT_SIGN_PIN:
			id.sign_pin = optarg;
			break;
		case OPT_TEXT_PIN:
			id.text_pin = optarg;
			break;
		case OPT_MYNUMBER:
			id.mynumber = optarg;
			break;
		case OPT_NAME:
			id.name = optarg;
			break;
		case OPT_ADDRESS:
			id.address = optarg;
			break;
		case OPT_BIRTH:
			id.birth = optarg;
			break;
		case OPT_SEX:
			ok = strlen(optarg) == 1;
			id.sex = optarg[0];
			break;
		case OPT_PREF:
			id.prefecture = optarg;
			break;
		case OPT_MUNI:
			id.municipality = optarg;
			break;
		case OPT_CODE:
			id.security_code = optarg;
			break;
		case OPT_NO_JPKI:
			opt.no_jpki = true;
			break;
		case OPT_JUKI:
			opt.juki = true;
			break;
		case OPT_REMOVE_AFTER:
			ok = parse_uint(optarg, 1000000, &opt.remove_after) && opt.remove_after > 0;
			break;
		case OPT_CERT_DAYS:
			ok = parse_uint(optarg, 3650, &v) && v > 0;
			id.cert_days = (unsigned)v;
			break;
		case OPT_KIND:
			ok = (n = sim_kind_from_name(optarg)) >= 0;
			opt.kind = (enum sim_kind)n;
			break;
		case OPT_NO_SIGN:
			ok = (n = sim_no_sign_from_name(optarg)) >= 0;
			opt.no_sign = (enum sim_no_sign)n;
			break;
		case OPT_NO_SIGN_PIN:
			ok = (n = sim_no_sign_pin_from_name(optarg)) >= 0;
			opt.no_sign_pin = (enum sim_no_sign_pin)n;
			break;
		case OPT_DROPS_256:
			opt.reader_drops_256 = true;
			break;
		case OPT_SHORT_COMMANDS:
			opt.reader_short_commands = true;
			break;
		case OPT_CERT_START:
			ok = parse_uint(optarg[0] == '-' ? optarg + 1 : optarg, 3650, &v);
			id.cert_start_days = optarg[0] == '-' ? -(int)v : (int)v;
			break;
		case OPT_HELP:
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (!ok) {
			fprintf(stderr, "jpki-card-sim: bad value for --%s\n",
				long_opts[c - OPT_PORT].name);
			return 2;
		}
	}
	if (state_dir == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (init)
		return sim_state_create(state_dir, &id) == 0 ? 0 : 1;

	card = sim_card_open(state_dir, &opt);
	if (card == NULL)
		return 1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!stop_requested) {
		int fd = connect_vpcd("127.0.0.1", (unsigned)port);
		if (fd < 0)
			break;
		serve(card, fd);
		close(fd);
		sim_card_power(card, SIM_POWER_OFF);
		if (sim_card_pulled(card) && !reinsert_requested) {
			/* --remove-after: out for --reinsert-ms, or until stopped. */
			if (!reinsert_given) {
				while (!stop_requested)
					sleep_ms(200);
				break;
			}
			sleep_ms((unsigned)reinsert_ms);
		} else if (exchange_lost) {
			/* Out long enough for pcscd to see a removal, as a reader
			 * that lost the card with the answer; back after --reinsert-ms. */
			exchange_lost = 0;
			sleep_ms((unsigned)reinsert_ms);
		} else if (reinsert_requested) {
			/* Stay away long enough for pcscd's presence polling to see the removal. */
			reinsert_requested = 0;
			sleep_ms((unsigned)reinsert_ms);
		} else if (!stop_requested) {
			sleep_ms(100); /* vpcd closed: reconnect */
		}
	}
	rc = 0;
	sim_card_close(card);
	return rc;
}
