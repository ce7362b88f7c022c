/* The transport over pcsc-lite (libjpki-pcsc.la). */
#ifndef JPKI_TRANSPORT_PCSC_H
#define JPKI_TRANSPORT_PCSC_H

#include "log.h"
#include "transport.h"

/* transport_pcsc_new: a PC/SC transport; the service context is established
 * on first use (and again after pcscd restarts), so a missing pcscd is not
 * an error here.  NULL when out of memory.  log may be NULL and must outlive
 * the transport. */
struct transport *transport_pcsc_new(const struct log *log);

#endif
