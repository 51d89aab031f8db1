/*
 * Two threads queue on one mutex (no lotrace in it): "first" arrives 5 ms
 * after "holder" took it, "second" 10 ms after, each then holds it 20 ms.
 * The kernel hands the mutex on in arrival order, so first is woken by the
 * holder and second by first.  Each prints its time in pthread_mutex_lock
 * (tests/auto/handoff.sh compares).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 4

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t round_start;

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void *contender(void *arg)
{
	long delay_ms = (long)arg;
	const char *name = delay_ms == 5 ? "first" : "second";
	pthread_setname_np(pthread_self(), name);
	uint64_t total = 0;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(&round_start);
		usleep((useconds_t)delay_ms * 1000);
		uint64_t t = now_ns();
		pthread_mutex_lock(&m);
		total += now_ns() - t;
		usleep(20000);
		pthread_mutex_unlock(&m);
	}
	printf("%s mutex=%llu\n", name, (unsigned long long)total);
	return NULL;
}

int main(void)
{
	pthread_setname_np(pthread_self(), "holder");
	pthread_barrier_init(&round_start, NULL, 3);
	pthread_t a, b;
	pthread_create(&a, NULL, contender, (void *)5L);
	pthread_create(&b, NULL, contender, (void *)10L);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&m);
		pthread_barrier_wait(&round_start);
		usleep(40000);
		pthread_mutex_unlock(&m);
		usleep(60000); /* both are through before the next round */
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
