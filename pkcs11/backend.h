/* Where the module's transport comes from: one function, two link-time
 * implementations.  The installed module links backend-pcsc.c (pcsc-lite);
 * the test-only module (tests/jpki-pkcs11-sim.la) links
 * tests/p11/backend-sim.c (in-process emulated cards).  Nothing else differs,
 * so the installed module holds no test backdoor. */
#ifndef JPKI_P11_BACKEND_H
#define JPKI_P11_BACKEND_H

#include "log.h"
#include "transport.h"

/* backend_transport_new: the transport the module uses from C_Initialize to
 * C_Finalize; NULL when out of memory (or, for the emulator, when its test
 * environment is unusable).  log outlives the transport. */
struct transport *backend_transport_new(const struct log *log);

#endif
