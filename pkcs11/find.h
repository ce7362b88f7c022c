/* Searches: C_FindObjectsInit, C_FindObjects and C_FindObjectsFinal over
 * the objects a session sees (call_object: private ones only while the
 * token is logged in), one search per session (struct find_op). */
#ifndef JPKI_P11_FIND_H
#define JPKI_P11_FIND_H

#include "call.h"

/* The entry points (p11-object.c) check the arguments (CKR_ARGUMENTS_BAD)
 * before these are called: tmpl is NULL only with count 0, handles NULL
 * only with max 0, and count (find_next) is not NULL. */

/* find_init: C_FindObjectsInit: the visible objects matching the template,
 * in table order; a pending certificate is read first when only its DER can
 * decide.  Errors: CKR_OPERATION_ACTIVE, CKR_HOST_MEMORY, those of
 * call_read_pending. */
CK_RV find_init(struct call *call, const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* find_next: C_FindObjects: up to max of the matches not handed out yet,
 * without those the session no longer sees (a logout since find_init).
 * Errors: CKR_OPERATION_NOT_INITIALIZED. */
CK_RV find_next(struct call *call, CK_OBJECT_HANDLE *handles, CK_ULONG max, CK_ULONG *count);

/* find_final: C_FindObjectsFinal: ends the search.
 * Errors: CKR_OPERATION_NOT_INITIALIZED. */
CK_RV find_final(struct call *call);

#endif
