/* The module lock: see lock.h. */
#include "lock.h"

#include <stdbool.h>
#include <string.h>

CK_RV lock_check_args(const CK_C_INITIALIZE_ARGS *args)
{
	CK_RV rv = CKR_OK;
	int given;

	if (args != NULL) {
		/* Spec 5.4.3.2: the four callbacks come together or not at all. */
		given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
			(args->LockMutex != NULL) + (args->UnlockMutex != NULL);
		if (args->pReserved != NULL || (given != 0 && given != 4))
			rv = CKR_ARGUMENTS_BAD;
	}
	return rv;
}

CK_RV lock_create(struct lock *lock, const CK_C_INITIALIZE_ARGS *args)
{
	CK_RV rv = CKR_OK;

	memset(lock, 0, sizeof(*lock));
	/* Callbacks without CKF_OS_LOCKING_OK: the application insists on its
	 * own mutexes.  With the flag (or no callbacks) native locking is
	 * allowed and preferred; with neither, the application promises not to
	 * call concurrently, and an uncontended native lock costs nothing. */
	if (args != NULL && args->CreateMutex != NULL && !(args->flags & CKF_OS_LOCKING_OK)) {
		lock->create = args->CreateMutex;
		lock->destroy = args->DestroyMutex;
		lock->acquire = args->LockMutex;
		lock->release = args->UnlockMutex;
		rv = lock->create(&lock->app_mutex);
		if (rv != CKR_OK) {
			/* CreateMutex may answer CKR_HOST_MEMORY or CKR_GENERAL_ERROR. */
			if (rv != CKR_HOST_MEMORY)
				rv = CKR_GENERAL_ERROR;
			memset(lock, 0, sizeof(*lock));
		}
		goto out;
	}
	if (pthread_mutex_init(&lock->native, NULL) != 0)
		rv = CKR_GENERAL_ERROR;
out:
	return rv;
}

CK_RV lock_acquire(struct lock *lock)
{
	bool failed;

	if (lock->acquire != NULL)
		failed = lock->acquire(lock->app_mutex) != CKR_OK;
	else
		failed = pthread_mutex_lock(&lock->native) != 0;
	return failed ? CKR_GENERAL_ERROR : CKR_OK;
}

void lock_release(struct lock *lock)
{
	if (lock->release != NULL)
		lock->release(lock->app_mutex);
	else
		pthread_mutex_unlock(&lock->native);
}

void lock_destroy(struct lock *lock)
{
	if (lock->destroy != NULL)
		lock->destroy(lock->app_mutex);
	else
		pthread_mutex_destroy(&lock->native);
	memset(lock, 0, sizeof(*lock));
}

void lock_forget(struct lock *lock)
{
	memset(lock, 0, sizeof(*lock));
}
