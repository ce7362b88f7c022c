/* Writes the seed corpora of the fuzz targets from real emulator
 * transcripts: runs the card layer's whole sequence (fuzz-card-run.c) over
 * in-process emulated cards (tests/sim, through tests/sim/transport-sim.h)
 * and records, in each target's input format, the answers the card gave
 * (fuzz-card), the commands it received (fuzz-sim), the text AP's EFs
 * (fuzz-textap, fuzz-tlv) and the certificates (fuzz-cert, fuzz-tlv); and
 * runs the PKCS#11 module's flow (fuzz-p11-run.c) over them, recording the
 * answers and the card moves between calls (fuzz-p11).
 *
 * Usage: fuzz-seeds CORPUS_DIR FIXTURE FIXTURE2
 * (CORPUS_DIR/<target>/ must exist; files there are overwritten.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-card-run.h"
#include "fuzz-p11-run.h"
#include "jpki-internal.h"
#include "sim.h"
#include "transport-sim.h"

/* A transport that forwards to the emulator's and keeps the transcript. */
struct recorder {
	struct transport base;
	struct transport_card card;
	struct transport *inner;
	struct transport_card *inner_card;
	FILE *answers;	/* fuzz-card input */
	FILE *commands; /* fuzz-sim input */
	unsigned sent;
	unsigned inject_at;	/* before this transmit (1-based), inject... */
	enum card_error inject; /* ...a reset or a removal (CARD_OK: nothing) */
	/* fuzz-p11: the script transport makes the errors of the card moves
	 * itself (fuzz-transport.h): only the injected one is a record. */
	bool only_injected_errors;
};

static struct recorder *recorder_of(struct transport *t)
{
	return (struct recorder *)t;
}

static void rec_free(struct transport *t)
{
	(void)t;
}

static enum card_error rec_list(struct transport *t, char ***readers)
{
	return recorder_of(t)->inner->ops->list_readers(recorder_of(t)->inner, readers);
}

static enum card_error rec_status(struct transport *t, const char *reader,
				  struct transport_status *st)
{
	(void)reader;
	return recorder_of(t)->inner->ops->status(recorder_of(t)->inner, "JPKI Sim 00", st);
}

static enum card_error rec_wait(struct transport *t, unsigned timeout_ms)
{
	return recorder_of(t)->inner->ops->wait(recorder_of(t)->inner, timeout_ms);
}

static void rec_cancel(struct transport *t)
{
	recorder_of(t)->inner->ops->cancel(recorder_of(t)->inner);
}

static enum card_error rec_connect(struct transport *t, const char *reader,
				   struct transport_card **card)
{
	struct recorder *r = recorder_of(t);
	enum card_error err;

	(void)reader;
	err = r->inner->ops->connect(r->inner, "JPKI Sim 00", &r->inner_card);
	*card = err == CARD_OK ? &r->card : NULL;
	return err;
}

static void rec_disconnect(struct transport_card *card)
{
	struct recorder *r = recorder_of(card->transport);

	r->inner->ops->disconnect(r->inner_card);
	r->inner_card = NULL;
}

static enum card_error rec_begin(struct transport_card *card)
{
	struct recorder *r = recorder_of(card->transport);

	return r->inner->ops->begin(r->inner_card);
}

static void rec_end(struct transport_card *card)
{
	struct recorder *r = recorder_of(card->transport);

	r->inner->ops->end(r->inner_card);
}

static enum card_error rec_transmit(struct transport_card *card, const uint8_t *capdu, size_t clen,
				    uint8_t *rapdu, size_t *rlen)
{
	struct recorder *r = recorder_of(card->transport);
	enum card_error err;

	if (++r->sent == r->inject_at && r->inject == CARD_E_CARD_RESET) {
		transport_sim_reset(r->inner, 0);
		if (r->commands != NULL)
			fuzz_put_record(r->commands, FUZZ_RECORD_EVENT + SIM_RESET, NULL, 0);
	} else if (r->sent == r->inject_at && r->inject == CARD_E_CARD_REMOVED) {
		transport_sim_remove(r->inner, 0);
		transport_sim_insert(r->inner, 0);
		if (r->commands != NULL) {
			fuzz_put_record(r->commands, FUZZ_RECORD_EVENT + SIM_POWER_OFF, NULL, 0);
			fuzz_put_record(r->commands, FUZZ_RECORD_EVENT + SIM_POWER_ON, NULL, 0);
		}
	}
	err = r->inner->ops->transmit(r->inner_card, capdu, clen, rapdu, rlen);
	if (err == CARD_OK) {
		fuzz_put_record(r->answers, (unsigned)*rlen, rapdu, *rlen);
		if (r->commands != NULL)
			fuzz_put_record(r->commands, (unsigned)clen, capdu, clen);
	} else if (!r->only_injected_errors || r->sent == r->inject_at) {
		fuzz_put_record(r->answers, fuzz_transport_event(err), NULL, 0);
	}
	return err;
}

static const struct transport_ops rec_ops = {
	.free = rec_free,
	.list_readers = rec_list,
	.status = rec_status,
	.wait = rec_wait,
	.cancel = rec_cancel,
	.connect = rec_connect,
	.disconnect = rec_disconnect,
	.begin = rec_begin,
	.end = rec_end,
	.transmit = rec_transmit,
};

static FILE *seed_open(const char *corpus, const char *target, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/%s", corpus, target, name);
	fp = fopen(path, "wbe");
	if (fp == NULL) {
		fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fp;
}

static void seed_close(FILE *fp)
{
	if (fclose(fp) != 0) {
		perror("fuzz-seeds");
		exit(1);
	}
}

/* One emulator transcript: the sequence over a fresh clone of fixture. */
struct transcript {
	const char *name;
	int fixture;	   /* 0 or 1 */
	unsigned sim_opts; /* the options byte of fuzz-sim.c */
	unsigned flags;	   /* FUZZ_CARD_* */
	unsigned inject_at;
	enum card_error inject;
};

static const struct transcript transcripts[] = {
	{"default", 0, 0x00, FUZZ_CARD_PERSON | FUZZ_CARD_BASIC, 0, CARD_OK},
	{"61xx", 0, 0x10, FUZZ_CARD_PERSON | FUZZ_CARD_BASIC | FUZZ_CARD_LOG, 0, CARD_OK},
	{"6cxx-6282", 0, 0x60, FUZZ_CARD_BASIC | FUZZ_CARD_HOLD, 0, CARD_OK},
	{"filler-6983", 0, 0x81, FUZZ_CARD_BASIC, 0, CARD_OK},
	{"per-signature", 0, 0x06, FUZZ_CARD_BASIC | FUZZ_CARD_LOG, 0, CARD_OK},
	{"wrong-pins", 1, 0x00, FUZZ_CARD_PERSON | FUZZ_CARD_BASIC, 0, CARD_OK},
	{"reset", 0, 0x00, FUZZ_CARD_BASIC, 12, CARD_E_CARD_RESET},
	{"removed", 0, 0x00, FUZZ_CARD_BASIC | FUZZ_CARD_HOLD, 20, CARD_E_CARD_REMOVED},
};

static void sim_options_of(unsigned byte, struct sim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->blocked_6983 = byte & 0x01;
	o->reselect_keeps_state = byte & 0x02;
	o->sign_pin_per_signature = byte & 0x04;
	o->accept_extended = byte & 0x08;
	o->answer_61xx = byte & 0x10;
	o->answer_6cxx = byte & 0x20;
	o->read_end = (byte & 0x40) != 0;
	o->ef_filler = byte & 0x80 ? 37 : 0;
}

static void record_transcript(const char *corpus, const char *fixture, const struct transcript *tr)
{
	struct recorder r = {.base.ops = &rec_ops};
	struct sim_options o;
	struct sim_card *card;
	char *dir = sim_fixture_clone(fixture);

	if (dir == NULL)
		exit(1);
	sim_options_of(tr->sim_opts, &o);
	card = sim_card_open(dir, &o);
	if (card == NULL)
		exit(1);
	r.card.transport = &r.base;
	r.inner = transport_sim_new(&card, 1);
	r.inject_at = tr->inject_at;
	r.inject = tr->inject;
	r.answers = seed_open(corpus, "card", tr->name);
	r.commands = seed_open(corpus, "sim", tr->name);
	putc((int)tr->flags, r.answers);
	putc((int)tr->sim_opts, r.commands);
	putc(0, r.commands); /* full-size answer buffer */
	fuzz_card_run(&r.base, NULL, NULL, tr->flags);
	seed_close(r.answers);
	seed_close(r.commands);
	r.inner->ops->free(r.inner);
	sim_card_close(card);
	sim_fixture_remove(dir);
}

/* One emulator run of the module's flow: the card moves at up to two steps. */
struct p11_transcript {
	const char *name;
	int fixture;	   /* 0 or 1 */
	unsigned sim_opts; /* as above */
	unsigned flags;	   /* FUZZ_P11_* */
	unsigned inject_at;
	enum card_error inject;
	struct {
		unsigned step; /* 1-based */
		uint8_t control;
	} moves[2];
};

static const struct p11_transcript p11_transcripts[] = {
	{"default", 0, 0x00, 0, 0, CARD_OK, {{0, 0}, {0, 0}}},
	{"everything",
	 0,
	 0x00,
	 FUZZ_P11_OS_LOCKING | FUZZ_P11_LOG | FUZZ_P11_WRONG_PIN | FUZZ_P11_SET_PIN |
		 FUZZ_P11_SHORT_SIG,
	 0,
	 CARD_OK,
	 {{0, 0}, {0, 0}}},
	{"no-always", 0, 0x00, FUZZ_P11_NO_ALWAYS | FUZZ_P11_SET_PIN, 0, CARD_OK, {{0, 0}, {0, 0}}},
	{"61xx", 0, 0x10, FUZZ_P11_SHORT_SIG, 0, CARD_OK, {{0, 0}, {0, 0}}},
	{"6cxx-6282", 0, 0x60, 0, 0, CARD_OK, {{0, 0}, {0, 0}}},
	{"per-signature", 0, 0x06, FUZZ_P11_NO_ALWAYS, 0, CARD_OK, {{0, 0}, {0, 0}}},
	{"wrong-pins",
	 1,
	 0x00,
	 FUZZ_P11_WRONG_PIN | FUZZ_P11_SET_PIN,
	 0,
	 CARD_OK,
	 {{0, 0}, {0, 0}}},
	{"reset-mid", 0, 0x00, 0, 14, CARD_E_CARD_RESET, {{0, 0}, {0, 0}}},
	{"out-in", 0, 0x00, 0, 0, CARD_OK, {{2, FUZZ_CARD_OUT}, {4, FUZZ_CARD_IN}}},
	{"swap-reset",
	 0,
	 0x00,
	 FUZZ_P11_SET_PIN,
	 0,
	 CARD_OK,
	 {{8, FUZZ_CARD_RESET}, {11, FUZZ_CARD_SWAPPED}}},
};

struct p11_seed {
	struct recorder *r;
	const struct p11_transcript *tr;
	unsigned step;
};

/* p11_seed_step: writes the control byte and moves the emulated card so. */
static void p11_seed_step(void *ctx)
{
	struct p11_seed *ps = ctx;
	uint8_t control = 0;
	size_t i;

	ps->step++;
	for (i = 0; i < 2; i++)
		if (ps->tr->moves[i].step == ps->step)
			control = ps->tr->moves[i].control;
	putc(control, ps->r->answers);
	switch (control & 3) {
	case FUZZ_CARD_SWAPPED:
	case FUZZ_CARD_IN:
		transport_sim_remove(ps->r->inner, 0);
		transport_sim_insert(ps->r->inner, 0);
		break;
	case FUZZ_CARD_OUT:
		transport_sim_remove(ps->r->inner, 0);
		break;
	default:
		break;
	}
	if (control & FUZZ_CARD_RESET)
		transport_sim_reset(ps->r->inner, 0);
}

static void record_p11_transcript(const char *corpus, const char *fixture,
				  const struct p11_transcript *tr)
{
	struct recorder r = {.base.ops = &rec_ops, .only_injected_errors = true};
	struct p11_seed ps = {.r = &r, .tr = tr};
	struct fuzz_p11_env env = {.ft = NULL, .step = p11_seed_step, .ctx = &ps};
	struct sim_options o;
	struct sim_card *card;
	char *dir = sim_fixture_clone(fixture);

	if (dir == NULL)
		exit(1);
	sim_options_of(tr->sim_opts, &o);
	card = sim_card_open(dir, &o);
	if (card == NULL)
		exit(1);
	r.card.transport = &r.base;
	r.inner = transport_sim_new(&card, 1);
	r.inject_at = tr->inject_at;
	r.inject = tr->inject;
	r.answers = seed_open(corpus, "p11", tr->name);
	putc((int)tr->flags, r.answers);
	fuzz_p11_backend_set(&r.base);
	fuzz_p11_run(&env, tr->flags);
	fuzz_p11_backend_set(NULL);
	seed_close(r.answers);
	r.inner->ops->free(r.inner);
	sim_card_close(card);
	sim_fixture_remove(dir);
}

static void write_tlv_seed(const char *corpus, const char *name, uint32_t tag, const uint8_t *data,
			   size_t len)
{
	FILE *fp = seed_open(corpus, "tlv", name);
	unsigned n = tag > 0xFFFFFF ? 4 : tag > 0xFFFF ? 3 : tag > 0xFF ? 2 : 1;

	putc((int)(n - 1), fp);
	while (n-- > 0)
		putc((int)(tag >> (8 * n) & 0xFF), fp);
	fwrite(data, 1, len, fp);
	seed_close(fp);
}

/* The text AP's EFs as the card layer reads them, and the certificates. */
static void record_files(const char *corpus, const char *fixture, const char *suffix,
			 const char *sign_pin, const char *text_pin)
{
	static const struct {
		enum jpki_cert id;
		const char *name;
	} certs[] = {{JPKI_CERT_AUTH, "auth"},
		     {JPKI_CERT_SIGN, "sign"},
		     {JPKI_CERT_AUTH_CA, "auth-ca"},
		     {JPKI_CERT_SIGN_CA, "sign-ca"}};
	char *dir = sim_fixture_clone(fixture);
	struct sim_card *card = dir != NULL ? sim_card_open(dir, NULL) : NULL;
	struct transport *t = card != NULL ? transport_sim_new(&card, 1) : NULL;
	struct jpki_card *c = t != NULL ? jpki_card_new(t, "JPKI Sim 00", NULL) : NULL;
	uint8_t *ef[2] = {NULL, NULL}, *der;
	size_t ef_len[2] = {0, 0}, len, i;
	char name[64];
	int tries;
	FILE *fp;

	if (c == NULL || jpki_op_begin(c) != CARD_OK ||
	    jpki_verify_in_op(c, JPKI_PIN_TEXT, text_pin, &tries) != CARD_OK ||
	    jpki_read_tlv_ef(c, JPKI_AP_TEXT, 0x0001, 2048, &ef[0], &ef_len[0]) != CARD_OK ||
	    jpki_read_tlv_ef(c, JPKI_AP_TEXT, 0x0002, 2048, &ef[1], &ef_len[1]) != CARD_OK) {
		fprintf(stderr, "fuzz-seeds: cannot read the text AP\n");
		exit(1);
	}
	jpki_op_end(c);
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s%s", i ? "basic" : "mynumber", suffix);
		fp = seed_open(corpus, "textap", name);
		putc(i ? 0x01 : 0x02, fp); /* basic facts; 6282 at the end */
		fuzz_put_record(fp, (unsigned)ef_len[0], ef[0], ef_len[0]);
		fuzz_put_record(fp, (unsigned)ef_len[1], ef[1], ef_len[1]);
		seed_close(fp);
	}
	snprintf(name, sizeof(name), "basic-DF23%s", suffix);
	write_tlv_seed(corpus, name, 0xDF23, ef[1], ef_len[1]);
	snprintf(name, sizeof(name), "mynumber-FF10%s", suffix);
	write_tlv_seed(corpus, name, 0xFF10, ef[0], ef_len[0]);
	if (jpki_verify_pin(c, JPKI_PIN_SIGN, sign_pin, &tries) != CARD_OK) {
		fprintf(stderr, "fuzz-seeds: cannot verify the sign password\n");
		exit(1);
	}
	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		if (jpki_read_cert(c, certs[i].id, &der, &len) != CARD_OK) {
			fprintf(stderr, "fuzz-seeds: cannot read the %s certificate\n",
				certs[i].name);
			exit(1);
		}
		snprintf(name, sizeof(name), "%s%s", certs[i].name, suffix);
		fp = seed_open(corpus, "cert", name);
		fwrite(der, 1, len, fp);
		seed_close(fp);
		if (i == 1) {
			snprintf(name, sizeof(name), "cert-%s%s", certs[i].name, suffix);
			write_tlv_seed(corpus, name, 0x30, der, len);
		}
		free(der);
	}
	for (i = 0; i < 2; i++)
		free(ef[i]);
	jpki_card_free(c);
	t->ops->free(t);
	sim_card_close(card);
	sim_fixture_remove(dir);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 4) {
		fprintf(stderr, "usage: fuzz-seeds CORPUS_DIR FIXTURE FIXTURE2\n");
		return 2;
	}
	for (i = 0; i < sizeof(transcripts) / sizeof(transcripts[0]); i++)
		record_transcript(argv[1], transcripts[i].fixture ? argv[3] : argv[2],
				  &transcripts[i]);
	fuzz_p11_setup();
	for (i = 0; i < sizeof(p11_transcripts) / sizeof(p11_transcripts[0]); i++)
		record_p11_transcript(argv[1], p11_transcripts[i].fixture ? argv[3] : argv[2],
				      &p11_transcripts[i]);
	record_files(argv[1], argv[2], "", FUZZ_SIGN_PIN, FUZZ_TEXT_PIN);
	record_files(argv[1], argv[3], "-2", "SECOND2CARD", "8765"); /* tests/sim/local.mk */
	return 0;
}
