/* What Thunderbird does for an S/MIME signature, as a test program.
 *
 * The signature token declares itself a public-certificates token, so NSS
 * does not log in to it just to look for certificates: its own certificate
 * (a private object: the card releases it only after the password) becomes
 * visible when the user logs in to the token (Thunderbird: Security Devices
 * > Log In).  cmsutil cannot log in first, so this program does what the
 * mail client does: log in to the named token with the password from a
 * password file (TOKEN:PIN lines, as NSS tools take), list the certificates
 * then visible, and make an NSS CMS (S/MIME) signature with the named
 * certificate, through the same NSS CMS functions a mail client uses.
 *
 * usage: nss-sign DBDIR PWFILE TOKEN list
 *        nss-sign DBDIR PWFILE TOKEN sign NICKNAME IN OUT
 * Exit status 0 on success; messages on stderr.
 */
#include <nss.h>
/* By its directory: src/cert.h of this project shadows the bare name. */
#include <nss/cert.h>
#include <cms.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secerr.h>
#include <smime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct password_file {
	const char *path;
};

/* password: the PIN of the slot's token from the TOKEN:PIN lines, never retried
 * (a wrong password must not be sent twice). */
static char *password(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	const struct password_file *pw = arg;
	const char *token = PK11_GetTokenName(slot);
	size_t tlen = strlen(token);
	char line[256];
	char *found = NULL;
	FILE *fp;

	if (retry || pw == NULL || (fp = fopen(pw->path, "r")) == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, token, tlen) == 0 && line[tlen] == ':')
			found = PORT_Strdup(line + tlen + 1);
	}
	fclose(fp);
	return found;
}

static int fail(const char *what)
{
	fprintf(stderr, "nss-sign: %s: %s\n", what, PR_ErrorToName(PR_GetError()));
	return 1;
}

static int list_certs(void *pwarg)
{
	CERTCertList *list = PK11_ListCerts(PK11CertListAll, pwarg);
	CERTCertListNode *node;

	if (list == NULL)
		return fail("PK11_ListCerts");
	for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list); node = CERT_LIST_NEXT(node))
		printf("%s\n", node->cert->nickname ? node->cert->nickname : "(no nickname)");
	CERT_DestroyCertList(list);
	return 0;
}

static SECItem *read_file(PLArenaPool *arena, const char *path)
{
	SECItem *item = NULL;
	long size;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (item = SECITEM_AllocItem(arena, NULL, (unsigned int)size)) != NULL &&
	    fread(item->data, 1, (size_t)size, fp) != (size_t)size)
		item = NULL;
	fclose(fp);
	return item;
}

static int sign(char *nickname, const char *in, const char *out, void *pwarg)
{
	PLArenaPool *arena = PORT_NewArena(4096);
	CERTCertificate *cert = NULL;
	NSSCMSMessage *msg = NULL;
	NSSCMSSignedData *sigd;
	NSSCMSSignerInfo *signer;
	NSSCMSEncoderContext *enc;
	SECItem *data, output = {siBuffer, NULL, 0};
	FILE *fp;
	int rc = 1;

	data = read_file(arena, in);
	if (data == NULL) {
		fprintf(stderr, "nss-sign: cannot read %s\n", in);
		goto out;
	}
	cert = CERT_FindUserCertByUsage(CERT_GetDefaultCertDB(), nickname, certUsageEmailSigner,
					PR_FALSE, pwarg);
	if (cert == NULL) {
		rc = fail("no such signing certificate");
		goto out;
	}
	msg = NSS_CMSMessage_Create(NULL);
	sigd = msg ? NSS_CMSSignedData_Create(msg) : NULL;
	if (sigd == NULL ||
	    NSS_CMSContentInfo_SetContent_Data(msg, NSS_CMSSignedData_GetContentInfo(sigd), NULL,
					       PR_FALSE) != SECSuccess ||
	    NSS_CMSContentInfo_SetContent_SignedData(msg, NSS_CMSMessage_GetContentInfo(msg),
						     sigd) != SECSuccess) {
		rc = fail("CMS message");
		goto out;
	}
	signer = NSS_CMSSignerInfo_Create(msg, cert, SEC_OID_SHA256);
	if (signer == NULL ||
	    NSS_CMSSignerInfo_IncludeCerts(signer, NSSCMSCM_CertChain, certUsageEmailSigner) !=
		    SECSuccess ||
	    NSS_CMSSignerInfo_AddSigningTime(signer, PR_Now()) != SECSuccess ||
	    NSS_CMSSignedData_AddSignerInfo(sigd, signer) != SECSuccess) {
		rc = fail("CMS signer");
		goto out;
	}
	enc = NSS_CMSEncoder_Start(msg, NULL, NULL, &output, arena, password, pwarg, NULL, NULL,
				   NULL, NULL);
	if (enc == NULL ||
	    NSS_CMSEncoder_Update(enc, (const char *)data->data, data->len) != SECSuccess) {
		if (enc != NULL)
			NSS_CMSEncoder_Cancel(enc);
		rc = fail("CMS encoding");
		goto out;
	}
	if (NSS_CMSEncoder_Finish(enc) != SECSuccess) {
		rc = fail("signing");
		goto out;
	}
	fp = fopen(out, "wb");
	if (fp == NULL || fwrite(output.data, 1, output.len, fp) != output.len || fclose(fp) != 0) {
		fprintf(stderr, "nss-sign: cannot write %s\n", out);
		goto out;
	}
	rc = 0;
out:
	if (msg != NULL)
		NSS_CMSMessage_Destroy(msg);
	if (cert != NULL)
		CERT_DestroyCertificate(cert);
	PORT_FreeArena(arena, PR_FALSE);
	return rc;
}

int main(int argc, char **argv)
{
	struct password_file pw;
	PK11SlotInfo *slot;
	int rc;

	if (argc < 5 ||
	    (strcmp(argv[4], "list") != 0 && (strcmp(argv[4], "sign") != 0 || argc != 8))) {
		fprintf(stderr, "usage: nss-sign DBDIR PWFILE TOKEN list|sign NICKNAME IN OUT\n");
		return 2;
	}
	pw.path = argv[2];
	if (NSS_Initialize(argv[1], "", "", SECMOD_DB, NSS_INIT_READONLY) != SECSuccess)
		return fail("NSS_Initialize");
	PK11_SetPasswordFunc(password);
	slot = PK11_FindSlotByName(argv[3]);
	if (slot == NULL) {
		rc = fail("no such token");
		goto out;
	}
	/* The user's "Log In" to the security device. */
	if (PK11_Authenticate(slot, PR_TRUE, &pw) != SECSuccess) {
		rc = fail("login");
		PK11_FreeSlot(slot);
		goto out;
	}
	PK11_FreeSlot(slot);
	rc = strcmp(argv[4], "list") == 0 ? list_certs(&pw) : sign(argv[5], argv[6], argv[7], &pw);
out:
	NSS_Shutdown();
	return rc;
}
