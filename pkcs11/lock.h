/* The module lock: native (pthreads) or built from the application's mutex
 * callbacks, as C_Initialize's arguments ask (PKCS#11 3.0, section 5.4.3.2). */
#ifndef JPKI_P11_LOCK_H
#define JPKI_P11_LOCK_H

#include <pthread.h>

#include "pkcs11.h"

struct lock {
	/* The application's callbacks, all set or all NULL (NULL: native). */
	CK_CREATEMUTEX create;
	CK_DESTROYMUTEX destroy;
	CK_LOCKMUTEX acquire;
	CK_UNLOCKMUTEX release;
	CK_VOID_PTR app_mutex; /* made by create */
	pthread_mutex_t native;
};

/* lock_check_args: checks C_Initialize's arguments (NULL is valid).
 * Errors: CKR_ARGUMENTS_BAD (pReserved set, or only some callbacks given). */
CK_RV lock_check_args(const CK_C_INITIALIZE_ARGS *args);

/* lock_create: makes the lock the checked arguments ask for.
 * Errors: CKR_HOST_MEMORY, CKR_GENERAL_ERROR (the application's CreateMutex
 * or pthread_mutex_init failed). */
CK_RV lock_create(struct lock *lock, const CK_C_INITIALIZE_ARGS *args);

/* lock_acquire: takes the lock.  Errors: CKR_GENERAL_ERROR (the
 * application's LockMutex failed). */
CK_RV lock_acquire(struct lock *lock);

/* lock_release: releases the lock taken by lock_acquire. */
void lock_release(struct lock *lock);

/* lock_destroy: destroys the lock made by lock_create. */
void lock_destroy(struct lock *lock);

/* lock_forget: in a child after fork(), drops the lock inherited from the
 * parent without calling anything on it (it may be held by a thread that does
 * not exist here, and an application mutex belongs to the application). */
void lock_forget(struct lock *lock);

#endif
