/* The call trace: with JPKI_PKCS11_DEBUG at level 3 (calls) every C_* call
 * and its CKR name are logged; at level 2 none is. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11-test.h"
#include "tap.h"

/* read_file: the whole file as a string (caller frees), or NULL. */
static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text = NULL;
	long size;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		text = calloc(1, (size_t)size + 1);
		if (text != NULL && fread(text, 1, (size_t)size, fp) != (size_t)size) {
			free(text);
			text = NULL;
		}
	}
	fclose(fp);
	return text;
}

static void run_calls(struct p11 *p11, const char *spec)
{
	CK_INFO info;
	CK_SLOT_INFO slot_info;

	if (setenv("JPKI_PKCS11_DEBUG", spec, 1) != 0)
		tap_bail("setenv");
	tap_is_int(p11->list->C_Initialize(NULL), CKR_OK, "initialize with %s", spec);
	tap_is_int(p11->list->C_GetInfo(&info), CKR_OK, "C_GetInfo");
	tap_is_int(p11->list->C_GetSlotInfo(3, &slot_info), CKR_SLOT_ID_INVALID, "C_GetSlotInfo");
	tap_is_int(p11->list->C_Finalize(NULL), CKR_OK, "finalize");
	tap_is_int(p11->list->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED,
		   "C_GetInfo after C_Finalize (log closed)");
	unsetenv("JPKI_PKCS11_DEBUG");
}

int main(void)
{
	struct p11 p11;
	char dir[] = "/tmp/jpki-p11-log-XXXXXX", path[64], spec[80];
	char *text;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	snprintf(path, sizeof(path), "%s/log", dir);
	p11_open(&p11);

	snprintf(spec, sizeof(spec), "3:%s", path);
	run_calls(&p11, spec);
	text = read_file(path);
	tap_ok(text != NULL, "the log file was written");
	if (text == NULL)
		text = calloc(1, 1);
	tap_ok(strstr(text, "-> C_Initialize") != NULL, "C_Initialize entry");
	tap_ok(strstr(text, "<- C_Initialize = CKR_OK") != NULL, "C_Initialize exit");
	tap_ok(strstr(text, "-> C_GetInfo") != NULL, "C_GetInfo entry");
	tap_ok(strstr(text, "<- C_GetInfo = CKR_OK") != NULL, "C_GetInfo exit");
	tap_ok(strstr(text, "<- C_GetSlotInfo = CKR_SLOT_ID_INVALID") != NULL,
	       "C_GetSlotInfo exit with the CKR name");
	tap_ok(strstr(text, "<- C_Finalize = CKR_OK") != NULL, "C_Finalize exit is logged");
	tap_ok(strstr(text, "CKR_CRYPTOKI_NOT_INITIALIZED") == NULL,
	       "nothing logged after C_Finalize closed the log");
	free(text);
	unlink(path);

	snprintf(spec, sizeof(spec), "2:%s", path);
	run_calls(&p11, spec);
	text = read_file(path);
	tap_ok(text == NULL || strstr(text, "C_GetInfo") == NULL, "level 2 logs no calls");
	free(text);
	unlink(path);
	rmdir(dir);
	p11_close(&p11);
	return tap_done();
}
