/* Shared by the PKCS#11 contract tests: see p11-test.h. */
#include "p11-test.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

void p11_open(struct p11 *p11)
{
	if (setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/jpki-pkcs11-test/pcscd.comm", 1) != 0)
		tap_bail("setenv failed");
	p11_open_module(p11, getenv("JPKI_MODULE"));
	if (p11->list3 == NULL)
		tap_bail("the module does not export C_GetInterface");
}

void p11_open_module(struct p11 *p11, const char *path)
{
	CK_C_GetFunctionList get_function_list;
	CK_C_GetInterface get_interface;
	CK_INTERFACE_PTR interface = NULL;
	CK_VERSION v30 = {3, 0};
	CK_UTF8CHAR name[] = "PKCS 11";
	void *sym;

	memset(p11, 0, sizeof(*p11));
	if (path == NULL || *path == '\0')
		tap_bail("no module to load (JPKI_MODULE is not set)");
	p11->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (p11->dl == NULL)
		tap_bail("dlopen %s: %s", path, dlerror());
	/* Function pointers from dlsym: POSIX guarantees the conversion. */
	sym = dlsym(p11->dl, "C_GetFunctionList");
	memcpy(&get_function_list, &sym, sizeof(sym));
	sym = dlsym(p11->dl, "C_GetInterface");
	memcpy(&get_interface, &sym, sizeof(sym));
	if (get_function_list == NULL)
		tap_bail("the module does not export C_GetFunctionList");
	if (get_function_list(&p11->list) != CKR_OK || p11->list == NULL)
		tap_bail("C_GetFunctionList failed");
	/* A 2.40 module (SoftHSMv2 2.6) has no C_GetInterface: list3 stays NULL. */
	if (get_interface == NULL)
		return;
	if (get_interface(name, &v30, &interface, 0) != CKR_OK || interface == NULL ||
	    interface->pFunctionList == NULL)
		tap_bail("C_GetInterface(\"PKCS 11\", 3.0) failed");
	p11->list3 = interface->pFunctionList;
}

void p11_close(struct p11 *p11)
{
	if (p11->dl != NULL)
		dlclose(p11->dl);
	memset(p11, 0, sizeof(*p11));
}

p11_any_function p11_function_pointer(CK_FUNCTION_LIST_3_0_PTR list, const struct p11_function *fn)
{
	p11_any_function pointer;

	memcpy(&pointer, (const char *)list + fn->offset, sizeof(pointer));
	return pointer;
}

/* Harmless arguments: handles no module hands out (unless a test aims the
 * calls at its own, p11-test.h), valid buffers. */
CK_SESSION_HANDLE p11_call_session = 0x5e55;
CK_SLOT_ID p11_call_slot = 0;
#define SESSION p11_call_session
#define SLOT	p11_call_slot
#define OBJECT	((CK_OBJECT_HANDLE)0x0b1)

static struct {
	CK_BYTE bytes[64];
	CK_ULONG len;
	CK_MECHANISM mechanism;
	CK_ATTRIBUTE attribute;
	CK_OBJECT_HANDLE object;
	CK_SLOT_ID slot, slots[8];
	CK_MECHANISM_TYPE mechanisms[8];
	CK_INFO info;
	CK_SLOT_INFO slot_info;
	CK_TOKEN_INFO token_info;
	CK_MECHANISM_INFO mechanism_info;
	CK_SESSION_INFO session_info;
	CK_SESSION_HANDLE session;
	CK_FUNCTION_LIST_PTR list;
	CK_INTERFACE interfaces[8];
	CK_INTERFACE_PTR interface;
} scratch = {
	.len = 0,
	.mechanism = {CKM_SHA256_RSA_PKCS, NULL, 0},
	.attribute = {CKA_CLASS, NULL, 0},
};

static CK_RV call_C_Finalize(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Finalize(NULL);
}

static CK_RV call_C_GetInfo(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetInfo(&scratch.info);
}

static CK_RV call_C_GetFunctionList(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetFunctionList(&scratch.list);
}

static CK_RV call_C_GetSlotList(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetSlotList(CK_FALSE, scratch.slots, &scratch.len);
}

static CK_RV call_C_GetSlotInfo(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetSlotInfo(SLOT, &scratch.slot_info);
}

static CK_RV call_C_GetTokenInfo(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetTokenInfo(SLOT, &scratch.token_info);
}

static CK_RV call_C_GetMechanismList(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetMechanismList(SLOT, scratch.mechanisms, &scratch.len);
}

static CK_RV call_C_GetMechanismInfo(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetMechanismInfo(SLOT, CKM_SHA256_RSA_PKCS, &scratch.mechanism_info);
}

static CK_RV call_C_InitToken(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_InitToken(SLOT, scratch.bytes, 0, scratch.bytes);
}

static CK_RV call_C_InitPIN(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_InitPIN(SESSION, scratch.bytes, 0);
}

static CK_RV call_C_SetPIN(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SetPIN(SESSION, scratch.bytes, 0, scratch.bytes, 0);
}

static CK_RV call_C_OpenSession(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_OpenSession(SLOT, CKF_SERIAL_SESSION, NULL, NULL, &scratch.session);
}

static CK_RV call_C_CloseSession(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_CloseSession(SESSION);
}

static CK_RV call_C_CloseAllSessions(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_CloseAllSessions(SLOT);
}

static CK_RV call_C_GetSessionInfo(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetSessionInfo(SESSION, &scratch.session_info);
}

static CK_RV call_C_GetOperationState(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetOperationState(SESSION, scratch.bytes, &scratch.len);
}

static CK_RV call_C_SetOperationState(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SetOperationState(SESSION, scratch.bytes, 0, OBJECT, OBJECT);
}

static CK_RV call_C_Login(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Login(SESSION, CKU_USER, scratch.bytes, 0);
}

static CK_RV call_C_Logout(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Logout(SESSION);
}

static CK_RV call_C_CreateObject(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_CreateObject(SESSION, &scratch.attribute, 0, &scratch.object);
}

static CK_RV call_C_CopyObject(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_CopyObject(SESSION, OBJECT, &scratch.attribute, 0, &scratch.object);
}

static CK_RV call_C_DestroyObject(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DestroyObject(SESSION, OBJECT);
}

static CK_RV call_C_GetObjectSize(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetObjectSize(SESSION, OBJECT, &scratch.len);
}

static CK_RV call_C_GetAttributeValue(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetAttributeValue(SESSION, OBJECT, &scratch.attribute, 0);
}

static CK_RV call_C_SetAttributeValue(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SetAttributeValue(SESSION, OBJECT, &scratch.attribute, 0);
}

static CK_RV call_C_FindObjectsInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_FindObjectsInit(SESSION, &scratch.attribute, 0);
}

static CK_RV call_C_FindObjects(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_FindObjects(SESSION, &scratch.object, 0, &scratch.len);
}

static CK_RV call_C_FindObjectsFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_FindObjectsFinal(SESSION);
}

static CK_RV call_C_EncryptInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_EncryptInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_Encrypt(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Encrypt(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_EncryptUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_EncryptUpdate(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_EncryptFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_EncryptFinal(SESSION, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DecryptInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_Decrypt(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Decrypt(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DecryptUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptUpdate(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DecryptFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptFinal(SESSION, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DigestInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DigestInit(SESSION, &scratch.mechanism);
}

static CK_RV call_C_Digest(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Digest(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DigestUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DigestUpdate(SESSION, scratch.bytes, 0);
}

static CK_RV call_C_DigestKey(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DigestKey(SESSION, OBJECT);
}

static CK_RV call_C_DigestFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DigestFinal(SESSION, scratch.bytes, &scratch.len);
}

static CK_RV call_C_SignInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_Sign(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Sign(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_SignUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignUpdate(SESSION, scratch.bytes, 0);
}

static CK_RV call_C_SignFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignFinal(SESSION, scratch.bytes, &scratch.len);
}

static CK_RV call_C_SignRecoverInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignRecoverInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_SignRecover(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignRecover(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_VerifyInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_Verify(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_Verify(SESSION, scratch.bytes, 0, scratch.bytes, 0);
}

static CK_RV call_C_VerifyUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyUpdate(SESSION, scratch.bytes, 0);
}

static CK_RV call_C_VerifyFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyFinal(SESSION, scratch.bytes, 0);
}

static CK_RV call_C_VerifyRecoverInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyRecoverInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_VerifyRecover(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyRecover(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DigestEncryptUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DigestEncryptUpdate(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DecryptDigestUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptDigestUpdate(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_SignEncryptUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignEncryptUpdate(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_DecryptVerifyUpdate(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptVerifyUpdate(SESSION, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_GenerateKey(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GenerateKey(SESSION, &scratch.mechanism, &scratch.attribute, 0,
				&scratch.object);
}

static CK_RV call_C_GenerateKeyPair(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GenerateKeyPair(SESSION, &scratch.mechanism, &scratch.attribute, 0,
				    &scratch.attribute, 0, &scratch.object, &scratch.object);
}

static CK_RV call_C_WrapKey(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_WrapKey(SESSION, &scratch.mechanism, OBJECT, OBJECT, scratch.bytes,
			    &scratch.len);
}

static CK_RV call_C_UnwrapKey(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_UnwrapKey(SESSION, &scratch.mechanism, OBJECT, scratch.bytes, 0,
			      &scratch.attribute, 0, &scratch.object);
}

static CK_RV call_C_DeriveKey(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DeriveKey(SESSION, &scratch.mechanism, OBJECT, &scratch.attribute, 0,
			      &scratch.object);
}

static CK_RV call_C_SeedRandom(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SeedRandom(SESSION, scratch.bytes, 0);
}

static CK_RV call_C_GenerateRandom(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GenerateRandom(SESSION, scratch.bytes, 0);
}

static CK_RV call_C_GetFunctionStatus(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetFunctionStatus(SESSION);
}

static CK_RV call_C_CancelFunction(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_CancelFunction(SESSION);
}

static CK_RV call_C_WaitForSlotEvent(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &scratch.slot, NULL);
}

static CK_RV call_C_GetInterfaceList(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetInterfaceList(scratch.interfaces, &scratch.len);
}

static CK_RV call_C_GetInterface(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_GetInterface(NULL, NULL, &scratch.interface, 0);
}

static CK_RV call_C_LoginUser(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_LoginUser(SESSION, CKU_USER, scratch.bytes, 0, scratch.bytes, 0);
}

static CK_RV call_C_SessionCancel(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SessionCancel(SESSION, CKF_SIGN);
}

static CK_RV call_C_MessageEncryptInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageEncryptInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_EncryptMessage(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_EncryptMessage(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes, 0,
				   scratch.bytes, &scratch.len);
}

static CK_RV call_C_EncryptMessageBegin(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_EncryptMessageBegin(SESSION, NULL, 0, scratch.bytes, 0);
}

static CK_RV call_C_EncryptMessageNext(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_EncryptMessageNext(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes,
				       &scratch.len, CKF_DONT_BLOCK);
}

static CK_RV call_C_MessageEncryptFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageEncryptFinal(SESSION);
}

static CK_RV call_C_MessageDecryptInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageDecryptInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_DecryptMessage(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptMessage(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes, 0,
				   scratch.bytes, &scratch.len);
}

static CK_RV call_C_DecryptMessageBegin(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptMessageBegin(SESSION, NULL, 0, scratch.bytes, 0);
}

static CK_RV call_C_DecryptMessageNext(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_DecryptMessageNext(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes,
				       &scratch.len, CKF_DONT_BLOCK);
}

static CK_RV call_C_MessageDecryptFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageDecryptFinal(SESSION);
}

static CK_RV call_C_MessageSignInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageSignInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_SignMessage(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignMessage(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes, &scratch.len);
}

static CK_RV call_C_SignMessageBegin(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignMessageBegin(SESSION, NULL, 0);
}

static CK_RV call_C_SignMessageNext(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_SignMessageNext(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes,
				    &scratch.len);
}

static CK_RV call_C_MessageSignFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageSignFinal(SESSION);
}

static CK_RV call_C_MessageVerifyInit(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageVerifyInit(SESSION, &scratch.mechanism, OBJECT);
}

static CK_RV call_C_VerifyMessage(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyMessage(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes, 0);
}

static CK_RV call_C_VerifyMessageBegin(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyMessageBegin(SESSION, NULL, 0);
}

static CK_RV call_C_VerifyMessageNext(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_VerifyMessageNext(SESSION, NULL, 0, scratch.bytes, 0, scratch.bytes, 0);
}

static CK_RV call_C_MessageVerifyFinal(CK_FUNCTION_LIST_3_0_PTR f)
{
	return f->C_MessageVerifyFinal(SESSION);
}

const struct p11_function p11_functions[] = {
	{"C_Initialize", offsetof(CK_FUNCTION_LIST_3_0, C_Initialize), NULL, true, false, 0},
	{"C_Finalize", offsetof(CK_FUNCTION_LIST_3_0, C_Finalize), call_C_Finalize, false, false,
	 0},
	{"C_GetInfo", offsetof(CK_FUNCTION_LIST_3_0, C_GetInfo), call_C_GetInfo, false, false, 0},
	{"C_GetFunctionList", offsetof(CK_FUNCTION_LIST_3_0, C_GetFunctionList),
	 call_C_GetFunctionList, true, false, 0},
	{"C_GetSlotList", offsetof(CK_FUNCTION_LIST_3_0, C_GetSlotList), call_C_GetSlotList, false,
	 false, 0},
	{"C_GetSlotInfo", offsetof(CK_FUNCTION_LIST_3_0, C_GetSlotInfo), call_C_GetSlotInfo, false,
	 false, 0},
	{"C_GetTokenInfo", offsetof(CK_FUNCTION_LIST_3_0, C_GetTokenInfo), call_C_GetTokenInfo,
	 false, false, 0},
	{"C_GetMechanismList", offsetof(CK_FUNCTION_LIST_3_0, C_GetMechanismList),
	 call_C_GetMechanismList, false, false, 0},
	{"C_GetMechanismInfo", offsetof(CK_FUNCTION_LIST_3_0, C_GetMechanismInfo),
	 call_C_GetMechanismInfo, false, false, 0},
	{"C_InitToken", offsetof(CK_FUNCTION_LIST_3_0, C_InitToken), call_C_InitToken, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_InitPIN", offsetof(CK_FUNCTION_LIST_3_0, C_InitPIN), call_C_InitPIN, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SetPIN", offsetof(CK_FUNCTION_LIST_3_0, C_SetPIN), call_C_SetPIN, false, false, 0},
	{"C_OpenSession", offsetof(CK_FUNCTION_LIST_3_0, C_OpenSession), call_C_OpenSession, false,
	 false, 0},
	{"C_CloseSession", offsetof(CK_FUNCTION_LIST_3_0, C_CloseSession), call_C_CloseSession,
	 false, false, 0},
	{"C_CloseAllSessions", offsetof(CK_FUNCTION_LIST_3_0, C_CloseAllSessions),
	 call_C_CloseAllSessions, false, false, 0},
	{"C_GetSessionInfo", offsetof(CK_FUNCTION_LIST_3_0, C_GetSessionInfo),
	 call_C_GetSessionInfo, false, false, 0},
	{"C_GetOperationState", offsetof(CK_FUNCTION_LIST_3_0, C_GetOperationState),
	 call_C_GetOperationState, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SetOperationState", offsetof(CK_FUNCTION_LIST_3_0, C_SetOperationState),
	 call_C_SetOperationState, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_Login", offsetof(CK_FUNCTION_LIST_3_0, C_Login), call_C_Login, false, false, 0},
	{"C_Logout", offsetof(CK_FUNCTION_LIST_3_0, C_Logout), call_C_Logout, false, false, 0},
	{"C_CreateObject", offsetof(CK_FUNCTION_LIST_3_0, C_CreateObject), call_C_CreateObject,
	 false, false, 0},
	{"C_CopyObject", offsetof(CK_FUNCTION_LIST_3_0, C_CopyObject), call_C_CopyObject, false,
	 false, 0},
	{"C_DestroyObject", offsetof(CK_FUNCTION_LIST_3_0, C_DestroyObject), call_C_DestroyObject,
	 false, false, 0},
	{"C_GetObjectSize", offsetof(CK_FUNCTION_LIST_3_0, C_GetObjectSize), call_C_GetObjectSize,
	 false, false, 0},
	{"C_GetAttributeValue", offsetof(CK_FUNCTION_LIST_3_0, C_GetAttributeValue),
	 call_C_GetAttributeValue, false, false, 0},
	{"C_SetAttributeValue", offsetof(CK_FUNCTION_LIST_3_0, C_SetAttributeValue),
	 call_C_SetAttributeValue, false, false, 0},
	{"C_FindObjectsInit", offsetof(CK_FUNCTION_LIST_3_0, C_FindObjectsInit),
	 call_C_FindObjectsInit, false, false, 0},
	{"C_FindObjects", offsetof(CK_FUNCTION_LIST_3_0, C_FindObjects), call_C_FindObjects, false,
	 false, 0},
	{"C_FindObjectsFinal", offsetof(CK_FUNCTION_LIST_3_0, C_FindObjectsFinal),
	 call_C_FindObjectsFinal, false, false, 0},
	{"C_EncryptInit", offsetof(CK_FUNCTION_LIST_3_0, C_EncryptInit), call_C_EncryptInit, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_Encrypt", offsetof(CK_FUNCTION_LIST_3_0, C_Encrypt), call_C_Encrypt, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_EncryptUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_EncryptUpdate), call_C_EncryptUpdate,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_EncryptFinal", offsetof(CK_FUNCTION_LIST_3_0, C_EncryptFinal), call_C_EncryptFinal,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptInit", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptInit), call_C_DecryptInit, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_Decrypt", offsetof(CK_FUNCTION_LIST_3_0, C_Decrypt), call_C_Decrypt, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptUpdate), call_C_DecryptUpdate,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptFinal", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptFinal), call_C_DecryptFinal,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DigestInit", offsetof(CK_FUNCTION_LIST_3_0, C_DigestInit), call_C_DigestInit, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_Digest", offsetof(CK_FUNCTION_LIST_3_0, C_Digest), call_C_Digest, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DigestUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_DigestUpdate), call_C_DigestUpdate,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DigestKey", offsetof(CK_FUNCTION_LIST_3_0, C_DigestKey), call_C_DigestKey, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DigestFinal", offsetof(CK_FUNCTION_LIST_3_0, C_DigestFinal), call_C_DigestFinal, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SignInit", offsetof(CK_FUNCTION_LIST_3_0, C_SignInit), call_C_SignInit, false, false,
	 0},
	{"C_Sign", offsetof(CK_FUNCTION_LIST_3_0, C_Sign), call_C_Sign, false, false, 0},
	{"C_SignUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_SignUpdate), call_C_SignUpdate, false,
	 false, 0},
	{"C_SignFinal", offsetof(CK_FUNCTION_LIST_3_0, C_SignFinal), call_C_SignFinal, false, false,
	 0},
	{"C_SignRecoverInit", offsetof(CK_FUNCTION_LIST_3_0, C_SignRecoverInit),
	 call_C_SignRecoverInit, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SignRecover", offsetof(CK_FUNCTION_LIST_3_0, C_SignRecover), call_C_SignRecover, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyInit", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyInit), call_C_VerifyInit, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_Verify", offsetof(CK_FUNCTION_LIST_3_0, C_Verify), call_C_Verify, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyUpdate), call_C_VerifyUpdate,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyFinal", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyFinal), call_C_VerifyFinal, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyRecoverInit", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyRecoverInit),
	 call_C_VerifyRecoverInit, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyRecover", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyRecover), call_C_VerifyRecover,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DigestEncryptUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_DigestEncryptUpdate),
	 call_C_DigestEncryptUpdate, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptDigestUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptDigestUpdate),
	 call_C_DecryptDigestUpdate, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SignEncryptUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_SignEncryptUpdate),
	 call_C_SignEncryptUpdate, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptVerifyUpdate", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptVerifyUpdate),
	 call_C_DecryptVerifyUpdate, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_GenerateKey", offsetof(CK_FUNCTION_LIST_3_0, C_GenerateKey), call_C_GenerateKey, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_GenerateKeyPair", offsetof(CK_FUNCTION_LIST_3_0, C_GenerateKeyPair),
	 call_C_GenerateKeyPair, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_WrapKey", offsetof(CK_FUNCTION_LIST_3_0, C_WrapKey), call_C_WrapKey, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_UnwrapKey", offsetof(CK_FUNCTION_LIST_3_0, C_UnwrapKey), call_C_UnwrapKey, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DeriveKey", offsetof(CK_FUNCTION_LIST_3_0, C_DeriveKey), call_C_DeriveKey, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SeedRandom", offsetof(CK_FUNCTION_LIST_3_0, C_SeedRandom), call_C_SeedRandom, false,
	 true, CKR_RANDOM_NO_RNG},
	{"C_GenerateRandom", offsetof(CK_FUNCTION_LIST_3_0, C_GenerateRandom),
	 call_C_GenerateRandom, false, true, CKR_RANDOM_NO_RNG},
	{"C_GetFunctionStatus", offsetof(CK_FUNCTION_LIST_3_0, C_GetFunctionStatus),
	 call_C_GetFunctionStatus, false, true, CKR_FUNCTION_NOT_PARALLEL},
	{"C_CancelFunction", offsetof(CK_FUNCTION_LIST_3_0, C_CancelFunction),
	 call_C_CancelFunction, false, true, CKR_FUNCTION_NOT_PARALLEL},
	{"C_WaitForSlotEvent", offsetof(CK_FUNCTION_LIST_3_0, C_WaitForSlotEvent),
	 call_C_WaitForSlotEvent, false, false, 0},
	{"C_GetInterfaceList", offsetof(CK_FUNCTION_LIST_3_0, C_GetInterfaceList),
	 call_C_GetInterfaceList, true, false, 0},
	{"C_GetInterface", offsetof(CK_FUNCTION_LIST_3_0, C_GetInterface), call_C_GetInterface,
	 true, false, 0},
	{"C_LoginUser", offsetof(CK_FUNCTION_LIST_3_0, C_LoginUser), call_C_LoginUser, false, true,
	 CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SessionCancel", offsetof(CK_FUNCTION_LIST_3_0, C_SessionCancel), call_C_SessionCancel,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageEncryptInit", offsetof(CK_FUNCTION_LIST_3_0, C_MessageEncryptInit),
	 call_C_MessageEncryptInit, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_EncryptMessage", offsetof(CK_FUNCTION_LIST_3_0, C_EncryptMessage),
	 call_C_EncryptMessage, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_EncryptMessageBegin", offsetof(CK_FUNCTION_LIST_3_0, C_EncryptMessageBegin),
	 call_C_EncryptMessageBegin, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_EncryptMessageNext", offsetof(CK_FUNCTION_LIST_3_0, C_EncryptMessageNext),
	 call_C_EncryptMessageNext, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageEncryptFinal", offsetof(CK_FUNCTION_LIST_3_0, C_MessageEncryptFinal),
	 call_C_MessageEncryptFinal, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageDecryptInit", offsetof(CK_FUNCTION_LIST_3_0, C_MessageDecryptInit),
	 call_C_MessageDecryptInit, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptMessage", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptMessage),
	 call_C_DecryptMessage, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptMessageBegin", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptMessageBegin),
	 call_C_DecryptMessageBegin, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_DecryptMessageNext", offsetof(CK_FUNCTION_LIST_3_0, C_DecryptMessageNext),
	 call_C_DecryptMessageNext, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageDecryptFinal", offsetof(CK_FUNCTION_LIST_3_0, C_MessageDecryptFinal),
	 call_C_MessageDecryptFinal, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageSignInit", offsetof(CK_FUNCTION_LIST_3_0, C_MessageSignInit),
	 call_C_MessageSignInit, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SignMessage", offsetof(CK_FUNCTION_LIST_3_0, C_SignMessage), call_C_SignMessage, false,
	 true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SignMessageBegin", offsetof(CK_FUNCTION_LIST_3_0, C_SignMessageBegin),
	 call_C_SignMessageBegin, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_SignMessageNext", offsetof(CK_FUNCTION_LIST_3_0, C_SignMessageNext),
	 call_C_SignMessageNext, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageSignFinal", offsetof(CK_FUNCTION_LIST_3_0, C_MessageSignFinal),
	 call_C_MessageSignFinal, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageVerifyInit", offsetof(CK_FUNCTION_LIST_3_0, C_MessageVerifyInit),
	 call_C_MessageVerifyInit, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyMessage", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyMessage), call_C_VerifyMessage,
	 false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyMessageBegin", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyMessageBegin),
	 call_C_VerifyMessageBegin, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_VerifyMessageNext", offsetof(CK_FUNCTION_LIST_3_0, C_VerifyMessageNext),
	 call_C_VerifyMessageNext, false, true, CKR_FUNCTION_NOT_SUPPORTED},
	{"C_MessageVerifyFinal", offsetof(CK_FUNCTION_LIST_3_0, C_MessageVerifyFinal),
	 call_C_MessageVerifyFinal, false, true, CKR_FUNCTION_NOT_SUPPORTED},
};

const size_t p11_function_count = sizeof(p11_functions) / sizeof(p11_functions[0]);
