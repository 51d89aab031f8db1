/*
 * Two threads queue on one mutex (no lotrace in it): "first" arrives 5 ms
 * after "holder" took it, "second" 10 ms after, each then holds it 20 ms.
 * The kernel hands the mutex on in arrival order, so first is woken by the
 * holder and second by first.  Then the holder posts a semaphore 3 times,
 * 20 ms apart, and first takes each (sem_wait at 0: woken by the holder).
 * Each prints its time in pthread_mutex_lock and sem_wait
 * (tests/auto/handoff.sh compares).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 4

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t round_start;
static sem_t items;

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
	uint64_t sem_total = 0;
	if (delay_ms == 5)
		for (int i = 0; i < 3; i++) {
			uint64_t t = now_ns();
			sem_wait(&items);
			sem_total += now_ns() - t;
		}
	printf("%s mutex=%llu sem=%llu\n", name, (unsigned long long)total,
	       (unsigned long long)sem_total);
	return NULL;
}

int main(void)
{
	pthread_setname_np(pthread_self(), "holder");
	pthread_barrier_init(&round_start, NULL, 3);
	sem_init(&items, 0, 0);
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
	for (int i = 0; i < 3; i++) {
		usleep(20000);
		sem_post(&items);
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
