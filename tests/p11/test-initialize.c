/* C_Initialize: its argument ladder, repeated cycles, and the application's
 * mutex callbacks (PKCS#11 3.0 section 5.4.3.2). */
#include <pthread.h>
#include <stdlib.h>

#include "p11-test.h"
#include "tap.h"

static struct p11 p11;

/* Counting mutex callbacks, as an application would supply them. */
static struct {
	pthread_mutex_t guard; /* protects the counters */
	int created, destroyed, locked, unlocked;
	int held, max_held; /* how many threads were inside at once */
	bool fail_create, fail_lock;
	void *last; /* keeps the mutex reachable if a fork forgets it */
} app = {.guard = PTHREAD_MUTEX_INITIALIZER};

static CK_RV app_create(CK_VOID_PTR_PTR out)
{
	pthread_mutex_t *m;

	if (app.fail_create)
		return CKR_HOST_MEMORY;
	m = malloc(sizeof(*m));
	if (m == NULL || pthread_mutex_init(m, NULL) != 0)
		tap_bail("mutex");
	pthread_mutex_lock(&app.guard);
	app.created++;
	app.last = m;
	pthread_mutex_unlock(&app.guard);
	*out = m;
	return CKR_OK;
}

static CK_RV app_destroy(CK_VOID_PTR m)
{
	pthread_mutex_destroy(m);
	free(m);
	pthread_mutex_lock(&app.guard);
	app.destroyed++;
	app.last = NULL;
	pthread_mutex_unlock(&app.guard);
	return CKR_OK;
}

static CK_RV app_lock(CK_VOID_PTR m)
{
	if (app.fail_lock)
		return CKR_MUTEX_BAD;
	pthread_mutex_lock(m);
	pthread_mutex_lock(&app.guard);
	app.locked++;
	if (++app.held > app.max_held)
		app.max_held = app.held;
	pthread_mutex_unlock(&app.guard);
	return CKR_OK;
}

static CK_RV app_unlock(CK_VOID_PTR m)
{
	pthread_mutex_lock(&app.guard);
	app.unlocked++;
	app.held--;
	pthread_mutex_unlock(&app.guard);
	pthread_mutex_unlock(m);
	return CKR_OK;
}

static bool is_initialized(void)
{
	CK_INFO info;

	return p11.list->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED;
}

static void test_bad_arguments(void)
{
	CK_C_INITIALIZE_ARGS args = {0};
	int reserved = 0, mask, bad = 0;

	args.pReserved = &reserved;
	tap_is_int(p11.list->C_Initialize(&args), CKR_ARGUMENTS_BAD, "pReserved set");
	args.flags = CKF_OS_LOCKING_OK;
	tap_is_int(p11.list->C_Initialize(&args), CKR_ARGUMENTS_BAD,
		   "pReserved set, with CKF_OS_LOCKING_OK");
	tap_ok(!is_initialized(), "still not initialized");

	/* Every incomplete set of callbacks, with and without the flag. */
	for (mask = 1; mask < 15; mask++) {
		for (int flag = 0; flag < 2; flag++) {
			CK_C_INITIALIZE_ARGS partial = {
				.CreateMutex = (mask & 1) ? app_create : NULL,
				.DestroyMutex = (mask & 2) ? app_destroy : NULL,
				.LockMutex = (mask & 4) ? app_lock : NULL,
				.UnlockMutex = (mask & 8) ? app_unlock : NULL,
				.flags = flag ? CKF_OS_LOCKING_OK : 0,
			};
			CK_RV rv = p11.list->C_Initialize(&partial);

			if (rv != CKR_ARGUMENTS_BAD) {
				tap_diag("callbacks mask %d flag %d: 0x%lx", mask, flag, rv);
				bad++;
			}
		}
	}
	tap_is_int(bad, 0, "each of the 28 incomplete callback sets is CKR_ARGUMENTS_BAD");
	tap_is_int(app.created, 0, "no mutex created by a refused call");
	tap_ok(!is_initialized(), "still not initialized");
}

static void test_good_arguments(void)
{
	CK_C_INITIALIZE_ARGS args = {0};

	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "NULL arguments");
	tap_ok(is_initialized(), "initialized");
	tap_is_int(p11.list->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED,
		   "again: already initialized");
	tap_is_int(p11.list->C_Initialize(&args), CKR_CRYPTOKI_ALREADY_INITIALIZED,
		   "again with empty arguments: already initialized");
	args.pReserved = &args;
	tap_is_int(p11.list->C_Initialize(&args), CKR_CRYPTOKI_ALREADY_INITIALIZED,
		   "again with bad arguments: already initialized comes first (SoftHSMv2's order)");
	args.pReserved = NULL;
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");

	tap_is_int(p11.list->C_Initialize(&args), CKR_OK, "empty arguments (no threads)");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	args.flags = CKF_OS_LOCKING_OK;
	tap_is_int(p11.list->C_Initialize(&args), CKR_OK, "CKF_OS_LOCKING_OK");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK;
	tap_is_int(p11.list->C_Initialize(&args), CKR_OK,
		   "CKF_LIBRARY_CANT_CREATE_OS_THREADS: the module creates none");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	tap_is_int(p11.list3->C_Initialize(NULL), CKR_OK, "through the 3.0 list");
	tap_is_int(p11.list3->C_Finalize(NULL), CKR_OK, "finalize through the 3.0 list");
}

static void test_cycles(void)
{
	CK_ULONG count;
	int i, failed = 0;

	for (i = 0; i < 1000; i++) {
		count = 99;
		if (p11.list->C_Initialize(NULL) != CKR_OK ||
		    p11.list->C_GetSlotList(CK_FALSE, NULL, &count) != CKR_OK || count != 0 ||
		    p11.list->C_Finalize(NULL) != CKR_OK)
			failed++;
	}
	tap_is_int(failed, 0, "1000 cycles of C_Initialize, C_GetSlotList, C_Finalize");
	tap_ok(!is_initialized(), "not initialized after the cycles");
}

static void *slot_list_worker(void *arg)
{
	CK_ULONG count;
	long failed = 0;

	(void)arg;
	for (int i = 0; i < 200; i++) {
		count = 7;
		if (p11.list->C_GetSlotList(CK_TRUE, NULL, &count) != CKR_OK || count != 0)
			failed++;
	}
	return (void *)failed;
}

static void test_application_mutex(void)
{
	CK_C_INITIALIZE_ARGS args = {
		.CreateMutex = app_create,
		.DestroyMutex = app_destroy,
		.LockMutex = app_lock,
		.UnlockMutex = app_unlock,
	};
	pthread_t threads[4];
	CK_INFO info;
	void *result;
	long failed = 0;
	int locked;

	tap_is_int(p11.list->C_Initialize(&args), CKR_OK, "callbacks only");
	tap_is_int(app.created, 1, "the application's CreateMutex made the module lock");
	locked = app.locked;
	tap_is_int(p11.list->C_GetInfo(&info), CKR_OK, "C_GetInfo");
	tap_is_int(app.locked, locked + 1, "C_GetInfo took the application's lock once");
	tap_is_int(app.unlocked, app.locked, "and released it");

	for (int i = 0; i < 4; i++)
		if (pthread_create(&threads[i], NULL, slot_list_worker, NULL) != 0)
			tap_bail("pthread_create");
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], &result);
		failed += (long)result;
	}
	tap_is_int(failed, 0, "4 threads x 200 C_GetSlotList under the application's lock");
	tap_ok(app.locked >= locked + 801, "every call locked (%d locks)", app.locked);
	tap_is_int(app.max_held, 1, "never two threads inside at once");

	app.fail_lock = true;
	tap_is_int(p11.list->C_GetInfo(&info), CKR_GENERAL_ERROR,
		   "a failing LockMutex fails the call with CKR_GENERAL_ERROR");
	app.fail_lock = false;

	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	tap_is_int(app.destroyed, 1, "C_Finalize destroyed the application's mutex");
	tap_is_int(app.unlocked, app.locked, "every lock was released");

	/* With CKF_OS_LOCKING_OK the module may choose; it uses native locks. */
	args.flags = CKF_OS_LOCKING_OK;
	tap_is_int(p11.list->C_Initialize(&args), CKR_OK, "callbacks and CKF_OS_LOCKING_OK");
	tap_is_int(p11.list->C_GetInfo(&info), CKR_OK, "C_GetInfo");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
	tap_is_int(app.created, 1, "native locking chosen: no application mutex made");

	args.flags = 0;
	app.fail_create = true;
	tap_is_int(p11.list->C_Initialize(&args), CKR_HOST_MEMORY,
		   "CreateMutex failing with CKR_HOST_MEMORY fails C_Initialize with it");
	app.fail_create = false;
	tap_ok(!is_initialized(), "not initialized after the failure");
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "a later C_Initialize works");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "finalize");
}

int main(void)
{
	p11_open(&p11);
	test_bad_arguments();
	test_good_arguments();
	test_cycles();
	test_application_mutex();
	p11_close(&p11);
	return tap_done();
}
