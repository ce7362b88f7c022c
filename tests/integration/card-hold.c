/* card-hold READER: keeps the card in READER powered while a test counts APDUs over tests/stack.
 *
 * pcscd powers a card off once nobody has been connected to it for a moment, and after the next
 * power-on no application is current: the next start then pays a refused probe and the SELECT
 * of the JPKI AP, and the emulator logs "# power off" / "# power on".  pcsc-lite's 5 s grace
 * period (PCSCLITE_POWER_OFF_GRACE_PERIOD, src/pcscd.h.in) applies only to a driver with its
 * own polling thread; vpcd has none, so pcscd's event loop, polling every 400 ms
 * (PCSCLITE_STATUS_POLL_RATE), powers the card off at its second poll after the last
 * SCardDisconnect, 0.4 to 0.8 s later (src/eventhandler.c, src/winscard.c).  A test whose
 * processes start one after another on a loaded machine is slower than that.
 *
 * A connected handle keeps the card "in use" (SCardConnect): this program opens one, shared,
 * with no transaction and no APDU, so every other process uses the card as before and finds
 * it as the one before left it.  It prints "held" once connected, then waits for SIGTERM or
 * SIGINT and disconnects leaving the card as it is (SCARD_LEAVE_CARD).  A removal or a reset
 * of the card ends what the handle does: hold it again after one.  Exit 0; 1 when it cannot
 * connect (the reason on stderr); 2 on a usage error.
 */
#include <signal.h>
#include <stdio.h>

#include <winscard.h>

int main(int argc, char **argv)
{
	SCARDCONTEXT ctx = 0;
	SCARDHANDLE h = 0;
	DWORD proto;
	sigset_t stop;
	LONG rv;
	int sig, status = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: card-hold READER\n");
		return 2;
	}
	/* Blocked before connecting: a stop that comes early waits for sigwait. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS)
		goto out;
	rv = SCardConnect(ctx, argv[1], SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			  &h, &proto);
	if (rv != SCARD_S_SUCCESS)
		goto out;
	printf("held\n");
	fflush(stdout);
	sigwait(&stop, &sig);
	rv = SCardDisconnect(h, SCARD_LEAVE_CARD);
	status = 0;
out:
	if (rv != SCARD_S_SUCCESS)
		fprintf(stderr, "card-hold: %s: %s\n", argv[1], pcsc_stringify_error(rv));
	if (ctx != 0)
		SCardReleaseContext(ctx);
	return status;
}
