/* Helpers shared by every transport: see transport.h. */
#include "transport.h"

#include <stdlib.h>

void transport_readers_free(char **readers)
{
	size_t i;

	if (readers == NULL)
		return;
	for (i = 0; readers[i] != NULL; i++)
		free(readers[i]);
	free(readers);
}
