/* The installed module's transport: pcsc-lite (see backend.h). */
#include "backend.h"
#include "transport-pcsc.h"

struct transport *backend_transport_new(const struct log *log)
{
	return transport_pcsc_new(log);
}
