/* Fork: a child inherits a copy of the initialized module but must call
 * C_Initialize itself (PKCS#11 3.0 section 6.7.1); nothing it does may harm
 * the parent. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "p11-test.h"
#include "tap.h"

static struct p11 p11;

/* Counting application mutex callbacks: the child must never call them on
 * the parent's mutex. */
static struct {
	int created, destroyed, locked, unlocked;
	void *last;
} app;

static CK_RV app_create(CK_VOID_PTR_PTR out)
{
	app.last = malloc(1);
	app.created++;
	*out = app.last;
	return app.last != NULL ? CKR_OK : CKR_HOST_MEMORY;
}

static CK_RV app_destroy(CK_VOID_PTR m)
{
	free(m);
	app.last = NULL;
	app.destroyed++;
	return CKR_OK;
}

static CK_RV app_lock(CK_VOID_PTR m)
{
	(void)m;
	app.locked++;
	return CKR_OK;
}

static CK_RV app_unlock(CK_VOID_PTR m)
{
	(void)m;
	app.unlocked++;
	return CKR_OK;
}

/* check: in the child, counts a failed expectation and says which. */
static int check(CK_RV got, CK_RV want, const char *what)
{
	if (got == want)
		return 0;
	fprintf(stderr, "child: %s: got 0x%lx, want 0x%lx\n", what, got, want);
	return 1;
}

/* run_child: forks, runs body in the child, returns its exit status. */
static int run_child(int (*body)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0)
		_exit(body());
	if (waitpid(pid, &status, 0) != pid)
		tap_bail("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int child_not_initialized(void)
{
	CK_INFO info;
	CK_ULONG count = 0;
	int failed = 0;

	failed += check(p11.list->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED, "C_GetInfo");
	failed += check(p11.list->C_GetSlotList(CK_FALSE, NULL, &count),
			CKR_CRYPTOKI_NOT_INITIALIZED, "C_GetSlotList");
	failed += check(p11.list3->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED, "C_Finalize");
	return failed;
}

static int child_initializes(void)
{
	CK_INFO info;
	CK_ULONG count = 3;
	int failed = 0;
	int created = app.created, destroyed = app.destroyed, locked = app.locked;

	failed += check(p11.list->C_Initialize(NULL), CKR_OK, "C_Initialize");
	failed += check(p11.list->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED,
			"C_Initialize again");
	failed += check(p11.list->C_GetInfo(&info), CKR_OK, "C_GetInfo");
	failed += check(p11.list->C_GetSlotList(CK_FALSE, NULL, &count), CKR_OK, "C_GetSlotList");
	failed += check(count, 0, "slot count");
	failed += check(p11.list->C_Finalize(NULL), CKR_OK, "C_Finalize");
	failed += check(p11.list->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED,
			"C_GetInfo after C_Finalize");
	/* An inherited application mutex was neither locked nor destroyed here,
	 * and the child's own C_Initialize(NULL) chose native locking. */
	failed += check((CK_RV)(app.destroyed - destroyed), 0, "application mutexes destroyed");
	failed += check((CK_RV)(app.created - created), 0, "application mutexes created");
	failed += check((CK_RV)(app.locked - locked), 0, "application mutex locks");
	return failed;
}

static void parent_works(const char *after)
{
	CK_INFO info;
	CK_ULONG count = 3;

	tap_is_int(p11.list->C_GetInfo(&info), CKR_OK, "parent: C_GetInfo after %s", after);
	tap_is_int(p11.list->C_GetSlotList(CK_FALSE, NULL, &count), CKR_OK,
		   "parent: C_GetSlotList after %s", after);
}

int main(void)
{
	CK_C_INITIALIZE_ARGS args = {
		.CreateMutex = app_create,
		.DestroyMutex = app_destroy,
		.LockMutex = app_lock,
		.UnlockMutex = app_unlock,
	};

	p11_open(&p11);
	tap_is_int(p11.list->C_Initialize(NULL), CKR_OK, "parent: initialize (native lock)");
	tap_is_int(run_child(child_not_initialized), 0,
		   "child: not initialized, and its C_Finalize is refused");
	parent_works("a child's refused C_Finalize");
	tap_is_int(run_child(child_initializes), 0,
		   "child: initializes, works and finalizes on its own");
	parent_works("a child's C_Initialize and C_Finalize");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "parent: finalize");

	tap_is_int(p11.list->C_Initialize(&args), CKR_OK, "parent: initialize (application lock)");
	tap_is_int(run_child(child_initializes), 0,
		   "child: initializes without touching the parent's application mutex");
	parent_works("a child with an application lock");
	tap_is_int(p11.list->C_Finalize(NULL), CKR_OK, "parent: finalize");
	tap_is_int(app.destroyed, 1, "parent: its mutex destroyed once, by its own C_Finalize");
	p11_close(&p11);
	return tap_done();
}
