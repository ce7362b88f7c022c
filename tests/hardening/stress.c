/* Concurrency and faults on one module, one subcommand per scenario (the
 * shell tests run them: tests/hardening/stack.sh over tests/stack, and
 * tests/hardening/drd.sh under valgrind's drd):
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
 *   stress pins NEW_AUTH NEW_SIGN WRONG_AUTH WRONG_SIGN
 *                                    logins, wrong ones, signatures and PIN
 *                                    changes (and back) on both tokens, for
 *                                    the debug-log search (stack.sh)
 *
 * The target is JPKI_P11_TARGET (p11-card.h): stack for the real path, sim
 * for the in-process emulator (the helgrind run).  Every signature that
 * succeeds is verified with OpenSSL against the certificate: a wrong
 * signature is never an allowed outcome.  Each scenario runs under a
 * watchdog, so a deadlock fails instead of hanging. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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

/* ---- procs ---- */

/* One process of cmd_procs: its own module instance; ready after the card
 * was read and both tokens logged in, then m signatures, alternating the
 * two keys.  With relogin, a CKR_USER_NOT_LOGGED_IN (the card forgot the
 * PIN: another process's SELECT) is answered with a new login, once per
 * signature.  Every CKR_USER_NOT_LOGGED_IN is counted and written to
 * count_fd (an int) at the end.  Exit status: 0 when every signature verified. */
/* all_started: whether the parent closed the pipe (every process started). */
static bool all_started(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char byte;

	return fd < 0 || (poll(&p, 1, 0) == 1 && read(fd, &byte, 1) <= 0);
}

static int proc_run(int index, int m, int ready_fd, int go_fd, int all_fd, int count_fd,
		    bool relogin)
{
	struct hard_key *keys[2] = {&auth_key, &sign_key};
	CK_SESSION_HANDLE s[2];
	int i, failed = 0, relogins = 0, not_logged_in = 0;
	char msg[64], byte = 'r';
	CK_RV rv;

	p11_card_open(&card, 1);
	hard_keys_init(&card, &auth_key, &sign_key);
	/* Staggered: the card was read (detection, certificate, PIN counters);
	 * an application logs in later, and meanwhile the others sign with the
	 * auth key (no VERIFY of theirs in between): a SELECT by this start
	 * would show as their CKR_USER_NOT_LOGGED_IN. */
	if (relogin)
		nanosleep(&(struct timespec){0, 100000000L}, NULL);
	for (i = 0; i < 2; i++) {
		s[i] = p11_card_session(&card, keys[i]->slot, false);
		if (hard_login(&card, s[i], keys[i]) != CKR_OK)
			failed++;
	}
	if (write(ready_fd, &byte, 1) != 1 || read(go_fd, &byte, 1) < 0)
		failed++;
	/* At least m signatures, and on until every process has started: each
	 * start (detection, logins) then happens while the others sign. */
	for (i = 0; (i < m || !all_started(all_fd)) && failed == 0; i++) {
		snprintf(msg, sizeof(msg), "process %d signature %d", index, i);
		rv = hard_sign(&card, s[i % 2], keys[i % 2], msg, strlen(msg));
		if (rv == CKR_USER_NOT_LOGGED_IN)
			not_logged_in++;
		if (rv == CKR_USER_NOT_LOGGED_IN && relogin) {
			relogins++;
			rv = hard_login(&card, s[i % 2], keys[i % 2]);
			if (rv == CKR_OK)
				rv = hard_sign(&card, s[i % 2], keys[i % 2], msg, strlen(msg));
		}
		if (rv != CKR_OK) {
			printf("# process %d: signature %d (%s): %s (0x%lx)\n", index, i,
			       keys[i % 2]->name, hard_rv_name(rv), rv);
			failed++;
		}
	}
	printf("# process %d: %d signatures\n", index, i);
	if (relogins > 0)
		printf("# process %d: %d new logins after the card forgot the PIN\n", index,
		       relogins);
	fflush(stdout);
	if (write(count_fd, &not_logged_in, sizeof(not_logged_in)) != sizeof(not_logged_in))
		failed++;
	for (i = 0; i < 2; i++)
		card.f->C_CloseSession(s[i]);
	hard_keys_free(&auth_key, &sign_key);
	p11_card_close(&card);
	return failed == 0 ? 0 : 1;
}

/* cmd_procs: p processes sign m times each.  Together: each process reads
 * the card and logs in, then all sign at once.  Staggered: each starts
 * 0.2 s after the previous one, while the others sign.  A new process finds
 * the JPKI AP current (the probe: no SELECT), so nobody is logged out: the
 * count of CKR_USER_NOT_LOGGED_IN over all processes must be 0 (a relogin,
 * allowed in staggered mode so that the count is complete, is a failure). */
static int cmd_procs(int p, int m, bool staggered)
{
	int ready[2], go[2], all[2], counts[2], i, status, bad = 0, done, n, not_logged_in = 0;
	pid_t *pids = calloc((size_t)p, sizeof(*pids));
	double t0, t;
	char byte;

	if (pids == NULL || pipe(ready) != 0 || pipe(go) != 0 || pipe(counts) != 0 ||
	    pipe(all) != 0)
		tap_bail("pipe");
	hard_watchdog(WATCHDOG_S, "procs");
	t0 = hard_now();
	for (i = 0; i < p; i++) {
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] < 0)
			tap_bail("fork");
		if (pids[i] == 0) {
			close(ready[0]);
			close(go[1]);
			close(counts[0]);
			close(all[1]);
			_exit(proc_run(i, m, ready[1], go[0], staggered ? all[0] : -1, counts[1],
				       staggered));
		}
		if (staggered) {
			if (read(ready[0], &byte, 1) != 1)
				bad++;
			close(go[1]); /* ... and the next one starts while this one signs */
			go[1] = -1;
			if (i + 1 < p)
				nanosleep(&(struct timespec){0, 200000000L}, NULL);
		}
	}
	/* Every process started and logged in: the early ones may stop signing. */
	close(all[1]);
	close(all[0]);
	close(ready[1]);
	for (i = 0; !staggered && i < p; i++)
		if (read(ready[0], &byte, 1) != 1)
			bad++;
	if (go[1] >= 0)
		close(go[1]);
	tap_is_int(bad, 0, "%d processes: each read the card and logged in", p);
	for (i = 0, done = 0; i < p; i++) {
		if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			done++;
		else
			tap_diag("process %d: status 0x%x", i, status);
	}
	t = hard_now() - t0;
	hard_watchdog(0, "");
	tap_is_int(done, p, "%d processes x %d signatures %s: every signature verified", p, m,
		   staggered ? "(staggered starts)" : "at once");
	close(counts[1]);
	for (i = 0; i < p && read(counts[0], &n, sizeof(n)) == sizeof(n); i++)
		not_logged_in += n;
	tap_is_int(i, p, "every process reported its count");
	tap_is_int(not_logged_in, 0,
		   "%s: 0 CKR_USER_NOT_LOGGED_IN in the signing processes (nobody logged out, no "
		   "re-login)",
		   staggered ? "new processes started while the others signed" : "together");
	tap_diag("FIGURES processes=%d signatures=%d %s time=%.2fs rate=%.1f/s not_logged_in=%d", p,
		 p * m, staggered ? "staggered" : "together", t, t > 0 ? p * m / t : 0.0,
		 not_logged_in);
	close(counts[0]);
	close(ready[0]);
	close(go[0]);
	free(pids);
	return 0;
}

/* ---- faults ---- */

/* allowed_fault: the clean answers to a card reset, pulled or gone service. */
static bool allowed_fault(CK_RV rv)
{
	return rv == CKR_DEVICE_REMOVED || rv == CKR_SESSION_HANDLE_INVALID ||
	       rv == CKR_SESSION_CLOSED || rv == CKR_TOKEN_NOT_PRESENT ||
	       rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_DEVICE_ERROR ||
	       rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OPERATION_NOT_INITIALIZED;
}

/* find_slot: the slot whose token has this label, or (CK_SLOT_ID)-1 (no bail:
 * the token may be gone for now). */
static CK_SLOT_ID find_slot(const char *label)
{
	CK_SLOT_ID slots[16];
	CK_TOKEN_INFO info;
	CK_ULONG n = 16, i;
	char padded[33];

	snprintf(padded, sizeof(padded), "%-32s", label);
	if (card.f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return (CK_SLOT_ID)-1;
	for (i = 0; i < n; i++)
		if (card.f->C_GetTokenInfo(slots[i], &info) == CKR_OK &&
		    memcmp(info.label, padded, 32) == 0)
			return slots[i];
	return (CK_SLOT_ID)-1;
}

/* recover: a new session on the key's token, logged in; false while the
 * token is not back (the caller tries again). */
static bool recover(struct hard_key *k, const char *label, CK_SESSION_HANDLE *s)
{
	CK_SLOT_ID slot = find_slot(label);

	if (slot == (CK_SLOT_ID)-1)
		return false;
	k->slot = slot;
	if (*s != CK_INVALID_HANDLE)
		card.f->C_CloseSession(*s);
	*s = CK_INVALID_HANDLE;
	if (card.f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, s) != CKR_OK) {
		*s = CK_INVALID_HANDLE;
		return false;
	}
	return hard_login(&card, *s, k) == CKR_OK;
}

/* A signing loop in a thread, across a fault made by the main thread. */
struct loop {
	pthread_t thread;
	atomic_bool stop;
	atomic_int ok, errors, wrong, unexpected, recoveries;
	CK_RV last_unexpected;
};

static void *loop_run(void *arg)
{
	static const char *labels[2] = {AUTH_LABEL, SIGN_LABEL};
	struct hard_key *keys[2] = {&auth_key, &sign_key};
	struct loop *l = arg;
	CK_SESSION_HANDLE s[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
	bool broken[2] = {true, true};
	char msg[64];
	int i = 0, k;
	CK_RV rv;

	while (!atomic_load(&l->stop)) {
		k = i++ % 2;
		if (broken[k]) {
			broken[k] = !recover(keys[k], labels[k], &s[k]);
			if (broken[k]) {
				nanosleep(&(struct timespec){0, 20000000L}, NULL);
				continue;
			}
			atomic_fetch_add(&l->recoveries, 1);
		}
		snprintf(msg, sizeof(msg), "loop signature %d", i);
		rv = hard_sign(&card, s[k], keys[k], msg, strlen(msg));
		if (rv == CKR_OK) {
			atomic_fetch_add(&l->ok, 1);
			continue;
		}
		atomic_fetch_add(&l->errors, 1);
		broken[k] = true;
		if (rv == HARD_WRONG_SIGNATURE) {
			atomic_fetch_add(&l->wrong, 1);
		} else if (!allowed_fault(rv)) {
			atomic_fetch_add(&l->unexpected, 1);
			l->last_unexpected = rv;
		}
	}
	for (k = 0; k < 2; k++)
		if (s[k] != CK_INVALID_HANDLE)
			card.f->C_CloseSession(s[k]);
	return NULL;
}

/* wait_ok: waits until the loop made n more signatures; false after limit_s. */
static bool wait_ok(struct loop *l, int n, double limit_s)
{
	int target = atomic_load(&l->ok) + n;
	double end = hard_now() + limit_s;

	while (atomic_load(&l->ok) < target && hard_now() < end)
		nanosleep(&(struct timespec){0, 10000000L}, NULL);
	return atomic_load(&l->ok) >= target;
}

/* cmd_fault: signs in a loop; runs the fault commands; the same module
 * instance must find the card again and sign. */
static int cmd_fault(const char *what, const char *cmd1, const char *cmd2)
{
	CK_SESSION_HANDLE old = p11_card_session(&card, card.auth_slot, false);
	struct loop l;
	CK_SESSION_INFO info;
	int before, errors_before;
	double t0, t;
	CK_RV rv;

	memset(&l, 0, sizeof(l));
	hard_keys_init(&card, &auth_key, &sign_key);
	tap_is_int(hard_login(&card, old, &auth_key), CKR_OK, "%s: login before the fault", what);
	hard_watchdog(WATCHDOG_S, what);
	if (pthread_create(&l.thread, NULL, loop_run, &l) != 0)
		tap_bail("pthread_create");
	tap_ok(wait_ok(&l, 40, 20), "%s: signing before the fault", what);
	before = atomic_load(&l.ok);
	errors_before = atomic_load(&l.errors);
	t0 = hard_now();
	tap_is_int(system(cmd1), 0, "%s: %s", what, cmd1);
	if (cmd2 != NULL)
		tap_is_int(system(cmd2), 0, "%s: %s", what, cmd2);
	tap_ok(wait_ok(&l, 40, 60), "%s: signing again without restarting the application", what);
	t = hard_now() - t0;
	atomic_store(&l.stop, true);
	pthread_join(l.thread, NULL);
	hard_watchdog(0, "");
	tap_ok(atomic_load(&l.errors) > errors_before, "%s: the fault was reported (%d errors)",
	       what, atomic_load(&l.errors) - errors_before);
	tap_is_int(atomic_load(&l.wrong), 0, "%s: never a wrong signature", what);
	if (!tap_ok(atomic_load(&l.unexpected) == 0, "%s: only clean errors", what))
		tap_diag("unexpected: %s (0x%lx)", hard_rv_name(l.last_unexpected),
			 l.last_unexpected);
	rv = card.f->C_GetSessionInfo(old, &info);
	tap_ok(rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_DEVICE_REMOVED,
	       "%s: a session from before is invalidated (%s)", what, hard_rv_name(rv));
	tap_diag("FIGURES fault=%s signatures_before=%d signatures_total=%d errors=%d "
		 "recoveries=%d back_after=%.2fs",
		 what, before, atomic_load(&l.ok), atomic_load(&l.errors),
		 atomic_load(&l.recoveries), t);
	card.f->C_CloseSession(old);
	return 0;
}

/* cmd_reset_between: login, then another process (cmd) resets the card
 * before the signature, rounds times for each key and each stage. */
static int cmd_reset_between(const char *cmd, int rounds)
{
	static const char *labels[2] = {AUTH_LABEL, SIGN_LABEL};
	struct hard_key *keys[2] = {&auth_key, &sign_key};
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	int r, k, wrong = 0, unclean = 0, signed_after = 0, refused = 0;
	CK_BYTE sig[512], data[] = "after the reset";
	CK_ULONG len;
	CK_RV rv;

	hard_keys_init(&card, &auth_key, &sign_key);
	hard_watchdog(WATCHDOG_S, "reset-between");
	for (r = 0; r < rounds; r++)
		for (k = 0; k < 2; k++) {
			s = CK_INVALID_HANDLE;
			if (!recover(keys[k], labels[k], &s)) {
				unclean++;
				tap_diag("round %d %s: no login before the reset", r,
					 keys[k]->name);
				continue;
			}
			/* Stage r % 2: reset after C_Login / after C_SignInit (and
			 * the sign key's context login). */
			if (r % 2 == 1) {
				rv = card.f->C_SignInit(s, &mech, keys[k]->key);
				if (rv == CKR_OK && keys[k]->context_login)
					rv = card.f->C_Login(s, CKU_CONTEXT_SPECIFIC,
							     PIN(keys[k]->pin));
				if (rv != CKR_OK)
					unclean++;
			}
			if (system(cmd) != 0)
				tap_bail("the reset command failed: %s", cmd);
			if (r % 2 == 1) {
				len = sizeof(sig);
				rv = card.f->C_Sign(s, data, sizeof(data), sig, &len);
			} else {
				rv = hard_sign(&card, s, keys[k], data, sizeof(data));
			}
			if (rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_DEVICE_REMOVED) {
				refused++;
			} else {
				tap_diag("round %d %s: %s (0x%lx) after the reset", r,
					 keys[k]->name, hard_rv_name(rv), rv);
				if (rv == CKR_OK || rv == HARD_WRONG_SIGNATURE)
					wrong++;
				else
					unclean++;
			}
			/* Recovery: a new login (new session if the old one died). */
			if (recover(keys[k], labels[k], &s) &&
			    hard_sign(&card, s, keys[k], data, sizeof(data)) == CKR_OK)
				signed_after++;
			card.f->C_CloseSession(s);
		}
	hard_watchdog(0, "");
	tap_is_int(wrong, 0, "reset between login and sign: never a signature without a new login");
	tap_is_int(unclean, 0, "... only CKR_USER_NOT_LOGGED_IN or CKR_DEVICE_REMOVED");
	tap_is_int(refused, rounds * 2, "... every one of %d resets refused the signature",
		   rounds * 2);
	tap_is_int(signed_after, rounds * 2, "... and a new login signs again (verified)");
	return 0;
}

/* ---- finalize-wait ---- */

struct waiter {
	pthread_t thread;
	CK_RV rv;
	atomic_bool done;
};

static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	CK_SLOT_ID slot;

	w->rv = card.f->C_WaitForSlotEvent(0, &slot, NULL);
	atomic_store(&w->done, true);
	return NULL;
}

static int cmd_finalize_wait(int rounds)
{
	struct waiter w;
	double t0, t, worst = 0;
	int r, prompt = 0, spec = 0, again = 0;

	hard_watchdog(WATCHDOG_S, "finalize-wait");
	for (r = 0; r < rounds; r++) {
		memset(&w, 0, sizeof(w));
		if (pthread_create(&w.thread, NULL, waiter_run, &w) != 0)
			tap_bail("pthread_create");
		nanosleep(&(struct timespec){0, 300000000L}, NULL);
		if (atomic_load(&w.done))
			tap_diag("round %d: the wait returned early: 0x%lx", r, w.rv);
		t0 = hard_now();
		if (card.f->C_Finalize(NULL) != CKR_OK)
			tap_diag("round %d: C_Finalize failed", r);
		while (!atomic_load(&w.done) && hard_now() - t0 < 5)
			nanosleep(&(struct timespec){0, 1000000L}, NULL);
		t = hard_now() - t0;
		if (t > worst)
			worst = t;
		if (atomic_load(&w.done) && t < 2.0)
			prompt++;
		pthread_join(w.thread, NULL);
		if (w.rv == CKR_CRYPTOKI_NOT_INITIALIZED)
			spec++;
		if (card.f->C_Initialize(NULL) == CKR_OK && find_slot(AUTH_LABEL) == card.auth_slot)
			again++;
	}
	hard_watchdog(0, "");
	tap_is_int(prompt, rounds,
		   "C_Finalize with a thread in C_WaitForSlotEvent: both return "
		   "within 2 s (%d rounds, worst %.3f s)",
		   rounds, worst);
	tap_is_int(spec, rounds, "... the waiter gets CKR_CRYPTOKI_NOT_INITIALIZED");
	tap_is_int(again, rounds, "... and C_Initialize finds the token again");
	tap_diag("FIGURES finalize-wait rounds=%d worst=%.3fs", rounds, worst);
	return 0;
}

/* ---- fork ---- */

/* fork_child: in the child: C_Initialize again, its own sessions, logins,
 * m signatures, C_Finalize.  Exit status 0 when all went well. */
static int fork_child(int m)
{
	static const char *labels[2] = {AUTH_LABEL, SIGN_LABEL};
	struct hard_key *keys[2] = {&auth_key, &sign_key};
	CK_SESSION_HANDLE s[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
	CK_SESSION_INFO info;
	int i, failed = 0;
	char msg[64];
	CK_RV rv;

	alarm(60);
	rv = card.f->C_GetSessionInfo(1, &info);
	if (rv != CKR_CRYPTOKI_NOT_INITIALIZED) {
		printf("# child: before C_Initialize: 0x%lx\n", rv);
		failed++;
	}
	if (card.f->C_Initialize(NULL) != CKR_OK)
		return 10;
	for (i = 0; i < 2; i++)
		if (!recover(keys[i], labels[i], &s[i]))
			failed++;
	for (i = 0; i < m && failed == 0; i++) {
		snprintf(msg, sizeof(msg), "child signature %d", i);
		rv = hard_sign(&card, s[i % 2], keys[i % 2], msg, strlen(msg));
		if (rv != CKR_OK) {
			printf("# child: signature %d: %s (0x%lx)\n", i, hard_rv_name(rv), rv);
			failed++;
		}
	}
	fflush(stdout);
	if (card.f->C_Finalize(NULL) != CKR_OK)
		failed++;
	return failed == 0 ? 0 : 1;
}

static int cmd_fork(int m)
{
	static const char *labels[2] = {AUTH_LABEL, SIGN_LABEL};
	struct hard_key *keys[2] = {&auth_key, &sign_key};
	CK_SESSION_HANDLE s[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
	int i, status = -1, during = 0, after = 0, relogins = 0, other = 0;
	bool child_done = false;
	char msg[64];
	pid_t pid;
	CK_RV rv;

	hard_keys_init(&card, &auth_key, &sign_key);
	for (i = 0; i < 2; i++)
		tap_ok(recover(keys[i], labels[i], &s[i]), "parent: %s token logged in",
		       keys[i]->name);
	tap_is_int(hard_sign(&card, s[0], keys[0], "before", 6), CKR_OK, "parent: signs");
	hard_watchdog(WATCHDOG_S, "fork");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0)
		_exit(fork_child(m));
	/* The parent signs on while the child works, then m more after it left. */
	for (i = 0; !child_done || after < m; i++) {
		if (!child_done && waitpid(pid, &status, WNOHANG) == pid)
			child_done = true;
		snprintf(msg, sizeof(msg), "parent signature %d", i);
		rv = hard_sign(&card, s[i % 2], keys[i % 2], msg, strlen(msg));
		if (rv == CKR_USER_NOT_LOGGED_IN && !child_done) {
			/* The child's first SELECT of the application may clear
			 * the card's PIN state (docs/card.md Appendix C): log in again. */
			relogins++;
			if (hard_login(&card, s[i % 2], keys[i % 2]) == CKR_OK)
				continue;
		}
		if (rv != CKR_OK) {
			tap_diag("parent: signature %d (%s): %s (0x%lx)", i, keys[i % 2]->name,
				 hard_rv_name(rv), rv);
			other++;
			if (other > 10)
				break;
		} else if (child_done) {
			after++;
		} else {
			during++;
		}
	}
	hard_watchdog(0, "");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "child: C_Initialize, own sessions, logins, %d verified signatures, C_Finalize", m);
	tap_is_int(other, 0, "parent: no failure while and after the child worked");
	tap_is_int(after, m, "parent: %d verified signatures after the child's C_Finalize", m);
	tap_diag("FIGURES fork parent_during=%d parent_after=%d relogins_while_child_started=%d",
		 during, after, relogins);
	for (i = 0; i < 2; i++)
		card.f->C_CloseSession(s[i]);
	return 0;
}

/* ---- PIN safety ---- */

/* cmd_pins: logins, signatures with both keys, PIN changes and back, wrong
 * PINs: the shell test then searches the debug log for every PIN used. */
static int cmd_pins(const char *new_auth, const char *new_sign, const char *wrong_auth,
		    const char *wrong_sign)
{
	CK_SESSION_HANDLE sa, ss;
	CK_TOKEN_INFO info;

	hard_keys_init(&card, &auth_key, &sign_key);
	sa = p11_card_session(&card, card.auth_slot, true);
	ss = p11_card_session(&card, card.sign_slot, true);
	tap_is_int(card.f->C_Login(sa, CKU_USER, PIN(wrong_auth)), CKR_PIN_INCORRECT,
		   "auth: wrong PIN");
	tap_is_int(hard_login(&card, sa, &auth_key), CKR_OK, "auth: login");
	tap_is_int(hard_sign(&card, sa, &auth_key, "m", 1), CKR_OK, "auth: sign");
	tap_is_int(card.f->C_SetPIN(sa, PIN(card.auth_pin), PIN(new_auth)), CKR_OK,
		   "auth: change the PIN");
	tap_is_int(card.f->C_SetPIN(sa, PIN(new_auth), PIN(card.auth_pin)), CKR_OK,
		   "auth: and back");
	tap_is_int(card.f->C_Login(ss, CKU_USER, PIN(wrong_sign)), CKR_PIN_INCORRECT,
		   "sign: wrong password");
	tap_is_int(hard_login(&card, ss, &sign_key), CKR_OK, "sign: login");
	tap_is_int(hard_sign(&card, ss, &sign_key, "m", 1), CKR_OK, "sign: sign");
	tap_is_int(card.f->C_SetPIN(ss, PIN(card.sign_pin), PIN(new_sign)), CKR_OK,
		   "sign: change the password");
	tap_is_int(card.f->C_SetPIN(ss, PIN(new_sign), PIN(card.sign_pin)), CKR_OK,
		   "sign: and back");
	tap_is_int(card.f->C_GetTokenInfo(card.sign_slot, &info), CKR_OK, "token info");
	card.f->C_CloseSession(sa);
	card.f->C_CloseSession(ss);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc < 2)
		tap_bail("usage: stress SCENARIO ARGS...");
	if (strcmp(argv[1], "procs") == 0 && argc >= 4) {
		cmd_procs(atoi(argv[2]), atoi(argv[3]),
			  argc > 4 && strcmp(argv[4], "staggered") == 0);
		return tap_done();
	}
	p11_card_open(&card, 1);
	if (strcmp(argv[1], "threads") == 0 && argc >= 4)
		rc = cmd_threads(atoi(argv[2]), atoi(argv[3]),
				 argc > 4 && strcmp(argv[4], "app-mutex") == 0);
	else if (strcmp(argv[1], "reset-between") == 0 && argc >= 3)
		rc = cmd_reset_between(argv[2], argc > 3 ? atoi(argv[3]) : 4);
	else if (strcmp(argv[1], "reinsert") == 0 && argc >= 3)
		rc = cmd_fault("reinsert", argv[2], NULL);
	else if (strcmp(argv[1], "service") == 0 && argc >= 4)
		rc = cmd_fault("service", argv[2], argv[3]);
	else if (strcmp(argv[1], "finalize-wait") == 0)
		rc = cmd_finalize_wait(argc > 2 ? atoi(argv[2]) : 3);
	else if (strcmp(argv[1], "fork") == 0 && argc >= 3)
		rc = cmd_fork(atoi(argv[2]));
	else if (strcmp(argv[1], "pins") == 0 && argc >= 6)
		rc = cmd_pins(argv[2], argv[3], argv[4], argv[5]);
	else
		tap_bail("unknown scenario or missing arguments: %s", argv[1]);
	hard_keys_free(&auth_key, &sign_key);
	p11_card_close(&card);
	(void)rc;
	return tap_done();
}
