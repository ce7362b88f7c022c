/* The test-only module's transport (see pkcs11/backend.h): emulated cards
 * in-process, one reader per card, from test-only environment variables:
 *
 *   JPKI_SIM_STATE    card state dirs, separated by ':' (none: no reader)
 *   JPKI_SIM_LOG      APDU log file of every card (VERIFY data shown as **)
 *   JPKI_SIM_OPTIONS  emulator switches (docs/card.md Appendix C), comma-separated:
 *                     blocked_6983, reselect_keeps_state,
 *                     sign_pin_per_signature, accept_extended,
 *                     ef_filler=N (bytes), answer_61xx, answer_6cxx,
 *                     read_end=6282 (default: short data and 9000), no_sfi,
 *                     no_pss, pss_salt=N, no_sign_sfi, sign_pin_first,
 *                     no_verify_sfi
 *
 * The emulator transport is wrapped to give wait/cancel real semantics (a
 * condition variable moved by jpki_sim_control and by cancel), and to
 * serialise the test thread's card changes with the module's calls.
 *
 * jpki_sim_control is this module's one extra export (tests find it with
 * dlsym); the installed module has no such symbol.  The wrapper is reached
 * through one static pointer: test-only code, one module instance per
 * process.  Closing the emulated cards calls libcrypto (keys): fine for a
 * test module, whose users finalize before exit. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "sim.h"
#include "transport-sim.h"

#define SIM_MAX_CARDS 4

struct simbk {
	struct transport base;
	struct transport *inner;
	struct sim_card *cards[SIM_MAX_CARDS];
	size_t count;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned generation, seen; /* card changes made / reported by wait */
	bool cancelled;
};

static struct simbk *current; /* for jpki_sim_control */

static struct simbk *simbk_of(struct transport *t)
{
	return (struct simbk *)t;
}

static void simbk_free(struct transport *t)
{
	struct simbk *s = simbk_of(t);
	size_t i;

	if (current == s)
		current = NULL;
	s->inner->ops->free(s->inner);
	for (i = 0; i < s->count; i++)
		sim_card_close(s->cards[i]);
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static enum card_error simbk_list_readers(struct transport *t, char ***readers)
{
	struct simbk *s = simbk_of(t);
	enum card_error err;

	pthread_mutex_lock(&s->lock);
	err = s->inner->ops->list_readers(s->inner, readers);
	pthread_mutex_unlock(&s->lock);
	return err;
}

static enum card_error simbk_status(struct transport *t, const char *reader,
				    struct transport_status *st)
{
	struct simbk *s = simbk_of(t);
	enum card_error err;

	pthread_mutex_lock(&s->lock);
	err = s->inner->ops->status(s->inner, reader, st);
	pthread_mutex_unlock(&s->lock);
	return err;
}

static enum card_error simbk_wait(struct transport *t, unsigned timeout_ms)
{
	struct simbk *s = simbk_of(t);
	enum card_error err = CARD_E_TIMEOUT;
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (!s->cancelled && s->seen == s->generation && timeout_ms > 0)
		if (pthread_cond_timedwait(&s->changed, &s->lock, &deadline) != 0)
			break;
	if (s->cancelled) {
		s->cancelled = false;
		err = CARD_E_CANCELLED;
	} else if (s->seen != s->generation) {
		s->seen = s->generation;
		err = CARD_OK;
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

static void simbk_cancel(struct transport *t)
{
	struct simbk *s = simbk_of(t);

	pthread_mutex_lock(&s->lock);
	s->cancelled = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

static enum card_error simbk_connect(struct transport *t, const char *reader,
				     struct transport_card **card)
{
	struct simbk *s = simbk_of(t);
	enum card_error err;

	pthread_mutex_lock(&s->lock);
	err = s->inner->ops->connect(s->inner, reader, card);
	pthread_mutex_unlock(&s->lock);
	return err;
}

/* The connections belong to the inner transport: their operations go there. */
static void simbk_disconnect(struct transport_card *card)
{
	card->transport->ops->disconnect(card);
}

static enum card_error simbk_begin(struct transport_card *card)
{
	return card->transport->ops->begin(card);
}

static void simbk_end(struct transport_card *card)
{
	card->transport->ops->end(card);
}

static enum card_error simbk_transmit(struct transport_card *card, const uint8_t *capdu,
				      size_t clen, uint8_t *rapdu, size_t *rlen)
{
	return card->transport->ops->transmit(card, capdu, clen, rapdu, rlen);
}

static const struct transport_ops simbk_ops = {
	.disconnect = simbk_disconnect,
	.begin = simbk_begin,
	.end = simbk_end,
	.transmit = simbk_transmit,
	.free = simbk_free,
	.list_readers = simbk_list_readers,
	.status = simbk_status,
	.wait = simbk_wait,
	.cancel = simbk_cancel,
	.connect = simbk_connect,
};

static void parse_options(struct sim_options *opts)
{
	const char *list = getenv("JPKI_SIM_OPTIONS"), *filler;
	unsigned long n;

	memset(opts, 0, sizeof(*opts));
	opts->log_path = getenv("JPKI_SIM_LOG");
	if (list == NULL)
		return;
	opts->blocked_6983 = strstr(list, "blocked_6983") != NULL;
	opts->reselect_keeps_state = strstr(list, "reselect_keeps_state") != NULL;
	opts->sign_pin_per_signature = strstr(list, "sign_pin_per_signature") != NULL;
	opts->answer_61xx = strstr(list, "answer_61xx") != NULL;
	opts->answer_6cxx = strstr(list, "answer_6cxx") != NULL;
	opts->accept_extended = strstr(list, "accept_extended") != NULL;
	opts->read_end = strstr(list, "read_end=6282") != NULL ? 1 : 0;
	opts->no_sfi = strstr(list, "no_sfi") != NULL;
	opts->no_pss = strstr(list, "no_pss") != NULL;
	opts->no_sign_sfi = strstr(list, "no_sign_sfi") != NULL;
	opts->sign_pin_first = strstr(list, "sign_pin_first") != NULL;
	filler = strstr(list, "pss_salt=");
	if (filler != NULL) {
		n = strtoul(filler + strlen("pss_salt="), NULL, 10);
		opts->pss_salt = n > 222 ? 222 : (unsigned)n; /* the emulator's own limit */
	}
	opts->no_verify_sfi = strstr(list, "no_verify_sfi") != NULL;
	filler = strstr(list, "ef_filler=");
	if (filler != NULL) {
		n = strtoul(filler + strlen("ef_filler="), NULL, 10);
		opts->ef_filler = n > 4096 ? 4096 : (size_t)n; /* the emulator's own limit */
	}
}

struct transport *backend_transport_new(const struct log *log)
{
	const char *dirs = getenv("JPKI_SIM_STATE");
	struct sim_options opts;
	struct simbk *s = calloc(1, sizeof(*s));
	char *copy = NULL, *dir, *save = NULL;

	(void)log;
	if (s == NULL)
		return NULL;
	s->base.ops = &simbk_ops;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	parse_options(&opts);
	copy = strdup(dirs != NULL ? dirs : "");
	for (dir = copy != NULL ? strtok_r(copy, ":", &save) : NULL;
	     dir != NULL && s->count < SIM_MAX_CARDS; dir = strtok_r(NULL, ":", &save)) {
		s->cards[s->count] = sim_card_open(dir, &opts);
		if (s->cards[s->count] != NULL)
			s->count++;
	}
	free(copy);
	s->inner = transport_sim_new(s->cards, s->count);
	if (s->inner == NULL) {
		s->inner = NULL;
		while (s->count > 0)
			sim_card_close(s->cards[--s->count]);
		pthread_cond_destroy(&s->changed);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	current = s;
	return &s->base;
}

/* jpki_sim_control: the test's hand on the emulated cards: "remove",
 * "insert" or "reset" the card in reader (0-based).  Returns 0, or -1 when
 * there is no such reader or the module is not initialized. */
__attribute__((visibility("default"))) int jpki_sim_control(const char *op, unsigned reader);

int jpki_sim_control(const char *op, unsigned reader)
{
	struct simbk *s = current;
	int rc = 0;

	if (s == NULL || reader >= s->count || op == NULL)
		return -1;
	pthread_mutex_lock(&s->lock);
	if (strcmp(op, "remove") == 0)
		transport_sim_remove(s->inner, reader);
	else if (strcmp(op, "insert") == 0)
		transport_sim_insert(s->inner, reader);
	else if (strcmp(op, "reset") == 0)
		transport_sim_reset(s->inner, reader);
	else
		rc = -1;
	if (rc == 0) {
		s->generation++;
		pthread_cond_broadcast(&s->changed);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}
