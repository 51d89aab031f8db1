/*
 * An unmodified program that keeps waiting: a worker thread sleeps 10 ms
 * and takes a mutex the main thread holds now and then, for the number of
 * seconds given (default 3).  tests/auto/control.sh triggers windows and
 * flight-recorder snapshots on it while it runs under the interposer.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int done;

static void *worker(void *arg)
{
	(void)arg;
	while (!done) {
		usleep(10000);
		pthread_mutex_lock(&lock);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 3;
	pthread_t th;
	if (pthread_create(&th, NULL, worker, NULL))
		return 1;
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end) {
		pthread_mutex_lock(&lock);
		usleep(15000);
		pthread_mutex_unlock(&lock);
		usleep(5000);
	}
	done = 1;
	pthread_join(th, NULL);
	return 0;
}
