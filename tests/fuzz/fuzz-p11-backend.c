/* The fuzz targets' module transport (see pkcs11/backend.h): whatever the
 * target or the seed generator set last with fuzz_p11_backend_set.  Test
 * code, one module per process: a static pointer is enough. */
#include "backend.h"
#include "fuzz-p11-run.h"

static struct transport *fuzz_p11_backend;

void fuzz_p11_backend_set(struct transport *t)
{
	fuzz_p11_backend = t;
}

struct transport *backend_transport_new(const struct log *log)
{
	(void)log;
	return fuzz_p11_backend;
}
