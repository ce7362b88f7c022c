/* C_WaitForSlotEvent (spec 3.0 section 5.5).
 *
 * The wait happens without the module lock (module.c): the thread waits in
 * the transport (SCardGetStatusChange on its own context), then takes the
 * lock to see what changed.  C_Finalize cancels the wait and waits for the
 * waiter to leave; the waiter then answers CKR_CRYPTOKI_NOT_INITIALIZED as
 * the spec asks.  The waiter leaves holding the lock (module.c, C_Finalize).
 * The loop stays here, in one piece, because it lets go of the lock; which
 * slot has an event is slot.c's (slot_next_event_locked). */
#include <time.h>

#include "module.h"

#define WAIT_STEP_MS 1000 /* one transport wait; changes end it earlier */
#define RETRY_MS     100  /* pause before asking a failing service again */

/* wait_unlocked: one wait for a reader change; false when finalizing. */
static bool wait_unlocked(struct module *m)
{
	enum card_error err = m->transport->ops->wait(m->transport, WAIT_STEP_MS);
	int i;

	/* A service that is down answers at once: pause, but stay cancellable. */
	for (i = 0; err != CARD_OK && err != CARD_E_TIMEOUT && i < WAIT_STEP_MS / RETRY_MS &&
		    !atomic_load(&m->finalizing);
	     i++)
		nanosleep(&(struct timespec){0, RETRY_MS * 1000000L}, NULL);
	return !atomic_load(&m->finalizing);
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	struct module *m;
	CK_RV rv = module_enter(__func__, &m);
	bool cancelled, traced = false;

	if (rv != CKR_OK)
		goto out;
	if (pSlot == NULL || pReserved != NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto leave;
	}
	slot_refresh_locked(m, true);
	if (slot_next_event_locked(m, pSlot))
		goto leave;
	if (flags & CKF_DONT_BLOCK) {
		rv = CKR_NO_EVENT;
		goto leave;
	}
	atomic_fetch_add(&m->waiters, 1);
	for (;;) {
		module_leave(m);
		cancelled = !wait_unlocked(m);
		if (lock_acquire(&m->lock) != CKR_OK) {
			/* The application's LockMutex failed: nothing is held. */
			atomic_fetch_sub(&m->waiters, 1);
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			goto out;
		}
		if (cancelled || atomic_load(&m->finalizing)) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
		slot_refresh_locked(m, true);
		if (slot_next_event_locked(m, pSlot))
			break;
	}
	/* Traced, counted out, then unlocked, in this order: C_Finalize waits
	 * for the count to reach zero and takes the lock once more before it
	 * frees the lock, the transport and the log this thread still uses. */
	module_return(__func__, rv);
	traced = true;
	atomic_fetch_sub(&m->waiters, 1);
leave:
	module_leave(m);
out:
	return traced ? rv : module_return(__func__, rv);
}
