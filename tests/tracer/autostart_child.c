/* Run by test_record with LOTRACE_START=1: records without calling
 * lot_start or lot_stop, then returns from main; the atexit handler must
 * leave a complete trace. */
#include <pthread.h>

#include "tracer/lotrace.h"

static void *worker(void *arg)
{
	(void)arg;
	lot_instant("from-worker");
	return NULL;
}

int main(void)
{
	if (!lot_enabled())
		return 2;
	lot_instant("from-main");
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	return 0;
}
